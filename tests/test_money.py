"""Money as text: the exact form keeps every digit; the short form says when it rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.pricing.money import plain_decimal, price_text, usd, usd_short


@pytest.mark.parametrize(
    ("value", "exact", "short"),
    [
        ("0", "$0.00", "$0.00"),
        ("0.1", "$0.10", "$0.10"),
        ("3.2", "$3.20", "$3.20"),
        ("1.875", "$1.875", "$1.875"),
        ("0.0208333333333333", "$0.0208333333333333", "≈$0.02083"),
        ("0.010125", "$0.010125", "≈$0.01013"),
        ("0.0006", "$0.0006", "$0.0006"),
        ("1234.56789", "$1,234.56789", "≈$1,234.57"),
        ("360000", "$360,000.00", "$360,000.00"),
        ("1E-8", "$0.00000001", "$0.00000001"),
        ("2.50000", "$2.50", "$2.50"),
    ],
)
def test_exact_and_short_dollars(value: str, exact: str, short: str) -> None:
    assert usd(Decimal(value)) == exact
    assert usd_short(Decimal(value)) == short


def test_no_amount_is_a_dash() -> None:
    assert usd(None) == usd_short(None) == "—"


def test_negative_amounts_put_the_sign_first() -> None:
    assert usd(Decimal("-0.5")) == "-$0.50"


def test_plain_decimal_has_no_exponent_and_no_trailing_zeros() -> None:
    assert plain_decimal(Decimal("1E+2")) == "100"
    assert plain_decimal(Decimal("0.00E-5")) == "0"
    assert plain_decimal(Decimal("4.5E-7")) == "0.00000045"


def test_a_listed_price_is_shown_in_its_fields_unit() -> None:
    assert price_text("prompt", Decimal("0.00000045")) == "$0.45"
    assert price_text("prompt", Decimal("0.00000045"), unit=True) == "$0.45/1M tokens"
    assert price_text("request", Decimal("0.005"), unit=True) == "$0.005/request"
    assert price_text("prompt", Decimal("0.006"), token_priced=False, unit=True) == "$0.006/unit"
    assert price_text("prompt", "variable") == "variable"
    assert price_text("prompt", None) == "—"
