"""German charts in one house style: time series, ranking, funnel, shares, pyramid, maps.

Every ``plot_*`` function takes plain tables and keyword options and returns a :class:`Chart`
(``fig``, ``ax``, ``alt``, ``source``, ``data``):

* one house style (seaborn ``whitegrid``, the colour-blind-safe Okabe–Ito palette), applied
  with a context manager so that no global ``rcParams`` change survives a call;
* figures are created without pyplot, so chapters can draw many charts in one kernel;
* German numbers on axes and labels (``12,3 %``, ``1.234``), German titles and labels;
* a source line ``Quelle: …`` under every chart;
* a German alt text describing what the chart shows (used as ``<img alt="…">``; in Jupyter a
  Chart displays as such an ``<img>``).
"""

from __future__ import annotations

from ._base import (  # for the chapters
    CHART_DPI,
    CODE_LABELS,
    OKABE_ITO,
    PALETTE,
    Chart,
    GermanFormatter,
    code_label,
    house_style,
    source_text,
)
from ._compare import funnel_curves, plot_funnel, plot_ranking
from ._map import geometry_path, map_classes, plot_choropleth, read_geojson
from ._series import plot_small_multiples, plot_timeseries
from ._structure import plot_pyramid, plot_stacked_shares

__all__ = [
    "Chart",
    "plot_timeseries",
    "plot_ranking",
    "plot_funnel",
    "plot_stacked_shares",
    "plot_pyramid",
    "plot_small_multiples",
    "plot_choropleth",
    "house_style",
    "source_text",
    "funnel_curves",
    "map_classes",
    "geometry_path",
    "read_geojson",
    "GermanFormatter",
    "OKABE_ITO",
    "PALETTE",
    "CODE_LABELS",
]
