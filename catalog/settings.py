"""Settings: the only reader of environment variables and Streamlit secrets, each value checked.

Every setting is one `Setting` in `SETTINGS`, mirrored by the README's configuration table (a test
holds them equal). Adding one is one entry here plus its README row; read it with `NAME.value()`.

A value that cannot be used (`OPENROUTER_DEADLINE_S=inf`, `CATALOG_STALE_HOURS=soon`) raises
`SettingError`, one line naming the variable: a setting is never silently replaced by its default.
An unset or empty variable is the default. Settings marked `from_secrets` may instead come from
`.streamlit/secrets.toml` when the page runs (the secret wins; the environment is the fallback).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from catalog.errors import CatalogError

T = TypeVar("T")


class SettingError(CatalogError):
    """A setting's value cannot be used."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: where it is read from, its default, and how its text becomes a value."""

    name: str
    default: T
    parse: Callable[[str], T]  # raises ValueError saying what was expected
    meaning: str  # what it does, as the README's table says
    from_secrets: bool = False
    hidden: bool = False  # a secret: its value is never repeated in an error
    documented: bool = True  # False for test hooks, kept out of the README's table

    def value(self) -> T:
        """The setting's value now. Raises SettingError when it is set to something unusable."""
        text = _secret(self.name) if self.from_secrets else None
        if text is None:
            text = os.environ.get(self.name)
        if text is None or not text.strip():
            return self.default
        try:
            return self.parse(text.strip())
        except ValueError as error:
            shown = text if len(text) <= 40 else text[:40] + "…"
            shown = "(hidden)" if self.hidden else repr(shown)
            raise SettingError(f"{self.name}={shown} is not valid: {error}") from None


# -- how values read ---------------------------------------------------------------------------------


def positive_number(text: str) -> float:
    number = _number(text)
    if number <= 0:
        raise ValueError("expected a number above 0")
    return number


def non_negative_number(text: str) -> float:
    number = _number(text)
    if number < 0:
        raise ValueError("expected a number of 0 or more")
    return number


def http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL")
    return text.rstrip("/")


def positive_whole_number(text: str) -> int:
    number = _number(text)
    if number < 1 or number != int(number):
        raise ValueError("expected a whole number above 0")
    return int(number)


def plain_text(text: str) -> str:
    return text


def directory(text: str) -> Path:
    return Path(text).expanduser()


def _whole_number(text: str, lowest: int, highest: int) -> int:
    if not text.isdigit() or not lowest <= int(text) <= highest:
        raise ValueError(f"expected a whole number from {lowest} to {highest}")
    return int(text)


def store_location(text: str) -> Path | str:
    """A directory, or an `s3://bucket/prefix` location (kept as text: it is not a path)."""
    if text.startswith("s3://"):
        return text
    if "://" in text:
        raise ValueError("expected a directory or an s3://bucket/prefix location")
    return Path(text).expanduser()


def _number(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError("expected a number") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


# -- the settings (keep the README's configuration table in step) ------------------------------------

CATALOG_DIR: Setting[Path | str | None] = Setting(
    "CATALOG_DIR",
    None,
    store_location,
    "where the catalog is stored: `catalog.json` + `models-<generation>.parquet` + "
    "`endpoints-<generation>.parquet` (providers), in a directory or under `s3://bucket/prefix`",
)
POLL_S = Setting(
    "CATALOG_POLL_S",
    5.0,
    positive_number,
    "with an `s3://` store: seconds between checks of the shared pointer",
)
AWS_ENDPOINT_URL: Setting[str | None] = Setting(
    "AWS_ENDPOINT_URL",
    None,
    http_url,
    "with an `s3://` store: the S3-compatible service to use (credentials: the standard AWS chain)",
)
API_BASE = Setting(
    "OPENROUTER_API_BASE",
    "https://openrouter.ai/api/v1",
    http_url,
    "the API to refresh from (point it at a local stand-in to work offline)",
    from_secrets=True,
)
API_KEY: Setting[str | None] = Setting(
    "OPENROUTER_API_KEY",
    None,
    plain_text,
    "sent as a bearer token when set; never logged, shown or exported",
    from_secrets=True,
    hidden=True,
)
DEADLINE_S = Setting(
    "OPENROUTER_DEADLINE_S", 30.0, positive_number, "overall time limit of one refresh, retries included"
)
MAX_RESPONSE_MB = Setting(
    "OPENROUTER_MAX_RESPONSE_MB",
    64.0,
    positive_number,
    "the largest response read, once decompressed; a larger (or endless) one is refused while read",
)
MAX_MODELS = Setting(
    "OPENROUTER_MAX_MODELS",
    100_000,
    positive_whole_number,
    "the most models a refresh accepts; a response listing more is refused",
)
CONCURRENCY = Setting(
    "OPENROUTER_CONCURRENCY",
    8,
    lambda text: _whole_number(text, 1, 64),
    "endpoints requests in flight at once during a provider refresh (1 to 64)",
)
PROVIDERS_DEADLINE_S = Setting(
    "OPENROUTER_PROVIDERS_DEADLINE_S",
    180.0,
    positive_number,
    "overall time limit of one provider refresh; models not answered by then keep their earlier providers",
)
STALE_HOURS = Setting(
    "CATALOG_STALE_HOURS", 24.0, positive_number, "live data older than this gets a visible warning"
)
REMOVED_GRACE_DAYS = Setting(
    "CATALOG_REMOVED_GRACE_DAYS",
    14.0,
    non_negative_number,
    "how long a model OpenRouter stopped listing stays visible, marked removed",
)
WATCH_FILE: Setting[Path | None] = Setting(
    "CATALOG_WATCH_FILE",
    None,
    directory,
    "the watch file (models, authors, rules) for `refresh`'s alerts and the page's Watched models only",
)
NOTIFY_URL: Setting[str | None] = Setting(
    "CATALOG_NOTIFY_URL",
    None,
    http_url,
    "a Slack or Discord incoming webhook: `refresh` posts each refresh's watched changes to it",
    hidden=True,
)
CRASH_AT: Setting[str | None] = Setting(
    "CATALOG_CRASH_AT",
    None,
    plain_text,
    "test hook: SIGKILL the process at the named point of a store write",
    documented=False,
)
SETTINGS: tuple[Setting[Any], ...] = (
    CATALOG_DIR,
    POLL_S,
    AWS_ENDPOINT_URL,
    API_BASE,
    API_KEY,
    DEADLINE_S,
    MAX_RESPONSE_MB,
    MAX_MODELS,
    CONCURRENCY,
    PROVIDERS_DEADLINE_S,
    STALE_HOURS,
    REMOVED_GRACE_DAYS,
    WATCH_FILE,
    NOTIFY_URL,
    CRASH_AT,
)


def check_all() -> None:
    """Raise SettingError for the first setting set to something unusable (a page or command's start)."""
    for setting in SETTINGS:
        setting.value()


def _secret(name: str) -> str | None:
    """`name` from Streamlit's secrets when the page is running and has them; else None."""
    streamlit = sys.modules.get("streamlit")  # never imported here: the library runs without it
    if streamlit is None:
        return None
    missing = (FileNotFoundError, KeyError, streamlit.errors.StreamlitSecretNotFoundError)
    try:
        value = streamlit.secrets.get(name)
    except missing:  # no secrets file: the environment rules
        return None
    return value if isinstance(value, str) else None
