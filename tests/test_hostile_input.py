"""Hostile input: model objects shaped like the API's but with wrong types, huge and negative numbers,
odd unicode (lone surrogates too: JSON escapes allow them), missing and extra fields.

The normalizer never raises: bad models are skipped and reported. No price shown is negative, NaN
or infinite as if it were real; a model whose raw price is negative or garbage never shows a number
for it. What survives normalizing also survives the store, the table, the details panel and the
CSV export, where no cell can run as a formula. On the page, third-party text renders as text in
every tab.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.fetch.columns import COLUMNS, build_frame
from catalog.fetch.normalize import normalize_models
from catalog.present.export import FORMULA_START, to_csv_bytes
from catalog.present.table import override_rows, price_rows, table_frame
from catalog.pricing.fields import PRICE_COLUMNS, PRICE_FIELDS
from catalog.storage.store import Store
from tests import payloads
from tests.reliability import record
from tools.stand_in import StandIn

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
TRIED: Counter[str] = Counter()  # inputs each property saw, for the README's figures

# -- strategies: the API's shape, with everything wrong that can be ----------------------------------

HOSTILE_TEXTS = [
    "",
    " ",
    "\x00",
    "\u202eevil\u202c",  # right-to-left override
    "zero\u200bwidth",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧪",
    "\ud800",  # lone surrogates: valid in JSON escapes, invalid in UTF-8
    "a\udfffb",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](https://example.invalid/x.png)",
    "[click](javascript:alert(1))",
    '=HYPERLINK("https://example.invalid","x")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "é" * 3000,
]
odd_text = hs.one_of(
    hs.text(max_size=20),
    hs.sampled_from(HOSTILE_TEXTS),
    hs.text(alphabet=hs.characters(categories=["Cs", "Cc", "Zl", "Zp", "Mn"]), max_size=4),
)
numbers = hs.one_of(
    hs.integers(min_value=-(10**40), max_value=10**40),
    hs.floats(allow_nan=True, allow_infinity=True),
    hs.sampled_from([0, -1, 2**63, 2**64, -(2**63), 1e308, -0.0]),
)
json_scalars = hs.one_of(hs.none(), hs.booleans(), numbers, odd_text)
json_values = hs.recursive(
    json_scalars,
    lambda children: hs.lists(children, max_size=3) | hs.dictionaries(odd_text, children, max_size=3),
    max_leaves=8,
)
PRICE_TEXTS = [
    "0",
    "-1",
    "-0",
    "-1.0",
    "-1e0",
    "-0.5",
    "-0.000001",
    "NaN",
    "-nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999999",
    "1e-999999",
    "9" * 400,
    "0." + "0" * 400 + "1",
    "0x10",
    "1,5",
    "1_000",
    "½",
    "٣",
    " 0.000001 ",
    "0.0000000208333333333333",
    "0.00000045",
]
price_values = hs.one_of(
    hs.sampled_from(PRICE_TEXTS),
    hs.decimals(allow_nan=False, allow_infinity=False, places=12).map(str),
    hs.decimals(allow_nan=True, allow_infinity=True).map(str),
    numbers,
    json_values,
)
override = hs.fixed_dictionaries(
    {},
    optional={
        "min_prompt_tokens": hs.one_of(hs.integers(-5, 10**12), json_values),
        "utc_start": hs.one_of(hs.integers(-5, 3000), json_values),
        "utc_end": hs.one_of(hs.integers(-5, 3000), json_values),
        "prompt": price_values,
        "completion": price_values,
        "image": price_values,
    },
)
pricing = hs.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(PRICE_FIELDS, price_values),
        "discount": hs.one_of(numbers, json_values),
        "overrides": hs.one_of(hs.lists(hs.one_of(override, json_values), max_size=3), json_values),
        "unknown_new_price": price_values,
    },
)
modalities = hs.lists(
    hs.one_of(hs.sampled_from(["text", "image", "audio", "transcription", "embeddings"]), json_values),
    max_size=3,
)
architecture = hs.fixed_dictionaries(
    {},
    optional={
        "modality": hs.one_of(hs.sampled_from(["text->text", "text+image->text", "multimodal"]), odd_text),
        "input_modalities": hs.one_of(modalities, json_values),
        "output_modalities": hs.one_of(modalities, json_values),
        "tokenizer": json_values,
    },
)
model_ids = hs.one_of(
    hs.sampled_from(["openai/gpt-4o", "~anthropic/claude-latest", "a/b:free", "openrouter/auto"]),
    hs.builds(lambda a, b: f"{a}/{b}", odd_text, odd_text),
    odd_text,
    json_values,
)
models = hs.fixed_dictionaries(
    {"id": model_ids},
    optional={
        "name": hs.one_of(odd_text, json_values),
        "description": hs.one_of(odd_text, json_values),
        "canonical_slug": json_values,
        "created": hs.one_of(numbers, json_values),
        "context_length": hs.one_of(numbers, json_values),
        "architecture": hs.one_of(architecture, json_values),
        "pricing": hs.one_of(pricing, pricing, json_values),
        "top_provider": hs.one_of(
            hs.fixed_dictionaries(
                {},
                optional={
                    "context_length": numbers,
                    "max_completion_tokens": hs.one_of(numbers, json_values),
                    "is_moderated": json_values,
                },
            ),
            json_values,
        ),
        "per_request_limits": json_values,
        "supported_parameters": hs.one_of(
            hs.lists(hs.one_of(odd_text, json_values), max_size=4), json_values
        ),
        "default_parameters": json_values,
        "expiration_date": hs.one_of(
            hs.sampled_from(["2098-12-31", "9999-12-31", "0001-01-01", "2026-02-30", "1969-12-31"]),
            json_values,
        ),
        "knowledge_cutoff": json_values,
        "hugging_face_id": json_values,
    },
).flatmap(
    lambda model: hs.dictionaries(odd_text, json_values, max_size=2).map(lambda extra: {**extra, **model})
)
catalogs = hs.lists(hs.one_of(models, models, models, json_values), max_size=6)

# The same examples on every run (CI stays reproducible), and no example database in the work tree.
PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the oracle: what a raw price may show as -------------------------------------------------------


def raw_decimal(value: Any) -> Decimal | None:
    """The raw value as a number, read independently of the normalizer; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def valid_unicode(value: Any) -> Any:
    """What the page can show of a JSON value: lone surrogates become U+FFFD."""
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    return value


def input_of(row_raw_json: str, raw_models: list[Any]) -> dict[str, Any]:
    """The input object a row was made from (as valid Unicode): its raw JSON must be one of them."""
    kept = json.loads(row_raw_json)
    matches = [valid_unicode(raw) for raw in raw_models if isinstance(raw, dict)]
    [raw] = [m for m in matches if json.dumps(m) == json.dumps(kept)][:1]
    return raw


# -- the normalizer ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(raw_models=catalogs)
def test_the_normalizer_never_raises_and_never_shows_a_bad_price_as_real(raw_models: list[Any]) -> None:
    TRIED["normalize"] += 1
    TRIED["model objects"] += len(raw_models)
    result = normalize_models(raw_models)
    frame = result.frame

    assert list(frame.columns) == COLUMNS
    assert (frame.dtypes == build_frame([]).dtypes).all()
    # DOTALL: an id may hold a line break
    skipped = [p for p in result.problems if re.match(r"model #\d+ .*skipped: ", p, re.DOTALL)]
    assert len(frame) + len(skipped) == len(raw_models)
    assert frame["id"].is_unique
    assert all(isinstance(i, str) and i == i.strip() and i for i in frame["id"])
    prices = frame[PRICE_COLUMNS].to_numpy(dtype=float)
    assert not (prices < 0).any() and not np.isinf(prices).any()
    assert frame["discount"].dropna().between(0, 1).all()
    assert (frame[["context_length", "max_completion_tokens"]].fillna(0) >= 0).all().all()

    for row in frame.itertuples(index=False):
        raw = input_of(row.raw_json, raw_models)  # the object kept whole, NaN and all
        assert row.id == raw["id"].strip()
        raw_pricing = raw.get("pricing") if isinstance(raw.get("pricing"), dict) else {}
        numbers_seen = {field: raw_decimal(raw_pricing.get(field)) for field in PRICE_FIELDS}
        if any(n == -1 for n in numbers_seen.values()):
            assert row.variable_pricing
        for field, spec in PRICE_FIELDS.items():
            shown = getattr(row, spec.column)
            number = numbers_seen[field]
            if row.variable_pricing or number is None or number < 0:
                assert math.isnan(shown), f"{row.id}: {field}={raw_pricing.get(field)!r} shown as {shown}"
            elif not math.isnan(shown):
                factor = Decimal(1_000_000) if spec.per_token else Decimal(1)
                assert shown == float(number * factor)


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(raw_models=catalogs)
def test_whatever_the_normalizer_keeps_survives_the_store_table_details_and_csv(
    raw_models: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    TRIED["store, table, details, csv"] += 1
    frame = normalize_models(raw_models).frame
    store = Store(tmp_path_factory.mktemp("hostile"))
    if not frame.empty:
        store.write(frame, source="live", fetched_at=None, api_base=None, defaults_as_of=None)
        _, stored = store.read()  # type: ignore[misc]
        pd.testing.assert_frame_equal(stored, frame, check_exact=True)

    table = table_frame(frame)
    numbers_shown = table.select_dtypes("number").to_numpy(dtype=float)
    assert not (numbers_shown < 0).any()
    for raw_json, token_priced in zip(frame["raw_json"], frame["token_priced"], strict=True):
        for details in (
            price_rows(raw_json, bool(token_priced)),
            override_rows(raw_json, bool(token_priced)),
        ):
            for amount in details["Amount"]:
                assert not re.search(r"-|nan|inf", amount, re.IGNORECASE), amount
    assert_formula_safe(to_csv_bytes(frame))


# What spreadsheets run (see catalog/present/export.py): ASCII and full-width formula characters,
# behind whitespace, a BOM or a zero-width space; a leading tab, CR or LF.
FORMULA_STARTS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    " =",
    "\u00a0+",
    "\u3000-",
    "\ufeff@",
    "\u200b=",
    "＝",
    "＋",
    "－",
    "＠",
]


@PROPERTY_SETTINGS
@given(names=hs.lists(hs.tuples(hs.sampled_from(FORMULA_STARTS), odd_text), min_size=1, max_size=5))
def test_csv_cells_starting_with_a_formula_character_cannot_run(names: list[tuple[str, str]]) -> None:
    TRIED["csv"] += 1
    raw_models = [
        payloads.model(f"evil/{index}", name=prefix + text, description=prefix + text)
        for index, (prefix, text) in enumerate(names)
    ]
    frame = normalize_models(raw_models).frame
    rows = assert_formula_safe(to_csv_bytes(frame))
    for row, (prefix, _) in zip(rows, names, strict=True):
        assert row["name"].startswith("'" + prefix)  # kept, made inert with a leading apostrophe


def assert_formula_safe(data: bytes) -> list[dict[str, str]]:
    """Every cell of the CSV as a spreadsheet reads it: none starts with a formula character."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    for row in rows:
        for column, cell in row.items():
            assert not FORMULA_START.match(cell or ""), f"{column}: {cell[:40]!r}"
    return rows


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    if TRIED:
        record("hostile_input", inputs_tried=dict(TRIED), hostile_texts=len(HOSTILE_TEXTS))


# -- a hostile catalog, end to end: refresh, history, every tab of the page ---------------------------


def hostile_catalog(round_: int) -> dict[str, Any]:
    """Models whose every field a third party controls is hostile; prices move between rounds."""
    bad_prices = {"prompt": "-5", "completion": "1e999999", "request": "NaN", "image": "0x10"}
    evil = [
        payloads.model(
            "evil/script",
            prompt="0.000001" if round_ == 1 else "0.000002",
            name="<script>alert(1)</script>",
            description="<img src=x onerror=alert(1)> ![x](https://example.invalid/x.png) "
            "[click](javascript:alert(1))",
        ),
        payloads.model(
            "evil/markdown",
            name="![x](https://example.invalid/x.png) [click](javascript:alert(1)) **bold** $x^2$",
        ),
        payloads.model("evil/formula", name='=HYPERLINK("https://example.invalid","x")'),
        payloads.model("evil/surrogate\ud800", name="lone \udfff surrogate", description="\ud83d"),
        payloads.model("evil/prices", name="bad prices", **bad_prices),
        payloads.model("\u202eevil/rtl", name="\u202e<b>rtl</b>"),
        payloads.model("evil/huge", context_length=10**30, created=-1),
    ]
    evil[4]["pricing"].update(prompt="-5", completion="1e999999")
    evil[4]["pricing"]["discount"] = -0.5
    evil[4]["pricing"]["overrides"] = [
        {"min_prompt_tokens": "lots", "prompt": "-3"},
        {"utc_start": "<b>", "utc_end": None, "completion": "Infinity"},
        "not an override",
    ]
    evil[0]["benchmarks"] = {
        "artificial_analysis": {"intelligence_index": 50, "coding_index": "<b>", "agentic_index": -1},
        "design_arena": [
            {"arena": "<script>", "category": "![x](https://example.invalid/x.png)", "elo": 1300}
        ],
    }
    evil[0]["reasoning"] = {
        "mandatory": False,
        "default_effort": "<b>",
        "supported_efforts": ["<img src=x>", "high"],
    }
    evil[2]["benchmarks"] = {"artificial_analysis": {"intelligence_index": 60.5}}
    evil[6]["expiration_date"] = "9999-12-31"
    evil[6]["top_provider"] = {"max_completion_tokens": -5, "is_moderated": "<script>"}
    evil[6]["per_request_limits"] = {"<script>": "Infinity"}
    if round_ == 2:
        evil.pop(1)  # removed: the "What changed" tab lists it
    return payloads.payload([*evil, *payloads.catalog_of(10)["data"]])


HOSTILE_IDS = ["evil/script", "evil/markdown", "evil/formula", "evil/prices", "evil/huge"]
MARKERS = ["<script", "<img", "<b>", "![", "](javascript:", "](https://example.invalid"]


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


MARKDOWN_BODIES = {"Markdown", "Heading", "Alert", "Toast"}  # st.text, code, metric values are plain


def markdown_sources(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as markdown: bodies, labels, help texts."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        names = ("body", "label", "help") if proto.DESCRIPTOR.name in MARKDOWN_BODIES else ("label", "help")
        found += [v for name in names if isinstance(v := getattr(proto, name, None), str) and v]
    return found


def assert_no_markup(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    for source in markdown_sources(at):
        literal = re.sub(r"\\.", "·", source)  # what is escaped is shown as the character itself
        for marker in MARKERS:
            assert marker not in literal, f"{where}: {marker!r} would render as markup in {source[:80]!r}"
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(proto, "allow_html", False):
            assert not any(m in getattr(proto, "body", "") for m in MARKERS), where


def test_a_hostile_catalog_refreshes_and_renders_as_text_in_every_tab(stand_in: StandIn) -> None:
    stand_in.set_payload(hostile_catalog(1))
    result = Catalog().refresh()
    assert result.snapshot.count == 17
    assert len(result.problems) >= 4  # the bad prices, reported
    stand_in.set_payload(hostile_catalog(2))

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="refresh").click().run()
    assert_no_markup(at, "after refresh")
    assert "Refreshed: 16 models" in " ".join(s.value for s in at.success).replace("\\", "")

    shown = 0
    for model_id in [*HOSTILE_IDS, "evil/surrogate\ufffd", "\u202eevil/rtl"]:
        if model_id == "evil/markdown":
            continue  # removed in round 2: listed as removed, still pickable when shown
        at.session_state["model"] = model_id
        at.run()
        assert_no_markup(at, f"details of {model_id!r}")
        shown += at.session_state["model"] == model_id
    assert shown == 6

    for tab in ["Charts", "Cost calculator", "Value", "Compare", "What changed"]:
        at.session_state["tab"] = tab
        if tab == "Compare":
            at.session_state["compare_models"] = ["evil/script", "evil/prices", "evil/formula"]
        at.run()
        assert_no_markup(at, tab)
    TRIED["page tabs rendered"] += 6
