"""The data behind the explorer's charts: only comparable prices, sampled or aggregated when large."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from catalog.pricing.comparable import generates_text, has_comparable_price

SCATTER_LIMIT = 2000  # points per scatter chart; beyond it the chart shows a sample and says so
TOP_PROVIDERS = 25
BLENDED_INPUT_SHARE = 0.75  # "blended" price: 3 input tokens for each output token

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
        ["id", "name", "provider", "context_length", "prompt_per_mtok", "completion_per_mtok", "is_free"],
    ]
    priced = priced.assign(generates_text=generates_text(frame)[keep])
    priced = priced.assign(
        blended_per_mtok=BLENDED_INPUT_SHARE * priced["prompt_per_mtok"]
        + (1 - BLENDED_INPUT_SHARE) * priced["completion_per_mtok"].fillna(0)
    )
    return PricedModels(priced, int(variable.sum()), int(not_token.sum()))


def scatter_points(priced: pd.DataFrame, limit: int = SCATTER_LIMIT) -> tuple[pd.DataFrame, str | None]:
    """Points for a log-scale scatter: positive prices only, sampled to `limit` with a note saying so."""
    points = priced[(priced["prompt_per_mtok"] > 0) & (priced["completion_per_mtok"] > 0)]
    points = points[points["context_length"].fillna(0) > 0]
    free = int(priced["is_free"].sum())
    notes = []
    if free:
        notes.append(f"{free:,} free models are not on log scales")
    if len(points) > limit:
        notes.append(f"showing a random sample of {limit:,} of {len(points):,} models")
        points = points.sample(n=limit, random_state=0)
    return points, ("; ".join(notes).capitalize() + ".") if notes else None


def provider_summary(frame: pd.DataFrame, priced: pd.DataFrame, top: int = TOP_PROVIDERS) -> pd.DataFrame:
    """Models and median input/output price per provider, the `top` largest providers."""
    counts = frame.groupby("provider", observed=True).size().rename("models")
    medians = priced.groupby("provider", observed=True)[["prompt_per_mtok", "completion_per_mtok"]].median()
    summary = pd.concat([counts, medians], axis=1).reset_index()
    summary.columns = ["provider", "models", "median_prompt_per_mtok", "median_completion_per_mtok"]
    return (
        summary.sort_values(["models", "provider"], ascending=[False, True]).head(top).reset_index(drop=True)
    )


def cheapest(priced: pd.DataFrame, metric: str = "blended", count: int = 15) -> pd.DataFrame:
    """The `count` cheapest text-generating models by a metric.

    Free models all tie at $0, and embedding models have no output price to compare: both are left out.
    """
    column = "blended_per_mtok" if metric == "blended" else metric
    pool = priced[~priced["is_free"].to_numpy(bool) & priced["generates_text"].to_numpy(bool)]
    pool = pool[pool[column].notna()]
    order = np.lexsort((pool["id"].to_numpy(dtype=object), pool[column].to_numpy(dtype=float)))
    return pool.iloc[order[:count]].assign(price=lambda f: f[column])
