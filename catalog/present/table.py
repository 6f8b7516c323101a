"""What the explorer's table and details panel show: display frames built from a models frame."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from catalog.fetch.normalize import MILLION, PER_TOKEN_FIELDS, PER_UNIT_FIELDS, parse_price
from catalog.present.filters import is_removed

NEW_DAYS = 7.0  # a model listed on OpenRouter this recently is marked "new"

# Display column -> source column, in the table's order: what a choice needs comes first.
TABLE_COLUMNS = {
    "Model": "name",
    "Input $/1M tokens": "prompt_per_mtok",
    "Output $/1M tokens": "completion_per_mtok",
    "Context (tokens)": "context_length",
    "Status": "status",
    "ID": "id",
    "Author": "provider",
    "Pricing": "pricing",
    "Cache read $/1M tokens": "cache_read_per_mtok",
    "Max output (tokens)": "max_completion_tokens",
    "Input modalities": "input_modalities",
    "Output modalities": "output_modalities",
    "Created": "created",
    "Expires": "expiration_date",
    "OpenRouter page": "url",
}
# Shown at first (the rest on demand): the model, its prices and context, and any badge.
GLANCE_COLUMNS = ["Model", "Input $/1M tokens", "Output $/1M tokens", "Context (tokens)", "Status"]
# The column each sort orders by, shown beside the glance columns so the order can be read.
SORT_COLUMNS = {
    "newest": "Created",
    "input_price": "Input $/1M tokens",
    "output_price": "Output $/1M tokens",
    "context": "Context (tokens)",
    "name": "Model",
}


def visible_columns(chosen: Collection[str], sort: str) -> list[str]:
    """The table's columns in their order: the chosen ones (the glance set when none), the model
    always first and the sort column always beside it."""
    wanted = set(chosen or GLANCE_COLUMNS) | {"Model", SORT_COLUMNS.get(sort, "Model")}
    return [label for label in TABLE_COLUMNS if label in wanted]


FIELD_LABELS = {
    "prompt": "Input (prompt)",
    "completion": "Output (completion)",
    "input_cache_read": "Cache read",
    "input_cache_write": "Cache write",
    "input_cache_write_1h": "Cache write (1 h)",
    "internal_reasoning": "Reasoning",
    "audio": "Audio input",
    "input_audio_cache": "Audio cache",
    "audio_output": "Audio output",
    "image_token": "Image tokens",
    "image_output": "Image output",
    "request": "Per request",
    "image": "Per input image",
    "web_search": "Per web search",
}


def with_status(models: pd.DataFrame, new_ids: Collection[str], removed: pd.DataFrame | None) -> pd.DataFrame:
    """The models plus a `status` column ("new", or "removed on DATE" for appended removed models)."""
    status = pd.Series(pd.NA, index=models.index, dtype="string")
    if new_ids:
        status = status.mask(models["id"].isin(list(new_ids)), "new")
    marked = models.assign(status=status)
    if removed is None or removed.empty:
        return marked
    gone = removed[~removed["id"].isin(models["id"])]
    gone = gone.assign(status="removed on " + gone["removed_on"].dt.strftime("%Y-%m-%d")).drop(
        columns="removed_on"
    )
    return pd.concat([marked, gone[marked.columns].astype(marked.dtypes.to_dict())], ignore_index=True)


def current_models(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows still listed by OpenRouter (without the removed models `with_status` appended)."""
    removed = is_removed(frame)
    return frame[~removed] if removed.any() else frame


def recently_created(
    models: pd.DataFrame, fallback: Collection[str] = (), now: datetime | None = None, days: float = NEW_DAYS
) -> frozenset[str]:
    """The "new" models: listed on OpenRouter (its `created` date) within `days` of `now`.

    A model without a `created` date is new when it is in `fallback` (the models this app first saw
    within those days)."""
    now = now or datetime.now(UTC)
    cutoff = pd.Timestamp(now) - pd.Timedelta(days=days)
    created = models["created"]
    fresh = created.notna() & (created >= cutoff)
    undated = created.isna() & models["id"].isin(list(fallback))
    return frozenset(models.loc[(fresh | undated).to_numpy(bool), "id"].astype(str))


def picker_label(frame: pd.DataFrame) -> list[str]:
    """How a model reads in a picker: "name · id" (the id alone when the name is missing)."""
    names = frame["name"].fillna("").astype(str).tolist()
    ids = frame["id"].astype(str).tolist()
    return [f"{name} · {model_id}" if name else model_id for name, model_id in zip(names, ids, strict=True)]


def pricing_labels(frame: pd.DataFrame) -> pd.Series:
    """How each model is priced, in words: free, variable, per token, or the unit it really uses."""
    outputs = frame["output_modalities"].fillna("")
    not_token = np.where(
        outputs.str.contains("transcription", regex=False),
        "per audio (transcription)",
        "not per token (" + outputs.astype(str) + ")",
    )
    per_token = np.where(frame["has_tiers"].to_numpy(bool), "per token, tiered", "per token")
    labels = np.select(
        [
            frame["variable_pricing"].to_numpy(bool),
            frame["is_free"].to_numpy(bool),
            ~frame["token_priced"].to_numpy(bool),
        ],
        ["variable", "free", not_token],
        default=per_token,
    )
    return pd.Series(labels, index=frame.index, dtype="string")


def table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The models as the table shows them: labelled columns, no per-token price for non-token models."""
    token = (frame["token_priced"] & ~frame["variable_pricing"]).to_numpy(bool)
    data: dict[str, Any] = {}
    for label, column in TABLE_COLUMNS.items():
        if column == "pricing":
            data[label] = pricing_labels(frame)
        elif column == "status" and (column not in frame or frame[column].isna().all()):
            continue  # no badge to show: the column would only take room
        elif column in ("prompt_per_mtok", "completion_per_mtok", "cache_read_per_mtok"):
            # A transcription model's "prompt" is per unit of audio: as $/1M tokens it would be nonsense.
            data[label] = frame[column].where(token)
        elif column == "context_length":
            data[label] = frame[column].where(frame[column] > 0)  # an image model's 0 means none
        else:
            data[label] = frame[column]
    return pd.DataFrame(data, index=frame.index)


def price_rows(raw_json: str, token_priced: bool = True) -> pd.DataFrame:
    """Every price field of one model, exact from the raw strings, with its unit."""
    pricing = _pricing(raw_json)
    rows = []
    for field, value in pricing.items():
        if field in ("overrides", "discount"):
            continue
        rows.append(_price_row(field, value, token_priced))
    discount = pricing.get("discount")
    if isinstance(discount, (int, float)) and not isinstance(discount, bool) and 0 < discount <= 1:
        rows.append({"Price": "Discount", "Amount": f"{discount:.0%}", "Unit": "off list price"})
    return pd.DataFrame(rows, columns=["Price", "Amount", "Unit"])


def override_rows(raw_json: str, token_priced: bool = True) -> pd.DataFrame:
    """Conditional prices (long-context tiers and UTC time windows), in the order they apply."""
    overrides = _pricing(raw_json).get("overrides")
    rows = []
    for index, override in enumerate(overrides if isinstance(overrides, list) else []):
        if not isinstance(override, dict):
            continue
        if "min_prompt_tokens" in override:
            condition = f"prompt ≥ {_count(override['min_prompt_tokens'])} tokens"
        elif "utc_start" in override:
            condition = f"{_hhmm(override.get('utc_start'))}-{_hhmm(override.get('utc_end'))} UTC"
        else:
            condition = "other condition"
        for field, value in override.items():
            if field in ("min_prompt_tokens", "utc_start", "utc_end"):
                continue
            row = _price_row(field, value, token_priced)
            rows.append({"#": index + 1, "When": condition, **row})
    return pd.DataFrame(rows, columns=["#", "When", "Price", "Amount", "Unit"])


def format_usd(amount: Decimal) -> str:
    """Exact dollars, at least two decimals, never an exponent: 0.45 -> "$0.45", 2 -> "$2.00"."""
    if amount == 0:
        return "$0"
    text = format(amount.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"${int(whole):,}.{fraction.ljust(2, '0')}"


def _price_row(field: str, value: Any, token_priced: bool = True) -> dict[str, str]:
    label = FIELD_LABELS.get(field, field)
    try:
        number = parse_price(value)
    except ValueError:
        return {"Price": label, "Amount": "unreadable", "Unit": ""}
    if number is None:
        return {"Price": label, "Amount": "", "Unit": ""}
    if number == -1:
        return {"Price": label, "Amount": "variable", "Unit": "set per request"}
    if number < 0:
        return {"Price": label, "Amount": "unreadable", "Unit": ""}  # never shown as a real price
    if field in ("prompt", "completion") and not token_priced:
        # e.g. a transcription model's price per unit of audio: shown as listed, never per 1M tokens.
        return {"Price": label, "Amount": format_usd(number), "Unit": "per unit, as listed (not per token)"}
    if field in PER_TOKEN_FIELDS:
        return {"Price": label, "Amount": format_usd(number * MILLION), "Unit": "per 1M tokens"}
    unit = {"request": "per request", "image": "per image", "web_search": "per search"}.get(field, "per unit")
    if field not in PER_UNIT_FIELDS:
        unit = "per unit (as listed)"
    return {"Price": label, "Amount": format_usd(number), "Unit": unit}


def _pricing(raw_json: str) -> dict[str, Any]:
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        return {}
    pricing = raw.get("pricing") if isinstance(raw, dict) else None
    return pricing if isinstance(pricing, dict) else {}


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else "?"


def _hhmm(value: Any) -> str:
    if isinstance(value, int) and 0 <= value <= 2400:
        return f"{value // 100:02d}:{value % 100:02d}"
    return "?"


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$")


def escape_markdown(text: str) -> str:
    """Third-party text made literal for Streamlit's markdown: no links, images, HTML or emphasis."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in text)
