"""The text tables the commands print for a person: aligned columns, third-party text escaped."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from catalog.present.changes import change_detail
from catalog.present.terminal import printable
from catalog.pricing.money import usd_short
from catalog.pricing.value import INDEX_LABELS, Value

ID_WIDTH = 60  # a longer model id is cut in the changes table, so the details still line up


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """The header, a rule and the rows, each column as wide as its widest cell (`right`: aligned right)."""
    widths = [max([len(header[i]), *(len(row[i]) for row in rows)]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


def costs_text(costs: pd.DataFrame) -> str:
    """A cost frame for a terminal: rank, id, workload cost, per request, note or reason."""
    rows = []
    for rank, row in enumerate(costs.itertuples(index=False), start=1):
        priced = row.cost_usd is not None
        remark = row.note if priced else row.reason
        rows.append(
            (
                str(rank) if priced else "-",
                printable(str(row.id)),
                usd_short(row.cost_usd),
                usd_short(row.cost_per_request_usd),
                "" if pd.isna(remark) else printable(str(remark)),
            )
        )
    header = ("#", "model", "workload USD", "per request USD", "note")
    return aligned(header, rows, right=(True, False, True, True, False))


def value_text(value: Value) -> str:
    """The value table for a terminal: id, workload cost, index, a star on the frontier, note."""
    rows = [
        (
            printable(str(row.id)),
            usd_short(row.cost_usd),
            f"{row.index:g}",
            "*" if row.on_frontier else "",
            "" if pd.isna(row.note) else printable(str(row.note)),
        )
        for row in value.frame.itertuples(index=False)
    ]
    header = ("model", "workload USD", INDEX_LABELS[value.index].lower(), "frontier", "note")
    return aligned(header, rows, right=(False, True, True, False, False))


def changes_text(events: pd.DataFrame) -> str:
    """One line per change for a terminal: when, what kind, the model's id and what moved."""
    if events.empty:
        return "no changes\n"
    lines = []
    ids = [printable(str(model_id)) for model_id in events["id"]]  # third-party text, for a terminal
    id_width = min(max(len(model_id) for model_id in ids), ID_WIDTH)
    for model_id, row in zip(ids, events.itertuples(index=False), strict=True):
        line = f"{row.at:%Y-%m-%d %H:%M}  {row.change:<8}  {model_id[:ID_WIDTH]:<{id_width}}"
        lines.append(printable(f"{line}  {change_detail(row)}").rstrip())
    return "\n".join(lines) + "\n"
