"""The cost calculator and compare views, rendered with AppTest on the bundled defaults and on fixtures."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from catalog.fetch.defaults import default_models

DEFAULTS_PAGE = """
import streamlit as st
from catalog.fetch.defaults import default_models
from views.compare import render_compare
from views.calculator import render_calculator

models = default_models()
calculator, compare = st.tabs(["Cost calculator", "Compare"])
with calculator:
    render_calculator(models)
with compare:
    render_compare(models)
"""

FIXTURE_PAGE = """
import streamlit as st
from catalog.fetch.normalize import normalize_models
from tests.payloads import model
from views.compare import render_compare
from views.calculator import render_calculator

models = normalize_models([
    model("a/cheap", "0.000001", "0.000002", input_cache_read="0.0000001", name="**Cheap** <b>x</b>"),
    model("b/dear", "0.00001", "0.00003"),
    model("c/tiered", "0.00000125", "0.00001", context_length=1048576,
          overrides=[{"min_prompt_tokens": 200000, "prompt": "0.0000025", "completion": "0.000015"}]),
    model("openrouter/auto", "-1", "-1"),
]).frame
calculator, compare = st.tabs(["Cost calculator", "Compare"])
with calculator:
    render_calculator(models)
with compare:
    render_compare(models)
"""


def page(script: str, **params: str) -> AppTest:
    app = AppTest.from_string(script, default_timeout=30)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def cost_table(app: AppTest):
    """The calculator's table (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in app.dataframe if "per_month_usd" in d.value.columns)


def compare_table(app: AppTest):
    return next(d.value for d in app.dataframe if "× cheapest" in d.value.index)


def table_has_free(app: AppTest) -> bool:
    return cost_table(app)["id"].str.endswith(":free").any()


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_both_views_render_on_the_bundled_defaults():
    app = page(DEFAULTS_PAGE, cmp="openai/gpt-4o-mini,google/gemini-2.5-pro")
    assert not app.exception
    models = default_models()
    generates_text = models["output_modalities"].str.contains("text")
    ranked = models["token_priced"] & ~models["variable_pricing"] & ~models["is_free"] & generates_text
    assert metric(app, "Models with a cost") == f"{ranked.sum():,}"  # free and embedding models left out
    assert not table_has_free(app)
    table = cost_table(app).set_index("id")
    # Chat preset: 1,500 input and 400 output tokens, 1,000 requests a day, 30-day month.
    mini = models.set_index("id").loc["openai/gpt-4o-mini"]
    expected = (1500 * mini["prompt_per_mtok"] + 400 * mini["completion_per_mtok"]) / 1e6 * 1000 * 30
    assert expected == pytest.approx(13.95)
    assert table.loc["openai/gpt-4o-mini", "per_month_usd"] == "$13.95"
    comparison = compare_table(app)
    assert list(comparison.columns) == ["openai/gpt-4o-mini", "google/gemini-2.5-pro"]
    assert comparison.loc["× cheapest", "openai/gpt-4o-mini"] == "1.00×"


def test_the_calculator_shows_hand_computed_figures_and_escapes_names():
    app = page(FIXTURE_PAGE, w_in="1000", w_out="100", w_cached="500", w_req="10", w_budget="0.5")
    assert not app.exception
    table = cost_table(app)
    # a/cheap: 500 x 0.000001 + 500 x 0.0000001 + 100 x 0.000002 = 0.00075 a request, x 10 x 30
    first = table.iloc[0]
    assert (first["id"], first["per_request_usd"], first["per_day_usd"]) == ("a/cheap", "$0.00075", "$0.0075")
    assert first["per_month_usd"] == "$0.225"
    assert first["name"] == "**Cheap** <b>x</b>"  # a cell: shown as text, never as markdown or HTML
    assert app.text[0].value.startswith("Cheapest: **Cheap** <b>x</b> (a/cheap)")
    # c/tiered 0.00225 x 300 = 0.675 and b/dear 0.013 x 300 = 3.9 do not fit $0.50 a month
    assert table["fits_budget"].tolist() == [True, False, False]
    assert metric(app, "Fit the budget") == "1 of 3"
    assert (
        app.expander[0].label
        == "Workload: 1,000 input and 100 output tokens, 10 requests a day (500 cached) · edit"
    )
    assert app.expander[1].label == "1 model without a cost for this workload, and why"


def test_the_workload_comes_from_the_url_and_goes_back_to_it():
    app = page(FIXTURE_PAGE, w_in="250000", w_out="1000", w_req="2")
    assert app.number_input(key="cost_input_tokens").value == 250_000
    assert app.selectbox(key="cost_preset").value == "Custom"
    assert app.query_params["w_in"] == "250000"
    assert app.query_params["w_preset"] == "Custom"
    tiered = cost_table(app).set_index("id").loc["c/tiered"]
    assert tiered["note"] == "long-context price (≥ 200,000 input tokens)"
    assert cost_table(app)["id"].tolist() == ["c/tiered"]  # the others' 128,000-token context is too short

    app.number_input(key="cost_output_tokens").set_value(2000).run()
    assert app.query_params["w_out"] == "2000"


def test_a_preset_fills_the_inputs_and_editing_one_makes_it_custom():
    app = page(FIXTURE_PAGE)
    assert app.selectbox(key="cost_preset").value == "Chat"
    app.selectbox(key="cost_preset").set_value("Agent with reasoning").run()
    assert app.number_input(key="cost_reasoning_tokens").value == 2_000
    assert app.number_input(key="cost_cached_input_tokens").value == 15_000
    assert app.query_params["w_preset"] == "Agent with reasoning"
    assert app.query_params["w_reason"] == "2000"
    app.number_input(key="cost_requests").set_value(7).run()
    assert app.selectbox(key="cost_preset").value == "Custom"


def test_an_impossible_workload_is_an_error_message_not_an_exception():
    app = page(FIXTURE_PAGE)
    app.number_input(key="cost_cached_input_tokens").set_value(99_999).run()
    assert not app.exception
    assert app.error[0].value.startswith("Cached input tokens (99,999) exceed the input tokens")


def test_compare_needs_two_models_and_keeps_the_pick_in_the_url():
    app = page(FIXTURE_PAGE, cmp="a/cheap,gone/model")
    assert not app.exception
    assert app.multiselect(key="compare_models").value == ["a/cheap"]
    assert app.info[0].value.startswith("Pick at least two models")
    app.multiselect(key="compare_models").select("b/dear").run()
    assert app.query_params["cmp"] == "a/cheap,b/dear"
    comparison = compare_table(app)
    assert comparison.loc["Name", "a/cheap"] == "**Cheap** <b>x</b>"
    # Chat preset: a/cheap 1,500 x 0.000001 + 400 x 0.000002 = 0.0023; b/dear 0.015 + 0.012 = 0.027
    assert comparison.loc["Workload ($/request)", "b/dear"] == "$0.027"
    assert comparison.loc["× cheapest", "b/dear"] == "11.74×"  # 0.027 / 0.0023


def test_free_and_non_text_models_can_be_included():
    app = page(DEFAULTS_PAGE)
    app.checkbox(key="cost_include_free").check().run()
    app.checkbox(key="cost_include_other").check().run()
    assert not app.exception
    models = default_models()
    priced = (models["token_priced"] & ~models["variable_pricing"]).sum()
    assert metric(app, "Models with a cost") == f"{priced:,}"
    assert table_has_free(app)


def unescaped_captions(app: AppTest) -> list[str]:
    return [caption.value.replace("\\", "") for caption in app.caption]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"w_budget": "nan"}, "w_budget=nan"),
        ({"w_budget": "inf"}, "w_budget=inf"),
        ({"w_budget": "-5"}, "w_budget=-5"),
        ({"w_in": "lots"}, "w_in=lots"),
        ({"w_in": "-1"}, "w_in=-1"),
        ({"w_in": "100", "w_cached": "900"}, "w_in=100, w_cached=900"),
        ({"w_utc": "2561"}, "w_utc=2561"),
        ({"w_utc": "1430"}, "w_utc=1430"),  # the picker has whole hours only
        ({"w_preset": "Mystery"}, "w_preset=Mystery"),
    ],
)
def test_a_link_value_that_cannot_be_used_is_named_in_a_note(params: dict[str, str], named: str) -> None:
    app = page(FIXTURE_PAGE, **params)
    assert not app.exception
    assert f"Ignored in the link (not a usable value): {named}" in unescaped_captions(app)
    assert app.number_input(key="cost_budget").value == 0.0
    assert not app.error


def test_usable_link_values_give_no_note() -> None:
    app = page(FIXTURE_PAGE, w_budget="12.5", w_in="2000", w_utc="1400", w_preset="Custom")
    assert not app.exception
    assert app.number_input(key="cost_budget").value == 12.5
    assert not [c for c in unescaped_captions(app) if c.startswith("Ignored in the link")]


def test_compare_names_the_ids_it_left_out() -> None:
    app = page(FIXTURE_PAGE, cmp="a/cheap,gone/model,**bold**")
    assert "Ignored in the link (not a usable value): cmp: gone/model, cmp: **bold**" in unescaped_captions(
        app
    )


def test_the_time_box_reads_any_time_until_a_time_is_picked() -> None:
    app = page(FIXTURE_PAGE)
    box = app.selectbox(key="cost_utc_time")
    assert box.options[0] == "Any time (base price)"
    assert box.index == 0  # never an empty "Choose an option"
    box.set_value(1700).run()
    assert not app.exception
    assert app.query_params["w_utc"] == "1700"


def test_no_model_with_a_cost_says_why_and_how_to_recover() -> None:
    script = FIXTURE_PAGE.split("models = normalize_models")[0] + (
        'models = normalize_models([model("a/free:free", "0", "0"), model("openrouter/auto", "-1", "-1")])\n'
        "models = models.frame\n"
        "render_calculator(models)\n"
    )
    app = page(script)
    assert not app.exception
    assert "No model can be priced for this workload" in app.info[0].value
    assert not app.metric  # no "0 models with a cost" figure over an empty grid


def test_a_long_prompt_never_ranks_a_model_that_cannot_take_it() -> None:
    script = FIXTURE_PAGE.split("models = normalize_models")[0] + (
        "import time\n"
        "from tests.payloads import realistic_catalog\n"
        "models = normalize_models(realistic_catalog(time.time())['data']).frame\n"
        "render_calculator(models)\n"
    )
    app = page(script, w_preset="Long context (250k prompt)")
    assert not app.exception
    table = cost_table(app)
    assert "tiny/short-context" not in table["id"].tolist()  # the cheapest per token, but 8,192 tokens
    assert table["id"].tolist()[0] == "long/context-1m"
    # The 8,192-token model, and a 128,000-token one: 251,000 tokens fit neither.
    assert "2 models cannot take this workload" in " ".join(c.value for c in app.caption)
    unpriced = app.dataframe[1].value.set_index("id")
    assert unpriced.loc["tiny/short-context", "reason"] == "context 8,192 < 251,000 tokens"


def test_the_chart_follows_the_table_and_draws_only_a_readable_budget() -> None:
    app = page(FIXTURE_PAGE, w_in="1000", w_out="100", w_req="10", w_budget="50")
    assert not app.exception
    chart = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert chart["encoding"]["y"]["sort"] == cost_table(app)["id"].tolist()[:3]  # the table's order
    assert "layer" not in chart  # $50 against bars under $4: no line stretching the axis
    assert "far beyond these bars, so it is not drawn: all 3 fit it" in " ".join(c.value for c in app.caption)
    app = page(FIXTURE_PAGE, w_in="1000", w_out="100", w_req="10", w_budget="0.5")
    assert "layer" in json.loads(app.get("vega_lite_chart")[0].proto.spec)  # drawn where readable
