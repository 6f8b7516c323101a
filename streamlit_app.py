"""OpenRouter model catalog explorer."""

import streamlit as st

from catalog import Catalog


@st.cache_resource
def shared_catalog() -> Catalog:
    return Catalog()


snapshot = shared_catalog().snapshot()
st.title("OpenRouter model catalog")
st.caption(f"{snapshot.count:,} models · {snapshot.describe_source()}")
st.dataframe(snapshot.models.drop(columns=["raw_json"]), hide_index=True)
