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

__all__ = ["atomic_path", "atomic_open", "atomic_write_text", "atomic_write_bytes",
           "folder_problem", "file_problem", "os_error_text"]

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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
    except OSError as exc:
        raise _naming(exc, target) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename in (str(tmp), None):
            raise _naming(exc, target) from None
        raise


def _naming(exc: OSError, target: Path) -> OSError:
    """The same error, naming the file the user asked for instead of our temporary one."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(target))


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


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def folder_problem(folder: str | os.PathLike) -> str | None:
    """Why ``folder`` cannot be an output folder (created if missing); None when it can.

    Checked without creating anything: the folder, or the nearest existing folder above it,
    must be a folder that this user may write in.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "datei.txt"
    >>> _ = f.write_text("x")
    >>> folder_problem(f.parent / "neu") is None
    True
    >>> folder_problem(f).endswith("datei.txt is a file, not a folder")
    True
    >>> folder_problem(f / "unter").endswith("datei.txt is a file, not a folder")
    True
    """
    path = Path(os.path.abspath(folder))
    base = _nearest_existing(path)
    if not base.is_dir():
        return f"{base} is a file, not a folder"
    if not os.access(base, os.W_OK | os.X_OK):
        verb = "cannot be written" if base == path else "cannot be created"
        return f"{path} {verb}: no permission to write in {base}"
    return None


def file_problem(path: str | os.PathLike, *, example: str = "werte.csv") -> str | None:
    """Why ``path`` cannot be an output file; None when it can (its folder is not checked
    for existence, only that it is no file and may be written).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> file_problem(folder).endswith("is a folder; give a file name, e.g. " + folder
    ...                               + "/werte.csv")
    True
    """
    target = Path(os.path.abspath(path))
    if target.is_dir():
        return f"{target} is a folder; give a file name, e.g. {target / example}"
    problem = folder_problem(target.parent)
    if problem is None and target.exists() and not os.access(target, os.W_OK):
        problem = f"{target} cannot be written: no permission"
    return problem


def os_error_text(exc: OSError, *, verb: str = "write") -> str:
    """One line for a failed file operation, naming the path: ``"cannot write /x/y: reason"``.

    Examples
    --------
    >>> os_error_text(PermissionError(13, "Permission denied", "/r/99101/index.html"))
    'cannot write /r/99101/index.html: Permission denied'
    """
    where = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    return f"cannot {verb} {where}: {reason}" if where else f"cannot {verb}: {reason}"
