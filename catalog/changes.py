"""What moved between two catalogs: models added, removed and repriced."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from catalog.normalize import PRICE_COLUMNS


@dataclass(frozen=True)
class ChangeSummary:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    repriced: tuple[str, ...]

    def describe(self, count: int) -> str:
        return (
            f"{count:,} models: {len(self.added):,} added, {len(self.removed):,} removed, "
            f"{len(self.repriced):,} repriced"
        )


def diff_models(old: pd.DataFrame, new: pd.DataFrame) -> ChangeSummary:
    """Ids added, removed and repriced from `old` to `new`.

    A price field that is missing counts as 0 (OpenRouter stopped sending zero-valued fields in
    2026), so a "0" that became absent is no change.
    """
    old_ids = set(old["id"])
    new_ids = set(new["id"])
    both = old[old["id"].isin(new_ids)].set_index("id")[[*PRICE_COLUMNS, "variable_pricing"]]
    after = new[new["id"].isin(old_ids)].set_index("id")[[*PRICE_COLUMNS, "variable_pricing"]]
    after = after.reindex(both.index)
    prices_moved = (both[PRICE_COLUMNS].fillna(0) != after[PRICE_COLUMNS].fillna(0)).any(axis=1)
    variable_moved = both["variable_pricing"] != after["variable_pricing"]
    repriced = both.index[prices_moved | variable_moved]
    return ChangeSummary(
        added=tuple(sorted(new_ids - old_ids)),
        removed=tuple(sorted(old_ids - new_ids)),
        repriced=tuple(sorted(repriced)),
    )
