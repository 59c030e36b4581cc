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

import pandas as pd

from .._atomic import atomic_write_text
from ..fmt import default_decimals, fmt_cell, normalize_unit, short_unit
from ..publish import AMPEL, TRENDS, KeyFigure

__all__ = ["ChapterEntry", "write_index", "write_steckbrief", "steckbrief_table",
           "missing_section"]

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
        Shown beside the chapter: why it was not built (the failing cell), or that a built
        chapter holds no data (``"enthält keine Daten"``).
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


#: Symbol and German word of each Ampel colour: the colour is never the only signal
#: (colour-blind readers, black-and-white print).
_AMPEL_SIGN = {"gruen": "✓", "gelb": "!", "rot": "✗", "grau": "–"}


def _ampel_cell(ampel: str | None) -> str:
    if not ampel:
        return '<td class="bk-nowrap">–</td>'
    word = AMPEL[ampel]
    return (
        f'<td class="bk-nowrap"><span class="bk-ampel bk-ampel-{escape(ampel)}">'
        f'<span class="bk-ampel-sign" aria-hidden="true">{_AMPEL_SIGN.get(ampel, "")}</span> '
        f"{escape(word)}</span></td>"
    )


def _trend_cell(arrow: str | None, note: str = "") -> str:
    """Arrow and word of the trend and, under them, what the chapter says (years, reason)."""
    extra = f'<br><span class="bk-meta">{escape(note)}</span>' if note else ""
    if not arrow:
        return f'<td><span class="bk-nowrap">–</span>{extra}</td>'
    word = TRENDS[arrow]
    return (
        f'<td><span class="bk-nowrap"><span class="bk-trend" aria-hidden="true">'
        f"{escape(arrow)}</span> {escape(word)}</span>{extra}</td>"
    )


def _no_data(kf: KeyFigure) -> bool:
    """No value and no symbol: the data has nothing for this key figure (not a secret one)."""
    return kf.value is None and not kf.status


def _value_text(kf: KeyFigure) -> str:
    """Number and short unit (``616,5 je 1.000``); the long unit stays with the label."""
    if _no_data(kf):
        return "keine Daten"
    decimals = kf.decimals if kf.decimals is not None else default_decimals(kf.unit)
    return fmt_cell(kf.value, short_unit(kf.unit), decimals, status=kf.status)


def _unit_note(kf: KeyFigure) -> str:
    """The full unit under the label where neither the value nor the label says it."""
    unit = normalize_unit(kf.unit) if kf.unit else ""
    if not unit or unit in ("Anzahl", "%", "‰", "EUR", "Tsd. EUR"):
        return ""
    if unit in kf.label or unit.split(" ", 2)[-1] in kf.label:
        return ""
    return f'<br><span class="bk-meta">Einheit: {escape(unit)}</span>'


def steckbrief_table(keyfigures: list[KeyFigure], *, chapter_titles: dict | None = None) -> str:
    """The Steckbrief as an HTML table: indicator, value, year, Ampel, trend, comparison.

    The Handlungsfeld is named once for its rows; values carry a short unit (``616,5 je
    1.000``; the indicator's title says of whom); Ampel and trend are written in words beside
    their sign.

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
    # spans[i]: rows of the Handlungsfeld whose first row is i; 0 for its other rows
    spans = [0] * len(keyfigures)
    i = 0
    while i < len(keyfigures):
        j = i
        while j < len(keyfigures) and keyfigures[j].chapter == keyfigures[i].chapter:
            j += 1
        spans[i] = j - i
        i = j
    rows = []
    for kf, span in zip(keyfigures, spans, strict=True):
        field = titles.get(kf.chapter, kf.chapter)
        head = ""
        if span:
            rs = f' rowspan="{span}"' if span > 1 else ""
            head = f'<th scope="rowgroup"{rs} class="bk-feld">{escape(field)}</th>'
        rows.append(
            "<tr>"
            f"{head}"
            f"<td>{escape(kf.label)} <span class=\"bk-meta\">({escape(kf.indicator)})</span>"
            f"{_unit_note(kf)}</td>"
            f'<td class="bk-num">{escape(_value_text(kf))}</td>'
            f'<td class="bk-num">{_year_text(kf)}</td>'
            f"{_ampel_cell(kf.ampel)}{_trend_cell(kf.trend_arrow, kf.trend_note)}"
            f'<td class="bk-nowrap">{escape(kf.comparison)}</td>'
            "</tr>"
        )
    return (
        '<table class="bk-table bk-steckbrief-table">'
        f"<caption>Kennzahlen mit Ampel und Trend{_years_note(keyfigures)}</caption>"
        '<thead><tr><th scope="col">Handlungsfeld</th><th scope="col">Kennzahl</th>'
        '<th scope="col">Wert</th><th scope="col">Jahr</th><th scope="col">Ampel</th>'
        '<th scope="col">Trend</th><th scope="col">Vergleich</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _year_text(kf: KeyFigure) -> str:
    # a key figure without data has no year: the chapter's last year would mislead
    return "–" if kf.year is None or _no_data(kf) else str(kf.year)


def _years_note(keyfigures: list[KeyFigure]) -> str:
    """A caption note where the values are of different years, e.g. 2015 and 2024."""
    years = sorted({kf.year for kf in keyfigures if kf.year is not None and not _no_data(kf)})
    if len(years) < 2:
        return ""
    return (f'<br><span class="bk-meta">Die Werte stammen aus verschiedenen Jahren '
            f"({years[0]} bis {years[-1]}); die Spalte Jahr nennt das Jahr jedes Werts.</span>")


_LEGEND = (
    '<p class="bk-meta bk-legend"><strong>Ampel</strong> (nur wo die Kommune einen Zielwert '
    "festgelegt hat): ✓ grün = Ziel erreicht oder auf Kurs, ! gelb = mindestens die Hälfte "
    "des bis dahin geplanten Fortschritts, ✗ rot = weniger; – = kein Zielwert. "
    "<strong>Trend</strong>: ↑ steigend, ↓ fallend, → gleichbleibend, ↕ uneinheitlich "
    "(Richtung der Werte, keine Bewertung), wie im Kapitel und über dieselben Jahre; darunter "
    "die Jahre und, nach einem Zeitreihenbruch, die Entwicklung davor. – = keine "
    "Trendaussage; der Grund steht darunter. "
    "<strong>Wert</strong>: je 1.000 = je 1.000 Personen der im Namen der Kennzahl genannten "
    "Gruppe. <strong>Vergleich</strong>: Wert des Landes im selben Jahr. "
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
    missing: pd.DataFrame | None = None,
    download: str = "",
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
    missing : DataFrame, optional
        The report's indicators without data (see :func:`missing_section`); a section lists
        them after the contents.
    download : str
        The ``bimokit download`` line that fetches the missing tables.
    """
    items = []
    for entry in chapters:
        label = f"{escape(entry.chapter)} {escape(entry.title)}"
        if entry.href and entry.note:
            items.append(f'<li><a href="{escape(entry.href)}">{label}</a> '
                         f'<span class="bk-meta">({escape(entry.note)})</span></li>')
        elif entry.href:
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
        + missing_section(missing, kommune=kommune, download=download)
        + '<section class="bk-steckbrief"><h2>Steckbrief</h2>'
        f"{steckbrief_table(keyfigures, chapter_titles=chapter_titles)}{_LEGEND}</section>"
    )
    return atomic_write_text(path, _page(f"Bildungsbericht {kommune}", body))


def missing_section(missing: pd.DataFrame | None, *, kommune: str, download: str = "") -> str:
    """The index section on the indicators without data, with the tables that would fill them.

    Parameters
    ----------
    missing : DataFrame or None
        One row per indicator without data: ``id``, ``chapter``, ``title``,
        ``missing_tables`` (tuple of table codes), ``note``. None or empty: no section.
    kommune : str
        The Kommune's name.
    download : str
        The ``bimokit download`` line for the missing Regionalstatistik tables.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["A1.2"], "chapter": ["A"], "title": ["Anteil <3"],
    ...                   "missing_tables": [("12411-02-03-4",)], "note": [""]})
    >>> html = missing_section(m, kommune="München", download="bimokit download "
    ...                        "12411-02-03-4 --to daten")
    >>> "Anteil &lt;3" in html and "<code>bimokit download 12411-02-03-4 --to daten</code>" in html
    True
    >>> missing_section(None, kommune="München")
    ''
    """
    if missing is None or missing.empty:
        return ""
    from ..catalogue import load_source_tables
    from ..sources import table_label

    meta = load_source_tables().set_index("code")
    rows = []
    for _, r in missing.iterrows():
        tables = ", ".join(table_label(t, tables=meta) for t in r["missing_tables"]) or "–"
        note = f'<br><span class="bk-meta">{escape(r["note"])}</span>' if r["note"] else ""
        rows.append(
            f'<tr><td>{escape(r["title"])} <span class="bk-meta">({escape(r["id"])})</span>'
            f'</td><td>{escape(r["chapter"])}</td><td>{escape(tables)}{note}</td></tr>')
    n = len(missing)
    what = "einen Indikator" if n == 1 else f"{n} Indikatoren"
    fetch = (f"<p>Die fehlenden Tabellen der Regionalstatistik lädt <code>{escape(download)}"
             "</code>; danach den Bericht neu erstellen. Tabellen ohne Download-Adresse sind "
             "eigene Dateien der Kommune (siehe <code>bimokit tables</code>).</p>"
             if download else
             "<p>Welche Dateien fehlen und woher sie kommen, zeigt <code>bimokit tables "
             "--data …</code>.</p>")
    return (
        '<section class="bk-missing"><h2>Fehlende Daten</h2>'
        f"<p>Für {what} dieses Berichts liegen für {escape(kommune)} keine Daten vor; die "
        "Tabelle nennt die Quelltabelle, die sie füllen würde.</p>"
        '<table class="bk-table"><caption>Indikatoren ohne Daten</caption>'
        '<thead><tr><th scope="col">Indikator</th><th scope="col">Kapitel</th>'
        '<th scope="col">fehlende Tabelle</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{fetch}</section>"
    )
