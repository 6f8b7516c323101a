"""The command line: python -m catalog refresh|reset|show|export|cost|value|changes|import|providers ...

- `parser`: the commands and their flags. `commands`: what each command does.
- `tables`: the aligned text tables the commands print. `output`: writing for a person, a file or a pipe.
- `main`: one run, every error one line.
"""

from catalog.cli.main import main
from catalog.cli.parser import build_parser

__all__ = ["build_parser", "main"]
