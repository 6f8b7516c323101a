"""Third-party text made readable without rendering it: model descriptions from markdown to plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urljoin

from catalog.present.table import escape_markdown
from catalog.present.terminal import printable

OPENROUTER_SITE = "https://openrouter.ai/"

# ![alt](src) and [text](target), the target optionally in <angle brackets> and followed by a "title".
_TARGET = r"\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"\n]*\")?\s*\)"  # one level of (parens) inside
_IMAGE = re.compile(r"!\[([^\]\n]*)\]" + _TARGET)
_LINK = re.compile(r"\[([^\]\n]+)\]" + _TARGET)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)


@dataclass(frozen=True)
class Description:
    """A description as plain text, and the links it held (each a (text, absolute https URL))."""

    text: str
    links: tuple[tuple[str, str], ...]


def readable_description(markdown: str | None) -> Description:
    """Markdown links become their text, images their alt text (never fetched), relative links are
    resolved against the OpenRouter site; HTML stays literal text for the caller to show as such."""
    links: list[tuple[str, str]] = []

    def link(match: re.Match[str]) -> str:
        text, url = match.group(1).strip(), resolve_link(match.group(2))
        if url and (text, url) not in links:
            links.append((text, url))
        return text

    text = _IMAGE.sub(lambda match: match.group(1).strip(), markdown or "")
    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _HEADING.sub("", text)
    return Description(text=text.strip(), links=tuple(links))


def resolve_link(target: str) -> str | None:
    """An absolute https URL for a link target: relative ones point into the OpenRouter site."""
    target = target.strip()
    if not target or target.startswith("#"):
        return None
    url = urljoin(OPENROUTER_SITE, target)
    if not url.startswith("https://"):
        return None  # http:, mailto:, javascript: and the like are not offered
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def markdown_link(text: str, url: str) -> str:
    """A safe markdown link: the text escaped, the URL with nothing markdown could read as syntax."""
    return f"[{escape_markdown(text)}]({url.replace('(', '%28').replace(')', '%29')})"


def ignored_values(at_start: Mapping[str, str], now: Mapping[str, str], keys: Iterable[str]) -> list[str]:
    """The link's values ("key=value") for `keys` that the page did not take: the widgets bound to
    the URL drop a value they cannot show (`max_in=nan`, an unknown author), and say nothing."""
    return [f"{key}={at_start[key]}" for key in keys if key in at_start and now.get(key) != at_start[key]]


def ignored_note(ignored: list[str]) -> str:
    """A small note naming the link's values that were not used (markdown, escaped: anyone's text)."""
    shown = ", ".join(printable(item[:60]) for item in ignored)
    return escape_markdown(f"Ignored in the link (not a usable value): {shown}")
