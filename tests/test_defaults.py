"""The bundled default model list: it loads through the normalizer, is valid, and says what it holds."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from catalog.fetch.defaults import bundled_payload, default_models, defaults_as_of
from catalog.fetch.normalize import normalize_models
from catalog.pricing.fields import MILLION, PRICE_FIELDS, VARIABLE, read_price

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "catalog" / "fetch" / "defaults.json"
BUNDLED = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))


def test_the_bundled_models_load_without_a_problem():
    normalized = normalize_models(bundled_payload()["data"])
    assert normalized.problems == []
    frame = default_models()
    assert frame["id"].is_unique
    assert frame["id"].tolist() == [model["id"] for model in BUNDLED["data"]]


def test_count_and_as_of_date_are_the_files():
    assert len(default_models()) == len(BUNDLED["data"])
    assert defaults_as_of() == BUNDLED["as_of"]
    assert len(defaults_as_of()) == 10 and defaults_as_of()[4] == "-" and defaults_as_of()[7] == "-"


def test_every_bundled_price_parses_and_reaches_its_column_exactly():
    frame = default_models().set_index("id")
    for model in BUNDLED["data"]:
        for name, value in model["pricing"].items():
            field = PRICE_FIELDS.get(name)
            if field is None:
                continue  # "discount", "overrides": not a base price
            price = read_price(value)  # raises on anything that is not a price
            cell = frame.at[model["id"], field.column]
            if price == VARIABLE:
                assert bool(frame.at[model["id"], "variable_pricing"])
                continue
            expected = price * MILLION if field.per_token else price
            assert isinstance(price, Decimal)
            assert cell == float(expected), (model["id"], name, value, cell)


def test_each_call_gives_a_new_payload_object():
    first = bundled_payload()
    first["data"].clear()
    assert len(bundled_payload()["data"]) == len(BUNDLED["data"])
