"""The shared Catalog: first run, refreshes that never lose data, and coherence across objects,
threads and processes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from catalog import Catalog, Snapshot
from catalog.errors import (
    BadResponse,
    CatalogError,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    NotJSON,
    RefreshRefused,
)
from catalog.fetch.defaults import default_models, defaults_as_of
from catalog.present.export import export_bytes
from catalog.storage.store import Store
from tests import payloads
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
LIVE_IDS = frozenset(m["id"] for m in payloads.shape_2026()["data"])
DEFAULT_IDS = frozenset(default_models()["id"])
CANARY_KEY = "sk-or-v1-canary-0c9f2e7d5b1a4f3e8d6c"


def digest_files(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative path -> sha256): equal digests mean byte-identical."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def assert_coherent(snapshot: Snapshot, live_api_base: str | None = None) -> None:
    """One snapshot is one whole catalog: counts agree, and the ids are those of its source."""
    models = snapshot.models
    ids = set(models["id"])
    assert snapshot.count == len(models) == len(ids)
    if snapshot.source == "live":
        assert ids == LIVE_IDS
        assert snapshot.fetched_at is not None
        if live_api_base:
            assert snapshot.api_base == live_api_base
    else:
        assert snapshot.source == "defaults"
        assert ids == DEFAULT_IDS
        assert snapshot.fetched_at is None


@pytest.fixture
def fresh_catalog(catalog_dir: Path) -> Catalog:
    """A Catalog on an empty CATALOG_DIR, with a short fetch deadline."""
    return Catalog(deadline_s=1.0)


@pytest.fixture
def live_catalog(stand_in: StandIn, fresh_catalog: Catalog) -> Catalog:
    """A Catalog that has refreshed once from the stand-in (10 models, all modalities)."""
    fresh_catalog.snapshot()
    fresh_catalog.refresh()
    assert stand_in.models_requests == 1
    stand_in.requests.clear()
    return fresh_catalog


# -- first run and refresh -----------------------------------------------------------------------


def test_the_first_run_shows_the_bundled_defaults(fresh_catalog: Catalog, catalog_dir: Path) -> None:
    snapshot = fresh_catalog.snapshot()
    assert (snapshot.count, snapshot.source, snapshot.generation) == (53, "defaults", 1)
    assert snapshot.is_live is False
    assert snapshot.notice is None
    assert snapshot.describe_source() == f"bundled defaults (prices as of {defaults_as_of()})"
    assert_coherent(snapshot)
    meta = Store(catalog_dir).read_meta()
    assert meta is not None
    assert (meta.source, meta.count) == ("defaults", 53)


def test_refresh_fetches_every_model_of_every_modality(stand_in: StandIn, fresh_catalog: Catalog) -> None:
    result = fresh_catalog.refresh()
    snapshot = result.snapshot
    assert snapshot.count == 10  # not the 7 text-output models OpenRouter sends by default
    assert {"openai/whisper-1", "openai/gpt-image-1", "openai/text-embedding-3-small"} <= set(
        snapshot.models["id"]
    )
    assert (snapshot.source, snapshot.api_base) == ("live", stand_in.api_base)
    assert (result.fetched, result.previous.count, result.previous.source) == (True, 53, "defaults")
    assert result.summary().startswith("10 models")
    assert fresh_catalog.snapshot() is snapshot
    assert stand_in.models_requests == 1
    assert_coherent(snapshot, stand_in.api_base)


def test_each_stored_model_is_the_json_text_the_server_sent(
    stand_in: StandIn, fresh_catalog: Catalog
) -> None:
    sent = stand_in.body_all.decode()  # json.dumps' default layout: ", " and ": ", non-ASCII escaped
    stored = fresh_catalog.refresh().snapshot.models["raw_json"].tolist()
    assert len(stored) == 10
    assert all(text in sent for text in stored)
    assert [json.loads(text) for text in stored] == json.loads(sent)["data"]


def test_a_refresh_is_stored_for_the_next_start(stand_in: StandIn, live_catalog: Catalog) -> None:
    restarted = Catalog().snapshot()
    assert (restarted.source, restarted.count) == ("live", 10)
    assert restarted.generation == live_catalog.snapshot().generation
    pd.testing.assert_frame_equal(restarted.models, live_catalog.snapshot().models, check_exact=True)
    assert stand_in.models_requests == 0


def test_reset_brings_back_the_bundled_defaults(live_catalog: Catalog) -> None:
    live = live_catalog.snapshot()
    snapshot = live_catalog.reset()
    assert (snapshot.source, snapshot.count) == ("defaults", 53)
    assert snapshot.generation > live.generation
    assert live_catalog.snapshot() is snapshot


# -- bad responses change nothing ----------------------------------------------------------------


BAD_MODES = [
    ("html", NotJSON, "the response is not JSON (got text/html)"),
    ("truncated", BadResponse, "the response was cut short"),
    (
        "rate_limited",
        HTTPStatusError,
        "OpenRouter answered HTTP 429: Rate limit exceeded (retry after 0.05 s)",
    ),
    ("unavailable", HTTPStatusError, "OpenRouter answered HTTP 503: Service temporarily unavailable"),
    ("empty", BadResponse, "the response lists no models"),
    ("not_list", BadResponse, "'data' is dict, not a list of models"),
    ("error_json", HTTPStatusError, "OpenRouter answered HTTP 400: Invalid output_modalities"),
    ("drip", FetchTimeout, "OpenRouter timed out after 1 s"),
]


@pytest.mark.parametrize(("mode", "error_type", "message"), BAD_MODES, ids=[m[0] for m in BAD_MODES])
def test_a_bad_response_raises_a_typed_error_and_leaves_every_file_byte_identical(
    stand_in: StandIn,
    live_catalog: Catalog,
    catalog_dir: Path,
    mode: str,
    error_type: type[Exception],
    message: str,
) -> None:
    before_snapshot = live_catalog.snapshot()
    before_files = digest_files(catalog_dir)
    stand_in.retry_after = 0.05
    stand_in.set_mode(mode)

    with pytest.raises(error_type) as caught:
        live_catalog.refresh()

    assert str(caught.value).startswith(message)
    assert digest_files(catalog_dir) == before_files
    assert live_catalog.snapshot() is before_snapshot
    assert Catalog().snapshot().generation == before_snapshot.generation


def test_a_client_error_is_asked_once_and_a_rate_limit_is_retried(
    stand_in: StandIn, live_catalog: Catalog
) -> None:
    stand_in.set_mode("error_json")
    with pytest.raises(HTTPStatusError):
        live_catalog.refresh()
    assert stand_in.models_requests == 1
    stand_in.retry_after = 0.05
    stand_in.set_mode("rate_limited", fail_times=2)
    assert live_catalog.refresh(force=True).snapshot.count == 10
    assert stand_in.models_requests == 1 + 3


def test_a_bad_response_on_the_first_run_keeps_the_defaults_byte_identical(
    stand_in: StandIn, fresh_catalog: Catalog, catalog_dir: Path
) -> None:
    fresh_catalog.snapshot()
    before = digest_files(catalog_dir)
    stand_in.set_mode("html")
    with pytest.raises(NotJSON):
        fresh_catalog.refresh()
    assert digest_files(catalog_dir) == before
    assert fresh_catalog.snapshot().source == "defaults"


def test_a_response_of_only_unreadable_models_changes_nothing(
    stand_in: StandIn, live_catalog: Catalog, catalog_dir: Path
) -> None:
    before = digest_files(catalog_dir)
    stand_in.set_payload({"data": [{"name": "no id"}, {"id": "acme/x", "pricing": "0.000001"}]})
    with pytest.raises(BadResponse) as caught:
        live_catalog.refresh()
    assert str(caught.value) == "none of the 2 models in the response could be read"
    assert digest_files(catalog_dir) == before


def test_an_unreachable_server_changes_nothing(
    live_catalog: Catalog, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digest_files(catalog_dir)
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://127.0.0.1:9/api/v1")
    with pytest.raises(ConnectionFailed) as caught:
        live_catalog.refresh()
    assert str(caught.value) == "could not connect to http://127.0.0.1:9/api/v1: connection refused"
    assert digest_files(catalog_dir) == before


def test_a_shrink_under_half_is_refused_unless_forced(
    stand_in: StandIn, fresh_catalog: Catalog, catalog_dir: Path
) -> None:
    stand_in.set_payload(payloads.catalog_of(40))
    assert fresh_catalog.refresh().snapshot.count == 40
    before = digest_files(catalog_dir)

    stand_in.set_payload(payloads.catalog_of(19))
    with pytest.raises(RefreshRefused) as caught:
        fresh_catalog.refresh()
    assert str(caught.value) == (
        "the response lists 19 models, under half of the 40 now stored; "
        "refusing to replace them (use force to accept)"
    )
    assert digest_files(catalog_dir) == before
    assert fresh_catalog.snapshot().count == 40

    assert fresh_catalog.refresh(force=True).snapshot.count == 19


def test_exactly_half_is_not_a_shrink_to_refuse(stand_in: StandIn, fresh_catalog: Catalog) -> None:
    stand_in.set_payload(payloads.catalog_of(40))
    fresh_catalog.refresh()
    stand_in.set_payload(payloads.catalog_of(20))
    assert fresh_catalog.refresh().snapshot.count == 20


# -- coherence between Catalog objects (as between processes) ------------------------------------


def test_snapshot_with_nothing_changed_is_the_very_same_object(
    fresh_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fresh_catalog.snapshot()

    def no_reload() -> None:
        raise AssertionError("snapshot() read the store although nothing changed")

    monkeypatch.setattr(fresh_catalog.store, "read", no_reload)
    assert all(fresh_catalog.snapshot() is first for _ in range(100))


def test_a_caller_editing_its_models_never_changes_the_shared_snapshot(fresh_catalog: Catalog) -> None:
    snapshot = fresh_catalog.snapshot()
    original = snapshot.models.loc[0, "prompt_per_mtok"]
    edited = snapshot.models
    edited.loc[0, "prompt_per_mtok"] = 123456.0
    edited["name"] = "renamed"
    assert snapshot.models.loc[0, "prompt_per_mtok"] == original
    assert "renamed" not in set(snapshot.models["name"])
    assert fresh_catalog.snapshot().count == 53


def test_two_catalogs_on_one_directory_see_each_others_refresh_and_reset(stand_in: StandIn) -> None:
    watcher, writer = Catalog(), Catalog()
    first = watcher.snapshot()
    assert first.source == "defaults"

    refreshed = writer.refresh().snapshot
    seen = watcher.snapshot()
    assert (seen.source, seen.count, seen.generation) == ("live", 10, refreshed.generation)
    assert seen.generation > first.generation

    reset = writer.reset()
    seen = watcher.snapshot()
    assert (seen.source, seen.count, seen.generation) == ("defaults", 53, reset.generation)
    assert watcher.snapshot() is seen


def test_concurrent_refreshes_of_two_catalogs_fetch_once(stand_in: StandIn) -> None:
    first, second = Catalog(), Catalog()
    first.snapshot()
    second.snapshot()
    barrier = threading.Barrier(2)
    results = {}

    def refresh(name: str, catalog: Catalog) -> None:
        barrier.wait()
        results[name] = catalog.refresh()

    threads = [
        threading.Thread(target=refresh, args=("first", first)),
        threading.Thread(target=refresh, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert stand_in.models_requests == 1
    assert sorted(result.fetched for result in results.values()) == [False, True]
    adopted = next(result for result in results.values() if not result.fetched)
    assert adopted.summary() == "10 models: another process refreshed moments ago; showing its result"
    assert first.snapshot().generation == second.snapshot().generation
    assert first.snapshot().source == second.snapshot().source == "live"


def test_force_fetches_even_right_after_another_refresh(stand_in: StandIn) -> None:
    first, second = Catalog(), Catalog()
    second.snapshot()
    first.refresh()
    assert second.refresh(force=True).fetched is True
    assert stand_in.models_requests == 2


# -- damage --------------------------------------------------------------------------------------


def test_a_damaged_store_is_moved_aside_and_the_defaults_shown_with_a_notice(
    live_catalog: Catalog, catalog_dir: Path
) -> None:
    (catalog_dir / "catalog.json").write_text("{half a", encoding="utf-8")

    snapshot = Catalog().snapshot()

    assert (snapshot.source, snapshot.count) == ("defaults", 53)
    assert snapshot.notice is not None
    assert snapshot.notice.startswith("The stored catalog could not be read (catalog.json is damaged")
    assert snapshot.notice.endswith("Showing the bundled defaults.")
    [kept] = (catalog_dir / "damaged").iterdir()
    assert str(kept) in snapshot.notice
    assert (kept / "catalog.json").read_text(encoding="utf-8") == "{half a"
    assert Catalog().snapshot().notice is None  # mended: the next start reads it without a word


def test_a_long_lived_catalog_keeps_its_last_good_live_catalog_when_the_store_is_damaged(
    live_catalog: Catalog, catalog_dir: Path
) -> None:
    live = live_catalog.snapshot()
    (catalog_dir / "catalog.json").write_bytes(b"\x00\x00\x00")

    snapshot = live_catalog.snapshot()

    assert (snapshot.source, snapshot.count) == ("live", 10)
    assert snapshot.models["id"].tolist() == live.models["id"].tolist()
    assert snapshot.notice is not None
    assert snapshot.notice.endswith("Still showing the last good catalog.")
    restarted = Catalog().snapshot()
    assert (restarted.source, restarted.count, restarted.notice) == ("live", 10, None)


def test_a_catalog_rebuilt_after_damage_is_seen_as_new_by_a_long_lived_catalog(
    stand_in: StandIn, catalog_dir: Path
) -> None:
    stand_in.set_payload(payloads.catalog_of(12, prefix="old-"))
    long_lived = Catalog()
    long_lived.refresh()
    (catalog_dir / "catalog.json").write_text("{half a", encoding="utf-8")

    other = Catalog()
    assert other.snapshot().source == "defaults"  # recovered: moved aside, defaults written
    stand_in.set_payload(payloads.catalog_of(12, prefix="new-"))
    other.refresh()

    seen = long_lived.snapshot()
    assert seen.models["id"].iloc[0] == "openai/new-model-00000"


# -- the API key ---------------------------------------------------------------------------------


def test_the_api_key_is_sent_but_never_logged_stored_or_exported(
    stand_in: StandIn,
    fresh_catalog: Catalog,
    catalog_dir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    caplog.set_level(logging.DEBUG)

    result = fresh_catalog.refresh()
    stand_in.set_mode("error_json")
    with pytest.raises(CatalogError) as caught:
        fresh_catalog.refresh(force=True)

    assert stand_in.requests["auth:yes"] == 2
    assert stand_in.requests["auth:no"] == 0
    secret = CANARY_KEY.encode()
    texts = [caplog.text, str(caught.value), repr(caught.value), repr(result), result.summary()]
    assert not [text for text in texts if CANARY_KEY in text]
    assert not [
        name for name, _ in digest_files(catalog_dir).items() if secret in (catalog_dir / name).read_bytes()
    ]
    for fmt in ("csv", "json", "parquet"):
        assert secret not in export_bytes(result.snapshot.models, fmt)


# -- threads and processes -----------------------------------------------------------------------


def test_reader_threads_never_see_a_torn_catalog_while_another_thread_refreshes_and_resets(
    stand_in: StandIn,
) -> None:
    shared = Catalog()
    elsewhere = Catalog()  # another object on the directory: it reads the files a writer replaces
    shared.snapshot()
    done = threading.Event()
    failures: list[BaseException] = []
    seen_sources: set[str] = set()

    def write() -> None:
        try:
            for _ in range(8):
                shared.refresh(force=True)
                shared.reset()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            done.set()

    def read(catalog: Catalog) -> None:
        last_generation = 0
        try:
            while not done.is_set():
                snapshot = catalog.snapshot()
                assert_coherent(snapshot, stand_in.api_base)
                assert snapshot.generation >= last_generation
                last_generation = snapshot.generation
                seen_sources.add(snapshot.source)
                time.sleep(0.0005)  # let the writer and the stand-in have the GIL now and then
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    readers = [threading.Thread(target=read, args=(c,)) for c in (shared, shared, elsewhere, elsewhere)]
    writer = threading.Thread(target=write)
    for thread in [*readers, writer]:
        thread.start()
    for thread in [writer, *readers]:
        thread.join(60)

    assert failures == []
    assert seen_sources == {"live", "defaults"}
    assert stand_in.models_requests == 8
    final = elsewhere.snapshot()
    assert (final.source, final.count, final.generation) == ("defaults", 53, shared.snapshot().generation)


def run_catalog_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_long_lived_catalog_sees_another_process_refresh_and_reset(stand_in: StandIn) -> None:
    long_lived = Catalog()
    start = long_lived.snapshot()
    assert start.source == "defaults"

    refreshed = run_catalog_cli("refresh")
    assert (refreshed.returncode, refreshed.stderr) == (0, "")
    after_refresh = long_lived.snapshot()
    assert (after_refresh.source, after_refresh.count) == ("live", 10)
    assert after_refresh.generation > start.generation
    assert_coherent(after_refresh, stand_in.api_base)

    reset = run_catalog_cli("reset")
    assert (reset.returncode, reset.stderr) == (0, "")
    after_reset = long_lived.snapshot()
    assert (after_reset.source, after_reset.count) == ("defaults", 53)
    assert after_reset.generation > after_refresh.generation
    assert stand_in.models_requests == 1


WRITER_PROCESS = """
from catalog import Catalog
catalog = Catalog()
for _ in range(5):
    catalog.refresh(force=True)
    catalog.reset()
print(catalog.snapshot().generation)
"""


def test_a_reader_never_sees_a_torn_catalog_while_another_process_writes(stand_in: StandIn) -> None:
    reader = Catalog()
    reader.snapshot()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER_PROCESS],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    generations = set()
    sources = set()
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline:
        snapshot = reader.snapshot()
        assert_coherent(snapshot, stand_in.api_base)
        generations.add(snapshot.generation)
        sources.add(snapshot.source)
        time.sleep(0.001)  # the stand-in serving the writer runs in this process: leave it the GIL
    out, err = writer.communicate(timeout=60)
    assert (writer.returncode, err) == (0, "")
    final = reader.snapshot()
    assert (final.source, final.generation) == ("defaults", int(out))
    assert stand_in.models_requests == 5
    assert len(generations) > 1  # the reader did see the writer's work while it ran


def test_refresh_summary_counts_skipped_models_and_ignored_fields(stand_in: StandIn) -> None:
    good = payloads.model("a/good")
    odd_field = payloads.model("a/odd", image="not a number")
    stand_in.set_payload(
        payloads.payload([good, odd_field, "not a model", payloads.model("a/third")], paged=False)
    )
    result = Catalog().refresh()
    assert result.snapshot.count == 3
    assert result.summary() == (
        "3 models (was 53 bundled defaults); 1 unreadable model(s) skipped; 1 unreadable field(s) ignored"
    )
