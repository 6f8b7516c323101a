"""Persistence: a Parquet file of models plus a small JSON pointer, written atomically under a file lock.

Layout of a catalog directory:

    catalog.json             metadata; names the Parquet files of its own generation
    models-000042.parquet    the models of generation 42 (the previous generation is kept for readers)
    endpoints-000043.parquet every model's hosting providers, one row per model and provider; a
                             generation that changed only models or only providers names the
                             other table of an earlier generation
    .lock                    serialises writers across threads and processes
    damaged/                 unreadable files moved aside, never deleted

What a generation holds, how its metadata is checked and how an older version's tables are
rebuilt: `catalog.storage.generation`, shared with the S3 store.

A writer writes the new Parquet file under a new name, then replaces `catalog.json` in one
`os.replace`, so a reader sees the old set of files or the new one, never half a write or a mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_data_dir

from catalog import settings
from catalog.errors import StoreError
from catalog.fetch.endpoints import ENDPOINT_COLUMNS
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
from catalog.storage.generation import (
    ENDPOINTS_PATTERN,
    META_NAME,
    MODELS_PATTERN,
    SCHEMA_VERSION,
    StoreDamaged,
    StoredCatalog,
    StoredMeta,
    first_line,
    read_endpoints_of,
    read_generation,
)
from catalog.storage.interface import Document, WriteConflict

LOCK_NAME = ".lock"
DAMAGED_DIR = "damaged"
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
class StatKey:
    """What one `os.stat` of the metadata file tells: enough to notice any replace."""

    inode: int
    size: int
    mtime_ns: int


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
            raise StoreDamaged(f"{self.meta_path.name} is damaged ({first_line(error)})") from None

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
            raise StoreDamaged(f"{name} is damaged ({first_line(error)})") from None

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


def _crash_point(point: str) -> None:
    """Test hook: die at once, as under `kill -9`, when CATALOG_CRASH_AT names this point.

    Points: {models,catalog,history}_{temp_created,temp_written,written}: the temp file exists
    (empty), the temp file is complete and synced, the file is in place; `entry_written`: an entry
    of the change history's log is in place.
    """
    if CRASH_AT is not None and point == CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)
