"""Hand-written /models payloads in each shape OpenRouter has used, one quirk per model.

The real responses are not part of the project; these carry the same quirks
(see the field guide to the API): the 2024 legacy shape, the 2025 shape with "0"
fields, the 2026 shape with omitted fields, overrides, "-1", long decimals and
models not priced per token.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pandas as pd

from catalog.fetch.normalize import normalize_models


def model(
    model_id: str,
    prompt: str = "0.000001",
    completion: str = "0.000002",
    *,
    name: str | None = None,
    outputs: tuple[str, ...] = ("text",),
    inputs: tuple[str, ...] = ("text",),
    context_length: int | None = 128000,
    created: int | None = 1767225600,
    parameters: tuple[str, ...] = ("max_tokens", "temperature", "tools", "tool_choice"),
    description: str = "A model for tests.",
    **pricing_extra: Any,
) -> dict[str, Any]:
    """One model object in the 2026 shape (zero-valued optional price fields omitted)."""
    author = model_id.split("/", 1)[0]
    return {
        "id": model_id,
        "canonical_slug": model_id.split(":", 1)[0],
        "name": name or f"{author.title()}: {model_id.split('/', 1)[-1]}",
        "created": created,
        "description": description,
        "context_length": context_length,
        "architecture": {
            "modality": "+".join(inputs) + "->" + "+".join(outputs),
            "input_modalities": list(inputs),
            "output_modalities": list(outputs),
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": prompt, "completion": completion, **pricing_extra},
        "top_provider": {
            "context_length": context_length,
            "max_completion_tokens": 16384,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": list(parameters),
        "default_parameters": {},
        "knowledge_cutoff": None,
        "expiration_date": None,
    }


def payload(models: list[dict[str, Any]], *, paged: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"data": models}
    if paged:
        body["total_count"] = len(models)
        body["links"] = {"next": None}
    return body


def legacy_2024() -> dict[str, Any]:
    """2024 shape: no `created`, no modality lists, "Infinity" limits, "-1" on four fields."""
    return {
        "data": [
            {
                "id": "openrouter/auto",
                "name": "Auto (best for prompt)",
                "description": "Routes each prompt to a suitable model.",
                "pricing": {"prompt": "-1", "completion": "-1", "request": "-1", "image": "-1"},
                "context_length": 128000,
                "architecture": {"modality": "text", "tokenizer": "Router", "instruct_type": None},
                "top_provider": {"max_completion_tokens": None, "is_moderated": False},
                "per_request_limits": None,
            },
            {
                "id": "mistralai/mistral-7b-instruct",
                "name": "Mistral: Mistral 7B Instruct",
                "description": "A 7B model; free in 2024 without a :free suffix.",
                "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
                "context_length": 32768,
                "architecture": {"modality": "text", "tokenizer": "Mistral", "instruct_type": "mistral"},
                "top_provider": {"max_completion_tokens": None, "is_moderated": False},
                "per_request_limits": {"prompt_tokens": "Infinity", "completion_tokens": "Infinity"},
            },
            {
                "id": "openai/gpt-4-vision-preview",
                "name": "OpenAI: GPT-4 Vision",
                "description": "Sees images.",
                "pricing": {"prompt": "0.00001", "completion": "0.00003", "request": "0", "image": "0.01445"},
                "context_length": 128000,
                "architecture": {"modality": "multimodal", "tokenizer": "GPT", "instruct_type": None},
                "top_provider": {"max_completion_tokens": 4096, "is_moderated": True},
                "per_request_limits": {"prompt_tokens": "1234.5", "completion_tokens": "411.5"},
            },
        ]
    }


def shape_2025() -> dict[str, Any]:
    """2025 shape: every model carries request, image, web_search, internal_reasoning, mostly "0"."""
    zeros = {"request": "0", "image": "0", "web_search": "0", "internal_reasoning": "0"}
    a = model("openai/gpt-4o-mini", "0.00000015", "0.0000006", input_cache_read="0.000000075", **zeros)
    b = model("meta-llama/llama-3.3-70b-instruct:free", "0", "0", **zeros)
    c = model(
        "anthropic/claude-sonnet-4",
        "0.000003",
        "0.000015",
        input_cache_read="0.0000003",
        input_cache_write="0.00000375",
        **zeros,
    )
    for item in (a, b, c):
        for key in ("expiration_date", "knowledge_cutoff"):
            item.pop(key)
    return {"data": [a, b, c]}


def shape_2026() -> dict[str, Any]:
    """2026 shape: zero fields omitted, overrides (tier and time window), long decimals, -1 routers,
    non-token models, extras the parser does not know, total_count and links."""
    models = [
        model(
            "google/gemini-2.5-pro",
            "0.00000125",
            "0.00001",
            input_cache_read="0.00000031",
            overrides=[{"min_prompt_tokens": 200000, "prompt": "0.0000025", "completion": "0.000015"}],
        ),
        model(
            "deepseek/deepseek-v3.2",
            "0.00000028",
            "0.00000042",
            overrides=[
                {"utc_start": 1630, "utc_end": 30, "prompt": "0.00000014", "completion": "0.00000021"}
            ],
        ),
        model("qwen/qwen3-long-decimals", "0.0000000208333333333333", "0.0000000833333333333333"),
        model("deepseek/deepseek-r1", "0.0000004", "0.000002", internal_reasoning="0.000002"),
        model("perplexity/sonar", "0.000001", "0.000001", request="0.005", web_search="0.005"),
        model("openrouter/auto", "-1", "-1", inputs=("text", "image")),
        model("openai/whisper-1", "0.006", "0", inputs=("audio",), outputs=("transcription",)),
        model(
            "openai/gpt-image-1",
            "0",
            "0",
            inputs=("text", "image"),
            outputs=("image",),
            image_output="0.00004",
        ),
        model("openai/text-embedding-3-small", "0.00000002", "0", outputs=("embeddings",)),
        model("x-ai/grok-4:free", "0", "0"),
    ]
    models[0]["reasoning"] = {"mandatory": False, "default_enabled": True}
    models[0]["benchmarks"] = {"something_new": [1, 2, 3]}
    models[0]["expiration_date"] = "2098-12-31"
    models[2]["hugging_face_id"] = None
    models[3]["hugging_face_id"] = ""
    return payload(models)


def catalog_of(count: int, *, seed: int = 7, prefix: str = "") -> dict[str, Any]:
    """A synthetic 2026-shape catalog of `count` models with a realistic mix of price fields."""
    rng = random.Random(seed)
    authors = [
        "openai",
        "anthropic",
        "google",
        "meta-llama",
        "mistralai",
        "deepseek",
        "qwen",
        "x-ai",
        "cohere",
        "amazon",
    ]
    models = []
    for index in range(count):
        author = authors[index % len(authors)]
        kind = rng.random()
        model_id = f"{author}/{prefix}model-{index:05d}"
        prompt = f"0.{'0' * rng.randint(5, 7)}{rng.randint(1, 99)}"
        completion = f"0.{'0' * rng.randint(5, 6)}{rng.randint(1, 99)}"
        if kind < 0.08:
            item = model(model_id + ":free", "0", "0")
        elif kind < 0.10:
            item = model(model_id, "-1", "-1")
        elif kind < 0.18:
            item = model(model_id, "0.0002", "0", inputs=("audio",), outputs=("transcription",))
        elif kind < 0.24:
            item = model(model_id, "0", "0", outputs=("image",), image_output="0.00003")
        elif kind < 0.36:
            item = model(
                model_id,
                prompt,
                completion,
                input_cache_read="0.0000001",
                overrides=[{"min_prompt_tokens": 200000, "prompt": "0.000004", "completion": "0.00002"}],
            )
        else:
            extra = {"internal_reasoning": completion} if kind > 0.9 else {}
            item = model(
                model_id,
                prompt,
                completion,
                context_length=rng.choice([8192, 32768, 131072, 1000000]),
                **extra,
            )
        item["created"] = 1700000000 + index * 3600
        models.append(item)
    return payload(models)


def scored(
    model_id: str,
    prompt: str,
    completion: str,
    *,
    intelligence: float | None = None,
    coding: float | None = None,
    agentic: float | None = None,
    arenas: list[tuple[str, str, int]] | None = None,
    reasoning: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A 2026-shape model with Artificial Analysis indexes, Design Arena Elos and a reasoning object."""
    raw = model(model_id, prompt, completion, **extra)
    benchmarks: dict[str, Any] = {}
    if intelligence is not None or coding is not None or agentic is not None:
        benchmarks["artificial_analysis"] = {
            "intelligence_index": intelligence,
            "coding_index": coding,
            "agentic_index": agentic,
        }
    if arenas is not None:
        benchmarks["design_arena"] = [
            {"arena": arena, "category": category, "elo": elo, "win_rate": 55.5, "rank": 3}
            for arena, category, elo in arenas
        ]
    if benchmarks:
        raw["benchmarks"] = benchmarks
    if reasoning is not None:
        raw["reasoning"] = reasoning
    return raw


def value_catalog() -> dict[str, Any]:
    """Models with scores and prices whose frontier is worked out by hand (tests/test_value.py).

    For 2,000 input and 500 output tokens (USD): tiny:free 0 (index 20), tiny 0.0004 (20),
    mid and mid-twin 0.004 (40, an exact tie), long 0.008 (55), top 0.0135 (70), pricey-dud 0.02
    (35). From 100,000 input tokens `long` pays its long-context tier: 10x its base price.
    small-context (index 90, context 2,048) cannot take the workload; unscored has no index.
    """
    long_tier = [{"min_prompt_tokens": 100000, "prompt": "0.00002", "completion": "0.00008"}]
    return payload(
        [
            scored("acme/tiny", "0.0000001", "0.0000004", intelligence=20, coding=15.5),
            scored("acme/tiny:free", "0", "0", intelligence=20, coding=15.5),
            scored(
                "acme/mid",
                "0.000001",
                "0.000004",
                intelligence=40.0,
                coding=35.2,
                agentic=30.1,
                reasoning={
                    "mandatory": False,
                    "default_enabled": True,
                    "default_effort": "medium",
                    "supported_efforts": ["low", "high", "medium"],
                },
                parameters=("max_tokens", "reasoning", "include_reasoning"),
            ),
            scored("acme/mid-twin", "0.000001", "0.000004", intelligence=40, coding=33),
            scored("acme/pricey-dud", "0.000005", "0.00002", intelligence=35.0, agentic=12),
            scored(
                "acme/long",
                "0.000002",
                "0.000008",
                intelligence=55.5,
                coding=50,
                agentic=44.4,
                overrides=long_tier,
                context_length=1000000,
            ),
            scored(
                "acme/top",
                "0.000003",
                "0.000015",
                intelligence=70.2,
                coding=68,
                agentic=61.3,
                arenas=[("models", "website", 1318), ("agents", "webapps", 1402), ("models", "svg", 1402)],
                reasoning={"mandatory": True, "default_enabled": True, "supported_efforts": None},
                parameters=("max_tokens", "reasoning"),
                context_length=1000000,
            ),
            scored("acme/small-context", "0.0000001", "0.0000001", intelligence=90, context_length=2048),
            scored(
                "acme/unscored",
                "0.00000005",
                "0.0000001",
                reasoning={"mandatory": False},
                arenas=[("models", "website", 1200)],
            ),
            model("openrouter/auto", "-1", "-1"),
        ]
    )


def realistic_catalog(now: float, *, before: bool = False) -> dict[str, Any]:
    """A catalog with what makes choosing hard: long and short context models, the cheapest of them
    unable to take a long prompt, a non-token model, long decimals, markdown in descriptions, a model
    listed on OpenRouter yesterday. `before=True` is the catalog a refresh earlier, with two models
    OpenRouter has since removed (both cheaper than any listed model). `now` is a Unix time."""
    day = 86_400
    models = [
        model(
            "tiny/short-context",
            "0.00000001",
            "0.00000002",
            name="Tiny: Short Context 8K",
            context_length=8192,
            description="Cheapest of all, for short prompts. See [Long Context](/long/context-1m).",
        ),
        model(
            "long/context-1m",
            "0.0000000208333333333333",
            "0.0000000833333333333333",
            name="Long: Context 1M",
            context_length=1_000_000,
            description="Reads a whole book. ![diagram](https://images.example/d.png) [paper](https://example.org/p)",
        ),
        model("mid/general", "0.0000003", "0.0000012", name="Mid: General", context_length=262_144),
        model("big/frontier", "0.000003", "0.000015", name="Big: Frontier", context_length=400_000),
        model(
            "audio/transcriber",
            "0.0001",
            "0",
            name="Audio: Transcriber",
            inputs=("audio",),
            outputs=("transcription",),
            context_length=None,
        ),
        model(
            "pixel/painter",
            "0",
            "0",
            name="Pixel: Painter",
            inputs=("text",),
            outputs=("image",),
            context_length=0,
            image_output="0.00004",
        ),
        model("fresh/newcomer", "0.0000005", "0.000002", name="Fresh: Newcomer", created=int(now - day)),
    ]
    for index, item in enumerate(models[:-1]):
        item["created"] = int(now - (400 - index) * day)
    if before:
        models += [
            model(
                "gone/old-cheap",
                "0.000000001",
                "0.000000001",
                name="Gone: Old Cheap",
                created=int(now - 900 * day),
            ),
            model("gone/old-free:free", "0", "0", name="Gone: Old Free", created=int(now - 800 * day)),
        ]
    return payload(models)


GEMINI_TIER = [{"min_prompt_tokens": 200000, "prompt": "0.0000025", "completion": "0.000015"}]


def frame_of(*models: dict[str, Any]) -> pd.DataFrame:
    """The normalized frame of the given model objects."""
    return normalize_models(list(models)).frame


CROSSING_MODELS = 18


def crossing_catalog(*, before: bool = False) -> dict[str, Any]:
    """Models whose order by cost flips with the workload, for charts that must follow the table.

    `cross/m01` .. `cross/m18`: input $0.05 x n and output $0.40 x (19 - n) per 1M tokens, so a chat
    ranks m18 first and a 250k prompt ranks m01 first. Beside them: `short/context-8k`, cheapest for a
    chat but unable to take a 250k prompt; `long/decimals`, whose prices have 15 significant digits
    (`before=True` lists it at $0.50 and $1.50, so its price has a history); a free model; an image
    model. Every model has an intelligence index (the Value tab plots it).
    """
    models = [
        scored(
            f"cross/m{n:02d}",
            f"{Decimal('0.00000005') * n:f}",
            f"{Decimal('0.0000004') * (CROSSING_MODELS + 1 - n):f}",
            name=f"Cross: Model {n:02d}",
            context_length=400_000,
            intelligence=10.0 + n,
        )
        for n in range(1, CROSSING_MODELS + 1)
    ]
    prices = (
        ("0.0000005", "0.0000015") if before else ("0.0000000208333333333333", "0.0000000833333333333333")
    )
    models += [
        scored("short/context-8k", "0.00000001", "0.00000002", context_length=8192, intelligence=5.0),
        scored("long/decimals", *prices, name="Long: Decimals", context_length=1_000_000, intelligence=50.0),
        scored("free/chat:free", "0", "0", name="Free: Chat", intelligence=8.0),
        model("pixel/painter", "0", "0", name="Pixel: Painter", outputs=("image",), image_output="0.00004"),
    ]
    return payload(models)


# Two catalogs in turn, for the tests of a store that has seen one refresh and is about to see another.
OLD_CATALOG = catalog_of(40, prefix="old-")
NEW_CATALOG = catalog_of(45, prefix="new-")
