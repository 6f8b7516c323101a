"""The data behind the explorer's charts: only comparable prices, sampled or aggregated when large.

Money on a chart reads as everywhere else (`catalog.pricing.money`): each charted row carries its
amounts as text for the tooltips (a listed price exact, a computed one readable), and axes label their
ticks with MONEY_TICK_LABEL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import numpy as np
import pandas as pd

from catalog.pricing.comparable import generates_text, has_comparable_price
from catalog.pricing.listing import listing_of
from catalog.pricing.money import NO_AMOUNT, per_million, usd, usd_short

SCATTER_LIMIT = 2000  # points per scatter chart; beyond it the chart shows a sample and says so
TOP_PROVIDERS = 25
BLENDED_INPUT_SHARE = 0.75  # "blended" price: 3 input tokens for each output token


def _money_tick(value: str) -> str:
    # Up to 10 decimals with trailing zeros dropped, then padded back to two: $0.10, $1,000.00, $0.025.
    text = f"format({value}, '$,.10~f')"
    return (
        f"indexof({text}, '.') < 0 ? {text} + '.00' : "
        f"length({text}) - indexof({text}, '.') == 2 ? {text} + '0' : {text}"
    )


# A Vega expression for an axis's tick labels in dollars as money.py writes them: `$`, thousands
# separators, at least two decimals, and every digit a tick needs ($0.10, $2.50, $1,000.00, $0.025).
MONEY_TICK_LABEL = _money_tick("datum.value")
# The same on a log scale, where only the ticks Vega labels itself (1, 10, 100 ...) get a label.
MONEY_LOG_TICK_LABEL = f"datum.label == '' ? '' : {MONEY_TICK_LABEL}"

METRICS = {
    "blended": "Blended (3:1 input:output) $/1M tokens",
    "prompt_per_mtok": "Input $/1M tokens",
    "completion_per_mtok": "Output $/1M tokens",
}


@dataclass(frozen=True)
class PricedModels:
    """Models whose per-token price can be charted, and how many were left out and why."""

    frame: pd.DataFrame
    variable: int
    not_token: int

    def note(self) -> str | None:
        parts = []
        if self.variable:
            parts.append(f"{self.variable:,} variable-priced")
        if self.not_token:
            parts.append(f"{self.not_token:,} not priced per token (audio, image, video ...)")
        if not parts:
            return None
        return "Left out of price charts: " + " and ".join(parts) + "."


def priced_models(frame: pd.DataFrame) -> PricedModels:
    variable = frame["variable_pricing"].to_numpy(bool)
    not_token = ~frame["token_priced"].to_numpy(bool) & ~variable
    keep = has_comparable_price(frame) & frame["prompt_per_mtok"].notna().to_numpy(bool)
    priced = frame.loc[
        keep,
        [
            *("id", "name", "provider", "context_length", "prompt_per_mtok", "completion_per_mtok"),
            *("is_free", "raw_json"),
        ],
    ]
    priced = priced.assign(generates_text=generates_text(frame)[keep])
    priced = priced.assign(
        blended_per_mtok=BLENDED_INPUT_SHARE * priced["prompt_per_mtok"]
        + (1 - BLENDED_INPUT_SHARE) * priced["completion_per_mtok"].fillna(0)
    )
    return PricedModels(priced, int(variable.sum()), int(not_token.sum()))


def scatter_points(priced: pd.DataFrame, limit: int = SCATTER_LIMIT) -> tuple[pd.DataFrame, str | None]:
    """Points for a log-scale scatter: positive prices only, sampled to `limit` with a note saying so;
    each with its prices as exact text."""
    points = priced[(priced["prompt_per_mtok"] > 0) & (priced["completion_per_mtok"] > 0)]
    points = points[points["context_length"].fillna(0) > 0]
    free = int(priced["is_free"].sum())
    notes = []
    if free:
        notes.append(f"{free:,} free models are not on log scales")
    if len(points) > limit:
        notes.append(f"showing a random sample of {limit:,} of {len(points):,} models")
        points = points.sample(n=limit, random_state=0)
    return with_price_text(points), ("; ".join(notes).capitalize() + ".") if notes else None


def provider_summary(frame: pd.DataFrame, priced: pd.DataFrame, top: int = TOP_PROVIDERS) -> pd.DataFrame:
    """Models and median input/output price per provider (as numbers, and as readable money text),
    the `top` largest providers."""
    counts = frame.groupby("provider", observed=True).size().rename("models")
    medians = priced.groupby("provider", observed=True)[["prompt_per_mtok", "completion_per_mtok"]].median()
    summary = pd.concat([counts, medians], axis=1).reset_index()
    summary.columns = ["provider", "models", "median_prompt_per_mtok", "median_completion_per_mtok"]
    summary = (
        summary.sort_values(["models", "provider"], ascending=[False, True]).head(top).reset_index(drop=True)
    )
    shown = priced[priced["provider"].isin(summary["provider"])]
    exact = {
        name: shown.groupby("provider", observed=True)["raw_json"].agg(
            lambda texts, name=name: _median_text([_listed_per_mtok(t, name) for t in texts])
        )
        for name in ("prompt", "completion")
    }
    return summary.assign(
        median_prompt_text=summary["provider"].map(exact["prompt"]).fillna(NO_AMOUNT),
        median_completion_text=summary["provider"].map(exact["completion"]).fillna(NO_AMOUNT),
    )


def cheapest(priced: pd.DataFrame, metric: str = "blended", count: int = 15) -> pd.DataFrame:
    """The `count` cheapest text-generating models by a metric.

    Free models all tie at $0, and embedding models have no output price to compare: both are left out.
    """
    column = "blended_per_mtok" if metric == "blended" else metric
    pool = priced[~priced["is_free"].to_numpy(bool) & priced["generates_text"].to_numpy(bool)]
    pool = pool[pool[column].notna()]
    order = np.lexsort((pool["id"].to_numpy(dtype=object), pool[column].to_numpy(dtype=float)))
    top = with_price_text(pool.iloc[order[:count]])
    return top.assign(price=top[column], price_text=top[PRICE_TEXT[column]])


# A chart column -> the column holding it as money text.
PRICE_TEXT = {
    "prompt_per_mtok": "prompt_text",
    "completion_per_mtok": "completion_text",
    "blended_per_mtok": "blended_text",
}


def with_price_text(priced: pd.DataFrame) -> pd.DataFrame:
    """Charted rows with their prices per 1M tokens as money text, and without their raw JSON (a chart
    sends every column to the browser): listed prices exact ("$0.0208333333333333"), the blend readable."""
    prompt = [_listed_per_mtok(raw, "prompt") for raw in priced["raw_json"]]
    completion = [_listed_per_mtok(raw, "completion") for raw in priced["raw_json"]]
    share = Decimal(str(BLENDED_INPUT_SHARE))
    blended = [
        None if p is None else share * p + (1 - share) * (c or 0)
        for p, c in zip(prompt, completion, strict=True)
    ]
    return priced.drop(columns="raw_json").assign(
        prompt_text=[usd(p) for p in prompt],
        completion_text=[usd(c) for c in completion],
        blended_text=[usd_short(b) for b in blended],
    )


def _listed_per_mtok(raw_json: str, name: str) -> Decimal | None:
    price = listing_of(raw_json).base.get(name)
    return per_million(price) if isinstance(price, Decimal) else None


def _median_text(prices: list[Decimal | None]) -> str:
    known = [p for p in prices if p is not None]
    return usd_short(median(known)) if known else NO_AMOUNT
