from datetime import UTC, datetime, timedelta

import pytest

from catalog.present.freshness import age_text, is_stale, stale_after_hours, stale_warning

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_age_in_words() -> None:
    assert age_text(NOW - timedelta(seconds=10), NOW) == "just now"
    assert age_text(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert age_text(NOW - timedelta(hours=5, minutes=3), NOW) == "5 hours ago"
    assert age_text(NOW - timedelta(days=3), NOW) == "3 days ago"


def test_stale_after_a_configurable_age(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not is_stale(NOW - timedelta(hours=23), NOW)
    assert is_stale(NOW - timedelta(hours=25), NOW)
    assert not is_stale(None, NOW)
    monkeypatch.setenv("CATALOG_STALE_HOURS", "2")
    assert stale_after_hours() == 2
    assert is_stale(NOW - timedelta(hours=3), NOW)


def test_a_time_in_the_future_is_shown_as_such_and_is_stale() -> None:
    future = NOW + timedelta(days=3, hours=2)
    assert age_text(future, NOW) == "3 days in the future"
    assert is_stale(future, NOW)
    assert stale_warning(future, NOW).startswith(
        "These prices are dated 3 days in the future (2026-11-30 14:00 UTC): a clock was wrong"
    )
    assert not is_stale(NOW + timedelta(minutes=4), NOW)  # two machines' clocks may differ a little
    assert age_text(NOW + timedelta(minutes=4), NOW) == "just now"


def test_a_stale_warning_says_how_old() -> None:
    assert stale_warning(NOW - timedelta(days=2), NOW) == (
        "These prices are 2 days old (over 24 h). Press **Refresh prices** for current ones."
    )
