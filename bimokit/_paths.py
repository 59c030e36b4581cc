"""Where bimokit finds its embedded sample data and the shared real data."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ParameterError

__all__ = ["sample_dir", "shared_data_dir", "notebook_dir", "SAMPLES"]

_PACKAGE = Path(__file__).resolve().parent

#: Names of the embedded samples.
SAMPLES = ("musterland",)


def _sample_roots() -> list[Path]:
    # In a wheel the samples live inside the package (hatch force-include);
    # in a checkout or an editable install they live beside the package.
    return [_PACKAGE / "data_samples", _PACKAGE.parent / "data_samples"]


def sample_dir(name: str = "musterland") -> Path:
    """Return the folder of an embedded sample data set.

    Parameters
    ----------
    name : str
        Name of the sample; one of :data:`SAMPLES`.

    Returns
    -------
    pathlib.Path
        The folder that holds the sample's exports.
    """
    if name not in SAMPLES:
        raise ParameterError(
            f"Unknown sample {name!r}: bimokit ships {', '.join(map(repr, SAMPLES))}."
        )
    for root in _sample_roots():
        if (root / name).is_dir():
            return root / name
    raise ParameterError(
        f"The sample {name!r} is not installed: looked in "
        + " and ".join(str(r) for r in _sample_roots())
    )


def shared_data_dir() -> Path | None:
    """Return ``../shared/data`` beside the checkout (or ``$BIMOKIT_SHARED_DATA``), if present."""
    env = os.environ.get("BIMOKIT_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(_PACKAGE.parent.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def notebook_dir() -> Path:
    """Return the folder of the chapter notebooks ``A.ipynb`` … ``S.ipynb``.

    In a wheel they live inside the package (``bimokit/notebooks``, hatch force-include); in a
    checkout or an editable install in ``notebooks/`` beside the package.
    """
    for root in (_PACKAGE / "notebooks", _PACKAGE.parent / "notebooks"):
        if root.is_dir():
            return root
    return _PACKAGE.parent / "notebooks"
