"""Models side by side: listed prices, tiers, capabilities and the multiple of the cheapest."""

from __future__ import annotations

from catalog.pricing.compare import compare_frame, parse_compare_ids
from catalog.pricing.cost import Workload
from tests.payloads import GEMINI_TIER, frame_of, model


def test_parse_compare_ids_keeps_known_ids_once_and_at_most_four():
    known = {"a/1", "b/2", "c/3", "d/4", "e/5"}
    assert parse_compare_ids("a/1, nope,a/1,b/2", known) == ["a/1", "b/2"]
    assert parse_compare_ids("a/1,b/2,c/3,d/4,e/5", known) == ["a/1", "b/2", "c/3", "d/4"]
    assert parse_compare_ids(None, known) == []


def test_compare_frame_shows_prices_tiers_and_the_multiple_of_the_cheapest():
    frame = frame_of(
        model("a/cheap", "0.000001", "0.000002", input_cache_read="0.0000001"),
        model("b/long", "0.00000125", "0.00001", overrides=GEMINI_TIER, context_length=1_048_576),
        model("c/transcribe", "0.006", "0", inputs=("audio",), outputs=("transcription",)),
    )
    table = compare_frame(frame, ["b/long", "a/cheap", "c/transcribe"], Workload(1000, 100, requests=10))
    assert list(table.columns) == ["b/long", "a/cheap", "c/transcribe"]
    assert table.loc["Input (prompt) ($/1M tokens)", "a/cheap"] == "$1.00"
    assert table.loc["Cache read ($/1M tokens)", "a/cheap"] == "$0.10"
    assert table.loc["Cache read ($/1M tokens)", "b/long"] == "—"
    assert table.loc["Context (tokens)", "b/long"] == "1,048,576"
    assert table.loc["Long-context tiers", "b/long"] == (
        "≥ 200,000 input tokens: prompt $2.50/1M tokens, completion $15.00/1M tokens"
    )
    # a/cheap: 1,000 x 0.000001 + 100 x 0.000002 = 0.0012; b/long: 0.00125 + 0.001 = 0.00225
    assert table.loc["Workload ($/request)", "a/cheap"] == "$0.0012"
    assert table.loc["Workload ($/request)", "b/long"] == "$0.00225"
    assert table.loc["Workload ($/month)", "a/cheap"] == "$0.36"  # x 10 a day x 30 days
    assert table.loc["× cheapest", "a/cheap"] == "1.00×"
    assert table.loc["× cheapest", "b/long"] == "1.88×"  # 0.00225 / 0.0012 = 1.875
    assert table.loc["Input (prompt) ($/1M tokens)", "c/transcribe"] == "$0.006/unit (not per token)"
    assert table.loc["Workload ($/request)", "c/transcribe"].startswith("not priced per token")
    assert table.loc["Tools", "a/cheap"] == "yes"


def test_compare_shows_scores_arena_elo_and_reasoning_efforts():
    from catalog.fetch.normalize import normalize_models
    from tests.payloads import value_catalog

    frame = normalize_models(value_catalog()["data"]).frame
    table = compare_frame(frame, ["acme/top", "acme/mid", "acme/tiny"], Workload(2000, 500))
    assert table.loc["Intelligence index"].tolist() == ["70.2", "40", "20"]
    assert table.loc["Agentic index"].tolist() == ["61.3", "30.1", "—"]
    assert table.loc["Best Design Arena Elo"].tolist() == ["1402 (agents/webapps)", "—", "—"]
    assert table.loc["Reasoning efforts"].tolist() == ["any", "high, medium, low", "—"]
    assert table.loc["Reasoning"].tolist() == [
        "always (cannot be turned off)",
        "yes, on by default, can be turned off",
        "no",
    ]
    assert table.loc["Default effort"].tolist() == ["—", "medium", "—"]
