"""Writing for a person, a file or a pipe: third-party text never drives the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from catalog.errors import CatalogError
from catalog.present.terminal import printable, printable_lines

PARQUET_MAGIC = b"PAR1"


def say(text: str, *, error: bool = False) -> None:
    """One line for a person, on stdout or stderr; third-party text in it cannot drive the terminal."""
    print(printable(text), file=sys.stderr if error else sys.stdout)


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
