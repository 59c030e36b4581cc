"""Atomic file writes: write beside the target, then ``os.replace``.

A reader (a browser, the batch's resume check, a person) never sees a half-written file: the
content goes to a temporary file in the target's own folder (same file system, so the final
``os.replace`` is atomic), and only a complete file takes the target's name. When the writer
raises, the temporary file is removed and an existing target stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "atomic_open", "atomic_write_text", "atomic_write_bytes"]

# mkstemp creates files readable only by the owner; the final file gets the usual mode.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _fsync_dir(folder: Path) -> None:
    # Make the rename itself durable where the platform allows it (not on Windows).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    For writers that want a file name (``openpyxl``'s ``save``, ``DataFrame.to_csv``).

    Parameters
    ----------
    path : str or PathLike
        The final file. Its folder is created when missing.

    Yields
    ------
    pathlib.Path
        An empty file in the same folder, named ``.<name>.<random>.tmp``, for the writer to
        overwrite.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("fertig", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    'fertig'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8"
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``.

    Parameters
    ----------
    path : str or PathLike
        The final file.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str, optional
        Text encoding (ignored for ``"wb"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "b.html"
    >>> with atomic_open(target) as fh:
    ...     _ = fh.write("<p>Hallo</p>")
    >>> target.read_text(encoding="utf-8")
    '<p>Hallo</p>'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp:
        if mode == "wb":
            fh = open(tmp, "wb")
        else:
            fh = open(tmp, "w", encoding=encoding, newline="")
        with fh:
            yield fh
            fh.flush()


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_open(path, "w", encoding=encoding) as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)
