"""What a workload costs on each model, exact to OpenRouter's price strings (Decimal throughout).

How a workload is billed, per request (the calculator's help text says the same):

- `input_tokens` is the whole prompt, as OpenRouter's `usage.prompt_tokens` counts it, INCLUDING
  `cached_input_tokens` and `cache_write_tokens`. Cached tokens are billed at `input_cache_read`,
  cache writes at `input_cache_write`, the rest at `prompt`.
- `output_tokens` is the whole completion, as `usage.completion_tokens` counts it, INCLUDING
  `reasoning_tokens`. Reasoning tokens are billed at `internal_reasoning`, the rest at `completion`.
- `images` (input images) at `image`, `web_searches` at `web_search`, plus the flat `request` fee.
- `requests` multiplies it all: `cost_usd` is the whole workload, `cost_per_request_usd` one request.

Which price each unit pays (fallbacks, long-context tiers, UTC time windows) is worked out in
catalog.pricing.schedule. Variable prices ("-1"), models not priced per token and malformed prices get no
number, only a `reason`. Costs export as an aligned text table, CSV or JSON (the CLI's formats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext
from typing import Any

import pandas as pd

from catalog.errors import CatalogError
from catalog.present.export import to_csv_bytes, to_json_bytes
from catalog.pricing.fit import fit_problems
from catalog.pricing.listing import listing_of
from catalog.pricing.money import plain_decimal
from catalog.pricing.schedule import RATE_FIELDS, ZERO, PriceSchedule, format_hhmm, window_text

# Wide enough that no sum of products of real price strings and token counts is ever rounded;
# Inexact is trapped so a rounding would be an error, never a silently wrong cost.
EXACT = Context(prec=200, traps=[InvalidOperation, Inexact, Overflow, DivisionByZero])
DAYS_PER_MONTH = 30
MAX_COUNT = 10**15  # per workload field; with prices of at most 60 digits, far inside EXACT's 200
COST_COLUMNS = [
    "id",
    "name",
    "cost_usd",
    "cost_per_request_usd",
    "tier_min_prompt_tokens",
    "utc_window",
    "note",
    "reason",
]
EXPORT_FORMATS = ("csv", "json")


class InvalidWorkload(CatalogError, ValueError):
    """A workload that cannot be priced (negative counts, more cached than input tokens, ...)."""


@dataclass(frozen=True)
class Workload:
    """Token and unit counts per request, and how many requests (see the module docstring)."""

    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0
    reasoning_tokens: int = 0
    cache_write_tokens: int = 0
    images: int = 0
    web_searches: int = 0
    requests: int = 1

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidWorkload(f"{item.name.replace('_', ' ')} must be a whole number, not {value!r}")
            if value < 0:
                raise InvalidWorkload(f"{item.name.replace('_', ' ')} cannot be negative (got {value:,})")
            if value > MAX_COUNT:
                raise InvalidWorkload(f"{item.name.replace('_', ' ')} is too large (over {MAX_COUNT:,})")
        if self.cached_input_tokens + self.cache_write_tokens > self.input_tokens:
            parts = f"cached input tokens ({self.cached_input_tokens:,})"
            if self.cache_write_tokens:
                parts += f" plus cache-write tokens ({self.cache_write_tokens:,})"
            raise InvalidWorkload(f"{parts} exceed the input tokens ({self.input_tokens:,}) they are part of")
        if self.reasoning_tokens > self.output_tokens:
            raise InvalidWorkload(
                f"reasoning tokens ({self.reasoning_tokens:,}) exceed the output tokens "
                f"({self.output_tokens:,}) they are part of"
            )

    def billed_counts(self) -> tuple[int, ...]:
        """Units billed per request at each RATE_FIELDS price (uncached input, cache reads, ...)."""
        return (
            self.input_tokens - self.cached_input_tokens - self.cache_write_tokens,
            self.cached_input_tokens,
            self.cache_write_tokens,
            self.output_tokens - self.reasoning_tokens,
            self.reasoning_tokens,
            self.images,
            self.web_searches,
            1,
        )


@dataclass(frozen=True)
class RequestCost:
    """One request's cost, the prices it used, and the line items (USD) that sum to it."""

    per_request: Decimal
    total: Decimal
    prices: Mapping[str, Decimal]
    lines: Mapping[str, Decimal] = field(default_factory=dict)
    tier_min_prompt_tokens: int | None = None
    utc_window: tuple[int, int] | None = None


def parse_utc_time(text: str | int | None) -> int | None:
    """ "14:30", "1430" or 1430 -> 1430; None or "" -> None. Raises InvalidWorkload on anything else."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    raw = str(text).strip().replace(":", "")
    if not raw.isdigit() or len(raw) > 4:
        raise InvalidWorkload(f"UTC time {text!r} is not HHMM (e.g. 1430 or 14:30)")
    value = int(raw)
    if value // 100 > 23 or value % 100 > 59:
        raise InvalidWorkload(f"UTC time {text!r} is not a time of day (00:00 to 23:59)")
    return value


def request_cost(schedule: PriceSchedule, workload: Workload, *, utc_time: int | None = None) -> RequestCost:
    """The workload's cost on one price schedule: per request, and times `workload.requests`."""
    rates = schedule.rates(workload.input_tokens, utc_time)
    with localcontext(EXACT):
        lines = {
            name: count * rate
            for name, count, rate in zip(RATE_FIELDS, workload.billed_counts(), rates.values, strict=True)
        }
        per_request = sum(lines.values(), ZERO)
        total = per_request * workload.requests
    return RequestCost(
        per_request,
        total,
        dict(zip(RATE_FIELDS, rates.values, strict=True)),
        lines,
        rates.tier_min_prompt_tokens,
        rates.utc_window,
    )


def cost_frame(models: pd.DataFrame, workload: Workload, *, utc_time: int | None = None) -> pd.DataFrame:
    """Each model's cost for the workload, cheapest first; models without a number last, with a reason.

    Columns: id, name, cost_usd and cost_per_request_usd (exact Decimal, None when unpriced),
    tier_min_prompt_tokens (the long-context tier applied), utc_window, note, reason.
    Each distinct pricing is parsed once (and remembered across calls) and priced once per call.
    """
    if "raw_json" not in models.columns:
        raise ValueError("the models frame has no raw_json column to price from")
    ids = models["id"].tolist()
    names = _column(models, "name", ids)
    token_priced = _column(models, "token_priced", [True] * len(ids))
    outputs = _column(models, "output_modalities", [""] * len(ids))
    fit_reasons = fit_problems(models, workload.input_tokens, workload.output_tokens)
    by_schedule: dict[int, tuple[Decimal, Decimal, int | None, str | None, str | None]] = {}
    priced: list[tuple[Decimal, str, tuple[Any, ...]]] = []
    unpriced: list[tuple[Any, ...]] = []
    with localcontext(EXACT):  # one exact context for the whole loop (entering one per model is slow)
        for model_id, name, raw_json, per_token, output, fit_reason in zip(
            ids, names, models["raw_json"].tolist(), token_priced, outputs, fit_reasons, strict=True
        ):
            listing = listing_of(raw_json)
            schedule = listing.schedule
            reason = (
                listing.problem if schedule is None else None if per_token else _not_per_token_reason(output)
            ) or fit_reason
            if reason is not None or schedule is None:
                unpriced.append((model_id, name, None, None, None, None, None, reason))
                continue
            found = by_schedule.get(id(schedule))
            if found is None:
                cost = request_cost(schedule, workload, utc_time=utc_time)
                window = cost.utc_window
                found = by_schedule[id(schedule)] = (
                    cost.total,
                    cost.per_request,
                    cost.tier_min_prompt_tokens,
                    None if window is None else window_text(window),
                    _note(schedule, cost, utc_time),
                )
            total, per_request, tier, window, note = found
            priced.append(
                (total, str(model_id), (model_id, name, total, per_request, tier, window, note, None))
            )
    priced.sort(key=lambda item: (item[0], item[1]))
    unpriced.sort(key=lambda row: str(row[0]))
    rows = [row for _, _, row in priced] + unpriced
    frame = pd.DataFrame(rows, columns=COST_COLUMNS)
    for column in ("id", "name", "utc_window", "note", "reason"):
        frame[column] = frame[column].astype("string")
    frame["tier_min_prompt_tokens"] = frame["tier_min_prompt_tokens"].astype("Int64")
    for column in ("cost_usd", "cost_per_request_usd"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def cheapest_with_cost(costs: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` cheapest rows with a cost of a cost (or calculator) frame, which is cheapest first."""
    return costs[costs["reason"].isna()].head(max(count, 0))


def costs_export_frame(costs: pd.DataFrame) -> pd.DataFrame:
    """The cost frame with every Decimal as its exact plain string (for CSV and JSON)."""
    out = costs.copy()
    for column in ("cost_usd", "cost_per_request_usd"):
        out[column] = pd.array([_exact_text(value) for value in costs[column]], dtype="string")
    return out


def export_costs(costs: pd.DataFrame, fmt: str) -> bytes:
    """The cost frame as "csv" (formula-safe) or "json" (costs as exact strings)."""
    if fmt == "csv":
        return to_csv_bytes(costs_export_frame(costs))
    if fmt == "json":
        return to_json_bytes(costs_export_frame(costs))
    raise ValueError(f"unknown cost format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")


# -- internals ---------------------------------------------------------------------------------


def _note(schedule: PriceSchedule, cost: RequestCost, utc_time: int | None) -> str | None:
    notes = []
    if cost.tier_min_prompt_tokens is not None:
        notes.append(f"long-context price (≥ {cost.tier_min_prompt_tokens:,} input tokens)")
    if cost.utc_window is not None:
        notes.append(f"time-window price {window_text(cost.utc_window)}")
    elif schedule.time_windows:
        if utc_time is None:
            notes.append("price varies by UTC time; base price used (pick a time to apply)")
        else:
            notes.append(f"base price at {format_hhmm(utc_time)} UTC")
    return "; ".join(notes) or None


def _column(models: pd.DataFrame, name: str, missing: list[Any]) -> list[Any]:
    return models[name].tolist() if name in models.columns else missing


def _not_per_token_reason(outputs: Any) -> str:
    kinds = outputs if isinstance(outputs, str) and outputs else ""
    return f"not priced per token{f' ({kinds} output)' if kinds else ''}"


def _exact_text(value: Decimal | None) -> str | None:
    return None if value is None else plain_decimal(value)
