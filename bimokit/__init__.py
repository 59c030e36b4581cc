"""bimokit: kommunales Bildungsmonitoring with official statistics.

``import bimokit as bk`` gives the flat namespace: readers (``bk.read``, ``bk.read_sample``),
the region model, the indicator catalogue and its computation, comparison, trend,
normalisation, composite indices, allocation, targets, charts, German text and the report runner.
"""

from __future__ import annotations

from . import errors
from ._paths import sample_dir
from .errors import BimokitError, CatalogueError, InputError, ParameterError, UnknownRegionError

__version__ = "0.1.0"

__all__ = [
    "errors",
    "sample_dir",
    "BimokitError",
    "CatalogueError",
    "InputError",
    "ParameterError",
    "UnknownRegionError",
]

# Each family below adds its names to the flat namespace; keep one block per module.

# bimokit.trend, bimokit.targets, bimokit.compare: the verbs shadow their modules' names as
# attributes (bk.trend is the function); the modules stay importable with
# ``from bimokit.trend import cagr`` or ``importlib.import_module("bimokit.trend")``.
from .compare import compare, funnel_table  # noqa: E402
from .targets import target_status  # noqa: E402
from .trend import trend  # noqa: E402

__all__ += ["trend", "target_status", "compare", "funnel_table"]

# bimokit.regions: region keys, levels, parents, Kreistyp and the region table.
from . import regions  # noqa: E402
from .regions import (  # noqa: E402
    KREISTYPEN,
    LAENDER,
    ags_level,
    ags_levels,
    build_regions,
    check_ags,
    kreis_of,
    kreistyp_from_name,
    land_name,
    land_of,
    normalise_kreis_key,
    parent_of,
    read_regions,
)

__all__ += [
    "regions",
    "KREISTYPEN",
    "LAENDER",
    "ags_level",
    "ags_levels",
    "build_regions",
    "check_ags",
    "kreis_of",
    "kreistyp_from_name",
    "land_name",
    "land_of",
    "normalise_kreis_key",
    "parent_of",
    "read_regions",
]

# bimokit.normalize, bimokit.index, bimokit.allocate, bimokit.offers: normalisation, composite
# indices and Sozialindex, need-based allocation, offers inventory. ``bk.normalize`` and
# ``bk.allocate`` are the modules and callable as their table verbs, so that
# ``bk.normalize(values, "minmax")`` and ``from bimokit.normalize import minmax`` both work.
from . import allocate, normalize  # noqa: E402
from .index import composite_index, sozialindex  # noqa: E402
from .offers import coverage, doppelstrukturen, luecken, read_offers  # noqa: E402

__all__ += [
    "normalize",
    "composite_index",
    "sozialindex",
    "allocate",
    "read_offers",
    "coverage",
    "doppelstrukturen",
    "luecken",
]

# bimokit.io: readers for the export formats (classic GENESIS table, flat CSV, own tidy).
from .io import Export, read, read_flat, read_genesis, read_tidy  # noqa: E402

__all__ += ["Export", "read", "read_flat", "read_genesis", "read_tidy"]

# bimokit.plots, bimokit.text, bimokit.fmt: German charts (each returns a Chart with alt text),
# Kernaussagen and German number formatting.
from .fmt import fmt_number, fmt_percent  # noqa: E402
from .plots import (  # noqa: E402
    Chart,
    plot_choropleth,
    plot_funnel,
    plot_pyramid,
    plot_ranking,
    plot_small_multiples,
    plot_stacked_shares,
    plot_timeseries,
)
from .text import Comparison, Subject, kernaussage, kernaussagen  # noqa: E402

__all__ += [
    "Chart",
    "plot_timeseries",
    "plot_ranking",
    "plot_funnel",
    "plot_stacked_shares",
    "plot_pyramid",
    "plot_small_multiples",
    "plot_choropleth",
    "kernaussage",
    "kernaussagen",
    "Subject",
    "Comparison",
    "fmt_number",
    "fmt_percent",
]

# bimokit.report: the report runner and what chapter notebooks call (bk.report.publish_table …).
from . import report  # noqa: E402
from .report import publish_keyfigure, publish_table, run_report, show  # noqa: E402

__all__ += ["report", "run_report", "publish_table", "publish_keyfigure", "show"]

# bimokit.indicators, bimokit.data: the indicator catalogue (data, checked on load), table
# mappings, the data loader and the vectorised computation of indicator values.
from .data import Dataset, load_data, read_sample  # noqa: E402
from .indicators import (  # noqa: E402
    Catalogue,
    Indicator,
    UnmappedLabelWarning,
    catalogue_table,
    combine_status,
    compute,
    harmonise,
    load_catalogue,
    load_table_mappings,
    poisson_interval,
    wilson_interval,
)

__all__ += [
    "Dataset",
    "load_data",
    "read_sample",
    "Catalogue",
    "Indicator",
    "UnmappedLabelWarning",
    "catalogue_table",
    "combine_status",
    "compute",
    "harmonise",
    "load_catalogue",
    "load_table_mappings",
    "poisson_interval",
    "wilson_interval",
]

# bimokit.chapters: the report chapters (one Chapter per Handlungsfeld and Kommune, one call per
# notebook cell).
from . import chapters  # noqa: E402
from .chapters import Chapter  # noqa: E402

__all__ += ["chapters", "Chapter"]

# bimokit.batch: every Kommune's chapters in parallel warm kernels, resumable, on Dask.
from . import batch  # noqa: E402
from .batch import BatchResult, ChapterRecord, read_ags_list, run_batch  # noqa: E402

__all__ += ["batch", "run_batch", "BatchResult", "ChapterRecord", "read_ags_list"]
