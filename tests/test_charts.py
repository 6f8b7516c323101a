"""Chart data: only comparable per-token prices, with counts of what was left out."""

from __future__ import annotations

import pandas as pd

from catalog.fetch.normalize import normalize_models
from catalog.present.charts import cheapest, priced_models, provider_summary, scatter_points
from tests.payloads import catalog_of, model


def test_variable_and_non_token_models_are_left_out_and_counted() -> None:
    frame = normalize_models(
        [
            model("a/one", "0.000001", "0.000002"),
            model("openrouter/auto", "-1", "-1"),
            model("a/stt", "0.006", "0", outputs=("transcription",)),
            model("a/img", "0", "0", outputs=("image",)),
        ]
    ).frame
    priced = priced_models(frame)
    assert priced.frame["id"].tolist() == ["a/one"]
    assert (priced.variable, priced.not_token) == (1, 2)
    assert priced.note() == (
        "Left out of price charts: 1 variable-priced and 2 not priced per token (audio, image, video ...)."
    )
    assert (priced.frame[["prompt_per_mtok", "completion_per_mtok"]] >= 0).all().all()


def test_cheapest_ranks_text_models_and_skips_free_and_embeddings() -> None:
    frame = normalize_models(
        [
            model("a/pricey", "0.00001", "0.00003"),
            model("a/cheap", "0.0000001", "0.0000002"),
            model("a/free:free", "0", "0"),
            model("a/embed", "0.00000001", "0", outputs=("embeddings",)),
        ]
    ).frame
    top = cheapest(priced_models(frame).frame, "blended", 5)
    assert top["id"].tolist() == ["a/cheap", "a/pricey"]
    assert top["price"].iloc[0] == 0.75 * 0.1 + 0.25 * 0.2


def test_large_catalogs_are_sampled_and_say_so() -> None:
    frame = normalize_models(catalog_of(3000)["data"]).frame
    priced = priced_models(frame)
    points, note = scatter_points(priced.frame, limit=500)
    assert len(points) == 500
    assert "random sample of 500" in note
    summary = provider_summary(frame, priced.frame)
    assert summary["models"].sum() == len(frame)  # ten synthetic providers, all shown
    assert isinstance(summary, pd.DataFrame)
