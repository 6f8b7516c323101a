"""Synthetic `/models/{id}/endpoints` answers: 1 to 5 providers per model, deterministic per id.

Each model's first provider charges exactly the model's own `/models` price; the others charge it
times a factor (exact decimals, never floats), with quantizations, limits, uptime, latency and
throughput in the ranges OpenRouter reports, and nulls where the API has them. `price_epoch`
moves some providers' prices and adds or drops a provider on some models, as a day passing does.
"""

from __future__ import annotations

import hashlib
import json
import random
from decimal import Decimal
from typing import Any

PROVIDERS = (
    ("DeepInfra", "deepinfra"),
    ("Together", "together"),
    ("Fireworks", "fireworks"),
    ("Novita", "novita"),
    ("Groq", "groq"),
    ("Chutes", "chutes"),
    ("Parasail", "parasail"),
    ("Baseten", "baseten"),
    ("SiliconFlow", "siliconflow"),
    ("Nebius AI Studio", "nebius"),
)
QUANTIZATIONS = ("fp8", "bf16", "fp16", "fp4", "int4", "unknown", None)
PRICE_FACTORS = ("1", "0.8", "0.9", "1.2", "1.5")
PARAMETERS = ("max_tokens", "temperature", "top_p", "tools", "tool_choice", "response_format", "seed")


def model_seed(model_id: str) -> int:
    """A stable number per model id (the same in every process, unlike `hash`)."""
    return int.from_bytes(hashlib.sha256(model_id.encode("utf-8")).digest()[:8], "big")


def endpoints_for(model: dict[str, Any], price_epoch: int = 0) -> list[dict[str, Any]]:
    """The endpoint objects of one `/models` model object."""
    model_id = str(model.get("id"))
    seed = model_seed(model_id)
    rng = random.Random(seed)
    count = 1 + seed % 5
    if price_epoch and seed % 11 == price_epoch % 11:
        count = count % 5 + 1  # a provider joins (or, at five, all but one leave)
    names = rng.sample(PROVIDERS, count)
    pricing = model.get("pricing") if isinstance(model.get("pricing"), dict) else {}
    context = model.get("context_length") if isinstance(model.get("context_length"), int) else None
    slug = model_id.split("/", 1)[-1]
    endpoints = []
    for index, (provider_name, tag) in enumerate(names):
        factor = Decimal(PRICE_FACTORS[index % len(PRICE_FACTORS)])
        if price_epoch and index == 0 and seed % 7 == price_epoch % 7:
            factor *= Decimal("1.1")
        rng = random.Random(model_seed(f"{model_id} {tag}"))  # a provider's figures stay its own
        quantization = rng.choice(QUANTIZATIONS)
        has_traffic = rng.random() < 0.8
        endpoint: dict[str, Any] = {
            "name": f"{provider_name} | {slug}",
            "model_id": model_id,
            "model_name": model.get("name"),
            "context_length": context if index == 0 or context is None else context // (1 + index % 2),
            "pricing": _scaled_pricing(pricing, factor),
            "provider_name": provider_name,
            "tag": f"{tag}/{quantization}" if quantization and quantization != "unknown" else tag,
            "quantization": quantization,
            "max_completion_tokens": rng.choice((None, 4096, 16384, 32768, 65536)),
            "max_prompt_tokens": rng.choice((None, None, context)),
            "supported_parameters": sorted(rng.sample(PARAMETERS, rng.randint(2, len(PARAMETERS)))),
            "status": rng.choice((0, 0, 0, 0, 0, 0, -1, -2)),
            "uptime_last_5m": round(rng.uniform(90, 100), 2) if has_traffic else None,
            "uptime_last_30m": round(rng.uniform(95, 100), 2) if has_traffic else None,
            "uptime_last_1d": round(rng.uniform(97, 100), 2) if has_traffic else None,
            "supports_implicit_caching": rng.random() < 0.3,
            "latency_last_30m": _percentiles(rng, 300, 4000) if has_traffic else None,
            "throughput_last_30m": _percentiles(rng, 15, 250, reverse=True) if has_traffic else None,
        }
        if index == 0 and seed % 3 == 0:
            del endpoint["model_id"], endpoint["model_name"]  # "may be absent"
        endpoints.append(endpoint)
    return endpoints


def endpoints_response(model: dict[str, Any], price_epoch: int = 0) -> dict[str, Any]:
    """The whole response body for one model."""
    architecture = model.get("architecture") if isinstance(model.get("architecture"), dict) else {}
    return {
        "data": {
            "id": model.get("id"),
            "name": model.get("name"),
            "created": model.get("created"),
            "description": model.get("description"),
            "architecture": architecture,
            "endpoints": endpoints_for(model, price_epoch),
        }
    }


def endpoints_body(model: dict[str, Any], price_epoch: int = 0) -> bytes:
    return json.dumps(endpoints_response(model, price_epoch)).encode("utf-8")


def _scaled_pricing(pricing: dict[str, Any], factor: Decimal) -> dict[str, Any]:
    scaled: dict[str, Any] = {}
    for field, value in pricing.items():
        if field == "overrides" or not isinstance(value, str):
            continue
        try:
            number = Decimal(value)
        except ArithmeticError:
            continue
        if number == -1 or number == 0 or factor == 1:
            scaled[field] = value  # "-1" stays variable, "0" stays free
        else:
            scaled[field] = format((number * factor).normalize(), "f")
    if factor == Decimal("0.9"):
        scaled["discount"] = 0.1
    return scaled


def _percentiles(rng: random.Random, low: float, high: float, reverse: bool = False) -> dict[str, float]:
    values = sorted(rng.uniform(low, high) for _ in range(4))
    if reverse:
        values.reverse()  # throughput: p50 is the fastest of the four
    return dict(zip(("p50", "p75", "p90", "p99"), (round(v, 1) for v in values), strict=True))
