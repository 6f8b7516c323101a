"""What the page keeps between reruns: one Catalog per process, and views derived once per change.

The Catalog is an `st.cache_resource`. The views derived from a snapshot of it (filter choices,
the filtered rows, the table) are memoized here in plain dictionaries keyed by what they depend
on: an `st.cache_resource` call hashes its arguments on every rerun, and five of them took a
fifth of a rerun at 549 models. Every returned object is shared by all sessions: never mutate one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

import pandas as pd
import pyarrow as pa
import streamlit as st

from catalog import Catalog
from catalog.frames import is_in
from catalog.history.view import History
from catalog.present.filters import Filters, apply_filters, capability_label, options
from catalog.present.providers import (
    ProviderFilters,
    models_meeting,
    provider_choices,
    provider_summary,
    with_provider_columns,
)
from catalog.present.table import picker_label, recently_created, table_frame, with_status
from catalog.snapshot import Snapshot

# The page's styles, read once per process: a rerun hands them to st.html without touching the disk.
PAGE_STYLE = "<style>" + Path(__file__).with_name("page.css").read_text(encoding="utf-8") + "</style>"
PICKER_LIMIT = 1_000  # options of the "Model details" picker: each is sent to the browser on every rerun
TABLE_ROWS_KEPT = 200_000  # rows of filtered views kept per snapshot, all filter sets together

Value = TypeVar("Value")


@st.cache_resource
def shared_catalog() -> Catalog:
    """One Catalog per server process, shared by every session and thread."""
    return Catalog()


class Memo(Generic[Value]):
    """A small thread-safe LRU: the value built for a key, built again only once evicted.

    `weigh` gives a value's size (rows, say): the least recently used values are dropped while the
    total is over `max_weight`, but never the one just built.
    """

    def __init__(
        self,
        max_entries: int,
        weigh: Callable[[Value], int] | None = None,
        max_weight: int | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._weigh = weigh or (lambda value: 0)
        self._values: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]
        value = build()  # outside the lock: two sessions may build the same value once, never wait
        weight = self._weigh(value)
        with self._lock:
            if key in self._values:
                self._weight -= self._values.pop(key)[1]
            self._values[key] = (value, weight)
            self._weight += weight
            while len(self._values) > 1 and (
                len(self._values) > self.max_entries
                or (self.max_weight is not None and self._weight > self.max_weight)
            ):
                self._weight -= self._values.popitem(last=False)[1][1]
        return value

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class ShownTable:
    """The filtered rows, and what the Models tab shows of them."""

    rows: pd.DataFrame  # the filtered, sorted models with every normalized column
    display: pa.Table  # the same rows as the table shows them, converted to Arrow once
    picker: list[str]  # ids for the "Model details" picker: the first PICKER_LIMIT rows
    picker_labels: dict[str, str]  # id -> "name · id" for the picker's ids
    removed: int  # recently removed models listed besides the catalog's own


class SnapshotViews:
    """Everything the page derives from one catalog snapshot, each built once and then reused.

    Views that show the history are kept per history version and day (badges and removal grace move
    with the date); `show_removed` and `filters` are the user's choices.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._once: Memo[Any] = Memo(max_entries=8)
        self._listed: Memo[pd.DataFrame] = Memo(max_entries=8)
        # A view holds copies of its rows: at 50,000 models a handful of filter sets, at 549 many.
        self._tables: Memo[ShownTable] = Memo(
            max_entries=32, weigh=lambda shown: len(shown.rows), max_weight=TABLE_ROWS_KEPT
        )

    def choices(self) -> dict[str, list[str]]:
        """What each filter offers (at 50,000 models this takes ~80 ms)."""
        return self._once.get("choices", self._build_choices)

    def counts(self) -> dict[str, int]:
        """The header's figures."""
        return self._once.get("counts", self._build_counts)

    def new_ids(self, history: History) -> frozenset[str]:
        """The models with a "new" badge: one set for the header's count and the table's badges."""
        return self._once.get(
            ("new", _history_key(history)), lambda: recently_created(self.snapshot.models, history.new_ids())
        )

    def listed(self, history: History, show_removed: bool) -> pd.DataFrame:
        """The catalog with its "new" badges, plus recently removed models when asked."""

        def build() -> pd.DataFrame:
            removed = history.removed_models() if show_removed else None
            return with_status(self.snapshot.models, self.new_ids(history), removed)

        return self._listed.get((_history_key(history), show_removed), build)

    def table(
        self,
        history: History,
        show_removed: bool,
        filters: Filters,
        provider_filters: ProviderFilters = ProviderFilters(),  # noqa: B008 - frozen, never mutated
    ) -> ShownTable:
        """The filtered, sorted rows and their display table."""

        def build() -> ShownTable:
            listed = self.listed(history, show_removed)
            rows = apply_filters(listed, filters)
            if provider_filters.active:
                rows = rows[is_in(rows["id"], models_meeting(self.snapshot.endpoints, provider_filters))]
            display = table_frame(rows)
            if self.snapshot.endpoints_fetched_at is not None:
                display = with_provider_columns(display, rows, self.provider_summary())
            first = rows.iloc[:PICKER_LIMIT]
            return ShownTable(
                rows=rows,
                display=pa.Table.from_pandas(display, preserve_index=False),
                picker=first["id"].tolist(),
                picker_labels=dict(zip(first["id"], picker_label(first), strict=True)),
                removed=len(listed) - self.snapshot.count,
            )

        return self._tables.get((_history_key(history), show_removed, filters, provider_filters), build)

    def provider_choices(self) -> dict[str, list[str]]:
        """What the hosting-provider filters offer."""
        return self._once.get("provider_choices", lambda: provider_choices(self.snapshot.endpoints))

    def provider_summary(self) -> pd.DataFrame:
        """Per model: provider count, cheapest provider and its prices, best throughput."""
        return self._once.get("provider_summary", lambda: provider_summary(self.snapshot.endpoints))

    def _build_choices(self) -> dict[str, list[str]]:
        models = self.snapshot.models
        parameters = options(models, "supported_parameters")
        return {
            "author": sorted(models["provider"].unique()),
            "in": options(models, "input_modalities"),
            "out": options(models, "output_modalities"),
            "cap": sorted(parameters, key=lambda p: (capability_label(p) == p, capability_label(p).lower())),
        }

    def _build_counts(self) -> dict[str, int]:
        models = self.snapshot.models
        return {
            "models": len(models),
            "authors": len(self.choices()["author"]),
            "free": int(models["is_free"].sum()),
            "not_token_priced": int((~models["token_priced"]).sum()),
        }


def _history_key(history: History) -> Hashable:
    return history.version, date.today()


_views: OrderedDict[int, SnapshotViews] = OrderedDict()
_views_lock = threading.Lock()
_KEPT_SNAPSHOTS = 2  # while a refresh lands, sessions may still be on the snapshot before it


def views_for(snapshot: Snapshot) -> SnapshotViews:
    """The views of `snapshot`, shared by every session showing it."""
    key = id(snapshot)  # unambiguous: each entry holds its snapshot, so the id cannot be reused
    with _views_lock:
        views = _views.get(key)
        if views is None or views.snapshot is not snapshot:
            views = _views[key] = SnapshotViews(snapshot)
        _views.move_to_end(key)
        while len(_views) > _KEPT_SNAPSHOTS:
            _views.popitem(last=False)
        return views
