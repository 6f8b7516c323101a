"""The Charts tab: Altair charts of the filtered models' per-token prices."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from catalog.present.charts import (
    METRICS,
    MONEY_LOG_TICK_LABEL,
    MONEY_TICK_LABEL,
    cheapest,
    priced_models,
    provider_summary,
    scatter_points,
)

MONEY_AXIS = alt.Axis(labelExpr=MONEY_TICK_LABEL)  # ticks in dollars, as every amount on the page
INPUT_AXIS = ("prompt_per_mtok", "Input $/1M tokens (log)")


def render_charts(filtered: pd.DataFrame) -> None:
    if filtered.empty:
        st.info(
            "No models match the filters, so there is nothing to chart. Loosen one, or press "
            "**Clear filters** in the sidebar."
        )
        return
    priced = priced_models(filtered)
    if note := priced.note():
        st.caption(note)

    left, right = st.columns(2)
    points, sample_note = scatter_points(priced.frame)
    tooltip = [
        alt.Tooltip("name:N", title="Model"),
        alt.Tooltip("id:N", title="ID"),
        alt.Tooltip("prompt_text:N", title="Input $/1M"),
        alt.Tooltip("completion_text:N", title="Output $/1M"),
        alt.Tooltip("context_length:Q", title="Context (tokens)", format=","),
    ]
    with left:
        st.subheader("Price vs context length")
        st.altair_chart(
            _log_scatter(points, tooltip, ("context_length", "Context length (tokens, log)"), INPUT_AXIS),
            width="stretch",
        )
    with right:
        st.subheader("Input vs output price")
        st.altair_chart(
            _log_scatter(points, tooltip, INPUT_AXIS, ("completion_per_mtok", "Output $/1M tokens (log)")),
            width="stretch",
        )
    if sample_note:
        st.caption(sample_note)

    st.subheader("Authors")
    summary = provider_summary(filtered, priced.frame)
    # Both charts list authors in one order (most models first), so a row reads across.
    base = alt.Chart(summary).encode(y=alt.Y("provider:N", sort=summary["provider"].tolist(), title=None))
    counts = base.mark_bar().encode(
        x=alt.X("models:Q", title="Models"),
        tooltip=[alt.Tooltip("provider:N", title="Author"), alt.Tooltip("models:Q", title="Models")],
    )
    medians = base.mark_bar(color="#f59e0b").encode(
        x=alt.X("median_prompt_per_mtok:Q", title="Median input $/1M tokens", axis=MONEY_AXIS),
        tooltip=[
            alt.Tooltip("provider:N", title="Author"),
            alt.Tooltip("median_prompt_text:N", title="Median input $/1M"),
            alt.Tooltip("median_completion_text:N", title="Median output $/1M"),
        ],
    )
    provider_left, provider_right = st.columns(2)
    provider_left.altair_chart(counts, width="stretch")
    provider_right.altair_chart(medians, width="stretch")
    if filtered["provider"].nunique() > len(summary):
        st.caption(f"The {len(summary)} authors with the most models of {filtered['provider'].nunique()}.")

    st.subheader("Cheapest models")
    metric_column, count_column = st.columns([2, 1])
    metric = metric_column.selectbox(
        "Price", list(METRICS), format_func=METRICS.get, key="chart_metric", label_visibility="collapsed"
    )
    count = count_column.number_input(
        "How many", min_value=5, max_value=50, value=15, step=5, key="chart_top"
    )
    top = cheapest(priced.frame, metric, int(count))
    chart = (
        alt.Chart(top)
        .mark_bar()
        .encode(
            x=alt.X("price:Q", title=METRICS[metric], axis=MONEY_AXIS),
            # In the order `cheapest` ranks them (ties by id), as a table sorted by the price lists them.
            y=alt.Y("name:N", sort=top["name"].tolist(), title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("provider:N", title="Author"),
            # The input and output prices are in the tooltip already; a blend is added to them.
            tooltip=[
                *tooltip[:4],
                *([alt.Tooltip("price_text:N", title="Blended $/1M")] if metric == "blended" else []),
            ],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.caption("Models that generate text; free models (all $0) and embedding models are left out.")


def _log_scatter(
    points: pd.DataFrame, tooltip: list[alt.Tooltip], x: tuple[str, str], y: tuple[str, str]
) -> alt.Chart:
    """One point per model on log-log axes, coloured by provider."""
    return (
        alt.Chart(points)
        .mark_circle(size=60, opacity=0.7)
        .encode(
            x=alt.X(f"{x[0]}:Q", scale=alt.Scale(type="log"), title=x[1], axis=_axis(x[0])),
            y=alt.Y(f"{y[0]}:Q", scale=alt.Scale(type="log"), title=y[1], axis=_axis(y[0])),
            color=alt.Color("provider:N", legend=None),
            tooltip=tooltip,
        )
    )


def _axis(column: str) -> alt.Axis:
    return alt.Axis(labelExpr=MONEY_LOG_TICK_LABEL) if column.endswith("_per_mtok") else alt.Axis(format=",")
