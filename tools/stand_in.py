"""A local stand-in for OpenRouter's /api/v1/models, with failure modes, on 127.0.0.1.

Used by the tests, and by hand to see the app on a given payload with no internet:

    python -m tools.stand_in --port 8765 [--payload models.json] [--mode ok]
    OPENROUTER_API_BASE=http://127.0.0.1:8765/api/v1 streamlit run streamlit_app.py

Modes: ok, html (200 with an HTML page), truncated (body cut short), rate_limited (429 with
Retry-After), unavailable (503), drip (a few bytes a second), empty (no models), not_list,
error_json (400 with OpenRouter's error body); and hostile ones: next_offhost (`links.next` names
another origin, `next_link`), gzip_layers (the body gzipped twice), gzip_bomb (one gzip layer that
grows to `bomb_mb` MB), endless (a body that never ends), deep (200,000 nested arrays), retry_after_nan
(429 with `Retry-After: nan`), echo_key (each model's description echoes the Authorization header
raw, JSON-escaped and URL-encoded), echo_key_error (401 whose message echoes it JSON-escaped).
Switch at run time with `GET /_control?mode=NAME` (optionally `&retry_after=S`, `&fail_times=N` to
fail only N times); `GET /_stats` returns the request counts.

It serves every model's providers too (`/models/{author}/{slug}/endpoints`, 1 to 5 each, built by
`tools.endpoint_payloads`), with failure modes per model (`status500`, `status404`, `empty`,
`rate_limited` bursts with Retry-After, `slow`, `html`) set with
`GET /_control?endpoint_mode=NAME&models=ID,ID` (or `&count=N` for N models picked by id), a
latency added to every endpoints request (`&endpoint_latency_ms=50`, or `--endpoint-latency-ms`),
`&burst_429=N` (the next N endpoints requests, whatever the model, answer 429) and
`&price_epoch=E` (some providers' prices move, some models gain or lose one).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import gzip
import json
import sys
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from catalog.fetch.defaults import bundled_payload
from tools.endpoint_payloads import endpoints_body, model_seed

MODES = (
    *("ok", "html", "truncated", "rate_limited", "unavailable", "drip", "empty", "not_list", "error_json"),
    *("next_offhost", "gzip_layers", "gzip_bomb", "endless", "deep", "retry_after_nan"),
    *("echo_key", "echo_key_error"),
)
DEEP_NESTING = 200_000
ENDPOINT_MODES = ("ok", "status500", "status404", "empty", "rate_limited", "slow", "html")
ENDPOINTS_PREFIX = "/api/v1/models/"
ENDPOINTS_SUFFIX = "/endpoints"


def text_only(body: dict[str, Any]) -> dict[str, Any]:
    """What OpenRouter answers without output_modalities=all: text-output models only."""
    trimmed = copy.deepcopy(body)
    trimmed["data"] = [
        m
        for m in trimmed["data"]
        if not isinstance(m, dict)  # a broken item is passed on as it is, for the client to report
        or "text" in (m.get("architecture") or {}).get("output_modalities", ["text"])
    ]
    if "total_count" in trimmed:
        trimmed["total_count"] = len(trimmed["data"])
    return trimmed


class StandIn:
    """The server's state: the payload served, the failure mode, and request counts."""

    def __init__(self, body: dict[str, Any] | None = None, mode: str = "ok") -> None:
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.retry_after = 1.0
        self.fail_times: int | None = None  # fail this many times, then answer ok
        self.drip_seconds = 60.0
        self.next_link = "http://evil.invalid/api/v1/models?page=2"
        self.bomb_mb = 1024
        self.endpoint_latency_s = 0.0
        self.endpoint_modes: dict[str, str] = {}  # model id -> one of ENDPOINT_MODES
        self.rate_limited_times: dict[str, int] = {}  # model id -> 429s left before it answers
        self.burst_429 = 0  # the next N endpoints requests answer 429, whatever the model
        self.slow_seconds = 30.0
        self.price_epoch = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.endpoint_log: list[tuple[float, str, int]] = []  # (monotonic time answered, model id, status)
        self._initial = body if body is not None else bundled_payload()
        self.set_payload(self._initial)
        self.set_mode(mode)
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def reset(self) -> None:
        """Back to as new: the built-in payload, mode ok, default waits, no requests counted."""
        self.set_payload(self._initial)
        self.set_mode("ok")
        with self.lock:
            self.retry_after = 1.0
            self.drip_seconds = 60.0
            self.next_link = "http://evil.invalid/api/v1/models?page=2"
            self.bomb_mb = 1024
            self.requests.clear()
        self.reset_endpoints()

    def reset_endpoints(self) -> None:
        """Every model's providers answer at once, at epoch 0; in-flight counts start again."""
        with self.lock:
            self.endpoint_latency_s = 0.0
            self.endpoint_modes.clear()
            self.rate_limited_times.clear()
            self.burst_429 = 0
            self.price_epoch = 0
            self.most_in_flight = 0
            self.endpoint_log.clear()
            self.slow_seconds = 30.0

    def set_payload(self, body: dict[str, Any]) -> None:
        with self.lock:
            self.body_all = json.dumps(body).encode()
            self.body_text = json.dumps(text_only(body)).encode()
            self.count_all = len(body.get("data", []))
            data = body.get("data") if isinstance(body.get("data"), list) else []
            self.models_by_id = {
                m["id"]: m for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)
            }

    def model_ids(self) -> list[str]:
        with self.lock:
            return list(self.models_by_id)

    def pick_models(self, count: int, salt: str = "") -> list[str]:
        """`count` model ids chosen by a stable hash of id and salt: the same in every run."""
        return sorted(self.model_ids(), key=lambda model_id: model_seed(salt + model_id))[:count]

    def set_endpoint_mode(self, mode: str, model_ids: list[str], *, times: int = 3) -> None:
        """Make these models' endpoints requests fail in `mode` (`rate_limited`: `times` 429s, then ok)."""
        if mode not in ENDPOINT_MODES:
            raise ValueError(f"unknown endpoint mode {mode!r}; choose from {', '.join(ENDPOINT_MODES)}")
        with self.lock:
            for model_id in model_ids:
                if mode == "ok":
                    self.endpoint_modes.pop(model_id, None)
                else:
                    self.endpoint_modes[model_id] = mode
                if mode == "rate_limited":
                    self.rate_limited_times[model_id] = times

    def set_mode(self, mode: str, *, fail_times: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        with self.lock:
            self.mode = mode
            self.fail_times = fail_times

    @property
    def models_requests(self) -> int:
        return self.requests["models"]

    # -- running -------------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        """Serve in a background thread; returns the API base URL."""
        self.server = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        # A short poll interval: stopping the server takes that long.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self.api_base

    @property
    def api_base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def current_mode(self) -> str:
        with self.lock:
            if self.mode != "ok" and self.fail_times is not None:
                if self.fail_times <= 0:
                    return "ok"
                self.fail_times -= 1
            return self.mode


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (as one refusing an endless body does) is no error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    state = stand_in

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall
        state = stand_in

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path == "/_stats":
                with state.lock:
                    stats = {**state.requests, "most_in_flight": state.most_in_flight}
                self._send(200, json.dumps(stats).encode(), "application/json")
            elif url.path == "/_control":
                state.set_mode(
                    query.get("mode", ["ok"])[0],
                    fail_times=int(query["fail_times"][0]) if "fail_times" in query else None,
                )
                if "retry_after" in query:
                    state.retry_after = float(query["retry_after"][0])
                self._control_endpoints(query)
                self._send(200, b'{"ok": true}', "application/json")
            elif url.path.startswith(ENDPOINTS_PREFIX) and url.path.endswith(ENDPOINTS_SUFFIX):
                model_id = unquote(url.path[len(ENDPOINTS_PREFIX) : -len(ENDPOINTS_SUFFIX)])
                with state.lock:
                    state.requests["endpoints"] += 1
                    state.in_flight += 1
                    state.most_in_flight = max(state.most_in_flight, state.in_flight)
                try:
                    self._endpoints(model_id)
                finally:
                    with state.lock:
                        state.in_flight -= 1
            elif url.path.rstrip("/") == "/api/v1/models":
                with state.lock:
                    state.requests["models"] += 1
                    state.requests[f"auth:{'yes' if self.headers.get('Authorization') else 'no'}"] += 1
                everything = query.get("output_modalities", [""])[0] == "all"
                self._models(state.current_mode(), everything, self.headers.get("Authorization", ""))
            else:
                self._send(404, b'{"error": {"code": 404, "message": "Not Found"}}', "application/json")

        def _control_endpoints(self, query: dict[str, list[str]]) -> None:
            if "endpoint_latency_ms" in query:
                state.endpoint_latency_s = float(query["endpoint_latency_ms"][0]) / 1000
            if "burst_429" in query:
                state.burst_429 = int(query["burst_429"][0])
            if "price_epoch" in query:
                state.price_epoch = int(query["price_epoch"][0])
            if "endpoint_mode" in query:
                if "count" in query:
                    chosen = state.pick_models(int(query["count"][0]), query.get("salt", [""])[0])
                else:
                    chosen = [i for i in query.get("models", [""])[0].split(",") if i]
                times = int(query["times"][0]) if "times" in query else 3
                state.set_endpoint_mode(query["endpoint_mode"][0], chosen, times=times)

        def _endpoints(self, model_id: str) -> None:
            with state.lock:
                latency = state.endpoint_latency_s
                model = state.models_by_id.get(model_id)
                mode = state.endpoint_modes.get(model_id, "ok")
                epoch = state.price_epoch
                burst = state.burst_429 > 0
                if burst:
                    state.burst_429 -= 1
                elif mode == "rate_limited":
                    left = state.rate_limited_times.get(model_id, 0)
                    state.rate_limited_times[model_id] = left - 1
                    if left <= 0:
                        mode = "ok"
            if latency:
                time.sleep(latency)
            if burst or mode == "rate_limited":
                error = {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": None}}
                headers = {"Retry-After": f"{state.retry_after:g}"}
                self._send(429, json.dumps(error).encode(), "application/json", headers)
            elif model is None or mode == "status404":
                error = {"error": {"code": 404, "message": "No endpoints found for this model"}}
                self._send(404, json.dumps(error).encode(), "application/json")
            elif mode == "status500":
                error = {"error": {"code": 500, "message": "Internal Server Error"}}
                self._send(500, json.dumps(error).encode(), "application/json")
            elif mode == "html":
                self._send(200, b"<html><body>Just a moment...</body></html>", "text/html")
            elif mode == "empty":
                body = {"data": {"id": model_id, "name": model.get("name"), "endpoints": []}}
                self._send(200, json.dumps(body).encode(), "application/json")
            else:
                if mode == "slow":
                    time.sleep(state.slow_seconds)
                self._send(200, endpoints_body(model, epoch), "application/json")

        def _models(self, mode: str, everything: bool, authorization: str) -> None:
            body = state.body_all if everything else state.body_text
            if mode in HOSTILE:
                HOSTILE[mode](self, body, authorization)
            elif mode == "ok":
                self._send(200, body, "application/json")
            elif mode == "html":
                page = b"<!DOCTYPE html><html><body><h1>Just a moment...</h1></body></html>"
                self._send(200, page, "text/html; charset=utf-8")
            elif mode == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif mode == "rate_limited":
                error = {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": None}}
                self._send(
                    429,
                    json.dumps(error).encode(),
                    "application/json",
                    {"Retry-After": f"{state.retry_after:g}"},
                )
            elif mode == "unavailable":
                error = {"error": {"code": 503, "message": "Service temporarily unavailable"}}
                self._send(503, json.dumps(error).encode(), "application/json")
            elif mode == "error_json":
                error = {"error": {"code": 400, "message": "Invalid output_modalities", "metadata": None}}
                self._send(400, json.dumps(error).encode(), "application/json")
            elif mode == "empty":
                self._send(200, b'{"data": []}', "application/json")
            elif mode == "not_list":
                self._send(200, b'{"data": {"models": "soon"}}', "application/json")
            elif mode == "drip":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                deadline = time.monotonic() + state.drip_seconds
                try:
                    for start in range(0, len(body), 8):
                        if time.monotonic() > deadline:
                            break
                        self.wfile.write(body[start : start + 8])
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass
                self.close_connection = True

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            if self.path.endswith(ENDPOINTS_SUFFIX):
                model_id = unquote(urlsplit(self.path).path[len(ENDPOINTS_PREFIX) : -len(ENDPOINTS_SUFFIX)])
                with state.lock:
                    state.endpoint_log.append((time.monotonic(), model_id, status))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

    return Handler


# -- hostile answers -------------------------------------------------------------------------------


def _next_offhost(handler: Any, body: bytes, authorization: str) -> None:
    page = json.loads(body)
    page["links"] = {"next": handler.state.next_link}
    page.pop("total_count", None)
    handler._send(200, json.dumps(page).encode(), "application/json")


def _gzip_layers(handler: Any, body: bytes, authorization: str) -> None:
    twice = gzip.compress(gzip.compress(body))
    handler._send(200, twice, "application/json", {"Content-Encoding": "gzip, gzip"})


@functools.cache
def gzip_bomb_body(megabytes: int) -> bytes:
    """One gzip layer of `megabytes` MB of spaces after an open `data` array: about 1 kB per MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'{"data": [')]
    blank = b" " * 2**20
    parts += [packer.compress(blank) for _ in range(megabytes)]
    parts.append(packer.compress(b"]}") + packer.flush())
    return b"".join(parts)


def _gzip_bomb(handler: Any, body: bytes, authorization: str) -> None:
    bomb = gzip_bomb_body(handler.state.bomb_mb)
    handler._send(200, bomb, "application/json", {"Content-Encoding": "gzip"})


def _endless(handler: Any, body: bytes, authorization: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    blank = b" " * 65536
    with contextlib.suppress(OSError):
        handler.wfile.write(b'{"data": [')
        while True:  # until the client hangs up
            handler.wfile.write(blank)


def _deep(handler: Any, body: bytes, authorization: str) -> None:
    deep = b'{"data": [' + b"[" * DEEP_NESTING + b"]" * DEEP_NESTING + b"]}"
    handler._send(200, deep, "application/json")


def _retry_after_nan(handler: Any, body: bytes, authorization: str) -> None:
    error = {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": None}}
    handler._send(429, json.dumps(error).encode(), "application/json", {"Retry-After": "nan"})


def echoed_forms(secret: str) -> list[str]:
    """`secret` as a server may echo it in JSON text: raw, JSON-escaped, URL-encoded."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in secret)
    url_encoded = "".join(f"%{ord(c):02X}" for c in secret)
    return [secret, escaped, url_encoded, quote(secret)]


def _echo_key(handler: Any, body: bytes, authorization: str) -> None:
    key = authorization.removeprefix("Bearer ")
    page = json.loads(body)
    for model in page["data"]:
        model["description"] = "echo: " + " | ".join(f"@{n}@" for n in range(len(echoed_forms(key))))
    text = json.dumps(page)
    for number, form in enumerate(echoed_forms(key)):
        text = text.replace(f"@{number}@", form)  # the escapes go into the JSON text as they are
    handler._send(200, text.encode(), "application/json")


def _echo_key_error(handler: Any, body: bytes, authorization: str) -> None:
    escaped = echoed_forms(authorization)[1]
    text = '{"error": {"code": 401, "message": "Invalid credentials: ' + escaped + '"}}'
    handler._send(401, text.encode(), "application/json")


HOSTILE = {
    "next_offhost": _next_offhost,
    "gzip_layers": _gzip_layers,
    "gzip_bomb": _gzip_bomb,
    "endless": _endless,
    "deep": _deep,
    "retry_after_nan": _retry_after_nan,
    "echo_key": _echo_key,
    "echo_key_error": _echo_key_error,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.stand_in", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--payload", type=Path, help="a saved /models response (default: a small built-in one)"
    )
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument(
        "--endpoint-latency-ms", type=float, default=0.0, help="added to every endpoints request"
    )
    args = parser.parse_args()
    body = json.loads(args.payload.read_text(encoding="utf-8")) if args.payload else None
    stand_in = StandIn(body, args.mode)
    stand_in.endpoint_latency_s = args.endpoint_latency_ms / 1000
    print(f"serving {stand_in.count_all} models at {stand_in.start(args.port)}/models", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stand_in.stop()


if __name__ == "__main__":
    main()
