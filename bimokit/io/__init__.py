"""Readers for the export formats: classic GENESIS tables, GENESIS flat CSV, own tidy tables.

Every reader returns an :class:`Export` (facts, regions and metadata, see
``docs/data_contract.md``); :func:`read` detects the format from the content.
:mod:`bimokit.io.geo` reads region geometry (GeoJSON in the core; GeoPackage, Shapefile and
other CRS with the extra ``bimokit[geo]``).
:func:`download_tables` fetches the classic CSV exports of the Regionalstatistik.
:func:`read_sozialraum` reads the Kommune's own counts per Sozialraum (a template of its own,
:mod:`bimokit.io.own`) straight into facts.
:mod:`bimokit.io.editions` says which of several editions of a table wins (the newest
``Stand``).
"""

from __future__ import annotations

from ._export import Export
from ._values import read_csv_rows  # for the readers of own tables (offers, Zielwerte)
from .download import download_tables, download_url
from .flat import read_flat
from .genesis import read_genesis
from .geo import find_geometry_files, read_geometries, read_geometry
from .own import read_sozialraum
from .tidy import read, read_tidy

__all__ = [
    "Export", "read", "read_genesis", "read_flat", "read_tidy", "read_sozialraum",
    "read_geometry", "read_geometries", "find_geometry_files", "download_tables", "download_url",
]
