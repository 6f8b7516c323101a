"""Replicas on one bucket under stress (moto in server mode): processes racing refreshes and resets,
and refreshes killed with SIGKILL at each point of their uploads. The pointer always names a whole
catalog, and the history keeps every refresh's events."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import Catalog
from catalog.cli import main
from catalog.history.view import load_history
from catalog.storage.s3 import S3Store
from tests import payloads
from tests.moto_server import objects
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
OLD = payloads.OLD_CATALOG
NEW = payloads.NEW_CATALOG
LATEST = payloads.catalog_of(50, prefix="latest-")


def ids_of(body: dict) -> frozenset[str]:
    return frozenset(m["id"] for m in body["data"])


def stored_ids(location: str) -> frozenset[str]:
    stored = S3Store(location).read()
    assert stored is not None
    return frozenset(stored[1]["id"])


# -- racing processes ----------------------------------------------------------------------------

# One worker process: its operations in a random order, each printed as a JSON line.
WORKER = r"""
import json, random, sys
from catalog import Catalog
from catalog.cli import main
api_base, seed, refreshes, resets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
operations = ["refresh"] * refreshes + ["reset"] * resets
random.Random(seed).shuffle(operations)
print(json.dumps({"ready": True}), flush=True)
sys.stdin.readline()  # every worker starts at once
for operation in operations:
    catalog = Catalog()
    if operation == "refresh":
        result = catalog.refresh(force=True, api_base=api_base)
        changes = result.changes
        events = len(changes.added) + len(changes.removed) + len(changes.repriced) + len(changes.retiered)
        snapshot = result.snapshot
    else:
        snapshot, events = catalog.reset(), 0
    print(json.dumps({"op": operation, "generation": snapshot.generation, "source": snapshot.source,
                      "events": events}), flush=True)
"""


@pytest.mark.slow
def test_twenty_racing_refreshes_and_resets_from_four_processes_lose_nothing(refreshed_bucket: str) -> None:
    # Each process refreshes from its own OpenRouter, each serving other models: every refresh
    # after another's records added and removed events, so a lost history update would show.
    servers = [StandIn(payloads.catalog_of(30 + i, prefix=f"p{i}-")) for i in range(4)]
    for server in servers:
        server.start()
    try:
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, server.api_base, str(index), "3", "2"],
                cwd=ROOT,
                env=os.environ.copy(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index, server in enumerate(servers)
        ]
        for worker in workers:
            assert json.loads(worker.stdout.readline()) == {"ready": True}  # type: ignore[union-attr]
        for worker in workers:
            worker.stdin.write("go\n")  # type: ignore[union-attr]
            worker.stdin.flush()  # type: ignore[union-attr]
        done = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for server in servers:
            server.stop()
    for worker, (_, err) in zip(workers, done, strict=True):
        assert (worker.returncode, err) == (0, "")
    results = [json.loads(line) for out, _ in done for line in out.splitlines()]

    assert len(results) == 20
    refreshes = [r for r in results if r["op"] == "refresh"]
    assert len(refreshes) == 12 and sum(s.models_requests for s in servers) == 12
    generations = [r["generation"] for r in results]
    assert len(set(generations)) == 20  # one winner per generation
    last = max(results, key=lambda r: r["generation"])
    meta, models = S3Store(refreshed_bucket).read()  # type: ignore[misc]
    assert (meta.generation, meta.source, len(models)) == (last["generation"], last["source"], meta.count)
    history = load_history(S3Store(refreshed_bucket))
    assert history.refreshes == 1 + 12  # the fixture's refresh, then every racing one
    assert len(history.events()) == sum(r["events"] for r in refreshes)  # the fixture's was the baseline
    assert not [name for name in objects(refreshed_bucket) if name.startswith("damaged/")]


# -- kills ---------------------------------------------------------------------------------------

# Every point of a refresh's writes: before the upload of the models, midway through it, once it is
# stored; then the pointer, before and after; then the history's entry, before and after, and the
# new base it is folded into (it grows the 40-model base by over a quarter), before and after. The
# catalog is the new one once the pointer is replaced; the history comes after it.
CRASH_POINTS = [
    "models_upload_started",
    "models_uploading",
    "models_written",
    "catalog_upload_started",
    "catalog_written",
    "entry_upload_started",
    "entry_written",
    "history_upload_started",
    "history_written",
]
NEW_FROM = CRASH_POINTS.index("catalog_written")
RECORDED_FROM = CRASH_POINTS.index("entry_written")
QUICK_POINTS = ("models_uploading", "catalog_written", "entry_written")


@pytest.mark.parametrize(
    "point",
    [p if p in QUICK_POINTS else pytest.param(p, marks=pytest.mark.slow) for p in CRASH_POINTS],
)
def test_a_refresh_killed_at_each_point_of_its_uploads_leaves_the_old_or_the_new_catalog(
    refreshed_bucket: str, stand_in: StandIn, capsys: pytest.CaptureFixture[str], point: str
) -> None:
    killed = subprocess.run(
        [sys.executable, "-m", "catalog", "refresh"],
        cwd=ROOT,
        env={**os.environ, "CATALOG_CRASH_AT": point},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL

    expected = ids_of(NEW) if CRASH_POINTS.index(point) >= NEW_FROM else ids_of(OLD)
    assert stored_ids(refreshed_bucket) == expected
    capsys.readouterr()
    assert main(["show"]) == 0  # a new process, as far as the store is concerned
    shown, err = capsys.readouterr()
    assert err == ""
    assert f"models:     {len(expected)}" in shown
    recorded = CRASH_POINTS.index(point) >= RECORDED_FROM
    history = load_history(S3Store(refreshed_bucket))
    assert (history.refreshes, len(history.events())) == ((2, 85) if recorded else (1, 0))

    stand_in.set_payload(LATEST)
    result = Catalog().refresh()  # the next write goes past the dead one's files and catches up
    assert (result.fetched, stored_ids(refreshed_bucket)) == (True, ids_of(LATEST))
    assert load_history(S3Store(refreshed_bucket)).refreshes == (3 if recorded else 2)
    assert not [name for name in objects(refreshed_bucket) if name.startswith("damaged/")]


@pytest.mark.slow
def test_refreshes_killed_at_random_moments_leave_a_whole_catalog(
    refreshed_bucket: str, stand_in: StandIn
) -> None:
    rng = random.Random(int(os.environ.get("CRASH_SEED", "17")))
    big = payloads.catalog_of(400, prefix="big-")
    stand_in.set_payload(big)
    outcomes = []
    for _ in range(8):
        refresh = subprocess.Popen(
            [sys.executable, "-m", "catalog", "refresh", "--force"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            refresh.wait(timeout=rng.uniform(1.5, 4.0))  # imports take most of it; then fetch and upload
        except subprocess.TimeoutExpired:
            refresh.send_signal(signal.SIGKILL)
            refresh.wait(timeout=30)
        outcomes.append(stored_ids(refreshed_bucket))
        assert outcomes[-1] in (ids_of(OLD), ids_of(big))
        snapshot = Catalog().snapshot()
        assert snapshot.notice is None and snapshot.count == len(snapshot.models)
