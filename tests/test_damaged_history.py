"""A history.json of valid JSON but wrong types, and a damaged/ folder that is a link: set aside (or left
alone) with a note; a refresh that wrote the catalog says so; the page and `changes` keep working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.history.record import HISTORY_NAME
from catalog.storage.generation import META_NAME
from tests import payloads
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def two_refreshes(stand_in: StandIn, catalog_dir: Path) -> Path:
    """A live catalog refreshed twice (a baseline, then a repricing and a removal): a real history."""
    body = payloads.catalog_of(12)
    stand_in.set_payload(body)
    Catalog(catalog_dir).refresh()
    body["data"][0]["pricing"]["prompt"] = "0.000009"
    del body["data"][-1]
    body.pop("total_count", None)
    stand_in.set_payload(body)
    Catalog(catalog_dir).refresh()
    return catalog_dir


def edit_history(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def damage(directory: Path) -> None:
        state = json.loads((directory / HISTORY_NAME).read_text())
        change(state)
        (directory / HISTORY_NAME).write_text(json.dumps(state))

    return damage


def first_model(state: dict[str, Any]) -> dict[str, Any]:
    return next(iter(state["models"].values()))


def removed_model(state: dict[str, Any]) -> dict[str, Any]:
    return next(entry for entry in state["models"].values() if "removed_at" in entry)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "refreshes-many": (
        edit_history(lambda s: s.update(refreshes="many")),
        "refreshes is not a count ('many')",
    ),
    "prices-a-list": (
        edit_history(lambda s: first_model(s).update(prices=["0.1", "0.2"])),
        "prices are not decimal texts by field",
    ),
    "first-seen-garbage": (
        edit_history(lambda s: first_model(s).update(first_seen="yesterday-ish")),
        "first_seen is not a time ('yesterday-ish')",
    ),
    "removed-at-garbage": (
        edit_history(lambda s: removed_model(s).update(removed_at=12)),
        "removed_at is not a time ('12')",
    ),
    "event-at-garbage": (
        edit_history(lambda s: s["events"][0].update(at=None)),
        "at is not a time ('None')",
    ),
    "not-utf8": (lambda d: (d / HISTORY_NAME).write_bytes(b'{"schema_version": 1, "x": "\xff"}'), "utf-8"),
    "deep": (lambda d: (d / HISTORY_NAME).write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_refresh_over_a_damaged_history_reports_what_happened(
    two_refreshes: Path, stand_in: StandIn, damage: str
) -> None:
    damage_history, reason = DAMAGE[damage]
    damage_history(two_refreshes)
    generation = json.loads((two_refreshes / META_NAME).read_text())["generation"]

    refreshed = run_cli("refresh", "--force")
    changes = run_cli("changes")

    assert refreshed.returncode == 0, refreshed.stderr
    assert "unexpected" not in refreshed.stdout + refreshed.stderr
    assert refreshed.stdout.startswith("11 models")
    assert "The change history could not be read (" in refreshed.stdout
    assert reason in refreshed.stdout
    assert "and starts again now." in refreshed.stdout
    assert json.loads((two_refreshes / META_NAME).read_text())["generation"] == generation + 1
    [aside] = (two_refreshes / "damaged").iterdir()
    assert (aside / HISTORY_NAME).exists()
    assert changes.returncode == 0 and "unexpected" not in changes.stderr


@pytest.mark.parametrize("damage", ["first-seen-garbage", "event-at-garbage", "prices-a-list"])
def test_the_page_and_changes_read_a_damaged_history_with_a_note(two_refreshes: Path, damage: str) -> None:
    DAMAGE[damage][0](two_refreshes)
    changes = run_cli("changes")
    assert changes.returncode == 0
    assert changes.stderr.startswith("note: The change history cannot be read (")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tab"] = "What changed"
    at.run()
    assert not at.exception


def test_a_damaged_folder_that_is_a_link_is_never_followed(
    stand_in: StandIn, catalog_dir: Path, tmp_path: Path
) -> None:
    Catalog(catalog_dir).refresh()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, catalog_dir / "damaged")
    (catalog_dir / META_NAME).write_text('{"generation": "soon"}')
    (catalog_dir / HISTORY_NAME).write_text('{"schema_version": 1, "models": []}')

    snapshot = Catalog(catalog_dir).snapshot()
    refreshed = Catalog(catalog_dir).refresh(force=True)

    assert list(elsewhere.iterdir()) == []
    assert snapshot.source == "defaults"
    assert snapshot.notice is not None and "is not a folder of the catalog (a link?)" in snapshot.notice
    assert refreshed.snapshot.count == 10
    assert refreshed.history_note is not None and "a link?" in refreshed.history_note
    assert (catalog_dir / HISTORY_NAME).read_text() == '{"schema_version": 1, "models": []}'
