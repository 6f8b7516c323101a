"""The change history's state: its shape, checked field by field on every read, and its times.

The shape is described in `catalog.history.record`; `catalog.history.document` stores it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalog.history.changes import KINDS

# 2: scores and `rescored` events; 3: a base with a log of entries after it (an older version,
# which would write the base whole over entries it cannot see, refuses a history of schema 3)
SCHEMA_VERSION = 3
HISTORY_NAME = "history.json"


def empty_state() -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "baseline_at": None,
        "last_refresh_at": None,
        "refreshes": 0,
        "models": {},
        "events": [],
    }


class NewerSchema(ValueError):
    """The history was written by a newer version: never set aside, never written over."""


def parse_json(text: str, what: str) -> Any:
    """The JSON value in `text`; ValueError saying why not."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    except RecursionError:
        raise ValueError(f"nested too deeply to be {what}") from None


def parse_state(text: str) -> dict[str, Any]:
    """The state in `text`; ValueError when it is not a history this version can use."""
    return check_state(parse_json(text, "a history"))


def check_state(state: Any) -> dict[str, Any]:
    """`state` when it is a history this version can use; ValueError naming what is wrong.

    Every field the page, `changes` and a refresh read is checked for type (and every time for
    being one): a history of valid JSON with `"refreshes": "many"` or a list where prices go once
    failed each refresh after the catalog was written.
    """
    if not isinstance(state, dict):
        raise ValueError("not a JSON object")
    if not isinstance(state.get("schema_version"), int):
        raise ValueError("no schema version")
    check_fields(state)  # a newer version's history is never taken for a damaged one
    check_models_and_events(state.get("models"), state.get("events"))
    state.setdefault("refreshes", 0)
    return state


def check_models_and_events(models: Any, events: Any) -> None:
    """A map of model entries and a list of changes, each checked; ValueError naming what is wrong."""
    if not isinstance(models, dict):
        raise ValueError("models are not a map of model entries")
    check_models(models)
    if not isinstance(events, list):
        raise ValueError("events are not a list of changes")
    check_events(events)


def check_models(models: dict[str, Any]) -> None:
    for model_id, entry in models.items():
        _check_entry(model_id, entry)


def check_events(events: list[Any]) -> None:
    for event in events:
        _check_event(event)


def check_fields(fields: dict[str, Any]) -> None:
    """The fields of a history beside its models and events, those present."""
    version = fields.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise NewerSchema(f"{HISTORY_NAME} was written by a newer version (schema {version})")
    imports = fields.get("imports", [])
    if not isinstance(imports, list) or not all(
        isinstance(i, dict) and isinstance(i.get("sha256"), str) and isinstance(i.get("at"), str)
        for i in imports
    ):
        raise ValueError("imports are not a list of imported files")
    if not isinstance(fields.get("providers", {}), dict):
        raise ValueError("providers are not a map of models")
    for key in ("baseline_at", "last_refresh_at"):
        if fields.get(key) is not None:
            _check_stamp(fields[key], key)
    refreshes = fields.get("refreshes", 0)
    if isinstance(refreshes, bool) or not isinstance(refreshes, int) or refreshes < 0:
        raise ValueError(f"refreshes is not a count ({str(refreshes)[:40]!r})")


def _check_stamp(value: Any, what: str) -> None:
    try:
        parse_stamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not a time ({str(value)[:40]!r})") from None


def _check_prices(prices: Any, what: str, *, pairs: bool = False) -> None:
    if not _is_map_of(prices, _is_price, pairs):
        raise ValueError(f"{what}: prices are not decimal texts by field")


def _check_scores(scores: Any, what: str, *, pairs: bool = False) -> None:
    if not _is_map_of(scores, _is_score, pairs):
        raise ValueError(f"{what}: scores are not numbers by name")


def _is_map_of(mapping: Any, is_value: Callable[[Any], bool], pairs: bool) -> bool:
    """Whether `mapping` maps texts to values passing `is_value` (or, `pairs`, to [old, new] of them)."""
    return isinstance(mapping, dict) and all(
        isinstance(name, str)
        and (
            (isinstance(value, list) and len(value) == 2 and all(map(is_value, value)))
            if pairs
            else is_value(value)
        )
        for name, value in mapping.items()
    )


def _is_price(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        return Decimal(value).is_finite()
    except ArithmeticError:  # decimal.InvalidOperation: not a number
        return False


def _is_score(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


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


def format_stamp(moment: datetime) -> str:
    """A time as the history file writes it: UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> datetime:
    """A stamp of the history file as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
