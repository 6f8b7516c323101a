"""How old the catalog is, in words, and when live data counts as stale."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.settings import STALE_HOURS

CLOCK_TOLERANCE_S = 300.0  # clocks of two machines may differ by this much; beyond it a time is wrong


def stale_after_hours() -> float:
    """Hours after which live data counts as stale (`CATALOG_STALE_HOURS`)."""
    return STALE_HOURS.value()


def is_stale(fetched_at: datetime | None, now: datetime | None = None) -> bool:
    """Older than the stale limit, or dated in the future (a wrong clock: its age is unknown)."""
    if fetched_at is None:
        return False
    age_s = ((now or datetime.now(UTC)) - fetched_at).total_seconds()
    return age_s > stale_after_hours() * 3600 or age_s < -CLOCK_TOLERANCE_S


def age_text(moment: datetime, now: datetime | None = None) -> str:
    """E.g. "just now", "5 minutes ago", "3 hours ago", "2 days ago", "2 days in the future"."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < -CLOCK_TOLERANCE_S:
        return _span(-seconds) + " in the future"
    if seconds < 60:
        return "just now"
    return _span(seconds) + " ago"


def stale_warning(fetched_at: datetime, now: datetime | None = None) -> str:
    """What the page says about live prices that are stale (markdown)."""
    age = age_text(fetched_at, now)
    if age.endswith("in the future"):
        return (
            f"These prices are dated {age} ({fetched_at:%Y-%m-%d %H:%M} UTC): a clock was wrong, so "
            "their age is unknown. Press **Refresh prices** for current ones."
        )
    old = _span(((now or datetime.now(UTC)) - fetched_at).total_seconds())
    return (
        f"These prices are {old} old (over {stale_after_hours():g} h). "
        "Press **Refresh prices** for current ones."
    )


def _span(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"
