"""python -m catalog cost: every format, --top, --output, and one clear line on bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.cli import main
from tests.payloads import model, payload
from tools.stand_in import StandIn

TIER = [{"min_prompt_tokens": 200000, "prompt": "0.0000025", "completion": "0.000015"}]
WINDOW = [{"utc_start": 1630, "utc_end": 30, "prompt": "0.00000014", "completion": "0.00000021"}]


@pytest.fixture
def priced_catalog(stand_in: StandIn) -> None:
    """A stored live catalog of six models, one quirk each."""
    stand_in.set_payload(
        payload(
            [
                model("a/cheap", "0.000001", "0.000002", input_cache_read="0.0000001"),
                model("b/dear", "0.00001", "0.00003", request="0.001"),
                model("c/tiered", "0.00000125", "0.00001", overrides=TIER, context_length=1_048_576),
                model("d/windowed", "0.00000028", "0.00000042", overrides=WINDOW, context_length=1_048_576),
                model("openrouter/auto", "-1", "-1"),
                model("openai/whisper-1", "0.006", "0", inputs=("audio",), outputs=("transcription",)),
            ]
        )
    )
    assert main(["refresh"]) == 0


def run_cost(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `cost` with the given arguments (one string is split on spaces)."""
    code = main(["cost", *(args[0].split() if len(args) == 1 else args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.usefixtures("priced_catalog")
def test_csv_lists_whole_workload_costs_cheapest_first_then_models_without_one(capsys):
    code, out, _ = run_cost(
        capsys, "--input-tokens 1000 --output-tokens 100 --cached-input-tokens 500 --requests 10 --format csv"
    )
    assert code == 0
    rows = csv_rows(out)
    # per request, x 10:
    # d/windowed: 1,000 x 0.00000028 + 100 x 0.00000042                      = 0.000322
    # a/cheap:    500 x 0.000001 + 500 x 0.0000001 + 100 x 0.000002          = 0.00075
    # c/tiered:   1,000 x 0.00000125 + 100 x 0.00001                         = 0.00225
    # b/dear:     1,000 x 0.00001 + 100 x 0.00003 + 0.001 request            = 0.014
    assert [(r["id"], r["cost_usd"], r["cost_per_request_usd"]) for r in rows[:4]] == [
        ("d/windowed", "0.00322", "0.000322"),
        ("a/cheap", "0.0075", "0.00075"),
        ("c/tiered", "0.0225", "0.00225"),
        ("b/dear", "0.14", "0.014"),
    ]
    assert [(r["id"], r["cost_usd"], r["reason"]) for r in rows[4:]] == [
        ("openai/whisper-1", "", "not priced per token (transcription output)"),
        ("openrouter/auto", "", "variable price: set by the router for each request"),
    ]
    assert "base price used" in rows[0]["note"]


@pytest.mark.usefixtures("priced_catalog")
def test_long_input_crosses_the_tier_and_utc_time_applies_the_window(capsys):
    arguments = "--input-tokens 200000 --output-tokens 1000 --utc-time 17:00 --format csv"
    code, out, _ = run_cost(capsys, arguments)
    rows = {r["id"]: r for r in csv_rows(out)}
    assert code == 0
    # 200,000 x 0.0000025 + 1,000 x 0.000015
    tiered, windowed = rows["c/tiered"], rows["d/windowed"]
    assert (tiered["cost_usd"], tiered["tier_min_prompt_tokens"]) == ("0.515", "200000")
    # 200,000 x 0.00000014 + 1,000 x 0.00000021
    assert (windowed["cost_usd"], windowed["utc_window"]) == ("0.02821", "16:30–00:30 UTC")
    # The others list 128,000 tokens of context: no cost, the reason instead.
    assert (rows["a/cheap"]["cost_usd"], rows["a/cheap"]["reason"]) == (
        "",
        "context 128,000 < 201,000 tokens",
    )
    assert list(rows)[:2] == ["d/windowed", "c/tiered"]


@pytest.mark.usefixtures("priced_catalog")
def test_output_beyond_the_max_output_gets_no_cost(capsys):
    code, out, _ = run_cost(capsys, "--input-tokens 1000 --output-tokens 20000 --format csv")
    rows = {r["id"]: r for r in csv_rows(out)}
    assert code == 0
    assert rows["b/dear"]["reason"] == "max output 16,384 < 20,000 tokens"
    assert rows["b/dear"]["cost_usd"] == ""


@pytest.mark.usefixtures("priced_catalog")
def test_reasoning_cache_writes_images_and_searches_reach_the_cost(capsys):
    code, out, _ = run_cost(
        capsys,
        "--input-tokens 1000 --output-tokens 100 --reasoning-tokens 40 --cache-write-tokens 200 "
        "--images 1 --web-searches 2 --format csv",
    )
    rows = {r["id"]: r for r in csv_rows(out)}
    assert code == 0
    # no reasoning, cache-write, image or search price: all at prompt/completion, 0 for the units
    assert rows["a/cheap"]["cost_usd"] == "0.0012"  # 1,000 x 0.000001 + 100 x 0.000002


@pytest.mark.usefixtures("priced_catalog")
def test_json_keeps_costs_as_exact_strings(capsys):
    code, out, _ = run_cost(capsys, "--input-tokens", "3", "--output-tokens", "0", "--format", "json")
    records = json.loads(out)
    assert code == 0
    assert records[0] == {
        "id": "d/windowed",
        "name": "D: windowed",
        "cost_usd": "0.00000084",
        "cost_per_request_usd": "0.00000084",
        "tier_min_prompt_tokens": None,
        "utc_window": None,
        "note": "price varies by UTC time; base price used (pick a time to apply)",
        "reason": None,
    }
    assert [r["cost_usd"] for r in records[-2:]] == [None, None]


@pytest.mark.usefixtures("priced_catalog")
def test_table_is_aligned_and_readable(capsys):
    code, out, _ = run_cost(capsys, "--input-tokens", "1000", "--output-tokens", "100", "--requests", "1000")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["#", "model", "workload", "USD", "per", "request", "USD", "note"]
    assert lines[2].split()[:4] == ["1", "d/windowed", "$0.322", "$0.000322"]
    assert lines[5].split()[:4] == ["4", "b/dear", "$14.00", "$0.014"]
    assert lines[-1].split()[:4] == ["-", "openrouter/auto", "—", "—"]
    cost_ends = {line.index("$") + len(line.split()[2]) for line in lines[2:6]}
    assert len(cost_ends) == 1  # right-aligned money column


@pytest.mark.usefixtures("priced_catalog")
def test_top_keeps_the_k_cheapest_priced_models_and_says_what_was_left_out(capsys):
    code, out, err = run_cost(capsys, "--input-tokens 1000 --output-tokens 100 --top 2 --format csv")
    assert code == 0
    assert [r["id"] for r in csv_rows(out)] == ["d/windowed", "a/cheap"]
    assert err.strip() == "note: 2 models without a cost left out (see them without --top)"


@pytest.mark.usefixtures("priced_catalog")
def test_output_writes_the_file_and_nothing_to_stdout(capsys, tmp_path: Path):
    target = tmp_path / "costs.csv"
    code, out, _ = run_cost(
        capsys, "--input-tokens", "10", "--output-tokens", "1", "--format", "csv", "--output", str(target)
    )
    assert code == 0
    assert out == ""
    assert target.read_text().startswith("id,name,cost_usd,cost_per_request_usd,")


def test_works_on_the_bundled_defaults_without_a_refresh(capsys):
    code, out, _ = run_cost(capsys, "--input-tokens", "1000", "--output-tokens", "100", "--format", "csv")
    rows = csv_rows(out)
    assert code == 0
    assert len(rows) > 40
    priced = [Decimal(r["cost_usd"]) for r in rows if r["cost_usd"]]
    assert priced == sorted(priced)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input-tokens", "-5", "--output-tokens", "1"], "error: input tokens cannot be negative (got -5)"),
        (
            ["--input-tokens", "10", "--output-tokens", "1", "--cached-input-tokens", "11"],
            "error: cached input tokens (11) exceed the input tokens (10) they are part of",
        ),
        (
            ["--input-tokens", "10", "--output-tokens", "1", "--reasoning-tokens", "2"],
            "error: reasoning tokens (2) exceed the output tokens (1) they are part of",
        ),
        (
            ["--input-tokens", "10", "--output-tokens", "1", "--top", "0"],
            "error: --top must be at least 1 (got 0)",
        ),
        (
            ["--input-tokens", "10", "--output-tokens", "1", "--utc-time", "25:00"],
            "error: UTC time '25:00' is not a time of day (00:00 to 23:59)",
        ),
    ],
)
def test_bad_input_exits_1_with_one_clear_line(capsys, args, message):
    code, out, err = run_cost(capsys, *args)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [message]


def test_the_module_runs_as_a_command(tmp_path: Path):
    command = [sys.executable, "-m", "catalog", "--dir", str(tmp_path), "cost"]
    command += ["--input-tokens", "1000", "--output-tokens", "100", "--top", "3"]
    project = Path(__file__).parent.parent
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("#  model")
    assert len(result.stdout.splitlines()) == 5  # header, rule, three models
