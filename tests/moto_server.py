"""A real S3 API on 127.0.0.1: moto in server mode, in its own process, stopped by PID.

The object-store tests talk to it through the same boto3 client code production uses; only the
endpoint (`AWS_ENDPOINT_URL`) and dummy credentials, set in each test's environment, differ.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import requests

from catalog.storage.s3 import S3Location
from tools.servers import free_port, stop_process

STARTUP_TIMEOUT_S = 30.0
# Dummy credentials: moto accepts any; they must never be real ones.
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-canary-5f3a",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoServer:
    """`python -m moto.server` on a free port; `bucket()` creates a fresh bucket."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                requests.get(f"{self.url}/moto-api/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto did not answer within {STARTUP_TIMEOUT_S:g} s")

    def stop(self) -> None:
        stop_process(self.process)

    def environment(self) -> dict[str, str]:
        """What a process needs to reach this server with the standard AWS chain."""
        return {**TEST_CREDENTIALS, "AWS_ENDPOINT_URL": self.url}

    def bucket(self) -> str:
        """A new, empty bucket (each test gets its own; the server is shared)."""
        name = f"catalog-{uuid.uuid4().hex[:16]}"
        response = requests.put(f"{self.url}/{name}", timeout=10)
        response.raise_for_status()
        return name


def objects(location: str) -> list[str]:
    """Every key under the location's prefix, relative to it."""
    where = S3Location.parse(location)
    listing = boto3.client("s3").list_objects_v2(Bucket=where.bucket, Prefix=where.prefix)
    return sorted(item["Key"][len(where.prefix) :] for item in listing.get("Contents", []))


def get_text(location: str, name: str) -> str:
    where = S3Location.parse(location)
    return boto3.client("s3").get_object(Bucket=where.bucket, Key=where.prefix + name)["Body"].read().decode()
