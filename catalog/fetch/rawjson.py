"""JSON parsing that also keeps the text of each model exactly as the response sent it.

The catalog stores every model's JSON (`raw_json`) so that prices are read exactly, from the
strings OpenRouter sent. Encoding each parsed model again costs about as much as parsing it;
slicing the response text while parsing costs nothing. Each item of the top-level `data` array is
parsed on its own by the standard library's decoder, and its span of the text is kept.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from typing import Any

_DECODER = json.JSONDecoder()
_SCAN = _DECODER.scan_once  # the decoder's scanner (C when available): value and end at an index
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.loads skips it
_BLANKS = frozenset(" \t\n\r")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a catalog's acyclic objects are built.

    Parsing and normalizing allocate a few hundred objects per model and free none, so the
    collector runs again and again, walking every object of the process, and finds nothing: at
    50,000 models that is half the time. Reference counting still frees everything as usual.
    The collector is process-wide: a thread that paused it turns it back on only if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _NotPlain(Exception):
    """The text is not an object to walk; json.loads parses it, or reports exactly what is wrong."""


def loads_with_item_texts(text: str, key: str = "data") -> tuple[Any, list[str] | None]:
    """`json.loads(text)`, and the text of each item of its top-level `key` array (None if no array).

    Raises json.JSONDecodeError exactly as json.loads does.
    """
    with paused_gc():
        try:
            return _walk_object(text, key)
        except (_NotPlain, json.JSONDecodeError):
            return json.loads(text), None  # raises the error json.loads raises, if there is one


def _walk_object(text: str, key: str) -> tuple[dict[str, Any], list[str] | None]:
    skip = _WHITESPACE.match
    decode = _DECODER.raw_decode
    position = skip(text, 0).end()
    if not text.startswith("{", position):
        raise _NotPlain
    position = skip(text, position + 1).end()
    result: dict[str, Any] = {}
    item_texts: list[str] | None = None
    if text.startswith("}", position):
        return result, None
    while True:
        if not text.startswith('"', position):
            raise _NotPlain
        name, position = decode(text, position)
        position = skip(text, position).end()
        if not text.startswith(":", position):
            raise _NotPlain
        position = skip(text, position + 1).end()
        if name == key and text.startswith("[", position):
            value, item_texts, position = _walk_array(text, position)
        else:
            value, position = decode(text, position)
            if name == key:  # a later duplicate key wins, as in json.loads
                item_texts = None
        result[name] = value
        position = skip(text, position).end()
        if text.startswith(",", position):
            position = skip(text, position + 1).end()
        elif text.startswith("}", position):
            break
        else:
            raise _NotPlain
    if skip(text, position + 1).end() != len(text):
        raise _NotPlain  # extra data after the object
    return result, item_texts


def _walk_array(text: str, position: int) -> tuple[list[Any], list[str], int]:
    """The array starting at `position`: its items, the text of each, and where it ends."""
    skip = _WHITESPACE.match
    scan = _SCAN
    items: list[Any] = []
    item_texts: list[str] = []
    position = skip(text, position + 1).end()
    if text.startswith("]", position):
        return items, item_texts, position + 1
    while True:
        try:
            item, end = scan(text, position)
        except StopIteration:
            raise _NotPlain from None
        items.append(item)
        item_texts.append(text[position:end])
        after = text[end : end + 1]
        if after == ",":  # as the API sends it: no whitespace
            position = end + 1
            if text[position : position + 1] in _BLANKS:
                position = skip(text, position).end()
            continue
        if after in _BLANKS:
            end = skip(text, end).end()
            after = text[end : end + 1]
            if after == ",":
                position = skip(text, end + 1).end()
                continue
        if after == "]":
            return items, item_texts, end + 1
        raise _NotPlain


MAX_NESTING = 32  # a model nests 4 deep (benchmarks.design_arena[i]); near 1,000 breaks the json module
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nested_deeper_than(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether the arrays and objects of the JSON `text` nest more than `limit` deep.

    One count when the text has no more than `limit` opening brackets (a model has a few dozen);
    otherwise the brackets outside strings are walked.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    # UTF-8 bytes of non-ASCII characters are all over 0x7f: none is taken for a bracket.
    brackets = _STRINGS.sub("", text).encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    depth = 0
    for bracket in brackets:
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
