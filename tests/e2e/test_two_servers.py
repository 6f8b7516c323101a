"""Two streamlit server processes sharing one CATALOG_DIR: what one does, the other shows."""

from __future__ import annotations

from pathlib import Path

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
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared") / "catalog"


@pytest.fixture(scope="module")
def servers(start_app, shared_dir: Path) -> tuple[AppServer, AppServer]:
    first, second = start_app(shared_dir), start_app(shared_dir)
    assert first.process.pid != second.process.pid
    return first, second


@pytest.fixture
def page_b(new_context) -> Page:
    """A second browser, as another user would have."""
    return new_context().new_page()


def test_refresh_in_one_server_shows_in_the_other(
    page: Page, page_b: Page, servers: tuple[AppServer, AppServer], openrouter: StandIn
) -> None:
    server_a, server_b = servers
    open_app(page, server_a.url, shows(DEFAULT_COUNT))
    open_app(page_b, server_b.url, shows(DEFAULT_COUNT))
    requests_before = openrouter.models_requests

    page.get_by_role("button", name="Refresh prices").click()
    settle(page, shows(LIVE_COUNT), f"Refreshed: {LIVE_COUNT} models")

    page_b.reload()
    settle(page_b, shows(LIVE_COUNT), "Live from OpenRouter · refreshed")
    expect(metric(page_b, "Models")).to_have_text(str(LIVE_COUNT))
    assert openrouter.models_requests == requests_before + 1  # B read A's catalog, it did not fetch
    screenshot(page_b, "two_servers_b_after_refresh_in_a")


def test_reset_in_one_server_shows_in_the_other(
    page: Page, page_b: Page, servers: tuple[AppServer, AppServer], shared_dir: Path, openrouter: StandIn
) -> None:
    server_a, server_b = servers
    Catalog(shared_dir).refresh(force=True, api_base=openrouter.api_base)
    open_app(page, server_a.url, shows(LIVE_COUNT))
    open_app(page_b, server_b.url, shows(LIVE_COUNT))

    page.get_by_role("button", name="Reset to defaults").click()
    settle(page, "Discard the live catalog")
    page.get_by_role("button", name="Yes, reset").click()
    settle(page, shows(DEFAULT_COUNT), f"Reset: showing the {DEFAULT_COUNT} bundled default models")

    page_b.reload()
    settle(page_b, shows(DEFAULT_COUNT), "Bundled defaults · prices as of")
    expect(metric(page_b, "Models")).to_have_text(str(DEFAULT_COUNT))
    screenshot(page_b, "two_servers_b_after_reset_in_a")
