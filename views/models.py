"""The Models tab: the filtered table, its CSV export, and one model's details."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from catalog.present.export import export_file_name, to_csv_bytes
from catalog.present.filters import SORT_LABELS
from catalog.present.table import escape_markdown, override_rows, price_rows
from views.cached import PICKER_LIMIT, ShownTable

MONEY = "$%.4g"
COLUMN_CONFIG = {
    "Status": st.column_config.TextColumn(width="medium", help="new: first seen in the last 7 days"),
    "Model": st.column_config.TextColumn(width="medium"),
    "ID": st.column_config.TextColumn(width="medium"),
    "Pricing": st.column_config.TextColumn(
        help="free, variable (set by a router per request), per token, or another unit"
    ),
    "Input $/1M tokens": st.column_config.NumberColumn(format=MONEY, help="USD per million input tokens"),
    "Output $/1M tokens": st.column_config.NumberColumn(format=MONEY, help="USD per million output tokens"),
    "Cache read $/1M tokens": st.column_config.NumberColumn(
        format=MONEY, help="USD per million cached input tokens"
    ),
    "Context (tokens)": st.column_config.NumberColumn(format="localized"),
    "Max output (tokens)": st.column_config.NumberColumn(format="localized"),
    "Created": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "Expires": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "OpenRouter page": st.column_config.LinkColumn(display_text="open", validate=r"^https://"),
}


def render_sort() -> str:
    return st.selectbox(
        "Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key="sort", bind="query-params"
    )


def render_table(shown: ShownTable, total: int, sort_label: str) -> str | None:
    """The table and its CSV download; returns the id of the row the user selected, if any.

    `total` counts the listed models; `shown.removed` the recently removed ones shown besides them.
    """
    filtered = shown.rows
    also = f" ({total:,} listed, {shown.removed:,} recently removed)" if shown.removed else ""
    counted = f"Showing {len(filtered):,} of {total + shown.removed:,} models{also}"
    st.caption(f"{counted} · sorted by {sort_label.lower()}")
    if filtered.empty:
        st.info("No models match these filters. Loosen one, or press **Clear filters** in the sidebar.")
        return None
    event = st.dataframe(
        shown.display,
        hide_index=True,
        column_config=COLUMN_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="table",
        height=_fitted(filtered, most=14),
        placeholder="—",
    )
    st.download_button(
        "Download CSV",
        data=lambda: to_csv_bytes(filtered),
        file_name=export_file_name("openrouter-models", "csv"),
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="download_csv",
        help="Exactly the rows above, in this order, with every normalized column",
    )
    rows = event.selection.rows if event is not None else []
    return str(filtered["id"].iloc[rows[0]]) if rows and rows[0] < len(filtered) else None


def render_details(shown: ShownTable, selected_id: str | None) -> str | None:
    """One model's every price, limit and capability; returns the id shown."""
    filtered = shown.rows
    if filtered.empty:
        return None
    if selected_id and selected_id != st.session_state.get("_table_selection"):
        st.session_state["_table_selection"] = selected_id
        st.session_state["model"] = selected_id
    # A selectbox sends every option to the browser on every rerun: list the first rows only, plus
    # the model chosen (in the table, the session or the URL) wherever it is in the view.
    picker = shown.picker
    if len(filtered) > PICKER_LIMIT:
        ids = filtered["id"]
        wanted = dict.fromkeys([st.session_state.get("model"), st.query_params.get("model")])
        picker = picker + [w for w in wanted if w is not None and w not in picker and ids.eq(w).any()]
    if st.session_state.get("model") not in picker:
        st.session_state.pop("model", None)
    model_id = st.selectbox(
        "Model details",
        picker,
        index=None,
        key="model",
        placeholder="Pick a model, or select a row in the table",
        bind="query-params",
    )
    if len(filtered) > PICKER_LIMIT:
        st.caption(
            f"The picker lists the first {PICKER_LIMIT:,} of the {len(filtered):,} models shown: search or "
            "filter to narrow them, or select a row in the table."
        )
    if model_id is None:
        return None
    row = filtered.loc[filtered["id"] == model_id].iloc[0]
    with st.container(border=True):
        title, link = st.columns([4, 1])
        title.subheader(escape_markdown(str(row["name"])), anchor=False)
        title.caption(escape_markdown(model_id))
        link.link_button("Open on OpenRouter", str(row["url"]), icon=":material/open_in_new:")
        st.text(row["description"] or "No description.")
        prices, facts = st.columns(2)
        with prices:
            st.markdown("**Prices**")
            price_table = price_rows(row["raw_json"], bool(row["token_priced"]))
            st.dataframe(price_table, hide_index=True, width="stretch", height=_fitted(price_table))
        with facts:
            st.markdown("**Limits**")
            fact_table = _facts(row)
            st.dataframe(fact_table, hide_index=True, width="stretch", height=_fitted(fact_table))
        overrides = override_rows(row["raw_json"], bool(row["token_priced"]))
        if not overrides.empty:
            st.markdown("**Conditional prices** (when several apply, the later row wins)")
            st.dataframe(overrides, hide_index=True, width="stretch", height=_fitted(overrides))
        st.markdown("**Supported parameters**")
        st.text(_text(row["supported_parameters"]) or "none listed")
    return model_id


def _facts(row: pd.Series) -> pd.DataFrame:
    raw = json.loads(row["raw_json"])
    limits = raw.get("per_request_limits")
    facts = {
        "Context": _tokens(row["context_length"]),
        "Max output": _tokens(row["max_completion_tokens"]),
        "Input modalities": _text(row["input_modalities"]),
        "Output modalities": _text(row["output_modalities"]),
        "Created": _day(row["created"]),
        "Expires": _day(row["expiration_date"]) or "no date set",
        "Knowledge cutoff": _text(row["knowledge_cutoff"]) or "unknown",
        "Moderated": "unknown" if pd.isna(row["is_moderated"]) else ("yes" if row["is_moderated"] else "no"),
        "Tokenizer": _text(row["tokenizer"]),
        "Per-request limits": json.dumps(limits) if limits else "none",
    }
    return pd.DataFrame({"Fact": list(facts), "Value": [str(v) for v in facts.values()]})


def _fitted(frame: pd.DataFrame, most: int = 20) -> int:
    """A table height showing every row up to `most` (then it scrolls), with no empty grid below."""
    return (min(len(frame), most) + 1) * 35 + 3


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _tokens(value: object) -> str:
    return f"{int(value):,} tokens" if pd.notna(value) else "unknown"


def _day(value: object) -> str:
    return value.date().isoformat() if isinstance(value, (pd.Timestamp, date)) and pd.notna(value) else ""
