"""Providers in the change history: per model, hosting providers added, removed and repriced.

The history keeps each model's providers as the last provider refresh saw them (prices as
OpenRouter's decimal strings, zero fields left out, by the model rules of `catalog.history.changes`):

    "providers": {"meta-llama/llama-3.3-70b-instruct":
                      {"deepinfra/fp8": {"name": "DeepInfra", "prices": {"prompt": "0.00000023"}}}}

and adds events beside the models' own, one per provider that changed:

    {"at": "...", "change": "provider_added", "id": "...", "provider": "DeepInfra"}
    {"at": "...", "change": "provider_removed", "id": "...", "provider": "DeepInfra", "prices": {...}}
    {"at": "...", "change": "provider_repriced", "id": "...", "provider": "DeepInfra",
     "prices": {"prompt": ["0.00000023", "0.00000025"]}}

Only models that answered are compared (a model whose request failed keeps its providers, so
nothing about it changed); the first time a model's providers are seen records them without events.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from catalog.history.changes import PROVIDER_KINDS, observe, price_changes
from catalog.history.document import HistoryDocument
from catalog.history.state import format_stamp
from catalog.storage.interface import CatalogStore


@dataclass(frozen=True)
class ProviderChanges:
    added: int = 0
    removed: int = 0
    repriced: int = 0

    def describe(self) -> str:
        if not (self.added or self.removed or self.repriced):
            return "no provider changed"
        return f"{self.added:,} provider(s) added, {self.removed:,} removed, {self.repriced:,} repriced"


def record_providers(
    store: CatalogStore, endpoints: pd.DataFrame, answered: Collection[str], at: datetime
) -> ProviderChanges | None:
    """Fold one provider refresh into the history of `store` (caller holds `store.locked()`).

    None when there was nothing to compare with: the history has not started (no live refresh
    yet), or this is the first provider refresh it sees (recorded as the providers' baseline).
    """
    history = HistoryDocument(store)
    state, version, _ = history.read_for_update()
    if state["baseline_at"] is None:
        return None
    baseline = "providers" not in state
    state, changes = apply_providers(state, endpoints, answered, at)
    history.write(state, replacing=version)  # the caller holds the writers' lock
    return None if baseline else changes


def apply_providers(
    state: Mapping[str, Any], endpoints: pd.DataFrame, answered: Collection[str], at: datetime
) -> tuple[dict[str, Any], ProviderChanges]:
    """The history after one provider refresh (a new state; `state` is not modified)."""
    stamp = format_stamp(at)
    known: dict[str, dict[str, Any]] = {k: dict(v) for k, v in state.get("providers", {}).items()}
    seen = _providers_by_model(endpoints[endpoints["model_id"].isin(list(answered))])
    events: list[dict[str, Any]] = []
    counts = dict.fromkeys(PROVIDER_KINDS, 0)
    for model_id in sorted(answered):
        now = seen.get(model_id, {})
        before = known.get(model_id)
        if before is not None:
            for key in sorted(now.keys() - before.keys()):
                events.append(_event(stamp, "provider_added", model_id, now[key]["name"]))
            for key in sorted(before.keys() - now.keys()):
                prices = dict(before[key].get("prices", {}))
                events.append(_event(stamp, "provider_removed", model_id, before[key]["name"], prices=prices))
            for key in sorted(now.keys() & before.keys()):
                moved = price_changes(before[key].get("prices", {}), now[key]["prices"])
                if moved:
                    prices = {field: [old, new] for field, (old, new) in moved.items()}
                    events.append(
                        _event(stamp, "provider_repriced", model_id, now[key]["name"], prices=prices)
                    )
        known[model_id] = now
    for event in events:
        counts[event["change"]] += 1
    new_state = {**state, "providers": dict(sorted(known.items())), "events": [*state["events"], *events]}
    changes = ProviderChanges(
        counts["provider_added"], counts["provider_removed"], counts["provider_repriced"]
    )
    return new_state, changes


def _providers_by_model(endpoints: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """model id -> provider key (its tag, else its name) -> {"name", "prices"}."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    rows = zip(
        endpoints["model_id"],
        endpoints["provider_name"],
        endpoints["tag"],
        endpoints["raw_json"],
        strict=True,
    )
    for model_id, name, tag, raw_json in rows:
        display = name if isinstance(name, str) else tag if isinstance(tag, str) else "unnamed provider"
        key = tag if isinstance(tag, str) else display
        found.setdefault(str(model_id), {})[key] = {"name": display, "prices": observe(str(raw_json)).prices}
    return found


def _event(stamp: str, change: str, model_id: str, provider: str, **extra: Any) -> dict[str, Any]:
    return {"at": stamp, "change": change, "id": model_id, "provider": provider, **extra}
