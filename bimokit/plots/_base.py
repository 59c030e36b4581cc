"""House style, the Chart result, German tick formatting, source lines and shared helpers."""

from __future__ import annotations

import base64
import functools
import html
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from ..errors import ParameterError
from ..fmt import fmt_number, fmt_value, is_missing, normalize_unit

#: The Okabe–Ito palette (colour-blind safe), by German colour name.
OKABE_ITO = {
    "blau": "#0072B2",
    "orange": "#E69F00",
    "blaugruen": "#009E73",
    "zinnober": "#D55E00",
    "purpur": "#CC79A7",
    "himmelblau": "#56B4E9",
    "gelb": "#F0E442",
    "schwarz": "#000000",
}
#: Colour cycle of the house style (Okabe–Ito without the yellow, which is too light on white).
PALETTE = tuple(c for n, c in OKABE_ITO.items() if n != "gelb")

#: Roles in comparison charts: colour and line style (the style keeps them apart in greyscale).
ROLE_STYLE = {
    "kommune": {"color": OKABE_ITO["blau"], "linestyle": "-", "linewidth": 2.4, "marker": "o"},
    "land": {"color": OKABE_ITO["orange"], "linestyle": "--", "linewidth": 1.8, "marker": None},
    "bund": {"color": OKABE_ITO["schwarz"], "linestyle": ":", "linewidth": 1.8, "marker": None},
    "gruppe": {"color": OKABE_ITO["blaugruen"], "linestyle": "-.", "linewidth": 1.8,
               "marker": None},
}
#: Colour of the other members of a Vergleichsgruppe.
OTHER_COLOR = "#A6A6A6"
#: Fill and hatch of "keine Angabe".
MISSING_COLOR = "#E3E3E3"
MISSING_HATCH = "///"

#: German labels of the harmonised dimension codes (data contract, section 2).
CODE_LABELS: dict[str, str] = {
    "insgesamt": "insgesamt",
    "maennlich": "männlich",
    "weiblich": "weiblich",
    "deutsch": "deutsch",
    "auslaendisch": "ausländisch",
    "ohne_esa": "ohne Ersten Schulabschluss",
    "esa": "Erster Schulabschluss",
    "msa": "Mittlerer Schulabschluss",
    "fhr": "Fachhochschulreife",
    "ahr": "Allgemeine Hochschulreife",
    "vorschule": "Vorschule",
    "grundschule": "Grundschule",
    "orientierungsstufe": "Orientierungsstufe",
    "hauptschule": "Hauptschule",
    "mehrere_bildungsgaenge": "Schularten mit mehreren Bildungsgängen",
    "realschule": "Realschule",
    "gymnasium": "Gymnasium",
    "gesamtschule": "Integrierte Gesamtschule",
    "waldorfschule": "Freie Waldorfschule",
    "foerderschule": "Förderschule",
    "abendschule": "Abendschule/Kolleg",
    "berufsschule": "Berufsschule",
    "uebergangssystem": "Übergangssystem",
    "berufsfachschule": "Berufsfachschule",
    "fachoberschule": "Fachoberschule",
    "berufliches_gymnasium": "Berufliches Gymnasium",
    "fachschule": "Fachschule",
    "ganztags": "ganztags",
}
#: German labels of dimension names.
DIMENSION_LABELS: dict[str, str] = {
    "geschlecht": "Geschlecht",
    "nationalitaet": "Nationalität",
    "altersgruppe": "Altersgruppe",
    "schulart": "Schulart",
    "abschluss": "Abschlussart",
    "schulart_beruflich": "Schulart",
    "betreuungsumfang": "Betreuungsumfang",
    "ags": "Gebiet",
}


def code_label(code: object, labels: Mapping[str, str] | None = None) -> str:
    """German label of a dimension code (``ohne_esa`` → "ohne Ersten Schulabschluss").

    Age groups are spelled out: ``0-3`` → "unter 3 Jahre", ``3-6`` → "3 bis unter 6 Jahre",
    ``75+`` → "75 Jahre und älter".
    """
    c = str(code)
    if labels and c in labels:
        return str(labels[c])
    if c in CODE_LABELS:
        return CODE_LABELS[c]
    if "-" in c:
        lo, _, hi = c.partition("-")
        if lo.isdigit() and hi.isdigit():
            return f"unter {hi} Jahre" if lo == "0" else f"{lo} bis unter {hi} Jahre"
    if c.endswith("+") and c[:-1].isdigit():
        return f"{c[:-1]} Jahre und älter"
    if c.startswith("unter_") and c[6:].isdigit():
        return f"unter {c[6:]} Jahre"
    return c


#: Resolution of the PNG of a chart in a chapter (7 × 4 inches → 770 × 440 pixels).
CHART_DPI = 110


def house_rc() -> dict[str, Any]:
    """The rcParams of the bimokit house style (seaborn ``whitegrid`` plus Okabe–Ito)."""
    return dict(_house_rc())


@functools.cache
def _house_rc() -> dict[str, Any]:
    import seaborn as sns  # here, not at import (with pyplot it takes 0.2 s)

    rc: dict[str, Any] = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook", font_scale=0.85))
    rc.update(
        {
            "font.family": ["sans-serif"],
            "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "sans-serif"],
            "axes.prop_cycle": cycler(color=list(PALETTE)),
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            # titles right above the axes: no top ticks or offset text to avoid, so matplotlib
            # need not measure the axes' tick labels for every title at every draw
            "axes.titley": 1.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.unicode_minus": False,
            "legend.frameon": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "hatch.color": "#8C8C8C",
            "image.cmap": "cividis",
        }
    )
    return rc


@contextmanager
def house_style() -> Iterator[None]:
    """Context manager that applies the house style and restores every rcParam afterwards.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = dict(mpl.rcParams)
    >>> with house_style():
    ...     mpl.rcParams["axes.titlelocation"]
    'left'
    >>> dict(mpl.rcParams) == before
    True
    """
    with mpl.rc_context(_house_rc()):
        yield


@dataclass
class Chart:
    """A finished chart: the figure, its axes and a German alt text.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure (not registered with pyplot: nothing leaks between charts).
    ax : Axes or numpy array of Axes
        The main axes (small multiples: the array of panels).
    alt : str
        German description for ``<img alt="…">``.
    source : str
        The source line under the chart ("Quelle: …").
    data : DataFrame or None
        The numbers drawn (for tables and checks).

    Notes
    -----
    In Jupyter the chart shows as ``<img>`` with its alt text (``_repr_html_``) and as PNG.
    The figure is laid out (constrained layout) and drawn only when it is rendered, once per
    :meth:`to_png`, :meth:`to_html` or :meth:`save`, always in the house style.
    """

    fig: Figure
    ax: Any
    alt: str
    source: str = ""
    data: pd.DataFrame | None = field(default=None, repr=False)

    def to_png(self, dpi: int = CHART_DPI) -> bytes:
        """Render the figure as PNG bytes (in the house style).

        One pass: the Agg canvas lays the figure out and draws it once (``savefig`` would
        draw a figure with a layout engine twice, once only to lay it out).
        """
        fig = self.fig
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        buf = io.BytesIO()
        before = fig.dpi
        try:
            with house_style():
                if dpi != before:
                    fig.dpi = dpi
                canvas.print_png(buf)
        finally:
            if fig.dpi != before:
                fig.dpi = before
        return buf.getvalue()

    def to_html(self, dpi: int = CHART_DPI) -> str:
        """An ``<img>`` element with the PNG embedded and the alt text escaped."""
        b64 = base64.b64encode(self.to_png(dpi)).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{b64}" alt="{html.escape(self.alt, quote=True)}" '
            'style="max-width:100%;height:auto">'
        )

    def save(self, path: str | Path, *, dpi: int = 150) -> Path:
        """Write the figure (format from the suffix: .png, .svg, .pdf)."""
        p = Path(path)
        with house_style():
            self.fig.savefig(p, dpi=dpi)
        return p

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_png_(self) -> bytes:
        return self.to_png()


def new_figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **kw: Any) -> Figure:
    """A pyplot-free figure with an Agg canvas and constrained layout (call inside the style).

    The figure has the size and resolution (:data:`CHART_DPI`) it is published in.
    """
    fig = Figure(figsize=figsize, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


#: Who made the numbers of the embedded sample (the fictional Land Musterland, key 99).
SAMPLE_CREDIT = "Beispieldaten Musterland (fiktiv, keine amtlichen Werte)"


def source_text(source: str | None, source_tables: Sequence[str] | None = None, *,
                sample: bool = False) -> str:
    """The source line: ``Quelle: …``.

    Parameters
    ----------
    source : str, optional
        The source as text; "Quelle:" is added where missing.
    source_tables : list of str, optional
        Table codes from the catalogue, used when ``source`` is not given.
    sample : bool
        The numbers come from the embedded sample: the line credits the sample, not the
        statistical offices.

    Examples
    --------
    >>> source_text(None, ["21111-02-06-4"])
    'Quelle: Statistische Ämter des Bundes und der Länder, Tabelle 21111-02-06-4; eigene Berechnungen'
    >>> source_text(None, ["21111-02-06-4"], sample=True)
    'Quelle: Beispieldaten Musterland (fiktiv, keine amtlichen Werte), Tabelle 21111-02-06-4; eigene Berechnungen'
    >>> source_text("IT.NRW, eigene Berechnungen")
    'Quelle: IT.NRW, eigene Berechnungen'
    """  # noqa: E501
    if source is not None and str(source).strip():
        s = str(source).strip()
        return s if s.lower().startswith("quelle") else f"Quelle: {s}"
    tables = [str(t) for t in (source_tables or []) if str(t).strip()]
    who = SAMPLE_CREDIT if sample else "Statistische Ämter des Bundes und der Länder"
    if tables:
        word = "Tabelle" if len(tables) == 1 else "Tabellen"
        return f"Quelle: {who}, {word} {', '.join(tables)}; eigene Berechnungen"
    return f"Quelle: {who}; eigene Berechnungen" if sample else "Quelle: eigene Berechnungen"


def is_sample_data(data: pd.DataFrame | None) -> bool:
    """The drawn regions are all of the fictional Musterland (key 99; ``DG`` may stand beside).

    >>> is_sample_data(pd.DataFrame({"ags": ["99101", "99", "DG"]}))
    True
    >>> is_sample_data(pd.DataFrame({"ags": ["05111", "DG"]}))
    False
    """
    if data is None or "ags" not in getattr(data, "columns", ()):
        return False
    keys = [str(a) for a in data["ags"] if str(a) not in ("", "DG", "nan")]
    return bool(keys) and all(k.startswith("99") for k in keys)


#: Font size (points) and line height (inches) of the source line.
_SOURCE_SIZE = 7.5
_SOURCE_LINE = 0.13


@functools.lru_cache(maxsize=4096)
def _text_width(word: str, family: tuple[str, ...], size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=list(family), size=size)
    return float(text_to_path.get_text_width_height_descent(word, prop, ismath=False)[0])


def wrap_text(text: str, width: float, *, fontsize: float) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width`` points (current font).

    A figure has a fixed size (no ``bbox_inches="tight"`` that would widen it), so a long
    source line is wrapped instead of running off the figure. Widths are measured with the
    font of the current rcParams, word by word (cached).

    Examples
    --------
    >>> wrap_text("Quelle: eigene Berechnungen", 500, fontsize=7.5)
    ['Quelle: eigene Berechnungen']
    >>> len(wrap_text("Quelle: " + "Tabelle 12345-01-01-4, " * 12, 300, fontsize=7.5)) > 1
    True
    """
    family = tuple(mpl.rcParams["font.family"])
    space = _text_width("a a", family, fontsize) - 2 * _text_width("a", family, fontsize)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split(" "):
        w = _text_width(word, family, fontsize)
        if current and used + space + w > width:
            lines.append(" ".join(current))
            current, used = [word], w
        else:
            used += (space if current else 0.0) + w
            current.append(word)
    lines.append(" ".join(current))
    return lines


def finish(
    fig: Figure,
    ax: Any,
    *,
    alt: str,
    source: str | None,
    source_tables: Sequence[str] | None,
    data: pd.DataFrame | None = None,
) -> Chart:
    """Add the source line under the figure and wrap it in a Chart.

    Nothing is drawn here: the figure is laid out and drawn once, when it is rendered
    (:meth:`Chart.to_png`). A tick reads its size, colours and grid from the rcParams when it
    is created; the first tick of every axis is created with the axes, under the house style,
    and later ticks copy it, so that a figure drawn outside the style looks the same.
    """
    text = source_text(source, source_tables, sample=is_sample_data(data))
    height = fig.get_figheight()
    lines = wrap_text(text, 0.98 * fig.get_figwidth() * 72, fontsize=_SOURCE_SIZE)
    bottom = min(0.3, (0.32 + _SOURCE_LINE * (len(lines) - 1)) / height)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    fig.text(0.01, 0.012, "\n".join(lines), ha="left", va="bottom", fontsize=_SOURCE_SIZE,
             color="#4D4D4D", gid="bimokit-source")
    return Chart(fig=fig, ax=ax, alt=alt, source=text, data=data)


def _decimals_for(locs: Sequence[float], max_decimals: int = 4) -> int:
    vals = [float(v) for v in locs if np.isfinite(v)]
    for d in range(max_decimals + 1):
        if all(abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)) for v in vals):
            return d
    return max_decimals


class GermanFormatter(Formatter):
    """Tick labels with decimal comma and thousands dot; ``%``/``‰`` written after the number.

    The number of decimals is the least that writes every tick exactly (0,5 steps → one decimal)
    unless ``decimals`` is given.
    """

    def __init__(self, unit: str | None = None, decimals: int | None = None, *,
                 absolute: bool = False) -> None:
        self.unit = normalize_unit(unit)
        self.decimals = decimals
        self.absolute = absolute
        self._auto = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self._auto = _decimals_for(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        d = self.decimals if self.decimals is not None else self._auto
        v = abs(x) if self.absolute else x
        text = fmt_number(v, d)
        if self.unit in ("%", "‰"):
            text += " " + self.unit
        return text


class YearFormatter(Formatter):
    """Years as plain integers without thousands separator (2024, not 2.024)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return str(int(round(x))) if abs(x - round(x)) < 1e-6 else ""


def year_axis(axis: Any, *, nbins: int = 8) -> None:
    """Integer year ticks without thousands separator (at most ``nbins`` intervals)."""
    axis.set_major_locator(MaxNLocator(integer=True, nbins=nbins))
    axis.set_major_formatter(YearFormatter())


def unit_label(unit: str | None) -> str:
    """Axis label for a unit: "" for % and ‰ (on the ticks), else "in EUR", "je 1.000 …"."""
    u = normalize_unit(unit)
    if u in ("%", "‰"):
        return ""
    if u == "Anzahl":
        return "Anzahl"
    if u.startswith("je "):
        return u
    return f"in {u}"


def names_lookup(names: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    """``ags → name`` from a mapping or a region table (``ags``, ``name``)."""
    if names is None:
        return {}
    if isinstance(names, pd.DataFrame):
        missing = {"ags", "name"} - set(names.columns)
        if missing:
            raise ParameterError(
                "`names` as a table needs the columns 'ags' and 'name'; missing "
                + ", ".join(sorted(missing))
                + "."
            )
        return {str(a): str(n) for a, n in zip(names["ags"], names["name"], strict=True)}
    if isinstance(names, Mapping):
        return {str(k): str(v) for k, v in names.items()}
    raise ParameterError(
        f"`names` must be a mapping AGS → name or a region table; not {type(names).__name__}."
    )


def require_columns(df: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``columns``; raise a plain-words error otherwise."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"`{what}` must be a DataFrame; not {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"`{what}` lacks the column(s) {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(repr, map(str, df.columns)))}."
        )
    return df


def select_indicator(df: pd.DataFrame, indicator: str | None, what: str) -> pd.DataFrame:
    """Keep one indicator where the table holds several."""
    if "indicator" not in df.columns:
        return df
    ids = pd.unique(df["indicator"].dropna().astype(str))
    if indicator is None:
        if len(ids) > 1:
            raise ParameterError(
                f"`{what}` holds {len(ids)} indicators ({', '.join(map(repr, ids[:5]))}…); "
                "pass `indicator=` to choose one."
            )
        return df
    out = df[df["indicator"].astype(str) == str(indicator)]
    if out.empty:
        raise ParameterError(
            f"Indicator {indicator!r} is not in `{what}`; it has "
            f"{', '.join(map(repr, ids[:10]))}."
        )
    return out


def select_year(df: pd.DataFrame, year: int | None, what: str) -> tuple[pd.DataFrame, int | None]:
    """Keep one year (default: the latest) where the table has a ``year`` column."""
    if "year" not in df.columns:
        return df, year
    years = sorted(int(y) for y in pd.unique(df["year"].dropna()))
    if not years:
        raise ParameterError(f"`{what}` has no year.")
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise ParameterError(
            f"Year {year} is not in `{what}`; it covers {years[0]}–{years[-1]}."
        )
    return df[df["year"].astype(int) == int(year)], int(year)


def as_float(s: pd.Series) -> np.ndarray:
    """A column as float array (pandas NA → NaN)."""
    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()


def value_text(x: object, unit: str | None, decimals: int | None) -> str:
    """A value with unit for alt texts and labels ("7,1 %", "keine Angabe")."""
    if is_missing(x):
        return "keine Angabe"
    return fmt_value(x, unit, decimals)


def join_de(parts: Sequence[str]) -> str:
    """Join with commas and a final "und"."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " und " + parts[-1]


def year_range(years: Sequence[int]) -> str:
    """"2012 bis 2024" or "2024"."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]} bis {ys[-1]}"


def style_axes(ax: Axes, *, title: str | None, unit: str | None, decimals: int | None,
               axis: str = "y", label: str | None = None) -> None:
    """Title, German value formatter and unit label on one axis."""
    if title:
        ax.set_title(title)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(GermanFormatter(unit, decimals))
    text = unit_label(unit) if label is None else label
    if axis == "y":
        ax.set_ylabel(text)
    else:
        ax.set_xlabel(text)


def isfinite(x: object) -> bool:
    """A real, finite number."""
    try:
        return not is_missing(x) and math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
