"""Money as text: one rule for every view, the command line and the exports.

Dollars are written `$` + the amount with thousands separators and at least two decimals: $0.10,
$3.20, $1.875, $1,234.56789. There are two forms of it:

- `usd`, exact: every digit kept, never an exponent, never rounded ($0.0208333333333333). Used for
  every listed price (a price is what OpenRouter bills: it is never cut) and wherever a user may
  check a bill against it.
- `usd_short`, readable: at most 4 significant digits (still at least two decimals) and "≈" in front
  when digits were dropped ($1.875, ≈$0.02083, ≈$1,234.57). Used for computed workload costs in
  tables, figures and charts; the exact value is always one click away (CSV and JSON exports, the
  exact form in details).

`price_text` writes a listed price in its field's display unit ($/1M tokens for per-token fields).
`plain_decimal` is the exports' form: the exact number alone, no `$`, no separators ("0.02083...").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from catalog.pricing.fields import display_unit

SHORT_DIGITS = 4
NO_AMOUNT = "—"  # no number to show (variable, not listed, not priced)
# Wide enough for any product of a price (at most 60 digits) and a count: nothing is ever rounded.
_PLAIN = Context(prec=200, rounding=ROUND_HALF_UP)


def usd(value: Decimal | None) -> str:
    """Exact dollars: "$1,234.56789", "$0.10", "$0.00"; None is NO_AMOUNT."""
    if value is None:
        return NO_AMOUNT
    return _dollars(plain_decimal(value))


def usd_short(value: Decimal | None) -> str:
    """Readable dollars: 4 significant digits, at least two decimals, "≈" when digits were dropped."""
    if value is None:
        return NO_AMOUNT
    if value == 0:
        return "$0.00"
    places = max(2, SHORT_DIGITS - value.adjusted() - 1)
    with localcontext(_PLAIN):
        rounded = value.quantize(Decimal(1).scaleb(-places))
    text = _dollars(plain_decimal(rounded))
    return text if rounded == value else f"≈{text}"


def price_text(
    name: str, price: Decimal | str | None, token_priced: bool = True, *, unit: bool = False
) -> str:
    """A listed price of field `name` in its display unit, exact: "$0.45" (or "$0.45/1M tokens" with
    `unit`); NO_AMOUNT when not listed; "variable" and "unreadable" as they are."""
    if price is None:
        return NO_AMOUNT
    if isinstance(price, str):
        return price
    shown_unit, factor = display_unit(name, token_priced)
    with localcontext(_PLAIN):
        text = usd(price * factor)
    return f"{text}{shown_unit.removeprefix('$')}" if unit else text


def plain_decimal(value: Decimal) -> str:
    """The exact number as plain text: no exponent, no trailing zeros ("0.00000045", "2", "0")."""
    with localcontext(_PLAIN):
        text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def per_million(value: Decimal) -> Decimal:
    """A per-token amount as the amount per 1M tokens, exactly."""
    with localcontext(_PLAIN):
        return value * 1_000_000


def _dollars(plain: str) -> str:
    sign, digits = ("-", plain[1:]) if plain.startswith("-") else ("", plain)
    whole, _, fraction = digits.partition(".")
    return f"{sign}${int(whole):,}.{fraction.ljust(2, '0')}"
