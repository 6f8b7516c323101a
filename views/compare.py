"""The compare section: 2 to 4 models side by side, with the calculator's workload priced on each."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog.present.providers import cheapest_first, model_providers
from catalog.present.text import ignored_note
from catalog.pricing.compare import COMPARE_LIMIT, compare_frame, parse_compare_ids
from catalog.pricing.cost import DAYS_PER_MONTH, InvalidWorkload
from views.calculator import current_utc_time, current_workload
from views.providers import COLUMN_CONFIG as PROVIDER_COLUMNS

PICK_KEY = "compare_models"
PICK_PARAM = "cmp"
IGNORED_KEY = "compare_url_ignored"


def render_compare(models: pd.DataFrame, endpoints: pd.DataFrame | None = None) -> None:
    """Pick models from the whole catalog and see them side by side, with their hosting providers."""
    ids = models["id"].tolist()
    known = set(ids)
    if PICK_KEY not in st.session_state:
        ignored: list[str] = []
        st.session_state[PICK_KEY] = parse_compare_ids(
            st.query_params.get(PICK_PARAM), known, ignored=ignored
        )
        st.session_state[IGNORED_KEY] = [f"{PICK_PARAM}: {model_id}" for model_id in ignored]
    else:  # after a refresh a picked model may be gone
        st.session_state[PICK_KEY] = [i for i in st.session_state[PICK_KEY] if i in known][:COMPARE_LIMIT]
    names = dict(zip(ids, models["name"].fillna("").tolist(), strict=True))
    picked = st.multiselect(
        f"Models to compare (2 to {COMPARE_LIMIT})",
        ids,
        key=PICK_KEY,
        max_selections=COMPARE_LIMIT,
        format_func=lambda model_id: f"{names.get(model_id) or model_id} · {model_id}",
        placeholder="Type a name or id",
    )
    if st.session_state.get(IGNORED_KEY):
        st.caption(ignored_note(st.session_state[IGNORED_KEY]))
    value = ",".join(picked)
    if not value and PICK_PARAM in st.query_params:
        del st.query_params[PICK_PARAM]
    elif value and st.query_params.get(PICK_PARAM) != value:
        st.query_params[PICK_PARAM] = value

    if len(picked) < 2:
        st.info("Pick at least two models to see them side by side.", icon=":material/compare_arrows:")
        return
    try:
        workload = current_workload()
    except InvalidWorkload as problem:
        st.warning(f"The calculator's workload is not valid ({problem}); fix it to see costs.")
        return
    utc_time = current_utc_time()
    st.text(
        f"Workload from the cost calculator: {workload.input_tokens:,} input tokens "
        f"({workload.cached_input_tokens:,} cached), {workload.output_tokens:,} output tokens "
        f"({workload.reasoning_tokens:,} reasoning), {workload.requests:,} requests a day, "
        f"{DAYS_PER_MONTH}-day month" + ("" if utc_time is None else f", at {utc_time:04d} UTC")
    )
    table = compare_frame(models, picked, workload, utc_time=utc_time)
    st.dataframe(
        table,
        key="compare_table",
        height=(len(table) + 1) * 35 + 3,
        # Wide enough for the longest row label whole ("Input (prompt) ($/1M tokens)").
        column_config={"_index": st.column_config.TextColumn("", pinned=True, width=230)},
    )
    if endpoints is not None and not endpoints.empty:
        serving = cheapest_first(endpoints[endpoints["model_id"].isin(picked)], picked)
        st.markdown("**Providers** (cheapest input price first)")
        if serving.empty:
            st.caption("None of these models has a live provider.")
            return
        names = dict(zip(models["id"], models["name"], strict=True))
        rows = pd.concat(
            [
                model_providers(serving, m).assign(Model=names.get(m, m))
                for m in picked
                if m in set(serving["model_id"])
            ],
            ignore_index=True,
        )
        st.dataframe(
            rows[["Model", *[c for c in rows.columns if c != "Model"]]],
            hide_index=True,
            width="stretch",
            placeholder="—",
            column_config={**PROVIDER_COLUMNS, "Model": st.column_config.TextColumn(pinned=True)},
            key="compare_providers",
        )
