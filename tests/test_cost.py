"""Workload costs, checked against sums worked out by hand from the price strings."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.cli.tables import costs_text
from catalog.fetch.normalize import normalize_models
from catalog.pricing.compare import describe_overrides
from catalog.pricing.cost import (
    InvalidWorkload,
    Workload,
    cost_frame,
    export_costs,
    parse_utc_time,
    request_cost,
)
from catalog.pricing.listing import listing_of
from catalog.pricing.money import plain_decimal
from catalog.pricing.schedule import PricingProblem, in_window, parse_pricing
from tests.payloads import GEMINI_TIER, catalog_of, frame_of, model, shape_2025, shape_2026

D = Decimal
QWEN_TIERS = [
    {"min_prompt_tokens": 32000, "prompt": "0.00000156", "completion": "0.0000078"},
    {"min_prompt_tokens": 128000, "prompt": "0.00000195", "completion": "0.00000975"},
]
DEEPSEEK_WINDOW = [{"utc_start": 1630, "utc_end": 30, "prompt": "0.00000014", "completion": "0.00000021"}]


def cost_of(
    workload: Workload,
    prompt: str = "0.000001",
    completion: str = "0.000002",
    *,
    utc_time: int | None = None,
    **pricing: Any,
) -> Decimal | str:
    """The workload's total cost on one model, or the reason it has none."""
    frame = frame_of(model("test/model", prompt, completion, context_length=None, **pricing))
    row = cost_frame(frame, workload, utc_time=utc_time).iloc[0]
    return row["cost_usd"] if row["cost_usd"] is not None else row["reason"]


# -- each price field ------------------------------------------------------------------------------


def test_prompt_tokens_at_the_prompt_price():
    assert cost_of(Workload(1000, 0)) == D("0.001")  # 1,000 x $0.000001


def test_completion_tokens_at_the_completion_price():
    assert cost_of(Workload(0, 500)) == D("0.001")  # 500 x $0.000002


def test_cached_tokens_at_the_cache_read_price_and_the_rest_at_the_prompt_price():
    # 200 uncached x 0.000001 + 800 cached x 0.0000001 = 0.0002 + 0.00008
    workload = Workload(1000, 0, cached_input_tokens=800)
    assert cost_of(workload, input_cache_read="0.0000001") == D("0.00028")


@pytest.mark.parametrize("listed", [{}, {"input_cache_read": "0"}], ids=["absent", "zero-2025"])
def test_cached_tokens_without_a_cache_read_price_pay_the_prompt_price(listed):
    assert cost_of(Workload(1000, 0, cached_input_tokens=800), **listed) == D("0.001")


def test_cache_writes_at_the_cache_write_price():
    # 600 x 0.000001 + 400 x 0.00000125 = 0.0006 + 0.0005
    workload = Workload(1000, 0, cache_write_tokens=400)
    assert cost_of(workload, input_cache_write="0.00000125") == D("0.0011")


def test_cache_writes_without_a_cache_write_price_pay_the_prompt_price():
    assert cost_of(Workload(1000, 0, cache_write_tokens=400)) == D("0.001")


def test_reasoning_tokens_at_the_internal_reasoning_price():
    # 400 visible x 0.000002 + 600 reasoning x 0.000003 = 0.0008 + 0.0018
    workload = Workload(0, 1000, reasoning_tokens=600)
    assert cost_of(workload, internal_reasoning="0.000003") == D("0.0026")


@pytest.mark.parametrize("listed", [{}, {"internal_reasoning": "0"}], ids=["absent", "zero-2025"])
def test_reasoning_tokens_without_a_reasoning_price_pay_the_completion_price(listed):
    assert cost_of(Workload(0, 1000, reasoning_tokens=600), **listed) == D("0.002")


def test_images_at_the_per_image_price():
    assert cost_of(Workload(0, 0, images=2), image="0.01445") == D("0.0289")


def test_web_searches_at_the_per_search_price():
    assert cost_of(Workload(0, 0, web_searches=3), web_search="0.005") == D("0.015")


def test_the_request_fee_is_paid_once_per_request():
    assert cost_of(Workload(0, 0, requests=4), request="0.005") == D("0.02")


def test_requests_multiply_the_per_request_cost():
    # (1,000 x 0.000001 + 500 x 0.000002) x 1,000 requests = 0.002 x 1,000
    assert cost_of(Workload(1000, 500, requests=1000)) == D("2")


def test_zero_requests_cost_nothing():
    assert cost_of(Workload(1000, 500, requests=0), request="0.005") == D("0")


def test_fields_that_are_not_billed_by_a_text_workload_are_ignored():
    listed = {"audio": "0.000032", "image_output": "0.00003", "input_cache_write_1h": "0.000006"}
    assert cost_of(Workload(1000, 500), **listed) == D("0.002")


def test_a_model_with_every_field_at_once():
    workload = Workload(
        input_tokens=10_000,
        output_tokens=2_000,
        cached_input_tokens=6_000,
        reasoning_tokens=1_500,
        cache_write_tokens=1_000,
        images=2,
        web_searches=1,
        requests=3,
    )
    pricing = {
        "prompt": "0.000003",
        "completion": "0.000015",
        "input_cache_read": "0.0000003",
        "input_cache_write": "0.00000375",
        "internal_reasoning": "0.00002",
        "image": "0.001",
        "web_search": "0.01",
        "request": "0.0005",
        "overrides": [{"min_prompt_tokens": 100_000, "prompt": "0.000006"}],  # not reached
    }
    cost = request_cost(parse_pricing(pricing), workload)
    assert cost.lines == {
        "prompt": D("0.009"),  # 3,000 uncached x 0.000003
        "input_cache_read": D("0.0018"),  # 6,000 x 0.0000003
        "input_cache_write": D("0.00375"),  # 1,000 x 0.00000375
        "completion": D("0.0075"),  # 500 visible x 0.000015
        "internal_reasoning": D("0.03"),  # 1,500 x 0.00002
        "image": D("0.002"),  # 2 x 0.001
        "web_search": D("0.01"),  # 1 x 0.01
        "request": D("0.0005"),
    }
    assert cost.per_request == D("0.06455")
    assert cost.total == D("0.19365")  # x 3 requests
    assert cost.tier_min_prompt_tokens is None
    prompt, completion = pricing.pop("prompt"), pricing.pop("completion")
    assert cost_of(workload, prompt, completion, **pricing) == D("0.19365")


# -- long-context tiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_tokens", "expected", "tier"),
    [
        (199_999, "0.25999875", None),  # 199,999 x 0.00000125 + 1,000 x 0.00001
        (200_000, "0.515", 200_000),  # 200,000 x 0.0000025 + 1,000 x 0.000015
        (200_001, "0.5150025", 200_000),  # 200,001 x 0.0000025 + 0.015
    ],
    ids=["just-below", "at", "above"],
)
def test_a_long_context_tier_applies_from_its_min_prompt_tokens(input_tokens, expected, tier):
    gemini = model(
        "google/gemini-2.5-pro", "0.00000125", "0.00001", overrides=GEMINI_TIER, context_length=1_048_576
    )
    frame = frame_of(gemini)
    row = cost_frame(frame, Workload(input_tokens, 1000)).iloc[0]
    assert row["cost_usd"] == D(expected)
    assert (None if pd.isna(row["tier_min_prompt_tokens"]) else row["tier_min_prompt_tokens"]) == tier


@pytest.mark.parametrize(
    ("input_tokens", "expected"),
    [
        (31_999, "0.02495922"),  # x 0.00000078 (base)
        (32_000, "0.04992"),  # x 0.00000156 (first tier)
        (127_999, "0.19967844"),  # x 0.00000156
        (128_000, "0.2496"),  # x 0.00000195 (second tier)
        (128_001, "0.24960195"),  # x 0.00000195
    ],
)
def test_with_two_tiers_the_highest_reached_applies(input_tokens, expected):
    assert cost_of(Workload(input_tokens, 0), "0.00000078", "0.0000039", overrides=QWEN_TIERS) == D(expected)


def test_later_overrides_win_when_several_apply():
    # Listed the other way round, the 32k entry comes last and wins at 200k input tokens.
    tiers = list(reversed(QWEN_TIERS))
    assert cost_of(Workload(200_000, 0), "0.00000078", "0.0000039", overrides=tiers) == D("0.312")


def test_a_field_the_tier_does_not_set_keeps_its_base_price():
    # Tier sets prompt and completion only: cached tokens still pay the base cache read 0.00000031.
    # 100,000 x 0.0000025 + 100,000 x 0.00000031 + 1,000 x 0.000015 = 0.25 + 0.031 + 0.015
    workload = Workload(200_000, 1000, cached_input_tokens=100_000)
    listed = {"input_cache_read": "0.00000031", "overrides": GEMINI_TIER}
    assert cost_of(workload, "0.00000125", "0.00001", **listed) == D("0.296")


def test_without_any_cache_read_price_cached_tokens_pay_the_tier_prompt_price():
    workload = Workload(300_000, 0, cached_input_tokens=100_000)  # all 300,000 x 0.0000025
    assert cost_of(workload, "0.00000125", "0.00001", overrides=GEMINI_TIER) == D("0.75")


def test_the_tier_is_chosen_by_input_tokens_including_cached_ones():
    workload = Workload(200_000, 0, cached_input_tokens=199_000)
    frame = frame_of(model("test/model", "0.00000125", "0.00001", overrides=GEMINI_TIER, context_length=None))
    assert cost_frame(frame, workload).iloc[0]["tier_min_prompt_tokens"] == 200_000


# -- time windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc_time", "expected"),
    [
        (None, "0.0007"),  # base: 1,000 x 0.00000028 + 1,000 x 0.00000042
        (1629, "0.0007"),
        (1630, "0.00035"),  # window: 1,000 x 0.00000014 + 1,000 x 0.00000021
        (2359, "0.00035"),
        (0, "0.00035"),  # past midnight, still in the window
        (29, "0.00035"),
        (30, "0.0007"),  # the end is exclusive
    ],
)
def test_a_time_window_applies_only_at_a_given_utc_time_inside_it(utc_time, expected):
    workload = Workload(1000, 1000)
    cost = cost_of(workload, "0.00000028", "0.00000042", utc_time=utc_time, overrides=DEEPSEEK_WINDOW)
    assert cost == D(expected)


def test_time_window_models_say_the_base_price_was_used_and_show_the_window():
    frame = frame_of(model("deepseek/v", "0.00000028", "0.00000042", overrides=DEEPSEEK_WINDOW))
    row = cost_frame(frame, Workload(1000, 1000)).iloc[0]
    assert "base price used" in row["note"]
    applied = cost_frame(frame, Workload(1000, 1000), utc_time=1700).iloc[0]
    assert applied["utc_window"] == "16:30–00:30 UTC"
    assert describe_overrides(listing_of(frame["raw_json"].iloc[0])) == (
        [],
        ["16:30–00:30 UTC: prompt $0.14/1M tokens, completion $0.21/1M tokens"],
    )


def test_in_window_handles_plain_wrapping_and_empty_windows():
    assert in_window(1000, 900, 1700) and not in_window(1700, 900, 1700)
    assert in_window(100, 2200, 300) and not in_window(1200, 2200, 300)
    assert not in_window(500, 500, 500)


@pytest.mark.parametrize(
    ("text", "expected"), [("14:30", 1430), ("1430", 1430), (0, 0), ("", None), (None, None)]
)
def test_parse_utc_time(text, expected):
    assert parse_utc_time(text) == expected


@pytest.mark.parametrize("text", ["2400", "12:60", "noon", "12345", "-100"])
def test_parse_utc_time_refuses_what_is_not_a_time_of_day(text):
    with pytest.raises(InvalidWorkload):
        parse_utc_time(text)


# -- free, variable, not per token, malformed ------------------------------------------------------


def test_a_free_model_costs_exactly_zero():
    assert cost_of(Workload(100_000, 10_000, cached_input_tokens=5_000, requests=1_000), "0", "0") == D("0")


@pytest.mark.parametrize(
    "pricing",
    [
        {"prompt": "-1", "completion": "-1"},
        {"prompt": "0.00001", "completion": "0.00003", "request": "-1", "image": "-1"},  # 2024 shape
    ],
)
def test_a_variable_price_gets_no_number_but_a_reason(pricing):
    assert "variable" in cost_of(Workload(1000, 1000), **pricing)


def test_a_variable_price_inside_an_override_gets_no_number():
    overrides = [{"min_prompt_tokens": 1000, "prompt": "-1"}]
    assert "variable" in cost_of(Workload(10, 10), overrides=overrides)


@pytest.mark.parametrize(
    ("outputs", "inputs", "kind"),
    [(("transcription",), ("audio",), "transcription"), (("image",), ("text",), "image")],
)
def test_a_model_not_priced_per_token_gets_no_number(outputs, inputs, kind):
    item = model("openai/m", "0.006", "0", inputs=inputs, outputs=outputs)
    row = cost_frame(frame_of(item), Workload(1000, 0)).iloc[0]
    assert row["cost_usd"] is None
    assert row["reason"] == f"not priced per token ({kind} output)"


@pytest.mark.parametrize(
    ("pricing", "reason"),
    [
        ({"prompt": "abc"}, "pricing.prompt is not a price"),
        ({"prompt": "-2"}, "pricing.prompt is not a price: negative price -2"),
        ({"overrides": "soon"}, "pricing.overrides is not a list"),
        ({"overrides": [{"prompt": "0.1"}]}, "pricing.overrides[0] has no condition"),
        ({"overrides": [{"min_prompt_tokens": "many"}]}, "min_prompt_tokens is not a token count"),
        ({"overrides": [{"utc_start": 2500, "utc_end": 100}]}, "malformed UTC window"),
    ],
)
def test_a_malformed_price_gets_no_number_and_says_which_field(pricing, reason):
    assert reason in cost_of(Workload(1000, 1000), **pricing)


def test_pricing_without_prompt_or_completion_gets_no_number():
    with pytest.raises(PricingProblem, match="no prompt or completion price"):
        parse_pricing({"request": "0.01"})


# -- exactness ------------------------------------------------------------------------------------


def test_long_decimal_prices_stay_exact_where_floats_would_not():
    workload = Workload(1_000_000, 0, requests=1_000_000)
    total = cost_of(workload, "0.0000000208333333333333", "0")
    assert total == D("20833.3333333333")
    assert plain_decimal(total) == "20833.3333333333"
    assert 1e12 * float("0.0000000208333333333333") != 20833.3333333333


def test_tiny_costs_are_written_without_an_exponent():
    assert (
        plain_decimal(cost_of(Workload(1, 0), "0.0000000208333333333333", "0")) == "0.0000000208333333333333"
    )
    assert plain_decimal(D("1E+2")) == "100"
    assert plain_decimal(D("0.00E-5")) == "0"


@given(
    input_tokens=st.integers(0, 2_000_000),
    cached_share=st.fractions(0, 1),
    output_tokens=st.integers(0, 200_000),
    reasoning_share=st.fractions(0, 1),
    requests=st.integers(0, 10**9),
)
def test_cost_equals_the_sum_of_its_parts_for_any_workload(
    input_tokens, cached_share, output_tokens, reasoning_share, requests
):
    cached = int(input_tokens * cached_share)
    reasoning = int(output_tokens * reasoning_share)
    pricing = {
        "prompt": "0.0000000208333333333333",
        "completion": "0.0000000833333333333333",
        "input_cache_read": "0.000000003",
        "internal_reasoning": "0.0000001",
        "overrides": [{"min_prompt_tokens": 1_000_000, "prompt": "0.00000004"}],
    }
    workload = Workload(input_tokens, output_tokens, cached, reasoning, requests=requests)
    prompt = D("0.00000004") if input_tokens >= 1_000_000 else D(pricing["prompt"])
    with localcontext() as context:
        context.prec = 100  # the default 28 digits would round the expectation itself
        expected = (
            (input_tokens - cached) * prompt
            + cached * D("0.000000003")
            + (output_tokens - reasoning) * D(pricing["completion"])
            + reasoning * D("0.0000001")
        ) * requests
    assert request_cost(parse_pricing(pricing), workload).total == expected


# -- workloads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"input_tokens": -1, "output_tokens": 0}, "input tokens cannot be negative"),
        ({"input_tokens": 10, "output_tokens": 0, "cached_input_tokens": 11}, "exceed the input tokens"),
        (
            {"input_tokens": 10, "output_tokens": 0, "cached_input_tokens": 6, "cache_write_tokens": 5},
            "plus cache-write tokens",
        ),
        ({"input_tokens": 0, "output_tokens": 5, "reasoning_tokens": 6}, "exceed the output tokens"),
        ({"input_tokens": 1.5, "output_tokens": 0}, "must be a whole number"),
        ({"input_tokens": True, "output_tokens": 0}, "must be a whole number"),
        ({"input_tokens": 10, "output_tokens": 0, "requests": 10**16}, "requests is too large"),
    ],
)
def test_a_workload_refuses_counts_that_cannot_be(counts, message):
    with pytest.raises(InvalidWorkload, match=message):
        Workload(**counts)


# -- frames ----------------------------------------------------------------------------------------


def test_cost_frame_is_cheapest_first_with_unpriced_models_last_and_ties_by_id():
    frame = normalize_models(shape_2026()["data"]).frame
    costs = cost_frame(frame, Workload(10_000, 1_000))
    priced = costs[costs["cost_usd"].notna()]
    assert list(priced["cost_usd"]) == sorted(priced["cost_usd"])
    assert priced["id"].iloc[0] == "x-ai/grok-4:free"
    assert priced["cost_usd"].iloc[0] == D("0")
    unpriced = costs[costs["cost_usd"].isna()]
    assert list(unpriced["id"]) == ["openai/gpt-image-1", "openai/whisper-1", "openrouter/auto"]
    assert costs["id"].tolist()[-3:] == unpriced["id"].tolist()
    assert set(unpriced["reason"].str.split(":").str[0]) == {
        "not priced per token (image output)",
        "not priced per token (transcription output)",
        "variable price",
    }
    tied = cost_frame(frame_of(model("b/same"), model("a/same")), Workload(10, 10))
    assert list(tied["id"]) == ["a/same", "b/same"]


def test_cost_frame_values_for_the_2026_fixtures():
    frame = normalize_models(shape_2026()["data"]).frame
    costs = cost_frame(frame, Workload(10_000, 1_000, reasoning_tokens=500, web_searches=1)).set_index("id")
    # 10,000 x 0.0000004 + 500 x 0.000002 + 500 x 0.000002 (reasoning at internal_reasoning)
    assert costs.loc["deepseek/deepseek-r1", "cost_usd"] == D("0.006")
    # 10,000 x 0.000001 + 1,000 x 0.000001 + 0.005 search + 0.005 request
    assert costs.loc["perplexity/sonar", "cost_usd"] == D("0.021")
    # 10,000 x 0.00000002, output at 0
    assert costs.loc["openai/text-embedding-3-small", "cost_usd"] == D("0.0002")


def test_cost_frame_reads_the_2025_shape_with_zero_fields():
    frame = normalize_models(shape_2025()["data"]).frame
    workload = Workload(1000, 1000, cached_input_tokens=500, reasoning_tokens=200)
    costs = cost_frame(frame, workload).set_index("id")
    # 500 x 0.00000015 + 500 x 0.000000075 + 1,000 x 0.0000006 ("0" reasoning -> completion price)
    assert costs.loc["openai/gpt-4o-mini", "cost_usd"] == D("0.0007125")


def test_cost_frame_of_an_empty_frame_has_every_column():
    costs = cost_frame(normalize_models([]).frame, Workload(1, 1))
    assert costs.empty
    assert list(costs.columns) == [
        "id",
        "name",
        "cost_usd",
        "cost_per_request_usd",
        "tier_min_prompt_tokens",
        "utc_window",
        "note",
        "reason",
    ]


def test_cost_frame_prices_a_large_catalog_the_same_as_one_model_at_a_time():
    frame = normalize_models(catalog_of(400, seed=3)["data"]).frame
    workload = Workload(250_000, 2_000, cached_input_tokens=50_000, reasoning_tokens=1_000, requests=7)
    costs = cost_frame(frame, workload).set_index("id")
    for model_id, raw_json in zip(frame["id"], frame["raw_json"], strict=True):
        expected = cost_frame(frame[frame["id"] == model_id], workload).iloc[0]["cost_usd"]
        assert costs.loc[model_id, "cost_usd"] == expected
        if expected is not None:
            pricing = json.loads(raw_json)["pricing"]
            assert expected == request_cost(parse_pricing(pricing), workload).total


def test_export_csv_is_exact_formula_safe_and_lists_unpriced_models_last():
    frame = frame_of(
        model("x/formula", "0.0000000208333333333333", "0", name="=HYPERLINK(1)"),
        model("openrouter/auto", "-1", "-1"),
    )
    text = export_costs(cost_frame(frame, Workload(3, 0)), "csv").decode()
    lines = text.splitlines()
    assert lines[0] == "id,name,cost_usd,cost_per_request_usd,tier_min_prompt_tokens,utc_window,note,reason"
    assert lines[1] == "x/formula,'=HYPERLINK(1),0.0000000624999999999999,0.0000000624999999999999,,,,"
    assert lines[2].startswith("openrouter/auto,") and lines[2].split(",")[2:4] == ["", ""]


def test_the_text_table_never_passes_terminal_escapes_through():
    frame = frame_of(model("evil/\x1b[2Jmodel", "0.000001", "0"))
    table = costs_text(cost_frame(frame, Workload(1000, 0)))
    assert "\x1b" not in table
    assert "evil/\\x1b[2Jmodel" in table


def test_export_json_keeps_costs_as_exact_strings():
    frame = frame_of(model("a/m", "0.0000000208333333333333", "0"))
    records = json.loads(export_costs(cost_frame(frame, Workload(3, 0, requests=2)), "json"))
    assert records[0]["cost_usd"] == "0.0000001249999999999998"
    assert records[0]["reason"] is None
