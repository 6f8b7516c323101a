"""A provider refresh: every model's endpoints, fetched concurrently, kept when a request fails, stored
beside the models and seen by every process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import catalog.catalog as catalog_module
from catalog import Catalog
from catalog.errors import CatalogError, FetchError, StoreError
from catalog.history.view import load_history
from catalog.storage.store import Store
from tests import payloads
from tools.endpoint_payloads import endpoints_for
from tools.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[1]
EARLIER = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def forty_model_catalog(stand_in: StandIn, catalog_dir: Path) -> Catalog:
    """A live catalog of 40 synthetic models from the stand-in."""
    stand_in.set_payload(payloads.catalog_of(40))
    catalog = Catalog(catalog_dir)
    catalog.refresh()
    return catalog


def expected_rows(stand_in: StandIn, epoch: int = 0) -> dict[tuple[str, str], dict[str, object]]:
    """(model id, provider) -> the endpoint object the stand-in serves."""
    return {
        (model_id, endpoint["provider_name"]): endpoint
        for model_id, model in stand_in.models_by_id.items()
        for endpoint in endpoints_for(model, epoch)
    }


def per_million(value: object) -> float | None:
    return None if value is None else float(Decimal(str(value)) * 1_000_000)


def digest_files(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_every_model_gets_every_provider_with_exact_prices(
    forty_model_catalog: Catalog, stand_in: StandIn
) -> None:
    seen: list[tuple[int, int]] = []
    result = forty_model_catalog.refresh_providers(progress=lambda done, total: seen.append((done, total)))
    expected = expected_rows(stand_in)
    endpoints = forty_model_catalog.snapshot().endpoints
    assert result.summary() == f"40 models updated; {len(expected):,} providers in all"
    assert len(endpoints) == len(expected)
    for row in endpoints.itertuples(index=False):
        raw = expected[(row.model_id, row.provider_name)]
        pricing = raw["pricing"]
        assert isinstance(pricing, dict)
        if pricing.get("prompt") == "-1":
            assert row.variable_pricing and pd.isna(row.prompt_per_mtok)
        else:
            assert row.prompt_per_mtok == per_million(pricing["prompt"])
            assert row.completion_per_mtok == per_million(pricing["completion"])
        assert (None if pd.isna(row.quantization) else row.quantization) == raw["quantization"]
    assert seen[0] == (0, 40) and seen[-1] == (40, 40)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_failing_model_keeps_its_earlier_providers_with_their_age(
    forty_model_catalog: Catalog, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_module, "_now", lambda: EARLIER)
    forty_model_catalog.refresh_providers()
    monkeypatch.undo()
    monkeypatch.setenv("OPENROUTER_API_BASE", stand_in.api_base)
    before = forty_model_catalog.snapshot().endpoints
    failing, none_now, empty_now, limited = (
        stand_in.pick_models(3),
        stand_in.pick_models(1, "404"),
        stand_in.pick_models(1, "empty"),
        stand_in.pick_models(2, "429"),
    )
    assert len({*failing, *none_now, *empty_now, *limited}) == 7
    stand_in.retry_after = 0.2
    stand_in.set_endpoint_mode("status500", failing)
    stand_in.set_endpoint_mode("status404", none_now)
    stand_in.set_endpoint_mode("empty", empty_now)
    stand_in.set_endpoint_mode("rate_limited", limited, times=1)
    stand_in.price_epoch = 1

    result = forty_model_catalog.refresh_providers()

    assert result.summary().startswith("37 models updated, 3 kept from 2026-11-30: 500 from OpenRouter; ")
    after = forty_model_catalog.snapshot().endpoints
    kept = after[after["model_id"].isin(failing)]
    pd.testing.assert_frame_equal(
        kept.reset_index(drop=True), before[before["model_id"].isin(failing)].reset_index(drop=True)
    )
    assert set(kept["fetched_at"]) == {pd.Timestamp(EARLIER)}
    assert not after["model_id"].isin([*none_now, *empty_now]).any()
    fresh = after[~after["model_id"].isin(failing)]
    assert (fresh["fetched_at"] > pd.Timestamp(EARLIER)).all()
    expected = expected_rows(stand_in, epoch=1)
    for row in fresh.itertuples(index=False):
        if not row.variable_pricing:
            assert row.prompt_per_mtok == per_million(
                expected[(row.model_id, row.provider_name)]["pricing"]["prompt"]
            )  # type: ignore[index]
    assert set(limited) <= set(after["model_id"])


def test_a_429_holds_back_every_worker_for_its_retry_after(
    forty_model_catalog: Catalog, stand_in: StandIn
) -> None:
    stand_in.retry_after = 1.0
    stand_in.burst_429 = 1
    forty_model_catalog.refresh_providers()
    log = stand_in.endpoint_log
    limited_at = next(at for at, _, status in log if status == 429)
    # Requests already on their way may land just after the 429; none is sent while the pause lasts.
    during_pause = [model for at, model, _ in log if limited_at + 0.25 < at < limited_at + 1.0]
    assert during_pause == []
    assert forty_model_catalog.snapshot().endpoints["model_id"].nunique() == 40


def test_requests_are_bounded_by_the_concurrency_setting(
    forty_model_catalog: Catalog, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_CONCURRENCY", "3")
    stand_in.endpoint_latency_s = 0.02
    forty_model_catalog.refresh_providers()
    assert 1 <= stand_in.most_in_flight <= 3
    assert stand_in.requests["endpoints"] == 40


def test_a_model_still_unanswered_at_the_deadline_is_kept_and_named(
    forty_model_catalog: Catalog, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDERS_DEADLINE_S", "1.5")
    stand_in.slow_seconds = 4.0
    stand_in.set_endpoint_mode("slow", stand_in.pick_models(1))
    result = forty_model_catalog.refresh_providers()
    assert result.summary().startswith(
        "39 models updated, 1 with no providers known yet: not answered within 1.5 s; "
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "OPENROUTER_CONCURRENCY",
            "0",
            "OPENROUTER_CONCURRENCY='0' is not valid: expected a whole number from 1 to 64",
        ),
        (
            "OPENROUTER_CONCURRENCY",
            "eight",
            "OPENROUTER_CONCURRENCY='eight' is not valid: expected a whole number",
        ),
        (
            "OPENROUTER_PROVIDERS_DEADLINE_S",
            "-3",
            "OPENROUTER_PROVIDERS_DEADLINE_S='-3' is not valid: expected a number above 0",
        ),
    ],
)
def test_a_bad_setting_is_one_clear_error_and_changes_nothing(
    forty_model_catalog: Catalog,
    catalog_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    message: str,
) -> None:
    before = digest_files(catalog_dir)
    monkeypatch.setenv(name, value)
    with pytest.raises(CatalogError, match=message):
        forty_model_catalog.refresh_providers()
    assert digest_files(catalog_dir) == before


def test_when_no_model_answers_nothing_changes(forty_model_catalog: Catalog, catalog_dir: Path) -> None:
    forty_model_catalog.refresh_providers()
    before = digest_files(catalog_dir)
    with pytest.raises(FetchError, match=r"no model's providers could be fetched .*connection refused"):
        forty_model_catalog.refresh_providers(api_base="http://127.0.0.1:9/api/v1")
    assert digest_files(catalog_dir) == before


def test_a_failed_write_leaves_the_store_byte_identical(
    forty_model_catalog: Catalog, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digest_files(catalog_dir)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("catalog.storage.store.pq.write_table", full_disk)
    with pytest.raises(StoreError, match="No space left on device"):
        forty_model_catalog.refresh_providers()
    assert digest_files(catalog_dir) == before
    assert forty_model_catalog.snapshot().endpoints_count == 0


def test_a_models_refresh_keeps_the_providers_and_hides_those_of_removed_models(
    forty_model_catalog: Catalog, stand_in: StandIn
) -> None:
    forty_model_catalog.refresh_providers()
    counts = forty_model_catalog.snapshot().endpoints["model_id"].value_counts()
    smaller = payloads.catalog_of(40)
    gone = smaller["data"].pop()["id"]
    stand_in.set_payload(payloads.payload(smaller["data"]))
    forty_model_catalog.refresh()
    snapshot = forty_model_catalog.snapshot()
    assert snapshot.endpoints_count == counts.sum() - counts[gone]
    assert gone not in set(snapshot.endpoints["model_id"])
    reopened = Catalog(forty_model_catalog.directory).snapshot()
    assert reopened.endpoints_count == snapshot.endpoints_count


def test_another_process_sees_the_providers_on_its_next_snapshot(
    forty_model_catalog: Catalog, catalog_dir: Path
) -> None:
    reader = Catalog(catalog_dir)
    assert reader.snapshot().endpoints_count == 0
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "refresh", "--providers"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.decode().splitlines()[-1].startswith("providers: 40 models updated; ")
    snapshot = reader.snapshot()
    assert snapshot.endpoints_count > 40
    assert snapshot.endpoints_count == len(Store(catalog_dir).read_all().endpoints)  # type: ignore[union-attr]


def test_the_change_history_records_providers_added_removed_and_repriced(
    forty_model_catalog: Catalog, stand_in: StandIn
) -> None:
    first = forty_model_catalog.refresh_providers()
    assert first.summary().endswith(" providers in all")  # the baseline: nothing to compare with
    assert (
        forty_model_catalog.refresh_providers().summary().endswith(" providers in all; no provider changed")
    )
    before = expected_rows(stand_in, 0)

    def moved(epoch: int) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[tuple[str, str]]]:
        after = expected_rows(stand_in, epoch)
        both = before.keys() & after.keys()
        repriced = {key for key in both if before[key]["pricing"] != after[key]["pricing"]}
        return set(after.keys() - before.keys()), set(before.keys() - after.keys()), repriced

    # An epoch in which providers join, leave and change prices, all three.
    epoch = next(e for e in range(1, 60) if all(moved(e)))
    added, removed, repriced = moved(epoch)
    stand_in.price_epoch = epoch
    second = forty_model_catalog.refresh_providers()
    assert added and removed and repriced
    assert second.summary().endswith(
        f"{len(added)} provider(s) added, {len(removed)} removed, {len(repriced)} repriced"
    )
    events = load_history(forty_model_catalog.directory).events(
        kinds=["provider_added", "provider_removed", "provider_repriced"]
    )
    names = dict(
        zip(
            forty_model_catalog.snapshot().models["id"],
            forty_model_catalog.snapshot().models["name"],
            strict=True,
        )
    )
    assert {(r.id, r.name) for r in events.itertuples() if r.change == "provider_added"} == {
        (model_id, f"{names[model_id]} via {provider}") for model_id, provider in added
    }
    moves = events[events["change"] == "provider_repriced"]
    assert {(r.id, r.name.rsplit(" via ", 1)[1]) for r in moves.itertuples()} == repriced
    row = moves.iloc[0]
    key = (row["id"], row["name"].rsplit(" via ", 1)[1])
    assert row["field"] in before[key]["pricing"]  # type: ignore[operator]
    assert row["old_exact"] != row["new_exact"]


@pytest.mark.parametrize("point", ["endpoints_temp_created", "endpoints_temp_written", "endpoints_written"])
def test_a_provider_refresh_killed_while_writing_leaves_the_old_providers_or_the_new(
    forty_model_catalog: Catalog, catalog_dir: Path, stand_in: StandIn, point: str
) -> None:
    forty_model_catalog.refresh_providers()
    before = Store(catalog_dir).read_all()
    assert before is not None
    stand_in.price_epoch = 1
    killed = subprocess.run(
        [sys.executable, "-m", "catalog", "refresh", "--providers"],
        cwd=ROOT,
        env={**os.environ, "CATALOG_CRASH_AT": point},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -9
    after = Store(catalog_dir).read_all()
    assert after is not None and after.meta.endpoints_file is not None
    assert after.meta.generation == before.meta.generation + 1  # the models refresh before it landed
    assert after.endpoints["fetched_at"].equals(before.endpoints["fetched_at"])  # the old providers
    assert len(list(catalog_dir.glob(".*.tmp-*"))) <= 1
    assert forty_model_catalog.refresh_providers().summary().startswith("40 models updated; ")
    assert not list(catalog_dir.glob(".*.tmp-*"))


def test_importing_a_saved_response_keeps_the_provider_history(
    forty_model_catalog: Catalog, stand_in: StandIn, tmp_path: Path
) -> None:
    forty_model_catalog.refresh_providers()
    stand_in.price_epoch = 1
    forty_model_catalog.refresh_providers()
    history = load_history(forty_model_catalog.directory)
    before = history.events(kinds=["provider_added", "provider_removed", "provider_repriced"])
    assert len(before) > 0
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(payloads.catalog_of(40)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "import", str(saved), "--as-of", "2026-01-01"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    after = load_history(forty_model_catalog.directory)
    kept = after.events(kinds=["provider_added", "provider_removed", "provider_repriced"])
    pd.testing.assert_frame_equal(kept, before)
    assert after.last_refresh_at == history.last_refresh_at
