"""The normalizer: every quirk of every payload shape, with the exact values a user sees."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from catalog.fetch.columns import COLUMNS
from catalog.fetch.normalize import normalize_models
from catalog.history.changes import diff_models
from catalog.pricing.fields import PRICE_COLUMNS
from tests import payloads


def rows_by_id(body: dict[str, Any]) -> dict[str, pd.Series]:
    normalized = normalize_models(body["data"])
    assert normalized.problems == []
    return {row["id"]: row for _, row in normalized.frame.iterrows()}


@pytest.fixture
def legacy_2024_rows() -> dict[str, pd.Series]:
    """The 2024 shape: no `created`, "multimodal", "Infinity" limits, "-1" on four fields."""
    return rows_by_id(payloads.legacy_2024())


@pytest.fixture
def rows_2025() -> dict[str, pd.Series]:
    """The 2025 shape: zero-valued optional price fields present as "0"."""
    return rows_by_id(payloads.shape_2025())


@pytest.fixture
def rows_2026() -> dict[str, pd.Series]:
    """The 2026 shape: zero fields omitted, overrides, long decimals, routers, media models."""
    return rows_by_id(payloads.shape_2026())


def one_row(raw: dict[str, Any]) -> pd.Series:
    normalized = normalize_models([raw])
    assert len(normalized.frame) == 1, normalized.problems
    return normalized.frame.iloc[0]


# -- prices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_token", "per_million"),
    [
        ("0.0000000208333333333333", 0.0208333333333333),
        ("0.0000000833333333333333", 0.0833333333333333),
        ("0.00000045", 0.45),
        ("0.0000006", 0.6),
        ("0.00000015", 0.15),
        ("0.000003", 3.0),
        ("0.00001", 10.0),
        ("0.000000075", 0.075),
        ("0", 0.0),
    ],
)
def test_prices_per_million_tokens_are_exact(per_token: str, per_million: float) -> None:
    row = one_row(payloads.model("acme/exact", per_token, per_token))
    assert row["prompt_per_mtok"] == per_million
    assert row["completion_per_mtok"] == per_million
    assert row["prompt_per_mtok"] == float(Decimal(per_token) * 10**6)
    assert str(row["prompt_per_mtok"]) == str(per_million)


def test_naive_float_math_would_be_wrong_but_the_normalizer_is_not() -> None:
    assert float("0.00000045") * 1_000_000 != 0.45  # the trap the normalizer avoids
    assert one_row(payloads.model("acme/m", "0.00000045", "0.0000018"))["prompt_per_mtok"] == 0.45


def test_long_decimals_of_the_2026_shape(rows_2026: dict[str, pd.Series]) -> None:
    row = rows_2026["qwen/qwen3-long-decimals"]
    assert row["prompt_per_mtok"] == float(Decimal("0.0000000208333333333333") * 10**6) == 0.0208333333333333
    assert row["completion_per_mtok"] == 0.0833333333333333


def test_other_per_token_fields_are_per_million_and_per_unit_fields_stay_usd(
    rows_2026: dict[str, pd.Series],
) -> None:
    gemini = rows_2026["google/gemini-2.5-pro"]
    assert gemini["cache_read_per_mtok"] == 0.31
    r1 = rows_2026["deepseek/deepseek-r1"]
    assert (r1["prompt_per_mtok"], r1["completion_per_mtok"], r1["reasoning_per_mtok"]) == (0.4, 2.0, 2.0)
    sonar = rows_2026["perplexity/sonar"]
    assert (sonar["request_usd"], sonar["web_search_usd"]) == (0.005, 0.005)
    image = rows_2026["openai/gpt-image-1"]
    assert image["image_output_per_mtok"] == 40.0


def test_minus_one_is_variable_pricing_never_a_negative_price(rows_2026: dict[str, pd.Series]) -> None:
    auto = rows_2026["openrouter/auto"]
    assert bool(auto["variable_pricing"]) is True
    assert bool(auto["is_free"]) is False
    assert all(math.isnan(auto[column]) for column in PRICE_COLUMNS)


def test_legacy_minus_one_on_request_and_image_too(legacy_2024_rows: dict[str, pd.Series]) -> None:
    auto = legacy_2024_rows["openrouter/auto"]
    assert bool(auto["variable_pricing"]) is True
    assert math.isnan(auto["prompt_per_mtok"])
    assert math.isnan(auto["request_usd"])
    assert math.isnan(auto["image_usd"])


def test_no_price_is_ever_negative_in_any_shape() -> None:
    for body in (
        payloads.legacy_2024(),
        payloads.shape_2025(),
        payloads.shape_2026(),
        payloads.catalog_of(300),
    ):
        prices = normalize_models(body["data"]).frame[PRICE_COLUMNS]
        assert not (prices < 0).any().any()


def test_a_negative_price_other_than_minus_one_is_dropped_and_reported() -> None:
    normalized = normalize_models([payloads.model("acme/odd", "-0.5", "0.000001")])
    row = normalized.frame.iloc[0]
    assert math.isnan(row["prompt_per_mtok"])
    assert row["completion_per_mtok"] == 1.0
    assert bool(row["variable_pricing"]) is False
    assert normalized.problems == ["acme/odd: pricing.prompt ignored: negative price -0.5"]


def test_a_price_that_is_not_a_number_is_dropped_and_reported_while_the_model_stays() -> None:
    normalized = normalize_models([payloads.model("acme/odd", "cheap", "Infinity")])
    row = normalized.frame.iloc[0]
    assert math.isnan(row["prompt_per_mtok"])
    assert math.isnan(row["completion_per_mtok"])
    assert normalized.problems == [
        "acme/odd: pricing.prompt ignored: 'cheap' is not a number",
        "acme/odd: pricing.completion ignored: 'Infinity' is not a finite price",
    ]


def test_2025_zero_fields_and_2026_omitted_fields_mean_the_same_price(
    rows_2025: dict[str, pd.Series],
) -> None:
    zeros = {"request": "0", "image": "0", "web_search": "0", "internal_reasoning": "0"}
    as_2025 = normalize_models([payloads.model("openai/gpt-4o-mini", "0.00000015", "0.0000006", **zeros)])
    as_2026 = normalize_models([payloads.model("openai/gpt-4o-mini", "0.00000015", "0.0000006")])
    row_2025, row_2026 = as_2025.frame.iloc[0], as_2026.frame.iloc[0]
    assert (row_2025["request_usd"], row_2025["web_search_usd"], row_2025["reasoning_per_mtok"]) == (0, 0, 0)
    assert math.isnan(row_2026["request_usd"])  # absent: shown as not charged
    assert row_2025[PRICE_COLUMNS].fillna(0).tolist() == row_2026[PRICE_COLUMNS].fillna(0).tolist()
    assert diff_models(as_2025.frame, as_2026.frame).repriced == ()
    assert rows_2025["openai/gpt-4o-mini"]["prompt_per_mtok"] == 0.15
    assert rows_2025["anthropic/claude-sonnet-4"]["cache_write_per_mtok"] == 3.75


def test_overrides_flag_tiers_and_time_windows_and_keep_the_base_price(
    rows_2026: dict[str, pd.Series],
) -> None:
    gemini = rows_2026["google/gemini-2.5-pro"]
    assert (bool(gemini["has_tiers"]), bool(gemini["has_time_windows"])) == (True, False)
    assert (gemini["prompt_per_mtok"], gemini["completion_per_mtok"]) == (1.25, 10.0)
    deepseek = rows_2026["deepseek/deepseek-v3.2"]
    assert (bool(deepseek["has_tiers"]), bool(deepseek["has_time_windows"])) == (False, True)
    assert (deepseek["prompt_per_mtok"], deepseek["completion_per_mtok"]) == (0.28, 0.42)
    plain = rows_2026["deepseek/deepseek-r1"]
    assert (bool(plain["has_tiers"]), bool(plain["has_time_windows"])) == (False, False)


# -- kinds of model ------------------------------------------------------------------------------


def test_transcription_and_image_output_models_are_not_priced_per_token(
    rows_2026: dict[str, pd.Series],
) -> None:
    whisper = rows_2026["openai/whisper-1"]
    assert bool(whisper["token_priced"]) is False
    assert whisper["output_modalities"] == "transcription"
    assert whisper["input_modalities"] == "audio"
    assert bool(whisper["is_free"]) is False
    image = rows_2026["openai/gpt-image-1"]
    assert bool(image["token_priced"]) is False
    assert bool(image["is_free"]) is False  # prompt = completion = 0, but images cost money
    assert bool(rows_2026["openai/text-embedding-3-small"]["token_priced"]) is True
    assert bool(rows_2026["google/gemini-2.5-pro"]["token_priced"]) is True


def test_free_models_with_and_without_the_suffix(
    rows_2026: dict[str, pd.Series],
    rows_2025: dict[str, pd.Series],
    legacy_2024_rows: dict[str, pd.Series],
) -> None:
    grok = rows_2026["x-ai/grok-4:free"]
    assert bool(grok["is_free"]) is True
    assert (grok["provider"], grok["variant"]) == ("x-ai", "free")
    assert grok["url"] == "https://openrouter.ai/x-ai/grok-4:free"
    assert bool(rows_2025["meta-llama/llama-3.3-70b-instruct:free"]["is_free"]) is True
    mistral = legacy_2024_rows["mistralai/mistral-7b-instruct"]
    assert bool(mistral["is_free"]) is True
    assert pd.isna(mistral["variant"])
    free_ids = [model_id for model_id, row in rows_2026.items() if row["is_free"]]
    assert free_ids == ["x-ai/grok-4:free"]


def test_alias_ids_keep_their_author_as_provider() -> None:
    row = one_row(payloads.model("~anthropic/claude-sonnet-latest"))
    assert row["provider"] == "anthropic"
    assert row["url"] == "https://openrouter.ai/anthropic/claude-sonnet-latest"


# -- the 2024 legacy shape -----------------------------------------------------------------------


def test_legacy_multimodal_means_text_and_image_in_text_out(legacy_2024_rows: dict[str, pd.Series]) -> None:
    vision = legacy_2024_rows["openai/gpt-4-vision-preview"]
    assert vision["modality"] == "multimodal"
    assert vision["input_modalities"] == "image, text"
    assert vision["output_modalities"] == "text"
    assert (vision["prompt_per_mtok"], vision["completion_per_mtok"]) == (10.0, 30.0)
    assert vision["image_usd"] == 0.01445
    text = legacy_2024_rows["mistralai/mistral-7b-instruct"]
    assert (text["input_modalities"], text["output_modalities"]) == ("text", "text")


def test_legacy_infinity_limits_do_not_break_parsing(legacy_2024_rows: dict[str, pd.Series]) -> None:
    mistral = legacy_2024_rows["mistralai/mistral-7b-instruct"]
    assert mistral["context_length"] == 32768
    assert pd.isna(mistral["max_completion_tokens"])
    limits = json.loads(mistral["raw_json"])["per_request_limits"]
    assert limits == {"prompt_tokens": "Infinity", "completion_tokens": "Infinity"}


def test_infinity_as_a_context_length_means_no_known_length() -> None:
    raw = payloads.model("acme/unbounded", context_length=None)
    raw["top_provider"]["context_length"] = "Infinity"
    assert pd.isna(one_row(raw)["context_length"])


def test_missing_created_is_not_a_time(legacy_2024_rows: dict[str, pd.Series]) -> None:
    assert all(row["created"] is pd.NaT for row in legacy_2024_rows.values())


def test_created_and_expiration_are_utc_times(rows_2026: dict[str, pd.Series]) -> None:
    gemini = rows_2026["google/gemini-2.5-pro"]
    assert gemini["created"] == pd.Timestamp("2026-01-01T00:00:00Z")
    assert gemini["expiration_date"] == pd.Timestamp("2098-12-31T00:00:00Z")
    assert rows_2026["deepseek/deepseek-r1"]["expiration_date"] is pd.NaT


def test_context_length_falls_back_to_the_top_provider() -> None:
    raw = payloads.model("acme/m", context_length=None)
    raw["top_provider"]["context_length"] = 65536
    assert one_row(raw)["context_length"] == 65536


# -- robustness ----------------------------------------------------------------------------------


def test_unknown_extra_fields_are_ignored() -> None:
    raw = payloads.model("acme/future", "0.000001", "0.000002")
    raw["brand_new_field"] = {"nested": [1, {"deeper": None}]}
    raw["pricing"]["teleportation"] = "0.5"
    raw["architecture"]["smell_modalities"] = ["rose"]
    normalized = normalize_models([raw])
    assert normalized.problems == []
    row = normalized.frame.iloc[0]
    assert (row["prompt_per_mtok"], row["completion_per_mtok"]) == (1.0, 2.0)


def test_extras_of_the_2026_shape_parse_without_problems() -> None:
    normalized = normalize_models(payloads.shape_2026()["data"])
    assert normalized.problems == []
    assert len(normalized.frame) == 10


def test_malformed_models_are_skipped_and_reported_while_the_rest_parse() -> None:
    raw_models = [
        payloads.model("acme/first"),
        "not a model",
        {"name": "No id at all", "pricing": {"prompt": "0.000001"}},
        {"id": "acme/pricing-string", "pricing": "0.000001"},
        ["a", "list"],
        payloads.model("acme/first", "0.000009", "0.000009"),
        payloads.model("acme/last"),
    ]
    normalized = normalize_models(raw_models)
    assert normalized.frame["id"].tolist() == ["acme/first", "acme/last"]
    assert normalized.frame.iloc[0]["prompt_per_mtok"] == 1.0  # the first of a duplicated id wins
    assert normalized.problems == [
        "model #2 skipped: not an object but str",
        "model #3 skipped: no id",
        "model #4 (acme/pricing-string) skipped: pricing is str, not an object",
        "model #5 skipped: not an object but list",
        "model #6 (acme/first) skipped: duplicate id",
    ]


def test_a_model_with_only_an_id_is_usable() -> None:
    row = one_row({"id": "acme/bare"})
    assert (row["name"], row["provider"], row["input_modalities"], row["output_modalities"]) == (
        "acme/bare",
        "acme",
        "text",
        "text",
    )
    assert math.isnan(row["prompt_per_mtok"])
    assert bool(row["is_free"]) is False


@pytest.mark.parametrize(
    "originals",
    [
        payloads.legacy_2024()["data"],
        payloads.shape_2025()["data"],
        payloads.shape_2026()["data"],
        [payloads.model("acme/unicode", name="Modèle « spécial » 模型", description="naïve ✓")],
    ],
    ids=["2024", "2025", "2026", "unicode"],
)
def test_raw_json_round_trips_to_the_original_object(originals: list[dict[str, Any]]) -> None:
    frame = normalize_models(originals).frame
    assert len(frame) == len(originals)
    assert [json.loads(text) for text in frame["raw_json"]] == originals


def test_an_empty_list_gives_an_empty_frame_with_every_column() -> None:
    frame = normalize_models([]).frame
    assert frame.empty
    assert list(frame.columns) == COLUMNS
    assert frame["prompt_per_mtok"].dtype == "float64"
    assert frame["context_length"].dtype == "Int64"
    assert frame["is_free"].dtype == bool


def test_discount_is_kept_only_between_zero_and_one() -> None:
    assert one_row(payloads.model("acme/a", discount=0.25))["discount"] == 0.25
    assert math.isnan(one_row(payloads.model("acme/b", discount=1.5))["discount"])
    assert math.isnan(one_row(payloads.model("acme/c"))["discount"])


def test_media_model_listed_at_zero_per_token_is_not_free() -> None:
    """A music model with text beside its audio output, at "0"/"0", is priced some other way."""
    music = payloads.model("google/lyria-x", "0", "0", inputs=("text", "image"), outputs=("audio", "text"))
    image_chat = payloads.model("google/flash-image", "0.0000003", "0.0000025", outputs=("image", "text"))
    free_variant = payloads.model("a/image-chat:free", "0", "0", outputs=("image", "text"))
    frame = normalize_models([music, image_chat, free_variant]).frame.set_index("id")
    assert not frame.loc["google/lyria-x", "token_priced"]
    assert not frame.loc["google/lyria-x", "is_free"]
    assert frame.loc["google/flash-image", "token_priced"]
    assert frame.loc["a/image-chat:free", "is_free"]


def test_raw_json_is_the_text_the_response_sent_when_it_is_given() -> None:
    texts = ['{"id": "acme/spaced",  "pricing": {"prompt": "0.0000010"}}', '{"id":"acme/tight"}']
    normalized = normalize_models([json.loads(text) for text in texts], texts)
    assert normalized.problems == []
    assert normalized.frame["raw_json"].tolist() == texts
    assert normalized.frame.iloc[0]["prompt_per_mtok"] == 1.0


def test_an_escaped_lone_surrogate_in_a_sent_text_is_replaced_and_reported() -> None:
    text = '{"id": "acme/odd", "name": "lone \\udfff here", "description": "fine \\u00e9"}'
    normalized = normalize_models([json.loads(text)], [text])
    row = normalized.frame.iloc[0]
    assert row["name"] == "lone \ufffd here"
    repaired = {"id": "acme/odd", "name": "lone \ufffd here", "description": "fine é"}
    assert json.loads(row["raw_json"]) == repaired
    row["raw_json"].encode("utf-8")  # storable
    assert normalized.problems == ["acme/odd: text that is not valid Unicode shown as \ufffd"]


def test_a_backslash_before_ud800_is_text_not_a_surrogate() -> None:
    text = '{"id": "acme/path", "description": "C:\\\\ud800\\\\file"}'
    normalized = normalize_models([json.loads(text)], [text])
    assert normalized.problems == []
    assert normalized.frame.iloc[0]["description"] == "C:\\ud800\\file"
    assert json.loads(normalized.frame.iloc[0]["raw_json"]) == json.loads(text)


def test_a_lone_surrogate_written_into_a_text_as_is_is_replaced_and_reported() -> None:
    model = {"id": "acme/raw", "name": "as is \ud800"}
    text = json.dumps(model, ensure_ascii=False)  # the surrogate itself, not a \ud800 escape
    normalized = normalize_models(
        [payloads.model("acme/fine"), model], [json.dumps(payloads.model("acme/fine")), text]
    )
    assert normalized.frame["name"].tolist() == ["Acme: fine", "as is \ufffd"]
    assert normalized.problems == ["acme/raw: text that is not valid Unicode shown as \ufffd"]
    for stored in normalized.frame["raw_json"]:
        stored.encode("utf-8")


# -- scores and reasoning --------------------------------------------------------------------------


def test_indexes_best_arena_elo_and_reasoning_become_columns() -> None:
    rows = rows_by_id(payloads.value_catalog())
    mid, top, tiny = rows["acme/mid"], rows["acme/top"], rows["acme/tiny"]
    assert (mid["intelligence_index"], mid["coding_index"], mid["agentic_index"]) == (40.0, 35.2, 30.1)
    assert math.isnan(tiny["agentic_index"])  # null in the response
    # The best Elo wins; a tie goes to the first arena/category alphabetically.
    assert (top["design_arena_elo"], top["design_arena_category"]) == (1402.0, "agents/webapps")
    assert pd.isna(mid["design_arena_elo"]) and pd.isna(mid["design_arena_category"])
    assert rows["acme/unscored"]["design_arena_category"] == "models/website"
    assert math.isnan(rows["acme/unscored"]["intelligence_index"])
    # Efforts highest first, whatever order they came in; null efforts: any effort (an empty list).
    assert mid["reasoning_efforts"] == "high, medium, low"
    assert (mid["reasoning_mandatory"], mid["reasoning_default_enabled"]) == (False, True)
    assert mid["reasoning_default_effort"] == "medium"
    assert (top["reasoning_mandatory"], top["reasoning_efforts"]) == (True, "")
    assert pd.isna(top["reasoning_default_effort"])
    unscored = rows["acme/unscored"]  # {"mandatory": false} alone: reasons, any effort, default unknown
    assert (unscored["reasoning_mandatory"], unscored["reasoning_efforts"]) == (False, "")
    assert pd.isna(unscored["reasoning_default_enabled"])
    for column in ("reasoning_mandatory", "reasoning_default_enabled", "reasoning_efforts"):
        assert pd.isna(tiny[column])  # no reasoning object: a model that does not reason


def test_older_responses_without_scores_load_as_before(legacy_2024_rows: dict[str, pd.Series]) -> None:
    frame = normalize_models(payloads.shape_2025()["data"]).frame
    for column in ("intelligence_index", "coding_index", "agentic_index", "design_arena_elo"):
        assert frame[column].isna().all() and frame[column].dtype == "float64"
    for column in ("design_arena_category", "reasoning_mandatory", "reasoning_efforts"):
        assert frame[column].isna().all()
    assert all(pd.isna(row["intelligence_index"]) for row in legacy_2024_rows.values())
    # A 2026 model whose benchmarks hold only keys the parser does not know has no scores.
    row = rows_by_id(payloads.shape_2026())["google/gemini-2.5-pro"]
    assert math.isnan(row["intelligence_index"]) and row["reasoning_efforts"] == ""


def test_unusable_scores_are_ignored_with_a_note() -> None:
    raw = payloads.scored(
        "acme/odd", "0.000001", "0.000002", intelligence=50, arenas=[("models", "3d", 1300)]
    )
    raw["benchmarks"]["artificial_analysis"].update(coding_index="71", agentic_index=float("nan"))
    raw["benchmarks"]["design_arena"].append({"arena": "models", "category": "svg", "elo": True})
    raw["reasoning"] = {"mandatory": "yes", "supported_efforts": ["high", ["x"], "low", "high"]}
    normalized = normalize_models([raw])
    row = normalized.frame.iloc[0]
    assert row["intelligence_index"] == 50.0 and math.isnan(row["coding_index"])
    assert math.isnan(row["agentic_index"])
    assert (row["design_arena_elo"], row["design_arena_category"]) == (1300.0, "models/3d")
    assert (row["reasoning_mandatory"], row["reasoning_efforts"]) == (False, "high, low")
    assert normalized.problems == [
        "acme/odd: benchmarks.artificial_analysis.coding_index ignored: str",
        "acme/odd: benchmarks.artificial_analysis.agentic_index ignored: out of range",
        "acme/odd: benchmarks.design_arena elo ignored: bool",
    ]
    for garbage in ([1, 2], "scores", 7):
        raw["benchmarks"] = garbage
        raw["reasoning"] = garbage
        row = one_row(raw)
        assert math.isnan(row["intelligence_index"]) and pd.isna(row["reasoning_efforts"])


def test_a_huge_description_is_cut_with_a_mark_and_kept_whole_in_raw_json() -> None:
    description = "word " * 10_000_000  # 50 MB
    frame = normalize_models([payloads.model("big/one", description=description)]).frame
    shown = frame["description"][0]
    assert shown == description[:20_000] + " … [description cut: 50,000,000 characters in all]"
    assert json.loads(frame["raw_json"][0])["description"] == description
