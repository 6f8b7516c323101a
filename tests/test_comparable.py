"""Which models have a comparable per-token price, and which ones a token workload ranks."""

from __future__ import annotations

from catalog.pricing.comparable import generates_text, has_comparable_price, ranked_models
from tests.payloads import frame_of, model


def _catalog():
    return frame_of(
        model("a/chat", "0.000001", "0.000002"),
        model("b/router", "-1", "-1"),
        model("c/free:free", "0", "0"),
        model("d/embed", "0.0000001", "0", outputs=("embeddings",)),
        model("e/image", "0", "0", outputs=("image",), image_output="0.00004"),
    )


def test_only_fixed_per_token_prices_are_comparable():
    models = _catalog()
    comparable = dict(zip(models["id"], has_comparable_price(models).tolist(), strict=True))
    assert comparable == {
        "a/chat": True,
        "b/router": False,  # variable: a router sets it per request
        "c/free:free": True,
        "d/embed": True,
        "e/image": False,  # priced per image, not per token
    }


def test_text_generation_is_read_from_the_outputs():
    models = _catalog()
    assert dict(zip(models["id"], generates_text(models).tolist(), strict=True)) == {
        "a/chat": True,
        "b/router": True,
        "c/free:free": True,
        "d/embed": False,
        "e/image": False,
    }


def test_a_workload_ranks_paid_text_models_unless_told_otherwise():
    models = _catalog()
    ranked = ranked_models(models, include_free=False, include_not_text=False)
    assert sorted(ranked.models["id"]) == ["a/chat", "b/router"]
    assert (ranked.free_left_out, ranked.not_text_left_out) == (1, 2)

    everything = ranked_models(models, include_free=True, include_not_text=True)
    assert len(everything.models) == 5
    assert (everything.free_left_out, everything.not_text_left_out) == (0, 0)

    with_free = ranked_models(models, include_free=True, include_not_text=False)
    assert sorted(with_free.models["id"]) == ["a/chat", "b/router", "c/free:free"]
