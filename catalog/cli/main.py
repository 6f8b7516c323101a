"""One run of the command line: parse, check the settings, run the command, and say any error in one line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from catalog import settings
from catalog.catalog import Catalog
from catalog.cli.output import say
from catalog.cli.parser import build_parser
from catalog.errors import CatalogError


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
