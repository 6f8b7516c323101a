"""What changed: the change rules, the change log recorded beside the catalog, and reading it back.

- `changes`: the rules (added, removed, repriced, re-tiered) and `diff_models`.
- `record`: folds each live refresh into `history.json`, under the store's lock.
- `view`: reads the history for display and for the command line.
"""
