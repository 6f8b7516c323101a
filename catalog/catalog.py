"""The Catalog object the page shares: thread-safe, and coherent across processes through the store."""

from __future__ import annotations

import os
import threading
from collections.abc import Hashable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from catalog.errors import BadResponse, CatalogError, FetchError, RefreshRefused, StoreError, StoreUnavailable
from catalog.fetch.client import OpenRouterClient
from catalog.fetch.defaults import default_models, defaults_as_of
from catalog.fetch.normalize import normalize_models
from catalog.fetch.providers import (
    Progress,
    fetch_all_endpoints,
    merged_endpoints,
)
from catalog.fetch.saved import SavedResponse
from catalog.frames import is_in
from catalog.history.backfill import backfill
from catalog.history.changes import ChangeSummary, diff_models
from catalog.history.document import HistoryDocument
from catalog.history.providers import record_providers
from catalog.history.record import Recorded, record_refresh
from catalog.history.view import History, load_history
from catalog.results import ImportResult, ProvidersResult, RefreshResult
from catalog.settings import (
    API_BASE,
    API_KEY,
    CONCURRENCY,
    DEADLINE_S,
    MAX_MODELS,
    MAX_RESPONSE_MB,
    PROVIDERS_DEADLINE_S,
)
from catalog.snapshot import Snapshot
from catalog.storage.generation import META_NAME, StoreDamaged, StoredMeta
from catalog.storage.interface import open_store

SHRINK_LIMIT = 0.5  # a live refresh may not drop the live catalog under half its size unless forced
RECENT_REFRESH = timedelta(seconds=60)


class Catalog:
    """The model catalog of one store (a directory or s3://bucket/prefix), shared by a process's threads.

    `snapshot()` costs one `stat` (on S3 a memory read: a poll follows the pointer) when nothing
    changed, and reloads when another process wrote a newer generation. `refresh()` and `reset()`
    build a new frame, persist it, then swap the reference; a frame a reader holds is never mutated.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        deadline_s: float | None = None,
    ) -> None:
        self.store = open_store(directory)
        self.deadline_s = deadline_s
        self._lock = threading.RLock()
        self._current: Snapshot | None = None
        self._stat: Hashable | None = None
        self._unavailable = False  # the current snapshot is kept because the store did not answer

    @property
    def location(self) -> str:
        """Where the catalog is stored: a directory, or s3://bucket/prefix/."""
        return self.store.location

    @property
    def directory(self) -> Path:
        """The catalog directory of a local store."""
        return self.store.directory  # type: ignore[attr-defined]

    def snapshot(self) -> Snapshot:
        """The current catalog; reloads only when the store changed since the last call."""
        stat = self.store.stat_key()
        current = self._current
        if current is not None and stat == self._stat:
            return current
        with self._lock:
            if self._current is not None and self.store.stat_key() == self._stat:
                return self._current
            return self._load()

    def history(self) -> History:
        """The change history beside the catalog; costs one stat when it has not changed. Its
        `version` changes with every write of the history, by any process."""
        return load_history(self.store)

    def refresh(
        self,
        force: bool = False,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
    ) -> RefreshResult:
        """Fetch the whole live catalog, persist it and make it current. On any error nothing changes."""
        api_base = (api_base or API_BASE.value()).rstrip("/")
        api_key = api_key or API_KEY.value()
        deadline_s = self.deadline_s or DEADLINE_S.value()
        seen_generation = self.snapshot().generation  # what this process last saw, before waiting
        with self._lock, self.store.locked():
            previous = self._load(for_write=True)
            if (
                not force
                and previous.generation > seen_generation >= 0
                and previous.is_live
                and previous.fetched_at
                and _now() - previous.fetched_at < RECENT_REFRESH
            ):
                # Another process refreshed while this one waited for the lock: don't fetch twice.
                return RefreshResult(previous, previous, ChangeSummary((), (), ()), fetched=False)
            client = OpenRouterClient(
                api_base,
                api_key,
                deadline_s=deadline_s,
                max_response_mb=MAX_RESPONSE_MB.value(),
                max_models=MAX_MODELS.value(),
            )
            fetched = client.fetch_models()
            normalized = normalize_models(fetched.models, fetched.model_texts)
            if normalized.frame.empty:
                raise BadResponse(f"none of the {len(fetched.models)} models in the response could be read")
            new_count = len(normalized.frame)
            if not force and previous.is_live and new_count < previous.count * SHRINK_LIMIT:
                raise RefreshRefused(
                    f"the response lists {new_count:,} models, under half of the {previous.count:,} "
                    "now stored; refusing to replace them (use force to accept)"
                )
            fetched_at = _now()
            meta = self.store.write(
                normalized.frame,
                source="live",
                fetched_at=fetched_at,
                api_base=client.api_base,  # without any user:password@ the configured URL holds
                defaults_as_of=None,
                problems=normalized.problems,
            )
            snapshot = self._install(meta, normalized.frame)
            recorded = self._record_history(previous, normalized.frame, fetched_at)
            from_history = recorded.changes is not None
            changes = recorded.changes if from_history else diff_models(previous.models, normalized.frame)
            return RefreshResult(
                snapshot,
                previous,
                changes,
                tuple(normalized.problems),
                changes_from_history=from_history,
                history_note=recorded.notice,
            )

    def refresh_providers(
        self,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        progress: Progress | None = None,
    ) -> ProvidersResult:
        """Fetch every model's hosting providers and persist them beside the models.

        A model whose request fails keeps its earlier providers; when no model answers at all,
        nothing changes and the first reason is raised.
        """
        api_base = (api_base or API_BASE.value()).rstrip("/")
        api_key = api_key or API_KEY.value()
        concurrency = CONCURRENCY.value()
        deadline_s = PROVIDERS_DEADLINE_S.value()
        model_ids = self.snapshot().models["id"].tolist()
        client = OpenRouterClient(
            api_base,
            api_key,
            deadline_s=deadline_s,
            max_response_mb=MAX_RESPONSE_MB.value(),
            connections=concurrency,
        )
        fetched_at = _now()
        fetched = fetch_all_endpoints(
            client, model_ids, fetched_at=fetched_at, concurrency=concurrency, progress=progress
        )
        if model_ids and not fetched.answered:
            reason = next(iter(fetched.failed.values()), "no answer")
            raise FetchError(f"no model's providers could be fetched ({reason}); nothing was changed")
        with self._lock, self.store.locked():
            current = self._load()  # a models refresh may have landed meanwhile
            endpoints, kept = merged_endpoints(current.endpoints, fetched, current.models["id"].tolist())
            meta = self.store.write_endpoints(endpoints, fetched_at=fetched_at)
            snapshot = self._install(meta, current._models, endpoints=endpoints)
            try:
                changes = record_providers(self.store, endpoints, fetched.answered, fetched_at)
                note = None
            except StoreError as error:  # the providers are written: the next refresh catches up
                changes, note = None, f"change history not updated: {error}"
        return ProvidersResult(
            snapshot, len(fetched.answered), tuple(kept), tuple(fetched.problems), changes, note
        )

    def import_saved(self, saved: Sequence[SavedResponse], *, apply_latest: bool = False) -> ImportResult:
        """Place saved responses in the change history as past refreshes, in order; with
        `apply_latest`, the newest of them also becomes the current catalog. All or nothing."""
        if not saved:
            raise CatalogError("no files to import")
        now = _now()
        for response in saved:
            if response.at > now + RECENT_REFRESH:
                raise CatalogError(f"{response.name}: dated {response.at:%Y-%m-%d %H:%M} UTC, after now")
        newest = max(saved, key=lambda response: response.at)
        with self._lock, self.store.locked():
            history = HistoryDocument(self.store)
            state, before = history.read_strict()
            new_state, placed = backfill(state, saved)
            current = self._load() if apply_latest else None
            if (
                current is not None
                and current.is_live
                and current.fetched_at
                and current.fetched_at >= newest.at
            ):
                raise CatalogError(
                    f"the current catalog (refreshed {current.fetched_at:%Y-%m-%d %H:%M} UTC) is newer than "
                    f"{newest.name} ({newest.at:%Y-%m-%d %H:%M} UTC): not applied, nothing imported"
                )
            written = None
            if any(p.already_at is None for p in placed):
                # Not folded into a new base yet: undoing the entry then undoes the import whole.
                written = history.write(new_state, replacing=before, compact=False)
            if not apply_latest:
                return ImportResult(tuple(placed), History(new_state), None)
            try:
                meta = self.store.write(
                    newest.frame,
                    source="live",
                    fetched_at=newest.at,
                    api_base=None,
                    defaults_as_of=None,
                    problems=newest.problems,
                )
            except StoreError:
                # The catalog stayed as it was: so does the history.
                if written is not None:
                    history.undo(written)
                raise
            return ImportResult(tuple(placed), History(new_state), self._install(meta, newest.frame))

    def reset(self) -> Snapshot:
        """Make the bundled defaults current again, for every process sharing the directory."""
        with self._lock, self.store.locked():
            notice = None
            try:
                self.store.read_meta()
            except StoreDamaged as damage:
                # Kept, as a read keeps it: the reset writes over the pointer, never over the damage.
                moved_to = self.store.move_aside(str(damage))
                notice = f"The stored catalog could not be read ({damage})"
                notice += f"; it was moved to {moved_to}." if moved_to else "."
            frame = default_models()
            meta = self.store.write(
                frame, source="defaults", fetched_at=None, api_base=None, defaults_as_of=defaults_as_of()
            )
            return self._install(meta, frame, notice=notice)

    # -- internals -----------------------------------------------------------------------------

    def _record_history(self, previous: Snapshot, frame: pd.DataFrame, fetched_at: datetime) -> Recorded:
        """Fold the new live catalog into the change history (caller holds the store's lock).

        The catalog is already written: a failure here is reported, not raised, and the next
        refresh catches up, since the history compares with its own last live state.
        """
        try:
            return record_refresh(
                self.store,
                frame,
                fetched_at,
                previous_live=previous.models if previous.is_live else None,
                previous_at=previous.fetched_at,
            )
        except StoreError as error:
            return Recorded(None, f"change history not updated: {error}")
        except Exception as error:  # noqa: BLE001 - the catalog was written: say so, whatever went wrong
            return Recorded(None, f"change history not updated ({type(error).__name__}: {error})")

    def _load(self, *, for_write: bool = False) -> Snapshot:
        """Read the store (caller holds self._lock); first run and damage fall back to defaults.

        An object store that does not answer leaves the catalog in memory, with a notice; before a
        write (`for_write`) that is an error instead.
        """
        stat = self.store.stat_key()
        try:
            stored = self.store.read_all()
        except StoreDamaged as damage:
            return self._recover(str(damage))
        except StoreUnavailable as error:
            if for_write:
                raise
            return self._carry_on_without_store(str(error), stat)
        if stored is None:
            if self._current is not None and self._current.is_live and self._current.generation > 0:
                return self._recover(f"{META_NAME} is missing")  # the live catalog vanished from the store
            return self._start_on_defaults()
        meta, frame, endpoints = stored
        current = self._current
        if current is not None and current.generation == meta.generation and not self._unavailable:
            self._stat = stat
            return self._current
        return self._install(meta, frame, stat=stat, endpoints=endpoints)

    def _carry_on_without_store(self, reason: str, stat: Hashable | None) -> Snapshot:
        """Keep showing what is in memory until the store answers again (the next poll that it does)."""
        keep = self._current
        if keep is not None and keep.generation > 0:
            loaded = "the catalog loaded before"
            snapshot = replace(keep, notice=f"The catalog store did not answer ({reason}). Showing {loaded}.")
        else:
            notice = f"The catalog store did not answer ({reason}). Showing the bundled defaults."
            snapshot = Snapshot(default_models(), "defaults", 0, None, None, defaults_as_of(), notice)
        self._current, self._stat, self._unavailable = snapshot, stat, True
        return snapshot

    def _start_on_defaults(self, notice: str | None = None) -> Snapshot:
        frame = default_models()
        try:
            with self.store.locked():
                if notice is None and (stored := self.store.read_all()) is not None:
                    # another process started the store first
                    return self._install(stored.meta, stored.models, endpoints=stored.endpoints)
                meta = self.store.write(
                    frame, source="defaults", fetched_at=None, api_base=None, defaults_as_of=defaults_as_of()
                )
                return self._install(meta, frame, notice=notice)
        except StoreDamaged as damage:
            return self._recover(str(damage))
        except StoreError as error:
            # Read-only or full directory: still usable, from memory.
            text = f"{error}; showing the bundled defaults without saving them"
            snapshot = Snapshot(frame, "defaults", 0, None, None, defaults_as_of(), _join(notice, text))
            self._current, self._stat = snapshot, None
            return snapshot

    def _recover(self, reason: str) -> Snapshot:
        keep = self._current if self._current is not None and self._current.generation > 0 else None
        try:
            with self.store.locked():
                try:
                    stored = self.store.read_all()  # a writer may have mended it meanwhile
                except StoreDamaged:
                    stored = None
                else:
                    if stored is not None:
                        return self._install(
                            stored.meta, stored.models, stat=self.store.stat_key(), endpoints=stored.endpoints
                        )
                moved_to = self.store.move_aside(reason)
                problem = f"The stored catalog could not be read ({reason})"
                if moved_to:
                    problem += f"; it was moved to {moved_to}"
                if keep is not None and keep.is_live:
                    return self._rewrite(keep, f"{problem}. Still showing the last good catalog.")
                notice = f"{problem}. Showing the bundled defaults."
                return self._start_on_defaults(notice)
        except StoreError as error:
            # Not even set aside (a read-only or full directory): carry on from memory, files untouched.
            problem = f"The stored catalog could not be read ({reason}), nor set aside ({error})"
            if keep is not None and keep.is_live:
                snapshot = replace(keep, notice=f"{problem}. Still showing the last good catalog.")
            else:
                notice = f"{problem}. Showing the bundled defaults."
                snapshot = Snapshot(default_models(), "defaults", 0, None, None, defaults_as_of(), notice)
            self._current, self._stat = snapshot, self.store.stat_key()
            return snapshot

    def _rewrite(self, keep: Snapshot, notice: str) -> Snapshot:
        try:
            meta = self.store.write(
                keep._models,
                source=keep.source,
                fetched_at=keep.fetched_at,
                api_base=keep.api_base,
                defaults_as_of=keep.defaults_as_of,
            )
        except StoreError as error:
            snapshot = Snapshot(
                keep._models,
                keep.source,
                keep.generation,
                keep.fetched_at,
                keep.api_base,
                keep.defaults_as_of,
                _join(notice, str(error)),
            )
            self._current, self._stat = snapshot, None
            return snapshot
        return self._install(meta, keep._models, notice=notice)

    def _install(
        self,
        meta: StoredMeta,
        frame: pd.DataFrame,
        *,
        stat: Hashable | None = None,
        notice: str | None = None,
        endpoints: pd.DataFrame | None = None,
    ) -> Snapshot:
        if endpoints is None and meta.endpoints_file:
            # The models changed; the providers are the ones named by the metadata.
            current = self._current
            if (
                current is not None
                and current._endpoints is not None
                and current.endpoints_file == meta.endpoints_file
            ):
                endpoints = current._endpoints
            else:
                endpoints = self.store.read_endpoints(meta)
        if endpoints is not None:
            # Providers of a model no longer listed are not the catalog's: leave them out of view.
            listed = is_in(endpoints["model_id"], frame["id"])
            endpoints = endpoints if listed.all() else endpoints[listed].reset_index(drop=True)
        snapshot = Snapshot(
            _models=frame,
            source=meta.source,
            generation=meta.generation,
            fetched_at=meta.fetched_at,
            api_base=meta.api_base,
            defaults_as_of=meta.defaults_as_of,
            notice=notice,
            _endpoints=endpoints if meta.endpoints_file else None,
            endpoints_fetched_at=meta.endpoints_fetched_at,
            endpoints_file=meta.endpoints_file,
        )
        with self._lock:
            self._current = snapshot
            self._stat = stat or self.store.stat_key()
            self._unavailable = False
        return snapshot


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _join(first: str | None, second: str) -> str:
    return f"{first} {second}" if first else second
