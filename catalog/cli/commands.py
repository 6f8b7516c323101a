"""What each command does: `python -m catalog COMMAND` runs `cmd_COMMAND(args, catalog)`.

Each docstring is its command's `--help`: the first line the summary, the rest the description.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from catalog import settings
from catalog.alerts.watch import Watchlist, load_watchlist
from catalog.alerts.webhook import check_webhook_url, notify_refresh
from catalog.catalog import Catalog
from catalog.cli.output import say, write_output
from catalog.cli.tables import changes_text, costs_text, value_text
from catalog.errors import CatalogError
from catalog.fetch.saved import read_saved
from catalog.history.record import parse_stamp
from catalog.present.changes import changes_export_frame
from catalog.present.export import export_bytes, to_csv_bytes, to_json_bytes
from catalog.present.feed import ChangeQuery, atom_feed
from catalog.present.providers import cheapest_first, export_providers
from catalog.present.terminal import printable
from catalog.pricing.cost import Workload, cheapest_with_cost, cost_frame, export_costs, parse_utc_time
from catalog.pricing.value import export_value, value_table
from catalog.snapshot import Snapshot


def cmd_refresh(args: argparse.Namespace, catalog: Catalog) -> int:
    """fetch the whole live catalog and store it"""
    notify_url = args.notify or settings.NOTIFY_URL.value()
    if notify_url:
        notify_url = check_webhook_url(notify_url)
    watchlist = watchlist_of(args)  # a bad watch file stops here, before anything changes
    result = catalog.refresh(force=args.force)
    say(result.summary())
    if notify_url:
        # A webhook that fails never fails the refresh: it is said, and the exit status stays 0.
        say(notify_refresh(catalog, result, notify_url, watchlist))
    if args.providers:
        providers = catalog.refresh_providers(progress=progress_line if sys.stderr.isatty() else None)
        say(f"providers: {providers.summary()}")
    return 0


def progress_line(done: int, total: int) -> None:
    """'312 of 549 models' on one line of a terminal, rewritten as it goes."""
    end = "\n" if done >= total else ""
    print(f"\rproviders: {done:,} of {total:,} models", end=end, file=sys.stderr, flush=True)


def cmd_providers(args: argparse.Namespace, catalog: Catalog) -> int:
    """every model's hosting providers, cheapest input price first within each model

    Each model's hosting providers with their prices ($/1M tokens, USD per unit), quantization,
    limits, status, uptime (%), latency (ms) and throughput (tokens/s), as the last
    `refresh --providers` stored them; a model whose request failed keeps its earlier rows, with
    their fetched_at.
    """
    snapshot = noted_snapshot(catalog)
    endpoints = snapshot.endpoints
    if snapshot.endpoints_fetched_at is None:
        print("note: no providers yet; run `python -m catalog refresh --providers`", file=sys.stderr)
    if args.model is not None:
        if not snapshot.models["id"].eq(args.model).any():
            raise CatalogError(f"no model {args.model!r} in the catalog")
        endpoints = endpoints[endpoints["model_id"] == args.model]
    models = snapshot.models
    ordered = cheapest_first(endpoints, models["id"].tolist())
    not_per_token = set(models.loc[~models["token_priced"], "id"])
    data = export_providers(ordered, args.format, not_per_token)
    write_output(data, args.output, for_people=args.format == "table")
    return 0


def noted_snapshot(catalog: Catalog) -> Snapshot:
    """The catalog's snapshot; a notice about it (a damaged file set aside, ...) is said on stderr."""
    snapshot = catalog.snapshot()
    if snapshot.notice:
        say(f"note: {snapshot.notice}", error=True)
    return snapshot


def watchlist_of(args: argparse.Namespace) -> Watchlist:
    """The watch file given by --watch or CATALOG_WATCH_FILE; every change without one."""
    return load_watchlist(args.watch or settings.WATCH_FILE.value())


def cmd_reset(args: argparse.Namespace, catalog: Catalog) -> int:
    """restore the bundled default model list"""
    snapshot = catalog.reset()
    if snapshot.notice:
        say(f"note: {snapshot.notice}", error=True)
    say(f"{snapshot.count:,} models: {snapshot.describe_source()}")
    return 0


def cmd_show(args: argparse.Namespace, catalog: Catalog) -> int:
    """where the catalog came from, and models per provider"""
    snapshot = noted_snapshot(catalog)
    models = snapshot.models
    say(f"source:     {snapshot.describe_source()}")
    if snapshot.api_base:
        say(f"api base:   {snapshot.api_base}")
    say(f"directory:  {catalog.location}")
    say(f"generation: {snapshot.generation}")
    say(f"models:     {snapshot.count:,}")
    say("by provider:")
    counts = models["provider"].value_counts().sort_index(kind="stable")
    counts = counts.sort_values(ascending=False, kind="stable")
    providers = [printable(str(provider)) for provider in counts.index]
    width = max((len(provider) for provider in providers), default=0)
    for provider, count in zip(providers, counts, strict=True):
        say(f"  {provider:<{width}}  {count:>5,}")
    return 0


def cmd_export(args: argparse.Namespace, catalog: Catalog) -> int:
    """write the normalized catalog"""
    frame = catalog.snapshot().models
    write_output(export_bytes(frame, args.format), args.output, for_people=False)
    return 0


def workload_of(args: argparse.Namespace) -> Workload:
    """The workload described by the flags `add_workload_arguments` defines."""
    return Workload(
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        cached_input_tokens=args.cached_input_tokens,
        reasoning_tokens=args.reasoning_tokens,
        cache_write_tokens=args.cache_write_tokens,
        images=args.images,
        web_searches=args.web_searches,
        requests=args.requests,
    )


def cmd_cost(args: argparse.Namespace, catalog: Catalog) -> int:
    """what a workload costs on every model, cheapest first

    Price a workload on every model, exactly, cheapest first. Input tokens include the cached and
    cache-write tokens; output tokens include the reasoning tokens. Models with no number (variable
    price, not priced per token) come last with a reason; with --top they are left out.
    """
    workload = workload_of(args)
    if args.top is not None and args.top < 1:
        raise CatalogError(f"--top must be at least 1 (got {args.top})")
    costs = cost_frame(catalog.snapshot().models, workload, utc_time=parse_utc_time(args.utc_time))
    if args.top is not None:
        unpriced = int(costs["reason"].notna().sum())
        costs = cheapest_with_cost(costs, args.top)
        if unpriced:
            note = f"note: {unpriced:,} models without a cost left out (see them without --top)"
            say(note, error=True)
    data = costs_text(costs).encode("utf-8") if args.format == "table" else export_costs(costs, args.format)
    write_output(data, args.output, for_people=args.format == "table")
    return 0


def cmd_value(args: argparse.Namespace, catalog: Catalog) -> int:
    """a benchmark index against a workload's exact cost, and the frontier of best buys

    List every model that has a fixed cost for the workload, fits it and has the chosen index,
    cheapest first. A model is on the frontier when no other listed model is at least as cheap and
    scores higher, or is cheaper and scores at least as high.
    """
    snapshot = catalog.snapshot()
    value = value_table(
        snapshot.models,
        workload_of(args),
        args.index,
        utc_time=parse_utc_time(args.utc_time),
        exclude_free=args.exclude_free,
    )
    left_out = []
    if value.unscored:
        left_out.append(f"{value.unscored:,} without an {args.index} index")
    if value.unpriced:
        left_out.append(f"{value.unpriced:,} without a fixed cost for this workload")
    if value.free_left_out:
        left_out.append(f"{value.free_left_out:,} free")
    if left_out:
        say(f"note: models left out: {'; '.join(left_out)}", error=True)
    if args.frontier_only:
        value = replace(value, frame=value.frontier)
    data = value_text(value).encode("utf-8") if args.format == "table" else export_value(value, args.format)
    write_output(data, args.output, for_people=args.format == "table")
    return 0


def cmd_changes(args: argparse.Namespace, catalog: Catalog) -> int:
    """models added, removed and repriced, refresh by refresh"""
    history = catalog.history()
    if history.notice:
        say(f"note: {history.notice}", error=True)
    if history.is_empty:
        say("note: no change history yet; it starts with the first live refresh", error=True)
    query = ChangeQuery(
        since=args.since, until=args.until, kinds=tuple(args.kind or ()), authors=tuple(args.author or ())
    )
    events = query.select(history)
    if args.watch:  # only when asked: `changes` lists what /api/changes.json serves
        events = load_watchlist(args.watch).watched(events, catalog.snapshot().models)
    if args.format == "atom":
        data = atom_feed(history, query)
    elif args.format == "csv":
        data = to_csv_bytes(changes_export_frame(events))
    elif args.format == "json":
        data = to_json_bytes(changes_export_frame(events))
    else:
        data = changes_text(events).encode("utf-8")
    write_output(data, args.output, for_people=args.format == "table")
    return 0


def cmd_import(args: argparse.Namespace, catalog: Catalog) -> int:
    """load saved /models responses into the change history as past refreshes

    Load saved /models responses (any shape since 2024) into the change history as past refreshes,
    in order: each is dated by --as-of, else its newest model's created, else the file's
    modification time. The same file imported again adds nothing; a bad file changes nothing.
    """
    dates = args.as_of or []
    if dates and len(dates) != len(args.files):
        raise CatalogError(
            f"give --as-of once per file, in the order of the files ({len(args.files)} files, "
            f"{len(dates)} dates)"
        )
    saved = [read_saved(path, dates[i] if dates else None) for i, path in enumerate(args.files)]
    result = catalog.import_saved(saved, apply_latest=args.apply_latest)
    for placed in result.placed:
        response = placed.saved
        if placed.already_at is not None:
            when = _shown(placed.already_at)
            say(f"{response.name}: already imported, as the refresh of {when}; nothing added")
            continue
        if placed.changes is None:
            what = f"{response.count:,} models, the history's first refresh"
        else:
            what = placed.changes.describe(response.count)
        say(f"{response.at:%Y-%m-%d %H:%M} UTC  {response.name}: {what} (date {response.dated_by})")
        if placed.next_at is not None and placed.next_changes is not None:
            recomputed = placed.next_changes.describe(placed.next_count)
            say(f"  the refresh of {_shown(placed.next_at)} now compares with it: {recomputed}")
    history = result.history
    if history.baseline_at and history.last_refresh_at:
        say(
            f"history: {history.refreshes:,} refresh{'es' if history.refreshes != 1 else ''}, "
            f"{history.baseline_at:%Y-%m-%d} "
            f"to {history.last_refresh_at:%Y-%m-%d}"
        )
    if result.applied is not None:
        newest = max(saved, key=lambda response: response.at)
        say(f"current catalog: {result.applied.count:,} models from {newest.name}")
    return 0


def _shown(stamp: str) -> str:
    return f"{parse_stamp(stamp):%Y-%m-%d %H:%M} UTC"
