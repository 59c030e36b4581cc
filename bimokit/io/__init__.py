"""Readers for the export formats: classic GENESIS tables, GENESIS flat CSV, own tidy tables.

Every reader returns an :class:`Export` (facts, regions and metadata, see
``docs/data_contract.md``); :func:`read` detects the format from the content.
:func:`read_sozialraum` reads the Kommune's own counts per Sozialraum (a template of its own,
:mod:`bimokit.io.own`) straight into facts.
"""

from __future__ import annotations

from ._export import Export
from .flat import read_flat
from .genesis import read_genesis
from .own import read_sozialraum
from .tidy import read, read_tidy

__all__ = ["Export", "read", "read_genesis", "read_flat", "read_tidy", "read_sozialraum"]
