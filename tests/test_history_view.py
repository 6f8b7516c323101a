"""Reading the change history back (`catalog.history.view`): from a history file written by hand
through the recording rules, to the events, series and badges the page and the CLI are given."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog.history.record import HISTORY_NAME, apply_refresh, empty_state
from catalog.history.view import EVENT_COLUMNS, load_history
from tests.payloads import frame_of, model

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def _write_two_refreshes(directory: Path) -> None:
    """A history of two refreshes: a/one's prompt price goes from $1 to $3 per 1M tokens, b/two is added."""
    state, _ = apply_refresh(empty_state(), frame_of(model("a/one", "0.000001", "0.000002")), T0)
    later = frame_of(model("a/one", "0.000003", "0.000002"), model("b/two", "0.000004", "0.000008"))
    state, _ = apply_refresh(state, later, T1)
    (directory / HISTORY_NAME).write_text(json.dumps(state), encoding="utf-8")


def test_no_history_file_reads_as_an_empty_history(tmp_path: Path):
    history = load_history(tmp_path)
    assert history.is_empty and history.notice is None and history.refreshes == 0
    assert list(history.events().columns) == EVENT_COLUMNS and history.events().empty
    assert history.new_ids(now=T1) == frozenset()


def test_the_events_read_back_exactly(tmp_path: Path):
    _write_two_refreshes(tmp_path)
    history = load_history(tmp_path)
    assert (history.refreshes, history.baseline_at, history.last_refresh_at) == (2, T0, T1)
    events = history.events()
    rows = [
        (row.change, row.id, row.field, row.unit, row.old_exact, row.new_exact)
        for row in events.itertuples(index=False)
    ]
    assert sorted(rows) == [
        ("added", "b/two", "", "", "", ""),
        ("repriced", "a/one", "prompt", "$/1M tokens", "1", "3"),
    ]
    repriced = events[events["change"] == "repriced"].iloc[0]
    assert repriced["change_pct"] == 200.0 and repriced["delta"] == 2.0
    assert (events["at"] == T1).all()
    assert history.events(kinds=["added"])["id"].tolist() == ["b/two"]
    assert history.events(until=T1).empty


def test_new_badges_and_price_series_come_from_the_same_reading(tmp_path: Path):
    _write_two_refreshes(tmp_path)
    history = load_history(tmp_path)
    assert history.new_ids(now=T1) == frozenset({"b/two"})
    assert history.new_ids(now=T1 + timedelta(days=8)) == frozenset()  # older than the badge's 7 days
    series = history.price_series("a/one")
    prompt = series[series["field"] == "prompt"]
    assert prompt["price_exact"].tolist() == ["1", "3"]
    assert prompt["at"].tolist() == [T0, T1]
    assert history.price_series("z/unknown").empty


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path: Path):
    _write_two_refreshes(tmp_path)
    first = load_history(tmp_path)
    assert load_history(tmp_path) is first
    state, _ = apply_refresh(
        json.loads((tmp_path / HISTORY_NAME).read_text()),
        frame_of(model("a/one", "0.000003", "0.000002")),
        T1 + timedelta(days=1),
    )
    (tmp_path / HISTORY_NAME).write_text(json.dumps(state), encoding="utf-8")
    second = load_history(tmp_path)
    assert second is not first and second.refreshes == 3
    removed = second.removed_models(now=T1 + timedelta(days=1))
    assert removed["id"].tolist() == ["b/two"]


def test_a_damaged_file_reads_as_empty_with_a_notice(tmp_path: Path):
    (tmp_path / HISTORY_NAME).write_bytes(b"{not json")
    history = load_history(tmp_path)
    assert history.is_empty
    assert history.notice is not None
    assert history.notice.startswith("The change history cannot be read (")
    assert history.notice.endswith("; the next refresh starts it again.")
    assert history.events().empty
