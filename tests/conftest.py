"""Shared fixtures: every test gets its own catalog directory and no real OpenRouter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from tests.stand_in import StandIn


@pytest.fixture(autouse=True)
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh CATALOG_DIR per test; the API base points nowhere unless a test sets it."""
    directory = tmp_path / "catalog"
    monkeypatch.setenv("CATALOG_DIR", str(directory))
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://127.0.0.1:9/api/v1")
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_DEADLINE_S", raising=False)
    return directory


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """st.cache_resource outlives an AppTest: each test starts with no shared Catalog or views."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def running_stand_in() -> Iterator[StandIn]:
    """One local OpenRouter stand-in server for the whole run."""
    server = StandIn()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stand_in(running_stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """The local OpenRouter stand-in as new (built-in payload, mode ok, no requests counted);
    OPENROUTER_API_BASE points at it."""
    running_stand_in.reset()
    monkeypatch.setenv("OPENROUTER_API_BASE", running_stand_in.api_base)
    return running_stand_in
