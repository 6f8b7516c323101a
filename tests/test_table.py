"""What the table and the details panel show for each kind of price."""

from __future__ import annotations

import json

import pandas as pd

from catalog.fetch.normalize import normalize_models
from catalog.present.table import (
    escape_markdown,
    override_rows,
    price_rows,
    pricing_labels,
    table_frame,
    with_status,
)
from tests.payloads import model


def frame_of(*models: dict) -> pd.DataFrame:
    return normalize_models(list(models)).frame


def test_pricing_labels_say_free_variable_and_unit() -> None:
    frame = frame_of(
        model("a/free:free", "0", "0"),
        model("openrouter/auto", "-1", "-1"),
        model("a/stt", "0.006", "0", inputs=("audio",), outputs=("transcription",)),
        model("a/img", "0", "0", outputs=("image",), image_output="0.00004"),
        model("a/tiered", overrides=[{"min_prompt_tokens": 200000, "prompt": "0.000002"}]),
        model("a/plain"),
    )
    assert pricing_labels(frame).tolist() == [
        "free",
        "variable",
        "per audio (transcription)",
        "not per token (image)",
        "per token, tiered",
        "per token",
    ]


def test_table_never_shows_a_per_token_price_for_other_units() -> None:
    table = table_frame(
        frame_of(
            model("a/stt", "0.006", "0", outputs=("transcription",)),
            model("a/b", "0.00000045", "0.0000000208333333333333"),
            model("a/img", "0", "0", outputs=("image",), image="0.04", image_output="0.0000083832335"),
            model("a/video", "0", "0", outputs=("video",)),
        )
    )
    assert table["Input $/1M"].tolist()[:3] == ["$0.006/unit", "$0.45", "$0.04/image"]
    assert table["Output $/1M"].fillna("—").tolist()[:3] == [
        "—",
        "$0.0208333333333333",
        "≈$8.383/1M image output",
    ]
    assert table["Input $/1M"].isna().tolist()[3]  # no price listed at all: "—" in the table


def test_price_rows_are_exact_with_units() -> None:
    raw = model(
        "a/all",
        "0.0000000208333333333333",
        "0.000002",
        input_cache_read="0.0000001",
        request="0.005",
        image="0.001445",
        web_search="0.01",
        discount=0.25,
    )
    rows = price_rows(json.dumps(raw)).set_index("Price")
    assert rows.loc["Input (prompt)", "Amount"] == "$0.0208333333333333"
    assert rows.loc["Input (prompt)", "Unit"] == "$/1M tokens"
    assert rows.loc["Cache read", "Amount"] == "$0.10"
    assert rows.loc["Per request", "Amount"] == "$0.005"
    assert rows.loc["Per input image", "Unit"] == "$/image"
    assert rows.loc["Per web search", "Amount"] == "$0.01"
    assert rows.loc["Discount", "Amount"] == "25%"


def test_non_token_prices_are_shown_as_listed() -> None:
    rows = price_rows(json.dumps(model("a/stt", "0.006", "0")), token_priced=False).set_index("Price")
    assert rows.loc["Input (prompt)", "Amount"] == "$0.006"
    assert "not per token" in rows.loc["Input (prompt)", "Unit"]


def test_override_rows_describe_tiers_and_time_windows() -> None:
    raw = model(
        "a/b",
        overrides=[
            {"min_prompt_tokens": 200000, "prompt": "0.000004"},
            {"utc_start": 1630, "utc_end": 30, "completion": "0.000001"},
        ],
    )
    rows = override_rows(json.dumps(raw))
    assert rows["When"].tolist() == ["≥ 200,000 input tokens", "16:30–00:30 UTC"]
    assert rows["Amount"].tolist() == ["$4.00", "$1.00"]


def test_escape_markdown_defuses_links_images_and_html() -> None:
    text = "![x](https://e.invalid/x.png) <b>[a](javascript:1)</b> **b**"
    escaped = escape_markdown(text)
    for raw in ("![", "](", "<b>", "**"):
        assert raw not in escaped


def test_status_column_only_when_a_row_has_a_badge() -> None:
    frame = frame_of(model("a/one"), model("a/two"))
    plain = with_status(frame, frozenset(), None)
    assert "Status" not in table_frame(plain).columns
    marked = table_frame(with_status(frame, frozenset({"a/two"}), None))
    assert marked["Status"].tolist()[1] == "new"
    assert list(marked.columns[:6]) == [
        "Model",
        "Input $/1M",
        "Output $/1M",
        "Context",
        "Status",
        "ID",
    ]
