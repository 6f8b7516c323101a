"""The OpenRouter model catalog: fetch, normalize, store and share it."""

from catalog.catalog import Catalog
from catalog.errors import CatalogError
from catalog.results import RefreshResult
from catalog.snapshot import Snapshot

__all__ = ["Catalog", "CatalogError", "RefreshResult", "Snapshot"]
