"""Readers for the export formats: classic GENESIS tables, GENESIS flat CSV, own tidy tables.

Every reader returns an :class:`Export` (facts, regions and metadata, see
``docs/data_contract.md``); :func:`read` detects the format from the content.
"""

from __future__ import annotations

from ._export import Export
from .genesis import read_genesis

__all__ = ["Export", "read_genesis"]
