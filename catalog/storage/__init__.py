"""Storing it: the catalog's files, written atomically and read coherently across processes.

- `store`: Parquet + JSON metadata under a file lock; damaged files moved aside.
"""
