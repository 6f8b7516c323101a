"""With a canary API key configured, every command (found in the CLI's own parser, so new ones are
covered as they come) and every page path runs; the key reaches the stand-in and nowhere else: no
output, log, export, page element, error message or file under CATALOG_DIR holds it."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.cli import build_parser, main
from catalog.errors import CatalogError
from tests import payloads
from tests.reliability import record
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
CANARY = f"sk-or-v1-canary-{secrets.token_hex(16)}"
FAILING_MODES = ["error_json", "unavailable", "html", "truncated", "rate_limited"]


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> str:
    """The canary key in the environment, and every log record kept."""
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY)
    caplog.set_level(logging.DEBUG)
    return CANARY


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [subparsers] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subparsers.choices)


def invocations(name: str, parser: argparse.ArgumentParser, outputs: Path) -> list[list[str]]:
    """Ways to run one command: every --format, to stdout and to a file, with --force if it has one."""
    required: list[str] = []
    formats: list[str | None] = [None]
    has_output = has_force = False
    for action in parser._actions:
        if "--format" in action.option_strings and action.choices:
            formats = list(action.choices)
        elif "--output" in action.option_strings:
            has_output = True
        elif "--force" in action.option_strings:
            has_force = True
        elif action.required and action.option_strings:
            value = "1000" if action.type is int else str(next(iter(action.choices or ["1"])))
            required += [action.option_strings[-1], value]
    runs = []
    for fmt in formats:
        args = [name, *required, *(["--format", fmt] if fmt else [])]
        runs.append(args)
        if has_output:
            runs.append([*args, "--output", str(outputs / f"{name}-{fmt or 'out'}.{fmt or 'txt'}")])
    if has_force:
        runs.append([name, *required, "--force"])
    return runs


def run_everything(outputs: Path, capfd: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Every invocation of every command, in this process; (how many ran, all they printed)."""
    printed, count = [], 0
    for name, parser in subcommands().items():
        for args in invocations(name, parser, outputs):
            with contextlib.suppress(SystemExit):  # a usage error is output too, checked like the rest
                main(args)
            out, err = capfd.readouterr()
            printed += [out, err]
            count += 1
    return count, "\n".join(printed)


def files_holding(secret: str, *roots: Path) -> list[str]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if secret in path.name or (path.is_file() and secret.encode() in path.read_bytes()):
                found.append(str(path))
    return found


def test_every_command_in_every_state_keeps_the_key_to_the_request(
    canary: str,
    stand_in: StandIn,
    catalog_dir: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    stand_in.set_payload(payloads.shape_2026())
    runs, printed = run_everything(outputs, capfd)  # first run: no store yet, then live
    stand_in.set_payload(payloads.catalog_of(12))
    more, text = run_everything(outputs, capfd)  # a second live catalog: history, changes
    runs, printed = runs + more, printed + text
    for mode in FAILING_MODES:
        stand_in.set_mode(mode)
        more, text = run_everything(outputs, capfd)
        runs, printed = runs + more, printed + text
    stand_in.set_mode("ok")
    (catalog_dir / "catalog.json").write_text("{damaged", encoding="utf-8")
    more, text = run_everything(outputs, capfd)  # on a damaged store: moved aside, then rebuilt
    runs, printed = runs + more, printed + text

    assert stand_in.requests["auth:yes"] >= 4
    assert stand_in.requests["auth:no"] == 0
    assert "error: OpenRouter answered HTTP 400" in printed  # the failures did print their errors
    assert (catalog_dir / "damaged").is_dir()
    assert canary not in printed
    assert canary not in caplog.text
    assert files_holding(canary, catalog_dir, outputs) == []
    assert len(list(outputs.iterdir())) >= 3
    record("secrets_cli", commands=sorted(subcommands()), command_runs=runs, states=3 + len(FAILING_MODES))


def test_the_real_command_line_keeps_the_key_to_the_request(
    canary: str, stand_in: StandIn, catalog_dir: Path
) -> None:
    runs = []
    for mode in ("ok", "error_json"):
        stand_in.set_mode(mode)
        runs.append(
            subprocess.run(
                [sys.executable, "-m", "catalog", "refresh", "--force"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
        )
    assert [run.returncode for run in runs] == [0, 1]
    assert stand_in.requests["auth:yes"] == 2
    assert not [run for run in runs if canary in run.stdout + run.stderr]
    assert files_holding(canary, catalog_dir) == []


@responses.activate
def test_an_error_body_that_echoes_the_key_is_redacted(canary: str, catalog_dir: Path) -> None:
    """A proxy that quotes the request back must not put the key into an error the page shows."""
    base = "http://127.0.0.1:9/api/v1"
    echo = {"error": {"code": 401, "message": f"Invalid credentials: Bearer {canary}"}}
    responses.get(f"{base}/models", json=echo, status=401)
    responses.get(f"{base}/models?output_modalities=all", json=echo, status=401)

    with pytest.raises(CatalogError) as caught:
        Catalog().refresh(api_base=base)

    error = caught.value
    assert "HTTP 401" in str(error)
    texts = [str(error), repr(error), *(str(v) for v in vars(error).values())]
    assert [t for t in texts if canary in t] == []
    assert files_holding(canary, catalog_dir) == []


@responses.activate
def test_a_model_that_echoes_the_key_is_stored_redacted(canary: str, catalog_dir: Path) -> None:
    """Each model is stored as the text the response sent: that text must not keep the key either."""
    base = "http://127.0.0.1:9/api/v1"
    echoing = payloads.model("acme/echo", description=f"Called with Bearer {canary} today")
    responses.get(f"{base}/models?output_modalities=all", json={"data": [echoing, payloads.model("acme/b")]})

    snapshot = Catalog().refresh(api_base=base).snapshot

    row = snapshot.models.set_index("id").loc["acme/echo"]
    assert row["description"] == "Called with Bearer [API key] today"
    assert json.loads(row["raw_json"])["description"] == "Called with Bearer [API key] today"
    assert files_holding(canary, catalog_dir) == []


# -- the page ------------------------------------------------------------------------------------------


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def page_bytes(at: AppTest) -> bytes:
    """Every element of the page as sent to the browser (protobuf), session state included."""
    parts = [node.proto.SerializeToString() for node in walk(at._tree) if getattr(node, "proto", None)]
    state = {k: repr(at.session_state[k]) for k in at.session_state}
    return b"".join(parts) + json.dumps(state).encode()


TABS = ["Models", "Charts", "Cost calculator", "Compare", "What changed"]


def visit_every_path(at: AppTest, stand_in: StandIn) -> list[bytes]:
    """Refresh (twice, for changes), each failure, reset, every tab and a model's details."""
    seen = []

    def step() -> None:
        assert not at.exception, [e.value for e in at.exception]
        seen.append(page_bytes(at))

    at.run()
    step()
    stand_in.set_payload(payloads.shape_2026())
    at.button(key="refresh").click().run()
    step()
    stand_in.set_payload(payloads.catalog_of(12))
    at.button(key="refresh").click().run()
    step()
    for mode in FAILING_MODES:
        stand_in.set_mode(mode)
        at.button(key="refresh").click().run()
        step()
    stand_in.set_mode("ok")
    for tab in TABS:
        at.session_state["tab"] = tab
        at.run()
        step()
    at.session_state["tab"] = "Models"
    at.session_state["model"] = "openai/model-00000"
    at.run()
    step()
    at.button(key="reset").click().run()
    at.button(key="reset_confirm").click().run()
    step()
    return seen


def test_every_page_path_with_the_key_in_the_environment(
    canary: str, stand_in: StandIn, catalog_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    pages = visit_every_path(at, stand_in)

    assert stand_in.requests["auth:yes"] >= 2 and stand_in.requests["auth:no"] == 0
    assert [i for i, page in enumerate(pages) if canary.encode() in page] == []
    assert canary not in caplog.text
    assert files_holding(canary, catalog_dir) == []
    record("secrets_page", page_states_checked=len(pages), tabs=TABS, failing_modes=FAILING_MODES)


def test_every_page_path_with_the_key_in_streamlit_secrets(
    stand_in: StandIn, catalog_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["OPENROUTER_API_KEY"] = CANARY
    pages = visit_every_path(at, stand_in)

    assert stand_in.requests["auth:yes"] >= 2 and stand_in.requests["auth:no"] == 0
    page_without_secrets = [page.replace(b"OPENROUTER_API_KEY", b"") for page in pages]
    assert [i for i, page in enumerate(page_without_secrets) if CANARY.encode() in page] == []
    assert CANARY not in caplog.text
    assert files_holding(CANARY, catalog_dir) == []
