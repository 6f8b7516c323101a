"""One model's `/endpoints` answer -> one typed row per hosting provider (prices exact, in $ per 1M tokens).

Prices follow the models' rules (`catalog.fetch.normalize`): per-token fields in $ per 1M tokens,
"-1" means variable (set per request: every price left empty, `variable_pricing` set), an absent
field is absent (no price, which the schedule reads as 0).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa

from catalog.errors import BadResponse
from catalog.fetch.cells import (
    count_cell,
    encode_raw_json,
    fraction_cell,
    parameters_cell,
    price_cells,
    text_cell,
)
from catalog.pricing.fields import PRICE_COLUMNS

IDENTITY_COLUMNS = ["model_id", "provider_name", "tag", "endpoint_name", "quantization"]
LIMIT_COLUMNS = ["context_length", "max_completion_tokens", "max_prompt_tokens"]
HEALTH_COLUMNS = [
    "uptime_last_30m",
    "uptime_last_1d",
    "latency_p50_ms",
    "latency_p90_ms",
    "throughput_p50_tps",
    "throughput_p90_tps",
]
ENDPOINT_COLUMNS = [
    *IDENTITY_COLUMNS,
    *LIMIT_COLUMNS,
    *PRICE_COLUMNS,
    "discount",
    "variable_pricing",
    "status",
    *HEALTH_COLUMNS,
    "supports_implicit_caching",
    "supported_parameters",
    "fetched_at",
    "raw_json",
]
# One provider's cells, by column name; its order is ENDPOINT_COLUMNS'.
EndpointRow = NamedTuple("EndpointRow", [(column, Any) for column in ENDPOINT_COLUMNS])  # type: ignore[misc]
_STRING_COLUMNS = frozenset([*IDENTITY_COLUMNS, "supported_parameters", "raw_json"])
_INT_COLUMNS = frozenset([*LIMIT_COLUMNS, "status"])


@dataclass
class ParsedEndpoints:
    """The rows of one model's providers (values in ENDPOINT_COLUMNS order) and what was skipped."""

    rows: list[EndpointRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def endpoints_path(model_id: str) -> str:
    """`/models/{author}/{slug}/endpoints`: the id's `:variant` in the path, each segment quoted."""
    segments = model_id.split("/")
    if len(segments) < 2 or any(s in ("", ".", "..") for s in segments):
        raise BadResponse(f"model id {model_id[:80]!r} cannot name an endpoints path")
    return "/models/" + "/".join(quote(segment, safe=":~") for segment in segments) + "/endpoints"


def endpoints_url(api_base: str, model_id: str) -> str:
    """The endpoints URL of a model under `api_base`."""
    return api_base.rstrip("/") + endpoints_path(model_id)


def parse_endpoints(payload: dict[str, Any], model_id: str, fetched_at: datetime) -> ParsedEndpoints:
    """The provider rows of one `/endpoints` response. Raises BadResponse when it is not that shape."""
    data = payload.get("data")
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "missing"
        raise BadResponse(f"'data' is {kind}, not a model with endpoints")
    endpoints = data.get("endpoints")
    if endpoints is None:
        return ParsedEndpoints()  # no live provider
    if not isinstance(endpoints, list):
        raise BadResponse(f"'endpoints' is {type(endpoints).__name__}, not a list")
    parsed = ParsedEndpoints()
    seen: set[tuple[str | None, str | None]] = set()
    for position, raw in enumerate(endpoints):
        if not isinstance(raw, dict):
            parsed.problems.append(f"{model_id}: endpoint #{position + 1} skipped: not an object")
            continue
        notes: list[str] = []
        row = endpoint_row(raw, model_id, fetched_at, notes)
        key = (row.provider_name, row.tag)
        if key in seen:
            parsed.problems.append(f"{model_id}: endpoint #{position + 1} skipped: duplicate provider")
            continue
        seen.add(key)
        parsed.rows.append(row)
        parsed.problems.extend(
            f"{model_id} ({row.provider_name or row.tag or 'a provider'}): {n}" for n in notes
        )
    return parsed


def endpoint_row(raw: dict[str, Any], model_id: str, fetched_at: datetime, notes: list[str]) -> EndpointRow:
    """One endpoint object -> its row."""
    pricing = raw.get("pricing")
    if not isinstance(pricing, dict):
        if pricing is not None:
            notes.append(f"pricing ignored: {type(pricing).__name__}")
        pricing = {}
    prices, variable = price_cells(pricing, notes)
    parameters = raw.get("supported_parameters")
    caching = raw.get("supports_implicit_caching")
    status = raw.get("status")
    return EndpointRow(
        model_id,
        text_cell(raw.get("provider_name")),
        text_cell(raw.get("tag")),
        text_cell(raw.get("name")),
        text_cell(raw.get("quantization")),
        count_cell(raw.get("context_length"), "context_length", notes),
        count_cell(raw.get("max_completion_tokens"), "max_completion_tokens", notes),
        count_cell(raw.get("max_prompt_tokens"), "max_prompt_tokens", notes),
        *prices,
        fraction_cell(pricing.get("discount")) if pricing.get("discount") is not None else None,
        variable,
        status if type(status) is int and -1000 <= status <= 1000 else None,
        _percent(raw.get("uptime_last_30m")),
        _percent(raw.get("uptime_last_1d")),
        _percentile(raw.get("latency_last_30m"), "p50"),
        _percentile(raw.get("latency_last_30m"), "p90"),
        _percentile(raw.get("throughput_last_30m"), "p50"),
        _percentile(raw.get("throughput_last_30m"), "p90"),
        caching if isinstance(caching, bool) else None,
        parameters_cell(parameters) if isinstance(parameters, list) else "",
        fetched_at,
        encode_raw_json(raw),
    )


def endpoints_frame(rows: list[EndpointRow]) -> pd.DataFrame:
    """The typed endpoints table of rows; no rows gives every column, empty."""
    if not rows:
        # Every catalog without providers loads this: building its typed columns took 8 ms a load.
        return _empty_endpoints().copy()
    return _typed_frame(list(zip(*rows, strict=True)))


@functools.cache
def _empty_endpoints() -> pd.DataFrame:
    return _typed_frame([()] * len(ENDPOINT_COLUMNS))


def _typed_frame(columns: list[tuple[Any, ...]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for name, values in zip(ENDPOINT_COLUMNS, columns, strict=True):
        if name in _STRING_COLUMNS:
            data[name] = pd.array(list(values), dtype=pd.StringDtype())
        elif name in _INT_COLUMNS:
            data[name] = pd.array(list(values), dtype="Int64")
        elif name == "variable_pricing":
            data[name] = np.array(values, dtype=bool)
        elif name == "supports_implicit_caching":
            data[name] = pd.array(list(values), dtype="boolean")
        elif name == "fetched_at":
            data[name] = pd.array(pd.to_datetime(list(values), utc=True)).astype("datetime64[us, UTC]")
        else:
            data[name] = pa.array(values, type=pa.float64()).to_numpy(zero_copy_only=False)
    return pd.DataFrame(data)


def rows_from_raw(model_id: str, raw_json: str, fetched_at: datetime) -> EndpointRow:
    """A stored endpoint rebuilt from its raw JSON (a store written by an older version)."""
    raw = json.loads(raw_json)
    if not isinstance(raw, dict):
        raise ValueError("an endpoint's raw JSON is not an object")
    return endpoint_row(raw, model_id, fetched_at, [])


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and 0 <= value <= 100 else None


def _percentile(stats: Any, name: str) -> float | None:
    """One percentile of `latency_last_30m` (ms) or `throughput_last_30m` (tokens/s); None if absent."""
    value = stats.get(name) if isinstance(stats, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and 0 <= value < 1e9 else None
