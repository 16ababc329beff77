"""Files that survive ``kill -9`` and power loss.

:func:`replace_file` writes a whole file (``run.json``): the new text goes to
a temporary file beside it, is flushed to disk (``fsync``), and takes the
file's place with one ``os.replace``; then the folder itself is synced so the
new name is on disk too. A reader — or the session started again after a
crash — sees the old file or the new one, never half of either, and never an
empty one. :func:`make_folder` and :func:`sync_folder` make new folders and
names durable the same way (the video recorder's finished segments).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> replace_file(folder / "state.json", '{"n": 1}\\n').name
'state.json'
>>> (folder / "state.json").read_text()
'{"n": 1}\\n'
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from overwatch.errors import DurableFileError

#: one writer at a time per file in this process (the temporary name is fixed)
_REPLACE_LOCK = threading.Lock()

__all__ = [
    "DurableFileError",
    "make_folder",
    "replace_file",
    "replace_json",
    "sync_folder",
]


def sync_folder(folder: Path) -> None:
    """``fsync`` a folder, so that names created or replaced in it are on disk."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # a platform without directory descriptors: the file itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; nothing more can be done
    finally:
        os.close(fd)


def make_folder(folder: Path) -> Path:
    """``mkdir -p`` whose new folders are on disk when it returns (raises ``OSError``)."""
    missing = []
    here = folder
    while not here.exists():
        missing.append(here)
        here = here.parent
    folder.mkdir(parents=True, exist_ok=True)
    for made in reversed(missing):
        sync_folder(made.parent)
    return folder


def temporary_name(path: Path) -> Path:
    """Where :func:`replace_file` writes before the replace (``.run.json.tmp``)."""
    return path.with_name(f".{path.name}.tmp")


def replace_file(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8) atomically and durably; returns ``path``.

    When this returns, the new contents are on disk under ``path``. If the
    process dies before, ``path`` still holds its old contents (or does not
    exist, if it never did); at most a stale temporary file is left, which
    the next call overwrites.
    """
    data = text.encode("utf-8")
    tmp = temporary_name(path)
    with _REPLACE_LOCK:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            raise DurableFileError(f"{path}: cannot write: {exc.strerror or exc}") from None
        sync_folder(path.parent)
    return path


def replace_json(path: Path, data: object) -> Path:
    """:func:`replace_file` with ``data`` as indented JSON and a final newline."""
    return replace_file(path, json.dumps(data, indent=2) + "\n")
