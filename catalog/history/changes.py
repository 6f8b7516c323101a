"""What moved between two catalogs: models added, removed, repriced, retiered and rescored.

The change rules live here, once; `diff_models` and the change history (`catalog.history.record`) both
use them:

- `added`: an id not in the previous live catalog; `removed`: the other way round.
- `repriced`: a base price field (every top-level `pricing` field except `overrides` and
  `discount`) moved, compared as exact decimals. A missing field counts as 0: OpenRouter stopped
  sending zero-valued fields in 2026, so a "0" that became absent is no change.
- `retiered`: the conditional prices (`overrides`: long-context tiers, time windows) changed;
  kept apart from `repriced`, which is about the base price.
- `rescored`: a benchmark score moved (an Artificial Analysis index or the best Design Arena Elo),
  appeared or went away. Never a price change.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from catalog.fetch.normalize import PRICE_COLUMNS, parse_price
from catalog.fetch.scores import SCORE_COLUMNS, score_values

# A hosting provider of a model added, removed or repriced (`catalog.history.providers`).
PROVIDER_KINDS = ("provider_added", "provider_removed", "provider_repriced")
KINDS = ("added", "removed", "repriced", "retiered", "rescored", *PROVIDER_KINDS)
# The scores a change of which is `rescored`: the three indexes and the best arena Elo.
SCORE_FIELDS = tuple(column for column in SCORE_COLUMNS if column != "design_arena_category")
NOT_BASE_PRICES = frozenset({"overrides", "discount"})

__all__ = [
    "KINDS",
    "PRICE_COLUMNS",
    "SCORE_FIELDS",
    "ChangeSummary",
    "Observed",
    "diff_models",
    "observe",
    "price_changes",
    "score_changes",
]


@dataclass(frozen=True)
class ChangeSummary:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    repriced: tuple[str, ...]
    retiered: tuple[str, ...] = ()
    rescored: tuple[str, ...] = ()

    def describe(self, count: int) -> str:
        text = (
            f"{count:,} models: {len(self.added):,} added, {len(self.removed):,} removed, "
            f"{len(self.repriced):,} repriced"
        )
        if self.retiered:
            text += f", {len(self.retiered):,} with changed price tiers"
        if self.rescored:
            text += f", {len(self.rescored):,} rescored"
        return text


@dataclass(frozen=True)
class Observed:
    """What the change rules look at in one model: its base prices and its tiers."""

    prices: dict[str, str]  # field -> decimal string as OpenRouter sent it; zero fields left out
    tiers: str  # canonical JSON of `overrides`; "" when there are none
    scores: dict[str, float] = dataclasses.field(default_factory=dict)  # SCORE_FIELDS present, in that order


def observe(raw: dict[str, Any]) -> Observed:
    """The base prices, tiers and scores of one raw model object."""
    pricing = raw.get("pricing")
    pricing = pricing if isinstance(pricing, dict) else {}
    prices: dict[str, str] = {}
    for field, value in pricing.items():
        if field in NOT_BASE_PRICES:
            continue
        try:
            number = parse_price(value)
        except ValueError:
            continue  # the normalizer reports it; an unreadable price is no price
        if number is None or number == 0:
            continue
        prices[str(field)] = value.strip() if isinstance(value, str) else str(number)
    values = score_values(raw.get("benchmarks"), [])
    scores = {name: value for name, value in zip(SCORE_FIELDS, values, strict=False) if value is not None}
    return Observed(dict(sorted(prices.items())), _tiers_key(pricing.get("overrides")), scores)


def price_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, tuple[str, str]]:
    """field -> (old, new) for each base price that moved; a missing field is "0"."""
    moved: dict[str, tuple[str, str]] = {}
    for field in sorted(old.keys() | new.keys()):
        before, after = old.get(field, "0"), new.get(field, "0")
        if Decimal(before) != Decimal(after):
            moved[field] = (before, after)
    return moved


def score_changes(
    old: dict[str, float], new: dict[str, float]
) -> dict[str, tuple[float | None, float | None]]:
    """field -> (old, new) for each score that moved, appeared (None before) or went away (None after)."""
    return {name: (old.get(name), new.get(name)) for name in SCORE_FIELDS if old.get(name) != new.get(name)}


def diff_models(old: pd.DataFrame, new: pd.DataFrame) -> ChangeSummary:
    """Ids added, removed, repriced, retiered and rescored from `old` to `new` (normalized frames)."""
    before = _observed_by_id(old)
    after = _observed_by_id(new)
    both = sorted(before.keys() & after.keys())
    return ChangeSummary(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        repriced=tuple(i for i in both if price_changes(before[i].prices, after[i].prices)),
        retiered=tuple(i for i in both if before[i].tiers != after[i].tiers),
        rescored=tuple(i for i in both if score_changes(before[i].scores, after[i].scores)),
    )


def _observed_by_id(frame: pd.DataFrame) -> dict[str, Observed]:
    return {
        str(model_id): observe(json.loads(raw))
        for model_id, raw in zip(frame["id"], frame["raw_json"], strict=True)
    }


def _tiers_key(overrides: Any) -> str:
    """Overrides as canonical JSON, numbers compared by value ("0.0000025" == "0.00000250")."""
    if not isinstance(overrides, list) or not overrides:
        return ""
    return json.dumps(_canonical(overrides), sort_keys=True, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        try:
            number = parse_price(value)
        except ValueError:
            return value
        return format(number.normalize(), "f") if number is not None else value
    return value
