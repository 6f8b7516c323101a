"""What a reader of the catalog holds: one coherent, immutable snapshot of the models and providers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from catalog.fetch.endpoints import endpoints_frame


@dataclass(frozen=True)
class Snapshot:
    """One coherent, immutable view of the catalog: models plus where they came from."""

    _models: pd.DataFrame = field(repr=False)
    source: str  # "defaults" or "live"
    generation: int
    fetched_at: datetime | None
    api_base: str | None
    defaults_as_of: str | None
    notice: str | None = None  # something the user should be told (e.g. a damaged store moved aside)
    _endpoints: pd.DataFrame | None = field(default=None, repr=False)  # None: no provider refresh yet
    endpoints_fetched_at: datetime | None = None
    endpoints_file: str | None = field(default=None, repr=False)

    @property
    def models(self) -> pd.DataFrame:
        # A shallow copy under copy-on-write: a caller's edits never reach the shared frame.
        return self._models.copy(deep=False)

    @property
    def endpoints(self) -> pd.DataFrame:
        """Every model's hosting providers, one row per model and provider (empty before a refresh)."""
        if self._endpoints is None:
            return endpoints_frame([])
        return self._endpoints.copy(deep=False)

    @property
    def count(self) -> int:
        return len(self._models)

    @property
    def endpoints_count(self) -> int:
        return 0 if self._endpoints is None else len(self._endpoints)

    @property
    def is_live(self) -> bool:
        return self.source == "live"

    def describe_source(self) -> str:
        if self.is_live and self.fetched_at:
            return f"live from OpenRouter, refreshed {self.fetched_at:%Y-%m-%d %H:%M} UTC"
        return f"bundled defaults (prices as of {self.defaults_as_of})"
