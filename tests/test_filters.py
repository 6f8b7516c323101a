"""Filters and sort orders over a small hand-made catalog, with exact expected ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from catalog.fetch.normalize import normalize_models
from catalog.present.filters import (
    Filters,
    apply_filters,
    capability_label,
    options,
)
from tests import payloads
from tests.payloads import model

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
def models() -> pd.DataFrame:
    soon = model("old/expiring", "0.000005", "0.000006", created=1600000000, parameters=())
    soon["expiration_date"] = "2026-12-10"
    later = model("old/later", "0.000005", "0.000006", created=1600000001, parameters=())
    later["expiration_date"] = "2098-12-31"
    raw = [
        model("openai/gpt-x", "0.0000025", "0.00001", parameters=("tools", "tool_choice", "response_format")),
        model("openai/gpt-x-mini", "0.00000015", "0.0000006", context_length=10**6, parameters=("tools",)),
        model("anthropic/claude-y", "0.000003", "0.000015", parameters=("tool_choice", "reasoning"),
              description="Writes careful prose."),
        model("meta/llama:free", "0", "0", context_length=8192, parameters=()),
        model("openrouter/auto", "-1", "-1", parameters=()),
        model("openai/whisper", "0.006", "0", inputs=("audio",), outputs=("transcription",), parameters=()),
        model("openai/image-gen", "0", "0", outputs=("image",), image_output="0.00004", parameters=()),
        soon,
        later,
    ]  # fmt: skip
    return normalize_models(raw).frame


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


def test_no_filter_keeps_every_model(models: pd.DataFrame) -> None:
    assert len(apply_filters(models, Filters())) == len(models) == 9
    assert Filters().is_default() and Filters().active_count() == 0


def test_search_matches_id_name_and_description_case_blind(models: pd.DataFrame) -> None:
    assert ids(apply_filters(models, Filters(search="CAREFUL prose"))) == ["anthropic/claude-y"]
    assert set(ids(apply_filters(models, Filters(search="gpt-x")))) == {"openai/gpt-x", "openai/gpt-x-mini"}


def test_capabilities_match_whole_parameter_names(models: pd.DataFrame) -> None:
    # "tools" must not match a model that only has "tool_choice".
    assert set(ids(apply_filters(models, Filters(capabilities=("tools",))))) == {
        "openai/gpt-x",
        "openai/gpt-x-mini",
    }
    assert ids(apply_filters(models, Filters(capabilities=("tools", "response_format")))) == ["openai/gpt-x"]


def test_modalities_providers_and_context(models: pd.DataFrame) -> None:
    assert ids(apply_filters(models, Filters(input_modalities=("audio",)))) == ["openai/whisper"]
    assert ids(apply_filters(models, Filters(output_modalities=("image",)))) == ["openai/image-gen"]
    assert ids(apply_filters(models, Filters(min_context=200_000))) == ["openai/gpt-x-mini"]
    assert len(apply_filters(models, Filters(authors=("openai",)))) == 4


def test_price_limits_admit_only_known_per_token_prices(models: pd.DataFrame) -> None:
    cheap = ids(apply_filters(models, Filters(max_prompt_per_mtok=1.0, sort="input_price")))
    # Variable routers and the transcription model ($6,000 per 1M "tokens" if misread) never pass a limit.
    assert cheap == ["meta/llama:free", "openai/gpt-x-mini"]
    assert "openai/gpt-x" in ids(apply_filters(models, Filters(max_completion_per_mtok=10.0)))
    assert "old/later" in ids(apply_filters(models, Filters(max_completion_per_mtok=10.0)))
    assert "anthropic/claude-y" not in ids(apply_filters(models, Filters(max_completion_per_mtok=10.0)))


def test_free_variable_and_expiring(models: pd.DataFrame) -> None:
    assert ids(apply_filters(models, Filters(free_only=True))) == ["meta/llama:free"]
    assert "openrouter/auto" not in ids(apply_filters(models, Filters(hide_variable=True)))
    kept = ids(apply_filters(models, Filters(hide_expiring=True), now=NOW))
    assert "old/expiring" not in kept and "old/later" in kept and len(kept) == 8


def test_price_sort_puts_uncomparable_prices_last(models: pd.DataFrame) -> None:
    order = ids(apply_filters(models, Filters(sort="input_price")))
    assert order[:3] == ["meta/llama:free", "openai/gpt-x-mini", "openai/gpt-x"]
    assert set(order[-3:]) == {"openrouter/auto", "openai/whisper", "openai/image-gen"}


def test_options_and_labels(models: pd.DataFrame) -> None:
    assert options(models, "output_modalities") == ["image", "text", "transcription"]
    assert capability_label("tools") == "Tool calling"
    assert capability_label("top_k") == "Top-k sampling"
    assert capability_label("frequency_penalty") == "Frequency penalty"
    assert capability_label("some_new_knob") == "Some new knob"  # one the API adds later, in words


@pytest.fixture
def scored_models() -> pd.DataFrame:
    return normalize_models(payloads.value_catalog()["data"]).frame


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(min_intelligence=55.5), ["acme/long", "acme/small-context", "acme/top"]),
        (Filters(min_coding=35.2, min_agentic=40), ["acme/long", "acme/top"]),
        (Filters(min_agentic=0), ["acme/long", "acme/mid", "acme/pricey-dud", "acme/top"]),
        (Filters(reasoning="reasons"), ["acme/mid", "acme/top", "acme/unscored"]),
        (Filters(reasoning="optional"), ["acme/mid", "acme/unscored"]),  # acme/top always reasons
        (Filters(effort="high"), ["acme/mid", "acme/top", "acme/unscored"]),  # top and unscored: any
        (Filters(effort="minimal"), ["acme/top", "acme/unscored"]),
        (Filters(reasoning="optional", effort="minimal"), ["acme/unscored"]),
    ],
)
def test_score_and_reasoning_filters(
    scored_models: pd.DataFrame, filters: Filters, expected: list[str]
) -> None:
    assert sorted(apply_filters(scored_models, filters, NOW)["id"]) == expected


def test_sort_by_an_index_puts_the_best_first_and_the_unscored_last(scored_models: pd.DataFrame) -> None:
    ids = apply_filters(scored_models, Filters(sort="agentic"), NOW)["id"].tolist()
    assert ids[:4] == ["acme/top", "acme/long", "acme/mid", "acme/pricey-dud"]
    assert set(ids[4:]) == set(scored_models["id"]) - set(ids[:4])
