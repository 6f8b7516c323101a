"""The change history as a base and a log of entries: a refresh writes what it changed, not the whole
history; folding the entries into a new base changes nothing a reader sees; a damaged entry is set
aside alone; readers notice a new entry at their next look. On a directory and on S3 (moto)."""

from __future__ import annotations

import copy
import errno
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import catalog.history.document as document_module
from catalog import Catalog
from catalog.cli import main
from catalog.history.document import LOG_FOLDER, HistoryDocument, entry_name, fold, parse_entry
from catalog.history.record import HISTORY_NAME, apply_refresh, empty_state, record_refresh
from catalog.history.view import load_history
from catalog.storage import files
from catalog.storage.interface import CatalogStore, WriteConflict, open_store
from tests.payloads import catalog_of, payload
from tests.reliability import record
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def listed(body: dict[str, Any]) -> pd.DataFrame:
    """What the history reads of a normalized catalog, built directly from a payload."""
    data = body["data"]
    return pd.DataFrame(
        {
            "id": [m["id"] for m in data],
            "name": [m.get("name", m["id"]) for m in data],
            "raw_json": [json.dumps(m) for m in data],
            "token_priced": True,
        }
    )


def repriced(body: dict[str, Any], indexes: range | list[int], step: int) -> dict[str, Any]:
    """The same catalog with the input price of the models at `indexes` set to a new price."""
    changed = copy.deepcopy(body)
    for index in indexes:
        changed["data"][index]["pricing"]["prompt"] = f"0.000{step:03d}{index:04d}"
    return changed


def stored(store: CatalogStore) -> dict[str, bytes]:
    """The history's stored files (base and entries) and their bytes."""
    names = [HISTORY_NAME, *store.list_documents(LOG_FOLDER)]
    return {name: document.data for name in names if (document := store.read_document(name)) is not None}


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, catalog_dir: Path) -> CatalogStore:
    if request.param == "s3":
        request.getfixturevalue("s3_catalog")
    return open_store()


def test_a_refresh_that_reprices_3_of_5000_models_writes_one_entry_of_a_few_kb(store: CatalogStore) -> None:
    body = catalog_of(5_000, seed=11)
    with store.locked():
        record_refresh(store, listed(body), T0)
    before = stored(store)
    assert list(before) == [HISTORY_NAME]  # the first refresh writes the base

    with store.locked():
        recorded = record_refresh(
            store, listed(repriced(body, [10, 2_000, 4_999], 1)), T0 + timedelta(days=1)
        )

    assert recorded.changes is not None and len(recorded.changes.repriced) == 3
    after = stored(store)
    written = {name: data for name, data in after.items() if before.get(name) != data}
    assert list(written) == [entry_name(1)]  # the base is not rewritten
    entry_bytes, base_bytes = len(written[entry_name(1)]), len(before[HISTORY_NAME])
    assert entry_bytes < 4_096
    assert base_bytes > 900_000
    entry = parse_entry(written[entry_name(1)])
    assert sorted(entry["models"]) == sorted(body["data"][i]["id"] for i in (10, 2_000, 4_999))
    assert [event["change"] for event in entry["events"]] == ["repriced"] * 3
    assert entry["fields"] == {"last_refresh_at": "2026-06-02T00:00:00Z", "refreshes": 2}
    if not store.location.startswith("s3://"):
        record(
            "history_log",
            models=5_000,
            changed=3,
            whole_history_bytes=base_bytes,
            entry_bytes=entry_bytes,
            whole_history_mb_at_200k=round(base_bytes / 5_000 * 200_000 / 2**20, 1),
        )


def test_forty_refreshes_then_a_fold_give_the_state_folded_by_hand(
    store: CatalogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = catalog_of(300, seed=3)
    expected = empty_state()
    monkeypatch.setattr(document_module, "MAX_ENTRIES", 1_000)  # no fold for the first 41 writes
    monkeypatch.setattr(document_module, "ENTRY_SHARE", 1_000.0)
    with store.locked():
        for step in range(41):
            at = T0 + timedelta(hours=step)
            current = repriced(body, range(step % 7, 300, 37), step) if step else body
            record_refresh(store, listed(current), at)
            expected, _ = apply_refresh(expected, listed(current), at)
    files = stored(store)
    assert list(files) == [HISTORY_NAME, *(entry_name(n) for n in range(1, 41))]

    by_hand = json.loads(files[HISTORY_NAME])
    assert by_hand.pop("log_included") == 0
    for n in range(1, 41):
        fold(by_hand, parse_entry(files[entry_name(n)]))
    assert by_hand == expected
    assert HistoryDocument(store).read().state == expected

    monkeypatch.undo()  # the 42nd write folds the 41 entries into a new base
    at = T0 + timedelta(hours=41)
    with store.locked():
        record_refresh(store, listed(repriced(body, [5], 41)), at)
    expected, _ = apply_refresh(expected, listed(repriced(body, [5], 41)), at)
    base = json.loads(store.read_document(HISTORY_NAME).data)
    assert base.pop("log_included") == 41
    assert base == expected
    if store.location.startswith("s3://"):  # folded entries outlive the fold by the grace period
        assert len(store.list_documents(LOG_FOLDER)) == 41
    else:
        assert store.list_documents(LOG_FOLDER) == []
    assert HistoryDocument(store).read().state == expected


def test_writes_fold_themselves_once_the_entries_outgrow_a_quarter_of_the_base(store: CatalogStore) -> None:
    body = catalog_of(300, seed=5)
    expected = empty_state()
    with store.locked():
        for step in range(60):
            at = T0 + timedelta(hours=step)
            current = repriced(body, [step % 300, (step * 7) % 300], step) if step else body
            record_refresh(store, listed(current), at)
            expected, _ = apply_refresh(expected, listed(current), at)
            found = HistoryDocument(store).read()
            assert len(found.version.after_base) < document_module.MAX_ENTRIES
            assert found.version.log_bytes <= len(found.version.base.data) * document_module.ENTRY_SHARE
    assert HistoryDocument(store).read().state == expected
    assert load_history(store).refreshes == 60


def test_a_damaged_entry_is_set_aside_alone(store: CatalogStore) -> None:
    body = catalog_of(300, seed=9)
    ids = [m["id"] for m in body["data"]]
    with store.locked():
        for step in range(4):  # a base, then entries 1, 2 and 3: each moves one more model's price
            body = repriced(body, [step], step)
            record_refresh(store, listed(body), T0 + timedelta(days=step))
    damaged = entry_name(2)
    if store.location.startswith("s3://"):
        where = store.where  # type: ignore[attr-defined]
        key = where.prefix + damaged
        store._writes.put_object(Bucket=where.bucket, Key=key, Body=b'{"format": 1, "mo')  # type: ignore[attr-defined]
    else:
        (Path(store.location) / damaged).write_bytes(b'{"format": 1, "mo')

    history = load_history(open_store())
    assert history.notice is not None
    assert history.notice.startswith("1 change history entry could not be read (not JSON: ")
    assert history.notice.endswith("its changes are left out, and the next refresh sets them aside.")
    moved = history.events(kinds=["repriced"])
    assert [(r.at.day, r.id) for r in moved.itertuples()] == [(2, ids[1]), (4, ids[3])]  # not entry 2's

    with store.locked():
        body = repriced(body, [4], 4)
        recorded = record_refresh(store, listed(body), T0 + timedelta(days=4))
    assert recorded.notice is not None
    assert recorded.notice.startswith("A change history entry could not be read (not JSON: ")
    assert "it was moved to " in recorded.notice and "history-log-000000000002-" in recorded.notice
    assert damaged not in store.list_documents(LOG_FOLDER)
    after = load_history(open_store())
    assert (after.notice, after.refreshes) == (None, 5)  # each entry holds the count, not an increment
    # Model 2's move, lost with its entry, is caught up by the next refresh, which compares with
    # the history's own last state.
    moved = after.events(kinds=["repriced"])
    assert [(r.at.day, r.id) for r in moved.itertuples()] == [
        (2, ids[1]),
        (4, ids[3]),
        (5, ids[2]),
        (5, ids[4]),
    ]


def test_the_page_and_changes_see_a_new_entry_at_their_next_look(
    catalog_dir: Path, stand_in: StandIn, tmp_path: Path
) -> None:
    body = catalog_of(300, seed=13)
    stand_in.set_payload(body)
    page = Catalog()
    page.refresh()
    first = page.history()
    assert (first.refreshes, page.history() is first) == (1, True)

    moved = body["data"][7]
    stand_in.set_payload(
        payload(
            [
                *body["data"][:7],
                {**moved, "pricing": {**moved["pricing"], "prompt": "0.00004"}},
                *body["data"][8:],
            ]
        )
    )
    refreshed = subprocess.run(
        [sys.executable, "-m", "catalog", "refresh", "--force"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert [Path(name).name for name in Catalog().store.list_documents(LOG_FOLDER)] == ["000000000001.json"]

    second = page.history()  # the same process, its next rerun
    assert second.refreshes == 2
    assert second.events(kinds=["repriced"])["id"].tolist() == [moved["id"]]
    output = tmp_path / "changes.csv"
    assert main(["changes", "--output", str(output)]) == 0
    assert moved["id"] in output.read_text(encoding="utf-8")


def test_a_replica_on_s3_sees_a_new_entry_at_its_next_poll(s3_catalog: str, stand_in: StandIn) -> None:
    body = catalog_of(300, seed=17)
    stand_in.set_payload(body)
    Catalog().refresh()
    replica = Catalog()
    assert load_history(replica.store).refreshes == 1
    base_version = replica.store.document_version(HISTORY_NAME)

    stand_in.set_payload(repriced(body, [4], 1))
    Catalog().refresh(force=True)  # another replica: one entry, the base unchanged

    deadline = time.monotonic() + 20
    while load_history(replica.store).refreshes != 2:
        assert time.monotonic() < deadline, "the replica never saw the entry"
        time.sleep(0.05)
    assert replica.store.document_version(HISTORY_NAME) == base_version


def test_a_settled_log_costs_one_stat_and_still_shows_the_next_entry(catalog_dir: Path) -> None:
    store = open_store()
    history = HistoryDocument(store)
    with store.locked():
        for refreshes in range(3):  # the base, then two entries
            state, version = history.read_strict()
            history.write({**state, "refreshes": refreshes}, replacing=version, compact=False)
    folder = catalog_dir / LOG_FOLDER
    settled = time.time_ns() - 2 * files.SETTLED_NS  # as if the last entry came two seconds ago
    os.utime(folder, ns=(settled, settled))
    before = history.version()
    assert files._listings[str(folder)][1] == ("000000000001.json", "000000000002.json")  # kept: one stat
    assert history.version() == before

    with store.locked():
        state, version = history.read_strict()
        history.write({**state, "refreshes": 3}, replacing=version, compact=False)

    assert history.version() != before
    assert load_history(store).refreshes == 3


def test_a_directory_without_hard_links_still_takes_entries(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: str, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)  # as on a mount without hard links
    store = open_store()
    body = catalog_of(300, seed=19)
    with store.locked():
        record_refresh(store, listed(body), T0)
        record_refresh(store, listed(repriced(body, [8], 1)), T0 + timedelta(days=1))
        with pytest.raises(WriteConflict):
            store.create_document(entry_name(1), b"{}")  # the name is taken: never replaced

    assert store.list_documents(LOG_FOLDER) == [entry_name(1)]
    assert [p.name for p in (catalog_dir / LOG_FOLDER).iterdir()] == ["000000000001.json"]  # no temp left
    history = load_history(store)
    assert history.events(kinds=["repriced"])["id"].tolist() == [body["data"][8]["id"]]
