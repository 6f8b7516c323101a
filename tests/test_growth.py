"""Growth: the change history after a 200,000-model round trip stays small, since removed models are
kept without their raw JSON (slow: it builds and normalizes 200,000 synthetic models)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.synth import synthetic_catalog
from catalog.fetch.normalize import normalize_models
from catalog.history.record import HISTORY_NAME, record_refresh
from catalog.storage.store import Store
from tests.reliability import record

pytestmark = pytest.mark.slow
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_the_history_after_a_200k_model_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path)
    small = normalize_models(synthetic_catalog(549)["data"]).frame
    with store.locked():
        record_refresh(store, small, T0)
        baseline_bytes = (tmp_path / HISTORY_NAME).stat().st_size
        huge = normalize_models(synthetic_catalog(200_000, seed=7)["data"]).frame
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
