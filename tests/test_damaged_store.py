"""A damaged store: every kind of damage is reported in a sentence, the damaged files are kept under
damaged/, and the catalog and the page stay usable (the bundled defaults, or the last good catalog
still in memory).

Read-only and full directories are real where this machine lets root mount a tmpfs (the test
remounts it read-only, or fills it); the same failures are also injected at the write boundary
(`os.open` of a temp file, `os.replace`, the Parquet writer raising EROFS/ENOSPC), which runs anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

import catalog.storage.store as store_module
from catalog import Catalog
from catalog.errors import CatalogError, StoreError
from catalog.fetch.defaults import default_models, defaults_as_of
from catalog.fetch.normalize import normalize_models
from catalog.present.table import escape_markdown
from catalog.storage.files import TEMP_MARK
from catalog.storage.generation import META_NAME
from tests import payloads
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
DEFAULT_IDS = frozenset(default_models()["id"])
GOOD = payloads.catalog_of(12, prefix="good-")
GOOD_IDS = frozenset(m["id"] for m in GOOD["data"])
NEWER = payloads.catalog_of(14, prefix="newer-")


def models_file(directory: Path) -> Path:
    return directory / json.loads((directory / META_NAME).read_text())["models_file"]


def truncate_parquet(directory: Path) -> None:
    path = models_file(directory)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage_parquet(directory: Path) -> None:
    models_file(directory).write_bytes(os.urandom(3000))


def garbage_meta(directory: Path) -> None:
    (directory / META_NAME).write_bytes(b"\x00\xffnot json at all\x1b[31m")


def meta_of_another_shape(directory: Path) -> None:
    (directory / META_NAME).write_text(json.dumps({"models": "models-000002.parquet", "version": 9}))


def meta_with(**fields: object) -> Callable[[Path], None]:
    """Valid JSON metadata with some fields replaced (written as Python's json writes them)."""

    def damage(directory: Path) -> None:
        meta = json.loads((directory / META_NAME).read_text())
        meta.update(fields)
        (directory / META_NAME).write_text(json.dumps(meta))

    return damage


def meta_missing(directory: Path) -> None:
    (directory / META_NAME).unlink()


def parquet_missing(directory: Path) -> None:
    models_file(directory).unlink()


def older_schema_without_raw_json(directory: Path) -> None:
    """An older version's pair: schema 0 metadata, a Parquet file with a few columns and no raw JSON."""
    path = models_file(directory)
    table = pq.read_table(path).select(["id", "name", "prompt_per_mtok", "completion_per_mtok"])
    pq.write_table(table, path)
    meta = json.loads((directory / META_NAME).read_text())
    del meta["schema_version"]
    (directory / META_NAME).write_text(json.dumps(meta))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "parquet-truncated": (truncate_parquet, "models-000002.parquet is damaged"),
    "parquet-garbage": (garbage_parquet, "models-000002.parquet is damaged"),
    "meta-garbage": (garbage_meta, "catalog.json is damaged"),
    "meta-another-shape": (meta_of_another_shape, "catalog.json is damaged"),
    "meta-generation-infinity": (
        meta_with(generation=float("inf")),
        "catalog.json is damaged (generation is",
    ),
    "meta-generation-1e300": (meta_with(generation=1e300), "catalog.json is damaged (generation is not"),
    "meta-fetched-at-no-zone": (
        meta_with(fetched_at="2026-11-30T10:00:00"),
        "catalog.json is damaged (fetched_at has no time zone",
    ),
    "meta-missing": (meta_missing, "catalog.json is missing but models-000002.parquet is there"),
    "parquet-missing": (parquet_missing, "catalog.json names a models file that does not exist"),
    "older-schema-no-raw-json": (
        older_schema_without_raw_json,
        "models-000002.parquet is written by an older version (schema 0) and keeps no raw JSON",
    ),
}


@pytest.fixture
def good_store(stand_in: StandIn, catalog_dir: Path) -> Path:
    """CATALOG_DIR holding a live catalog of 12 models (generation 2: defaults came first)."""
    stand_in.set_payload(GOOD)
    catalog = Catalog()
    catalog.snapshot()
    assert catalog.refresh().snapshot.generation == 2
    return catalog_dir


def touch(path: Path) -> None:
    """Move the file's mtime on, so a cached reader sees it changed."""
    if path.exists():
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def kept_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and p.name != ".lock"}


def assert_kept_aside(catalog_dir: Path, before: dict[str, bytes], reason: str) -> None:
    """The damaged files are under damaged/<time>/, byte for byte, with the reason beside them."""
    [kept] = (catalog_dir / "damaged").iterdir()
    assert (kept / "REASON.txt").read_text(encoding="utf-8").startswith(reason)
    moved = {name: data for name, data in before.items() if name != "history.json"}
    assert {name: (kept / name).read_bytes() for name in moved} == moved


# -- through the Catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_new_process_on_a_damaged_store_shows_the_defaults_and_keeps_the_damage(
    good_store: Path, damage: str
) -> None:
    damage_store, reason = DAMAGE[damage]
    damage_store(good_store)
    before = kept_files(good_store)

    snapshot = Catalog().snapshot()

    assert (snapshot.source, frozenset(snapshot.models["id"])) == ("defaults", DEFAULT_IDS)
    assert snapshot.notice is not None
    assert snapshot.notice.startswith(f"The stored catalog could not be read ({reason}")
    assert snapshot.notice.endswith("Showing the bundled defaults.")
    assert_kept_aside(good_store, before, reason)
    again = Catalog().snapshot()  # mended: the next start says nothing
    assert (again.source, again.notice, again.generation) == ("defaults", None, snapshot.generation)
    assert again.generation > 2  # never a generation number seen before the damage


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_long_lived_catalog_keeps_its_last_good_catalog_whatever_the_damage(
    good_store: Path, damage: str
) -> None:
    long_lived = Catalog()
    assert long_lived.snapshot().count == 12
    damage_store, reason = DAMAGE[damage]
    damage_store(good_store)
    touch(good_store / META_NAME)  # as a write by another process would: the long-lived one looks again
    before = kept_files(good_store)

    snapshot = long_lived.snapshot()

    assert (snapshot.source, frozenset(snapshot.models["id"])) == ("live", GOOD_IDS)
    assert snapshot.notice is not None and reason in snapshot.notice
    assert snapshot.notice.endswith("Still showing the last good catalog.")
    assert_kept_aside(good_store, before, reason)
    restarted = Catalog().snapshot()  # the last good catalog was written back
    assert (restarted.source, frozenset(restarted.models["id"]), restarted.notice) == ("live", GOOD_IDS, None)


@pytest.mark.parametrize(
    "damage",
    [
        "parquet-truncated",
        "meta-garbage",
        "meta-missing",
        "meta-generation-infinity",
        "meta-generation-1e300",
    ],
)
def test_a_refresh_on_a_damaged_store_succeeds_and_keeps_the_damage(
    good_store: Path, stand_in: StandIn, damage: str
) -> None:
    damage_store, _ = DAMAGE[damage]
    damage_store(good_store)
    stand_in.set_payload(NEWER)

    result = Catalog().refresh()

    assert (result.snapshot.source, result.snapshot.count) == ("live", 14)
    assert (good_store / "damaged").is_dir()
    assert Catalog().snapshot().count == 14


def test_show_on_a_damaged_store_exits_0_with_a_one_line_note(good_store: Path) -> None:
    truncate_parquet(good_store)
    shown = subprocess.run(
        [sys.executable, "-m", "catalog", "show"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0
    [note] = shown.stderr.splitlines()
    assert note.startswith("note: The stored catalog could not be read (models-000002.parquet is damaged")
    assert f"models:     {len(DEFAULT_IDS)}" in shown.stdout


@pytest.mark.parametrize("damage", ["meta-garbage", "meta-generation-infinity", "meta-fetched-at-no-zone"])
def test_reset_on_a_damaged_catalog_json_keeps_it_aside_and_says_where(good_store: Path, damage: str) -> None:
    damage_store, reason = DAMAGE[damage]
    damage_store(good_store)
    before = kept_files(good_store)

    reset = subprocess.run(
        [sys.executable, "-m", "catalog", "reset"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert reset.returncode == 0, reset.stderr
    [kept] = (good_store / "damaged").iterdir()
    [note] = reset.stderr.splitlines()
    assert note.startswith(f"note: The stored catalog could not be read ({reason}")
    assert note.endswith(f"; it was moved to {kept}.")
    assert reset.stdout == f"{len(DEFAULT_IDS)} models: bundled defaults (prices as of {defaults_as_of()})\n"
    assert_kept_aside(good_store, before, reason)
    again = Catalog().snapshot()
    assert (again.source, again.notice, again.generation) == ("defaults", None, 3)


def test_the_pages_reset_on_a_damaged_catalog_json_says_where_it_went(good_store: Path) -> None:
    at = open_page()
    at.button(key="reset").click().run()
    garbage_meta(good_store)  # damaged while the page asks to confirm
    before = kept_files(good_store)
    at.button(key="reset_confirm").click().run()

    [kept] = (good_store / "damaged").iterdir()
    notice = "The stored catalog could not be read (catalog.json is damaged (not UTF-8 text)); "
    assert [w.value for w in at.warning] == [escape_markdown(f"{notice}it was moved to {kept}.")]
    reset = f"Reset: showing the {len(DEFAULT_IDS)} bundled default models."
    assert [s.value for s in at.success] == [escape_markdown(reset)]
    assert table_ids(at) == DEFAULT_IDS
    assert_kept_aside(good_store, before, "catalog.json is damaged (not UTF-8 text)")


# -- a store from an older version -----------------------------------------------------------------


def write_older_store(directory: Path, raw_models: list[dict]) -> None:
    """What an older version wrote: schema 0 metadata; no `token_priced`, `has_time_windows` or
    `cache_write_1h_per_mtok` column; prices stored as text; columns in another order."""
    frame = normalize_models(raw_models).frame
    frame = frame.drop(columns=["token_priced", "has_time_windows", "cache_write_1h_per_mtok"])
    frame["prompt_per_mtok"] = frame["prompt_per_mtok"].astype("string")
    frame = frame[list(reversed(frame.columns))]
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), directory / "models-000007.parquet")
    meta = {
        "generation": 7,
        "source": "live",
        "fetched_at": "2025-06-01T08:00:00+00:00",
        "count": len(frame),
        "api_base": "https://openrouter.ai/api/v1",
        "models_file": "models-000007.parquet",
        "defaults_as_of": None,
    }
    (directory / META_NAME).write_text(json.dumps(meta))


def test_a_store_from_an_older_version_is_rebuilt_from_its_raw_json(catalog_dir: Path) -> None:
    raw = payloads.shape_2026()["data"]
    write_older_store(catalog_dir, raw)

    snapshot = Catalog().snapshot()

    assert (snapshot.source, snapshot.generation, snapshot.notice) == ("live", 7, None)
    expected = normalize_models(raw).frame
    assert list(snapshot.models.columns) == list(expected.columns)
    assert snapshot.models.equals(expected)
    by_id = snapshot.models.set_index("id")
    assert by_id.loc["deepseek/deepseek-v3.2", "has_time_windows"]
    assert not by_id.loc["openai/whisper-1", "token_priced"]
    assert not (catalog_dir / "damaged").exists()


def test_a_store_from_an_older_version_whose_raw_json_is_unreadable_is_set_aside(catalog_dir: Path) -> None:
    write_older_store(catalog_dir, payloads.shape_2026()["data"])
    path = catalog_dir / "models-000007.parquet"
    frame = pq.read_table(path).to_pandas()
    frame["raw_json"] = "{cut short"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)

    snapshot = Catalog().snapshot()

    assert snapshot.source == "defaults"
    assert snapshot.notice is not None
    assert "written by an older version (schema 0) and its raw JSON is unreadable" in snapshot.notice
    assert len(list((catalog_dir / "damaged").glob("*/models-000007.parquet"))) == 1


# -- through the page --------------------------------------------------------------------------------


def page_text(at: AppTest) -> str:
    """Every message and caption the page shows, markdown escapes removed."""
    values = [e.value for e in [*at.warning, *at.error, *at.success, *at.info, *at.caption]]
    return "\n".join(values).replace("\\", "")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def table_ids(at: AppTest) -> frozenset[str]:
    return frozenset(at.dataframe[0].value["ID"])


def models_metric(at: AppTest) -> int:
    """The header's model count (the table may add recently removed models)."""
    [models] = [m for m in at.metric if m.label == "Models"]
    return int(models.value.replace(",", ""))


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_the_page_on_a_damaged_store_says_so_shows_the_defaults_and_refreshes(
    good_store: Path, stand_in: StandIn, damage: str
) -> None:
    damage_store, reason = DAMAGE[damage]
    damage_store(good_store)

    at = open_page()

    assert table_ids(at) == DEFAULT_IDS
    assert f"The stored catalog could not be read ({reason}" in page_text(at)
    assert (good_store / "damaged").is_dir()
    stand_in.set_payload(NEWER)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert models_metric(at) == 14
    assert table_ids(at) >= frozenset(m["id"] for m in NEWER["data"])


def test_the_page_keeps_its_last_good_catalog_when_the_store_is_damaged_under_it(good_store: Path) -> None:
    at = open_page()
    assert table_ids(at) == GOOD_IDS
    garbage_meta(good_store)

    at.run()

    assert not at.exception
    assert table_ids(at) == GOOD_IDS
    assert "Still showing the last good catalog." in page_text(at)


def test_the_page_shows_a_store_from_an_older_version(catalog_dir: Path) -> None:
    write_older_store(catalog_dir, payloads.shape_2026()["data"])
    at = open_page()
    assert models_metric(at) == 10
    at.session_state["model"] = "deepseek/deepseek-v3.2"
    at.run()
    assert not at.exception
    assert "Live from OpenRouter" in page_text(at)


# -- directories that cannot be written ------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real, small tmpfs at `path` (root only); skips where this machine cannot mount one."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


@pytest.fixture
def read_only_live_store(
    tmp_path: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A real read-only directory holding a good live catalog; CATALOG_DIR points at it."""
    with tmpfs(tmp_path / "ro", "8m") as directory:
        monkeypatch.setenv("CATALOG_DIR", str(directory))
        stand_in.set_payload(GOOD)
        Catalog().refresh()
        remount_read_only(directory)
        yield directory


def test_a_real_read_only_directory_is_read_and_a_refresh_fails_in_a_sentence(
    read_only_live_store: Path, stand_in: StandIn
) -> None:
    before = kept_files(read_only_live_store)
    catalog = Catalog()
    assert frozenset(catalog.snapshot().models["id"]) == GOOD_IDS
    stand_in.set_payload(NEWER)

    with pytest.raises(StoreError, match="Read-only file system"):
        catalog.refresh()
    with pytest.raises(StoreError, match="Read-only file system"):
        catalog.reset()

    assert frozenset(catalog.snapshot().models["id"]) == GOOD_IDS
    assert kept_files(read_only_live_store) == before
    assert stand_in.models_requests == 1  # the lock failed first: nothing was fetched for nothing


def test_a_real_read_only_directory_with_a_damaged_store_keeps_the_damage_in_place(
    read_only_live_store: Path,
) -> None:
    subprocess.run(["mount", "-o", "remount,rw", str(read_only_live_store)], check=True)
    truncate_parquet(read_only_live_store)
    remount_read_only(read_only_live_store)
    before = kept_files(read_only_live_store)

    snapshot = Catalog().snapshot()

    assert snapshot.source == "defaults"
    assert snapshot.notice is not None
    assert snapshot.notice.startswith(
        "The stored catalog could not be read (models-000002.parquet is damaged"
    )
    assert "Read-only file system" in snapshot.notice
    assert kept_files(read_only_live_store) == before  # left where it was, untouched


def test_a_real_read_only_empty_directory_shows_the_defaults_without_saving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "ro-empty", "1m") as directory:
        remount_read_only(directory)
        monkeypatch.setenv("CATALOG_DIR", str(directory))
        snapshot = Catalog().snapshot()
        assert (snapshot.source, frozenset(snapshot.models["id"])) == ("defaults", DEFAULT_IDS)
        assert snapshot.notice is not None
        assert "Read-only file system; showing the bundled defaults without saving them" in snapshot.notice
        assert list(directory.iterdir()) == []


def test_the_page_on_a_real_read_only_directory_stays_usable(read_only_live_store: Path) -> None:
    at = open_page()
    assert table_ids(at) == GOOD_IDS
    at.button(key="refresh").click().run()
    assert not at.exception
    assert "Refresh failed: cannot lock" in page_text(at)
    assert "Read-only file system" in page_text(at)
    assert table_ids(at) == GOOD_IDS
    at.button(key="reset").click().run()
    at.button(key="reset_confirm").click().run()
    assert not at.exception
    assert "Reset failed" in page_text(at)
    assert table_ids(at) == GOOD_IDS


def fill(directory: Path) -> None:
    """Use up every free byte of the file system holding `directory`."""
    with open(directory / "filler", "wb", buffering=0) as handle:
        for block in (65536, 512, 1):
            with contextlib.suppress(OSError):
                while handle.write(b"\0" * block):
                    pass


def test_a_real_full_disk_fails_the_refresh_in_a_sentence_and_leaves_no_temp_file(
    tmp_path: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "full", "2m") as directory:
        monkeypatch.setenv("CATALOG_DIR", str(directory))
        stand_in.set_payload(GOOD)
        catalog = Catalog()
        catalog.refresh()
        fill(directory)
        before = kept_files(directory)
        stand_in.set_payload(payloads.catalog_of(400, prefix="big-"))

        with pytest.raises(StoreError, match="No space left on device"):
            catalog.refresh()

        assert frozenset(catalog.snapshot().models["id"]) == GOOD_IDS
        assert kept_files(directory) == before  # no temp file left behind, nothing changed
        assert frozenset(Catalog().snapshot().models["id"]) == GOOD_IDS
        (directory / "filler").unlink()
        assert catalog.refresh().snapshot.count == 400  # space again: the next refresh works


# The same failures injected at the write boundary: these run on any machine.

WRITE_FAILURES = {
    "read-only (create)": ("create", errno.EROFS),
    "read-only (replace)": ("replace", errno.EROFS),
    "disk full (parquet)": ("parquet", errno.ENOSPC),
    "disk full (replace)": ("replace", errno.ENOSPC),
}


@pytest.fixture
def failing_writes(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], None]:
    """Make writes into CATALOG_DIR fail the way the kernel would, at one boundary."""

    def arm(where: str, code: int) -> None:
        error = OSError(code, os.strerror(code))
        if where == "create":
            real_open = os.open

            def create(path: str | Path, flags: int, *args: int, **kwargs: object) -> int:
                if flags & os.O_CREAT and Path(path).parent == catalog_dir and TEMP_MARK in Path(path).name:
                    raise error
                return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(store_module.os, "open", create)
        elif where == "replace":
            real_replace = os.replace

            def replace(source: str, target: str | Path) -> None:
                if Path(target).parent == catalog_dir:
                    raise error
                real_replace(source, target)

            monkeypatch.setattr(store_module.os, "replace", replace)
        else:

            def write_table(table: object, path: str) -> None:
                Path(path).write_bytes(b"PAR1 half")
                raise error

            monkeypatch.setattr(store_module.pq, "write_table", write_table)

    return arm


@pytest.mark.parametrize("failure", list(WRITE_FAILURES))
def test_an_unwritable_store_fails_refresh_and_reset_in_a_sentence_and_changes_nothing(
    good_store: Path, stand_in: StandIn, failing_writes: Callable[[str, int], None], failure: str
) -> None:
    where, code = WRITE_FAILURES[failure]
    catalog = Catalog()
    catalog.snapshot()
    before = kept_files(good_store)
    failing_writes(where, code)
    stand_in.set_payload(NEWER)

    for action in (catalog.refresh, catalog.reset):
        with pytest.raises(StoreError) as caught:
            action()
        assert str(caught.value).startswith(f"cannot write {good_store}/")
        assert str(caught.value).endswith(os.strerror(code))

    assert frozenset(catalog.snapshot().models["id"]) == GOOD_IDS
    assert kept_files(good_store) == before


def test_damage_in_a_read_only_directory_stays_in_place_and_every_catalog_stays_usable(
    good_store: Path, failing_writes: Callable[[str, int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    long_lived = Catalog()
    long_lived.snapshot()
    garbage_meta(good_store)
    touch(good_store / META_NAME)
    failing_writes("replace", errno.EROFS)
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(good_store / "damaged"):  # nor can it take the damaged/ folder
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    before = kept_files(good_store)

    fresh = Catalog().snapshot()
    kept = long_lived.snapshot()

    assert (fresh.source, frozenset(fresh.models["id"])) == ("defaults", DEFAULT_IDS)
    assert (kept.source, frozenset(kept.models["id"])) == ("live", GOOD_IDS)
    for snapshot in (fresh, kept):
        assert snapshot.notice is not None
        assert snapshot.notice.startswith("The stored catalog could not be read (catalog.json is damaged")
        assert "nor set aside (cannot move the damaged files to" in snapshot.notice
    assert kept_files(good_store) == before
    assert long_lived.snapshot() is kept  # no new attempt on every rerun while nothing changes


def test_damage_in_a_full_directory_is_set_aside_and_every_catalog_stays_usable(
    good_store: Path, failing_writes: Callable[[str, int], None]
) -> None:
    long_lived = Catalog()
    long_lived.snapshot()
    garbage_meta(good_store)
    before = kept_files(good_store)
    failing_writes("create", errno.ENOSPC)  # a full disk still renames, but creates nothing

    fresh = Catalog().snapshot()
    kept = long_lived.snapshot()  # the store has gone from under it: it keeps what it had

    assert (fresh.source, frozenset(fresh.models["id"])) == ("defaults", DEFAULT_IDS)
    assert fresh.notice is not None
    assert fresh.notice.endswith("No space left on device; showing the bundled defaults without saving them")
    assert (kept.source, frozenset(kept.models["id"])) == ("live", GOOD_IDS)
    assert kept.notice is not None
    assert kept.notice.startswith("The stored catalog could not be read (catalog.json is missing)")
    assert_kept_aside(good_store, before, "catalog.json is damaged")


def test_a_directory_under_a_file_shows_the_defaults_and_refresh_fails_in_a_sentence(
    tmp_path: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CATALOG_DIR", str(blocker / "catalog"))
    catalog = Catalog()

    snapshot = catalog.snapshot()

    assert (snapshot.source, frozenset(snapshot.models["id"])) == ("defaults", DEFAULT_IDS)
    assert snapshot.notice == (
        f"cannot create {blocker / 'catalog'}: Not a directory; "
        "showing the bundled defaults without saving them"
    )
    with pytest.raises(CatalogError, match="Not a directory"):
        catalog.refresh()
    assert catalog.snapshot() is snapshot
    assert stand_in.models_requests == 0


def test_the_page_on_a_directory_under_a_file_stays_usable(
    tmp_path: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CATALOG_DIR", str(blocker / "catalog"))
    at = open_page()
    assert table_ids(at) == DEFAULT_IDS
    assert "showing the bundled defaults without saving them" in page_text(at)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert "Refresh failed: cannot create" in page_text(at)
    assert table_ids(at) == DEFAULT_IDS
