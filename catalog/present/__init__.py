"""Presenting it: pure functions from a snapshot's frame to what the page and the CLI show.

- `filters`: the sidebar's filters. `table`: the models table. `chartdata`: the charts' data.
- `export`: CSV, JSON and Parquet exports (formula-safe CSV). `freshness`: how old the data is.
"""
