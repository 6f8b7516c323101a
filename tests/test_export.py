"""Exports: CSV a spreadsheet cannot run and whose numbers stay exact, JSON and Parquet."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from catalog.fetch.columns import COLUMNS
from catalog.fetch.normalize import normalize_models
from catalog.present.export import (
    export_bytes,
    export_file_name,
    formula_safe,
    to_csv_bytes,
    to_json_bytes,
)
from tests import payloads


@pytest.fixture
def models_2026() -> pd.DataFrame:
    """The ten normalized models of the 2026-shape payload (every quirk)."""
    return normalize_models(payloads.shape_2026()["data"]).frame


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# -- formula_safe --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tTabbed", "\rReturned", "\nFed", "=", "-"),
        *(" =1+1", "   @SUM(A1)", "\u00a0=1", "\u3000+1", "\ufeff=1", "\u200b-1", "\ufeff \u00a0=1"),
        *("\uff1dHYPERLINK(A1)", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", " \uff1d1"),  # full-width
    ],
)
def test_formula_like_text_gets_a_leading_apostrophe(text: str) -> None:
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "Plain name",
        "",
        " plain after a space",
        "a=b",
        "1+1",
        "x \uff1d y",
        "'already quoted",
        "Ünïcödé: 模型",
    ],
)
def test_ordinary_text_is_untouched(value: str) -> None:
    assert formula_safe(value) == value


@pytest.mark.parametrize("value", [-2, -1.5, Decimal("-0.5"), 0, None, True])
def test_values_that_are_not_text_are_untouched(value: object) -> None:
    assert formula_safe(value) is value


# -- to_csv_bytes --------------------------------------------------------------------------------


def test_csv_has_exactly_the_rows_and_columns_given_in_order(models_2026: pd.DataFrame) -> None:
    picked = models_2026.iloc[[4, 0, 2]][["id", "prompt_per_mtok", "completion_per_mtok"]]
    assert to_csv_bytes(picked) == (
        b"id,prompt_per_mtok,completion_per_mtok\r\n"
        b"perplexity/sonar,1.0,1.0\r\n"
        b"google/gemini-2.5-pro,1.25,10.0\r\n"
        b"qwen/qwen3-long-decimals,0.0208333333333333,0.0833333333333333\r\n"
    )


def test_csv_of_a_whole_catalog_leaves_out_only_the_raw_json(models_2026: pd.DataFrame) -> None:
    rows = csv_rows(to_csv_bytes(models_2026))
    assert len(rows) == 10
    assert list(rows[0]) == [column for column in COLUMNS if column != "raw_json"]


def test_csv_spells_out_each_quirk(models_2026: pd.DataFrame) -> None:
    rows = {row["id"]: row for row in csv_rows(to_csv_bytes(models_2026))}
    assert rows["qwen/qwen3-long-decimals"]["prompt_per_mtok"] == "0.0208333333333333"
    assert rows["openrouter/auto"]["prompt_per_mtok"] == ""  # variable: no number, never -1
    assert rows["openrouter/auto"]["variable_pricing"] == "True"
    assert rows["openai/whisper-1"]["token_priced"] == "False"
    assert rows["x-ai/grok-4:free"]["is_free"] == "True"
    assert rows["x-ai/grok-4:free"]["variant"] == "free"
    assert rows["google/gemini-2.5-pro"]["has_tiers"] == "True"
    assert rows["google/gemini-2.5-pro"]["created"] == "2026-01-01T00:00:00Z"
    assert rows["google/gemini-2.5-pro"]["expiration_date"] == "2098-12-31T00:00:00Z"
    assert rows["google/gemini-2.5-pro"]["context_length"] == "128000"
    assert rows["google/gemini-2.5-pro"]["request_usd"] == ""


def test_csv_escapes_formulas_in_text_columns_only() -> None:
    frame = pd.DataFrame(
        {
            "name": pd.array(["=1+2", "-2", "Plain", None], dtype="string"),
            "mixed": pd.Series([-2, Decimal("-0.5"), "+33", None], dtype=object),
            "price": [-1.5, 0.45, 2.0, float("nan")],
            "tokens": pd.array([-3, 128000, None, 1], dtype="Int64"),
        }
    )
    assert to_csv_bytes(frame) == (
        b"name,mixed,price,tokens\r\n'=1+2,-2,-1.5,-3\r\n'-2,-0.5,0.45,128000\r\nPlain,'+33,2.0,\r\n,,,1\r\n"
    )


@pytest.mark.parametrize(
    "text", ["\r=cmd|' /C calc'!A0", "line one\rline two", "a\nb", "a\r\nb", "x,y", 'say "hi"']
)
def test_line_breaks_quotes_and_commas_inside_a_cell_never_split_a_row(text: str) -> None:
    frame = pd.DataFrame({"id": ["a/1", "a/2"], "name": pd.array([text, "next"], dtype="string")})
    rows = csv_rows(to_csv_bytes(frame))
    assert [row["id"] for row in rows] == ["a/1", "a/2"]
    assert rows[0]["name"] == formula_safe(text)
    assert rows[1]["name"] == "next"


def test_csv_is_utf8_and_leaves_the_callers_frame_alone() -> None:
    frame = pd.DataFrame({"name": pd.array(["=Modèle 模型", "naïve ✓"], dtype="string")})
    before = frame.copy()
    data = to_csv_bytes(frame)
    assert data.decode("utf-8") == "name\r\n'=Modèle 模型\r\nnaïve ✓\r\n"
    pd.testing.assert_frame_equal(frame, before)


def test_csv_of_no_rows_is_the_header_alone(models_2026: pd.DataFrame) -> None:
    assert to_csv_bytes(models_2026.iloc[:0][["id", "name"]]) == b"id,name\r\n"


# -- JSON and Parquet ----------------------------------------------------------------------------


def test_json_keeps_every_price_exact_and_the_text_as_it_is(models_2026: pd.DataFrame) -> None:
    frame = models_2026.copy()
    frame.loc[0, "name"] = "=HYPERLINK(1)"
    records = {record["id"]: record for record in json.loads(to_json_bytes(frame))}
    assert len(records) == 10
    assert records["qwen/qwen3-long-decimals"]["prompt_per_mtok"] == 0.0208333333333333
    assert records["qwen/qwen3-long-decimals"]["completion_per_mtok"] == 0.0833333333333333
    assert records["openrouter/auto"]["prompt_per_mtok"] is None
    assert records["google/gemini-2.5-pro"]["name"] == "=HYPERLINK(1)"  # JSON is data, not a sheet
    assert records["google/gemini-2.5-pro"]["created"] == "2026-01-01T00:00:00.000Z"
    assert records["google/gemini-2.5-pro"]["expiration_date"] == "2098-12-31T00:00:00.000Z"
    assert records["google/gemini-2.5-pro"]["context_length"] == 128000
    assert records["x-ai/grok-4:free"]["is_free"] is True
    assert records["deepseek/deepseek-r1"]["knowledge_cutoff"] is None
    assert json.loads(records["x-ai/grok-4:free"]["raw_json"]) == payloads.shape_2026()["data"][9]


def test_parquet_round_trips_exactly(models_2026: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "models.parquet"
    path.write_bytes(export_bytes(models_2026, "parquet"))
    back = pd.read_parquet(path)
    efforts = back.pop("reasoning_efforts")
    expected = models_2026.drop(columns="reasoning_efforts")
    pd.testing.assert_frame_equal(back, expected, check_exact=True)
    assert [None if e is None else list(e) for e in efforts] == [[], *[None] * 9]


@pytest.fixture
def scored_models() -> pd.DataFrame:
    return normalize_models(payloads.value_catalog()["data"]).frame.set_index("id", drop=False)


def test_scores_and_reasoning_in_every_export_format(scored_models: pd.DataFrame, tmp_path: Path) -> None:
    chosen = scored_models.loc[["acme/mid", "acme/top", "acme/tiny"]].reset_index(drop=True)
    rows = {row["id"]: row for row in csv_rows(export_bytes(chosen, "csv"))}
    assert rows["acme/mid"]["intelligence_index"] == "40.0"
    assert rows["acme/mid"]["reasoning_efforts"] == "high, medium, low"
    assert rows["acme/mid"]["reasoning_default_effort"] == "medium"
    assert rows["acme/top"]["design_arena_elo"] == "1402.0"
    assert rows["acme/top"]["design_arena_category"] == "agents/webapps"
    assert rows["acme/top"]["reasoning_mandatory"] == "True"
    assert rows["acme/top"]["reasoning_efforts"] == ""  # any effort; reasoning_mandatory says it reasons
    assert rows["acme/tiny"]["reasoning_mandatory"] == "" and rows["acme/tiny"]["agentic_index"] == ""

    records = {r["id"]: r for r in json.loads(export_bytes(chosen, "json"))}
    assert records["acme/mid"]["reasoning_efforts"] == ["high", "medium", "low"]
    assert records["acme/top"]["reasoning_efforts"] == []
    assert records["acme/tiny"]["reasoning_efforts"] is None
    assert records["acme/top"]["intelligence_index"] == 70.2
    assert records["acme/tiny"]["agentic_index"] is None

    path = tmp_path / "scored.parquet"
    path.write_bytes(export_bytes(chosen, "parquet"))
    back = pd.read_parquet(path)
    assert [None if e is None else list(e) for e in back["reasoning_efforts"]] == [
        ["high", "medium", "low"],
        [],
        None,
    ]
    assert back["coding_index"].tolist()[:2] == [35.2, 68.0]


def test_export_bytes_dispatches_and_names_a_bad_format(models_2026: pd.DataFrame) -> None:
    assert export_bytes(models_2026, "csv") == to_csv_bytes(models_2026)
    assert export_bytes(models_2026, "json") == to_json_bytes(models_2026)
    with pytest.raises(ValueError, match=r"^unknown export format 'xlsx' \(choose csv, json or parquet\)$"):
        export_bytes(models_2026, "xlsx")


def test_export_file_name_carries_the_date() -> None:
    assert (
        export_file_name("openrouter-models", "csv", date(2026, 11, 27)) == "openrouter-models-2026-11-27.csv"
    )
    assert export_file_name("x", "json").endswith(f"-{date.today().isoformat()}.json")
