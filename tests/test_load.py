"""Many sessions on one server process while the catalog is refreshed: every session keeps working,
and every one ends on the new catalog.

Each session is an AppTest of the page; they run in threads of this one process, so they share
`st.cache_resource` (the one Catalog) exactly as the sessions of one `streamlit run` do. AppTest
installs a Runtime of its own for each run and removes it after, which concurrent runs would trip
over; `one_server` gives them what a server process has instead: one Runtime and one script
cache (the page compiled once: CPython 3.11 cannot compile in several threads at once), shared by all.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import streamlit.testing.v1.app_test as app_test_module
import streamlit.testing.v1.local_script_runner as local_script_runner_module
from streamlit.runtime import Runtime
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from catalog import Catalog
from catalog.fetch.defaults import default_models
from tests import payloads
from tests.reliability import record
from tools.stand_in import StandIn

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))
DEFAULT_COUNT = len(default_models())
FIRST, SECOND = payloads.catalog_of(240, prefix="first-"), payloads.catalog_of(260, prefix="second-")


@pytest.fixture
def shared_runtime() -> Iterator[None]:
    with one_server():
        yield


class _PerRunRuntime:
    """Where each AppTest run now puts (and clears) its own Runtime, out of the shared one's way."""

    _instance: Any = None


@contextlib.contextmanager
def one_server() -> Iterator[None]:
    """One Runtime, script cache and configuration for every session, as `streamlit run` has."""
    runtime = mock.MagicMock(spec=Runtime)
    runtime.media_file_mgr = app_test_module.MediaFileManager(app_test_module.MemoryMediaFileStorage("/m"))
    runtime.dataframe_source_mgr = app_test_module.DataframeSourceManager()
    runtime.cache_storage_manager = app_test_module.MemoryCacheStorageManager()
    components = app_test_module.BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    runtime.bidi_component_registry = components
    script_cache = app_test_module.ScriptCache()
    with (
        mock.patch.object(app_test_module, "ScriptCache", lambda: script_cache),
        mock.patch.object(local_script_runner_module, "ScriptCache", lambda: script_cache),
        mock.patch.object(app_test_module, "Runtime", _PerRunRuntime),
        patch_config_options({"global.appTest": True}),
    ):
        Runtime._instance = runtime
        try:
            yield
        finally:
            Runtime._instance = None


def models_metric(at: AppTest) -> int:
    [models] = [m for m in at.metric if m.label == "Models"]
    return int(models.value.replace(",", ""))


def problems_of(at: AppTest) -> list[str]:
    """The page's exceptions, each with the end of its stack trace."""
    return [f"{e.value} at {' | '.join(e.stack_trace[-3:])}" for e in at.exception]


class Session:
    """One browser tab's worth of page: reruns until told to stop, noting what it saw."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.at = AppTest.from_file(APP, default_timeout=120)
        self.counts: list[int] = []
        self.errors: list[str] = []
        self.reruns = 0

    def rerun(self, **state: Any) -> int:
        for key, value in state.items():
            self.at.session_state[key] = value
        self.at.run()
        self.reruns += 1
        self.errors += problems_of(self.at)
        count = models_metric(self.at)
        self.counts.append(count)
        return count

    def browse(self, stop: threading.Event) -> None:
        """Rerun again and again (search, filters, tabs), as a user clicking around would."""
        tabs = ["Models", "Charts", "Models", "Compare"]
        searches = ["", "model-0001", "", "openai"]
        step = self.index
        try:
            while not stop.is_set():
                step += 1
                self.rerun(tab=tabs[step % len(tabs)], q=searches[step % len(searches)])
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{type(error).__name__}: {error}")


def in_threads(sessions: list[Session], work: Any) -> None:
    """`work(session)` for every session at once; what it raises is kept in the session's errors."""

    def guarded(session: Session) -> None:
        try:
            work(session)
        except Exception as error:  # noqa: BLE001 - reported by the test
            session.errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=guarded, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)


@pytest.mark.slow
@pytest.mark.usefixtures("shared_runtime")
def test_many_sessions_stay_up_through_refreshes_and_all_end_on_the_new_catalog(stand_in: StandIn) -> None:
    sessions = [Session(i) for i in range(SESSIONS)]
    in_threads(sessions, lambda s: s.rerun())
    assert [s.counts[-1] for s in sessions] == [DEFAULT_COUNT] * SESSIONS

    stop = threading.Event()
    browsing = [threading.Thread(target=s.browse, args=(stop,)) for s in sessions[1:]]
    for thread in browsing:
        thread.start()
    time.sleep(1.0)
    # One session presses Refresh while the others browse; then another process refreshes too.
    stand_in.set_payload(FIRST)
    refresher = sessions[0]
    refresher.at.button(key="refresh").click().run()
    refresher.errors += problems_of(refresher.at)
    said = [m.value for m in [*refresher.at.success, *refresher.at.error, *refresher.at.warning]]
    assert models_metric(refresher.at) == 240, said
    time.sleep(1.0)
    stand_in.set_payload(SECOND)
    elsewhere = Catalog().refresh()
    assert elsewhere.fetched
    time.sleep(1.0)
    stop.set()
    for thread in browsing:
        thread.join(600)

    in_threads(sessions, lambda s: s.rerun(q="", tab="Models"))  # each session's next rerun

    assert [s.errors for s in sessions] == [[] for _ in sessions]
    assert [s.counts[-1] for s in sessions] == [260] * SESSIONS
    for session in sessions[1:]:
        seen = list(session.counts)
        # Never a torn or older catalog once a newer one was seen: counts only move forward.
        order = {DEFAULT_COUNT: 0, 240: 1, 260: 2}
        assert [order[c] for c in seen] == sorted(order[c] for c in seen)
    assert stand_in.models_requests == 2
    reruns = sum(s.reruns for s in sessions)
    record(
        "load",
        sessions=SESSIONS,
        reruns=reruns,
        refreshes_during_load=2,
        sessions_ending_on_new_catalog=sum(s.counts[-1] == 260 for s in sessions),
        errors=0,
    )
