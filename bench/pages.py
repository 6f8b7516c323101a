"""What the benchmark runs besides the page: the pages it is measured against, in AppTest, and the
scripts its child processes run for their peak memory."""

# The least a page can do to show the table the explorer shows: the same rows and columns,
# read from the same store once per process, then only st.dataframe on every rerun.
BARE_PAGE = """
import streamlit as st
from catalog.present.filters import Filters, apply_filters
from catalog.storage.store import Store
from catalog.present.table import table_frame, with_status

@st.cache_resource
def shown_table(directory):
    _, models = Store(directory).read()
    return table_frame(apply_filters(with_status(models, (), None), Filters()))

st.dataframe(shown_table({directory!r}), hide_index=True)
"""

# The explorer's elements with none of its logic: the same sidebar widgets, header figures, tabs,
# table, download and details picker, fed constant data read once per process.
SKELETON_PAGE = """
import pyarrow as pa
import streamlit as st
from catalog.present.filters import Filters, apply_filters
from catalog.present.table import TABLE_COLUMNS, table_frame, visible_columns, with_status
from catalog.storage.store import Store
from views.table import COLUMN_CONFIG

@st.cache_resource
def shown(directory):
    _, models = Store(directory).read()
    rows = apply_filters(with_status(models, (), None), Filters())
    ids = rows["id"].tolist()
    return pa.Table.from_pandas(table_frame(rows), preserve_index=False), ids, dict(zip(ids, rows["name"]))

table, ids, names = shown({directory!r})
st.html({page_css!r})
with st.sidebar:
    st.header("Catalog", anchor=False)
    st.button("Refresh prices", key="refresh", type="primary", width="stretch")
    st.button("Refresh providers", key="refresh_providers", width="stretch")
    st.button("Reset to defaults", key="reset", width="stretch")
    st.header("Filters", anchor=False)
    st.text_input("Search", key="q", bind="query-params")
    for label, key in (("Authors", "author"), ("Input modalities", "in"), ("Output modalities", "out"),
                       ("Required capabilities", "cap")):
        st.multiselect(label, [f"{{key}}-{{n}}" for n in range(20)], key=key, bind="query-params")
    st.select_slider("Minimum context", [0, 8192, 1_000_000], key="ctx", bind="query-params")
    prices = st.columns(2)
    prices[0].number_input("Max input $/1M", value=None, key="max_in", bind="query-params")
    prices[1].number_input("Max output $/1M", value=None, key="max_out", bind="query-params")
    with st.expander("Scores and reasoning"):
        for label, key in (("intelligence", "min_intel"), ("coding", "min_code"), ("agentic", "min_agent")):
            st.number_input(f"Minimum {{label}} index", value=None, key=key, bind="query-params")
        st.selectbox("Reasoning", ["", "yes", "no"], key="reason", bind="query-params")
        st.selectbox("Accepts reasoning effort", ["", "high", "low"], key="effort", bind="query-params")
    for label, key in (("Free models only", "free"), ("Watched models only", "watched"),
                       ("Hide variable-priced routers", "novar"),
                       ("Hide models expiring within 30 days", "noexp")):
        st.checkbox(label, key=key, bind="query-params")
    st.toggle("Show recently removed models", key="removed", bind="query-params")
    st.selectbox("Sort by", ["newest", "input_price"], key="sort", bind="query-params")
    st.button("Clear filters", key="clear_filters")
st.title("OpenRouter model catalog", anchor=False)
st.caption("Live from OpenRouter")
with st.container(horizontal=True, gap="medium"):
    for label in ("Models", "Authors", "Free", "Not priced per token", "New in 7 days"):
        st.metric(label, "1", width="content")

@st.fragment
def tabs():
    models_tab, *_ = st.tabs(["Models", "Charts", "Cost calculator", "Value", "Compare", "What changed"],
                             key="tab", bind="query-params")
    with models_tab:
        count, chooser = st.columns([3, 2])
        count.caption("Showing all models")
        chosen = chooser.multiselect("Columns", list(TABLE_COLUMNS), key="cols", bind="query-params")
        st.dataframe(table, hide_index=True, column_order=visible_columns(chosen, "newest"),
                     column_config=COLUMN_CONFIG, on_select="rerun", selection_mode="single-row", key="table")
        st.download_button("Download CSV", data=b"", on_click="ignore", key="download_csv")
        st.selectbox("Model details", ids, index=None, key="model", format_func=lambda i: names[i])

tabs()
"""

PEAK_RSS_SCRIPT = """
import json, os, resource, sys
from streamlit.testing.v1 import AppTest
os.environ["CATALOG_DIR"] = sys.argv[1]
os.environ["OPENROUTER_API_BASE"] = {nowhere!r}
page = AppTest.from_file(sys.argv[2], default_timeout=900) if sys.argv[2].endswith(".py") else (
    AppTest.from_string(sys.argv[2], default_timeout=900))
page.run()
page.run()
assert not page.exception, page.exception
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # Linux carries ru_maxrss over from the parent across fork and exec; VmHWM is this process's own
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({{"peak_rss_mb": peak_kb / 1024}}))
"""

# A process refreshing the models, then their providers, from the stand-in at argv[2]; prints its peak memory.
PROVIDERS_RSS_SCRIPT = """
import json, sys
from catalog.catalog import Catalog
catalog = Catalog(sys.argv[1])
catalog.refresh(api_base=sys.argv[2])
if sys.argv[3] == "yes":
    catalog.refresh_providers(api_base=sys.argv[2])
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": peak_kb / 1024}))
"""
