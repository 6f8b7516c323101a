"""OpenRouter HTTP: one session, timeouts on every call, retries, an overall deadline, typed errors."""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter

from catalog.errors import (
    BadResponse,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    NotJSON,
)
from catalog.fetch.rawjson import loads_with_item_texts
from catalog.settings import API_BASE, DEADLINE_S

DEFAULT_API_BASE = API_BASE.default
DEFAULT_DEADLINE_S = DEADLINE_S.default
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRIES = 3
BACKOFF_S = 0.5
MAX_PAGES = 1000
USER_AGENT = "openrouter-catalog/1.0"


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
        connections: int = 10,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.deadline_s = deadline_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if connections > 10:  # requests keeps 10 per host: more concurrent workers would each reconnect
            adapter = HTTPAdapter(pool_connections=connections, pool_maxsize=connections)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self._api_key = api_key or None

    def __repr__(self) -> str:
        # Never show the session headers: they hold the API key.
        return f"OpenRouterClient(api_base={self.api_base!r})"

    def fetch_models(self) -> FetchResult:
        """Every model OpenRouter lists, following `links.next` until it is null."""
        deadline = time.monotonic() + self.deadline_s
        first_url = models_url(self.api_base)
        url: str | None = first_url
        models: list[Any] = []
        model_texts: list[str | None] = []
        seen_ids: set[str] = set()
        seen_urls: set[str] = set()
        total_count: int | None = None
        pages = 0
        while url:
            if url in seen_urls or pages >= MAX_PAGES:
                raise BadResponse(f"pagination does not end (page {pages + 1} at {url})")
            seen_urls.add(url)
            payload, item_texts = self._get_json(url, deadline)
            pages += 1
            data = payload.get("data")
            if not isinstance(data, list):
                kind = type(data).__name__ if data is not None else "missing"
                raise BadResponse(f"'data' is {kind}, not a list of models")
            for item, item_text in zip(data, item_texts or [None] * len(data), strict=True):
                model_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(model_id, str) and model_id in seen_ids:
                    continue  # a page boundary moved while we paged
                if isinstance(model_id, str):
                    seen_ids.add(model_id)
                models.append(item)
                model_texts.append(item_text)
            if total_count is None and isinstance(payload.get("total_count"), int):
                total_count = payload["total_count"]
            links = payload.get("links")
            next_url = links.get("next") if isinstance(links, dict) else None
            url = urljoin(url, next_url) if isinstance(next_url, str) and next_url else None
        if not models:
            raise BadResponse("the response lists no models")
        if total_count is not None and len(models) != total_count:
            raise BadResponse(f"got {len(models)} models but the response says total_count={total_count}")
        return FetchResult(
            models=models, url=first_url, total_count=total_count, pages=pages, model_texts=model_texts
        )

    def get_json(
        self, url: str, deadline: float, backoff: SharedBackoff | None = None
    ) -> tuple[dict[str, Any], list[str] | None]:
        """One JSON object from the API (any of its URLs), with the retries and limits of every request.

        `deadline` is a `time.monotonic()` time. Requests sharing a `backoff` all wait out a 429.
        """
        return self._get_json(url, deadline, backoff)

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
                body = _read_body(response, deadline, self.deadline_s)
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        except (requests.Timeout, TimeoutError):
            raise FetchTimeout(self.deadline_s) from None
        except requests.exceptions.ChunkedEncodingError:
            raise BadResponse("the response was cut short") from None
        except requests.ConnectionError as error:
            raise ConnectionFailed(self.api_base, _short_reason(error)) from None
        except requests.RequestException as error:
            raise ConnectionFailed(self.api_base, _short_reason(error)) from None

        text = body.decode("utf-8", errors="replace")
        if self._api_key:
            text = text.replace(self._api_key, "[API key]")  # a proxy may echo the request back
        if status >= 400:
            raise HTTPStatusError(status, _api_error_message(text), retry_after, text[:200])
        if "json" not in content_type.lower() and not text.lstrip().startswith(("{", "[")):
            raise NotJSON(content_type.split(";")[0].strip(), text[:200])
        try:
            payload, item_texts = loads_with_item_texts(text)
        except ValueError:
            raise BadResponse(
                f"the response is not valid JSON ({len(body):,} bytes, probably cut short)"
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


def _read_body(response: requests.Response, deadline: float, deadline_s: float) -> bytes:
    """The whole body, or FetchTimeout once the overall deadline passes.

    A server that drips bytes never trips the per-read timeout, so a timer shuts the
    socket down at the deadline, which ends the blocked read.
    """
    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), _shutdown_socket, (response,))
    timer.daemon = True
    timer.start()
    chunks = []
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            chunks.append(chunk)
    except (requests.RequestException, OSError):
        if time.monotonic() >= deadline:
            raise FetchTimeout(deadline_s) from None
        raise
    finally:
        timer.cancel()
    if time.monotonic() >= deadline:
        raise FetchTimeout(deadline_s)
    body = b"".join(chunks)
    expected = response.headers.get("Content-Length")
    if expected and expected.isdigit() and len(body) < int(expected):
        raise BadResponse(f"the response was cut short ({len(body):,} of {int(expected):,} bytes)")
    return body


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
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _api_error_message(text: str) -> str | None:
    """OpenRouter's `error.message`, if the body is its JSON error shape."""
    try:
        payload = json.loads(text)
    except ValueError:
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
