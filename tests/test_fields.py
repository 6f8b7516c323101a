"""The price fields and how one listed value reads: exact, "-1" variable, anything else no price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.fetch.columns import COLUMNS
from catalog.pricing.fields import (
    PRICE_FIELDS,
    VARIABLE,
    display_unit,
    field_label,
    is_variable_price,
    read_price,
)


def test_every_price_field_has_a_column_of_the_normalized_frame() -> None:
    assert all(field.column in COLUMNS for field in PRICE_FIELDS.values())
    assert all(field.column.endswith("_per_mtok") == field.per_token for field in PRICE_FIELDS.values())


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("0.0000025", Decimal("0.0000025")),
        (" 0.5 ", Decimal("0.5")),
        (0.5, Decimal("0.5")),
        ("0", Decimal(0)),
        ("-1", VARIABLE),
        (-1, VARIABLE),
        (None, None),
    ],
)
def test_a_listed_value_reads_exactly(value: object, read: object) -> None:
    assert read_price(value) == read


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-2", "negative price -2"),
        ("abc", "'abc' is not a number"),
        ("NaN", "'NaN' is not a finite price"),
        ("1e400", "'1e400' is out of range"),
        (True, "True is not a price"),
        ([1], "list is not a price"),
    ],
)
def test_anything_else_is_no_price(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(")):
        read_price(value)
    assert not is_variable_price(value)


def test_units_and_labels() -> None:
    assert display_unit("prompt") == ("$/1M tokens", Decimal(1_000_000))
    assert display_unit("prompt", token_priced=False) == ("$/unit", Decimal(1))
    assert display_unit("web_search") == ("$/search", Decimal(1))
    assert display_unit("brand_new") == ("$/unit", Decimal(1))
    assert field_label("input_cache_read") == "Cache read"
    assert field_label("brand_new") == "brand_new"
