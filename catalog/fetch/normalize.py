"""Raw OpenRouter model JSON -> one typed DataFrame row per model (prices exact, in $ per 1M tokens)."""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa

from catalog.fetch.rawjson import paused_gc
from catalog.fetch.scores import REASONING_COLUMNS, SCORE_COLUMNS, reasoning_values, score_values
from catalog.pricing.fields import MILLION, PRICE_COLUMNS, PRICE_FIELDS, VARIABLE, read_price

MODEL_PAGE_BASE = "https://openrouter.ai/"
# The longest description in 2026 was about 4,000 characters; a 50 MB one would be sent to every
# browser on every page. Longer ones are cut for display (the model's raw_json keeps the whole text).
MAX_DESCRIPTION_CHARS = 20_000
DESCRIPTION_CUT_MARK = " … [description cut: {length:,} characters in all]"

# Outputs whose `prompt`/`completion` are not a price per text token (audio seconds, images, ...).
TOKEN_PRICED_OUTPUTS = frozenset({"text", "embeddings"})
NOT_TOKEN_PRICED_OUTPUTS = frozenset({"transcription"})
MEDIA_OUTPUTS = frozenset({"image", "video", "audio", "speech"})

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
LIST_SEPARATOR = ", "
INT64_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _compact_json_encoder() -> Callable[[Any], str]:
    """`json.dumps(o, ensure_ascii=False, separators=(",", ":"))`, made once for every raw_json.

    Encoding raw_json is the normalizer's biggest cost. json.dumps with options builds a new
    encoder, and JSONEncoder.encode a new C encoder, on every call: build the C encoder once (with
    the very arguments JSONEncoder passes it). Parsed JSON cannot be circular: no marker checks.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
    make_c_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_c_encoder is None:  # no C accelerator (e.g. another Python implementation)
        return encoder.encode
    try:
        c_encoder = make_c_encoder(
            None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
        )
    except TypeError:  # its private signature changed
        return encoder.encode
    join = "".join

    def encode(raw: Any) -> str:
        return join(c_encoder(raw, 0))

    sample = {"id": "a/b", "n": [1, 2.5, None, True], "t": 'é\n"', "o": {"x": -1e-07}}
    return encode if encode(sample) == encoder.encode(sample) else encoder.encode


_encode_raw_json = _compact_json_encoder()
# What quote(..., safe="/:.") leaves unchanged: most ids need no quoting at all.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/:-]*")
# API pricing field -> (its position in PRICE_COLUMNS, whether it is per token).
_PRICE_POSITIONS = {
    name: (position, field.per_token) for position, (name, field) in enumerate(PRICE_FIELDS.items())
}
_NO_OBJECT: dict[str, Any] = {}
_VARIABLE = object()  # a price of -1: set by a router per request


class ModelProblem(ValueError):
    """One model object could not be used; the rest of the catalog still is."""


@dataclass
class Normalized:
    frame: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def model_page_url(model_id: str) -> str:
    """The model's page on OpenRouter."""
    url_path = model_id.lstrip("~")
    if not _URL_SAFE.fullmatch(url_path):
        url_path = quote(url_path, safe="/:.")
    return MODEL_PAGE_BASE + url_path


def normalize_models(raw_models: Iterable[Any], raw_texts: Sequence[str | None] | None = None) -> Normalized:
    """One typed row per usable model; each unusable one is skipped and reported in `problems`.

    `raw_texts`, when given, is each model's JSON as the response sent it (`rawjson`): it becomes
    the model's `raw_json` as it is, instead of the model encoded again.
    """
    with paused_gc():
        if raw_texts is None:
            return _normalize(raw_models, None, check_texts=False)
        raw_models = raw_models if isinstance(raw_models, Sequence) else list(raw_models)
        try:
            return _normalize(raw_models, raw_texts, check_texts=False)
        except UnicodeEncodeError:  # a lone surrogate written into a text as is, not escaped: rare
            return _normalize(raw_models, raw_texts, check_texts=True)


def _normalize(
    raw_models: Iterable[Any], raw_texts: Sequence[str | None] | None, check_texts: bool
) -> Normalized:
    rows: list[tuple[Any, ...]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_models):
        text = raw_texts[position] if raw_texts is not None else None
        if text is not None and _may_hold_surrogates(text, check_texts):
            text = None  # encode the model again below, where a lone surrogate is found and replaced
        try:
            try:
                row, notes = _row_values(raw, text)
                if text is None and not row[-1].isascii():  # raw_json holds every string of the model
                    row[-1].encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: JSON's \ud800 escapes allow them, UTF-8 not
                row, notes = _row_values(_valid_unicode(raw))
                notes.append("text that is not valid Unicode shown as \ufffd")
        except ModelProblem as problem:
            label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            label = _one_line(_valid_unicode(label.strip())) if label else None
            problems.append(f"model #{position + 1}{f' ({label})' if label else ''} skipped: {problem}")
            continue
        model_id = row[0]
        if model_id in seen:
            problems.append(f"model #{position + 1} ({_one_line(model_id)}) skipped: duplicate id")
            continue
        seen.add(model_id)
        if notes:
            problems.extend(f"{model_id}: {note}" for note in notes)
        rows.append(row)
    # A text with a lone surrogate written as is (not escaped) fails here, converted to UTF-8 for
    # Arrow: unchecked, that costs nothing when there is none (a text decoded from UTF-8 has none).
    return Normalized(frame=_frame(rows), problems=problems)


def _one_line(text: str) -> str:
    # One line per problem: an id's line breaks and other control characters shown as "?".
    return text if text.isprintable() else "".join(c if c.isprintable() else "?" for c in text)


def _may_hold_surrogates(text: str, check_unescaped: bool) -> bool:
    """Whether a model's JSON text may decode to a lone surrogate: escaped, or (if asked) as is."""
    # A one-character search is many times faster than a longer one: look for a backslash first.
    if "\\" in text and _ESCAPED_SURROGATE.search(text):
        return True
    if not check_unescaped or text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def build_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The typed frame for normalized rows; an empty list gives an empty frame with every column."""
    values = operator.itemgetter(*COLUMNS)
    return _frame([values(row) for row in rows])


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The typed frame of rows given as tuples in COLUMNS order."""
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


def _row_values(raw: Any, raw_text: str | None = None) -> tuple[tuple[Any, ...], list[str]]:
    """One model object (and its JSON text, if kept) -> (its values in COLUMNS order, notes).

    Raises ModelProblem.
    """
    if not isinstance(raw, dict):
        raise ModelProblem(f"not an object but {type(raw).__name__}")
    get = raw.get
    model_id = get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise ModelProblem("no id")
    model_id = model_id.strip()
    notes: list[str] = []

    slug, _, variant = model_id.partition(":")
    provider = slug.lstrip("~").split("/", 1)[0] if "/" in slug else ""
    architecture = get("architecture")
    if not isinstance(architecture, dict):
        architecture = _NO_OBJECT
    top_provider = get("top_provider")
    if not isinstance(top_provider, dict):
        top_provider = _NO_OBJECT
    input_text, output_text, token_priced = _modality_columns(architecture)

    pricing = get("pricing")
    if pricing is None:
        pricing = _NO_OBJECT
    if not isinstance(pricing, dict):
        raise ModelProblem(f"pricing is {type(pricing).__name__}, not an object")
    prices, variable = _prices(pricing, notes)
    overrides = pricing.get("overrides")
    has_tiers = has_time_windows = False
    if overrides and isinstance(overrides, list):
        has_tiers = any(isinstance(o, dict) and "min_prompt_tokens" in o for o in overrides)
        has_time_windows = any(isinstance(o, dict) and "utc_start" in o for o in overrides)

    zero_per_token = not prices[0] and not prices[1]
    media_output = MEDIA_OUTPUTS.intersection(output_text.split(LIST_SEPARATOR))
    if token_priced and zero_per_token and variant != "free" and media_output:
        # A music, image or video model listed at $0 per token is priced some other way: not free.
        token_priced = False
    # Free: no price above zero (absent counts as zero), and a real $0 prompt price.
    is_free = (
        not variable
        and not any(prices)
        and (token_priced or variant == "free")
        and prices[0] is not None  # prompt_per_mtok
    )
    context_length = _int(get("context_length"), "context_length", notes)
    if context_length is None:
        context_length = _int(top_provider.get("context_length"), "top_provider.context_length", notes)
    max_completion_tokens = _int(top_provider.get("max_completion_tokens"), "max_completion_tokens", notes)
    moderated = top_provider.get("is_moderated")
    discount = pricing.get("discount")
    parameters = get("supported_parameters")
    name = get("name")
    description = get("description")

    values = (
        model_id,
        name if isinstance(name, str) and name else model_id,
        provider,
        variant or None,
        _text(get("canonical_slug")),
        _unix_seconds(get("created")),
        context_length,
        max_completion_tokens,
        _text(architecture.get("modality")),
        input_text,
        output_text,
        _parameters_text(parameters) if isinstance(parameters, list) else "",
        *prices,
        None if discount is None else _fraction(discount),
        is_free,
        variable,
        token_priced,
        has_tiers,
        has_time_windows,
        moderated if isinstance(moderated, bool) else None,
        *score_values(get("benchmarks"), notes),
        *reasoning_values(get("reasoning"), notes),
        _text(architecture.get("tokenizer")),
        _text(get("knowledge_cutoff")),
        _date_seconds(get("expiration_date")),
        (description if len(description) <= MAX_DESCRIPTION_CHARS else _cut(description))
        if isinstance(description, str)
        else "",
        model_page_url(model_id),
        _encode_raw_json(raw) if raw_text is None else raw_text,
    )
    return values, notes


def _cut(description: str) -> str:
    """A description too long to show, cut; the text says so (raw_json keeps it whole)."""
    return description[:MAX_DESCRIPTION_CHARS] + DESCRIPTION_CUT_MARK.format(length=len(description))


@lru_cache(maxsize=4096)
def _scaled(number: Decimal, per_million: bool) -> float:
    # Multiply in Decimal, round once: "0.00000045" -> 0.45 exactly, not 0.44999999999999996.
    return float(number * MILLION) if per_million else float(number)


def endpoint_prices(pricing: dict[str, Any], notes: list[str]) -> tuple[list[float | None], bool]:
    """A provider's pricing object by the models' rules: its PRICE_COLUMNS values, and whether variable."""
    return _prices(pricing, notes)


def _prices(pricing: dict[str, Any], notes: list[str]) -> tuple[list[float | None], bool]:
    """The PRICE_COLUMNS values of one pricing object, and whether it is variable (a router's)."""
    prices: list[float | None] = [None] * len(PRICE_COLUMNS)
    variable = False
    ignored: list[tuple[int, str]] = []
    for api_field, value in pricing.items():  # only the fields present: most models have 2 to 5
        spec = _PRICE_POSITIONS.get(api_field)
        if spec is None or value is None:
            continue
        position, per_million = spec
        try:
            price = _price_value(value, per_million)
        except TypeError:  # unhashable (a list or an object): not cacheable, and not a price
            price = _price_value.__wrapped__(value, per_million)
        if price is _VARIABLE:
            variable = True  # set by a router at request time: not a negative price
        elif isinstance(price, str):
            ignored.append((position, f"pricing.{api_field} ignored: {price}"))
        else:
            prices[position] = price
    if ignored:
        notes.extend(note for _, note in sorted(ignored))  # in PRICE_FIELDS order
    if variable:
        # A router's price is decided per request: none of its numbers is a real price.
        prices = [None] * len(PRICE_COLUMNS)
    return prices, variable


@lru_cache(maxsize=16_384, typed=True)
def _price_value(value: Any, per_million: bool) -> float | str | object:
    """One pricing value -> its float (per 1M tokens when per_million), _VARIABLE, or why it is ignored.

    Catalogs repeat a few hundred distinct price strings, so each is parsed once per process.
    """
    try:
        number = read_price(value)
    except ValueError as error:
        return str(error)
    if number == VARIABLE:
        return _VARIABLE
    scaled = _scaled(number, per_million)
    return "out of range" if math.isinf(scaled) else scaled


def _modality_columns(architecture: dict[str, Any]) -> tuple[str, str, bool]:
    """(input_modalities, output_modalities, token_priced) of one architecture object."""
    inputs = architecture.get("input_modalities")
    outputs = architecture.get("output_modalities")
    modality = architecture.get("modality")
    if isinstance(inputs, list) and isinstance(outputs, list):
        key: tuple[Any, ...] = (tuple(inputs), tuple(outputs), None)
    else:
        key = (None, None, modality if isinstance(modality, str) else None)
    try:
        return _modality_text(*key)
    except TypeError:  # an unhashable item in a list: compute without the cache
        return _modality_text.__wrapped__(*key)


@lru_cache(maxsize=4096)
def _modality_text(
    inputs: tuple[Any, ...] | None, outputs: tuple[Any, ...] | None, modality: str | None
) -> tuple[str, str, bool]:
    input_set, output_set = _modalities(inputs, outputs, modality)
    token_priced = bool(output_set & TOKEN_PRICED_OUTPUTS) and not output_set & NOT_TOKEN_PRICED_OUTPUTS
    return LIST_SEPARATOR.join(sorted(input_set)), LIST_SEPARATOR.join(sorted(output_set)), token_priced


def _parameters_text(parameters: list[Any]) -> str:
    try:
        return _sorted_text(tuple(parameters))
    except TypeError:  # an unhashable item: compute without the cache
        return _sorted_text.__wrapped__(tuple(parameters))


@lru_cache(maxsize=4096)
def _sorted_text(values: tuple[Any, ...]) -> str:
    return LIST_SEPARATOR.join(sorted({v for v in values if isinstance(v, str)}))


def _modalities(
    inputs: tuple[Any, ...] | None, outputs: tuple[Any, ...] | None, modality: str | None
) -> tuple[set[str], set[str]]:
    if inputs is not None and outputs is not None:
        return {m for m in inputs if isinstance(m, str)}, {m for m in outputs if isinstance(m, str)}
    if isinstance(modality, str) and "->" in modality:
        left, _, right = modality.partition("->")
        return set(filter(None, left.split("+"))), set(filter(None, right.split("+")))
    if modality == "multimodal":  # 2024 shape: text and images in, text out
        return {"text", "image"}, {"text"}
    return {"text"}, {"text"}


def _int(value: Any, name: str, notes: list[str]) -> int | None:
    if type(value) is int and 0 <= value <= INT64_MAX:  # the usual case, first
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return None  # e.g. the 2024 "Infinity": no limit
    if not isinstance(value, int):
        notes.append(f"{name} ignored: {type(value).__name__}")
        return None
    if value < 0 or value > INT64_MAX:
        notes.append(f"{name} ignored: out of range")
        return None
    return value


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return abs(number) if 0 <= number <= 1 else None  # abs: never "-0.0"


def _valid_unicode(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_valid_unicode(key): _valid_unicode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid_unicode(item) for item in value]
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unix_seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    # pandas stores nanoseconds: keep to years 1970..2262.
    return float(value) if 0 <= value < 9_200_000_000 else None


def _date_seconds(value: Any) -> float | None:
    return _day_seconds(value) if isinstance(value, str) else None


@lru_cache(maxsize=1024)
def _day_seconds(value: str) -> float | None:
    try:
        day = datetime.strptime(value.strip()[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return _unix_seconds(day.timestamp())
