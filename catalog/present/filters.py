"""The explorer's filters and sort: applied to a models frame, and carried in the page's URL."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from catalog.fetch.cells import LIST_SEPARATOR
from catalog.fetch.scores import supports_effort
from catalog.pricing.comparable import has_comparable_price

EXPIRY_WINDOW = timedelta(days=30)

# Parameter -> what a user calls it. One the API adds later is shown by its name in words.
CAPABILITY_LABELS = {
    "tools": "Tool calling",
    "tool_choice": "Tool choice",
    "parallel_tool_calls": "Parallel tool calls",
    "reasoning": "Reasoning",
    "include_reasoning": "Reasoning output",
    "reasoning_effort": "Reasoning effort",
    "structured_outputs": "Structured outputs",
    "response_format": "JSON mode",
    "web_search_options": "Web search",
    "logprobs": "Log probabilities",
    "top_logprobs": "Top log probabilities",
    "seed": "Seed",
    "max_tokens": "Max tokens",
    "max_completion_tokens": "Max completion tokens",
    "temperature": "Temperature",
    "top_p": "Top-p sampling",
    "top_k": "Top-k sampling",
    "top_a": "Top-a sampling",
    "min_p": "Min-p sampling",
    "stop": "Stop sequences",
    "frequency_penalty": "Frequency penalty",
    "presence_penalty": "Presence penalty",
    "repetition_penalty": "Repetition penalty",
    "logit_bias": "Logit bias",
    "verbosity": "Verbosity",
    "prediction": "Predicted output",
}

SORTS = {
    "newest": ("created", False),
    "input_price": ("prompt_per_mtok", True),
    "output_price": ("completion_per_mtok", True),
    "context": ("context_length", False),
    "name": ("name", True),
    "intelligence": ("intelligence_index", False),
    "coding": ("coding_index", False),
    "agentic": ("agentic_index", False),
}
SORT_LABELS = {
    "newest": "Newest first",
    "input_price": "Cheapest input",
    "output_price": "Cheapest output",
    "context": "Longest context",
    "name": "Name",
    "intelligence": "Highest intelligence index",
    "coding": "Highest coding index",
    "agentic": "Highest agentic index",
}
# The reasoning filter: its values and what a user calls them ("" lets every model through).
REASONING_CHOICES = {
    "": "Any model",
    "reasons": "Reasons",
    "optional": "Reasoning can be turned off",
}


@dataclass(frozen=True)
class Filters:
    """Every filter of the explorer; the defaults select every model."""

    search: str = ""
    authors: tuple[str, ...] = ()  # who made the model: the id's prefix (`provider` column)
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    min_context: int = 0
    max_prompt_per_mtok: float | None = None
    max_completion_per_mtok: float | None = None
    free_only: bool = False
    hide_variable: bool = False
    capabilities: tuple[str, ...] = ()
    hide_expiring: bool = False
    watched: tuple[str, ...] | None = None  # only these model ids (the page's watched models); None: any
    min_intelligence: float | None = None  # minimum Artificial Analysis indexes: a model without
    min_coding: float | None = None  # the index does not pass
    min_agentic: float | None = None
    reasoning: str = ""  # a REASONING_CHOICES key
    effort: str = ""  # a reasoning effort the model must accept (one of EFFORTS), or ""
    sort: str = "newest"

    def is_default(self) -> bool:
        return self == Filters()

    def active_count(self) -> int:
        """How many filters narrow the view (the sort is not a filter)."""
        return sum(getattr(self, f.name) != f.default for f in fields(self) if f.name != "sort")


# Minimum-index filter -> its column.
MIN_INDEX_COLUMNS = {
    "min_intelligence": "intelligence_index",
    "min_coding": "coding_index",
    "min_agentic": "agentic_index",
}


def apply_filters(frame: pd.DataFrame, filters: Filters, now: datetime | None = None) -> pd.DataFrame:
    """The rows of `frame` that pass every filter, in the chosen sort order."""
    keep = np.ones(len(frame), dtype=bool)
    if filters.search.strip():
        needle = filters.search.strip().lower()
        text = (
            frame["id"].str.lower()
            + "\n"
            + frame["name"].str.lower()
            + "\n"
            + frame["description"].str.lower()
        )
        keep &= text.str.contains(needle, regex=False).fillna(False).to_numpy(bool)
    if filters.authors:
        keep &= frame["provider"].isin(filters.authors).to_numpy(bool)
    for column, wanted in (
        ("input_modalities", filters.input_modalities),
        ("output_modalities", filters.output_modalities),
        ("supported_parameters", filters.capabilities),
    ):
        if wanted:
            keep &= _has_all(frame[column], wanted)
    if filters.min_context > 0:
        keep &= (frame["context_length"].fillna(0) >= filters.min_context).to_numpy(bool)
    for column, limit in (
        ("prompt_per_mtok", filters.max_prompt_per_mtok),
        ("completion_per_mtok", filters.max_completion_per_mtok),
    ):
        if limit is not None:
            # A price limit only admits models with a known per-token price under it.
            keep &= has_comparable_price(frame) & (frame[column] <= limit).fillna(False).to_numpy(bool)
    if filters.free_only:
        keep &= frame["is_free"].to_numpy(bool)
    if filters.hide_variable:
        keep &= ~frame["variable_pricing"].to_numpy(bool)
    for name, column in MIN_INDEX_COLUMNS.items():
        minimum = getattr(filters, name)
        if minimum is not None:
            keep &= (frame[column] >= minimum).fillna(False).to_numpy(bool)
    if filters.reasoning or filters.effort:
        keep &= frame["reasoning_mandatory"].notna().to_numpy(bool)  # set for every model that reasons
    if filters.reasoning == "optional":
        keep &= (~frame["reasoning_mandatory"]).fillna(False).to_numpy(bool)
    if filters.effort:
        keep &= np.fromiter(
            (supports_effort(cell, filters.effort) for cell in frame["reasoning_efforts"].astype(object)),
            dtype=bool,
            count=len(frame),
        )
    if filters.hide_expiring:
        now = now or datetime.now(UTC)
        expires = frame["expiration_date"]
        keep &= ~((expires.notna()) & (expires <= now + EXPIRY_WINDOW)).to_numpy(bool)
    if filters.watched is not None:
        keep &= frame["id"].isin(filters.watched).to_numpy(bool)
    result = frame[keep] if not keep.all() else frame
    return sort_models(result, filters.sort)


def sort_models(frame: pd.DataFrame, sort: str) -> pd.DataFrame:
    """`frame` in the chosen order; models OpenRouter no longer lists (see `is_removed`) always last."""
    column, ascending = SORTS.get(sort, SORTS["newest"])
    ids = frame["id"].to_numpy(dtype=object)
    if column in ("prompt_per_mtok", "completion_per_mtok"):
        # Variable and non-token prices are not comparable: they go last.
        comparable = frame[column].where(has_comparable_price(frame))
        order = comparable.to_numpy(dtype=float, na_value=np.nan)
        positions = np.lexsort((ids, order, is_removed(frame)))
        return frame.iloc[positions]
    ordered = frame.sort_values(
        [column, "id"], ascending=[ascending, True], na_position="last", kind="stable"
    )
    return ordered.iloc[np.argsort(is_removed(ordered), kind="stable")]


def is_removed(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of removed models appended to the catalog (status "removed on DATE")."""
    if "status" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["status"].fillna("").str.startswith("removed").to_numpy(bool)


def options(frame: pd.DataFrame, column: str) -> list[str]:
    """The distinct values of a list-like text column (modalities, parameters), sorted."""
    values: set[str] = set()
    for cell in frame[column].dropna().unique():
        values.update(v for v in str(cell).split(LIST_SEPARATOR) if v)
    return sorted(values)


def capability_label(parameter: str) -> str:
    return CAPABILITY_LABELS.get(parameter) or parameter.replace("_", " ").capitalize()


def _has_all(column: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    # Cells are "a, b, c": pad with separators so "tools" never matches "tool_choice".
    padded = LIST_SEPARATOR + column.fillna("") + ","
    keep = np.ones(len(column), dtype=bool)
    for value in wanted:
        keep &= padded.str.contains(LIST_SEPARATOR + value + ",", regex=False).to_numpy(bool)
    return keep
