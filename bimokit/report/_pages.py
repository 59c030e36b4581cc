"""The report's own pages: ``index.html`` (contents and Steckbrief) and ``steckbrief.html``.

Every text that comes from data (Kommune names, indicator labels, table names) goes through
``html.escape``; nothing is pasted into Markdown or formatted into markup unescaped.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ._atomic import atomic_write_text
from .publish import AMPEL, TRENDS, KeyFigure

__all__ = ["ChapterEntry", "write_index", "write_steckbrief", "steckbrief_table"]

_CSS = Path(__file__).resolve().parent / "templates" / "report.css"


@dataclass(frozen=True)
class ChapterEntry:
    """One line of the table of contents.

    Attributes
    ----------
    chapter : str
        Letter (``"C"``).
    title : str
        German title (``"Frühkindliche Bildung"``).
    href : str or None
        Link to the chapter page relative to ``index.html``; None when it was not built.
    note : str
        Shown beside a chapter that was not built, e.g. the failing cell.
    """

    chapter: str
    title: str
    href: str | None
    note: str = ""


def _page(title: str, body: str) -> str:
    css = _CSS.read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}</style>\n</head>\n"
        f'<body>\n<main class="bk-page">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _ampel_cell(ampel: str | None) -> str:
    if not ampel:
        return "<td>–</td>"
    word = AMPEL[ampel]
    return (
        f'<td><span class="bk-ampel bk-ampel-{escape(ampel)}" aria-hidden="true"></span>'
        f"{escape(word)}</td>"
    )


def _trend_cell(arrow: str | None) -> str:
    if not arrow:
        return "<td>–</td>"
    word = TRENDS[arrow]
    return (
        f'<td><span class="bk-trend" role="img" aria-label="{escape(word)}" '
        f'title="{escape(word)}">{escape(arrow)}</span></td>'
    )


def steckbrief_table(keyfigures: list[KeyFigure], *, chapter_titles: dict | None = None) -> str:
    """The Steckbrief as an HTML table: indicator, value, year, Ampel, trend, comparison.

    Examples
    --------
    >>> kf = KeyFigure("C1.1", "Betreuungsquote <3", 34.5, "%", 2024, "gruen", "↑", chapter="C")
    >>> html = steckbrief_table([kf])
    >>> "34,5 %" in html and "Betreuungsquote &lt;3" in html and "grün" in html
    True
    """
    if not keyfigures:
        return '<p class="bk-meta">Für diese Kommune liegen keine Kennzahlen vor.</p>'
    titles = chapter_titles or {}
    rows = []
    for kf in keyfigures:
        field = titles.get(kf.chapter, kf.chapter)
        rows.append(
            "<tr>"
            f"<td>{escape(field)}</td>"
            f"<td>{escape(kf.label)} <span class=\"bk-meta\">({escape(kf.indicator)})</span></td>"
            f'<td class="bk-num">{escape(kf.formatted_value())}</td>'
            f'<td class="bk-num">{"" if kf.year is None else kf.year}</td>'
            f"{_ampel_cell(kf.ampel)}{_trend_cell(kf.trend_arrow)}"
            f"<td>{escape(kf.comparison)}</td>"
            "</tr>"
        )
    return (
        '<table class="bk-table bk-steckbrief-table">'
        "<caption>Kennzahlen mit Ampel und Trend</caption>"
        "<thead><tr><th>Handlungsfeld</th><th>Kennzahl</th><th>Wert</th><th>Jahr</th>"
        "<th>Ampel</th><th>Trend</th><th>Vergleich</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_LEGEND = (
    '<p class="bk-meta">Ampel: grün = Ziel erreicht oder günstige Lage, gelb = in der Nähe, '
    "rot = ungünstig, grau = keine Bewertung. Trend: ↑ steigend, ↓ fallend, → gleichbleibend. "
    "Ein Punkt (.) steht für einen geheim gehaltenen Wert.</p>"
)


def _today() -> str:
    return _dt.date.today().strftime("%d.%m.%Y")


def write_steckbrief(
    path: str | os.PathLike,
    *,
    kommune: str,
    ags: str,
    keyfigures: list[KeyFigure],
    chapter_titles: dict | None = None,
    stand: str | None = None,
) -> Path:
    """Write the one-page Steckbrief (for press and council) atomically.

    Parameters
    ----------
    path : str or PathLike
        ``reports/<ags>/steckbrief.html``.
    kommune, ags : str
        Name and key of the Kommune.
    keyfigures : list of KeyFigure
        In report order.
    chapter_titles : dict, optional
        Chapter letter → German title.
    stand : str, optional
        Date shown as "Stand"; default today.
    """
    body = (
        '<section class="bk-steckbrief">'
        f"<h1>Steckbrief Bildung: {escape(kommune)}</h1>"
        f'<p class="bk-meta">AGS {escape(ags)} · Stand {escape(stand or _today())}</p>'
        f"{steckbrief_table(keyfigures, chapter_titles=chapter_titles)}{_LEGEND}"
        '<p class="bk-noprint"><a href="index.html">Zur Übersicht des Berichts</a></p>'
        "</section>"
    )
    return atomic_write_text(path, _page(f"Steckbrief Bildung – {kommune}", body))


def write_index(
    path: str | os.PathLike,
    *,
    kommune: str,
    ags: str,
    chapters: list[ChapterEntry],
    keyfigures: list[KeyFigure],
    xlsx_href: str | None = None,
    steckbrief_href: str | None = "steckbrief.html",
    chapter_titles: dict | None = None,
    stand: str | None = None,
) -> Path:
    """Write ``index.html``: the Kommune's name, the contents and the Steckbrief, atomically.

    Parameters
    ----------
    path : str or PathLike
        ``reports/<ags>/index.html``.
    kommune, ags : str
        Name and key of the Kommune.
    chapters : list of ChapterEntry
        The table of contents in report order.
    keyfigures : list of KeyFigure
        The Steckbrief lines.
    xlsx_href, steckbrief_href : str, optional
        Links to the Tabellenanhang and the standalone Steckbrief.
    chapter_titles : dict, optional
        Chapter letter → German title for the Steckbrief.
    stand : str, optional
        Date shown as "Stand"; default today.
    """
    items = []
    for entry in chapters:
        label = f"{escape(entry.chapter)} {escape(entry.title)}"
        if entry.href:
            items.append(f'<li><a href="{escape(entry.href)}">{label}</a></li>')
        else:
            note = f": {escape(entry.note)}" if entry.note else ""
            items.append(
                f'<li>{label} <span class="bk-failed">(nicht erstellt{note})</span></li>'
            )
    links = []
    if steckbrief_href:
        links.append(f'<a href="{escape(steckbrief_href)}">Steckbrief (eine Seite, druckbar)</a>')
    if xlsx_href:
        links.append(f'<a href="{escape(xlsx_href)}">Tabellenanhang (XLSX)</a>')
    body = (
        f"<h1>Bildungsbericht {escape(kommune)}</h1>"
        f'<p class="bk-meta">AGS {escape(ags)} · Stand {escape(stand or _today())}</p>'
        '<nav aria-label="Inhalt"><h2>Inhalt</h2>'
        f'<ol class="bk-toc">{"".join(items)}</ol>'
        + (f'<p>{" · ".join(links)}</p>' if links else "")
        + "</nav>"
        '<section class="bk-steckbrief"><h2>Steckbrief</h2>'
        f"{steckbrief_table(keyfigures, chapter_titles=chapter_titles)}{_LEGEND}</section>"
    )
    return atomic_write_text(path, _page(f"Bildungsbericht {kommune}", body))
