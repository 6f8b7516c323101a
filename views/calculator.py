"""The cost calculator section: a workload (kept in the URL), what it costs on every filtered model."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from catalog.present.charts import MONEY_TICK_LABEL
from catalog.present.text import ignored_note
from catalog.pricing.calculator import (
    CUSTOM_PRESET,
    PRESETS,
    WORKLOAD_PARAMS,
    budget_from_params,
    calculator_csv,
    calculator_frame,
    preset_of,
    workload_from_params,
)
from catalog.pricing.comparable import ranked_models
from catalog.pricing.cost import DAYS_PER_MONTH, InvalidWorkload, Workload, cheapest_with_cost, parse_utc_time
from catalog.pricing.fit import fit_problems
from catalog.pricing.money import usd, usd_short
from catalog.pricing.providers import at_cheapest_provider
from catalog.pricing.schedule import format_hhmm

DEFAULT_PRESET = "Chat"
BUDGET_SCALE = 2  # the budget line is drawn while it is at most this many times the dearest bar
PRESET_KEY, UTC_KEY, BUDGET_KEY, TOP_KEY = "cost_preset", "cost_utc_time", "cost_budget", "cost_top_n"
IGNORED_KEY = "cost_url_ignored"
PRESET_PARAM, UTC_PARAM, BUDGET_PARAM = "w_preset", "w_utc", "w_budget"
ANY_TIME = -1  # the base price; a selectbox shows None as an empty "Choose an option"
UTC_CHOICES = [ANY_TIME, *range(0, 2400, 100)]
INPUTS = {  # Workload field -> (label, help)
    "input_tokens": (
        "Input tokens per request",
        "The whole prompt, as OpenRouter's usage.prompt_tokens counts it, including the cached "
        "and cache-write tokens below.",
    ),
    "cached_input_tokens": (
        "…of which cached",
        "Part of the input read from the prompt cache: billed at the cache-read price (the prompt "
        "price where a model has none).",
    ),
    "cache_write_tokens": (
        "…of which cache writes",
        "Part of the input written to the prompt cache: billed at the cache-write price (the prompt "
        "price where a model has none).",
    ),
    "output_tokens": (
        "Output tokens per request",
        "The whole completion, as usage.completion_tokens counts it, including reasoning tokens.",
    ),
    "reasoning_tokens": (
        "…of which reasoning",
        "Part of the output spent on internal reasoning: billed at the reasoning price (the "
        "completion price where a model has none).",
    ),
    "images": ("Input images per request", "Billed at each model's per-image price."),
    "web_searches": ("Web searches per request", "Billed at each model's per-search price."),
    "requests": ("Requests per day", f"A month is {DAYS_PER_MONTH} days. Any per-request fee is added."),
}


def _key(name: str) -> str:
    return f"cost_{name}"


def _workload_summary() -> str:
    """The workload in a line: "Workload: 250,000 input and 1,000 output tokens, 50 requests a day"."""
    tokens = {name: int(st.session_state[_key(name)]) for name in INPUTS}
    text = (
        f"Workload: {tokens['input_tokens']:,} input and {tokens['output_tokens']:,} output tokens, "
        f"{tokens['requests']:,} requests a day"
    )
    extras = [f"{tokens[name]:,} {word}" for name, word in (
        ("cached_input_tokens", "cached"), ("reasoning_tokens", "reasoning"), ("images", "images"),
        ("web_searches", "searches"),
    ) if tokens[name]]  # fmt: skip
    return text + (f" ({', '.join(extras)})" if extras else "") + " · edit"


def render_calculator(filtered: pd.DataFrame, endpoints: pd.DataFrame | None = None) -> None:
    """The calculator for the currently filtered models (and their hosting providers, when fetched)."""
    _start_from_url()
    top = st.columns([2, 1, 1, 1])
    top[0].selectbox(
        "Workload preset",
        [*PRESETS, CUSTOM_PRESET],
        key=PRESET_KEY,
        on_change=_apply_preset,
        help="Fills in the token counts below; editing any of them makes the workload custom.",
    )
    top[1].selectbox(
        "UTC time of the requests",
        UTC_CHOICES,
        key=UTC_KEY,
        format_func=lambda hhmm: "Any time (base price)" if hhmm == ANY_TIME else f"{format_hhmm(hhmm)} UTC",
        help="A few models charge less at some hours. Without a time, the base price is used.",
    )
    top[2].number_input(
        "Monthly budget (\\$/month)",
        min_value=0.0,
        step=10.0,
        key=BUDGET_KEY,
        help="0 for none. Models whose monthly cost fits are marked.",
    )
    top[3].number_input("Models in the chart", min_value=1, max_value=100, step=1, key=TOP_KEY)

    # Folded, with the workload in its label: on a phone the costs are then a short scroll away. Keyed:
    # the label changes with every edit, and the box stays open while the user edits.
    with st.expander(_workload_summary(), icon=":material/tune:", key="cost_workload"):
        for position, name in enumerate(INPUTS):
            if position % 4 == 0:  # one row of columns at a time: on a narrow screen they stack in order
                columns = st.columns(4)
            label, help_text = INPUTS[name]
            columns[position % 4].number_input(
                label, min_value=0, step=100, key=_key(name), help=help_text, on_change=_mark_custom
            )
    _write_url()
    if st.session_state.get(IGNORED_KEY):
        st.caption(ignored_note(st.session_state[IGNORED_KEY]))

    try:
        workload = current_workload()
    except InvalidWorkload as problem:
        text = str(problem)
        st.error(text[:1].upper() + text[1:], icon=":material/error:")
        return
    budget = st.session_state[BUDGET_KEY] or None
    utc_time = current_utc_time()
    choices = st.columns(2)
    include_free = choices[0].checkbox("Include free models", key="cost_include_free")
    include_other = choices[1].checkbox(
        "Include models that do not generate text",
        key="cost_include_other",
        help="Embedding and rerank models have no output tokens, so a chat workload undercounts them.",
    )
    ranked = ranked_models(filtered, include_free=include_free, include_not_text=include_other)
    candidates = ranked.models
    left_out = [
        f"{count:,} {kind}"
        for count, kind in (
            (ranked.free_left_out, "free models"),
            (ranked.not_text_left_out, "models that do not generate text"),
        )
        if count
    ]
    if left_out:
        st.caption(f"Left out: {' and '.join(left_out)} (tick the boxes above to include them).")
    at_provider = None
    if (
        endpoints is not None
        and not endpoints.empty
        and st.checkbox(
            "Price each model at its cheapest provider that fits",
            key="cost_at_provider",
            help="The hosting provider with the lowest cost for this workload whose context and output "
            "limits take it, instead of the price OpenRouter lists for the model.",
        )
    ):
        at_provider = at_cheapest_provider(candidates, endpoints, workload, utc_time=utc_time)
        candidates = at_provider.models
        if at_provider.no_provider:
            st.caption(
                f"{len(at_provider.no_provider):,} models have no provider that can take this workload."
            )
    table = calculator_frame(candidates, workload, utc_time=utc_time, budget_usd_per_month=budget)
    if at_provider is not None:
        via = table["id"].map(
            lambda i: f"via {at_provider.provider[i]}" if i in at_provider.provider else None
        )
        table["note"] = (via + ("; " + table["note"]).fillna("")).astype("string")
    priced = table[table["reason"].isna()]
    unpriced = table[table["reason"].notna()]

    if priced.empty:
        st.info(
            "No model can be priced for this workload: the filters in the sidebar or the boxes above "
            "leave none with a cost. Loosen a filter, press **Clear filters**, or include free models.",
            icon=":material/search_off:",
        )
        if not unpriced.empty:
            _unpriced(unpriced)
        return
    cannot_take = sum(
        p is not None for p in fit_problems(candidates, workload.input_tokens, workload.output_tokens)
    )
    if cannot_take:
        st.caption(
            f"{cannot_take:,} model{'' if cannot_take == 1 else 's'} cannot take this workload (context or "
            "output limit too small): never ranked here, listed below with the reason."
        )
    _figures(priced, budget)
    if not priced.empty:
        top = cheapest_with_cost(table, st.session_state[TOP_KEY])
        st.altair_chart(_chart(top, budget))  # no key: a keyed chart could keep a stale order
        if budget and budget > BUDGET_SCALE * float(top["per_month_usd"].max()):
            st.caption(
                f"The budget ({usd(Decimal(str(budget)))}/month) is far beyond these bars, so it is "
                f"not drawn: all {len(top):,} fit it."
            )
    # The costs right after the model (pinned): on a phone they are what fits beside it.
    shown = ["name", "per_month_usd", "per_request_usd", "per_day_usd", "fits_budget", "note", "id"]
    money = {
        column: priced[f"cost_{column}"].map(usd_short)
        for column in ("per_month_usd", "per_request_usd", "per_day_usd")
    }
    st.dataframe(
        priced.assign(**money)[shown],  # readable dollars ("≈" when rounded); the CSV below is exact
        hide_index=True,
        key="cost_table",
        placeholder="—",
        column_order=[c for c in shown if budget or c != "fits_budget"],
        column_config={
            "name": st.column_config.TextColumn("Model", pinned=True),
            "id": st.column_config.TextColumn("Id"),
            "per_request_usd": st.column_config.TextColumn("$/request", alignment="right"),
            "per_day_usd": st.column_config.TextColumn("$/day", alignment="right"),
            "per_month_usd": st.column_config.TextColumn("$/month", alignment="right"),
            "fits_budget": st.column_config.CheckboxColumn("Fits budget"),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    st.download_button(
        "Download exact costs (CSV)",
        lambda: calculator_csv(table),
        on_click="ignore",
        file_name="workload-costs.csv",
        mime="text/csv",
        key="cost_download",
        icon=":material/download:",
    )
    if not unpriced.empty:
        _unpriced(unpriced)


def _unpriced(unpriced: pd.DataFrame) -> None:
    count = len(unpriced)
    with st.expander(f"{count:,} model{'' if count == 1 else 's'} without a cost for this workload, and why"):
        st.dataframe(
            unpriced[["name", "id", "reason"]],
            hide_index=True,
            key="cost_unpriced",
            column_order=["name", "reason", "id"],  # the reason beside the model: a phone shows both
            column_config={
                "name": st.column_config.TextColumn("Model", pinned=True),
                "id": "Id",
                "reason": "Why no cost",
            },
        )


def current_workload() -> Workload:
    """The workload in the calculator's inputs (or the URL, or the default preset, before they exist).

    Raises InvalidWorkload when the inputs contradict each other (more cached than input tokens)."""
    if _key("input_tokens") not in st.session_state:
        return workload_from_params(st.query_params.to_dict(), PRESETS[DEFAULT_PRESET])
    return Workload(**{item.name: int(st.session_state[_key(item.name)]) for item in fields(Workload)})


def current_utc_time() -> int | None:
    """The UTC time picked for time-window prices, or None (base prices)."""
    if UTC_KEY in st.session_state:
        picked = st.session_state[UTC_KEY]
        return None if picked in (None, ANY_TIME) else picked
    try:
        return parse_utc_time(st.query_params.get(UTC_PARAM))
    except InvalidWorkload:
        return None


def _start_from_url() -> None:
    """First run of a session: the workload comes from the URL (w_* keys), else the default preset."""
    if _key("input_tokens") in st.session_state:
        return
    params = st.query_params.to_dict()
    ignored: list[str] = []
    preset = params.get(PRESET_PARAM)
    if preset is not None and preset not in PRESETS and preset != CUSTOM_PRESET:
        ignored.append(f"{PRESET_PARAM}={preset}")
    workload = workload_from_params(params, PRESETS.get(preset, PRESETS[DEFAULT_PRESET]), ignored)
    for name, value in asdict(workload).items():
        st.session_state[_key(name)] = value
    st.session_state[PRESET_KEY] = preset_of(workload)
    utc_time = current_utc_time()
    if params.get(UTC_PARAM) and utc_time not in UTC_CHOICES[1:]:
        ignored.append(f"{UTC_PARAM}={params[UTC_PARAM]}")  # not a time, or not on the hour
    st.session_state[UTC_KEY] = utc_time if utc_time in UTC_CHOICES else ANY_TIME
    st.session_state[BUDGET_KEY] = budget_from_params(params, BUDGET_PARAM, ignored)
    st.session_state[IGNORED_KEY] = ignored
    st.session_state.setdefault(TOP_KEY, 15)


def _apply_preset() -> None:
    preset = PRESETS.get(st.session_state[PRESET_KEY])
    if preset is not None:
        for name, value in asdict(preset).items():
            st.session_state[_key(name)] = value


def _mark_custom() -> None:
    try:
        st.session_state[PRESET_KEY] = preset_of(current_workload())
    except InvalidWorkload:
        st.session_state[PRESET_KEY] = CUSTOM_PRESET


def _write_url() -> None:
    """Keep the workload in the URL so a link reproduces it; only changed keys are written."""
    wanted = {key: str(int(st.session_state[_key(name)])) for name, key in WORKLOAD_PARAMS.items()}
    wanted[PRESET_PARAM] = st.session_state[PRESET_KEY]
    utc_time = current_utc_time()
    wanted[UTC_PARAM] = "" if utc_time is None else f"{utc_time:04d}"
    budget = st.session_state[BUDGET_KEY]
    wanted[BUDGET_PARAM] = f"{budget:g}" if budget else ""
    for key, value in wanted.items():
        if not value:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _figures(priced: pd.DataFrame, budget: float | None) -> None:
    figures = st.columns(3)
    figures[0].metric("Models with a cost", f"{len(priced):,}")
    if priced.empty:
        return
    first = priced.iloc[0]
    figures[1].metric(
        "Cheapest (\\$/month)",
        usd_short(first["cost_per_month_usd"]),
        help="The cheapest of the filtered models for this workload; its id is shown below.",
    )
    if budget:
        fits = int(priced["fits_budget"].sum())
        figures[2].metric("Fit the budget", f"{fits:,} of {len(priced):,}", help="Models at or under it")
    st.text(f"Cheapest: {first['name']} ({first['id']}), {usd(first['cost_per_request_usd'])} per request")


def _chart(rows: pd.DataFrame, budget: float | None) -> alt.LayerChart | alt.Chart:
    """The cheapest models as bars, in the table's order; the budget as a line where it is readable."""
    data = rows[["id", "name", "per_request_usd", "per_month_usd"]].astype(
        {"id": str, "name": str, "per_request_usd": float, "per_month_usd": float}
    )
    data["request_text"] = rows["cost_per_request_usd"].map(usd_short).tolist()
    data["month_text"] = rows["cost_per_month_usd"].map(usd_short).tolist()
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("per_month_usd:Q", title="$/month", axis=alt.Axis(labelExpr=MONEY_TICK_LABEL)),
            y=alt.Y("id:N", sort=data["id"].tolist(), title=None, axis=alt.Axis(labelLimit=260)),
            tooltip=[
                alt.Tooltip("name:N", title="Model"),
                alt.Tooltip("id:N", title="Id"),
                alt.Tooltip("request_text:N", title="$/request"),
                alt.Tooltip("month_text:N", title="$/month"),
            ],
        )
        .properties(title=f"The {len(data)} cheapest for this workload")
    )
    if not budget or budget > BUDGET_SCALE * data["per_month_usd"].max():
        return bars  # a far-off line would squeeze every bar to the left
    rule = alt.Chart(pd.DataFrame({"budget": [budget]})).mark_rule(color="red").encode(x="budget:Q")
    return bars + rule
