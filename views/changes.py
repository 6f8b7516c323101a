"""The "What changed" tab and the per-model price history chart: layout and widgets only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from catalog import Catalog
from catalog.history.changes import KINDS, PROVIDER_KINDS
from catalog.present.changes import chart_steps, sort_by_move
from catalog.present.charts import MONEY_TICK_LABEL
from catalog.pricing.fields import field_label
from catalog.pricing.money import usd
from views.table import PHONE_MODEL_WIDTH_PX, session_on_a_phone

KIND_LABELS = {
    "added": "added",
    "removed": "removed",
    "repriced": "repriced",
    "retiered": "price tiers changed",
    "rescored": "rescored",
    "provider_added": "provider added",
    "provider_removed": "provider removed",
    "provider_repriced": "provider repriced",
}
DEFAULT_RANGE = timedelta(days=30)
# The pinned Model column: the move columns beside it stay in view at 1400 px, and the usual name
# (up to about 32 characters) reads whole.
MODEL_WIDTH_PX = 250
# The table's columns, the move first after the model: "what moved, by how much" reads at a glance.
TABLE_COLUMNS = ["name", "change_pct", "change", "old", "new", "field", "unit", "at", "id"]


def render_changes(catalog: Catalog) -> None:
    """The "What changed" tab: changes by date range and kind, biggest price moves first."""
    history = catalog.history()
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
    # The last DEFAULT_RANGE days, stretched back to the latest change: the tab never opens empty
    # on a history whose last change is older.
    latest_change = history.events()["at"].max()
    start_day = last_day - DEFAULT_RANGE
    if pd.notna(latest_change):
        start_day = min(start_day, latest_change.date())
    dates_column, kinds_column = st.columns([2, 3])
    picked = dates_column.date_input(
        "Date range (UTC)",
        value=(max(first_day, start_day), last_day),
        min_value=first_day,
        max_value=last_day,
        key="changes_dates",
    )
    # Provider changes are offered once a provider refresh has recorded some.
    offered = [k for k in KINDS if k not in PROVIDER_KINDS or not history.events(kinds=PROVIDER_KINDS).empty]
    kinds = kinds_column.multiselect(
        "Kinds of change",
        options=offered,
        default=offered,
        format_func=KIND_LABELS.__getitem__,
        key="changes_kinds",
    )
    start, end = _date_range(picked, first_day, last_day)
    events = history.events(since=start, until=end + timedelta(days=1), kinds=kinds)

    counts = events.drop_duplicates(["change", "id"])["change"].value_counts()
    with st.container(horizontal=True, gap="medium"):  # side by side, wrapping on a phone
        for kind in offered:
            words = KIND_LABELS[kind]
            label = f"Models with a {words}" if kind in PROVIDER_KINDS else f"Models {words}"
            st.metric(label, f"{int(counts.get(kind, 0)):,}", width="content")
    if events.empty:
        st.info("No changes of the chosen kinds in this date range.")
        return

    table = readable_events(sort_by_move(events))[TABLE_COLUMNS]
    model_width = PHONE_MODEL_WIDTH_PX if session_on_a_phone() else MODEL_WIDTH_PX
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            "name": st.column_config.TextColumn("Model", pinned=True, width=model_width),
            "change": st.column_config.TextColumn("Change", width=90),
            "field": st.column_config.TextColumn("Price", width=130),
            "old": st.column_config.TextColumn("Old price", help="Exact, in the unit of the row", width=80),
            "new": st.column_config.TextColumn("New price", help="Exact, in the unit of the row", width=80),
            "change_pct": st.column_config.NumberColumn("Move %", format="%+.1f%%", width=75),
            "unit": st.column_config.TextColumn("Unit", width=90),
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm", width=130),
            "id": st.column_config.TextColumn("Model ID"),
        },
    )
    st.caption(
        "Biggest moves first: input and output prices by how much they changed (%), then other prices, "
        "then prices newly listed, then the other changes, newest first. A price field that OpenRouter "
        "stopped sending counts as $0."
    )


def readable_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events as the table shows them: kinds and price fields in words, exact `$` amounts."""
    # A tier change's old and new are tier lists: not shown.
    repriced = events["change"].isin(["repriced", "provider_repriced"])
    rescored = events["change"] == "rescored"  # scores as they are ("none" where there was none)
    return events.assign(
        change=events["change"].map(KIND_LABELS).fillna(events["change"]),
        field=events["field"].map(lambda f: field_label(f) if f != "overrides" else "price tiers"),
        old=events["old_exact"].where(repriced).map(_money).where(~rescored, events["old_exact"]),
        new=events["new_exact"].where(repriced).map(_money).where(~rescored, events["new_exact"]),
        at=events["at"].dt.tz_localize(None),
    )


def _money(exact: object) -> str | None:
    if not isinstance(exact, str) or not exact:
        return None
    try:
        return usd(Decimal(exact))
    except ArithmeticError:
        return exact  # "variable", or a tier list


def render_price_history(catalog: Catalog, model_id: str) -> None:
    """A step chart of one model's base prices since the history first saw it (for the details panel)."""
    history = catalog.history()
    steps = chart_steps(history.price_series(model_id))
    if steps.empty:
        st.caption("No price history for this model yet: it starts with the first live refresh.")
        return
    steps["at"] = steps["at"].dt.tz_localize(None)  # shown as UTC, not the browser's local time
    steps["label"] = steps["field"].map(field_label)
    steps["amount"] = steps["price_exact"].map(_money)
    units = list(dict.fromkeys(steps["unit"]))
    for unit in units:
        part = steps[steps["unit"] == unit]
        chart = (
            alt.Chart(part)
            .mark_line(interpolate="step-after", point=True)
            .encode(
                x=alt.X("at:T", title="Time (UTC)"),
                y=alt.Y("price:Q", title=unit, axis=alt.Axis(labelExpr=MONEY_TICK_LABEL)),
                color=alt.Color("label:N", title="Price"),
                detail="segment:N",
                tooltip=[
                    alt.Tooltip("label:N", title="Price"),
                    alt.Tooltip("at:T", title="From (UTC)", format="%Y-%m-%d %H:%M"),
                    alt.Tooltip("amount:N", title=f"Amount ({unit})"),  # exact, as money.py writes it
                ],
            )
        )
        st.altair_chart(chart, width="stretch")
    moves = history.events(kinds=["repriced"])
    count = int((moves["id"] == model_id).sum())
    st.caption(f"{count:,} price change(s) recorded; a step holds until the next change.")
    hosting = history.events(kinds=list(PROVIDER_KINDS))
    hosting = hosting[hosting["id"] == model_id]
    if not hosting.empty:
        st.markdown("**Provider changes**")
        shown = readable_events(hosting.iloc[::-1])[["at", "name", "change", "field", "old", "new"]]
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            placeholder="—",
            column_config={
                "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
                "name": st.column_config.TextColumn("Model and provider"),
                "change": st.column_config.TextColumn("Change"),
                "field": st.column_config.TextColumn("Price"),
                "old": st.column_config.TextColumn("Old price"),
                "new": st.column_config.TextColumn("New price"),
            },
        )


def _date_range(picked: object, first_day: date, last_day: date) -> tuple[date, date]:
    """The (start, end) days of a date_input, which returns one day while the user is picking."""
    days = [d for d in (picked if isinstance(picked, (tuple, list)) else (picked,)) if isinstance(d, date)]
    if not days:
        return first_day, last_day
    return days[0], days[-1]
