"""Storing it: the catalog's files, written atomically and read coherently across processes and replicas.

- `interface`: the one store interface; `open_store()` picks a directory or an `s3://` location.
- `store`: a directory: Parquet (models, endpoints) + JSON metadata under a file lock; damage moved aside.
- `s3`: S3-compatible object storage: immutable generation files, a pointer replaced by conditional writes.
- `s3parts`: an S3 store's location, clients and upload body.
- `files`: a directory's file operations: atomic small files, entries created once each.
"""
