"""Shared fixtures: every test gets its own catalog directory and no real OpenRouter."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from catalog import Catalog
from tests import payloads
from tests.moto_server import MotoServer
from tools.stand_in import StandIn

_OFF_MACHINE: list[str] = []  # every address outside this machine a test tried to reach
_connect = socket.socket.connect


def _connect_on_this_machine_only(sock: socket.socket, address: object) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = str(address[0])
        try:
            on_this_machine = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:  # a name to resolve: a host elsewhere
            on_this_machine = False
        if not on_this_machine:
            _OFF_MACHINE.append(host)
            raise ConnectionRefusedError(f"tests reach 127.0.0.1 only, not {host}")
    _connect(sock, address)


@pytest.fixture(scope="session", autouse=True)
def this_machine_only() -> Iterator[None]:
    """No test reaches a host elsewhere: a connection to one is refused, and the test fails."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _connect_on_this_machine_only)
        yield


@pytest.fixture(autouse=True)
def no_connection_elsewhere() -> Iterator[None]:
    _OFF_MACHINE.clear()
    yield
    assert not _OFF_MACHINE, f"tried to reach {sorted(set(_OFF_MACHINE))}"


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
    """One local OpenRouter stand-in server for the whole run, serving the 2026-shaped quirks payload."""
    server = StandIn(payloads.shape_2026())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stand_in(running_stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """The local OpenRouter stand-in as new (the quirks payload, mode ok, no requests counted);
    OPENROUTER_API_BASE points at it."""
    running_stand_in.reset()
    monkeypatch.setenv("OPENROUTER_API_BASE", running_stand_in.api_base)
    return running_stand_in


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One real S3 API server (moto) on 127.0.0.1 for the whole run."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_catalog(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """CATALOG_DIR = s3://<a fresh bucket>/catalog on the moto server, with dummy credentials."""
    for name, value in moto_server.environment().items():
        monkeypatch.setenv(name, value)
    # Nothing from this machine's AWS files: only the test's own environment.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("CATALOG_POLL_S", "0.2")
    location = f"s3://{moto_server.bucket()}/catalog"
    monkeypatch.setenv("CATALOG_DIR", location)
    return location


@pytest.fixture
def refreshed_bucket(s3_catalog: str, stand_in: StandIn) -> str:
    """The s3_catalog location after one live refresh of `payloads.OLD_CATALOG`; the stand-in now
    serves `payloads.NEW_CATALOG`."""
    stand_in.set_payload(payloads.OLD_CATALOG)
    Catalog().refresh()
    stand_in.set_payload(payloads.NEW_CATALOG)
    return s3_catalog
