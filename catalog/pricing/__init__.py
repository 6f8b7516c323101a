"""Pricing it: exact price schedules and what a workload costs on each model.

- `schedule`: a model's `pricing` object as an exact schedule (fallbacks, tiers, time windows).
- `cost`: a workload's exact cost per model.
- `calculator`: the calculator's presets and inputs.
- `compare`: models side by side.
"""
