"""The command line: python -m catalog refresh|reset|show|export|cost|value|changes|import|providers ..."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from catalog import settings
from catalog.alerts.watch import Watchlist, load_watchlist
from catalog.alerts.webhook import check_webhook_url, notify_refresh
from catalog.catalog import Catalog
from catalog.errors import CatalogError
from catalog.fetch.saved import read_saved
from catalog.history.changes import KINDS
from catalog.history.record import parse_stamp
from catalog.history.view import changes_export_frame, format_table
from catalog.present.export import export_bytes, to_csv_bytes, to_json_bytes
from catalog.present.feed import ChangeQuery, atom_feed
from catalog.present.providers import EXPORT_FORMATS as PROVIDER_FORMATS
from catalog.present.providers import cheapest_first, export_providers
from catalog.present.terminal import printable, printable_lines
from catalog.pricing.cost import (
    EXPORT_FORMATS,
    Workload,
    cheapest_with_cost,
    cost_frame,
    export_costs,
    parse_utc_time,
)
from catalog.pricing.value import INDEXES, export_value, value_table

Command = Callable[[argparse.Namespace, Catalog], int]
PARQUET_MAGIC = b"PAR1"


def say(text: str, *, error: bool = False) -> None:
    """One line for a person, on stdout or stderr; third-party text in it cannot drive the terminal."""
    print(printable(text), file=sys.stderr if error else sys.stdout)


def cmd_refresh(args: argparse.Namespace, catalog: Catalog) -> int:
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
    snapshot = catalog.snapshot()
    if snapshot.notice:
        say(f"note: {snapshot.notice}", error=True)
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


def watchlist_of(args: argparse.Namespace) -> Watchlist:
    """The watch file given by --watch or CATALOG_WATCH_FILE; every change without one."""
    return load_watchlist(args.watch or settings.WATCH_FILE.value())


def cmd_reset(args: argparse.Namespace, catalog: Catalog) -> int:
    snapshot = catalog.reset()
    if snapshot.notice:
        say(f"note: {snapshot.notice}", error=True)
    say(f"{snapshot.count:,} models: {snapshot.describe_source()}")
    return 0


def cmd_show(args: argparse.Namespace, catalog: Catalog) -> int:
    snapshot = catalog.snapshot()
    if snapshot.notice:
        say(f"note: {snapshot.notice}", error=True)
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
    write_output(export_costs(costs, args.format), args.output, for_people=args.format == "table")
    return 0


def cmd_value(args: argparse.Namespace, catalog: Catalog) -> int:
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
    write_output(export_value(value, args.format), args.output, for_people=args.format == "table")
    return 0


def cmd_changes(args: argparse.Namespace, catalog: Catalog) -> int:
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
        data = format_table(events).encode("utf-8")
    write_output(data, args.output, for_people=args.format == "table")
    return 0


def cmd_import(args: argparse.Namespace, catalog: Catalog) -> int:
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


def iso_time(text: str) -> datetime:
    """An ISO-8601 date or time for the command line; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 date or time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def write_output(data: bytes, output: str | None, *, for_people: bool) -> None:
    """Write to the named file, or to standard output when none is named.

    Text for people, and any text bound for a terminal, has its control characters escaped; a
    CSV or JSON export written to a file or a pipe stays exactly as exported.
    """
    if output and output != "-":
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CatalogError(f"cannot write {output}: {error.strerror or error}") from None
        return
    if for_people or (sys.stdout.isatty() and not data.startswith(PARQUET_MAGIC)):
        data = printable_lines(data.decode("utf-8")).encode("utf-8")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m catalog",
        description="Fetch, store and export the OpenRouter model catalog.",
    )
    parser.add_argument(
        "--dir", help="catalog directory (default: $CATALOG_DIR, else the per-user data directory)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    refresh = commands.add_parser("refresh", help="fetch the whole live catalog and store it")
    refresh.add_argument(
        "--force", action="store_true", help="accept a response that shrinks the catalog under half"
    )
    refresh.add_argument(
        "--notify",
        metavar="URL",
        help="post the watched changes to this Slack or Discord webhook (default: $CATALOG_NOTIFY_URL)",
    )
    refresh.add_argument("--watch", metavar="FILE", help="watch file (default: $CATALOG_WATCH_FILE)")
    refresh.add_argument(
        "--providers",
        action="store_true",
        help="then fetch every model's hosting providers (one request per model)",
    )
    refresh.set_defaults(run=cmd_refresh)

    reset = commands.add_parser("reset", help="restore the bundled default model list")
    reset.set_defaults(run=cmd_reset)

    show = commands.add_parser("show", help="where the catalog came from, and models per provider")
    show.set_defaults(run=cmd_show)

    export = commands.add_parser("export", help="write the normalized catalog")
    export.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)

    cost = commands.add_parser(
        "cost",
        help="what a workload costs on every model, cheapest first",
        description="Price a workload on every model, exactly, cheapest first. Input tokens include the "
        "cached and cache-write tokens; output tokens include the reasoning tokens. Models with no "
        "number (variable price, not priced per token) come last with a reason; with --top they are "
        "left out.",
    )
    add_workload_arguments(cost)
    cost.add_argument("--top", type=int, help="only the K cheapest models with a cost")
    cost.add_argument("--format", choices=EXPORT_FORMATS, default="table")
    cost.add_argument("--output", "-o", help="file to write (default: standard output)")
    cost.set_defaults(run=cmd_cost)

    value = commands.add_parser(
        "value",
        help="a benchmark index against a workload's exact cost, and the frontier of best buys",
        description="List every model that has a fixed cost for the workload, fits it and has the chosen "
        "index, cheapest first. A model is on the frontier when no other listed model is at least as "
        "cheap and scores higher, or is cheaper and scores at least as high.",
    )
    value.add_argument("--index", choices=INDEXES, required=True, help="the Artificial Analysis index")
    add_workload_arguments(value)
    value.add_argument("--frontier-only", action="store_true", help="only the models on the frontier")
    value.add_argument("--exclude-free", action="store_true", help="leave free models out")
    value.add_argument("--format", choices=EXPORT_FORMATS, default="table")
    value.add_argument("--output", "-o", help="file to write (default: standard output)")
    value.set_defaults(run=cmd_value)

    changes = commands.add_parser("changes", help="models added, removed and repriced, refresh by refresh")
    changes.add_argument("--since", type=iso_time, help="only changes at or after this ISO-8601 time (UTC)")
    changes.add_argument("--until", type=iso_time, help="only changes before this ISO-8601 time (UTC)")
    changes.add_argument(
        "--kind", action="append", choices=KINDS, help="only this kind of change (repeat for several)"
    )
    changes.add_argument(
        "--author", action="append", help="only models of this author, e.g. openai (repeat for several)"
    )
    changes.add_argument("--watch", metavar="FILE", help="only the changes this watch file watches")
    changes.add_argument("--format", choices=("table", "csv", "json", "atom"), default="table")
    changes.add_argument("--output", "-o", help="file to write (default: standard output)")
    changes.set_defaults(run=cmd_changes)

    providers = commands.add_parser(
        "providers",
        help="every model's hosting providers, cheapest input price first within each model",
        description="Each model's hosting providers with their prices ($/1M tokens, USD per unit), "
        "quantization, limits, status, uptime (%%), latency (ms) and throughput (tokens/s), as the last "
        "`refresh --providers` stored them; a model whose request failed keeps its earlier rows, with "
        "their fetched_at.",
    )
    providers.add_argument("--model", help="only this model's providers (its full id)")
    providers.add_argument("--format", choices=PROVIDER_FORMATS, default="table")
    providers.add_argument("--output", "-o", help="file to write (default: standard output)")
    providers.set_defaults(run=cmd_providers)

    importer = commands.add_parser(
        "import",
        help="load saved /models responses into the change history as past refreshes",
        description="Load saved /models responses (any shape since 2024) into the change history as past "
        "refreshes, in order: each is dated by --as-of, else its newest model's created, else the file's "
        "modification time. The same file imported again adds nothing; a bad file changes nothing.",
    )
    importer.add_argument("files", nargs="+", metavar="FILE", help="a saved /models response")
    importer.add_argument(
        "--as-of",
        type=iso_time,
        action="append",
        metavar="DATE",
        help="when the file was saved (ISO-8601, UTC); once per file, in the order of the files",
    )
    importer.add_argument(
        "--apply-latest", action="store_true", help="also make the newest file the current catalog"
    )
    importer.set_defaults(run=cmd_import)
    return parser


def add_workload_arguments(parser: argparse.ArgumentParser) -> None:
    """The workload flags `cost` and `value` share (see `workload_of`)."""
    parser.add_argument("--input-tokens", type=int, required=True, help="prompt tokens per request (all)")
    parser.add_argument(
        "--output-tokens", type=int, required=True, help="completion tokens per request (all)"
    )
    parser.add_argument("--cached-input-tokens", type=int, default=0, help="of the input, read from cache")
    parser.add_argument("--reasoning-tokens", type=int, default=0, help="of the output, internal reasoning")
    parser.add_argument("--cache-write-tokens", type=int, default=0, help="of the input, written to cache")
    parser.add_argument("--images", type=int, default=0, help="input images per request")
    parser.add_argument("--web-searches", type=int, default=0, help="web searches per request")
    parser.add_argument("--requests", type=int, default=1, help="number of requests (default 1)")
    parser.add_argument("--utc-time", help="apply time-window prices at this UTC time (HHMM or HH:MM)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings.check_all()
        catalog = Catalog(args.dir)
        return args.run(args, catalog)
    except CatalogError as error:
        say(f"error: {error}", error=True)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        say("error: interrupted", error=True)
        return 130
    except Exception as error:  # noqa: BLE001 - the CLI promises one line, never a traceback
        say(f"error: unexpected {type(error).__name__}: {error}", error=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
