"""The README's screenshots: every tab at 1400 and 420 px, on a saved catalog with a change history.

    .venv/bin/python scripts/screenshots.py OLDER.json NEWER.json [--out docs]

The saved /models responses are served by the local stand-in (`tools/stand_in.py`) from temporary
copies; a temporary catalog is refreshed from OLDER, then from NEWER (so What changed has a history),
and a `streamlit run` server on it is photographed in Chromium. Each PNG is reduced to 256 colours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.browser import CHROMIUM, IDLE, start_server  # noqa: E402
from catalog import Catalog  # noqa: E402
from tools.stand_in import StandIn  # noqa: E402

TABS = {"models": "Models", "charts": "Charts", "calculator": "Cost calculator", "value": "Value"}
TABS |= {"compare": "Compare", "changes": "What changed"}
# The tab bar at the top of the phone's screen, below Streamlit's fixed header.
SCROLL_TO_TABS = """tabs => {
  tabs.scrollIntoView({block: 'start'});
  let box = tabs.parentElement;
  while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
  if (box) box.scrollTop -= 70;
}"""
VIEWPORTS = ((1400, 1300), (420, 900))
COMPARED = ["openai/gpt-5.6-luna", "anthropic/claude-opus-5", "google/gemini-3.7-flash"]


def settle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(1200)  # charts and the table draw after the script ends
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=30_000)


def shoot(url: str, out: Path) -> list[Path]:
    paths = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for width, height in VIEWPORTS:
            for name, label in TABS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                query = f"?tab={label.replace(' ', '+')}"
                if name == "compare":
                    query += "&cmp=" + ",".join(COMPARED)
                if name == "calculator":
                    query += "&w_preset=Long+context+%28250k+prompt%29"
                page.goto(url + "/" + query)
                settle(page)
                if width < 500 and name != "models":  # a phone shows the tab, not the header again
                    page.get_by_role("tab", name=label).evaluate(
                        "tab => tab.scrollIntoView({block: 'start'})"
                    )
                    page.wait_for_timeout(500)
                path = out / f"{name}-{width}.png"
                page.screenshot(path=path)
                page.close()
                paths.append(path)
        browser.close()
    return paths


def shrink(path: Path) -> None:
    """256 colours, optimized: a few hundred kB at most, and text as sharp as before."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("older", type=Path, help="a saved /models response, refreshed from first")
    parser.add_argument("newer", type=Path, help="a later saved /models response")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        stand_in = StandIn()
        api_base = stand_in.start()
        catalog_dir = Path(scratch) / "catalog"
        try:
            for source in (args.older, args.newer):
                copy = Path(scratch) / source.name
                shutil.copy(source, copy)
                stand_in.set_payload(json.loads(copy.read_text(encoding="utf-8")))
                print(Catalog(catalog_dir).refresh(force=True, api_base=api_base).summary())
            server = start_server(ROOT / "streamlit_app.py", catalog_dir, "http://127.0.0.1:9/api/v1")
            try:
                paths = shoot(server.url, args.out)
            finally:
                server.stop()
        finally:
            stand_in.stop()
    for path in paths:
        shrink(path)
        print(f"{path.name}: {path.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
