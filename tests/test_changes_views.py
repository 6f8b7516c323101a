"""The "What changed" tab and the price history chart, rendered by Streamlit's AppTest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from tests.payloads import model, payload
from tools.stand_in import StandIn


def changes_page(directory: str) -> None:
    from catalog import Catalog
    from views.changes import render_changes

    render_changes(Catalog(directory))


def price_history_page(directory: str, model_id: str) -> None:
    from catalog import Catalog
    from views.changes import render_price_history

    render_price_history(Catalog(directory), model_id)


@pytest.fixture
def history_dir(catalog_dir: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three live refreshes, two and one days ago and now: a baseline, then two rounds of changes."""
    now = datetime.now(UTC).replace(microsecond=0)
    moments = iter([now - timedelta(days=2), now - timedelta(days=1), now])
    monkeypatch.setattr("catalog.catalog._now", lambda: current)
    catalog = Catalog()
    for models in (
        [model("a/one", name="One"), model("b/two", name="Two"), model("c/three", name="Three")],
        [
            model("a/one", "0.0000011", name="One"),  # +10%
            model("c/three", "0.000003", name="Three"),  # +200%
            model("d/four", name="<b>Four</b>"),
        ],
        [
            model("a/one", "0.0000011", name="One"),
            model("c/three", "0.0000015", name="Three"),  # -50%
            model(
                "d/four", name="<b>Four</b>", overrides=[{"min_prompt_tokens": 1000, "prompt": "0.000002"}]
            ),
        ],
    ):
        current = next(moments)
        stand_in.set_payload(payload(models))
        catalog.refresh()
    return catalog_dir


def test_what_changed_lists_biggest_movers_first(history_dir: Path):
    at = AppTest.from_function(changes_page, args=(str(history_dir),)).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {
        "Models added": "1",
        "Models removed": "1",
        "Models repriced": "2",
        "Models price tiers changed": "1",
        "Models rescored": "0",
    }
    table = at.dataframe[0].value
    assert list(table.columns) == ["name", "change_pct", "change", "old", "new", "field", "unit", "at", "id"]
    assert table[["change", "id", "field", "old", "new"]].fillna("").values.tolist() == [
        ["repriced", "c/three", "Input (prompt)", "$1.00", "$3.00"],  # +200%
        ["repriced", "c/three", "Input (prompt)", "$3.00", "$1.50"],  # -50%
        ["repriced", "a/one", "Input (prompt)", "$1.00", "$1.10"],  # +10%
        ["price tiers changed", "d/four", "price tiers", "", ""],
        ["added", "d/four", "", "", ""],
        ["removed", "b/two", "", "", ""],
    ]
    assert table["change_pct"].round(6).tolist()[:3] == [200.0, -50.0, 10.0]
    assert table["unit"].tolist()[0] == "$/1M tokens"
    assert table["name"].tolist()[4] == "<b>Four</b>"  # third-party text stays text
    # Every kind is shown at first, so the tally above the table matches it.
    assert at.multiselect(key="changes_kinds").value == [
        "added",
        "removed",
        "repriced",
        "retiered",
        "rescored",
    ]

    at.multiselect(key="changes_kinds").set_value(["retiered"]).run()
    assert not at.exception
    assert at.dataframe[0].value[["change", "id", "field"]].values.tolist() == [
        ["price tiers changed", "d/four", "price tiers"]
    ]

    baseline_day = datetime.now(UTC).date() - timedelta(days=2)
    at.date_input(key="changes_dates").set_value((baseline_day, baseline_day)).run()
    assert not at.exception
    assert not at.dataframe
    assert at.info[0].value == "No changes of the chosen kinds in this date range."


def test_what_changed_before_any_live_refresh(catalog_dir: Path):
    at = AppTest.from_function(changes_page, args=(str(catalog_dir),)).run()
    assert not at.exception
    assert at.info[0].value.startswith("No change history yet.")


def test_price_history_is_a_step_chart(history_dir: Path):
    at = AppTest.from_function(price_history_page, args=(str(history_dir), "c/three")).run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["mark"] == {"type": "line", "interpolate": "step-after", "point": True}
    assert spec["encoding"]["y"]["title"] == "$/1M tokens"
    data = pa.ipc.open_stream(charts[0].proto.datasets[0].data.data).read_all().to_pandas()
    prompt = data[data["field"] == "prompt"]
    assert prompt["price"].tolist() == [1.0, 3.0, 1.5]  # the baseline, then two moves
    assert at.caption[0].value == "2 price change(s) recorded; a step holds until the next change."


def test_price_history_of_an_unknown_model(history_dir: Path):
    at = AppTest.from_function(price_history_page, args=(str(history_dir), "no/such")).run()
    assert not at.exception
    assert at.caption[0].value.startswith("No price history for this model yet")


def test_the_tab_opens_on_the_latest_change_even_when_it_is_older_than_a_month(
    catalog_dir: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    moments = iter([now - timedelta(days=100), now - timedelta(days=60), now])
    monkeypatch.setattr("catalog.catalog._now", lambda: current)
    catalog = Catalog()
    for prompt in ("0.000001", "0.000002", "0.000002"):  # repriced 60 days ago, unchanged since
        current = next(moments)
        stand_in.set_payload(payload([model("a/one", prompt, name="One")]))
        catalog.refresh(force=True)
    at = AppTest.from_function(changes_page, args=(str(catalog_dir),)).run()
    assert not at.exception
    assert at.date_input(key="changes_dates").value == ((now - timedelta(days=60)).date(), now.date())
    assert at.dataframe[0].value[["change", "id", "old", "new"]].values.tolist() == [
        ["repriced", "a/one", "$1.00", "$2.00"]
    ]
