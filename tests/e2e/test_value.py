"""The Value tab in Chromium: the frontier of a hand-worked catalog, the quick answer, hover names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from catalog import Catalog
from tests.e2e.conftest import AppServer, open_app, screenshot, settle
from tests.payloads import value_catalog
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e
WORKLOAD = "w_in=2000&w_out=500&w_req=1"


@pytest.fixture(scope="module")
def openrouter() -> Iterator[StandIn]:
    server = StandIn(value_catalog())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(start_app, tmp_path_factory: pytest.TempPathFactory, openrouter: StandIn) -> AppServer:
    directory = tmp_path_factory.mktemp("value") / "catalog"
    Catalog(directory).refresh(force=True, api_base=openrouter.api_base)
    return start_app(directory)


def test_value_tab_draws_the_frontier_and_answers_the_cheapest_scoring_at_least(
    page: Page, app: AppServer
) -> None:
    open_app(page, f"{app.url}/?tab=Value&{WORKLOAD}", "The best score each budget buys")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(page.get_by_text("1 free models left out", exact=False)).to_be_visible()
    answer = page.get_by_label("Cheapest model scoring at least (intelligence index)")
    answer.fill("50")
    answer.press("Enter")
    settle(
        page, "Cheapest scoring at least 50: Acme: long (acme/long), intelligence index 55.5, $0.24 per month"
    )
    screenshot(page, "value-1400")

    # The frontier table as a user copies it: the hand-worked frontier, cheapest first.
    page.set_viewport_size({"width": 420, "height": 1800})
    settle(page)
    screenshot(page, "value-420")
    expect(page.get_by_text("Cheapest scoring at least 50", exact=False)).to_be_visible()


def test_the_index_choice_is_in_the_url(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?tab=Value&{WORKLOAD}", "The best score each budget buys")
    page.get_by_label("Benchmark index").click()
    page.get_by_role("option", name="Agentic index").click()
    settle(page, "Agentic index against the monthly cost")
    assert "value_index=Agentic" in page.url
