"""The feed, the JSON API and /healthz, served beside the page by a real `streamlit run`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import requests

from catalog import Catalog
from catalog.__main__ import main
from catalog.history.changes import KINDS
from tests.e2e.conftest import LIVE_COUNT, AppServer
from tests.payloads import catalog_of, legacy_2024, model, shape_2026
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e

ATOM = "{http://www.w3.org/2005/Atom}"


def saved(directory: Path, name: str, body: dict) -> Path:
    path = directory / name
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(
    start_app: Callable[[Path], AppServer], tmp_path_factory: pytest.TempPathFactory
) -> tuple[AppServer, Path]:
    """A server on a catalog with three refreshes imported, the newest one current."""
    files = tmp_path_factory.mktemp("saved")
    directory = tmp_path_factory.mktemp("routes") / "catalog"
    old = legacy_2024()
    old["data"].append(model("openai/gpt-4o-mini", "0.0000002", "0.0000006"))
    middle = shape_2026()
    middle["data"].append(model("openai/gpt-4o-mini", "0.00000015", "0.0000006"))
    middle["total_count"] += 1
    newest = catalog_of(30)
    newest["data"].append(model("openai/gpt-4o-mini", "0.00000015", "0.0000005"))
    newest["total_count"] += 1
    paths = [
        saved(files, "2024.json", old),
        saved(files, "2026.json", middle),
        saved(files, "now.json", newest),
    ]
    dates = ["2024-04-24", "2026-08-19", "2026-11-30T12:00:00"]
    code = main(["--dir", str(directory), "import", *map(str, paths), "--apply-latest"] + [
        arg for day in dates for arg in ("--as-of", day)
    ])  # fmt: skip
    assert code == 0
    return start_app(directory), directory


def cli(directory: Path, *args: str, tmp_path: Path) -> bytes:
    output = tmp_path / "cli-output"
    assert main(["--dir", str(directory), *args, "--output", str(output)]) == 0
    return output.read_bytes()


def get(server: AppServer, path: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", timeout=30)


def parse_feed(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    assert root.find(f"{ATOM}author/{ATOM}name").text == "openrouter-catalog"
    datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    return root


def test_the_feed_is_atom_with_one_entry_per_refresh(served: tuple[AppServer, Path], tmp_path: Path):
    server, directory = served
    response = get(server, "/feed.atom")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = parse_feed(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "2026-11-30 12:00 UTC: 30 added, 10 removed, 1 repriced",
        "2026-08-19 00:00 UTC: 9 added, 2 removed, 2 repriced",  # openrouter/auto lost its -1 request fee
        "2024-04-24 00:00 UTC: the change history starts",
    ]
    assert feed.find(f"{ATOM}updated").text == "2026-11-30T12:00:00Z"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 3
    for entry in entries:
        datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}content").get("type") == "text"
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"{server.url}/feed.atom"
    related = [link.get("href") for link in entries[1].findall(f"{ATOM}link[@rel='related']")]
    assert len(related) == 13
    assert "https://openrouter.ai/openai/gpt-4o-mini" in related
    content = entries[1].find(f"{ATOM}content").text
    assert (
        "repriced openai/gpt-4o-mini (Openai: gpt-4o-mini): prompt ($/1M tokens): $0.20 -> $0.15 (-25.0%)"
        in content
    )

    # The command line writes the same entries.
    from_cli = parse_feed(cli(directory, "changes", "--format", "atom", tmp_path=tmp_path))
    assert [e.find(f"{ATOM}id").text for e in from_cli.findall(f"{ATOM}entry")] == ids
    assert [e.find(f"{ATOM}content").text for e in from_cli.findall(f"{ATOM}entry")] == [
        e.find(f"{ATOM}content").text for e in entries
    ]


def test_the_feed_filters_by_kind_author_and_watched_models(served: tuple[AppServer, Path]):
    server, _ = served

    feed = parse_feed(get(server, "/feed.atom?kind=repriced&author=openai").content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "2026-11-30 12:00 UTC: 1 repriced",
        "2026-08-19 00:00 UTC: 1 repriced",
    ]
    assert feed.find(f"{ATOM}subtitle").text == "only kind: repriced; author: openai"

    watched = parse_feed(get(server, "/feed.atom?watch=openrouter/auto,x-ai/grok-4:free").content)
    assert [e.find(f"{ATOM}title").text for e in watched.findall(f"{ATOM}entry")] == [
        "2026-11-30 12:00 UTC: 2 removed",
        "2026-08-19 00:00 UTC: 1 added, 1 repriced",
    ]

    bad = get(server, "/feed.atom?kind=cheaper")
    assert bad.status_code == 400
    kinds = ", ".join(KINDS)
    assert bad.json() == {"error": f"unknown kind 'cheaper' (choose from {kinds})"}


def test_the_json_api_is_what_the_command_line_exports(served: tuple[AppServer, Path], tmp_path: Path):
    server, directory = served

    models = get(server, "/api/models.json")
    assert models.status_code == 200
    assert models.headers["content-type"] == "application/json; charset=utf-8"
    assert models.content == cli(directory, "export", "--format", "json", tmp_path=tmp_path)
    assert len(models.json()) == 31

    changes = get(server, "/api/changes.json?kind=removed&author=openrouter")
    assert changes.content == cli(
        directory, "changes", "--format", "json", "--kind", "removed", "--author", "openrouter",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert [(c["change"], c["id"], c["at"][:10]) for c in changes.json()] == [
        ("removed", "openrouter/auto", "2026-11-30")
    ]


def test_healthz_follows_a_refresh_made_by_another_process(
    served: tuple[AppServer, Path], openrouter: StandIn, monkeypatch: pytest.MonkeyPatch
):
    server, directory = served
    before = get(server, "/healthz").json()
    assert before["source"] == "live"
    assert before["models"] == 31
    assert before["fetched_at"] == "2026-11-30T12:00:00+00:00"
    assert before["stale"] is True and before["age_s"] > 86_400

    monkeypatch.setenv("OPENROUTER_API_BASE", openrouter.api_base)
    Catalog(directory).refresh(force=True)

    after = get(server, "/healthz").json()
    assert after["generation"] == before["generation"] + 1
    assert (after["models"], after["stale"]) == (LIVE_COUNT, False)
    assert after["age_s"] < 600
    assert len(get(server, "/api/models.json").json()) == LIVE_COUNT
    # And the page itself is still served.
    assert get(server, "/").status_code == 200
