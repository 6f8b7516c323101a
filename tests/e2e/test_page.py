"""What a user choosing a model sees, in Chromium, on a catalog with the hard cases: long and short
context models, models OpenRouter removed, models not priced per token, long decimals, markdown."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from catalog import Catalog
from tests.e2e.conftest import AppServer, metric, open_app, screenshot, settle
from tests.payloads import realistic_catalog
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e
NOW = time.time()
LISTED = [m["id"] for m in realistic_catalog(NOW)["data"]]  # 7 models
REMOVED = ["gone/old-cheap", "gone/old-free:free"]


@pytest.fixture(scope="module")
def openrouter() -> Iterator[StandIn]:
    """The stand-in, serving the catalog of a refresh ago (the page's history then sees removals)."""
    server = StandIn(realistic_catalog(NOW, before=True))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory: pytest.TempPathFactory, openrouter: StandIn) -> Path:
    directory = tmp_path_factory.mktemp("page") / "catalog"
    Catalog(directory).refresh(force=True, api_base=openrouter.api_base)
    openrouter.set_payload(realistic_catalog(NOW))
    Catalog(directory).refresh(force=True, api_base=openrouter.api_base)
    return directory


@pytest.fixture(scope="module")
def app(start_app, page_dir: Path) -> AppServer:
    return start_app(page_dir)


def csv_ids(page: Page) -> list[str]:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    return pd.read_csv(download.value.path())["id"].tolist()


def test_removed_models_are_hidden_then_listed_last(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?sort=Cheapest+input", "Showing 7 of 7 models · sorted by cheapest input")
    expect(metric(page, "Models")).to_have_text("7")
    ids = csv_ids(page)
    assert ids[:2] == ["tiny/short-context", "long/context-1m"]
    assert not set(REMOVED) & set(ids)

    page.get_by_text("Show recently removed models").click()
    settle(page, "Showing 7 of 7 models, and 2 of 2 recently removed (listed last)")
    expect(page).to_have_url(re.compile(r"[?&]removed=true\b"))
    ids = csv_ids(page)
    # Cheaper than every listed model, yet after them: a removed model never leads a price sort.
    assert ids[:2] == ["tiny/short-context", "long/context-1m"] and sorted(ids[-2:]) == REMOVED
    screenshot(page, "page_removed_last")


def test_header_counts_models_new_on_openrouter(page: Page, app: AppServer) -> None:
    open_app(page, app.url, "Showing 7 of 7 models")
    expect(metric(page, "New in 7 days")).to_have_text("1")  # listed yesterday; the rest months ago
    expect(metric(page, "Authors")).to_have_text("7")
    expect(page.get_by_role("combobox", name="Providers")).to_have_count(0)  # model makers are Authors
    expect(page.get_by_text("Authors", exact=True).first).to_be_visible()


def test_selecting_a_row_opens_its_details_at_once(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?sort=Cheapest+input", "Showing 7 of 7 models")
    grid = page.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's box: Tiny: Short Context 8K
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Tiny: Short Context 8K")).to_be_visible()
    expect(dialog.locator('[role="gridcell"]', has_text="8,192 tokens")).to_have_count(1)
    # The description as text; its relative link resolved to the OpenRouter site, never as markup.
    expect(dialog.get_by_text("Cheapest of all, for short prompts. See Long Context.")).to_be_visible()
    link = dialog.get_by_role("link", name="Long Context")
    expect(link).to_have_attribute("href", "https://openrouter.ai/long/context-1m")
    expect(page).to_have_url(re.compile(r"[?&]model=tiny(/|%2F)short-context\b"))
    screenshot(page, "page_details_dialog")


def test_descriptions_show_no_remote_image(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?model=long%2Fcontext-1m", "Reads a whole book. diagram paper")
    expect(page.get_by_role("link", name="paper")).to_have_attribute("href", "https://example.org/p")
    expect(page.locator('img[src*="images.example"]')).to_have_count(0)
    picker = page.get_by_role("combobox", name="Model details")
    expect(picker).to_have_value("Long: Context 1M · long/context-1m")  # the picker reads "name · id"


def column_headers(page: Page) -> list[str]:
    headers = page.get_by_test_id("stDataFrame").first.locator('[role="columnheader"]')
    expect(headers.first).to_be_attached()
    return [text.strip() for text in headers.all_text_contents()]


def test_the_table_shows_prices_at_a_glance(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?sort=Longest+context", "Showing 7 of 7 models")
    headers = column_headers(page)
    assert headers == ["Model", "Input $/1M", "Output $/1M", "Context", "Status"]
    assert "ID" not in headers
    grid = page.get_by_test_id("stDataFrame").first.bounding_box()
    assert grid is not None and grid["x"] + grid["width"] <= 1400  # nothing to scroll for


def test_the_column_chooser_lives_in_the_url(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?cols=ID&cols=Author", "Showing 7 of 7 models")
    chooser = page.get_by_test_id("stMultiSelect").filter(has_text="Columns")
    expect(chooser).to_contain_text("ID")
    expect(chooser).to_contain_text("Author")
    headers = column_headers(page)
    # The model stays first, and the sort column (newest first) is always shown.
    assert headers == ["Model", "ID", "Author", "Created"]


def test_what_changed_shows_every_kind(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?tab=What+changed", "Tracking since")
    expect(metric(page, "Models removed")).to_have_text("2")
    kinds = page.get_by_test_id("stMultiSelect").filter(has_text="Kinds of change")
    for kind in ("added", "removed", "repriced", "price tiers changed"):
        expect(kinds).to_contain_text(kind)
    screenshot(page, "page_what_changed")


def test_a_refresh_error_is_visible_on_a_phone(page: Page, app: AppServer, openrouter: StandIn) -> None:
    page.set_viewport_size({"width": 420, "height": 900})
    open_app(page, app.url, "Showing 7 of 7 models")
    openrouter.set_mode("html")
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("button", name="Refresh prices").click()
    settle(page, "Refresh failed")
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    error = page.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
    expect(error).to_be_in_viewport()
    expect(error).to_contain_text("Nothing was changed")
    screenshot(page, "page_error_narrow")


def test_a_phone_sees_the_costs_beside_the_model(page: Page, app: AppServer) -> None:
    page.set_viewport_size({"width": 420, "height": 900})
    open_app(
        page, f"{app.url}/?tab=Cost+calculator&w_preset=Long+context+%28250k+prompt%29", "Models with a cost"
    )
    table = page.get_by_test_id("stDataFrame").first
    assert column_headers(page)[:3] == ["Model", "$/month", "$/request"]
    # The 8,192-token model is the cheapest per token, yet cannot take a 250k prompt: never ranked.
    cells = table.locator('[role="gridcell"]').all_text_contents()
    assert "Long: Context 1M" in cells and "Tiny: Short Context 8K" not in cells
    expect(page.get_by_text("2 models cannot take this workload", exact=False)).to_be_attached()
    screenshot(page, "page_calculator_narrow")


TABS = ["Models", "Charts", "Cost calculator", "Value", "Compare", "What changed"]


def test_on_a_phone_the_tab_bar_stays_below_the_header_in_every_tab(page: Page, app: AppServer) -> None:
    page.set_viewport_size({"width": 420, "height": 900})
    for tab in TABS:
        open_app(page, f"{app.url}/?tab={tab.replace(' ', '+')}")
        for scrolled in (0, 3000):  # at the top, then deep into the tab's content
            page.get_by_test_id("stMain").evaluate("(main, y) => { main.scrollTop = y; }", scrolled)
            header = page.get_by_test_id("stHeader").bounding_box()
            tab_bar = page.get_by_role("tablist").first.bounding_box()
            assert header is not None and tab_bar is not None
            assert tab_bar["y"] >= header["y"] + header["height"] - 0.5, (tab, scrolled, tab_bar, header)
            assert tab_bar["y"] + tab_bar["height"] <= 900, (tab, scrolled, tab_bar)
            expect(page.get_by_role("tab", name=tab, exact=True)).to_have_attribute("aria-selected", "true")
    screenshot(page, "page_tab_bar_narrow")
