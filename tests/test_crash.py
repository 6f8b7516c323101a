"""A refresh killed with SIGKILL at any moment leaves a store that reads as the old catalog or the new
one, never half of either, and its leftover temp files are removed by the next write.

Named points come from the store's test hook (`CATALOG_CRASH_AT`, see catalog/store.py): the process
kills itself there, so each point is hit exactly. The slow test adds kills at random moments of
`python -m catalog refresh` subprocesses, from the request to the stand-in until the process ends.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog import Catalog
from catalog.cli import main
from catalog.history.document import HistoryDocument
from catalog.storage.generation import META_NAME
from catalog.storage.store import Store
from tests import payloads
from tests.reliability import record
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
OLD = payloads.OLD_CATALOG
NEW = payloads.NEW_CATALOG
LATEST = payloads.catalog_of(50, prefix="latest-")


def ids_of(body: dict) -> frozenset[str]:
    return frozenset(m["id"] for m in body["data"])


OLD_IDS, NEW_IDS, LATEST_IDS = ids_of(OLD), ids_of(NEW), ids_of(LATEST)

# Every point of a refresh's writes: the temp file exists (empty), is complete and synced, is in
# place; the history's entry is in place; then (the entry makes the 40-model base grow by over a
# quarter) the history folded into a new base, the entries it folded not yet removed.
CRASH_POINTS = [
    *(
        f"{kind}_{stage}"
        for kind in ("models", "catalog")
        for stage in ("temp_created", "temp_written", "written")
    ),
    "entry_written",
    *(f"history_{stage}" for stage in ("temp_created", "temp_written", "written")),
]
# The catalog is the new one once catalog.json is replaced; the history comes after it, with its entry.
NEW_FROM = CRASH_POINTS.index("catalog_written")
RECORDED_FROM = CRASH_POINTS.index("entry_written")


def cli(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored_ids(directory: Path) -> frozenset[str]:
    stored = Store(directory).read()
    assert stored is not None
    return frozenset(stored[1]["id"])


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob(".*.tmp-*"))


def models_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("models-*.parquet"))


def history_state(directory: Path) -> dict:
    """The history: its base and every entry after it must always read."""
    found = HistoryDocument(Store(directory)).read()
    assert found.damaged == ()
    return found.state


def history_refreshes(directory: Path) -> int:
    """How many live refreshes the history has taken in."""
    return int(history_state(directory)["refreshes"])


def show_in_process(capsys: pytest.CaptureFixture[str]) -> str:
    """`python -m catalog show`, run in this process: exit 0, and no note of damage."""
    capsys.readouterr()
    assert main(["show"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.fixture
def refreshed_dir(stand_in: StandIn, catalog_dir: Path) -> Path:
    """CATALOG_DIR with the OLD live catalog and a history of one refresh; the stand-in serves NEW."""
    stand_in.set_payload(OLD)
    Catalog().refresh()
    assert history_refreshes(catalog_dir) == 1
    stand_in.set_payload(NEW)
    return catalog_dir


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_refresh_killed_at_each_point_of_its_writes_leaves_the_old_or_the_new_catalog(
    refreshed_dir: Path, stand_in: StandIn, capsys: pytest.CaptureFixture[str], point: str
) -> None:
    killed = cli("refresh", CATALOG_CRASH_AT=point)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL

    expected = NEW_IDS if CRASH_POINTS.index(point) >= NEW_FROM else OLD_IDS
    assert stored_ids(refreshed_dir) == expected
    assert f"models:     {len(expected)}" in show_in_process(capsys)
    assert not (refreshed_dir / "damaged").exists()
    assert len(temp_files(refreshed_dir)) == (1 if "_temp_" in point else 0)
    recorded = CRASH_POINTS.index(point) >= RECORDED_FROM
    assert history_refreshes(refreshed_dir) == (2 if recorded else 1)
    # Folded into the base or not, each change is read once: 45 added and 40 removed.
    assert len(history_state(refreshed_dir)["events"]) == (85 if recorded else 0)

    stand_in.set_payload(LATEST)
    result = Catalog().refresh()  # the next write cleans up after the dead one and catches up

    assert (result.fetched, stored_ids(refreshed_dir)) == (True, LATEST_IDS)
    assert temp_files(refreshed_dir) == []
    assert len(models_files(refreshed_dir)) == 2
    assert history_refreshes(refreshed_dir) == (3 if recorded else 2)


def test_kill_after_kill_leaves_one_dead_writers_file_at_most(
    refreshed_dir: Path, stand_in: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    before = models_files(refreshed_dir)
    for point in ["models_written", "models_temp_written", "models_written", "models_written"]:
        killed = cli("refresh", CATALOG_CRASH_AT=point)
        killed.communicate(timeout=60)
        assert killed.returncode == -signal.SIGKILL
        assert len(models_files(refreshed_dir)) <= len(before) + 1
        assert len(temp_files(refreshed_dir)) <= 1
        assert stored_ids(refreshed_dir) == OLD_IDS
    show_in_process(capsys)
    Catalog().refresh()
    assert (len(models_files(refreshed_dir)), temp_files(refreshed_dir)) == (2, [])


def test_a_refresh_killed_while_fetching_leaves_the_old_catalog_untouched(
    refreshed_dir: Path, stand_in: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in refreshed_dir.iterdir() if p.is_file()}
    stand_in.set_mode("drip")  # the body arrives a few bytes at a time
    refresh = cli("refresh")
    deadline = time.monotonic() + 30
    while stand_in.models_requests < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    refresh.send_signal(signal.SIGKILL)
    refresh.communicate(timeout=30)

    assert refresh.returncode == -signal.SIGKILL
    assert {p.name: p.read_bytes() for p in refreshed_dir.iterdir() if p.is_file()} == before
    assert f"models:     {len(OLD_IDS)}" in show_in_process(capsys)


def test_a_first_run_killed_mid_write_is_kept_aside_and_the_next_start_works(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = cli("show", CATALOG_CRASH_AT="models_written")  # the first run writes the defaults
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert models_files(catalog_dir) == ["models-000001.parquet"]
    assert not (catalog_dir / META_NAME).exists()

    capsys.readouterr()
    assert main(["show"]) == 0
    _, err = capsys.readouterr()
    assert err.startswith("note: The stored catalog could not be read (catalog.json is missing but ")
    assert len(list(catalog_dir.glob("damaged/*/models-000001.parquet"))) == 1  # kept, not deleted
    assert models_files(catalog_dir) == ["models-000002.parquet"]
    show_in_process(capsys)


# `python -m catalog COMMAND`, started ahead with its heavy imports done, then run on a line of stdin:
# the random kills then fall in the refresh itself, and thirty of them fit in well under a minute.
WARM_CLI = (
    "import runpy, sys; import pandas, pyarrow.parquet, requests, catalog.catalog; "
    "sys.stdin.readline(); sys.argv = ['catalog', *sys.argv[1:]]; "
    "runpy.run_module('catalog', run_name='__main__', alter_sys=True)"
)


class WarmCLI:
    """One `python -m catalog ...` process, imported and waiting for `go()`."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WARM_CLI, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def go(self) -> subprocess.Popen[str]:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return self.process


def wait_for_request(stand_in: StandIn, asked: int, process: subprocess.Popen[str]) -> None:
    while stand_in.models_requests == asked and process.poll() is None:
        time.sleep(0.0005)


@pytest.mark.slow
def test_thirty_random_kills_during_refreshes_never_leave_an_unreadable_store(
    stand_in: StandIn, catalog_dir: Path
) -> None:
    """SIGKILL `python -m catalog refresh` at random moments between its request and its exit; after
    each, `python -m catalog show` exits 0 without a note and the store is the old catalog or the new."""
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261127")))
    count = 400
    Catalog().snapshot()
    window = measure_refresh_window(stand_in, count)
    current = stored_ids(catalog_dir)
    kills, completed, attempts, most_temp_files, most_models_files = 0, 0, 0, 0, 0
    outcomes = {"old": 0, "new": 0}
    refresh, show = WarmCLI("refresh"), WarmCLI("show")
    while kills < 30 and attempts < 60:
        attempts += 1
        body = payloads.catalog_of(count, prefix=f"attempt-{attempts}-")
        stand_in.set_payload(body)
        asked = stand_in.models_requests
        running = refresh.go()
        wait_for_request(stand_in, asked, running)
        time.sleep(rng.uniform(0, window))
        running.send_signal(signal.SIGKILL)
        running.communicate(timeout=60)
        if running.returncode == 0:
            completed += 1
        else:
            assert running.returncode == -signal.SIGKILL
            kills += 1

        shown = show.go()
        out, err = shown.communicate(timeout=60)
        refresh, show = WarmCLI("refresh"), WarmCLI("show")  # importing while this attempt is checked
        assert (shown.returncode, err) == (0, ""), f"attempt {attempts}: show said {err!r}"
        assert f"models:     {count}" in out
        now = stored_ids(catalog_dir)
        assert now in (current, ids_of(body)), f"attempt {attempts}: the store is neither old nor new"
        outcomes["new" if now == ids_of(body) else "old"] += 1
        assert not (catalog_dir / "damaged").exists()
        history_state(catalog_dir)
        most_temp_files = max(most_temp_files, len(temp_files(catalog_dir)))
        most_models_files = max(most_models_files, len(models_files(catalog_dir)))
        assert most_temp_files <= 1 and most_models_files <= 3, "leftovers pile up"
        current = now
    for waiting in (refresh, show):
        waiting.process.kill()
        waiting.process.communicate()

    shown = cli("show")  # and the plain command line, once more, on the final store
    out, err = shown.communicate(timeout=60)
    assert (shown.returncode, err, f"models:     {count}" in out) == (0, "", True)
    stand_in.set_payload(LATEST)
    assert Catalog().refresh(force=True).snapshot.count == len(LATEST_IDS)
    assert temp_files(catalog_dir) == []
    assert len(models_files(catalog_dir)) == 2
    assert kills >= 30
    record(
        "crash",
        named_crash_points=len(CRASH_POINTS) + 2,  # the writes' nine, the fetch, the first run
        random_sigkills_survived=kills,
        refreshes_that_finished_first=completed,
        kills_leaving_old_catalog=outcomes["old"],
        kills_leaving_new_catalog=outcomes["new"],
        kill_window_s=round(window, 3),
        most_temp_files_seen=most_temp_files,
        seed=int(os.environ.get("CRASH_SEED", "20261127")),
    )


def measure_refresh_window(stand_in: StandIn, count: int) -> float:
    """Seconds from a refresh's request to its exit, the window the random kills fall in."""
    stand_in.set_payload(payloads.catalog_of(count, prefix="calibration-"))
    warm = WarmCLI("refresh")
    time.sleep(1.5)  # let it import
    asked = stand_in.models_requests
    running = warm.go()
    wait_for_request(stand_in, asked, running)
    started = time.monotonic()
    running.communicate(timeout=60)
    assert running.returncode == 0
    return time.monotonic() - started
