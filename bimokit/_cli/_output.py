"""The ``-o FILE`` option of ``read``, ``compute`` and ``regions``: checked before any work."""

from __future__ import annotations

from pathlib import Path

from .._atomic import file_problem
from ..errors import ParameterError

__all__ = ["check_output_file"]


def check_output_file(path, *, option: str = "-o", example: str = "werte.csv") -> Path | None:
    """Refuse an output file that cannot be written (a folder, a path below a file, no
    permission) with a :class:`ParameterError`, before anything is read or computed.

    Returns the path (None when ``path`` is None: standard output).
    """
    if path is None or str(path) == "":
        return None
    problem = file_problem(path, example=example)
    if problem is not None:
        raise ParameterError(f"{option} {str(path)!r} cannot be written: {problem}.")
    return Path(path)
