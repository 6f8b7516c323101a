"""Random catalog operations, each checked, for the concurrency test and the worker processes it starts.

A worker process imports `operate` from here: a test file is never imported by another module.
"""

from __future__ import annotations

import random
import time
from typing import Any

from catalog import Catalog, Snapshot
from catalog.fetch.defaults import default_models
from tests import payloads

LIVE = payloads.catalog_of(300)
LIVE_IDS = frozenset(m["id"] for m in LIVE["data"])
DEFAULT_IDS = frozenset(default_models()["id"])


def choose(rng: random.Random) -> str:
    """Mostly refreshes (to collide), some resets (so refreshes must fetch again), many reads."""
    return rng.choices(["refresh", "reset", "snapshot"], weights=[5, 1, 4])[0]


def check_whole(snapshot: Snapshot) -> None:
    """One snapshot is one whole catalog: counts agree, and the ids are exactly its source's."""
    ids = frozenset(snapshot.models["id"])
    if not (snapshot.count == len(snapshot.models) == len(ids)):
        raise AssertionError(f"torn snapshot: count {snapshot.count}, {len(ids)} ids")
    expected = LIVE_IDS if snapshot.source == "live" else DEFAULT_IDS
    if ids != expected:
        raise AssertionError(f"{snapshot.source} snapshot of generation {snapshot.generation} mixes catalogs")


def operate(catalog: Catalog, rng: random.Random, who: str, last: int) -> tuple[dict[str, Any], int]:
    """One random operation, checked: the event to record, and the generation now seen."""
    op = choose(rng)
    event: dict[str, Any] = {"who": who, "op": op, "start": time.time()}
    try:
        if op == "refresh":
            result = catalog.refresh()
            snapshot, event["fetched"] = result.snapshot, result.fetched
        elif op == "reset":
            snapshot = catalog.reset()
        else:
            snapshot = catalog.snapshot()
        check_whole(snapshot)
        if snapshot.generation < last:
            raise AssertionError(f"generation went back from {last} to {snapshot.generation}")
        last = snapshot.generation
        event.update(generation=snapshot.generation, source=snapshot.source)
    except Exception as error:  # noqa: BLE001 - every one is a failure, reported by the test
        event["error"] = f"{type(error).__name__}: {error}"
    event["end"] = time.time()
    return event, last
