"""OpenRouter model catalog explorer: the page, top to bottom. Logic lives in `catalog/`."""

from __future__ import annotations

import gc
import logging

import streamlit as st

from catalog import Catalog, CatalogError, settings
from catalog.errors import RefreshRefused
from catalog.fetch.scores import EFFORTS
from catalog.present.filters import REASONING_CHOICES, Filters, capability_label
from catalog.present.freshness import age_text, is_stale, stale_warning
from catalog.present.providers import ProviderFilters
from catalog.present.table import current_models, escape_markdown
from catalog.present.text import ignored_note, ignored_values
from catalog.snapshot import Snapshot
from views.cached import PAGE_STYLE, ShownTable, shared_catalog, views_for
from views.calculator import render_calculator
from views.changes import render_changes, render_price_history
from views.charts import render_charts
from views.compare import render_compare
from views.providers import render_model_providers, run_provider_refresh
from views.routes import ROUTES
from views.table import render_details, render_sort, render_table
from views.value import render_value
from views.watch import watched_ids

if __name__ != "__main__":
    # `streamlit run` imports this file for `app` and serves ROUTES beside the page (the feed, the
    # JSON API, /healthz); each session runs the page as __main__, so a rerun never builds it again.
    # The import also runs the page once with no session, where each element would log that it has
    # no ScriptRunContext: nothing is drawn, and nothing is wrong.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    app = st.App("streamlit_app.py", routes=ROUTES)
    # Everything imported so far lives as long as the process: frozen, it is out of the collector's
    # sight, and a full collection looks at what sessions create, not at the modules' 126,000
    # objects (90 ms, holding every session's messages back).
    gc.freeze()

st.set_page_config(
    page_title="OpenRouter model catalog", page_icon=":material/travel_explore:", layout="wide"
)
st.html(PAGE_STYLE)  # styles only: it takes no room on the page

CONTEXT_STEPS = [0, 8_192, 16_384, 32_768, 65_536, 128_000, 200_000, 262_144, 1_000_000, 2_000_000]

FILTER_DEFAULTS = {
    "q": "", "author": [], "in": [], "out": [], "cap": [], "ctx": 0,
    "max_in": None, "max_out": None, "free": False, "novar": False, "noexp": False, "removed": False,
    "watched": False,
    "min_intel": None, "min_code": None, "min_agent": None, "reason": "", "effort": "",
    "host": [], "quant": [], "min_up": None, "max_lat": None, "min_tps": None,
}  # fmt: skip


def clear_filters() -> None:
    for key, value in FILTER_DEFAULTS.items():
        st.session_state[key] = value


def shown_catalog(snapshot: Snapshot) -> str:
    if snapshot.is_live and snapshot.fetched_at:
        return f"the live catalog refreshed {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC"
    return f"the bundled defaults (prices as of {snapshot.defaults_as_of})"


def run_refresh(catalog: Catalog, force: bool = False) -> None:
    before = catalog.snapshot()
    with st.status("Fetching the live catalog from OpenRouter…", expanded=False) as status:
        try:
            result = catalog.refresh(force=force)
        except RefreshRefused as error:
            status.update(label="Refresh refused", state="error")
            st.session_state["offer_force"] = True
            st.session_state["action"] = ("warning", f"Refresh refused: {error}.")
        except CatalogError as error:
            status.update(label="Refresh failed", state="error")
            st.session_state["action"] = (
                "error",
                f"Refresh failed: {error}. Nothing was changed: still showing {shown_catalog(before)}.",
            )
        else:
            status.update(label="Refreshed", state="complete")
            st.session_state["offer_force"] = False
            st.session_state["action"] = ("success", f"Refreshed: {result.summary()}.")


if "setting_error" not in st.session_state:  # once a session: reading every setting costs a rerun 0.6 ms
    try:
        settings.check_all()
    except settings.SettingError as error:
        st.session_state["setting_error"] = str(error)
    else:
        st.session_state["setting_error"] = None
if st.session_state["setting_error"]:
    st.error(f"Configuration error: {st.session_state['setting_error']}", icon=":material/settings:")
    st.stop()
catalog = shared_catalog()

# -- sidebar: actions ----------------------------------------------------------------------------
with st.sidebar:
    st.header("Catalog", anchor=False)
    if st.button("Refresh prices", key="refresh", type="primary", icon=":material/refresh:", width="stretch"):
        st.session_state["confirm_reset"] = False
        run_refresh(catalog)
    if st.button(
        "Refresh providers",
        key="refresh_providers",
        icon=":material/dns:",
        width="stretch",
        help="Every model's hosting providers: one request per model, so it takes a while",
    ):
        st.session_state["confirm_reset"] = False
        run_provider_refresh(catalog)
    if st.session_state.get("offer_force") and st.button(
        "Replace anyway", key="refresh_force", icon=":material/warning:", width="stretch"
    ):
        run_refresh(catalog, force=True)
    if st.button("Reset to defaults", key="reset", icon=":material/restart_alt:", width="stretch"):
        st.session_state["confirm_reset"] = True
    if st.session_state.get("confirm_reset"):
        st.warning(
            "Discard the live catalog and show the bundled defaults again? Every open session switches."
        )
        confirm, cancel = st.columns(2)
        if confirm.button("Yes, reset", key="reset_confirm", type="primary", width="stretch"):
            try:
                restored = catalog.reset()
            except CatalogError as error:
                st.session_state["action"] = ("error", f"Reset failed: {error}. Nothing was changed.")
            else:
                st.session_state["action"] = (
                    "success",
                    f"Reset: showing the {restored.count:,} bundled default models.",
                )
            st.session_state["confirm_reset"] = False
            st.rerun()
        if cancel.button("Cancel", key="reset_cancel", width="stretch"):
            st.session_state["confirm_reset"] = False
            st.rerun()

snapshot = catalog.snapshot()
views = views_for(snapshot)
choices, counts = views.choices(), views.counts()
history = catalog.history()

# -- header ---------------------------------------------------------------------------------------
st.title("OpenRouter model catalog", anchor=False)
if action := st.session_state.get("action"):
    kind, message = action  # in the page, not the sidebar: a phone shows the sidebar collapsed
    getattr(st, kind)(escape_markdown(message))
if snapshot.is_live and snapshot.fetched_at:
    refreshed = f"{snapshot.fetched_at:%Y-%m-%d %H:%M} UTC ({age_text(snapshot.fetched_at)})"
    st.caption(f"Live from OpenRouter · refreshed {refreshed}")
else:
    as_of = snapshot.defaults_as_of
    st.caption(f"Bundled defaults · prices as of {as_of} · press **Refresh prices** for every live model")
if snapshot.notice:
    st.warning(escape_markdown(snapshot.notice), icon=":material/warning:")
if snapshot.is_live and is_stale(snapshot.fetched_at):
    st.warning(stale_warning(snapshot.fetched_at), icon=":material/schedule:")
with st.container(horizontal=True, gap="medium"):
    st.metric("Models", f"{counts['models']:,}", width="content")
    st.metric("Authors", f"{counts['authors']:,}", width="content", help="Who made the models")
    st.metric("Free", f"{counts['free']:,}", width="content")
    st.metric("Not priced per token", f"{counts['not_token_priced']:,}", width="content")
    st.metric(
        "New in 7 days",
        f"{len(views.new_ids(history)):,}",
        width="content",
        help="Listed on OpenRouter in the last 7 days (by its creation date)",
    )

# -- sidebar: filters (every one is in the URL) ---------------------------------------------------
if "link_at_start" not in st.session_state:  # what the link that opened this session asked for
    st.session_state["link_at_start"] = st.query_params.to_dict()
with st.sidebar:
    st.header("Filters", anchor=False)
    search = st.text_input("Search", key="q", bind="query-params", placeholder="id, name or description")
    authors = st.multiselect(
        "Authors", choices["author"], key="author", bind="query-params", help="Who made the model"
    )
    input_modalities = st.multiselect("Input modalities", choices["in"], key="in", bind="query-params")
    output_modalities = st.multiselect("Output modalities", choices["out"], key="out", bind="query-params")
    capabilities = st.multiselect(
        "Required capabilities",
        choices["cap"],
        format_func=capability_label,
        key="cap",
        bind="query-params",
    )
    min_context = st.select_slider(
        "Minimum context",
        CONTEXT_STEPS,
        format_func=lambda n: (
            "any" if n == 0 else f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n // 1000:,}K"
        ),
        key="ctx",
        bind="query-params",
    )
    prices = st.columns(2)
    max_prompt = prices[0].number_input(
        "Max input $/1M", min_value=0.0, value=None, step=0.5, key="max_in", bind="query-params"
    )
    max_completion = prices[1].number_input(
        "Max output $/1M", min_value=0.0, value=None, step=0.5, key="max_out", bind="query-params"
    )
    with st.expander("Scores and reasoning", icon=":material/leaderboard:"):
        minimums = {
            name: st.number_input(
                f"Minimum {name} index",
                min_value=0.0,
                max_value=100.0,
                value=None,
                step=5.0,
                key=key,
                bind="query-params",
                help="Artificial Analysis's index as OpenRouter lists it; models without one are left out.",
            )
            for name, key in (("intelligence", "min_intel"), ("coding", "min_code"), ("agentic", "min_agent"))
        }
        reasoning = st.selectbox(
            "Reasoning",
            list(REASONING_CHOICES),
            format_func=REASONING_CHOICES.__getitem__,
            key="reason",
            bind="query-params",
        )
        effort = st.selectbox(
            "Accepts reasoning effort",
            ["", *EFFORTS],
            format_func=lambda e: e or "any",
            key="effort",
            bind="query-params",
            help="Models that reason and accept this effort level (a model that lists none accepts any).",
        )
    free_only = st.checkbox("Free models only", key="free", bind="query-params")
    watched_only = st.checkbox(
        "Watched models only",
        key="watched",
        bind="query-params",
        help="Models you starred (**Watch** in a model's details), and those your watch file names.",
    )
    hide_variable = st.checkbox("Hide variable-priced routers", key="novar", bind="query-params")
    hide_expiring = st.checkbox("Hide models expiring within 30 days", key="noexp", bind="query-params")
    show_removed = st.toggle(
        "Show recently removed models",
        value=False,
        key="removed",
        bind="query-params",
        help="Models OpenRouter stopped listing stay visible, marked with their removal date, for a while.",
    )
    if snapshot.endpoints_fetched_at is not None:
        hosting = views.provider_choices()
        hosts = st.multiselect(
            "Providers",
            hosting["hosts"],
            key="host",
            bind="query-params",
            help="Models served by at least one of these hosting providers",
        )
        quantizations = st.multiselect("Quantization", hosting["quant"], key="quant", bind="query-params")
        health = st.columns(2)
        min_uptime = health[0].number_input(
            "Min uptime %", min_value=0.0, max_value=100.0, value=None, step=1.0, key="min_up",
            bind="query-params", help="A provider's uptime over the last day",
        )  # fmt: skip
        max_latency = health[1].number_input(
            "Max latency ms", min_value=0.0, value=None, step=100.0, key="max_lat", bind="query-params",
            help="A provider's median time to first token over the last 30 minutes",
        )  # fmt: skip
        min_throughput = st.number_input(
            "Min throughput (tokens/s)", min_value=0.0, value=None, step=10.0, key="min_tps",
            bind="query-params", help="A provider's median throughput over the last 30 minutes",
        )  # fmt: skip
        provider_filters = ProviderFilters(
            providers=tuple(hosts),
            quantizations=tuple(quantizations),
            min_uptime_pct=min_uptime,
            max_latency_ms=max_latency,
            min_throughput_tps=min_throughput,
        )
    else:
        provider_filters = ProviderFilters()
    sort = render_sort()
    st.button("Clear filters", key="clear_filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    if "link_ignored" not in st.session_state:
        link = st.session_state["link_at_start"]
        filter_keys = [*FILTER_DEFAULTS, "sort"]
        st.session_state["link_ignored"] = ignored_values(link, st.query_params.to_dict(), filter_keys)
    if st.session_state["link_ignored"]:
        st.caption(ignored_note(st.session_state["link_ignored"]))

# -- body -----------------------------------------------------------------------------------------
filters = Filters(
    search=search,
    authors=tuple(authors),
    input_modalities=tuple(input_modalities),
    output_modalities=tuple(output_modalities),
    min_context=int(min_context),
    max_prompt_per_mtok=max_prompt,
    max_completion_per_mtok=max_completion,
    free_only=free_only,
    hide_variable=hide_variable,
    capabilities=tuple(capabilities),
    hide_expiring=hide_expiring,
    watched=watched_ids(snapshot.models["id"]) if watched_only else None,
    min_intelligence=minimums["intelligence"],
    min_coding=minimums["coding"],
    min_agentic=minimums["agentic"],
    reasoning=reasoning,
    effort=effort,
    sort=sort,
)
shown = views.table(history, show_removed, filters, provider_filters)


@st.fragment
def tabs(shown: ShownTable, sort: str) -> None:
    """The six tabs. A fragment: switching tabs, and every widget inside them, reruns only this."""
    filtered = shown.rows
    models_tab, charts_tab, cost_tab, value_tab, compare_tab, changes_tab = st.tabs(
        ["Models", "Charts", "Cost calculator", "Value", "Compare", "What changed"],
        key="tab",
        bind="query-params",
    )

    if models_tab.open:
        with models_tab:
            selected = render_table(shown, snapshot.count, sort)
            render_details(
                shown,
                selected,
                history.first_seen(),
                lambda i: render_price_history(catalog, i),
                lambda i, token_priced: render_model_providers(snapshot, i, token_priced),
            )
    if charts_tab.open:
        with charts_tab:
            render_charts(current_models(filtered))
    if cost_tab.open:
        with cost_tab:
            render_calculator(current_models(filtered), snapshot.endpoints)
    if value_tab.open:
        with value_tab:
            render_value(current_models(filtered))
    if compare_tab.open:
        with compare_tab:
            render_compare(snapshot.models, snapshot.endpoints)
    if changes_tab.open:
        with changes_tab:
            render_changes(catalog)


tabs(shown, sort)
