"""Scores and reasoning in words (Compare, details): every case of the 2026 `benchmarks` and `reasoning`."""

from __future__ import annotations

import json

from catalog.fetch.normalize import normalize_models
from catalog.present.scores import arena_rows, reasoning_text, score_summary
from tests import payloads


def test_reasoning_in_words() -> None:
    assert reasoning_text(None, None) == "no"
    assert reasoning_text(True, True) == "always (cannot be turned off)"
    assert reasoning_text(False, False) == "yes, off by default, can be turned off"
    assert reasoning_text(False, None) == "yes, can be turned off"


def test_summary_of_a_model_without_scores_or_reasoning() -> None:
    row = normalize_models([payloads.model("a/plain")]).frame.iloc[0]
    assert set(score_summary(row).values()) == {"—", "no"}


def test_every_arena_best_first_and_unusable_entries_skipped() -> None:
    raw = payloads.scored(
        "a/m", "0.000001", "0.000002", arenas=[("models", "svg", 1200), ("agents", "webapps", 1350)]
    )
    raw["benchmarks"]["design_arena"] += [
        {"arena": "models", "elo": "high"},
        "junk",
        {"elo": 1100, "rank": None},
    ]
    rows = arena_rows(json.dumps(raw))
    assert rows.values.tolist() == [
        ["agents/webapps", "1350", "3", "55.5%"],
        ["models/svg", "1200", "3", "55.5%"],
        ["?/?", "1100", "—", "—"],
    ]
    assert arena_rows("not json").empty and arena_rows(json.dumps(payloads.model("a/b"))).empty
