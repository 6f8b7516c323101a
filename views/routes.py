"""Read-only HTTP routes served beside the page by `streamlit run` (Starlette, through `st.App`).

    /feed.atom          the change log as Atom 1.0 (?author=, ?kind=, ?watch=, ?since=, ?until=)
    /api/models.json    the current catalog, as `python -m catalog export --format json`
    /api/changes.json   the change log, as `python -m catalog changes --format json`, same filters
    /healthz            source, generation, age and staleness of the catalog, as JSON

Each reads the Catalog the page's sessions share (`views.cached.shared_catalog`), so a refresh made
anywhere is what they serve on the next request. A bad parameter is a 400 with one line of JSON.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from catalog.errors import CatalogError
from catalog.present.changes import changes_export_frame
from catalog.present.export import export_bytes, to_json_bytes
from catalog.present.feed import ATOM_MEDIA_TYPE, ChangeQuery, atom_feed
from catalog.present.freshness import is_stale, stale_after_hours
from catalog.snapshot import Snapshot
from views.cached import shared_catalog

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


def feed(request: Request) -> Response:
    catalog = shared_catalog()
    try:
        query = ChangeQuery.from_params(_params(request))
    except CatalogError as error:
        return _bad_request(error)
    page_url = str(request.base_url)
    body = atom_feed(catalog.history(), query, self_url=str(request.url), page_url=page_url)
    return Response(body, media_type=ATOM_MEDIA_TYPE)


def models_json(request: Request) -> Response:
    catalog = shared_catalog()
    return Response(_models_json(catalog.location, catalog.snapshot()), media_type=JSON_MEDIA_TYPE)


def changes_json(request: Request) -> Response:
    catalog = shared_catalog()
    try:
        query = ChangeQuery.from_params(_params(request))
    except CatalogError as error:
        return _bad_request(error)
    events = query.select(catalog.history())
    return Response(to_json_bytes(changes_export_frame(events)), media_type=JSON_MEDIA_TYPE)


def healthz(request: Request) -> Response:
    snapshot = shared_catalog().snapshot()
    fetched_at = snapshot.fetched_at
    age_s = (datetime.now(UTC) - fetched_at).total_seconds() if fetched_at else None
    return JSONResponse(
        {
            "source": snapshot.source,
            "generation": snapshot.generation,
            "models": snapshot.count,
            "fetched_at": fetched_at.isoformat() if fetched_at else None,
            "age_s": round(age_s) if age_s is not None else None,
            "stale": bool(snapshot.is_live and fetched_at and is_stale(fetched_at)),
            "stale_after_hours": stale_after_hours(),
            "defaults_as_of": snapshot.defaults_as_of,
        }
    )


ROUTES = [
    Route("/feed.atom", feed, methods=["GET"]),
    Route("/api/models.json", models_json, methods=["GET"]),
    Route("/api/changes.json", changes_json, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
]


# The catalog as JSON is a few MB at 549 models: built once per generation, shared by every request.
_models_lock = threading.Lock()
_models_cache: dict[str, Any] = {"key": None, "body": b""}


def _models_json(location: str, snapshot: Snapshot) -> bytes:
    key = (location, snapshot.generation, snapshot.source, snapshot.fetched_at)
    with _models_lock:
        if _models_cache["key"] == key:
            return _models_cache["body"]
    body = export_bytes(snapshot.models, "json")
    with _models_lock:
        _models_cache.update(key=key, body=body)
    return body


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _bad_request(error: CatalogError) -> Response:
    return JSONResponse({"error": str(error)}, status_code=400)
