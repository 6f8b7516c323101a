"""What the Catalog's writes report: a refresh, a provider refresh and an import of saved responses."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.fetch.providers import Kept, describe_refresh
from catalog.history.backfill import Placed
from catalog.history.changes import ChangeSummary
from catalog.history.providers import ProviderChanges
from catalog.history.view import History
from catalog.snapshot import Snapshot


@dataclass(frozen=True)
class RefreshResult:
    snapshot: Snapshot
    previous: Snapshot
    changes: ChangeSummary
    problems: tuple[str, ...] = ()
    fetched: bool = True  # False when another process had just refreshed and its result was adopted
    changes_from_history: bool = False  # `changes` compare with the history's last live catalog
    history_note: str | None = None  # the change history could not be updated, or was started again

    def summary(self) -> str:
        if not self.fetched:
            return (
                f"{self.snapshot.count:,} models: another process refreshed moments ago; showing its result"
            )
        if not self.previous.is_live and not self.changes_from_history:
            text = f"{self.snapshot.count:,} models (was {self.previous.count:,} bundled defaults)"
        else:
            text = self.changes.describe(self.snapshot.count)
        skipped = sum(" skipped: " in problem for problem in self.problems)
        ignored = len(self.problems) - skipped
        return _parts(
            text,
            f"{skipped:,} unreadable model(s) skipped" if skipped else None,
            f"{ignored:,} unreadable field(s) ignored" if ignored else None,
            self.history_note,
        )


@dataclass(frozen=True)
class ProvidersResult:
    snapshot: Snapshot
    updated: int  # models whose providers are as OpenRouter sent them now
    kept: tuple[Kept, ...]  # models whose request failed: their earlier providers stay
    problems: tuple[str, ...] = ()
    changes: ProviderChanges | None = None  # None when the change history has not started
    history_note: str | None = None

    def summary(self) -> str:
        return _parts(
            describe_refresh(self.updated, list(self.kept)),
            f"{self.snapshot.endpoints_count:,} providers in all",
            None if self.changes is None else self.changes.describe(),
            f"{len(self.problems):,} unreadable provider field(s) ignored" if self.problems else None,
            self.history_note,
        )


@dataclass(frozen=True)
class ImportResult:
    placed: tuple[Placed, ...]  # each file, oldest first
    history: History  # the history after the import
    applied: Snapshot | None  # the newest file made current (`apply_latest`)


def _parts(*parts: str | None) -> str:
    """One line of a summary: its parts that have something to say, separated by "; "."""
    return "; ".join(part for part in parts if part)
