"""The change log as a query (`ChangeQuery`) and as an Atom 1.0 feed: one entry per refresh.

The command line (`changes`), the page's routes (`/feed.atom`, `/api/changes.json`) and the alerts
read changes through the same query: time range, kinds, authors (the part of a model id before
"/") and model ids. Names and ids are third-party text: the feed carries them as escaped text,
with the characters XML cannot hold replaced, never as markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd

from catalog.errors import CatalogError
from catalog.fetch.normalize import model_page_url
from catalog.history.changes import KINDS
from catalog.history.view import History
from catalog.present.changes import change_detail

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_TITLE = "OpenRouter model catalog: what changed"
TAG_BASE = "tag:openrouter-catalog,2024:"
CATALOG_PAGE = "https://openrouter.ai/models"
MAX_ENTRIES = 100  # the newest refreshes; older ones stay in `changes` and /api/changes.json
MAX_QUERY_VALUES = 200
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ChangeQuery:
    """Which changes to show: empty tuples mean every kind, author and model."""

    since: datetime | None = None
    until: datetime | None = None
    kinds: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    model_ids: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> ChangeQuery:
        """From URL parameters (each repeated or comma-separated): since, until, kind, author, watch."""
        kinds = _values(params, "kind")
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise CatalogError(f"unknown kind {unknown[0]!r} (choose from {', '.join(KINDS)})")
        return cls(
            since=_time(params, "since"),
            until=_time(params, "until"),
            kinds=kinds,
            authors=_values(params, "author"),
            model_ids=_values(params, "watch"),
        )

    def params(self) -> dict[str, str]:
        """The query as URL parameters (the inverse of `from_params`), empty ones left out."""
        pairs = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "kind": ",".join(self.kinds),
            "author": ",".join(self.authors),
            "watch": ",".join(self.model_ids),
        }
        return {key: value for key, value in pairs.items() if value}

    def select(self, history: History) -> pd.DataFrame:
        """The history's events this query keeps, oldest first."""
        events = history.events(since=self.since, until=self.until, kinds=self.kinds or None)
        if self.authors:
            events = events[events["id"].str.split("/", n=1).str[0].isin(list(self.authors))]
        if self.model_ids:
            events = events[events["id"].isin(list(self.model_ids))]
        return events.reset_index(drop=True)

    @property
    def is_everything(self) -> bool:
        return not (self.since or self.until or self.kinds or self.authors or self.model_ids)


def atom_feed(
    history: History,
    query: ChangeQuery = ChangeQuery(),
    *,
    self_url: str | None = None,
    page_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The changes `query` keeps as an Atom 1.0 feed: one entry per refresh, newest first."""
    events = query.select(history)
    suffix = f"?{urlencode(query.params())}" if not query.is_everything else ""
    refreshes = _entries(history, events, query)
    updated = refreshes[0][0] if refreshes else history.last_refresh_at or now or datetime.now(UTC)

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(_atom("feed"))
    _text(feed, "id", f"{TAG_BASE}changes{suffix}")
    _text(feed, "title", FEED_TITLE)
    if not query.is_everything:
        shown = "; ".join(f"{key}: {value}" for key, value in query.params().items())
        _text(feed, "subtitle", f"only {shown}")
    _text(feed, "updated", _stamp(updated))
    author = ET.SubElement(feed, _atom("author"))
    _text(author, "name", "openrouter-catalog")
    _text(feed, "generator", "openrouter-catalog")
    if self_url:
        _link(feed, self_url, "self", ATOM_MEDIA_TYPE.split(";")[0])
    _link(feed, page_url or CATALOG_PAGE, "alternate", "text/html")

    for at, rows, note in refreshes:
        entry = ET.SubElement(feed, _atom("entry"))
        stamp = _stamp(at)
        _text(entry, "id", f"{TAG_BASE}refresh:{stamp}{suffix}")
        _text(entry, "title", f"{at:%Y-%m-%d %H:%M} UTC: {note}")
        _text(entry, "updated", stamp)
        ids = list(dict.fromkeys(rows["id"])) if rows is not None else []
        _link(entry, model_page_url(ids[0]) if len(ids) == 1 else page_url or CATALOG_PAGE, "alternate")
        for model_id in ids:
            _link(entry, model_page_url(model_id), "related", title=model_id)
        content = ET.SubElement(entry, _atom("content"), {"type": "text"})
        content.text = _clean(_describe(rows) if rows is not None else note)
    ET.indent(feed, space=" ")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def counts_text(rows: pd.DataFrame) -> str:
    """ "3 added, 1 removed, 2 repriced": models per kind of change, kinds with none left out."""
    per_kind = rows.groupby("change", observed=True)["id"].nunique()
    return ", ".join(f"{int(per_kind[kind]):,} {kind}" for kind in KINDS if kind in per_kind.index)


def _entries(
    history: History, events: pd.DataFrame, query: ChangeQuery
) -> list[tuple[datetime, pd.DataFrame | None, str]]:
    """(time, its events, a summary), newest first; the history's start is an entry of its own."""
    entries: list[tuple[datetime, pd.DataFrame | None, str]] = []
    for at, rows in events.groupby("at", sort=True):
        entries.append((pd.Timestamp(at).to_pydatetime(), rows, counts_text(rows)))
    baseline = history.baseline_at
    if baseline is not None and query.is_everything:
        entries.append((baseline, None, "the change history starts"))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return entries[:MAX_ENTRIES]


def _describe(rows: pd.DataFrame) -> str:
    return "\n".join(change_lines(rows))


def change_lines(rows: pd.DataFrame) -> list[str]:
    """One line per event: "repriced openai/gpt-4o (OpenAI: GPT-4o): prompt: 2.5 -> 3 ... URL"."""
    lines = []
    for row in rows.itertuples(index=False):
        detail = change_detail(row)
        line = f"{row.change} {row.id} ({row.name})" + (f": {detail}" if detail else "")
        lines.append(f"{line} {model_page_url(str(row.id))}")
    return lines


def _values(params: Mapping[str, Sequence[str]], key: str) -> tuple[str, ...]:
    raw = params.get(key) or ()
    if isinstance(raw, str):
        raw = (raw,)
    values = [part.strip() for value in raw for part in value.split(",") if part.strip()]
    if len(values) > MAX_QUERY_VALUES:
        raise CatalogError(f"too many values for {key} (at most {MAX_QUERY_VALUES})")
    return tuple(dict.fromkeys(values))


def _time(params: Mapping[str, Sequence[str]], key: str) -> datetime | None:
    values = _values(params, key)
    if not values:
        return None
    try:
        moment = datetime.fromisoformat(values[-1])
    except ValueError:
        raise CatalogError(f"{key} is not an ISO-8601 date or time: {values[-1][:40]!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(tag))
    element.text = _clean(text)
    return element


def _link(
    parent: ET.Element, href: str, rel: str, media_type: str | None = None, title: str | None = None
) -> None:
    attributes = {"rel": rel, "href": _clean(href)}
    if media_type:
        attributes["type"] = media_type
    if title:
        attributes["title"] = _clean(title)
    ET.SubElement(parent, _atom("link"), attributes)


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: control characters and lone surrogates become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _stamp(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
