"""The change history beside the catalog: what was added, removed, repriced, retiered and rescored.

`history.json` in the catalog directory holds, per model, only what changed:

    {"schema_version": 2,
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

This module records the file (under the store's lock); `catalog.history.view` reads it for display.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from catalog.errors import StoreError
from catalog.history.changes import KINDS, ChangeSummary, Observed, observe, price_changes, score_changes
from catalog.storage.interface import CatalogStore, Document, WriteConflict

SCHEMA_VERSION = 2  # 2: scores and `rescored` events
MAX_ATTEMPTS = 20  # read-modify-write rounds lost to other replicas before giving up
HISTORY_NAME = "history.json"


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
    """Fold one live catalog into the history file of `store` (the caller holds `store.locked()`).

    The file is replaced only if it is still the version read (a compare-and-swap on S3); when
    another writer got there first, it is read again and this refresh folded into it.

    `previous_live` is the live catalog stored before this one, if any: it becomes the baseline
    when there is no history yet.
    """
    notices: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        state, document, notice = _read_for_update(store)
        if notice:
            notices.append(notice)
        if state["baseline_at"] is None and previous_live is not None and previous_at is not None:
            state, _ = apply_refresh(state, previous_live, previous_at)
        state, changes = apply_refresh(state, frame, at)
        try:
            store.replace_json(HISTORY_NAME, state, replacing=document)
        except WriteConflict:
            # Another replica recorded its refresh meanwhile: fold this one into theirs, after a
            # random pause so racing writers stop colliding in step.
            time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 - jitter
            continue
        return Recorded(changes, " ".join(notices) or None)
    raise StoreError(f"{HISTORY_NAME} was replaced by other writers {MAX_ATTEMPTS} times in a row")


def empty_state() -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "baseline_at": None,
        "last_refresh_at": None,
        "refreshes": 0,
        "models": {},
        "events": [],
    }


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


def read_recorded(store: CatalogStore) -> tuple[dict[str, Any], Document | None]:
    """The history of `store` and the document it was read from (None when there is none yet);
    nothing is moved: StoreError when it cannot be read."""
    document = store.read_document(HISTORY_NAME)
    if document is None:
        return empty_state(), None
    try:
        return parse_state(document.data.decode("utf-8")), document
    except UnicodeDecodeError as error:
        raise StoreError(f"cannot read {store.location.rstrip('/')}/{HISTORY_NAME}: {error}") from None
    except ValueError as error:
        raise StoreError(f"the change history cannot be read ({error})") from None


def _read_for_update(store: CatalogStore) -> tuple[dict[str, Any], Document | None, str | None]:
    """The history to update, the version read (to replace only that one), and a notice of damage."""
    document = store.read_document(HISTORY_NAME)
    if document is None:
        return empty_state(), None, None
    try:
        return parse_state(document.data.decode("utf-8")), document, None
    except _NewerSchema as error:
        raise StoreError(str(error)) from None
    except ValueError as error:  # UnicodeDecodeError included
        moved_to = store.move_document_aside(HISTORY_NAME, str(error))
        notice = (
            f"The change history could not be read ({error}); it was moved to {moved_to} "
            "and starts again now."
        )
        return empty_state(), document, notice


class _NewerSchema(ValueError):
    pass


def parse_state(text: str) -> dict[str, Any]:
    """The state in `text`; ValueError when it is not a history this version can use.

    Every field the page, `changes` and a refresh read is checked for type (and every time for
    being one): a history of valid JSON with `"refreshes": "many"` or a list where prices go once
    failed each refresh after the catalog was written.
    """
    try:
        state = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    except RecursionError:
        raise ValueError("nested too deeply to be a history") from None
    if not isinstance(state, dict):
        raise ValueError("not a JSON object")
    version = state.get("schema_version")
    if not isinstance(version, int):
        raise ValueError("no schema version")
    if version > SCHEMA_VERSION:
        raise _NewerSchema(f"{HISTORY_NAME} was written by a newer version (schema {version})")
    models, events = state.get("models"), state.get("events")
    if not isinstance(models, dict):
        raise ValueError("models are not a map of model entries")
    for model_id, entry in models.items():
        _check_entry(model_id, entry)
    if not isinstance(events, list):
        raise ValueError("events are not a list of changes")
    for event in events:
        _check_event(event)
    imports = state.get("imports", [])
    if not isinstance(imports, list) or not all(
        isinstance(i, dict) and isinstance(i.get("sha256"), str) and isinstance(i.get("at"), str)
        for i in imports
    ):
        raise ValueError("imports are not a list of imported files")
    if not isinstance(state.get("providers", {}), dict):
        raise ValueError("providers are not a map of models")
    for key in ("baseline_at", "last_refresh_at"):
        if state.get(key) is not None:
            _check_stamp(state[key], key)
    refreshes = state.setdefault("refreshes", 0)
    if isinstance(refreshes, bool) or not isinstance(refreshes, int) or refreshes < 0:
        raise ValueError(f"refreshes is not a count ({str(refreshes)[:40]!r})")
    return state


def _check_stamp(value: Any, what: str) -> None:
    try:
        parse_stamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not a time ({str(value)[:40]!r})") from None


def _check_prices(prices: Any, what: str, *, pairs: bool = False) -> None:
    def is_price(value: Any) -> bool:
        if not isinstance(value, str) or len(value) > 64:
            return False
        try:
            return Decimal(value).is_finite()
        except ArithmeticError:  # decimal.InvalidOperation: not a number
            return False

    if not isinstance(prices, dict) or not all(
        isinstance(field, str)
        and (
            (isinstance(value, list) and len(value) == 2 and all(map(is_price, value)))
            if pairs
            else is_price(value)
        )
        for field, value in prices.items()
    ):
        raise ValueError(f"{what}: prices are not decimal texts by field")


def _check_entry(model_id: str, entry: Any) -> None:
    what = f"model {model_id[:80]!r}"
    if not isinstance(entry, dict):
        raise ValueError(f"{what} is not an entry")
    _check_stamp(entry.get("first_seen"), f"{what}: first_seen")
    for key in ("removed_at", "last_seen"):
        if key in entry:
            _check_stamp(entry[key], f"{what}: {key}")
    if not isinstance(entry.get("name", ""), str) or not isinstance(entry.get("tiers", ""), str):
        raise ValueError(f"{what}: name or tiers is not a text")
    if "raw" in entry and not isinstance(entry["raw"], str):
        raise ValueError(f"{what}: raw is not a text")
    _check_prices(entry.get("prices", {}), what)
    _check_scores(entry.get("scores", {}), what)


def _check_event(event: Any) -> None:
    if (
        not isinstance(event, dict)
        or event.get("change") not in KINDS
        or not isinstance(event.get("id"), str)
    ):
        raise ValueError("events are not a list of changes")
    what = f"the {event['change']} event of {event['id'][:80]!r}"
    _check_stamp(event.get("at"), f"{what}: at")
    if "prices" in event:
        _check_prices(event["prices"], what, pairs=event["change"] in ("repriced", "provider_repriced"))
    if "provider" in event and not isinstance(event["provider"], str):
        raise ValueError(f"{what}: provider is not a name")
    tiers = event.get("tiers", ["", ""])
    if not (isinstance(tiers, list) and len(tiers) == 2 and all(isinstance(t, str) for t in tiers)):
        raise ValueError(f"{what}: tiers are not a pair of texts")
    _check_scores(event.get("scores", {}), what, pairs=True)


def _check_scores(scores: Any, what: str, *, pairs: bool = False) -> None:
    def is_score(value: Any) -> bool:
        return value is None or (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )

    if not isinstance(scores, dict) or not all(
        isinstance(name, str)
        and (
            (isinstance(value, list) and len(value) == 2 and all(map(is_score, value)))
            if pairs
            else is_score(value)
        )
        for name, value in scores.items()
    ):
        raise ValueError(f"{what}: scores are not numbers by name")


def format_stamp(moment: datetime) -> str:
    """A time as the history file writes it: UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> datetime:
    """A stamp of the history file as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
