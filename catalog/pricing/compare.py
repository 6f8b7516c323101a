"""Models side by side: every listed price, limits, capabilities, and the workload's cost on each."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from decimal import Decimal, localcontext
from typing import Any

import pandas as pd

from catalog.fetch.normalize import PER_TOKEN_FIELDS, PRICE_FIELDS, parse_price
from catalog.pricing.cost import (
    DAYS_PER_MONTH,
    EXACT,
    Workload,
    cost_frame,
    format_usd,
    per_million,
    plain_usd,
    schedule_of,
    window_text,
)
from catalog.pricing.schedule import PricingProblem, is_variable_price

COMPARE_LIMIT = 4
PRICE_LABELS = {
    "prompt": "Prompt ($/1M tokens)",
    "completion": "Completion ($/1M tokens)",
    "input_cache_read": "Cache read ($/1M tokens)",
    "input_cache_write": "Cache write ($/1M tokens)",
    "input_cache_write_1h": "Cache write, 1 h ($/1M tokens)",
    "internal_reasoning": "Reasoning ($/1M tokens)",
    "audio": "Audio input ($/1M tokens)",
    "input_audio_cache": "Audio cache read ($/1M tokens)",
    "audio_output": "Audio output ($/1M tokens)",
    "image_token": "Image tokens ($/1M tokens)",
    "image_output": "Image output ($/1M tokens)",
    "request": "Request fee ($/request)",
    "image": "Image input ($/image)",
    "web_search": "Web search ($/search)",
}
CAPABILITIES = {
    "Tools": ("tools",),
    "Reasoning": ("reasoning", "include_reasoning"),
    "Structured outputs": ("structured_outputs", "response_format"),
    "Web search options": ("web_search_options",),
}


def parse_compare_ids(text: str | None, known_ids: Collection[str], limit: int = COMPARE_LIMIT) -> list[str]:
    """Model ids from a comma-separated URL value: known ones only, each once, at most `limit`."""
    picked: list[str] = []
    for part in (text or "").split(","):
        model_id = part.strip()
        if model_id in known_ids and model_id not in picked:
            picked.append(model_id)
    return picked[:limit]


def compare_frame(
    models: pd.DataFrame,
    ids: list[str],
    workload: Workload,
    *,
    utc_time: int | None = None,
    days_per_month: int = DAYS_PER_MONTH,
) -> pd.DataFrame:
    """The chosen models side by side, as text: one column per id (in the given order), one row per
    attribute (every price field, context, modalities, capabilities, expiry), then the workload's
    cost ($/request with `workload.requests` per day) and its multiple of the cheapest of them."""
    chosen = models[models["id"].isin(ids)].drop_duplicates("id").set_index("id", drop=False)
    ids = [model_id for model_id in ids if model_id in chosen.index]
    costs = cost_frame(chosen.reset_index(drop=True), workload, utc_time=utc_time).set_index("id")
    priced = [c for c in costs["cost_per_request_usd"] if c is not None]
    cheapest_cost = min(priced) if priced else None
    columns = {}
    for model_id in ids:
        model = chosen.loc[model_id]
        columns[model_id] = _compare_column(model, costs.loc[model_id], cheapest_cost, days_per_month)
    return pd.DataFrame(columns, dtype="string").rename_axis("")


def _compare_column(
    model: pd.Series, cost: pd.Series, cheapest_cost: Decimal | None, days_per_month: int
) -> dict[str, str]:
    parameters = set(_text_or(model.get("supported_parameters"), "").split(", "))
    column = {
        "Name": _text_or(model.get("name"), str(model["id"])),
        "Author": _text_or(model.get("provider"), "—"),
        "Context (tokens)": _count_text(model.get("context_length")),
        "Max output (tokens)": _count_text(model.get("max_completion_tokens")),
        "Input modalities": _text_or(model.get("input_modalities"), "—"),
        "Output modalities": _text_or(model.get("output_modalities"), "—"),
    }
    for label, names in CAPABILITIES.items():
        column[label] = "yes" if parameters & set(names) else "no"
    column["Knowledge cutoff"] = _text_or(model.get("knowledge_cutoff"), "—")
    expires = model.get("expiration_date")
    column["Expires"] = "—" if pd.isna(expires) else f"{expires:%Y-%m-%d}"
    prices = raw_prices(str(model["raw_json"]))
    per_token = bool(model.get("token_priced", True))
    for name, label in PRICE_LABELS.items():
        value = prices.get(name)
        if value is None:
            column[label] = "—"
        elif not per_token and name in PER_TOKEN_FIELDS and isinstance(value, Decimal):
            column[label] = f"${plain_usd(value)} per unit (not per token)"
        else:
            column[label] = price_text(name, value)
    tiers, windows = describe_overrides(str(model["raw_json"]))
    column["Long-context tiers"] = "; ".join(tiers) or "—"
    column["Time-window prices"] = "; ".join(windows) or "—"
    per_request = cost["cost_per_request_usd"]
    if per_request is None:
        column["Workload ($/request)"] = column["Workload ($/month)"] = str(cost["reason"])
        column["× cheapest"] = "—"
        return column
    with localcontext(EXACT):
        per_month = cost["cost_usd"] * days_per_month  # cost_usd is a day: workload.requests per day
    column["Workload ($/request)"] = format_usd(per_request)
    column["Workload ($/month)"] = format_usd(per_month)
    column["× cheapest"] = _multiple_text(per_request, cheapest_cost)
    return column


def describe_overrides(raw_json: str) -> tuple[list[str], list[str]]:
    """(long-context tiers, time windows), each as lines like "≥ 200,000 input tokens: prompt $2.5/1M"."""
    try:
        schedule = schedule_of(raw_json)
    except PricingProblem:
        return [], []
    tiers, windows = [], []
    for override in schedule.overrides:
        prices = ", ".join(_price_text(name, value) for name, value in override.prices.items())
        conditions = []
        if override.min_prompt_tokens is not None:
            conditions.append(f"≥ {override.min_prompt_tokens:,} input tokens")
        if override.utc_window is not None:
            conditions.append(window_text(override.utc_window) or "")
        text = f"{' and '.join(conditions)}: {prices}"
        (windows if override.utc_window is not None else tiers).append(text)
    return tiers, windows


def raw_prices(raw_json: str) -> dict[str, Decimal | str]:
    """Each listed base price field as an exact Decimal ("variable" for -1, the text if malformed)."""
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        return {}
    pricing = raw.get("pricing") if isinstance(raw, dict) else None
    out: dict[str, Decimal | str] = {}
    for name in PRICE_FIELDS:
        value = pricing.get(name) if isinstance(pricing, Mapping) else None
        if value is None:
            continue
        if is_variable_price(value):
            out[name] = "variable"
            continue
        try:
            number = parse_price(value)
        except ValueError:
            number = None
        out[name] = number if number is not None else str(value)[:40]
    return out


def price_text(name: str, value: Decimal | str) -> str:
    """A price field for display: per-token fields in $/1M tokens, the rest in USD per unit."""
    if isinstance(value, str):
        return value
    return f"${per_million(value)}" if name in PER_TOKEN_FIELDS else f"${plain_usd(value)}"


def _multiple_text(value: Decimal, cheapest_cost: Decimal | None) -> str:
    if cheapest_cost is None:
        return "—"
    if cheapest_cost == 0:
        return "1×" if value == 0 else "— (the cheapest is free)"
    with localcontext() as context:
        context.prec = 28
        multiple = value / cheapest_cost
    return f"{multiple:.2f}×" if multiple < 100 else f"{multiple:,.0f}×"


def _text_or(value: Any, missing: str) -> str:
    return missing if value is None or pd.isna(value) or value == "" else str(value)


def _count_text(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def _price_text(name: str, value: Decimal) -> str:
    unit = "/1M" if name in PER_TOKEN_FIELDS else ""
    return f"{name} {price_text(name, value)}{unit}"
