"""What a chapter notebook calls to hand tables, key figures and charts to the runner.

The runner gives every chapter an empty folder ``out_dir`` (a notebook parameter). The
functions here write one file per published item into it; after the notebook has run, the
runner reads them back with :func:`read_published` for the XLSX Tabellenanhang and the
Steckbrief. With ``out_dir=""`` (an analyst running the notebook by hand) nothing is written
and the table is only shown.

All functions return ``None`` so that a call as the last line of a cell adds no stray output.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._atomic import atomic_open, atomic_path
from ._frames import dumps, frame_from_record, frame_record
from ._spreadsheet import csv_restore, csv_safe
from .errors import InputError, ParameterError
from .fmt import column_label, fmt_cell, is_missing

__all__ = [
    "publish_table",
    "publish_keyfigure",
    "show",
    "figure_html",
    "table_html",
    "load_values",
    "save_values",
]

_TABLE_FILE = re.compile(r"table_(\d{3,})\.json")
_KEYFIGURE_FILE = re.compile(r"keyfigure_(\d{3,})\.json")
_TABLE_FORMAT = "bimokit-table"

#: Ampel colours a key figure may carry (German spelling without umlaut as the code).
AMPEL = {"gruen": "grün", "gelb": "gelb", "rot": "rot", "grau": "grau"}
_AMPEL_ALIASES = {"grün": "gruen", "green": "gruen", "yellow": "gelb", "red": "rot", "grey": "grau",
                  "gray": "grau"}

#: Trend arrows and their German words.
TRENDS = {"↑": "steigend", "↓": "fallend", "→": "gleichbleibend", "↕": "uneinheitlich"}
_TREND_ALIASES = {
    "up": "↑", "steigend": "↑", "gestiegen": "↑", "rising": "↑",
    "down": "↓", "fallend": "↓", "gesunken": "↓", "falling": "↓",
    "flat": "→", "stabil": "→", "gleichbleibend": "→", "stable": "→",
    "uneinheitlich": "↕", "mixed": "↕",
}


@dataclass(frozen=True)
class PublishedTable:
    """A table a chapter published for the Tabellenanhang.

    Attributes
    ----------
    name : str
        Title, e.g. ``"C1.1 Betreuungsquote unter 3 Jahren"``; becomes the sheet name (shortened).
    table : pandas.DataFrame
        The data with the library's column names.
    note, source : str
        Footnote and source line.
    labels : dict
        Column name → German header (beside the defaults of the library's columns).
    decimals : dict
        Column name → digits after the comma.
    chapter : str
        The chapter letter (set by the runner).
    """

    name: str
    table: pd.DataFrame
    note: str = ""
    source: str = ""
    labels: dict = field(default_factory=dict)
    decimals: dict = field(default_factory=dict)
    chapter: str = ""

    def header(self, column) -> str:
        """German header of ``column``."""
        return self.labels.get(column, column_label(column))

    def to_record(self) -> dict:
        """The table as plain JSON data (see :func:`bimokit._frames.frame_record`)."""
        return {"name": self.name, "note": self.note, "source": self.source,
                "labels": [[_key_out(k), str(v)] for k, v in self.labels.items()],
                "decimals": [[_key_out(k), None if v is None else int(v)]
                             for k, v in self.decimals.items()],
                "chapter": self.chapter, "table": frame_record(self.table)}

    @classmethod
    def from_record(cls, record, *, path=None) -> PublishedTable:
        """Rebuild a table from :meth:`to_record`'s data, checking every field.

        Raises
        ------
        bimokit.errors.InputError
            Naming ``path`` and the field that does not fit.
        """
        where = record.get("name") if isinstance(record, dict) else None
        _require(record, {"name": str, "note": str, "source": str, "chapter": str,
                          "labels": list, "decimals": list, "table": dict}, path)
        labels = _pairs(record["labels"], path, "labels", lambda v: isinstance(v, str))
        decimals = _pairs(record["decimals"], path, "decimals",
                          lambda v: v is None or (isinstance(v, int)
                                                  and not isinstance(v, bool)))
        table = frame_from_record(record["table"], path=path, where=str(where))
        return cls(name=record["name"], table=table, note=record["note"],
                   source=record["source"], labels=labels, decimals=decimals,
                   chapter=record["chapter"])


@dataclass(frozen=True)
class KeyFigure:
    """One line of the Steckbrief.

    Attributes
    ----------
    indicator : str
        Catalogue id (``"C1.1"``).
    label : str
        German short title (``"Betreuungsquote unter 3 Jahren"``).
    value : float or None
        The value; None where it is secret or missing.
    unit : str
        ``"%"``, ``"EUR"``, ``"Anzahl"`` …
    year : int or None
        Reporting year of the value.
    ampel : str or None
        ``"gruen"``, ``"gelb"``, ``"rot"``, ``"grau"`` or None.
    trend_arrow : str or None
        ``"↑"``, ``"↓"``, ``"→"``, ``"↕"`` (uneinheitlich) or None.
    comparison : str
        A short German comparison, e.g. ``"Land: 34,1 %"``.
    status : str
        The value's status symbol (``"."`` secret …).
    decimals : int or None
        Digits after the comma.
    trend_note : str
        What the chapter says about the trend, short (the years, and after a break the
        development before it; why there is none), e.g. ``"seit 2012 uneinheitlich"``.
    chapter : str
        The chapter letter (set by the runner).
    """

    indicator: str
    label: str
    value: float | None
    unit: str = ""
    year: int | None = None
    ampel: str | None = None
    trend_arrow: str | None = None
    comparison: str = ""
    status: str = ""
    decimals: int | None = None
    trend_note: str = ""
    chapter: str = ""

    def formatted_value(self) -> str:
        """The value as the Steckbrief shows it, e.g. ``'34,5 %'``."""
        return fmt_cell(self.value, self.unit, self.decimals, status=self.status)

    def to_record(self) -> dict:
        """The key figure as plain JSON data (non-finite values as ``"inf"``, ``"-inf"``)."""
        record = {k: getattr(self, k) for k in self.__dataclass_fields__}
        v = record["value"]
        if v is not None and not math.isfinite(v):
            record["value"] = None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return record

    @classmethod
    def from_record(cls, record, *, path=None) -> KeyFigure:
        """Rebuild a key figure from :meth:`to_record`'s data, checking every field.

        Raises
        ------
        bimokit.errors.InputError
            Naming ``path`` and the field that does not fit.
        """
        optional = {"unit": str, "comparison": str, "status": str, "chapter": str}
        _require(record, {"indicator": str, "label": str}, path, optional=optional)
        known = set(cls.__dataclass_fields__)
        extra = sorted(set(record) - known)
        if extra:
            raise InputError(f"unknown field {extra[0]!r} in a key figure", path=path,
                             field=extra[0])
        value = record.get("value")
        if value in ("inf", "-inf"):
            value = float(value)
        elif value is not None and (not isinstance(value, (int, float))
                                    or isinstance(value, bool)):
            raise InputError(f"value must be a number or null, not {value!r}", path=path,
                             field="value")
        checks = {"year": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "decimals": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "ampel": lambda v: v in AMPEL, "trend_arrow": lambda v: v in TRENDS}
        for name, ok in checks.items():
            v = record.get(name)
            if v is not None and not ok(v):
                raise InputError(f"{name} does not fit a key figure: {v!r}", path=path,
                                 field=name)
        return cls(**{**record, "value": None if value is None else float(value)})


def _key_out(key):
    if isinstance(key, (int, float, str)) and not isinstance(key, bool):
        return key
    return str(key)


def _require(record, fields: dict, path, *, optional: dict | None = None) -> None:
    """Check that ``record`` is an object with these fields of these types."""
    if not isinstance(record, dict):
        raise InputError("expected an object", path=path)
    for name, kind in fields.items():
        if not isinstance(record.get(name), kind):
            raise InputError(f"missing or not a {kind.__name__}", path=path, field=name)
    for name, kind in (optional or {}).items():
        if name in record and not isinstance(record[name], kind):
            raise InputError(f"not a {kind.__name__}", path=path, field=name)


def _pairs(items: list, path, name: str, ok) -> dict:
    out = {}
    for item in items:
        if not (isinstance(item, list) and len(item) == 2
                and isinstance(item[0], (str, int, float)) and ok(item[1])):
            raise InputError(f"expected [column, value] pairs, not {item!r}", path=path,
                             field=name)
        out[item[0]] = item[1]
    return out


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    return get_ipython() is not None


def _display_html(markup: str) -> None:
    if _in_ipython():
        from IPython.display import HTML, display

        display(HTML(markup))


def _next_index(folder: Path, pattern: re.Pattern) -> int:
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := pattern.fullmatch(p.name))]
    return max(numbers, default=0) + 1


def _check_text(value, name: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ParameterError(f"`{name}` must be a non-empty text; got {value!r}.")
    return value.strip()


def table_html(
    table: pd.DataFrame,
    *,
    caption: str = "",
    labels: dict | None = None,
    decimals: dict | None = None,
    note: str = "",
    source: str = "",
) -> str:
    """Render a table as escaped HTML with German headers and number formats.

    Missing values show the row's status symbol where there is a ``status`` column, otherwise
    a dash; no ``nan`` reaches the reader. Years (a column ``year`` or ``<…>_year``, such as
    ``baseline_year``) are written without a thousands dot.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2023, 2024], "value": [12.34, float("nan")],
    ...                   "status": ["", "."]})
    >>> markup = table_html(t, caption="Quote <Test>")
    >>> print(markup.replace("<tr>", "\\n<tr>"))
    <table class="bk-table"><caption>Quote &lt;Test&gt;</caption><thead>
    <tr><th>Jahr</th><th>Wert</th><th>Status</th></tr></thead><tbody>
    <tr><td class="bk-num">2023</td><td class="bk-num">12,3</td><td></td></tr>
    <tr><td class="bk-num">2024</td><td class="bk-num">.</td><td>.</td></tr></tbody></table>
    >>> "2030</td>" in table_html(pd.DataFrame({"target_year": [2030]}))
    True
    """
    labels = dict(labels or {})
    decimals = dict(decimals or {})
    columns = list(table.columns)
    has_status = "status" in table.columns
    parts = ['<table class="bk-table">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for c in columns:
        parts.append(f"<th>{html.escape(labels.get(c, column_label(c)))}</th>")
    parts.append("</tr></thead><tbody>")
    for row in table.itertuples(index=False, name=None):
        parts.append("<tr>")
        status = ""
        if has_status:
            s = row[columns.index("status")]
            status = "" if is_missing(s) else str(s)
        for c, v in zip(columns, row, strict=True):
            if (c == "year" or str(c).endswith("_year")) and not is_missing(v):
                parts.append(f'<td class="bk-num">{int(v)}</td>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool) or (
                is_missing(v) and pd.api.types.is_numeric_dtype(table[c])
            ):
                if is_missing(v):
                    shown = status if status in (".", "x", "/", "...", "-") else "–"
                else:
                    shown = fmt_cell(v, "", decimals.get(c))
                parts.append(f'<td class="bk-num">{html.escape(shown)}</td>')
            else:
                parts.append(f"<td>{'' if is_missing(v) else html.escape(str(v))}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    if note:
        parts.append(f'<p class="bk-table-note">Anmerkung: {html.escape(note)}</p>')
    if source:
        parts.append(f'<p class="bk-table-note">Quelle: {html.escape(source)}</p>')
    return "".join(parts)


def publish_table(
    table: pd.DataFrame,
    *,
    name: str,
    out_dir: str | os.PathLike,
    note: str = "",
    source: str = "",
    labels: dict | None = None,
    decimals: dict | None = None,
    display: bool = True,
) -> None:
    """Show a table in the chapter and hand it to the runner for the Tabellenanhang.

    Parameters
    ----------
    table : pandas.DataFrame
        The table, with the library's column names (``ags``, ``year``, ``value`` …); they get
        German headers in the chapter and the XLSX.
    name : str
        Title, unique within the chapter, e.g. ``"C1.1 Betreuungsquote unter 3 Jahren"``.
    out_dir : str or PathLike
        The chapter's ``out_dir`` parameter; ``""`` writes nothing (interactive use).
    note, source : str
        Footnote and source line shown under the table and in the XLSX.
    labels : dict, optional
        Column name → German header for columns the library does not know.
    decimals : dict, optional
        Column name → digits after the comma.
    display : bool
        Show the table in the notebook (and so in the chapter HTML).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> t = pd.DataFrame({"ags": ["99101"], "year": [2024], "value": [34.5]})
    >>> publish_table(t, name="C1.1 Betreuungsquote", out_dir=folder, display=False)
    >>> tables, figures = read_published(folder)
    >>> tables[0].name, tables[0].header("value")
    ('C1.1 Betreuungsquote', 'Wert')
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            f"publish_table needs a pandas DataFrame; got {type(table).__name__}."
        )
    name = _check_text(name, "name")
    if len(name) > 200:
        raise ParameterError(f"Table name is longer than 200 characters: {name[:40]!r}…")
    item = PublishedTable(
        name=name,
        table=table.reset_index(drop=True).copy(),
        note=_check_text(note, "note", required=False),
        source=_check_text(source, "source", required=False),
        labels=dict(labels or {}),
        decimals=dict(decimals or {}),
    )
    if out_dir not in ("", None):
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        existing, _ = read_published(folder)
        if any(t.name == name for t in existing):
            raise ParameterError(f"A table named {name!r} was already published in this chapter.")
        target = folder / f"table_{_next_index(folder, _TABLE_FILE):03d}.json"
        with atomic_open(target) as fh:
            fh.write(dumps({"format": _TABLE_FORMAT, **item.to_record()}))
    if display:
        _display_html(
            table_html(item.table, caption=name, labels=item.labels, decimals=item.decimals,
                       note=item.note, source=item.source)
        )


def _normalise_ampel(ampel) -> str | None:
    if ampel is None or ampel == "":
        return None
    key = str(ampel).strip().lower()
    key = _AMPEL_ALIASES.get(key, key)
    if key not in AMPEL:
        raise ParameterError(
            f"`ampel` must be one of 'gruen', 'gelb', 'rot', 'grau' or None; not {ampel!r}."
        )
    return key


def _normalise_trend(trend) -> str | None:
    if trend is None or trend == "":
        return None
    key = str(trend).strip()
    key = _TREND_ALIASES.get(key.lower(), key)
    if key not in TRENDS:
        raise ParameterError(
            "`trend_arrow` must be '↑', '↓', '→', '↕' (or 'steigend', 'fallend', 'stabil', "
            f"'uneinheitlich') or None; not {trend!r}."
        )
    return key


def publish_keyfigure(
    *,
    indicator: str,
    label: str,
    value,
    unit: str,
    out_dir: str | os.PathLike,
    year: int | None = None,
    ampel: str | None = None,
    trend_arrow: str | None = None,
    comparison: str = "",
    status: str = "",
    decimals: int | None = None,
    trend_note: str = "",
) -> None:
    """Hand one key figure to the runner for the Steckbrief.

    Parameters
    ----------
    indicator : str
        Catalogue id, e.g. ``"C1.1"``.
    label : str
        German short title, e.g. ``"Betreuungsquote unter 3 Jahren"``.
    value : float or None
        The value (NaN or None where it is secret or missing; give ``status`` then).
    unit : str
        ``"%"``, ``"EUR"``, ``"Anzahl"`` …
    out_dir : str or PathLike
        The chapter's ``out_dir`` parameter; ``""`` writes nothing.
    year : int, optional
        Reporting year.
    ampel : {"gruen", "gelb", "rot", "grau"}, optional
        Ampel colour from the target comparison (``bimokit.targets``).
    trend_arrow : {"↑", "↓", "→", "↕"}, optional
        Direction of the trend; ``"steigend"``, ``"fallend"``, ``"stabil"``,
        ``"uneinheitlich"`` are accepted too.
    comparison : str
        A short German comparison, e.g. ``"Land: 34,1 %"``.
    status : str
        Status symbol of the value (``"."`` secret …).
    decimals : int, optional
        Digits after the comma.
    trend_note : str
        The chapter's trend statement, short (:func:`bimokit.text.trend_summary`).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> publish_keyfigure(indicator="C1.1", label="Betreuungsquote unter 3 Jahren",
    ...                   value=34.52, unit="%", year=2024, ampel="grün", trend_arrow="steigend",
    ...                   out_dir=folder)
    >>> _, figures = read_published(folder)
    >>> figures[0].formatted_value(), figures[0].ampel, figures[0].trend_arrow
    ('34,5 %', 'gruen', '↑')
    """
    indicator = _check_text(indicator, "indicator")
    label = _check_text(label, "label")
    if is_missing(value):
        number = None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"`value` must be a number or None; got {value!r}.") from None
    if year is not None and not is_missing(year):
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ParameterError(f"`year` must be a whole number; got {year!r}.") from None
    else:
        year = None
    figure = KeyFigure(
        indicator=indicator,
        label=label,
        value=number,
        unit=_check_text(unit, "unit", required=False),
        year=year,
        ampel=_normalise_ampel(ampel),
        trend_arrow=_normalise_trend(trend_arrow),
        comparison=_check_text(comparison, "comparison", required=False),
        status=_check_text(status, "status", required=False),
        decimals=None if decimals is None else int(decimals),
        trend_note=_check_text(trend_note, "trend_note", required=False),
    )
    if out_dir in ("", None):
        return
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    record = {k: v for k, v in figure.to_record().items() if k != "chapter"}
    with atomic_open(folder / f"keyfigure_{_next_index(folder, _KEYFIGURE_FILE):03d}.json") as fh:
        fh.write(dumps(record))


def read_published(out_dir: str | os.PathLike, *, chapter: str = ""):
    """Read back what a chapter published into ``out_dir``, in publication order.

    Both are plain JSON files (``table_001.json``, ``keyfigure_001.json``), read against
    their schema: nothing in them is executed.

    Returns
    -------
    tables : list of PublishedTable
    keyfigures : list of KeyFigure

    Raises
    ------
    bimokit.errors.InputError
        A file that is not valid JSON or does not fit its schema, naming file and field.
    """
    folder = Path(out_dir)
    if not folder.is_dir():
        return [], []
    tables, figures = [], []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if _TABLE_FILE.fullmatch(path.name):
            record = _read_json(path)
            if not isinstance(record, dict) or record.pop("format", None) != _TABLE_FORMAT:
                raise InputError("not a table published by bimokit", path=path)
            tables.append(_with_chapter(PublishedTable.from_record(record, path=path),
                                        chapter))
        elif _KEYFIGURE_FILE.fullmatch(path.name):
            record = _read_json(path)
            figure = KeyFigure.from_record(record, path=path)
            figures.append(KeyFigure(**{**figure.__dict__, "chapter": chapter}))
    return tables, figures


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path) from None
    except ValueError as exc:
        raise InputError(f"not valid JSON ({exc})", path=path) from None


def _with_chapter(item: PublishedTable, chapter: str) -> PublishedTable:
    if not chapter:
        return item
    return PublishedTable(**{**item.__dict__, "chapter": chapter})


def _figure_of(chart):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(chart, Figure):
        return chart, None
    if isinstance(chart, Axes):
        return chart.figure, None
    fig = getattr(chart, "fig", None)
    if isinstance(fig, Figure):
        return fig, getattr(chart, "alt", None)
    raise ParameterError(
        "show needs a bimokit Chart (with .fig and .alt), a matplotlib Figure or Axes; "
        f"got {type(chart).__name__}."
    )


def figure_html(chart, *, alt: str | None = None, dpi: int = 144, close: bool = True) -> str:
    """Render a chart as an ``<img>`` with alt text and the PNG embedded as base64.

    Parameters
    ----------
    chart : Chart, matplotlib Figure or Axes
        A :class:`bimokit.plots.Chart` carries its alt text; a bare figure needs ``alt``.
    alt : str, optional
        Alt text; overrides the chart's own.
    dpi : int
        Resolution of the PNG. A bimokit Chart is rendered once at its own size and layout
        (:meth:`bimokit.plots.Chart.to_png`); another figure is cropped to its content
        (``bbox_inches="tight"``).
    close : bool
        Close the figure afterwards, so that the inline backend does not show it a second
        time without alt text.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> markup = figure_html(fig, alt="Linie von 1 auf 2 <steigend>")
    >>> markup.startswith('<figure class="bk-figure"><img alt="Linie von 1 auf 2 &lt;steigend&gt;"')
    True
    """
    fig, own_alt = _figure_of(chart)
    text = alt if alt is not None else own_alt
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(
            "Every chart needs an alt text (a German sentence that says what it shows); "
            "pass alt=… or use a bimokit Chart."
        )
    to_png = getattr(chart, "to_png", None)
    if fig is getattr(chart, "fig", None) and callable(to_png):
        # a bimokit Chart: laid out by its own (constrained) layout, drawn once in its style
        png = to_png(dpi=dpi)
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        png = buf.getvalue()
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="bk-figure"><img alt="{html.escape(text.strip(), quote=True)}" '
        f'src="data:image/png;base64,{data}" style="max-width:100%;height:auto"></figure>'
    )


def show(chart, *, alt: str | None = None, dpi: int = 144) -> None:
    """Show a chart in the chapter as a PNG with its alt text.

    Use this instead of ``plt.show()`` or a bare figure as the last line of a cell: the runner
    rejects any image without alt text.

    Parameters
    ----------
    chart : Chart, matplotlib Figure or Axes
        What to show; a bimokit ``Chart(fig, ax, alt)`` brings its alt text along.
    alt : str, optional
        Alt text; required for a bare figure, overrides a Chart's own.
    dpi : int
        Resolution of the embedded PNG.
    """
    markup = figure_html(chart, alt=alt, dpi=dpi, close=True)
    _display_html(markup)


#: Columns of an indicator-values file read as numbers; every other column is text.
_VALUE_FLOATS = ("numerator", "denominator", "value", "ci_low", "ci_high")
_VALUE_REQUIRED = ("ags", "year", "indicator", "value")
_VALUE_SUFFIXES = (".csv", ".parquet")


def _refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in (".pkl", ".pickle"):
        raise ParameterError(
            f"values_path {str(path)!r}: pickle files are not read, because loading a pickle "
            "runs whatever code its author put into it (anyone who can write to the folder). "
            "Save the values as CSV or Parquet instead: bk.save_values(values, 'values.csv')."
        )


def _values_schema(values: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check an indicator-values table and give it its types (year whole, numbers float)."""
    missing = [c for c in _VALUE_REQUIRED if c not in values.columns]
    if missing:
        raise InputError(f"not an indicator-values table: the column {missing[0]!r} is "
                         "missing", path=path, field=missing[0])
    out = {}
    for c in values.columns:
        col = values[c]
        if c in _VALUE_FLOATS:
            if not pd.api.types.is_float_dtype(col):
                conv = pd.to_numeric(col.replace("", None), errors="coerce")
                bad = conv.isna() & col.notna() & (col.astype(str) != "")
                if bad.any():
                    i = int(bad.to_numpy().argmax())
                    raise InputError(f"{col.iloc[i]!r} is not a number", path=path,
                                     line=i + 2 if path.suffix == ".csv" else None, field=c)
                col = conv
            out[c] = col.astype("float64")
        elif c == "year":
            conv = pd.to_numeric(col, errors="coerce")
            whole = conv.notna() & (conv == conv.round())
            if not whole.all():
                i = int((~whole).to_numpy().argmax())
                raise InputError(f"{col.iloc[i]!r} is not a year", path=path,
                                 line=i + 2 if path.suffix == ".csv" else None, field=c)
            out[c] = conv.astype("int64")
        else:
            out[c] = col if isinstance(col.dtype, pd.StringDtype) else col.astype("str")
    return pd.DataFrame(out)


def load_values(values_path: str | os.PathLike, *, compute=None):
    """Read precomputed indicator values, or compute them when no file is given.

    Parameters
    ----------
    values_path : str or PathLike
        The chapter's ``values_path`` parameter: a CSV file (``.csv``, as written by
        :func:`save_values` or ``bimokit compute -o``) or a Parquet file (``.parquet``, needs
        ``pyarrow``) of indicator values; ``""`` means none. Pickle files are refused: loading
        one runs whatever code its author put into it.
    compute : callable, optional
        Called without arguments when ``values_path`` is empty, e.g.
        ``lambda: bk.compute(facts)``.

    Returns
    -------
    pandas.DataFrame or None
        The indicator values (columns ``ags, year, indicator, <dims>, numerator, denominator,
        value, ci_low, ci_high, status``); None when there is no file and no ``compute``.
        ``year`` is a whole number, the columns ``numerator``, ``denominator``, ``value``,
        ``ci_low`` and ``ci_high`` are floats, every other column is text.

    Raises
    ------
    bimokit.errors.ParameterError
        A missing file, a pickle or another file type.
    bimokit.errors.InputError
        A file that is not an indicator-values table (naming file, line and column).
    """
    if values_path in ("", None):
        return compute() if compute is not None else None
    path = Path(values_path)
    _refuse_pickle(path)
    if path.suffix.lower() not in _VALUE_SUFFIXES:
        raise ParameterError(
            f"values_path {str(path)!r}: expected a .csv or .parquet file of indicator values."
        )
    if not path.is_file():
        raise ParameterError(f"values_path {str(path)!r} does not exist.")
    if path.suffix.lower() == ".parquet":
        values = _read_parquet(path)
    else:
        values = csv_restore(_read_values_csv(path))
    return _values_schema(values, path)


def _read_values_csv(path: Path) -> pd.DataFrame:
    """The CSV with the float columns parsed exactly (round trip) and the others as text."""
    def read(**kw):
        try:
            return pd.read_csv(path, keep_default_na=False, **kw)
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", path=path) from None
        except pd.errors.EmptyDataError:
            raise InputError("the file is empty", path=path) from None
        except pd.errors.ParserError as exc:
            raise InputError(f"not a readable CSV file ({' '.join(str(exc).split())})",
                             path=path) from None

    header = read(nrows=0, dtype=str).columns
    floats = {c: "float64" for c in header if c in _VALUE_FLOATS}
    try:
        return read(dtype={c: floats.get(c, "str") for c in header},
                    na_values={c: [""] for c in floats})
    except ValueError:  # a float column with text: the slow way finds its line
        return read(dtype=str)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ParameterError(
            f"values_path {str(path)!r}: reading Parquet needs pyarrow (pip install pyarrow); "
            "or give the values as CSV."
        ) from None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own types for a broken file
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None


def save_values(values: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write indicator values atomically as CSV (``.csv``) or Parquet (``.parquet``).

    The CSV is UTF-8 with a decimal point and every float in full precision, so that
    :func:`load_values` gives back the same numbers; a text a spreadsheet would evaluate
    gets a leading ``'`` (and loses it again in :func:`load_values`). Parquet needs
    ``pyarrow``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "values.csv"
    >>> v = pd.DataFrame({"ags": ["09162"], "year": [2024], "indicator": ["C1.1"],
    ...                   "value": [34.5]})
    >>> load_values(save_values(v, p)).equals(v)
    True
    """
    path = Path(path)
    _refuse_pickle(path)
    if path.suffix.lower() not in _VALUE_SUFFIXES:
        raise ParameterError(f"{str(path)!r}: values are saved as .csv or .parquet.")
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ParameterError("Saving Parquet needs pyarrow (pip install pyarrow); "
                                     "or save the values as CSV.") from None
            values.to_parquet(tmp, index=False)
        else:
            csv_safe(values).to_csv(tmp, index=False, lineterminator="\n")
    return path
