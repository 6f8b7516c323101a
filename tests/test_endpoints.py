"""One model's /endpoints answer -> provider rows: exact prices, "-1" and zero rules, nulls, bad shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from catalog.errors import BadResponse
from catalog.fetch.endpoints import ENDPOINT_COLUMNS, endpoints_frame, endpoints_url, parse_endpoints

AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def endpoint(provider: str = "DeepInfra", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": f"{provider} | llama-3.3-70b",
        "provider_name": provider,
        "tag": f"{provider.lower()}/fp8",
        "quantization": "fp8",
        "context_length": 131072,
        "max_completion_tokens": 16384,
        "max_prompt_tokens": None,
        "pricing": {"prompt": "0.00000023", "completion": "0.0000004"},
        "status": 0,
        "uptime_last_30m": 99.7,
        "uptime_last_1d": 99.91,
        "latency_last_30m": {"p50": 3446, "p75": 4000, "p90": 5210.5, "p99": 9000},
        "throughput_last_30m": {"p50": 41.2, "p75": 38, "p90": 30.5, "p99": 12},
        "supported_parameters": ["tools", "max_tokens", "temperature"],
        "supports_implicit_caching": True,
    }
    base.update(fields)
    return base


def frame_of(*endpoints: object, model_id: str = "meta-llama/llama-3.3-70b-instruct") -> pd.DataFrame:
    parsed = parse_endpoints({"data": {"id": model_id, "endpoints": list(endpoints)}}, model_id, AT)
    return endpoints_frame(parsed.rows)


def test_an_endpoint_becomes_one_row_with_prices_per_million_tokens_and_its_figures() -> None:
    row = frame_of(endpoint()).iloc[0]
    assert row["model_id"] == "meta-llama/llama-3.3-70b-instruct"
    assert (row["provider_name"], row["tag"], row["quantization"]) == ("DeepInfra", "deepinfra/fp8", "fp8")
    assert row["prompt_per_mtok"] == 0.23 and row["completion_per_mtok"] == 0.4
    assert (row["context_length"], row["max_completion_tokens"]) == (131072, 16384)
    assert pd.isna(row["max_prompt_tokens"])
    assert (row["uptime_last_30m"], row["uptime_last_1d"]) == (99.7, 99.91)
    assert (row["latency_p50_ms"], row["latency_p90_ms"]) == (3446.0, 5210.5)
    assert (row["throughput_p50_tps"], row["throughput_p90_tps"]) == (41.2, 30.5)
    assert row["supported_parameters"] == "max_tokens, temperature, tools"
    assert bool(row["supports_implicit_caching"]) and row["status"] == 0
    assert row["fetched_at"] == pd.Timestamp(AT)
    assert json.loads(row["raw_json"]) == endpoint()
    assert list(frame_of(endpoint()).columns) == ENDPOINT_COLUMNS


def test_long_decimals_stay_exact_and_absent_fields_stay_absent() -> None:
    pricing = {"prompt": "0.0000000208333333333333", "completion": "0", "web_search": "0.01", "discount": 0.1}
    row = frame_of(endpoint(pricing=pricing)).iloc[0]
    assert repr(float(row["prompt_per_mtok"])) == "0.0208333333333333"
    assert row["completion_per_mtok"] == 0.0
    assert row["web_search_usd"] == 0.01 and row["discount"] == 0.1
    assert pd.isna(row["cache_read_per_mtok"]) and pd.isna(row["request_usd"])


def test_minus_one_is_variable_never_a_negative_price() -> None:
    row = frame_of(endpoint(pricing={"prompt": "-1", "completion": "-1"})).iloc[0]
    assert bool(row["variable_pricing"])
    assert pd.isna(row["prompt_per_mtok"]) and pd.isna(row["completion_per_mtok"])


def test_nulls_and_garbage_figures_become_unknown_not_numbers() -> None:
    raw = endpoint(
        quantization=None,
        uptime_last_1d=None,
        uptime_last_30m=140,
        latency_last_30m=None,
        throughput_last_30m={"p50": "fast"},
        status=None,
        context_length="lots",
        pricing={"prompt": "cheap", "completion": "0.000001"},
    )
    row = frame_of(raw).iloc[0]
    for column in ("quantization", "uptime_last_1d", "uptime_last_30m", "latency_p50_ms"):
        assert pd.isna(row[column]), column
    assert pd.isna(row["throughput_p50_tps"]) and pd.isna(row["status"]) and pd.isna(row["context_length"])
    assert pd.isna(row["prompt_per_mtok"]) and row["completion_per_mtok"] == 1.0


def test_an_empty_or_null_list_means_no_provider_and_bad_items_are_skipped_with_a_reason() -> None:
    assert frame_of().empty
    model = "x/y"
    assert parse_endpoints({"data": {"id": model, "endpoints": None}}, model, AT).rows == []
    parsed = parse_endpoints({"data": {"endpoints": [endpoint(), "junk", endpoint()]}}, model, AT)
    assert len(parsed.rows) == 1
    assert parsed.problems == [
        "x/y: endpoint #2 skipped: not an object",
        "x/y: endpoint #3 skipped: duplicate provider",
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"data": []}, "'data' is list, not a model with endpoints"),
        ({}, "'data' is missing, not a model with endpoints"),
        ({"data": {"endpoints": {"a": 1}}}, "'endpoints' is dict, not a list"),
    ],
)
def test_a_response_of_another_shape_is_a_bad_response(payload: dict[str, object], message: str) -> None:
    with pytest.raises(BadResponse, match=message):
        parse_endpoints(payload, "x/y", AT)


def test_the_variant_is_part_of_the_path_and_no_id_can_leave_the_api_path() -> None:
    base = "http://127.0.0.1:1/api/v1/"
    assert (
        endpoints_url(base, "openai/gpt-4o:free")
        == "http://127.0.0.1:1/api/v1/models/openai/gpt-4o:free/endpoints"
    )
    assert endpoints_url(base, "~anthropic/claude-latest") == (
        "http://127.0.0.1:1/api/v1/models/~anthropic/claude-latest/endpoints"
    )
    assert endpoints_url(base, "a/b c?d#e") == "http://127.0.0.1:1/api/v1/models/a/b%20c%3Fd%23e/endpoints"
    for hostile in ("a/../../admin", "nomodel", "a//b", "./x"):
        with pytest.raises(BadResponse, match="cannot name an endpoints path"):
            endpoints_url(base, hostile)
