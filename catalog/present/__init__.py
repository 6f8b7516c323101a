"""Presenting it: pure functions from a snapshot to what the page, the feed and the CLI show.

- `filters`: the sidebar's filters. `table`: the models table. `charts`: the charts' data.
- `export`: CSV (formula-safe), JSON and Parquet. `feed`: the change query and the Atom feed.
- `text`: third-party descriptions as plain text. `terminal`: third-party text escaped for a terminal.
- `changes`: the history's price steps, biggest moves, export columns and one change in words.
- `freshness`: how old the data is. `scores`, `providers`: their rows for details, compare and exports.
"""
