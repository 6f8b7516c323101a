"""What a workload costs on each model, exact to OpenRouter's price strings (Decimal throughout).

How a workload is billed, per request (the calculator's help text says the same):

- `input_tokens` is the whole prompt, as OpenRouter's `usage.prompt_tokens` counts it, INCLUDING
  `cached_input_tokens` and `cache_write_tokens`. Cached tokens are billed at `input_cache_read`,
  cache writes at `input_cache_write`, the rest at `prompt`.
- `output_tokens` is the whole completion, as `usage.completion_tokens` counts it, INCLUDING
  `reasoning_tokens`. Reasoning tokens are billed at `internal_reasoning`, the rest at `completion`.
- `images` (input images) at `image`, `web_searches` at `web_search`, plus the flat `request` fee.
- `requests` multiplies it all: `cost_usd` is the whole workload, `cost_per_request_usd` one request.

A missing price field counts as 0, except the three prices that replace another for part of the
tokens: `input_cache_read` and `input_cache_write` fall back to the prompt price, `internal_reasoning`
to the completion price. For those three, "0" means the same as absent (2025 responses spelled
omitted fields "0"; since 2026 they are left out).

`overrides` are applied in order, later entries winning, over the top-level (base) prices: a
long-context tier when the request's `input_tokens` >= `min_prompt_tokens`; a UTC time window
(`utc_start`/`utc_end`, HHMM, start inclusive, end exclusive, may wrap past midnight) only when a
`utc_time` is given. A field absent from an applied override keeps its base value. Variable prices
("-1"), models not priced per token and malformed prices get no number, only a `reason`.
Prices are list prices: `discount` is not applied.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext
from functools import lru_cache
from typing import Any

import pandas as pd

from catalog.errors import CatalogError
from catalog.export import to_csv_bytes, to_json_bytes
from catalog.normalize import PER_TOKEN_FIELDS, PRICE_FIELDS, parse_price

# Wide enough that no sum of products of real price strings and token counts is ever rounded;
# Inexact is trapped so a rounding would be an error, never a silently wrong cost.
EXACT = Context(prec=200, traps=[InvalidOperation, Inexact, Overflow, DivisionByZero])
ZERO = Decimal(0)
MILLION = Decimal(1_000_000)
DAYS_PER_MONTH = 30
MAX_COUNT = 10**15  # per workload field; with prices of at most 60 digits, far inside EXACT's 200
# What each request pays for, in the order of Workload.billed_counts().
RATE_FIELDS = (
    "prompt",
    "input_cache_read",
    "input_cache_write",
    "completion",
    "internal_reasoning",
    "image",
    "web_search",
    "request",
)
CONDITION_KEYS = ("min_prompt_tokens", "utc_start", "utc_end")
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
EXPORT_FORMATS = ("table", "csv", "json")
CALCULATOR_EXPORT_COLUMNS = [
    "id",
    "name",
    "cost_per_request_usd",
    "cost_per_day_usd",
    "cost_per_month_usd",
    "fits_budget",
    "tier_min_prompt_tokens",
    "utc_window",
    "note",
    "reason",
]


class InvalidWorkload(CatalogError, ValueError):
    """A workload that cannot be priced (negative counts, more cached than input tokens, ...)."""


class PricingProblem(ValueError):
    """A model's pricing cannot give an exact number; the message is the reason shown."""


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


PRESETS: dict[str, Workload] = {
    "Chat": Workload(input_tokens=1_500, output_tokens=400, requests=1_000),
    "RAG with 80% cached input": Workload(
        input_tokens=20_000, output_tokens=500, cached_input_tokens=16_000, requests=1_000
    ),
    "Agent with reasoning": Workload(
        input_tokens=30_000,
        output_tokens=3_000,
        cached_input_tokens=15_000,
        reasoning_tokens=2_000,
        requests=500,
    ),
    "Long context (250k prompt)": Workload(input_tokens=250_000, output_tokens=1_000, requests=50),
}
CUSTOM_PRESET = "Custom"
# URL query keys of the page's workload (w_ prefix): Workload field -> key.
WORKLOAD_PARAMS = {
    "input_tokens": "w_in",
    "output_tokens": "w_out",
    "cached_input_tokens": "w_cached",
    "reasoning_tokens": "w_reason",
    "cache_write_tokens": "w_write",
    "images": "w_img",
    "web_searches": "w_search",
    "requests": "w_req",
}


@dataclass(frozen=True)
class Override:
    """One conditional price entry; `prices` holds only the fields it sets."""

    prices: Mapping[str, Decimal]
    min_prompt_tokens: int | None = None
    utc_window: tuple[int, int] | None = None

    def applies(self, input_tokens: int, utc_time: int | None) -> bool:
        if self.min_prompt_tokens is not None and input_tokens < self.min_prompt_tokens:
            return False
        if self.utc_window is not None:
            return utc_time is not None and in_window(utc_time, *self.utc_window)
        return True


@dataclass(frozen=True, eq=False)
class PriceSchedule:
    """A model's parsed pricing: base prices (present fields only) and overrides, in order."""

    base: Mapping[str, Decimal]
    overrides: tuple[Override, ...] = ()
    # Rates per combination of applied overrides, worked out once: schedules are shared across calls
    # and sessions (a racing thread at worst works the same rates out twice).
    _rates: dict[tuple[int, ...], Rates] = field(default_factory=dict, init=False, repr=False)

    @property
    def time_windows(self) -> tuple[Override, ...]:
        return tuple(o for o in self.overrides if o.utc_window is not None)

    def rates(self, input_tokens: int, utc_time: int | None) -> Rates:
        """The prices one request pays, one per RATE_FIELDS entry, with the tier and window applied."""
        applied = tuple(i for i, o in enumerate(self.overrides) if o.applies(input_tokens, utc_time))
        rates = self._rates.get(applied)
        if rates is None:
            rates = self._rates[applied] = self._work_out(applied)
        return rates

    def _work_out(self, applied: tuple[int, ...]) -> Rates:
        prices = dict(self.base)
        tier = window = None
        for index in applied:  # in order: later entries win
            override = self.overrides[index]
            prices.update(override.prices)
            tier = override.min_prompt_tokens if override.min_prompt_tokens is not None else tier
            window = override.utc_window or window
        prompt = prices.get("prompt", ZERO)
        completion = prices.get("completion", ZERO)
        fallback = {"input_cache_read": prompt, "input_cache_write": prompt, "internal_reasoning": completion}
        # The three replacement prices fall back when absent or "0"; any other absent field is 0.
        values = tuple(prices.get(name) or fallback.get(name, ZERO) for name in RATE_FIELDS)
        return Rates(values, tier, window)


@dataclass(frozen=True)
class Rates:
    """The price of each billed unit for one request, after fallbacks and overrides."""

    values: tuple[Decimal, ...]  # in RATE_FIELDS order
    tier_min_prompt_tokens: int | None
    utc_window: tuple[int, int] | None


@dataclass(frozen=True)
class RequestCost:
    """One request's cost, the prices it used, and the line items (USD) that sum to it."""

    per_request: Decimal
    total: Decimal
    prices: Mapping[str, Decimal]
    lines: Mapping[str, Decimal] = field(default_factory=dict)
    tier_min_prompt_tokens: int | None = None
    utc_window: tuple[int, int] | None = None


def in_window(utc_time: int, start: int, end: int) -> bool:
    """Whether HHMM `utc_time` falls in [start, end); a window with end < start wraps midnight."""
    if start < end:
        return start <= utc_time < end
    if start > end:
        return utc_time >= start or utc_time < end
    return False  # an empty window never applies


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


def format_hhmm(value: int) -> str:
    return f"{value // 100:02d}:{value % 100:02d}"


def parse_pricing(pricing: Any) -> PriceSchedule:
    """A raw `pricing` object as a PriceSchedule. Raises PricingProblem with the reason there is no cost."""
    if pricing is None:
        pricing = {}
    if not isinstance(pricing, Mapping):
        raise PricingProblem("pricing is not an object")
    if any(_is_variable(pricing.get(name)) for name in PRICE_FIELDS):
        raise PricingProblem("variable price: set by the router for each request")
    if "prompt" not in pricing and "completion" not in pricing:
        raise PricingProblem("no prompt or completion price listed")
    base = _billed_prices(pricing, "pricing")
    raw_overrides = pricing.get("overrides")
    if raw_overrides is None:
        raw_overrides = []
    if not isinstance(raw_overrides, list):
        raise PricingProblem("pricing.overrides is not a list")
    return PriceSchedule(base, tuple(_override(item, index) for index, item in enumerate(raw_overrides)))


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
    names = models["name"].tolist() if "name" in models.columns else ids
    token_priced = models["token_priced"].tolist() if "token_priced" in models.columns else [True] * len(ids)
    counts = workload.billed_counts()
    by_schedule: dict[int, tuple[Decimal, Decimal, int | None, str | None, str | None]] = {}
    priced: list[tuple[Decimal, str, tuple[Any, ...]]] = []
    unpriced: list[tuple[Any, ...]] = []
    with localcontext(EXACT):  # one exact context for the whole loop (entering one per model is slow)
        for model_id, name, raw_json, per_token in zip(
            ids, names, models["raw_json"].tolist(), token_priced, strict=True
        ):
            parsed = _parsed_schedule(raw_json)
            if isinstance(parsed, str) or not per_token:
                reason = parsed if isinstance(parsed, str) else _not_per_token_reason(raw_json)
                unpriced.append((model_id, name, None, None, None, None, None, reason))
                continue
            found = by_schedule.get(id(parsed))
            if found is None:
                rates = parsed.rates(workload.input_tokens, utc_time)
                per_request = sum(map(operator.mul, counts, rates.values), ZERO)
                found = by_schedule[id(parsed)] = (
                    per_request * workload.requests,
                    per_request,
                    rates.tier_min_prompt_tokens,
                    _window_text(rates.utc_window),
                    _note(parsed, rates, utc_time),
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


def schedule_of(raw_json: str) -> PriceSchedule:
    """The PriceSchedule of one model's raw JSON. Raises PricingProblem with the reason it has none."""
    parsed = _parsed_schedule(raw_json)
    if isinstance(parsed, str):
        raise PricingProblem(parsed)
    return parsed


@lru_cache(maxsize=131_072)
def _parsed_schedule(raw_json: str) -> PriceSchedule | str:
    # Remembered per model across calls (a page reruns on every input); identical pricings share one
    # parsed object. A problem is remembered too, as its reason.
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        return "raw model JSON is unreadable"
    pricing = raw.get("pricing") if isinstance(raw, dict) else None
    return _parsed_pricing(json.dumps(pricing, sort_keys=True))


@lru_cache(maxsize=16_384)
def _parsed_pricing(pricing_json: str) -> PriceSchedule | str:
    try:
        return parse_pricing(json.loads(pricing_json))
    except PricingProblem as problem:
        return str(problem)


def plain_usd(value: Decimal | None) -> str | None:
    """A Decimal as its exact plain string: no exponent, no float rounding, no trailing zeros."""
    if value is None:
        return None
    with localcontext(EXACT):
        text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_usd(value: Decimal | None) -> str:
    """Human-readable dollars: up to 4 decimals from $1 up ($1,234.50, $2.00), else 4 significant digits
    ($0.0001235); trailing zeros dropped. Display only: exports carry the exact value."""
    if value is None:
        return "—"
    if value == 0:
        return "$0"
    places = 4 if value >= 1 else max(4 - value.adjusted() - 1, 0)
    whole, _, fraction = f"{value:,.{places}f}".partition(".")
    fraction = fraction.rstrip("0")
    if value >= Decimal("0.01"):
        fraction = fraction.ljust(2, "0")  # cents at least: $0.50, $2.00
    return f"${whole}.{fraction}" if fraction else f"${whole}"


def per_million(value: Decimal) -> str:
    """A per-token price as exact dollars per 1M tokens, e.g. Decimal("0.00000045") -> "0.45"."""
    with localcontext(EXACT):
        return plain_usd(value * MILLION) or "0"


def export_frame(costs: pd.DataFrame) -> pd.DataFrame:
    """The cost frame with every Decimal as its exact plain string (for CSV and JSON)."""
    out = costs.copy()
    for column in ("cost_usd", "cost_per_request_usd"):
        out[column] = pd.array([plain_usd(value) for value in costs[column]], dtype="string")
    return out


def export_costs(costs: pd.DataFrame, fmt: str) -> bytes:
    """The cost frame as "csv" (formula-safe), "json" (costs as exact strings) or an aligned "table"."""
    if fmt == "csv":
        return to_csv_bytes(export_frame(costs))
    if fmt == "json":
        return to_json_bytes(export_frame(costs))
    if fmt == "table":
        return text_table(costs).encode("utf-8")
    raise ValueError(f"unknown cost format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")


def text_table(costs: pd.DataFrame) -> str:
    """Aligned columns for a terminal: rank, id, workload cost, per request, note or reason."""
    header = ("#", "model", "workload USD", "per request USD", "note")
    rows = []
    for rank, row in enumerate(costs.itertuples(index=False), start=1):
        priced = row.cost_usd is not None
        remark = row.note if priced else row.reason
        rows.append(
            (
                str(rank) if priced else "-",
                _printable(str(row.id)),
                format_usd(row.cost_usd),
                format_usd(row.cost_per_request_usd),
                "" if pd.isna(remark) else _printable(str(remark)),
            )
        )
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(len(header))]
    right = (True, False, True, True, False)

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)]) + "\n"


def calculator_frame(
    models: pd.DataFrame,
    workload: Workload,
    *,
    utc_time: int | None = None,
    budget_usd_per_month: float | Decimal | None = None,
    days_per_month: int = DAYS_PER_MONTH,
) -> pd.DataFrame:
    """The page's table: `workload.requests` is requests per day; $/request, $/day, $/month (floats
    for display, from the exact values), and whether each model fits the monthly budget."""
    costs = cost_frame(models, workload, utc_time=utc_time)
    budget = Decimal(str(budget_usd_per_month)) if budget_usd_per_month else None
    with localcontext(EXACT):
        per_month = [None if c is None else c * days_per_month for c in costs["cost_usd"]]
    out = costs.rename(columns={"cost_usd": "cost_per_day_usd"})
    out.insert(3, "cost_per_month_usd", pd.Series(per_month, index=out.index, dtype=object))
    for exact, shown in (
        ("cost_per_request_usd", "per_request_usd"),
        ("cost_per_day_usd", "per_day_usd"),
        ("cost_per_month_usd", "per_month_usd"),
    ):
        out[shown] = pd.array([None if c is None else float(c) for c in out[exact]], dtype="Float64")
    out["fits_budget"] = pd.array(
        [None if c is None or budget is None else c <= budget for c in per_month], dtype="boolean"
    )
    return out


def calculator_csv(calculator: pd.DataFrame) -> bytes:
    """The calculator table as formula-safe CSV, each cost its exact plain decimal string."""
    out = calculator[CALCULATOR_EXPORT_COLUMNS].copy()
    for column in ("cost_per_request_usd", "cost_per_day_usd", "cost_per_month_usd"):
        out[column] = pd.array([plain_usd(value) for value in calculator[column]], dtype="string")
    return to_csv_bytes(out)


def cheapest(calculator: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` cheapest priced rows of a calculator frame (it is already sorted)."""
    return calculator[calculator["reason"].isna()].head(max(count, 0))


def workload_from_params(params: Mapping[str, Any], default: Workload) -> Workload:
    """A workload from URL query values (w_in, w_out, ...); each missing or unreadable one keeps `default`."""
    values = asdict(default)
    for name, key in WORKLOAD_PARAMS.items():
        text = params.get(key)
        if isinstance(text, list):
            text = text[-1] if text else None
        try:
            number = int(str(text).strip().replace(",", "").replace("_", ""))
        except ValueError:
            continue
        if number >= 0:
            values[name] = number
    try:
        return Workload(**values)
    except InvalidWorkload:
        return default


def workload_to_params(workload: Workload) -> dict[str, str]:
    return {key: str(getattr(workload, name)) for name, key in WORKLOAD_PARAMS.items()}


def preset_of(workload: Workload) -> str:
    """The preset name this workload equals, else CUSTOM_PRESET."""
    return next((name for name, preset in PRESETS.items() if preset == workload), CUSTOM_PRESET)


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
            conditions.append(_window_text(override.utc_window) or "")
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
        if _is_variable(value):
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
        "Provider": _text_or(model.get("provider"), "—"),
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


# -- internals ---------------------------------------------------------------------------------


def _is_variable(value: Any) -> bool:
    try:
        return parse_price(value) == -1
    except ValueError:
        return False


def _billed_prices(pricing: Mapping[str, Any], where: str) -> dict[str, Decimal]:
    prices = {}
    for name in RATE_FIELDS:
        if pricing.get(name) is None:
            continue
        try:
            number = parse_price(pricing[name])
        except ValueError as error:
            raise PricingProblem(f"{where}.{name} is not a price: {error}") from None
        if number is None:
            continue
        if number == -1:
            raise PricingProblem("variable price: set by the router for each request")
        if number < 0:
            raise PricingProblem(f"{where}.{name} is negative ({number})")
        if len(number.as_tuple().digits) > 60:
            raise PricingProblem(f"{where}.{name} has more digits than a price can have")
        prices[name] = number
    return prices


def _override(item: Any, index: int) -> Override:
    where = f"pricing.overrides[{index}]"
    if not isinstance(item, Mapping):
        raise PricingProblem(f"{where} is not an object")
    if not any(key in item for key in CONDITION_KEYS):
        raise PricingProblem(f"{where} has no condition (min_prompt_tokens or utc_start/utc_end)")
    minimum = item.get("min_prompt_tokens")
    if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0):
        raise PricingProblem(f"{where}.min_prompt_tokens is not a token count")
    window = None
    if "utc_start" in item or "utc_end" in item:
        start, end = item.get("utc_start"), item.get("utc_end")
        if not (_is_hhmm(start) and _is_hhmm(end)):
            raise PricingProblem(f"{where} has a malformed UTC window")
        window = (start, end)
    return Override(_billed_prices(item, where), minimum, window)


def _printable(text: str) -> str:
    # A terminal must not run escape sequences that arrive inside a model id.
    return "".join(c if c.isprintable() else "?" for c in text)


def _is_hhmm(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2400 and value % 100 < 60


def _window_text(window: tuple[int, int] | None) -> str | None:
    if window is None:
        return None
    return f"{format_hhmm(window[0])}–{format_hhmm(window[1])} UTC"


def _price_text(name: str, value: Decimal) -> str:
    unit = "/1M" if name in PER_TOKEN_FIELDS else ""
    return f"{name} {price_text(name, value)}{unit}"


def _note(schedule: PriceSchedule, cost: RequestCost | Rates, utc_time: int | None) -> str | None:
    notes = []
    if cost.tier_min_prompt_tokens is not None:
        notes.append(f"long-context price (≥ {cost.tier_min_prompt_tokens:,} input tokens)")
    if cost.utc_window is not None:
        notes.append(f"time-window price {_window_text(cost.utc_window)}")
    elif schedule.time_windows:
        if utc_time is None:
            notes.append("price varies by UTC time; base price used (pick a time to apply)")
        else:
            notes.append(f"base price at {format_hhmm(utc_time)} UTC")
    return "; ".join(notes) or None


@lru_cache(maxsize=16_384)
def _not_per_token_reason(raw_json: str) -> str:
    try:
        outputs = json.loads(raw_json)["architecture"]["output_modalities"]
        kinds = ", ".join(str(o) for o in outputs)
    except (TypeError, ValueError, KeyError):
        kinds = ""
    return f"not priced per token{f' ({kinds} output)' if kinds else ''}"
