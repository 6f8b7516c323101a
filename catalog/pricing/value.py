"""Value for money: a benchmark index against the exact cost of a workload, and the frontier of best buys.

A model is on the frontier when no other listed model is at least as cheap and scores higher, or
is cheaper and scores at least as high: exact ties are all on it. Listed are the models that have
a fixed cost for the workload (as `cost_frame` prices it, which also rules out models the workload
does not fit) and a value of the chosen index.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import pandas as pd

from catalog.errors import CatalogError
from catalog.fetch.scores import INDEX_COLUMNS
from catalog.present.export import to_csv_bytes, to_json_bytes
from catalog.pricing.cost import (
    DAYS_PER_MONTH,
    EXACT,
    EXPORT_FORMATS,
    Workload,
    cost_frame,
    costs_export_frame,
)

INDEXES = tuple(INDEX_COLUMNS)  # "intelligence", "coding", "agentic"
INDEX_LABELS = {
    "intelligence": "Intelligence index",
    "coding": "Coding index",
    "agentic": "Agentic index",
}
VALUE_COLUMNS = ["id", "name", "cost_usd", "cost_per_request_usd", "index", "on_frontier", "note"]

__all__ = [
    "EXPORT_FORMATS",
    "INDEXES",
    "INDEX_LABELS",
    "VALUE_COLUMNS",
    "Value",
    "cheapest_scoring",
    "export_value",
    "frontier_flags",
    "per_month_frame",
    "value_table",
]


@dataclass(frozen=True)
class Value:
    """The listed models, cheapest first, and how many were left out and why."""

    frame: pd.DataFrame  # VALUE_COLUMNS; cost_usd and cost_per_request_usd exact Decimals
    index: str
    unscored: int  # priced and fitting, but without a value of the index
    unpriced: int  # no fixed cost for the workload (variable price, not per token, does not fit, ...)
    free_left_out: int = 0

    @property
    def frontier(self) -> pd.DataFrame:
        """The frontier's models, cheapest first: the best score each budget buys."""
        return self.frame[self.frame["on_frontier"]].reset_index(drop=True)


def frontier_flags(costs: Sequence[Decimal | float], scores: Sequence[float]) -> list[bool]:
    """For each (cost, score), whether no other point is at least as cheap and scores higher, or is
    cheaper and scores at least as high."""
    if len(costs) != len(scores):
        raise ValueError("costs and scores differ in length")
    order = sorted(range(len(costs)), key=lambda i: costs[i])
    flags = [False] * len(costs)
    best_cheaper = -math.inf  # the best score of every strictly cheaper point
    start = 0
    while start < len(order):
        end = start
        while end < len(order) and costs[order[end]] == costs[order[start]]:
            end += 1
        group = order[start:end]  # the points of one cost
        best_here = max(scores[i] for i in group)
        for i in group:
            flags[i] = scores[i] == best_here and scores[i] > best_cheaper
        best_cheaper = max(best_cheaper, best_here)
        start = end
    return flags


def value_table(
    models: pd.DataFrame,
    workload: Workload,
    index: str,
    *,
    utc_time: int | None = None,
    exclude_free: bool = False,
) -> Value:
    """Each listed model's exact workload cost and index, cheapest first (a tie: higher index first)."""
    if index not in INDEX_COLUMNS:
        raise CatalogError(f"unknown index {index!r} (choose {', '.join(INDEXES)})")
    costs = cost_frame(models, workload, utc_time=utc_time)
    column = INDEX_COLUMNS[index]
    scores = dict(zip(models["id"].tolist(), models[column].tolist(), strict=True))
    free = set(models.loc[models["is_free"], "id"].tolist()) if exclude_free else set()
    priced = costs[costs["cost_usd"].notna()]
    unpriced = len(costs) - len(priced)
    rows: list[tuple[Any, ...]] = []
    unscored = free_left_out = 0
    for model_id, name, total, per_request, note in zip(
        priced["id"],
        priced["name"],
        priced["cost_usd"],
        priced["cost_per_request_usd"],
        priced["note"],
        strict=True,
    ):
        score = scores.get(model_id)
        if score is None or math.isnan(score):
            unscored += 1
        elif model_id in free:
            free_left_out += 1
        else:
            rows.append((model_id, name, total, per_request, float(score), False, note))
    rows.sort(key=lambda row: (row[2], -row[4], str(row[0])))
    flags = frontier_flags([row[2] for row in rows], [row[4] for row in rows])
    frame = pd.DataFrame(
        [(*row[:5], flag, row[6]) for row, flag in zip(rows, flags, strict=True)], columns=VALUE_COLUMNS
    )
    for name in ("id", "name", "note"):
        frame[name] = frame[name].astype("string")
    frame["index"] = frame["index"].astype("float64")
    frame["on_frontier"] = frame["on_frontier"].astype(bool)
    return Value(frame, index, unscored, unpriced, free_left_out)


def per_month_frame(value: Value, days_per_month: int = DAYS_PER_MONTH) -> pd.DataFrame:
    """The listed models for the page, whose workload is a day's: cost_per_month_usd (exact),
    per_month_usd (a float, for charts and tables), index and on_frontier, cheapest first."""
    frame = value.frame
    with localcontext(EXACT):
        per_month = [total * days_per_month for total in frame["cost_usd"]]
    return pd.DataFrame(
        {
            "id": frame["id"],
            "name": frame["name"],
            "cost_per_month_usd": pd.Series(per_month, index=frame.index, dtype=object),
            "per_month_usd": pd.Series([float(c) for c in per_month], index=frame.index, dtype="float64"),
            "index": frame["index"],
            "on_frontier": frame["on_frontier"],
            "note": frame["note"],
        }
    )


def cheapest_scoring(value: Value, minimum: float) -> pd.Series | None:
    """The cheapest listed model whose index is at least `minimum` (on a cost tie, the best score)."""
    good = value.frame[value.frame["index"] >= minimum]
    return None if good.empty else good.iloc[0]


def export_value(value: Value, fmt: str) -> bytes:
    """The value table as "csv" (on_frontier as true/false) or "json"."""
    exact = costs_export_frame(value.frame)  # costs as exact plain decimal strings
    if fmt == "csv":
        exact["on_frontier"] = exact["on_frontier"].map({True: "true", False: "false"}).astype("string")
        return to_csv_bytes(exact)
    if fmt == "json":
        return to_json_bytes(exact)
    raise ValueError(f"unknown value format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")
