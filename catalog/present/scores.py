"""A model's scores and reasoning in words, for Compare and the details panel."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from catalog.fetch.scores import INDEX_COLUMNS, efforts_list

INDEX_LABELS = {column: f"{name.capitalize()} index" for name, column in INDEX_COLUMNS.items()}


def score_summary(model: Mapping[str, Any]) -> dict[str, str]:
    """Label -> text of a normalized row's indexes, best arena Elo and reasoning ("—" where none)."""
    summary = {label: _number(model.get(column)) for column, label in INDEX_LABELS.items()}
    elo = model.get("design_arena_elo")
    where = model.get("design_arena_category")
    summary["Best Design Arena Elo"] = "—" if _missing(elo) else f"{elo:g} ({where})"
    summary["Reasoning"] = reasoning_text(
        model.get("reasoning_mandatory"), model.get("reasoning_default_enabled")
    )
    efforts = efforts_list(
        None if _missing(model.get("reasoning_efforts")) else model.get("reasoning_efforts")
    )
    summary["Reasoning efforts"] = "—" if efforts is None else ", ".join(efforts) or "any"
    default_effort = model.get("reasoning_default_effort")
    summary["Default effort"] = "—" if _missing(default_effort) else str(default_effort)
    return summary


def reasoning_text(mandatory: Any, default_enabled: Any) -> str:
    """How a model reasons, in words."""
    if _missing(mandatory):
        return "no"
    if mandatory:
        return "always (cannot be turned off)"
    if _missing(default_enabled):
        return "yes, can be turned off"
    return f"yes, {'on' if default_enabled else 'off'} by default, can be turned off"


def arena_rows(raw_json: str) -> pd.DataFrame:
    """Every Design Arena result of one model, best Elo first: arena/category, Elo, rank, win rate."""
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        raw = None
    benchmarks = raw.get("benchmarks") if isinstance(raw, dict) else None
    arenas = benchmarks.get("design_arena") if isinstance(benchmarks, dict) else None
    rows = []
    for entry in arenas if isinstance(arenas, list) else []:
        if not isinstance(entry, dict) or not _is_number(entry.get("elo")):
            continue
        rows.append(
            {
                "Arena": f"{_label(entry.get('arena'))}/{_label(entry.get('category'))}",
                "Elo": f"{entry['elo']:g}",
                "Rank": f"{entry['rank']:g}" if _is_number(entry.get("rank")) else "—",
                "Win rate": f"{entry['win_rate']:g}%" if _is_number(entry.get("win_rate")) else "—",
                "_elo": float(entry["elo"]),
            }
        )
    frame = pd.DataFrame(rows, columns=["Arena", "Elo", "Rank", "Win rate", "_elo"])
    frame = frame.sort_values(["_elo", "Arena"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_elo").reset_index(drop=True)


def _number(value: Any) -> str:
    return "—" if _missing(value) else f"{value:g}"


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and pd.notna(value)


def _label(value: Any) -> str:
    return value if isinstance(value, str) and value else "?"
