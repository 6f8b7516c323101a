"""Raw OpenRouter model JSON -> one typed DataFrame row per model (prices exact, in $ per 1M tokens)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pandas as pd

from catalog.fetch.cells import (
    LIST_SEPARATOR,
    MEDIA_OUTPUTS,
    count_cell,
    date_seconds,
    encode_raw_json,
    fraction_cell,
    modality_cells,
    parameters_cell,
    price_cells,
    text_cell,
    unix_seconds,
)
from catalog.fetch.columns import COLUMNS, ModelRow, build_frame, typed_frame
from catalog.fetch.rawjson import paused_gc
from catalog.fetch.scores import reasoning_values, score_values

# The frame's columns and `build_frame` are offered here too: normalizing is where a frame comes from.
__all__ = ["COLUMNS", "ModelProblem", "Normalized", "build_frame", "model_page_url", "normalize_models"]

MODEL_PAGE_BASE = "https://openrouter.ai/"
# The longest description in 2026 was about 4,000 characters; a 50 MB one would be sent to every
# browser on every page. Longer ones are cut for display (the model's raw_json keeps the whole text).
MAX_DESCRIPTION_CHARS = 20_000
DESCRIPTION_CUT_MARK = " … [description cut: {length:,} characters in all]"

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# What quote(..., safe="/:.") leaves unchanged: most ids need no quoting at all.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/:-]*")
_NO_OBJECT: dict[str, Any] = {}


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
    rows: list[ModelRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_models):
        text = raw_texts[position] if raw_texts is not None else None
        if text is not None and _may_hold_surrogates(text, check_texts):
            text = None  # encode the model again below, where a lone surrogate is found and replaced
        try:
            try:
                row, notes = _row_values(raw, text)
                if text is None and not row.raw_json.isascii():  # it holds every string of the model
                    row.raw_json.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: JSON's \ud800 escapes allow them, UTF-8 not
                row, notes = _row_values(_valid_unicode(raw))
                notes.append("text that is not valid Unicode shown as \ufffd")
        except ModelProblem as problem:
            label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            label = _one_line(_valid_unicode(label.strip())) if label else None
            problems.append(f"model #{position + 1}{f' ({label})' if label else ''} skipped: {problem}")
            continue
        model_id = row.id
        if model_id in seen:
            problems.append(f"model #{position + 1} ({_one_line(model_id)}) skipped: duplicate id")
            continue
        seen.add(model_id)
        if notes:
            problems.extend(f"{model_id}: {note}" for note in notes)
        rows.append(row)
    # A text with a lone surrogate written as is (not escaped) fails here, converted to UTF-8 for
    # Arrow: unchecked, that costs nothing when there is none (a text decoded from UTF-8 has none).
    return Normalized(frame=typed_frame(rows), problems=problems)


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


def _row_values(raw: Any, raw_text: str | None = None) -> tuple[ModelRow, list[str]]:
    """One model object (and its JSON text, if kept) -> (its row, notes).

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
    input_text, output_text, token_priced = modality_cells(architecture)

    pricing = get("pricing")
    if pricing is None:
        pricing = _NO_OBJECT
    if not isinstance(pricing, dict):
        raise ModelProblem(f"pricing is {type(pricing).__name__}, not an object")
    prices, variable = price_cells(pricing, notes)
    overrides = pricing.get("overrides")
    has_tiers = has_time_windows = False
    if overrides and isinstance(overrides, list):
        has_tiers = any(isinstance(o, dict) and "min_prompt_tokens" in o for o in overrides)
        has_time_windows = any(isinstance(o, dict) and "utc_start" in o for o in overrides)

    zero_per_token = not prices.prompt_per_mtok and not prices.completion_per_mtok
    media_output = MEDIA_OUTPUTS.intersection(output_text.split(LIST_SEPARATOR))
    if token_priced and zero_per_token and variant != "free" and media_output:
        # A music, image or video model listed at $0 per token is priced some other way: not free.
        token_priced = False
    # Free: no price above zero (absent counts as zero), and a real $0 prompt price.
    is_free = (
        not variable
        and not any(prices)
        and (token_priced or variant == "free")
        and prices.prompt_per_mtok is not None
    )
    context_length = count_cell(get("context_length"), "context_length", notes)
    if context_length is None:
        context_length = count_cell(top_provider.get("context_length"), "top_provider.context_length", notes)
    max_completion_tokens = count_cell(
        top_provider.get("max_completion_tokens"), "max_completion_tokens", notes
    )
    moderated = top_provider.get("is_moderated")
    discount = pricing.get("discount")
    parameters = get("supported_parameters")
    name = get("name")
    description = get("description")

    row = ModelRow(
        model_id,
        name if isinstance(name, str) and name else model_id,
        provider,
        variant or None,
        text_cell(get("canonical_slug")),
        unix_seconds(get("created")),
        context_length,
        max_completion_tokens,
        text_cell(architecture.get("modality")),
        input_text,
        output_text,
        parameters_cell(parameters) if isinstance(parameters, list) else "",
        *prices,
        None if discount is None else fraction_cell(discount),
        is_free,
        variable,
        token_priced,
        has_tiers,
        has_time_windows,
        moderated if isinstance(moderated, bool) else None,
        *score_values(get("benchmarks"), notes),
        *reasoning_values(get("reasoning"), notes),
        text_cell(architecture.get("tokenizer")),
        text_cell(get("knowledge_cutoff")),
        date_seconds(get("expiration_date")),
        (description if len(description) <= MAX_DESCRIPTION_CHARS else _cut(description))
        if isinstance(description, str)
        else "",
        model_page_url(model_id),
        encode_raw_json(raw) if raw_text is None else raw_text,
    )
    return row, notes


def _cut(description: str) -> str:
    """A description too long to show, cut; the text says so (raw_json keeps it whole)."""
    return description[:MAX_DESCRIPTION_CHARS] + DESCRIPTION_CUT_MARK.format(length=len(description))


def _valid_unicode(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_valid_unicode(key): _valid_unicode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid_unicode(item) for item in value]
    return value
