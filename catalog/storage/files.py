"""The file operations of a directory store: small JSON files, temp files, fsyncs, and folders of
entries created once each (the change history's log).

An entry is created whole or not at all, and only if its name is free: it is written and synced
under a temp name, then linked to its name (`os.link` fails when the name exists, as `O_EXCL`
does, and a reader never sees half an entry; renamed where the filesystem has no hard links);
then the folder is synced.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TEMP_MARK = ".tmp-"
SETTLED_NS = 1_000_000_000  # a folder's listing is kept once taken this long after its last change
_listings: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {}  # folder -> ((inode, mtime), names)


def json_bytes(payload: Any) -> bytes:
    """A small JSON file's bytes, as every store writes them."""
    text = json.dumps(payload, indent=1, ensure_ascii=False)
    if not _encodable(text):
        text = json.dumps(payload, indent=1)  # lone surrogates (valid JSON escapes) stay escaped
    return text.encode("utf-8")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_temp_file(directory: Path, prefix: str) -> str:
    """A new empty file in `directory` for one write. Created 0666 less the process's umask (as any
    file the process creates), so the store is as shared as its directory."""
    while True:
        path = directory / f"{prefix}{secrets.token_hex(8)}"
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # 64 random bits taken: try another name
            continue
        os.close(descriptor)
        return str(path)


def remove_quietly(path: str | os.PathLike[str]) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def create_entry(directory: Path, name: str, data: bytes) -> None:
    """Create `directory/name` holding `data`, whole; FileExistsError when the name is taken.

    The caller holds the store's lock: a temp file left in the folder is a dead writer's.
    """
    target = directory / name
    folder = target.parent
    folder.mkdir(exist_ok=True)
    for leftover in folder.glob(f".*{TEMP_MARK}*"):
        remove_quietly(leftover)
    temp = new_temp_file(folder, f".{target.name}{TEMP_MARK}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, target)
        except FileExistsError:
            raise
        except OSError:
            # A filesystem without hard links (some network and FUSE mounts): the writers' lock
            # already keeps the name from being taken meanwhile, and a rename is still atomic.
            if os.path.lexists(target):
                raise FileExistsError(target) from None
            os.replace(temp, target)
    finally:
        remove_quietly(temp)
    fsync_directory(folder)


def entry_names(directory: Path, folder: str) -> list[str]:
    """The entries of `directory/folder` as store names (`folder/<name>`), sorted; temp files left out."""
    try:
        with os.scandir(directory / folder) as found:
            names = [item.name for item in found if not item.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [f"{folder}/{name}" for name in sorted(names)]


def folder_version(path: str) -> tuple[str, ...]:
    """The names in a folder: entries are never rewritten, so the names tell every change.

    It runs on every page rerun, so a listing is kept while the folder's mtime stays what it was
    when listed, if that listing came over `SETTLED_NS` after the mtime: a file created or removed
    since then moves the mtime on, whereas one created in the same clock tick as an earlier change
    (file times tick in milliseconds) would leave it as it was. One stat, then, most of the time.
    """
    try:
        stat = os.stat(path)
        key = (stat.st_ino, stat.st_mtime_ns)
        cached = _listings.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        names = tuple(sorted(os.listdir(path)))
    except (FileNotFoundError, NotADirectoryError):
        return ()
    if time.time_ns() - stat.st_mtime_ns > SETTLED_NS:
        _listings[path] = (key, names)
    return names


def remove_entries(directory: Path, names: Iterable[str]) -> None:
    folders = set()
    for name in names:
        remove_quietly(directory / name)
        folders.add((directory / name).parent)
    for folder in folders:
        fsync_directory(folder)
