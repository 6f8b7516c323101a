"""Webhook alerts: one JSON message per refresh that changed something watched.

The message is one both Slack and Discord incoming webhooks accept: `text` (Slack) and `content`
(Discord) hold the same summary, each escaped for the one reading it, with mentions turned off for
Discord; `catalog` carries the structured changes (as `changes --format json`) and the refresh's
generation. The URL is a secret: it is never printed, logged or stored, and an error says what
went wrong without it. A failed post never fails the refresh; the last generation sent is recorded
beside the catalog (`notify.json`), so a generation is never sent twice, and a later refresh sends
only its own changes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests

from catalog.alerts.watch import Watchlist
from catalog.catalog import Catalog
from catalog.errors import CatalogError, StoreError
from catalog.present.changes import changes_export_frame
from catalog.present.export import to_json_bytes
from catalog.present.feed import change_lines, counts_text
from catalog.results import RefreshResult
from catalog.storage.interface import Document

NOTIFY_STATE_NAME = "notify.json"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
ATTEMPTS = 3
BACKOFF_S = 1.0
MAX_RETRY_AFTER_S = 10.0
MAX_TEXT_CHARS = 1900  # Discord refuses `content` over 2,000 characters
USER_AGENT = "openrouter-catalog/1.0"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")


class NotifyFailed(Exception):
    """The webhook could not be reached or refused the message (the reason never holds the URL)."""


def check_webhook_url(url: str) -> str:
    """The URL when it can be posted to; CatalogError (without the URL) when it cannot."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CatalogError("the notify URL is not an http:// or https:// URL")
    return url.strip()


def notify_refresh(catalog: Catalog, result: RefreshResult, url: str, watchlist: Watchlist) -> str:
    """Post the refresh's watched changes, if any; one line saying what happened. Never raises
    for the webhook: a failure is said, and the refresh stands."""
    snapshot = result.snapshot
    if not result.fetched or snapshot.fetched_at is None:
        return "no notification: another process made this refresh"
    at = snapshot.fetched_at
    events = catalog.history().events(since=at, until=at + timedelta(seconds=1))
    watched = watchlist.watched(events, snapshot.models)
    if watched.empty:
        return "no notification: nothing watched changed"
    recorded = _read_sent(catalog)
    last_sent = _last_sent_generation(recorded)
    if last_sent is not None and snapshot.generation <= last_sent:
        return f"no notification: generation {snapshot.generation} was already sent"
    message = build_message(watched, snapshot.generation, at, snapshot.count, watchlist)
    try:
        post_message(url, message)
    except NotifyFailed as error:
        return f"notification failed: {error}"
    sent = {
        "last_sent_generation": snapshot.generation,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        with catalog.store.locked():
            catalog.store.replace_json(NOTIFY_STATE_NAME, sent, replacing=_read_sent(catalog))
    except StoreError as error:
        return f"notified ({len(watched):,} watched changes), but not recorded: {error}"
    return f"notified: {counts_text(watched)} (generation {snapshot.generation})"


def build_message(
    events: pd.DataFrame, generation: int, refreshed_at: datetime, models: int, watchlist: Watchlist
) -> dict[str, Any]:
    """The JSON message for one refresh's watched changes."""
    heading = f"OpenRouter catalog, {refreshed_at:%Y-%m-%d %H:%M} UTC: {counts_text(events)}"
    lines = [_CONTROL.sub("\ufffd", line) for line in change_lines(events)]
    slack = _summary(heading, [_slack_escape(line) for line in lines])
    discord = _summary(_discord_escape(heading), [_discord_escape(line) for line in lines])
    return {
        "text": slack,
        "content": discord,
        "allowed_mentions": {"parse": []},  # a model named "@everyone" pings no one
        "catalog": {
            "generation": generation,
            "refreshed_at": refreshed_at.astimezone(UTC).isoformat(),
            "models": models,
            "watching": watchlist.describe(),
            "changes": json.loads(to_json_bytes(changes_export_frame(events))),
        },
    }


def post_message(
    url: str,
    message: dict[str, Any],
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST the message, with timeouts and up to ATTEMPTS tries; NotifyFailed with a reason."""
    session = session or requests.Session()
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    reason = ""
    with _url_kept_out_of_logs(url):
        for attempt in range(1, ATTEMPTS + 1):
            wait = BACKOFF_S * 2 ** (attempt - 1)
            try:
                response = session.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                    allow_redirects=False,  # the message and the secret URL go to that address only
                )
                status = response.status_code
                response.close()
            except requests.Timeout:
                reason = f"no answer within {CONNECT_TIMEOUT_S + READ_TIMEOUT_S:g} s"
            except requests.ConnectionError as error:
                reason = "connection refused" if "refused" in str(error).lower() else "could not connect"
            except requests.RequestException as error:
                reason = f"could not post ({type(error).__name__})"
            else:
                if 200 <= status < 300:
                    return
                reason = f"the webhook answered HTTP {status}"
                if status != 429 and status < 500:
                    raise NotifyFailed(reason)  # it will not change its mind
                wait = max(wait, min(_retry_after(response.headers.get("Retry-After")), MAX_RETRY_AFTER_S))
            if attempt < ATTEMPTS:
                sleep(wait)
    raise NotifyFailed(f"{reason} ({ATTEMPTS} tries)")


def _read_sent(catalog: Catalog) -> Document | None:
    """`notify.json` as the store holds it (a file beside the catalog, or an object beside it on S3)."""
    try:
        return catalog.store.read_document(NOTIFY_STATE_NAME)
    except StoreError:
        return None


def _last_sent_generation(document: Document | None) -> int | None:
    if document is None:
        return None
    try:
        return int(json.loads(document.data)["last_sent_generation"])
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: this refresh's changes are new either way


def _summary(heading: str, lines: list[str]) -> str:
    text = heading
    for index, line in enumerate(lines):
        more = f"\n… and {len(lines) - index:,} more"
        if len(text) + 1 + len(line) + len(more) > MAX_TEXT_CHARS:
            return text + more
        text += "\n" + line
    return text


def _slack_escape(text: str) -> str:
    # Slack reads <...> as links and mentions: the three characters it asks to escape.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _discord_escape(text: str) -> str:
    return _DISCORD_MARKDOWN.sub(r"\\\1", text)


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value or 0), 0.0)
    except ValueError:
        return 0.0


class _Redact(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.secret in text:
            record.msg, record.args = text.replace(self.secret, "[webhook URL]"), ()
        return True


@contextlib.contextmanager
def _url_kept_out_of_logs(url: str) -> Iterator[None]:
    """urllib3 logs each request's host and path at DEBUG: the path of a webhook URL is its secret."""
    parts = urlsplit(url)
    secrets = [s for s in (parts.path + (f"?{parts.query}" if parts.query else ""), url) if len(s) > 1]
    filters = [_Redact(s) for s in secrets]
    loggers = [logging.getLogger(name) for name in ("urllib3.connectionpool", "urllib3", "requests")]
    for logger in loggers:
        for redact in filters:
            logger.addFilter(redact)
    try:
        yield
    finally:
        for logger in loggers:
            for redact in filters:
                logger.removeFilter(redact)
