"""What a model is worth: its benchmark scores and how it reasons, from `benchmarks` and `reasoning`.

Both objects are optional (absent, null or partly filled; unknown keys are ignored):

- `benchmarks.artificial_analysis`: the intelligence, coding and agentic indexes (higher is better).
- `benchmarks.design_arena`: a list of {arena, category, elo, ...}; the row keeps the best Elo and
  where it was earned ("models/website").
- `reasoning`: {mandatory, default_enabled, default_effort, supported_efforts}. A null (or absent)
  `supported_efforts` means any effort is accepted: an empty list. No object: the model does not reason.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

INDEX_COLUMNS = {
    "intelligence": "intelligence_index",
    "coding": "coding_index",
    "agentic": "agentic_index",
}
SCORE_COLUMNS = [*INDEX_COLUMNS.values(), "design_arena_elo", "design_arena_category"]
REASONING_COLUMNS = [
    "reasoning_mandatory",
    "reasoning_default_enabled",
    "reasoning_default_effort",
    "reasoning_efforts",
]
# Effort levels, highest first, as OpenRouter lists them.
EFFORTS = ("max", "xhigh", "high", "medium", "low", "minimal", "none")
EFFORT_SEPARATOR = ", "
MAX_SCORE = 100_000  # no index (0-100) or Elo (~1000-1500) comes near; anything beyond is garbage
NO_SCORES = (None, None, None, None, None)
NO_REASONING = (None, None, None, None)
_EFFORT_RANK = {effort: rank for rank, effort in enumerate(EFFORTS)}


def score_values(benchmarks: Any, notes: list[str]) -> tuple[Any, ...]:
    """SCORE_COLUMNS values of one `benchmarks` object (None where absent or unusable)."""
    if not isinstance(benchmarks, dict):
        return NO_SCORES
    indexes: list[float | None] = [None, None, None]
    analysis = benchmarks.get("artificial_analysis")
    if isinstance(analysis, dict):
        for position, key in enumerate(INDEX_COLUMNS.values()):
            value = analysis.get(key)
            if value is not None:
                indexes[position] = _score(value, f"benchmarks.artificial_analysis.{key}", notes)
    best_elo: float | None = None
    best_where: str | None = None
    arenas = benchmarks.get("design_arena")
    if isinstance(arenas, list):
        for entry in arenas:
            if type(entry) is not dict or (elo := entry.get("elo")) is None:
                continue
            if type(elo) not in (int, float) or not 0 <= elo <= MAX_SCORE:  # rare: note why
                elo = _score(elo, "benchmarks.design_arena elo", notes)
                if elo is None:
                    continue
            if best_elo is not None and elo < best_elo:
                continue
            where = f"{_label(entry.get('arena'))}/{_label(entry.get('category'))}"
            # The highest Elo; on a tie the first arena/category in alphabetical order.
            if best_elo is None or elo > best_elo or where < str(best_where):
                best_elo, best_where = float(elo), where
    return (*indexes, best_elo, best_where)


def reasoning_values(reasoning: Any, notes: list[str]) -> tuple[Any, ...]:
    """REASONING_COLUMNS values of one `reasoning` object; all None for a model that does not reason.

    `reasoning_mandatory` is never None for a model that reasons (absent counts as False), so it
    tells which models reason. `reasoning_efforts` is text: the efforts highest first, joined by ", ";
    "" for any effort (exports turn it back into a list: `efforts_list`).
    """
    if not isinstance(reasoning, dict):
        return NO_REASONING
    mandatory = reasoning.get("mandatory")
    default_enabled = reasoning.get("default_enabled")
    default_effort = reasoning.get("default_effort")
    efforts = reasoning.get("supported_efforts")
    if efforts is None:
        efforts_text = ""
    elif isinstance(efforts, list):
        try:
            efforts_text = _efforts_text(tuple(efforts))
        except TypeError:  # an unhashable item: not an effort
            efforts_text = _efforts_text.__wrapped__(tuple(efforts))
    else:
        notes.append(f"reasoning.supported_efforts ignored: {type(efforts).__name__}")
        efforts_text = ""
    return (
        mandatory if isinstance(mandatory, bool) else False,
        default_enabled if isinstance(default_enabled, bool) else None,
        default_effort if isinstance(default_effort, str) and default_effort else None,
        efforts_text,
    )


def efforts_list(text: Any) -> list[str] | None:
    """A `reasoning_efforts` cell as a list (highest first; [] for any effort); None when not reasoning."""
    if not isinstance(text, str):
        return None
    return text.split(EFFORT_SEPARATOR) if text else []


def supports_effort(text: Any, effort: str) -> bool:
    """Whether a `reasoning_efforts` cell accepts `effort` ("" accepts any; no reasoning accepts none)."""
    return isinstance(text, str) and (not text or effort in text.split(EFFORT_SEPARATOR))


@lru_cache(maxsize=1024)
def _efforts_text(efforts: tuple[Any, ...]) -> str:
    # Highest first by the known order; unknown levels after them, as sent; each once.
    known = dict.fromkeys(e for e in efforts if isinstance(e, str) and e)
    ordered = sorted(known, key=lambda e: _EFFORT_RANK.get(e, len(EFFORTS)))  # stable: unknown keep order
    return EFFORT_SEPARATOR.join(e.replace(",", " ") for e in ordered)


def _score(value: Any, name: str, notes: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        notes.append(f"{name} ignored: {type(value).__name__}")
        return None
    if 0 <= value <= MAX_SCORE:  # False for NaN too
        return float(value)
    notes.append(f"{name} ignored: out of range")
    return None


def _label(value: Any) -> str:
    return value if isinstance(value, str) and value else "?"
