"""What the explorer's table and details panel show: display frames built from a models frame."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from catalog.frames import is_in
from catalog.present.filters import is_removed
from catalog.pricing.fields import OTHER_UNIT, PRICE_FIELDS, VARIABLE, display_unit
from catalog.pricing.listing import MODELS_REMEMBERED, listing_of
from catalog.pricing.money import per_million, price_text, usd_short

NEW_DAYS = 7.0  # a model listed on OpenRouter this recently is marked "new"

# Display column -> source column, in the table's order: what a choice needs comes first.
TABLE_COLUMNS = {
    "Model": "name",
    "Input $/1M": "prompt_per_mtok",
    "Output $/1M": "completion_per_mtok",
    "Context": "context_length",
    "Status": "status",
    "ID": "id",
    "Author": "provider",
    "Pricing": "pricing",
    "Cache read $/1M": "cache_read_per_mtok",
    "Max output (tokens)": "max_completion_tokens",
    "Intelligence index": "intelligence_index",
    "Coding index": "coding_index",
    "Agentic index": "agentic_index",
    "Reasoning efforts": "reasoning_efforts",
    "Input modalities": "input_modalities",
    "Output modalities": "output_modalities",
    "Created": "created",
    "Expires": "expiration_date",
    "OpenRouter page": "url",
}
# Shown at first (the rest on demand): the model, its prices and context, and any badge.
GLANCE_COLUMNS = ["Model", "Input $/1M", "Output $/1M", "Context", "Status"]
# The column each sort orders by, shown beside the glance columns so the order can be read.
SORT_COLUMNS = {
    "newest": "Created",
    "input_price": "Input $/1M",
    "output_price": "Output $/1M",
    "context": "Context",
    "name": "Model",
    "intelligence": "Intelligence index",
    "coding": "Coding index",
    "agentic": "Agentic index",
}


def visible_columns(chosen: Collection[str], sort: str) -> list[str]:
    """The table's columns in their order: the chosen ones (the glance set when none), the model
    always first and the sort column always beside it."""
    wanted = set(chosen or GLANCE_COLUMNS) | {"Model", SORT_COLUMNS.get(sort, "Model")}
    return [label for label in TABLE_COLUMNS if label in wanted]


def with_status(models: pd.DataFrame, new_ids: Collection[str], removed: pd.DataFrame | None) -> pd.DataFrame:
    """The models plus a `status` column ("new", or "removed on DATE" for appended removed models)."""
    status = pd.Series(pd.NA, index=models.index, dtype="string")
    if new_ids:
        status = status.mask(models["id"].isin(list(new_ids)), "new")
    marked = models.assign(status=status)
    if removed is None or removed.empty:
        return marked
    gone = removed[~is_in(removed["id"], models["id"])]
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


# The prices a model not priced per token shows in the table instead, by side, first listed first.
INPUT_UNIT_PRICES = ("prompt", "image", "audio", "image_token", "request")
OUTPUT_UNIT_PRICES = ("completion", "image_output", "audio_output")
PRICE_CELL_FIELDS = {
    "prompt_per_mtok": ("prompt", INPUT_UNIT_PRICES),
    "completion_per_mtok": ("completion", OUTPUT_UNIT_PRICES),
    "cache_read_per_mtok": ("input_cache_read", ()),
}


def price_cell(raw_json: str, token_priced: bool, column: str) -> str | None:
    """A table cell for a price column, exact in dollars: "$0.45" per 1M tokens; "variable"; for a
    model not priced per token, its own first listed price on that side with its unit ("$0.04/image",
    "$8.38/1M tokens (image output)"); None when there is none."""
    return _price_cell(raw_json, token_priced, column)


@lru_cache(maxsize=MODELS_REMEMBERED)
def _price_cell(raw_json: str, token_priced: bool, column: str) -> str | None:
    name, unit_prices = PRICE_CELL_FIELDS[column]
    base = listing_of(raw_json).base
    if token_priced or VARIABLE in base.values():
        price = base.get(name)
        return None if price is None else price_text(name, price, token_priced)
    for other in unit_prices:
        price = base.get(other)
        if not (isinstance(price, Decimal) and price > 0):
            continue
        field = PRICE_FIELDS.get(other)
        if other in ("prompt", "completion", "image", "request") or field is None:
            return price_text(other, price, token_priced=False, unit=True)  # "$0.04/image", "$0.006/unit"
        # Per token, on a model priced by what it makes: short, so the cell shows it whole (the
        # details have it exact).
        return f"{usd_short(per_million(price))}/1M {field.label.lower()}"
    return None


def reasoning_labels(frame: pd.DataFrame) -> pd.Series:
    """How each model reasons, in words: its efforts highest first, "any effort", or nothing."""
    efforts = frame["reasoning_efforts"]
    mandatory = frame["reasoning_mandatory"].fillna(False).to_numpy(bool)
    text = efforts.mask((efforts == "").fillna(False).to_numpy(bool), "any effort")
    return text.where(~mandatory, text + " (always on)").astype("string")


def table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The models as the table shows them: labelled columns, prices as exact dollar text in their unit."""
    raw_json = frame["raw_json"].tolist()
    token = frame["token_priced"].to_numpy(bool).tolist()
    data: dict[str, Any] = {}
    for label, column in TABLE_COLUMNS.items():
        if column == "pricing":
            data[label] = pricing_labels(frame)
        elif column == "status" and (column not in frame or frame[column].isna().all()):
            continue  # no badge to show: the column would only take room
        elif column in PRICE_CELL_FIELDS:
            # A transcription model's "prompt" is per unit of audio: as $/1M tokens it would be nonsense.
            cells = [_price_cell(raw, priced, column) for raw, priced in zip(raw_json, token, strict=True)]
            data[label] = pd.Series(cells, index=frame.index, dtype="string")
        elif column == "context_length":
            data[label] = frame[column].where(frame[column] > 0)  # an image model's 0 means none
        elif column == "reasoning_efforts":
            data[label] = reasoning_labels(frame)
        else:
            data[label] = frame[column]
    return pd.DataFrame(data, index=frame.index)


def price_rows(raw_json: str, token_priced: bool = True) -> pd.DataFrame:
    """Every base price a model lists, exact, with its unit (and its discount, if any)."""
    listing = listing_of(raw_json)
    rows = [_price_row(name, price, token_priced) for name, price in listing.base.items()]
    if listing.discount is not None:
        rows.append({"Price": "Discount", "Amount": f"{listing.discount:.0%}", "Unit": "off list price"})
    return pd.DataFrame(rows, columns=["Price", "Amount", "Unit"])


def override_rows(raw_json: str, token_priced: bool = True) -> pd.DataFrame:
    """Conditional prices (long-context tiers and UTC time windows), in the order they apply."""
    rows = []
    for index, override in enumerate(listing_of(raw_json).overrides, start=1):
        for name, price in override.prices.items():
            rows.append({"#": index, "When": override.condition, **_price_row(name, price, token_priced)})
    return pd.DataFrame(rows, columns=["#", "When", "Price", "Amount", "Unit"])


def _price_row(name: str, price: Decimal | str, token_priced: bool) -> dict[str, str]:
    field = PRICE_FIELDS.get(name)
    label = field.label if field is not None else name
    if price == VARIABLE:
        return {"Price": label, "Amount": VARIABLE, "Unit": "set per request"}
    if isinstance(price, str):  # unreadable: never shown as a real price
        return {"Price": label, "Amount": price, "Unit": ""}
    unit = display_unit(name, token_priced)[0]
    if unit == OTHER_UNIT:  # e.g. a transcription model's price per unit of audio: never per 1M tokens
        unit += ", as listed (not per token)" if field is not None and field.per_token else ", as listed"
    return {"Price": label, "Amount": price_text(name, price, token_priced), "Unit": unit}


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$")


def escape_markdown(text: str) -> str:
    """Third-party text made literal for Streamlit's markdown: no links, images, HTML or emphasis."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in text)
