"""The change history as the page, the feed and the CLI show it: price steps for a chart, the biggest
moves first, the export's columns, and what moved in one event, in words.

The events and price series come from `catalog.history.view.History`.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd

from catalog.history.view import SERIES_COLUMNS
from catalog.pricing.fields import VARIABLE
from catalog.pricing.money import usd

EXPORT_COLUMNS = ["change", "id", "name", "at", "field", "unit", "old", "new", "change_pct"]


def chart_steps(series: pd.DataFrame) -> pd.DataFrame:
    """A price series ready for a step chart: gaps (not listed, variable) split a field's line into
    `segment`s, and each segment ends at the gap with the price it held until then."""
    rows = []
    for field, part in series.sort_values("at", kind="stable").groupby("field", sort=True):
        segment, last = 0, None
        for point in part.itertuples(index=False):
            if math.isnan(point.price):
                if last is not None:
                    rows.append((point.at, field, point.unit, last.price, last.price_exact, segment))
                    segment, last = segment + 1, None
                continue
            rows.append((point.at, field, point.unit, point.price, point.price_exact, segment))
            last = point
    frame = pd.DataFrame(rows, columns=[*SERIES_COLUMNS, "segment"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


HEADLINE_FIELDS = ("prompt", "completion")  # the prices that rank "biggest moves"


def sort_by_move(events: pd.DataFrame) -> pd.DataFrame:
    """Biggest price moves first: input and output prices by their relative change (|%|), then other
    price fields by theirs, then prices newly listed or turned variable (no % to rank by), then the
    other changes; newest first within each."""
    repriced = events["change"].isin(["repriced", "provider_repriced"])
    pct = events["change_pct"].abs()
    rank = pd.Series(3, index=events.index)
    rank = rank.mask(repriced & pct.isna(), 2)
    rank = rank.mask(repriced & pct.notna(), 1)
    rank = rank.mask(repriced & pct.notna() & events["field"].isin(HEADLINE_FIELDS), 0)
    order = pd.DataFrame({"rank": rank, "pct": pct.fillna(0), "at": events["at"]}).sort_values(
        ["rank", "pct", "at"], ascending=[True, False, False], kind="stable"
    )
    return events.loc[order.index].reset_index(drop=True)


def changes_export_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The events as exported (CSV, JSON): old and new as exact decimals in the row's unit."""
    out = events[["change", "id", "name", "at", "field", "unit", "old_exact", "new_exact", "change_pct"]]
    return out.rename(columns={"old_exact": "old", "new_exact": "new"})[EXPORT_COLUMNS]


def change_detail(row: Any) -> str:
    """What moved in one event row: "prompt ($/1M tokens): $2.50 -> $3.00 (+20.0%)", "price tiers
    changed", "intelligence_index: 61 -> 64" or ""."""
    if row.change in ("repriced", "provider_repriced"):
        pct = "" if math.isnan(row.change_pct) else f" ({row.change_pct:+.1f}%)"
        return f"{row.field} ({row.unit}): {_money(row.old_exact)} -> {_money(row.new_exact)}{pct}"
    if row.change == "retiered":
        return "price tiers changed"
    if row.change == "rescored":
        return f"{row.field}: {row.old_exact} -> {row.new_exact}"
    return ""


def _money(exact: str) -> str:
    return usd(Decimal(exact)) if exact and exact != VARIABLE else exact or "—"
