"""The change history as stored: a base and a log of small entries after it, alike on every store.

    history.json                      the base: the whole state (see `catalog.history.record`), plus
                                      "log_included": the last entry folded into it
    history-log/000000000043.json     one entry per write after the base: only what that write changed

An entry holds the difference from the state its writer read: the model entries that changed or
appeared (whole), the ids dropped, the new events, the providers that changed, and the other
top-level fields that changed (`refreshes`, `last_refresh_at`, ...). So a refresh that reprices 3
of 200,000 models writes a few kB, not the whole history.

Each entry is created once, under the number after the last one its writer saw, and only if no
one has taken that number (`O_EXCL`-like in a directory, `If-None-Match: *` on S3): creating it is
the compare-and-swap, and a writer who lost the race reads again and redoes its change.

Reading is the base with the entries after it folded in, in order. When the entries add up to a
quarter of the base's bytes or to `MAX_ENTRIES`, the writer writes a new base (a compare-and-swap
on `history.json`) and then removes the entries it folded in. A crash between the two leaves
entries the base already includes: their numbers are at most `log_included`, so they are skipped,
never applied twice; an entry written and not folded is read with the base.

An entry that cannot be read is skipped with a notice (a writer moves it under `damaged/`): only
its own changes are missing. Entries without a base (the base set aside, or deleted by hand) are
differences from nothing: they are not read, and the next base starts after them.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import StoreError
from catalog.history.state import (
    HISTORY_NAME,
    SCHEMA_VERSION,
    NewerSchema,
    check_fields,
    check_models_and_events,
    check_state,
    empty_state,
    parse_json,
)
from catalog.storage.files import json_bytes
from catalog.storage.interface import CatalogStore, Document, WriteConflict

LOG_FOLDER = "history-log"
INCLUDED_KEY = "log_included"  # in the base: the number of the last entry folded into it
MAX_ENTRIES = 32  # entries after the base before a writer folds them into a new one
ENTRY_SHARE = 0.25  # ... or when they add up to this share of the base's bytes
ENTRY_FORMAT = 1
_ENTRY_NAME = re.compile(rf"^{LOG_FOLDER}/(\d{{12}})\.json$")
_SPECIAL = ("models", "events", "providers")  # kept as maps and lists: an entry holds their changes
_READ_ATTEMPTS = 5


def entry_name(sequence: int) -> str:
    return f"{LOG_FOLDER}/{sequence:012d}.json"


@dataclass(frozen=True)
class HistoryVersion:
    """What a read found: what a write replaces."""

    base: Document | None
    state: dict[str, Any] = field(repr=False)  # the state read: a write stores its difference from it
    last_sequence: int = 0  # the highest entry number seen (folded, read or set aside)
    after_base: tuple[str, ...] = ()  # the entries read after the base
    log_bytes: int = 0  # and their bytes
    folded: tuple[str, ...] = ()  # entries the base already includes, left by an earlier fold
    rebase: bool = False  # the base was damaged or of an older schema: the next write replaces it whole


@dataclass(frozen=True)
class HistoryRead:
    state: dict[str, Any]
    version: HistoryVersion
    damaged: tuple[tuple[str, str], ...] = ()  # (entry, why) for each entry that could not be read
    orphans: tuple[str, ...] = ()  # entries without a base to apply them to


class DamagedBase(ValueError):
    """The base cannot be read: the entries after it are differences from a lost state."""

    def __init__(self, reason: str, base: Document, entries: tuple[str, ...], last_sequence: int) -> None:
        super().__init__(reason)
        self.base, self.entries, self.last_sequence = base, entries, last_sequence


@dataclass(frozen=True)
class Written:
    """What one write stored, so an import can undo it when the catalog write after it fails."""

    name: str  # history.json, or the entry
    version: Hashable
    previous: Document | None = None  # what was there before (nothing, for an entry)


class HistoryDocument:
    """The change history of one store: `read()` the state and its version, `write()` a new state."""

    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    def version(self) -> Hashable:
        """What changes with every write, by any process: a stat and a listing of the log's folder
        (on S3, memory: the poll follows both)."""
        base = self.store.document_version(HISTORY_NAME)
        if base is None:
            return None  # no history: entries without a base are not read
        return base, self.store.folder_version(LOG_FOLDER)

    def read(self) -> HistoryRead:
        """The history: the base with the entries after it. ValueError when the base cannot be read
        (NewerSchema when a newer version wrote it); StoreError when the store cannot be read."""
        for _ in range(_READ_ATTEMPTS):
            # The entries first, then the base: a base written meanwhile includes every entry it
            # removed, so the two never miss one between them (a newer entry is simply not read yet).
            names = self.store.list_documents(LOG_FOLDER)
            base = self.store.read_document(HISTORY_NAME)
            found = self._fold(base, names)
            if found is not None:
                return found
        raise ValueError(f"{LOG_FOLDER} changed under every reading")

    def _fold(self, base: Document | None, names: list[str]) -> HistoryRead | None:
        numbered = sorted((int(m.group(1)), name) for name in names if (m := _ENTRY_NAME.match(name)))
        highest = numbered[-1][0] if numbered else 0
        if base is None:
            orphans = tuple(name for _, name in numbered)
            version = HistoryVersion(None, empty_state(), highest)
            return HistoryRead(empty_state(), version, orphans=orphans)
        try:
            state, included = _parse_base(base.data)
        except NewerSchema:
            raise
        except ValueError as error:
            raise DamagedBase(str(error), base, tuple(name for _, name in numbered), highest) from None
        damaged: list[tuple[str, str]] = []
        after: list[str] = []
        log_bytes = 0
        for sequence, name in numbered:
            if sequence <= included:
                continue
            document = self.store.read_document(name)
            if document is None:
                return None  # folded into a newer base and removed meanwhile: read again
            after.append(name)
            log_bytes += len(document.data)
            try:
                fold(state, parse_entry(document.data, name))  # the state was parsed here: ours to change
            except NewerSchema:
                raise
            except ValueError as error:
                damaged.append((name, str(error)))
        folded = tuple(name for sequence, name in numbered if sequence <= included)
        # A base an older version wrote is written again whole, as this schema, before any entry.
        rebase = state["schema_version"] < SCHEMA_VERSION
        version = HistoryVersion(base, state, max(highest, included), tuple(after), log_bytes, folded, rebase)
        return HistoryRead(state, version, tuple(damaged))

    def write(self, state: dict[str, Any], *, replacing: HistoryVersion, compact: bool = True) -> Written:
        """Store `state`, read as `replacing`: one entry of its difference (or the base, when there is
        none yet); WriteConflict when another writer got there first. With `compact`, the entries
        are folded into a new base once they have grown enough."""
        if replacing.base is None or replacing.rebase:
            payload = {**state, INCLUDED_KEY: replacing.last_sequence}
            version = self.store.replace_json(HISTORY_NAME, payload, replacing=replacing.base)
            return Written(HISTORY_NAME, version, replacing.base)
        sequence = replacing.last_sequence + 1
        data = json_bytes(
            {"format": ENTRY_FORMAT, "sequence": sequence, **difference(replacing.state, state)}
        )
        name = entry_name(sequence)
        written = Written(name, self.store.create_document(name, data))
        base_bytes = len(replacing.base.data)
        if compact and (
            len(replacing.after_base) + 1 >= MAX_ENTRIES
            or replacing.log_bytes + len(data) > base_bytes * ENTRY_SHARE
        ):
            self._compact(state, sequence, replacing)
        return written

    def _compact(self, state: dict[str, Any], sequence: int, replacing: HistoryVersion) -> None:
        try:
            self.store.replace_json(HISTORY_NAME, {**state, INCLUDED_KEY: sequence}, replacing=replacing.base)
        except WriteConflict:
            return  # another writer wrote a newer base: the entry stays in the log, read after it
        self.store.remove_documents([*replacing.folded, *replacing.after_base, entry_name(sequence)])

    def read_for_update(self) -> tuple[dict[str, Any], HistoryVersion, str | None]:
        """The history to update, the version to replace, and a notice of what was set aside:
        a damaged base (with the entries after it) starts the history again; a damaged entry is
        moved under `damaged/` and the history goes on without its changes. The caller holds the lock."""
        try:
            found = self.read()
        except NewerSchema as error:
            raise StoreError(str(error)) from None
        except DamagedBase as damage:
            moved_to = self.store.move_document_aside(HISTORY_NAME, str(damage))
            lost_base = f"an entry after a {HISTORY_NAME} that could not be read ({damage})"
            self.set_aside(damage.entries, lost_base)
            notice = (
                f"The change history could not be read ({damage}); it was moved to {moved_to} "
                "and starts again now."
            )
            version = HistoryVersion(damage.base, empty_state(), damage.last_sequence, rebase=True)
            return empty_state(), version, notice
        notices = []
        for name, reason in found.damaged:
            [moved_to] = self.set_aside([name], reason)
            notices.append(
                f"A change history entry could not be read ({reason}); it was moved to {moved_to}."
            )
        if found.orphans:
            self.set_aside(found.orphans, f"an entry without a {HISTORY_NAME} to apply it to")
        return found.state, found.version, " ".join(notices) or None

    def read_strict(self) -> tuple[dict[str, Any], HistoryVersion]:
        """The history and its version; nothing is moved: StoreError when any of it cannot be read."""
        try:
            found = self.read()
        except ValueError as error:
            raise StoreError(f"the change history cannot be read ({error})") from None
        if found.damaged:
            name, reason = found.damaged[0]
            raise StoreError(f"the change history cannot be read ({name}: {reason})")
        return found.state, found.version

    def undo(self, written: Written) -> None:
        """Undo a write made with `compact=False` (an import whose catalog write failed): remove the
        entry it created, or put back the base it replaced."""
        self.store.restore_document(written.name, written.previous, written=written.version)

    def set_aside(self, names: tuple[str, ...] | list[str], reason: str) -> list[str]:
        """Move entries under `damaged/` (caller holds the lock); where each went."""
        return [str(self.store.move_document_aside(name, reason)) for name in names]


def _parse_base(data: bytes) -> tuple[dict[str, Any], int]:
    payload = parse_json(data.decode("utf-8"), "a history")  # not UTF-8: a ValueError, damaged too
    if isinstance(payload, dict):
        included = payload.pop(INCLUDED_KEY, 0)
        if isinstance(included, bool) or not isinstance(included, int) or included < 0:
            raise ValueError(f"{INCLUDED_KEY} is not an entry number ({str(included)[:40]!r})")
    else:
        included = 0
    return check_state(payload), included


def difference(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What an entry holds to make `old` into `new`."""
    missing = object()
    fields = {
        key: value for key, value in new.items() if key not in _SPECIAL and old.get(key, missing) != value
    }
    entry: dict[str, Any] = {
        "fields": fields,
        "fields_dropped": sorted(key for key in old if key not in new and key not in _SPECIAL),
        **_map_difference("models", old["models"], new["models"]),
    }
    if "providers" in new:
        entry.update(_map_difference("providers", old.get("providers", {}), new["providers"]))
    elif "providers" in old:
        entry["fields_dropped"].append("providers")
    before, after = old["events"], new["events"]
    if len(after) >= len(before) and after[: len(before)] == before:
        entry["events"] = after[len(before) :]
    else:  # rewritten (an import replays the refreshes with its own among them)
        entry["events"], entry["events_replaced"] = after, True
    return entry


def _map_difference(key: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    changed = {item: value for item, value in new.items() if old.get(item) != value}
    return {key: changed, f"{key}_dropped": sorted(item for item in old if item not in new)}


def parse_entry(data: bytes, name: str = "an entry") -> dict[str, Any]:
    """An entry, checked as a history is; ValueError naming what is wrong (NewerSchema when a
    newer version wrote it: never set aside)."""
    entry = parse_json(data.decode("utf-8"), "a history entry")
    written_as = entry.get("format") if isinstance(entry, dict) else None
    if isinstance(written_as, int) and not isinstance(written_as, bool) and written_as > ENTRY_FORMAT:
        raise NewerSchema(f"{name} was written by a newer version (format {written_as})")
    if written_as != ENTRY_FORMAT:
        raise ValueError("not a history entry")
    fields, models, events = entry.get("fields"), entry.get("models"), entry.get("events")
    if not isinstance(fields, dict) or any(key in _SPECIAL for key in fields):
        raise ValueError("its fields are not a map of fields")
    check_fields(fields)
    check_models_and_events(models, events)
    if not isinstance(entry.get("providers", {}), dict):
        raise ValueError("providers are not a map of models")
    for key in ("fields_dropped", "models_dropped", "providers_dropped"):
        if not isinstance(entry.get(key, []), list) or not all(
            isinstance(k, str) for k in entry.get(key, [])
        ):
            raise ValueError(f"{key} is not a list of names")
    return entry


def fold(state: dict[str, Any], entry: dict[str, Any]) -> None:
    """Apply one entry to `state`, in place."""
    for key in entry["fields_dropped"]:
        state.pop(key, None)
    state.update(entry["fields"])
    _fold_map(state, "models", entry["models"], entry["models_dropped"])
    if "providers" in entry:
        _fold_map(state, "providers", entry["providers"], entry.get("providers_dropped", []))
    if entry.get("events_replaced"):
        state["events"] = list(entry["events"])
    else:
        state["events"].extend(entry["events"])


def _fold_map(state: dict[str, Any], key: str, changed: dict[str, Any], dropped: list[str]) -> None:
    items = state.setdefault(key, {})
    appeared = any(item not in items for item in changed)
    items.update(changed)
    for item in dropped:
        items.pop(item, None)
    if appeared:  # in order, as a writer keeps it: the next base reads as one written whole
        state[key] = dict(sorted(items.items()))
