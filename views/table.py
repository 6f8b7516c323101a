"""The Models tab: the filtered table, its CSV export, and one model's details."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd
import streamlit as st

from catalog.fetch.cells import LIST_SEPARATOR
from catalog.present.export import export_file_name, to_csv_bytes
from catalog.present.filters import SORT_LABELS, capability_label
from catalog.present.providers import PROVIDER_TABLE_COLUMNS
from catalog.present.scores import arena_rows, score_summary
from catalog.present.table import (
    TABLE_COLUMNS,
    escape_markdown,
    override_rows,
    picker_label,
    price_rows,
    visible_columns,
)
from catalog.present.text import markdown_link, readable_description
from views.cached import PICKER_LIMIT, ShownTable
from views.providers import PROVIDER_TABLE_CONFIG
from views.watch import render_star

COLUMNS_KEY = "cols"
MODEL_PARAM = "model"

# The Model column, pinned: wide enough for 98% of the names OpenRouter lists (up to about 40
# characters) whole. On a phone (420 px less the page's margins and the row selector) the model
# and both prices fit side by side: a token price whole, a unit price cut (whole in the details).
MODEL_WIDTH_PX, PHONE_MODEL_WIDTH_PX = 300, 130
PRICE_WIDTH_PX, PHONE_PRICE_WIDTH_PX = 175, 105
PRICE_HELP = "exact, in $ per 1M tokens; a model not priced per token shows its own unit"
COLUMN_CONFIG = {
    "Status": st.column_config.TextColumn(
        help="new: listed on OpenRouter in the last 7 days; removed: no longer listed"
    ),
    "Model": st.column_config.TextColumn(width=MODEL_WIDTH_PX, pinned=True),
    "ID": st.column_config.TextColumn(width="medium"),
    "Pricing": st.column_config.TextColumn(
        help="free, variable (set by a router per request), per token, or another unit"
    ),
    # Wide enough for a unit price whole: "≈$10.78/1M image output".
    "Input $/1M": st.column_config.TextColumn(
        help=f"Input price: {PRICE_HELP}", alignment="right", width=PRICE_WIDTH_PX
    ),
    "Output $/1M": st.column_config.TextColumn(
        help=f"Output price: {PRICE_HELP}", alignment="right", width=PRICE_WIDTH_PX
    ),
    "Cache read $/1M": st.column_config.TextColumn(
        help="Cached input price, exact, in $ per 1M tokens", alignment="right"
    ),
    "Context": st.column_config.NumberColumn(format="localized", help="Tokens a request can hold"),
    "Max output (tokens)": st.column_config.NumberColumn(format="localized"),
    "Created": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "Expires": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "OpenRouter page": st.column_config.LinkColumn(display_text="open", validate=r"^https://"),
    **PROVIDER_TABLE_CONFIG,
}


PHONE_COLUMN_CONFIG = {
    **COLUMN_CONFIG,
    "Model": st.column_config.TextColumn(width=PHONE_MODEL_WIDTH_PX, pinned=True),
    # Left-aligned: a unit price too long for the cell loses its unit's end, never its amount.
    "Input $/1M": st.column_config.TextColumn(help=f"Input price: {PRICE_HELP}", width=PHONE_PRICE_WIDTH_PX),
    "Output $/1M": st.column_config.TextColumn(
        help=f"Output price: {PRICE_HELP}", width=PHONE_PRICE_WIDTH_PX
    ),
}


def on_a_phone(headers: Mapping[str, str]) -> bool:
    """Whether the request's headers say it comes from a phone (a page cannot know its width before
    it is drawn): Chromium's mobile client hint, or "Mobi" in the user agent, as mobile browsers send."""
    return headers.get("Sec-Ch-Ua-Mobile") == "?1" or "Mobi" in headers.get("User-Agent", "")


def session_on_a_phone() -> bool:
    """`on_a_phone` for this session, whose headers are read once: they are those of the websocket
    the browser opened, the same on every rerun."""
    if "_on_a_phone" not in st.session_state:
        st.session_state["_on_a_phone"] = on_a_phone(st.context.headers)
    return bool(st.session_state["_on_a_phone"])


def render_sort() -> str:
    return st.selectbox(
        "Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key="sort", bind="query-params"
    )


def render_table(shown: ShownTable, total: int, sort: str) -> str | None:
    """The table and its CSV download; returns the id of the row the user selected, if any.

    `total` counts the listed models; `shown.removed` the recently removed ones shown after them.
    """
    filtered = shown.rows
    removed_shown = int(filtered["status"].fillna("").str.startswith("removed").sum()) if shown.removed else 0
    listed_shown = len(filtered) - removed_shown
    counted = f"Showing {listed_shown:,} of {total:,} models"
    if shown.removed:
        counted += f", and {removed_shown:,} of {shown.removed:,} recently removed (listed last)"
    count_column, chooser_column = st.columns([3, 2], vertical_alignment="bottom")
    count_column.caption(f"{counted} · sorted by {SORT_LABELS[sort].lower()}")
    present = set(shown.display.column_names)
    # After a provider refresh the table can also show each model's providers at a glance.
    provider_columns = [label for label in PROVIDER_TABLE_COLUMNS if label in present]
    chosen = chooser_column.multiselect(
        "Columns",
        [*TABLE_COLUMNS, *provider_columns],
        key=COLUMNS_KEY,
        bind="query-params",
        placeholder="The model, its prices and context",
        help="Which columns the table shows; the model and the sort column are always shown.",
    )
    if filtered.empty:
        st.info(
            "No models match these filters. Loosen one, or press **Clear filters** in the sidebar."
            + ("" if shown.removed else " Recently removed models are hidden: the sidebar can show them.")
        )
        return None
    shown_columns = [c for c in visible_columns(chosen, sort) if c in present]
    event = st.dataframe(
        shown.display,
        hide_index=True,
        column_order=shown_columns + [c for c in provider_columns if c in chosen],
        column_config=PHONE_COLUMN_CONFIG if session_on_a_phone() else COLUMN_CONFIG,
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


def render_details(
    shown: ShownTable,
    selected_id: str | None,
    first_seen: pd.Series,
    history: Callable[[str], None],
    providers: Callable[[str, bool], None] | None = None,
) -> None:
    """The "Model details" picker and the details of the model picked; a row just selected in the
    table opens its details at once, in a panel over the page. `first_seen` maps an id to when this
    app first saw it; `history` draws a model's price history, `providers` its hosting providers
    (given the id and whether it is priced per token)."""
    filtered = shown.rows
    if filtered.empty:
        return
    if selected_id and selected_id != st.session_state.get("_table_selection"):
        st.session_state["_table_selection"] = selected_id
        st.session_state["model"] = selected_id
        _details_panel(filtered.loc[filtered["id"] == selected_id].iloc[0], first_seen, history, providers)
    if not st.session_state.get("_model_from_url"):
        # The URL keeps the id (a bound selectbox would keep its label, "name · id"): read it once.
        st.session_state["_model_from_url"] = True
        if MODEL_PARAM in st.query_params:
            st.session_state["model"] = st.query_params[MODEL_PARAM]
    # A selectbox sends every option to the browser on every rerun: list the first rows only, plus
    # the model chosen (in the table, the session or the URL) wherever it is in the view.
    picker = shown.picker
    wanted = st.session_state.get("model")
    if len(filtered) > PICKER_LIMIT and wanted is not None and wanted not in picker:
        picker = [*picker, wanted] if filtered["id"].eq(wanted).any() else picker
    if st.session_state.get("model") not in picker:
        st.session_state.pop("model", None)
    labels = shown.picker_labels
    model_id = st.selectbox(
        "Model details",
        picker,
        index=None,
        key="model",
        format_func=lambda i: labels.get(i) or _label_of(filtered, i),
        placeholder="Pick a model, or select a row in the table",
    )
    if model_id is None:
        st.query_params.pop(MODEL_PARAM, None)
    elif st.query_params.get(MODEL_PARAM) != model_id:
        st.query_params[MODEL_PARAM] = model_id
    if len(filtered) > PICKER_LIMIT:
        st.caption(
            f"The picker lists the first {PICKER_LIMIT:,} of the {len(filtered):,} models shown: search or "
            "filter to narrow them, or select a row in the table."
        )
    if model_id is None:
        return
    with st.container(border=True):
        row = filtered.loc[filtered["id"] == model_id].iloc[0]
        _details(row, first_seen)
        if providers is not None:
            providers(model_id, bool(row["token_priced"]))
    with st.expander("Price history", expanded=False, icon=":material/timeline:"):
        history(model_id)


@st.dialog("Model details", width="large", position="right")
def _details_panel(
    row: pd.Series,
    first_seen: pd.Series,
    history: Callable[[str], None],
    providers: Callable[[str, bool], None] | None,
) -> None:
    _details(row, first_seen)
    if providers is not None:
        providers(str(row["id"]), bool(row["token_priced"]))
    with st.expander("Price history", expanded=False, icon=":material/timeline:"):
        history(str(row["id"]))


def _label_of(filtered: pd.DataFrame, model_id: str) -> str:
    return picker_label(filtered.loc[filtered["id"] == model_id])[0]


def _details(row: pd.Series, first_seen: pd.Series) -> None:
    """One model's description, every price, limit and capability."""
    model_id = str(row["id"])
    title, link = st.columns([4, 1])
    title.subheader(escape_markdown(str(row["name"])), anchor=False)
    title.caption(escape_markdown(model_id))
    link.link_button("Open on OpenRouter", str(row["url"]), icon=":material/open_in_new:")
    with link:
        render_star(model_id)
    description = readable_description(row["description"])
    st.text(description.text or "No description.")
    if description.links:
        st.markdown("Links: " + " · ".join(markdown_link(text, url) for text, url in description.links))
    prices, facts = st.columns(2)
    with prices:
        st.markdown("**Prices**")
        price_table = price_rows(row["raw_json"], bool(row["token_priced"]))
        st.dataframe(price_table, hide_index=True, width="stretch", height=_fitted(price_table))
    with facts:
        st.markdown("**Limits**")
        fact_table = _facts(row, first_seen.get(str(row["id"])))
        st.dataframe(fact_table, hide_index=True, width="stretch", height=_fitted(fact_table))
    overrides = override_rows(row["raw_json"], bool(row["token_priced"]))
    if not overrides.empty:
        st.markdown("**Conditional prices** (when several apply, the later row wins)")
        st.dataframe(overrides, hide_index=True, width="stretch", height=_fitted(overrides))
    st.markdown("**Scores and reasoning**")
    summary = score_summary(row)
    scores = pd.DataFrame({"Score": list(summary), "Value": list(summary.values())})
    st.dataframe(scores, hide_index=True, width="stretch", height=_fitted(scores))
    arenas = arena_rows(row["raw_json"])
    if not arenas.empty:
        st.markdown("**Design Arena** (every arena and category, best Elo first)")
        st.dataframe(arenas, hide_index=True, width="stretch", height=_fitted(arenas))
    st.markdown("**Supported parameters**")
    parameters = [p for p in _text(row["supported_parameters"]).split(LIST_SEPARATOR) if p]
    st.text(", ".join(f"{capability_label(p)} ({p})" for p in parameters) or "none listed")


def _facts(row: pd.Series, first_seen: object) -> pd.DataFrame:
    raw = json.loads(row["raw_json"])
    limits = raw.get("per_request_limits")
    facts = {
        "Context": _tokens(row["context_length"]),
        "Max output": _tokens(row["max_completion_tokens"]),
        "Input modalities": _text(row["input_modalities"]),
        "Output modalities": _text(row["output_modalities"]),
        "Listed on OpenRouter": _day(row["created"]) or "unknown",
        "First seen by this app": _day(first_seen) or "before its change history began",
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
    return f"{int(value):,} tokens" if pd.notna(value) and int(value) > 0 else "—"


def _day(value: object) -> str:
    return value.date().isoformat() if isinstance(value, (pd.Timestamp, date)) and pd.notna(value) else ""
