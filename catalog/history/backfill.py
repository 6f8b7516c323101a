"""Saved responses as past refreshes: placed in order in the history, the refresh after each recomputed.

The history keeps each model's state now and the changes that led there, so what any past refresh
listed can be rebuilt by undoing the changes from the newest back (`past_listings`). An import
puts the saved catalogs among those listings and replays them all, oldest first, through the one
set of change rules (`catalog.history.record.apply_listing`): an imported catalog gets its own
changes, and the refresh after it is compared with it instead of with the one before.

The same file imported again adds nothing (`imports` in the history keeps each file's SHA-256); a
different catalog dated at the time of a refresh the history already has is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from catalog.errors import CatalogError
from catalog.fetch.saved import SavedResponse
from catalog.history.changes import PROVIDER_KINDS, SCORE_FIELDS, ChangeSummary, Observed
from catalog.history.record import (
    Listed,
    apply_listing,
    empty_state,
    format_stamp,
    listing_of,
    parse_stamp,
)


@dataclass(frozen=True)
class Placed:
    """Where one saved response went in the history."""

    saved: SavedResponse
    changes: ChangeSummary | None  # its changes; None when it is the history's first refresh
    already_at: str | None = None  # the same file was imported before, as the refresh of this time
    next_at: str | None = None  # the refresh after it, now compared with it
    next_changes: ChangeSummary | None = None
    next_count: int = 0  # models that refresh listed


def backfill(state: Mapping[str, Any], saved: Sequence[SavedResponse]) -> tuple[dict[str, Any], list[Placed]]:
    """The history with the saved responses placed among its refreshes (a new state), oldest first."""
    imported = {entry["sha256"]: entry["at"] for entry in state.get("imports", [])}
    listings = past_listings(state)
    taken = {stamp for stamp, _ in listings} | set(imported.values())
    placed: list[Placed] = []
    new: dict[str, SavedResponse] = {}
    for response in sorted(saved, key=lambda r: r.at):
        stamp = format_stamp(response.at)
        if response.sha256 in imported:
            placed.append(Placed(response, None, already_at=imported[response.sha256]))
            continue
        if stamp in taken:
            raise CatalogError(
                f"{response.name}: the history already has a refresh at {_shown(stamp)}; "
                "give this file another time with --as-of"
            )
        taken.add(stamp)
        imported[response.sha256] = stamp
        new[stamp] = response
    if not new:
        return dict(state), sorted(placed, key=_placed_time)

    order = sorted([*listings, *((stamp, listing_of(r.frame)) for stamp, r in new.items())], key=_time)
    replayed = empty_state()
    changes: dict[str, ChangeSummary | None] = {}
    for stamp, listing in order:
        replayed, changes[stamp] = apply_listing(replayed, listing, parse_stamp(stamp))
    _keep_what_replay_cannot_know(replayed, state)
    replayed["refreshes"] = int(state["refreshes"]) + len(new)
    replayed["imports"] = [
        *state.get("imports", []),
        *({"at": stamp, "sha256": r.sha256, "models": r.count} for stamp, r in new.items()),
    ]

    stamps = [stamp for stamp, _ in order]
    counts = {stamp: len(listing) for stamp, listing in order}
    for stamp, response in new.items():
        position = stamps.index(stamp)
        following = stamps[position + 1] if position + 1 < len(stamps) else None
        if following in new:
            following = None  # reported as an import of its own
        placed.append(
            Placed(
                response,
                changes[stamp],
                next_at=following,
                next_changes=changes[following] if following else None,
                next_count=counts[following] if following else 0,
            )
        )
    placed.sort(key=_placed_time)
    return replayed, placed


def past_listings(state: Mapping[str, Any]) -> list[tuple[str, dict[str, Listed]]]:
    """(time, what that refresh listed) for the baseline and every refresh that changed something,
    oldest first, rebuilt from the history by undoing its changes from the newest back."""
    if state.get("baseline_at") is None:
        return []
    models: Mapping[str, Mapping[str, Any]] = state["models"]
    current = {key: _listed(entry) for key, entry in models.items() if "removed_at" not in entry}
    last_known = {key: _listed(entry) for key, entry in models.items()}  # for a model undone away
    by_time: dict[str, list[Mapping[str, Any]]] = {}
    for event in state["events"]:
        if event["change"] in PROVIDER_KINDS:
            continue  # a provider refresh lists no models: not a refresh to replay
        by_time.setdefault(event["at"], []).append(event)
    stamps = {state["baseline_at"], state["last_refresh_at"] or state["baseline_at"], *by_time}
    listings: list[tuple[str, dict[str, Listed]]] = []
    for stamp in sorted(stamps, key=lambda s: parse_stamp(s), reverse=True):
        listings.append((stamp, dict(current)))
        for event in by_time.get(stamp, []):
            model_id, change = event["id"], event["change"]
            if change == "added":
                last_known[model_id] = current.pop(model_id, last_known[model_id])
            elif change == "removed":
                known = last_known.get(model_id) or _listed(models.get(model_id, {}))
                prices = dict(sorted(event.get("prices", {}).items()))
                observed = Observed(prices, known.observed.tiers, known.observed.scores)
                current[model_id] = Listed(known.name, observed, known.token_priced)
            elif change == "repriced" and model_id in current:
                prices = dict(current[model_id].observed.prices)
                for field, (old, _new) in event["prices"].items():
                    if Decimal(old) == 0:
                        prices.pop(field, None)
                    else:
                        prices[field] = old
                current[model_id] = _with(current[model_id], prices=dict(sorted(prices.items())))
            elif change == "retiered" and model_id in current:
                current[model_id] = _with(current[model_id], tiers=event["tiers"][0])
            elif change == "rescored" and model_id in current:
                scores = dict(current[model_id].observed.scores)
                for name, (old, _new) in event["scores"].items():
                    if old is None:
                        scores.pop(name, None)
                    else:
                        scores[name] = old
                ordered = {name: scores[name] for name in SCORE_FIELDS if name in scores}
                current[model_id] = _with(current[model_id], scores=ordered)
    listings.reverse()
    return listings


def _listed(entry: Mapping[str, Any]) -> Listed:
    observed = Observed(dict(entry.get("prices", {})), entry.get("tiers", ""), dict(entry.get("scores", {})))
    return Listed(str(entry.get("name", "")), observed, not entry.get("per_unit", False))


def _with(
    listed: Listed,
    *,
    prices: dict[str, str] | None = None,
    tiers: str | None = None,
    scores: dict[str, float] | None = None,
) -> Listed:
    observed = Observed(
        listed.observed.prices if prices is None else prices,
        listed.observed.tiers if tiers is None else tiers,
        listed.observed.scores if scores is None else scores,
    )
    return Listed(listed.name, observed, listed.token_priced)


def _keep_what_replay_cannot_know(replayed: dict[str, Any], state: Mapping[str, Any]) -> None:
    """A removed model's raw JSON, the last refresh that listed it when no change marks that one, and
    the providers: their state and changes (`catalog.history.providers`) as they were."""
    if "providers" in state:
        replayed["providers"] = state["providers"]
    provider_events = [event for event in state["events"] if event["change"] in PROVIDER_KINDS]
    if provider_events:
        merged = [*replayed["events"], *provider_events]
        # sorted is stable: events of one time keep their order
        replayed["events"] = sorted(merged, key=lambda event: parse_stamp(event["at"]))
    old_models = state["models"]
    for model_id, entry in replayed["models"].items():
        old = old_models.get(model_id)
        if not old or "removed_at" not in entry or old.get("removed_at") != entry["removed_at"]:
            continue
        if old.get("last_seen") and parse_stamp(old["last_seen"]) > parse_stamp(entry["last_seen"]):
            entry["last_seen"] = old["last_seen"]


def _placed_time(placed: Placed) -> datetime:
    return parse_stamp(placed.already_at) if placed.already_at else placed.saved.at


def _time(item: tuple[str, Any]) -> datetime:
    return parse_stamp(item[0])


def _shown(stamp: str) -> str:
    return f"{parse_stamp(stamp):%Y-%m-%d %H:%M:%S} UTC"
