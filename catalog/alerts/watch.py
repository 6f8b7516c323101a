"""Watchlists: which changes someone wants to hear about.

A watch file is TOML:

    models = ["openai/gpt-4o", "anthropic/claude-sonnet-4.5"]   # every change to these models
    authors = ["deepseek"]                                       # every change to their models

    [rules]                                                      # changes to any model
    new_free_model = true              # a model added free
    price_drop_percent = 10            # a base price fell by at least 10%
    new_model_min_intelligence = 60    # a model added with an intelligence index of 60 or more

Without a watch file every change counts as watched. A file that cannot be used (not TOML, an
unknown key, a value of the wrong kind) is a `CatalogError` naming the file and the key.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.errors import CatalogError

MAX_WATCH_FILE_BYTES = 1024 * 1024
KEYS = frozenset({"models", "authors", "rules"})
RULE_KEYS = frozenset({"new_free_model", "price_drop_percent", "new_model_min_intelligence"})


class WatchFileError(ValueError):
    """The watch file cannot be used."""


@dataclass(frozen=True)
class Watchlist:
    """Models, authors and rules to watch; `everything` when there is no watch file."""

    model_ids: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    new_free_model: bool = False
    price_drop_percent: float | None = None
    new_model_min_intelligence: float | None = None
    everything: bool = False

    @classmethod
    def all_changes(cls) -> Watchlist:
        return cls(everything=True)

    @classmethod
    def from_text(cls, text: str) -> Watchlist:
        """The watchlist in TOML text; WatchFileError saying what is wrong."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise WatchFileError(f"not TOML ({error})") from None
        unknown = sorted(set(data) - KEYS)
        if unknown:
            raise WatchFileError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
        rules = data.get("rules", {})
        if not isinstance(rules, dict):
            raise WatchFileError("rules must be a table ([rules])")
        unknown = sorted(set(rules) - RULE_KEYS)
        if unknown:
            raise WatchFileError(f"unknown rule {unknown[0]!r} (known: {', '.join(sorted(RULE_KEYS))})")
        new_free = rules.get("new_free_model", False)
        if not isinstance(new_free, bool):
            raise WatchFileError("rules.new_free_model must be true or false")
        return cls(
            model_ids=frozenset(_strings(data, "models")),
            authors=frozenset(_strings(data, "authors")),
            new_free_model=new_free,
            price_drop_percent=_number(rules, "price_drop_percent", 0, 100),
            new_model_min_intelligence=_number(rules, "new_model_min_intelligence", 0, math.inf),
        )

    def watches_model(self, model_id: str) -> bool:
        """Whether every change to this model is watched (its id or its author is listed)."""
        return self.everything or model_id in self.model_ids or _author(model_id) in self.authors

    def watched(self, events: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
        """The events (`History.events` rows) this list watches. `models` is the catalog the changes
        led to: it says whether an added model is free and what its intelligence index is."""
        if self.everything or events.empty:
            return events
        ids = events["id"].astype(str)
        keep = ids.isin(list(self.model_ids)) | ids.map(_author).isin(list(self.authors))
        added = events["change"] == "added"
        if self.new_free_model:
            free = set(models.loc[models["is_free"].fillna(False).astype(bool), "id"])
            keep |= added & ids.isin(list(free))
        if self.new_model_min_intelligence is not None and "intelligence_index" in models.columns:
            index = models["intelligence_index"].astype("float64")
            clever = set(models.loc[index >= self.new_model_min_intelligence, "id"])
            keep |= added & ids.isin(list(clever))
        if self.price_drop_percent is not None:
            # Rounded: 2 -> 1.8 is a drop of 10%, not of 9.999999999999998%.
            dropped = events["change_pct"].round(9) <= -self.price_drop_percent
            keep |= (events["change"] == "repriced") & dropped
        return events[keep.fillna(False).astype(bool)].reset_index(drop=True)

    def describe(self) -> str:
        """One line saying what is watched."""
        if self.everything:
            return "every change"
        parts = []
        if self.model_ids:
            count = len(self.model_ids)
            parts.append(f"{count:,} model{'s' if count != 1 else ''}")
        if self.authors:
            parts.append(f"authors {', '.join(sorted(self.authors))}")
        if self.new_free_model:
            parts.append("new free models")
        if self.price_drop_percent is not None:
            parts.append(f"price drops of {self.price_drop_percent:g}% or more")
        if self.new_model_min_intelligence is not None:
            parts.append(
                f"new models with an intelligence index of {self.new_model_min_intelligence:g} or more"
            )
        return "; ".join(parts) or "nothing"


def load_watchlist(path: str | os.PathLike[str] | None) -> Watchlist:
    """The watchlist in the file at `path`; every change when `path` is None."""
    if path is None:
        return Watchlist.all_changes()
    path = Path(path)
    try:
        if path.stat().st_size > MAX_WATCH_FILE_BYTES:
            raise CatalogError(f"watch file {path}: over {MAX_WATCH_FILE_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"cannot read the watch file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"watch file {path}: not UTF-8 text") from None
    try:
        return Watchlist.from_text(text)
    except WatchFileError as error:
        raise CatalogError(f"watch file {path}: {error}") from None


def _strings(data: dict[str, Any], key: str) -> list[str]:
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise WatchFileError(f"{key} must be a list of strings")
    return values


def _number(rules: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = rules.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
        limit = f"up to {high:g}" if math.isfinite(high) else "or more"
        raise WatchFileError(f"rules.{key} must be a number above {low:g} {limit}")
    return float(value)


def _author(model_id: str) -> str:
    return model_id.split("/", 1)[0]
