"""OpenRouter HTTP: one session, timeouts on every call, retries, an overall deadline, typed errors."""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from catalog.errors import (
    BadResponse,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    NotJSON,
    ResponseTooLarge,
)
from catalog.fetch.rawjson import MAX_NESTING, loads_with_item_texts, nested_deeper_than
from catalog.fetch.redact import clean_api_key, redact, url_credentials, without_credentials
from catalog.settings import API_BASE, DEADLINE_S, SettingError

DEFAULT_API_BASE = API_BASE.default
DEFAULT_DEADLINE_S = DEADLINE_S.default
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRIES = 3
BACKOFF_S = 0.5
MAX_PAGES = 1000
USER_AGENT = "openrouter-catalog/1.0"
DEFAULT_MAX_RESPONSE_MB = 64
DEFAULT_MAX_MODELS = 100_000
READ_CHUNK_BYTES = 64 * 1024
INFLATE_PIECE_BYTES = 1024 * 1024
# The one content-encoding layer accepted, and zlib's window bits to undo it. A body compressed
# twice ("gzip, gzip") is refused: each layer multiplies what a few kB can grow to.
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


@dataclass(frozen=True)
class FetchResult:
    models: list[Any]
    url: str
    total_count: int | None
    pages: int
    model_texts: list[str | None] | None = None  # each model's JSON exactly as sent, in `models` order


def models_url(api_base: str) -> str:
    return api_base.rstrip("/") + "/models?output_modalities=all"


class OpenRouterClient:
    """Fetches the whole model catalog, every output modality, page by page."""

    def __init__(
        self,
        api_base: str = DEFAULT_API_BASE,
        api_key: str | None = None,
        *,
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_retries: int = MAX_RETRIES,
        backoff_s: float = BACKOFF_S,
        session: requests.Session | None = None,
        max_response_mb: float = DEFAULT_MAX_RESPONSE_MB,
        max_models: int = DEFAULT_MAX_MODELS,
        connections: int = 10,
    ) -> None:
        if not (math.isfinite(deadline_s) and deadline_s > 0):
            raise SettingError(
                f"the refresh deadline must be a positive number of seconds (got {deadline_s})"
            )
        if not (math.isfinite(max_response_mb) and max_response_mb > 0):
            raise SettingError(
                f"the response size limit must be a positive number of MB (got {max_response_mb})"
            )
        if max_models < 1:
            raise SettingError(f"the model count limit must be at least 1 (got {max_models})")
        api_key = clean_api_key(api_key)
        self._url = api_base.rstrip("/")  # may hold user:password@, which only the requests see
        self.api_base = without_credentials(self._url)
        self._origin = _origin(self._url)
        self.deadline_s = deadline_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_response_bytes = int(max_response_mb * 2**20)
        self.max_models = max_models
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.session.headers["Accept-Encoding"] = ", ".join(name for name in DECODERS if name != "x-gzip")
        if connections > 10:  # requests keeps 10 per host: more concurrent workers would each reconnect
            adapter = HTTPAdapter(pool_connections=connections, pool_maxsize=connections)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self._secrets = (api_key, *url_credentials(self._url))

    def __repr__(self) -> str:
        # Never show the session headers: they hold the API key.
        return f"OpenRouterClient(api_base={self.api_base!r})"

    def redact(self, text: str) -> str:
        """`text` without the key or the URL's credentials, in any form a server can echo them."""
        return redact(text, *self._secrets)

    def fetch_models(self) -> FetchResult:
        """Every model OpenRouter lists, following `links.next` until it is null."""
        deadline = time.monotonic() + self.deadline_s
        first_url = models_url(self._url)
        url: str | None = first_url
        models: list[Any] = []
        model_texts: list[str | None] = []
        seen_ids: set[str] = set()
        seen_urls: set[str] = set()
        total_count: int | None = None
        pages = 0
        while url:
            if url in seen_urls or pages >= MAX_PAGES:
                shown = without_credentials(url)
                raise BadResponse(f"pagination does not end (page {pages + 1} at {shown})")
            seen_urls.add(url)
            payload, item_texts = self._get_json(url, deadline)
            pages += 1
            data = payload.get("data")
            if not isinstance(data, list):
                kind = type(data).__name__ if data is not None else "missing"
                raise BadResponse(f"'data' is {kind}, not a list of models")
            if len(models) + len(data) > self.max_models:
                raise BadResponse(
                    f"the response lists over {self.max_models:,} models, the most accepted "
                    "(OPENROUTER_MAX_MODELS)"
                )
            if item_texts is None:
                item_texts = [json.dumps(item) for item in data]  # to measure them; normalize encodes its own
                texts_as_sent = False
            else:
                texts_as_sent = True
            for position, item_text in enumerate(item_texts):
                if nested_deeper_than(item_text):
                    raise BadResponse(
                        f"model #{len(models) + position + 1} nests over {MAX_NESTING} levels deep; "
                        "the response is refused"
                    )
            for item, item_text in zip(data, item_texts, strict=True):
                model_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(model_id, str) and model_id in seen_ids:
                    continue  # a page boundary moved while we paged
                if isinstance(model_id, str):
                    seen_ids.add(model_id)
                models.append(item)
                model_texts.append(item_text if texts_as_sent else None)
            if total_count is None and isinstance(payload.get("total_count"), int):
                total_count = payload["total_count"]
            links = payload.get("links")
            next_url = links.get("next") if isinstance(links, dict) else None
            url = self._next_url(url, next_url) if isinstance(next_url, str) and next_url else None
        if not models:
            raise BadResponse("the response lists no models")
        if total_count is not None and len(models) != total_count:
            raise BadResponse(f"got {len(models)} models but the response says total_count={total_count}")
        return FetchResult(
            models=models, url=first_url, total_count=total_count, pages=pages, model_texts=model_texts
        )

    def _next_url(self, url: str, next_link: str) -> str:
        """`links.next` resolved against `url`; only on the API base's own scheme, host and port.

        The session sends the key with every request: a link elsewhere would hand it over.
        """
        try:
            resolved = urljoin(url, next_link)
            origin = _origin(resolved)
        except ValueError:
            raise BadResponse("the response's next-page link is not a URL; not followed") from None
        if origin != self._origin:
            scheme, host, port = origin
            raise BadResponse(
                f"the response's next-page link leads to {scheme}://{host}:{port}, not the API's "
                f"{self._origin[0]}://{self._origin[1]}:{self._origin[2]}; not followed"
            )
        return resolved

    def get_api_json(
        self, path: str, deadline: float, backoff: SharedBackoff | None = None
    ) -> tuple[dict[str, Any], list[str] | None]:
        """One JSON object from `path` under the API base (e.g. "/models/a/b/endpoints"), with the
        limits and retries of every request. `deadline` is a `time.monotonic()` time; requests
        sharing a `backoff` all wait out a 429."""
        return self._get_json(self._url + path, deadline, backoff)

    def _get_json(
        self, url: str, deadline: float, backoff: SharedBackoff | None = None
    ) -> tuple[dict[str, Any], list[str] | None]:
        attempt = 0
        while True:
            if backoff is not None:
                backoff.wait(deadline, self.deadline_s)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchTimeout(self.deadline_s)
            try:
                return self._get_once(url, deadline)
            except HTTPStatusError as error:
                if error.status not in RETRY_STATUSES or attempt >= self.max_retries:
                    raise
                wait = error.retry_after if error.retry_after is not None else self.backoff_s * 2**attempt
                if time.monotonic() + wait >= deadline:
                    raise
                if backoff is not None and error.status == 429:
                    backoff.pause(wait)  # the server is rate limiting: every worker waits, not only this one
                else:
                    time.sleep(wait)
                attempt += 1

    def _get_once(self, url: str, deadline: float) -> tuple[dict[str, Any], list[str] | None]:
        """The response's JSON object, and the text of each item of its `data` array."""
        remaining = max(deadline - time.monotonic(), 0.001)
        timeout = (min(CONNECT_TIMEOUT_S, remaining), min(READ_TIMEOUT_S, remaining))
        try:
            with self.session.get(url, timeout=timeout, stream=True) as response:
                body = _read_body(response, deadline, self.deadline_s, self.max_response_bytes)
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        except (requests.Timeout, TimeoutError, urllib3.exceptions.TimeoutError):
            raise FetchTimeout(self.deadline_s) from None
        except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
            raise BadResponse("the response was cut short") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
            raise ConnectionFailed(self.api_base, self.redact(_short_reason(error))) from None

        size = len(body)
        text = self.redact(body.decode("utf-8", errors="replace"))  # a proxy may echo the request back
        del body
        if status >= 400:
            message = _api_error_message(text)
            message = self.redact(message) if message else message  # escapes decoded: look again
            raise HTTPStatusError(status, message, retry_after, text[:200])
        if "json" not in content_type.lower() and not text.lstrip().startswith(("{", "[")):
            raise NotJSON(content_type.split(";")[0].strip()[:80], text[:200])
        try:
            payload, item_texts = loads_with_item_texts(text)
        except RecursionError:
            raise BadResponse(f"the response nests over {MAX_NESTING} levels deep") from None
        except ValueError:
            raise BadResponse(
                f"the response is not valid JSON ({size:,} bytes, probably cut short)"
            ) from None
        if not isinstance(payload, dict):
            raise BadResponse(f"the response is a JSON {type(payload).__name__}, not an object")
        return payload, item_texts


class SharedBackoff:
    """A pause shared by concurrent requests: a 429 to any of them holds back all of them."""

    def __init__(self) -> None:
        self._resume_at = 0.0
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def wait(self, deadline: float, deadline_s: float) -> None:
        """Sleep until the pause ends; FetchTimeout when it would end after the deadline."""
        while (wait := self._resume_at - time.monotonic()) > 0:
            if time.monotonic() + wait >= deadline:
                raise FetchTimeout(deadline_s)
            time.sleep(min(wait, 1.0))


def _read_body(response: requests.Response, deadline: float, deadline_s: float, max_bytes: int) -> bytearray:
    """The whole body, decompressed, or an error once it is over `max_bytes` or the deadline passes.

    The body is read raw and decompressed here, a chunk at a time, never more than `max_bytes` + 1
    bytes: a few kB of gzip can grow to gigabytes, and an endless body never ends by itself. A
    server that drips bytes never trips the per-read timeout, so a timer shuts the socket down at
    the deadline, which ends the blocked read.
    """
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), max_bytes)
    expected = response.headers.get("Content-Length", "")
    expected_bytes = int(expected) if expected.isdigit() else None
    if expected_bytes is not None and expected_bytes > max_bytes:
        raise ResponseTooLarge(max_bytes)
    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), _shutdown_socket, (response,))
    timer.daemon = True
    timer.start()
    received = 0
    try:
        for chunk in response.raw.stream(READ_CHUNK_BYTES, decode_content=False):
            received += len(chunk)
            decoder.feed(chunk)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
        if time.monotonic() >= deadline:
            raise FetchTimeout(deadline_s) from None
        raise
    finally:
        timer.cancel()
    if time.monotonic() >= deadline:
        raise FetchTimeout(deadline_s)
    if expected_bytes is not None and received < expected_bytes:
        raise BadResponse(f"the response was cut short ({received:,} of {expected_bytes:,} bytes)")
    return decoder.finish()


class _Decoder:
    """Undoes at most one content-encoding layer, into a body of at most `max_bytes`."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        layers = [name.strip().lower() for name in content_encoding.split(",")]
        layers = [name for name in layers if name and name != "identity"]
        if len(layers) > 1:
            raise BadResponse(
                f"the response is compressed {len(layers)} times over ({', '.join(layers)[:80]}); "
                "one content encoding at most is accepted"
            )
        if layers and layers[0] not in DECODERS:
            raise BadResponse(f"the response uses an unsupported content encoding ({layers[0][:40]})")
        self.encoding = layers[0] if layers else None
        self.max_bytes = max_bytes
        self.body = bytearray()
        self._inflater: Any = None

    def feed(self, chunk: bytes) -> None:
        if self.encoding is None:
            self._append(chunk)
            return
        try:
            self._inflate(chunk)
        except zlib.error:
            raise BadResponse(f"the response's {self.encoding} data is damaged") from None

    def finish(self) -> bytearray:
        if self._inflater is not None and not self._inflater.eof:
            raise BadResponse(f"the response's {self.encoding} data was cut short")
        return self.body

    def _inflate(self, data: bytes) -> None:
        while data:
            if self._inflater is None or self._inflater.eof:
                if self._inflater is not None and self.encoding == "deflate":
                    raise BadResponse("the response has data after its deflate stream")
                self._inflater = zlib.decompressobj(self._window_bits(data))
            # Small pieces: never a second copy of the body in memory. One byte more than the room
            # left tells that the body is over the limit.
            room = min(self.max_bytes - len(self.body) + 1, INFLATE_PIECE_BYTES)
            piece = self._inflater.decompress(data, room)
            self._append(piece)
            data = self._inflater.unconsumed_tail or (
                self._inflater.unused_data if self._inflater.eof else b""
            )

    def _window_bits(self, data: bytes) -> int:
        wbits = DECODERS[self.encoding or ""]
        if self.encoding == "deflate" and not (
            len(data) >= 2 and data[0] & 0x0F == 8 and int.from_bytes(data[:2]) % 31 == 0
        ):
            return -zlib.MAX_WBITS  # raw deflate without the zlib header, as some servers send it
        return wbits

    def _append(self, piece: bytes) -> None:
        self.body += piece
        if len(self.body) > self.max_bytes:
            raise ResponseTooLarge(self.max_bytes)


def _shutdown_socket(response: requests.Response) -> None:
    connection = getattr(response.raw, "connection", None) or getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None  # "nan" and "inf" say nothing


def _api_error_message(text: str) -> str | None:
    """OpenRouter's `error.message`, if the body is its JSON error shape."""
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        message = payload["error"].get("message")
        if isinstance(message, str):
            return message[:300]
    return None


def _short_reason(error: Exception) -> str:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "Connection refused" in reason:
        return "connection refused"
    if "Name or service not known" in reason or "Failed to resolve" in reason:
        return "host name not found"
    return reason[:160]


def _origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of `url`, the port filled in; ValueError when it is not a URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    port = parts.port or default_port  # .port raises ValueError for a port that is not a number
    if default_port is None or not parts.hostname or port is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return scheme, parts.hostname, port
