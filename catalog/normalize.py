"""Raw OpenRouter model JSON -> one typed DataFrame row per model (prices exact, in $ per 1M tokens)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import pandas as pd

MILLION = Decimal(1_000_000)
MODEL_PAGE_BASE = "https://openrouter.ai/"

# API pricing field -> column. Per-token prices become $ per 1M tokens; the rest stay USD per unit.
PER_TOKEN_FIELDS = {
    "prompt": "prompt_per_mtok",
    "completion": "completion_per_mtok",
    "input_cache_read": "cache_read_per_mtok",
    "input_cache_write": "cache_write_per_mtok",
    "input_cache_write_1h": "cache_write_1h_per_mtok",
    "internal_reasoning": "reasoning_per_mtok",
    "audio": "audio_per_mtok",
    "input_audio_cache": "audio_cache_per_mtok",
    "audio_output": "audio_output_per_mtok",
    "image_token": "image_token_per_mtok",
    "image_output": "image_output_per_mtok",
}
PER_UNIT_FIELDS = {
    "request": "request_usd",
    "image": "image_usd",
    "web_search": "web_search_usd",
}
PRICE_FIELDS = {**PER_TOKEN_FIELDS, **PER_UNIT_FIELDS}
PRICE_COLUMNS = list(PRICE_FIELDS.values())

# Outputs whose `prompt`/`completion` are not a price per text token (audio seconds, images, ...).
TOKEN_PRICED_OUTPUTS = frozenset({"text", "embeddings"})
NOT_TOKEN_PRICED_OUTPUTS = frozenset({"transcription"})

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
]
INT_COLUMNS = ["context_length", "max_completion_tokens"]
BOOL_COLUMNS = ["is_free", "variable_pricing", "token_priced", "has_tiers", "has_time_windows"]
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
    "tokenizer",
    "knowledge_cutoff",
    "expiration_date",
    "description",
    "url",
    "raw_json",
]
LIST_SEPARATOR = ", "
INT64_MAX = 2**63 - 1


class ModelProblem(ValueError):
    """One model object could not be used; the rest of the catalog still is."""


@dataclass
class Normalized:
    frame: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def normalize_models(raw_models: Iterable[Any]) -> Normalized:
    """One typed row per usable model; each unusable one is skipped and reported in `problems`."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_models):
        try:
            row, notes = normalize_model(raw)
        except ModelProblem as problem:
            label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            problems.append(f"model #{position + 1}{f' ({label})' if label else ''} skipped: {problem}")
            continue
        if row["id"] in seen:
            problems.append(f"model #{position + 1} ({row['id']}) skipped: duplicate id")
            continue
        seen.add(row["id"])
        problems.extend(f"{row['id']}: {note}" for note in notes)
        rows.append(row)
    return Normalized(frame=build_frame(rows), problems=problems)


def build_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The typed frame for normalized rows; an empty list gives an empty frame with every column."""
    columns = {name: [row[name] for row in rows] for name in COLUMNS}
    data: dict[str, Any] = {}
    for name in COLUMNS:
        values = columns[name]
        if name in STRING_COLUMNS:
            data[name] = pd.array(values, dtype="string")
        elif name in INT_COLUMNS:
            data[name] = pd.array(values, dtype="Int64")
        elif name in BOOL_COLUMNS:
            data[name] = pd.array(values, dtype=bool)
        elif name == "is_moderated":
            data[name] = pd.array(values, dtype="boolean")
        elif name in ("created", "expiration_date"):
            data[name] = pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True).array
        else:
            data[name] = pd.array(values, dtype="float64")
    return pd.DataFrame(data, columns=COLUMNS)


def normalize_model(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """One model object -> (row, notes). Raises ModelProblem when the model cannot be used at all."""
    if not isinstance(raw, dict):
        raise ModelProblem(f"not an object but {type(raw).__name__}")
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise ModelProblem("no id")
    model_id = model_id.strip()
    notes: list[str] = []

    slug, _, variant = model_id.partition(":")
    provider = slug.lstrip("~").split("/", 1)[0] if "/" in slug else ""
    architecture = raw.get("architecture") if isinstance(raw.get("architecture"), dict) else {}
    top_provider = raw.get("top_provider") if isinstance(raw.get("top_provider"), dict) else {}
    inputs, outputs = _modalities(architecture)

    pricing = raw.get("pricing")
    if pricing is None:
        pricing = {}
    if not isinstance(pricing, dict):
        raise ModelProblem(f"pricing is {type(pricing).__name__}, not an object")
    prices, variable = _prices(pricing, notes)
    overrides = pricing.get("overrides")
    overrides = overrides if isinstance(overrides, list) else []

    token_priced = bool(outputs & TOKEN_PRICED_OUTPUTS) and not outputs & NOT_TOKEN_PRICED_OUTPUTS
    charged = [value for value in prices.values() if value is not None]
    all_zero = not variable and all(value == 0 for value in charged)
    is_free = all_zero and (token_priced or variant == "free") and prices["prompt_per_mtok"] is not None

    context_length = _int(raw.get("context_length"), "context_length", notes)
    if context_length is None:
        context_length = _int(top_provider.get("context_length"), "top_provider.context_length", notes)
    moderated = top_provider.get("is_moderated")
    discount = pricing.get("discount")
    parameters = raw.get("supported_parameters")

    row = {
        "id": model_id,
        "name": _text(raw.get("name")) or model_id,
        "provider": provider,
        "variant": variant or None,
        "canonical_slug": _text(raw.get("canonical_slug")),
        "created": _unix_seconds(raw.get("created")),
        "context_length": context_length,
        "max_completion_tokens": _int(
            top_provider.get("max_completion_tokens"), "max_completion_tokens", notes
        ),
        "modality": _text(architecture.get("modality")),
        "input_modalities": LIST_SEPARATOR.join(sorted(inputs)),
        "output_modalities": LIST_SEPARATOR.join(sorted(outputs)),
        "supported_parameters": LIST_SEPARATOR.join(
            sorted({p for p in parameters if isinstance(p, str)}) if isinstance(parameters, list) else []
        ),
        **prices,
        "discount": _fraction(discount),
        "is_free": is_free,
        "variable_pricing": variable,
        "token_priced": token_priced,
        "has_tiers": any(isinstance(o, dict) and "min_prompt_tokens" in o for o in overrides),
        "has_time_windows": any(isinstance(o, dict) and "utc_start" in o for o in overrides),
        "is_moderated": moderated if isinstance(moderated, bool) else None,
        "tokenizer": _text(architecture.get("tokenizer")),
        "knowledge_cutoff": _text(raw.get("knowledge_cutoff")),
        "expiration_date": _date_seconds(raw.get("expiration_date")),
        "description": _text(raw.get("description")) or "",
        "url": MODEL_PAGE_BASE + quote(model_id.lstrip("~"), safe="/:."),
        "raw_json": json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
    }
    return row, notes


def parse_price(value: Any) -> Decimal | None:
    """A pricing value as an exact Decimal; None when absent. Raises ValueError when not a real price."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a price")
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not a price")
    return _decimal(value.strip())


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text[:40]!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text[:40]!r} is not a finite price")
    return number


@lru_cache(maxsize=4096)
def _scaled(number: Decimal, per_million: bool) -> float:
    # Multiply in Decimal, round once: "0.00000045" -> 0.45 exactly, not 0.44999999999999996.
    return float(number * MILLION) if per_million else float(number)


def _prices(pricing: dict[str, Any], notes: list[str]) -> tuple[dict[str, float | None], bool]:
    prices: dict[str, float | None] = {}
    variable = False
    for api_field, column in PRICE_FIELDS.items():
        try:
            number = parse_price(pricing.get(api_field))
        except ValueError as error:
            notes.append(f"pricing.{api_field} ignored: {error}")
            prices[column] = None
            continue
        if number is None:
            prices[column] = None
        elif number == -1:
            variable = True  # set by a router at request time: not a negative price
            prices[column] = None
        elif number < 0:
            notes.append(f"pricing.{api_field} ignored: negative price {number}")
            prices[column] = None
        else:
            scaled = _scaled(number, api_field in PER_TOKEN_FIELDS)
            if math.isinf(scaled):
                notes.append(f"pricing.{api_field} ignored: out of range")
                scaled = None
            prices[column] = scaled
    if variable:
        # A router's price is decided per request: none of its numbers is a real price.
        prices = dict.fromkeys(prices)
    return prices, variable


def _modalities(architecture: dict[str, Any]) -> tuple[set[str], set[str]]:
    inputs = architecture.get("input_modalities")
    outputs = architecture.get("output_modalities")
    if isinstance(inputs, list) and isinstance(outputs, list):
        return {m for m in inputs if isinstance(m, str)}, {m for m in outputs if isinstance(m, str)}
    modality = architecture.get("modality")
    if isinstance(modality, str) and "->" in modality:
        left, _, right = modality.partition("->")
        return set(filter(None, left.split("+"))), set(filter(None, right.split("+")))
    if modality == "multimodal":  # 2024 shape: text and images in, text out
        return {"text", "image"}, {"text"}
    return {"text"}, {"text"}


def _int(value: Any, name: str, notes: list[str]) -> int | None:
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
    return number if 0 <= number <= 1 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unix_seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    # pandas stores nanoseconds: keep to years 1970..2262.
    return float(value) if 0 <= value < 9_200_000_000 else None


def _date_seconds(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        day = datetime.strptime(value.strip()[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return _unix_seconds(day.timestamp())
