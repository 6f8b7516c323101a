"""Parsing that keeps each model's JSON text: the same result as json.loads, the same errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.fetch.rawjson import loads_with_item_texts
from tests import payloads

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
layouts = st.sampled_from(
    [
        {"separators": (",", ":"), "ensure_ascii": False},  # as OpenRouter sends it
        {},  # json.dumps' defaults: ", " and ": ", every non-ASCII character escaped
        {"indent": 2},
        {"indent": "\t", "separators": (" , ", " : ")},
    ]
)


def assert_texts_are_the_items(text: str, items: list[Any], texts: list[str]) -> None:
    assert [json.loads(item_text) for item_text in texts] == items
    position = 0
    for item_text in texts:  # each is a span of the text, in order, not a re-encoding
        position = text.index(item_text, position) + len(item_text)


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(json_values, max_size=6),
    others=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "data"), json_values, max_size=3),
    layout=layouts,
)
def test_any_object_parses_as_json_loads_parses_it(
    data: list[Any], others: dict[str, Any], layout: dict[str, Any]
) -> None:
    text = json.dumps({**others, "data": data}, **layout)
    parsed, texts = loads_with_item_texts(text)
    assert parsed == json.loads(text)
    assert texts is not None
    assert_texts_are_the_items(text, data, texts)


def test_a_model_keeps_its_text_exactly_as_sent() -> None:
    text = '  {"total_count": 2, "data" : [ {"id":"a/b", "pricing": {"prompt": "1e-6"}} ,\n{"id": "c/d"}]} '
    parsed, texts = loads_with_item_texts(text)
    assert parsed == json.loads(text)
    assert texts == ['{"id":"a/b", "pricing": {"prompt": "1e-6"}}', '{"id": "c/d"}']


def test_a_real_shaped_payload_round_trips() -> None:
    body = payloads.shape_2026()
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    parsed, texts = loads_with_item_texts(text)
    assert parsed == body
    assert texts == [json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in body["data"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"data": []}', []),
        ('{"data": {"id": "a/b"}}', None),  # not an array: nothing to keep
        ('{"data": [1], "data": "later"}', None),  # the later key wins, as in json.loads
        ('{"data": "earlier", "data": [{"id": "x"}]}', ['{"id": "x"}']),
        ('{"models": [{"data": [1, 2]}]}', None),  # only the top-level array counts
        ("[]", None),
        ('"text"', None),
        ("{}", None),
    ],
)
def test_what_is_kept_for_other_shapes(text: str, expected: list[str] | None) -> None:
    parsed, texts = loads_with_item_texts(text)
    assert parsed == json.loads(text)
    assert texts == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "<!DOCTYPE html><html>",
        '{"data": [{"id": "a/b"}',  # cut short
        '{"data": [{"id": "a/b"},]}',  # a trailing comma
        '{"data": [{"id": "a/b"} {"id": "c/d"}]}',
        '{"data": [1] "x": 2}',
        '{"data" [1]}',
        "{data: [1]}",
        '{"data": [1]} trailing',
        '{"data": [1]}{"data": [2]}',
        '{"data": [NaN-]}',
        '\ufeff{"data": []}',
        '{"a": 1,}',
    ],
)
def test_malformed_text_raises_what_json_loads_raises(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as raised:
        loads_with_item_texts(text)
    assert (raised.value.msg, raised.value.pos) == (expected.value.msg, expected.value.pos)
