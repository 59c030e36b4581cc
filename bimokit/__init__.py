"""bimokit: kommunales Bildungsmonitoring with official statistics.

``import bimokit as bk`` gives one flat namespace of functions, classes and data. The modules
are named by noun and each module's ``__all__`` is re-exported here, so every ``bk.<verb>`` is a
plain function (``bk.compare`` is :func:`bimokit.comparison.compare`, ``bk.trend`` is
:func:`bimokit.trends.trend`, ``bk.normalize`` is :func:`bimokit.normalization.normalize`).

The layers import only downward (a test checks it)::

    io → regions → catalogue, status, harmonization, computation, data, sources,
       disclosure
       → comparison, trends, normalization, composite, allocation, targets, offers
       → own_templates, plots, text, publish → chapters → report → batch → cli

Each method family also has a ``describe_method(...)`` that writes its German Methodik
sentence; as the name is the same in every family it is called on the module
(``bimokit.trends.describe_method(result)``) and not re-exported here.
"""

from __future__ import annotations

from . import (
    allocation,
    batch,
    catalogue,
    chapters,
    comparison,
    composite,
    computation,
    data,
    disclosure,
    errors,
    fmt,
    harmonization,
    io,
    normalization,
    offers,
    own_templates,
    plots,
    publish,
    regions,
    report,
    sources,
    status,
    targets,
    text,
    trends,
)
from ._paths import sample_dir
from .allocation import *  # noqa: F403
from .batch import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .chapters import *  # noqa: F403
from .comparison import *  # noqa: F403
from .composite import *  # noqa: F403
from .computation import *  # noqa: F403
from .data import *  # noqa: F403
from .disclosure import *  # noqa: F403
from .errors import *  # noqa: F403
from .fmt import *  # noqa: F403
from .harmonization import *  # noqa: F403
from .io import *  # noqa: F403
from .normalization import *  # noqa: F403
from .offers import *  # noqa: F403
from .own_templates import *  # noqa: F403
from .plots import *  # noqa: F403
from .publish import *  # noqa: F403
from .regions import *  # noqa: F403
from .report import *  # noqa: F403
from .sources import *  # noqa: F403
from .status import *  # noqa: F403
from .targets import *  # noqa: F403
from .text import *  # noqa: F403
from .trends import *  # noqa: F403

__version__ = "0.1.0"

#: The modules whose ``__all__`` make up the flat namespace, lowest layer first.
MODULES = (
    errors, fmt, io, regions, catalogue, status, harmonization, computation, data, sources,
    disclosure,
    comparison, trends, normalization, composite, allocation, targets, offers,
    own_templates, plots, text, publish, chapters, report, batch,
)

__all__ = ["sample_dir", *(name for module in MODULES for name in module.__all__)]


def __dir__() -> list[str]:
    """``dir(bk)``: the functions, classes and data of the flat namespace, not the modules."""
    return sorted(__all__)
