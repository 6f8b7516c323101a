"""Keeping the API key and URL credentials out of everything a server's answer can reach.

A server (or a proxy before it) may echo the request back: the key raw, JSON-escaped
(`\\u0073\\u006b...`, each character or only some), or URL-encoded (`%73%6B...`). Every form is
replaced by "[API key]" in a response's text before it is parsed, so neither an error message nor
a stored model can carry it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from catalog.settings import SettingError

KEY_MARK = "[API key]"
CREDENTIALS_MARK = "***"


def clean_api_key(api_key: str | None) -> str | None:
    """The key without surrounding whitespace; None when empty. Never echoes the key in an error."""
    if api_key is None:
        return None
    api_key = api_key.strip()
    if not api_key:
        return None
    if not all("!" <= character <= "~" for character in api_key):
        # An HTTP header carries printable ASCII only; the key itself is never repeated in the error.
        raise SettingError(
            "OPENROUTER_API_KEY holds a control character, space or non-ASCII character; "
            "it was not sent (copy the key again)"
        )
    return api_key


def _hex_any_case(code: int, width: int) -> str:
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{code:0{width}x}")


@lru_cache(maxsize=8)
def _echo_pattern(secret: str) -> re.Pattern[str]:
    """Every form of `secret` a server can echo: raw, JSON-escaped or URL-encoded, mixed freely."""
    forms = []
    for character in secret:
        code = ord(character)
        alternatives = [re.escape(character), r"\\u" + _hex_any_case(code, 4)]
        if code < 0x100:
            alternatives.append(r"(?:%|\\u0025)" + _hex_any_case(code, 2))
        if character == "/":
            alternatives.append(r"\\/")
        forms.append("(?:" + "|".join(alternatives) + ")")
    return re.compile("".join(forms))


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every echoed form of each secret replaced by "[API key]"."""
    for secret in secrets:
        if secret:
            text = _echo_pattern(secret).sub(KEY_MARK, text)
    return text


def url_credentials(url: str) -> tuple[str, ...]:
    """The user name and password written into `url`, as written and decoded (for redaction)."""
    parts = urlsplit(url)
    found = []
    for value in (parts.password, parts.username):
        if value:
            found += [value, unquote(value)]
    return tuple(dict.fromkeys(found))


def without_credentials(url: str) -> str:
    """`url` with any `user:password@` replaced by `***@`: safe to store, show and put in errors."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.rpartition("@")[2] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(SplitResult(parts.scheme, f"{CREDENTIALS_MARK}@{host}", *parts[2:]))
