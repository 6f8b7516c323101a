"""What changed: the change rules, the change log recorded beside the catalog, and reading it back.

- `changes`: the rules (added, removed, repriced, re-tiered, rescored) and `diff_models`.
- `providers`: providers added, removed and repriced per model.
- `record`: folds each live refresh into the history, as one compare-and-swap on the store.
- `document`: the history as stored: a base (`history.json`) and one small entry per write after it.
- `state`: the history's shape, checked field by field on every read.
- `backfill`: saved responses placed among past refreshes.
- `view`: reads the history back into frames; `catalog.present.changes` orders and words them.
"""
