"""The page's calculator: presets and the workload in the URL, $/day, $/month, the budget and the CSV."""

from __future__ import annotations

from decimal import Decimal

from catalog.pricing.calculator import (
    PRESETS,
    calculator_csv,
    calculator_frame,
    preset_of,
    workload_from_params,
    workload_to_params,
)
from catalog.pricing.cost import Workload, cheapest_with_cost
from tests.payloads import frame_of, model

D = Decimal


def test_presets_round_trip_through_the_url():
    for name, preset in PRESETS.items():
        assert workload_from_params(workload_to_params(preset), PRESETS["Chat"]) == preset
        assert preset_of(preset) == name
    assert preset_of(Workload(1, 1)) == "Custom"
    assert PRESETS["RAG with 80% cached input"].cached_input_tokens == 16_000


def test_unreadable_url_values_keep_the_default():
    default = PRESETS["Chat"]
    params = {"w_in": "lots", "w_out": "-5", "w_req": "2,000", "w_cached": ["3", "7"]}
    expected = Workload(1_500, 400, cached_input_tokens=7, requests=2_000)
    assert workload_from_params(params, default) == expected
    assert workload_from_params({"w_cached": "99999"}, default) == default  # more cached than input


def test_calculator_frame_has_day_month_and_budget():
    frame = frame_of(model("a/cheap", "0.000001", "0.000002"), model("b/dear", "0.00001", "0.00002"))
    table = calculator_frame(frame, Workload(1000, 500, requests=1000), budget_usd_per_month=100)
    # a/cheap: 0.002 a request, 2 a day, 60 a month; b/dear: 0.02, 20, 600
    assert table["cost_per_month_usd"].tolist() == [D("60"), D("600")]
    assert table["per_day_usd"].tolist() == [2.0, 20.0]
    assert table["fits_budget"].tolist() == [True, False]
    assert cheapest_with_cost(table, 1)["id"].tolist() == ["a/cheap"]
    csv = calculator_csv(table).decode()
    assert csv.splitlines()[1].startswith("a/cheap,A: cheap,0.002,2,60,True")
