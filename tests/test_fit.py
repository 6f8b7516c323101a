"""Which models can take a workload: context and max output, with the reason when not."""

from __future__ import annotations

import pandas as pd

from catalog.pricing.fit import fit_problem, fit_problems


def test_input_plus_output_must_be_within_the_context() -> None:
    assert fit_problem(250_000, 1_000, 8_192, None) == "context 8,192 < 251,000 tokens"
    assert fit_problem(7_000, 1_192, 8_192, None) is None  # exactly full fits


def test_output_must_be_within_the_max_output() -> None:
    assert fit_problem(1_000, 20_000, 128_000, 16_384) == "max output 16,384 < 20,000 tokens"
    assert fit_problem(1_000, 16_384, 128_000, 16_384) is None


def test_an_unlisted_limit_rules_nothing_out() -> None:
    assert fit_problem(10**9, 10**9, None, None) is None


def test_one_reason_per_row_of_a_frame() -> None:
    models = pd.DataFrame(
        {
            "context_length": pd.array([8_192, None, 1_000_000], dtype="Int64"),
            "max_completion_tokens": pd.array([None, 4_096, None], dtype="Int64"),
        }
    )
    assert fit_problems(models, 10_000, 5_000) == [
        "context 8,192 < 15,000 tokens",
        "max output 4,096 < 5,000 tokens",
        None,
    ]
