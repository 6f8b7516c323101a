"""The figures the reliability tests measure (kills survived, inputs tried, sessions held), gathered in
artifacts/reliability.json for the README's "Reliability" section."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock

FIGURES_PATH = Path(__file__).resolve().parents[1] / "artifacts" / "reliability.json"


def record(area: str, **figures: Any) -> None:
    """Merge one area's figures into artifacts/reliability.json (safe from parallel test processes)."""
    FIGURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(f"{FIGURES_PATH}.lock", timeout=30):
        try:
            data = json.loads(FIGURES_PATH.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data[area] = {**figures, "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        temp = FIGURES_PATH.with_suffix(".json.tmp")
        temp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temp, FIGURES_PATH)
    print(f"\nreliability figures, {area}: {json.dumps(figures, sort_keys=True)}")
