"""Growth: the change history after a large round trip stays small, since removed models are kept
without their raw JSON, and its size is a fixed cost per model ever seen (slow: it builds 20,000
synthetic models).

One measured point that scales: a round trip 549 -> 20,000 -> 549 gives the bytes each model
costs the history; 200,000 models cost ten times 20,000's, which `record` writes out for the
README. (The model-count cap, `OPENROUTER_MAX_MODELS`, is proven through the CLI and the client in
tests/test_hostile_server.py; the cut of a 50 MB description in tests/test_normalize.py.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from bench.synth import synthetic_catalog
from catalog.history.document import LOG_FOLDER, HistoryDocument
from catalog.history.record import HISTORY_NAME, record_refresh
from catalog.storage.store import Store
from tests.reliability import record

pytestmark = pytest.mark.slow
T0 = datetime(2026, 6, 1, tzinfo=UTC)
SMALL, LARGE = 549, 20_000
BYTES_PER_MODEL = 800  # an entry and two events, added and removed (about 670); 2.4 kB with the raw JSON


def listed(count: int, seed: int) -> pd.DataFrame:
    """What the history reads of a normalized catalog (id, name, raw JSON, token priced), built directly."""
    data = synthetic_catalog(count, seed=seed)["data"]
    return pd.DataFrame(
        {
            "id": [model["id"] for model in data],
            "name": [model.get("name", model["id"]) for model in data],
            "raw_json": [json.dumps(model) for model in data],
            "token_priced": True,
        }
    )


def history_bytes(directory: Path) -> int:
    """The history's size on disk: its base and the entries after it."""
    return sum(
        path.stat().st_size for path in [directory / HISTORY_NAME, *(directory / LOG_FOLDER).glob("*")]
    )


def test_the_history_after_a_large_round_trip_costs_a_fixed_size_per_model(tmp_path: Path) -> None:
    store = Store(tmp_path)
    small = listed(SMALL, seed=2026)
    with store.locked():
        record_refresh(store, small, T0)
        baseline_bytes = history_bytes(tmp_path)
        large = listed(LARGE, seed=7)
        record_refresh(store, large, T0 + timedelta(days=1), previous_live=small, previous_at=T0)
        record_refresh(store, small, T0 + timedelta(days=2))
    round_trip_bytes = history_bytes(tmp_path)
    state = HistoryDocument(store).read().state

    removed = [entry for entry in state["models"].values() if "removed_at" in entry]
    assert len(removed) == LARGE and not any("raw" in entry for entry in removed)
    changes = [event["change"] for event in state["events"]]
    # The two catalogs share no id: each went away once, and the small one came back.
    assert (changes.count("removed"), changes.count("added")) == (SMALL + LARGE, LARGE + SMALL)
    per_model = (round_trip_bytes - baseline_bytes) / LARGE

    # Then a refresh that reprices 3 models writes one entry of their changes, whatever the size.
    moved = small.copy()
    for row in (0, 200, 400):
        raw = json.loads(moved.at[row, "raw_json"])
        raw["pricing"]["prompt"] = "0.0000421"
        moved.at[row, "raw_json"] = json.dumps(raw)
    base_before = (tmp_path / HISTORY_NAME).read_bytes()
    with store.locked():
        record_refresh(store, moved, T0 + timedelta(days=3))
    assert (tmp_path / HISTORY_NAME).read_bytes() == base_before
    [entry] = (tmp_path / LOG_FOLDER).glob("*")
    record(
        "growth",
        history_mb_549=round(baseline_bytes / 2**20, 2),
        round_trip_models=LARGE,
        history_bytes_per_model=round(per_model),
        history_mb_after_200k_round_trip=round((baseline_bytes + 200_000 * per_model) / 2**20, 1),
        refresh_of_3_changes_bytes=entry.stat().st_size,
    )
    assert per_model < BYTES_PER_MODEL
    assert entry.stat().st_size < 4_096
