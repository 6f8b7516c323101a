"""Saved `/models` responses (what a cron job's `curl` leaves): read, checked like a live response, dated.

Every shape OpenRouter has sent since 2024 is read: `{"data": [...]}` with or without `created`,
`total_count` and `links`, compact or indented, and a bare list of models. A file is checked as a
response is (JSON, a list of models, all of them when it says how many, at least one readable),
and dated by `--as-of` when given, else by its newest model's `created` (a response lists every
model created up to the moment it was saved), else by the file's modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.errors import BadResponse, CatalogError
from catalog.fetch.normalize import normalize_models
from catalog.fetch.rawjson import MAX_NESTING, loads_with_item_texts, nested_deeper_than

MAX_SAVED_BYTES = 64 * 1024 * 1024  # the whole 2026 catalog is 1.3 MB
DATED_BY_AS_OF = "from --as-of"
DATED_BY_CREATED = "from the newest model's created"
DATED_BY_MTIME = "from the file's modification time"


@dataclass(frozen=True)
class SavedResponse:
    """One saved response, read and normalized."""

    name: str  # the file's name, for messages
    sha256: str  # of the file's bytes: the same file imported twice adds nothing
    frame: pd.DataFrame
    at: datetime  # when it was saved (UTC)
    dated_by: str
    problems: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.frame)


def read_saved(path: str | os.PathLike[str], as_of: datetime | None = None) -> SavedResponse:
    """The models of a saved response and when it was saved; BadResponse when it is not one."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_SAVED_BYTES:
            raise BadResponse(f"{name}: {size:,} bytes, over the {MAX_SAVED_BYTES:,} a catalog can take")
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as error:
        raise CatalogError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadResponse(f"{name}: not UTF-8 text") from None
    if not text.lstrip().startswith(("{", "[")):
        raise BadResponse(f"{name}: not JSON (a saved error page?)")
    try:
        payload, item_texts = loads_with_item_texts(text)
    except RecursionError:
        raise BadResponse(f"{name}: nests over {MAX_NESTING} levels deep") from None
    except ValueError:
        raise BadResponse(f"{name}: not valid JSON ({len(data):,} bytes, probably cut short)") from None
    models, texts = _models_of(name, payload, item_texts)
    for position, (model, model_text) in enumerate(zip(models, texts or [None] * len(models), strict=True)):
        try:
            too_deep = nested_deeper_than(model_text if model_text is not None else json.dumps(model))
        except RecursionError:
            too_deep = True
        if too_deep:
            raise BadResponse(f"{name}: model #{position + 1} nests over {MAX_NESTING} levels deep")
    normalized = normalize_models(models, texts)
    if normalized.frame.empty:
        raise BadResponse(f"{name}: none of the {len(models):,} models in it could be read")
    if as_of is not None:
        at, dated_by = as_of, DATED_BY_AS_OF
    elif (created := _newest_created(models)) is not None:
        at, dated_by = created, DATED_BY_CREATED
    else:
        at, dated_by = mtime, DATED_BY_MTIME
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    return SavedResponse(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        frame=normalized.frame,
        at=at,
        dated_by=dated_by,
        problems=tuple(normalized.problems),
    )


def _models_of(
    name: str, payload: Any, item_texts: list[str] | None
) -> tuple[list[Any], list[str | None] | None]:
    """The model objects of a response (and each one's text), duplicates left out as a refresh does."""
    if isinstance(payload, list):
        data, item_texts = payload, None
    elif isinstance(payload, dict):
        data = payload.get("data")
        if not isinstance(data, list):
            kind = type(data).__name__ if data is not None else "missing"
            raise BadResponse(f"{name}: 'data' is {kind}, not a list of models")
        links = payload.get("links")
        if isinstance(links, dict) and links.get("next"):
            raise BadResponse(f"{name}: one page of several (links.next is set); save the whole list")
        total = payload.get("total_count")
        if isinstance(total, int) and not isinstance(total, bool) and total != len(data):
            raise BadResponse(f"{name}: lists {len(data):,} models but says total_count={total:,}")
    else:
        raise BadResponse(f"{name}: a JSON {type(payload).__name__}, not a model list")
    if not data:
        raise BadResponse(f"{name}: lists no models")
    models: list[Any] = []
    texts: list[str | None] = []
    seen: set[str] = set()
    for item, item_text in zip(data, item_texts or [None] * len(data), strict=True):
        model_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(model_id, str):
            if model_id in seen:
                continue
            seen.add(model_id)
        models.append(item)
        texts.append(item_text)
    return models, texts if item_texts is not None else None


def _newest_created(models: list[Any]) -> datetime | None:
    stamps = [
        created
        for item in models
        if isinstance(item, dict)
        and isinstance(created := item.get("created"), int | float)
        and not isinstance(created, bool)
        and 0 < created < 32503680000  # before the year 3000: anything else is not a time
    ]
    return datetime.fromtimestamp(max(stamps), UTC) if stamps else None
