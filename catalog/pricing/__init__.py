"""Pricing it: the one home of price knowledge, and what a workload costs on each model.

- `fields`: the price fields, their columns, units and labels, and how a listed value reads.
- `money`: dollars as text, exact (`usd`) and readable (`usd_short`).
- `listing`: a model's listed prices, read once from its raw JSON.
- `schedule`: the price each billed unit pays (fallbacks, long-context tiers, time windows).
- `fit`: which models can take a workload, with the reason.
- `comparable`: which models have a comparable per-token price, and which ones a token workload ranks.
- `cost`: a workload's exact cost per model; `calculator` and `compare`: the page's views of it.
- `providers`: a workload at each model's cheapest fitting provider.
- `value`: cost against score, and the frontier of best buys.
"""
