"""The commands and their flags: `python -m catalog --help` and each `COMMAND --help` read from here."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from catalog.catalog import Catalog
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

    refresh = _command(commands, cmd_refresh)
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

    _command(commands, cmd_reset)
    _command(commands, cmd_show)
    add_output_arguments(_command(commands, cmd_export), ("csv", "json", "parquet"))

    cost = _command(commands, cmd_cost)
    add_workload_arguments(cost)
    cost.add_argument("--top", type=int, help="only the K cheapest models with a cost")
    add_output_arguments(cost, ("table", *EXPORT_FORMATS))

    value = _command(commands, cmd_value)
    value.add_argument("--index", choices=INDEXES, required=True, help="the Artificial Analysis index")
    add_workload_arguments(value)
    value.add_argument("--frontier-only", action="store_true", help="only the models on the frontier")
    value.add_argument("--exclude-free", action="store_true", help="leave free models out")
    add_output_arguments(value, ("table", *EXPORT_FORMATS))

    changes = _command(commands, cmd_changes)
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

    providers = _command(commands, cmd_providers)
    providers.add_argument("--model", help="only this model's providers (its full id)")
    add_output_arguments(providers, PROVIDER_FORMATS)

    importer = _command(commands, cmd_import)
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
    return parser


def _command(commands: Any, run: Callable[[argparse.Namespace, Catalog], int]) -> argparse.ArgumentParser:
    """The command `run` carries out, named after it (`cmd_cost`: cost); the first line of its
    docstring is the command's summary in `--help`, the rest its description."""
    summary, _, details = (run.__doc__ or "").partition("\n")
    parser = commands.add_parser(
        run.__name__.removeprefix("cmd_"), help=summary.strip(), description=" ".join(details.split()) or None
    )
    parser.set_defaults(run=run)
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
