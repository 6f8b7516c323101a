"""Processes and threads calling refresh, reset and snapshot together against one catalog directory:
no exception, every snapshot a whole catalog, the final state the last writer's, and the lock
keeping concurrent refreshes from each fetching (counted at the stand-in)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog import Catalog
from catalog.storage.store import Store
from tests.catalog_operations import LIVE, check_whole, operate
from tests.reliability import record
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
RUN_S = float(os.environ.get("CONCURRENCY_SECONDS", "12"))
CLI_SEEDS = (30, 31)

# One worker process: threads, each on its own Catalog or sharing one, doing random operations until
# the deadline and while a command line still runs (so the last write is a worker's, of known
# generation); one JSON line per operation on stdout. Its checks are the ones the test makes itself.
WORKER = r"""
import json, random, sys, threading, time
from pathlib import Path
from catalog import Catalog
from tests.catalog_operations import operate

deadline, seed, threads, busy = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
shared = Catalog()
lock = threading.Lock()

def run(index):
    catalog = shared if index % 2 == 0 else Catalog()
    rng = random.Random(seed * 100 + index)
    last = 0
    while time.time() < deadline or any(busy.iterdir()):
        event, last = operate(catalog, rng, f"process-{seed}/thread-{index}", last)
        with lock:
            print(json.dumps(event), flush=True)

workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
"""


@dataclass
class Tally:
    events: list[dict[str, Any]]
    lock: threading.Lock

    def add(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)


def thread_worker(tally: Tally, catalog: Catalog, name: str, deadline: float, seed: int, busy: Path) -> None:
    rng = random.Random(seed)
    last = 0
    while time.time() < deadline or any(busy.iterdir()):
        event, last = operate(catalog, rng, name, last)
        tally.add(event)


def cli_worker(tally: Tally, deadline: float, seed: int, busy: Path) -> None:
    """`python -m catalog refresh|reset|show`, one after another, until the deadline."""
    rng = random.Random(seed)
    try:
        run_cli_until(tally, deadline, rng)
    finally:
        (busy / str(seed)).unlink()


def run_cli_until(tally: Tally, deadline: float, rng: random.Random) -> None:
    while time.time() < deadline:
        op = rng.choice(["refresh", "refresh", "reset", "show"])
        start = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "catalog", op], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        event: dict[str, Any] = {"who": "cli", "op": f"cli-{op}", "start": start, "end": time.time()}
        if done.returncode != 0 or done.stderr:
            event["error"] = f"exit {done.returncode}: {done.stderr.strip()}"
        elif op == "refresh":
            event["fetched"] = "another process refreshed moments ago" not in done.stdout
        tally.add(event)


@pytest.mark.slow
def test_processes_and_threads_refreshing_resetting_and_reading_together(
    stand_in: StandIn, catalog_dir: Path
) -> None:
    stand_in.set_payload(LIVE)
    Catalog().snapshot()  # the store exists before the crowd arrives
    deadline = time.time() + RUN_S
    busy = catalog_dir.parent / "command-lines-running"  # one file per command-line thread still running
    busy.mkdir()
    for seed in CLI_SEEDS:  # marked before any worker looks; each command-line thread unmarks itself
        (busy / str(seed)).touch()
    tally = Tally([], threading.Lock())
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(deadline), str(seed), "3", str(busy)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2, 3)
    ]
    shared = Catalog()
    threads = [
        threading.Thread(
            target=thread_worker, args=(tally, shared, f"test/shared-{i}", deadline, 10 + i, busy)
        )
        for i in range(3)
    ]
    threads.append(
        threading.Thread(target=thread_worker, args=(tally, Catalog(), "test/own", deadline, 20, busy))
    )
    # The command line stops early, so the last write is one whose generation is known.
    threads += [
        threading.Thread(target=cli_worker, args=(tally, deadline - 0.5 * RUN_S, seed, busy))
        for seed in CLI_SEEDS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RUN_S + 120)
    for process in processes:
        out, err = process.communicate(timeout=RUN_S + 120)
        assert (process.returncode, err) == (0, "")
        for line in out.splitlines():
            tally.add(json.loads(line))

    events = tally.events
    errors = [e for e in events if "error" in e]
    assert errors == []
    refreshes = [e for e in events if e["op"] in ("refresh", "cli-refresh")]
    fetched = [e for e in refreshes if e["fetched"]]
    adopted = len(refreshes) - len(fetched)
    assert stand_in.models_requests == len(fetched)  # every fetch accounted for, none hidden
    assert adopted > 0 and len(fetched) < len(refreshes)  # waiting refreshes adopted another's result

    writes = [e for e in events if e["op"] == "reset" or (e["op"] == "refresh" and e["fetched"])]
    last_write = max(writes, key=lambda e: e["generation"])
    assert last_write["end"] >= max(e["end"] for e in events if e["op"].startswith("cli-"))
    stored = Store(catalog_dir).read()
    assert stored is not None
    meta, _ = stored
    assert (meta.generation, meta.source) == (last_write["generation"], last_write["source"])
    for catalog in (shared, Catalog()):
        final = catalog.snapshot()
        check_whole(final)
        assert (final.generation, final.source) == (meta.generation, meta.source)
    assert not list(catalog_dir.glob(".*.tmp-*"))
    assert len(list(catalog_dir.glob("models-*.parquet"))) <= 2
    assert not (catalog_dir / "damaged").exists()

    record(
        "concurrency",
        seconds=RUN_S,
        worker_processes=len(processes),
        threads=len(processes) * 3 + 4,  # and two more starting `python -m catalog` one after another
        operations=len(events),
        snapshots_checked_whole=sum(1 for e in events if "generation" in e),
        refresh_calls=len(refreshes),
        fetches=len(fetched),
        refreshes_adopting_another=adopted,
        resets=sum(1 for e in events if e["op"] in ("reset", "cli-reset")),
        cli_runs=sum(1 for e in events if e["op"].startswith("cli-")),
    )


def test_simultaneous_refreshes_from_many_catalogs_fetch_once(stand_in: StandIn, catalog_dir: Path) -> None:
    """Eight Catalogs (as eight processes would) that saw the same generation refresh at once."""
    stand_in.set_payload(LIVE)
    catalogs = [Catalog() for _ in range(8)]
    for catalog in catalogs:
        catalog.snapshot()
    barrier = threading.Barrier(len(catalogs))
    results: list[Any] = []

    def refresh(catalog: Catalog) -> None:
        barrier.wait()
        results.append(catalog.refresh())

    threads = [threading.Thread(target=refresh, args=(c,)) for c in catalogs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert stand_in.models_requests == 1
    assert sorted(r.fetched for r in results) == [False] * 7 + [True]
    assert len({r.snapshot.generation for r in results}) == 1
    for result in results:
        check_whole(result.snapshot)
