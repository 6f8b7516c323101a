"""OpenRouter model catalog explorer (page under construction: sections are wired as they land)."""

import streamlit as st

from catalog import Catalog

st.set_page_config(page_title="OpenRouter model catalog", page_icon=":material/travel_explore:", layout="wide")


@st.cache_resource
def shared_catalog() -> Catalog:
    return Catalog()


snapshot = shared_catalog().snapshot()
models = snapshot.models
st.title("OpenRouter model catalog")
st.caption(f"{snapshot.count:,} models · {snapshot.describe_source()}")

table_tab, charts_tab, cost_tab, compare_tab, changes_tab = st.tabs(
    ["Models", "Charts", "Cost calculator", "Compare", "What changed"]
)
with table_tab:
    st.dataframe(models.drop(columns=["raw_json"]), hide_index=True)
# cost_tab: views.cost.render_calculator(filtered)   compare_tab: views.compare.render_compare(models)
# changes_tab: views.changes.render_changes(catalog)
