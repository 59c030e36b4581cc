"""Readers for the export formats: classic GENESIS tables, GENESIS flat CSV, own tidy tables.

Every reader returns an :class:`Export` (facts, regions and metadata, see
``docs/data_contract.md``); :func:`read` detects the format from the content.
:mod:`bimokit.io.editions` says which of several editions of a table wins (the newest
``Stand``).
"""

from __future__ import annotations

from ._export import Export
from .flat import read_flat
from .genesis import read_genesis
from .tidy import read, read_tidy

__all__ = ["Export", "read", "read_genesis", "read_flat", "read_tidy"]
