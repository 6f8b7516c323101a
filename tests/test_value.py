"""Value for money: frontiers worked out by hand (tests/payloads.value_catalog's docstring has the costs)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pandas as pd
import pytest

from catalog.cli.tables import value_text
from catalog.errors import CatalogError
from catalog.fetch.normalize import normalize_models
from catalog.pricing.cost import Workload
from catalog.pricing.money import plain_decimal
from catalog.pricing.value import cheapest_scoring, export_value, frontier_flags, value_table
from tests import payloads

SHORT = Workload(input_tokens=2_000, output_tokens=500)
LONG = Workload(input_tokens=120_000, output_tokens=500)  # past acme/long's 100,000-token tier


@pytest.fixture
def models() -> pd.DataFrame:
    return normalize_models(payloads.value_catalog()["data"]).frame


def listed(value_frame: pd.DataFrame) -> list[tuple[str, str, float, bool]]:
    return [
        (row.id, plain_decimal(row.cost_usd), row.index, row.on_frontier)
        for row in value_frame.itertuples(index=False)
    ]


# -- the frontier rule on bare points ------------------------------------------------------------


def test_a_point_is_off_when_another_is_as_cheap_and_better_or_cheaper_and_as_good() -> None:
    costs = [Decimal("1"), Decimal("2"), Decimal("2"), Decimal("3"), Decimal("1")]
    scores = [10.0, 20.0, 15.0, 20.0, 5.0]
    # (2, 15): (2, 20) is as cheap and better. (3, 20): (2, 20) is cheaper and as good.
    # (1, 5): (1, 10) is as cheap and better.
    assert frontier_flags(costs, scores) == [True, True, False, False, False]


def test_exact_ties_are_all_on_the_frontier() -> None:
    assert frontier_flags([Decimal("0.5")] * 3, [7.0, 7.0, 7.0]) == [True, True, True]
    assert frontier_flags([0, 1, 1], [3.0, 9.0, 9.0]) == [True, True, True]


def test_a_free_point_is_on_the_frontier_and_shadows_what_costs_more_for_no_more() -> None:
    assert frontier_flags([Decimal(0), Decimal("0.01"), Decimal("0.02")], [30.0, 30.0, 31.0]) == [
        True,
        False,
        True,
    ]


def test_no_points_no_frontier() -> None:
    assert frontier_flags([], []) == []
    with pytest.raises(ValueError, match="differ in length"):
        frontier_flags([1], [])


# -- the value table of a catalog ----------------------------------------------------------------


def test_short_prompt_lists_exact_costs_cheapest_first_with_the_frontier(models: pd.DataFrame) -> None:
    value = value_table(models, SHORT, "intelligence")
    assert listed(value.frame) == [
        ("acme/tiny:free", "0", 20.0, True),
        ("acme/tiny", "0.0004", 20.0, False),  # the free variant is cheaper and as good
        ("acme/mid", "0.004", 40.0, True),
        ("acme/mid-twin", "0.004", 40.0, True),  # an exact tie: both on it
        ("acme/long", "0.008", 55.5, True),
        ("acme/top", "0.0135", 70.2, True),
        ("acme/pricey-dud", "0.02", 35.0, False),
    ]
    assert value.frontier["id"].tolist() == [
        "acme/tiny:free",
        "acme/mid",
        "acme/mid-twin",
        "acme/long",
        "acme/top",
    ]
    # acme/unscored has no index; openrouter/auto (variable) and small-context (2,048 tokens) no cost.
    assert (value.unscored, value.unpriced) == (1, 2)


def test_a_long_context_tier_drops_a_model_off_the_frontier_at_a_long_prompt(models: pd.DataFrame) -> None:
    value = value_table(models, LONG, "intelligence")
    assert listed(value.frame) == [
        ("acme/tiny:free", "0", 20.0, True),
        ("acme/tiny", "0.0122", 20.0, False),
        ("acme/mid", "0.122", 40.0, True),
        ("acme/mid-twin", "0.122", 40.0, True),
        ("acme/top", "0.3675", 70.2, True),
        ("acme/pricey-dud", "0.61", 35.0, False),
        ("acme/long", "2.44", 55.5, False),  # 2,000 input tokens: 0.008; past 100,000 it pays 10x
    ]


def test_another_index_and_models_without_it(models: pd.DataFrame) -> None:
    value = value_table(models, SHORT, "agentic")
    assert listed(value.frame) == [
        ("acme/mid", "0.004", 30.1, True),
        ("acme/long", "0.008", 44.4, True),
        ("acme/top", "0.0135", 61.3, True),
        ("acme/pricey-dud", "0.02", 12.0, False),
    ]
    assert value.unscored == 4  # tiny, tiny:free, mid-twin: null agentic index; unscored: none at all


def test_excluding_free_models_puts_the_cheapest_paid_one_on_the_frontier(models: pd.DataFrame) -> None:
    value = value_table(models, SHORT, "intelligence", exclude_free=True)
    assert listed(value.frame)[0] == ("acme/tiny", "0.0004", 20.0, True)
    assert value.free_left_out == 1 and "acme/tiny:free" not in value.frame["id"].tolist()


def test_requests_scale_every_cost_and_keep_the_frontier(models: pd.DataFrame) -> None:
    value = value_table(
        models, Workload(input_tokens=2_000, output_tokens=500, requests=1_000), "intelligence"
    )
    assert plain_decimal(value.frame.set_index("id").loc["acme/top", "cost_usd"]) == "13.5"
    assert value.frontier["id"].tolist() == [
        "acme/tiny:free",
        "acme/mid",
        "acme/mid-twin",
        "acme/long",
        "acme/top",
    ]


def test_cheapest_model_scoring_at_least(models: pd.DataFrame) -> None:
    value = value_table(models, SHORT, "intelligence")
    assert cheapest_scoring(value, 50)["id"] == "acme/long"
    assert cheapest_scoring(value, 40)["id"] == "acme/mid"
    assert cheapest_scoring(value, 0)["id"] == "acme/tiny:free"
    assert cheapest_scoring(value, 70.3) is None


def test_an_unknown_index_is_a_clear_error(models: pd.DataFrame) -> None:
    with pytest.raises(
        CatalogError, match=r"^unknown index 'speed' \(choose intelligence, coding, agentic\)$"
    ):
        value_table(models, SHORT, "speed")


def test_exports(models: pd.DataFrame) -> None:
    value = value_table(models, SHORT, "intelligence")
    rows = list(csv.DictReader(io.StringIO(export_value(value, "csv").decode("utf-8"), newline="")))
    assert list(rows[0]) == ["id", "name", "cost_usd", "cost_per_request_usd", "index", "on_frontier", "note"]
    assert [(r["id"], r["cost_usd"], r["index"], r["on_frontier"]) for r in rows[:3]] == [
        ("acme/tiny:free", "0", "20.0", "true"),
        ("acme/tiny", "0.0004", "20.0", "false"),
        ("acme/mid", "0.004", "40.0", "true"),
    ]
    records = json.loads(export_value(value, "json"))
    assert records[4] == {
        "id": "acme/long",
        "name": "Acme: long",
        "cost_usd": "0.008",
        "cost_per_request_usd": "0.008",
        "index": 55.5,
        "on_frontier": True,
        "note": None,
    }
    table = value_text(value).splitlines()
    assert table[0].split() == ["model", "workload", "USD", "intelligence", "index", "frontier", "note"]
    assert table[2].split() == ["acme/tiny:free", "$0.00", "20", "*"]
    assert table[3].split() == ["acme/tiny", "$0.0004", "20"]
