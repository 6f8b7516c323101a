"""The page as felt in Chromium: real `streamlit run` servers, timed side by side with a bare page.

The bare page is the least a page can do to show the explorer's table: the same rows and columns
behind one search box, in plain `st.tabs` (which switch in the browser, with no rerun). Each figure
is the median of ratios of alternating pairs (which page goes first alternates too):

- session: a new browser tab opens the page, until the table is drawn and the script is idle;
- filter: a search typed into "Search", until the rerun it starts has finished;
- tab: a switch to the "Compare" tab and back to the table's, until each shows its content;
- cold: a new server process is started, until a first session shows the table.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tools.servers import AppServer, start_app

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = Path("/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SEARCH = "flash"  # a search both pages narrow the table with
OTHER_TAB = "Compare"
OTHER_TAB_TEXT = "Models to compare"  # what the app's Compare tab and the bare page's second tab show

BARE_BROWSER_PAGE = """
import streamlit as st
from catalog.present.filters import Filters, apply_filters
from catalog.storage.store import Store
from catalog.present.table import table_frame, with_status

@st.cache_resource
def listed(directory):
    _, models = Store(directory).read()
    return with_status(models, (), None)

search = st.text_input("Search")
table, other = st.tabs(["Models", "Compare"])
with table:
    st.dataframe(table_frame(apply_filters(listed({directory!r}), Filters(search=search))), hide_index=True)
with other:
    st.text("Models to compare")
"""


def _finishes_a_run(frame: bytes | str) -> bool:
    """Whether a websocket frame from the server is the message that ends a script run."""
    if isinstance(frame, str):
        return False
    message = ForwardMsg()
    message.ParseFromString(frame)
    return message.WhichOneof("type") == "script_finished"


@dataclass(frozen=True)
class BrowserPaired:
    ratio: float
    work_ms: float
    limit_ms: float


def start_server(script: Path, catalog_dir: Path, api_base: str) -> AppServer:
    """`streamlit run script` for a measurement: `tools.servers.start_app`, with its output dropped."""
    return start_app(script, catalog_dir, api_base)


def _ratio(work: list[float], limit: list[float]) -> BrowserPaired:
    return BrowserPaired(
        ratio=statistics.median(w / b for w, b in zip(work, limit, strict=True)),
        work_ms=statistics.median(work) * 1e3,
        limit_ms=statistics.median(limit) * 1e3,
    )


def _alternate(work: Callable[[], float], limit: Callable[[], float], repeats: int) -> BrowserPaired:
    times: dict[str, list[float]] = {"work": [], "limit": []}
    for round_number in range(repeats):
        order = [("work", work), ("limit", limit)]
        for name, function in order if round_number % 2 == 0 else order[::-1]:
            times[name].append(function())
    return _ratio(times["work"], times["limit"])


@contextmanager
def _browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def _open(browser: object, url: str) -> tuple[object, object, float]:
    """A new session in a new browser context; returns (context, page, seconds until the table shows).

    The page's `socket` is the session's websocket, whose messages say when a script run has ended
    (however short the run: the app's running state may never reach the page's markup)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("websocket", lambda socket: setattr(page, "socket", socket))  # type: ignore[attr-defined]
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    seconds = time.perf_counter() - start
    return context, page, seconds


def _session(browser: object, url: str) -> float:
    context, _, seconds = _open(browser, url)
    context.close()  # type: ignore[attr-defined]
    return seconds


def _search(page: object, text: str) -> float:
    box = page.get_by_role("textbox", name="Search")  # type: ignore[attr-defined]
    box.fill(text)
    socket = page.socket  # type: ignore[attr-defined]
    start = time.perf_counter()
    with socket.expect_event("framereceived", predicate=_finishes_a_run, timeout=60_000):
        box.press("Enter")
    page.wait_for_selector(IDLE, timeout=60_000)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def _switch(page: object, tab: str, shows: str) -> float:
    start = time.perf_counter()
    page.get_by_role("tab", name=tab).click()  # type: ignore[attr-defined]
    panel = page.locator('[role="tabpanel"]:visible')  # type: ignore[attr-defined]
    panel.locator(shows).first.wait_for(state="visible", timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def measure_browser(catalog_dir: Path, api_base: str, repeats: int, cold_repeats: int) -> dict[str, float]:
    """The browser figures of the explorer over the bare page, on the store in `catalog_dir`."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as scratch:
        bare_script = Path(scratch) / "bare_page.py"
        bare_script.write_text(BARE_BROWSER_PAGE.format(directory=str(catalog_dir)), encoding="utf-8")
        app_script = ROOT / "streamlit_app.py"

        figures: dict[str, BrowserPaired] = {}
        app = bare = None
        try:
            with _browser() as browser:

                def cold(script: Path) -> float:
                    start = time.perf_counter()
                    server = start_server(script, catalog_dir, api_base)
                    try:
                        _open(browser, server.url)[0].close()  # type: ignore[attr-defined]
                    finally:
                        server.stop()
                    return time.perf_counter() - start

                if cold_repeats:
                    figures["cold"] = _alternate(
                        lambda: cold(app_script), lambda: cold(bare_script), cold_repeats
                    )
                app = start_server(app_script, catalog_dir, api_base)
                bare = start_server(bare_script, catalog_dir, api_base)
                for server in (app, bare):  # first sessions fill each process's caches
                    _session(browser, server.url)
                figures["session"] = _alternate(
                    lambda: _session(browser, app.url), lambda: _session(browser, bare.url), repeats
                )
                (app_context, app_page, _), (bare_context, bare_page, _) = (
                    _open(browser, app.url),
                    _open(browser, bare.url),
                )
                app_searches, bare_searches = (iter([SEARCH, ""] * repeats) for _ in range(2))
                figures["filter"] = _alternate(
                    lambda: _search(app_page, next(app_searches)),
                    lambda: _search(bare_page, next(bare_searches)),
                    repeats * 2,
                )

                def round_trip(page: object) -> float:
                    there = _switch(page, OTHER_TAB, f"text={OTHER_TAB_TEXT}")
                    back = _switch(page, "Models", '[data-testid="stDataFrame"]')
                    return there + back

                figures["tab"] = _alternate(
                    lambda: round_trip(app_page), lambda: round_trip(bare_page), repeats
                )
                app_context.close()  # type: ignore[attr-defined]
                bare_context.close()  # type: ignore[attr-defined]
        finally:
            for started in (app, bare):
                if started is not None:
                    started.stop()

    for name, figure in figures.items():
        results[f"browser_{name}_ratio"] = figure.ratio
        results[f"browser_{name}_ms"] = figure.work_ms
        results[f"browser_{name}_bare_ms"] = figure.limit_ms
    return results
