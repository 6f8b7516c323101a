"""The change history: sequences of catalogs through the real refresh path, with exact logs."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from catalog import Catalog
from catalog.errors import StoreError
from catalog.fetch.normalize import normalize_models
from catalog.history.changes import diff_models
from catalog.history.document import HistoryDocument
from catalog.history.record import HISTORY_NAME, apply_refresh, empty_state
from catalog.present.changes import chart_steps
from catalog.storage.store import Store
from tests.payloads import catalog_of, model, payload, scored
from tools.stand_in import StandIn

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ZEROS_2025 = {"request": "0", "image": "0", "web_search": "0", "internal_reasoning": "0"}


class Clock:
    """The refresh time, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(T0)
    monkeypatch.setattr("catalog.catalog._now", fake)
    return fake


def refresh(catalog: Catalog, stand_in: StandIn, models: list[dict[str, Any]]) -> str:
    stand_in.set_payload(payload(models))
    return catalog.refresh().summary()


def log(directory: Path, **filters: Any) -> list[tuple[str, ...]]:
    """The history's events as (time, change, id, field, old, new) tuples."""
    frame = Catalog(directory).history().events(**filters)
    return [
        (f"{row.at:%m-%d %H:%M}", row.change, row.id, row.field, row.old_exact, row.new_exact)
        for row in frame.itertuples(index=False)
    ]


def test_first_live_refresh_is_a_baseline_with_no_events(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    defaults = catalog.snapshot().count
    summary = refresh(catalog, stand_in, [model("a/one"), model("b/two")])

    assert summary == f"2 models (was {defaults:,} bundled defaults)"
    history = Catalog(catalog_dir).history()
    assert history.baseline_at == T0
    assert history.refreshes == 1
    assert history.events().empty
    assert history.first_seen().to_dict() == {"a/one": pd.Timestamp(T0), "b/two": pd.Timestamp(T0)}
    assert history.new_ids(now=T0 + timedelta(hours=1)) == frozenset()


def test_a_sequence_of_catalogs_gives_the_exact_log(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two"), model("c/three", request="0.005")])

    clock.advance(days=1)
    summary = refresh(
        catalog,
        stand_in,
        [model("a/one", "0.0000015"), model("b/two"), model("c/three", request="0.01"), model("d/four")],
    )
    assert summary == "4 models: 1 added, 0 removed, 2 repriced"

    clock.advance(days=1)
    summary = refresh(
        catalog,
        stand_in,
        [
            model("a/one", "0.0000015", "0.0000020"),
            model("c/three", request="0.01"),
            model("d/four", "-1", "-1"),
        ],
    )
    assert summary == "3 models: 0 added, 1 removed, 1 repriced"

    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one", "0.0000015", "0"), model("b/two"), model("d/four")])
    assert summary == "3 models: 1 added, 1 removed, 2 repriced"

    assert log(catalog_dir) == [
        ("03-02 09:00", "added", "d/four", "", "", ""),
        ("03-02 09:00", "repriced", "a/one", "prompt", "1", "1.5"),
        ("03-02 09:00", "repriced", "c/three", "request", "0.005", "0.01"),
        ("03-03 09:00", "removed", "b/two", "", "", ""),
        ("03-03 09:00", "repriced", "d/four", "completion", "2", "variable"),
        ("03-03 09:00", "repriced", "d/four", "prompt", "1", "variable"),
        ("03-04 09:00", "added", "b/two", "", "", ""),
        ("03-04 09:00", "removed", "c/three", "", "", ""),
        ("03-04 09:00", "repriced", "a/one", "completion", "2", "0"),
        ("03-04 09:00", "repriced", "d/four", "completion", "variable", "2"),
        ("03-04 09:00", "repriced", "d/four", "prompt", "variable", "1"),
    ]
    events = Catalog(catalog_dir).history().events(kinds=["repriced"])
    moved = events[events["id"] == "c/three"].iloc[0]
    assert (moved["unit"], moved["old"], moved["new"], moved["change_pct"]) == (
        "$/request",
        0.005,
        0.01,
        100,
    )
    moved = events[events["id"] == "a/one"].iloc[0]
    assert (moved["unit"], moved["delta"], moved["change_pct"]) == ("$/1M tokens", 0.5, 50)


def test_a_zero_that_became_absent_is_no_change(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    # 2025: every optional price present, mostly "0".
    refresh(catalog, stand_in, [model("a/one", **ZEROS_2025), model("b/free:free", "0", "0", **ZEROS_2025)])
    clock.advance(days=30)
    # 2026: zero-valued fields omitted, and "0.0" or "0.0000010" spelled differently.
    summary = refresh(
        catalog, stand_in, [model("a/one", "0.0000010", image="0.0"), model("b/free:free", "0", "0")]
    )
    assert summary == "2 models: 0 added, 0 removed, 0 repriced"
    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one", web_search="0.004"), model("b/free:free", "0", "0")])
    assert summary == "2 models: 0 added, 0 removed, 1 repriced"
    assert log(catalog_dir) == [("04-01 09:00", "repriced", "a/one", "web_search", "0", "0.004")]
    assert diff_models(_frame([model("a/one", **ZEROS_2025)]), _frame([model("a/one")])).repriced == ()


def test_tier_changes_are_their_own_kind(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    tier = [{"min_prompt_tokens": 200000, "prompt": "0.0000025", "completion": "0.000015"}]
    same_tier = [{"min_prompt_tokens": 200000, "prompt": "0.00000250", "completion": "0.000015"}]
    dearer = [{"min_prompt_tokens": 200000, "prompt": "0.000003", "completion": "0.000015"}]
    catalog = Catalog()
    refresh(catalog, stand_in, [model("g/pro", overrides=tier)])
    clock.advance(hours=1)
    assert refresh(catalog, stand_in, [model("g/pro", overrides=same_tier)]) == (
        "1 models: 0 added, 0 removed, 0 repriced"
    )
    clock.advance(hours=1)
    assert refresh(catalog, stand_in, [model("g/pro", overrides=dearer)]) == (
        "1 models: 0 added, 0 removed, 0 repriced, 1 with changed price tiers"
    )
    assert log(catalog_dir) == [
        (
            "03-01 11:00",
            "retiered",
            "g/pro",
            "overrides",
            '[{"completion":"0.000015","min_prompt_tokens":200000,"prompt":"0.0000025"}]',
            '[{"completion":"0.000015","min_prompt_tokens":200000,"prompt":"0.000003"}]',
        )
    ]
    assert log(catalog_dir, kinds=["repriced"]) == []


def test_score_changes_are_rescored_never_repriced(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    refresh(catalog, stand_in, [scored("a/m", "0.000001", "0.000002", intelligence=54.1), model("b/n")])
    clock.advance(hours=1)
    same = [scored("a/m", "0.000001", "0.000002", intelligence=54.1), model("b/n")]
    assert refresh(catalog, stand_in, same) == "2 models: 0 added, 0 removed, 0 repriced"
    clock.advance(hours=1)
    moved = [
        scored("a/m", "0.000001", "0.000002", intelligence=56, coding=70.2, arenas=[("models", "3d", 1301)]),
        scored("b/n", "0.000001", "0.000002", agentic=12.5),
    ]
    assert refresh(catalog, stand_in, moved) == "2 models: 0 added, 0 removed, 0 repriced, 2 rescored"
    clock.advance(hours=1)
    gone = [scored("a/m", "0.000001", "0.000002", intelligence=56, coding=70.2), model("b/n")]
    assert refresh(catalog, stand_in, gone) == "2 models: 0 added, 0 removed, 0 repriced, 2 rescored"
    assert log(catalog_dir) == [
        ("03-01 11:00", "rescored", "a/m", "intelligence_index", "54.1", "56"),
        ("03-01 11:00", "rescored", "a/m", "coding_index", "none", "70.2"),
        ("03-01 11:00", "rescored", "a/m", "design_arena_elo", "none", "1301"),
        ("03-01 11:00", "rescored", "b/n", "agentic_index", "none", "12.5"),
        ("03-01 12:00", "rescored", "a/m", "design_arena_elo", "1301", "none"),
        ("03-01 12:00", "rescored", "b/n", "agentic_index", "12.5", "none"),
    ]
    assert log(catalog_dir, kinds=["repriced"]) == []
    events = Catalog(catalog_dir).history().events(kinds=["rescored"])
    assert events["unit"].tolist()[:3] == ["index", "index", "Elo"]
    assert events["delta"].tolist()[0] == pytest.approx(1.9)
    assert events["change_pct"].isna().all()  # a score never ranks among the price moves


def test_a_schema_1_history_starts_keeping_scores_without_reporting_them(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/m")])
    path = catalog_dir / HISTORY_NAME
    older = json.loads(path.read_text())
    older["schema_version"] = 1
    path.write_text(json.dumps(older))
    clock.advance(hours=1)
    assert refresh(catalog, stand_in, [scored("a/m", "0.000001", "0.000002", intelligence=50)]) == (
        "1 models: 0 added, 0 removed, 0 repriced"
    )
    state = HistoryDocument(Store(catalog_dir)).read().state
    assert state["schema_version"] == 3
    assert state["models"]["a/m"]["scores"] == {"intelligence_index": 50.0}
    clock.advance(hours=1)
    assert refresh(catalog, stand_in, [scored("a/m", "0.000001", "0.000002", intelligence=51)]) == (
        "1 models: 0 added, 0 removed, 0 repriced, 1 rescored"
    )


def test_history_survives_a_restart(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    refresh(Catalog(), stand_in, [model("a/one"), model("b/two")])
    clock.advance(days=1)
    summary = refresh(Catalog(catalog_dir), stand_in, [model("a/one", "0.000003")])
    assert summary == "1 models: 0 added, 1 removed, 1 repriced"
    assert log(catalog_dir) == [
        ("03-02 09:00", "removed", "b/two", "", "", ""),
        ("03-02 09:00", "repriced", "a/one", "prompt", "1", "3"),
    ]
    assert Catalog(catalog_dir).history().refreshes == 2


def test_reset_leaves_history_alone_and_the_next_refresh_compares_with_the_last_live_catalog(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two")])
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one", "0.000002"), model("b/two")])
    before = (catalog_dir / HISTORY_NAME).read_bytes()

    snapshot = catalog.reset()
    assert snapshot.source == "defaults"
    assert (catalog_dir / HISTORY_NAME).read_bytes() == before

    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one", "0.000002"), model("c/three")])
    assert summary == "2 models: 1 added, 1 removed, 0 repriced"  # not "(was N bundled defaults)"
    assert log(catalog_dir) == [
        ("03-02 09:00", "repriced", "a/one", "prompt", "1", "2"),
        ("03-03 09:00", "added", "c/three", "", "", ""),
        ("03-03 09:00", "removed", "b/two", "", "", ""),
    ]


def test_removed_models_stay_visible_for_the_grace_period(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two", "0.000004", name="B Two")])
    removed_at = clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one")])
    history = Catalog(catalog_dir).history()

    rows = history.removed_models(now=removed_at + timedelta(days=13))
    assert rows[["id", "name", "prompt_per_mtok", "removed_on"]].to_dict("records") == [
        {"id": "b/two", "name": "B Two", "prompt_per_mtok": 4.0, "removed_on": pd.Timestamp(removed_at)}
    ]
    assert list(rows.columns) == [*catalog.snapshot().models.columns, "removed_on"]
    assert history.removed_models(now=removed_at + timedelta(days=15)).empty
    monkeypatch.setenv("CATALOG_REMOVED_GRACE_DAYS", "30")
    assert list(history.removed_models(now=removed_at + timedelta(days=15))["id"]) == ["b/two"]
    assert history.removed_models(now=removed_at, grace_days=0).id.tolist() == ["b/two"]
    assert history.removed_models(now=removed_at + timedelta(seconds=1), grace_days=0).empty

    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one"), model("b/two")])
    assert Catalog(catalog_dir).history().removed_models(now=clock.now).empty


def test_removed_while_the_store_held_defaults_still_shows_name_and_prices(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two", "0.000004", name="B Two")])
    catalog.reset()
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one")])
    rows = Catalog(catalog_dir).history().removed_models(now=clock.now)
    assert rows[["id", "name", "prompt_per_mtok", "completion_per_mtok"]].to_dict("records") == [
        {"id": "b/two", "name": "B Two", "prompt_per_mtok": 4.0, "completion_per_mtok": 2.0}
    ]


def test_a_removed_model_is_kept_without_its_raw_json(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    refresh(
        catalog, stand_in, [model("a/one"), model("b/two", "0.000004", name="B Two", description="Gone.")]
    )
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one")])
    state = json.loads((catalog_dir / HISTORY_NAME).read_text(encoding="utf-8"))
    assert state["models"]["b/two"] == {
        "name": "B Two",
        "first_seen": "2026-03-01T09:00:00Z",
        "prices": {"prompt": "0.000004", "completion": "0.000002"},
        "removed_at": "2026-03-02T09:00:00Z",
        "last_seen": "2026-03-01T09:00:00Z",
    }
    rows = Catalog(catalog_dir).history().removed_models(now=clock.now)
    assert rows[["id", "name", "prompt_per_mtok", "description"]].to_dict("records") == [
        {"id": "b/two", "name": "B Two", "prompt_per_mtok": 4.0, "description": ""}
    ]


def test_raw_json_an_older_version_kept_is_dropped_on_the_next_refresh(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two")])
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one")])
    path = catalog_dir / HISTORY_NAME
    state = json.loads(path.read_text(encoding="utf-8"))
    state["models"]["b/two"]["raw"] = json.dumps(model("b/two"))
    path.write_text(json.dumps(state), encoding="utf-8")
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one")])
    assert "raw" not in json.loads(path.read_text(encoding="utf-8"))["models"]["b/two"]


def test_new_badge_goes_to_models_first_seen_after_the_baseline(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one")])
    added_at = clock.advance(days=2)
    refresh(catalog, stand_in, [model("a/one"), model("n/new")])
    history = Catalog(catalog_dir).history()
    assert history.first_seen()["n/new"] == pd.Timestamp(added_at)
    assert history.new_ids(now=added_at + timedelta(days=6)) == {"n/new"}
    assert history.new_ids(now=added_at + timedelta(days=8)) == frozenset()


def test_price_series_steps_through_reprices_removal_and_return(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("z/other")])  # 03-01
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one", "0.000002"), model("z/other")])  # 03-02
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("z/other")])  # 03-03: removed
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one", "0.000003", "0.000001"), model("z/other")])  # 03-04: back
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one", "0.000003", "0.000001"), model("z/other")])  # 03-05

    series = Catalog(catalog_dir).history().price_series("a/one")
    points = [
        (f"{row.at:%m-%d}", row.field, row.unit, row.price_exact)
        for row in series.itertuples(index=False)
        if row.field == "prompt"
    ]
    assert points == [
        ("03-01", "prompt", "$/1M tokens", "1"),
        ("03-02", "prompt", "$/1M tokens", "2"),
        ("03-03", "prompt", "$/1M tokens", ""),
        ("03-04", "prompt", "$/1M tokens", "3"),
        ("03-05", "prompt", "$/1M tokens", "3"),
    ]
    assert series[series["field"] == "completion"]["price"].tolist()[:2] == [2.0, 2.0]
    steps = chart_steps(series)
    prompt = steps[steps["field"] == "prompt"]
    assert list(zip(prompt["price"], prompt["segment"], strict=True)) == [
        (1.0, 0),
        (2.0, 0),
        (2.0, 0),  # the price held until the removal closes the first segment
        (3.0, 1),
        (3.0, 1),
    ]
    assert Catalog(catalog_dir).history().price_series("no/such").empty


def test_a_failed_history_write_is_caught_up_by_the_next_refresh(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two")])
    real_write_json, real_create = Store.write_json, Store.create_document

    def disk_full(self: Store, name: str, content: Any) -> None:
        raise StoreError(f"cannot write {self.directory / name}: No space left on device")

    monkeypatch.setattr(Store, "write_json", disk_full)  # the base
    monkeypatch.setattr(Store, "create_document", disk_full)  # an entry after it
    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one", "0.000002")])
    assert summary.startswith("1 models: 0 added, 1 removed, 1 repriced; change history not updated: ")
    assert catalog.snapshot().count == 1  # the catalog itself was refreshed

    monkeypatch.setattr(Store, "write_json", real_write_json)
    monkeypatch.setattr(Store, "create_document", real_create)
    clock.advance(days=1)
    assert (
        refresh(catalog, stand_in, [model("a/one", "0.000002")]) == "1 models: 0 added, 1 removed, 1 repriced"
    )
    assert log(catalog_dir) == [
        ("03-03 09:00", "removed", "b/two", "", "", ""),
        ("03-03 09:00", "repriced", "a/one", "prompt", "1", "2"),
    ]


def test_a_damaged_history_is_moved_aside_and_restarts_from_the_stored_live_catalog(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one"), model("b/two")])
    (catalog_dir / HISTORY_NAME).write_text('{"schema_version": 1, "models": [', encoding="utf-8")
    assert Catalog(catalog_dir).history().notice is not None
    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one")])
    assert summary.startswith(
        "1 models: 0 added, 1 removed, 0 repriced; The change history could not be read"
    )
    moved = list((catalog_dir / "damaged").glob(f"history-*/{HISTORY_NAME}"))
    assert len(moved) == 1
    history = Catalog(catalog_dir).history()
    assert history.baseline_at == T0  # the live catalog stored before became the baseline
    assert log(catalog_dir) == [("03-02 09:00", "removed", "b/two", "", "", "")]


def test_a_history_from_a_newer_version_is_not_overwritten(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one")])
    newer = json.dumps({**empty_state(), "schema_version": 99})
    (catalog_dir / HISTORY_NAME).write_text(newer, encoding="utf-8")
    clock.advance(days=1)
    summary = refresh(catalog, stand_in, [model("a/one", "0.000002")])
    assert summary.endswith(
        "change history not updated: history.json was written by a newer version (schema 99)"
    )
    assert (catalog_dir / HISTORY_NAME).read_text(encoding="utf-8") == newer


def test_the_history_stays_small_after_a_thousand_refreshes(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    body = catalog_of(50)
    catalog = Catalog()
    stand_in.set_payload(body)
    catalog.refresh()
    frame = catalog.snapshot().models
    state = json.loads((catalog_dir / HISTORY_NAME).read_text(encoding="utf-8"))
    at = T0
    for number in range(1000):  # each refresh moves one model's prompt price
        at += timedelta(hours=1)
        position = number % len(frame)
        raw = json.loads(frame.at[position, "raw_json"])
        raw["pricing"]["prompt"] = f"0.000{number + 1:06d}"
        frame = frame.copy()
        frame.at[position, "raw_json"] = json.dumps(raw)
        state, changes = apply_refresh(state, frame, at)
        assert changes is not None and len(changes.repriced) == 1
    Store(catalog_dir).write_json(HISTORY_NAME, state)
    size = (catalog_dir / HISTORY_NAME).stat().st_size
    assert size < 250_000, size  # about 200 bytes per change; one snapshot of these 50 models is ~70 KB

    clock.now = at + timedelta(hours=1)
    assert (
        catalog.refresh().summary() == "50 models: 0 added, 0 removed, 50 repriced"
    )  # back to the served prices
    size = (catalog_dir / HISTORY_NAME).stat().st_size
    for _ in range(20):  # refreshes that change nothing add nothing
        clock.advance(hours=1)
        catalog.refresh()
    assert (catalog_dir / HISTORY_NAME).stat().st_size - size < 10
    history = Catalog(catalog_dir).history()
    assert history.refreshes == 1022
    assert len(history.events()) == 1050


ROOT = Path(__file__).resolve().parents[1]
WRITER = """
import sys, time
from catalog import Catalog
catalog = Catalog(sys.argv[1])
for _ in range(int(sys.argv[3])):
    catalog.refresh(force=True, api_base=sys.argv[2])
    time.sleep(0.07)  # longer than filelock's poll interval, so the other writer gets its turns
"""


def test_two_concurrent_writers_leave_a_coherent_history(catalog_dir: Path):
    first = StandIn(payload([model("x/shared", "0.000001"), model("y/only-first")]))
    second = StandIn(payload([model("x/shared", "0.000002"), model("z/only-second")]))
    bases = first.start(), second.start()
    times = 12
    try:
        workers = [
            subprocess.Popen([sys.executable, "-c", WRITER, str(catalog_dir), base, str(times)], cwd=ROOT)
            for base in bases
        ]
        assert [worker.wait(120) for worker in workers] == [0, 0]
    finally:
        first.stop()
        second.stop()
    history = Catalog(catalog_dir).history()
    assert history.refreshes == 2 * times  # no refresh lost its history update
    events = history.events()
    # Each switch between the two catalogs shows as exactly one event per model, in a chain.
    prices = events[events["id"] == "x/shared"][["old_exact", "new_exact"]].to_records(index=False).tolist()
    for (_, new), (old, _) in itertools.pairwise(prices):
        assert new == old
    switches = len(prices)
    assert switches >= 3, switches  # the writers took turns
    kinds_y = events[events["id"] == "y/only-first"]["change"].tolist()
    kinds_z = events[events["id"] == "z/only-second"]["change"].tolist()
    assert len(kinds_y) == len(kinds_z) == switches
    assert all(a != b for a, b in itertools.pairwise(kinds_y))  # removed, added, removed, ...
    # The history's last state is the catalog stored last.
    stored = Catalog(catalog_dir).snapshot().models
    last_price = "1" if "y/only-first" in set(stored["id"]) else "2"
    assert stored["prompt_per_mtok"][stored["id"] == "x/shared"].item() == float(last_price)
    assert prices[-1][1] == last_price
    gone = {"y/only-first", "z/only-second"} - set(stored["id"])
    assert set(history.removed_models(grace_days=1)["id"]) == gone
    assert not [p for p in os.listdir(catalog_dir) if ".tmp-" in p]


def _frame(models: list[dict[str, Any]]) -> pd.DataFrame:
    return normalize_models(models).frame


def test_a_clock_that_goes_back_keeps_the_log_in_order(catalog_dir: Path, stand_in: StandIn, clock: Clock):
    catalog = Catalog()
    refresh(catalog, stand_in, [model("a/one")])  # 03-01 09:00
    clock.advance(days=1)
    refresh(catalog, stand_in, [model("a/one", "0.000002")])  # 03-02 09:00
    clock.advance(days=-2)
    refresh(catalog, stand_in, [model("a/one", "0.000003")])  # the clock says 02-28: recorded at 03-02

    assert log(catalog_dir) == [
        ("03-02 09:00", "repriced", "a/one", "prompt", "1", "2"),
        ("03-02 09:00", "repriced", "a/one", "prompt", "2", "3"),
    ]
    series = Catalog(catalog_dir).history().price_series("a/one")
    prompt = series[series["field"] == "prompt"]
    assert [
        (f"{at:%m-%d}", exact) for at, exact in zip(prompt["at"], prompt["price_exact"], strict=True)
    ] == [
        ("03-01", "1"),
        ("03-02", "3"),  # the latest prices, not the ones the clock's jump would have put last
    ]


def test_the_catalog_hands_out_one_reading_per_version_of_the_history(
    catalog_dir: Path, stand_in: StandIn, clock: Clock
):
    catalog = Catalog(catalog_dir)
    empty = catalog.history()
    assert empty.is_empty and empty.version is None
    refresh(Catalog(catalog_dir), stand_in, [model("a/one")])  # another process writes it
    first = catalog.history()
    assert first.refreshes == 1 and first.version is not None
    assert catalog.history() is first  # unchanged file: the same reading
    clock.advance(days=1)
    refresh(Catalog(catalog_dir), stand_in, [model("a/one", "0.000003")])
    second = catalog.history()
    assert second.refreshes == 2 and second.version != first.version
