"""The store: atomic pairs of metadata and Parquet, generations, and damage that is kept, not lost."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import catalog.storage.store as store_module
from catalog.fetch.defaults import default_models
from catalog.fetch.normalize import normalize_models
from catalog.storage.generation import META_NAME, StoreDamaged, StoredMeta
from catalog.storage.store import Store
from tests import payloads

FETCHED_AT = datetime(2026, 8, 19, 12, 30, tzinfo=UTC)


@pytest.fixture
def models_2026() -> pd.DataFrame:
    """The ten normalized models of the 2026-shape payload."""
    return normalize_models(payloads.shape_2026()["data"]).frame


@pytest.fixture
def store(catalog_dir: Path) -> Store:
    """An empty store in the test's CATALOG_DIR."""
    return Store(catalog_dir)


def write_live(store: Store, frame: pd.DataFrame, problems: tuple[str, ...] = ()) -> StoredMeta:
    return store.write(
        frame,
        source="live",
        fetched_at=FETCHED_AT,
        api_base="http://127.0.0.1:1/api/v1",
        defaults_as_of=None,
        problems=problems,
    )


def names_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_an_empty_directory_holds_no_catalog(store: Store) -> None:
    assert store.read() is None
    assert store.read_meta() is None
    assert store.stat_key() is None


def test_a_write_leaves_exactly_the_pair_and_the_lock(store: Store, models_2026: pd.DataFrame) -> None:
    meta = write_live(store, models_2026)
    assert names_in(store.directory) == [".lock", META_NAME, "models-000001.parquet"]
    assert meta.generation == 1
    assert meta.models_file == "models-000001.parquet"
    assert meta.count == 10


def test_the_pair_reads_back_exactly_as_written(store: Store, models_2026: pd.DataFrame) -> None:
    write_live(store, models_2026, problems=("acme/x: pricing.prompt ignored",))
    meta, frame = store.read()  # type: ignore[misc]
    pd.testing.assert_frame_equal(frame, models_2026, check_exact=True)
    assert frame.loc[2, "prompt_per_mtok"] == 0.0208333333333333
    assert (meta.source, meta.fetched_at, meta.count) == ("live", FETCHED_AT, 10)
    assert meta.api_base == "http://127.0.0.1:1/api/v1"
    assert meta.problems == ("acme/x: pricing.prompt ignored",)
    assert json.loads((store.directory / META_NAME).read_text())["models_file"] == "models-000001.parquet"


def test_generations_increase_and_only_the_previous_one_is_kept(
    store: Store, models_2026: pd.DataFrame
) -> None:
    generations = [write_live(store, models_2026.head(n)).generation for n in (10, 9, 8, 7)]
    assert generations == [1, 2, 3, 4]
    assert names_in(store.directory) == [".lock", META_NAME, "models-000003.parquet", "models-000004.parquet"]
    meta, frame = store.read()  # type: ignore[misc]
    assert (meta.generation, len(frame)) == (4, 7)


def test_every_write_changes_what_a_stat_of_the_metadata_says(
    store: Store, models_2026: pd.DataFrame
) -> None:
    keys = []
    for _ in range(5):
        write_live(store, models_2026)
        keys.append(store.stat_key())
    assert len(set(keys)) == 5


def test_leftover_temp_files_of_a_dead_writer_are_removed_on_the_next_write(
    store: Store, models_2026: pd.DataFrame
) -> None:
    write_live(store, models_2026)
    leftovers = [".catalog.json.tmp-dead1", ".models-000002.parquet.tmp-dead2"]
    for name in leftovers:
        (store.directory / name).write_bytes(b"half a write")
    write_live(store, models_2026)
    assert names_in(store.directory) == [".lock", META_NAME, "models-000001.parquet", "models-000002.parquet"]


def test_a_failed_write_changes_nothing_and_leaves_no_temp_file(
    store: Store, models_2026: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_live(store, models_2026)
    before = {name: (store.directory / name).read_bytes() for name in names_in(store.directory)}

    def disk_full(table: object, path: str) -> None:
        Path(path).write_bytes(b"PAR1 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.pq, "write_table", disk_full)
    with pytest.raises(store_module.StoreError, match="No space left on device"):
        write_live(store, models_2026.head(3))
    after = {name: (store.directory / name).read_bytes() for name in names_in(store.directory)}
    assert after == before
    assert store.read()[0].generation == 1  # type: ignore[index]


def test_a_generation_is_never_reused_after_damage_is_moved_aside(
    store: Store, models_2026: pd.DataFrame
) -> None:
    for _ in range(3):
        write_live(store, models_2026)
    store.move_aside("test")
    assert write_live(store, models_2026).generation == 4


def test_a_reader_always_gets_a_matching_pair_while_a_writer_replaces_it(
    store: Store, models_2026: pd.DataFrame
) -> None:
    sizes = (10, 3)
    write_live(store, models_2026)
    done = threading.Event()
    failures: list[BaseException] = []
    reads = 0

    def write() -> None:
        try:
            for round_ in range(12):
                write_live(store, models_2026.head(sizes[round_ % 2]))
        finally:
            done.set()

    def read() -> None:
        nonlocal reads
        try:
            while not done.is_set():
                meta, frame = store.read()  # type: ignore[misc]
                assert meta.count == len(frame) in sizes
                assert frame["id"].tolist() == models_2026["id"].head(len(frame)).tolist()
                reads += 1
                time.sleep(0.0005)  # leave the writer the GIL now and then
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=read) for _ in range(3)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert reads > 0
    assert store.read()[0].generation == 13  # type: ignore[index]


# -- damage --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / META_NAME).write_text("{not json"), "catalog.json is damaged"),
        (lambda d: (d / META_NAME).write_text("[1, 2]"), "catalog.json is damaged"),
        (lambda d: (d / META_NAME).write_bytes(b""), "catalog.json is damaged"),
        (
            lambda d: (d / META_NAME).write_text(json.dumps({"generation": 1, "source": "live"})),
            "catalog.json is damaged",
        ),
        (
            lambda d: (d / META_NAME).write_text(
                (d / META_NAME).read_text().replace('"live"', '"somewhere"')
            ),
            "catalog.json is damaged (unknown source 'somewhere')",
        ),
        (
            lambda d: (d / META_NAME).write_text(
                (d / META_NAME).read_text().replace("models-000001", "../../etc/passwd")
            ),
            "catalog.json is damaged (metadata names no models file",
        ),
        (
            lambda d: (d / "models-000001.parquet").write_bytes(
                (d / "models-000001.parquet").read_bytes()[:500]
            ),
            "models-000001.parquet is damaged",
        ),
        (lambda d: (d / "models-000001.parquet").write_bytes(b""), "models-000001.parquet is damaged"),
        (
            lambda d: (d / "models-000001.parquet").unlink(),
            "catalog.json names a models file that does not exist",
        ),
        (
            lambda d: (d / META_NAME).write_text(
                (d / META_NAME).read_text().replace('"count": 10', '"count": 11')
            ),
            "models-000001.parquet has 10 models, metadata says 11",
        ),
    ],
    ids=[
        "meta-not-json",
        "meta-a-list",
        "meta-empty",
        "meta-missing-keys",
        "meta-bad-source",
        "meta-bad-file-name",
        "parquet-truncated",
        "parquet-empty",
        "parquet-missing",
        "count-mismatch",
    ],
)
def test_damage_is_reported_as_store_damaged(
    store: Store, models_2026: pd.DataFrame, damage: object, message: str
) -> None:
    write_live(store, models_2026)
    damage(store.directory)  # type: ignore[operator]
    with pytest.raises(StoreDamaged) as caught:
        store.read()
    assert str(caught.value).startswith(message)


def test_move_aside_keeps_every_file_under_damaged(store: Store, models_2026: pd.DataFrame) -> None:
    write_live(store, models_2026)
    write_live(store, models_2026)
    (store.directory / META_NAME).write_text("{not json")
    kept = {name: (store.directory / name).read_bytes() for name in (META_NAME, "models-000002.parquet")}

    target = store.move_aside("catalog.json is damaged")

    assert target is not None
    assert target.parent == store.directory / "damaged"
    assert names_in(target) == ["REASON.txt", META_NAME, "models-000001.parquet", "models-000002.parquet"]
    assert {name: (target / name).read_bytes() for name in kept} == kept
    assert (target / "REASON.txt").read_text() == "catalog.json is damaged\n"
    assert names_in(store.directory) == [".lock", "damaged"]
    assert store.read() is None


def test_move_aside_with_nothing_to_move_does_nothing(store: Store) -> None:
    assert store.move_aside("nothing here") is None
    assert not (store.directory / "damaged").exists()


def test_credentials_an_older_store_kept_in_its_api_base_are_never_shown(catalog_dir: Path) -> None:
    store = Store(catalog_dir)
    store.write(
        default_models(),
        source="live",
        fetched_at=None,
        api_base="https://u:pw@h.test/api/v1",
        defaults_as_of=None,
    )
    meta = store.read_meta()
    assert meta is not None and meta.api_base == "https://***@h.test/api/v1"
