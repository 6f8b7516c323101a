"""How close the app is to its performance limits, as ratios measured side by side in one run.

    python bench/run.py [--quick] [--json FILE]

Figures on shared machines drift from run to run, so each one is the median of ratios of two
things timed alternately in the same run (the app's work over the least work that could give the
same result), or an absolute figure with a wide margin. See the README's "Performance" section.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/run.py`

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import streamlit as st  # noqa: E402
import streamlit.testing.v1.local_script_runner as local_script_runner  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.browser import measure_browser  # noqa: E402
from bench.pages import BARE_PAGE, PEAK_RSS_SCRIPT, PROVIDERS_RSS_SCRIPT, SKELETON_PAGE  # noqa: E402
from bench.synth import synthetic_catalog  # noqa: E402
from catalog.catalog import Catalog  # noqa: E402
from catalog.fetch.normalize import Normalized, normalize_models  # noqa: E402
from catalog.fetch.rawjson import loads_with_item_texts  # noqa: E402
from catalog.history.document import MAX_ENTRIES, HistoryDocument  # noqa: E402
from catalog.settings import CONCURRENCY  # noqa: E402
from catalog.storage.files import SETTLED_NS  # noqa: E402
from catalog.storage.interface import open_store  # noqa: E402
from catalog.storage.store import Store  # noqa: E402
from tests.moto_server import MotoServer  # noqa: E402
from tools.stand_in import StandIn  # noqa: E402
from views.cached import PAGE_STYLE  # noqa: E402

APP = ROOT / "streamlit_app.py"
REAL_CATALOG = ROOT.parent / "shared" / "data" / "openrouter" / "openrouter_models_2026-08_all.json"
SIZES = {"549": 549, "50k": 50_000}
NOWHERE = "http://127.0.0.1:9/api/v1"  # the page must not fetch anything while measured

# metric -> (target, unit, what it measures)
TARGETS: dict[str, tuple[float | None, str, str]] = {
    "normalize_ratio": (3.0, "x", "payload -> frame, over json.loads (worst size)"),
    "load_ratio": (1.3, "x", "Catalog load from the store, over bare read_table (worst size)"),
    "rerun_skeleton_ratio_549": (
        1.15,
        "x",
        "AppTest rerun, nothing changed, over the same widgets with no logic",
    ),
    "rerun_ratio_549": (None, "x", "AppTest rerun, nothing changed, over the bare st.dataframe page"),
    "rerun_ratio_50k": (1.5, "x", "AppTest rerun, nothing changed, over the bare st.dataframe page"),
    "stat_check_us": (100.0, "us", "Catalog.snapshot() when nothing changed"),
    "history_check_us": (100.0, "us", "Catalog.history() when nothing changed, 32 entries after the base"),
    "refresh_ms_549": (1000.0, "ms", "full refresh of 549 models from a local stand-in"),
    "rerun_ratio_s3_549": (
        1.05,
        "x",
        "AppTest rerun with the store on S3 (moto), over the same on a directory",
    ),
    "refresh_ratio_s3_549": (
        None,
        "x",
        "refresh of 549 models into S3 (moto), over the same into a directory",
    ),
    "poll_ms_s3": (
        None,
        "ms",
        "one poll of the S3 store (HEAD of the pointer and the history, LIST of its log)",
    ),
    "providers_ratio_549": (1.3, "x", "provider refresh of 549 models, 50 ms a request, over the ideal"),
    "peak_rss_mb_providers": (None, "MB", "peak memory of a process refreshing 549 models' providers"),
    "peak_rss_mb_50k": (None, "MB", "peak memory of a page process at 50,000 models"),
    "browser_session_ratio": (1.15, "x", "Chromium: a new session until the table shows, over the bare page"),
    "browser_filter_ratio": (1.3, "x", "Chromium: a search until its rerun ends, over the bare page"),
    "browser_tab_ratio": (1.5, "x", "Chromium: a tab switch and back, over plain st.tabs"),
    "browser_cold_ratio": (
        1.2,
        "x",
        "Chromium: a new server process until the table shows, over the bare page",
    ),
}


@dataclass(frozen=True)
class Repeats:
    normalize_549: int
    normalize_50k: int
    load_549: int
    load_50k: int
    rerun_549: int
    rerun_50k: int
    stat_rounds: int
    refreshes: int
    rerun_s3: int
    refreshes_s3: int
    polls: int
    browser: int
    browser_cold: int
    provider_refreshes: int


QUICK = Repeats(61, 3, 61, 15, 61, 25, 7, 7, 61, 9, 41, 7, 3, 3)
FULL = Repeats(101, 7, 101, 25, 101, 41, 15, 15, 101, 15, 101, 15, 5, 5)
ENDPOINT_LATENCY_S = 0.05  # added by the stand-in to every endpoints request, as a distant server would


@dataclass(frozen=True)
class Paired:
    """Two callables timed alternately: the median of their time ratios, and each median time."""

    ratio: float
    work_ms: float
    limit_ms: float
    repeats: int


def paired(work: Callable[[], Any], limit: Callable[[], Any], repeats: int, collect: bool = True) -> Paired:
    """Time `work` and `limit` alternately (which goes first alternates too); ratios of each pair.

    With `collect`, each call starts right after gc.collect(): no garbage left by the other call is
    charged to it, and memory is as after a collection (freed arenas given back), as for a refresh
    in a long-running server. Without, both run in the steady state of back-to-back calls.
    """
    ratios, work_times, limit_times = [], [], []
    for round_number in range(repeats):
        times = {}
        order = [("work", work), ("limit", limit)]
        for name, function in order if round_number % 2 == 0 else order[::-1]:
            if collect:
                gc.collect()
            start = time.perf_counter()
            function()
            times[name] = time.perf_counter() - start
        ratios.append(times["work"] / times["limit"])
        work_times.append(times["work"])
        limit_times.append(times["limit"])
    return Paired(
        ratio=statistics.median(ratios),
        work_ms=statistics.median(work_times) * 1e3,
        limit_ms=statistics.median(limit_times) * 1e3,
        repeats=repeats,
    )


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


# -- the measurements ------------------------------------------------------------------------------


def payload_to_frame(payload: str) -> Normalized:
    """What a refresh does with a response's text: parse it, keeping each model's text, and normalize."""
    parsed, model_texts = loads_with_item_texts(payload)
    return normalize_models(parsed["data"], model_texts)


def measure_normalize(payload: str, repeats: int, collect: bool = True) -> Paired:
    """The API payload (text) to the normalized frame, over json.loads of the same text alone."""
    return paired(lambda: payload_to_frame(payload), lambda: json.loads(payload), repeats, collect)


def measure_load(directory: Path, repeats: int) -> Paired:
    """A fresh Catalog's first snapshot (read from the store), over a bare read of the same Parquet file."""
    meta = Store(directory).read_meta()
    assert meta is not None
    path = directory / meta.models_file
    return paired(lambda: Catalog(directory).snapshot(), lambda: pq.read_table(path).to_pandas(), repeats)


def measure_rerun(directory: Path, repeats: int, limit_page: str = BARE_PAGE) -> tuple[Paired, Paired]:
    """A rerun of the page with nothing changed, over a rerun of `limit_page` showing the same table
    (the bare page; or the skeleton, the page's widgets without its logic).

    Two clocks on the same runs. AppTest's whole `run()` is the figure the target is set on: the
    script's run plus the harness's handling of every message it sent (where a server would
    serialize and send them), plus a fixed cost per run. The script's run on its own thread is
    the stricter figure: only running the page and building, serializing and hashing its messages.
    """
    os.environ["CATALOG_DIR"] = str(directory)
    st.cache_resource.clear()  # a Catalog cached for another directory must not be reused
    page = AppTest.from_file(str(APP), default_timeout=900)
    limit = limit_page.format(directory=str(directory), page_css=PAGE_STYLE)
    bare = AppTest.from_string(limit, default_timeout=900)
    with server_like_runs() as script_seconds:
        for app in (page, bare, page, bare):  # first runs fill the caches; second runs are reruns already
            app.run()
            assert not app.exception, app.exception
        shown, bare_shown = page.dataframe[0].value, bare.dataframe[0].value
        # The same table: if the page's table changes, BARE_PAGE must follow.
        assert list(shown.columns) == list(bare_shown.columns), (shown.columns, bare_shown.columns)
        assert shown.shape == bare_shown.shape, (shown.shape, bare_shown.shape)
        script: dict[str, list[float]] = {"page": [], "bare": []}
        wall: dict[str, list[float]] = {"page": [], "bare": []}
        for round_number in range(repeats):
            order = [("page", page), ("bare", bare)]
            for name, app in order if round_number % 2 == 0 else order[::-1]:
                gc.collect()
                start = time.perf_counter()
                app.run()
                wall[name].append(time.perf_counter() - start)
                script[name].append(script_seconds[-1])
    assert not page.exception, page.exception
    st.cache_resource.clear()
    return _paired_from(script["page"], script["bare"]), _paired_from(wall["page"], wall["bare"])


def _paired_from(work_times: list[float], limit_times: list[float]) -> Paired:
    return Paired(
        ratio=statistics.median(w / b for w, b in zip(work_times, limit_times, strict=True)),
        work_ms=statistics.median(work_times) * 1e3,
        limit_ms=statistics.median(limit_times) * 1e3,
        repeats=len(work_times),
    )


@contextlib.contextmanager
def server_like_runs() -> Iterator[list[float]]:
    """AppTest runs that compile the page once, as a server does; yields each script run's seconds.

    AppTest makes a new ScriptCache for every run, so it parses, rewrites ("magic") and compiles
    the page again each time: tens of milliseconds a server spends once per process, not per rerun.
    """
    shared = ScriptCache()
    seconds: list[float] = []
    run_script = local_script_runner.LocalScriptRunner._run_script

    def timed_run_script(runner: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return run_script(runner, *args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    made = local_script_runner.ScriptCache
    local_script_runner.ScriptCache = lambda: shared
    local_script_runner.LocalScriptRunner._run_script = timed_run_script
    try:
        yield seconds
    finally:
        local_script_runner.ScriptCache = made
        local_script_runner.LocalScriptRunner._run_script = run_script


def measure_stat_check(directory: Path, rounds: int) -> float:
    """Median microseconds of Catalog.snapshot() when the store has not changed."""
    catalog = Catalog(directory)
    catalog.snapshot()
    calls = 2000
    timer = timeit.Timer(catalog.snapshot)
    return statistics.median(timer.timeit(number=calls) / calls for _ in range(rounds)) * 1e6


def measure_history_check(rounds: int) -> float:
    """Median microseconds of Catalog.history() when the history has not changed, with as many
    entries after its base as a write lets stand (a stat of the base, one of the log's folder)."""
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        store = Store(scratch)
        history = HistoryDocument(store)
        with store.locked():
            for refreshes in range(MAX_ENTRIES + 1):  # the base, then 32 entries
                state, version = history.read_strict()
                history.write({**state, "refreshes": refreshes}, replacing=version, compact=False)
        catalog = Catalog(scratch)
        assert catalog.history().refreshes == MAX_ENTRIES
        # Within a second of a write each look lists the folder; after it, one stat does.
        time.sleep(SETTLED_NS / 1e9 + 0.1)
        calls = 2000
        timer = timeit.Timer(catalog.history)
        return statistics.median(timer.timeit(number=calls) / calls for _ in range(rounds)) * 1e6


def measure_refresh(body: dict[str, Any], refreshes: int) -> float:
    """Median milliseconds of a full refresh from a local stand-in, alternating two catalogs."""
    changed = json.loads(json.dumps(body))
    for model in changed["data"][::20]:  # a realistic refresh: a few prices moved
        pricing = model["pricing"]
        if pricing.get("prompt") not in (None, "0", "-1"):
            pricing["prompt"] = format(float(pricing["prompt"]) * 1.1, ".12f").rstrip("0")
    server = StandIn(body)
    api_base = server.start()
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as directory:
        catalog = Catalog(directory)
        try:
            catalog.refresh(api_base=api_base)  # from the bundled defaults to live: not timed
            for index in range(refreshes):
                server.set_payload(changed if index % 2 == 0 else body)
                gc.collect()
                start = time.perf_counter()
                catalog.refresh(api_base=api_base)
                times.append(time.perf_counter() - start)
        finally:
            server.stop()
    return statistics.median(times) * 1e3


@contextlib.contextmanager
def s3_bucket() -> Iterator[str]:
    """s3://<a new bucket>/catalog on a moto server of the bench's own, with dummy credentials."""
    with tempfile.TemporaryDirectory(prefix="bench-moto-") as scratch:
        server = MotoServer(Path(scratch) / "moto.log")
        server.start()
        saved = {key: os.environ.get(key) for key in (*server.environment(), "AWS_CONFIG_FILE")}
        os.environ.update(server.environment(), AWS_CONFIG_FILE=str(Path(scratch) / "no-config"))
        try:
            yield f"s3://{server.bucket()}/catalog"
        finally:
            server.stop()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def measure_rerun_s3(directory: Path, location: str, repeats: int) -> Paired:
    """A rerun of the page on an S3 store, over a rerun of the same page on a directory store.

    Both Catalogs hold the same 549 models. The page takes its Catalog from
    `views.cached.shared_catalog`, pointed at one or the other before each run (a server has one).
    """
    import views.cached

    catalogs = {"s3": Catalog(location), "local": Catalog(directory)}
    pages = {name: AppTest.from_file(str(APP), default_timeout=900) for name in catalogs}
    shared_catalog = views.cached.shared_catalog
    times: dict[str, list[float]] = {"s3": [], "local": []}
    try:
        with server_like_runs():
            for name in ("s3", "local", "s3", "local"):  # first runs load and fill the caches
                views.cached.shared_catalog = lambda name=name: catalogs[name]
                pages[name].run()
                assert not pages[name].exception, pages[name].exception
            assert pages["s3"].dataframe[0].value.shape == pages["local"].dataframe[0].value.shape
            for round_number in range(repeats):
                order = ["s3", "local"] if round_number % 2 == 0 else ["local", "s3"]
                for name in order:
                    views.cached.shared_catalog = lambda name=name: catalogs[name]
                    gc.collect()
                    start = time.perf_counter()
                    pages[name].run()
                    times[name].append(time.perf_counter() - start)
    finally:
        views.cached.shared_catalog = shared_catalog
    assert not pages["s3"].exception, pages["s3"].exception
    return _paired_from(times["s3"], times["local"])


def measure_refresh_s3(body: dict[str, Any], location: str, refreshes: int) -> Paired:
    """A refresh of the same models into S3 and into a directory, alternately, from one stand-in."""
    server = StandIn(body)
    api_base = server.start()
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as directory:
        s3, local = Catalog(location), Catalog(directory)
        try:
            s3.refresh(api_base=api_base)  # from the bundled defaults to live: not timed
            local.refresh(api_base=api_base)
            return paired(
                lambda: s3.refresh(force=True, api_base=api_base),
                lambda: local.refresh(force=True, api_base=api_base),
                refreshes,
            )
        finally:
            server.stop()


def measure_poll(location: str, polls: int) -> float:
    """Median milliseconds of one poll of an S3 store (two HEADs), as its thread makes every interval."""
    store = Catalog(location).store
    store.poll()
    times = []
    for _ in range(polls):
        start = time.perf_counter()
        store.poll()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


@contextlib.contextmanager
def stand_in_process(body: dict[str, Any], latency_s: float) -> Iterator[str]:
    """The stand-in in a process of its own (as a server is), adding `latency_s` to each endpoints
    request; yields its API base."""
    with tempfile.TemporaryDirectory(prefix="bench-stand-in-") as directory:
        payload = Path(directory) / "models.json"
        payload.write_text(json.dumps(body), encoding="utf-8")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "tools.stand_in", "--port", str(port), "--payload", str(payload),
             "--endpoint-latency-ms", str(latency_s * 1000)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            line = server.stdout.readline() if server.stdout else ""
            if "serving" not in line:
                raise RuntimeError(f"the stand-in did not start: {line!r}")
            yield f"http://127.0.0.1:{port}/api/v1"
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure_provider_refresh(body: dict[str, Any], refreshes: int) -> tuple[float, float, float]:
    """A provider refresh of every model, each request 50 ms at the server, over the ideal
    ceil(models / concurrency) x 50 ms: (median ratio, median ms, ideal ms)."""
    ideal_s = math.ceil(len(body["data"]) / CONCURRENCY.default) * ENDPOINT_LATENCY_S
    times = []
    with (
        stand_in_process(body, ENDPOINT_LATENCY_S) as api_base,
        tempfile.TemporaryDirectory(prefix="bench-providers-") as directory,
    ):
        catalog = Catalog(directory)
        catalog.refresh(api_base=api_base)
        for _ in range(refreshes):
            gc.collect()
            start = time.perf_counter()
            catalog.refresh_providers(api_base=api_base)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return median / ideal_s, median * 1e3, ideal_s * 1e3


def measure_provider_rss(body: dict[str, Any], providers: bool) -> float:
    """Peak memory (MB) of a fresh process refreshing the models, then (if asked) their providers."""
    with stand_in_process(body, 0.0) as api_base, tempfile.TemporaryDirectory() as directory:
        done = subprocess.run(
            [sys.executable, "-c", PROVIDERS_RSS_SCRIPT, directory, api_base, "yes" if providers else "no"],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=600, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the refreshing process failed:\n{done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def measure_peak_rss(directory: Path, page: str) -> float:
    """Peak resident memory (MB) of a fresh process that runs `page` twice on the store in `directory`."""
    script = PEAK_RSS_SCRIPT.format(nowhere=NOWHERE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(directory), page],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the page process failed:\n{done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


# -- the run ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "numpy": np.__version__,
        "streamlit": st.__version__,
    }


def write_store(location: Path | str, frame: pd.DataFrame) -> None:
    open_store(location).write(
        frame,
        source="live",
        fetched_at=datetime.now(UTC),
        api_base="http://127.0.0.1/bench",
        defaults_as_of=None,
    )


def run(quick: bool) -> dict[str, Any]:
    repeats = QUICK if quick else FULL
    results: dict[str, Any] = {"mode": "quick" if quick else "full", "machine": machine()}
    started = time.perf_counter()
    os.environ["OPENROUTER_API_BASE"] = NOWHERE
    os.environ.pop("OPENROUTER_API_KEY", None)
    os.environ.pop("OPENROUTER_CONCURRENCY", None)  # the ideal provider refresh assumes the default

    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        stores: dict[str, Path] = {}
        for label, count in SIZES.items():
            log(f"{count:,} synthetic models: generating, normalizing, storing")
            body = synthetic_catalog(count)
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))  # as the API sends it
            normalized = payload_to_frame(payload)
            assert len(normalized.frame) == count and not normalized.problems, normalized.problems[:3]
            stores[label] = Path(scratch) / f"store-{label}"
            write_store(stores[label], normalized.frame)
            del normalized
            if label == "549":
                body_549 = body  # for the refresh
            del body  # every gc.collect() would walk it
            log(f"{count:,} models: normalize vs json.loads")
            normalize = measure_normalize(payload, getattr(repeats, f"normalize_{label}"))
            results[f"normalize_ratio_{label}"] = normalize.ratio
            results[f"normalize_ms_{label}"] = normalize.work_ms
            results[f"json_loads_ms_{label}"] = normalize.limit_ms
            if label == "549":
                steady = measure_normalize(payload, repeats.normalize_549, collect=False)
                results["normalize_ratio_549_steady"] = steady.ratio
            del payload
        if REAL_CATALOG.exists():
            log("the real 2026-08 catalog: normalize vs json.loads")
            real = json.loads(REAL_CATALOG.read_text(encoding="utf-8"))
            payload = json.dumps(real, ensure_ascii=False, separators=(",", ":"))
            normalize = measure_normalize(payload, repeats.normalize_549)
            results["normalize_ratio_real"] = normalize.ratio
            results["real_catalog_models"] = len(real["data"])
        results["normalize_ratio"] = max(results[f"normalize_ratio_{label}"] for label in SIZES)

        for label in SIZES:
            log(f"{label} models: loading from the store vs bare read_table")
            load = measure_load(stores[label], getattr(repeats, f"load_{label}"))
            results[f"load_ratio_{label}"] = load.ratio
            results[f"load_ms_{label}"] = load.work_ms
            results[f"read_table_ms_{label}"] = load.limit_ms
        results["load_ratio"] = max(results[f"load_ratio_{label}"] for label in SIZES)

        for label in SIZES:
            log(f"{label} models: page rerun vs bare page rerun (AppTest)")
            script, wall = measure_rerun(stores[label], getattr(repeats, f"rerun_{label}"))
            results[f"rerun_ratio_{label}"] = wall.ratio
            results[f"rerun_ms_{label}"] = wall.work_ms
            results[f"bare_rerun_ms_{label}"] = wall.limit_ms
            results[f"rerun_script_ratio_{label}"] = script.ratio
            results[f"rerun_script_ms_{label}"] = script.work_ms
            results[f"bare_rerun_script_ms_{label}"] = script.limit_ms

        log("549 models: page rerun vs the same widgets with no logic (AppTest)")
        skeleton, skeleton_wall = measure_rerun(stores["549"], repeats.rerun_549, SKELETON_PAGE)
        results["rerun_skeleton_ratio_549"] = skeleton_wall.ratio
        results["rerun_skeleton_ms_549"] = skeleton_wall.limit_ms
        results["rerun_skeleton_script_ratio_549"] = skeleton.ratio

        log("Catalog.snapshot() with nothing changed")
        results["stat_check_us"] = measure_stat_check(stores["549"], repeats.stat_rounds)
        log("Catalog.history() with nothing changed, 32 entries after the base")
        results["history_check_us"] = measure_history_check(repeats.stat_rounds)
        log("refresh of 549 models from a local stand-in server")
        results["refresh_ms_549"] = measure_refresh(body_549, repeats.refreshes)
        log(f"provider refresh of 549 models, {ENDPOINT_LATENCY_S * 1000:g} ms a request, vs the ideal")
        ratio, work_ms, ideal_ms = measure_provider_refresh(body_549, repeats.provider_refreshes)
        results["providers_ratio_549"] = ratio
        results["providers_ms_549"] = work_ms
        results["providers_ideal_ms_549"] = ideal_ms
        results["providers_concurrency"] = CONCURRENCY.default
        log("peak memory of a process refreshing 549 models and their providers (and the models alone)")
        results["peak_rss_mb_providers"] = measure_provider_rss(body_549, providers=True)
        results["peak_rss_mb_providers_bare"] = measure_provider_rss(body_549, providers=False)
        with s3_bucket() as location:
            log("549 models: page rerun on S3 (moto) vs on a directory (AppTest)")
            write_store(location, pq.read_table(stores["549"] / "models-000001.parquet").to_pandas())
            rerun_s3 = measure_rerun_s3(stores["549"], location, repeats.rerun_s3)
            results["rerun_ratio_s3_549"] = rerun_s3.ratio
            results["rerun_ms_s3_549"] = rerun_s3.work_ms
            results["rerun_ms_local_549"] = rerun_s3.limit_ms
            log("549 models: refresh into S3 (moto) vs into a directory")
            refresh_s3 = measure_refresh_s3(body_549, location, repeats.refreshes_s3)
            results["refresh_ratio_s3_549"] = refresh_s3.ratio
            results["refresh_ms_s3_549"] = refresh_s3.work_ms
            results["refresh_ms_local_549"] = refresh_s3.limit_ms
            log("one poll of the S3 store")
            results["poll_ms_s3"] = measure_poll(location, repeats.polls)
        log("peak memory of a page process at 50,000 models (and of the bare page, for scale)")
        results["peak_rss_mb_50k"] = measure_peak_rss(stores["50k"], str(APP))
        results["peak_rss_mb_50k_bare"] = measure_peak_rss(
            stores["50k"], BARE_PAGE.format(directory=str(stores["50k"]))
        )

        log("549 models in Chromium: the page's server vs a bare page's server")
        results.update(measure_browser(stores["549"], NOWHERE, repeats.browser, repeats.browser_cold))

    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = {name: target for name, (target, _, _) in TARGETS.items() if target is not None}
    results["passed"] = all(results[name] <= target for name, target in results["targets"].items())
    return results


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table: metric, value, target, value / target, PASS or MISS."""
    lines = ["| metric | value | target | value / target | result |", "|---|---:|---:|---:|---|"]
    for name, (target, unit, _) in TARGETS.items():
        value = results[name]
        shown = f"{value:.2f}{unit}" if unit == "x" else f"{value:,.1f} {unit}"
        if target is None:
            bare = results.get(f"{name}_bare")
            what = "models only" if name == "peak_rss_mb_providers" else "bare page"
            note = f"{what}: {bare:,.0f} MB" if bare else ""
            lines.append(f"| {name} | {shown} | – | {note} | info |")
            continue
        goal = f"≤ {target:g}{unit}" if unit == "x" else f"≤ {target:g} {unit}"
        verdict = "PASS" if value <= target else "MISS"
        lines.append(f"| {name} | {shown} | {goal} | {value / target:.2f} | {verdict} |")
    return "\n".join(lines)


def details(results: dict[str, Any]) -> str:
    keys = [
        "normalize_ratio_549", "normalize_ratio_549_steady", "normalize_ratio_50k", "normalize_ratio_real",
        "normalize_ms_549",
        "json_loads_ms_549", "normalize_ms_50k", "json_loads_ms_50k", "load_ratio_549", "load_ratio_50k",
        "load_ms_549", "read_table_ms_549", "load_ms_50k", "read_table_ms_50k", "rerun_ms_549",
        "bare_rerun_ms_549", "rerun_ms_50k", "bare_rerun_ms_50k", "rerun_script_ratio_549",
        "rerun_script_ratio_50k", "rerun_script_ms_549", "bare_rerun_script_ms_549",
        "rerun_skeleton_ms_549", "rerun_skeleton_script_ratio_549", "browser_session_ms",
        "browser_session_bare_ms", "browser_filter_ms", "browser_filter_bare_ms", "browser_tab_ms",
        "browser_tab_bare_ms", "browser_cold_ms", "browser_cold_bare_ms", "rerun_ms_s3_549",
        "rerun_ms_local_549", "refresh_ms_s3_549", "refresh_ms_local_549",
        "providers_ms_549", "providers_ideal_ms_549",
    ]  # fmt: skip
    return "  ".join(f"{key}={results[key]:.2f}" for key in keys if key in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: about 5 minutes on 2 cores")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write every figure to FILE as JSON")
    args = parser.parse_args(argv)
    json_path = args.json.resolve() if args.json else None
    os.chdir(ROOT)  # the app's own .streamlit/config.toml applies (Streamlit reads it lazily), as served
    results = run(quick=args.quick)
    info = results["machine"]
    print(table(results))
    print()
    print(details(results))
    print(
        f"\n{info['cpu']}, {info['cores']} cores (load {info['load_average_at_start']} at start), "
        f"Python {info['python']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}, "
        f"streamlit {info['streamlit']}; {results['mode']} run, {results['seconds']:.0f} s"
    )
    if json_path:
        json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
