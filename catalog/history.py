"""The change history beside the catalog: what was added, removed, repriced and retiered, refresh by refresh.

`history.json` in the catalog directory holds, per model, only what changed:

    {"schema_version": 1,
     "baseline_at": "2025-12-02T10:00:00Z",  # the first live refresh the history saw
     "last_refresh_at": "...", "refreshes": 42,
     "models": {"openai/gpt-4o": {"name": "...", "first_seen": "...", "prices": {"prompt": "0.0000025"},
                                  "tiers": "[...]", "per_unit": true,            # when present
                                  "removed_at": "...", "last_seen": "...", "raw": "{...}"}},  # when removed
     "events": [{"at": "...", "change": "repriced", "id": "...",
                 "prices": {"prompt": ["0.000002", "0.0000025"]}},
                {"at": "...", "change": "retiered", "id": "...", "tiers": ["[...]", "[...]"]},
                {"at": "...", "change": "removed", "id": "...", "prices": {"prompt": "0.0000025"}},
                {"at": "...", "change": "added", "id": "..."}]}

Prices are kept as OpenRouter's decimal strings, zero fields left out (missing means 0), and
compared as Decimals by the rules in `catalog.changes`. Each live refresh is compared with the
history's own last live state, never with the stored catalog: a reset to the bundled defaults
changes nothing here, and a crash between the catalog write and the history write is caught up by
the next refresh.

The baseline: the first live refresh the history sees records every model with `first_seen` set to
that refresh and emits no events. The catalog existed before the history did, so none of its
models is "added"; the "new" badge goes only to models first seen after the baseline. (When the
store already held a live catalog, that catalog becomes the baseline, so the refresh that starts
the history still reports its changes.)
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.changes import KINDS, ChangeSummary, observe, price_changes
from catalog.errors import StoreError
from catalog.normalize import COLUMNS, PER_TOKEN_FIELDS, build_frame, normalize_models
from catalog.store import DAMAGED_DIR, Store, default_directory

SCHEMA_VERSION = 1
HISTORY_NAME = "history.json"
GRACE_ENV = "CATALOG_REMOVED_GRACE_DAYS"
DEFAULT_GRACE_DAYS = 14.0
NEW_DAYS = 7.0
MILLION = Decimal(1_000_000)
PER_UNIT_LABELS = {"request": "USD per request", "image": "USD per image", "web_search": "USD per search"}
PER_MTOK_UNIT = "$/1M tokens"
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
EXPORT_COLUMNS = ["change", "id", "name", "at", "field", "unit", "old", "new", "change_pct"]
SERIES_COLUMNS = ["at", "field", "unit", "price", "price_exact"]


def grace_days_from_env() -> float:
    """Days a removed model stays visible: `CATALOG_REMOVED_GRACE_DAYS`, default 14."""
    try:
        value = float(os.environ.get(GRACE_ENV, ""))
    except ValueError:
        return DEFAULT_GRACE_DAYS
    return value if math.isfinite(value) and value >= 0 else DEFAULT_GRACE_DAYS


# -- recording (the writers' side) -------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What recording one refresh found."""

    changes: ChangeSummary | None  # None when this refresh was the baseline: nothing to compare with
    notice: str | None = None  # e.g. a damaged history moved aside


def record_refresh(
    store: Store,
    frame: pd.DataFrame,
    at: datetime,
    *,
    previous_live: pd.DataFrame | None = None,
    previous_at: datetime | None = None,
) -> Recorded:
    """Fold one live catalog into the history file of `store` (the caller holds `store.locked()`).

    `previous_live` is the live catalog stored before this one, if any: it gives removed models
    their raw JSON, and it becomes the baseline when there is no history yet.
    """
    state, notice = _read_for_update(store)
    previous_raw = _raw_by_id(previous_live) if previous_live is not None else {}
    if state["baseline_at"] is None and previous_live is not None and previous_at is not None:
        state, _ = apply_refresh(state, previous_live, previous_at)
    state, changes = apply_refresh(state, frame, at, previous_raw=previous_raw)
    store.write_json(HISTORY_NAME, state)
    return Recorded(changes, notice)


def empty_state() -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "baseline_at": None,
        "last_refresh_at": None,
        "refreshes": 0,
        "models": {},
        "events": [],
    }


def apply_refresh(
    state: Mapping[str, Any],
    frame: pd.DataFrame,
    at: datetime,
    *,
    previous_raw: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], ChangeSummary | None]:
    """The history after one more live catalog (a new state; `state` is not modified)."""
    stamp = _stamp(at)
    models: dict[str, dict[str, Any]] = {key: dict(entry) for key, entry in state["models"].items()}
    events: list[dict[str, Any]] = list(state["events"])
    baseline = state["baseline_at"] is None
    seen_before = {key for key, entry in models.items() if "removed_at" not in entry}
    current: set[str] = set()
    added: list[str] = []
    repriced: list[str] = []
    retiered: list[str] = []
    new_events: list[dict[str, Any]] = []

    for model_id, name, raw_json, token_priced in zip(
        frame["id"], frame["name"], frame["raw_json"], frame["token_priced"], strict=True
    ):
        model_id = str(model_id)
        current.add(model_id)
        observed = observe(json.loads(raw_json))
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
        if model_id not in seen_before and not baseline:
            added.append(model_id)
            new_events.append({"at": stamp, "change": "added", "id": model_id})
        models[model_id] = _present_entry(
            entry, str(name), observed.prices, observed.tiers, bool(token_priced)
        )

    removed = sorted(seen_before - current)
    for model_id in removed:
        entry = models[model_id]
        new_events.append(
            {"at": stamp, "change": "removed", "id": model_id, "prices": dict(entry.get("prices", {}))}
        )
        entry["removed_at"] = stamp
        entry["last_seen"] = state["last_refresh_at"] or stamp
        raw = (previous_raw or {}).get(model_id)
        if raw is not None:
            entry["raw"] = raw
    _forget_old_raw(models, at)

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
    if baseline:
        return new_state, None
    summary = ChangeSummary(
        added=tuple(sorted(added)),
        removed=tuple(removed),
        repriced=tuple(sorted(repriced)),
        retiered=tuple(sorted(retiered)),
    )
    return new_state, summary


def _present_entry(
    entry: Mapping[str, Any], name: str, prices: dict[str, str], tiers: str, token_priced: bool
) -> dict[str, Any]:
    kept = {"name": name, "first_seen": entry["first_seen"]}
    if prices:
        kept["prices"] = prices
    if tiers:
        kept["tiers"] = tiers
    if not token_priced:
        kept["per_unit"] = True  # prompt/completion are not per text token (audio, images, ...)
    return kept


def _forget_old_raw(models: dict[str, dict[str, Any]], now: datetime) -> None:
    # A removed model's raw JSON (~1-2 KB) is kept while it is shown; after that its row is rebuilt
    # from the id, name and prices the history keeps anyway.
    keep = timedelta(days=grace_days_from_env())
    for entry in models.values():
        if "raw" in entry and now - _parse_stamp(entry["removed_at"]) > keep:
            del entry["raw"]


def _raw_by_id(frame: pd.DataFrame) -> dict[str, str]:
    return {str(i): str(raw) for i, raw in zip(frame["id"], frame["raw_json"], strict=True)}


def _read_for_update(store: Store) -> tuple[dict[str, Any], str | None]:
    path = store.directory / HISTORY_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_state(), None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return _parse_state(text), None
    except _NewerSchema as error:
        raise StoreError(str(error)) from None
    except ValueError as error:
        moved_to = _move_aside(store, path, str(error))
        notice = (
            f"The change history could not be read ({error}); it was moved to {moved_to} "
            "and starts again now."
        )
        return empty_state(), notice


def _move_aside(store: Store, path: Path, reason: str) -> Path:
    target = store.directory / DAMAGED_DIR / datetime.now(UTC).strftime("history-%Y%m%dT%H%M%S%fZ")
    try:
        target.mkdir(parents=True, exist_ok=True)
        os.replace(path, target / path.name)
        (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
    except OSError as error:
        raise StoreError(f"cannot move the damaged {path.name} aside: {error.strerror or error}") from None
    return target


class _NewerSchema(ValueError):
    pass


def _parse_state(text: str) -> dict[str, Any]:
    """The state in `text`; ValueError when it is not a history this version can use."""
    try:
        state = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(state, dict):
        raise ValueError("not a JSON object")
    version = state.get("schema_version")
    if not isinstance(version, int):
        raise ValueError("no schema version")
    if version > SCHEMA_VERSION:
        raise _NewerSchema(f"{HISTORY_NAME} was written by a newer version (schema {version})")
    models, events = state.get("models"), state.get("events")
    if not isinstance(models, dict) or not all(
        isinstance(m, dict) and "first_seen" in m for m in models.values()
    ):
        raise ValueError("models are not a map of model entries")
    if not isinstance(events, list) or not all(
        isinstance(e, dict) and e.get("change") in KINDS and isinstance(e.get("id"), str) and "at" in e
        for e in events
    ):
        raise ValueError("events are not a list of changes")
    for key in ("baseline_at", "last_refresh_at"):
        if state.get(key) is not None:
            _parse_stamp(state[key])
    state.setdefault("refreshes", 0)
    return state


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- reading (the page's and the CLI's side) ---------------------------------------------------


def unit_of(field: str, per_unit: bool = False) -> tuple[str, Decimal]:
    """The display unit of a price field and the factor from OpenRouter's USD per unit to it."""
    if field in PER_TOKEN_FIELDS and not (per_unit and field in ("prompt", "completion")):
        return PER_MTOK_UNIT, MILLION
    return PER_UNIT_LABELS.get(field, "USD per unit"), Decimal(1)


def _display(raw: str | None, factor: Decimal) -> tuple[float, str]:
    """(number, exact text) of one raw price in its display unit; "-1" is a variable price."""
    if raw is None:
        return math.nan, ""
    number = Decimal(raw)
    if number == -1:
        return math.nan, "variable"
    scaled = number * factor
    return float(scaled), format(scaled.normalize(), "f")


class History:
    """One immutable reading of the history file; every view is computed once and shared."""

    def __init__(self, state: Mapping[str, Any] | None = None, notice: str | None = None) -> None:
        self._state = state if state is not None else empty_state()
        self.notice = notice

    @property
    def baseline_at(self) -> datetime | None:
        stamp = self._state["baseline_at"]
        return _parse_stamp(stamp) if stamp else None

    @property
    def last_refresh_at(self) -> datetime | None:
        stamp = self._state["last_refresh_at"]
        return _parse_stamp(stamp) if stamp else None

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
        one per added, removed or retiered model. Columns: EVENT_COLUMNS."""
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
        grace = grace_days_from_env() if grace_days is None else grace_days
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
                unit, factor = unit_of(field, bool(entry.get("per_unit")))
                raw = None if prices is None else prices.get(field, "0")
                number, exact = _display(raw, factor)
                rows.append((_parse_stamp(stamp), field, unit, number, exact))
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
            base = (event["at"], event["change"], event["id"], entry.get("name", event["id"]))
            if event["change"] == "repriced":
                for field, (old_raw, new_raw) in event["prices"].items():
                    unit, factor = unit_of(field, bool(entry.get("per_unit")))
                    old, old_exact = _display(old_raw, factor)
                    new, new_exact = _display(new_raw, factor)
                    delta = new - old
                    pct = delta / old * 100 if old > 0 else math.nan
                    rows.append((*base, field, unit, old, new, delta, pct, old_exact, new_exact))
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
                # No raw JSON kept (removed while the store held defaults, or long ago): rebuild the basics.
                raw = {
                    "id": model_id,
                    "name": entry.get("name", model_id),
                    "pricing": entry.get("prices", {}),
                }
            raws.append(raw)
            removed_on.append(_parse_stamp(entry["removed_at"]))
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


def _as_time(value: datetime | date | str) -> pd.Timestamp:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return pd.Timestamp(value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))


# -- sorting and presenting ---------------------------------------------------------------------


def chart_steps(series: pd.DataFrame) -> pd.DataFrame:
    """A price series ready for a step chart: gaps (not listed, variable) split a field's line into
    `segment`s, and each segment ends at the gap with the price it held until then."""
    rows = []
    for field, part in series.sort_values("at", kind="stable").groupby("field", sort=True):
        segment, last = 0, None
        for point in part.itertuples(index=False):
            if math.isnan(point.price):
                if last is not None:
                    rows.append((point.at, field, point.unit, last.price, last.price_exact, segment))
                    segment, last = segment + 1, None
                continue
            rows.append((point.at, field, point.unit, point.price, point.price_exact, segment))
            last = point
    frame = pd.DataFrame(rows, columns=[*SERIES_COLUMNS, "segment"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def sort_by_move(events: pd.DataFrame) -> pd.DataFrame:
    """Biggest price moves first (by |%|; a move from 0 or to/from "variable" counts as biggest),
    then the other changes, newest first."""
    pct = events["change_pct"].abs()
    moved_from_nothing = (events["change"] == "repriced") & pct.isna()
    key = pct.mask(moved_from_nothing, math.inf)
    order = pd.DataFrame({"key": key, "at": events["at"]}).sort_values(
        ["key", "at"], ascending=[False, False], na_position="last", kind="stable"
    )
    return events.loc[order.index].reset_index(drop=True)


def export_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The events as exported (CSV, JSON): old and new as exact decimals in the row's unit."""
    out = events[["change", "id", "name", "at", "field", "unit", "old_exact", "new_exact", "change_pct"]]
    return out.rename(columns={"old_exact": "old", "new_exact": "new"})[EXPORT_COLUMNS]


def format_table(events: pd.DataFrame) -> str:
    """A plain-text table of the events for a terminal."""
    if events.empty:
        return "no changes\n"
    lines = []
    id_width = min(max(len(str(i)) for i in events["id"]), 60)
    for row in events.itertuples(index=False):
        line = f"{row.at:%Y-%m-%d %H:%M}  {row.change:<8}  {str(row.id)[:60]:<{id_width}}"
        if row.change == "repriced":
            pct = "" if math.isnan(row.change_pct) else f" ({row.change_pct:+.1f}%)"
            line += f"  {row.field}: {row.old_exact} -> {row.new_exact} {row.unit}{pct}"
        elif row.change == "retiered":
            line += "  price tiers changed"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


# -- loading, cached by file identity ----------------------------------------------------------

_cache: dict[str, tuple[tuple[int, int, int] | None, History]] = {}
_cache_lock = threading.Lock()


def load_history(directory: str | os.PathLike[str] | None = None) -> History:
    """The history of a catalog directory; costs one `stat` when the file has not changed."""
    path = Path(directory) if directory is not None else default_directory()
    path = path / HISTORY_NAME
    key = str(path.absolute())
    identity = _identity(path)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == identity:
        return cached[1]
    history = _read(path)
    with _cache_lock:
        _cache[key] = (identity, history)
    return history


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read(path: Path) -> History:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return History()
    except OSError as error:
        return History(notice=f"The change history cannot be read ({error.strerror or error}).")
    try:
        return History(_parse_state(text))
    except ValueError as error:
        return History(
            notice=f"The change history cannot be read ({error}); the next refresh starts it again."
        )


def clear_cache() -> None:
    """Forget every cached reading (tests)."""
    with _cache_lock:
        _cache.clear()
