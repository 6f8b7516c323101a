"""The change query and the Atom feed: filters, ids, and third-party text kept as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from catalog.errors import CatalogError
from catalog.fetch.normalize import normalize_models
from catalog.history.record import apply_refresh, empty_state
from catalog.history.view import History
from catalog.present.feed import ChangeQuery, atom_feed
from tests.payloads import model

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
HOSTILE = "Evil\x07 <script>alert(1)</script> & \ud800 ]]>"


def history_of(*catalogs: list[dict]) -> History:
    state = empty_state()
    for day, models in enumerate(catalogs):
        state, _ = apply_refresh(state, normalize_models(models).frame, T0 + timedelta(days=day))
    return History(state)


@pytest.fixture
def history() -> History:
    return history_of(
        [model("openai/a"), model("google/b"), model("meta/c")],
        [model("openai/a", "0.000002"), model("google/b"), model("mistral/d", name=HOSTILE)],
        [model("openai/a", "0.000002"), model("mistral/d", "0.0000005", name=HOSTILE)],
    )


def entries(feed: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(feed)
    return [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}id").text) for e in root.findall(f"{ATOM}entry")]


def test_one_entry_per_refresh_newest_first(history: History):
    assert entries(atom_feed(history)) == [
        ("2026-05-03 08:00 UTC: 1 removed, 1 repriced",
         "tag:openrouter-catalog,2024:refresh:2026-05-03T08:00:00Z"),
        ("2026-05-02 08:00 UTC: 1 added, 1 removed, 1 repriced",
         "tag:openrouter-catalog,2024:refresh:2026-05-02T08:00:00Z"),
        ("2026-05-01 08:00 UTC: the change history starts",
         "tag:openrouter-catalog,2024:refresh:2026-05-01T08:00:00Z"),
    ]  # fmt: skip


def test_third_party_text_stays_text_in_well_formed_xml(history: History):
    feed = atom_feed(history, ChangeQuery(model_ids=("mistral/d",)))

    root = ET.fromstring(feed)  # well-formed: no control character or lone surrogate got through
    contents = [e.find(f"{ATOM}content").text for e in root.findall(f"{ATOM}entry")]
    assert contents == [
        "repriced mistral/d (Evil\ufffd <script>alert(1)</script> & \ufffd ]]>): "
        "prompt ($/1M tokens): $1.00 -> $0.50 (-50.0%) https://openrouter.ai/mistral/d",
        "added mistral/d (Evil\ufffd <script>alert(1)</script> & \ufffd ]]>) https://openrouter.ai/mistral/d",
    ]
    assert b"<script>" not in feed and b"&lt;script&gt;" in feed
    assert [e.get("type") for e in root.iter(f"{ATOM}content")] == ["text", "text"]


def test_filters_and_their_ids(history: History):
    query = ChangeQuery.from_params({"kind": ["removed,repriced"], "author": ["openai", "google"]})
    assert query == ChangeQuery(kinds=("removed", "repriced"), authors=("openai", "google"))
    feed = atom_feed(history, query)
    assert entries(feed) == [
        ("2026-05-03 08:00 UTC: 1 removed", "tag:openrouter-catalog,2024:refresh:2026-05-03T08:00:00Z"
         "?kind=removed%2Crepriced&author=openai%2Cgoogle"),
        ("2026-05-02 08:00 UTC: 1 repriced", "tag:openrouter-catalog,2024:refresh:2026-05-02T08:00:00Z"
         "?kind=removed%2Crepriced&author=openai%2Cgoogle"),
    ]  # fmt: skip
    since = ChangeQuery.from_params({"since": ["2026-05-03"]})
    assert since.select(history)[["change", "id"]].values.tolist() == [
        ["removed", "google/b"],
        ["repriced", "mistral/d"],
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"kind": ["cheaper"]},
            "unknown kind 'cheaper' (choose from added, removed, repriced, retiered, rescored, "
            "provider_added, provider_removed, provider_repriced)",
        ),
        ({"since": ["yesterday"]}, "since is not an ISO-8601 date or time: 'yesterday'"),
        ({"watch": [",".join(f"a/{i}" for i in range(201))]}, "too many values for watch (at most 200)"),
    ],
)
def test_a_bad_parameter_is_one_clear_error(params: dict, message: str):
    with pytest.raises(CatalogError) as raised:
        ChangeQuery.from_params(params)
    assert str(raised.value) == message


def test_an_empty_history_is_a_valid_feed_with_no_entries():
    root = ET.fromstring(atom_feed(History(), now=T0))
    assert root.find(f"{ATOM}updated").text == "2026-05-01T08:00:00Z"
    assert root.findall(f"{ATOM}entry") == []
