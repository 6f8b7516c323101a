"""Browser fixtures: Debian's Chromium, a local OpenRouter stand-in, and real streamlit servers.

Every server is its own process with its own CATALOG_DIR and OPENROUTER_API_BASE, started on a
free port, health-checked before use and stopped by PID.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from catalog.fetch.defaults import default_models
from tests.payloads import catalog_of
from tools.servers import AppServer, ServerDidNotStart
from tools.servers import start_app as start_app_server
from tools.stand_in import StandIn

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_COUNT = len(default_models())  # 53 bundled models
LIVE_COUNT = 137  # differs from DEFAULT_COUNT, so a glance tells which catalog is shown
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

expect.set_options(timeout=20_000)


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Debian's Chromium; in CI its absence fails the run instead of skipping it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium: Path) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(chromium),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1800}, "accept_downloads": True}


@pytest.fixture(scope="module")
def openrouter() -> Iterator[StandIn]:
    """The stand-in OpenRouter, serving a synthetic catalog of LIVE_COUNT models."""
    server = StandIn(catalog_of(LIVE_COUNT))
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def openrouter_answers_ok(openrouter: StandIn) -> Iterator[None]:
    """A test that breaks the stand-in leaves it working for the next one."""
    yield
    openrouter.set_mode("ok")


@pytest.fixture(scope="module")
def start_app(
    openrouter: StandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., AppServer]]:
    """Starts `streamlit run streamlit_app.py` on a free port with the given CATALOG_DIR (a directory
    or s3://bucket/prefix) and any extra environment."""
    servers: list[AppServer] = []

    def start(catalog_dir: Path | str, **extra_env: str) -> AppServer:
        log = tmp_path_factory.mktemp("server") / "streamlit.log"
        try:
            server = start_app_server(
                REPO_ROOT / "streamlit_app.py", catalog_dir, openrouter.api_base, log=log, **extra_env
            )
        except ServerDidNotStart as error:
            pytest.fail(str(error), pytrace=False)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# -- page helpers ---------------------------------------------------------------------------------


def settle(page: Page, *visible: str) -> None:
    """Wait until each text is visible, the script has finished its run and every element is drawn.

    Old elements stay on screen during a rerun, so callers name a text only the new run shows.
    """
    for text in visible:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    page.wait_for_selector(IDLE)
    # Widgets whose code loads lazily show a grey skeleton until it arrives.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


def open_app(page: Page, url: str, *visible: str) -> None:
    page.goto(url)
    settle(page, *visible)


def shows(total: int, of: int | None = None) -> str:
    return f"Showing {total:,} of {of if of is not None else total:,} models"


def metric(page: Page, label: str) -> Locator:
    """The value of the header figure with this label."""
    label_text = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_text).get_by_test_id("stMetricValue")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    return path
