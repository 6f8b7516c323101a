"""The "Value" tab: the workload's monthly cost against a benchmark index, and the frontier of best buys."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from catalog.present.charts import MONEY_LOG_TICK_LABEL
from catalog.pricing.cost import DAYS_PER_MONTH, InvalidWorkload, Workload
from catalog.pricing.money import usd_short
from catalog.pricing.value import INDEX_LABELS, INDEXES, cheapest_scoring, per_month_frame, value_table
from views.calculator import current_utc_time, current_workload

INDEX_KEY, FREE_KEY, MINIMUM_KEY = "value_index", "value_free", "value_min"


def render_value(filtered: pd.DataFrame) -> None:
    """Value for money on the filtered models, for the cost calculator's workload."""
    try:
        workload = current_workload()
    except InvalidWorkload as problem:
        st.error(f"The cost calculator's workload cannot be priced: {problem}.", icon=":material/error:")
        return
    st.caption(
        f"For the workload of the **Cost calculator** tab: {_workload_text(workload)}. "
        "Scores are Artificial Analysis's indexes as OpenRouter lists them (higher is better)."
    )
    controls = st.columns([2, 1, 2])
    index = controls[0].selectbox(
        "Benchmark index", INDEXES, format_func=INDEX_LABELS.__getitem__, key=INDEX_KEY, bind="query-params"
    )
    include_free = controls[1].checkbox(
        "Include free models",
        key=FREE_KEY,
        help="Free models cost $0, which a log scale cannot show: they are listed in the tables only.",
    )
    value = value_table(filtered, workload, index, utc_time=current_utc_time(), exclude_free=not include_free)
    listed = per_month_frame(value)
    label = INDEX_LABELS[index]
    _notes(value.unscored, value.unpriced, value.free_left_out, label)
    if listed.empty:
        st.info(
            f"None of the filtered models has both a fixed cost for this workload and an {label.lower()}. "
            "Loosen a filter or press **Clear filters**.",
            icon=":material/search_off:",
        )
        return

    minimum = controls[2].number_input(
        f"Cheapest model scoring at least ({label.lower()})",
        min_value=0.0,
        max_value=100_000.0,
        value=float(listed["index"].median().round()),
        step=1.0,
        key=MINIMUM_KEY,
    )
    answer = cheapest_scoring(value, minimum)
    if answer is None:
        st.text(f"No listed model scores {minimum:g} or more.")
    else:
        month = listed.loc[listed["id"] == answer["id"], "cost_per_month_usd"].iloc[0]
        st.text(
            f"Cheapest scoring at least {minimum:g}: {answer['name']} ({answer['id']}), "
            f"{label.lower()} {answer['index']:g}, {usd_short(month)} per month"
        )

    st.altair_chart(_chart(listed, label), key="value_chart")
    frontier = listed[listed["on_frontier"]]
    st.subheader("The best score each budget buys", anchor=False)
    st.caption(
        "The frontier: no other model here is at least as cheap and scores higher, or cheaper and scores "
        "as high. Models with exactly the same cost and score are both on it."
    )
    _table(frontier, label, "value_frontier")
    with st.expander(f"All {len(listed):,} models with a cost and an {label.lower()}"):
        _table(listed, label, "value_all")


def _notes(unscored: int, unpriced: int, free: int, label: str) -> None:
    parts = []
    if unscored:
        parts.append(f"{unscored:,} filtered models with a cost have no {label.lower()}: not plotted")
    if unpriced:
        parts.append(
            f"{unpriced:,} have no fixed cost for this workload (variable price, not per token, or too small)"
        )
    if free:
        parts.append(f"{free:,} free models left out (tick **Include free models**)")
    if parts:
        st.caption("; ".join(parts) + ".")


def _chart(listed: pd.DataFrame, label: str) -> alt.LayerChart:
    paid = listed[listed["per_month_usd"] > 0].astype({"id": str, "name": str, "note": str})
    paid = paid.assign(
        frontier=paid["on_frontier"].map({True: "on the frontier", False: "not on it"}),
        month=paid["cost_per_month_usd"].map(usd_short),  # the one money format, in the tooltip too
    ).drop(columns="cost_per_month_usd")  # Decimals: a chart sends numbers and text only
    x = alt.X(
        "per_month_usd:Q",
        title="$/month (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(labelExpr=MONEY_LOG_TICK_LABEL),
    )
    y = alt.Y("index:Q", title=label, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("name:N", title="Model"),
        alt.Tooltip("id:N", title="Id"),
        alt.Tooltip("month:N", title="$/month"),
        alt.Tooltip("index:Q", title=label),
    ]
    points = (
        alt.Chart(paid)
        .mark_circle(size=70, opacity=0.8)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "frontier:N",
                title=None,
                scale=alt.Scale(domain=["on the frontier", "not on it"], range=["#d6336c", "#8c8c8c"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    steps = (
        alt.Chart(paid[paid["on_frontier"]])
        .mark_line(interpolate="step-after", color="#d6336c", strokeWidth=2)
        .encode(x=x, y=y, order="per_month_usd:Q")
    )
    return (steps + points).properties(height=420, title=f"{label} against the monthly cost")


def _table(rows: pd.DataFrame, label: str, key: str) -> None:
    shown = rows.assign(month=rows["cost_per_month_usd"].map(usd_short))  # the one money format
    st.dataframe(
        shown[["name", "id", "month", "per_month_usd", "index", "on_frontier", "note"]],
        hide_index=True,
        key=key,
        placeholder="—",
        height=(min(len(rows), 20) + 1) * 35 + 3,  # every row up to 20, then it scrolls
        column_order=["name", "month", "index", "on_frontier", "id", "note"],
        column_config={
            "name": st.column_config.TextColumn("Model"),
            "id": st.column_config.TextColumn("Id"),
            "month": st.column_config.TextColumn("$/month"),
            "index": st.column_config.NumberColumn(label, format="%.1f"),
            "on_frontier": st.column_config.CheckboxColumn("On the frontier"),
            "note": st.column_config.TextColumn("Note"),
        },
    )


def _workload_text(workload: Workload) -> str:
    text = f"{workload.input_tokens:,} input and {workload.output_tokens:,} output tokens per request"
    requests = f"{workload.requests:,} request{'' if workload.requests == 1 else 's'} a day"
    return f"{text}, {requests}, {DAYS_PER_MONTH} days a month"
