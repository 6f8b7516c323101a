"""One JSON value of a model (or provider) object -> one cell of its row.

Counts, fractions, texts and times are read leniently: a value of the wrong type or out of range is
an empty cell (with a note where a person should know). Prices are read exactly by
`catalog.pricing.fields.read_price` and kept in $ per 1M tokens for per-token fields.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from catalog.pricing.fields import MILLION, PRICE_COLUMNS, PRICE_FIELDS, VARIABLE, read_price

LIST_SEPARATOR = ", "  # a list-valued cell (modalities, parameters) is its items joined by this
# Outputs whose `prompt`/`completion` are not a price per text token (audio seconds, images, ...).
TOKEN_PRICED_OUTPUTS = frozenset({"text", "embeddings"})
NOT_TOKEN_PRICED_OUTPUTS = frozenset({"transcription"})
MEDIA_OUTPUTS = frozenset({"image", "video", "audio", "speech"})
INT64_MAX = 2**63 - 1
# API pricing field -> (its position in PRICE_COLUMNS, whether it is per token).
_PRICE_POSITIONS = {
    name: (position, field.per_token) for position, (name, field) in enumerate(PRICE_FIELDS.items())
}
_VARIABLE = object()  # a price of -1: set by a router per request

# One pricing object's price cells, by column name (`prompt_per_mtok`, ...); None where not listed.
Prices = NamedTuple("Prices", [(column, float | None) for column in PRICE_COLUMNS])  # type: ignore[misc]
NO_PRICES = Prices._make([None] * len(PRICE_COLUMNS))


def _compact_json_encoder() -> Callable[[Any], str]:
    """`json.dumps(o, ensure_ascii=False, separators=(",", ":"))`, made once for every raw_json.

    Encoding raw_json is the normalizer's biggest cost. json.dumps with options builds a new
    encoder, and JSONEncoder.encode a new C encoder, on every call: build the C encoder once (with
    the very arguments JSONEncoder passes it). Parsed JSON cannot be circular: no marker checks.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
    make_c_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_c_encoder is None:  # no C accelerator (e.g. another Python implementation)
        return encoder.encode
    try:
        c_encoder = make_c_encoder(
            None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
        )
    except TypeError:  # its private signature changed
        return encoder.encode
    join = "".join

    def encode(raw: Any) -> str:
        return join(c_encoder(raw, 0))

    sample = {"id": "a/b", "n": [1, 2.5, None, True], "t": 'é\n"', "o": {"x": -1e-07}}
    return encode if encode(sample) == encoder.encode(sample) else encoder.encode


encode_raw_json = _compact_json_encoder()


@lru_cache(maxsize=4096)
def _scaled(number: Decimal, per_million: bool) -> float:
    # Multiply in Decimal, round once: "0.00000045" -> 0.45 exactly, not 0.44999999999999996.
    return float(number * MILLION) if per_million else float(number)


def price_cells(pricing: dict[str, Any], notes: list[str]) -> tuple[Prices, bool]:
    """The PRICE_COLUMNS values of one pricing object (a model's or a provider's), and whether it is
    variable (a router's); each price it cannot read is left out, with a note."""
    prices: list[float | None] = [None] * len(PRICE_COLUMNS)
    variable = False
    ignored: list[tuple[int, str]] = []
    for api_field, value in pricing.items():  # only the fields present: most models have 2 to 5
        spec = _PRICE_POSITIONS.get(api_field)
        if spec is None or value is None:
            continue
        position, per_million = spec
        try:
            price = _price_value(value, per_million)
        except TypeError:  # unhashable (a list or an object): not cacheable, and not a price
            price = _price_value.__wrapped__(value, per_million)
        if price is _VARIABLE:
            variable = True  # set by a router at request time: not a negative price
        elif isinstance(price, str):
            ignored.append((position, f"pricing.{api_field} ignored: {price}"))
        else:
            prices[position] = price
    if ignored:
        notes.extend(note for _, note in sorted(ignored))  # in PRICE_FIELDS order
    if variable:
        # A router's price is decided per request: none of its numbers is a real price.
        return NO_PRICES, True
    return Prices._make(prices), variable


@lru_cache(maxsize=16_384, typed=True)
def _price_value(value: Any, per_million: bool) -> float | str | object:
    """One pricing value -> its float (per 1M tokens when per_million), _VARIABLE, or why it is ignored.

    Catalogs repeat a few hundred distinct price strings, so each is parsed once per process.
    """
    try:
        number = read_price(value)
    except ValueError as error:
        return str(error)
    if number == VARIABLE:
        return _VARIABLE
    scaled = _scaled(number, per_million)
    return "out of range" if math.isinf(scaled) else scaled


def modality_cells(architecture: dict[str, Any]) -> tuple[str, str, bool]:
    """(input_modalities, output_modalities, token_priced) of one architecture object."""
    inputs = architecture.get("input_modalities")
    outputs = architecture.get("output_modalities")
    modality = architecture.get("modality")
    if isinstance(inputs, list) and isinstance(outputs, list):
        key: tuple[Any, ...] = (tuple(inputs), tuple(outputs), None)
    else:
        key = (None, None, modality if isinstance(modality, str) else None)
    try:
        return _modality_text(*key)
    except TypeError:  # an unhashable item in a list: compute without the cache
        return _modality_text.__wrapped__(*key)


@lru_cache(maxsize=4096)
def _modality_text(
    inputs: tuple[Any, ...] | None, outputs: tuple[Any, ...] | None, modality: str | None
) -> tuple[str, str, bool]:
    input_set, output_set = _modalities(inputs, outputs, modality)
    token_priced = bool(output_set & TOKEN_PRICED_OUTPUTS) and not output_set & NOT_TOKEN_PRICED_OUTPUTS
    return LIST_SEPARATOR.join(sorted(input_set)), LIST_SEPARATOR.join(sorted(output_set)), token_priced


def parameters_cell(parameters: list[Any]) -> str:
    try:
        return _sorted_text(tuple(parameters))
    except TypeError:  # an unhashable item: compute without the cache
        return _sorted_text.__wrapped__(tuple(parameters))


@lru_cache(maxsize=4096)
def _sorted_text(values: tuple[Any, ...]) -> str:
    return LIST_SEPARATOR.join(sorted({v for v in values if isinstance(v, str)}))


def _modalities(
    inputs: tuple[Any, ...] | None, outputs: tuple[Any, ...] | None, modality: str | None
) -> tuple[set[str], set[str]]:
    if inputs is not None and outputs is not None:
        return {m for m in inputs if isinstance(m, str)}, {m for m in outputs if isinstance(m, str)}
    if isinstance(modality, str) and "->" in modality:
        left, _, right = modality.partition("->")
        return set(filter(None, left.split("+"))), set(filter(None, right.split("+")))
    if modality == "multimodal":  # 2024 shape: text and images in, text out
        return {"text", "image"}, {"text"}
    return {"text"}, {"text"}


def count_cell(value: Any, name: str, notes: list[str]) -> int | None:
    if type(value) is int and 0 <= value <= INT64_MAX:  # the usual case, first
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return None  # e.g. the 2024 "Infinity": no limit
    if not isinstance(value, int):
        notes.append(f"{name} ignored: {type(value).__name__}")
        return None
    if value < 0 or value > INT64_MAX:
        notes.append(f"{name} ignored: out of range")
        return None
    return value


def fraction_cell(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return abs(number) if 0 <= number <= 1 else None  # abs: never "-0.0"


def text_cell(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def unix_seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    # pandas stores nanoseconds: keep to years 1970..2262.
    return float(value) if 0 <= value < 9_200_000_000 else None


def date_seconds(value: Any) -> float | None:
    return _day_seconds(value) if isinstance(value, str) else None


@lru_cache(maxsize=1024)
def _day_seconds(value: str) -> float | None:
    try:
        day = datetime.strptime(value.strip()[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return unix_seconds(day.timestamp())
