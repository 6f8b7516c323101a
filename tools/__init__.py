"""Tools for working on the catalog: `python -m tools.stand_in` serves OpenRouter's /models locally."""
