"""The Tabellenanhang: every published table of a report as one XLSX workbook."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .._atomic import atomic_path
from .._spreadsheet import protect_cell, xlsx_text
from ..fmt import is_missing
from ..publish import PublishedTable

__all__ = ["write_xlsx", "sheet_names"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?\\]")
_INDICATOR_ID = re.compile(r"([A-Z]\d+(?:\.\d+)+)\s+(.*)")
_TRAILING_YEAR = re.compile(r",?\s*\d{4}$")
#: Words a shortened sheet name must not end on.
_FILLERS = frozenset(
    "der die das des den dem ein eine einer eines und oder sowie an am auf aus bei bis für im "
    "in je mit nach ohne über unter von vom zu zum zur".split()
)
_MAX = 31


def _clean_sheet_text(name: str) -> str:
    text = _BAD_SHEET_CHARS.sub(" ", xlsx_text(str(name)).replace("/", "-"))
    return " ".join(text.split()).strip("'")


_ARTICLES = frozenset("der die das des den dem".split())


def _cut(words: list[str], limit: int) -> tuple[list[str], bool]:
    out: list[str] = []
    for w in words:
        if len(" ".join([*out, w])) > limit:
            break
        out.append(w)
    complete = len(out) == len(words)
    while out and (out[-1].lower().strip(",;-–") in _FILLERS or not out[-1].strip(",;-–")):
        out.pop()
    return out, complete


def _head(text: str, limit: int, *, cut_word: bool = True) -> tuple[str, bool]:
    """The leading words of ``text`` within ``limit`` characters, not ending on a filler word;
    and whether that is all of ``text``. Where leaving out the articles keeps more of the
    title ('Anteil Kindertagespflege' rather than 'Anteil'), they are left out."""
    if len(text) <= limit:
        return text, True
    words = text.split()
    kept, _ = _cut(words, limit)
    short, _ = _cut([w for w in words if w.lower() not in _ARTICLES], limit)

    def content(ws):
        return sum(w.lower().strip(",;-–") not in _FILLERS for w in ws)

    if content(short) > content(kept):
        kept = short
    if not kept and words and cut_word and limit >= 8:  # one long first word: cut it
        return words[0][: limit - 1] + "…", False
    return " ".join(kept).rstrip(",;:-– "), False


def _split_id(text: str) -> tuple[str, str]:
    m = _INDICATOR_ID.fullmatch(text)
    return (m.group(1) + " ", m.group(2)) if m else ("", text)


def _tail_after_common(title: str, first: str) -> str:
    """The words of ``title`` after those it shares at the start with ``first``."""
    a, b = title.split(), first.split()
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return " ".join(a[n:])


def _candidates(text: str, first_title: str | None) -> list[str]:
    """Sheet names for a cleaned table title, best first (all within 31 characters)."""
    prefix, title = _split_id(text)
    out = [text] if len(text) <= _MAX else []
    tails = []
    if first_title is not None:  # an earlier table of the same indicator (or opening)
        tail = _tail_after_common(title, first_title)
        if tail and tail != title:
            tails.append(tail)
    cut = title.rfind(" nach ")
    if cut > 0:
        tails.append(title[cut + 1:])
    forms = [(tail, q) for tail in dict.fromkeys(tails)
             for q in dict.fromkeys([tail, _TRAILING_YEAR.sub("", tail).strip()]) if q]
    complete_forms, elided = [], []
    for tail, q in forms:
        head = title[: len(title) - len(tail)].rstrip(" ,") if title.endswith(tail) else ""
        if head and len(prefix) + len(head) + 1 + len(q) <= _MAX:
            complete_forms.append(f"{prefix}{head} {q}")
            continue
        h, _ = _head(head, _MAX - len(prefix) - len(q) - 3, cut_word=False) if head else (
            "", True)
        if h:
            elided.append(f"{prefix}{h} … {q}")
        elif prefix and len(prefix) + 2 + len(q) <= _MAX:
            elided.append(f"{prefix}… {q}")
    out += complete_forms + [c for c in elided if len(c) <= _MAX]
    h, _ = _head(title, _MAX - len(prefix))
    out.append((prefix + h).strip() or prefix.strip() or "Tabelle")
    return list(dict.fromkeys(c for c in out if c))


def sheet_names(names: list[str], *, reserved: tuple[str, ...] = ("Inhalt",)) -> list[str]:
    """Excel sheet names for table titles: meaningful, at most 31 characters, unique.

    A title that fits stays as it is. A longer one keeps its indicator id and is cut at a word
    boundary (never after "der", "und", "je" …); a further table of the same indicator is
    named by what sets it apart (``A1.8 … nach Geschlecht, 2024``, ``C1.1 … Kindertagespflege``).
    The characters ``[]:*?/\\`` that Excel forbids become spaces (``/`` a hyphen); a name
    that is still taken gets ``(2)``, ``(3)`` …

    Examples
    --------
    >>> sheet_names(["C1.1 Betreuungsquote unter 3 Jahren in Tageseinrichtungen",
    ...              "C1.1 Betreuungsquote unter 3 Jahren in Tagespflege",
    ...              "A1.8 Anteil der 65-Jährigen und Älteren an der Bevölkerung",
    ...              "A1.8 Anteil der 65-Jährigen und Älteren an der Bevölkerung nach "
    ...              "Geschlecht, 2024", "Bevölkerung nach Altersgruppen, 2024", "A/B: Test",
    ...              "Inhalt"])  # doctest: +NORMALIZE_WHITESPACE
    ['C1.1 Betreuungsquote unter 3', 'C1.1 … Tagespflege', 'A1.8 Anteil der 65-Jährigen',
     'A1.8 … nach Geschlecht, 2024', 'Bevölkerung nach Altersgruppen', 'A-B Test', 'Inhalt (2)']
    """
    used = {r.lower() for r in (*reserved, "History")}
    cleaned = [_clean_sheet_text(n) or "Tabelle" for n in names]
    first_of: dict[str, str] = {}
    out = []
    for text in cleaned:
        prefix, title = _split_id(text)
        group = prefix.strip() or _head(title, _MAX)[0]
        cands = _candidates(text, first_of.get(group))
        first_of.setdefault(group, title)
        choice = next((c for c in cands if c.lower() not in used), None)
        if choice is None:
            base, n = cands[0], 2
            while True:
                suffix = f" ({n})"
                choice = _head(base, _MAX - len(suffix))[0] + suffix
                if choice.lower() not in used:
                    break
                n += 1
        used.add(choice.lower())
        out.append(choice)
    return out


def _number_format(series: pd.Series, decimals: int | None) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if decimals is None:
        values = series.dropna()
        whole = bool(len(values)) and bool((values == values.round()).all())
        decimals = 0 if whole else 1
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


_YEAR_COLUMN = re.compile(r"(?:.*_)?(?:year|jahr)", re.IGNORECASE)


def _is_year_column(name) -> bool:
    """``year``, ``baseline_year``, ``target_year``, ``jahr`` …: whole years, no separators."""
    return bool(_YEAR_COLUMN.fullmatch(str(name)))


def _year_value(v):
    """A year as a whole number; text like ``'2018'`` (Zielwerte) as well."""
    if is_missing(v):
        return None
    if isinstance(v, str):
        text = v.strip()
        return int(text) if re.fullmatch(r"\d{4}", text) else (xlsx_text(text) or None)
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _cell_value(v):
    if is_missing(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    return xlsx_text(v)


def _shown_width(v, decimals: int | None) -> int:
    """Characters the value takes on screen (a float with its decimals, not its repr)."""
    if is_missing(v):
        return 1
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return len(str(v))
    from ..fmt import fmt_cell

    return len(fmt_cell(v, "", decimals))


def _sheet_titles(tables: list[PublishedTable]) -> list[str]:
    """Table names for :func:`sheet_names`; a name that an earlier chapter already used (chapter
    S repeats A2.1 of chapter A) gets its chapter: ``… (Kapitel S)``."""
    seen: dict[str, str] = {}
    out = []
    for t in tables:
        first = seen.setdefault(t.name, t.chapter)
        out.append(t.name if first == t.chapter else f"{t.name} (Kapitel {t.chapter})")
    return out


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
    The contents sheet ``Inhalt`` lists every table with its full title, Handlungsfeld, note
    and source; the sheet name links to the sheet, and each sheet links back under its notes.
    Sheet names come from :func:`sheet_names` (indicator id and a short title, at most 31
    characters). Headers are German (:func:`bimokit.report._format.column_label`, plus each
    table's ``labels``), bold and frozen, with an auto filter; columns are as wide as their
    shown contents (at most 60 characters). Numbers keep their value and get an Excel number
    format (``#,##0`` or ``#,##0.0`` …, the table's ``decimals``), which Excel shows with the
    reader's separators (``1.234,5`` in German); missing values are empty cells and the
    ``status`` column keeps the published symbol. Years (``year``, ``baseline_year``,
    ``target_year`` …) are whole numbers in the format ``0`` (``2030``, not ``2.030`` and not
    text). A text that a spreadsheet would evaluate (``=…``, ``+…``, ``-…``, ``@…``, a
    leading tab or carriage return) is stored as text with Excel's quote prefix, never as a
    formula (:func:`bimokit._spreadsheet.protect_cell`); control characters that XLSX cannot
    hold are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    titles = chapter_titles or {}
    names = sheet_names(_sheet_titles(tables))
    wb = Workbook()
    toc = wb.active
    toc.title = "Inhalt"
    toc["A1"] = xlsx_text(title)
    toc["A1"].font = Font(bold=True, size=14)
    toc.append([])
    toc.append(["Tabellenblatt", "Handlungsfeld", "Tabelle", "Anmerkung", "Quelle"])
    for cell in toc[3]:
        cell.font = Font(bold=True)
    toc.freeze_panes = "A4"

    def link_to(cell, sheet_name: str) -> None:
        cell.hyperlink = Hyperlink(ref=cell.coordinate,
                                   location="'" + sheet_name.replace("'", "''") + "'!A1")
        cell.style = "Hyperlink"

    for table, sheet in zip(tables, names, strict=True):
        toc.append([xlsx_text(v) for v in (sheet, titles.get(table.chapter, table.chapter),
                                           table.name, table.note, table.source)])
        link_to(toc.cell(row=toc.max_row, column=1), sheet)
        for cell in toc[toc.max_row][2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

        ws = wb.create_sheet(sheet)
        df = table.table
        columns = list(df.columns)
        years = {c for c in columns if _is_year_column(c)}
        ws.append([xlsx_text(table.header(c)) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in df.itertuples(index=False, name=None):
            ws.append([_year_value(v) if c in years else _cell_value(v)
                       for c, v in zip(columns, row, strict=True)])
        for j, c in enumerate(columns, start=1):
            decimals = table.decimals.get(c)
            if c in years:
                fmt = "0"
            else:
                fmt = _number_format(df[c], decimals)
                if fmt and decimals is None:
                    decimals = fmt.count("0") - 1
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            shown = [_shown_width(v, None if c in years else decimals) for v in df[c].head(500)]
            width = max([len(str(table.header(c)))] + shown)
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
        if len(df) and columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(df) + 1}"
        ws.append([])
        if table.note:
            ws.append([xlsx_text(f"Anmerkung: {table.note}")])
        if table.source:
            ws.append([xlsx_text(f"Quelle: {table.source}")])
        ws.append([xlsx_text(f"Tabelle: {table.name}")])
        ws.append(["Zurück zum Inhalt"])
        link_to(ws.cell(row=ws.max_row, column=1), "Inhalt")
    for col, width in zip("ABCDE", (32, 26, 60, 50, 50), strict=True):
        toc.column_dimensions[col].width = width
    # Names, categories, notes come from other people's files: no text is ever a formula.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                protect_cell(cell)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
