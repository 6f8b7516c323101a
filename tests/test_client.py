"""The HTTP client: every failure OpenRouter (or a proxy) can produce becomes one typed, readable error."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
import requests
import responses
from responses import matchers

from catalog.errors import (
    BadResponse,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotJSON,
)
from catalog.fetch.client import OpenRouterClient
from tests import payloads
from tools.stand_in import StandIn

API_BASE = "https://openrouter.test/api/v1"
MODELS_URL = f"{API_BASE}/models?output_modalities=all"
API_KEY = "sk-or-v1-test-key-0123456789abcdef"


@pytest.fixture
def mocked_api() -> Iterator[responses.RequestsMock]:
    """`requests` answered by `responses`: nothing leaves the process."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fast_client(api_key: str | None = None, **options: float) -> OpenRouterClient:
    """A client with short waits, so retry tests take milliseconds."""
    settings = {"deadline_s": 5.0, "max_retries": 2, "backoff_s": 0.01, **options}
    return OpenRouterClient(API_BASE, api_key, **settings)  # type: ignore[arg-type]


def error_body(status: int, message: str) -> dict[str, object]:
    return {"error": {"code": status, "message": message, "metadata": None}}


# -- the request ---------------------------------------------------------------------------------


def test_the_url_asks_for_every_output_modality(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(
        f"{API_BASE}/models",
        json=payloads.shape_2026(),
        match=[matchers.query_param_matcher({"output_modalities": "all"})],
    )
    result = OpenRouterClient(API_BASE + "/").fetch_models()
    assert result.url == MODELS_URL
    assert mocked_api.calls[0].request.url == MODELS_URL
    assert len(result.models) == 10
    assert (result.total_count, result.pages) == (10, 1)


def test_the_bearer_header_is_sent_when_a_key_is_set(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, json=payloads.shape_2026())
    fast_client(API_KEY).fetch_models()
    assert mocked_api.calls[0].request.headers["Authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize("api_key", [None, ""])
def test_no_authorization_header_without_a_key(
    mocked_api: responses.RequestsMock, api_key: str | None
) -> None:
    mocked_api.get(MODELS_URL, json=payloads.shape_2026())
    fast_client(api_key).fetch_models()
    assert "Authorization" not in mocked_api.calls[0].request.headers


# -- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_link",
    [
        "/api/v1/models?output_modalities=all&offset=2",
        f"{API_BASE}/models?output_modalities=all&offset=2",
    ],
    ids=["relative", "absolute"],
)
def test_links_next_is_followed_until_null(mocked_api: responses.RequestsMock, next_link: str) -> None:
    first = [payloads.model("acme/one"), payloads.model("acme/two")]
    second = [payloads.model("acme/three")]
    mocked_api.get(MODELS_URL, json={"data": first, "total_count": 3, "links": {"next": next_link}})
    mocked_api.get(f"{MODELS_URL}&offset=2", json={"data": second, "total_count": 3, "links": {"next": None}})
    result = fast_client().fetch_models()
    assert [m["id"] for m in result.models] == ["acme/one", "acme/two", "acme/three"]
    assert (result.total_count, result.pages) == (3, 2)
    assert [call.request.url for call in mocked_api.calls] == [MODELS_URL, f"{MODELS_URL}&offset=2"]


def test_a_model_repeated_across_a_page_boundary_is_kept_once(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(
        MODELS_URL,
        json={"data": [payloads.model("acme/one"), payloads.model("acme/two")], "links": {"next": "?p=2"}},
    )
    mocked_api.get(
        f"{API_BASE}/models?p=2",
        json={"data": [payloads.model("acme/two"), payloads.model("acme/three")], "links": {"next": None}},
    )
    result = fast_client().fetch_models()
    assert [m["id"] for m in result.models] == ["acme/one", "acme/two", "acme/three"]
    assert [json.loads(text) for text in result.model_texts or []] == result.models


def test_each_model_is_kept_as_the_text_the_response_sent(mocked_api: responses.RequestsMock) -> None:
    body = '{"data": [ {"id":"acme/one",  "name": "One"},\n {"id": "acme/two"} ], "total_count": 2}'
    mocked_api.get(MODELS_URL, body=body, content_type="application/json")
    result = fast_client().fetch_models()
    assert result.model_texts == ['{"id":"acme/one",  "name": "One"}', '{"id": "acme/two"}']
    assert result.models == [{"id": "acme/one", "name": "One"}, {"id": "acme/two"}]


def test_a_total_count_mismatch_is_a_bad_response(mocked_api: responses.RequestsMock) -> None:
    body = payloads.shape_2026()
    body["total_count"] = 11
    mocked_api.get(MODELS_URL, json=body)
    with pytest.raises(BadResponse) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == "got 10 models but the response says total_count=11"


def test_pagination_that_loops_is_a_bad_response(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, json={"data": [payloads.model("acme/one")], "links": {"next": MODELS_URL}})
    with pytest.raises(BadResponse, match=r"^pagination does not end \(page 2 at "):
        fast_client().fetch_models()


def test_a_response_without_paging_fields_is_accepted(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, json=payloads.legacy_2024())
    result = fast_client().fetch_models()
    assert (len(result.models), result.total_count, result.pages) == (3, None, 1)


# -- statuses and retries ------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says_then_succeeds(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(
        MODELS_URL,
        status=429,
        json=error_body(429, "Rate limit exceeded"),
        headers={"Retry-After": "0.3"},
    )
    mocked_api.get(MODELS_URL, json=payloads.shape_2026())
    started = time.monotonic()
    result = fast_client(backoff_s=0.0).fetch_models()
    assert time.monotonic() - started >= 0.3
    assert len(result.models) == len(payloads.shape_2026()["data"])
    assert len(mocked_api.calls) == 2


def test_429_that_persists_keeps_status_message_and_retry_after(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(
        MODELS_URL,
        status=429,
        json=error_body(429, "Rate limit exceeded"),
        headers={"Retry-After": "0.05"},
    )
    with pytest.raises(HTTPStatusError) as caught:
        fast_client(max_retries=2).fetch_models()
    error = caught.value
    assert str(error) == "OpenRouter answered HTTP 429: Rate limit exceeded (retry after 0.05 s)"
    assert (error.status, error.api_message, error.retry_after) == (429, "Rate limit exceeded", 0.05)
    assert len(mocked_api.calls) == 3


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, status=429, json=error_body(429, "Slow down"), headers={"Retry-After": "60"})
    with pytest.raises(HTTPStatusError, match=r"\(retry after 60 s\)$"):
        fast_client(deadline_s=2.0).fetch_models()
    assert len(mocked_api.calls) == 1  # answered at once: a 60 s wait would outlive the 2 s deadline


def test_503_is_retried_then_reported_with_openrouters_message(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, status=503, json=error_body(503, "Service temporarily unavailable"))
    with pytest.raises(HTTPStatusError) as caught:
        fast_client(max_retries=2).fetch_models()
    assert str(caught.value) == "OpenRouter answered HTTP 503: Service temporarily unavailable"
    assert caught.value.status == 503
    assert len(mocked_api.calls) == 3


def test_a_503_that_clears_up_is_a_success(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, status=503, json=error_body(503, "Service temporarily unavailable"))
    mocked_api.get(MODELS_URL, json=payloads.shape_2026())
    assert len(fast_client().fetch_models().models) == 10
    assert len(mocked_api.calls) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(mocked_api: responses.RequestsMock, status: int) -> None:
    mocked_api.get(MODELS_URL, status=status, json=error_body(status, "Invalid output_modalities"))
    with pytest.raises(HTTPStatusError) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == f"OpenRouter answered HTTP {status}: Invalid output_modalities"
    assert len(mocked_api.calls) == 1


def test_a_proxy_error_page_is_reported_by_status_alone(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(
        MODELS_URL, status=502, body="<html><body>Bad gateway</body></html>", content_type="text/html"
    )
    with pytest.raises(HTTPStatusError) as caught:
        fast_client(max_retries=0).fetch_models()
    assert str(caught.value) == "OpenRouter answered HTTP 502"
    assert caught.value.body_snippet == "<html><body>Bad gateway</body></html>"


# -- bodies that are not a model list ------------------------------------------------------------


def test_an_html_page_with_status_200_is_not_json(mocked_api: responses.RequestsMock) -> None:
    page = "<!DOCTYPE html><html><body><h1>Just a moment...</h1></body></html>"
    mocked_api.get(MODELS_URL, body=page, content_type="text/html; charset=utf-8")
    with pytest.raises(NotJSON) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == "the response is not JSON (got text/html)"
    assert caught.value.content_type == "text/html"
    assert caught.value.snippet == page
    assert len(mocked_api.calls) == 1


def test_invalid_json_is_a_bad_response(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, body='{"data": [', content_type="application/json")
    with pytest.raises(BadResponse) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == "the response is not valid JSON (10 bytes, probably cut short)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"data": {"models": "soon"}}, "'data' is dict, not a list of models"),
        ({"data": "none"}, "'data' is str, not a list of models"),
        ({"models": []}, "'data' is missing, not a list of models"),
        ([payloads.model("acme/one")], "the response is a JSON list, not an object"),
        ({"data": []}, "the response lists no models"),
        ({"data": [], "total_count": 0, "links": {"next": None}}, "the response lists no models"),
    ],
    ids=["dict", "string", "missing", "top-level-list", "empty", "empty-paged"],
)
def test_bodies_that_are_not_a_model_list(
    mocked_api: responses.RequestsMock, body: object, message: str
) -> None:
    mocked_api.get(MODELS_URL, json=body)
    with pytest.raises(BadResponse) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == message


def test_a_body_shorter_than_its_content_length_is_cut_short(mocked_api: responses.RequestsMock) -> None:
    body = json.dumps(payloads.shape_2026())
    mocked_api.get(
        MODELS_URL,
        body=body[:100],
        content_type="application/json",
        headers={"Content-Length": str(len(body))},
    )
    with pytest.raises(BadResponse, match="cut short"):
        fast_client().fetch_models()


# -- timeouts and connections --------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure", [requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout], ids=["connect", "read"]
)
def test_timeouts_say_how_long_was_waited(
    mocked_api: responses.RequestsMock, failure: type[Exception]
) -> None:
    mocked_api.get(MODELS_URL, body=failure("timed out"))
    with pytest.raises(FetchTimeout) as caught:
        fast_client(deadline_s=2.5).fetch_models()
    assert str(caught.value) == "OpenRouter timed out after 2.5 s"
    assert caught.value.seconds == 2.5


def test_a_refused_connection_names_the_api_base(mocked_api: responses.RequestsMock) -> None:
    mocked_api.get(MODELS_URL, body=requests.exceptions.ConnectionError("[Errno 111] Connection refused"))
    with pytest.raises(ConnectionFailed) as caught:
        fast_client().fetch_models()
    assert str(caught.value) == f"could not connect to {API_BASE}: connection refused"


def test_every_fetch_error_is_a_fetch_error() -> None:
    for error_type in (FetchTimeout, ConnectionFailed, HTTPStatusError, BadResponse, NotJSON):
        assert issubclass(error_type, FetchError)


# -- the key stays secret ------------------------------------------------------------------------


def test_repr_and_str_of_the_client_never_show_the_key() -> None:
    client = OpenRouterClient(API_BASE, API_KEY)
    assert repr(client) == f"OpenRouterClient(api_base='{API_BASE}')"
    assert API_KEY not in str(client)


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 401, "json": error_body(401, "No auth credentials found")},
        {"status": 429, "json": error_body(429, "Rate limit exceeded"), "headers": {"Retry-After": "0"}},
        {"status": 503, "body": "oops"},
        {"status": 200, "body": "<html></html>", "content_type": "text/html"},
        {"status": 200, "body": "{", "content_type": "application/json"},
        {"status": 200, "json": {"data": []}},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ConnectionError("Connection refused")},
    ],
    ids=["401", "429", "503", "html", "invalid-json", "empty", "timeout", "refused"],
)
def test_errors_and_logs_never_show_the_key(
    mocked_api: responses.RequestsMock, caplog: pytest.LogCaptureFixture, answer: dict[str, object]
) -> None:
    mocked_api.get(MODELS_URL, **answer)  # type: ignore[arg-type]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FetchError) as caught:
        fast_client(API_KEY, max_retries=1, backoff_s=0.0).fetch_models()
    error = caught.value
    exposed = [str(error), repr(error), *map(str, error.args), *map(str, vars(error).values())]
    assert not [text for text in exposed if API_KEY in text]
    assert API_KEY not in caplog.text


# -- a real socket -------------------------------------------------------------------------------


def test_a_real_server_is_asked_for_every_modality(stand_in: StandIn) -> None:
    result = OpenRouterClient(stand_in.api_base, deadline_s=5.0).fetch_models()
    assert len(result.models) == len(payloads.shape_2026()["data"])  # every modality, not text only
    assert stand_in.models_requests == 1
    assert stand_in.requests["auth:no"] == 1


def test_the_deadline_ends_a_server_that_drips_bytes(stand_in: StandIn) -> None:
    stand_in.set_mode("drip")
    client = OpenRouterClient(stand_in.api_base, deadline_s=1.5)
    with pytest.raises(FetchTimeout) as caught:
        client.fetch_models()
    assert str(caught.value) == "OpenRouter timed out after 1.5 s"
    assert stand_in.models_requests == 1  # one slow answer, cut short: not retried past the deadline


def test_a_body_cut_short_by_the_server_is_a_bad_response(stand_in: StandIn) -> None:
    stand_in.set_mode("truncated")
    with pytest.raises(BadResponse, match="cut short"):
        OpenRouterClient(stand_in.api_base, deadline_s=5.0).fetch_models()


def test_a_real_fetch_with_a_key_logs_nothing_of_it(
    stand_in: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    OpenRouterClient(stand_in.api_base, API_KEY, deadline_s=5.0).fetch_models()
    assert stand_in.requests["auth:yes"] == 1
    assert "GET /api/v1/models?output_modalities=all" in caplog.text  # urllib3 did log the request
    assert API_KEY not in caplog.text
