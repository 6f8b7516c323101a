"""Watch files: models, authors and rules; every change without one; clear errors for a bad one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.alerts.watch import Watchlist, load_watchlist
from catalog.cli import main
from catalog.errors import CatalogError
from catalog.fetch.normalize import normalize_models
from catalog.history.record import apply_refresh, empty_state
from catalog.history.view import History
from tests.payloads import model

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def scored(model_id: str, intelligence: float | None, *prices: str) -> dict:
    item = model(model_id, *prices)
    item["benchmarks"] = {"artificial_analysis": {"intelligence_index": intelligence}}
    return item


BEFORE = [model("openai/a"), model("google/b", "0.000002"), model("meta/c", "0.000001")]
AFTER = [
    model("openai/a", "0.0000011"),  # +10%
    model("google/b", "0.0000018"),  # -10%
    model("meta/c", "0.00000095"),  # -5%
    model("qwen/free:free", "0", "0"),
    scored("deepseek/clever", 61.5),
    scored("deepseek/plain", 42.0),
]


@pytest.fixture
def changes() -> tuple[History, object]:
    state, _ = apply_refresh(empty_state(), normalize_models(BEFORE).frame, T0)
    after = normalize_models(AFTER).frame
    state, _ = apply_refresh(state, after, T0 + timedelta(days=1))
    return History(state), after


def watched(text: str, changes: tuple[History, object]) -> list[tuple[str, str]]:
    history, after = changes
    events = Watchlist.from_text(text).watched(history.events(), after)
    return [(row.change, row.id) for row in events.itertuples()]


def test_every_change_counts_without_a_watch_file(changes: tuple[History, object]):
    history, after = changes
    assert load_watchlist(None).watched(history.events(), after).equals(history.events())
    assert load_watchlist(None).describe() == "every change"


def test_models_and_authors_watch_every_change_to_them(changes: tuple[History, object]):
    assert watched('models = ["openai/a"]\nauthors = ["deepseek"]', changes) == [
        ("added", "deepseek/clever"),
        ("added", "deepseek/plain"),
        ("repriced", "openai/a"),
    ]


def test_rules(changes: tuple[History, object]):
    assert watched("[rules]\nnew_free_model = true", changes) == [("added", "qwen/free:free")]
    assert watched("[rules]\nprice_drop_percent = 10", changes) == [("repriced", "google/b")]
    assert watched("[rules]\nprice_drop_percent = 5", changes) == [
        ("repriced", "google/b"),
        ("repriced", "meta/c"),
    ]
    assert watched("[rules]\nnew_model_min_intelligence = 60", changes) == [("added", "deepseek/clever")]
    rules = "new_free_model = true\nprice_drop_percent = 10\nnew_model_min_intelligence = 60"
    assert Watchlist.from_text(f'models = ["a/b"]\n[rules]\n{rules}').describe() == (
        "1 model; new free models; price drops of 10% or more; "
        "new models with an intelligence index of 60 or more"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models = [", "not TOML (Invalid value (at end of document))"),
        ("model = []", "unknown key 'model' (known: authors, models, rules)"),
        ("models = \"openai/a\"", "models must be a list of strings"),
        ("[rules]\nprice_drop = 10", "unknown rule 'price_drop' (known: new_free_model, "
         "new_model_min_intelligence, price_drop_percent)"),
        ("[rules]\nprice_drop_percent = 150", "rules.price_drop_percent must be a number above 0 up to 100"),
        ("[rules]\nnew_model_min_intelligence = true",
         "rules.new_model_min_intelligence must be a number above 0 or more"),
        ("[rules]\nnew_free_model = 1", "rules.new_free_model must be true or false"),
    ],
)  # fmt: skip
def test_a_bad_watch_file_is_one_clear_error(tmp_path: Path, text: str, message: str):
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_watchlist(path)
    assert str(raised.value) == f"watch file {path}: {message}"


def test_changes_lists_only_watched_changes(
    catalog_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    saved = tmp_path / "before.json"
    later = tmp_path / "after.json"
    saved.write_text(json.dumps({"data": BEFORE}), encoding="utf-8")
    later.write_text(json.dumps({"data": AFTER}), encoding="utf-8")
    assert main(["import", str(saved), str(later), "--as-of", "2026-06-01", "--as-of", "2026-06-02"]) == 0
    watch = tmp_path / "watch.toml"
    watch.write_text("[rules]\nprice_drop_percent = 10\n", encoding="utf-8")
    capsys.readouterr()

    monkeypatch.setenv("CATALOG_WATCH_FILE", str(watch))  # for alerts; `changes` lists everything
    assert main(["changes"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 6
    assert main(["changes", "--watch", str(watch)]) == 0
    assert capsys.readouterr().out == (
        "2026-06-02 00:00  repriced  google/b  prompt ($/1M tokens): $2.00 -> $1.80 (-10.0%)\n"
    )
