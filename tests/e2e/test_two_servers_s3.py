"""Two streamlit servers and the command line on one S3 bucket (moto in server mode), as replicas on
different machines would be: they share no disk, only the bucket. What one does, the others show
after a reload once their poll has seen the new pointer."""

from __future__ import annotations

import os
import subprocess
import sys
import time

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
RELOADS_UNTIL_S = 30.0  # a bound on waiting, not a measured window: the poll runs every POLL_S


@pytest.fixture(scope="module")
def bucket_env(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What every process of this module needs to share the bucket (dummy credentials only)."""
    home = tmp_path_factory.mktemp("aws")
    return {
        **moto_server.environment(),
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "CATALOG_POLL_S": POLL_S,
        "CATALOG_DIR": f"s3://{moto_server.bucket()}/catalog",
    }


@pytest.fixture(scope="module")
def servers(start_app, bucket_env: dict[str, str]) -> tuple[AppServer, AppServer]:
    env = {key: value for key, value in bucket_env.items() if key != "CATALOG_DIR"}
    first = start_app(bucket_env["CATALOG_DIR"], **env)
    second = start_app(bucket_env["CATALOG_DIR"], **env)
    return first, second


@pytest.fixture
def page_b(new_context) -> Page:
    """A second browser, as another user behind the load balancer would have."""
    return new_context().new_page()


def reload_until(page: Page, text: str) -> None:
    """Reload until the page shows `text` (the replica's poll notices the new pointer meanwhile)."""
    deadline = time.monotonic() + RELOADS_UNTIL_S
    while True:
        page.reload()
        settle(page)
        if page.get_by_text(text, exact=False).first.is_visible():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{text!r} not shown after reloading for {RELOADS_UNTIL_S:g} s")
        page.wait_for_timeout(500)


def cli(bucket_env: dict[str, str], openrouter: StandIn, *args: str) -> str:
    env = {**os.environ, **bucket_env, "OPENROUTER_API_BASE": openrouter.api_base}
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


def test_two_servers_and_the_command_line_stay_coherent_on_one_bucket(
    page: Page,
    page_b: Page,
    servers: tuple[AppServer, AppServer],
    bucket_env: dict[str, str],
    openrouter: StandIn,
) -> None:
    server_a, server_b = servers
    open_app(page, server_a.url, shows(DEFAULT_COUNT))
    open_app(page_b, server_b.url, shows(DEFAULT_COUNT))
    requests_before = openrouter.models_requests

    # A refresh in A shows in B.
    page.get_by_role("button", name="Refresh prices").click()
    settle(page, shows(LIVE_COUNT), f"Refreshed: {LIVE_COUNT} models")
    reload_until(page_b, shows(LIVE_COUNT))
    expect(metric(page_b, "Models")).to_have_text(str(LIVE_COUNT))
    expect(page_b.get_by_text("Live from OpenRouter · refreshed").first).to_be_visible()
    assert openrouter.models_requests == requests_before + 1  # B read A's catalog, it did not fetch
    screenshot(page_b, "s3_b_after_refresh_in_a")

    # A reset in B shows in A.
    page_b.get_by_role("button", name="Reset to defaults").click()
    settle(page_b, "Discard the live catalog")
    page_b.get_by_role("button", name="Yes, reset").click()
    settle(page_b, shows(DEFAULT_COUNT), f"Reset: showing the {DEFAULT_COUNT} bundled default models")
    reload_until(page, shows(DEFAULT_COUNT))
    expect(page.get_by_text("Bundled defaults · prices as of").first).to_be_visible()

    # The command line, a third process on the bucket, sees it and refreshes for both.
    assert "source:     bundled defaults" in cli(bucket_env, openrouter, "show")
    assert cli(bucket_env, openrouter, "refresh").startswith(f"{LIVE_COUNT:,} models")
    reload_until(page, shows(LIVE_COUNT))
    reload_until(page_b, shows(LIVE_COUNT))
    expect(metric(page, "Models")).to_have_text(str(LIVE_COUNT))
    screenshot(page, "s3_a_after_refresh_from_the_command_line")
