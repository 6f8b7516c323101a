"""`python -m catalog ...`: the command line, whose commands live in `catalog.cli`."""

from __future__ import annotations

import sys

from catalog.cli import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
