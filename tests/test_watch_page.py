"""Watched models on the page: a star in a model's details, kept in the URL; "Watched models only"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def shown_ids(at: AppTest) -> list[str]:
    return at.dataframe[0].value["ID"].tolist()


def url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_a_star_is_kept_in_the_url_and_watched_only_shows_the_starred_models():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["model"] = "openai/gpt-4o"
    at.run()
    assert not at.exception
    star = at.toggle(key="star:openai/gpt-4o")
    assert star.value is False

    star.set_value(True).run()
    assert not at.exception
    assert url_values(at, "watch") == ["openai/gpt-4o"]
    at.session_state["model"] = "google/gemini-2.5-pro"
    at.run()
    at.toggle(key="star:google/gemini-2.5-pro").set_value(True).run()
    assert url_values(at, "watch") == ["openai/gpt-4o", "google/gemini-2.5-pro"]

    at.checkbox(key="watched").check().run()
    assert not at.exception
    assert sorted(shown_ids(at)) == ["google/gemini-2.5-pro", "openai/gpt-4o"]

    at.toggle(key="star:google/gemini-2.5-pro").set_value(False).run()
    assert url_values(at, "watch") == ["openai/gpt-4o"]
    assert shown_ids(at) == ["openai/gpt-4o"]


def test_a_link_with_stars_opens_the_same_watched_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    watch = tmp_path / "watch.toml"
    watch.write_text('authors = ["mistralai"]\n', encoding="utf-8")
    monkeypatch.setenv("CATALOG_WATCH_FILE", str(watch))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["watch"] = "openai/gpt-4o,anthropic/claude-sonnet-4.5"
    at.query_params["watched"] = "true"
    at.run()
    assert not at.exception
    assert sorted(shown_ids(at)) == [
        "anthropic/claude-sonnet-4.5",
        "mistralai/codestral-2508",
        "mistralai/mistral-large-2411",
        "mistralai/mistral-medium-3.1",
        "mistralai/mistral-small-3.2-24b-instruct",
        "openai/gpt-4o",
    ]
