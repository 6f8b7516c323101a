"""One generation of a stored catalog, whatever holds it: its metadata (the pointer, `catalog.json`),
checked field by field on every read, and its tables, read through any backend and upgraded when an
older version wrote them.

A store written by an older version (columns missing or of another type) is rebuilt on reading
from each model's raw JSON, which every version keeps; one that cannot be rebuilt is damaged.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pandas as pd

from catalog.errors import StoreError
from catalog.fetch.endpoints import endpoints_frame, rows_from_raw
from catalog.fetch.normalize import build_frame, normalize_models
from catalog.fetch.redact import without_credentials

SCHEMA_VERSION = 2
META_NAME = "catalog.json"
MODELS_PATTERN = re.compile(r"^models-(\d{6,12})\.parquet$")
MAX_GENERATION = 10**12 - 1  # the file name holds at most 12 digits
MAX_MODEL_COUNT = 10**8
MAX_ENDPOINTS = 10**9  # provider rows: a model has a few
ENDPOINTS_PATTERN = re.compile(r"^endpoints-(\d{6,12})\.parquet$")


@dataclass(frozen=True)
class StoredMeta:
    generation: int
    source: str  # "defaults" or "live"
    fetched_at: datetime | None
    count: int
    api_base: str | None
    models_file: str
    defaults_as_of: str | None
    problems: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION
    endpoints_file: str | None = None  # None until the first provider refresh
    endpoints_count: int = 0
    endpoints_fetched_at: datetime | None = None  # when the last provider refresh ended

    @property
    def table_files(self) -> set[str]:
        return {self.models_file, *([self.endpoints_file] if self.endpoints_file else [])}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "generation": self.generation,
            "source": self.source,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "count": self.count,
            "api_base": self.api_base,
            "models_file": self.models_file,
            "defaults_as_of": self.defaults_as_of,
            "problems": list(self.problems),
            "endpoints_file": self.endpoints_file,
            "endpoints_count": self.endpoints_count,
            "endpoints_fetched_at": self.endpoints_fetched_at.isoformat()
            if self.endpoints_fetched_at
            else None,
        }

    @classmethod
    def from_json(cls, payload: Any) -> StoredMeta:
        """The metadata in a parsed `catalog.json`; ValueError naming the first thing that is wrong.

        Every field is checked for type and range: a store that read as valid JSON but held
        `"generation": Infinity`, `1e300` or a time without a zone once failed every command.
        """
        if not isinstance(payload, dict):
            raise ValueError("metadata is not a JSON object")
        generation = _whole_number(payload.get("generation"), "generation", MAX_GENERATION)
        models_file = payload.get("models_file")
        if not isinstance(models_file, str) or not MODELS_PATTERN.match(models_file):
            raise ValueError(f"metadata names no models file ({str(models_file)[:80]!r})")
        source = payload.get("source")
        if source not in ("defaults", "live"):
            raise ValueError(f"unknown source {str(source)[:40]!r}")
        problems = payload.get("problems") or []
        if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
            raise ValueError("problems are not a list of texts")
        endpoints_file = payload.get("endpoints_file")
        if endpoints_file is not None and (
            not isinstance(endpoints_file, str) or not ENDPOINTS_PATTERN.match(endpoints_file)
        ):
            raise ValueError(f"metadata names no endpoints file ({endpoints_file!r})")
        endpoints_fetched_at = payload.get("endpoints_fetched_at")
        return cls(
            generation=generation,
            source=source,
            fetched_at=_aware_time(payload.get("fetched_at")),
            count=_whole_number(payload.get("count"), "count", MAX_MODEL_COUNT),
            api_base=_api_base(payload.get("api_base")),
            models_file=models_file,
            defaults_as_of=_optional_text(payload.get("defaults_as_of"), "defaults_as_of"),
            problems=tuple(problems),
            schema_version=_whole_number(payload.get("schema_version", 0), "schema_version", 10**6),
            endpoints_file=endpoints_file,
            endpoints_count=_whole_number(payload.get("endpoints_count", 0), "endpoint count", MAX_ENDPOINTS),
            endpoints_fetched_at=_aware_time(endpoints_fetched_at),
        )


def _whole_number(value: Any, name: str, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
        raise ValueError(f"{name} is not a whole number from 0 to {highest:,} ({str(value)[:40]})")
    return value


def _aware_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"fetched_at is not a time ({str(value)[:40]})")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"fetched_at is not an ISO-8601 time ({value[:40]!r})") from None
    if moment.tzinfo is None:
        raise ValueError(f"fetched_at has no time zone ({value[:40]!r})")
    return moment.astimezone(UTC)


def _api_base(value: Any) -> str | None:
    # A store written before credentials were masked may hold them: never show them.
    text = _optional_text(value, "api_base")
    return without_credentials(text) if text else text


def _optional_text(value: Any, name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        raise ValueError(f"{name} is not a text")
    return value


class StoreDamaged(StoreError):
    """The stored catalog cannot be read."""


class StoredCatalog(NamedTuple):
    """One generation as stored: its metadata, its models and its models' providers."""

    meta: StoredMeta
    models: pd.DataFrame
    endpoints: pd.DataFrame


def _upgraded(meta: StoredMeta, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in this version's columns and types, rebuilt from raw JSON if an older version wrote it."""
    expected = _expected_dtypes()
    actual = dict(zip(frame.columns, frame.dtypes, strict=True))
    if len(actual) == len(frame.columns) and all(
        name in actual and actual[name] == dtype for name, dtype in expected.items()
    ):
        return frame if list(actual) == list(expected) else frame[list(expected)]
    which = "an older" if meta.schema_version < SCHEMA_VERSION else "another"
    written_by = f"written by {which} version (schema {meta.schema_version})"
    if "raw_json" not in frame.columns:
        raise StoreDamaged(f"{meta.models_file} is {written_by} and keeps no raw JSON to rebuild it from")
    try:
        raws = [json.loads(text) for text in frame["raw_json"]]
    except (TypeError, ValueError, RecursionError):
        raise StoreDamaged(f"{meta.models_file} is {written_by} and its raw JSON is unreadable") from None
    rebuilt = normalize_models(raws).frame
    if len(rebuilt) != len(frame):
        rebuilt_count = f"only {len(rebuilt)} of its {len(frame)} models could be rebuilt"
        raise StoreDamaged(f"{meta.models_file} is {written_by}; {rebuilt_count}")
    return rebuilt


@functools.cache
def _expected_dtypes() -> dict[str, Any]:
    return dict(build_frame([]).dtypes.items())


def _upgraded_endpoints(meta: StoredMeta, frame: pd.DataFrame) -> pd.DataFrame:
    """The endpoints table in this version's columns and types, rebuilt from raw JSON if need be."""
    expected = _expected_endpoint_dtypes()
    actual = dict(zip(frame.columns, frame.dtypes, strict=True))
    if all(name in actual and actual[name] == dtype for name, dtype in expected.items()):
        return frame if list(actual) == list(expected) else frame[list(expected)]
    if not {"model_id", "raw_json", "fetched_at"} <= set(frame.columns):
        raise StoreDamaged(f"{meta.endpoints_file} keeps no raw JSON to rebuild its providers from")
    try:
        rows = [
            rows_from_raw(str(model_id), str(raw), pd.Timestamp(at).to_pydatetime())
            for model_id, raw, at in zip(
                frame["model_id"], frame["raw_json"], frame["fetched_at"], strict=True
            )
        ]
    except (TypeError, ValueError):
        raise StoreDamaged(f"{meta.endpoints_file}'s raw JSON is unreadable") from None
    return endpoints_frame(rows)


@functools.cache
def _expected_endpoint_dtypes() -> dict[str, Any]:
    return dict(endpoints_frame([]).dtypes.items())


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def read_generation(
    read_meta: Callable[[], StoredMeta | None],
    read_table: Callable[[str], pd.DataFrame],
    with_endpoints: bool,
) -> StoredCatalog | None:
    """The generation the pointer names, checked against it; read again when a writer replaced it meanwhile.

    Shared by every backend: `read_table` raises FileNotFoundError for a file that is gone.
    """
    missing = "a file"
    for _ in range(5):
        meta = read_meta()
        if meta is None:
            return None
        missing = "a models file"
        try:
            frame = read_table(meta.models_file)
            missing = "an endpoints file"
            wanted = with_endpoints and meta.endpoints_file
            endpoints = read_table(meta.endpoints_file) if wanted else endpoints_frame([])
        except FileNotFoundError:
            continue  # a writer replaced the set meanwhile: read the new one
        if len(frame) != meta.count:
            raise StoreDamaged(f"{meta.models_file} has {len(frame)} models, metadata says {meta.count}")
        if with_endpoints and meta.endpoints_file and len(endpoints) != meta.endpoints_count:
            raise StoreDamaged(
                f"{meta.endpoints_file} has {len(endpoints)} rows, metadata says {meta.endpoints_count}"
            )
        return StoredCatalog(meta, _upgraded(meta, frame), _upgraded_endpoints(meta, endpoints))
    raise StoreDamaged(f"{META_NAME} names {missing} that does not exist")


def read_endpoints_of(meta: StoredMeta, read_table: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """The providers table `meta` names; empty when it names none."""
    if not meta.endpoints_file:
        return endpoints_frame([])
    try:
        frame = read_table(meta.endpoints_file)
    except FileNotFoundError:
        raise StoreDamaged(f"{meta.endpoints_file} is missing") from None
    return _upgraded_endpoints(meta, frame)
