"""The bundled default model list: works offline, on first run, through the same normalizer."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from catalog.fetch.normalize import normalize_models


def bundled_payload() -> dict[str, Any]:
    """The bundled list as the API's own /models answer (a new object on each call)."""
    return json.loads(resources.files("catalog.fetch").joinpath("defaults.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _load() -> tuple[pd.DataFrame, str]:
    payload = bundled_payload()
    normalized = normalize_models(payload["data"])
    if normalized.problems:
        raise RuntimeError(f"the bundled defaults have problems: {normalized.problems[:3]}")
    return normalized.frame, str(payload["as_of"])


def default_models() -> pd.DataFrame:
    """The bundled models as a normalized frame (shared: never mutate it)."""
    return _load()[0]


def defaults_as_of() -> str:
    """The date the bundled prices were taken, as YYYY-MM-DD."""
    return _load()[1]
