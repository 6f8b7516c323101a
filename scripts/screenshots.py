"""The README's screenshots, every one in docs/: each tab, a model's providers, the sidebar, the
calculator's list of models that cannot take a workload, and the stale-catalog warning, at 1400 and
420 px.

    .venv/bin/python scripts/screenshots.py OLDER.json NEWER.json [--out docs]

Two temporary catalogs import both saved /models responses (temporary copies) as the past
refreshes they are, dated as saved (`python -m catalog import`), so What changed has their history.
The first is then refreshed now from NEWER, served by the local stand-in (`tools/stand_in.py`), and
its providers fetched from the stand-in (which makes them up from each model's own price: see
`tools/endpoint_payloads.py`); the second stays as old as NEWER, so the page warns that it is stale.
A `streamlit run` server on each is photographed in Chromium, at 420 px as a phone (which says so
in its user agent); each PNG is reduced to 256 colours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Browser, Locator, Page, sync_playwright  # noqa: E402

from bench.browser import CHROMIUM, IDLE, start_server  # noqa: E402
from catalog import Catalog  # noqa: E402
from catalog.fetch.saved import read_saved  # noqa: E402
from tools.stand_in import StandIn  # noqa: E402

TABS = {"models": "Models", "charts": "Charts", "calculator": "Cost calculator", "value": "Value"}
TABS |= {"compare": "Compare", "changes": "What changed"}
WIDTHS = {1400: 1300, 420: 900}  # width -> the height of the window photographed
COMPARED = ["openai/gpt-5.6-luna", "anthropic/claude-opus-5", "google/gemini-3.7-flash"]
DETAILED = "google/gemini-3.7-flash"  # a model with several providers
LONG_CONTEXT = "w_preset=Long+context+%28250k+prompt%29"
# A link with an author the catalog does not have: the sidebar notes it.
SIDEBAR_LINK = "?author=openai&author=no-such-author&ctx=128000&sort=Cheapest+input"
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Mobile Safari/537.36"
)
HEADER_PX = 60  # Streamlit's fixed header
BELOW_TABS = HEADER_PX + 56  # below the header and the tab bar that stays under it


def settle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(1200)  # charts and the table draw after the script ends
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=30_000)


def open_page(browser: Browser, url: str, width: int, height: int | None = None) -> Page:
    """The page in a window `width` px wide; a narrow one is a phone's, and says so as a phone does."""
    phone = {"user_agent": PHONE_USER_AGENT, "is_mobile": True} if width < 500 else {}
    page = browser.new_page(viewport={"width": width, "height": height or WIDTHS[width]}, **phone)
    page.goto(url)
    settle(page)
    return page


def scroll_to(page: Page, element: Locator, offset: int) -> None:
    """Scroll the page (Streamlit's main area scrolls, not the window) until `element` sits `offset`
    px below the window's top."""
    element.evaluate(
        """(element, offset) => {
          const main = document.querySelector('[data-testid="stMain"]');
          main.scrollTop += element.getBoundingClientRect().top - offset;
        }""",
        offset,
    )
    page.wait_for_timeout(500)


def tab_shots(browser: Browser, url: str, out: Path) -> list[Path]:
    paths = []
    for width in WIDTHS:
        for name, label in TABS.items():
            query = f"?tab={label.replace(' ', '+')}"
            if name == "compare":
                query += "&cmp=" + ",".join(COMPARED)
            if name == "calculator":
                query += "&" + LONG_CONTEXT
            page = open_page(browser, url + "/" + query, width)
            if width < 500 and name != "models":  # a phone shows the tab, not the header again
                scroll_to(page, page.get_by_role("tablist").first, HEADER_PX)
            paths.append(shot(page, out / f"{name}-{width}.png"))
            page.close()
    return paths


def detail_shots(browser: Browser, url: str, out: Path) -> list[Path]:
    """A model's providers, the sidebar, the calculator's models that cannot take the workload."""
    paths = []
    for width in WIDTHS:
        page = open_page(browser, f"{url}/?model={DETAILED}", width)
        scroll_to(page, page.get_by_text("Providers (cheapest input price first)").first, BELOW_TABS)
        paths.append(shot(page, out / f"providers-{width}.png"))
        page.close()

        page = open_page(browser, f"{url}/{SIDEBAR_LINK}", width, 2000)
        if width < 500:  # a phone opens with the sidebar folded away
            page.get_by_test_id("stExpandSidebarButton").click()
            page.wait_for_timeout(800)
        sidebar = page.get_by_test_id("stSidebar")
        paths.append(shot(page, out / f"sidebar-{width}.png", clip=sidebar.bounding_box()))
        page.close()

        page = open_page(browser, f"{url}/?tab=Cost+calculator&{LONG_CONTEXT}", width)
        page.get_by_text("without a cost for this workload, and why").click()
        settle(page)
        reasons = page.get_by_text("without a cost for this workload, and why", exact=False).first
        scroll_to(page, reasons, BELOW_TABS)  # the reasons listed, under the note that counts them
        paths.append(shot(page, out / f"calculator-unfit-{width}.png"))
        page.close()
    return paths


def stale_shots(browser: Browser, url: str, out: Path) -> list[Path]:
    paths = []
    for width in WIDTHS:
        page = open_page(browser, url + "/", width)
        paths.append(shot(page, out / f"stale-{width}.png"))
        page.close()
    return paths


def shot(page: Page, path: Path, clip: dict | None = None) -> Path:
    page.mouse.move(0, 0)  # no hover toolbar over what is photographed
    page.wait_for_timeout(300)
    if clip is not None:
        page.screenshot(path=path, clip={**clip, "height": min(clip["height"], 2000)})
    else:
        page.screenshot(path=path)
    return path


def shrink(path: Path) -> None:
    """256 colours, optimized: a few hundred kB at most, and text as sharp as before."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def photograph(catalog_dir: Path, shots: Callable[[Browser, str, Path], list[Path]], out: Path) -> list[Path]:
    server = start_server(ROOT / "streamlit_app.py", catalog_dir, "http://127.0.0.1:9/api/v1")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            try:
                return shots(browser, server.url, out)
            finally:
                browser.close()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("older", type=Path, help="a saved /models response, refreshed from first")
    parser.add_argument("newer", type=Path, help="a later saved /models response")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        copies = []
        for source in (args.older, args.newer):
            copies.append(Path(scratch) / source.name)
            shutil.copy(source, copies[-1])
        live_dir, stale_dir = Path(scratch) / "live", Path(scratch) / "stale"
        for directory in (live_dir, stale_dir):
            imported = Catalog(directory).import_saved([read_saved(c) for c in copies], apply_latest=True)
            print(f"imported {len(imported.placed)} responses as past refreshes")
        stand_in = StandIn(json.loads(copies[-1].read_text(encoding="utf-8")))
        api_base = stand_in.start()
        try:  # the live catalog is refreshed now (the same models), the stale one stays as saved
            print(Catalog(live_dir).refresh(force=True, api_base=api_base).summary())
            print("providers:", Catalog(live_dir).refresh_providers(api_base=api_base).summary())
        finally:
            stand_in.stop()
        paths = photograph(live_dir, tab_shots, args.out)
        paths += photograph(live_dir, detail_shots, args.out)
        paths += photograph(stale_dir, stale_shots, args.out)
    for path in paths:
        shrink(path)
        print(f"{path.name}: {path.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
