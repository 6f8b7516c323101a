"""Persistence: a Parquet file of models plus a small JSON pointer, written atomically under a file lock.

Layout of a catalog directory:

    catalog.json             metadata; names the Parquet files of its own generation
    models-000042.parquet    the models of generation 42 (the previous generation is kept for readers)
    endpoints-000043.parquet every model's hosting providers, one row per model and provider; a
                             generation that changed only models or only providers names the
                             other table of an earlier generation
    .lock                    serialises writers across threads and processes
    damaged/                 unreadable files moved aside, never deleted

A store written by an older version (columns missing or of another type) is rebuilt on reading
from each model's raw JSON, which every version keeps; one that cannot be rebuilt is damaged.

A writer writes the new Parquet file under a new name, then replaces `catalog.json` in one
`os.replace`, so a reader sees the old set of files or the new one, never half a write or a mix.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_data_dir

from catalog import settings
from catalog.errors import StoreError
from catalog.fetch.endpoints import ENDPOINT_COLUMNS, endpoints_frame, rows_from_raw
from catalog.fetch.normalize import build_frame, normalize_models
from catalog.fetch.redact import without_credentials
from catalog.storage.files import (
    TEMP_MARK,
    create_entry,
    entry_names,
    folder_version,
    fsync_directory,
    json_bytes,
    new_temp_file,
    remove_entries,
    remove_quietly,
)
from catalog.storage.interface import Document, WriteConflict

SCHEMA_VERSION = 2
META_NAME = "catalog.json"
LOCK_NAME = ".lock"
DAMAGED_DIR = "damaged"
MODELS_PATTERN = re.compile(r"^models-(\d{6,12})\.parquet$")
MAX_GENERATION = 10**12 - 1  # the file name holds at most 12 digits
MAX_MODEL_COUNT = 10**8
MAX_ENDPOINTS = 10**9  # provider rows: a model has a few
ENDPOINTS_PATTERN = re.compile(r"^endpoints-(\d{6,12})\.parquet$")
TABLE_GLOBS = ("models-*.parquet", "endpoints-*.parquet")
LOCK_TIMEOUT_S = 120.0
# Test hook (tests/test_crash.py): SIGKILL this process at the named point of a write, e.g.
# `CATALOG_CRASH_AT=models_written` (see `_crash_point`). Read once; unset, it costs one comparison.
CRASH_AT = settings.CRASH_AT.value()


def default_directory() -> Path:
    """`CATALOG_DIR` when set, else the per-user data directory."""
    configured = settings.CATALOG_DIR.value()
    if isinstance(configured, str):
        raise StoreError(f"CATALOG_DIR is {configured!r}, not a directory")  # open_store() opens it
    if configured is not None:
        return configured
    return Path(user_data_dir("openrouter-catalog", appauthor=False))


@dataclass(frozen=True)
class StoredMeta:
    generation: int
    source: str  # "defaults" or "live"
    fetched_at: datetime | None
    count: int
    api_base: str | None
    models_file: str
    defaults_as_of: str | None
    problems: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION
    endpoints_file: str | None = None  # None until the first provider refresh
    endpoints_count: int = 0
    endpoints_fetched_at: datetime | None = None  # when the last provider refresh ended

    @property
    def table_files(self) -> set[str]:
        return {self.models_file, *([self.endpoints_file] if self.endpoints_file else [])}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "generation": self.generation,
            "source": self.source,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "count": self.count,
            "api_base": self.api_base,
            "models_file": self.models_file,
            "defaults_as_of": self.defaults_as_of,
            "problems": list(self.problems),
            "endpoints_file": self.endpoints_file,
            "endpoints_count": self.endpoints_count,
            "endpoints_fetched_at": self.endpoints_fetched_at.isoformat()
            if self.endpoints_fetched_at
            else None,
        }

    @classmethod
    def from_json(cls, payload: Any) -> StoredMeta:
        """The metadata in a parsed `catalog.json`; ValueError naming the first thing that is wrong.

        Every field is checked for type and range: a store that read as valid JSON but held
        `"generation": Infinity`, `1e300` or a time without a zone once failed every command.
        """
        if not isinstance(payload, dict):
            raise ValueError("metadata is not a JSON object")
        generation = _whole_number(payload.get("generation"), "generation", MAX_GENERATION)
        models_file = payload.get("models_file")
        if not isinstance(models_file, str) or not MODELS_PATTERN.match(models_file):
            raise ValueError(f"metadata names no models file ({str(models_file)[:80]!r})")
        source = payload.get("source")
        if source not in ("defaults", "live"):
            raise ValueError(f"unknown source {str(source)[:40]!r}")
        problems = payload.get("problems") or []
        if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
            raise ValueError("problems are not a list of texts")
        endpoints_file = payload.get("endpoints_file")
        if endpoints_file is not None and (
            not isinstance(endpoints_file, str) or not ENDPOINTS_PATTERN.match(endpoints_file)
        ):
            raise ValueError(f"metadata names no endpoints file ({endpoints_file!r})")
        endpoints_fetched_at = payload.get("endpoints_fetched_at")
        return cls(
            generation=generation,
            source=source,
            fetched_at=_aware_time(payload.get("fetched_at")),
            count=_whole_number(payload.get("count"), "count", MAX_MODEL_COUNT),
            api_base=_api_base(payload.get("api_base")),
            models_file=models_file,
            defaults_as_of=_optional_text(payload.get("defaults_as_of"), "defaults_as_of"),
            problems=tuple(problems),
            schema_version=_whole_number(payload.get("schema_version", 0), "schema_version", 10**6),
            endpoints_file=endpoints_file,
            endpoints_count=_whole_number(payload.get("endpoints_count", 0), "endpoint count", MAX_ENDPOINTS),
            endpoints_fetched_at=_aware_time(endpoints_fetched_at),
        )


def _whole_number(value: Any, name: str, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
        raise ValueError(f"{name} is not a whole number from 0 to {highest:,} ({str(value)[:40]})")
    return value


def _aware_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"fetched_at is not a time ({str(value)[:40]})")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"fetched_at is not an ISO-8601 time ({value[:40]!r})") from None
    if moment.tzinfo is None:
        raise ValueError(f"fetched_at has no time zone ({value[:40]!r})")
    return moment.astimezone(UTC)


def _api_base(value: Any) -> str | None:
    # A store written before credentials were masked may hold them: never show them.
    text = _optional_text(value, "api_base")
    return without_credentials(text) if text else text


def _optional_text(value: Any, name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        raise ValueError(f"{name} is not a text")
    return value


@dataclass(frozen=True)
class StatKey:
    """What one `os.stat` of the metadata file tells: enough to notice any replace."""

    inode: int
    size: int
    mtime_ns: int


class StoreDamaged(StoreError):
    """The stored catalog cannot be read."""


class StoredCatalog(NamedTuple):
    """One generation as stored: its metadata, its models and its models' providers."""

    meta: StoredMeta
    models: pd.DataFrame
    endpoints: pd.DataFrame


class Store:
    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.location = str(self.directory)
        self.meta_path = self.directory / META_NAME
        self._lock = filelock.FileLock(str(self.directory / LOCK_NAME), timeout=LOCK_TIMEOUT_S)

    # -- reading -------------------------------------------------------------------------------

    def stat_key(self) -> StatKey | None:
        """The metadata file's identity, at the cost of one stat; None when there is no store."""
        try:
            st = os.stat(self.meta_path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return StatKey(st.st_ino, st.st_size, st.st_mtime_ns)

    def read_meta(self) -> StoredMeta | None:
        """The current metadata; None when the directory holds no catalog yet."""
        try:
            text = self.meta_path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except UnicodeDecodeError:
            raise StoreDamaged(f"{self.meta_path.name} is damaged (not UTF-8 text)") from None
        except OSError as error:
            raise StoreDamaged(f"cannot read {self.meta_path}: {error.strerror or error}") from None
        try:
            return StoredMeta.from_json(json.loads(text))
        except (ValueError, RecursionError) as error:
            raise StoreDamaged(f"{self.meta_path.name} is damaged ({_first_line(error)})") from None

    def read(self) -> tuple[StoredMeta, pd.DataFrame] | None:
        """The current (metadata, models) pair; None when there is no store yet."""
        stored = self._read(with_endpoints=False)
        return (stored.meta, stored.models) if stored is not None else None

    def read_all(self) -> StoredCatalog | None:
        """The current generation: metadata, models and endpoints; None when there is no store yet."""
        return self._read(with_endpoints=True)

    def _read(self, with_endpoints: bool) -> StoredCatalog | None:
        stored = read_generation(self.read_meta, self._read_table, with_endpoints)
        if stored is None and (orphans := sorted(p.name for p in self.directory.glob("models-*.parquet"))):
            # Never read as "no store yet": the next write would delete these models.
            raise StoreDamaged(f"{META_NAME} is missing but {orphans[-1]} is there")
        return stored

    def read_endpoints(self, meta: StoredMeta) -> pd.DataFrame:
        """The providers table `meta` names; empty when it names none."""
        return read_endpoints_of(meta, self._read_table)

    def _read_table(self, name: str) -> pd.DataFrame:
        try:
            # Read by path: reading Parquet from file objects was seen to abort pyarrow at exit.
            return pq.read_table(self.directory / name).to_pandas()
        except FileNotFoundError:
            raise
        except (OSError, pa.ArrowException) as error:
            raise StoreDamaged(f"{name} is damaged ({_first_line(error)})") from None

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the writers' lock (re-entrant within a thread)."""
        self._ensure_directory()
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreError(
                f"another process has held {self.directory / LOCK_NAME} for over {LOCK_TIMEOUT_S:g} s"
            ) from None
        except OSError as error:  # e.g. a read-only directory cannot hold the lock file
            raise StoreError(f"cannot lock {self.directory}: {error.strerror or error}") from None
        try:
            yield
        finally:
            self._lock.release()

    def write(
        self,
        frame: pd.DataFrame,
        *,
        source: str,
        fetched_at: datetime | None,
        api_base: str | None,
        defaults_as_of: str | None,
        problems: list[str] | tuple[str, ...] = (),
    ) -> StoredMeta:
        """Persist a new generation of models atomically and return its metadata.

        The providers of the previous generation stay named (the models' refresh does not fetch them).
        """
        with self.locked():
            previous, generation = self._start_generation()
            models_file = f"models-{generation:06d}.parquet"
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._atomic_write(models_file, lambda path: pq.write_table(table, path))
            meta = StoredMeta(
                generation=generation,
                source=source,
                fetched_at=fetched_at,
                count=len(frame),
                api_base=api_base,
                models_file=models_file,
                defaults_as_of=defaults_as_of,
                problems=tuple(problems[:50]),
                endpoints_file=previous.endpoints_file if previous else None,
                endpoints_count=previous.endpoints_count if previous else 0,
                endpoints_fetched_at=previous.endpoints_fetched_at if previous else None,
            )
            return self._finish_generation(meta, previous)

    def write_endpoints(self, endpoints: pd.DataFrame, *, fetched_at: datetime) -> StoredMeta:
        """Persist a new generation whose providers are `endpoints` (models unchanged), atomically."""
        with self.locked():
            previous, generation = self._start_generation()
            if previous is None:
                raise StoreError("there is no stored catalog to add providers to")
            endpoints_file = f"endpoints-{generation:06d}.parquet"
            table = pa.Table.from_pandas(endpoints[ENDPOINT_COLUMNS], preserve_index=False)
            self._atomic_write(endpoints_file, lambda path: pq.write_table(table, path))
            meta = replace(
                previous,
                generation=generation,
                endpoints_file=endpoints_file,
                endpoints_count=len(endpoints),
                endpoints_fetched_at=fetched_at,
                schema_version=SCHEMA_VERSION,
            )
            return self._finish_generation(meta, previous)

    def _start_generation(self) -> tuple[StoredMeta | None, int]:
        """The current metadata and the next generation number, after clearing what dead writers left."""
        previous = self._read_meta_or_none()
        generation = max(previous.generation if previous else 0, self._highest_file_generation()) + 1
        self._remove_leftover_temp_files()
        if previous is not None:
            # Table files newer than catalog.json were never named by it: a dead writer's.
            keep = {*self._generations_up_to(previous.generation), *previous.table_files}
            self._remove_old_generations(keep=keep)
        return previous, generation

    def _finish_generation(self, meta: StoredMeta, previous: StoredMeta | None) -> StoredMeta:
        text = json.dumps(meta.to_json(), indent=1)
        self._atomic_write(META_NAME, lambda path: Path(path).write_text(text, encoding="utf-8"))
        # Readers may still be on the previous generation: its files stay until the next write.
        self._remove_old_generations(keep=meta.table_files | (previous.table_files if previous else set()))
        return meta

    def read_document(self, name: str) -> Document | None:
        """A small file of the store; None when absent."""
        path = self.directory / name
        version = self.document_version(name)
        try:
            return Document(path.read_bytes(), version)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise StoreError(f"cannot read {path}: {error.strerror or error}") from None

    def document_version(self, name: str) -> tuple[int, int, int] | None:
        """The file's identity, at the cost of one stat; None when absent."""
        try:
            st = os.stat(self.directory / name)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def write_json(self, name: str, payload: Any) -> None:
        """Atomically replace a small JSON file of the store (caller holds the lock)."""
        self._atomic_write(name, lambda path: Path(path).write_bytes(json_bytes(payload)))

    def write_text(self, name: str, text: str) -> None:
        """Atomically replace a small text file of the store (caller holds the lock)."""
        self._atomic_write(name, lambda path: Path(path).write_text(text, encoding="utf-8"))

    def replace_json(self, name: str, payload: Any, *, replacing: Document | None) -> Hashable:
        """Replace a small JSON file read as `replacing`: the caller holds the lock, so no one else did."""
        self.write_json(name, payload)
        return self.document_version(name)

    def restore_document(self, name: str, previous: Document | None, *, written: Hashable) -> None:
        """Undo a replace_json (caller holds the lock): put back the file as read, or remove it."""
        if previous is None:
            remove_quietly(self.directory / name)
        else:
            self._atomic_write(name, lambda path: Path(path).write_bytes(previous.data))

    def create_document(self, name: str, data: bytes) -> Hashable:
        """Create a small file whole, only if the name is free (caller holds the lock); WriteConflict
        when it is taken."""
        try:
            create_entry(self.directory, name, data)
        except FileExistsError:
            raise WriteConflict(f"{self.directory / name} was created by another writer") from None
        except OSError as error:
            raise StoreError(f"cannot write {self.directory / name}: {error.strerror or error}") from None
        _crash_point("entry_written")
        return self.document_version(name)

    def list_documents(self, folder: str) -> list[str]:
        return entry_names(self.directory, folder)

    def folder_version(self, folder: str) -> Hashable:
        return folder_version(os.path.join(self.location, folder))  # runs on every rerun: no Path

    def remove_documents(self, names: list[str]) -> None:
        """Remove files folded into a newer one (caller holds the lock)."""
        remove_entries(self.directory, names)

    def move_document_aside(self, name: str, reason: str) -> Path:
        """Move a damaged small file into `damaged/<stem>-<time>/` (caller holds the lock)."""
        stem, base_name = name.replace("/", "-").partition(".")[0], name.rpartition("/")[2]
        target = self.damaged_folder(datetime.now(UTC).strftime(f"{stem}-%Y%m%dT%H%M%S%fZ"))
        try:
            os.replace(self.directory / name, target / base_name)
            (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
        except OSError as error:
            raise StoreError(f"cannot move the damaged {name} aside: {error.strerror or error}") from None
        return target

    def move_aside(self, reason: str) -> Path | None:
        """Move the store's damaged files into `damaged/<time>/` (kept, not deleted)."""
        with self.locked():
            tables = (p.name for pattern in TABLE_GLOBS for p in self.directory.glob(pattern))
            names = [META_NAME, *tables]
            present = [n for n in names if (self.directory / n).exists()]
            if not present:
                return None
            target = self.damaged_folder(datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"))
            try:
                for name in present:
                    os.replace(self.directory / name, target / name)
                (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
            except OSError as error:
                raise StoreError(
                    f"cannot move the damaged files to {target}: {error.strerror or error}"
                ) from None
            fsync_directory(self.directory)
            return target

    def damaged_folder(self, name: str) -> Path:
        """A new folder `damaged/<name>` inside the directory, for files set aside.

        `damaged/` must be a real folder of the directory: a link there would take the user's files
        somewhere else, so it is never followed.
        """
        damaged = self.directory / DAMAGED_DIR
        try:
            damaged.mkdir(exist_ok=True)
            if damaged.is_symlink() or not damaged.is_dir():
                raise StoreError(
                    f"{damaged} is not a folder of the catalog (a link?); nothing is moved there"
                )
            target = damaged / name
            target.mkdir()
        except FileExistsError:
            raise StoreError(f"{damaged} is not a folder of the catalog; nothing is moved there") from None
        except OSError as error:
            raise StoreError(
                f"cannot move the damaged files to {damaged / name}: {error.strerror or error}"
            ) from None
        return target

    # -- internals -----------------------------------------------------------------------------

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {self.directory}: {error.strerror or error}") from None

    def _read_meta_or_none(self) -> StoredMeta | None:
        try:
            return self.read_meta()
        except StoreDamaged:
            return None

    def _highest_file_generation(self) -> int:
        highest = 0
        # Count the files moved aside too: a reused generation would look unchanged to a reader.
        paths = [
            path
            for pattern in TABLE_GLOBS
            for path in [*self.directory.glob(pattern), *self.directory.glob(f"{DAMAGED_DIR}/*/{pattern}")]
        ]
        for path in paths:
            match = MODELS_PATTERN.match(path.name) or ENDPOINTS_PATTERN.match(path.name)
            if match:
                highest = max(highest, int(match.group(1)))
        # And the generation a moved-aside catalog.json names, even when its models file was lost.
        for path in self.directory.glob(f"{DAMAGED_DIR}/*/{META_NAME}"):
            with contextlib.suppress(OSError):
                text = path.read_bytes()[:4096].decode("utf-8", "replace")
                found = re.findall(r'"generation"\s*:\s*(\d{1,12})\b|models-(\d{6,12})\.parquet', text)
                highest = max([highest, *(int(a or b) for a, b in found)])
        return highest

    def _atomic_write(self, name: str, write: Any) -> None:
        """Write to a temp file in the same directory, fsync, then os.replace onto `name`."""
        kind = name.partition("-")[0].partition(".")[0]  # "models", "catalog" or "history"
        try:
            temp = new_temp_file(self.directory, f".{name}{TEMP_MARK}")
        except OSError as error:  # a read-only or full directory
            raise StoreError(f"cannot write {self.directory / name}: {error.strerror or error}") from None
        try:
            _crash_point(f"{kind}_temp_created")
            write(temp)
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
            _crash_point(f"{kind}_temp_written")
            os.replace(temp, self.directory / name)
            fsync_directory(self.directory)
            _crash_point(f"{kind}_written")
        except OSError as error:
            remove_quietly(temp)
            raise StoreError(f"cannot write {self.directory / name}: {error.strerror or error}") from None
        except BaseException:
            remove_quietly(temp)
            raise

    def _remove_leftover_temp_files(self) -> None:
        # Writers hold the lock, so any temp file seen now was left by a writer that died.
        for path in self.directory.glob(f".*{TEMP_MARK}*"):
            remove_quietly(path)

    def _generations_up_to(self, generation: int) -> list[str]:
        names = (p.name for pattern in TABLE_GLOBS for p in self.directory.glob(pattern))
        return [
            n
            for n in names
            if (m := MODELS_PATTERN.match(n) or ENDPOINTS_PATTERN.match(n)) and int(m.group(1)) <= generation
        ]

    def _remove_old_generations(self, keep: set[str]) -> None:
        for pattern in TABLE_GLOBS:
            for path in self.directory.glob(pattern):
                if path.name not in keep:
                    remove_quietly(path)


def _upgraded(meta: StoredMeta, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in this version's columns and types, rebuilt from raw JSON if an older version wrote it."""
    expected = _expected_dtypes()
    actual = dict(zip(frame.columns, frame.dtypes, strict=True))
    if len(actual) == len(frame.columns) and all(
        name in actual and actual[name] == dtype for name, dtype in expected.items()
    ):
        return frame if list(actual) == list(expected) else frame[list(expected)]
    which = "an older" if meta.schema_version < SCHEMA_VERSION else "another"
    written_by = f"written by {which} version (schema {meta.schema_version})"
    if "raw_json" not in frame.columns:
        raise StoreDamaged(f"{meta.models_file} is {written_by} and keeps no raw JSON to rebuild it from")
    try:
        raws = [json.loads(text) for text in frame["raw_json"]]
    except (TypeError, ValueError, RecursionError):
        raise StoreDamaged(f"{meta.models_file} is {written_by} and its raw JSON is unreadable") from None
    rebuilt = normalize_models(raws).frame
    if len(rebuilt) != len(frame):
        rebuilt_count = f"only {len(rebuilt)} of its {len(frame)} models could be rebuilt"
        raise StoreDamaged(f"{meta.models_file} is {written_by}; {rebuilt_count}")
    return rebuilt


@functools.cache
def _expected_dtypes() -> dict[str, Any]:
    return dict(build_frame([]).dtypes.items())


def _upgraded_endpoints(meta: StoredMeta, frame: pd.DataFrame) -> pd.DataFrame:
    """The endpoints table in this version's columns and types, rebuilt from raw JSON if need be."""
    expected = _expected_endpoint_dtypes()
    actual = dict(zip(frame.columns, frame.dtypes, strict=True))
    if all(name in actual and actual[name] == dtype for name, dtype in expected.items()):
        return frame if list(actual) == list(expected) else frame[list(expected)]
    if not {"model_id", "raw_json", "fetched_at"} <= set(frame.columns):
        raise StoreDamaged(f"{meta.endpoints_file} keeps no raw JSON to rebuild its providers from")
    try:
        rows = [
            rows_from_raw(str(model_id), str(raw), pd.Timestamp(at).to_pydatetime())
            for model_id, raw, at in zip(
                frame["model_id"], frame["raw_json"], frame["fetched_at"], strict=True
            )
        ]
    except (TypeError, ValueError):
        raise StoreDamaged(f"{meta.endpoints_file}'s raw JSON is unreadable") from None
    return endpoints_frame(rows)


@functools.cache
def _expected_endpoint_dtypes() -> dict[str, Any]:
    return dict(endpoints_frame([]).dtypes.items())


def _crash_point(point: str) -> None:
    """Test hook: die at once, as under `kill -9`, when CATALOG_CRASH_AT names this point.

    Points: {models,catalog,history}_{temp_created,temp_written,written}: the temp file exists
    (empty), the temp file is complete and synced, the file is in place; `entry_written`: an entry
    of the change history's log is in place.
    """
    if CRASH_AT is not None and point == CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _from_iso(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def read_generation(
    read_meta: Callable[[], StoredMeta | None],
    read_table: Callable[[str], pd.DataFrame],
    with_endpoints: bool,
) -> StoredCatalog | None:
    """The generation the pointer names, checked against it; read again when a writer replaced it meanwhile.

    Shared by every backend: `read_table` raises FileNotFoundError for a file that is gone.
    """
    missing = "a file"
    for _ in range(5):
        meta = read_meta()
        if meta is None:
            return None
        missing = "a models file"
        try:
            frame = read_table(meta.models_file)
            missing = "an endpoints file"
            wanted = with_endpoints and meta.endpoints_file
            endpoints = read_table(meta.endpoints_file) if wanted else endpoints_frame([])
        except FileNotFoundError:
            continue  # a writer replaced the set meanwhile: read the new one
        if len(frame) != meta.count:
            raise StoreDamaged(f"{meta.models_file} has {len(frame)} models, metadata says {meta.count}")
        if with_endpoints and meta.endpoints_file and len(endpoints) != meta.endpoints_count:
            raise StoreDamaged(
                f"{meta.endpoints_file} has {len(endpoints)} rows, metadata says {meta.endpoints_count}"
            )
        return StoredCatalog(meta, _upgraded(meta, frame), _upgraded_endpoints(meta, endpoints))
    raise StoreDamaged(f"{META_NAME} names {missing} that does not exist")


def read_endpoints_of(meta: StoredMeta, read_table: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """The providers table `meta` names; empty when it names none."""
    if not meta.endpoints_file:
        return endpoints_frame([])
    try:
        frame = read_table(meta.endpoints_file)
    except FileNotFoundError:
        raise StoreDamaged(f"{meta.endpoints_file} is missing") from None
    return _upgraded_endpoints(meta, frame)
