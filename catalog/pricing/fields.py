"""The price fields OpenRouter lists: their columns, units and labels, and how one listed price reads.

Adding a price field is one entry in `PRICE_FIELDS` (plus its test): the normalized column, the
details panel, compare, the change history and its units all follow from it. Whether a workload pays
for it is the schedule's business (`catalog.pricing.schedule.RATE_FIELDS`).

The rules for one listed value, here and nowhere else:

- A price is a decimal string in USD per unit (a token, a request, an image, a search), read exactly
  as a `Decimal`; JSON numbers are read through their `repr`. Absent (or null) means not listed.
- "-1" means variable: a router sets the price per request, so none of the model's numbers is real.
- Any other negative value, a value out of range or one that is not a number is unreadable: never
  shown or used as a price.
- Zero is a price ($0). Where a missing field counts as 0 and where it falls back to another price
  is said in `catalog.pricing.schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Final

MILLION: Final = Decimal(1_000_000)
PER_MTOK_UNIT: Final = "$/1M tokens"
VARIABLE: Final = "variable"  # what a "-1" price reads as
PRICE_EXPONENTS = (-30, 15)  # a price's order of magnitude: 1e-30 to 9.99e15 USD per unit
NOT_PRICES = frozenset({"overrides", "discount"})  # the keys of `pricing` that are not a base price


@dataclass(frozen=True)
class PriceField:
    """One field of OpenRouter's `pricing` object."""

    name: str  # the API's key
    column: str  # the normalized frame's column (per-token fields in $ per 1M tokens)
    label: str  # what the page calls it
    per_token: bool  # USD per token in the API, shown per 1M tokens
    unit: str  # the unit a person reads: "$/1M tokens", "$/request", ...


def _per_token(name: str, column: str, label: str) -> PriceField:
    return PriceField(name, column, label, True, PER_MTOK_UNIT)


PRICE_FIELDS: Final = {
    field.name: field
    for field in (
        _per_token("prompt", "prompt_per_mtok", "Input (prompt)"),
        _per_token("completion", "completion_per_mtok", "Output (completion)"),
        _per_token("input_cache_read", "cache_read_per_mtok", "Cache read"),
        _per_token("input_cache_write", "cache_write_per_mtok", "Cache write"),
        _per_token("input_cache_write_1h", "cache_write_1h_per_mtok", "Cache write (1 h)"),
        _per_token("internal_reasoning", "reasoning_per_mtok", "Reasoning"),
        _per_token("audio", "audio_per_mtok", "Audio input"),
        _per_token("input_audio_cache", "audio_cache_per_mtok", "Audio cache read"),
        _per_token("audio_output", "audio_output_per_mtok", "Audio output"),
        _per_token("image_token", "image_token_per_mtok", "Image tokens"),
        _per_token("image_output", "image_output_per_mtok", "Image output"),
        PriceField("request", "request_usd", "Per request", False, "$/request"),
        PriceField("image", "image_usd", "Per input image", False, "$/image"),
        PriceField("web_search", "web_search_usd", "Per web search", False, "$/search"),
    )
}
PRICE_COLUMNS: Final = [field.column for field in PRICE_FIELDS.values()]
# A model not priced per token (transcription, ...) lists these per unit of something else.
PER_UNIT_WHEN_NOT_TOKEN_PRICED = frozenset({"prompt", "completion"})
OTHER_UNIT = "$/unit"  # an unknown field, or a not-per-token model's prompt and completion


def field_label(name: str) -> str:
    """What the page calls a price field; an unknown field by its API name."""
    field = PRICE_FIELDS.get(name)
    return name if field is None else field.label


def display_unit(name: str, token_priced: bool = True) -> tuple[str, Decimal]:
    """The unit a field's price is shown in, and the factor from the API's USD per unit to it."""
    field = PRICE_FIELDS.get(name)
    if field is None or (not token_priced and name in PER_UNIT_WHEN_NOT_TOKEN_PRICED):
        return OTHER_UNIT, Decimal(1)
    return field.unit, MILLION if field.per_token else Decimal(1)


def parse_price(value: Any) -> Decimal | None:
    """A listed value as an exact Decimal ("-1" included); None when absent.

    Raises ValueError when it is not a number in a price's range.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a price")
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not a price")
    return _decimal(value.strip())


def read_price(value: Any) -> Decimal | str | None:
    """A listed price: an exact Decimal, VARIABLE for "-1", None when absent.

    Raises ValueError, saying why, for anything that is no price (malformed, negative, out of range).
    """
    number = parse_price(value)
    if number is None or number >= 0:
        return number
    if number == -1:
        return VARIABLE
    raise ValueError(f"negative price {number}")


def is_variable_price(value: Any) -> bool:
    """Whether a listed value is "-1": set by the router for each request."""
    try:
        return read_price(value) == VARIABLE
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text[:40]!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text[:40]!r} is not a finite price")
    if not number:
        return Decimal(0)  # "0E+999999" too
    if not PRICE_EXPONENTS[0] <= number.adjusted() <= PRICE_EXPONENTS[1]:
        # No real price is this small or large; exact math on it would overflow or print a million digits.
        raise ValueError(f"{text[:40]!r} is out of range")
    return number
