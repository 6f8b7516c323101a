"""The page's cost calculator: workload presets, the workload in URL query values, and the table
of $/request, $/day and $/month per model with its CSV."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal, localcontext
from typing import Any

import pandas as pd

from catalog.present.export import to_csv_bytes
from catalog.pricing.cost import DAYS_PER_MONTH, EXACT, InvalidWorkload, Workload, cost_frame
from catalog.pricing.money import plain_decimal

MAX_URL_COUNT = 10**12  # tokens, images, searches or requests: beyond this a link is a typo or a probe
MAX_URL_BUDGET_USD = 1e12
CALCULATOR_EXPORT_COLUMNS = [
    "id",
    "name",
    "cost_per_request_usd",
    "cost_per_day_usd",
    "cost_per_month_usd",
    "fits_budget",
    "tier_min_prompt_tokens",
    "utc_window",
    "note",
    "reason",
]
PRESETS: dict[str, Workload] = {
    "Chat": Workload(input_tokens=1_500, output_tokens=400, requests=1_000),
    "RAG with 80% cached input": Workload(
        input_tokens=20_000, output_tokens=500, cached_input_tokens=16_000, requests=1_000
    ),
    "Agent with reasoning": Workload(
        input_tokens=30_000,
        output_tokens=3_000,
        cached_input_tokens=15_000,
        reasoning_tokens=2_000,
        requests=500,
    ),
    "Long context (250k prompt)": Workload(input_tokens=250_000, output_tokens=1_000, requests=50),
}
CUSTOM_PRESET = "Custom"
# URL query keys of the page's workload (w_ prefix): Workload field -> key.
WORKLOAD_PARAMS = {
    "input_tokens": "w_in",
    "output_tokens": "w_out",
    "cached_input_tokens": "w_cached",
    "reasoning_tokens": "w_reason",
    "cache_write_tokens": "w_write",
    "images": "w_img",
    "web_searches": "w_search",
    "requests": "w_req",
}


def calculator_frame(
    models: pd.DataFrame,
    workload: Workload,
    *,
    utc_time: int | None = None,
    budget_usd_per_month: float | Decimal | None = None,
    days_per_month: int = DAYS_PER_MONTH,
) -> pd.DataFrame:
    """The page's table: `workload.requests` is requests per day; $/request, $/day, $/month (floats
    for display, from the exact values), and whether each model fits the monthly budget."""
    costs = cost_frame(models, workload, utc_time=utc_time)
    budget = Decimal(str(budget_usd_per_month)) if budget_usd_per_month else None
    with localcontext(EXACT):
        per_month = [None if c is None else c * days_per_month for c in costs["cost_usd"]]
    out = costs.rename(columns={"cost_usd": "cost_per_day_usd"})
    out.insert(3, "cost_per_month_usd", pd.Series(per_month, index=out.index, dtype=object))
    for exact, shown in (
        ("cost_per_request_usd", "per_request_usd"),
        ("cost_per_day_usd", "per_day_usd"),
        ("cost_per_month_usd", "per_month_usd"),
    ):
        out[shown] = pd.array([None if c is None else float(c) for c in out[exact]], dtype="Float64")
    out["fits_budget"] = pd.array(
        [None if c is None or budget is None else c <= budget for c in per_month], dtype="boolean"
    )
    return out


def calculator_csv(calculator: pd.DataFrame) -> bytes:
    """The calculator table as formula-safe CSV, each cost its exact plain decimal string."""
    out = calculator[CALCULATOR_EXPORT_COLUMNS].copy()
    for column in ("cost_per_request_usd", "cost_per_day_usd", "cost_per_month_usd"):
        out[column] = pd.array([plain_decimal(value) for value in calculator[column]], dtype="string")
    return to_csv_bytes(out)


def workload_from_params(
    params: Mapping[str, Any], default: Workload, ignored: list[str] | None = None
) -> Workload:
    """A workload from URL query values (w_in, w_out, ...); each missing or unreadable one keeps `default`.

    Each value given but not used is added to `ignored` as "key=value", for the page to name.
    """
    values = asdict(default)
    given: list[str] = []
    for name, key in WORKLOAD_PARAMS.items():
        text = _last(params.get(key))
        if text is None:
            continue
        given.append(f"{key}={text}")
        try:
            number = int(str(text).strip().replace(",", "").replace("_", ""))
        except ValueError:
            number = -1
        if 0 <= number <= MAX_URL_COUNT:
            values[name] = number
        elif ignored is not None:
            ignored.append(given.pop())
    try:
        return Workload(**values)
    except InvalidWorkload:
        if ignored is not None:
            ignored.extend(given)  # they contradict each other (more cached than input tokens)
        return default


def budget_from_params(params: Mapping[str, Any], key: str, ignored: list[str] | None = None) -> float:
    """A monthly budget in $ from the URL: a finite number >= 0; 0 (none) when absent or unusable."""
    text = _last(params.get(key))
    if text is None or not str(text).strip():
        return 0.0
    try:
        budget = float(str(text).strip())
    except ValueError:
        budget = math.nan
    if math.isfinite(budget) and 0 <= budget <= MAX_URL_BUDGET_USD:
        return budget
    if ignored is not None:
        ignored.append(f"{key}={text}")  # "nan", "inf", "-5" or junk
    return 0.0


def _last(value: Any) -> Any:
    """A query value; the last one when the key is repeated."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def workload_to_params(workload: Workload) -> dict[str, str]:
    return {key: str(getattr(workload, name)) for name, key in WORKLOAD_PARAMS.items()}


def preset_of(workload: Workload) -> str:
    """The preset name this workload equals, else CUSTOM_PRESET."""
    return next((name for name, preset in PRESETS.items() if preset == workload), CUSTOM_PRESET)
