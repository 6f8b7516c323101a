"""The one interface of a catalog store, whatever holds it: a local directory or an S3 bucket.

`catalog.storage.store.Store` keeps the catalog in a directory (a file lock serialises writers);
`catalog.storage.s3.S3Store` keeps it under an `s3://bucket/prefix` (conditional writes make the
pointer a compare-and-swap register). `open_store` picks one from `CATALOG_DIR`.

Both store the same things under the same names: `catalog.json` (the pointer: metadata naming its
generation's files), `models-<generation>.parquet`, `endpoints-<generation>.parquet` (every
model's hosting providers), `history.json` and `history-log/` (the change history: a base and the
entries after it, see `catalog.history.document`), and `damaged/` for what could not be read.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from catalog import settings
from catalog.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd

    from catalog.storage.generation import StoredCatalog, StoredMeta

S3_SCHEME = "s3://"


@dataclass(frozen=True)
class Document:
    """A small JSON file of the store as read, and the version it was read at."""

    data: bytes
    version: Hashable


class WriteConflict(StoreError):
    """Another writer replaced the document since it was read: read it again and redo the change."""


class CatalogStore(Protocol):
    """What the Catalog and the change history need from a store."""

    location: str  # where it is, fit to show a user: a directory or s3://bucket/prefix/

    def stat_key(self) -> Hashable | None:
        """What changes whenever the pointer is replaced; a memory read or one `stat`."""

    def read_meta(self) -> StoredMeta | None:
        """The pointer's metadata; None when there is no catalog yet."""

    def read(self) -> tuple[StoredMeta, pd.DataFrame] | None:
        """The current (metadata, models) pair; None when there is no catalog yet."""

    def read_all(self) -> StoredCatalog | None:
        """The current generation: metadata, models and their hosting providers; None when there is none."""

    def read_endpoints(self, meta: StoredMeta) -> pd.DataFrame:
        """The providers table `meta` names (empty when it names none)."""

    def write_endpoints(self, endpoints: pd.DataFrame, *, fetched_at: datetime) -> StoredMeta:
        """Persist a new generation with these providers (the models unchanged), then point to it."""

    def locked(self) -> AbstractContextManager[None]:
        """Serialise this store's writers (every process of a directory; the threads of a process on S3)."""

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
        """Persist a new generation, then point to it; never overwrites another writer's pointer."""

    def move_aside(self, reason: str) -> str | Path | None:
        """Keep the damaged catalog under `damaged/`; where it went, or None when there was nothing."""

    def read_document(self, name: str) -> Document | None:
        """A small file of the store (`history.json`); None when absent."""

    def document_version(self, name: str) -> Hashable | None:
        """What changes whenever that file is replaced; a memory read or one `stat`."""

    def replace_json(self, name: str, payload: Any, *, replacing: Document | None) -> Hashable:
        """Replace a small JSON file (create it when `replacing` is None) and return its new version;
        WriteConflict when it is no longer the version `replacing` read."""

    def restore_document(self, name: str, previous: Document | None, *, written: Hashable) -> None:
        """Undo a replace_json that wrote version `written`: the file as `previous` read it, or none."""

    def create_document(self, name: str, data: bytes) -> Hashable:
        """Create a small file (`folder/name`) whole, only if that name is free, and return its
        version; WriteConflict when another writer took it."""

    def list_documents(self, folder: str) -> list[str]:
        """The files in a folder of the store, as names (`folder/name`), sorted."""

    def folder_version(self, folder: str) -> Hashable:
        """What changes whenever a file is created in or removed from the folder; a scandir of a
        small folder (on S3 a memory read: the poll lists it)."""

    def remove_documents(self, names: list[str]) -> None:
        """Remove files folded into a newer one (on S3, once no reader can still be reading them)."""

    def move_document_aside(self, name: str, reason: str) -> str | Path:
        """Keep a damaged small file under `damaged/`; the next replace_json replaces it."""


def default_location() -> str | Path | None:
    """`CATALOG_DIR` as set (a directory or s3://bucket/prefix), or None."""
    return settings.CATALOG_DIR.value()


def is_s3_location(location: str | os.PathLike[str] | None) -> bool:
    return isinstance(location, str) and location.startswith(S3_SCHEME)


def open_store(location: str | os.PathLike[str] | None = None) -> CatalogStore:
    """The store at `location` (default `CATALOG_DIR`): an S3 bucket for `s3://...`, else a directory."""
    if location is None:
        location = default_location()
    if is_s3_location(location):
        from catalog.storage.s3 import S3Store  # boto3 is imported only by those who use it

        return S3Store(str(location))
    from catalog.storage.store import Store

    return Store(location)
