"""Local server processes for the browser tests, the benchmark and the screenshots: a free port on
127.0.0.1, a process stopped by its PID, and the app itself under `streamlit run`, health-checked
before it is handed out.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 60.0
# A server started for a test or a measurement never sees a real key, nor a deadline set for a shell.
WITHHELD_ENVIRONMENT = ("OPENROUTER_API_KEY", "OPENROUTER_DEADLINE_S")


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer its health check in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a process we started (by its PID), killing it if it has not exited within 10 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class AppServer:
    """A `streamlit run` process and the URL it answers on."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None

    def stop(self) -> None:
        stop_process(self.process)


def start_app(
    script: Path, catalog_dir: Path | str, api_base: str, *, log: Path | None = None, **extra_env: str
) -> AppServer:
    """`streamlit run script` on a free port, from the project's root (so its config applies), with
    this CATALOG_DIR (a directory or s3://bucket/prefix), OpenRouter at `api_base` and any extra
    environment; returned once `/_stcore/health` answers. Raises ServerDidNotStart."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in WITHHELD_ENVIRONMENT}
    env |= {
        "CATALOG_DIR": str(catalog_dir),
        "OPENROUTER_API_BASE": api_base,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with log.open("wb") if log is not None else open(os.devnull, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = AppServer(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"streamlit run {Path(script).name} exited with {process.returncode}{_log_text(log)}"
            )
        try:
            if requests.get(f"{server.url}/_stcore/health", timeout=2).text == "ok":
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise ServerDidNotStart(
        f"streamlit run {Path(script).name} did not answer within {STARTUP_TIMEOUT_S:g} s{_log_text(log)}"
    )


def _log_text(log: Path | None) -> str:
    return "" if log is None else ":\n" + log.read_text(errors="replace")
