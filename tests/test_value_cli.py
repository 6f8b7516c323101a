"""python -m catalog value: the frontier of a stored catalog served by the stand-in, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from catalog.cli import main
from tests import payloads
from tools.stand_in import StandIn

FRONTIER = ["acme/tiny:free", "acme/mid", "acme/mid-twin", "acme/long", "acme/top"]


@pytest.fixture
def value_catalog(stand_in: StandIn) -> None:
    stand_in.set_payload(payloads.value_catalog())
    assert main(["refresh"]) == 0


def run_value(capsys: pytest.CaptureFixture[str], args: str) -> tuple[int, str, str]:
    code = main(["value", *args.split()])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.usefixtures("value_catalog")
def test_csv_lists_exact_costs_the_index_and_the_frontier(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_value(
        capsys, "--index intelligence --input-tokens 2000 --output-tokens 500 --format csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["cost_usd"], r["index"], r["on_frontier"]) for r in rows] == [
        ("acme/tiny:free", "0", "20.0", "true"),
        ("acme/tiny", "0.0004", "20.0", "false"),
        ("acme/mid", "0.004", "40.0", "true"),
        ("acme/mid-twin", "0.004", "40.0", "true"),
        ("acme/long", "0.008", "55.5", "true"),
        ("acme/top", "0.0135", "70.2", "true"),
        ("acme/pricey-dud", "0.02", "35.0", "false"),
    ]
    assert err == (
        "note: models left out: 1 without an intelligence index; 2 without a fixed cost for this workload\n"
    )


@pytest.mark.usefixtures("value_catalog")
def test_frontier_only_at_a_long_prompt_and_without_free_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_value(
        capsys, "--index intelligence --input-tokens 120000 --output-tokens 500 --frontier-only --format json"
    )
    assert code == 0
    assert [(r["id"], r["cost_usd"]) for r in json.loads(out)] == [
        ("acme/tiny:free", "0"),
        ("acme/mid", "0.122"),
        ("acme/mid-twin", "0.122"),
        ("acme/top", "0.3675"),
    ]
    code, out, err = run_value(
        capsys,
        "--index intelligence --input-tokens 2000 --output-tokens 500 --frontier-only --exclude-free "
        "--format json",
    )
    assert [r["id"] for r in json.loads(out)] == [
        "acme/tiny",
        "acme/mid",
        "acme/mid-twin",
        "acme/long",
        "acme/top",
    ]
    assert "1 free" in err


@pytest.mark.usefixtures("value_catalog")
def test_workload_flags_are_the_cost_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "value.csv"
    code, out, _ = run_value(
        capsys,
        "--index coding --input-tokens 2000 --output-tokens 500 --cached-input-tokens 1000 --requests 10 "
        f"--format csv --output {target}",
    )
    assert code == 0 and out == ""
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(target.read_text()))}
    # No cache-read price: cached tokens pay the prompt price. 10 x (2,000 x 0.000001 + 500 x 0.000004).
    assert (rows["acme/mid"]["cost_usd"], rows["acme/mid"]["index"]) == ("0.04", "35.2")
    code, _, _ = run_value(capsys, "--index coding --input-tokens 2000 --output-tokens 500 --utc-time 1430")
    assert code == 0


@pytest.mark.usefixtures("value_catalog")
def test_table_marks_the_frontier(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_value(capsys, "--index intelligence --input-tokens 2000 --output-tokens 500")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].split() == ["acme/tiny:free", "$0.00", "20", "*"]
    assert [line.split()[0] for line in lines[2:] if line.split()[-1] == "*"] == FRONTIER


@pytest.mark.usefixtures("value_catalog")
def test_bad_input_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_value(
        capsys, "--index intelligence --input-tokens 100 --output-tokens 500 --cached-input-tokens 200"
    )
    assert (code, out) == (1, "")
    assert err == "error: cached input tokens (200) exceed the input tokens (100) they are part of\n"
    with pytest.raises(SystemExit):
        main(["value", "--index", "speed", "--input-tokens", "1", "--output-tokens", "1"])
