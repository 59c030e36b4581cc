"""What a built chapter leaves in ``<out>/<ags>/.bimokit/``: its data as checked JSON.

A report folder is often shared (a network drive of the Bildungsbüro), so everything in it
may have been written by someone else. The data of a built chapter (its tables, key figures,
the parameters and the notebook's SHA-256) is therefore plain JSON read against a schema
(``<letter>.json``, see :mod:`bimokit._frames`), and ``manifest.json`` holds the SHA-256 of
each such file. A file that is missing from the manifest, has another checksum, or does not
fit its schema is *damaged*: it is never used, and the chapter counts as not built.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .._atomic import atomic_write_text
from .._frames import dumps, file_sha256, read_manifest, write_manifest
from ..errors import InputError
from ..publish import KeyFigure, PublishedTable

__all__ = ["ChapterData", "CacheDamaged", "write_chapter_data", "read_chapter_data",
           "forget_chapter", "chapter_data_path", "chapter_data_ok", "remove_stale",
           "folder_lock", "remove_leftovers"]

_FORMAT = "bimokit-chapter"
_VERSION = 1


@dataclass
class ChapterData:
    """The stored data of one built chapter."""

    chapter: str
    tables: list
    keyfigures: list
    parameters: dict
    notebook_sha256: str


class CacheDamaged(Exception):
    """A chapter's stored data cannot be trusted (``str(exc)`` says why)."""


def chapter_data_path(state: Path, chapter: str) -> Path:
    """``<state>/<letter>.json``."""
    return Path(state) / f"{chapter}.json"


def write_chapter_data(state: Path, chapter: str, *, tables, keyfigures, parameters: dict,
                       notebook_sha256: str) -> Path:
    """Store a chapter's data atomically and record its checksum in the manifest."""
    path = chapter_data_path(state, chapter)
    record = {
        "format": _FORMAT, "version": _VERSION, "chapter": chapter,
        "parameters": {str(k): str(v) for k, v in parameters.items()},
        "notebook_sha256": notebook_sha256,
        "tables": [t.to_record() for t in tables],
        "keyfigures": [f.to_record() for f in keyfigures],
    }
    atomic_write_text(path, dumps(record))
    write_manifest(state, files={path.name: file_sha256(path)})
    return path


def chapter_data_ok(state: Path, chapter: str) -> bool:
    """Whether the chapter's data file exists and has the checksum the manifest holds."""
    path = chapter_data_path(state, chapter)
    try:
        return read_manifest(state).get(path.name) == file_sha256(path)
    except OSError:
        return False


def read_chapter_data(state: Path, chapter: str) -> ChapterData | None:
    """The chapter's data; None when there is none.

    Raises
    ------
    CacheDamaged
        The file is not in the manifest, has another checksum or does not fit its schema.
    """
    path = chapter_data_path(state, chapter)
    if not path.is_file():
        return None
    if not chapter_data_ok(state, chapter):
        raise CacheDamaged(f"{path}: checksum does not match the manifest")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CacheDamaged(f"{path}: {exc}") from None
    try:
        if not (isinstance(record, dict) and record.get("format") == _FORMAT
                and record.get("version") == _VERSION and record.get("chapter") == chapter):
            raise InputError("not the data of this chapter", path=path)
        params = record.get("parameters")
        tables, figures = record.get("tables"), record.get("keyfigures")
        if not (isinstance(params, dict) and all(isinstance(v, str) for v in params.values())
                and isinstance(tables, list) and isinstance(figures, list)
                and isinstance(record.get("notebook_sha256"), str)):
            raise InputError("fields missing or of the wrong type", path=path)
        return ChapterData(
            chapter=chapter,
            tables=[PublishedTable.from_record(t, path=path) for t in tables],
            keyfigures=[KeyFigure.from_record(f, path=path) for f in figures],
            parameters=params,
            notebook_sha256=record["notebook_sha256"],
        )
    except InputError as exc:
        raise CacheDamaged(str(exc)) from None


def forget_chapter(state: Path, chapter: str) -> None:
    """Remove a chapter's data file and its manifest entry."""
    path = chapter_data_path(state, chapter)
    path.unlink(missing_ok=True)
    if Path(state).is_dir() and path.name in read_manifest(state):
        write_manifest(state, remove=(path.name,))


#: Files of earlier bimokit versions that are never read again (pickles: never loaded).
_STALE_PATTERNS = ("*.pkl",)


def remove_stale(state: str | os.PathLike) -> int:
    """Delete files of earlier versions from a state folder (``*.pkl``); return how many."""
    n = 0
    folder = Path(state)
    if not folder.is_dir():
        return 0
    for pattern in _STALE_PATTERNS:
        for p in folder.glob(pattern):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


#: The lock file of a state folder: held (``flock``) by the run that writes the Kommune.
LOCK = "lock"


@contextlib.contextmanager
def folder_lock(state: str | os.PathLike) -> Iterator[bool]:
    """Hold ``<state>/lock`` while a run writes into the Kommune's folder.

    Yields True when this run holds the lock (no other run writes there now, so what the
    folder holds of temporary work belongs to a run that ended), False when another
    process holds it. The lock goes with the process: a killed run leaves none behind.
    Where ``fcntl`` is missing (Windows) every run counts as alone.
    """
    folder = Path(state)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield False  # cannot even create the lock: clean nothing, let the writes report it
        return
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield True
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def remove_leftovers(folder: str | os.PathLike, *, state_dir: str = ".bimokit") -> int:
    """Remove what an interrupted or killed run left in ``<out>/<ags>/``; return how many.

    Hidden pending pages and temporary files (``.*.html.pending``, ``.*.tmp``), the work
    folders of chapters (``.bimokit/.work-*``) and files of earlier versions (``*.pkl``).
    Call it only while holding :func:`folder_lock` (another run's work must stay).
    """
    folder = Path(folder)
    n = 0
    if not folder.is_dir():
        return 0
    for pattern in (".*.html.pending", ".*.tmp"):
        for p in folder.glob(pattern):
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
    state = folder / state_dir
    if state.is_dir():
        for p in state.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
        for p in state.glob(".work-*"):
            shutil.rmtree(p, ignore_errors=True)
            n += not p.exists()
        n += remove_stale(state)
    return n
