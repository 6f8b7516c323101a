"""Which models can take a workload: the rule every ranking applies before it prices anything.

A model fits when one request's input plus output tokens are within its `context_length` and the
output tokens within its `max_completion_tokens`. A limit the model does not list rules nothing out.
A model that does not fit gets no cost, only the reason, e.g. "context 8,192 < 251,000 tokens".
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def fit_problem(
    input_tokens: int, output_tokens: int, context_length: Any, max_completion_tokens: Any
) -> str | None:
    """Why one request of the workload does not fit the model's limits; None when it fits."""
    needed = input_tokens + output_tokens
    if _known(context_length) and context_length < needed:
        return f"context {int(context_length):,} < {needed:,} tokens"
    if _known(max_completion_tokens) and max_completion_tokens < output_tokens:
        return f"max output {int(max_completion_tokens):,} < {output_tokens:,} tokens"
    return None


def fit_problems(models: pd.DataFrame, input_tokens: int, output_tokens: int) -> list[str | None]:
    """`fit_problem` for each row of a models frame, in its order."""
    contexts = _limits(models, "context_length")
    outputs = _limits(models, "max_completion_tokens")
    return [
        fit_problem(input_tokens, output_tokens, context, output)
        for context, output in zip(contexts, outputs, strict=True)
    ]


def _limits(models: pd.DataFrame, column: str) -> list[Any]:
    if column not in models.columns:
        return [None] * len(models)
    return models[column].astype(object).where(models[column].notna(), None).tolist()


def _known(limit: Any) -> bool:
    return limit is not None and not isinstance(limit, bool)
