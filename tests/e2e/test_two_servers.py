"""Two streamlit servers and the command line sharing one catalog, as a directory (processes on one
machine) and as an S3 bucket (moto in server mode: replicas on different machines, sharing no disk).
What one does, the others show after a reload once they have seen the new catalog."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    DEFAULT_COUNT,
    LIVE_COUNT,
    REPO_ROOT,
    AppServer,
    metric,
    open_app,
    screenshot,
    settle,
    shows,
)
from tests.moto_server import MotoServer
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e

POLL_S = "1"
RELOADS_UNTIL_S = 30.0  # a bound on waiting, not a measured window: the bucket is polled every POLL_S


@dataclass(frozen=True)
class SharedCatalog:
    """Where the processes keep the catalog, and what each of them needs in its environment to reach it."""

    backend: str  # "directory" or "s3"
    location: str  # CATALOG_DIR
    env: dict[str, str]


@pytest.fixture(scope="module", params=["directory", "s3"])
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedCatalog:
    if request.param == "directory":
        return SharedCatalog("directory", str(tmp_path_factory.mktemp("shared") / "catalog"), {})
    moto_server: MotoServer = request.getfixturevalue("moto_server")
    home = tmp_path_factory.mktemp("aws")
    env = {
        **moto_server.environment(),  # dummy credentials only
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "CATALOG_POLL_S": POLL_S,
    }
    return SharedCatalog("s3", f"s3://{moto_server.bucket()}/catalog", env)


@pytest.fixture(scope="module")
def servers(start_app, shared: SharedCatalog) -> tuple[AppServer, AppServer]:
    first, second = start_app(shared.location, **shared.env), start_app(shared.location, **shared.env)
    assert first.process.pid != second.process.pid
    return first, second


@pytest.fixture
def page_b(new_context) -> Page:
    """A second browser, as another user (behind the load balancer) would have."""
    return new_context().new_page()


def reload_until(page: Page, text: str) -> None:
    """Reload until the page shows `text` (a replica's poll notices the new pointer meanwhile)."""
    deadline = time.monotonic() + RELOADS_UNTIL_S
    while True:
        page.reload()
        settle(page)
        if page.get_by_text(text, exact=False).first.is_visible():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{text!r} not shown after reloading for {RELOADS_UNTIL_S:g} s")
        page.wait_for_timeout(500)


def cli(shared: SharedCatalog, openrouter: StandIn, *args: str) -> str:
    """`python -m catalog ARGS` as a third process on the shared catalog; its standard output."""
    env = {
        **os.environ,
        **shared.env,
        "CATALOG_DIR": shared.location,
        "OPENROUTER_API_BASE": openrouter.api_base,
    }
    env.pop("OPENROUTER_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def test_refresh_in_one_server_shows_in_the_other(
    page: Page, page_b: Page, servers: tuple[AppServer, AppServer], shared: SharedCatalog, openrouter: StandIn
) -> None:
    server_a, server_b = servers
    cli(shared, openrouter, "reset")
    open_app(page, server_a.url, shows(DEFAULT_COUNT))
    open_app(page_b, server_b.url, shows(DEFAULT_COUNT))
    requests_before = openrouter.models_requests

    page.get_by_role("button", name="Refresh prices").click()
    settle(page, shows(LIVE_COUNT), f"Refreshed: {LIVE_COUNT} models")

    reload_until(page_b, shows(LIVE_COUNT))
    expect(page_b.get_by_text("Live from OpenRouter · refreshed").first).to_be_visible()
    expect(metric(page_b, "Models")).to_have_text(str(LIVE_COUNT))
    assert openrouter.models_requests == requests_before + 1  # B read A's catalog, it did not fetch
    screenshot(page_b, f"two_servers_{shared.backend}_b_after_refresh_in_a")


def test_reset_in_one_server_shows_in_the_other_and_the_command_line(
    page: Page, page_b: Page, servers: tuple[AppServer, AppServer], shared: SharedCatalog, openrouter: StandIn
) -> None:
    server_a, server_b = servers
    assert cli(shared, openrouter, "refresh", "--force").startswith(f"{LIVE_COUNT:,} models")
    open_app(page, server_a.url)
    reload_until(page, shows(LIVE_COUNT))
    open_app(page_b, server_b.url)
    reload_until(page_b, shows(LIVE_COUNT))

    page_b.get_by_role("button", name="Reset to defaults").click()
    settle(page_b, "Discard the live catalog")
    page_b.get_by_role("button", name="Yes, reset").click()
    settle(page_b, shows(DEFAULT_COUNT), f"Reset: showing the {DEFAULT_COUNT} bundled default models")

    reload_until(page, shows(DEFAULT_COUNT))
    expect(page.get_by_text("Bundled defaults · prices as of").first).to_be_visible()
    expect(metric(page, "Models")).to_have_text(str(DEFAULT_COUNT))
    assert "source:     bundled defaults" in cli(shared, openrouter, "show")  # a third process sees it
    screenshot(page, f"two_servers_{shared.backend}_a_after_reset_in_b")
