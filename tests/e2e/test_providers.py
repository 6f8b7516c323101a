"""Hosting providers in Chromium: the Refresh providers button, the table's provider columns, a
model's providers in its details, at a desktop width and a phone's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from catalog import Catalog
from tests.e2e.conftest import AppServer, open_app, screenshot, settle
from tests.payloads import shape_2026
from tools.endpoint_payloads import endpoints_for
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e
MODEL = "google/gemini-2.5-pro"


@pytest.fixture(scope="module")
def openrouter() -> Iterator[StandIn]:
    """The stand-in with the 2026-shape catalog; every endpoints request takes 0.2 s."""
    server = StandIn(shape_2026())
    server.endpoint_latency_s = 0.2
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(start_app, tmp_path_factory: pytest.TempPathFactory, openrouter: StandIn) -> AppServer:
    directory = tmp_path_factory.mktemp("providers") / "catalog"
    Catalog(directory).refresh(api_base=openrouter.api_base)
    return start_app(directory)


def test_refresh_providers_then_a_models_providers_in_its_details(
    page: Page, app: AppServer, openrouter: StandIn
) -> None:
    open_app(page, app.url, "Showing 10 of 10 models")
    page.get_by_role("button", name="Refresh providers").click()
    settle(page, "Providers refreshed:")
    expect(page.get_by_text("Providers refreshed", exact=True)).to_be_visible()  # the status box's label
    page.goto(
        f"{app.url}/?cols=Model&cols=Providers&cols=Cheapest+provider&cols=Cheapest+input+%24%2F1M+tokens"
    )
    settle(page, "Showing 10 of 10 models")
    table = page.get_by_test_id("stDataFrame").first
    expect(table.locator('[role="columnheader"]', has_text="Cheapest provider")).to_have_count(1)
    screenshot(page, "providers_table")

    open_app(page, f"{app.url}/?model={MODEL}", "Providers (cheapest input price first)")
    expected = endpoints_for(openrouter.models_by_id[MODEL])
    providers = page.get_by_test_id("stDataFrame").filter(
        has=page.locator('[role="columnheader"]', has_text="Quantization")
    )
    expect(providers).to_have_count(1)
    for endpoint in expected:
        expect(providers.locator('[role="gridcell"]', has_text=str(endpoint["provider_name"]))).to_have_count(
            1
        )
    providers.scroll_into_view_if_needed()
    screenshot(page, "providers_details")


def test_a_models_providers_fit_a_phone_screen(page: Page, app: AppServer) -> None:
    page.set_viewport_size({"width": 420, "height": 1600})
    open_app(page, f"{app.url}/?model={MODEL}", "Providers (cheapest input price first)")
    providers = page.get_by_test_id("stDataFrame").filter(
        has=page.locator('[role="columnheader"]', has_text="Quantization")
    )
    box = providers.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 420
    providers.scroll_into_view_if_needed()
    screenshot(page, "providers_details_narrow")


def test_the_readme_shows_every_screenshot_in_docs_and_each_is_there() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    pictures = set(re.findall(r"docs/[\w.-]+\.png", readme))
    assert "docs/providers-1400.png" in pictures
    assert pictures == {f"docs/{path.name}" for path in (root / "docs").glob("*.png")}


def test_a_second_server_shows_the_providers_another_fetched_on_its_next_rerun(
    page: Page, start_app, tmp_path_factory: pytest.TempPathFactory, openrouter: StandIn
) -> None:
    directory = tmp_path_factory.mktemp("two-servers") / "catalog"
    Catalog(directory).refresh(api_base=openrouter.api_base)
    first, second = start_app(directory), start_app(directory)
    open_app(page, f"{second.url}/?model={MODEL}", "No providers fetched yet")
    other = page.context.new_page()
    open_app(other, first.url, "Showing 10 of 10 models")
    other.get_by_role("button", name="Refresh providers").click()
    settle(other, "Providers refreshed:")
    page.get_by_role("button", name="Clear filters").click()  # any widget: the next rerun
    settle(page, "Providers (cheapest input price first)")
    providers = page.get_by_test_id("stDataFrame").filter(
        has=page.locator('[role="columnheader"]', has_text="Quantization")
    )
    count = len(endpoints_for(openrouter.models_by_id[MODEL]))
    expect(providers.locator('[role="row"]')).to_have_count(count + 1)
