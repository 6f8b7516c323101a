"""`refresh --notify`: one message per refresh that changed something watched, to a local receiver."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog import Catalog
from catalog.alerts.watch import Watchlist
from catalog.alerts.webhook import NOTIFY_STATE_NAME, notify_refresh
from catalog.cli import main
from tests.payloads import model, payload
from tests.webhook_receiver import Receiver
from tools.stand_in import StandIn

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TOKEN = "secret-token-123"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("catalog.catalog._now", fake)
    monkeypatch.setattr("catalog.alerts.webhook.BACKOFF_S", 0.01)  # retries without the wait
    return fake


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def watch_file(tmp_path: Path) -> Path:
    path = tmp_path / "watch.toml"
    path.write_text('models = ["a/one"]\n', encoding="utf-8")
    return path


def refresh(
    stand_in: StandIn,
    clock: Clock,
    models: list[dict[str, Any]],
    *args: str,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, list[str], str]:
    stand_in.set_payload(payload(models))
    clock.now += timedelta(days=1)
    code = main(["refresh", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_one_post_for_a_refresh_that_changed_a_watched_model_and_none_otherwise(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, watch_file: Path,
    capsys: pytest.CaptureFixture[str],
):  # fmt: skip
    notify = ("--notify", receiver.url(), "--watch", str(watch_file))
    first = refresh(stand_in, clock, [model("a/one"), model("b/two")], *notify, capsys=capsys)
    assert first[0:2] == (
        0,
        ["2 models (was 53 bundled defaults)", "no notification: nothing watched changed"],
    )

    unwatched = refresh(stand_in, clock, [model("a/one"), model("b/two", "0.000003")], *notify, capsys=capsys)
    assert unwatched[1] == [
        "2 models: 0 added, 0 removed, 1 repriced",
        "no notification: nothing watched changed",
    ]
    assert receiver.posts == []

    watched = refresh(
        stand_in, clock, [model("a/one", "0.0000005"), model("b/two", "0.000004"), model("c/three")], *notify,
        capsys=capsys,
    )  # fmt: skip
    generation = Catalog(catalog_dir).snapshot().generation
    assert watched[1] == [
        "3 models: 1 added, 0 removed, 2 repriced",
        f"notified: 1 repriced (generation {generation})",
    ]
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post["path"] == f"/hooks/T000/B000/{TOKEN}"
    assert post["headers"]["Content-Type"] == "application/json"
    message = post["json"]
    assert message["text"] == (  # Slack shows "&gt;" as ">"
        "OpenRouter catalog, 2026-03-04 09:00 UTC: 1 repriced\n"
        "repriced a/one (A: one): prompt ($/1M tokens): $1.00 -&gt; $0.50 (-50.0%) https://openrouter.ai/a/one"
    )
    assert message["content"] == (  # Discord markdown, escaped
        "OpenRouter catalog, 2026\\-03\\-04 09:00 UTC: 1 repriced\n"
        "repriced a/one \\(A: one\\): prompt \\($/1M tokens\\): $1.00 \\-\\> $0.50 \\(\\-50.0%\\) "
        "https://openrouter.ai/a/one"
    )
    assert message["allowed_mentions"] == {"parse": []}
    assert message["catalog"] == {
        "generation": generation,
        "refreshed_at": "2026-03-04T09:00:00+00:00",
        "models": 3,
        "watching": "1 model",
        "changes": [
            {
                "change": "repriced",
                "id": "a/one",
                "name": "A: one",
                "at": "2026-03-04T09:00:00.000Z",
                "field": "prompt",
                "unit": "$/1M tokens",
                "old": "1",
                "new": "0.5",
                "change_pct": -50.0,
            }
        ],
    }
    recorded = json.loads((catalog_dir / NOTIFY_STATE_NAME).read_text(encoding="utf-8"))
    assert recorded["last_sent_generation"] == generation


def test_with_the_receiver_down_the_refresh_still_succeeds_and_says_so(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, watch_file: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    refresh(stand_in, clock, [model("a/one")], capsys=capsys)
    down = Receiver()
    down.start()
    url = down.url()
    down.stop()  # nothing listens on its port any more
    monkeypatch.setenv("CATALOG_NOTIFY_URL", url)
    monkeypatch.setenv("CATALOG_WATCH_FILE", str(watch_file))

    code, out, err = refresh(stand_in, clock, [model("a/one", "0.000003")], capsys=capsys)

    assert (code, err) == (0, "")
    assert out == [
        "1 models: 0 added, 0 removed, 1 repriced",
        "notification failed: connection refused (3 tries)",
    ]
    assert Catalog(catalog_dir).snapshot().models["prompt_per_mtok"].tolist() == [3.0]
    assert not (catalog_dir / NOTIFY_STATE_NAME).exists()

    # The next refresh sends its own changes only, never the ones that could not be sent.
    monkeypatch.setenv("CATALOG_NOTIFY_URL", receiver.url())
    code, out, _ = refresh(stand_in, clock, [model("a/one", "0.000003", "0.000001")], capsys=capsys)
    assert code == 0 and out[1].startswith("notified: 1 repriced")
    [post] = receiver.posts
    assert [(c["field"], c["old"], c["new"]) for c in post["json"]["catalog"]["changes"]] == [
        ("completion", "2", "1")
    ]


def test_server_errors_are_retried_a_bounded_number_of_times_and_refusals_are_not(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, capsys: pytest.CaptureFixture[str]
):
    url = receiver.url()
    refresh(stand_in, clock, [model("a/one")], capsys=capsys)
    receiver.statuses.extend([500, 503])
    code, out, _ = refresh(stand_in, clock, [model("a/one", "0.000002")], "--notify", url, capsys=capsys)
    assert code == 0 and out[1].startswith("notified: 1 repriced")
    assert len(receiver.posts) == 3  # two failures, then 204

    receiver.statuses.extend([500, 500, 500, 500])
    code, out, _ = refresh(stand_in, clock, [model("a/one", "0.000003")], "--notify", url, capsys=capsys)
    assert (code, out[1]) == (0, "notification failed: the webhook answered HTTP 500 (3 tries)")
    assert len(receiver.posts) == 6

    receiver.statuses.clear()
    receiver.statuses.append(404)
    code, out, _ = refresh(stand_in, clock, [model("a/one", "0.000004")], "--notify", url, capsys=capsys)
    assert (code, out[1]) == (0, "notification failed: the webhook answered HTTP 404")
    assert len(receiver.posts) == 7


def test_a_generation_is_never_sent_twice(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, capsys: pytest.CaptureFixture[str]
):
    catalog = Catalog()
    stand_in.set_payload(payload([model("a/one")]))
    catalog.refresh()
    clock.now += timedelta(days=1)
    stand_in.set_payload(payload([model("a/one"), model("b/two")]))
    result = catalog.refresh()

    first = notify_refresh(catalog, result, receiver.url(), Watchlist.all_changes())
    again = notify_refresh(catalog, result, receiver.url(), Watchlist.all_changes())

    assert first == f"notified: 1 added (generation {result.snapshot.generation})"
    assert again == f"no notification: generation {result.snapshot.generation} was already sent"
    assert len(receiver.posts) == 1


def test_third_party_names_cannot_mention_or_link(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, capsys: pytest.CaptureFixture[str]
):
    refresh(stand_in, clock, [model("a/one")], capsys=capsys)
    hostile = model("x/evil", name="<!channel> @everyone *now* [click](https://evil.example)\x07")
    refresh(stand_in, clock, [model("a/one"), hostile], "--notify", receiver.url(), capsys=capsys)

    message = receiver.posts[0]["json"]
    line = message["text"].splitlines()[1]
    assert line == (
        "added x/evil (&lt;!channel&gt; @everyone *now* [click](https://evil.example)\ufffd) "
        "https://openrouter.ai/x/evil"
    )
    assert message["content"].splitlines()[1] == (
        "added x/evil \\(<!channel\\> @everyone \\*now\\* \\[click\\]\\(https://evil.example\\)\ufffd\\) "
        "https://openrouter.ai/x/evil"
    )
    assert message["allowed_mentions"] == {"parse": []}


def test_the_webhook_url_is_never_printed_logged_or_stored(
    catalog_dir: Path, stand_in: StandIn, clock: Clock, receiver: Receiver, watch_file: Path,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CATALOG_NOTIFY_URL", receiver.url())
    printed = []
    for models in ([model("a/one")], [model("a/one", "0.000002")]):
        printed += refresh(stand_in, clock, models, capsys=capsys)[1]
    receiver.statuses.extend([500, 500, 500])
    printed += refresh(stand_in, clock, [model("a/one", "0.000003")], capsys=capsys)[1]
    code = main(["refresh", "--notify", "ftp://127.0.0.1/" + TOKEN])
    out, err = capsys.readouterr()

    assert code == 1 and err == "error: the notify URL is not an http:// or https:// URL\n"
    assert printed[-1] == "notification failed: the webhook answered HTTP 500 (3 tries)"
    assert len(receiver.posts) == 4
    assert any("POST" in r.getMessage() for r in caplog.records)  # urllib3 logged the requests...
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]  # ...without the secret path
    assert TOKEN not in "\n".join(printed) + out + err
    stored = [p for p in catalog_dir.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert stored == []
