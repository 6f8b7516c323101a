"""The explorer page in Chromium against one real streamlit server and the OpenRouter stand-in."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from catalog import Catalog
from tests.e2e.conftest import (
    DEFAULT_COUNT,
    LIVE_COUNT,
    AppServer,
    metric,
    open_app,
    screenshot,
    settle,
    shows,
)
from tests.payloads import catalog_of
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e
LIVE_IDS = [m["id"] for m in catalog_of(LIVE_COUNT)["data"]]


@pytest.fixture(scope="module")
def explorer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("explorer") / "catalog"


@pytest.fixture(scope="module")
def app(start_app, explorer_dir: Path) -> AppServer:
    return start_app(explorer_dir)


@pytest.fixture
def on_defaults(app: AppServer, explorer_dir: Path) -> None:
    """The server shows the bundled defaults (the state of a first start)."""
    Catalog(explorer_dir).reset()


@pytest.fixture
def on_live(app: AppServer, explorer_dir: Path, openrouter: StandIn) -> None:
    """The server shows the stand-in's live catalog, refreshed by another process (this one)."""
    Catalog(explorer_dir).refresh(force=True, api_base=openrouter.api_base)


def downloaded_csv(page: Page) -> pd.DataFrame:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    return pd.read_csv(download.value.path())


def test_first_load_shows_the_bundled_defaults(page: Page, app: AppServer, on_defaults, openrouter) -> None:
    requests_before = openrouter.models_requests
    open_app(page, app.url, shows(DEFAULT_COUNT))
    expect(page.get_by_text("Bundled defaults · prices as of")).to_be_visible()
    expect(metric(page, "Models")).to_have_text(str(DEFAULT_COUNT))
    screenshot(page, "first_load")
    page.set_viewport_size({"width": 420, "height": 900})
    page.reload()  # a phone opens the page with the sidebar collapsed, not mid-animation
    settle(page, shows(DEFAULT_COUNT))
    screenshot(page, "first_load_narrow")
    assert openrouter.models_requests == requests_before  # opening the page never fetches


def test_refresh_prices_shows_every_live_model(page: Page, app: AppServer, on_defaults, openrouter) -> None:
    open_app(page, app.url, shows(DEFAULT_COUNT))
    requests_before = openrouter.models_requests
    page.get_by_role("button", name="Refresh prices").click()
    settle(page, shows(LIVE_COUNT), f"Refreshed: {LIVE_COUNT} models (was {DEFAULT_COUNT} bundled defaults)")
    expect(page.get_by_text("Live from OpenRouter · refreshed")).to_be_visible()
    expect(metric(page, "Models")).to_have_text(str(LIVE_COUNT))
    assert openrouter.models_requests == requests_before + 1
    assert sorted(downloaded_csv(page)["id"]) == sorted(LIVE_IDS)
    screenshot(page, "refresh")


def test_reset_to_defaults_asks_first(page: Page, app: AppServer, on_live) -> None:
    open_app(page, app.url, shows(LIVE_COUNT))
    page.get_by_role("button", name="Reset to defaults").click()
    settle(page, "Discard the live catalog")
    expect(page.get_by_text(shows(LIVE_COUNT))).to_be_visible()  # nothing changes before confirming
    screenshot(page, "reset_confirm")

    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Discard the live catalog")).to_be_hidden()
    settle(page, shows(LIVE_COUNT))

    page.get_by_role("button", name="Reset to defaults").click()
    settle(page, "Discard the live catalog")
    page.get_by_role("button", name="Yes, reset").click()
    settle(page, shows(DEFAULT_COUNT), f"Reset: showing the {DEFAULT_COUNT} bundled default models")
    expect(page.get_by_text("Discard the live catalog")).to_be_hidden()
    expect(page.get_by_text("Bundled defaults · prices as of")).to_be_visible()
    screenshot(page, "reset_done")


def test_failing_refresh_shows_the_error_and_keeps_the_table(
    page: Page, app: AppServer, on_live, openrouter: StandIn
) -> None:
    open_app(page, app.url, shows(LIVE_COUNT))
    openrouter.set_mode("html")
    page.get_by_role("button", name="Refresh prices").click()
    settle(page, "still showing the live catalog refreshed")
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("Refresh failed")
    expect(error).to_contain_text("not JSON (got text/html)")
    expect(error).to_contain_text("Nothing was changed")
    expect(page.get_by_text(shows(LIVE_COUNT))).to_be_visible()
    assert sorted(downloaded_csv(page)["id"]) == sorted(LIVE_IDS)
    screenshot(page, "refresh_failed")


def test_filters_set_in_the_page_change_the_downloaded_csv(page: Page, app: AppServer, on_live) -> None:
    open_app(page, app.url, shows(LIVE_COUNT))
    assert len(downloaded_csv(page)) == LIVE_COUNT

    search = page.get_by_role("textbox", name="Search")
    search.fill("model-0001")
    search.press("Enter")
    settle(page, shows(10, LIVE_COUNT))
    expect(page).to_have_url(re.compile(r"[?&]q=model-0001\b"))
    searched = [i for i in LIVE_IDS if "model-0001" in i]
    assert len(searched) == 10
    assert sorted(downloaded_csv(page)["id"]) == sorted(searched)

    page.get_by_text("Free models only").click()
    free_and_searched = [i for i in searched if i.endswith(":free")]
    settle(page, shows(len(free_and_searched), LIVE_COUNT))
    expect(page).to_have_url(re.compile(r"[?&]free=true\b"))
    assert downloaded_csv(page)["id"].tolist() == free_and_searched == ["qwen/model-00016:free"]
    screenshot(page, "filtered")


def test_a_url_with_filters_opens_that_view(page: Page, app: AppServer, on_live) -> None:
    expected = [i for i in LIVE_IDS if i.startswith("qwen/") and i.endswith(":free")]
    assert len(expected) == 3
    view = urlencode({"q": "qwen", "free": "true", "model": "qwen/model-00116:free"})
    open_app(page, f"{app.url}/?{view}", shows(len(expected), LIVE_COUNT), "Qwen: model-00116:free")
    expect(page.get_by_role("textbox", name="Search")).to_have_value("qwen")
    expect(page.get_by_role("checkbox", name="Free models only")).to_be_checked()
    expect(page.get_by_role("heading", name="Qwen: model-00116:free")).to_be_visible()  # its details
    assert sorted(downloaded_csv(page)["id"]) == sorted(expected)
    screenshot(page, "url_view")


def test_picking_a_model_shows_its_details(page: Page, app: AppServer, on_live) -> None:
    open_app(page, app.url, shows(LIVE_COUNT))
    picker = page.get_by_role("combobox", name="Model details")
    picker.click()
    picker.fill("mistralai/model-00134")
    picker.press("Enter")
    settle(page, "Conditional prices")
    expect(page.get_by_role("heading", name="Mistralai: model-00134")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]model=mistralai(/|%2F)model-00134\b"))
    screenshot(page, "details")
