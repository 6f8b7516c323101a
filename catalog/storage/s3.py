"""The catalog on S3-compatible object storage (AWS S3, Cloudflare R2, MinIO, ...), shared by replicas.

Under `s3://bucket/prefix/` the objects have the names a directory store's files have:

    catalog.json             the pointer: metadata naming its generation's files
    models-000042.parquet    immutable: created once (If-None-Match: *), never replaced
    endpoints-000043.parquet the providers, likewise; a generation that changed only one table
                             names the other of an earlier generation
    history.json             the change history's base
    history-log/<number>.json  its entries after the base, each created once (If-None-Match: *)
    damaged/<time>/          copies of what could not be read

A writer creates its generation's files first, under a generation no one has used, then replaces
`catalog.json` with a conditional write on the ETag it read it at (`If-Match`). A writer that lost
the race reads the pointer again and writes the next generation: no write is ever overwritten, and
a reader sees the old pointer or the new one, each naming whole files. The history is written the
same way (`catalog.history.document`: an entry under the next free number, a base replaced with
If-Match); its entries folded into a base are deleted after `GENERATION_GRACE_S` too.

Generation files no longer pointed to are deleted by a later write, once the pointer that replaced
them has been in place for `GENERATION_GRACE_S`: a reader that read an older pointer moments ago
finishes its download.

Readers never wait for the network: a thread polls the pointer's and the history's ETags (HEAD,
and a LIST of the history's log) every `CATALOG_POLL_S` seconds (`catalog.settings`), and
`stat_key()` returns the last one seen.

Endpoint from `AWS_ENDPOINT_URL`, credentials from the standard AWS chain (environment, shared
files, instance roles); neither is logged or stored.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import botocore.exceptions
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from catalog import settings
from catalog.errors import StoreError, StoreUnavailable
from catalog.fetch.endpoints import ENDPOINT_COLUMNS
from catalog.storage.files import json_bytes
from catalog.storage.generation import (
    META_NAME,
    SCHEMA_VERSION,
    StoreDamaged,
    StoredCatalog,
    StoredMeta,
    first_line,
    read_endpoints_of,
    read_generation,
)
from catalog.storage.interface import Document, WriteConflict
from catalog.storage.s3parts import S3Location, Upload, make_clients
from catalog.storage.store import DAMAGED_DIR, _crash_point

GENERATION_FILE = re.compile(r"^(?:models|endpoints)-(\d{6,})\.parquet$")
HISTORY_NAME = "history.json"  # followed by the poll beside the pointer (written by catalog.history.document)
HISTORY_LOG = "history-log"  # the history's entries after it: listed by the poll
GENERATION_GRACE_S = 300.0  # an unpointed generation outlives the pointer that replaced it this long
MAX_WRITE_ATTEMPTS = 100  # rounds lost to other writers before a write gives up: each lost round is
# another writer's success, so only a writer starved while many others land gets this far
MAX_PARQUET_BYTES = 1 << 30
MAX_DOCUMENT_BYTES = 256 << 20
UNREACHABLE = "unreachable"  # the poll's version while the store does not answer
_TIMEOUTS = (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError)


@dataclass(frozen=True)
class _Pointer:
    """`catalog.json` as read: its metadata (None when damaged), ETag and time of writing."""

    meta: StoredMeta | None
    etag: str | None
    written_at: datetime | None
    damage: str | None = None
    text: str = ""


class S3Store:
    """A catalog under s3://bucket/prefix/; see the module's docstring for the protocol."""

    def __init__(self, location: str, *, poll_s: float | None = None) -> None:
        self.where = S3Location.parse(location)
        self.location = str(self.where)
        self.poll_s = poll_s if poll_s is not None else settings.POLL_S.value()
        self.grace_s = GENERATION_GRACE_S
        self._reads, self._writes = make_clients()
        self._lock = threading.RLock()
        self._versions: dict[str, Hashable | None] = {}
        # Before the first read or poll: a version equal to no other (a reader's cache of another
        # store object at this location must not be taken as current).
        self._unseen = object()
        self._tables: dict[str, pd.DataFrame] = {}  # the last models and providers read, by name
        self._poller: threading.Thread | None = None
        self._poller_lock = threading.Lock()

    # -- following the pointer -------------------------------------------------------------------

    def stat_key(self) -> Hashable | None:
        """The pointer's ETag as last seen (a memory read); the poll keeps it current."""
        self._ensure_polling()
        return self._versions.get(META_NAME, self._unseen)

    def document_version(self, name: str) -> Hashable | None:
        self._ensure_polling()
        return self._versions.get(name, self._unseen)

    def folder_version(self, folder: str) -> Hashable:
        self._ensure_polling()
        return self._versions.get(folder, self._unseen)

    def poll(self) -> None:
        """HEAD the pointer and the history, LIST the history's log: what `stat_key()`,
        `document_version()` and `folder_version()` return next."""
        try:
            versions = {name: self._head(name) for name in (META_NAME, HISTORY_NAME)}
            self.list_documents(HISTORY_LOG)
        except StoreUnavailable:
            # A version of its own: the Catalog reads once more, and says why when that fails too.
            for name in (META_NAME, HISTORY_NAME, HISTORY_LOG):
                self._versions[name] = UNREACHABLE
            return
        self._versions.update(versions)

    def list_documents(self, folder: str) -> list[str]:
        objects, _ = self._list(f"{folder}/")
        found = sorted((item["Key"][len(self.where.prefix) :], item.get("ETag")) for item in objects)
        self._versions[folder] = tuple(found)
        return [name for name, _ in found if not name.rpartition("/")[2].startswith(".")]

    def create_document(self, name: str, data: bytes) -> Hashable:
        """Create an object only if the name is free (If-None-Match: *); WriteConflict when taken."""
        _crash_point("entry_upload_started")
        try:
            response = self._call(self._writes.put_object, name, Body=data, IfNoneMatch="*")
        except WriteConflict:
            raise WriteConflict(f"{self.location}{name} was created by another writer") from None
        _crash_point("entry_written")
        return response["ETag"]

    def remove_documents(self, names: list[str]) -> None:
        """Delete the named objects once they are `grace_s` old: a replica that listed them moments
        ago may still be reading them, or, having read an older base, about to create one of their
        names again (it would be taken then, and that replica reads again)."""
        wanted = set(names)
        folders = {name.rpartition("/")[0] for name in names}
        for folder in folders:
            try:
                objects, server_now = self._list(f"{folder}/")
            except StoreError:
                return  # the next fold removes them
            for item in objects:
                name = item["Key"][len(self.where.prefix) :]
                written_at = item.get("LastModified")
                if (
                    name in wanted
                    and server_now
                    and written_at
                    and (server_now - written_at).total_seconds() >= self.grace_s
                ):
                    self._delete_quietly(name)

    def _ensure_polling(self) -> None:
        if self._poller is not None:
            return
        with self._poller_lock:
            if self._poller is None:
                self._poller = threading.Thread(
                    target=_poll_while_alive,
                    args=(weakref.ref(self), self.poll_s),
                    name=f"catalog-poll {self.location}",
                    daemon=True,
                )
                self._poller.start()

    # -- reading -------------------------------------------------------------------------------

    def read_meta(self) -> StoredMeta | None:
        pointer = self._read_pointer()
        if pointer.damage:
            raise StoreDamaged(pointer.damage)
        return pointer.meta

    def read(self) -> tuple[StoredMeta, pd.DataFrame] | None:
        stored = self._read(with_endpoints=False)
        return (stored.meta, stored.models) if stored is not None else None

    def read_all(self) -> StoredCatalog | None:
        return self._read(with_endpoints=True)

    def read_endpoints(self, meta: StoredMeta) -> pd.DataFrame:
        """The providers table `meta` names; empty when it names none."""
        return read_endpoints_of(meta, self._read_table)

    def _read(self, with_endpoints: bool) -> StoredCatalog | None:
        # Generation files without a pointer are a writer's in flight (or a dead one's): no store yet.
        return read_generation(self.read_meta, self._read_table, with_endpoints)

    def write_endpoints(self, endpoints: pd.DataFrame, *, fetched_at: datetime) -> StoredMeta:
        """Create the providers table of a new generation, then point to it with the models the
        pointer read names (If-Match): a models refresh meanwhile is kept, and these are its providers."""

        def meta_of(previous: StoredMeta | None, generation: int) -> StoredMeta:
            if previous is None:
                raise StoreError("there is no stored catalog to add providers to")
            return replace(
                previous,
                generation=generation,
                endpoints_file=f"endpoints-{generation:06d}.parquet",
                endpoints_count=len(endpoints),
                endpoints_fetched_at=fetched_at,
                schema_version=SCHEMA_VERSION,
            )

        return self._commit("endpoints", _parquet_bytes(endpoints[ENDPOINT_COLUMNS]), meta_of)

    def read_document(self, name: str) -> Document | None:
        try:
            response = self._call(self._reads.get_object, name)
        except FileNotFoundError:
            self._versions[name] = None
            return None
        data = self._body(response, name, MAX_DOCUMENT_BYTES)
        self._versions[name] = response["ETag"]
        return Document(data, response["ETag"])

    def _read_pointer(self) -> _Pointer:
        try:
            response = self._call(self._reads.get_object, META_NAME)
        except FileNotFoundError:
            self._versions[META_NAME] = None
            return _Pointer(None, None, None)
        data = self._body(response, META_NAME, MAX_DOCUMENT_BYTES)
        etag, written_at = response["ETag"], response.get("LastModified")
        self._versions[META_NAME] = etag
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _Pointer(None, etag, written_at, f"{META_NAME} is damaged (not UTF-8 text)")
        try:
            return _Pointer(StoredMeta.from_json(json.loads(text)), etag, written_at, text=text)
        except (ValueError, KeyError, TypeError) as error:
            return _Pointer(None, etag, written_at, f"{META_NAME} is damaged ({error})", text)

    def _read_table(self, name: str) -> pd.DataFrame:
        """A generation file as a frame; FileNotFoundError when absent, StoreDamaged when unreadable."""
        if name in self._tables:
            return self._tables[name]  # generation files are immutable
        response = self._call(self._reads.get_object, name)
        # Read by path: reading Parquet from a buffer was seen to abort pyarrow at exit.
        with tempfile.TemporaryDirectory(prefix="catalog-") as scratch:
            path = os.path.join(scratch, name)
            with open(path, "wb") as file:
                file.write(self._body(response, name, MAX_PARQUET_BYTES))
            try:
                frame = pq.read_table(path).to_pandas()
            except (OSError, pa.ArrowException) as error:
                raise StoreDamaged(f"{name} is damaged ({first_line(error)})") from None
        kind = name.partition("-")[0]
        self._tables = {**{n: f for n, f in self._tables.items() if not n.startswith(kind)}, name: frame}
        return frame

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise this process's writers; other replicas are kept apart by conditional writes."""
        with self._lock:
            yield

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
        """Create the models of a new generation, then swap the pointer to them (If-Match)."""

        def meta_of(previous: StoredMeta | None, generation: int) -> StoredMeta:
            return StoredMeta(
                generation=generation,
                source=source,
                fetched_at=fetched_at,
                count=len(frame),
                api_base=api_base,
                models_file=f"models-{generation:06d}.parquet",
                defaults_as_of=defaults_as_of,
                problems=tuple(problems[:50]),
                # The providers stay those the pointer names (a models refresh does not fetch them).
                endpoints_file=previous.endpoints_file if previous else None,
                endpoints_count=previous.endpoints_count if previous else 0,
                endpoints_fetched_at=previous.endpoints_fetched_at if previous else None,
            )

        return self._commit("models", _parquet_bytes(frame), meta_of)

    def _commit(
        self, kind: str, body: bytes, meta_of: Callable[[StoredMeta | None, int], StoredMeta]
    ) -> StoredMeta:
        """Create `<kind>-<generation>.parquet` under a generation no one has used, then point to the
        metadata `meta_of` builds from the pointer read; a lost race is retried as the next generation."""
        taken = 0  # generations found used while trying
        with self._lock:
            for attempt in range(MAX_WRITE_ATTEMPTS):
                previous = self._read_pointer()
                highest = previous.meta.generation if previous.meta else self._highest_generation(previous)
                generation = max(highest, taken) + 1
                name = f"{kind}-{generation:06d}.parquet"
                if not self._create(name, body, kind):
                    taken = generation  # another writer's, in flight or dead
                    continue
                meta = meta_of(previous.meta, generation)
                text = json.dumps(meta.to_json(), indent=1).encode("utf-8")
                if self._swap(META_NAME, text, previous.etag, "catalog"):
                    self._collect_garbage(previous, meta)
                    return meta
                self._delete_quietly(name)  # never pointed to, and never will be
                taken = generation
                _back_off(attempt)
        raise StoreError(
            f"{self.location}{META_NAME} was replaced by other writers {MAX_WRITE_ATTEMPTS} times in a row"
        )

    def replace_json(self, name: str, payload: Any, *, replacing: Document | None) -> Hashable:
        etag = str(replacing.version) if replacing is not None else None
        if not self._swap(name, json_bytes(payload), etag, name.partition(".")[0]):
            raise WriteConflict(f"{self.location}{name} was replaced by another writer")
        return self._versions[name]

    def restore_document(self, name: str, previous: Document | None, *, written: Hashable) -> None:
        """Put back what `previous` read, only if the object is still the version written (else
        another writer has replaced it since, and theirs stays)."""
        with contextlib.suppress(WriteConflict, FileNotFoundError):
            if previous is None:
                self._call(self._writes.delete_object, name, IfMatch=str(written))
                self._versions[name] = None
            else:
                self._swap(name, previous.data, str(written), name.partition(".")[0])

    def move_aside(self, reason: str) -> str | None:
        """Copy the pointer and its models under `damaged/<time>/`; the next write replaces them."""
        with self._lock:
            names = [META_NAME]
            with contextlib.suppress(StoreError):
                if (meta := self.read_meta()) is not None:
                    names += sorted(meta.table_files)
            return self._copy_aside(names, datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"), reason)

    def move_document_aside(self, name: str, reason: str) -> str:
        stem = name.replace("/", "-").partition(".")[0]
        stamp = datetime.now(UTC).strftime(f"{stem}-%Y%m%dT%H%M%S%fZ")
        target = self._copy_aside([name], stamp, reason)
        if target is None:
            raise StoreError(f"cannot move the damaged {name} aside: it is gone")
        if "/" in name:  # an entry of the history's log: read as long as it is there
            self._delete_quietly(name)
        return target

    # -- internals -----------------------------------------------------------------------------

    def _create(self, name: str, body: bytes, kind: str) -> bool:
        """Create an object that must not exist yet; False when it does."""
        _crash_point(f"{kind}_upload_started")
        stream = Upload(body, f"{kind}_uploading")
        try:
            self._call(self._writes.put_object, name, Body=stream, IfNoneMatch="*")
        except WriteConflict:
            return False
        _crash_point(f"{kind}_written")
        return True

    def _swap(self, name: str, body: bytes, etag: str | None, kind: str) -> bool:
        """Replace an object only if it is still at `etag` (create it only if absent when None)."""
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        _crash_point(f"{kind}_upload_started")
        try:
            response = self._call(self._writes.put_object, name, Body=body, **condition)
        except WriteConflict:
            return False
        self._versions[name] = response["ETag"]
        _crash_point(f"{kind}_written")
        return True

    def _head(self, name: str) -> str | None:
        try:
            return self._call(self._reads.head_object, name)["ETag"]
        except FileNotFoundError:
            return None

    def _list(self, under: str = "") -> tuple[list[dict[str, Any]], datetime | None]:
        """Every object under the prefix (+ `under`), and the server's time of the last answer."""
        found: list[dict[str, Any]] = []
        server_now = None
        token: dict[str, str] = {}
        while True:
            try:
                response = self._reads.list_objects_v2(
                    Bucket=self.where.bucket, Prefix=self.where.prefix + under, **token
                )
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                raise self._error(error, "list") from None
            found += response.get("Contents", [])
            with contextlib.suppress(KeyError, TypeError, ValueError):
                server_now = parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"])
            if not response.get("IsTruncated"):
                return found, server_now
            token = {"ContinuationToken": response["NextContinuationToken"]}

    def _highest_generation(self, pointer: _Pointer) -> int:
        """The highest generation ever used here, damaged copies included (when the pointer can't say)."""
        objects, _ = self._list()
        highest = 0
        for item in objects:
            match = GENERATION_FILE.match(item["Key"].rpartition("/")[2])
            if match:
                highest = max(highest, int(match.group(1)))
        found = re.findall(r'"generation"\s*:\s*(\d{1,18})\b|models-(\d{6,18})\.parquet', pointer.text[:4096])
        return max([highest, *(int(a or b) for a, b in found)])

    def _collect_garbage(self, previous: _Pointer, meta: StoredMeta) -> None:
        """Delete generation files older than ours that no reader can still be downloading."""
        if previous.meta is None or previous.written_at is None:
            return  # what was pointed to before is unknown: keep everything
        try:
            objects, server_now = self._list()
        except StoreError:
            return  # the next write collects them
        if server_now is None or (server_now - previous.written_at).total_seconds() < self.grace_s:
            return  # the pointer we replaced was current moments ago: its predecessors may be in use
        keep = _named_files(meta) | _named_files(previous.meta)
        for item in objects:
            name = item["Key"][len(self.where.prefix) :]
            match = GENERATION_FILE.match(name)
            if match and int(match.group(1)) < meta.generation and name not in keep:
                self._delete_quietly(name)

    def _copy_aside(self, names: list[str], stamp: str, reason: str) -> str | None:
        target = f"{DAMAGED_DIR}/{stamp}/"
        copied = False
        for name in names:
            source = {"Bucket": self.where.bucket, "Key": self.where.prefix + name}
            try:
                self._call(self._writes.copy_object, target + name.rpartition("/")[2], CopySource=source)
            except FileNotFoundError:
                continue
            except StoreError as error:
                raise StoreError(f"cannot move the damaged {name} aside: {error}") from None
            copied = True
        if not copied:
            return None
        self._call(self._writes.put_object, target + "REASON.txt", Body=(reason + "\n").encode("utf-8"))
        return f"{self.location}{target}"

    def _delete_quietly(self, name: str) -> None:
        with contextlib.suppress(StoreError, FileNotFoundError):
            self._call(self._writes.delete_object, name)

    def _body(self, response: dict[str, Any], name: str, limit: int) -> bytes:
        if int(response.get("ContentLength") or 0) > limit:
            raise StoreDamaged(f"{name} is damaged (over {limit:,} bytes)")
        try:
            data = response["Body"].read(limit + 1)
        except (botocore.exceptions.BotoCoreError, OSError) as error:
            raise self._error(error, "read") from None
        if len(data) > limit:
            raise StoreDamaged(f"{name} is damaged (over {limit:,} bytes)")
        return data

    def _call(self, operation: Any, name: str, **arguments: Any) -> dict[str, Any]:
        """One S3 call on the object `name`: FileNotFoundError when absent, WriteConflict on a failed
        condition, StoreUnavailable when the store cannot be reached or refuses, in one line."""
        try:
            return operation(Bucket=self.where.bucket, Key=self.where.prefix + name, **arguments)
        except botocore.exceptions.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(name) from None
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise WriteConflict(f"{self.location}{name} was replaced by another writer") from None
            raise self._error(error, name) from None
        except botocore.exceptions.BotoCoreError as error:
            raise self._error(error, name) from None

    def _error(self, error: Exception, what: str) -> StoreError:
        """One line saying what went wrong; never the credentials."""
        if isinstance(error, botocore.exceptions.ClientError):
            details = error.response.get("Error", {})
            code = str(details.get("Code", "")) or str(
                error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
            )
            reasons = {
                "AccessDenied": "access denied",
                "403": "access denied",
                "NoSuchBucket": f"bucket {self.where.bucket!r} does not exist",
                "InvalidAccessKeyId": "the access key is not known to the store",
                "SignatureDoesNotMatch": "the credentials were refused",
            }
            reason = reasons.get(code, f"answered {code or 'an error'}")
        elif isinstance(error, botocore.exceptions.NoCredentialsError):
            reason = "no AWS credentials found (environment, shared files or instance role)"
        elif isinstance(error, _TIMEOUTS):
            reason = "timed out"
        elif isinstance(error, botocore.exceptions.EndpointConnectionError):
            reason = "no answer"
        else:
            reason = type(error).__name__
        return StoreUnavailable(f"{self.location}: {reason} ({what})")


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue()


def _named_files(meta: StoredMeta) -> set[str]:
    """The generation files a pointer's metadata names."""
    return meta.table_files


def _back_off(attempt: int) -> None:
    """A random pause that grows with each lost race, so racing writers stop colliding in step."""
    time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 - jitter, not secrets


def _poll_while_alive(store_ref: weakref.ref[S3Store], interval_s: float) -> None:
    """Poll every interval for as long as the store is in use; ends when it is collected."""
    stop = threading.Event()
    while not stop.wait(interval_s):
        store = store_ref()
        if store is None:
            return
        store.poll()
        del store
