"""Growth: the change history after a 200,000-model round trip stays small, since removed models are
kept without their raw JSON (slow: it builds 200,000 synthetic models)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from bench.synth import synthetic_catalog
from catalog.history.record import HISTORY_NAME, record_refresh
from catalog.storage.store import Store
from tests.reliability import record

pytestmark = pytest.mark.slow
T0 = datetime(2026, 6, 1, tzinfo=UTC)


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


def test_the_history_after_a_200k_model_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path)
    small = listed(549, seed=2026)
    with store.locked():
        record_refresh(store, small, T0)
        baseline_bytes = (tmp_path / HISTORY_NAME).stat().st_size
        huge = listed(200_000, seed=7)
        record_refresh(store, huge, T0 + timedelta(days=1), previous_live=small, previous_at=T0)
        del huge
        started = time.perf_counter()
        record_refresh(store, small, T0 + timedelta(days=2))
        back_s = time.perf_counter() - started
    history_bytes = (tmp_path / HISTORY_NAME).stat().st_size
    record(
        "growth",
        history_mb_549=round(baseline_bytes / 2**20, 2),
        history_mb_after_200k_round_trip=round(history_bytes / 2**20, 1),
        record_back_to_549_s=round(back_s, 1),
    )
    assert '"raw"' not in (tmp_path / HISTORY_NAME).read_text(encoding="utf-8")[:10_000_000]
    # Each model ever seen costs its entry and its added and removed events: 600 bytes, not the
    # 2.4 kB it cost when removed models kept their raw JSON (473 MB for this round trip).
    assert history_bytes < 200_000 * 1024
