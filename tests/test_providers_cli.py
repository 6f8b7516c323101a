"""`refresh --providers` and `providers` as a user runs them, and the providers' ordering, summary,
filters and exports behind them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from catalog.fetch.endpoints import ENDPOINT_COLUMNS, endpoints_frame, parse_endpoints
from catalog.present.providers import (
    ProviderFilters,
    cheapest_first,
    export_providers,
    model_providers,
    models_meeting,
    provider_summary,
)
from tests import payloads
from tools.endpoint_payloads import endpoints_for
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
AT = datetime(2026, 12, 1, tzinfo=UTC)


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        timeout=120,
        check=False,
    )


def endpoints_of(
    model_id: str, *providers: tuple[str, str | None, str | None, dict[str, object]]
) -> pd.DataFrame:
    """A model's providers from (name, prompt, completion, extra fields)."""
    raw = []
    for name, prompt, completion, extra in providers:
        pricing = {k: v for k, v in (("prompt", prompt), ("completion", completion)) if v is not None}
        raw.append({"provider_name": name, "tag": name.lower(), "pricing": pricing, **extra})
    return endpoints_frame(parse_endpoints({"data": {"endpoints": raw}}, model_id, AT).rows)


def test_refresh_with_providers_then_every_provider_in_csv_with_exact_prices(stand_in: StandIn) -> None:
    stand_in.set_payload(payloads.catalog_of(25))
    done = run_cli("refresh", "--providers")
    assert done.returncode == 0, done.stderr
    expected = {
        (model_id, endpoint["provider_name"]): endpoint
        for model_id, model in stand_in.models_by_id.items()
        for endpoint in endpoints_for(model)
    }
    assert done.stdout.decode().splitlines() == [
        "25 models (was 53 bundled defaults)",
        f"providers: 25 models updated; {len(expected):,} providers in all",
    ]
    assert done.stderr == b""  # the progress line is for terminals only
    exported = run_cli("providers", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout.decode("utf-8"), newline="")))
    assert exported.returncode == 0 and len(rows) == len(expected)
    assert list(rows[0]) == [c for c in ENDPOINT_COLUMNS if c != "raw_json"]
    for row in rows:
        pricing = expected[(row["model_id"], row["provider_name"])]["pricing"]
        if pricing["prompt"] != "-1":  # type: ignore[index]
            assert Decimal(row["prompt_per_mtok"]) / 1_000_000 == Decimal(pricing["prompt"])  # type: ignore[index]
    # Cheapest prompt price first within each model.
    by_model: dict[str, list[float]] = {}
    for row in rows:
        if row["prompt_per_mtok"]:
            by_model.setdefault(row["model_id"], []).append(float(row["prompt_per_mtok"]))
    assert all(prices == sorted(prices) for prices in by_model.values())


def test_providers_of_one_model_as_json_and_an_unknown_model_in_one_line(stand_in: StandIn) -> None:
    assert run_cli("refresh", "--providers").returncode == 0
    model = stand_in.models_by_id["perplexity/sonar"]
    done = run_cli("providers", "--model", "perplexity/sonar", "--format", "json")
    records = json.loads(done.stdout)
    assert sorted(r["provider_name"] for r in records) == sorted(
        e["provider_name"] for e in endpoints_for(model)
    )
    assert all(json.loads(r["raw_json"])["provider_name"] == r["provider_name"] for r in records)
    missing = run_cli("providers", "--model", "nobody/nothing")
    assert missing.returncode == 1
    assert missing.stderr.decode() == "error: no model 'nobody/nothing' in the catalog\n"


def test_before_any_provider_refresh_the_command_says_how_to_get_them() -> None:
    done = run_cli("providers")
    assert done.returncode == 0
    assert done.stdout.decode() == "no providers\n"
    assert "run `python -m catalog refresh --providers`" in done.stderr.decode()


def test_cheapest_first_with_unpriced_last_and_the_summary_per_model() -> None:
    endpoints = pd.concat(
        [
            endpoints_of(
                "a/one",
                ("Groq", "0.000002", "0.000003", {"throughput_last_30m": {"p50": 300}}),
                ("Chutes", "0.0000005", "0.000001", {"throughput_last_30m": {"p50": 40}}),
                ("Nowhere", None, None, {}),
                ("Baseten", "0.0000005", "0.0000009", {}),
            ),
            endpoints_of("b/two", ("Solo", "0.000001", "0.000001", {})),
        ],
        ignore_index=True,
    )
    ordered = cheapest_first(endpoints, ["b/two", "a/one"])
    assert ordered["provider_name"].tolist() == ["Solo", "Baseten", "Chutes", "Groq", "Nowhere"]
    summary = provider_summary(endpoints)
    assert summary.loc["a/one", "providers"] == 4
    assert summary.loc["a/one", "cheapest_provider"] == "Baseten"
    assert summary.loc["a/one", "cheapest_prompt_per_mtok"] == 0.5
    assert summary.loc["a/one", "cheapest_completion_per_mtok"] == 0.9
    assert summary.loc["a/one", "best_throughput_tps"] == 300.0
    shown = model_providers(endpoints, "a/one")
    assert shown["Provider"].tolist() == ["Baseten", "Chutes", "Groq", "Nowhere"]
    assert shown["Status"].tolist() == ["unknown"] * 4


def test_a_model_passes_the_provider_filters_when_one_provider_meets_them_all() -> None:
    endpoints = pd.concat(
        [
            endpoints_of(
                "a/one",
                ("Groq", "0.000001", "0.000001", {"quantization": "fp8", "uptime_last_1d": 99.5}),
                ("Chutes", "0.000001", "0.000001", {"quantization": "bf16", "uptime_last_1d": 90}),
            ),
            endpoints_of("b/two", ("Groq", "0.000001", "0.000001", {"quantization": "bf16"})),
        ],
        ignore_index=True,
    )
    assert models_meeting(endpoints, ProviderFilters(providers=("Groq",))) == {"a/one", "b/two"}
    assert models_meeting(endpoints, ProviderFilters(providers=("Groq",), quantizations=("bf16",))) == {
        "b/two"
    }
    # Chutes is bf16 but below the uptime: no single provider of a/one meets both.
    assert models_meeting(endpoints, ProviderFilters(quantizations=("bf16",), min_uptime_pct=95)) == set()
    assert models_meeting(endpoints, ProviderFilters(min_uptime_pct=95)) == {"a/one"}


def test_provider_names_that_a_spreadsheet_would_run_are_made_inert_in_csv() -> None:
    endpoints = endpoints_of(
        "a/one", ('=HYPERLINK("x")', "0.000001", "0.000001", {}), ("@SUM(A1)", "0.000002", None, {})
    )
    rows = list(csv.DictReader(io.StringIO(export_providers(endpoints, "csv").decode(), newline="")))
    assert [r["provider_name"] for r in rows] == ['\'=HYPERLINK("x")', "'@SUM(A1)"]
    assert [r["prompt_per_mtok"] for r in rows] == ["1.0", "2.0"]
    table = export_providers(endpoints_of("a/one", ("Evil\x1b[31m", "0.000001", None, {})), "table").decode()
    assert "\x1b" not in table and "Evil\\x1b[31m" in table


def test_a_workload_is_priced_at_the_cheapest_provider_whose_limits_take_it() -> None:
    from catalog.fetch.normalize import normalize_models
    from catalog.pricing.cost import Workload
    from catalog.pricing.providers import at_cheapest_provider

    models = normalize_models(
        [payloads.model("a/one", "0.000001", "0.000002"), payloads.model("b/two", "0.000003", "0.000004")]
    ).frame
    endpoints = pd.concat(
        [
            endpoints_of(
                "a/one",
                ("Tiny", "0.0000001", "0.0000001", {"context_length": 8_000}),  # cheapest, but too small
                ("Mid", "0.0000008", "0.000002", {"context_length": 128_000}),
                ("Dear", "0.000002", "0.000003", {"context_length": 128_000}),
            ),
            endpoints_of("b/two", ("Short", "0.000001", "0.000001", {"max_completion_tokens": 100})),
        ],
        ignore_index=True,
    )
    workload = Workload(input_tokens=10_000, output_tokens=1_000, requests=1)
    priced = at_cheapest_provider(models, endpoints, workload)
    assert priced.provider == {"a/one": "Mid"}
    assert priced.no_provider == {"b/two": "no provider fits this workload (max output 100 < 1,000 tokens)"}
    pricing = json.loads(priced.models.set_index("id").at["a/one", "raw_json"])["pricing"]
    assert pricing == {"prompt": "0.0000008", "completion": "0.000002"}


def test_provider_prices_read_as_every_price_does_exact_dollars_in_the_details_and_the_text_table() -> None:
    endpoints = endpoints_of(
        "a/one",
        ("Cheap", "0.0000000208333333333333", "0.0000005", {}),
        ("Round", "0.0000025", "0.00001", {}),
        ("Router", "-1", "-1", {}),
    )
    shown = model_providers(endpoints, "a/one")
    assert shown["Input $/1M"].tolist() == ["$0.0208333333333333", "$2.50", "variable"]
    assert shown["Output $/1M"].tolist() == ["$0.50", "$10.00", "variable"]
    summary = provider_summary(endpoints)
    assert summary.loc["a/one", "cheapest_prompt_text"] == "$0.0208333333333333"
    table = export_providers(endpoints, "table").decode().splitlines()
    assert table[2].split()[3:5] == ["$0.0208333333333333", "$0.50"]
    assert table[3].split()[3:5] == ["$2.50", "$10.00"]
    assert table[4].split()[3:5] == ["variable", "variable"]
