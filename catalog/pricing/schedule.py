"""A model's `pricing` object as an exact price schedule: the price each billed unit pays.

A missing price field counts as 0, except the three prices that replace another for part of the
tokens: `input_cache_read` and `input_cache_write` fall back to the prompt price, `internal_reasoning`
to the completion price. For those three, "0" means the same as absent (2025 responses spelled
omitted fields "0"; since 2026 they are left out).

`overrides` are applied in order, later entries winning, over the top-level (base) prices: a
long-context tier when the request's `input_tokens` >= `min_prompt_tokens`; a UTC time window
(`utc_start`/`utc_end`, HHMM, start inclusive, end exclusive, may wrap past midnight) only when a
`utc_time` is given. A field absent from an applied override keeps its base value.
Prices are list prices: `discount` is not applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalog.pricing.fields import PRICE_FIELDS, VARIABLE, is_variable_price, read_price

ZERO = Decimal(0)
# What each request pays for, in the order of Workload.billed_counts().
RATE_FIELDS = (
    "prompt",
    "input_cache_read",
    "input_cache_write",
    "completion",
    "internal_reasoning",
    "image",
    "web_search",
    "request",
)
CONDITION_KEYS = ("min_prompt_tokens", "utc_start", "utc_end")


class PricingProblem(ValueError):
    """A model's pricing cannot give an exact number; the message is the reason shown."""


@dataclass(frozen=True)
class Override:
    """One conditional price entry; `prices` holds only the fields it sets."""

    prices: Mapping[str, Decimal]
    min_prompt_tokens: int | None = None
    utc_window: tuple[int, int] | None = None

    def applies(self, input_tokens: int, utc_time: int | None) -> bool:
        if self.min_prompt_tokens is not None and input_tokens < self.min_prompt_tokens:
            return False
        if self.utc_window is not None:
            return utc_time is not None and in_window(utc_time, *self.utc_window)
        return True


@dataclass(frozen=True, eq=False)
class PriceSchedule:
    """A model's parsed pricing: base prices (present fields only) and overrides, in order."""

    base: Mapping[str, Decimal]
    overrides: tuple[Override, ...] = ()
    # Rates per combination of applied overrides, worked out once: schedules are shared across calls
    # and sessions (a racing thread at worst works the same rates out twice).
    _rates: dict[tuple[int, ...], Rates] = field(default_factory=dict, init=False, repr=False)

    @property
    def time_windows(self) -> tuple[Override, ...]:
        return tuple(o for o in self.overrides if o.utc_window is not None)

    def rates(self, input_tokens: int, utc_time: int | None) -> Rates:
        """The prices one request pays, one per RATE_FIELDS entry, with the tier and window applied."""
        applied = tuple(i for i, o in enumerate(self.overrides) if o.applies(input_tokens, utc_time))
        rates = self._rates.get(applied)
        if rates is None:
            rates = self._rates[applied] = self._work_out(applied)
        return rates

    def _work_out(self, applied: tuple[int, ...]) -> Rates:
        prices = dict(self.base)
        tier = window = None
        for index in applied:  # in order: later entries win
            override = self.overrides[index]
            prices.update(override.prices)
            tier = override.min_prompt_tokens if override.min_prompt_tokens is not None else tier
            window = override.utc_window or window
        prompt = prices.get("prompt", ZERO)
        completion = prices.get("completion", ZERO)
        fallback = {"input_cache_read": prompt, "input_cache_write": prompt, "internal_reasoning": completion}
        # The three replacement prices fall back when absent or "0"; any other absent field is 0.
        values = tuple(prices.get(name) or fallback.get(name, ZERO) for name in RATE_FIELDS)
        return Rates(values, tier, window)


@dataclass(frozen=True)
class Rates:
    """The price of each billed unit for one request, after fallbacks and overrides."""

    values: tuple[Decimal, ...]  # in RATE_FIELDS order
    tier_min_prompt_tokens: int | None
    utc_window: tuple[int, int] | None


def in_window(utc_time: int, start: int, end: int) -> bool:
    """Whether HHMM `utc_time` falls in [start, end); a window with end < start wraps midnight."""
    if start < end:
        return start <= utc_time < end
    if start > end:
        return utc_time >= start or utc_time < end
    return False  # an empty window never applies


def format_hhmm(value: int) -> str:
    return f"{value // 100:02d}:{value % 100:02d}"


def window_text(window: tuple[int, int]) -> str:
    """An HHMM (start, end) window as display text, e.g. "22:00-06:00 UTC" with an en dash."""
    return f"{format_hhmm(window[0])}–{format_hhmm(window[1])} UTC"


def parse_pricing(pricing: Any) -> PriceSchedule:
    """A raw `pricing` object as a PriceSchedule. Raises PricingProblem with the reason there is no cost."""
    if pricing is None:
        pricing = {}
    if not isinstance(pricing, Mapping):
        raise PricingProblem("pricing is not an object")
    if any(is_variable_price(pricing.get(name)) for name in PRICE_FIELDS):
        raise PricingProblem("variable price: set by the router for each request")
    if "prompt" not in pricing and "completion" not in pricing:
        raise PricingProblem("no prompt or completion price listed")
    base = _billed_prices(pricing, "pricing")
    raw_overrides = pricing.get("overrides")
    if raw_overrides is None:
        raw_overrides = []
    if not isinstance(raw_overrides, list):
        raise PricingProblem("pricing.overrides is not a list")
    return PriceSchedule(base, tuple(_override(item, index) for index, item in enumerate(raw_overrides)))


def _billed_prices(pricing: Mapping[str, Any], where: str) -> dict[str, Decimal]:
    prices = {}
    for name in RATE_FIELDS:
        if pricing.get(name) is None:
            continue
        try:
            number = read_price(pricing[name])
        except ValueError as error:
            raise PricingProblem(f"{where}.{name} is not a price: {error}") from None
        if number is None:
            continue
        if number == VARIABLE:
            raise PricingProblem("variable price: set by the router for each request")
        if len(number.as_tuple().digits) > 60:
            raise PricingProblem(f"{where}.{name} has more digits than a price can have")
        prices[name] = number
    return prices


def _override(item: Any, index: int) -> Override:
    where = f"pricing.overrides[{index}]"
    if not isinstance(item, Mapping):
        raise PricingProblem(f"{where} is not an object")
    if not any(key in item for key in CONDITION_KEYS):
        raise PricingProblem(f"{where} has no condition (min_prompt_tokens or utc_start/utc_end)")
    minimum = item.get("min_prompt_tokens")
    if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0):
        raise PricingProblem(f"{where}.min_prompt_tokens is not a token count")
    window = None
    if "utc_start" in item or "utc_end" in item:
        start, end = item.get("utc_start"), item.get("utc_end")
        if not (is_hhmm(start) and is_hhmm(end)):
            raise PricingProblem(f"{where} has a malformed UTC window")
        window = (start, end)
    return Override(_billed_prices(item, where), minimum, window)


def is_hhmm(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2400 and value % 100 < 60
