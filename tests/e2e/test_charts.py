"""Charts in Chromium: they follow the tables they sit beside after every change, and their money reads
as the rest of the page does. A chart is read from what Vega draws: each mark's accessible label (its
fields and tooltip, as text) and its place on screen; each axis from its tick labels."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from catalog import Catalog
from catalog.pricing.calculator import PRESETS
from catalog.pricing.money import usd, usd_short
from tests.e2e.conftest import AppServer, open_app, settle
from tests.payloads import CROSSING_MODELS, crossing_catalog
from tools.stand_in import StandIn

pytestmark = pytest.mark.e2e
CROSSING = [f"cross/m{n:02d}" for n in range(1, CROSSING_MODELS + 1)]
# Dollars as catalog.pricing.money writes them: "$", thousands separators, at least two decimals.
MONEY = re.compile(r"^\$\d{1,3}(,\d{3})*\.\d{2,}$")
CHART_TOP = 15


@pytest.fixture(scope="module")
def openrouter() -> Iterator[StandIn]:
    server = StandIn(crossing_catalog(before=True))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(start_app, tmp_path_factory: pytest.TempPathFactory, openrouter: StandIn) -> AppServer:
    """Two refreshes: `long/decimals` has a price history ($0.50 then $0.0208333333333333 input)."""
    directory: Path = tmp_path_factory.mktemp("charts") / "catalog"
    Catalog(directory).refresh(force=True, api_base=openrouter.api_base)
    time.sleep(1.1)  # the history keeps one price per second: the reprice gets a second of its own
    openrouter.set_payload(crossing_catalog())
    Catalog(directory).refresh(force=True, api_base=openrouter.api_base)
    return start_app(directory)


def marks(chart: Locator, role: str) -> list[str]:
    """The accessible labels of a chart's marks of one kind ("bar", "circle"), top to bottom."""
    expect(chart.locator(f'[aria-roledescription="{role}"]').first).to_be_attached()
    return chart.evaluate(
        """(chart, role) => [...chart.querySelectorAll(`[aria-roledescription="${role}"]`)]
             .map(mark => [mark.getBoundingClientRect().top, mark.getAttribute('aria-label')])
             .sort((a, b) => a[0] - b[0]).map(pair => pair[1])""",
        role,
    )


def field(label: str, title: str) -> str:
    """One field of a mark's label ("Id: a/b; $/month: $1.20" -> "$1.20" for "$/month")."""
    match = re.search(rf"(?:^|; ){re.escape(title)}: ([^;]*)", label)
    assert match, f"no {title!r} in {label!r}"
    return match.group(1)


def tick_labels(chart: Locator) -> list[str]:
    """Every non-empty tick label of a chart's axes, as drawn."""
    texts = chart.locator(".role-axis-label text").all_text_contents()
    return [text for text in texts if text]


def bar_ids(page: Page) -> list[str]:
    chart = page.get_by_test_id("stVegaLiteChart").first
    return [field(label, "Id") for label in marks(chart, "bar")]


def table_ids(page: Page) -> list[str]:
    """The ids in the calculator table's rows as drawn (the grid draws the rows in view)."""
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid.locator('[role="gridcell"]').first).to_be_attached()
    cells = grid.locator('[role="gridcell"]').all_text_contents()
    return [text for text in cells if re.fullmatch(r"(cross|short|long)/[\w.-]+", text)]


def chart_agrees_with_table(page: Page, expected: list[str]) -> None:
    """The chart lists `expected`, the cheapest first, and the table starts with the same models."""
    drawn = eventually(page, lambda: bar_ids(page), expected[:CHART_TOP])
    assert drawn == expected[:CHART_TOP]
    # The grid redraws its rows a moment after the script has finished.
    rows = min(len(expected), 8)
    table = eventually(page, lambda: table_ids(page)[:rows], expected[:rows])
    assert table == expected[:rows]


def eventually(page: Page, read: Callable[[], list[str]], wanted: list[str]) -> list[str]:
    """What `read` returns once it is `wanted`, or when the browser has had 20 s to draw it."""
    for _ in range(100):
        got = read()
        if got == wanted:
            break
        page.wait_for_timeout(200)
    return got


def pick(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_the_calculator_chart_follows_the_table_after_presets_inputs_and_filters(
    page: Page, app: AppServer
) -> None:
    open_app(page, f"{app.url}/?tab=Cost+calculator", "The 15 cheapest for this workload")
    # A chat: cheap output wins; the 8K model can take it.
    chart_agrees_with_table(page, ["short/context-8k", "long/decimals", *CROSSING[::-1][:13]])

    pick(page, "Workload preset", "Long context (250k prompt)")
    settle(page, "Workload: 250,000 input and 1,000 output tokens")
    # A 250k prompt: cheap input wins, and the 8K model is never ranked.
    chart_agrees_with_table(page, ["long/decimals", *CROSSING[:14]])

    pick(page, "Workload preset", "Chat")
    settle(page, f"Workload: {PRESETS['Chat'].input_tokens:,} input")
    page.get_by_text("Workload: 1,500 input").click()
    for label, tokens, summary in (
        ("Input tokens per request", "7000", "Workload: 7,000 input and 400 output tokens"),
        ("Output tokens per request", "100", "Workload: 7,000 input and 100 output tokens"),
    ):
        box = page.get_by_label(label, exact=True)
        box.fill(tokens)
        box.press("Enter")
        settle(page, summary)
    # Mostly input again, and within 8K: the 8K model first, then cheap input.
    chart_agrees_with_table(page, ["short/context-8k", "long/decimals", *CROSSING[:13]])

    max_input = page.get_by_label("Max input $/1M", exact=True)
    max_input.fill("0.25")
    max_input.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]max_in=0\.25\b"))
    settle(page, "Models with a cost")
    # Input at most $0.25 per 1M: m01 to m05 stay.
    chart_agrees_with_table(page, ["short/context-8k", "long/decimals", *CROSSING[:5]])
    assert len(bar_ids(page)) == 7


def test_the_cheapest_chart_follows_the_models_table(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?tab=Charts", "Cheapest models")

    def cheapest_ids() -> list[str]:
        chart = page.get_by_test_id("stVegaLiteChart").last
        return [field(label, "ID") for label in marks(chart, "bar")]

    pick(page, "Price", "Input $/1M tokens")
    settle(page)
    by_input = ["short/context-8k", "long/decimals", *CROSSING[:13]]
    assert eventually(page, cheapest_ids, by_input) == by_input

    pick(page, "Price", "Output $/1M tokens")
    settle(page)
    by_output = ["short/context-8k", "long/decimals", *CROSSING[::-1][:13]]
    assert eventually(page, cheapest_ids, by_output) == by_output

    search = page.get_by_label("Search", exact=True)
    search.fill("cross")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=cross\b"))
    settle(page)
    assert eventually(page, cheapest_ids, CROSSING[::-1][:15]) == CROSSING[::-1][:15]


def test_chart_tooltips_and_axes_read_money_as_the_page_does(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?tab=Charts", "Price vs context length")
    scatter = page.get_by_test_id("stVegaLiteChart").first
    point = next(label for label in marks(scatter, "circle") if "ID: long/decimals" in label)
    assert field(point, "Input $/1M") == "$0.0208333333333333"  # exact, as the table lists it
    assert field(point, "Output $/1M") == "$0.0833333333333333"
    charts = page.get_by_test_id("stVegaLiteChart")
    for chart in (charts.nth(0), charts.nth(1), charts.nth(3), charts.nth(4)):  # nth(2) counts models
        money_ticks = [t for t in tick_labels(chart) if t.startswith("$")]
        assert money_ticks and all(MONEY.match(t) for t in money_ticks), money_ticks
    medians = page.get_by_test_id("stVegaLiteChart").nth(3)
    cross = next(label for label in marks(medians, "bar") if "Author: cross" in label)
    # m01..m18 at $0.05 x n: the median of n = 9 and 10 is $0.475; output $0.40 x (19 - n): $3.80.
    assert (field(cross, "Median input $/1M"), field(cross, "Median output $/1M")) == ("$0.475", "$3.80")

    # What the user sees on hovering a point: the same text.
    scatter.locator('[aria-label*="ID: long/decimals"]').first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text("$0.0208333333333333")


def test_value_and_price_history_charts_read_money_as_the_page_does(page: Page, app: AppServer) -> None:
    open_app(page, f"{app.url}/?tab=Value&w_in=2000&w_out=500&w_req=1", "The best score each budget buys")
    chart = page.get_by_test_id("stVegaLiteChart").first
    point = next(label for label in marks(chart, "circle") if "Id: long/decimals" in label)
    # 30 days of one request: 2,000 x $0.0208333333333333 + 500 x $0.0833333333333333 per 1M tokens.
    per_month = 30 * (2000 * Decimal("0.0000000208333333333333") + 500 * Decimal("0.0000000833333333333333"))
    assert field(point, "$/month") == usd_short(per_month)
    money_ticks = [t for t in tick_labels(chart) if t.startswith("$")]
    assert money_ticks and all(MONEY.match(t) for t in money_ticks), money_ticks

    open_app(page, f"{app.url}/?model=long%2Fdecimals", "Long: Decimals")
    page.get_by_text("Price history").click()
    history = page.get_by_test_id("stVegaLiteChart").first
    steps = marks(history, "point")
    amounts = {(field(label, "Price"), field(label, "Amount ($/1M tokens)")) for label in steps}
    assert amounts == {
        ("Input (prompt)", usd(Decimal("0.50"))),
        ("Input (prompt)", "$0.0208333333333333"),
        ("Output (completion)", "$1.50"),
        ("Output (completion)", "$0.0833333333333333"),
    }
    money_ticks = [t for t in tick_labels(history) if t.startswith("$")]
    assert money_ticks and all(MONEY.match(t) for t in money_ticks), money_ticks
