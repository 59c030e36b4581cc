"""German number formats and column labels of the report: the ones of :mod:`bimokit.fmt`.

Kept as an import path for the report's modules; the single implementation is in
:mod:`bimokit.fmt`.
"""

from __future__ import annotations

from ..fmt import COLUMN_LABELS, column_label, format_number, format_value, is_missing

__all__ = ["format_number", "format_value", "column_label", "COLUMN_LABELS", "is_missing"]
