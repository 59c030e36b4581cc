"""The Tabellenanhang: every published table of a report as one XLSX workbook."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ._atomic import atomic_path
from ._format import is_missing
from .publish import PublishedTable

__all__ = ["write_xlsx", "sheet_names"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str], *, reserved: tuple[str, ...] = ("Inhalt",)) -> list[str]:
    """Excel sheet names for table titles: at most 31 characters, unique, no ``[]:*?/\\``.

    Examples
    --------
    >>> sheet_names(["C1.1 Betreuungsquote unter 3 Jahren in Tageseinrichtungen",
    ...              "C1.1 Betreuungsquote unter 3 Jahren in Tagespflege", "A/B: Test", "Inhalt"])
    ['C1.1 Betreuungsquote unter 3 Ja', 'C1.1 Betreuungsquote unter (2)', 'A_B_ Test', 'Inhalt (2)']
    """
    used = {r.lower() for r in reserved}
    out = []
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'") or "Tabelle"
        candidate = base[:31].rstrip()
        n = 2
        while candidate.lower() in used:
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)].rstrip() + suffix
            n += 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def _number_format(series: pd.Series, decimals: int | None) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if decimals is None:
        values = series.dropna()
        whole = bool(len(values)) and bool((values == values.round()).all())
        decimals = 0 if whole else 1
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _cell_value(v):
    if is_missing(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    return v


def write_xlsx(
    tables: list[PublishedTable],
    path: str | os.PathLike,
    *,
    title: str = "Tabellenanhang",
    chapter_titles: dict | None = None,
) -> Path:
    """Write the Tabellenanhang atomically: a contents sheet, then one sheet per table.

    Parameters
    ----------
    tables : list of PublishedTable
        In report order (see :func:`bimokit.report.read_published`).
    path : str or PathLike
        ``reports/<ags>/tabellenanhang_<ags>.xlsx``.
    title : str
        Heading of the contents sheet, e.g. ``"Tabellenanhang Bildungsbericht Musterstadt"``.
    chapter_titles : dict, optional
        Chapter letter → German title.

    Returns
    -------
    pathlib.Path

    Notes
    -----
    Headers are German (:func:`bimokit.report._format.column_label`, plus each table's
    ``labels``); numbers keep their value and get an Excel number format (``#,##0`` or
    ``#,##0.0``), which Excel shows with German separators; missing values are empty cells
    and the ``status`` column keeps the published symbol. ``year`` is not given thousands
    separators.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    titles = chapter_titles or {}
    names = sheet_names([t.name for t in tables])
    wb = Workbook()
    toc = wb.active
    toc.title = "Inhalt"
    toc["A1"] = title
    toc["A1"].font = Font(bold=True, size=14)
    toc.append([])
    toc.append(["Tabellenblatt", "Handlungsfeld", "Tabelle", "Anmerkung", "Quelle"])
    for cell in toc[3]:
        cell.font = Font(bold=True)
    for table, sheet in zip(tables, names, strict=True):
        toc.append([sheet, titles.get(table.chapter, table.chapter), table.name, table.note,
                    table.source])
        link = toc.cell(row=toc.max_row, column=1)
        link.hyperlink = "#'" + sheet.replace("'", "''") + "'!A1"
        link.style = "Hyperlink"

        ws = wb.create_sheet(sheet)
        df = table.table
        columns = list(df.columns)
        ws.append([table.header(c) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for j, c in enumerate(columns, start=1):
            fmt = "0" if c == "year" else _number_format(df[c], table.decimals.get(c))
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            width = max([len(str(table.header(c)))] + [len(str(v)) for v in df[c].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
        if len(df) and columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(df) + 1}"
        if table.note or table.source:
            ws.append([])
            if table.note:
                ws.append([f"Anmerkung: {table.note}"])
            if table.source:
                ws.append([f"Quelle: {table.source}"])
    for col, width in zip("ABCDE", (34, 28, 50, 40, 40), strict=True):
        toc.column_dimensions[col].width = width
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
