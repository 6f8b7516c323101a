"""Hosting providers on the page (AppTest): the Refresh providers button, a model's providers in its
details, the table's provider columns and the provider filters."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog import Catalog
from catalog.pricing.money import usd
from tools.endpoint_payloads import endpoints_for
from tools.stand_in import StandIn

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def messages(at: AppTest) -> str:
    text = "\n".join(e.value for e in [*at.success, *at.error, *at.warning, *at.info])
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture
def live_app(stand_in: StandIn, catalog_dir: Path) -> AppTest:
    """The page on a live catalog of the stand-in's 10 models, no providers fetched yet."""
    Catalog(catalog_dir).refresh()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def provider_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Quantization" in d.value.columns)


def test_the_button_fetches_every_models_providers_and_the_details_list_them(
    live_app: AppTest, stand_in: StandIn
) -> None:
    live_app.session_state["model"] = "perplexity/sonar"
    live_app.run()
    assert any("No providers fetched yet" in c.value for c in live_app.caption)
    live_app.button(key="refresh_providers").click().run()
    assert not live_app.exception
    expected = endpoints_for(stand_in.models_by_id["perplexity/sonar"])
    total = sum(len(endpoints_for(m)) for m in stand_in.models_by_id.values())
    assert f"Providers refreshed: 10 models updated; {total:,} providers in all." in messages(live_app)
    assert live_app.status[0].label == "Providers refreshed"
    shown = provider_table(live_app)
    prices = sorted(Decimal(e["pricing"]["prompt"]) * 1_000_000 for e in expected)  # type: ignore[index]
    # Exact dollars, written by the one money formatter, like every other price on the page.
    assert shown["Input $/1M"].tolist() == [usd(p) for p in prices]
    assert all(text.startswith("$") and "." in text for text in shown["Input $/1M"])
    assert set(shown["Provider"]) == {e["provider_name"] for e in expected}
    assert set(shown["Status"]) <= {"up", "degraded", "down", "unknown"}
    table = live_app.dataframe[0].value.set_index("ID")
    assert table.loc["perplexity/sonar", "Providers"] == len(expected)
    assert table.loc["perplexity/sonar", "Cheapest input $/1M tokens"] == usd(prices[0])


def test_a_provider_filter_keeps_the_models_one_of_whose_providers_matches(
    live_app: AppTest, stand_in: StandIn
) -> None:
    live_app.button(key="refresh_providers").click().run()
    served = {
        model_id
        for model_id, model in stand_in.models_by_id.items()
        if any(e["provider_name"] == "Groq" for e in endpoints_for(model))
    }
    assert 0 < len(served) < 10
    live_app.multiselect(key="host").select("Groq").run()
    assert not live_app.exception
    assert set(live_app.dataframe[0].value["ID"]) == served
    # Groq and 99% uptime from one provider: a model with Groq at 98% and another host at 99.5% fails.
    reliable = {
        model_id
        for model_id, model in stand_in.models_by_id.items()
        if any(
            e["provider_name"] == "Groq" and (e["uptime_last_1d"] or 0) >= 99.0 for e in endpoints_for(model)
        )
    }
    live_app.number_input(key="min_up").set_value(99.0).run()
    shown = set(live_app.dataframe[0].value["ID"]) if live_app.dataframe else set()
    assert shown == reliable


def test_a_failed_provider_refresh_says_why_and_changes_nothing(live_app: AppTest, stand_in: StandIn) -> None:
    stand_in.set_endpoint_mode("status500", stand_in.model_ids())
    live_app.button(key="refresh_providers").click().run()
    assert not live_app.exception
    assert "Provider refresh failed: no model's providers could be fetched (500 from OpenRouter)" in messages(
        live_app
    )
    assert live_app.status[0].label == "Provider refresh failed"
    assert "Providers" not in live_app.dataframe[0].value.columns


def test_another_session_sees_the_providers_on_its_next_rerun(live_app: AppTest, catalog_dir: Path) -> None:
    other = AppTest.from_file(APP, default_timeout=60)
    other.run()
    assert "Providers" not in other.dataframe[0].value.columns
    Catalog(catalog_dir).refresh_providers()
    other.run()
    assert not other.exception
    assert "Providers" in other.dataframe[0].value.columns


def test_what_changed_lists_provider_changes(live_app: AppTest, stand_in: StandIn, catalog_dir: Path) -> None:
    catalog = Catalog(catalog_dir)
    catalog.refresh_providers()
    stand_in.price_epoch = next(
        e
        for e in range(1, 60)
        if any(
            endpoints_for(m, e)[0]["pricing"] != endpoints_for(m)[0]["pricing"]
            for m in stand_in.models_by_id.values()
        )
    )
    catalog.refresh_providers()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tab"] = "What changed"
    at.run()
    assert not at.exception
    changes = next(d.value for d in at.dataframe if "change" in d.value.columns)
    moved = changes[changes["change"] == "provider repriced"]
    assert len(moved) >= 1
    assert moved["name"].str.contains(" via ").all()
    assert moved["old"].str.startswith("$").all() and moved["new"].str.startswith("$").all()


def test_the_calculator_names_the_cheapest_provider_and_compare_lists_providers(
    live_app: AppTest, stand_in: StandIn, catalog_dir: Path
) -> None:
    Catalog(catalog_dir).refresh_providers()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tab"] = "Cost calculator"
    at.run()
    at.checkbox(key="cost_at_provider").check().run()
    assert not at.exception
    costs = next(d.value for d in at.dataframe if "per_request_usd" in d.value.columns).set_index("id")
    sonar = endpoints_for(stand_in.models_by_id["perplexity/sonar"])
    cheapest = min(sonar, key=lambda e: float(e["pricing"]["prompt"]))  # type: ignore[index]
    assert costs.loc["perplexity/sonar", "note"].startswith(f"via {cheapest['provider_name']}")

    compare = AppTest.from_file(APP, default_timeout=60)
    compare.query_params["tab"] = "Compare"
    compare.query_params["cmp"] = "perplexity/sonar,deepseek/deepseek-r1"
    compare.run()
    assert not compare.exception
    listed = next(d.value for d in compare.dataframe if "Quantization" in d.value.columns)
    expected = len(sonar) + len(endpoints_for(stand_in.models_by_id["deepseek/deepseek-r1"]))
    assert len(listed) == expected
    assert listed["Model"].iloc[0] == stand_in.models_by_id["perplexity/sonar"]["name"]
