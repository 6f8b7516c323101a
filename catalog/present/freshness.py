"""How old the catalog is, in words, and when live data counts as stale."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.settings import STALE_HOURS


def stale_after_hours() -> float:
    """Hours after which live data counts as stale (`CATALOG_STALE_HOURS`)."""
    return STALE_HOURS.value()


def is_stale(fetched_at: datetime | None, now: datetime | None = None) -> bool:
    if fetched_at is None:
        return False
    now = now or datetime.now(UTC)
    return (now - fetched_at).total_seconds() > stale_after_hours() * 3600


def age_text(moment: datetime, now: datetime | None = None) -> str:
    """E.g. "just now", "5 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
