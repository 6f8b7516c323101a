"""A hostile server (the stand-in's hostile modes, over a real socket): the key goes nowhere else,
memory stays bounded, and every failure is one clear line that changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import responses

from catalog import Catalog
from catalog.errors import BadResponse, HTTPStatusError, ResponseTooLarge
from catalog.fetch.client import OpenRouterClient
from catalog.settings import SettingError
from tests import payloads
from tests.reliability import record
from tools.stand_in import StandIn, echoed_forms, gzip_bomb_body

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-or-v1-hostile-0123456789abcdef0123456789abcdef"


def digest_files(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def live_catalog_dir(stand_in: StandIn, catalog_dir: Path) -> Path:
    """CATALOG_DIR holding a live catalog of the stand-in's models (one refresh)."""
    Catalog(catalog_dir).refresh()
    return catalog_dir


# -- secrets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_link",
    [
        "http://evil.test/api/v1/models?page=2",
        "https://127.0.0.1:{port}/api/v1/models?page=2",
        "http://127.0.0.1:1/api/v1/models?page=2",
        "//evil.test/api/v1/models?page=2",
    ],
    ids=["other-host", "other-scheme", "other-port", "scheme-relative"],
)
def test_a_next_link_to_another_origin_is_refused_before_any_request(
    stand_in: StandIn, next_link: str
) -> None:
    stand_in.set_mode("next_offhost")
    stand_in.next_link = next_link.format(port=stand_in.server.server_address[1])  # type: ignore[union-attr]
    with responses.RequestsMock() as mock:  # a request anywhere but the stand-in would fail otherwise
        mock.add_passthru(stand_in.api_base)
        with pytest.raises(BadResponse, match=r"next-page link leads to .*; not followed$") as caught:
            OpenRouterClient(stand_in.api_base, KEY, deadline_s=5.0).fetch_models()
    assert stand_in.models_requests == 1
    assert KEY not in str(caught.value)


def test_an_off_host_next_link_leaves_the_store_unchanged(stand_in: StandIn, live_catalog_dir: Path) -> None:
    before = digest_files(live_catalog_dir)
    stand_in.set_mode("next_offhost")
    result = run_cli("refresh", OPENROUTER_API_KEY=KEY)
    assert result.returncode == 1
    assert result.stderr == (
        "error: the response's next-page link leads to http://evil.invalid:80, "
        "not the API's http://127.0.0.1:"
        f"{stand_in.server.server_address[1]}; not followed\n"  # type: ignore[union-attr]
    )
    assert digest_files(live_catalog_dir) == before


@pytest.mark.parametrize("padded", [f"{KEY}\n", f"{KEY}\r\n", f"  {KEY}\t"], ids=["LF", "CRLF", "blanks"])
def test_a_key_with_surrounding_whitespace_is_sent_stripped(
    stand_in: StandIn, catalog_dir: Path, padded: str
) -> None:
    result = run_cli("refresh", OPENROUTER_API_KEY=padded)
    assert (result.returncode, result.stderr) == (0, "")
    assert stand_in.requests["auth:yes"] == 1


@pytest.mark.parametrize(
    "bad_key", [f"sk-or-{chr(27)}]52;c;ZXZpbA==", "sk-or-v1-\x00abc", "sk-or-v1-é-abc", "sk-or v1"]
)
def test_a_key_with_control_or_non_ascii_characters_is_refused_without_showing_it(
    stand_in: StandIn, catalog_dir: Path, bad_key: str
) -> None:
    if "\x00" in bad_key:  # an environment variable cannot hold NUL: go through the library
        with pytest.raises(SettingError) as caught:
            Catalog(catalog_dir).refresh(api_key=bad_key)
        assert bad_key not in str(caught.value) and "abc" not in str(caught.value)
        return
    result = run_cli("refresh", OPENROUTER_API_KEY=bad_key)
    assert result.returncode == 1
    assert result.stderr == (
        "error: OPENROUTER_API_KEY holds a control character, space or non-ASCII character; "
        "it was not sent (copy the key again)\n"
    )
    assert stand_in.models_requests == 0


def test_a_key_echoed_in_every_form_is_stored_nowhere(stand_in: StandIn, catalog_dir: Path) -> None:
    stand_in.set_mode("echo_key")
    result = run_cli("refresh", OPENROUTER_API_KEY=KEY)
    assert (result.returncode, result.stderr) == (0, "")
    export = run_cli("export", "--format", "csv").stdout + run_cli("export", "--format", "json").stdout
    stored = b"".join(path.read_bytes() for path in catalog_dir.rglob("*") if path.is_file())
    snapshot = Catalog(catalog_dir).snapshot()
    for form in echoed_forms(KEY):
        assert form not in export
        assert form.encode() not in stored
    assert set(snapshot.models["description"]) == {"echo: " + " | ".join(["[API key]"] * 4)}


def test_a_key_echoed_json_escaped_in_an_error_is_not_shown(stand_in: StandIn, catalog_dir: Path) -> None:
    stand_in.set_mode("echo_key_error")
    result = run_cli("refresh", OPENROUTER_API_KEY=KEY)
    assert result.returncode == 1
    assert result.stderr == "error: OpenRouter answered HTTP 401: Invalid credentials: Bearer [API key]\n"


def test_credentials_in_the_api_base_reach_no_file_output_or_error(
    stand_in: StandIn, catalog_dir: Path
) -> None:
    with_credentials = stand_in.api_base.replace("http://", "http://reader:pa55w0rd-secret@")
    refreshed = run_cli("refresh", OPENROUTER_API_BASE=with_credentials)
    shown = run_cli("show")
    unreachable = run_cli(
        "refresh",
        OPENROUTER_API_BASE="http://reader:pa55w0rd-secret@127.0.0.1:9/api/v1",
        OPENROUTER_DEADLINE_S="2",
    )
    assert refreshed.returncode == 0
    assert f"api base:   {stand_in.api_base.replace('http://', 'http://***@')}\n" in shown.stdout
    assert (
        unreachable.stderr
        == "error: could not connect to http://***@127.0.0.1:9/api/v1: connection refused\n"
    )
    stored = b"".join(path.read_bytes() for path in catalog_dir.rglob("*") if path.is_file())
    for text in (refreshed.stdout, refreshed.stderr, shown.stdout, shown.stderr, unreachable.stderr):
        assert "pa55w0rd" not in text
    assert b"pa55w0rd" not in stored


# -- bounded input ---------------------------------------------------------------------------------


def test_two_content_encoding_layers_are_refused(stand_in: StandIn) -> None:
    stand_in.set_mode("gzip_layers")
    with pytest.raises(BadResponse) as caught:
        OpenRouterClient(stand_in.api_base, deadline_s=5.0).fetch_models()
    assert str(caught.value) == (
        "the response is compressed 2 times over (gzip, gzip); one content encoding at most is accepted"
    )


def test_one_gzip_layer_is_read(stand_in: StandIn) -> None:
    body = json.dumps(payloads.shape_2026()).encode()
    with responses.RequestsMock() as mock:
        url = "https://openrouter.test/api/v1/models?output_modalities=all"
        mock.get(
            url,
            body=gzip.compress(body),
            headers={"Content-Encoding": "gzip"},
            content_type="application/json",
        )
        result = OpenRouterClient("https://openrouter.test/api/v1", deadline_s=5.0).fetch_models()
    assert len(result.models) == 10


def test_a_gzip_bomb_is_refused_at_the_size_cap(stand_in: StandIn) -> None:
    stand_in.set_mode("gzip_bomb")
    stand_in.bomb_mb = 100
    with pytest.raises(ResponseTooLarge) as caught:
        OpenRouterClient(stand_in.api_base, deadline_s=20.0).fetch_models()
    assert str(caught.value) == "the response is over 64 MB (OPENROUTER_MAX_RESPONSE_MB); not read further"


def test_an_endless_body_is_refused_at_the_size_cap(stand_in: StandIn) -> None:
    stand_in.set_mode("endless")
    with pytest.raises(ResponseTooLarge, match=r"^the response is over 2 MB "):
        OpenRouterClient(stand_in.api_base, deadline_s=20.0, max_response_mb=2).fetch_models()


def test_a_content_length_over_the_cap_is_refused_before_reading(stand_in: StandIn) -> None:
    stand_in.set_payload(payloads.catalog_of(3000))
    with pytest.raises(ResponseTooLarge, match=r"^the response is over 0.5 MB "):
        OpenRouterClient(stand_in.api_base, deadline_s=5.0, max_response_mb=0.5).fetch_models()


def test_deep_nesting_is_a_bad_response(stand_in: StandIn) -> None:
    stand_in.set_mode("deep")
    with pytest.raises(BadResponse) as caught:
        OpenRouterClient(stand_in.api_base, deadline_s=5.0).fetch_models()
    assert str(caught.value) == "the response nests over 32 levels deep"


def test_a_model_nested_over_the_limit_is_refused(stand_in: StandIn) -> None:
    body = payloads.shape_2026()
    deep: object = "bottom"
    for _ in range(40):
        deep = {"x": [deep]}
    body["data"][3]["extra"] = deep
    stand_in.set_payload(body)
    with pytest.raises(BadResponse) as caught:
        OpenRouterClient(stand_in.api_base, deadline_s=5.0).fetch_models()
    assert str(caught.value) == "model #4 nests over 32 levels deep; the response is refused"


def test_retry_after_nan_falls_back_to_the_backoff(stand_in: StandIn) -> None:
    stand_in.set_mode("retry_after_nan")
    client = OpenRouterClient(stand_in.api_base, deadline_s=5.0, max_retries=1, backoff_s=0.01)
    with pytest.raises(HTTPStatusError) as caught:
        client.fetch_models()
    assert str(caught.value) == "OpenRouter answered HTTP 429: Rate limit exceeded"
    assert caught.value.retry_after is None
    assert stand_in.models_requests == 2


def test_more_models_than_the_cap_are_refused(stand_in: StandIn) -> None:
    with pytest.raises(BadResponse) as caught:
        OpenRouterClient(stand_in.api_base, deadline_s=5.0, max_models=9).fetch_models()
    assert str(caught.value) == "the response lists over 9 models, the most accepted (OPENROUTER_MAX_MODELS)"


HOSTILE_LINES = {
    "next_offhost": "error: the response's next-page link leads to http://evil.invalid:80",
    "gzip_layers": "error: the response is compressed 2 times over",
    "gzip_bomb": "error: the response is over 64 MB",
    "endless": "error: the response is over 64 MB",
    "deep": "error: the response nests over 32 levels deep",
    "retry_after_nan": "error: OpenRouter answered HTTP 429: Rate limit exceeded",
    "echo_key_error": "error: OpenRouter answered HTTP 401: Invalid credentials: Bearer [API key]",
}


@pytest.mark.parametrize(("mode", "line"), HOSTILE_LINES.items(), ids=list(HOSTILE_LINES))
def test_every_hostile_answer_is_one_line_and_changes_nothing(
    stand_in: StandIn, live_catalog_dir: Path, mode: str, line: str
) -> None:
    before = digest_files(live_catalog_dir)
    stand_in.set_mode(mode)
    stand_in.bomb_mb = 200
    result = run_cli("refresh", OPENROUTER_API_KEY=KEY, OPENROUTER_DEADLINE_S="20")
    assert result.returncode == 1
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
    assert "unexpected" not in result.stderr and KEY not in result.stderr
    assert digest_files(live_catalog_dir) == before


BOMB_PROBE = textwrap.dedent(
    """
    import json, sys
    from catalog.errors import ResponseTooLarge
    from catalog.fetch.client import OpenRouterClient

    def high_water_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    api_base, bomb_base = sys.argv[1], sys.argv[2]
    OpenRouterClient(api_base, deadline_s=30.0).fetch_models()  # the ordinary footprint of a fetch
    before = high_water_mb()
    try:
        OpenRouterClient(bomb_base, deadline_s=60.0).fetch_models()
    except ResponseTooLarge as error:
        print(json.dumps({"before_mb": before, "after_mb": high_water_mb(), "error": str(error)}))
    """
)


@pytest.mark.slow
def test_peak_memory_of_a_refused_gzip_bomb_stays_under_the_cap(stand_in: StandIn) -> None:
    bomb = StandIn(mode="gzip_bomb")
    bomb.bomb_mb = 2048
    bomb_base = bomb.start()
    try:
        probe = subprocess.run(
            [sys.executable, "-c", BOMB_PROBE, stand_in.api_base, bomb_base],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    finally:
        bomb.stop()
    figures = json.loads(probe.stdout)
    growth_mb = figures["after_mb"] - figures["before_mb"]
    record(
        "gzip_bomb",
        bomb_decompressed_mb=2048,
        bomb_compressed_kb=round(len(gzip_bomb_body(2048)) / 1024),
        ordinary_peak_mb=round(figures["before_mb"], 1),
        refused_peak_mb=round(figures["after_mb"], 1),
        growth_mb=round(growth_mb, 1),
    )
    assert figures["error"].startswith("the response is over 64 MB")
    assert growth_mb < 64 + 16  # the capped body, and the bytearray's spare room


@pytest.mark.parametrize(
    ("mode", "env", "line"),
    [
        ("endless", {"OPENROUTER_MAX_RESPONSE_MB": "2"}, "error: the response is over 2 MB"),
        ("ok", {"OPENROUTER_MAX_MODELS": "5"}, "error: the response lists over 5 models"),
        ("ok", {"OPENROUTER_MAX_RESPONSE_MB": "nan"}, "error: OPENROUTER_MAX_RESPONSE_MB='nan' is not valid"),
        ("ok", {"OPENROUTER_MAX_MODELS": "2.5"}, "error: OPENROUTER_MAX_MODELS='2.5' is not valid"),
    ],
    ids=["size-cap", "model-cap", "size-nan", "models-fraction"],
)
def test_the_limits_are_settings(
    stand_in: StandIn, live_catalog_dir: Path, mode: str, env: dict[str, str], line: str
) -> None:
    before = digest_files(live_catalog_dir)
    stand_in.set_mode(mode)
    result = run_cli("refresh", **env)
    assert result.returncode == 1
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1
    assert digest_files(live_catalog_dir) == before
