"""A workload priced at each model's hosting providers: the cheapest provider whose limits take it.

Each provider is priced by the same rules as a model (its own `pricing` object through
`cost_frame`), after the workload-fit rule of `catalog.pricing.fit` on the provider's own context
and output limits. A variable-priced provider has no number and is never the cheapest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from catalog.frames import is_in
from catalog.pricing.cost import Workload, cost_frame
from catalog.pricing.fit import fit_problems


@dataclass(frozen=True)
class AtProviders:
    """The models priced at their cheapest fitting provider, and those with no provider to price at."""

    models: pd.DataFrame  # the models with a fitting provider, `raw_json` priced as that provider
    provider: dict[str, str]  # model id -> the provider it is priced at
    no_provider: dict[str, str]  # model id -> why it has none ("no provider fits this workload", ...)


def at_cheapest_provider(
    models: pd.DataFrame, endpoints: pd.DataFrame, workload: Workload, *, utc_time: int | None = None
) -> AtProviders:
    """Each model of `models` as priced by its cheapest provider that can take one request of `workload`."""
    serving = endpoints[is_in(endpoints["model_id"], models["id"])].reset_index(drop=True)
    fits = pd.Series(
        fit_problems(serving, workload.input_tokens, workload.output_tokens),
        index=serving.index,
        dtype=object,
    )
    fitting = serving[fits.isna().to_numpy(bool) & ~serving["variable_pricing"].to_numpy(bool)]
    token_priced = dict(zip(models["id"], models["token_priced"], strict=True))
    candidates = pd.DataFrame(
        {
            "id": [str(i) for i in fitting.index],  # a provider row's own key; its model is looked up
            "name": fitting["provider_name"].fillna(fitting["tag"]).fillna("a provider").tolist(),
            "raw_json": [_as_model(raw) for raw in fitting["raw_json"]],
            "token_priced": [bool(token_priced[m]) for m in fitting["model_id"]],
        }
    )
    costs = cost_frame(candidates, workload, utc_time=utc_time)  # cheapest first
    cheapest: dict[str, int] = {}
    for key in costs.loc[costs["reason"].isna(), "id"]:
        cheapest.setdefault(str(fitting.at[int(key), "model_id"]), int(key))
    raws = dict(zip(models["id"], models["raw_json"], strict=True))
    chosen = models[models["id"].isin(list(cheapest))].copy()
    chosen["raw_json"] = [_priced_as(raws[m], fitting.at[cheapest[m], "raw_json"]) for m in chosen["id"]]
    provider = {m: str(candidates.at[fitting.index.get_loc(k), "name"]) for m, k in cheapest.items()}
    no_provider = {}
    for model_id in models["id"]:
        if model_id in cheapest:
            continue
        mine = serving["model_id"] == model_id
        if not mine.any():
            no_provider[model_id] = "no provider listed"
        elif fits[mine].notna().all():
            no_provider[model_id] = f"no provider fits this workload ({fits[mine].iloc[0]})"
        else:
            no_provider[model_id] = "no provider with a price for this workload"
    return AtProviders(chosen, provider, no_provider)


def _as_model(endpoint_json: str) -> str:
    """A provider's JSON in the shape `cost_frame` prices: a model with that provider's `pricing`."""
    raw = json.loads(endpoint_json)
    return json.dumps({"pricing": raw.get("pricing") if isinstance(raw, dict) else None})


def _priced_as(model_json: str, endpoint_json: str) -> str:
    """The model's JSON with the provider's `pricing` in place of its own."""
    model = json.loads(model_json)
    endpoint = json.loads(endpoint_json)
    model["pricing"] = endpoint.get("pricing") if isinstance(endpoint, dict) else None
    return json.dumps(model)
