"""Third-party text made safe for a terminal: no escape sequence from a model id or name ever runs.

A model id can carry ESC sequences (OSC 52 writes the clipboard, CSI 2J clears the screen, OSC 0
sets the title), C1 controls, bidi overrides or line breaks. Each character that is not printable
is shown as its Python escape (`\\x1b`, `\\u202e`), so a reader sees what was sent and one line
stays one line.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` with every non-printable character (controls, line breaks, format characters) escaped."""
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else _escape(character) for character in text)


def printable_lines(text: str) -> str:
    """`text` made printable line by line: its own line ends (LF or CRLF) are kept, nothing else."""
    return "\n".join(_printable_line(line) for line in text.split("\n"))


def _printable_line(line: str) -> str:
    if line.endswith("\r"):
        return printable(line[:-1]) + "\r"
    return printable(line)


def _escape(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
