"""Which models' prices can be set side by side, and which models a token workload ranks.

One rule each, for every filter, sort, chart and table: a model has a comparable per-token price
when it is priced per token and its price is not variable ("-1": a router sets it per request).
A token workload (the calculator's) ranks the models that generate text and are not free, unless
asked to include them: a free model ties at $0, and an embedding or rerank model has no output
tokens, so a chat workload undercounts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def has_comparable_price(models: pd.DataFrame) -> np.ndarray:
    """True for each model priced per token with a fixed (not variable) price."""
    return models["token_priced"].to_numpy(bool) & ~models["variable_pricing"].to_numpy(bool)


def generates_text(models: pd.DataFrame) -> np.ndarray:
    """True for each model whose outputs include text."""
    return models["output_modalities"].fillna("").str.contains("text", regex=False).to_numpy(bool)


@dataclass(frozen=True)
class Ranked:
    """The models a workload ranks, and how many of each kind were left out."""

    models: pd.DataFrame
    free_left_out: int
    not_text_left_out: int


def ranked_models(models: pd.DataFrame, *, include_free: bool, include_not_text: bool) -> Ranked:
    """The models a token workload ranks: without free models and models that do not generate text,
    unless included."""
    free = models["is_free"].to_numpy(bool) if not include_free else np.zeros(len(models), bool)
    not_text = ~generates_text(models) if not include_not_text else np.zeros(len(models), bool)
    keep = ~(free | not_text)
    return Ranked(models[keep], int(free.sum()), int(not_text.sum()))
