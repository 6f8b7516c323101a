"""Exports of a models frame: CSV a spreadsheet cannot run, JSON and Parquet."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from catalog.fetch.scores import efforts_list

CSV_EXCLUDED = ("raw_json",)
# Text columns that JSON and Parquet export as real lists (CSV keeps the text: "high, medium, low").
LIST_COLUMNS = {"reasoning_efforts": efforts_list}

# A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe.
# OWASP's "CSV Injection" page names = + - @ and a leading tab or CR; its phpMyAdmin-derived tab/CR
# rule exists because checks for "starts with =" were bypassed that way. Google Sheets and
# LibreOffice strip leading whitespace (ASCII or not: NBSP, ideographic space) before deciding a cell
# is a formula, and some locales take the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) as the
# ASCII ones; a BOM or zero-width character at the start is invisible in a cell. So: a cell whose
# first character after any whitespace, BOM or zero-width character is one of = + - @ or their
# full-width forms, or that starts with a tab, CR or LF, gets the apostrophe. Numbers are never
# touched: only text runs as a formula.
FORMULA_START = re.compile(r"^(?:[\s\ufeff\u200b-\u200d\u2060]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])")


def formula_safe(value: object) -> object:
    """A text cell that a spreadsheet would run, made inert with a leading apostrophe."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as exported to CSV: text cells made formula-safe, numbers untouched."""
    out = frame.drop(columns=[c for c in CSV_EXCLUDED if c in frame.columns])
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            text = series.astype("string")
            risky = text.str.match(FORMULA_START).fillna(False).astype(bool)
            if series.dtype == object:  # only text runs as a formula: -2 or Decimal("-1") stays a number
                risky &= series.map(lambda value: isinstance(value, str)).astype(bool)
            if risky.any():
                out[column] = series.where(~risky, "'" + text)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV of exactly the given rows and columns, in order, formula-safe, UTF-8."""
    buffer = io.StringIO()
    # CRLF rows (RFC 4180): the csv writer quotes a cell holding a line-ending character, so a lone
    # CR inside a name is quoted too, instead of starting a new row that a spreadsheet would run.
    csv_frame(frame).to_csv(buffer, index=False, date_format="%Y-%m-%dT%H:%M:%SZ", lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8")


def to_json_bytes(frame: pd.DataFrame) -> bytes:
    """JSON records with every float in full (pandas' writer rounds to 10 places: 0.0208333333)."""
    records = frame.astype(object).where(frame.notna(), None)
    records = _with_lists(records).to_dict(orient="records")
    return json.dumps(records, default=_json_value, ensure_ascii=False, indent=1).encode("utf-8")


def _json_value(value: object) -> str:
    if isinstance(value, pd.Timestamp):  # as pandas writes it: 2026-01-01T00:00:00.000Z
        utc = value.tz_convert("UTC") if value.tzinfo is not None else value
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}{'Z' if value.tzinfo else ''}"
    return str(value)


def to_parquet_file(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    _with_lists(frame).to_parquet(path, index=False)


def _with_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each LIST_COLUMNS text as a list ([] for an empty text, None for none)."""
    present = [column for column in LIST_COLUMNS if column in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    for column in present:
        out[column] = pd.Series(
            [LIST_COLUMNS[column](v) for v in frame[column]], index=frame.index, dtype=object
        )
    return out


def export_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The frame in `fmt` ("csv", "json" or "parquet") as bytes."""
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "json":
        return to_json_bytes(frame)
    if fmt == "parquet":
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "models.parquet"
            to_parquet_file(frame, path)
            return path.read_bytes()
    raise ValueError(f"unknown export format {fmt!r} (choose csv, json or parquet)")


def export_file_name(stem: str, fmt: str, day: date | None = None) -> str:
    """E.g. openrouter-models-2026-11-27.csv."""
    return f"{stem}-{(day or date.today()).isoformat()}.{fmt}"
