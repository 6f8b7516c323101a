"""The command line: python -m catalog refresh|reset|show|export|changes ..."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from catalog.catalog import Catalog
from catalog.changes import KINDS
from catalog.errors import CatalogError
from catalog.export import export_bytes, to_csv_bytes, to_json_bytes
from catalog.history import export_frame, format_table, load_history

Command = Callable[[argparse.Namespace, Catalog], int]


def cmd_refresh(args: argparse.Namespace, catalog: Catalog) -> int:
    result = catalog.refresh(force=args.force)
    print(result.summary())
    return 0


def cmd_reset(args: argparse.Namespace, catalog: Catalog) -> int:
    snapshot = catalog.reset()
    print(f"{snapshot.count:,} models: {snapshot.describe_source()}")
    return 0


def cmd_show(args: argparse.Namespace, catalog: Catalog) -> int:
    snapshot = catalog.snapshot()
    if snapshot.notice:
        print(f"note: {snapshot.notice}", file=sys.stderr)
    models = snapshot.models
    print(f"source:     {snapshot.describe_source()}")
    if snapshot.api_base:
        print(f"api base:   {snapshot.api_base}")
    print(f"directory:  {catalog.directory}")
    print(f"generation: {snapshot.generation}")
    print(f"models:     {snapshot.count:,}")
    print("by provider:")
    counts = models["provider"].value_counts().sort_index(kind="stable")
    counts = counts.sort_values(ascending=False, kind="stable")
    width = max((len(str(p)) for p in counts.index), default=0)
    for provider, count in counts.items():
        print(f"  {provider:<{width}}  {count:>5,}")
    return 0


def cmd_export(args: argparse.Namespace, catalog: Catalog) -> int:
    frame = catalog.snapshot().models
    write_output(export_bytes(frame, args.format), args.output)
    return 0


def cmd_changes(args: argparse.Namespace, catalog: Catalog) -> int:
    history = load_history(catalog.directory)
    if history.notice:
        print(f"note: {history.notice}", file=sys.stderr)
    if history.is_empty:
        print("note: no change history yet; it starts with the first live refresh", file=sys.stderr)
    events = history.events(since=args.since, until=args.until, kinds=args.kind)
    if args.format == "csv":
        data = to_csv_bytes(export_frame(events))
    elif args.format == "json":
        data = to_json_bytes(export_frame(events))
    else:
        data = format_table(events).encode("utf-8")
    write_output(data, args.output)
    return 0


def iso_time(text: str) -> datetime:
    """An ISO-8601 date or time for the command line; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 date or time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def write_output(data: bytes, output: str | None) -> None:
    """Write to the named file, or to standard output when none is named."""
    if output and output != "-":
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CatalogError(f"cannot write {output}: {error.strerror or error}") from None
    else:
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
    refresh.set_defaults(run=cmd_refresh)

    reset = commands.add_parser("reset", help="restore the bundled default model list")
    reset.set_defaults(run=cmd_reset)

    show = commands.add_parser("show", help="where the catalog came from, and models per provider")
    show.set_defaults(run=cmd_show)

    export = commands.add_parser("export", help="write the normalized catalog")
    export.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)
    changes = commands.add_parser("changes", help="models added, removed and repriced, refresh by refresh")
    changes.add_argument("--since", type=iso_time, help="only changes at or after this ISO-8601 time (UTC)")
    changes.add_argument("--until", type=iso_time, help="only changes before this ISO-8601 time (UTC)")
    changes.add_argument(
        "--kind", action="append", choices=KINDS, help="only this kind of change (repeat for several)"
    )
    changes.add_argument("--format", choices=("table", "csv", "json"), default="table")
    changes.add_argument("--output", "-o", help="file to write (default: standard output)")
    changes.set_defaults(run=cmd_changes)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        catalog = Catalog(args.dir)
        return args.run(args, catalog)
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the CLI promises one line, never a traceback
        print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
