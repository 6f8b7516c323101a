"""The OpenRouter model catalog: fetch, normalize, store and share it."""

from catalog.catalog import Catalog, RefreshResult, Snapshot
from catalog.errors import CatalogError

__all__ = ["Catalog", "CatalogError", "RefreshResult", "Snapshot"]
