"""The catalog on a real S3 API (moto in server mode): the same Catalog through the same boto3 code,
pointer swaps that never overwrite, replicas kept coherent by the poll, faults in one line."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.errors import StoreError, StoreUnavailable
from catalog.fetch.defaults import default_models
from catalog.history.view import load_history
from catalog.storage.interface import WriteConflict, open_store
from catalog.storage.s3 import S3Location, S3Store
from tests import payloads
from tests.moto_server import TEST_CREDENTIALS, MotoServer, get_text, objects
from tools.stand_in import StandIn
from views.cached import shared_catalog

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
DEFAULT_COUNT = len(default_models())
OLD = payloads.OLD_CATALOG
NEW = payloads.NEW_CATALOG


def wait_until(condition, timeout_s: float = 20.0) -> None:
    """Until `condition()` holds (the poll runs on its own thread); fails after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {timeout_s:g} s")
        time.sleep(0.05)


# -- locations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bucket", "prefix"),
    [
        ("s3://my-bucket/catalog", "my-bucket", "catalog/"),
        ("s3://my-bucket/team/prod/", "my-bucket", "team/prod/"),
        ("s3://my-bucket", "my-bucket", ""),
        ("s3://my.bucket.01//a//b", "my.bucket.01", "a/b/"),
    ],
)
def test_an_s3_location_names_a_bucket_and_a_prefix(text: str, bucket: str, prefix: str) -> None:
    assert S3Location.parse(text) == S3Location(bucket, prefix)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("s3://My_Bucket/x", "'s3://My_Bucket/x': 'My_Bucket' is not an S3 bucket name"),
        ("s3:///x", "'s3:///x': '' is not an S3 bucket name"),
        ("s3://bucket/../x", "'s3://bucket/../x': the prefix may not hold '.', '..' or control characters"),
    ],
)
def test_a_bad_s3_location_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(StoreError) as caught:
        S3Location.parse(text)
    assert str(caught.value) == message


def test_catalog_dir_picks_the_backend(s3_catalog: str, tmp_path: Path) -> None:
    assert isinstance(open_store(), S3Store)
    assert open_store().location == s3_catalog + "/"
    assert open_store(tmp_path).location == str(tmp_path)


# -- reading and writing -------------------------------------------------------------------------


def test_a_first_run_stores_the_defaults_as_a_pointer_and_one_generation(s3_catalog: str) -> None:
    snapshot = Catalog().snapshot()
    assert (snapshot.source, snapshot.generation, snapshot.count) == ("defaults", 1, DEFAULT_COUNT)
    assert objects(s3_catalog) == ["catalog.json", "models-000001.parquet"]
    assert json.loads(get_text(s3_catalog, "catalog.json"))["models_file"] == "models-000001.parquet"


def test_a_refresh_persists_the_catalog_and_its_history(refreshed_bucket: str, stand_in: StandIn) -> None:
    result = Catalog().refresh()
    assert result.summary() == "45 models: 45 added, 40 removed, 0 repriced"
    assert Catalog().snapshot().count == 45  # a new process reads it from the bucket
    generations = [f"models-00000{g}.parquet" for g in (1, 2, 3)]  # all within the grace period
    # The refresh's history entry, folded into a new base (it grew the base by over a quarter),
    # stays for the grace period too.
    assert objects(refreshed_bucket) == [
        "catalog.json",
        "history-log/000000000001.json",
        "history.json",
        *generations,
    ]
    assert json.loads(get_text(refreshed_bucket, "history.json"))["log_included"] == 1
    history = load_history(open_store())
    assert (history.refreshes, len(history.events())) == (2, 85)


def test_a_replica_sees_a_refresh_made_elsewhere_at_its_next_poll(
    refreshed_bucket: str, stand_in: StandIn
) -> None:
    replica = Catalog()
    assert replica.snapshot().count == 40
    history = load_history(replica.store)
    assert history.refreshes == 1

    Catalog().refresh()  # another replica

    wait_until(lambda: replica.snapshot().count == 45)
    wait_until(lambda: load_history(replica.store).refreshes == 2)
    assert replica.snapshot().source == "live"


def test_a_snapshot_between_polls_sends_no_request(refreshed_bucket: str) -> None:
    catalog = Catalog()
    catalog.snapshot()
    sent: list[str] = []
    caller = threading.get_ident()

    def count(request, **_: object) -> None:
        if threading.get_ident() == caller:
            sent.append(request.url)

    store = catalog.store
    assert isinstance(store, S3Store)
    store.poll()
    catalog.snapshot()  # the first poll's version is new to it: it reads the pointer once more
    load_history(store)  # the first reading of the history
    for client in (store._reads, store._writes):
        client.meta.events.register("before-send.s3", count)
    for _ in range(200):
        assert catalog.snapshot().count == 40
        load_history(store)
    assert sent == []


def test_the_pointer_is_replaced_only_at_the_version_read(s3_catalog: str) -> None:
    first, second = S3Store(s3_catalog), S3Store(s3_catalog)
    Catalog().snapshot()
    read_by_first = first.read_document("catalog.json")
    assert read_by_first is not None
    second.write(default_models(), source="defaults", fetched_at=None, api_base=None, defaults_as_of="x")

    with pytest.raises(WriteConflict):
        first.replace_json("catalog.json", {"generation": 99}, replacing=read_by_first)
    assert first.read_meta().generation == 2  # type: ignore[union-attr]
    with pytest.raises(WriteConflict):
        first.replace_json("catalog.json", {"generation": 99}, replacing=None)  # creating: it exists


def test_writers_racing_each_win_one_generation_and_lose_no_history(refreshed_bucket: str) -> None:
    """Eight stores (as eight replicas) write at once: every write lands, each as its own generation,
    and every history update is kept."""
    frame = default_models()
    barrier = threading.Barrier(8)
    generations: list[int] = []
    failures: list[BaseException] = []

    def write() -> None:
        store = S3Store(refreshed_bucket)
        barrier.wait()
        try:
            for _ in range(3):
                generations.append(
                    store.write(
                        frame, source="defaults", fetched_at=None, api_base=None, defaults_as_of="x"
                    ).generation
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    # 24 writes, one winner per generation (a loser's generation is skipped: its file is never pointed to)
    assert len(generations) == len(set(generations)) == 24
    assert min(generations) > 2
    meta, models = S3Store(refreshed_bucket).read()  # type: ignore[misc]
    assert (meta.generation, len(models)) == (max(generations), DEFAULT_COUNT)


def test_racing_history_updates_are_all_kept(refreshed_bucket: str, stand_in: StandIn) -> None:
    catalogs = [Catalog() for _ in range(4)]  # four replicas, each with its own client
    barrier = threading.Barrier(len(catalogs))
    results = []

    def refresh(catalog: Catalog) -> None:
        barrier.wait()
        results.append(catalog.refresh(force=True))

    threads = [threading.Thread(target=refresh, args=(c,)) for c in catalogs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 4
    assert load_history(S3Store(refreshed_bucket)).refreshes == 1 + 4
    assert len({r.snapshot.generation for r in results}) == 4


def test_old_generations_are_deleted_once_the_grace_period_is_over(refreshed_bucket: str) -> None:
    store = S3Store(refreshed_bucket)
    for _ in range(3):
        store.write(default_models(), source="defaults", fetched_at=None, api_base=None, defaults_as_of="x")
    models = [name for name in objects(refreshed_bucket) if name.startswith("models-")]
    assert models == [f"models-00000{g}.parquet" for g in (1, 2, 3, 4, 5)]  # all within the grace period

    store.grace_s = 0.0
    store.write(default_models(), source="defaults", fetched_at=None, api_base=None, defaults_as_of="x")
    models = [name for name in objects(refreshed_bucket) if name.startswith("models-")]
    assert models == ["models-000005.parquet", "models-000006.parquet"]  # the replaced one and the new


# -- faults --------------------------------------------------------------------------------------


def test_a_damaged_pointer_is_set_aside_and_the_defaults_shown(s3_catalog: str) -> None:
    Catalog().snapshot()
    where = S3Location.parse(s3_catalog)
    boto3.client("s3").put_object(Bucket=where.bucket, Key=where.prefix + "catalog.json", Body=b"{not json")

    snapshot = Catalog().snapshot()

    assert (snapshot.source, snapshot.count, snapshot.generation) == ("defaults", DEFAULT_COUNT, 2)
    assert snapshot.notice is not None
    assert snapshot.notice.startswith("The stored catalog could not be read (catalog.json is damaged (")
    kept = [name for name in objects(s3_catalog) if name.startswith("damaged/")]
    assert [name.rpartition("/")[2] for name in kept] == ["REASON.txt", "catalog.json"]
    assert get_text(s3_catalog, kept[1]) == "{not json"


def test_reset_on_a_damaged_pointer_keeps_it_aside_and_says_where(refreshed_bucket: str) -> None:
    where = S3Location.parse(refreshed_bucket)
    boto3.client("s3").put_object(Bucket=where.bucket, Key=where.prefix + "catalog.json", Body=b"{not json")

    snapshot = Catalog().reset()

    kept = [name for name in objects(refreshed_bucket) if name.startswith("damaged/")]
    assert [name.rpartition("/")[2] for name in kept] == ["REASON.txt", "catalog.json"]
    assert get_text(refreshed_bucket, kept[1]) == "{not json"
    folder = kept[1].rpartition("/")[0]
    assert snapshot.notice is not None
    assert snapshot.notice.startswith("The stored catalog could not be read (catalog.json is damaged (")
    assert snapshot.notice.endswith(f"; it was moved to {where}{folder}/.")
    assert (snapshot.source, snapshot.count) == ("defaults", DEFAULT_COUNT)
    assert Catalog().snapshot().notice is None


@pytest.fixture
def lone_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3_catalog: str) -> Iterator[MotoServer]:
    """A moto server of this test's own, to be stopped; CATALOG_DIR is a bucket on it."""
    server = MotoServer(tmp_path / "moto.log")
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("CATALOG_DIR", f"s3://{server.bucket()}/catalog")
    yield server
    server.stop()


def test_an_unreachable_store_keeps_the_page_on_its_last_catalog(
    lone_server: MotoServer, stand_in: StandIn
) -> None:
    stand_in.set_payload(OLD)
    catalog = Catalog()
    catalog.refresh()
    stand_in.set_payload(NEW)
    requests_before = stand_in.models_requests

    lone_server.stop()
    wait_until(lambda: catalog.snapshot().notice is not None)

    snapshot = catalog.snapshot()
    assert (snapshot.source, snapshot.count) == ("live", 40)
    location = catalog.location
    assert snapshot.notice == (
        f"The catalog store did not answer ({location}: no answer (catalog.json)). "
        "Showing the catalog loaded before."
    )
    with pytest.raises(StoreUnavailable) as refresh_error:
        catalog.refresh()
    assert str(refresh_error.value) == f"{location}: no answer (catalog.json)"
    assert stand_in.models_requests == requests_before  # it did not fetch what it could not store
    with pytest.raises(StoreUnavailable):
        catalog.reset()
    assert catalog.snapshot().count == 40


def test_a_new_process_with_an_unreachable_store_shows_the_defaults(lone_server: MotoServer) -> None:
    lone_server.stop()
    snapshot = Catalog().snapshot()
    assert (snapshot.source, snapshot.count) == ("defaults", DEFAULT_COUNT)
    assert snapshot.notice is not None and "no answer" in snapshot.notice


def test_the_page_keeps_its_catalog_and_says_why_when_the_store_stops_answering(
    lone_server: MotoServer, stand_in: StandIn
) -> None:
    stand_in.set_payload(OLD)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="refresh").click().run()
    assert at.dataframe[0].value.shape[0] == 40

    lone_server.stop()
    shared = shared_catalog()
    wait_until(lambda: shared.snapshot().notice is not None)
    at.run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 40
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert warnings == [
        f"The catalog store did not answer ({shared.location}: no answer (catalog.json)). "
        "Showing the catalog loaded before."
    ]
    at.button(key="refresh").click().run()
    assert not at.exception
    assert any("Refresh failed: " in e.value.replace("\\", "") and "no answer" in e.value for e in at.error)
    assert at.dataframe[0].value.shape[0] == 40


def test_no_object_or_message_holds_the_credentials(
    refreshed_bucket: str,
    stand_in: StandIn,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    key_id = TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    catalog = Catalog()
    catalog.refresh()
    where = S3Location.parse(refreshed_bucket)
    client = boto3.client("s3")
    for name in objects(refreshed_bucket):
        data = client.get_object(Bucket=where.bucket, Key=where.prefix + name)["Body"].read()
        assert secret.encode() not in data and key_id.encode() not in data
    out, err = capsys.readouterr()
    assert secret not in out + err + caplog.text and key_id not in out + err + caplog.text


def test_providers_are_a_generation_of_their_own_and_a_models_refresh_keeps_them(
    refreshed_bucket: str, stand_in: StandIn
) -> None:
    stand_in.set_payload(OLD)  # the stand-in serves the providers of the models it lists
    catalog = Catalog()
    catalog.refresh_providers()
    count = catalog.snapshot().endpoints_count
    assert count > 40
    assert "endpoints-000003.parquet" in objects(
        refreshed_bucket
    )  # 1: defaults, 2: live models, 3: their providers
    assert Catalog().snapshot().endpoints_count == count  # another replica reads them from the bucket

    store = catalog.store
    assert isinstance(store, S3Store)
    store.grace_s = 0.0  # collect every generation no pointer names
    catalog.refresh(force=True)
    meta = S3Store(refreshed_bucket).read_meta()
    assert meta is not None
    assert (meta.models_file, meta.endpoints_file) == ("models-000004.parquet", "endpoints-000003.parquet")
    assert [name for name in objects(refreshed_bucket) if name.endswith(".parquet")] == [
        "endpoints-000003.parquet",
        "models-000002.parquet",
        "models-000004.parquet",
    ]
    stored = S3Store(refreshed_bucket).read_all()
    assert stored is not None and len(stored.endpoints) == count == catalog.snapshot().endpoints_count
