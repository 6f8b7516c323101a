"""The explorer page, driven headlessly with AppTest: first load, actions, filters, URL state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.fetch.defaults import default_models
from catalog.present.filters import Filters, apply_filters
from tests.payloads import catalog_of, model, payload
from tools.stand_in import StandIn
from views.table import MODEL_WIDTH_PX, PHONE_COLUMN_CONFIG, PRICE_WIDTH_PX, on_a_phone

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
DEFAULT_COUNT = len(default_models())


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def shown_ids(at: AppTest) -> list[str]:
    return at.dataframe[0].value["ID"].tolist()


def unescape(markdown: str) -> str:
    """What a reader sees of escaped markdown source."""
    return re.sub(r"\\(.)", r"\1", markdown)


def captions(at: AppTest) -> str:
    return unescape("\n".join(c.value for c in at.caption))


def messages(at: AppTest) -> str:
    return unescape("\n".join(e.value for e in [*at.success, *at.error, *at.warning, *at.info]))


def click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception


def test_first_load_shows_every_bundled_model_without_network(app: AppTest, stand_in: StandIn) -> None:
    assert len(shown_ids(app)) == DEFAULT_COUNT >= 40
    assert f"Showing {DEFAULT_COUNT} of {DEFAULT_COUNT} models" in captions(app)
    assert "Bundled defaults · prices as of 2026-11-01" in captions(app)
    assert stand_in.models_requests == 0


def test_table_labels_free_variable_and_non_token_prices(app: AppTest) -> None:
    table = app.dataframe[0].value.set_index("ID")
    assert table.loc["openrouter/auto", "Pricing"] == "variable"
    assert table.loc["openrouter/auto", "Input $/1M"] == "variable"
    assert table.loc["meta-llama/llama-3.3-70b-instruct:free", "Pricing"] == "free"
    assert table.loc["meta-llama/llama-3.3-70b-instruct:free", "Input $/1M"] == "$0.00"
    assert table.loc["openai/whisper-1", "Pricing"] == "per audio (transcription)"
    # Its own unit, never $6,000 per 1M "tokens".
    assert table.loc["openai/whisper-1", "Input $/1M"] == "$0.006/unit"
    assert pd.isna(table.loc["openai/whisper-1", "Output $/1M"])
    assert table.loc["openai/gpt-4o", "Input $/1M"] == "$2.50"
    assert table.loc["openai/gpt-4o", "Output $/1M"] == "$10.00"
    assert (table["OpenRouter page"].str.startswith("https://openrouter.ai/")).all()


def test_the_model_column_is_pinned_and_wide_enough_for_long_names(app: AppTest) -> None:
    columns = json.loads(app.dataframe[0].proto.columns)
    # 300 px: about 40 characters, whole; a phone (which says so in its request) gets narrower
    # columns, with both prices beside the model.
    assert columns["Model"]["width"] == MODEL_WIDTH_PX == 300 and columns["Model"]["pinned"] is True
    assert columns["Input $/1M"]["width"] == columns["Output $/1M"]["width"] == PRICE_WIDTH_PX
    pixel_7 = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36"
    desktop = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36"
    )
    assert on_a_phone({"User-Agent": pixel_7}) and on_a_phone({"Sec-Ch-Ua-Mobile": "?1"})
    # A 420 px phone draws the grid 388 px wide (16 px margins), its row selector 40 px: the model
    # and both prices fit in what is left.
    phone = {label: PHONE_COLUMN_CONFIG[label]["width"] for label in ("Model", "Input $/1M", "Output $/1M")}
    assert PHONE_COLUMN_CONFIG["Model"]["pinned"] is True
    # Cut at its end, never its start: "$8.383/1M image tok...", not "...1M image tokens".
    assert PHONE_COLUMN_CONFIG["Input $/1M"]["alignment"] is None
    assert 40 + sum(phone.values()) <= 420 - 2 * 16, phone
    assert not on_a_phone({"User-Agent": desktop, "Sec-Ch-Ua-Mobile": "?0"}) and not on_a_phone({})


def test_refresh_shows_every_model_of_every_modality(app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_payload(catalog_of(120))
    click(app, "refresh")
    assert len(shown_ids(app)) == 120
    assert "Refreshed: 120 models (was 53 bundled defaults)" in messages(app)
    assert "Live from OpenRouter" in captions(app)
    assert stand_in.models_requests == 1


def test_second_refresh_reports_added_removed_repriced(app: AppTest, stand_in: StandIn) -> None:
    first = [model("a/one"), model("a/two"), model("a/three")]
    stand_in.set_payload(payload(first))
    click(app, "refresh")
    second = [model("a/one", prompt="0.000005"), model("a/two"), model("a/four")]
    stand_in.set_payload(payload(second))
    click(app, "refresh")
    assert "3 models: 1 added, 1 removed, 1 repriced" in messages(app)


def test_reset_asks_for_confirmation_then_restores_defaults(app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_payload(catalog_of(80))
    click(app, "refresh")
    click(app, "reset")
    assert "Discard the live catalog" in messages(app)
    assert len(shown_ids(app)) == 80  # nothing happens before confirming
    click(app, "reset_cancel")
    assert len(shown_ids(app)) == 80
    click(app, "reset")
    click(app, "reset_confirm")
    assert len(shown_ids(app)) == DEFAULT_COUNT
    assert f"Reset: showing the {DEFAULT_COUNT} bundled default models" in messages(app)
    assert Catalog().snapshot().source == "defaults"  # persisted, not only in this session


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("html", "not JSON (got text/html)"),
        ("unavailable", "HTTP 503: Service temporarily unavailable"),
        ("empty", "lists no models"),
        ("truncated", "cut short"),
        ("deep", "the response nests over 32 levels deep"),
        ("gzip_layers", "the response is compressed 2 times over (gzip, gzip)"),
        ("next_offhost", "next-page link leads to http://evil.invalid:80"),
        ("retry_after_nan", "HTTP 429: Rate limit exceeded"),
    ],
)
def test_failed_refresh_shows_the_reason_and_keeps_the_table(
    app: AppTest, stand_in: StandIn, catalog_dir: Path, mode: str, reason: str
) -> None:
    stand_in.set_payload(catalog_of(60))
    click(app, "refresh")
    before = shown_ids(app)
    files_before = {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()}
    stand_in.set_mode(mode)
    click(app, "refresh")
    text = unescape("\n".join(e.value for e in app.error))
    assert reason in text
    assert "Nothing was changed: still showing the live catalog refreshed 20" in text
    assert shown_ids(app) == before
    assert {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()} == files_before


def test_refresh_that_would_halve_the_catalog_is_refused_then_forced(app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_payload(catalog_of(100))
    click(app, "refresh")
    stand_in.set_payload(catalog_of(30))
    click(app, "refresh")
    assert "under half" in messages(app)
    assert len(shown_ids(app)) == 100
    click(app, "refresh_force")
    assert len(shown_ids(app)) == 30  # removed models are hidden by default
    assert "Showing 30 of 30 models" in captions(app)
    app.session_state["removed"] = True
    app.run()
    status = app.dataframe[0].value["Status"].fillna("")
    assert (~status.str.startswith("removed on")).sum() == 30
    assert status.str.startswith("removed on").sum() == 70  # kept visible for the grace period
    assert not status.iloc[:30].str.startswith("removed").any()  # listed last
    assert "Showing 30 of 30 models, and 70 of 70 recently removed (listed last)" in captions(app)


def test_another_process_refresh_shows_on_next_rerun(app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_payload(catalog_of(70))
    Catalog().refresh()  # a second Catalog on the same directory stands in for another process
    app.run()
    assert len(shown_ids(app)) == 70


def expected_ids(**filters: object) -> list[str]:
    return apply_filters(default_models(), Filters(**filters))["id"].tolist()


@pytest.mark.parametrize(
    ("key", "value", "filters"),
    [
        ("q", "claude", {"search": "claude"}),
        ("author", ["anthropic", "google"], {"authors": ("anthropic", "google")}),
        ("in", ["audio"], {"input_modalities": ("audio",)}),
        ("out", ["image"], {"output_modalities": ("image",)}),
        ("cap", ["reasoning", "tools"], {"capabilities": ("reasoning", "tools")}),
        ("ctx", 1_000_000, {"min_context": 1_000_000}),
        ("max_in", 1.0, {"max_prompt_per_mtok": 1.0}),
        ("max_out", 2.0, {"max_completion_per_mtok": 2.0}),
        ("free", True, {"free_only": True}),
        ("novar", True, {"hide_variable": True}),
        ("noexp", True, {"hide_expiring": True}),
        ("sort", "input_price", {"sort": "input_price"}),
    ],
)
def test_each_filter_narrows_the_table(app: AppTest, key: str, value: object, filters: dict) -> None:
    app.session_state[key] = value
    app.run()
    assert not app.exception
    expected = expected_ids(**filters)
    assert shown_ids(app) == expected
    if key != "sort":
        assert 0 < len(expected) < DEFAULT_COUNT
    assert f"Showing {len(expected)} of {DEFAULT_COUNT} models" in captions(app)


def test_filters_combine_and_clear(app: AppTest) -> None:
    app.session_state["author"] = ["openai"]
    app.session_state["cap"] = ["tools"]
    app.session_state["max_in"] = 1.0
    app.run()
    expected = expected_ids(authors=("openai",), capabilities=("tools",), max_prompt_per_mtok=1.0)
    assert shown_ids(app) == expected and len(expected) > 0
    click(app, "clear_filters")
    assert len(shown_ids(app)) == DEFAULT_COUNT


def test_no_match_says_so(app: AppTest) -> None:
    app.session_state["q"] = "no model is called this"
    app.run()
    assert not app.exception
    assert "No models match these filters" in messages(app)


def test_url_query_parameters_open_the_same_view() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["author"] = ["openai"]
    at.query_params["q"] = "gpt"
    at.query_params["sort"] = "Cheapest input"
    at.query_params["model"] = "openai/gpt-4o"
    at.run()
    assert not at.exception
    assert at.text_input(key="q").value == "gpt"
    assert shown_ids(at) == expected_ids(search="gpt", authors=("openai",), sort="input_price")
    assert at.selectbox(key="model").value == "openai/gpt-4o"


def test_details_show_every_price_field_as_text(app: AppTest) -> None:
    app.session_state["model"] = "google/gemini-2.5-pro"
    app.run()
    assert not app.exception
    prices = app.dataframe[1].value
    assert {"Input (prompt)", "Output (completion)", "Cache read"} <= set(prices["Price"])
    tiers = next(d.value for d in app.dataframe if "When" in d.value.columns)
    assert "≥ 200,000 input tokens" in set(tiers["When"])
    assert any("thinking model for complex reasoning" in t.value for t in app.text)


def test_charts_tab_renders(stand_in: StandIn) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tab"] = "Charts"
    at.run()
    assert not at.exception
    assert "Left out of price charts: 1 variable-priced" in captions(at)


def test_hostile_model_text_is_never_markup(stand_in: StandIn, app: AppTest) -> None:
    hostile = model(
        "evil/model",
        name="<script>alert(1)</script> ![x](https://example.invalid/x.png) **bold**",
        description="<img src=x onerror=alert(1)> [click](javascript:alert(1))",
    )
    stand_in.set_payload(payload([hostile, model("a/b"), model("a/c")]))
    click(app, "refresh")
    app.session_state["model"] = "evil/model"
    app.run()
    assert not app.exception
    assert not app.markdown or all("<script>" not in m.value for m in app.markdown)
    subheaders = [h.value for h in app.subheader]
    assert any(r"\<script\>" in h for h in subheaders)
    assert any(t.value.startswith("<img src=x") for t in app.text)  # shown as plain text


def test_recently_removed_models_are_counted_apart(app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_payload(payload([model("a/one"), model("a/two"), model("a/three")]))
    click(app, "refresh")
    stand_in.set_payload(payload([model("a/one"), model("a/two")]))
    click(app, "refresh")
    assert "Showing 2 of 2 models · sorted by newest first" in captions(app)
    app.session_state["removed"] = True
    app.run()
    assert "Showing 2 of 2 models, and 1 of 1 recently removed (listed last)" in captions(app)
    status = app.dataframe[0].value.set_index("ID")["Status"]
    assert status["a/three"].startswith("removed on ")


def test_filter_values_in_a_link_that_cannot_be_used_are_named() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"max_in": "nan", "ctx": "banana", "max_out": "3", "free": "true", "q": "gpt"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    notes = [unescape(caption.value) for caption in at.sidebar.caption]
    assert "Ignored in the link (not a usable value): ctx=banana, max_in=nan" in notes
    assert at.number_input(key="max_out").value == 3.0


def test_a_link_with_usable_filter_values_gets_no_note() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["max_out"] = "3"
    at.run()
    assert not [c for c in at.sidebar.caption if "Ignored in the link" in c.value]
