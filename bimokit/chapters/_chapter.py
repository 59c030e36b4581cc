"""The Chapter object: compute once per chapter run, then one call per notebook cell."""

from __future__ import annotations

import html
import re
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .. import comparison as _compare_mod
from .. import trends as _trend_mod
from .._params import parse_years
from .._paths import sample_dir
from .._schema import IMPLAUSIBLE
from ..catalogue import load_catalogue
from ..errors import BimokitError, InputError, ParameterError, UnknownRegionError
from ..fmt import default_decimals, fmt_number, is_missing, normalize_unit, short_unit
from ..offers import ANGEBOTSARTEN, ZIELGRUPPEN_DE, read_standards
from ..publish import figure_html, load_values, publish_keyfigure, publish_table
from ..publish import table_html as _table_html
from ..regions import display_names
from ..targets import read_zielwerte
from ..text import MIN_TREND_YEARS, join_list, subject_of, trend_summary
from ..text import kernaussagen as _kernaussagen
from ._context import CONTEXT
from ._section import Section, returns_section
from ._sources import describe_file

__all__ = ["Chapter", "load_dataset", "parse_vergleichsgruppe", "read_zielwerte"]


_TOTAL = "insgesamt"
#: Most hand-picked Vergleichskommunen drawn and tabled one by one (as Wegweiser Kommune);
#: a longer list is compared as a pooled group only.
MAX_PEERS = 5
#: Variables counted at the start of the school year (the year it starts in) and at its end
#: (school leavers: the published Berichtsjahr is the year the school year ends).
_SCHOOL_START_VARIABLES = {"schulen", "schueler", "schueler_beruflich"}
_SCHOOL_END_VARIABLES = {"abgaenger"}
#: The one wording of the leavers' Berichtsjahr (as in the catalogue's definitions).
LEAVERS_YEAR = ("Berichtsjahr ist das Jahr, in dem das Schuljahr endet "
                "(2023 = Schuljahr 2022/23).")
_TREND_ARROWS = {"steigend": "↑", "fallend": "↓", "stabil": "→", "uneinheitlich": "↕"}
_AMPEL_CODES = {"grün": "gruen", "gelb": "gelb", "rot": "rot"}
_DIMENSION_DE = {
    "geschlecht": "Geschlecht",
    "nationalitaet": "Nationalität",
    "schulart": "Schulart",
    "abschluss": "Abschlussart",
    "schulart_beruflich": "Schulart",
    "altersgruppe": "Altersgruppe",
    "betreuungsumfang": "Betreuungsumfang",
}
_ABSCHLUSS_ORDER = ("ohne_esa", "esa", "msa", "fhr", "ahr")

def load_dataset(data: str = ""):
    """Load a data folder (``""``: the embedded sample) once per kernel.

    Returns the :class:`bimokit.data.Dataset`; a second call for an unchanged folder returns the
    same object.
    """
    return CONTEXT.dataset(data)[1]


def _values_key(values_path) -> tuple:
    """What identifies a values file: path, size and modification time (``""``: computed)."""
    if values_path in ("", None):
        return ("computed",)
    path = Path(values_path)
    if not path.is_file():
        load_values(path)  # raises the plain-words error
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def parse_vergleichsgruppe(text: str) -> dict:
    """Turn the notebook parameter ``vergleichsgruppe`` into options of :func:`bimokit.compare`.

    Examples
    --------
    >>> parse_vergleichsgruppe("kreistyp")
    {'group': 'kreistyp'}
    >>> parse_vergleichsgruppe("aehnlich:5")["k"]
    5
    >>> parse_vergleichsgruppe("99102, 99103")
    {'group': ['99102', '99103']}
    """
    t = str(text or "").strip()
    if t in ("", "kreistyp"):
        return {"group": "kreistyp"}
    if t in ("land", "all"):
        return {"group": t}
    if t.startswith("aehnlich"):
        _, _, k = t.partition(":")
        k = k.strip() or "10"
        if not k.isdigit() or int(k) < 1:
            raise ParameterError(
                f"`vergleichsgruppe` {text!r}: write 'aehnlich:<Anzahl>', e.g. 'aehnlich:5'."
            )
        return {"group": "similar", "context": list(load_catalogue().similar_context),
                "k": int(k)}
    parts = [p.strip() for p in t.split(",") if p.strip()]
    if not parts or not all(p.replace("-", "").isalnum() for p in parts):
        raise ParameterError(
            "`vergleichsgruppe` must be 'kreistyp', 'land', 'aehnlich:<k>' or a comma list of "
            f"AGS such as '99102,99103'; not {text!r}."
        )
    return {"group": parts}


_DATE_SUFFIX = re.compile(r"\s+(?:am|im)\s+(?:\d{2}\.\d{2}\.|Wintersemester)$")


def _age_span(codes) -> str:
    """'0-3', '3-6', '6-10', '10-15' → 'unter 15 Jahren'; '15-18' … '60-65' → 'von 15 bis
    unter 65 Jahren'; '' where the codes are no contiguous age span."""
    bounds = []
    for c in codes:
        m = re.fullmatch(r"(\d+)-(\d+)", str(c))
        if not m:
            return ""
        bounds.append((int(m.group(1)), int(m.group(2))))
    bounds.sort()
    if any(a[1] != b[0] for a, b in zip(bounds, bounds[1:], strict=False)):
        return ""
    lo, hi = bounds[0][0], bounds[-1][1]
    return f"unter {hi} Jahren" if lo == 0 else f"von {lo} bis unter {hi} Jahren"


def denominator_label(ind, titles: dict) -> str:
    """What an indicator's denominator counts, in the nominative, for axis labels and alt texts.

    A rate names it in its unit (``je 1.000 Einwohner von 15 bis unter 25 Jahren``); a share
    by the denominator's variables (``titles``: the vocabulary's German titles) and filters.

    Examples
    --------
    >>> from bimokit.catalogue import load_catalogue
    >>> cat = load_catalogue()
    >>> denominator_label(cat["A2.1"], cat.vocabulary.titles)
    'Bevölkerung unter 15 Jahren'
    >>> denominator_label(cat["E2.1"], cat.vocabulary.titles)
    'Einwohner von 15 bis unter 25 Jahren'
    >>> denominator_label(cat["D4.1"], cat.vocabulary.titles)
    'Absolventen und Abgänger allgemeinbildender Schulen'
    """
    unit = normalize_unit(ind.unit) or ""
    m = re.fullmatch(r"je\s+[\d.]+\s+(.+)", unit)
    if m:
        return m.group(1)
    parts = []
    for term in ind.denominator:
        title = _DATE_SUFFIX.sub("", str(titles.get(term.variable, term.variable)))
        extra = []
        for dim, codes in term.filters:
            age = _age_span(codes) if dim == "altersgruppe" else ""
            if age:
                extra.append(age)
            else:
                from ..plots import code_label

                extra.append("/".join(code_label(c) for c in codes))
        parts.append(" ".join([title, *extra]))
    return " und ".join(parts) if parts else "Bezugsgröße"


#: The Kommune's own row in a table of all Kreise: bold (also in black-and-white print) on a
#: light tint.
_HIGHLIGHT_STYLE = "font-weight:bold;background:#fdf0c2"


def _legend_title(title: str, unit: str) -> str:
    """What a map's colours show: the indicator and its unit ('… in %', '… je 1.000 …').

    >>> _legend_title("SGB-II-Quote der unter 15-Jährigen", "%")
    'SGB-II-Quote der unter 15-Jährigen in %'
    """
    u = normalize_unit(unit)
    if u in ("%", "‰", "EUR"):
        return f"{title} in {u}"
    if not u or u == "Anzahl" or u in title:
        return title
    return f"{title} ({u})"


def _count(n: int, singular: str, plural: str) -> str:
    """'1 mögliche Doppelstruktur' / '3 mögliche Doppelstrukturen'.

    >>> _count(1, "Region", "Regionen"), _count(3, "Region", "Regionen")
    ('1 Region', '3 Regionen')
    """
    return f"{n} {singular if n == 1 else plural}"


def _cases(n: int) -> str:
    """'einem Fall' / '3 Fällen' (dative, after 'in')."""
    return "einem Fall" if n == 1 else f"{n} Fällen"


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _year_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first} bis {last}"


class Chapter:
    """One report chapter (Handlungsfeld) for one Kommune: data, results and display calls.

    Parameters
    ----------
    feld : str
        Chapter letter: ``A`` … ``H`` or ``S``.
    ags : str, keyword-only
        The Kommune (a Kreis or a Gemeinde of the data's region table).
    data : str
        Data folder; ``""`` = the embedded sample Musterland.
    years : str
        ``"2015-2024"`` or ``"2024"``; ``""`` = all years of the data.
    vergleichsgruppe : str
        ``"kreistyp"`` (default), ``"land"``, ``"aehnlich:<k>"`` (the k most similar Kreise by
        SGB-II-Quote der unter 15-Jährigen, Ausländeranteil and Anteil ab 65) or a comma list of
        AGS (hand-picked Vergleichskommunen: up to five are drawn as named lines and tabled as
        named columns beside the pooled group value).
    out_dir : str
        Where :func:`bimokit.report.publish_table` and ``publish_keyfigure`` write; ``""``
        writes nothing.
    values_path : str
        Precomputed indicator values (``.csv``/``.parquet``) of all regions; ``""``: compute the
        chapter's indicators here in one :func:`bimokit.compute` call.

    Attributes
    ----------
    values : DataFrame
        Indicator values of the chapter's indicators for every region (all breakdowns), within
        ``years``.
    comparison : DataFrame
        :func:`bimokit.compare` of the Kommune, every indicator and year.
    trends : DataFrame
        :func:`bimokit.trend` of the Kommune's series (Zensus breaks only for indicators that
        rest on population figures).
    outputs : list of str
        Every HTML fragment the display calls produced, in order (also shown in Jupyter).

    Raises
    ------
    UnknownRegionError
        ``ags`` is not in the region table, or it no longer exists (dissolved Kreis).
    ParameterError
        Unknown chapter letter, bad ``years`` or ``vergleichsgruppe``.

    Notes
    -----
    Every display call returns a :class:`Section` (title, ``table``, ``chart``, ``sentences``,
    ``sources``) that shows itself in JupyterLab and in the report page (HTML with escaped
    names, charts as ``<img>`` with alt text, tables with German headers and numbers), so
    ``ch.indikator("D4.1").table`` is the table behind what the page shows. A region without
    data for a section gets a German sentence saying so, never an error.

    Examples
    --------
    >>> ch = Chapter("C", ags="99101")
    >>> ch.name, ch.kommune_level
    ('Musterstadt', 'kreis')
    >>> ch.kernaussagen()
    Section('Kernaussagen', 5 Sätze)
    >>> r = ch.indikator("C1.1")
    >>> r.title, list(r.table.columns)[:2], r.chart is not None
    ('C1.1 Betreuungsquote der Kinder unter 3 Jahren', ['year', 'value'], True)
    >>> ch.outputs[-1] == r.fragments[-1]
    True
    """

    def __init__(self, feld: str, *, ags: str, data: str = "", years: str = "",
                 vergleichsgruppe: str = "kreistyp", out_dir: str = "",
                 values_path: str = "") -> None:
        feld = str(feld).strip().upper()
        fields = load_catalogue().handlungsfelder
        if feld not in fields:
            raise ParameterError(
                f"`feld` must be one of {', '.join(fields)}; not {feld!r}."
            )
        self.feld = feld
        self.ags = str(ags).strip()
        self.data = str(data or "")
        self.out_dir = str(out_dir or "")
        self.outputs: list[str] = []
        self._open_sections: list = []
        self._published: set[str] = set()
        self._methods: dict[str, str] = {}
        self._used_tables: list[str] = []

        self._token, self.dataset = CONTEXT.dataset(self.data)
        self.regions = self.dataset.regions
        self.facts = self.dataset.facts
        self._check_region()
        self.catalogue = load_catalogue()
        self.group_options = parse_vergleichsgruppe(vergleichsgruppe)
        self.vergleichsgruppe = str(vergleichsgruppe or "kreistyp")

        data_years = sorted(int(y) for y in pd.unique(self.facts["year"]))
        span = parse_years(years)
        if span is None:
            self.first_year, self.last_year = data_years[0], data_years[-1]
        else:
            if span[1] < data_years[0] or span[0] > data_years[-1]:
                raise ParameterError(
                    f"`years` {years!r} lies outside the data ({data_years[0]}–"
                    f"{data_years[-1]})."
                )
            self.first_year = max(span[0], data_years[0])
            self.last_year = min(span[1], data_years[-1])

        self.indicators = self._chapter_indicators()
        vkey = _values_key(values_path)
        #: key of the results every Kommune of a batch shares for this chapter
        self._shared_key = (self._token, vkey, tuple(self.indicators), self.first_year,
                            self.last_year)
        values, totals = CONTEXT.shared(("values", *self._shared_key),
                                 lambda: self._chapter_values(values_path, vkey))
        # own copies: a notebook that changes ch.values must not change the next chapter's
        self.values, self.totals = values.copy(), totals.copy()
        if self.group_options["group"] == "similar":
            missing = [c for c in self.catalogue.similar_context
                       if c not in set(self.totals["indicator"])]
            self._context = self._compute_extra(missing) if missing else self.totals
        else:
            self._context = self.totals

    def _chapter_values(self, values_path, vkey) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The values of the chapter's indicators within the years, and their totals."""
        if vkey == ("computed",):
            values = self.dataset.compute(self.indicators, by="all")
        else:
            values = CONTEXT.shared(("values-file", self._token, vkey),
                             lambda: load_values(values_path))
        values = values[values["indicator"].astype(str).isin(self.indicators)]
        values = values[(values["year"] >= self.first_year) & (values["year"] <= self.last_year)]
        for col in ("breakdown", "category"):
            if col not in values.columns:
                values = values.assign(**{col: _TOTAL})
        values = values.reset_index(drop=True)
        tot = (values["breakdown"] == _TOTAL) & (values["category"] == _TOTAL)
        return values, values[tot.to_numpy()].reset_index(drop=True)

    # -----------------------------------------------------------------------------------------
    # set-up

    def _check_region(self) -> None:
        reg = self.regions
        row = reg[reg["ags"].astype(str) == self.ags]
        where = "the embedded sample Musterland" if not self.data else repr(self.data)
        if row.empty:
            raise UnknownRegionError(
                f"Unknown AGS {self.ags!r}: not in the region table of {where}."
            )
        r = row.iloc[0]
        if "exists" in reg.columns and not bool(r["exists"]):
            until = "" if is_missing(r.get("valid_to")) else f" (until {int(r['valid_to'])})"
            raise UnknownRegionError(
                f"AGS {self.ags!r} ({r['name']}) no longer exists{until}: it was merged into "
                "another Kreis. Choose the Kreis it belongs to today."
            )
        if r["level"] not in ("kreis", "gemeinde"):
            raise ParameterError(
                f"AGS {self.ags!r} ({r['name']}) is a region of level {r['level']!r}; a chapter "
                "is written for a Kreis, a kreisfreie Stadt or a Gemeinde."
            )
        self.kommune_level = str(r["level"])
        self.kreistyp = "" if is_missing(r.get("kreistyp")) else str(r["kreistyp"])
        self._names = CONTEXT.shared(("names", self._token), lambda: display_names(reg).to_dict())
        self.name = self._names[self.ags]
        self.land = self.ags[:2]
        land = reg[reg["ags"].astype(str) == self.land]
        self.land_name = str(land["name"].iloc[0]) if len(land) else f"Land {self.land}"
        sr = reg[(reg["level"] == "sozialraum") & (reg["parent"].astype(str) == self.ags)]
        self.sozialraeume = sorted(sr["ags"].astype(str))

    def _chapter_indicators(self) -> list[str]:
        if self.feld == "S":
            si = self.catalogue.sozialindex
            ids = [*si.get("sozialraum", {}), *si.get("kreis", {}), *self._main_indicators]
        else:
            ids = [i.id for i in self.catalogue if i.handlungsfeld == self.feld]
        ids += list(self._main_indicators)
        return list(dict.fromkeys(i for i in ids if i in self.catalogue))

    @property
    def _main_indicators(self) -> tuple:
        """The indicators whose Kernaussagen open the chapter (the catalogue's order)."""
        return self.catalogue.handlungsfelder[self.feld].main_indicators

    @property
    def _is_sample(self) -> bool:
        """The Kommune is one of the fictional Musterland (Land key 99, which no real Land
        has), whether from the embedded sample or a copy of its folder: its charts and tables
        credit the sample, not the statistical offices."""
        return not self.data or self.ags.startswith("99")

    @cached_property
    def _is_city_state(self) -> bool:
        """Hamburg or Berlin: the Kommune is its Land (the Land's values are its own)."""
        from ..regions import CITY_STATES

        return self.ags in {f"{land}000" for land in CITY_STATES}

    @property
    def _land_ref(self) -> str | None:
        """The Land drawn and tabled beside the Kommune; None for Hamburg and Berlin."""
        return None if self._is_city_state else self.land

    @cached_property
    def _group_is_national(self) -> bool:
        """The 'kreistyp' group left the Land (the Kommune is the only Kreis of its type)."""
        members, _ = _compare_mod.group_members(self.ags, regions=self.regions,
                                                group="kreistyp")
        return any(str(m)[:2] != self.ags[:2] for m in members)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        own = self.totals[self.totals["ags"] == self.ags]
        have = sorted(set(own["indicator"]))
        if not have:
            return pd.DataFrame(columns=["ags", "indicator", "breakdown", "category",
                                         *_compare_mod.COMPARE_COLUMNS])
        cat = self.catalogue.table()
        out = _compare_mod.compare(
            self._context, self.ags, regions=self.regions, indicators=have,
            direction=cat, units=cat, **self.group_options)
        if self._is_city_state:  # "genau auf dem Landeswert" would say nothing
            out["land_value"] = np.nan
            out["diff_land"] = np.nan
        return out

    @cached_property
    def trends(self) -> pd.DataFrame:
        own = self.totals[self.totals["ags"] == self.ags]
        return _trend_mod.trend(own, population_based=self._population_based,
                                units=self.catalogue.table())

    # -----------------------------------------------------------------------------------------
    # output

    def _emit(self, markup: str) -> None:
        self.outputs.append(markup)
        for section in self._open_sections:
            section.fragments.append(markup)

    def _heading(self, level: int, text: str) -> None:
        for section in self._open_sections:
            section.title = section.title or str(text)
        self._emit(f"<h{level}>{_esc(text)}</h{level}>")

    def _para(self, text: str, cls: str = "") -> None:
        self._sentences(text)
        attr = f' class="{cls}"' if cls else ""
        self._emit(f"<p{attr}>{_esc(text)}</p>")

    def _sentences(self, *texts: str) -> None:
        for section in self._open_sections:
            section.sentences.extend(str(t) for t in texts)

    def _show(self, chart) -> None:
        from ..plots import CHART_DPI

        for section in self._open_sections:
            section.charts.append(chart)
        self._emit(figure_html(chart, dpi=CHART_DPI))

    def _table(self, table: pd.DataFrame, *, name: str, labels: dict | None = None,
               decimals: dict | None = None, note: str = "", source: str = "",
               highlight: str | None = None) -> None:
        """Show a table and hand it to the runner (unique name per chapter).

        ``highlight``: the value of the first column whose row is set in bold on a tinted
        background (the Kommune's own row in a table of all Kreise).
        """
        base, n = name[:190], 2
        while name in self._published:
            name = f"{base} ({n})"
            n += 1
        self._published.add(name)
        for section in self._open_sections:
            section.tables.append(table)
            section.add_source(source)
        publish_table(table, name=name, out_dir=self.out_dir, labels=labels, decimals=decimals,
                      note=note, source=source, display=False)
        markup = _table_html(table.reset_index(drop=True), caption=name, labels=labels,
                             decimals=decimals, note=note, source=source)
        if highlight is not None:
            markup = markup.replace(
                f"<tr><td>{html.escape(str(highlight))}</td>",
                f'<tr class="bk-hervorgehoben" style="{_HIGHLIGHT_STYLE}">'
                f"<td>{html.escape(str(highlight))}</td>", 1)
        self._emit(markup)

    def _note_missing(self, text: str, exc: Exception | None = None) -> None:
        if exc is not None:
            warnings.warn(f"Chapter {self.feld}, {self.ags}: {exc}", stacklevel=3)
        self._para(text, "bk-hinweis")

    # -----------------------------------------------------------------------------------------
    # helpers on the results

    def _ind(self, indicator: str):
        return self.catalogue[str(indicator)]

    def _source(self, tables) -> str:
        """The source line under a chart or table.

        ``tables`` are table codes (or own-data file names), or ``(code, stands)`` pairs as
        :meth:`_tables_of` returns them; a Stand is written after its table.
        """
        items = [(t, ()) if isinstance(t, str) else (str(t[0]), tuple(t[1])) for t in tables]
        for t, _ in items:
            if t not in self._used_tables:
                self._used_tables.append(t)
        shown = []
        for t, stands in items:
            when = f" (Stand {' und '.join(stands)})" if stands else ""
            shown.append(f"{t}{when}")
        word = "Tabelle" if len(items) == 1 else "Tabellen"
        tables_text = f", {word} {', '.join(shown)}" if shown else ""
        if self._is_sample:
            line = (f"Beispieldaten Musterland (fiktiv, keine amtlichen Werte){tables_text}; "
                    "eigene Berechnungen")
        else:
            line = (f"Statistische Ämter des Bundes und der Länder und weitere Quellen"
                    f"{tables_text}; eigene Berechnungen")
        for section in self._open_sections:
            section.add_source(line)
        return line

    @cached_property
    def _facts_shown(self) -> pd.DataFrame:
        """The facts a chapter can show: the Land (its Kreise, Gemeinden, Sozialräume) and
        Deutschland, within the report's years."""
        def make():
            f = self.facts
            ags = f["ags"].astype(str)
            keep = ((ags == "DG") | ags.str.startswith(self.land)) \
                & (f["year"] >= self.first_year) & (f["year"] <= self.last_year)
            return f[keep.to_numpy()]

        return CONTEXT.shared(("facts-shown", self._token, self.land, self.first_year,
                        self.last_year), make)

    def _rows_sources(self, rows: pd.DataFrame, order=()) -> list[tuple[str, tuple]]:
        """(table, Stände) of fact rows: the catalogue's order first, each Stand once."""
        if rows.empty:
            return []
        src = rows["source"].astype(str).to_numpy()
        stands = rows["stand"].to_numpy() if "stand" in rows.columns else [None] * len(rows)
        found: dict[str, set] = {}
        for code, stand in zip(src, stands, strict=True):
            found.setdefault(code, set())
            if stand is not None and not is_missing(stand):
                found[code].add(pd.Timestamp(stand))
        rank = {t: i for i, t in enumerate(order)}
        codes = sorted(found, key=lambda c: (rank.get(c, len(rank)), c))
        return [(c, tuple(d.strftime("%d.%m.%Y") for d in sorted(found[c]))) for c in codes]

    def _tables_of(self, indicators, *, breakdown: str | None = None,
                   sozialraum: bool = False) -> list[tuple[str, tuple]]:
        """The tables the values of ``indicators`` came from, with their Stand.

        The facts keep ``source`` (table code or file) and ``stand`` after the loader chose
        one edition per observation. The rows an indicator uses are those of its numerator
        and denominator terms (their filters, every other dimension at ``insgesamt``, the
        ``breakdown`` at any code), in the years it has values, for the Kreise, Gemeinden and
        the Land and Deutschland (``sozialraum=True``: the Kommune's Sozialräume); an
        indicator one of whose terms has no rows has no values and names no table. Where no
        table is found, the catalogue's tables that are in the data folder are named (none,
        if none is).
        """
        ids = [indicators] if isinstance(indicators, str) else list(indicators)
        # the same for every Kommune of the Land (Sozialräume: of the Kommune)
        key = ("tables", *self._shared_key, tuple(ids), breakdown,
               self.ags if sozialraum else self.land)
        return CONTEXT.shared(key, lambda: self._find_tables(ids, breakdown, sozialraum))

    def _find_tables(self, ids, breakdown, sozialraum) -> list[tuple[str, tuple]]:
        f = self._facts_shown
        ags = f["ags"].astype(str)
        f = f[ags.str.startswith(self.ags + "-").to_numpy()] if sozialraum \
            else f[~ags.str.contains("-", regex=False).to_numpy()]
        voc = self.catalogue.vocabulary
        v = self.values
        parts, order = [], []
        for i in ids:
            ind = self._ind(i)
            order += [t for t in ind.source_tables if t not in order]
            mine = v[(v["indicator"] == ind.id) & v["value"].notna()]
            years = set(mine["year"].astype(int)) if len(mine) else None
            rows_of = []
            for term in (*ind.numerator, *ind.denominator):
                rows = f[f["variable"] == term.variable]
                filt = term.filter_dict
                for dim in voc.variables.get(term.variable, ()):
                    if dim not in rows.columns or dim == breakdown:
                        continue
                    rows = rows[rows[dim].isin(list(filt.get(dim, (_TOTAL,))))]
                if years is not None:
                    rows = rows[rows["year"].astype(int).isin(years)]
                if rows.empty:  # a term without rows: the indicator has no values
                    rows_of = []
                    break
                rows_of.append(rows)
            parts += rows_of
        rows = pd.concat(parts) if parts else f.iloc[:0]
        out = self._rows_sources(rows, order)
        if not out:
            files = self.dataset.files
            present = set(files["table_code"].astype(str)) | {
                Path(str(x)).stem for x in files["file"]}
            out = [(t, ()) for t in order if t in present]
        return out

    @cached_property
    def _own_rows(self) -> dict:
        t = self.totals
        own = t[(t["ags"] == self.ags).to_numpy()]
        return {"empty": own.iloc[:0],
                **{str(i): g for i, g in own.groupby("indicator", sort=False, observed=True)}}

    def _own(self, indicator: str) -> pd.DataFrame:
        rows = self._own_rows.get(str(indicator))
        return self._own_rows["empty"] if rows is None else rows.sort_values("year")

    def _latest(self, indicator: str) -> pd.Series | None:
        own = self._own(indicator)
        return None if own.empty else own.iloc[-1]

    def _latest_with_value(self, indicator: str) -> pd.Series | None:
        own = self._own(indicator)
        own = own[own["value"].notna()]
        return None if own.empty else own.iloc[-1]

    @cached_property
    def _comp_at(self) -> dict:
        """(indicator, year) → position of its first row in :attr:`comparison`."""
        c = self.comparison
        at: dict = {}
        for pos, key in enumerate(zip(c["indicator"].astype(str), c["year"].astype(int),
                                      strict=True)):
            at.setdefault(key, pos)
        return at

    def _comp_row(self, indicator: str, year: int) -> dict:
        pos = self._comp_at.get((str(indicator), int(year)))
        return {} if pos is None else self.comparison.iloc[pos].to_dict()

    @cached_property
    def _trend_at(self) -> dict:
        at: dict = {}
        for pos, i in enumerate(self.trends["indicator"].astype(str)):
            at.setdefault(i, pos)
        return at

    def _trend_row(self, indicator: str) -> dict:
        pos = self._trend_at.get(str(indicator))
        return {} if pos is None else self.trends.iloc[pos].to_dict()

    @cached_property
    def _population_based(self) -> list[str]:
        return [i.id for i in self.catalogue
                if any(t.variable == "bevoelkerung" for t in (*i.numerator, *i.denominator))]

    def _break_of(self, indicator: str) -> dict:
        """The break that cut the trend window of ``indicator`` and the trend before it.

        Returns ``{}`` without a break, else ``trend_break`` (label), ``trend_break_year`` and
        ``trend_before``/``trend_before_since``/``trend_before_until``/``trend_before_years``
        (the class of the years before the break, '' when there are fewer than two).
        """
        memo = self.__dict__.setdefault("_break_memo", {})
        if indicator not in memo:
            memo[indicator] = self._find_break(indicator)
        return dict(memo[indicator])

    def _find_break(self, indicator: str) -> dict:
        tr = self._trend_row(indicator)
        if not tr or not bool(tr.get("break_in_window")) or is_missing(tr.get("first_year")):
            return {}
        cut = int(tr["first_year"])
        label = ""
        for part in str(tr.get("breaks") or "").split("; "):
            name, _, year = part.rpartition(" (")
            if year.rstrip(")") == str(cut):
                label = name
        if not label:
            return {}
        out = {"trend_break": label, "trend_break_year": cut}
        own = self._own(indicator)
        before = own[(own["year"] < cut) & own["value"].notna()]
        if len(before) >= 2:
            res = _trend_mod.trend(before, population_based=self._population_based,
                                   units=self.catalogue.table())
            if len(res):
                b = res.iloc[0]
                out.update(trend_before=str(b["trend_class"] or "") or None,
                           trend_before_since=int(b["first_year"]),
                           trend_before_until=int(b["last_year"]),
                           trend_before_years=int(b["n_years"]))
        return out

    def _breaks_shown(self, indicator: str) -> dict[int, str]:
        """Year → label of the breaks a chart of ``indicator`` marks (Zensus, for indicators
        that rest on population figures)."""
        if indicator not in self._population_based:
            return {}
        b = _trend_mod.BREAKS
        b = b[b["scope"] == "bevoelkerung"]
        return {int(y): str(lab) for y, lab in zip(b["year"], b["label"], strict=True)
                if self.first_year < int(y) <= self.last_year}

    def _break_note(self, indicator: str) -> str:
        """'Ab 2022 …' note of a Zensus break inside the shown years, '' if none."""
        if indicator not in self._population_based:
            return ""
        notes = []
        for _, b in _trend_mod.BREAKS.iterrows():
            if b["scope"] == "bevoelkerung" and self.first_year < int(b["year"]) <= \
                    self.last_year:
                notes.append(f"Zeitreihenbruch {int(b['year'])}: {b['note']}")
        return " ".join(notes)

    def trend_statement(self, indicator: str) -> tuple[str | None, str]:
        """The trend the Kernaussage of ``indicator`` states, short: its class (None where it
        states none) and a note with the years (:func:`bimokit.text.trend_summary`); the
        Steckbrief shows exactly this."""
        if self._structural_zero(indicator) or self._latest(indicator) is None:
            return None, ""
        return trend_summary(self._row_for_text(indicator))

    def _trend_arrow(self, indicator: str) -> str | None:
        """Steckbrief arrow of the trend the Kernaussage states."""
        return _TREND_ARROWS.get(str(self.trend_statement(indicator)[0] or ""))

    def _comparable(self, indicator: str) -> bool:
        """Counts of a Kommune are not compared with the Land or other Kommunen."""
        return self._ind(indicator).kind != "count"

    def _row_for_text(self, indicator: str) -> dict:
        ind = self._ind(indicator)
        latest = self._latest(indicator)
        row = {"subject": subject_of(ind), "unit": ind.unit,
               "direction": ind.direction}
        if latest is None:
            row.update(value=None, year=self.last_year, status="")
            return row
        row.update(value=latest["value"], year=int(latest["year"]), status=latest["status"],
                   ci_low=latest.get("ci_low"), ci_high=latest.get("ci_high"))
        if is_missing(latest["value"]):
            return row
        comp = self._comp_row(indicator, int(latest["year"]))
        if comp and self._comparable(indicator):
            row["land_value"] = comp.get("land_value")
            if int(comp.get("n_group") or 0) >= 2:
                row["group_value"] = comp.get("group_value")
                row["funnel_flag"] = comp.get("funnel_flag") or None
                row["funnel_base"] = "land" if comp.get("funnel_base") == "Land" else "group"
        tr = self._trend_row(indicator)
        if tr and not is_missing(tr.get("last_year")) \
                and int(tr["last_year"]) == int(latest["year"]):
            row.update(trend_class=tr["trend_class"] or None, first_year=int(tr["first_year"]),
                       last_year=int(tr["last_year"]), n_years=int(tr["n_years"]))
            row.update(self._break_of(indicator))
        return row

    def _where(self) -> str:
        """'Im Kreis' / 'In der Stadt' / 'In der Gemeinde' at the start of a sentence."""
        if self.kommune_level == "gemeinde":
            return "In der Gemeinde"
        return "In der Stadt" if "stadt" in self.kreistyp.lower() else "Im Kreis"

    def _structural_zero(self, indicator: str) -> str:
        """The reason ('gibt es keine Hochschule') when ``indicator`` is a structural zero."""
        for spec in (h.structural_zero for h in self.catalogue.handlungsfelder.values()
                     if h.structural_zero):
            if indicator not in spec["indicators"]:
                continue
            marker = spec["marker"]
            own = self.totals[(self.totals["ags"] == self.ags)
                              & (self.totals["indicator"] == marker)]
            if own.empty and marker not in self.indicators:
                extra = self._compute_extra([marker])
                own = extra[(extra["ags"] == self.ags) & (extra["indicator"] == marker)]
            own = own[own["value"].notna()].sort_values("year")
            if len(own) and float(own["value"].iloc[-1]) == 0:
                return spec["text"]
        return ""

    def kernaussage_text(self, indicator: str) -> str:
        """The Kernaussage of one indicator as text (what :meth:`indikator` shows).

        Examples
        --------
        >>> Chapter("D", ags="99101").kernaussage_text("D4.1").startswith(
        ...     "Der Anteil der Schulabgänger ohne Ersten Schulabschluss lag 2024 bei")
        True
        """
        ind = self._ind(indicator)
        row = self._row_for_text(ind.id)
        reason = self._structural_zero(ind.id)
        if reason:
            subj = row["subject"]
            if row.get("value") is not None and not is_missing(row["value"]) \
                    and float(row["value"]) == 0:
                tail = f"{subj.verb('ist', 'sind')} deshalb 0" + (
                    " und wird nicht mit anderen Regionen verglichen"
                    if self._comparable(ind.id) else "")
            else:
                tail = f"{subj.verb('entfällt', 'entfallen')} deshalb"
            return f"{self._where()} {reason}; {subj.phrase} {tail}."
        text = _kernaussagen([row])[0]
        if row.get("value") is None and self._latest(ind.id) is None:
            return (f"{row['subject'].capitalized} liegt für {self.name} nicht vor "
                    "(keine Daten).")
        return text

    # -----------------------------------------------------------------------------------------
    # the display calls

    @returns_section
    def titel(self) -> Section:
        """Chapter heading with the Kommune, the years, the Vergleichsgruppe and the data."""
        title = self.catalogue.handlungsfelder[self.feld].chapter_title
        self._heading(1, f"{self.feld} {title} – {self.name}")
        typ = f"{self.kreistyp}, " if self.kreistyp else ""
        group = {"kreistyp": f"Kreise gleichen Typs in {self.land_name}",
                 "land": f"alle Kreise in {self.land_name}",
                 "all": "alle Kreise",
                 "similar": f"die {self.group_options.get('k')} ähnlichsten Kreise nach sozialer "
                            "Lage und Bevölkerungsstruktur"}
        g = self.group_options["group"]
        gtext = group.get(g, "") if isinstance(g, str) else "vom Nutzer gewählte Kreise: " + \
            ", ".join(self._names.get(a, a) for a in g) + (
                "; jeder wird in Grafiken und Tabellen einzeln gezeigt, dazu der Wert der Gruppe"
                if self._peers else
                f"; mehr als {MAX_PEERS} werden nur als Gruppe gezeigt"
                if len([a for a in g if a != self.ags]) > MAX_PEERS else "")
        if g == "kreistyp" and self._group_is_national:
            gtext = "Kreise gleichen Typs in Deutschland" + (
                "" if self._is_city_state else
                f" ({self.name} ist in {self.land_name} der einzige Kreis dieses Typs)")
        self._para(f"{self.name} ({typ}AGS {self.ags}), {self.land_name}. Berichtszeitraum "
                   f"{_year_text(self.first_year, self.last_year)}. Vergleichsgruppe: {gtext}.")
        if self._is_city_state:
            self._para(f"{self.name} ist Land und kreisfreie Stadt zugleich: Die Landeswerte "
                       "sind die eigenen Werte. Verglichen wird deshalb mit Deutschland und "
                       "der Vergleichsgruppe.", "bk-hinweis")
        if self._is_sample:
            self._para("Alle Zahlen dieses Kapitels stammen aus den Beispieldaten „Musterland“: "
                       "Sie sind erfunden und keine amtlichen Werte.", "bk-hinweis")

    @returns_section
    def kernaussagen(self, indikatoren=None) -> Section:
        """The chapter's key statements: one sentence per main indicator."""
        ids = list(indikatoren) if indikatoren is not None else list(self._main_indicators)
        sentences = [self.kernaussage_text(i) for i in ids]
        for section in self._open_sections:
            section.title = "Kernaussagen"
        self._sentences(*sentences)
        items = "".join(f"<li>{_esc(s)}</li>" for s in sentences)
        self._emit(f'<section class="bk-kernaussagen"><h2>Kernaussagen</h2><ul>{items}</ul>'
                   "</section>")

    @returns_section
    def indikator(self, indikator: str, *, jahre: int = 5, steckbrief: bool | None = None
                  ) -> Section:
        """One indicator: definition, Kernaussage, time series, table and comparison.

        Parameters
        ----------
        indikator : str
            Catalogue id, e.g. ``"C1.1"``.
        jahre : int
            Years in the table (the latest ones).
        steckbrief : bool, optional
            Hand the latest value to the runner as a key figure of the Steckbrief. Default:
            for the first two main indicators of chapters A–H.
        """
        ind = self._ind(indikator)
        if steckbrief is None:
            steckbrief = self.feld != "S" and ind.id in self._main_indicators[:2]
        self._heading(3, f"{ind.id} {ind.title}")
        self._para(f"Definition: {ind.definition} Lesehilfe: {ind.interpretation}",
                   "bk-definition")
        own = self._own(ind.id)
        sentence = self.kernaussage_text(ind.id)
        self._sentences(sentence)
        self._emit(f'<p class="bk-kernaussage"><strong>{_esc(sentence)}</strong></p>')
        if self._structural_zero(ind.id):
            if steckbrief:
                self._keyfigure(ind, self._latest(ind.id), comparison=self._where() + " "
                                + self._structural_zero(ind.id))
            return
        if own.empty or own["value"].notna().sum() == 0:
            if steckbrief:
                self._keyfigure(ind, None)
            return
        if own["value"].notna().sum() < 2:
            year = int(own.loc[own["value"].notna(), "year"].iloc[0])
            self._note_missing(f"Für {self.name} liegt nur der Wert für {year} vor; eine "
                               "Zeitreihe entfällt.")
        else:
            try:
                self._show(self._timeseries_chart(ind))
            except BimokitError as exc:
                self._note_missing("Die Zeitreihe lässt sich nicht darstellen.", exc)
        self._indicator_table(ind, own, jahre)
        if self._comparable(ind.id):
            self._comparison_text(ind)
        if steckbrief:
            self._keyfigure(ind, self._latest(ind.id))

    def _timeseries_chart(self, ind):
        from ..plots import plot_timeseries

        comparable = self._comparable(ind.id)
        keep = {self.ags, self._land_ref, "DG"} - {None} if comparable else {self.ags}
        t = self.totals
        peers = self._peers_with_values(ind.id) if comparable else []
        data = t[(t["indicator"] == ind.id) & t["ags"].isin(keep | set(peers))]
        group = None
        if comparable and not self.comparison.empty:
            c = self.comparison
            c = c[(c["indicator"] == ind.id) & (c["n_group"] >= 2) & c["group_value"].notna()]
            if len(c):
                group = c[["year", "group_value"]]
        present = set(data.loc[data["value"].notna(), "ags"])
        return plot_timeseries(
            data, ags=self.ags, names=self._names, unit=ind.unit,
            land=self._land_ref if self._land_ref in present else None,
            bund="DG" if "DG" in present else None,
            group=group, breaks=self._breaks_shown(ind.id), peers=peers, title=ind.title,
            source=self._source(self._tables_of(ind.id)))

    @property
    def _peers(self) -> list[str]:
        """Hand-picked Vergleichskommunen (``vergleichsgruppe="09162,09564"``), up to
        :data:`MAX_PEERS`: each is drawn and tabled by name beside the pooled group value."""
        g = self.group_options["group"]
        if isinstance(g, str):
            return []
        peers = [a for a in dict.fromkeys(map(str, g)) if a != self.ags]
        return peers if len(peers) <= MAX_PEERS else []

    def _peers_with_values(self, indicator: str) -> list[str]:
        t = self.totals
        have = set(t.loc[(t["indicator"] == indicator) & t["value"].notna(), "ags"])
        return [a for a in self._peers if a in have]

    def _indicator_table(self, ind, own: pd.DataFrame, jahre: int) -> None:
        years = sorted(int(y) for y in own["year"])[-max(1, int(jahre)):]
        mine = own[own["year"].isin(years)]
        table = pd.DataFrame({"year": mine["year"].astype("int64").to_numpy(),
                              "value": mine["value"].to_numpy(dtype="float64")})
        labels = {"value": self.name}
        dec = default_decimals(normalize_unit(ind.unit))
        if self._comparable(ind.id):
            t = self.totals
            for key, col, label in ((self._land_ref, "land_value", f"Land {self.land_name}"),
                                    ("DG", "bund_value", "Deutschland")):
                ref = t[(t["indicator"] == ind.id) & (t["ags"] == key)]
                if ref["value"].notna().any():
                    m = dict(zip(ref["year"].astype(int), ref["value"], strict=True))
                    table[col] = [m.get(y, np.nan) for y in table["year"]]
                    labels[col] = label
            c = self.comparison
            if not c.empty:
                c = c[(c["indicator"] == ind.id) & (c["n_group"] >= 2)]
                if c["group_value"].notna().any():
                    m = dict(zip(c["year"].astype(int), c["group_value"], strict=True))
                    table["group_value"] = [m.get(y, np.nan) for y in table["year"]]
                    labels["group_value"] = "Vergleichsgruppe"
            for peer in self._peers_with_values(ind.id):  # each Vergleichskommune by name
                ref = t[(t["indicator"] == ind.id) & (t["ags"] == peer)]
                m = dict(zip(ref["year"].astype(int), ref["value"], strict=True))
                col = f"peer_{peer}"
                table[col] = [m.get(y, np.nan) for y in table["year"]]
                labels[col] = self._names.get(peer, peer)
        status = mine["status"].astype(object).fillna("").astype(str)
        status = status.replace({IMPLAUSIBLE: "nicht plausibel"}).to_numpy()
        if any(s for s in status):
            table["status"] = status
            labels["status"] = "Zeichen"
        decimals = {c: dec for c in table.columns if c not in ("year", "status")}
        unit = normalize_unit(ind.unit)
        note = " ".join(x for x in (f"Einheit: {unit}." if unit else "",
                                    self._year_note(ind.id), self._break_note(ind.id)) if x)
        self._table(table, name=f"{ind.id} {ind.title}", labels=labels, decimals=decimals,
                    note=note,
                    source=self._source(self._tables_of(ind.id)))

    def _comparison_text(self, ind) -> None:
        latest = self._latest_with_value(ind.id)
        if latest is None:
            return
        comp = self._comp_row(ind.id, int(latest["year"]))
        if not comp:
            return
        n = int(comp.get("n_group") or 0)
        if n < 2 or is_missing(comp.get("rank")):
            self._para(f"Für {latest['year']} hat die Vergleichsgruppe keine weiteren Regionen "
                       "mit Wert; ein Rangvergleich entfällt.")
            return
        rank = int(comp["rank"])
        text = f"Im Jahr {int(latest['year'])} belegt {self.name} Rang {rank} von {n} in der " \
               "Vergleichsgruppe"
        text += " (Rang 1 = günstigster Wert)." if ind.direction else \
            " (Rang 1 = höchster Wert; die Reihenfolge ist keine Wertung)."
        flag = str(comp.get("funnel_flag") or "")
        if flag == "innerhalb":
            text += (" Der Wert liegt innerhalb der 95-%-Trichtergrenzen: Der Abstand zum Wert "
                     "der Vergleichsgruppe ist mit Zufallsschwankungen vereinbar.")
        elif flag:
            side, level = flag.split(" ", 1)
            text += (f" Der Wert liegt {side} der {level.replace(' %', '-%')}-Trichtergrenze: "
                     "Der Abstand zum Wert der Vergleichsgruppe ist statistisch auffällig.")
        self._para(text)

    def _keyfigure(self, ind, latest, *, comparison: str = "") -> None:
        value = None if latest is None else latest["value"]
        year = self.last_year if latest is None else int(latest["year"])
        status = "" if latest is None or is_missing(latest["status"]) else str(latest["status"])
        if not comparison and latest is not None and self._comparable(ind.id) \
                and not is_missing(value):
            comp = self._comp_row(ind.id, year)
            if comp and not is_missing(comp.get("land_value")):
                unit = normalize_unit(ind.unit)
                short = short_unit(unit)
                comparison = f"Land: {fmt_number(comp['land_value'], default_decimals(unit))}" \
                    + (f" {short}" if short else "")
        arrow = self._trend_arrow(ind.id)
        publish_keyfigure(
            indicator=ind.id, label=ind.title, value=None if is_missing(value) else value,
            unit=normalize_unit(ind.unit), year=year, ampel=self._ampel(ind.id),
            trend_arrow=arrow, trend_note=self.trend_statement(ind.id)[1],
            comparison=comparison, status=status, out_dir=self.out_dir)

    @returns_section
    def funnel(self, indikator: str) -> Section:
        """Funnel plot of the Vergleichsgruppe for the latest year (shares and rates)."""
        from ..plots import plot_funnel

        ind = self._ind(indikator)
        latest = self._latest_with_value(ind.id)
        if self._structural_zero(ind.id):
            self._note_missing(f"{self._where()} {self._structural_zero(ind.id)}; ein "
                               "Trichterdiagramm entfällt.")
            return
        if latest is None:
            self._note_missing(f"Für {self.name} liegt „{ind.title}“ nicht vor; ein "
                               "Trichterdiagramm entfällt.")
            return
        if ind.kind not in ("share", "rate"):
            self._note_missing("Ein Trichterdiagramm ist nur für Anteile und Raten sinnvoll; "
                               f"„{ind.title}“ wird deshalb als Rangfolge gezeigt.")
            self.rangfolge(ind.id)
            return
        year = int(latest["year"])
        try:
            members = _compare_mod.funnel_table(
                self._context, indicator=ind.id, year=year, regions=self.regions, ags=self.ags,
                **self.group_options)
        except BimokitError as exc:
            self._note_missing("Für das Trichterdiagramm fehlen Werte der Vergleichsgruppe.",
                               exc)
            return
        members = members[members["denominator"].notna() & (members["denominator"] > 0)]
        if len(members) < 3:
            self._note_missing("Die Vergleichsgruppe ist für ein Trichterdiagramm zu klein "
                               f"({_count(len(members), 'Region', 'Regionen')} mit Wert).")
            return
        center = float(members["group_value"].iloc[0])
        chart = plot_funnel(
            members, ags=self.ags, names=self._names, center=center,
            center_label="Wert der Vergleichsgruppe",
            kind="proportion" if ind.kind == "share" else "rate", unit=ind.unit, year=year,
            title=ind.title, source=self._source(self._tables_of(ind.id)),
            n_label=denominator_label(ind, self.catalogue.vocabulary.titles))
        self._show(chart)
        pos = chart.data.loc[chart.data["ags"] == self.ags, "position"]
        if len(pos):
            where = str(pos.iloc[0])
            if where == "innerhalb":
                self._para(f"{self.name} liegt {year} innerhalb der Trichtergrenzen: Der Abstand "
                           "zur Vergleichsgruppe ist mit Zufallsschwankungen vereinbar.")
            else:
                side, _, level = where.partition(" ")
                self._para(f"{self.name} liegt {year} {side} der "
                           f"{level.replace(' %', '-%')}-Grenze (außerhalb des Trichters): "
                           "Der Abstand zur Vergleichsgruppe ist statistisch auffällig.")

    @returns_section
    def rangfolge(self, indikator: str) -> Section:
        """Bar ranking of the Vergleichsgruppe for the latest year, the Kommune highlighted."""
        from ..plots import plot_ranking

        ind = self._ind(indikator)
        latest = self._latest_with_value(ind.id)
        if self._structural_zero(ind.id):
            self._note_missing(f"{self._where()} {self._structural_zero(ind.id)}; eine "
                               "Rangfolge entfällt.")
            return
        if latest is None:
            self._note_missing(f"Für {self.name} liegt „{ind.title}“ nicht vor; eine Rangfolge "
                               "entfällt.")
            return
        if not self._comparable(ind.id):
            self._note_missing(f"„{ind.title}“ ist eine absolute Zahl; eine Rangfolge der "
                               "Kommunen wäre nur ein Größenvergleich und entfällt.")
            return
        year = int(latest["year"])
        members, _ = _compare_mod.group_members(self.ags, regions=self.regions,
                                                values=self._context, **self.group_options)
        t = self.totals
        vals = t[(t["indicator"] == ind.id) & (t["year"] == year) & t["ags"].isin(members)
                 & t["value"].notna()]
        if len(vals) < 2:
            self._note_missing("Die Vergleichsgruppe hat für eine Rangfolge zu wenige Werte.")
            return
        land = t[(t["indicator"] == ind.id) & (t["year"] == year)
                 & (t["ags"] == self._land_ref)]
        land_value = float(land["value"].iloc[0]) if land["value"].notna().any() else None
        chart = plot_ranking(vals[["ags", "value"]], ags=self.ags, names=self._names,
                             unit=ind.unit, land_value=land_value,
                             ascending=ind.direction == -1, title=f"{ind.title}, {year}",
                             source=self._source(self._tables_of(ind.id)))
        self._show(chart)

    @returns_section
    def aufschluesselung(self, indikator: str, nach: str) -> Section:
        """Small multiples of one indicator by a breakdown (Geschlecht, Schulart …)."""
        from ..plots import plot_small_multiples

        ind = self._ind(indikator)
        label = _DIMENSION_DE.get(nach, nach)
        v = self.values
        comparable = self._comparable(ind.id)
        comparable = comparable and self._land_ref is not None  # a city-state: its own Land
        keep = [self.ags, self.land] if comparable else [self.ags]
        rows = v[(v["indicator"] == ind.id) & (v["breakdown"] == nach) & (v["category"] != _TOTAL)
                 & v["ags"].isin(keep)]
        if rows.empty or rows.loc[rows["ags"] == self.ags, "value"].notna().sum() == 0:
            self._note_missing(f"Eine Aufschlüsselung von „{ind.title}“ nach {label} liegt für "
                               f"{self.name} nicht vor.")
            return
        # categories without any value (e.g. a Schulart that does not exist here) are left out
        filled = set(rows.loc[rows["value"].notna(), "category"])
        rows = rows[rows["category"].isin(filled)]
        rows = rows.assign(_k=(rows["ags"] != self.ags).astype(int)).sort_values(
            ["_k", "category", "year"])
        data = pd.DataFrame({nach: rows["category"].to_numpy(), "year": rows["year"].to_numpy(),
                             "value": rows["value"].to_numpy(dtype="float64"),
                             "ags": rows["ags"].to_numpy()})
        mine_years = rows.loc[(rows["ags"] == self.ags) & rows["value"].notna(), "year"]
        chart = None if mine_years.nunique() < 2 else plot_small_multiples(
            data, by=nach, name=self.name, hue="ags" if comparable else None,
            labels={self.ags: self.name, self.land: self.land_name}, unit=ind.unit,
            breaks=self._breaks_shown(ind.id), title=ind.title,
            source=self._source(self._tables_of(ind.id, breakdown=nach)))
        if chart is not None:
            self._show(chart)
        from ..plots import code_label

        mine = rows[rows["ags"] == self.ags]
        year = int(mine.loc[mine["value"].notna(), "year"].max())
        last = mine[mine["year"] == year]
        table = pd.DataFrame({"kategorie": [code_label(c) for c in last["category"]],
                              "value": last["value"].to_numpy(dtype="float64")})
        labels = {"kategorie": label, "value": self.name}
        if comparable:
            land = rows[(rows["ags"] == self.land) & (rows["year"] == year)]
            m = dict(zip(land["category"], land["value"], strict=True))
            table["land_value"] = [m.get(c, np.nan) for c in last["category"]]
            labels["land_value"] = f"Land {self.land_name}"
        dec = default_decimals(normalize_unit(ind.unit))
        if len(filled) == 1:
            self._para(f"Die Quelle weist nach {label} nur „{code_label(next(iter(filled)))}“ "
                       "gesondert aus.", "bk-hinweis")
        self._table(table, name=f"{ind.id} {ind.title} nach {label}, {year}", labels=labels,
                    decimals={c: dec for c in table.columns if c != "kategorie"},
                    note=self._year_note(ind.id),
                    source=self._source(self._tables_of(ind.id, breakdown=nach)))

    @returns_section
    def pyramide(self, jahr: int | None = None) -> Section:
        """Population pyramid of the Kommune (Altersgruppen × Geschlecht)."""
        from ..plots import plot_pyramid

        f = self.facts
        cols = f.columns
        sel = (f["variable"] == "bevoelkerung") & (f["ags"] == self.ags) \
            & f["geschlecht"].isin(["maennlich", "weiblich"]) \
            & f["altersgruppe"].notna() & (f["altersgruppe"] != _TOTAL) \
            & f["value"].notna() & (f["year"] >= self.first_year) & (f["year"] <= self.last_year)
        if "nationalitaet" in cols:
            sel &= f["nationalitaet"].isna() | (f["nationalitaet"] == _TOTAL)
        d = f[sel]
        if d.empty:
            self._note_missing(f"Eine Bevölkerung nach Alter und Geschlecht liegt für {self.name} "
                               "nicht vor.")
            return
        jahr = int(d["year"].max()) if jahr is None else int(jahr)
        d = d[d["year"] == jahr]
        data = pd.DataFrame({"altersgruppe": d["altersgruppe"].astype(str).to_numpy(),
                             "geschlecht": d["geschlecht"].astype(str).to_numpy(),
                             "value": d["value"].to_numpy(dtype="float64"), "year": jahr})
        data = data.groupby(["altersgruppe", "geschlecht", "year"], as_index=False)["value"].sum()
        tables = self._rows_sources(d, self._ind("A1.1").source_tables
                                    if "A1.1" in self.catalogue else ())
        chart = plot_pyramid(data, name=self.name, year=jahr,
                             title="Bevölkerung nach Alter und Geschlecht",
                             source=self._source(tables))
        self._show(chart)
        t = chart.data
        table = pd.DataFrame({"altersgruppe": t["label"].to_numpy(),
                              "maennlich": t["maennlich_gruppe"].to_numpy(dtype="float64"),
                              "weiblich": t["weiblich_gruppe"].to_numpy(dtype="float64")})
        table["insgesamt"] = table["maennlich"] + table["weiblich"]
        table["breite"] = t["breite"].astype("float64").to_numpy()
        table["je_altersjahr"] = table["insgesamt"] / table["breite"]
        open_note = "".join(f" {lab}: bis {int(b)} Jahre gerechnet." for lab, a, b in
                            zip(t["label"], t["altersgruppe"], t["bis"], strict=True)
                            if str(a).endswith("+"))
        self._table(table, name=f"Bevölkerung nach Altersgruppen, {jahr}",
                    labels={"altersgruppe": "Altersgruppe", "maennlich": "männlich",
                            "weiblich": "weiblich", "insgesamt": "insgesamt",
                            "breite": "Altersjahre", "je_altersjahr": "insgesamt je Altersjahr"},
                    decimals={"maennlich": 0, "weiblich": 0, "insgesamt": 0, "breite": 0,
                              "je_altersjahr": 0},
                    note="Stichtag 31.12. Die Pyramide zeigt Personen je Altersjahr: die Zahl "
                         "der Altersgruppe geteilt durch ihre Breite in Jahren, damit breite "
                         "Gruppen (65 bis unter 75 Jahre) nicht größer wirken als schmale."
                         + open_note,
                    source=self._source(tables))

    @returns_section
    def abschlussarten(self) -> Section:
        """Stacked shares of the Abschlussarten of the school leavers over the years."""
        from ..plots import plot_stacked_shares

        v = self.values
        rows = v[(v["indicator"] == "D4.6") & (v["ags"] == self.ags) & (v["breakdown"] ==
                 "abschluss") & (v["category"] != _TOTAL) & v["value"].notna()]
        if rows.empty:
            self._note_missing(f"Abschlussarten liegen für {self.name} nicht vor.")
            return
        data = pd.DataFrame({"year": rows["year"].to_numpy(),
                             "abschluss": rows["category"].astype(str).to_numpy(),
                             "value": rows["value"].to_numpy(dtype="float64")})
        order = [c for c in _ABSCHLUSS_ORDER if c in set(data["abschluss"])]
        tables = self._tables_of("D4.6", breakdown="abschluss")
        chart = plot_stacked_shares(data, category="abschluss", name=self.name, order=order,
                                    title="Absolventen und Abgänger",
                                    source=self._source(tables))
        self._show(chart)
        t = chart.data
        year = int(t["x"].max())
        last = t[t["x"] == year]
        table = pd.DataFrame({"abschluss": last["label"].to_numpy(),
                              "anzahl": last["value"].to_numpy(dtype="float64"),
                              "anteil": last["share"].to_numpy(dtype="float64")})
        self._table(table, name=f"Absolventen und Abgänger nach Abschlussart, {year}",
                    labels={"abschluss": "Abschlussart", "anzahl": "Anzahl",
                            "anteil": "Anteil in %"},
                    decimals={"anzahl": 0, "anteil": 1}, note=self._year_note("D4.6"),
                    source=self._source(tables))

    # -----------------------------------------------------------------------------------------
    # maps

    @cached_property
    def _geometry(self):
        return CONTEXT.shared(("geometry", self._token), self._read_geometry)

    def _read_geometry(self):
        from ..io.geo import read_geometries

        folder = sample_dir("musterland") if not self.data else Path(self.data)
        found = read_geometries(folder, regions=self.regions) if folder.is_dir() else None
        if found is None:
            return None
        # The region table's names ("Musterstadt"), not the file's ("Musterstadt, Kreisfreie
        # Stadt"), so that map alt texts name the regions as the rest of the chapter does.
        clean = []
        for f in found["features"]:
            fp = dict(f["properties"])
            name = self._names.get(fp["ags"])
            if name:
                fp["name"] = name
            clean.append({**f, "properties": fp})
        geojson = {"type": "FeatureCollection", "features": clean}
        return {"path": geojson, "file": folder / found["sources"][0], "key": "ags",
                "has_level": all("level" in f["properties"] for f in clean)}

    @returns_section
    def karte(self, indikator: str, ebene: str = "kreis", jahr: int | None = None) -> Section:
        """Choropleth map of an indicator: Kreise of the Land or Sozialräume of the Kommune."""
        from ..plots import plot_choropleth

        if ebene not in ("kreis", "sozialraum"):
            raise ParameterError(f"`ebene` must be 'kreis' or 'sozialraum'; not {ebene!r}.")
        ind = self._ind(indikator)
        geo = self._geometry
        if geo is None:
            self._note_missing("Für eine Karte fehlt im Datenordner eine Geometrie (GeoJSON mit "
                               "den Schlüsseln der Gebiete).")
            return
        t = self.totals
        sel = t[(t["indicator"] == ind.id) & t["value"].notna()]
        if ebene == "kreis":
            kreise = self.regions[(self.regions["level"] == "kreis")
                                  & self.regions["exists"].astype(bool)]["ags"].astype(str)
            sel = sel[sel["ags"].isin(set(kreise)) & sel["ags"].str.startswith(self.land)]
            within, area, level = self.land, self.land_name, "kreis"
        else:
            sel = sel[sel["ags"].str.startswith(self.ags + "-")]
            within, area, level = self.ags + "-", self.name, "sozialraum"
            if sel.empty:
                self._note_missing(f"Für {self.name} liegen zu „{ind.title}“ keine Werte auf "
                                   "Ebene der Sozialräume vor.")
                return
        if sel.empty:
            self._note_missing(f"Für die Karte zu „{ind.title}“ liegen keine Werte vor.")
            return
        jahr = int(sel["year"].max()) if jahr is None else int(jahr)
        sel = sel[sel["year"] == jahr]
        source = self._source(self._tables_of(ind.id, sozialraum=ebene == "sozialraum"))
        chart = plot_choropleth(
            sel[["ags", "value"]], geo["path"], geo_key=geo["key"], within=within,
            level=level if geo["has_level"] else None,
            highlight=self.ags if ebene == "kreis" else None, area=area, unit=ind.unit,
            legend_title=_legend_title(ind.title, ind.unit),
            title=f"{ind.title}, {jahr}", source=source)
        self._show(chart)
        if ebene == "sozialraum":
            number = dict(zip(chart.data["ags"], chart.data["nummer"], strict=True))
            table = pd.DataFrame({"nummer": [number.get(a, 0) for a in sel["ags"]],
                                  "ags": sel["ags"].to_numpy(),
                                  "name": [self._names.get(a, a) for a in sel["ags"]],
                                  "value": sel["value"].to_numpy(dtype="float64")})
            dec = default_decimals(normalize_unit(ind.unit))
            self._table(table, name=f"{ind.id} {ind.title} nach Sozialräumen, {jahr}",
                        labels={"nummer": "Nr. auf der Karte", "ags": "Sozialraum",
                                "name": "Name", "value": _legend_title(ind.title, ind.unit)},
                        decimals={"value": dec, "nummer": 0}, source=source)

    # -----------------------------------------------------------------------------------------
    # chapter S

    def _si_setup(self, indicators, directions):
        if self.sozialraeume:
            units = self.sozialraeume
            default = self.catalogue.sozialindex["sozialraum"]
            level = "sozialraum"
        else:
            reg = self.regions
            units = sorted(reg[(reg["level"] == "kreis") & reg["exists"].astype(bool)
                               & reg["ags"].astype(str).str.startswith(self.land)]["ags"])
            default = self.catalogue.sozialindex["kreis"]
            level = "kreis"
        if indicators is None:
            chosen = dict(default)
        else:
            chosen = {str(i): int((directions or {}).get(str(i), default.get(str(i), 1)))
                      for i in indicators}
        return units, chosen, level

    def _compute_extra(self, ids) -> pd.DataFrame:
        have = set(self.totals["indicator"])
        missing = tuple(i for i in ids if i not in have)
        if not missing:
            return self.totals

        def make():
            extra = self.dataset.compute(list(missing))
            extra = extra[(extra["year"] >= self.first_year)
                          & (extra["year"] <= self.last_year)]
            return pd.concat([self.totals, extra], ignore_index=True)

        return CONTEXT.shared(("extra", *self._shared_key, missing), make)

    def _sozialindex_result(self, indicators=None, directions=None):
        key = (tuple(indicators) if indicators is not None else None,
               tuple(sorted((directions or {}).items())))
        cache = getattr(self, "_si_cache", None)
        if cache is not None and cache[0] == key:
            return cache[1]
        units, chosen, level = self._si_setup(indicators, directions)
        # the same for every Kommune with these units (all Kreise of a Land without
        # Sozialräume)
        result = CONTEXT.shared(
            ("sozialindex", *self._shared_key, tuple(units), tuple(chosen.items()), level),
            lambda: self._compute_sozialindex(units, chosen, level))
        self._si_missing = list(result["missing"])
        if result["si"] is None:
            result = None
        else:
            self._methods["sozialindex"] = result["si"].attrs.get("methodik", "")
        self._si_cache = (key, result)
        return result

    def _compute_sozialindex(self, units, chosen, level):
        from ..composite import index_coverage, sozialindex

        values = self._compute_extra(list(chosen))
        v = values[values["ags"].isin(units) & values["indicator"].isin(list(chosen))
                   & values["value"].notna()]
        kept, missing, year = index_coverage(v, list(chosen), units)
        v = v[v["indicator"].isin(kept)]
        chosen = {i: chosen[i] for i in kept}
        if len(chosen) < 2:
            result = {"si": None, "missing": missing}
        else:
            si = sozialindex(v[["ags", "year", "indicator", "value"]], list(chosen),
                             level=level, year=year, direction=chosen)
            wide = v[v["year"] == year].pivot_table(index="ags", columns="indicator",
                                                    values="value", aggfunc="first")
            result = {"si": si, "wide": wide, "year": year, "level": level, "units": units,
                      "indicators": chosen, "missing": missing}
        return result

    @returns_section
    def sozialindex(self, indikatoren=None, *, richtungen=None) -> Section:
        """Sozialindex of the Kommune's Sozialräume (or of the Kreise of the Land).

        Parameters
        ----------
        indikatoren : list of str, optional
            Indicator ids; default SGB-II-Quote der unter 15-Jährigen (A2.1), Sprachförderbedarf
            (C3.1) and Übergang auf das Gymnasium (D3.1, reversed) for Sozialräume;
            A2.1, A2.3 and D4.1 for Kreise.
        richtungen : mapping, optional
            Indicator → +1 (higher value = more need) or −1.
        """
        r = self._sozialindex_result(indikatoren, richtungen)
        if not self.sozialraeume:
            self._para(f"Für {self.name} liegen keine Daten auf Ebene von Sozialräumen vor. "
                       f"Gezeigt wird deshalb der Sozialindex der Kreise und kreisfreien Städte "
                       f"in {self.land_name}; {self.name} ist in Tabelle und Karte "
                       "hervorgehoben.", "bk-hinweis")
        missing = [f"„{self._ind(i).title}“ ({i})" for i in self._si_missing]
        if r is None:
            if missing:
                self._note_missing(
                    "Der Sozialindex entfällt: er fasst mindestens zwei Indikatoren zusammen, "
                    f"und für {join_list(missing)} fehlen in den Daten Werte für mindestens die "
                    "Hälfte der Gebiete.")
            else:
                self._note_missing("Für den Sozialindex liegen keine Werte vor.")
            return
        if missing:
            self._para(f"Ohne {join_list(missing)}: dafür fehlen in den Daten Werte für mindestens "
                       "die Hälfte der Gebiete.", "bk-hinweis")
        si = r["si"]
        names = [self._names.get(a, a) for a in si["ags"]]
        titles = {i: self._ind(i).title for i in r["indicators"]}
        how = {1: "höher = mehr Bedarf", -1: "umgepolt"}
        parts = ", ".join(f"{t} ({how.get(r['indicators'][i], 'höher = mehr Bedarf')})"
                          for i, t in titles.items())
        self._para(f"Der Sozialindex fasst {len(titles)} Indikatoren des Jahres {r['year']} "
                   f"zusammen: {parts}. Klasse 1 bedeutet sehr niedrigen, Klasse 5 sehr hohen "
                   "Unterstützungsbedarf im Vergleich der Gebiete.")
        table = pd.DataFrame({"ags": si["ags"].to_numpy(), "name": names})
        for i in r["indicators"]:
            table[i] = [r["wide"].get(i, pd.Series(dtype=float)).get(a, np.nan)
                        for a in si["ags"]]
        table["score_z"] = si["score_z"].to_numpy(dtype="float64")
        table["klasse"] = si["class"].astype("Int64").astype(object).where(
            si["class"].notna(), None).to_numpy()
        table["bedeutung"] = si["class_label"].astype(object).where(
            si["class_label"].notna(), "").to_numpy()
        table = table.sort_values(["score_z", "ags"], ascending=[False, True], na_position="last")
        table["klasse"] = pd.to_numeric(table["klasse"], errors="coerce")
        labels = {"ags": "Gebiet", "name": "Name", "score_z": "Indexwert (z)",
                  "klasse": "Klasse", "bedeutung": "Bedarf"}
        labels.update({i: f"{i} {t}" for i, t in titles.items()})
        decimals = {i: 1 for i in titles} | {"score_z": 2, "klasse": 0}
        tables = self._tables_of(list(titles), sozialraum=r["level"] == "sozialraum")
        kreise = r["level"] == "kreis"
        self._table(table, name=f"Sozialindex {r['year']}" + (
                        f", Kreise in {self.land_name}" if kreise else ""),
                    labels=labels, decimals=decimals, source=self._source(tables),
                    note=f"{self.name} (fett) ist hervorgehoben." if kreise else "",
                    highlight=self.ags if kreise else None)
        high = table[table["klasse"] >= 4]
        word = "Sozialräume" if r["level"] == "sozialraum" else "Kreise"
        dative = "Sozialräumen" if r["level"] == "sozialraum" else "Kreisen"
        if len(high):
            verb = "hat" if len(high) == 1 else "haben"
            self._para(f"{len(high)} von {len(table)} {dative} {verb} einen hohen oder sehr hohen "
                       f"Bedarf (Klasse 4 oder 5): {', '.join(high['name'])}.")
        else:
            self._para(f"Keiner der {len(table)} {word} liegt in Klasse 4 oder 5.")
        if r["level"] == "kreis":
            mine = table[table["ags"] == self.ags]
            if len(mine) and not is_missing(mine["klasse"].iloc[0]):
                self._para(f"{self.name} liegt in Klasse {int(mine['klasse'].iloc[0])} "
                           f"({mine['bedeutung'].iloc[0]}).")

    @returns_section
    def karte_sozialindex(self) -> Section:
        """Map of the Sozialindex (z-value in the classes of the index)."""
        from ..plots import plot_choropleth

        r = self._sozialindex_result()
        geo = self._geometry
        if r is None or geo is None:
            self._note_missing("Eine Karte des Sozialindex liegt nicht vor (keine Werte oder "
                               "keine Geometrie).")
            return
        si = r["si"][r["si"]["class"].notna()]
        # the table's classes: class k with its label, in the colours of five classes
        labels = dict(zip(si["class"].astype(int), si["class_label"], strict=True))
        n_classes = max(5, max(labels))
        classes = {k: f"{k} {labels.get(k, '')}".strip() for k in range(1, n_classes + 1)}
        if r["level"] == "sozialraum":
            within, area, level, highlight = self.ags + "-", self.name, "sozialraum", None
        else:
            within, area, level, highlight = self.land, self.land_name, "kreis", self.ags
        chart = plot_choropleth(
            pd.DataFrame({"ags": si["ags"].to_numpy(),
                          "value": si["class"].astype(int).to_numpy(dtype="float64")}),
            geo["path"], geo_key=geo["key"], within=within,
            level=level if geo["has_level"] else None, classes=classes,
            legend_title="Sozialindex-Klasse (Bedarf)", highlight=highlight,
            area=area, cmap="YlOrRd",
            title=f"Sozialindex {r['year']}: Klassen des Unterstützungsbedarfs",
            source=self._source(self._tables_of(list(r["indicators"]),
                                                sozialraum=r["level"] == "sozialraum")))
        self._show(chart)

    def _children(self, units, year) -> pd.Series:
        f = self.facts
        ages = ["0-3", "3-6", "6-10", "10-15"]
        sel = (f["variable"] == "bevoelkerung") & f["ags"].isin(list(units)) \
            & f["altersgruppe"].isin(ages) & (f["year"] == year)
        for d in ("geschlecht", "nationalitaet"):
            if d in f.columns:
                sel &= f[d].isna() | (f[d] == _TOTAL)
        d = f[sel]
        return d.groupby("ags")["value"].sum(min_count=1)

    @returns_section
    def mittelverteilung(self, budget: float = 1_000_000, *, sockelanteil: float = 0.2) -> Section:
        """Need-based allocation of a budget over the Sozialräume, against the Gießkanne.

        Need of a unit = children under 15 × Sozialindex class (1–5); a base share of the budget
        is split equally. The Gießkanne gives every child the same amount.
        """
        from ..allocation import allocate_by_class

        r = self._sozialindex_result()
        if r is None:
            self._note_missing("Ohne Sozialindex ist keine bedarfsorientierte Verteilung möglich.")
            return
        si = r["si"][r["si"]["class"].notna()]
        kids = self._children(si["ags"], r["year"])
        if kids.empty:
            years = sorted(self.facts.loc[self.facts["ags"].isin(list(si["ags"]))
                                          & (self.facts["variable"] == "bevoelkerung"), "year"])
            if years:
                kids = self._children(si["ags"], int(years[-1]))
        frame = pd.DataFrame({"ags": si["ags"].to_numpy(),
                              "klasse": si["class"].astype(int).to_numpy()})
        frame["kinder"] = frame["ags"].map(kids).astype("float64")
        frame = frame[frame["kinder"].notna()]
        if frame.empty:
            self._note_missing("Für die Verteilung fehlt die Zahl der Kinder unter 15 Jahren.")
            return
        self.allocation = allocate_by_class(frame, float(budget), base_share=float(sockelanteil))
        self._methods["allocate"] = self.allocation.attrs["methodik"]
        a = self.allocation
        table = pd.DataFrame({
            "ags": a["ags"].to_numpy(), "name": [self._names.get(x, x) for x in a["ags"]],
            "klasse": a["klasse"].to_numpy(), "kinder": a["kinder"].to_numpy(dtype="float64"),
            "amount": a["amount"].to_numpy(dtype="float64"),
            "giesskanne": a["giesskanne_amount"].astype("float64").to_numpy(),
            "difference": a["difference"].astype("float64").to_numpy(),
        })
        table["je_kind"] = table["amount"] / table["kinder"].where(table["kinder"] > 0)
        table = table.sort_values(["klasse", "ags"], ascending=[False, True])
        kreise = r["level"] == "kreis"
        euro = fmt_number(float(budget), 0)
        base_pct = fmt_number(100 * float(sockelanteil), 0)
        if kreise:
            self._para(
                f"Für {self.name} liegen keine Sozialräume vor. Die folgende Rechnung ist "
                f"deshalb ein Beispiel auf Landesebene: Ein Landesbudget von {euro} Euro wird "
                f"nach Bedarf auf alle {len(table)} Kreise und kreisfreien Städte in "
                f"{self.land_name} verteilt. Sie zeigt, welchen Anteil {self.name} bei einer "
                f"solchen Verteilung erhielte; über die Verteilung innerhalb von {self.name} "
                "sagt sie nichts.", "bk-hinweis")
        self._para(f"Verteilt werden {euro} Euro: {base_pct} % als gleicher Sockel je "
                   f"{'Kreis' if kreise else 'Gebiet'}, der Rest nach Bedarf (Kinder unter 15 "
                   "Jahren × Klasse des Sozialindex). Zum Vergleich die Gießkanne: gleicher "
                   "Betrag je Kind.")
        # cents where a euro per child would round most areas to 0, 1 or 2
        per_child_dec = 2 if table["je_kind"].median() < 10 else 0
        name = f"Mittelverteilung {euro} Euro"
        if kreise:
            name += f" auf die Kreise in {self.land_name} (Beispiel)"
        note = f"Bevölkerung {r['year']}; Summe = Budget."
        if kreise:
            note += (f" Beispiel auf Landesebene: Landesbudget auf die Kreise verteilt; "
                     f"{self.name} (fett) ist hervorgehoben.")
        self._table(table, name=name,
                    labels={"ags": "Gebiet", "name": "Name", "klasse": "Klasse",
                            "kinder": "Kinder unter 15", "amount": "Betrag bedarfsorientiert (EUR)",
                            "giesskanne": "Betrag Gießkanne (EUR)",
                            "difference": "Differenz (EUR)", "je_kind": "EUR je Kind"},
                    decimals={"kinder": 0, "amount": 0, "giesskanne": 0, "difference": 0,
                              "je_kind": per_child_dec, "klasse": 0},
                    note=note, highlight=self.ags if kreise else None)
        high = table["klasse"] >= 4
        if high.any():
            got, flat = table.loc[high, "amount"].sum(), table.loc[high, "giesskanne"].sum()
            who = "Die Kreise" if kreise else "Die Gebiete"
            self._para(
                f"{who} mit hohem oder sehr hohem Bedarf (Klasse 4 und 5) erhalten "
                f"{fmt_number(got, 0)} Euro ({fmt_number(100 * got / float(budget), 1)} % des "
                f"Budgets); bei der Gießkanne wären es {fmt_number(flat, 0)} Euro "
                f"({fmt_number(100 * flat / float(budget), 1)} %).")
        mine = table[table["ags"] == self.ags]
        if kreise and len(mine):
            m = mine.iloc[0]
            diff = float(m["amount"]) - float(m["giesskanne"])
            more = "mehr" if diff >= 0 else "weniger"
            self._para(
                f"{self.name} (Klasse {int(m['klasse'])}) erhielte in diesem Beispiel "
                f"{fmt_number(float(m['amount']), 0)} Euro "
                f"({fmt_number(100 * float(m['amount']) / float(budget), 1)} % des "
                f"Landesbudgets, {fmt_number(float(m['je_kind']), per_child_dec)} Euro je "
                "Kind unter 15 "
                f"Jahren), {fmt_number(abs(diff), 0)} Euro {more} als mit der Gießkanne.")

    @cached_property
    def _zielwerte(self) -> pd.DataFrame | None:
        folder = sample_dir("musterland") if not self.data else Path(self.data)
        path = folder / "zielwerte.csv"
        return CONTEXT.shared(("zielwerte", self._token),
                              lambda: read_zielwerte(path, catalogue=self.catalogue,
                                                     regions=self.regions)
                              if path.is_file() else None)

    def _target_status(self, targets: pd.DataFrame | None) -> pd.DataFrame | None:
        from ..targets import target_status

        if targets is None or targets.empty:
            return None
        t = targets
        if "ags" in t.columns:
            own_rows = t["ags"].astype(str) == self.ags
            t = t[t["ags"].isna() | own_rows]
            # a target of this Kommune replaces the general one for the same indicator
            specific = set(t.loc[own_rows[t.index], "indicator"])
            t = t[~(t["ags"].isna() & t["indicator"].isin(specific))]
        t = t[t["indicator"].isin(set(self.totals["indicator"]))
              | t["indicator"].isin(self.catalogue.ids)]
        if t.empty:
            return None
        values = self._compute_extra(sorted(set(t["indicator"])))
        own = values[(values["ags"] == self.ags) & values["value"].notna()]
        own = own[own["indicator"].isin(set(t["indicator"]))]
        t = t[t["indicator"].isin(set(own["indicator"]))]
        if t.empty:
            return None
        cols = [c for c in ("ags", "indicator", "baseline_year", "target_year", "target_value",
                            "baseline_value") if c in t.columns]
        res = target_status(own[["ags", "year", "indicator", "value"]], t[cols],
                            direction=self.catalogue.table())
        return _with_measures(res, t, ["indicator"])

    def _sozialraum_targets(self, targets: pd.DataFrame | None) -> pd.DataFrame:
        """Targets set for single Sozialräume of the Kommune (``ags`` = the Sozialraum's key),
        with their Ampel where the Sozialraum has values, and Maßnahme and Akteur."""
        from ..targets import target_status

        cols = ["ags", "indicator", "ampel", "massnahme", "akteur"]
        if targets is None or targets.empty or "ags" not in targets.columns:
            return pd.DataFrame(columns=cols)
        t = targets[targets["ags"].astype(str).isin(self.sozialraeume)].copy()
        if t.empty:
            return pd.DataFrame(columns=cols)
        t["ags"] = t["ags"].astype(str)
        known = t[t["indicator"].isin(self.catalogue.ids)]
        res = pd.DataFrame(columns=["ags", "indicator", "ampel"])
        if len(known):
            values = self._compute_extra(sorted(set(known["indicator"])))
            v = values[values["ags"].isin(set(known["ags"])) & values["value"].notna()]
            have = set(zip(v["ags"], v["indicator"], strict=True))
            known = known[[(a, i) in have for a, i in zip(known["ags"], known["indicator"],
                                                           strict=True)]]
            if len(known):
                tcols = [c for c in ("ags", "indicator", "baseline_year", "target_year",
                                     "target_value", "baseline_value") if c in known.columns]
                res = target_status(v[["ags", "year", "indicator", "value"]], known[tcols],
                                    direction=self.catalogue.table())[["ags", "indicator",
                                                                       "ampel"]]
        out = t[["ags", "indicator"]].merge(res, on=["ags", "indicator"], how="left")
        out["ampel"] = out["ampel"].fillna("").astype(str)
        return _with_measures(out, t, ["ags", "indicator"])[cols]

    def _ampel(self, indicator: str) -> str | None:
        if self._zielwerte is None:
            return None
        try:
            res = self._target_status_cached
        except BimokitError:
            return None
        if res is None:
            return None
        m = res[res["indicator"] == indicator]
        if m.empty or not m["ampel"].iloc[0]:
            return None
        self._methods["targets"] = _targets_describe(res)  # an Ampel is shown: say how
        return _AMPEL_CODES.get(str(m["ampel"].iloc[0]))

    @cached_property
    def _target_status_cached(self):
        return self._target_status(self._zielwerte)

    @returns_section
    def zielerreichung(self, zielwerte: str = "") -> Section:
        """Ampel table of the targets (Zielwerte) of the Kommune.

        Parameters
        ----------
        zielwerte : str
            Path of a Zielwerte CSV (see :func:`read_zielwerte`); ``""``: ``zielwerte.csv`` of
            the data folder.
        """
        targets = read_zielwerte(zielwerte, catalogue=self.catalogue, regions=self.regions) \
            if zielwerte else self._zielwerte
        if targets is None:
            self._note_missing("Für diese Daten sind keine Zielwerte hinterlegt (Datei "
                               "zielwerte.csv im Datenordner).")
            return
        res = self._target_status(targets)
        if res is None or res.empty:
            self._note_missing(f"Für {self.name} lassen sich die Zielwerte nicht bewerten (keine "
                               "Werte zu den Zielindikatoren).")
            return
        self._methods["targets"] = _targets_describe(res)
        table = pd.DataFrame({
            "indicator": res["indicator"].to_numpy(),
            "title": [self._ind(i).title for i in res["indicator"]],
            "baseline_year": [str(int(y)) for y in res["baseline_year"]],
            "baseline_value": res["baseline_value"].to_numpy(dtype="float64"),
            "target_year": [str(int(y)) for y in res["target_year"]],
            "target_value": res["target_value"].to_numpy(dtype="float64"),
            "year": res["year"].astype("Int64").astype("float64").to_numpy(),
            "value": res["value"].to_numpy(dtype="float64"),
            "achievement_pct": res["achievement_pct"].to_numpy(dtype="float64"),
            "ampel": res["ampel"].astype(str).to_numpy(),
        })
        for col in ("massnahme", "akteur"):  # the Soll-Konzept's Maßnahme and its Akteur
            if res[col].astype(str).str.strip().ne("").any():
                table[col] = res[col].astype(str).to_numpy()
        labels = {"indicator": "Indikator", "title": "Titel", "baseline_year": "Basisjahr",
                  "baseline_value": "Basiswert", "target_year": "Zieljahr",
                  "target_value": "Zielwert", "year": "Jahr", "value": "aktueller Wert",
                  "achievement_pct": "Zielerreichung in %", "ampel": "Ampel",
                  "massnahme": "Maßnahme", "akteur": "verantwortlich"}
        decimals = {"baseline_value": 1,
                    "target_value": 1, "value": 1, "achievement_pct": 0}
        self._table(table, name=f"Zielerreichung {self.name}", labels=labels, decimals=decimals,
                    note="Ampel: grün = auf Kurs oder erreicht, gelb = mindestens halber "
                         "geplanter Fortschritt, rot = darunter.")
        counts = table["ampel"].value_counts()
        parts = [f"{int(counts[c])} {c}" for c in ("grün", "gelb", "rot") if c in counts]
        if len(table) == 1 and parts:
            self._para(f"Das Ziel steht auf {table['ampel'].iloc[0]}.")
        elif parts:
            self._para(f"Von {len(table)} Zielen stehen {', '.join(parts[:-1])}"
                       f"{' und ' if len(parts) > 1 else ''}{parts[-1]}.")

    @property
    def _folder(self) -> Path:
        """The data folder (the embedded sample's for ``data=""``)."""
        return sample_dir("musterland") if not self.data else Path(self.data)

    def _standards(self, path: str = "") -> pd.DataFrame | None:
        """The Versorgungsstandards (``standards.csv`` of the data folder, or ``path``)."""
        file = Path(path) if path else self._folder / "standards.csv"
        if not file.is_file():
            if path:
                raise InputError("no such Versorgungsstandards file", path=file)
            return None
        return CONTEXT.shared(("standards", str(file.resolve()), file.stat().st_mtime_ns),
                              lambda: read_standards(file))

    def _offers_setup(self, datei: str, standards: str) -> dict | None:
        """Offers of the Kommune, coverage and its judgement against the standards; None (and
        a note) where there is nothing to show."""
        from ..offers import coverage, coverage_status, read_offers

        file = Path(datei) if datei else self._folder / "angebote.csv"
        if not file.is_file():
            self._note_missing("Ein Angebotsinventar (angebote.csv) liegt nicht vor.")
            return None
        offers = read_offers(file, regions=self.regions)
        mine = offers[offers["sozialraum"].astype(str).str.startswith(self.ags + "-")
                      | (offers["sozialraum"].astype(str) == self.ags)]
        if mine.empty or not self.sozialraeume:
            self._note_missing(f"Für {self.name} enthält das Angebotsinventar keine Angebote "
                               "auf Ebene der Sozialräume.")
            return None
        f = self.facts
        pop = f[(f["variable"] == "bevoelkerung") & f["ags"].isin(self.sozialraeume)]
        cov = coverage(mine, pop, units=self.sozialraeume)
        std = self._standards(standards)
        self.coverage = coverage_status(cov, standards=std)
        return {"file": file, "offers": mine, "coverage": cov, "standards": std,
                "status": self.coverage}

    def _pair_label(self, art: str, group: str) -> str:
        return f"{ANGEBOTSARTEN.get(art, art)} ({ZIELGRUPPEN_DE.get(group, group)})"

    def _measure_text(self, status: pd.DataFrame, standards_given: bool) -> None:
        """The measure the coverage is judged against, stated before any judgement."""
        pairs = status.drop_duplicates(["angebotsart", "zielgruppe"])
        n = len(pairs)
        by_std = int((pairs["grundlage"] == "standard").sum())
        rule = ("Ein Sozialraum liegt unter dem Maßstab, wenn er weniger Plätze je 100 der "
                "Zielgruppe hat als die Kommune im Durchschnitt (Plätze aller Sozialräume je 100 "
                "der ganzen Zielgruppe).")
        if by_std == n:
            text = ("Maßstab: der Versorgungsstandard, den die Kommune für jede Angebotsart "
                    "festgelegt hat (Datei standards.csv).")
        elif by_std:
            text = (f"Maßstab: Für {by_std} von {n} Angebotsarten gilt der Versorgungsstandard "
                    "der Kommune (Datei standards.csv). Für die übrigen ist keiner festgelegt; "
                    f"dort gilt eine Regel: {rule}")
        else:
            where = "in der Datei standards.csv" if standards_given else \
                "(eine Datei standards.csv fehlt im Datenordner)"
            text = (f"Maßstab: Einen Versorgungsstandard hat die Kommune für keine dieser "
                    f"Angebotsarten festgelegt {where}. Deshalb gilt eine Regel: {rule}")
        self._para(text + " Ein Sozialraum ohne jedes Angebot einer Art ist immer unterversorgt.")
        grund = {"standard": "Versorgungsstandard", "schwelle": "vorgegebene Schwelle",
                 "durchschnitt": "Durchschnitt der Kommune (kein Standard)"}
        table = pd.DataFrame({
            "angebotsart": [ANGEBOTSARTEN.get(a, a) for a in pairs["angebotsart"]],
            "zielgruppe": [ZIELGRUPPEN_DE.get(z, z) for z in pairs["zielgruppe"]],
            "schwelle": pairs["schwelle"].to_numpy(dtype="float64"),
            "grundlage": [grund.get(g, g) for g in pairs["grundlage"]],
            "quelle": pairs["quelle"].astype(str).to_numpy()})
        self._table(table, name=f"Maßstab der Versorgung, {self.name}",
                    labels={"angebotsart": "Angebotsart", "zielgruppe": "Zielgruppe",
                            "schwelle": "Maßstab (Plätze je 100 der Zielgruppe)",
                            "grundlage": "Grundlage", "quelle": "Quelle des Standards"},
                    decimals={"schwelle": 1},
                    source="Versorgungsstandards der Kommune (standards.csv); eigene Berechnungen"
                    if by_std else "Angebotsinventar; eigene Berechnungen")

    @returns_section
    def angebote(self, datei: str = "", standards: str = "") -> Section:
        """Offers inventory: coverage per Sozialraum, its measure, Lücken and Doppelstrukturen.

        Parameters
        ----------
        datei : str
            The inventory (see :func:`bimokit.offers.read_offers`); ``""``: ``angebote.csv``
            of the data folder.
        standards : str
            The Versorgungsstandards (columns ``angebotsart, zielgruppe, plaetze_je_100,
            quelle``); ``""``: ``standards.csv`` of the data folder. Without standards a
            stated rule applies (:func:`bimokit.offers.coverage_status`).
        """
        from ..offers import doppelstrukturen, luecken

        setup = self._offers_setup(datei, standards)
        if setup is None:
            return
        file, status = setup["file"], setup["status"]
        cov = status.assign(label=[self._pair_label(a, z) for a, z in
                                   zip(status["angebotsart"], status["zielgruppe"], strict=True)])
        wide = cov.pivot_table(index="ags", columns="label", values="plaetze_je_100",
                               aggfunc="first")
        table = wide.reset_index()
        table.insert(1, "name", [self._names.get(a, a) for a in table["ags"]])
        table.columns = [str(c) for c in table.columns]
        year = cov["year"].dropna()
        self._para("Plätze je 100 Personen der Zielgruppe in jedem Sozialraum (0 = kein "
                   "Angebot dieser Art).")
        self._table(table, name=f"Angebote je 100 der Zielgruppe, {self.name}",
                    labels={"ags": "Sozialraum", "name": "Name"},
                    decimals={c: 1 for c in table.columns if c not in ("ags", "name")},
                    note=f"Bevölkerung {int(year.iloc[0])}." if len(year) else "",
                    source=f"Angebotsinventar {file.name}; eigene Berechnungen")
        self._measure_text(status, setup["standards"] is not None)
        self._methods["angebote"] = _offers_method(status, int(year.iloc[0]) if len(year)
                                                   else None)
        self._luecken_text(status, luecken, setup, file)
        self._doppelstrukturen_text(doppelstrukturen, setup, file)

    def _luecken_text(self, status, luecken, setup, file) -> None:
        r = self._sozialindex_result()
        if r is None or r["level"] != "sozialraum":
            self._note_missing("Ohne Sozialindex der Sozialräume lassen sich Lücken in Gebieten "
                               "mit hohem Bedarf nicht bestimmen.")
            return
        si = r["si"]
        high = si[pd.to_numeric(si["class"], errors="coerce") >= 4]
        if high.empty:
            self._para("Kein Sozialraum liegt in Klasse 4 oder 5 des Sozialindex; Lücken in "
                       "Gebieten mit hohem Bedarf gibt es deshalb nicht.")
            return
        gaps = luecken(setup["coverage"], si, standards=setup["standards"])
        unknown = status[status["ags"].isin(set(high["ags"]))
                         & (status["versorgung"] == "unbekannt")]
        cls = dict(zip(si["ags"], si["class"], strict=True))
        if gaps.empty:
            n = len(high)
            areas = "dem Sozialraum" if n == 1 else f"den {n} Sozialräumen"
            text = (f"Nach diesem Maßstab gibt es in {areas} mit hohem Bedarf (Klasse 4 und 5) "
                    "keine Lücke: Jede Angebotsart ist dort vorhanden und erreicht den Maßstab")
            if len(unknown):
                names = join_list(sorted({self._names.get(a, a) for a in unknown["ags"]}))
                text += (f", soweit er sich berechnen lässt (für {names} fehlt die Zahl der "
                         "Zielgruppe)")
            self._para(text + ".")
            return
        none = gaps[gaps["ohne_angebot"]]
        below = gaps[~gaps["ohne_angebot"]]
        parts = []
        plain = setup["status"].drop_duplicates(["angebotsart", "zielgruppe"])
        plain = not plain["angebotsart"].duplicated().any()  # one Zielgruppe per Angebotsart
        for ags, g in none.groupby("ags", sort=False):
            arts = join_list([ANGEBOTSARTEN.get(a, a) if plain else self._pair_label(a, z)
                              for a, z in zip(g["angebotsart"], g["zielgruppe"], strict=True)])
            parts.append(f"{self._names.get(ags, ags)} (Klasse {int(cls[ags])}): {arts}")
        n = len(gaps)
        text = (f"{_count(n, 'Lücke', 'Lücken')} in Sozialräumen mit hohem Bedarf "
                "(Klasse 4 und 5)")
        if len(none) and len(below):
            text += (f": In {_cases(len(none))} gibt es dort kein Angebot der Art, in "
                     f"{_cases(len(below))} liegt die Versorgung unter dem Maßstab.")
        elif len(none):
            text += ": Dort gibt es kein Angebot der Art." if n == 1 else \
                ": Dort gibt es jeweils kein Angebot der Art."
        else:
            text += ": Die Versorgung liegt dort unter dem Maßstab." if n == 1 else \
                ": Die Versorgung liegt dort jeweils unter dem Maßstab."
        self._para(text)
        if parts:
            self._para("Ohne jedes Angebot in Gebieten mit hohem Bedarf: " + "; ".join(parts)
                       + ".")
        grund = {"standard": "Versorgungsstandard", "schwelle": "vorgegebene Schwelle",
                 "durchschnitt": "Durchschnitt der Kommune"}
        t = pd.DataFrame({
            "ags": gaps["ags"].to_numpy(), "name": [self._names.get(a, a) for a in gaps["ags"]],
            "klasse": gaps["class"].to_numpy(),
            "angebotsart": [ANGEBOTSARTEN.get(a, a) for a in gaps["angebotsart"]],
            "zielgruppe": [ZIELGRUPPEN_DE.get(z, z) for z in gaps["zielgruppe"]],
            "plaetze_je_100": gaps["plaetze_je_100"].to_numpy(dtype="float64"),
            "schwelle": gaps["schwelle"].to_numpy(dtype="float64"),
            "grundlage": [grund.get(g, g) for g in gaps["grundlage"]]})
        if plain:  # one Zielgruppe per Angebotsart: the measure table names it
            t = t.drop(columns="zielgruppe")
        self._table(t, name=f"Lücken, {self.name}",
                    labels={"ags": "Sozialraum", "name": "Name", "klasse": "Klasse",
                            "angebotsart": "Angebotsart", "zielgruppe": "Zielgruppe",
                            "plaetze_je_100": "Plätze je 100 der Zielgruppe",
                            "schwelle": "Maßstab (Plätze je 100)",
                            "grundlage": "Grundlage des Maßstabs"},
                    decimals={"plaetze_je_100": 1, "schwelle": 1, "klasse": 0},
                    source=f"Angebotsinventar {file.name}; eigene Berechnungen")

    def _doppelstrukturen_text(self, doppelstrukturen, setup, file) -> None:
        dop = doppelstrukturen(setup["offers"], setup["coverage"], standards=setup["standards"])
        if dop.empty:
            self._para("Mehrere Anbieter derselben Angebotsart für dieselbe Zielgruppe in einem "
                       "Sozialraum gibt es nicht; Doppelstrukturen gibt es deshalb nicht.")
            return
        n = len(dop)
        counts = dop["urteil"].value_counts()
        k = int(counts.get("moeglich", 0))
        under = int(counts.get("nicht_ueber_standard", 0))
        unjudged = int(counts.get("ohne_standard", 0) + counts.get("unbekannt", 0))
        cases = "einem Sozialraum arbeiten" if n == 1 else f"{n} Fällen arbeiten"
        parts = [f"In {cases} mehrere Anbieter derselben Angebotsart für dieselbe Zielgruppe "
                 "im selben Sozialraum."]
        if k:
            if n == 1:
                head = "Das ist eine mögliche Doppelstruktur"
            else:
                head = (f"Davon {'ist' if k == 1 else 'sind'} "
                        f"{_count(k, 'mögliche Doppelstruktur', 'mögliche Doppelstrukturen')}")
            parts.append(f"{head}: Dort liegt die Versorgung über dem Versorgungsstandard.")
        elif n - unjudged:
            parts.append("Eine mögliche Doppelstruktur (Versorgung über dem Versorgungsstandard) "
                         "ist nicht darunter.")
        if under:
            who = "In einem Fall" if under == 1 else f"In {under} Fällen"
            parts.append(f"{who} liegt die Versorgung nicht über dem Standard: Zusammen decken "
                         "die Anbieter den Bedarf nicht oder gerade; das ist keine "
                         "Doppelstruktur, sondern ein Hinweis auf Unterversorgung.")
        if unjudged == n:
            kinds = "diese Angebotsart" if dop["angebotsart"].nunique() == 1 else \
                "diese Angebotsarten"
            parts.append(f"Für {kinds} hat die Kommune keinen Versorgungsstandard festgelegt; "
                         "ob mehr Plätze da sind als nötig, lässt sich deshalb nicht beurteilen, "
                         + ("und als Doppelstruktur gilt der Fall nicht." if n == 1 else
                            "und als Doppelstruktur gilt keiner der Fälle."))
        elif unjudged:
            who = "In einem weiteren Fall" if unjudged == 1 else f"In {unjudged} weiteren Fällen"
            parts.append(f"{who} ist für die Angebotsart kein Versorgungsstandard festgelegt; "
                         "ob mehr Plätze da sind als nötig, lässt sich dort nicht beurteilen, "
                         + ("und als Doppelstruktur gilt er nicht." if unjudged == 1 else
                            "und als Doppelstruktur gelten sie nicht."))
        self._para(" ".join(parts))
        verdict = {"moeglich": "mögliche Doppelstruktur (über dem Standard)",
                   "nicht_ueber_standard": "keine: nicht über dem Standard (Unterversorgung)",
                   "ohne_standard": "nicht beurteilt: kein Versorgungsstandard",
                   "unbekannt": "nicht beurteilt: Versorgung nicht berechenbar"}
        t = pd.DataFrame({
            "ags": dop["ags"].to_numpy(), "name": [self._names.get(a, a) for a in dop["ags"]],
            "angebotsart": [ANGEBOTSARTEN.get(a, a) for a in dop["angebotsart"]],
            "zielgruppe": [ZIELGRUPPEN_DE.get(z, z) for z in dop["zielgruppe"]],
            "n_anbieter": dop["n_anbieter"].to_numpy(),
            "plaetze_je_100": dop["plaetze_je_100"].to_numpy(dtype="float64"),
            "standard": dop["schwelle"].where(dop["grundlage"].isin(["standard", "schwelle"])
                                              ).to_numpy(dtype="float64"),
            "beurteilung": [verdict[u] for u in dop["urteil"]],
            "anbieter": dop["anbieter"].to_numpy()})
        pairs = setup["status"].drop_duplicates(["angebotsart", "zielgruppe"])
        if not pairs["angebotsart"].duplicated().any():  # the measure table names the group
            t = t.drop(columns="zielgruppe")
        self._table(t, name=f"Mehrere Anbieter im selben Sozialraum, {self.name}",
                    labels={"ags": "Sozialraum", "name": "Name",
                            "angebotsart": "Angebotsart", "zielgruppe": "Zielgruppe",
                            "n_anbieter": "Anbieter (Anzahl)",
                            "plaetze_je_100": "Plätze je 100 der Zielgruppe",
                            "standard": "Standard (Plätze je 100)",
                            "beurteilung": "Doppelstruktur?", "anbieter": "Anbieter"},
                    decimals={"plaetze_je_100": 1, "standard": 1},
                    source=f"Angebotsinventar {file.name}; eigene Berechnungen")

    @returns_section
    def soll_konzept(self, datei: str = "", standards: str = "", zielwerte: str = ""
                     ) -> Section:
        """The Soll-Konzept per Sozialraum: Bedarf, Angebot against the measure, Akteure,
        Maßnahmen and their Ampel, in one table.

        Parameters
        ----------
        datei, standards : str
            The offers inventory and the Versorgungsstandards (see :meth:`angebote`).
        zielwerte : str
            A Zielwerte CSV; ``""``: ``zielwerte.csv`` of the data folder. A row whose ``ags``
            is a Sozialraum key (``99101-06``) is a target of that Sozialraum; its optional
            ``massnahme`` and ``akteur`` name what is done and who is responsible.
        """
        from ..offers import soll_konzept

        setup = self._offers_setup(datei, standards)
        if setup is None:
            return
        r = self._sozialindex_result()
        if r is None or r["level"] != "sozialraum":
            self._note_missing("Ohne Sozialindex der Sozialräume lässt sich das Soll-Konzept "
                               "nicht je Sozialraum zeigen.")
            return
        si = r["si"]
        k = soll_konzept(setup["coverage"], si, setup["offers"], standards=setup["standards"])
        targets = read_zielwerte(zielwerte) if zielwerte else self._zielwerte
        tg = self._sozialraum_targets(targets)
        status = setup["status"]
        label = dict(zip(si["ags"], si["class_label"], strict=True))
        plain = not status.drop_duplicates(["angebotsart", "zielgruppe"])[
            "angebotsart"].duplicated().any()

        def kinds(rows) -> str:
            return ", ".join(ANGEBOTSARTEN.get(a, a) if plain else self._pair_label(a, z)
                             for a, z in zip(rows["angebotsart"], rows["zielgruppe"],
                                             strict=True))

        supply, measures, ampel, actors = [], [], [], []
        for row in k.itertuples(index=False):
            mine = status[status["ags"] == row.ags]
            parts = []
            if row.n_ohne:
                parts.append(f"ohne Angebot: {kinds(mine[mine['versorgung'] == 'ohne'])}")
            if row.n_unter:
                parts.append(f"unter dem Maßstab: {kinds(mine[mine['versorgung'] == 'unter'])}")
            parts.append(f"Maßstab erreicht: {row.n_erreicht} von {row.n_arten}")
            supply.append("; ".join(parts))
            t = tg[tg["ags"] == row.ags]
            measures.append("; ".join(
                f"{m} ({a})" if a else m for m, a in zip(t["massnahme"], t["akteur"],
                                                         strict=True) if m) or "–")
            ampel.append("; ".join(f"{i}: {a}" for i, a in zip(t["indicator"], t["ampel"],
                                                              strict=True) if a) or "–")
            names = [x for x in str(row.akteure).split("; ") if x]
            names += [a for a in t["akteur"] if a and a not in names]
            actors.append("; ".join(names) or "–")
        table = pd.DataFrame({
            "ags": k["ags"].to_numpy(), "name": [self._names.get(a, a) for a in k["ags"]],
            "bedarf": [f"{int(c)} {label.get(a, '')}".strip() if not pd.isna(c) else "–"
                       for a, c in zip(k["ags"], k["class"], strict=True)],
            "angebot": supply, "akteure": actors, "massnahmen": measures, "ampel": ampel})
        self._para("Je Sozialraum: der Bedarf (Klasse des Sozialindex), das Angebot gemessen am "
                   "Maßstab (siehe Angebote und Bedarfe), die Akteure vor Ort und die Maßnahmen "
                   "aus den Zielwerten mit ihrer Ampel.")
        self._table(table, name=f"Soll-Konzept je Sozialraum, {self.name}",
                    labels={"ags": "Sozialraum", "name": "Name", "bedarf": "Bedarf (Klasse)",
                            "angebot": "Angebot gemessen am Maßstab", "akteure": "Akteure",
                            "massnahmen": "Maßnahmen (verantwortlich)", "ampel": "Ampel"},
                    source=f"Angebotsinventar {setup['file'].name}, Zielwerte, Sozialindex; "
                           "eigene Berechnungen")
        high = k[(k["class"].fillna(0) >= 4) & ((k["n_ohne"] + k["n_unter"]) > 0)]
        without = [self._names.get(a, a) for a in high["ags"]
                   if not tg.loc[tg["ags"] == a, "massnahme"].astype(bool).any()]
        if tg.empty:
            self._para("Maßnahmen für einzelne Sozialräume sind in den Zielwerten nicht "
                       "hinterlegt (zielwerte.csv: eine Zeile je Ziel mit dem Schlüssel des "
                       "Sozialraums in ags und den Spalten massnahme und akteur).",
                       "bk-hinweis")
        if without:
            n = len(without)
            self._para(f"{'Ein Sozialraum' if n == 1 else f'{n} Sozialräume'} mit hohem Bedarf "
                       f"und Lücken {'hat' if n == 1 else 'haben'} noch keine Maßnahme: "
                       f"{join_list(without)}.")

    # -----------------------------------------------------------------------------------------
    # end of chapter

    @cached_property
    def _variables(self) -> set[str]:
        """The variables the chapter's indicators count."""
        return {t.variable for i in self.indicators
                for t in (*self._ind(i).numerator, *self._ind(i).denominator)}

    def _school_year_text(self) -> str:
        """How school years are counted, for the variables this chapter uses (one wording,
        the same as in the definitions and table notes)."""
        parts = []
        if self._variables & _SCHOOL_START_VARIABLES:
            parts.append(" Schülerinnen, Schüler und Schulen werden nach dem Jahr gezählt, in dem "
                         "das Schuljahr beginnt (2023 = Schuljahr 2023/24).")
        if self._variables & _SCHOOL_END_VARIABLES:
            parts.append(f" Absolventen und Abgänger: {LEAVERS_YEAR}")
        return "".join(parts)

    def _year_note(self, indicator: str) -> str:
        """The leavers' Berichtsjahr under a table of an indicator that counts them."""
        ind = self._ind(indicator)
        used = {t.variable for t in (*ind.numerator, *ind.denominator)}
        return LEAVERS_YEAR if used & _SCHOOL_END_VARIABLES else ""

    @returns_section
    def methodik(self) -> Section:
        """German method notes: indicators, comparison, trend and, where used, the S methods."""
        self._heading(3, "Methodik")
        self._para(
            "Indikatoren: Quoten und Raten werden aus Zählern und Nennern der amtlichen Tabellen "
            "berechnet; Werte für Land und Bund aus summierten Zählern und Nennern, nicht als "
            "Mittel von Quoten (zum Wert der Vergleichsgruppe siehe unten). Bei Anteilen gibt "
            "ein 95-%-Konfidenzintervall nach Wilson, bei Raten ein exaktes Poisson-Intervall "
            "die Zufallsschwankung an. Werte, die auf geheim gehaltenen oder unsicheren Zahlen "
            "beruhen, werden nicht ausgewiesen." + self._school_year_text())
        if not self.comparison.empty:
            text = _compare_mod.describe_method(self.comparison)
            self._para(text.replace(f" in Land {self.land};", f" in {self.land_name};"))
        if not self.trends.empty:
            self._para(_trend_mod.describe_method(self.trends))
            self._para(
                f"Eine Trendaussage steht nur bei mindestens {MIN_TREND_YEARS} Jahreswerten. "
                "Liegt ein Zeitreihenbruch im Berichtszeitraum (etwa durch den Zensus 2022), "
                "beschreiben die Kernaussagen die Entwicklung bis zum Bruch und seit dem Bruch "
                "getrennt. Der Steckbrief sagt dasselbe in Kurzform: einen Trendpfeil für die "
                "Jahre seit dem Bruch, wenn sie dafür ausreichen, und darunter die Entwicklung "
                "bis zum Bruch. Zensusbrüche betreffen nur Indikatoren, die auf "
                "Bevölkerungszahlen beruhen.")
        for key in ("targets", "sozialindex", "allocate", "angebote"):
            if self._methods.get(key):
                self._para(self._methods[key])
        if self._shows_own_data:
            self._para(self._disclosure_note())
        rev = self.dataset.revisions
        if len(rev):
            self._para(f"In den Daten {'wurde' if len(rev) == 1 else 'wurden'} "
                       f"{_count(len(rev), 'Wert', 'Werte')} zwischen zwei Ausgaben einer "
                       "Tabelle berichtigt; verwendet wird jeweils die neueste Ausgabe.")

    @property
    def _shows_own_data(self) -> bool:
        """The chapter shows the Kommune's own small-area data (its Sozialräume)."""
        return self.feld == "S" and bool(self.sozialraeume)

    def _disclosure_note(self) -> str:
        """The Methodik sentence on the protection of the Kommune's own small-area counts."""
        from ..disclosure import describe_method

        rules = getattr(self.dataset, "disclosure", None)
        if rules is None:
            return ("Geheimhaltung: Für die eigenen Daten der Sozialräume ist die Geheimhaltung "
                    "ausdrücklich abgeschaltet (geheimhaltung.toml: enabled = false); kleine "
                    "Fallzahlen können einzelne Personen erkennbar machen.")
        text = describe_method(rules) + " Sie gilt für die eigenen Daten der Sozialräume; " \
            "amtliche Zahlen behalten die Geheimhaltung der statistischen Ämter."
        suppressed = getattr(self.dataset, "suppressed", None)
        if suppressed is not None and len(suppressed):
            n = len(suppressed)
            text += f" Gesperrt {'wurde 1 Feld' if n == 1 else f'wurden {n} Felder'}."
        return text

    @returns_section
    def quellen(self) -> Section:
        """The source tables of the chapter with attribution line and Stand."""
        self._heading(3, "Quellen")
        used = list(self._used_tables)
        for i in self.indicators:
            for t in self._ind(i).source_tables:
                if t not in used and (self.feld != "S" or i in self._main_indicators):
                    used.append(t)
        files = self.dataset.files
        items = []
        stems = files["file"].map(lambda f: Path(str(f)).stem)
        for code in used:
            rows = files[(files["table_code"].astype(str) == code) | (stems == code)]
            if rows.empty:
                continue
            for _, fr in rows.iterrows():
                info = describe_file(fr["file"], table_code=code,
                                     stand=fr["stand"] if not is_missing(fr["stand"]) else None)
                text = f"Tabelle {code}" if info["title"] or fr["table_code"] else code
                if info["title"]:
                    text += f": {info['title']}"
                text += f" (Datei {info['file']})"
                if info["attribution"]:
                    text += f". {info['attribution'].rstrip('.')}"
                text += f". Stand: {info['stand']}." if info["stand"] else \
                    ". Stand: in der Datei nicht angegeben."
                items.append(text)
        if not items:
            self._para("Keine Quelltabellen verwendet.")
            return
        self._emit('<ul class="bk-quellen">' + "".join(f"<li>{_esc(t)}</li>" for t in items)
                   + "</ul>")
        if self._is_sample:
            self._para("Beispieldaten Musterland: erfundene Zahlen im Format der amtlichen "
                       "Exporte, keine amtlichen Werte (Lizenz CC0).")


def _with_measures(res: pd.DataFrame, targets: pd.DataFrame, keys: list) -> pd.DataFrame:
    """``res`` with the Zielwerte's ``massnahme`` and ``akteur`` ('' where none), by ``keys``."""
    res = res.copy()
    t = targets.assign(**{k: targets[k].astype(str) for k in keys})
    for col in ("massnahme", "akteur"):
        if col in t.columns:
            text = t[col].astype(object).where(t[col].notna(), "").astype(str).str.strip()
            m = dict(zip(map(tuple, t[keys].to_numpy()), text, strict=True))
            res[col] = [m.get(tuple(str(x) for x in k), "") for k in res[keys].to_numpy()]
        else:
            res[col] = ""
    return res


def _offers_method(status: pd.DataFrame, year: int | None) -> str:
    """Methodik note of the offers section: coverage, measure, Lücke, Doppelstruktur."""
    kinds = sorted({ANGEBOTSARTEN.get(a, a) for a in
                    status.loc[status["grundlage"] != "standard", "angebotsart"]})
    pop = f"der Bevölkerung {year}" if year else "der Bevölkerung"
    text = (f"Angebote und Bedarfe: Versorgung = Plätze je 100 Personen der Zielgruppe (nach "
            f"Altersgruppen {pop} im Sozialraum). Maßstab ist der Versorgungsstandard, den die "
            "Kommune in ihrem Soll-Konzept je Angebotsart und Zielgruppe festlegt (Datei "
            "standards.csv: angebotsart, zielgruppe, plaetze_je_100, quelle). ")
    if kinds:
        text += (f"Für {join_list(kinds)} kennt bimokit keinen gesetzlichen oder landesweiten "
                 "Standard in Plätzen je 100 der Zielgruppe (Rechtsansprüche wie der auf einen "
                 "Kita-Platz nach § 24 SGB VIII richten sich nach dem Bedarf der Familien und "
                 "geben keinen Platzschlüssel vor); einen Vorgabewert setzt bimokit deshalb "
                 "nicht. Wo die Kommune keinen Standard festgelegt hat, gilt als Regel der "
                 "Durchschnitt der Kommune (Plätze aller Sozialräume je 100 der ganzen "
                 "Zielgruppe). ")
    text += ("Lücke: ein Sozialraum der Sozialindex-Klasse 4 oder 5 ohne Angebot der Art oder "
             "mit einer Versorgung unter dem Maßstab. Mögliche Doppelstruktur: mehrere Anbieter "
             "derselben Angebotsart für dieselbe Zielgruppe in einem Sozialraum, dessen "
             "Versorgung über dem Versorgungsstandard liegt; liegt sie darunter, ist das Gebiet "
             "unterversorgt, nicht doppelt versorgt. Ohne Standard wird das nicht beurteilt: Der "
             "Durchschnitt der Kommune ist kein Maß des Bedarfs, und wo die meisten Gebiete kein "
             "Angebot haben, läge fast jedes Angebot darüber.")
    return text


def _targets_describe(res: pd.DataFrame) -> str:
    from ..targets import describe_method

    return describe_method(res)
