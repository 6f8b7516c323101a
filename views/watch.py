"""Watched models on the page: a star on any model, kept in the URL, and the watch file's models.

The stars live in the URL's `watch` parameter, the one `/feed.atom` and `/api/changes.json` filter by:
a page link with stars gives, on the feed, the changes of those models.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from catalog import settings
from catalog.alerts.watch import Watchlist, load_watchlist
from catalog.errors import CatalogError

STAR_PARAM = "watch"


def starred() -> list[str]:
    """The starred model ids, in the order they were starred (`?watch=a/b&watch=c/d`, or comma-separated)."""
    values = st.query_params.get_all(STAR_PARAM)
    return list(dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip()))


def render_star(model_id: str) -> None:
    """A toggle that stars or unstars the model."""
    st.toggle(
        ":material/star: Watch",
        value=model_id in starred(),
        key=f"star:{model_id}",
        on_change=_flip,
        args=(model_id,),
        help="Starred models are kept in the link; **Watched models only** shows them.",
    )


def watched_ids(model_ids: Iterable[str]) -> tuple[str, ...]:
    """The models watched on this page: the starred ones, and those the watch file names (by id or
    author). A watch file that cannot be read is said once, and only the stars count."""
    stars = set(starred())
    watchlist = _watch_file()
    if watchlist is None or watchlist.everything:
        return tuple(sorted(stars))
    return tuple(sorted(i for i in model_ids if i in stars or watchlist.watches_model(i)))


def _flip(model_id: str) -> None:
    stars = starred()
    if model_id in stars:
        stars.remove(model_id)
    else:
        stars.append(model_id)
    if stars:
        st.query_params[STAR_PARAM] = stars
    else:
        st.query_params.pop(STAR_PARAM, None)


_cache: dict[str, object] = {}
_cache_lock = threading.Lock()


def _watch_file() -> Watchlist | None:
    """The watch file's list, read again only when the file changes; None without one."""
    try:
        path = settings.WATCH_FILE.value()
    except CatalogError as error:
        st.warning(str(error), icon=":material/visibility_off:")
        return None
    if path is None:
        return None
    try:
        stat = Path(path).stat()
        key = f"{path}:{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        key = str(path)
    with _cache_lock:
        if _cache.get("key") == key:
            return _cache["list"]  # type: ignore[return-value]
    try:
        watchlist = load_watchlist(path)
    except CatalogError as error:
        st.warning(f"Watched models: {error}", icon=":material/visibility_off:")
        return None
    with _cache_lock:
        _cache.update(key=key, list=watchlist)
    return watchlist
