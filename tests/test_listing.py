"""A model's listed prices, read once from its raw JSON: base prices, as sent, overrides, schedule."""

from __future__ import annotations

import json
from decimal import Decimal

from catalog.fetch.normalize import normalize_models
from catalog.pricing import listing as listing_module
from catalog.pricing.listing import UNREADABLE, listing_of
from tests.payloads import catalog_of, model


def raw(**pricing: object) -> str:
    return json.dumps(model("a/m", **pricing))


def test_base_prices_are_exact_in_field_order_with_unknown_fields_last() -> None:
    listing = listing_of(raw(prompt="0.0000025", completion="0.00001", web_search="0.01", brand_new="0.5"))
    assert list(listing.base) == ["prompt", "completion", "web_search", "brand_new"]
    assert listing.base["prompt"] == Decimal("0.0000025")
    assert listing.schedule is not None and listing.problem is None


def test_variable_unreadable_and_zero_prices() -> None:
    router = listing_of(raw(prompt="-1", completion="-1"))
    assert router.is_variable and router.schedule is None
    assert router.problem == "variable price: set by the router for each request"
    assert router.as_sent == {"completion": "-1", "prompt": "-1"}
    broken = listing_of(raw(prompt="-2", completion="abc"))
    assert broken.base == {"prompt": UNREADABLE, "completion": UNREADABLE}
    assert broken.as_sent == {}
    free = listing_of(raw(prompt="0", completion="0"))
    assert free.base == {"prompt": Decimal(0), "completion": Decimal(0)} and free.as_sent == {}


def test_overrides_say_when_they_apply() -> None:
    listing = listing_of(
        raw(
            overrides=[
                {"min_prompt_tokens": 200000, "prompt": "0.000004"},
                {"utc_start": 1630, "utc_end": 30, "completion": "0.000001"},
                {"utc_start": "later", "prompt": "0.1"},
            ]
        )
    )
    assert [(o.condition, o.is_window) for o in listing.overrides] == [
        ("≥ 200,000 input tokens", False),
        ("16:30–00:30 UTC", True),
        ("?–? UTC", True),
    ]
    assert listing.overrides[0].prices == {"prompt": Decimal("0.000004")}
    assert listing.problem == "pricing.overrides[2] has a malformed UTC window"


def test_tiers_key_compares_numbers_by_value() -> None:
    first = listing_of(raw(overrides=[{"min_prompt_tokens": 1, "prompt": "0.0000025"}]))
    second = listing_of(raw(overrides=[{"min_prompt_tokens": 1, "prompt": "0.00000250"}]))
    assert first.tiers_key == second.tiers_key != ""


def test_a_discount_is_kept_only_when_it_is_a_fraction() -> None:
    assert listing_of(raw(discount=0.25)).discount == 0.25
    assert listing_of(raw(discount=3)).discount is None


def test_unreadable_json_has_no_prices() -> None:
    listing = listing_of("{not json")
    assert listing.base == {} and listing.problem == "raw model JSON is unreadable"


def test_each_distinct_pricing_is_parsed_once_across_calls(monkeypatch) -> None:
    frame = normalize_models(catalog_of(300, seed=11, prefix="once-")["data"]).frame
    listing_module._listing_of_text.cache_clear()
    listing_module._listing_of_pricing.cache_clear()
    parsed: list[int] = []
    real = listing_module.parse_pricing
    monkeypatch.setattr(listing_module, "parse_pricing", lambda pricing: parsed.append(1) or real(pricing))
    for raw_json in frame["raw_json"]:
        listing_of(raw_json)
    distinct = {json.dumps(json.loads(text)["pricing"], sort_keys=True) for text in frame["raw_json"]}
    assert len(parsed) == len(distinct) < len(frame)
    for raw_json in frame["raw_json"]:  # a second view of the same snapshot parses nothing again
        listing_of(raw_json)
    assert len(parsed) == len(distinct)
