"""A model's listed prices, read once from its raw JSON: the one place that parses `raw_json` for prices.

`listing_of(raw_json)` is remembered per model text (bounded, shared by every snapshot, session and
thread of a process): a model a refresh left unchanged is not read again, and identical pricing
objects share one `Listing` and one parsed `PriceSchedule`. A `Listing` is immutable: never mutate it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from catalog.pricing.fields import NOT_PRICES, PRICE_FIELDS, VARIABLE, parse_price, read_price
from catalog.pricing.schedule import (
    CONDITION_KEYS,
    PriceSchedule,
    PricingProblem,
    is_hhmm,
    parse_pricing,
    window_text,
)

UNREADABLE = "unreadable"
# Two 50,000-model snapshots (before and after a refresh) and the removed models beside them.
MODELS_REMEMBERED = 131_072


@dataclass(frozen=True)
class ListedOverride:
    """One conditional price entry as listed: when it applies, and the prices it sets."""

    condition: str  # "≥ 200,000 input tokens", "22:00-06:00 UTC" (an en dash), both, or "other condition"
    is_window: bool
    prices: Mapping[str, Decimal | str]  # as in Listing.base


@dataclass(frozen=True, eq=False)
class Listing:
    """What one model's `pricing` object lists."""

    # Every base price present (known fields in PRICE_FIELDS order, then any others): an exact Decimal,
    # VARIABLE, or UNREADABLE.
    base: Mapping[str, Decimal | str]
    # Base prices as OpenRouter wrote them, readable and non-zero only: what the change history keeps.
    as_sent: Mapping[str, str]
    overrides: tuple[ListedOverride, ...]  # conditional prices (tiers, time windows), in the order listed
    tiers_key: str  # `overrides` as canonical JSON, numbers by value; "" when there are none
    discount: float | None  # a fraction off the list price, 0 < d <= 1, when listed
    schedule: PriceSchedule | None  # what a workload pays; None when there is no exact number
    problem: str | None  # why there is no schedule

    @property
    def is_variable(self) -> bool:
        return VARIABLE in self.base.values()


def listing_of(raw_json: str) -> Listing:
    """The listing of one model's JSON text (remembered per text)."""
    return _listing_of_text(raw_json)


@lru_cache(maxsize=MODELS_REMEMBERED)
def _listing_of_text(raw_json: str) -> Listing:
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        return _listing_of_pricing("null", problem="raw model JSON is unreadable")
    pricing = raw.get("pricing") if isinstance(raw, dict) else None
    try:
        key = json.dumps(pricing, sort_keys=True)
    except (TypeError, ValueError):
        key = "null"
    return _listing_of_pricing(key)


@lru_cache(maxsize=16_384)
def _listing_of_pricing(pricing_json: str, problem: str | None = None) -> Listing:
    pricing = json.loads(pricing_json)
    if problem is not None or not isinstance(pricing, dict):
        return Listing({}, {}, (), "", None, None, problem or "pricing is not an object")
    base = _listed_prices(pricing)
    as_sent = {
        name: value.strip() if isinstance(value, str) else str(parse_price(value))
        for name, value in pricing.items()
        if name in base and (base[name] == VARIABLE or (base[name] != UNREADABLE and base[name]))
    }
    raw_overrides = pricing.get("overrides")
    listed = raw_overrides if isinstance(raw_overrides, list) else []
    overrides = tuple(_listed_override(item) for item in listed if isinstance(item, dict))
    discount = pricing.get("discount")
    if isinstance(discount, bool) or not isinstance(discount, (int, float)) or not 0 < discount <= 1:
        discount = None
    try:
        schedule, problem = parse_pricing(pricing), None
    except PricingProblem as error:
        schedule, problem = None, str(error)
    return Listing(
        base, dict(sorted(as_sent.items())), overrides, _tiers_key(raw_overrides), discount, schedule, problem
    )


def _listed_prices(prices: Mapping[str, Any]) -> dict[str, Decimal | str]:
    """Each price an object lists, read: known fields in PRICE_FIELDS order, then any others."""
    listed: dict[str, Decimal | str] = {}
    names = [name for name in PRICE_FIELDS if name in prices]
    for name in names + [name for name in prices if name not in PRICE_FIELDS and name not in NOT_PRICES]:
        try:
            price = read_price(prices[name])
        except ValueError:
            price = UNREADABLE
        if price is not None:
            listed[name] = price
    return listed


def _listed_override(item: Mapping[str, Any]) -> ListedOverride:
    conditions = []
    minimum = item.get("min_prompt_tokens")
    if minimum is not None:
        readable = isinstance(minimum, int) and not isinstance(minimum, bool) and minimum >= 0
        conditions.append(f"≥ {minimum:,} input tokens" if readable else "≥ ? input tokens")
    is_window = "utc_start" in item or "utc_end" in item
    if is_window:
        start, end = item.get("utc_start"), item.get("utc_end")
        if is_hhmm(start) and is_hhmm(end):
            conditions.append(window_text((start, end)))
        else:
            conditions.append("?–? UTC")
    prices = {name: value for name, value in item.items() if name not in CONDITION_KEYS}
    return ListedOverride(" and ".join(conditions) or "other condition", is_window, _listed_prices(prices))


def _tiers_key(overrides: Any) -> str:
    """Overrides as canonical JSON, numbers compared by value ("0.0000025" == "0.00000250")."""
    if not isinstance(overrides, list) or not overrides:
        return ""
    return json.dumps(_canonical(overrides), sort_keys=True, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        try:
            number = parse_price(value)
        except ValueError:
            return value
        return format(number.normalize(), "f") if number is not None else value
    return value
