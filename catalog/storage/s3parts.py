"""The parts of an S3 store that are not its protocol: where it is, its clients, an upload's body."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from catalog import settings
from catalog.errors import StoreError
from catalog.storage.interface import S3_SCHEME
from catalog.storage.store import _crash_point

UPLOAD_CHUNK = 16 << 10
_sessions: dict[str | None, boto3.session.Session] = {}
_session_lock = threading.Lock()
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "a/b/"

    @classmethod
    def parse(cls, text: str) -> S3Location:
        """`s3://bucket/prefix` -> S3Location; StoreError naming what is wrong."""
        if not text.startswith(S3_SCHEME):
            raise StoreError(f"{text!r} is not an s3://bucket/prefix location")
        bucket, _, prefix = text[len(S3_SCHEME) :].partition("/")
        if not _BUCKET_NAME.match(bucket):
            raise StoreError(f"{text!r}: {bucket!r} is not an S3 bucket name")
        parts = [part for part in prefix.split("/") if part]
        if any(part in (".", "..") or not part.isprintable() for part in parts):
            raise StoreError(f"{text!r}: the prefix may not hold '.', '..' or control characters")
        return cls(bucket, "".join(f"{part}/" for part in parts))

    def __str__(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.prefix}"


def make_clients() -> tuple[Any, Any]:
    """A client for reads (retried) and one for writes (not retried: a retried conditional write
    could fail on its own first attempt's success)."""
    endpoint = settings.AWS_ENDPOINT_URL.value()
    options: dict[str, Any] = {
        "connect_timeout": 3,
        "read_timeout": 20,
        # Checksums only where S3 requires them: several S3-compatible services reject the newer defaults.
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    if endpoint:
        options["s3"] = {"addressing_style": "path"}  # MinIO and most self-hosted services
    with _session_lock:  # a session loads S3's service model once; creating clients is not thread-safe
        session = _sessions.get(endpoint)
        if session is None:
            session = _sessions[endpoint] = boto3.session.Session()
        return _client(session, endpoint, 3, options), _client(session, endpoint, 1, options)


def _client(
    session: boto3.session.Session, endpoint: str | None, attempts: int, options: dict[str, Any]
) -> Any:
    return session.client(
        "s3", endpoint_url=endpoint, config=Config(retries={"max_attempts": attempts}, **options)
    )


class Upload(io.RawIOBase):
    """An upload's body, handed to the client in small pieces so a crash test can stop one midway."""

    def __init__(self, data: bytes, crash_point: str) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self._size = len(data)
        self._crash_point = crash_point
        self._halfway_crossings = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._data.seek(offset, whence)

    def tell(self) -> int:
        return self._data.tell()

    def read(self, size: int = -1) -> bytes:
        before = self._data.tell()
        chunk = self._data.read(size if size < 0 else min(size, UPLOAD_CHUNK))
        if before < self._size // 2 <= before + len(chunk):
            # Over plain HTTP the client reads the body twice: to sign it, then to send it.
            self._halfway_crossings += 1
            if self._halfway_crossings == 2:
                _crash_point(self._crash_point)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
