"""Descriptions as plain text: markdown links to their text, relative links resolved, no images or HTML."""

from __future__ import annotations

from catalog.present.text import markdown_link, readable_description, resolve_link


def test_links_become_their_text_and_relative_ones_point_to_openrouter() -> None:
    described = readable_description(
        "Successor of [GPT-4 Turbo](/models/openai/gpt-4-turbo), see [Poolside](<https://poolside.ai/>)."
    )
    assert described.text == "Successor of GPT-4 Turbo, see Poolside."
    assert described.links == (
        ("GPT-4 Turbo", "https://openrouter.ai/models/openai/gpt-4-turbo"),
        ("Poolside", "https://poolside.ai/"),
    )


def test_images_become_their_alt_text_and_are_never_fetched() -> None:
    described = readable_description("Look: ![a diagram](https://images.example/d.png) **bold** end")
    assert described.text == "Look: a diagram bold end"
    assert described.links == ()


def test_html_stays_literal_text_and_unsafe_links_are_not_offered() -> None:
    described = readable_description(
        "<img src=x onerror=alert(1)> [click](javascript:alert(1)) [x](http://a.b)"
    )
    assert described.text == "<img src=x onerror=alert(1)> click x"  # shown with st.text: never markup
    assert described.links == ()
    assert resolve_link("#anchor") is None
    assert readable_description(None).text == ""


def test_markdown_links_are_built_safely() -> None:
    assert markdown_link("A [b]", "https://e.org/w_(x)") == r"[A \[b\]](https://e.org/w_%28x%29)"
