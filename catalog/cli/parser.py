"""The commands and their flags: `python -m catalog --help` and each `COMMAND --help` read from here."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from catalog.cli.commands import (
    cmd_changes,
    cmd_cost,
    cmd_export,
    cmd_import,
    cmd_providers,
    cmd_refresh,
    cmd_reset,
    cmd_show,
    cmd_value,
)
from catalog.history.changes import KINDS
from catalog.present.providers import EXPORT_FORMATS as PROVIDER_FORMATS
from catalog.pricing.cost import EXPORT_FORMATS
from catalog.pricing.value import INDEXES


def iso_time(text: str) -> datetime:
    """An ISO-8601 date or time for the command line; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 date or time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


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
    add_output_arguments(export, ("csv", "json", "parquet"))
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
    add_output_arguments(cost, ("table", *EXPORT_FORMATS))
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
    add_output_arguments(value, ("table", *EXPORT_FORMATS))
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
    add_output_arguments(changes, ("table", "csv", "json", "atom"))
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
    add_output_arguments(providers, PROVIDER_FORMATS)
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


def add_output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """--format (the first of `formats` by default) and --output, as every command that writes data has."""
    parser.add_argument("--format", choices=formats, default=formats[0])
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")
