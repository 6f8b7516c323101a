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

import pandas as pd

from catalog.fetch.scores import SCORE_COLUMNS, score_values
from catalog.pricing.listing import listing_of

# A hosting provider of a model added, removed or repriced (`catalog.history.providers`).
PROVIDER_KINDS = ("provider_added", "provider_removed", "provider_repriced")
KINDS = ("added", "removed", "repriced", "retiered", "rescored", *PROVIDER_KINDS)
# The scores a change of which is `rescored`: the three indexes and the best arena Elo.
SCORE_FIELDS = tuple(column for column in SCORE_COLUMNS if column != "design_arena_category")


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


def observe(raw_json: str) -> Observed:
    """The base prices, tiers and scores of one model, from its raw JSON."""
    listing = listing_of(raw_json)
    try:
        raw = json.loads(raw_json)
    except (TypeError, ValueError):
        raw = None
    benchmarks = raw.get("benchmarks") if isinstance(raw, dict) else None
    values = score_values(benchmarks, [])
    scores = {name: value for name, value in zip(SCORE_FIELDS, values, strict=False) if value is not None}
    return Observed(dict(listing.as_sent), listing.tiers_key, scores)


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
        str(model_id): observe(raw_json)
        for model_id, raw_json in zip(frame["id"], frame["raw_json"], strict=True)
    }
