"""The "What changed" tab and the per-model price history chart: layout and widgets only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import altair as alt
import streamlit as st

from catalog import Catalog
from catalog.history.changes import KINDS
from catalog.history.view import chart_steps, load_history, sort_by_move

KIND_LABELS = {
    "added": "added",
    "removed": "removed",
    "repriced": "repriced",
    "retiered": "price tiers changed",
}
DEFAULT_KINDS = ["added", "removed", "repriced"]
DEFAULT_RANGE = timedelta(days=30)
TABLE_COLUMNS = ["at", "change", "id", "name", "field", "unit", "old", "new", "delta", "change_pct"]


def render_changes(catalog: Catalog) -> None:
    """The "What changed" tab: changes by date range and kind, biggest price moves first."""
    history = load_history(catalog.store)
    if history.notice:
        st.warning(history.notice, icon=":material/warning:")
    if history.is_empty or history.baseline_at is None or history.last_refresh_at is None:
        st.info(
            "No change history yet. It starts with the first live refresh: the models seen then are "
            "the baseline, and each later refresh records what was added, removed and repriced."
        )
        return
    st.caption(
        f"Tracking since {history.baseline_at:%Y-%m-%d %H:%M} UTC · {history.refreshes:,} live refreshes · "
        f"last {history.last_refresh_at:%Y-%m-%d %H:%M} UTC"
    )

    first_day = history.baseline_at.date()
    last_day = max(datetime.now(UTC).date(), history.last_refresh_at.date())
    dates_column, kinds_column = st.columns([2, 3])
    picked = dates_column.date_input(
        "Date range (UTC)",
        value=(max(first_day, last_day - DEFAULT_RANGE), last_day),
        min_value=first_day,
        max_value=last_day,
        key="changes_dates",
    )
    kinds = kinds_column.multiselect(
        "Kinds of change",
        options=list(KINDS),
        default=DEFAULT_KINDS,
        format_func=KIND_LABELS.__getitem__,
        key="changes_kinds",
    )
    start, end = _date_range(picked, first_day, last_day)
    events = history.events(since=start, until=end + timedelta(days=1), kinds=kinds)

    counts = events.drop_duplicates(["change", "id"])["change"].value_counts()
    for column, kind in zip(st.columns(len(KINDS)), KINDS, strict=True):
        column.metric(f"Models {KIND_LABELS[kind]}", f"{int(counts.get(kind, 0)):,}")
    if events.empty:
        st.info("No changes of the chosen kinds in this date range.")
        return

    table = sort_by_move(events)[TABLE_COLUMNS].copy()
    table["at"] = table["at"].dt.tz_localize(None)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "change": st.column_config.TextColumn("Change"),
            "id": st.column_config.TextColumn("Model ID"),
            "name": st.column_config.TextColumn("Name"),
            "field": st.column_config.TextColumn("Price field"),
            "unit": st.column_config.TextColumn("Unit", help="$/1M tokens for per-token prices, else USD"),
            "old": st.column_config.NumberColumn("Old price", format="%.4f"),
            "new": st.column_config.NumberColumn("New price", format="%.4f"),
            "delta": st.column_config.NumberColumn("Move", format="%+.4f", help="new − old, in the unit"),
            "change_pct": st.column_config.NumberColumn("Move %", format="%+.1f%%"),
        },
    )
    st.caption(
        "Biggest price moves first (a move from $0 first of all), then the other changes, newest first. "
        "A price field that OpenRouter stopped sending counts as $0."
    )


def render_price_history(catalog: Catalog, model_id: str) -> None:
    """A step chart of one model's base prices since the history first saw it (for the details panel)."""
    history = load_history(catalog.store)
    steps = chart_steps(history.price_series(model_id))
    if steps.empty:
        st.caption("No price history for this model yet: it starts with the first live refresh.")
        return
    steps["at"] = steps["at"].dt.tz_localize(None)  # shown as UTC, not the browser's local time
    units = list(dict.fromkeys(steps["unit"]))
    for unit in units:
        part = steps[steps["unit"] == unit]
        chart = (
            alt.Chart(part)
            .mark_line(interpolate="step-after", point=True)
            .encode(
                x=alt.X("at:T", title="Time (UTC)"),
                y=alt.Y("price:Q", title=unit),
                color=alt.Color("field:N", title="Price field"),
                detail="segment:N",
                tooltip=[
                    alt.Tooltip("field:N", title="Price field"),
                    alt.Tooltip("at:T", title="From (UTC)", format="%Y-%m-%d %H:%M"),
                    alt.Tooltip("price_exact:N", title=unit),
                ],
            )
        )
        st.altair_chart(chart, width="stretch")
    moves = history.events(kinds=["repriced"])
    count = int((moves["id"] == model_id).sum())
    st.caption(f"{count:,} price change(s) recorded; a step holds until the next change.")


def _date_range(picked: object, first_day: date, last_day: date) -> tuple[date, date]:
    """The (start, end) days of a date_input, which returns one day while the user is picking."""
    days = [d for d in (picked if isinstance(picked, (tuple, list)) else (picked,)) if isinstance(d, date)]
    if not days:
        return first_day, last_day
    return days[0], days[-1]
