"""The page's Value tab, driven with AppTest on a catalog whose frontier is worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from tests import payloads
from tools.stand_in import StandIn

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
FRONTIER = ["acme/mid", "acme/mid-twin", "acme/long", "acme/top"]


@pytest.fixture
def value_page(stand_in: StandIn) -> AppTest:
    """The Value tab on the hand-worked catalog, for 2,000 input and 500 output tokens, once a day."""
    stand_in.set_payload(payloads.value_catalog())
    Catalog().refresh()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"tab": "Value", "w_in": "2000", "w_out": "500", "w_req": "1"})
    at.run()
    assert not at.exception
    return at


def table(at: AppTest, which: str) -> list[tuple[str, float, float, bool]]:
    """The frontier table, or the table of every listed model (AppTest does not expose a key)."""
    frames = [d.value for d in at.dataframe if "per_month_usd" in d.value.columns]
    frame = frames[0 if which == "value_frontier" else 1]
    return [
        (row.id, round(row.per_month_usd, 6), row.index, bool(row.on_frontier))
        for row in frame.itertuples(index=False)
    ]


def test_the_frontier_lists_the_best_score_each_budget_buys(value_page: AppTest) -> None:
    # Free models are left out at first: the cheapest paid model is then on the frontier.
    assert table(value_page, "value_frontier") == [
        ("acme/tiny", 0.012, 20.0, True),  # 0.0004 a day, 30 days
        ("acme/mid", 0.12, 40.0, True),
        ("acme/mid-twin", 0.12, 40.0, True),
        ("acme/long", 0.24, 55.5, True),
        ("acme/top", 0.405, 70.2, True),
    ]
    assert [row[0] for row in table(value_page, "value_all")] == [
        "acme/tiny",
        "acme/mid",
        "acme/mid-twin",
        "acme/long",
        "acme/top",
        "acme/pricey-dud",
    ]
    notes = "\n".join(c.value for c in value_page.caption)
    assert "1 filtered models with a cost have no intelligence index: not plotted" in notes
    assert "1 free models left out" in notes
    chart = value_page.get("vega_lite_chart")[0] if value_page.get("vega_lite_chart") else None
    assert chart is not None


def test_quick_answer_and_another_index(value_page: AppTest) -> None:
    value_page.number_input(key="value_min").set_value(50.0).run()
    assert not value_page.exception
    answer = [t.value for t in value_page.text if t.value.startswith("Cheapest scoring")]
    assert answer == [
        "Cheapest scoring at least 50: Acme: long (acme/long), intelligence index 55.5, $0.24 per month"
    ]
    value_page.number_input(key="value_min").set_value(71.0).run()
    assert [t.value for t in value_page.text if "71" in t.value] == ["No listed model scores 71 or more."]

    value_page.selectbox(key="value_index").set_value("agentic").run()
    assert not value_page.exception
    assert [row[0] for row in table(value_page, "value_frontier")] == ["acme/mid", "acme/long", "acme/top"]


def test_free_models_join_the_tables_and_filters_apply(value_page: AppTest) -> None:
    value_page.checkbox(key="value_free").check().run()
    assert [row[0] for row in table(value_page, "value_frontier")] == ["acme/tiny:free", *FRONTIER]
    value_page.text_input(key="q").set_value("mid").run()
    assert not value_page.exception
    assert [row[0] for row in table(value_page, "value_frontier")] == ["acme/mid", "acme/mid-twin"]


def test_details_show_every_score_and_the_table_sorts_by_an_index(stand_in: StandIn) -> None:
    stand_in.set_payload(payloads.value_catalog())
    Catalog().refresh()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"model": "acme/top", "sort": "Highest coding index", "reason": "Reasons"})
    at.run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    models = frames[0]
    assert models["ID"].tolist() == ["acme/top", "acme/mid", "acme/unscored"]  # reasoning models only
    assert models["Coding index"].tolist()[:2] == [68.0, 35.2]  # the sort column is shown
    scores = next(f for f in frames if "Score" in f.columns).set_index("Score")["Value"]
    assert scores["Intelligence index"] == "70.2"
    assert scores["Best Design Arena Elo"] == "1402 (agents/webapps)"
    assert scores["Reasoning"] == "always (cannot be turned off)"
    arenas = next(f for f in frames if "Arena" in f.columns)
    assert arenas["Arena"].tolist() == ["agents/webapps", "models/svg", "models/website"]
