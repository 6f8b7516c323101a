"""The command line, run as a user runs it: `python -m catalog ...` in a separate process."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import responses

from catalog import Catalog
from catalog.cli import build_parser, main
from catalog.fetch.defaults import defaults_as_of
from catalog.present.export import to_csv_bytes
from tests import payloads
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
CANARY_KEY = "sk-or-canary-7f3a9c1e5d2b4a6f8e0c"
FORMULA_NAMES = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tTabbed", "\rReturned"]


@pytest.fixture
def live_catalog_dir(stand_in: StandIn, catalog_dir: Path) -> Path:
    """CATALOG_DIR holding a live catalog of the stand-in's 10 models (refreshed in this process)."""
    Catalog(catalog_dir).refresh()
    with stand_in.lock:
        stand_in.requests.clear()
    return catalog_dir


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m catalog ARGS` with this test's environment (CATALOG_DIR, OPENROUTER_API_BASE)."""
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=False,
    )


def text_of(output: bytes) -> str:
    return output.decode("utf-8")


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def digest_files(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def assert_one_error_line(result: subprocess.CompletedProcess[bytes], line: str) -> None:
    """Exit 1, nothing on stdout, and exactly the one given line on stderr."""
    assert result.returncode == 1
    assert result.stdout == b""
    assert text_of(result.stderr) == line + "\n"
    assert b"Traceback" not in result.stderr


def per_million(price: str | None) -> str:
    """How the CSV writes a $/1M price: the exact Decimal as the shortest float; empty for -1."""
    if price is None or Decimal(price) == -1:
        return ""
    return str(float(Decimal(price) * 10**6))


# -- the commands --------------------------------------------------------------------------------


def test_reset_restores_the_bundled_defaults(catalog_dir: Path) -> None:
    result = run_cli("reset")
    assert (result.returncode, result.stderr) == (0, b"")
    assert text_of(result.stdout) == f"53 models: bundled defaults (prices as of {defaults_as_of()})\n"
    assert (catalog_dir / "catalog.json").exists()


def test_refresh_then_show(stand_in: StandIn, catalog_dir: Path) -> None:
    refreshed = run_cli("refresh")
    assert (refreshed.returncode, refreshed.stderr) == (0, b"")
    assert text_of(refreshed.stdout).startswith("10 models")
    assert stand_in.models_requests == 1

    shown = run_cli("show")
    assert (shown.returncode, shown.stderr) == (0, b"")
    lines = text_of(shown.stdout).splitlines()
    assert lines[0].startswith("source:     live from OpenRouter, refreshed ")
    assert lines[1:5] == [
        f"api base:   {stand_in.api_base}",
        f"directory:  {catalog_dir}",
        "generation: 2",
        "models:     10",
    ]
    assert lines[5] == "by provider:"
    assert lines[6:8] == ["  openai          3", "  deepseek        2"]
    assert len(lines) == 6 + 7  # seven providers


@pytest.mark.parametrize(
    "body", [payloads.shape_2026(), payloads.catalog_of(549)], ids=["quirks", "549-models"]
)
def test_refresh_then_csv_export_gives_every_model_with_exact_prices(
    stand_in: StandIn, body: dict[str, Any]
) -> None:
    stand_in.set_payload(body)
    assert run_cli("refresh").returncode == 0
    exported = run_cli("export", "--format", "csv")
    assert (exported.returncode, exported.stderr) == (0, b"")

    rows = csv_rows(exported.stdout)
    raw = {m["id"]: m["pricing"] for m in body["data"]}
    assert len(rows) == len(body["data"])
    assert [row["id"] for row in rows] == list(raw)
    for row in rows:
        pricing = raw[row["id"]]
        for field, column in (("prompt", "prompt_per_mtok"), ("completion", "completion_per_mtok")):
            assert row[column] == per_million(pricing.get(field)), (row["id"], field)
            if row[column]:
                assert Decimal(row[column]) == Decimal(pricing[field]) * 10**6
    assert "raw_json" not in rows[0]


def test_json_export(live_catalog_dir: Path) -> None:
    result = run_cli("export", "--format", "json")
    assert (result.returncode, result.stderr) == (0, b"")
    records = json.loads(result.stdout)
    assert len(records) == 10
    by_id = {record["id"]: record for record in records}
    assert by_id["qwen/qwen3-long-decimals"]["prompt_per_mtok"] == 0.0208333333333333
    assert by_id["openrouter/auto"]["prompt_per_mtok"] is None
    assert json.loads(by_id["x-ai/grok-4:free"]["raw_json"])["pricing"] == {"prompt": "0", "completion": "0"}


def test_parquet_export_to_a_file(live_catalog_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "models.parquet"
    result = run_cli("export", "--format", "parquet", "-o", str(target))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    frame = pd.read_parquet(target)
    assert len(frame) == 10
    assert frame.set_index("id").loc["qwen/qwen3-long-decimals", "prompt_per_mtok"] == 0.0208333333333333


def test_csv_export_to_a_file(live_catalog_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "models.csv"
    result = run_cli("export", "--output", str(target))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert target.read_bytes() == to_csv_bytes(Catalog().snapshot().models)


def test_dir_option_chooses_the_catalog_directory(tmp_path: Path, catalog_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    result = run_cli("--dir", str(elsewhere), "reset")
    assert result.returncode == 0
    assert (elsewhere / "catalog.json").exists()
    assert not catalog_dir.exists()


def test_export_on_a_first_run_gives_the_defaults() -> None:
    assert len(csv_rows(run_cli("export").stdout)) == 53


# -- failures: exit 1, one line, nothing changed -------------------------------------------------


BAD_MODES = [
    ("html", "error: the response is not JSON (got text/html)"),
    ("truncated", "error: the response was cut short"),
    ("rate_limited", "error: OpenRouter answered HTTP 429: Rate limit exceeded (retry after 0.05 s)"),
    ("unavailable", "error: OpenRouter answered HTTP 503: Service temporarily unavailable"),
    ("empty", "error: the response lists no models"),
    ("not_list", "error: 'data' is dict, not a list of models"),
    ("error_json", "error: OpenRouter answered HTTP 400: Invalid output_modalities"),
    ("drip", "error: OpenRouter timed out after 1 s"),
]


@pytest.mark.parametrize(("mode", "line"), BAD_MODES, ids=[m[0] for m in BAD_MODES])
def test_a_bad_response_exits_1_with_one_line_and_an_unchanged_store(
    stand_in: StandIn, live_catalog_dir: Path, mode: str, line: str
) -> None:
    before = digest_files(live_catalog_dir)
    stand_in.retry_after = 0.05
    stand_in.set_mode(mode)

    result = run_cli("refresh", OPENROUTER_DEADLINE_S="1")

    assert result.returncode == 1
    assert result.stdout == b""
    stderr = text_of(result.stderr)
    assert stderr.startswith(line)
    assert stderr.count("\n") == 1 and stderr.endswith("\n")
    assert "Traceback" not in stderr
    assert digest_files(live_catalog_dir) == before


def test_an_unreachable_server_exits_1_with_one_line(catalog_dir: Path) -> None:
    result = run_cli("refresh", OPENROUTER_DEADLINE_S="2")
    assert_one_error_line(result, "error: could not connect to http://127.0.0.1:9/api/v1: connection refused")


def test_a_shrinking_refresh_is_refused_until_forced(stand_in: StandIn, catalog_dir: Path) -> None:
    stand_in.set_payload(payloads.catalog_of(40))
    Catalog(catalog_dir).refresh()
    before = digest_files(catalog_dir)
    stand_in.set_payload(payloads.catalog_of(19))

    refused = run_cli("refresh")
    assert_one_error_line(
        refused,
        "error: the response lists 19 models, under half of the 40 now stored; "
        "refusing to replace them (use force to accept)",
    )
    assert digest_files(catalog_dir) == before

    forced = run_cli("refresh", "--force")
    assert forced.returncode == 0
    assert Catalog().snapshot().count == 19


def test_an_unwritable_output_exits_1_with_one_line(live_catalog_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "models.csv"
    result = run_cli("export", "--output", str(target))
    assert_one_error_line(result, f"error: cannot write {target}: No such file or directory")


def test_a_damaged_store_is_shown_with_a_one_line_note(live_catalog_dir: Path) -> None:
    (live_catalog_dir / "catalog.json").write_text("{half a", encoding="utf-8")
    result = run_cli("show")
    assert result.returncode == 0
    stderr = text_of(result.stderr)
    assert stderr.startswith("note: The stored catalog could not be read (catalog.json is damaged")
    assert stderr.endswith("Showing the bundled defaults.\n")
    assert stderr.count("\n") == 1
    assert "models:     53" in text_of(result.stdout).splitlines()


def test_a_usage_error_exits_2_without_a_traceback() -> None:
    result = run_cli("export", "--format", "xlsx")
    assert result.returncode == 2
    assert b"invalid choice: 'xlsx'" in result.stderr
    assert b"Traceback" not in result.stderr


# -- spreadsheet safety --------------------------------------------------------------------------


def test_formula_like_names_are_escaped_and_numbers_untouched(stand_in: StandIn, catalog_dir: Path) -> None:
    models = [
        payloads.model(f"acme/m{index}", "0.00000045", "0.0000006", name=name)
        for index, name in enumerate(FORMULA_NAMES)
    ]
    models.append(payloads.model("acme/plain", "0.000001", "0.000002", name="Plain - no formula"))
    models[0]["description"] = '=HYPERLINK("http://evil.example","click")'
    stand_in.set_payload(payloads.payload(models))
    Catalog(catalog_dir).refresh()

    rows = csv_rows(run_cli("export", "--format", "csv").stdout)

    assert [row["name"] for row in rows] == [*("'" + name for name in FORMULA_NAMES), "Plain - no formula"]
    assert rows[0]["description"] == '\'=HYPERLINK("http://evil.example","click")'
    assert [row["prompt_per_mtok"] for row in rows] == ["0.45"] * 6 + ["1.0"]
    assert {row["context_length"] for row in rows} == {"128000"}
    records = json.loads(run_cli("export", "--format", "json").stdout)
    assert [record["name"] for record in records][:6] == FORMULA_NAMES  # JSON keeps the names as they are


# -- terminal escapes ----------------------------------------------------------------------------

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # writes the clipboard
CLEAR = "\x1b[2J"  # clears the screen
TITLE = "\x1b]0;pwned\x07"  # sets the window title
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_terminal_escapes_in_ids_and_names_reach_no_command_output(
    stand_in: StandIn, catalog_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    evil = [
        payloads.model(f"evil{OSC52}/clip", name=f"Clip{CLEAR}"),
        payloads.model(f"title{TITLE}/model\u202e", name="Title"),
        payloads.model("plain/model", name="Plain"),
    ]
    stand_in.set_payload(payloads.payload(evil[:2]))
    assert main(["refresh"]) == 0
    stand_in.set_payload(payloads.payload(evil[1:], paged=False))
    assert main(["refresh", "--force"]) == 0
    outputs = []
    for args in (["show"], ["changes"], ["cost", "--input-tokens", "1000", "--output-tokens", "10"]):
        assert main(args) == 0
        outputs.append(capfd.readouterr())
    stand_in.set_mode("error_json")
    with responses.RequestsMock() as mock:
        mock.get(re.compile(".*"), status=400, json={"error": {"code": 400, "message": f"bad {OSC52} key"}})
        assert main(["refresh"]) == 1
    outputs.append(capfd.readouterr())

    printed = "".join(out.out + out.err for out in outputs)
    assert not RAW_CONTROLS.findall(printed)
    assert "\u202e" not in printed
    shown, changes, _, error = outputs
    assert shown.out.endswith(
        "by provider:\n  plain                      1\n  title\\x1b]0;pwned\\x07      1\n"
    )
    assert "removed   evil\\x1b]52;c;ZWNobyBwd25lZA==\\x07/clip" in changes.out
    assert error.err == "error: OpenRouter answered HTTP 400: bad \\x1b]52;c;ZWNobyBwd25lZA==\\x07 key\n"


def test_an_export_to_a_file_or_pipe_keeps_the_text_exactly(stand_in: StandIn, catalog_dir: Path) -> None:
    stand_in.set_payload(payloads.payload([payloads.model(f"evil/{CLEAR}x", name=f"Name{TITLE}")]))
    assert run_cli("refresh").returncode == 0
    records = json.loads(run_cli("export", "--format", "json").stdout)
    assert records[0]["name"] == f"Name{TITLE}"


# -- the API key ---------------------------------------------------------------------------------


def test_the_api_key_is_sent_but_appears_in_no_output_export_or_stored_file(
    stand_in: StandIn, catalog_dir: Path, tmp_path: Path
) -> None:
    key = {"OPENROUTER_API_KEY": CANARY_KEY}
    exports = tmp_path / "exports"
    exports.mkdir()
    runs = [
        run_cli("refresh", **key),
        run_cli("show", **key),
        run_cli("export", "--format", "csv", **key),
        run_cli("export", "--format", "json", **key),
        run_cli("export", "--format", "parquet", "--output", str(exports / "models.parquet"), **key),
    ]
    stand_in.set_mode("error_json")
    runs.append(run_cli("refresh", "--force", **key))

    assert [run.returncode for run in runs] == [0, 0, 0, 0, 0, 1]
    assert stand_in.requests["auth:yes"] == 2
    assert stand_in.requests["auth:no"] == 0
    secret = CANARY_KEY.encode()
    assert not [run.args for run in runs if secret in run.stdout or secret in run.stderr]
    stored = [*catalog_dir.rglob("*"), *exports.rglob("*")]
    assert not [path for path in stored if path.is_file() and secret in path.read_bytes()]
    assert not [path for path in stored if CANARY_KEY in path.name]


# -- documentation -------------------------------------------------------------------------------


def cli_commands() -> list[str]:
    [subparsers] = [
        action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)
    ]
    return sorted(subparsers.choices)


def test_every_command_is_listed_in_help() -> None:
    text = build_parser().format_help()
    assert [name for name in cli_commands() if not re.search(rf"^\s+{name}\s", text, re.M)] == []


def test_the_readme_mentions_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli_commands() if f"python -m catalog {name}" not in readme]
    assert missing == [], f"README.md does not show: {', '.join(f'python -m catalog {n}' for n in missing)}"
