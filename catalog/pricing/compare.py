"""Models side by side: every listed price, limits, capabilities, scores, and the workload's cost on each."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, localcontext
from typing import Any

import pandas as pd

from catalog.present.scores import score_summary
from catalog.pricing.cost import DAYS_PER_MONTH, EXACT, Workload, cost_frame
from catalog.pricing.fields import PER_UNIT_WHEN_NOT_TOKEN_PRICED, PRICE_FIELDS
from catalog.pricing.listing import Listing, listing_of
from catalog.pricing.money import price_text, usd_short

COMPARE_LIMIT = 4
CAPABILITIES = {
    "Tools": ("tools",),
    "Reasoning": ("reasoning", "include_reasoning"),
    "Structured outputs": ("structured_outputs", "response_format"),
    "Web search options": ("web_search_options",),
}


def parse_compare_ids(
    text: str | None,
    known_ids: Collection[str],
    limit: int = COMPARE_LIMIT,
    ignored: list[str] | None = None,
) -> list[str]:
    """Model ids from a comma-separated URL value: known ones only, each once, at most `limit`.

    Each id left out (unknown, or over the limit) is added to `ignored`, for the page to name.
    """
    picked: list[str] = []
    for part in (text or "").split(","):
        model_id = part.strip()
        if model_id in known_ids and model_id not in picked:
            picked.append(model_id)
        elif model_id and model_id not in picked and ignored is not None:
            ignored.append(model_id)
    if ignored is not None:
        ignored.extend(picked[limit:])
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
    column.update(score_summary(model))
    column["Knowledge cutoff"] = _text_or(model.get("knowledge_cutoff"), "—")
    expires = model.get("expiration_date")
    column["Expires"] = "—" if pd.isna(expires) else f"{expires:%Y-%m-%d}"
    listing = listing_of(str(model["raw_json"]))
    per_token = bool(model.get("token_priced", True))
    for name, field in PRICE_FIELDS.items():
        price = listing.base.get(name)
        if per_token or name not in PER_UNIT_WHEN_NOT_TOKEN_PRICED or price is None:
            text = price_text(name, price)
        else:
            text = f"{price_text(name, price, per_token, unit=True)} (not per token)"
        column[f"{field.label} ({field.unit})"] = text
    tiers, windows = describe_overrides(listing)
    column["Long-context tiers"] = "; ".join(tiers) or "—"
    column["Time-window prices"] = "; ".join(windows) or "—"
    per_request = cost["cost_per_request_usd"]
    if per_request is None:
        column["Workload ($/request)"] = column["Workload ($/month)"] = str(cost["reason"])
        column["× cheapest"] = "—"
        return column
    with localcontext(EXACT):
        per_month = cost["cost_usd"] * days_per_month  # cost_usd is a day: workload.requests per day
    column["Workload ($/request)"] = usd_short(per_request)
    column["Workload ($/month)"] = usd_short(per_month)
    column["× cheapest"] = _multiple_text(per_request, cheapest_cost)
    return column


def describe_overrides(listing: Listing) -> tuple[list[str], list[str]]:
    """(long-context tiers, time windows), each as lines such as
    "≥ 200,000 input tokens: prompt $2.50/1M tokens"."""
    tiers, windows = [], []
    for override in listing.overrides:
        prices = ", ".join(
            f"{name} {price_text(name, price, unit=True)}" for name, price in override.prices.items()
        )
        (windows if override.is_window else tiers).append(f"{override.condition}: {prices}")
    return tiers, windows


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
