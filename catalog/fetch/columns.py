"""The normalized model frame: its columns in order, their types, and rows -> the typed frame.

A model's row is a `ModelRow`, a NamedTuple: code reads its cells by name (`row.raw_json`), and the
frame is still built by transposing the tuples in C (`zip(*rows)`), one conversion per column.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from catalog.fetch.scores import REASONING_COLUMNS, SCORE_COLUMNS
from catalog.pricing.fields import PRICE_COLUMNS

STRING_COLUMNS = [
    "id",
    "name",
    "provider",
    "variant",
    "canonical_slug",
    "modality",
    "input_modalities",
    "output_modalities",
    "supported_parameters",
    "tokenizer",
    "knowledge_cutoff",
    "description",
    "url",
    "raw_json",
    "design_arena_category",
    "reasoning_default_effort",
    "reasoning_efforts",
]
INT_COLUMNS = ["context_length", "max_completion_tokens"]
BOOL_COLUMNS = ["is_free", "variable_pricing", "token_priced", "has_tiers", "has_time_windows"]
NULLABLE_BOOL_COLUMNS = ["is_moderated", "reasoning_mandatory", "reasoning_default_enabled"]
COLUMNS = [
    "id",
    "name",
    "provider",
    "variant",
    "canonical_slug",
    "created",
    "context_length",
    "max_completion_tokens",
    "modality",
    "input_modalities",
    "output_modalities",
    "supported_parameters",
    *PRICE_COLUMNS,
    "discount",
    "is_free",
    "variable_pricing",
    "token_priced",
    "has_tiers",
    "has_time_windows",
    "is_moderated",
    *SCORE_COLUMNS,
    *REASONING_COLUMNS,
    "tokenizer",
    "knowledge_cutoff",
    "expiration_date",
    "description",
    "url",
    "raw_json",
]

# One model's cells, by column name; its order is COLUMNS'.
ModelRow = NamedTuple("ModelRow", [(column, Any) for column in COLUMNS])  # type: ignore[misc]


def build_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The typed frame for normalized rows; an empty list gives an empty frame with every column."""
    values = operator.itemgetter(*COLUMNS)
    return typed_frame([values(row) for row in rows])


def typed_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """The typed frame of rows (`ModelRow`s, or plain tuples in COLUMNS order)."""
    # zip transposes in C; each column is then converted in one call (no per-cell pandas work).
    columns = zip(*rows, strict=True) if rows else [()] * len(COLUMNS)
    strings = pd.StringDtype()
    data: dict[str, Any] = {}
    for name, values in zip(COLUMNS, columns, strict=True):
        if name in STRING_COLUMNS:
            data[name] = _string_array(values, strings)
        elif name in INT_COLUMNS:
            data[name] = pd.array(list(values), dtype="Int64")
        elif name in BOOL_COLUMNS:
            data[name] = np.array(values, dtype=bool)
        elif name in NULLABLE_BOOL_COLUMNS:
            data[name] = pd.array(list(values), dtype="boolean")
        elif name in ("created", "expiration_date"):
            data[name] = _utc_timestamps(_floats(values))
        else:
            data[name] = _floats(values)
    return pd.DataFrame(data, copy=False)


def _floats(values: tuple[float | None, ...]) -> np.ndarray:
    # Arrow converts a tuple of floats and None (-> NaN) several times faster than numpy does.
    return pa.array(values, type=pa.float64()).to_numpy(zero_copy_only=False)


def _utc_timestamps(seconds: np.ndarray) -> Any:
    """Unix seconds (NaN for none) as UTC timestamps to the microsecond."""
    known = seconds[~np.isnan(seconds)]
    if (known == np.floor(known)).all():
        # Whole seconds (the API's) times 1e6 are exact in float64 for every year pandas can hold.
        return pd.array((seconds * 1e6).astype("datetime64[us]")).tz_localize("UTC")  # NaN -> NaT
    return pd.to_datetime(pd.Series(seconds), unit="s", utc=True).dt.as_unit("us").array  # one dtype


def _string_array(values: tuple[str | None, ...], dtype: pd.StringDtype) -> Any:
    if dtype.storage == "pyarrow" and dtype.na_value is pd.NA:
        # Every value is a str or None already: skip pandas' per-cell checks.
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    return pd.array(list(values), dtype=dtype)
