"""The benchmark's own parts, fast: its synthetic catalogs and its report (no timings asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from bench import pages, run
from bench.browser import _finishes_a_run
from bench.synth import synthetic_catalog
from catalog.fetch.defaults import default_models
from catalog.fetch.normalize import normalize_models
from catalog.storage.store import Store


@pytest.mark.parametrize("count", [0, 1, 549])
def test_synthetic_catalog_has_the_requested_count_of_unique_models(count: int) -> None:
    body = synthetic_catalog(count)
    ids = [model["id"] for model in body["data"]]
    assert len(ids) == count == body["total_count"]
    assert len(set(ids)) == count
    assert body["links"] == {"next": None}


def test_synthetic_catalog_is_deterministic_and_serializable() -> None:
    assert json.dumps(synthetic_catalog(200)) == json.dumps(synthetic_catalog(200))
    assert synthetic_catalog(200, seed=1) != synthetic_catalog(200, seed=2)


def test_synthetic_catalog_normalizes_cleanly_with_the_real_mix() -> None:
    normalized = normalize_models(synthetic_catalog(549)["data"])
    frame = normalized.frame
    assert normalized.problems == []
    assert len(frame) == 549
    # Every kind the normalizer tells apart is there, in roughly the real catalog's shares.
    assert 10 <= frame["is_free"].sum() <= 50
    assert 1 <= frame["variable_pricing"].sum() <= 15
    assert 20 <= frame["has_tiers"].sum() <= 80
    assert 1 <= frame["has_time_windows"].sum() <= 20
    assert 60 <= (~frame["token_priced"]).sum() <= 160
    assert 50 <= frame["provider"].nunique() <= 110
    assert frame["cache_read_per_mtok"].notna().sum() > 150


def test_report_table_marks_each_figure_against_its_target() -> None:
    results = {
        "normalize_ratio": 2.5,
        "load_ratio": 1.4,
        "rerun_ratio_549": 1.2,
        "rerun_ratio_50k": 1.1,
        "stat_check_us": 3.0,
        "history_check_us": 9.0,
        "refresh_ms_549": 80.0,
        "peak_rss_mb_50k": 900.0,
        "peak_rss_mb_50k_bare": 700.0,
        "rerun_skeleton_ratio_549": 1.1,
        "browser_session_ratio": 1.1,
        "browser_filter_ratio": 1.2,
        "browser_tab_ratio": 3.0,
        "browser_cold_ratio": 1.1,
        "rerun_ratio_s3_549": 1.01,
        "refresh_ratio_s3_549": 1.6,
        "poll_ms_s3": 4.2,
        "providers_ratio_549": 1.15,
        "peak_rss_mb_providers": 200.0,
        "peak_rss_mb_providers_bare": 165.0,
    }
    lines = run.table(results).splitlines()
    assert lines[0] == "| metric | value | target | value / target | result |"
    by_metric = {line.split("|")[1].strip(): line for line in lines[2:]}
    assert set(by_metric) == set(run.TARGETS)
    assert by_metric["normalize_ratio"].endswith("| 0.83 | PASS |")
    assert by_metric["load_ratio"].endswith("| 1.08 | MISS |")
    assert "bare page: 700 MB" in by_metric["peak_rss_mb_50k"]
    assert by_metric["browser_tab_ratio"].endswith("| 2.00 | MISS |")
    assert by_metric["providers_ratio_549"].endswith("| 0.88 | PASS |")
    assert "models only: 165 MB" in by_metric["peak_rss_mb_providers"]
    assert by_metric["rerun_ratio_549"].endswith("| info |")  # the skeleton ratio carries the target
    assert by_metric["rerun_ratio_s3_549"].endswith("| 0.96 | PASS |")
    assert by_metric["poll_ms_s3"] == "| poll_ms_s3 | 4.2 ms | – |  | info |"


def test_bare_page_shows_a_table_with_st_dataframe_only() -> None:
    page = pages.BARE_PAGE.format(directory="/nowhere")
    assert page.count("st.") == 2  # the cache decorator and st.dataframe
    assert "st.dataframe(" in page


def test_skeleton_page_has_the_explorer_widgets_and_no_logic() -> None:
    page = pages.SKELETON_PAGE.format(directory="/nowhere", page_css=run.PAGE_STYLE)
    for label in (
        "Search",
        "Authors",
        "Sort by",
        "Clear filters",
        "Columns",
        "Model details",
        "Download CSV",
    ):
        assert f'"{label}"' in page
    assert "views.cached" not in page and "Catalog(" not in page  # none of the page's own logic


WIDGET_KINDS = ("button", "text_input", "multiselect", "select_slider", "number_input", "checkbox")
WIDGET_KINDS += ("toggle", "selectbox", "metric", "expander", "tabs", "dataframe")


def test_skeleton_page_draws_the_same_widgets_as_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The skeleton is the page's elements without its logic: when the page gains a widget, the
    skeleton must gain it too, or the rerun ratio against it flatters the page."""
    directory = tmp_path / "catalog"
    Store(directory).write(
        default_models(), source="defaults", fetched_at=None, api_base=None, defaults_as_of="2026-01-01"
    )
    monkeypatch.setenv("CATALOG_DIR", str(directory))
    page = AppTest.from_file(str(run.APP), default_timeout=30).run()
    skeleton_text = pages.SKELETON_PAGE.format(directory=str(directory), page_css=run.PAGE_STYLE)
    skeleton = AppTest.from_string(skeleton_text, default_timeout=30).run()
    assert not page.exception and not skeleton.exception

    def drawn(app: AppTest) -> dict[str, int]:
        return {kind: len(getattr(app, kind)) for kind in WIDGET_KINDS}

    assert drawn(skeleton) == drawn(page)


def test_the_browser_figures_tell_a_run_has_ended_by_its_script_finished_message() -> None:
    finished, element = ForwardMsg(), ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    element.delta.new_element.markdown.body = "script_finished"
    assert _finishes_a_run(finished.SerializeToString())
    assert not _finishes_a_run(element.SerializeToString())
    assert not _finishes_a_run("script_finished")  # a text frame is never one of Streamlit's messages
