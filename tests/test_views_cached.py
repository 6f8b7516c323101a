"""What the page keeps between reruns: built once per snapshot and choice, bounded, never stale."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from catalog import Catalog
from catalog.present.filters import Filters
from catalog.present.table import table_frame
from tests.payloads import catalog_of
from tools.stand_in import StandIn
from views.cached import Memo, views_for


def test_a_memo_builds_each_key_once_and_drops_the_least_recently_used() -> None:
    memo: Memo[str] = Memo(max_entries=2)
    built: list[str] = []

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    assert memo.get("a", lambda: build("a")) == "A"
    assert memo.get("a", lambda: build("a")) == "A"
    memo.get("b", lambda: build("b"))
    memo.get("a", lambda: build("a"))  # "a" is now the most recently used
    memo.get("c", lambda: build("c"))  # drops "b"
    memo.get("a", lambda: build("a"))
    memo.get("b", lambda: build("b"))
    assert built == ["a", "b", "c", "b"]
    assert len(memo) == 2


def test_a_memo_keeps_its_total_weight_under_the_limit_but_always_the_newest() -> None:
    memo: Memo[list[int]] = Memo(max_entries=10, weigh=len, max_weight=5)
    memo.get("three", lambda: [1, 2, 3])
    memo.get("two", lambda: [1, 2])
    assert len(memo) == 2
    memo.get("four", lambda: [1, 2, 3, 4])  # 9 rows: the two older views go
    assert len(memo) == 1
    memo.get("nine", lambda: list(range(9)))  # over the limit alone, and still kept
    assert memo.get("nine", lambda: []) == list(range(9))


def test_a_memo_shared_by_threads_gives_every_thread_a_value() -> None:
    memo: Memo[int] = Memo(max_entries=4)
    results: list[int] = []
    lock = threading.Lock()

    def session(number: int) -> None:
        for key in range(8):
            value = memo.get(key, lambda key=key: key * 10)
            with lock:
                results.append(value - key * 10)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0] * 48
    assert len(memo) == 4


def test_views_follow_the_snapshot_and_the_filters(stand_in: StandIn, catalog_dir: Path) -> None:
    catalog = Catalog()
    defaults = catalog.snapshot()
    views = views_for(defaults)
    assert views_for(defaults) is views
    history = catalog.history()
    shown = views.table(history, True, Filters())
    assert views.table(history, True, Filters()) is shown
    assert len(shown.rows) == defaults.count == 53
    assert isinstance(shown.display, pa.Table)
    assert shown.display.to_pandas().equals(table_frame(shown.rows).reset_index(drop=True))
    assert shown.picker == shown.rows["id"].tolist()
    narrowed = views.table(history, True, Filters(search="gpt"))
    assert 0 < len(narrowed.rows) < 53
    assert views.counts()["models"] == 53

    live = catalog.refresh().snapshot
    live_views = views_for(live)
    assert live_views is not views
    assert len(live_views.table(history, True, Filters()).rows) == live.count == 10
    assert live_views.counts()["models"] == 10


def test_the_header_count_and_the_badges_share_one_new_set(
    stand_in: StandIn, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = Catalog()
    monkeypatch.setattr("catalog.catalog._now", lambda: datetime.now(UTC) - timedelta(hours=2))
    stand_in.set_payload(catalog_of(5))
    catalog.refresh()  # the history's baseline
    monkeypatch.setattr("catalog.catalog._now", lambda: datetime.now(UTC))
    later = catalog_of(8)
    # New on OpenRouter: created yesterday. Model 5 is old on OpenRouter though new to this app;
    # model 7 has no creation date, so this app's first sight of it is what counts.
    later["data"][6]["created"] = int((datetime.now(UTC) - timedelta(days=1)).timestamp())
    later["data"][7]["created"] = None
    stand_in.set_payload(later)
    snapshot = catalog.refresh().snapshot
    views = views_for(snapshot)
    history = Catalog(catalog_dir).history()
    new = views.new_ids(history)
    assert new == {later["data"][6]["id"], later["data"][7]["id"]}
    assert views.new_ids(history) is new
    listed = views.listed(history, False)
    assert set(listed.loc[listed["status"] == "new", "id"]) == set(new)
