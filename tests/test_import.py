"""`python -m catalog import`: saved responses of every shape as past refreshes, in order, all or nothing."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog import Catalog
from catalog.cli import main
from catalog.errors import BadResponse
from catalog.fetch.normalize import normalize_models
from catalog.fetch.saved import read_saved
from catalog.history.backfill import past_listings
from catalog.history.document import LOG_FOLDER, HistoryDocument
from catalog.history.record import HISTORY_NAME, apply_listing, apply_refresh, empty_state, parse_stamp
from catalog.storage.store import Store
from tests.payloads import legacy_2024, model, scored, shape_2025, shape_2026
from tools.stand_in import StandIn

T_2024 = datetime(2024, 4, 24, tzinfo=UTC)
CREATED_2025 = 1764696672  # 2025-12-02 17:31:12 UTC
CREATED_2026 = 1786722910  # 2026-08-14 15:55:10 UTC


def saved_2024() -> dict[str, Any]:
    """The 2024 shape (no `created`), with models that the later files reprice, drop and keep."""
    body = legacy_2024()
    body["data"].append(model("openai/gpt-4o-mini", "0.0000002", "0.0000006", created=None))
    body["data"].append(model("anthropic/claude-2", "0.000008", "0.000024", created=None))
    for item in body["data"]:
        item.pop("created", None)
    return body


def saved_2025() -> dict[str, Any]:
    body = shape_2025()
    for age, item in enumerate(body["data"]):
        item["created"] = CREATED_2025 - age * 86400
    return body


def saved_2026() -> dict[str, Any]:
    body = shape_2026()
    body["data"][0]["created"] = CREATED_2026
    body["data"].append(model("openai/gpt-4o-mini", "0.00000015", "0.0000006", input_cache_read="0.00000008"))
    body["total_count"] = len(body["data"])
    return body


def write(path: Path, body: Any, *, compact: bool = False) -> Path:
    """A saved response as `curl` leaves it: compact (2025) or indented (2024, 2026)."""
    path.write_text(json.dumps(body) if compact else json.dumps(body, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    saved = tmp_path / "saved"
    saved.mkdir()
    return {
        "2024": write(saved / "models-2024.json", saved_2024()),
        "2025": write(saved / "models-2025.json", saved_2025(), compact=True),
        "2026": write(saved / "models-2026.json", saved_2026()),
    }


def run(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def store_bytes(directory: Path) -> dict[str, str]:
    """Every file under the catalog directory and a hash of its bytes."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def catalog_files(digests: dict[str, str]) -> dict[str, str]:
    """The files of the catalog, without the history's."""
    return {k: v for k, v in digests.items() if k != HISTORY_NAME and not k.startswith(f"{LOG_FOLDER}/")}


def history_state(directory: Path) -> dict:
    """The history as stored: the base and the entries after it."""
    return HistoryDocument(Store(directory)).read().state


def events(directory: Path) -> list[tuple[str, str, str]]:
    state = history_state(directory)
    return [(e["at"][:10], e["change"], e["id"]) for e in state["events"]]


def test_three_shapes_become_three_refreshes_in_order(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    code, out, err = run(
        "import", files["2026"], files["2024"], files["2025"], "--as-of", "2026-08-19", "--as-of",
        "2024-04-24", "--as-of", "2025-12-02T18:00:00", capsys=capsys,
    )  # fmt: skip

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "2024-04-24 00:00 UTC  models-2024.json: 5 models, the history's first refresh (date from --as-of)",
        "2025-12-02 18:00 UTC  models-2025.json: 3 models: 2 added, 4 removed, 1 repriced "
        "(date from --as-of)",
        "2026-08-19 00:00 UTC  models-2026.json: 11 models: 10 added, 2 removed, 1 repriced "
        "(date from --as-of)",
        "history: 3 refreshes, 2024-04-24 to 2026-08-19",
    ]
    returned = sorted(m["id"] for m in shape_2026()["data"])  # openrouter/auto is back after a year away
    assert events(catalog_dir) == [
        ("2025-12-02", "added", "anthropic/claude-sonnet-4"),
        ("2025-12-02", "added", "meta-llama/llama-3.3-70b-instruct:free"),
        ("2025-12-02", "removed", "anthropic/claude-2"),
        ("2025-12-02", "removed", "mistralai/mistral-7b-instruct"),
        ("2025-12-02", "removed", "openai/gpt-4-vision-preview"),
        ("2025-12-02", "removed", "openrouter/auto"),
        ("2025-12-02", "repriced", "openai/gpt-4o-mini"),
        *(("2026-08-19", "added", model_id) for model_id in returned),
        ("2026-08-19", "removed", "anthropic/claude-sonnet-4"),
        ("2026-08-19", "removed", "meta-llama/llama-3.3-70b-instruct:free"),
        ("2026-08-19", "repriced", "openai/gpt-4o-mini"),
    ]
    history = Catalog(catalog_dir).history()
    moved = history.events(kinds=["repriced"])
    assert [(r.at.year, r.id, r.field, r.old_exact, r.new_exact) for r in moved.itertuples()] == [
        (2025, "openai/gpt-4o-mini", "input_cache_read", "0", "0.075"),
        (2025, "openai/gpt-4o-mini", "prompt", "0.2", "0.15"),
        (2026, "openai/gpt-4o-mini", "input_cache_read", "0.075", "0.08"),
    ]
    # The current catalog is untouched: still the bundled defaults.
    assert Catalog(catalog_dir).snapshot().source == "defaults"


def test_the_log_is_what_live_refreshes_of_the_same_catalogs_record(
    catalog_dir: Path, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    run("import", files["2024"], files["2025"], files["2026"], "--as-of", "2024-04-24", "--as-of",
        "2025-12-03", "--as-of", "2026-08-19", capsys=capsys)  # fmt: skip
    imported = history_state(catalog_dir)

    state = empty_state()
    for body, at in ((saved_2024(), T_2024), (saved_2025(), datetime(2025, 12, 3, tzinfo=UTC))):
        state, _ = apply_refresh(state, normalize_models(body["data"]).frame, at)
    state, _ = apply_refresh(
        state, normalize_models(saved_2026()["data"]).frame, datetime(2026, 8, 19, tzinfo=UTC)
    )

    assert imported["events"] == state["events"]
    assert imported["models"].keys() == state["models"].keys()
    assert imported["baseline_at"] == state["baseline_at"] == "2024-04-24T00:00:00Z"
    assert [i["models"] for i in imported["imports"]] == [5, 3, 11]


def test_importing_the_same_files_again_adds_nothing(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    run("import", files["2025"], files["2026"], capsys=capsys)
    before = store_bytes(catalog_dir)
    os.utime(files["2025"], (0, 0))  # a copy with another modification time is still the same file

    code, out, _ = run("import", files["2026"], files["2025"], capsys=capsys)

    assert code == 0
    assert out.splitlines() == [
        "models-2025.json: already imported, as the refresh of 2025-12-02 17:31 UTC; nothing added",
        "models-2026.json: already imported, as the refresh of 2026-08-14 15:55 UTC; nothing added",
        "history: 2 refreshes, 2025-12-02 to 2026-08-14",
    ]
    assert store_bytes(catalog_dir) == before


def test_the_date_comes_from_created_else_the_modification_time(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    os.utime(files["2024"], (T_2024.timestamp(), T_2024.timestamp() + 3600))

    code, out, _ = run("import", files["2026"], files["2024"], capsys=capsys)

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "2024-04-24 01:00 UTC  models-2024.json: 5 models, the history's first refresh "
        "(date from the file's modification time)"
    )
    assert lines[1].startswith("2026-08-14 15:55 UTC  models-2026.json: 11 models: ")
    assert lines[1].endswith("(date from the newest model's created)")


def test_an_older_file_is_placed_before_the_live_history_and_the_next_refresh_recomputed(
    catalog_dir: Path, stand_in: StandIn, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):  # fmt: skip
    first, second = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC)
    catalog = Catalog()
    stand_in.set_payload(saved_2026())
    monkeypatch.setattr("catalog.catalog._now", lambda: first)
    catalog.refresh()
    live = saved_2026()
    live["data"][2]["pricing"]["prompt"] = "0.00000003"
    stand_in.set_payload(live)
    monkeypatch.setattr("catalog.catalog._now", lambda: second)
    catalog.refresh()
    current = store_bytes(catalog_dir)

    code, out, _ = run("import", files["2025"], capsys=capsys)

    assert code == 0
    assert out.splitlines() == [
        "2025-12-02 17:31 UTC  models-2025.json: 3 models, the history's first refresh "
        "(date from the newest model's created)",
        "  the refresh of 2026-09-01 00:00 UTC now compares with it: 11 models: 10 added, 2 removed, "
        "1 repriced",
        "history: 3 refreshes, 2025-12-02 to 2026-09-02",
    ]
    after = store_bytes(catalog_dir)
    assert catalog_files(after) == catalog_files(current)  # the current catalog is untouched
    history = Catalog(catalog_dir).history()
    assert history.baseline_at == datetime(2025, 12, 2, 17, 31, 12, tzinfo=UTC)
    assert history.events(kinds=["removed"])["id"].tolist() == [
        "anthropic/claude-sonnet-4",
        "meta-llama/llama-3.3-70b-instruct:free",
    ]
    # The live refresh after it still has its own change.
    later = history.events(since=second)
    assert later[["change", "id", "field"]].values.tolist() == [
        ["repriced", "qwen/qwen3-long-decimals", "prompt"]
    ]


def test_files_imported_in_any_order_give_the_same_history(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    in_order, one_by_one = tmp_path / "a", tmp_path / "b"
    run("--dir", in_order, "import", files["2024"], files["2025"], files["2026"], "--as-of", "2024-04-24",
        "--as-of", "2025-12-03", "--as-of", "2026-08-19", capsys=capsys)  # fmt: skip
    for path, when in (
        (files["2026"], "2026-08-19"),
        (files["2024"], "2024-04-24"),
        (files["2025"], "2025-12-03"),
    ):
        assert run("--dir", one_by_one, "import", path, "--as-of", when, capsys=capsys)[0] == 0

    a = history_state(in_order)
    b = history_state(one_by_one)
    assert a["events"] == b["events"] and a["models"] == b["models"]
    assert (a["baseline_at"], a["last_refresh_at"], a["refreshes"]) == (
        b["baseline_at"],
        b["last_refresh_at"],
        b["refreshes"],
    )


BAD_FILES = {
    "html.json": ("<html><body>Bad gateway</body></html>", "not JSON (a saved error page?)"),
    "cut.json": ('{"data": [{"id": "a/b", "name": "A"', "not valid JSON (35 bytes, probably cut short)"),
    "notlist.json": ('{"data": {"id": "a/b"}}', "'data' is dict, not a list of models"),
    "empty.json": ('{"data": []}', "lists no models"),
    "short.json": ('{"data": [{"id": "a/b", "name": "A"}], "total_count": 2}',
                   "lists 1 models but says total_count=2"),
    "page.json": ('{"data": [{"id": "a/b"}], "links": {"next": "/api/v1/models?offset=1"}}',
                  "one page of several (links.next is set); save the whole list"),
    "unreadable.json": ('{"data": [{"name": "no id"}, 7]}', "none of the 2 models in it could be read"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_and_nothing_changes(
    catalog_dir: Path, files: dict[str, Path], tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
):
    run("import", files["2025"], capsys=capsys)
    before = store_bytes(catalog_dir)
    text, reason = BAD_FILES[name]
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")

    code, out, err = run("import", files["2024"], bad, files["2026"], capsys=capsys)

    assert (code, out) == (1, "")
    assert err == f"error: {name}: {reason}\n"
    assert store_bytes(catalog_dir) == before


def test_not_utf8_and_missing_files_are_refused(
    catalog_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"data": [{"id": "a/caf\xe9"}]}'.encode("latin-1"))
    assert run("import", latin, capsys=capsys)[1:] == ("", "error: latin.json: not UTF-8 text\n")
    code, _, err = run("import", tmp_path / "nowhere.json", capsys=capsys)
    assert (code, err) == (1, f"error: cannot read {tmp_path / 'nowhere.json'}: No such file or directory\n")
    assert not (catalog_dir / HISTORY_NAME).exists()


def test_another_catalog_at_a_refresh_time_already_taken_is_refused(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    run("import", files["2025"], "--as-of", "2025-12-03", capsys=capsys)
    before = store_bytes(catalog_dir)

    code, _, err = run("import", files["2026"], "--as-of", "2025-12-03", capsys=capsys)

    assert code == 1
    assert err == (
        "error: models-2026.json: the history already has a refresh at 2025-12-03 00:00:00 UTC; "
        "give this file another time with --as-of\n"
    )
    assert store_bytes(catalog_dir) == before


def test_as_of_is_given_once_per_file(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    code, _, err = run("import", files["2024"], files["2025"], "--as-of", "2024-04-24", capsys=capsys)
    assert (code, err) == (
        1,
        "error: give --as-of once per file, in the order of the files (2 files, 1 dates)\n",
    )
    code, _, err = run("import", files["2024"], "--as-of", "2999-01-01", capsys=capsys)
    assert (code, err) == (1, "error: models-2024.json: dated 2999-01-01 00:00 UTC, after now\n")
    assert not (catalog_dir / HISTORY_NAME).exists()


def test_apply_latest_makes_the_newest_file_current(
    catalog_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    code, out, _ = run("import", files["2025"], files["2026"], "--apply-latest", capsys=capsys)

    assert code == 0
    assert out.splitlines()[-1] == "current catalog: 11 models from models-2026.json"
    snapshot = Catalog(catalog_dir).snapshot()
    assert (snapshot.source, snapshot.count, snapshot.fetched_at) == (
        "live",
        11,
        datetime.fromtimestamp(CREATED_2026, UTC),
    )

    # An older file never replaces a newer current catalog: refused, nothing imported.
    before = store_bytes(catalog_dir)
    code, _, err = run("import", files["2024"], "--as-of", "2024-04-24", "--apply-latest", capsys=capsys)
    assert code == 1
    assert err == (
        "error: the current catalog (refreshed 2026-08-14 15:55 UTC) is newer than models-2024.json "
        "(2024-04-24 00:00 UTC): not applied, nothing imported\n"
    )
    assert store_bytes(catalog_dir) == before


def test_the_history_rebuilt_from_its_changes_replays_to_itself():
    """past_listings undoes every change; replaying what it gives records the very same history."""
    state = empty_state()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    catalogs = [
        [model("a/one"), model("b/two", request="0.01"), model("c/three")],
        [model("a/one", "0.000002"), model("c/three"), model("d/four", "-1", "-1")],
        [model("a/one", "0.000002", "0"), model("b/two", request="0.02"), model("d/four")],
        [model("a/one"), model("b/two", request="0.02", overrides=[{"min_prompt_tokens": 1, "prompt": "1"}])],
        [model("b/two", request="0.02"), model("c/three", "0.0000011")],
        [
            scored("b/two", "0.000001", "0.000002", intelligence=40, request="0.02"),
            model("c/three", "0.0000011"),
        ],
        [
            scored("b/two", "0.000001", "0.000002", intelligence=41.5, coding=30),
            scored("c/three", "0", "0", agentic=9),
        ],
        [model("b/two"), scored("c/three", "0", "0", agentic=9, arenas=[("models", "svg", 1200)])],
    ]
    for index, models in enumerate(catalogs):
        state, _ = apply_refresh(state, normalize_models(models).frame, at + timedelta(days=index))
    listings = past_listings(state)
    assert [parse_stamp(s).day for s, _ in listings] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sum(e["change"] == "rescored" for e in state["events"]) == 5

    replayed = empty_state()
    for stamp, listing in listings:
        replayed, _ = apply_listing(replayed, listing, parse_stamp(stamp))
    assert replayed["events"] == state["events"]
    assert {k: {f: v for f, v in e.items() if f != "raw"} for k, e in replayed["models"].items()} == {
        k: {f: v for f, v in e.items() if f != "raw"} for k, e in state["models"].items()
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"data": [' + "[" * 200_000 + "]" * 200_000 + "]}", "deep.json: nests over 32 levels deep"),
        (
            json.dumps({"data": [{"id": "a/b", "x": json.loads("[" * 40 + "]" * 40)}]}),
            "deep.json: model #1 nests over 32 levels deep",
        ),
    ],
    ids=["200k", "40"],
)
def test_a_saved_response_nested_too_deep_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(BadResponse) as caught:
        read_saved(path)
    assert str(caught.value) == message
