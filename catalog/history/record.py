"""The change history beside the catalog: what was added, removed, repriced, retiered and rescored.

The history (`history.json` and the entries after it, see `catalog.history.document`) holds, per
model, only what changed:

    {"schema_version": 3,
     "baseline_at": "2025-12-02T10:00:00Z",  # the first live refresh the history saw
     "last_refresh_at": "...", "refreshes": 42,
     "models": {"openai/gpt-4o": {"name": "...", "first_seen": "...", "prices": {"prompt": "0.0000025"},
                                  "tiers": "[...]", "per_unit": true,            # when present
                                  "scores": {"intelligence_index": 56.0},        # when present
                                  "removed_at": "...", "last_seen": "..."}},  # when removed
     "events": [{"at": "...", "change": "repriced", "id": "...",
                 "prices": {"prompt": ["0.000002", "0.0000025"]}},
                {"at": "...", "change": "retiered", "id": "...", "tiers": ["[...]", "[...]"]},
                {"at": "...", "change": "rescored", "id": "...",
                 "scores": {"intelligence_index": [54.1, 56.0], "coding_index": [null, 70.2]}},
                {"at": "...", "change": "removed", "id": "...", "prices": {"prompt": "0.0000025"}},
                {"at": "...", "change": "added", "id": "..."}],
     "imports": [{"at": "...", "sha256": "...", "models": 138}]}  # saved responses imported (when any)

Prices are kept as OpenRouter's decimal strings, zero fields left out (missing means 0), and
compared as Decimals by the rules in `catalog.history.changes`. Each live refresh is compared with the
history's own last live state, never with the stored catalog: a reset to the bundled defaults
changes nothing here, and a crash between the catalog write and the history write is caught up by
the next refresh.

Scores (schema 2 on) are kept per model like prices; a history of schema 1 kept none, so the first
refresh after it records every model's scores and reports none of them as `rescored`.

The baseline: the first live refresh the history sees records every model with `first_seen` set to
that refresh and emits no events. The catalog existed before the history did, so none of its
models is "added"; the "new" badge goes only to models first seen after the baseline. (When the
store already held a live catalog, that catalog becomes the baseline, so the refresh that starts
the history still reports its changes.)

Saved responses imported as past refreshes (`catalog.history.backfill`) go through the same rules:
the refreshes are replayed in order with the imported ones among them.

This module records a refresh (under the store's lock) through `catalog.history.document`, which
stores each write as a small entry after a base; `catalog.history.view` reads it for display.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from catalog.errors import StoreError
from catalog.history.changes import KINDS, ChangeSummary, Observed, observe, price_changes, score_changes
from catalog.history.document import HistoryDocument, HistoryVersion
from catalog.history.state import (  # the history's shape: imported from here by older callers
    HISTORY_NAME,
    SCHEMA_VERSION,
    empty_state,
    format_stamp,
    parse_stamp,
    parse_state,
)
from catalog.storage.interface import CatalogStore, WriteConflict

__all__ = [
    "HISTORY_NAME",
    "SCHEMA_VERSION",
    "Listed",
    "Recorded",
    "apply_listing",
    "apply_refresh",
    "empty_state",
    "format_stamp",
    "listing_of",
    "parse_stamp",
    "parse_state",
    "read_recorded",
    "record_refresh",
]

# Read-modify-write rounds lost to other replicas before giving up: each lost round is their success.
MAX_ATTEMPTS = 100


@dataclass(frozen=True)
class Recorded:
    """What recording one refresh found."""

    changes: ChangeSummary | None  # None when this refresh was the baseline: nothing to compare with
    notice: str | None = None  # e.g. a damaged history moved aside


def record_refresh(
    store: CatalogStore,
    frame: pd.DataFrame,
    at: datetime,
    *,
    previous_live: pd.DataFrame | None = None,
    previous_at: datetime | None = None,
) -> Recorded:
    """Fold one live catalog into the history of `store` (the caller holds `store.locked()`).

    It is written only over the version read (a compare-and-swap); when another writer got there
    first, it is read again and this refresh folded into it.

    `previous_live` is the live catalog stored before this one, if any: it becomes the baseline
    when there is no history yet.
    """
    notices: list[str] = []
    history = HistoryDocument(store)
    for attempt in range(MAX_ATTEMPTS):
        state, version, notice = history.read_for_update()
        if notice:
            notices.append(notice)
        if state["baseline_at"] is None and previous_live is not None and previous_at is not None:
            state, _ = apply_refresh(state, previous_live, previous_at)
        state, changes = apply_refresh(state, frame, at)
        try:
            history.write(state, replacing=version)
        except WriteConflict:
            # Another replica recorded its refresh meanwhile: fold this one into theirs, after a
            # random pause so racing writers stop colliding in step.
            time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 - jitter
            continue
        return Recorded(changes, " ".join(notices) or None)
    raise StoreError(f"{HISTORY_NAME} was replaced by other writers {MAX_ATTEMPTS} times in a row")


@dataclass(frozen=True)
class Listed:
    """What the history looks at in one listed model at one refresh."""

    name: str
    observed: Observed
    token_priced: bool


Listing = Mapping[str, Listed]  # model id -> what one refresh listed


def listing_of(frame: pd.DataFrame) -> dict[str, Listed]:
    """What the history looks at in a normalized catalog."""
    return {
        str(model_id): Listed(str(name), observe(raw_json), bool(token_priced))
        for model_id, name, raw_json, token_priced in zip(
            frame["id"], frame["name"], frame["raw_json"], frame["token_priced"], strict=True
        )
    }


def apply_refresh(
    state: Mapping[str, Any],
    frame: pd.DataFrame,
    at: datetime,
) -> tuple[dict[str, Any], ChangeSummary | None]:
    """The history after one more live catalog (a new state; `state` is not modified).

    A refresh is recorded no earlier than the one before it: when the wall clock went back (a
    refresh at T + 1 day, then one at T - 1 day), the log stays in the order things happened.
    """
    last = state.get("last_refresh_at")
    if last is not None and parse_stamp(last) > at:
        at = parse_stamp(last)
    return apply_listing(state, listing_of(frame), at)


def apply_listing(
    state: Mapping[str, Any],
    listing: Listing,
    at: datetime,
) -> tuple[dict[str, Any], ChangeSummary | None]:
    """The history after one more refresh that listed `listing` (a new state)."""
    stamp = format_stamp(at)
    models: dict[str, dict[str, Any]] = {key: dict(entry) for key, entry in state["models"].items()}
    events: list[dict[str, Any]] = list(state["events"])
    baseline = state["baseline_at"] is None
    scores_kept = int(state.get("schema_version", SCHEMA_VERSION)) >= 2  # schema 1 kept no scores
    seen_before = {key for key, entry in models.items() if "removed_at" not in entry}
    current: set[str] = set()
    added: list[str] = []
    repriced: list[str] = []
    retiered: list[str] = []
    rescored: list[str] = []
    new_events: list[dict[str, Any]] = []

    for model_id, listed in listing.items():
        current.add(model_id)
        observed = listed.observed
        entry = models.get(model_id)
        if entry is None:
            entry = {"first_seen": stamp}
        elif model_id in seen_before:
            moved = price_changes(entry.get("prices", {}), observed.prices)
            if moved:
                repriced.append(model_id)
                prices = {field: [old, new] for field, (old, new) in moved.items()}
                new_events.append({"at": stamp, "change": "repriced", "id": model_id, "prices": prices})
            if entry.get("tiers", "") != observed.tiers:
                retiered.append(model_id)
                tiers = [entry.get("tiers", ""), observed.tiers]
                new_events.append({"at": stamp, "change": "retiered", "id": model_id, "tiers": tiers})
            moved_scores = score_changes(entry.get("scores", {}), observed.scores) if scores_kept else {}
            if moved_scores:
                rescored.append(model_id)
                scores = {name: [old, new] for name, (old, new) in moved_scores.items()}
                new_events.append({"at": stamp, "change": "rescored", "id": model_id, "scores": scores})
        if model_id not in seen_before and not baseline:
            added.append(model_id)
            new_events.append({"at": stamp, "change": "added", "id": model_id})
        models[model_id] = _present_entry(
            entry, listed.name, observed.prices, observed.tiers, listed.token_priced, observed.scores
        )

    removed = sorted(seen_before - current)
    for model_id in removed:
        entry = models[model_id]
        new_events.append(
            {"at": stamp, "change": "removed", "id": model_id, "prices": dict(entry.get("prices", {}))}
        )
        entry["removed_at"] = stamp
        entry["last_seen"] = state["last_refresh_at"] or stamp
    for entry in models.values():
        # Older versions kept a removed model's raw JSON: 200,000 removed models made 473 MB. The
        # row of a removed model is rebuilt from its id, name and prices, which the entry keeps.
        entry.pop("raw", None)

    order = {kind: position for position, kind in enumerate(KINDS)}
    new_events.sort(key=lambda event: (order[event["change"]], event["id"]))
    events.extend(new_events)
    new_state = {
        "schema_version": SCHEMA_VERSION,
        "baseline_at": state["baseline_at"] or stamp,
        "last_refresh_at": stamp,
        "refreshes": int(state["refreshes"]) + 1,
        "models": dict(sorted(models.items())),
        "events": events,
    }
    if "imports" in state:
        new_state["imports"] = list(state["imports"])
    if "providers" in state:  # recorded by catalog.history.providers
        new_state["providers"] = state["providers"]
    if baseline:
        return new_state, None
    summary = ChangeSummary(
        added=tuple(sorted(added)),
        removed=tuple(removed),
        repriced=tuple(sorted(repriced)),
        retiered=tuple(sorted(retiered)),
        rescored=tuple(sorted(rescored)),
    )
    return new_state, summary


def _present_entry(
    entry: Mapping[str, Any],
    name: str,
    prices: dict[str, str],
    tiers: str,
    token_priced: bool,
    scores: dict[str, float],
) -> dict[str, Any]:
    kept = {"name": name, "first_seen": entry["first_seen"]}
    if prices:
        kept["prices"] = prices
    if tiers:
        kept["tiers"] = tiers
    if not token_priced:
        kept["per_unit"] = True  # prompt/completion are not per text token (audio, images, ...)
    if scores:
        kept["scores"] = scores
    return kept


def read_recorded(store: CatalogStore) -> tuple[dict[str, Any], HistoryVersion]:
    """The history of `store` and the version it was read at; nothing is moved: StoreError when
    it cannot be read."""
    return HistoryDocument(store).read_strict()


def read_for_update(store: CatalogStore) -> tuple[dict[str, Any], HistoryVersion, str | None]:
    """The history to update, the version read (to replace only that one), and a notice of damage."""
    return HistoryDocument(store).read_for_update()
