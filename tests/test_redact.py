"""The API key and URL credentials: cleaned, refused without being shown, redacted in every echoed form."""

from __future__ import annotations

import pytest

from catalog.fetch.redact import clean_api_key, redact, url_credentials, without_credentials
from catalog.settings import SettingError

KEY = "sk-or-v1-0123abcdef/+="


@pytest.mark.parametrize("padded", [f"{KEY}\n", f"{KEY}\r\n", f" \t{KEY} "])
def test_surrounding_whitespace_is_stripped(padded: str) -> None:
    assert clean_api_key(padded) == KEY


@pytest.mark.parametrize("empty", [None, "", " \n"])
def test_an_empty_key_is_no_key(empty: str | None) -> None:
    assert clean_api_key(empty) is None


@pytest.mark.parametrize(
    "bad_key", ["sk-or\x1b]52;c;ZXZpbA==\x07", "sk-or-v1\nsecond-line", "sk-or-é-v1", "sk or v1", "sk-\x00"]
)
def test_control_and_non_ascii_characters_are_refused_without_echoing_the_key(bad_key: str) -> None:
    with pytest.raises(SettingError) as caught:
        clean_api_key(bad_key)
    message = str(caught.value)
    assert message == (
        "OPENROUTER_API_KEY holds a control character, space or non-ASCII character; "
        "it was not sent (copy the key again)"
    )


ESCAPED = "".join(f"\\u{ord(c):04x}" for c in KEY)


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        ESCAPED,
        ESCAPED.upper().replace("\\U", "\\u"),  # hex digits in capitals
        KEY[:5] + ESCAPED[6 * 5 : 6 * 9] + KEY[9:],  # some characters escaped, some not
        KEY.replace("/", "\\/"),
        "".join(f"%{ord(c):02X}" for c in KEY),
        "".join(f"%{ord(c):02x}" for c in KEY),
        "sk-or-v1-0123abcdef%2F%2B%3D",  # urllib's quote()
        "".join(f"\\u0025{ord(c):02x}" for c in KEY),  # URL-encoded, then JSON-escaped
    ],
    ids=["raw", "json", "json-upper", "json-partly", "json-slash", "url", "url-lower", "quote", "url-json"],
)
def test_every_echoed_form_is_redacted(echo: str) -> None:
    assert (
        redact(f'{{"description": "before {echo} after"}}', KEY)
        == '{"description": "before [API key] after"}'
    )


def test_text_without_the_key_is_unchanged() -> None:
    text = '{"id": "sk-or-v1-0123abcdef", "d": "50% off \\u00e9"}'
    assert redact(text, KEY, None, "") == text


def test_credentials_in_a_url_are_masked_and_found() -> None:
    url = "https://reader:p%40ss@openrouter.ai:8443/api/v1"
    assert without_credentials(url) == "https://***@openrouter.ai:8443/api/v1"
    assert url_credentials(url) == ("p%40ss", "p@ss", "reader")
    assert without_credentials("https://openrouter.ai/api/v1") == "https://openrouter.ai/api/v1"
