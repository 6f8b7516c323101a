"""Reading the change history: events, removed models, "new" badges, price series.

`catalog.history.record` records the history (`catalog.history.document` stores it); this module
reads it (`Catalog.history()` reads it again only when it changed) into frames.
`catalog.present.changes` orders and words them for the page, the feed and the CLI.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Hashable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

import pandas as pd

from catalog.errors import StoreError
from catalog.fetch.columns import COLUMNS, build_frame
from catalog.fetch.normalize import normalize_models
from catalog.history.document import HistoryDocument
from catalog.history.state import empty_state, parse_stamp
from catalog.pricing.fields import VARIABLE, display_unit
from catalog.pricing.money import plain_decimal
from catalog.settings import REMOVED_GRACE_DAYS
from catalog.storage.interface import CatalogStore, open_store

NEW_DAYS = 7.0
EVENT_COLUMNS = [
    "at",
    "change",
    "id",
    "name",
    "field",
    "unit",
    "old",
    "new",
    "delta",
    "change_pct",
    "old_exact",
    "new_exact",
]
SERIES_COLUMNS = ["at", "field", "unit", "price", "price_exact"]


def _display(raw: str | None, factor: Decimal) -> tuple[float, str]:
    """(number, exact text) of one price as recorded, in its display unit; "-1" is a variable price."""
    if raw is None:
        return math.nan, ""
    number = Decimal(raw)
    if number == -1:
        return math.nan, VARIABLE
    scaled = number * factor
    return float(scaled), plain_decimal(scaled)


class History:
    """One immutable reading of the history file; every view is computed once and shared."""

    def __init__(
        self, state: Mapping[str, Any] | None = None, notice: str | None = None, version: Hashable = None
    ) -> None:
        self._state = state if state is not None else empty_state()
        self.notice = notice
        self.version = version  # the file's identity when read: a new version, a new reading

    @property
    def baseline_at(self) -> datetime | None:
        stamp = self._state["baseline_at"]
        return parse_stamp(stamp) if stamp else None

    @property
    def last_refresh_at(self) -> datetime | None:
        stamp = self._state["last_refresh_at"]
        return parse_stamp(stamp) if stamp else None

    @property
    def refreshes(self) -> int:
        return int(self._state["refreshes"])

    @property
    def is_empty(self) -> bool:
        """True until the first live refresh."""
        return self._state["baseline_at"] is None

    def events(
        self,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        kinds: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Changes with `since <= at < until`, oldest first: one row per moved price field,
        one per moved score, one per added, removed or retiered model. Columns: EVENT_COLUMNS."""
        frame = self._all_events
        keep = pd.Series(True, index=frame.index)
        if since is not None:
            keep &= frame["at"] >= _as_time(since)
        if until is not None:
            keep &= frame["at"] < _as_time(until)
        if kinds is not None:
            keep &= frame["change"].isin(list(kinds))
        return frame[keep].reset_index(drop=True)

    def removed_models(self, now: datetime | None = None, grace_days: float | None = None) -> pd.DataFrame:
        """Models removed within the grace period, newest removal first: the normalized
        frame's columns plus `removed_on` (UTC)."""
        grace = REMOVED_GRACE_DAYS.value() if grace_days is None else grace_days
        frame = self._removed_frame
        now = now or datetime.now(UTC)
        cutoff = pd.Timestamp(now if now.tzinfo else now.replace(tzinfo=UTC)) - pd.Timedelta(days=grace)
        return frame[frame["removed_on"] >= cutoff].reset_index(drop=True)

    def first_seen(self) -> pd.Series:
        """id -> when the history first saw the model (the baseline time for models it started with)."""
        return self._first_seen

    def new_ids(self, now: datetime | None = None, days: float = NEW_DAYS) -> frozenset[str]:
        """Models listed now and first seen after the baseline, within `days` of `now`: the "new" badge."""
        if self.is_empty:
            return frozenset()
        now = now or datetime.now(UTC)
        cutoff = _as_time(now) - pd.Timedelta(days=days)
        seen = self._first_seen
        fresh = seen[(seen > pd.Timestamp(self.baseline_at)) & (seen >= cutoff)]
        models = self._state["models"]
        return frozenset(i for i in fresh.index if "removed_at" not in models[i])

    def price_series(self, model_id: str) -> pd.DataFrame:
        """The model's base prices over time, for a step chart (`interpolate="step-after"`).

        One row per field per point in time; a price holds until the next point. Prices are
        NaN while the model was not listed and for a variable ("-1") price. The last point is
        the latest refresh (or the removal). Columns: SERIES_COLUMNS.
        """
        entry = self._state["models"].get(model_id)
        if entry is None:
            return pd.DataFrame({c: pd.Series(dtype=_SERIES_DTYPES[c]) for c in SERIES_COLUMNS})
        points = _price_points(entry, self._events_by_id.get(model_id, []), self._state["last_refresh_at"])
        fields = sorted({f for _, prices in points if prices for f in prices}) or ["prompt", "completion"]
        rows = []
        for stamp, prices in points:
            for field in fields:
                unit, factor = display_unit(field, token_priced=not entry.get("per_unit"))
                raw = None if prices is None else prices.get(field, "0")
                number, exact = _display(raw, factor)
                rows.append((parse_stamp(stamp), field, unit, number, exact))
        frame = pd.DataFrame(rows, columns=SERIES_COLUMNS)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        return frame.astype({c: t for c, t in _SERIES_DTYPES.items() if c != "at"})

    # -- computed once per reading ---------------------------------------------------------------

    @cached_property
    def _events_by_id(self) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for event in self._state["events"]:
            grouped.setdefault(event["id"], []).append(event)
        return grouped

    @cached_property
    def _all_events(self) -> pd.DataFrame:
        models = self._state["models"]
        rows: list[tuple[Any, ...]] = []
        for event in self._state["events"]:
            entry = models.get(event["id"], {})
            name = entry.get("name", event["id"])
            if "provider" in event:  # a hosting provider's change: the row names it beside the model
                name = f"{name} via {event['provider']}"
            base = (event["at"], event["change"], event["id"], name)
            if event["change"] in ("repriced", "provider_repriced"):
                for field, (old_raw, new_raw) in event["prices"].items():
                    unit, factor = display_unit(field, token_priced=not entry.get("per_unit"))
                    old, old_exact = _display(old_raw, factor)
                    new, new_exact = _display(new_raw, factor)
                    delta = new - old
                    pct = delta / old * 100 if old > 0 else math.nan
                    rows.append((*base, field, unit, old, new, delta, pct, old_exact, new_exact))
            elif event["change"] == "rescored":
                for field, (old_score, new_score) in event.get("scores", {}).items():
                    old, new = _score_number(old_score), _score_number(new_score)
                    # A score is not a price: no % change, so it never ranks among price moves.
                    unit = "Elo" if field.endswith("_elo") else "index"
                    old_text, new_text = _score_text(old_score), _score_text(new_score)
                    rows.append((*base, field, unit, old, new, new - old, math.nan, old_text, new_text))
            elif event["change"] == "retiered":
                old_tiers, new_tiers = event["tiers"]
                nan = math.nan
                rows.append((*base, "overrides", "", nan, nan, nan, nan, old_tiers, new_tiers))
            else:
                rows.append((*base, "", "", math.nan, math.nan, math.nan, math.nan, "", ""))
        frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
        frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
        return frame.astype({c: t for c, t in _EVENT_DTYPES.items() if c != "at"})

    @cached_property
    def _removed_frame(self) -> pd.DataFrame:
        raws: list[Any] = []
        removed_on: list[datetime] = []
        for model_id, entry in self._state["models"].items():
            if "removed_at" not in entry:
                continue
            try:
                raw = json.loads(entry["raw"]) if "raw" in entry else None
            except (TypeError, ValueError):
                raw = None
            if not isinstance(raw, dict):
                # Rebuilt from what the entry keeps (older versions kept the raw JSON for a while).
                raw = {
                    "id": model_id,
                    "name": entry.get("name", model_id),
                    "pricing": entry.get("prices", {}),
                }
            raws.append(raw)
            removed_on.append(parse_stamp(entry["removed_at"]))
        frame = normalize_models(raws).frame if raws else build_frame([])
        frame["removed_on"] = pd.to_datetime(pd.Series(removed_on, dtype="object"), utc=True)
        frame = frame.sort_values(["removed_on", "id"], ascending=[False, True], kind="stable")
        return frame.reset_index(drop=True)[[*COLUMNS, "removed_on"]]

    @cached_property
    def _first_seen(self) -> pd.Series:
        models = self._state["models"]
        return pd.Series(
            pd.to_datetime([entry["first_seen"] for entry in models.values()], utc=True, format="ISO8601"),
            index=pd.Index(list(models), dtype="string", name="id"),
            name="first_seen",
        )


_EVENT_DTYPES = {
    "at": "datetime64[ns, UTC]",
    "change": "string",
    "id": "string",
    "name": "string",
    "field": "string",
    "unit": "string",
    "old": "float64",
    "new": "float64",
    "delta": "float64",
    "change_pct": "float64",
    "old_exact": "string",
    "new_exact": "string",
}
_SERIES_DTYPES = {
    "at": "datetime64[ns, UTC]",
    "field": "string",
    "unit": "string",
    "price": "float64",
    "price_exact": "string",
}


def _price_points(
    entry: Mapping[str, Any], events: list[dict[str, Any]], last_refresh_at: str | None
) -> list[tuple[str, dict[str, str] | None]]:
    """(time, prices from then on; None while not listed), oldest first, walking back from now."""
    current: dict[str, str] | None = None if "removed_at" in entry else dict(entry.get("prices", {}))
    points: list[tuple[str, dict[str, str] | None]] = []
    if current is not None and last_refresh_at:
        points.append((last_refresh_at, dict(current)))
    for event in reversed(events):
        change = event["change"]
        if change == "repriced":
            points.append((event["at"], dict(current or {})))
            current = dict(current or {})
            for field, (old, _new) in event["prices"].items():
                if Decimal(old) == 0:
                    current.pop(field, None)
                else:
                    current[field] = old
        elif change == "added":
            points.append((event["at"], dict(current or {})))
            current = None
        elif change == "removed":
            points.append((event["at"], None))
            current = dict(event.get("prices", {}))
    if current is not None:
        points.append((entry["first_seen"], current))  # a model the history started with
    points.reverse()
    # Keep one point per time (the latest state recorded at it), oldest first.
    by_time: dict[str, dict[str, str] | None] = {}
    for stamp, prices in points:
        by_time[stamp] = prices
    return list(by_time.items())


def _score_number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _score_text(value: Any) -> str:
    number = _score_number(value)
    return "none" if math.isnan(number) else f"{number:g}"


def _as_time(value: datetime | date | str) -> pd.Timestamp:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return pd.Timestamp(value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))


# -- loading, cached by file version -------------------------------------------------------------

_cache: dict[str, tuple[Hashable | None, History]] = {}
_cache_lock = threading.Lock()


def load_history(source: CatalogStore | str | os.PathLike[str] | None = None) -> History:
    """The history of a store (or of the store at a location, default `CATALOG_DIR`).

    Costs one `stat` and a scandir of the log's small folder (memory reads on S3, where a poll
    follows them) when it has not changed.
    """
    store = open_store(source) if source is None or isinstance(source, str | os.PathLike) else source
    key = store.location
    document = HistoryDocument(store)
    version = document.version()
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    history = _read(document, version)
    with _cache_lock:
        _cache[key] = (version, history)
    return history


def _read(document: HistoryDocument, version: Hashable) -> History:
    try:
        found = document.read()
    except StoreError as error:
        return History(notice=f"The change history cannot be read ({error}).", version=version)
    except ValueError as error:  # not UTF-8 included
        return History(
            notice=f"The change history cannot be read ({error}); the next refresh starts it again.",
            version=version,
        )
    notice = None
    if found.damaged:
        reasons = "; ".join(reason for _, reason in found.damaged)
        notice = (
            f"{len(found.damaged)} change history entr{'y' if len(found.damaged) == 1 else 'ies'} could not "
            f"be read ({reasons}): {'its' if len(found.damaged) == 1 else 'their'} changes are left out, "
            "and the next refresh sets them aside."
        )
    if found.version.base is None:
        return History(version=version, notice=notice)
    return History(found.state, notice=notice, version=version)
