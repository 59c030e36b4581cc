"""Readers for the export formats: classic GENESIS tables, GENESIS flat CSV, own tidy tables.

Every reader returns an :class:`Export` (facts, regions and metadata, see
``docs/data_contract.md``); :func:`read` detects the format from the content.
"""

from __future__ import annotations

from ._export import Export
from ._values import read_csv_rows  # for the readers of own tables (offers, Zielwerte)
from .flat import read_flat
from .genesis import read_genesis
from .tidy import read, read_tidy

__all__ = ["Export", "read", "read_genesis", "read_flat", "read_tidy"]
