"""Synthetic /models payloads in the 2026 shape, with the mix of the real catalog, at any size.

The proportions (share of free, variable, batch and media models, which price fields appear,
tiers and time windows, description lengths, field presence) follow the real 2026 catalog;
every id, name, price and text is made up. Deterministic for a given (count, seed).
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from functools import lru_cache
from typing import Any

# Made-up authors: a few big ones take most models, as in the real catalog; more appear as it grows.
BIG_AUTHORS = ["openai", "qwen", "google", "anthropic", "mistralai", "nvidia", "z-ai", "deepseek"]
BIG_SHARE = [0.20, 0.11, 0.09, 0.05, 0.045, 0.033, 0.026, 0.024]
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "ix", "ul", "ne", "sa", "dri", "po", "qua", "zen"]

# Output modalities and their share of models (the rest is text).
OUTPUT_MIX = [
    (("image",), 0.062),
    (("embeddings",), 0.062),
    (("video",), 0.042),
    (("transcription",), 0.035),
    (("speech",), 0.033),
    (("image", "text"), 0.02),
    (("rerank",), 0.013),
    (("text", "audio"), 0.007),
]
INPUT_SETS = [
    (("text",), 0.38),
    (("text", "image"), 0.20),
    (("text", "image", "file"), 0.21),
    (("text", "image", "video"), 0.07),
    (("text", "image", "video", "file", "audio"), 0.05),
    (("text", "file"), 0.02),
    (("text", "image", "audio"), 0.07),
]
PARAMETERS = [
    ("max_tokens", 0.9), ("response_format", 0.77), ("temperature", 0.76), ("top_p", 0.73),
    ("seed", 0.71), ("structured_outputs", 0.65), ("tools", 0.63), ("tool_choice", 0.62),
    ("stop", 0.6), ("include_reasoning", 0.52), ("reasoning", 0.52), ("frequency_penalty", 0.51),
    ("presence_penalty", 0.5), ("top_k", 0.42), ("logprobs", 0.31), ("repetition_penalty", 0.31),
    ("top_logprobs", 0.31), ("logit_bias", 0.28), ("reasoning_effort", 0.26), ("min_p", 0.23),
    ("max_completion_tokens", 0.11), ("verbosity", 0.04), ("web_search_options", 0.035),
    ("top_a", 0.02), ("prediction", 0.02), ("parallel_tool_calls", 0.01),
]  # fmt: skip
CONTEXTS = [8192, 32768, 65536, 128000, 131072, 200000, 262144, 400000, 1000000, 1048576]
TOKENIZERS = ["Other", "GPT", "Qwen3", "Gemini", "Claude", "Mistral", "Llama3", "DeepSeek", "Grok"]
# $ per 1M tokens, as list prices tend to be; a few repeating decimals like real per-token prices.
PRICES_PER_MTOK = [
    "0.005", "0.01", "0.02", "0.04", "0.05", "0.075", "0.1", "0.12", "0.15", "0.2", "0.25", "0.3",
    "0.4", "0.45", "0.5", "0.6", "0.8", "1", "1.1", "1.25", "1.5", "2", "2.5", "3", "4", "5", "6",
    "8", "10", "12", "15", "20", "25", "30", "40", "60", "75", "150", "0.0208333333333333",
    "0.0833333333333333", "16.6667",
]  # fmt: skip
WEB_SEARCH = ["0.01", "0.01", "0.01", "0.014", "0.005", "0.0025"]
WORDS = [
    "model", "fast", "reasoning", "coding", "agent", "long", "context", "multimodal", "vision", "open",
    "weight", "dense", "mixture", "experts", "tuned", "instruction", "chat", "tasks", "tools",
    "structured", "output", "efficient", "latency", "quality", "multilingual", "support", "documents",
    "images", "audio", "video", "research", "enterprise", "workflows", "flexible", "thinking", "budget",
    "preview", "release", "stable", "throughput", "accuracy", "benchmark", "math", "science",
]  # fmt: skip
ACCENTED = ["déjà", "naïve", "—", "“quoted”", "façade", "münchen", "→", "½"]
MILLION = Decimal(1_000_000)


def synthetic_catalog(count: int, *, seed: int = 2026) -> dict[str, Any]:
    """A /models response body of `count` models, paged like the real one (total_count, links)."""
    rng = random.Random(seed)
    authors = _authors(count, rng)
    models = [_model(index, rng, authors) for index in range(count)]
    return {"data": models, "total_count": len(models), "links": {"next": None}}


def _authors(count: int, rng: random.Random) -> list[tuple[str, float]]:
    # ~77 authors at 549 models, growing with the square root of the catalog's size.
    small = max(2, round(77 * (count / 549) ** 0.5) - len(BIG_AUTHORS))
    names = set()
    while len(names) < small:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + rng.choice(["", "-ai"]))
    rest = (1 - sum(BIG_SHARE)) / small
    return list(zip(BIG_AUTHORS, BIG_SHARE, strict=True)) + [(name, rest) for name in sorted(names)]


def _pick(rng: random.Random, weighted: list[tuple[Any, float]], default: Any = None) -> Any:
    roll = rng.random()
    for value, share in weighted:
        if roll < share:
            return value
        roll -= share
    return default if default is not None else weighted[-1][0]


@lru_cache(maxsize=4096)
def _per_token(per_mtok: str, factor: str = "1") -> str:
    """A per-token price string as the API writes it: "0.45" per 1M -> "0.00000045"."""
    number = Decimal(per_mtok) * Decimal(factor) / MILLION
    return format(number.normalize(), "f")


def _description(rng: random.Random) -> str:
    # 62..336 characters, median ~210; most are cut with "..." as the API does; 14% not ASCII.
    target = min(336, max(62, int(rng.gauss(210, 45))))
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    if rng.random() < 0.14:
        words[rng.randrange(len(words) // 2)] = rng.choice(ACCENTED)
    text = " ".join(words)[:target].rstrip()
    return text + "..." if rng.random() < 0.7 else text.capitalize() + "."


def _model(index: int, rng: random.Random, authors: list[tuple[str, float]]) -> dict[str, Any]:
    author = _pick(rng, authors)
    family = "".join(rng.choice(SYLLABLES) for _ in range(2))
    slug = f"{author}/{family}-{index}-{rng.choice(['mini', 'pro', 'flash', 'instruct', '70b', 'v2'])}"
    if author in ("anthropic", "google") and rng.random() < 0.08:
        slug = "~" + slug  # the "latest" aliases
    outputs: tuple[str, ...] = _pick(rng, OUTPUT_MIX, ("text",))
    variable = outputs == ("text",) and rng.random() < 0.01
    if variable:
        author, slug = "openrouter", f"openrouter/router-{index}"
    variant = ""
    if outputs == ("text",) and not variable:
        roll = rng.random()
        variant = "free" if roll < 0.055 else "batch" if roll < 0.2 else "thinking" if roll < 0.202 else ""
    model_id = f"{slug}:{variant}" if variant else slug
    inputs = ("audio",) if outputs == ("transcription",) else _pick(rng, INPUT_SETS)
    pricing = _pricing(rng, outputs, variant, variable)
    media = outputs[0] in ("video", "transcription", "speech") or outputs == ("image",)
    context = 0 if media and rng.random() < 0.7 else rng.choice(CONTEXTS)
    parameters = [] if media else [p for p, share in PARAMETERS if rng.random() < share]
    created = 1_685_000_000 + int((rng.random() ** 0.6) * 101_700_000)
    item: dict[str, Any] = {
        "id": model_id,
        "canonical_slug": f"{slug.lstrip('~')}-{20230101 + index % 1200}",
        "hugging_face_id": f"{author.title()}/{family}-{index}" if rng.random() < 0.35 else "",
        "name": f"{author.replace('-', ' ').title()}: {family.title()} {index}"
        + (f" ({variant})" if variant else ""),
        "created": created,
        "description": _description(rng),
        "context_length": context,
        "architecture": {
            "modality": "+".join(inputs) + "->" + "+".join(outputs),
            "input_modalities": list(inputs),
            "output_modalities": list(outputs),
            "tokenizer": "Router" if variable else rng.choice(TOKENIZERS),
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": rng.choice([4096, 8192, 16384, 32768, 65536, 131072])
            if rng.random() < 0.68
            else None,
            "is_moderated": rng.random() < 0.26,
        },
        "per_request_limits": None,
        "supported_parameters": parameters,
        "default_parameters": _default_parameters(rng),
        "supported_voices": [f"voice-{n}" for n in range(rng.randint(2, 6))]
        if outputs == ("speech",)
        else None,
        "knowledge_cutoff": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.35
        else None,
        "expiration_date": rng.choice(["2098-12-31", "2026-12-31", "2027-03-31"])
        if rng.random() < 0.008
        else None,
        "links": {"details": f"/api/v1/models/{slug.lstrip('~')}/endpoints"},
    }
    if outputs == ("text",) and rng.random() < 0.7:
        item["reasoning"] = _reasoning(rng)
    if rng.random() < 0.43:
        item["benchmarks"] = _benchmarks(rng, item["pricing"].get("prompt"))
    if slug.startswith("~"):
        item["alias_target"] = {"name": item["name"], "slug": slug.lstrip("~") + "-latest"}
    return item


def _pricing(rng: random.Random, outputs: tuple[str, ...], variant: str, variable: bool) -> dict[str, Any]:
    if variable:
        return {"prompt": "-1", "completion": "-1"}
    kind = outputs[0] if len(outputs) == 1 else "+".join(outputs)
    prompt_mtok = rng.choice(PRICES_PER_MTOK[:30])
    completion_factor = rng.choice(["1", "2", "4", "5", "8"])
    if variant == "free":
        return {"prompt": "0", "completion": "0"}
    if kind in ("video", "rerank"):
        return {"prompt": "0", "completion": "0"}
    if kind in ("transcription", "speech"):
        return {
            "prompt": _per_token(rng.choice(["3.33", "16.6667", "50", "15", "6"]), "1"),
            "completion": "0",
        }
    if kind == "embeddings":
        pricing = {"prompt": _per_token(rng.choice(["0.02", "0.12", "0.13", "0.01"])), "completion": "0"}
        if rng.random() < 0.1:
            pricing.update(audio=pricing["prompt"], image=pricing["prompt"])
        return pricing
    if kind == "image":
        pricing = {
            "prompt": "0",
            "completion": "0",
            "image_output": _per_token(rng.choice(["30", "40", "8"])),
        }
        if rng.random() < 0.8:
            pricing["image_token"] = _per_token(rng.choice(["2.5", "5", "10"]))
        if rng.random() < 0.15:
            pricing["image"] = _per_token("2")
        return pricing
    # Text (and text+image, text+audio) models priced per token.
    factor = "0.5" if variant == "batch" else "1"
    prompt = _per_token(prompt_mtok, factor)
    pricing = {
        "prompt": prompt,
        "completion": _per_token(prompt_mtok, str(Decimal(completion_factor) * Decimal(factor))),
    }
    if rng.random() < 0.55:
        pricing["input_cache_read"] = _per_token(prompt_mtok, str(Decimal("0.1") * Decimal(factor)))
    if rng.random() < 0.16:
        pricing["input_cache_write"] = _per_token(prompt_mtok, str(Decimal("1.25") * Decimal(factor)))
        if rng.random() < 0.45:
            pricing["input_cache_write_1h"] = _per_token(prompt_mtok, str(Decimal(2) * Decimal(factor)))
    if rng.random() < 0.35:
        pricing["web_search"] = rng.choice(WEB_SEARCH)
    if rng.random() < 0.07:
        pricing["internal_reasoning"] = pricing["completion"]
    if rng.random() < 0.08:
        pricing["image"] = prompt
    if rng.random() < 0.08:
        pricing["audio"] = prompt
        if rng.random() < 0.75:
            pricing["input_audio_cache"] = _per_token(prompt_mtok, "0.1")
    if kind == "image+text":
        pricing["image_output"] = _per_token(rng.choice(["30", "40"]))
        pricing["image_token"] = _per_token("10")
    if kind == "text+audio":
        pricing["audio_output"] = _per_token("80")
    if rng.random() < 0.14:
        pricing["overrides"] = _overrides(rng, pricing)
    return pricing


def _overrides(rng: random.Random, pricing: dict[str, str]) -> list[dict[str, Any]]:
    """Long-context tiers (most) or UTC time windows: the conditional prices of `pricing`."""
    fields = [f for f in ("prompt", "completion", "input_cache_read", "input_cache_write") if f in pricing]
    if rng.random() < 0.13:
        start = rng.choice([1630, 1600, 2200])
        return [
            {
                "utc_start": start,
                "utc_end": (start + 800) % 2400,
                **{f: _scaled(pricing[f], "0.5") for f in fields},
            }
        ]
    count = rng.choices([1, 2, 4], weights=[54, 5, 2])[0]
    return [
        {"min_prompt_tokens": 128000 * (n + 1), **{f: _scaled(pricing[f], str(2 + n)) for f in fields}}
        for n in range(count)
    ]


@lru_cache(maxsize=4096)
def _scaled(price: str, factor: str) -> str:
    return format((Decimal(price) * Decimal(factor)).normalize(), "f")


def _default_parameters(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.39:
        return {}
    if roll < 0.85:
        return {"temperature": None, "top_p": None, "top_k": None, "frequency_penalty": None}
    return {"temperature": rng.choice([0.3, 0.7, 1]), "top_p": 0.95, "top_k": 20}


def _reasoning(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.4:
        return {"mandatory": False}
    return {
        "mandatory": rng.random() < 0.2,
        "default_enabled": True,
        "supported_efforts": ["high", "medium", "low"],
        "default_effort": "medium",
    }


def _benchmarks(rng: random.Random, prompt: Any) -> dict[str, Any]:
    """Scores in the 2026 shape: Design Arena results for most, Artificial Analysis's indexes for seven
    in ten (dearer models score higher, loosely, as in the real catalog; some indexes are null)."""
    try:
        per_mtok = float(Decimal(str(prompt)) * 1_000_000)
    except (ArithmeticError, ValueError):
        per_mtok = 0.0
    arenas = [
        {
            "arena": rng.choice(["agents", "models"]),
            "category": rng.choice(WORDS),
            "elo": rng.randint(900, 1500),
            "win_rate": round(rng.uniform(30, 80), 1),
            "rank": rng.randint(1, 40),
        }
        for _ in range(rng.choice([0, 0, 1, 3, 6, 7, 8, 12, 21]))
    ]
    scores: dict[str, Any] = {"design_arena": arenas}
    if rng.random() < 0.7:
        base = 38 + 9 * math.log10(max(per_mtok, 0.02))

        def index(spread: float) -> float:
            return round(min(max(base + rng.gauss(0, spread), 5.0), 80.0), 1)

        scores["artificial_analysis"] = {
            "intelligence_index": index(7) if rng.random() < 0.85 else None,
            "coding_index": index(10),
            "agentic_index": index(9) if rng.random() < 0.86 else None,
        }
    return scores
