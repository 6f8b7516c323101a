"""`python -m catalog changes`: the change log on the command line, in table, CSV and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog import Catalog
from catalog.cli import main
from tests.payloads import model, payload
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CSV_HEADER = "change,id,name,at,field,unit,old,new,change_pct"


@pytest.fixture
def three_refreshes_dir(catalog_dir: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalog directory after three live refreshes a day apart (03-01 baseline, 03-02, 03-03)."""
    moments = iter([T0, T0 + timedelta(days=1), T0 + timedelta(days=2)])
    monkeypatch.setattr("catalog.catalog._now", lambda: current)
    catalog = Catalog()
    for models in (
        [
            model("a/one", name="One"),
            model("b/two", name="Two"),
            model("p/search", name="Search", request="0.005", web_search="0.004"),
            model("w/whisper", "0.006", "0", name="Whisper", inputs=("audio",), outputs=("transcription",)),
        ],
        [
            model("a/one", "0.0000025", name="One"),
            model("p/search", name="Search", request="0.01"),
            model("w/whisper", "0.003", "0", name="Whisper", inputs=("audio",), outputs=("transcription",)),
            model("n/new", name="New"),
        ],
        [
            model("a/one", "0.0000025", name="One"),
            model("p/search", name="Search", request="0.01"),
            model("w/whisper", "0.003", "0", name="Whisper", inputs=("audio",), outputs=("transcription",)),
            model("n/new", "-1", "-1", name="New"),
            model("=cmd/evil", name="=HYPERLINK(1)"),
        ],
    ):
        current = next(moments)
        stand_in.set_payload(payload(models))
        catalog.refresh()
    return catalog_dir


def run(*args: str, tmp_path: Path) -> str:
    output = tmp_path / "out"
    assert main(["changes", *args, "--output", str(output)]) == 0
    return output.read_text(encoding="utf-8")


def test_csv_lists_every_change_with_old_and_new_prices(three_refreshes_dir: Path, tmp_path: Path):
    assert run("--format", "csv", tmp_path=tmp_path).splitlines() == [
        CSV_HEADER,
        "added,n/new,New,2026-03-02T09:00:00Z,,,,,",
        "removed,b/two,Two,2026-03-02T09:00:00Z,,,,,",
        "repriced,a/one,One,2026-03-02T09:00:00Z,prompt,$/1M tokens,1,2.5,150.0",
        "repriced,p/search,Search,2026-03-02T09:00:00Z,request,$/request,0.005,0.01,100.0",
        "repriced,p/search,Search,2026-03-02T09:00:00Z,web_search,$/search,0.004,0,-100.0",
        "repriced,w/whisper,Whisper,2026-03-02T09:00:00Z,prompt,$/unit,0.006,0.003,-50.0",
        "added,'=cmd/evil,'=HYPERLINK(1),2026-03-03T09:00:00Z,,,,,",  # formula-safe
        "repriced,n/new,New,2026-03-03T09:00:00Z,completion,$/1M tokens,2,variable,",
        "repriced,n/new,New,2026-03-03T09:00:00Z,prompt,$/1M tokens,1,variable,",
    ]


def test_since_until_and_kind_filter(three_refreshes_dir: Path, tmp_path: Path):
    since_second = run("--format", "csv", "--since", "2026-03-03", tmp_path=tmp_path).splitlines()
    assert [line.split(",")[:2] for line in since_second[1:]] == [
        ["added", "'=cmd/evil"],
        ["repriced", "n/new"],
        ["repriced", "n/new"],
    ]
    until = run("--format", "csv", "--until", "2026-03-02T09:00:00+00:00", tmp_path=tmp_path)
    assert until.splitlines() == [CSV_HEADER]
    added = run("--format", "csv", "--kind", "added", "--kind", "removed", tmp_path=tmp_path).splitlines()
    assert [line.split(",")[:2] for line in added[1:]] == [
        ["added", "n/new"],
        ["removed", "b/two"],
        ["added", "'=cmd/evil"],
    ]


def test_json_and_table_formats(three_refreshes_dir: Path, tmp_path: Path):
    records = json.loads(
        run("--format", "json", "--kind", "repriced", "--since", "2026-03-02T09:00Z", tmp_path=tmp_path)
    )
    assert records[0] == {
        "change": "repriced",
        "id": "a/one",
        "name": "One",
        "at": "2026-03-02T09:00:00.000Z",
        "field": "prompt",
        "unit": "$/1M tokens",
        "old": "1",
        "new": "2.5",
        "change_pct": 150.0,
    }
    assert len(records) == 6
    table = run(tmp_path=tmp_path).splitlines()
    assert table[2] == "2026-03-02 09:00  repriced  a/one      prompt ($/1M tokens): $1.00 -> $2.50 (+150.0%)"
    assert table[-1] == "2026-03-03 09:00  repriced  n/new      prompt ($/1M tokens): $1.00 -> variable"
    assert len(table) == 9


def test_reset_leaves_the_change_log_as_it_was(three_refreshes_dir: Path, tmp_path: Path):
    before = run("--format", "csv", tmp_path=tmp_path)
    assert main(["reset"]) == 0
    assert Catalog().snapshot().source == "defaults"
    assert run("--format", "csv", tmp_path=tmp_path) == before


def test_no_history_yet_says_so(catalog_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert run("--format", "csv", tmp_path=tmp_path) == CSV_HEADER + "\n"
    assert "no change history yet" in capsys.readouterr().err
    assert run(tmp_path=tmp_path) == "no changes\n"


def test_a_bad_since_is_a_usage_error(catalog_dir: Path, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main(["changes", "--since", "last tuesday"])
    assert exit_info.value.code == 2
    assert "'last tuesday' is not an ISO-8601 date or time" in capsys.readouterr().err


def test_the_module_runs_as_a_command(three_refreshes_dir: Path):
    environment: dict[str, Any] = {**os.environ, "CATALOG_DIR": str(three_refreshes_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "changes", "--format", "csv", "--kind", "removed"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [CSV_HEADER, "removed,b/two,Two,2026-03-02T09:00:00Z,,,,,"]
