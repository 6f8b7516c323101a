"""Presenting hosting providers: a model's providers cheapest first, per-model summaries, filters, exports.

Prices are shown as the page shows every listed price (`catalog.pricing.money`): exact dollars read from
the provider's own JSON, never its rounded float column.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from catalog.fetch.endpoints import ENDPOINT_COLUMNS
from catalog.present.export import to_csv_bytes, to_json_bytes
from catalog.present.terminal import printable as _printable
from catalog.pricing.comparable import has_comparable_price
from catalog.pricing.listing import listing_of
from catalog.pricing.money import price_text

EXPORT_FORMATS = ("table", "csv", "json")
# A provider is up when its status is 0; OpenRouter sends negative numbers for degraded or down.
STATUS_WORDS = {0: "up", -1: "degraded", -2: "degraded", -3: "down", -5: "down", -10: "down"}
# Display column -> source column, for a model's providers in its details and in Compare.
DETAIL_COLUMNS = {
    "Provider": "provider_name",
    "Status": "status_text",
    "Quantization": "quantization",
    "Input $/1M": "prompt_text",
    "Output $/1M": "completion_text",
    "Context": "context_length",
    "Max output": "max_completion_tokens",
    "Uptime 1d %": "uptime_last_1d",
    "Latency p50 ms": "latency_p50_ms",
    "Tokens/s p50": "throughput_p50_tps",
}
SUMMARY_COLUMNS = [
    "providers",
    "cheapest_provider",
    "cheapest_prompt_per_mtok",
    "cheapest_completion_per_mtok",
]
# A summary's price number -> its exact money text (what the models table shows).
SUMMARY_TEXT_COLUMNS = {
    "cheapest_prompt_per_mtok": "cheapest_prompt_text",
    "cheapest_completion_per_mtok": "cheapest_completion_text",
}


def cheapest_first(endpoints: pd.DataFrame, model_order: list[str] | None = None) -> pd.DataFrame:
    """Providers grouped by model (in `model_order`, else as stored), cheapest prompt price first.

    Ties go to the cheaper output, then the provider's name; a provider without a price comes last.
    """
    if endpoints.empty:
        return endpoints
    keys = pd.DataFrame(
        {
            "model": endpoints["model_id"].map({m: i for i, m in enumerate(model_order)})
            if model_order is not None
            else pd.factorize(endpoints["model_id"])[0],
            "prompt": endpoints["prompt_per_mtok"].fillna(np.inf),
            "completion": endpoints["completion_per_mtok"].fillna(np.inf),
            "name": endpoints["provider_name"].fillna("").str.lower(),
        },
        index=endpoints.index,
    )
    order = keys.sort_values(["model", "prompt", "completion", "name"], kind="stable").index
    return endpoints.loc[order].reset_index(drop=True)


def status_text(status: pd.Series) -> pd.Series:
    """The status number in a word: up, degraded, down (or "unknown")."""
    words = ["unknown" if pd.isna(s) else STATUS_WORDS.get(int(s), "down" if s < 0 else "up") for s in status]
    return pd.Series(words, index=status.index, dtype="string")


def model_providers(endpoints: pd.DataFrame, model_id: str) -> pd.DataFrame:
    """One model's providers as its details show them, cheapest first."""
    rows = cheapest_first(endpoints[endpoints["model_id"] == model_id])
    shown = rows.assign(
        status_text=status_text(rows["status"]),
        latency_p50_ms=rows["latency_p50_ms"].round(),
        prompt_text=listed_prices(rows["raw_json"], "prompt"),
        completion_text=listed_prices(rows["raw_json"], "completion"),
    )
    return pd.DataFrame({label: shown[column].to_numpy() for label, column in DETAIL_COLUMNS.items()})


def listed_prices(raw_json: pd.Series, name: str) -> pd.Series:
    """Each provider's listed price of field `name` as exact money text ("$0.50" per 1M tokens),
    "variable", or missing where it lists none."""
    texts = [_listed_price(raw, name) for raw in raw_json]
    return pd.Series(texts, index=raw_json.index, dtype="string")


def provider_summary(endpoints: pd.DataFrame) -> pd.DataFrame:
    """Per model: how many providers, the cheapest (by input price) and its prices (as numbers, and
    as exact money text), the best throughput."""
    if endpoints.empty:
        return pd.DataFrame(
            columns=[*SUMMARY_COLUMNS, *SUMMARY_TEXT_COLUMNS.values(), "best_throughput_tps"],
            index=pd.Index([], name="model_id"),
        )
    ordered = cheapest_first(endpoints)
    groups = ordered.groupby("model_id", sort=False)
    first = groups.head(1).set_index("model_id")
    return pd.DataFrame(
        {
            "providers": groups.size(),
            "cheapest_provider": first["provider_name"],
            "cheapest_prompt_per_mtok": first["prompt_per_mtok"],
            "cheapest_completion_per_mtok": first["completion_per_mtok"],
            "cheapest_prompt_text": listed_prices(first["raw_json"], "prompt"),
            "cheapest_completion_text": listed_prices(first["raw_json"], "completion"),
            "best_throughput_tps": groups["throughput_p50_tps"].max(),
        }
    )


@dataclass(frozen=True)
class ProviderFilters:
    """Conditions on hosting providers; a model passes when one of its providers meets all of them."""

    providers: tuple[str, ...] = ()
    quantizations: tuple[str, ...] = ()
    min_uptime_pct: float | None = None
    max_latency_ms: float | None = None
    min_throughput_tps: float | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.providers
            or self.quantizations
            or self.min_uptime_pct is not None
            or self.max_latency_ms is not None
            or self.min_throughput_tps is not None
        )


def models_meeting(endpoints: pd.DataFrame, filters: ProviderFilters) -> set[str]:
    """Ids of the models with at least one provider meeting every condition (unknown figures fail one)."""
    keep = pd.Series(True, index=endpoints.index)
    if filters.providers:
        keep &= endpoints["provider_name"].isin(list(filters.providers)).fillna(False)
    if filters.quantizations:
        keep &= endpoints["quantization"].fillna("unknown").isin(list(filters.quantizations))
    if filters.min_uptime_pct is not None:
        keep &= endpoints["uptime_last_1d"].ge(filters.min_uptime_pct).fillna(False)
    if filters.max_latency_ms is not None:
        keep &= endpoints["latency_p50_ms"].le(filters.max_latency_ms).fillna(False)
    if filters.min_throughput_tps is not None:
        keep &= endpoints["throughput_p50_tps"].ge(filters.min_throughput_tps).fillna(False)
    return set(endpoints.loc[keep.to_numpy(bool), "model_id"])


def provider_choices(endpoints: pd.DataFrame) -> dict[str, list[str]]:
    """What the provider filters offer: every hosting provider's name, every quantization."""
    names = endpoints["provider_name"].dropna().unique()
    quantizations = endpoints["quantization"].fillna("unknown").unique()
    return {
        "hosts": sorted(map(str, names), key=str.lower),
        "quant": sorted(map(str, quantizations)),
    }


def export_providers(endpoints: pd.DataFrame, fmt: str, not_per_token: Collection[str] = ()) -> bytes:
    """The providers as "csv" (formula-safe, no raw JSON), "json" (with it) or an aligned "table".

    `not_per_token`: models whose prices are not per token (the table says so instead of a $/1M).
    """
    frame = endpoints[ENDPOINT_COLUMNS]
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "json":
        return to_json_bytes(frame)
    if fmt == "table":
        return text_table(frame, not_per_token).encode("utf-8")
    raise ValueError(f"unknown providers format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")


def text_table(endpoints: pd.DataFrame, not_per_token: Collection[str] = ()) -> str:
    """Aligned columns for a terminal: model, provider, quantization, prices, uptime, latency, throughput."""
    if endpoints.empty:
        return "no providers\n"
    header = ("model", "provider", "quant", "in $/1M", "out $/1M", "uptime 1d", "p50 ms", "p50 tok/s", "age")
    rows = [
        (
            _printable(row.model_id),
            _printable(_text(row.provider_name) or _text(row.tag) or "?"),
            _printable(_text(row.quantization) or "unknown"),
            *(
                ("not per token", "")
                if row.model_id in not_per_token
                else (
                    _listed_price(row.raw_json, "prompt") or "",
                    _listed_price(row.raw_json, "completion") or "",
                )
            ),
            "" if pd.isna(row.uptime_last_1d) else f"{row.uptime_last_1d:.1f}%",
            "" if pd.isna(row.latency_p50_ms) else f"{row.latency_p50_ms:,.0f}",
            "" if pd.isna(row.throughput_p50_tps) else f"{row.throughput_p50_tps:,.0f}",
            f"{row.fetched_at:%Y-%m-%d}",
        )
        for row in endpoints.itertuples(index=False)
    ]
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(len(header))]
    right = (False, False, False, True, True, True, True, True, False)

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)]) + "\n"


PROVIDER_TABLE_COLUMNS = {
    "Providers": "providers",
    "Cheapest provider": "cheapest_provider",
    "Cheapest input $/1M tokens": "cheapest_prompt_per_mtok",
    "Cheapest output $/1M tokens": "cheapest_completion_per_mtok",
    "Best throughput (tokens/s)": "best_throughput_tps",
}


def with_provider_columns(display: pd.DataFrame, rows: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The models table plus each model's provider count, cheapest provider and prices (exact money
    text), best throughput.

    `display` and `rows` share an index; models not priced per token get no per-token price.
    """
    per_model = summary.reindex(rows["id"].to_numpy())
    token = has_comparable_price(rows)
    added = {}
    for label, column in PROVIDER_TABLE_COLUMNS.items():
        values = per_model[column].to_numpy()
        if column in SUMMARY_TEXT_COLUMNS:
            texts = per_model[SUMMARY_TEXT_COLUMNS[column]].to_numpy()
            values = pd.array(pd.Series(texts, dtype="string").where(token), dtype="string")
        elif column == "providers":
            values = pd.array(pd.Series(values).fillna(0).astype(int), dtype="Int64")
        added[label] = values
    return display.assign(**added)


def age_of(fetched_at: datetime, now: datetime) -> str:
    """'today', '1 day old', '12 days old'."""
    days = (now - fetched_at).days
    return "today" if days < 1 else f"{days:,} day{'s' if days != 1 else ''} old"


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA else str(value)


def _listed_price(raw_json: object, name: str) -> str | None:
    if not isinstance(raw_json, str):
        return None
    price = listing_of(raw_json).base.get(name)
    return None if price is None else price_text(name, price)
