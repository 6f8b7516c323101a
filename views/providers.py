"""Hosting providers on the page: the Refresh providers action, and one model's providers in its details."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from catalog import Catalog, CatalogError
from catalog.catalog import Snapshot
from catalog.present.providers import age_of, model_providers

COLUMN_CONFIG = {
    "Status": st.column_config.TextColumn(help="up, degraded or down, as OpenRouter reports it"),
    # Exact dollars, as every listed price on the page (catalog.pricing.money).
    "Input $/1M": st.column_config.TextColumn(help="USD per million input tokens", alignment="right"),
    "Output $/1M": st.column_config.TextColumn(help="USD per million output tokens", alignment="right"),
    "Context": st.column_config.NumberColumn(format="localized", help="tokens"),
    "Max output": st.column_config.NumberColumn(format="localized", help="tokens"),
    "Uptime 1d %": st.column_config.NumberColumn(format="%.2f", help="over the last day"),
    "Latency p50 ms": st.column_config.NumberColumn(
        format="localized", help="median time to first token over the last 30 minutes, in ms"
    ),
    "Tokens/s p50": st.column_config.NumberColumn(
        format="%.0f", help="median throughput over the last 30 minutes, in tokens per second"
    ),
}

# The models table's provider columns (offered by its column chooser after a provider refresh).
PROVIDER_TABLE_CONFIG = {
    "Providers": st.column_config.NumberColumn(help="Hosting providers serving the model"),
    "Cheapest input $/1M tokens": st.column_config.TextColumn(
        help="The input price of the provider with the lowest one", alignment="right"
    ),
    "Cheapest output $/1M tokens": st.column_config.TextColumn(
        help="That provider's output price", alignment="right"
    ),
    "Best throughput (tokens/s)": st.column_config.NumberColumn(
        format="%.0f", help="The fastest provider's median over the last 30 minutes"
    ),
}


def run_provider_refresh(catalog: Catalog) -> None:
    """Every model's providers fetched under a status box with a progress bar; the outcome to the sidebar."""
    total = catalog.snapshot().count
    with st.status(f"Fetching the providers of {total:,} models…", expanded=True) as status:
        bar = st.progress(0.0, text=f"0 of {total:,} models")

        def progress(done: int, of: int) -> None:
            bar.progress(done / of if of else 1.0, text=f"{done:,} of {of:,} models")

        try:
            result = catalog.refresh_providers(progress=progress)
        except CatalogError as error:
            status.update(label="Provider refresh failed", state="error", expanded=False)
            st.session_state["action"] = ("error", f"Provider refresh failed: {error}.")
        else:
            status.update(label="Providers refreshed", state="complete", expanded=False)
            st.session_state["action"] = ("success", f"Providers refreshed: {result.summary()}.")


def render_model_providers(snapshot: Snapshot, model_id: str, token_priced: bool) -> None:
    """One model's hosting providers, cheapest input price first."""
    st.markdown("**Providers** (cheapest input price first)")
    if snapshot.endpoints_fetched_at is None:
        st.caption("No providers fetched yet: press **Refresh providers** in the sidebar.")
        return
    table = model_providers(snapshot.endpoints, model_id)
    if table.empty:
        st.caption("No live provider serves this model.")
        return
    if not token_priced:  # a transcription or media model's price is per unit, not per 1M tokens
        table = table.drop(columns=["Input $/1M", "Output $/1M"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=COLUMN_CONFIG,
        height=(min(len(table), 10) + 1) * 35 + 3,
        placeholder="—",
    )
    endpoints = snapshot.endpoints
    oldest = pd.Timestamp(
        endpoints.loc[endpoints["model_id"] == model_id, "fetched_at"].min()
    ).to_pydatetime()
    if oldest < snapshot.endpoints_fetched_at:
        st.caption(
            f"The last provider refresh could not reach this model: these rows are from "
            f"{oldest:%Y-%m-%d %H:%M} UTC ({age_of(oldest, datetime.now(UTC))})."
        )
