"""Which source tables the indicators need, which a data folder has, and where to get the rest.

:func:`scan_folder` reads every export of a data folder on its own (a file that cannot be read
or mapped is listed with the reason, it does not stop the others); :func:`indicator_availability`
says, per indicator, whether the harmonised facts hold what its numerator and denominator need
and which tables would fill the gap; :func:`table_guide` puts both together per chapter,
indicator and table, with the official title (``bimokit/catalogue/source_tables.toml``) and the
download address; :func:`guide_text` writes it for a terminal (``bimokit tables``).
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .catalogue import CATALOGUE_DIR, Catalogue, load_catalogue, load_source_tables, read_toml
from .data import NON_FACT_FILES
from .errors import BimokitError, ParameterError
from .harmonization import find_table_mapping, harmonize, load_table_mappings
from .io import download_url, read

__all__ = [
    "FolderScan",
    "scan_folder",
    "indicator_availability",
    "table_guide",
    "guide_text",
    "download_command",
    "downloadable_tables",
    "chapter_indicators",
    "table_label",
]

_SUFFIXES = (".csv", ".xlsx")
_GUIDE_COLUMNS = [
    "chapter", "indicator", "indicator_title", "available", "table", "table_title", "source",
    "verified", "present", "files", "stand", "years", "url", "enables", "needed_for", "note",
]
_FILE_COLUMNS = ["file", "table", "title", "stand", "years", "rows", "problem"]


# ---------------------------------------------------------------------------------------------
# Reading a folder file by file


@dataclass(frozen=True, eq=False)
class FolderScan:
    """What :func:`scan_folder` found in a data folder.

    Attributes
    ----------
    path : pathlib.Path
        The folder (or file) scanned.
    files : DataFrame
        One row per export file: ``file`` (name), ``table`` (table code as published, or the
        file name without suffix for an own file without a code), ``title``, ``stand``
        (``dd.mm.yyyy`` or ``""``), ``years`` (text, e.g. ``"2015"`` or ``"2012–2024"``),
        ``rows`` (int, harmonised facts), ``problem`` (German: why the file gives no or not
        all facts, ``""`` if none).
    facts : DataFrame
        The harmonised facts of all files together (``ags``, ``year``, ``variable``,
        dimension columns, ``value``, ``status``, ``source``); editions are not resolved, which
        is enough to tell what is there.
    """

    path: Path
    files: pd.DataFrame
    facts: pd.DataFrame

    @property
    def tables(self) -> set[str]:
        """Table codes present, each also under its base code (``…-4-B`` counts as ``…-4``)."""
        codes = set(self.files.loc[self.files["table"] != "", "table"])
        return codes | {_base(c) for c in codes}


def _base(code: str) -> str:
    """``21311-01-01-4-B`` → ``21311-01-01-4`` (the ``-B`` variant holds the same table)."""
    return code[:-2] if code.endswith("-B") else code


def _years_text(years: Iterable[int]) -> str:
    """Compact German year list.

    Examples
    --------
    >>> _years_text([2012, 2013, 2014, 2018, 2020, 2021])
    '2012–2014, 2018, 2020–2021'
    >>> _years_text([])
    ''
    """
    ys = sorted({int(y) for y in years})
    parts, i = [], 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        parts.append(str(ys[i]) if i == j else f"{ys[i]}–{ys[j]}")
        i = j + 1
    return ", ".join(parts)


def _export_files(data: Path) -> list[Path]:
    if data.is_file():
        return [data]
    return sorted(f for f in data.iterdir()
                  if f.is_file() and f.suffix.lower() in _SUFFIXES
                  and f.name not in NON_FACT_FILES and not f.name.startswith("."))


def _first_line(exc: BaseException) -> str:
    """The reason of an error or warning without the file name the listing shows anyway."""
    text = str(getattr(exc, "reason", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def scan_folder(data: str | os.PathLike) -> FolderScan:
    """Read every export of a data folder on its own and harmonise what the catalogue maps.

    Unlike :func:`bimokit.data.load_data`, a file that cannot be read, or whose table has no
    mapping, does not stop the scan: it is listed with the reason in ``problem``.

    Parameters
    ----------
    data : str or PathLike
        A data folder (every ``*.csv`` and ``*.xlsx`` except ``regions.csv``, ``angebote.csv``
        and ``zielwerte.csv``) or one export file.

    Returns
    -------
    FolderScan
        ``files`` (one row per file) and ``facts`` (harmonised, all files together).

    Raises
    ------
    ParameterError
        A path that does not exist.

    Examples
    --------
    >>> from bimokit import sample_dir
    >>> scan = scan_folder(sample_dir() / "21111-02-06-4_stand-2025.csv")
    >>> scan.files[["table", "stand", "years", "problem"]].iloc[0].tolist()
    ['21111-02-06-4', '03.03.2025', '2017–2024', '']
    >>> sorted(scan.facts["variable"].unique())
    ['abgaenger']
    """
    path = Path(data)
    if not path.exists():
        raise ParameterError(f"--data {path}: no such file or folder")
    rows, parts = [], []
    for f in _export_files(path):
        row = {"file": f.name, "table": "", "title": "", "stand": "", "years": "", "rows": 0,
               "problem": ""}
        try:
            export = read(f)
        except BimokitError as exc:
            row["problem"] = f"nicht lesbar: {_first_line(exc)}"
            rows.append(row)
            continue
        row["table"] = export.table_code or f.stem
        row["title"] = export.title
        row["stand"] = export.stand.strftime("%d.%m.%Y") if export.stand else ""
        if len(export.facts):
            row["years"] = _years_text(export.facts["year"].dropna().unique())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                h = harmonize(export)
            except BimokitError as exc:
                row["problem"] = f"nicht zugeordnet: {_first_line(exc)}"
                rows.append(row)
                continue
        if caught:
            row["problem"] = (f"teilweise zugeordnet: {_first_line(caught[0].message)}"
                              if len(h) else f"nicht zugeordnet: {_first_line(caught[0].message)}")
        row["rows"] = len(h)
        parts.append(h)
        rows.append(row)
    files = pd.DataFrame(rows, columns=_FILE_COLUMNS).astype({"rows": "int64"})
    facts = (pd.concat(parts, ignore_index=True) if parts
             else pd.DataFrame(columns=["ags", "year", "variable", "value", "status", "source"]))
    return FolderScan(path, files, facts)


# ---------------------------------------------------------------------------------------------
# Which table gives which variable


def _capabilities() -> dict[str, dict[str, frozenset]]:
    """Table code → {variable: dimensions it breaks the variable down by}, from tables.toml.

    Read from the mapping file's documented shape (``variables`` and each dimension's ``to``
    and ``"dim:code"`` labels); a table whose entry has another shape is left out, and its
    indicators then fall back to all of their source tables.
    """
    try:
        data = read_toml(CATALOGUE_DIR / "tables.toml")
    except BimokitError:
        return {}
    label_maps = data.get("labels", {}) if isinstance(data.get("labels"), dict) else {}
    caps = {}
    for code, spec in (data.get("tables") or {}).items():
        try:
            variables = set(spec["variables"].values())
            dims = set()
            for d in (spec.get("dimensions") or {}).values():
                if d.get("to"):
                    dims.add(d["to"])
                labels = d.get("labels", {})
                for src in labels if isinstance(labels, list) else [labels]:
                    mapping = label_maps.get(src, {}) if isinstance(src, str) else src
                    dims.update(str(c).split(":")[0] for c in mapping.values() if ":" in str(c))
        except (AttributeError, KeyError, TypeError):
            continue
        caps[str(code)] = {str(v): frozenset(dims) for v in variables}
    return caps


def _candidates(indicator, term, caps: dict) -> list[str]:
    """The indicator's source tables that can give ``term`` (a variable with filters)."""
    needed = {d for d, _ in term.filters}
    known = [t for t in indicator.source_tables
             if term.variable in caps.get(t, caps.get(_base(t), {}))
             and needed <= caps.get(t, caps.get(_base(t), {}))[term.variable]]
    if known:
        return known
    unknown = [t for t in indicator.source_tables if t not in caps and _base(t) not in caps]
    return unknown or list(indicator.source_tables)


def _term_present(facts: pd.DataFrame, term) -> bool:
    sel = facts[facts["variable"] == term.variable]
    for dim, codes in term.filters:
        if dim not in sel.columns:
            return False
        sel = sel[sel[dim].isin(codes)]
    return len(sel) > 0


def indicator_availability(
    facts: pd.DataFrame,
    *,
    ags: str | None = None,
    present: Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Which indicators the facts can give, and which tables would fill the others.

    An indicator has data when every term of its numerator and denominator (a variable with
    its filters, e.g. ``bevoelkerung[altersgruppe=0-3]``) has at least one fact (for ``ags``
    if given); a secret value counts as data. For a term without facts the tables that could
    give it are the indicator's source tables whose mapping (``tables.toml``) has the
    variable and the filtered dimensions; where several could, the one most indicators use
    is named.

    Parameters
    ----------
    facts : DataFrame
        Harmonised facts (:attr:`bimokit.data.Dataset.facts`).
    ags : str, optional, keyword-only
        Only facts of this region count.
    present : iterable of str, optional, keyword-only
        Table codes the data folder has; default the ``source`` values of ``facts``. A table
        that is present is not named as missing (its file then holds no values for the terms,
        ``note`` says so).
    catalogue : Catalogue, optional, keyword-only
        Default :func:`bimokit.catalogue.load_catalogue` ().

    Returns
    -------
    DataFrame
        One row per indicator in catalogue order: ``id``, ``handlungsfeld``, ``title``,
        ``available`` (bool), ``missing_tables`` (tuple of table codes that would give the
        missing terms; empty where ``available``), ``note`` (German, ``""`` if nothing to
        add: alternatives, tables present without the needed values).

    Examples
    --------
    >>> import pandas as pd
    >>> facts = pd.DataFrame({"ags": ["09162"], "year": [2024], "variable": ["bevoelkerung"],
    ...                       "altersgruppe": ["insgesamt"], "value": [1505005.0],
    ...                       "status": [""], "source": ["12411-01-01-4"]})
    >>> av = indicator_availability(facts).set_index("id")
    >>> bool(av.loc["A1.1", "available"]), av.loc["A1.2", "missing_tables"]
    (True, ('12411-02-03-4',))
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    if present is None:
        present = facts["source"].dropna().astype(str).unique() if "source" in facts else ()
    if ags is not None:
        facts = facts[facts["ags"].astype(str) == str(ags)]
    have = set(present) | {_base(c) for c in present}
    caps = _capabilities()
    usage = Counter(t for ind in catalogue for t in ind.source_tables)
    by_variable = {v: g for v, g in facts.groupby("variable", sort=False)} if len(facts) else {}
    empty = facts.iloc[0:0]
    rows = []
    for ind in catalogue:
        missing, notes = [], []
        for term in (*ind.numerator, *ind.denominator):
            if _term_present(by_variable.get(term.variable, empty), term):
                continue
            cands = _candidates(ind, term, caps)
            absent = [t for t in cands if t not in have]
            if not absent:
                notes.append(f"{', '.join(cands)} vorhanden, aber ohne Werte für "
                             f"{term.describe()}")
                continue
            pick = max(absent, key=lambda t: (usage[t], -absent.index(t)))
            others = [t for t in absent if t != pick]
            if others:
                notes.append(f"statt {pick} auch {' oder '.join(others)}")
            if pick not in missing:
                missing.append(pick)
        available = not missing and not notes
        rows.append({"id": ind.id, "handlungsfeld": ind.handlungsfeld, "title": ind.title,
                     "available": available, "missing_tables": tuple(missing),
                     "note": "; ".join(dict.fromkeys(notes))})
    out = pd.DataFrame(rows, columns=["id", "handlungsfeld", "title", "available",
                                      "missing_tables", "note"])
    out["available"] = out["available"].astype(bool)
    return out


# ---------------------------------------------------------------------------------------------
# The guide


def _chapters(chapters, catalogue: Catalogue) -> list[str]:
    letters = list(catalogue.handlungsfelder)
    if chapters is None:
        return letters
    items = chapters.split(",") if isinstance(chapters, str) else list(chapters)
    wanted = [str(c).strip().upper() for c in items if str(c).strip()]
    bad = [c for c in wanted if c not in letters]
    if bad or not wanted:
        raise ParameterError(
            f"--chapters must be a comma list out of {','.join(letters)}; not {chapters!r}")
    return [c for c in letters if c in wanted]


def chapter_indicators(letter: str, catalogue: Catalogue | None = None) -> list[str]:
    """The indicators a chapter reports: its Handlungsfeld's, then the others it names.

    Chapter S (Sozialraum und Steuerung) has no indicators of its own: it reports the main
    indicators its Handlungsfeld names and the Sozialindex indicators of the catalogue.

    Examples
    --------
    >>> chapter_indicators("S")
    ['A2.1', 'C3.1', 'D3.1', 'A2.3', 'D4.1']
    >>> chapter_indicators("F")[:3]
    ['F1.1', 'F1.2', 'F1.3']
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    ids = [ind.id for ind in catalogue if ind.handlungsfeld == letter]
    hf = catalogue.handlungsfelder.get(letter)
    ids += list(hf.main_indicators) if hf is not None else []
    if not any(ind.handlungsfeld == letter for ind in catalogue):
        ids += [i for spec in catalogue.sozialindex.values() for i in spec]
    return [i for i in dict.fromkeys(ids) if i in catalogue]


def table_guide(
    data: str | os.PathLike | FolderScan | None = None,
    *,
    chapters=None,
    catalogue: Catalogue | None = None,
    base_url: str | None = None,
) -> pd.DataFrame:
    """The source tables of every indicator: official title, present or not, where to get it.

    Parameters
    ----------
    data : str, PathLike or FolderScan, optional
        A data folder (scanned with :func:`scan_folder`) or a scan. None: no folder, only the
        tables and their addresses (``present`` and ``available`` are then NA).
    chapters : str or list of str, optional, keyword-only
        ``"A,C"`` or ``["A", "C"]``; default all Handlungsfelder.
    catalogue : Catalogue, optional, keyword-only
        Default :func:`bimokit.catalogue.load_catalogue` ().
    base_url : str, optional, keyword-only
        Download base address (see :func:`bimokit.io.download_url`).

    Returns
    -------
    DataFrame
        One row per chapter, indicator and source table, in catalogue order: ``chapter``,
        ``indicator``, ``indicator_title``, ``available`` (boolean: the folder's facts give
        the indicator, NA without a folder), ``table``, ``table_title`` (official title,
        ``""`` for a table missing from ``source_tables.toml``), ``source``
        (``regionalstatistik``, ``sample``, ``own``), ``verified`` (boolean), ``present``
        (boolean: a file of the table, or of its ``-B`` variant, is in the folder),
        ``files``, ``stand``, ``years`` (of those files, ``"; "``-separated), ``url`` (the
        download address of a missing Regionalstatistik table, ``""`` otherwise),
        ``enables`` (indicators without data that this missing table alone would give),
        ``needed_for`` (all indicators without data that need it), ``note`` (German).

    Raises
    ------
    ParameterError
        A bad chapter letter or a data path that does not exist.

    Examples
    --------
    >>> g = table_guide(chapters="C")
    >>> g.loc[g["indicator"] == "C1.1", "table"].tolist()
    ['22543-01-03-4', '12411-02-03-4']
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    letters = _chapters(chapters, catalogue)
    tables = load_source_tables().set_index("code")
    scan = scan_folder(data) if data is not None and not isinstance(data, FolderScan) else data
    if scan is not None:
        have = scan.tables
        avail = indicator_availability(scan.facts, present=have, catalogue=catalogue)
        avail = avail.set_index("id")
        needs: dict[str, list[str]] = {}
        alone: dict[str, list[str]] = {}
        for iid, row in avail[~avail["available"]].iterrows():
            for t in row["missing_tables"]:
                needs.setdefault(t, []).append(iid)
                if len(row["missing_tables"]) == 1:
                    alone.setdefault(t, []).append(iid)
    mappings = load_table_mappings()
    rows = []
    for letter, iid in ((c, i) for c in letters for i in chapter_indicators(c, catalogue)):
        ind = catalogue[iid]
        for code in ind.source_tables:
            meta = tables.loc[code] if code in tables.index else None
            row = {
                "chapter": letter, "indicator": ind.id,
                "indicator_title": ind.title, "available": pd.NA, "table": code,
                "table_title": "" if meta is None else meta["title"],
                "source": "" if meta is None else meta["source"],
                "verified": _verified(code, mappings),
                "present": pd.NA, "files": "", "stand": "", "years": "", "url": "",
                "enables": "", "needed_for": "", "note": _table_note(code, meta),
            }
            downloadable = (meta is not None and meta["source"] == "regionalstatistik"
                            and not meta["replaced_by"])
            if scan is not None:
                row["available"] = bool(avail.loc[ind.id, "available"])
                mine = scan.files[(scan.files["table"] == code)
                                  | (scan.files["table"].map(_base) == code)]
                row["present"] = len(mine) > 0
                row["files"] = "; ".join(mine["file"])
                row["stand"] = "; ".join(s for s in mine["stand"] if s)
                row["years"] = "; ".join(y for y in mine["years"] if y)
                problems = [f"{f}: {p}" for f, p in zip(mine["file"], mine["problem"],
                                                        strict=True) if p]
                if problems:
                    row["note"] = "; ".join(filter(None, [row["note"], *problems]))
                if not row["present"]:
                    row["enables"] = ", ".join(alone.get(code, []))
                    row["needed_for"] = ", ".join(needs.get(code, []))
            if downloadable and row["present"] is not True:
                row["url"] = download_url(code, base_url=base_url)
            rows.append(row)
    out = pd.DataFrame(rows, columns=_GUIDE_COLUMNS)
    for col in ("available", "present"):
        out[col] = out[col].astype("boolean")
    out["verified"] = out["verified"].astype(bool)
    return out


def _table_note(code: str, meta) -> str:
    if meta is None:
        return "nicht in source_tables.toml"
    notes = []
    if meta["replaced_by"]:
        notes.append(f"Tabelle beendet, aktuelle Tabelle: {meta['replaced_by']}")
    if meta["note"]:
        notes.append(meta["note"])
    return " ".join(n if n.endswith(".") else n + "." for n in notes)


def downloadable_tables(chapters=None, *, catalogue: Catalogue | None = None) -> list[str]:
    """The Regionalstatistik tables the indicators of ``chapters`` name, in catalogue order.

    Own files, sample codes and tables that have ended (``replaced_by``) are left out: they
    cannot be downloaded, or would give nothing current.

    Examples
    --------
    >>> downloadable_tables("F")
    ['21311-01-01-4', '12411-02-03-4']
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    meta = load_source_tables().set_index("code")
    codes = [t for c in _chapters(chapters, catalogue) for i in chapter_indicators(c, catalogue)
             for t in catalogue[i].source_tables]
    return [t for t in dict.fromkeys(codes)
            if t in meta.index and meta.loc[t, "source"] == "regionalstatistik"
            and not meta.loc[t, "replaced_by"]]


def table_label(code: str, *, tables: pd.DataFrame | None = None) -> str:
    """A table code with what a reader must know to get it, in German.

    Parameters
    ----------
    code : str
        Table code or own-file name.
    tables : DataFrame, optional
        :func:`bimokit.catalogue.load_source_tables` indexed by ``code``; read when not given.

    Examples
    --------
    >>> table_label("12411-02-03-4"), table_label("vhs_statistik")
    ('12411-02-03-4', 'vhs_statistik (eigene Datei)')
    >>> table_label("22541-01-01-4")
    '22541-01-01-4 (beendet, aktuell 22541-01-04-4)'
    >>> table_label("21211-01-01-4")
    '21211-01-01-4 (Code der Beispieldaten, keine Tabelle der Regionalstatistik)'
    """
    tables = tables if tables is not None else load_source_tables().set_index("code")
    if code not in tables.index:
        return code
    meta = tables.loc[code]
    if meta["source"] == "own":
        return f"{code} (eigene Datei)"
    if meta["source"] == "sample":
        return f"{code} (Code der Beispieldaten, keine Tabelle der Regionalstatistik)"
    if meta["replaced_by"]:
        return f"{code} (beendet, aktuell {meta['replaced_by']})"
    return code


def download_command(tables: Iterable[str], *, to: str = "DIR") -> str:
    """The ``bimokit download`` line that fetches ``tables`` (Regionalstatistik codes only).

    Tables that are not downloadable (own files, sample codes) and tables that have ended
    (``replaced_by``) are left out; ``""`` when none is left.

    Examples
    --------
    >>> download_command(["12411-02-03-4", "vhs_statistik", "12411-02-03-4"], to="daten")
    'bimokit download 12411-02-03-4 --to daten'
    """
    meta = load_source_tables().set_index("code")
    codes = [t for t in dict.fromkeys(tables)
             if t in meta.index and meta.loc[t, "source"] == "regionalstatistik"
             and not meta.loc[t, "replaced_by"]]
    return f"bimokit download {' '.join(codes)} --to {to}" if codes else ""


def guide_text(guide: pd.DataFrame, scan: FolderScan | None = None, *,
               to: str | None = None, catalogue: Catalogue | None = None) -> str:
    """The table guide for a terminal, in German: per chapter its indicators and tables.

    A table used by several chapters is described in full at its first chapter; later
    chapters refer to it.

    Parameters
    ----------
    guide : DataFrame
        From :func:`table_guide`.
    scan : FolderScan, optional
        The folder scan behind ``guide``: with it every table is marked present or missing,
        and the files that no indicator uses are listed at the end.
    to : str, optional
        Folder named in the closing ``bimokit download`` line; default the scanned folder.
    catalogue : Catalogue, optional
        For the chapter names; default :func:`bimokit.catalogue.load_catalogue` ().
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    names = {k: h.name for k, h in catalogue.handlungsfelder.items()}
    has_data = scan is not None
    lines = []
    tables = guide.drop_duplicates("table")
    if has_data:
        n_present = int(tables["present"].fillna(False).sum())
        lines += [f"Quelltabellen der Indikatoren im Datenordner {scan.path}",
                  f"{len(scan.files)} Dateien gelesen; von {len(tables)} Quelltabellen sind "
                  f"{n_present} vorhanden, {len(tables) - n_present} fehlen."]
    else:
        lines.append(f"Quelltabellen der Indikatoren ({len(tables)} Tabellen; mit --data DIR "
                     "steht dabei, welche der Datenordner hat)")
    if guide.empty:
        lines.append("Die gewählten Kapitel haben keine Indikatoren im Katalog.")
    shown: dict[str, str] = {}
    for letter, part in guide.groupby("chapter", sort=False):
        lines += ["", f"{letter} {names.get(letter, '')}".rstrip()]
        for iid, ind in part.groupby("indicator", sort=False):
            first = ind.iloc[0]
            state = ""
            if has_data:
                state = "  [Daten vorhanden]" if first["available"] else "  [keine Daten]"
            lines.append(f"  {iid:<6} {first['indicator_title']}{state}")
            marks = [("" if not has_data else "✓ " if r["present"] else "✗ ") + r["table"]
                     for _, r in ind.iterrows()]
            lines.append("         Tabellen: " + "   ".join(marks))
        lines.append("  Tabellen des Kapitels:")
        for _, r in part.drop_duplicates("table").iterrows():
            if r["table"] in shown:
                lines.append(f"    {_status_word(r, has_data)}{r['table']}  (siehe Kapitel "
                             f"{shown[r['table']]})")
                continue
            shown[r["table"]] = letter
            lines += _table_lines(r, has_data)
    if has_data:
        used = set(guide["table"]) | {_base(t) for t in guide["table"]}
        other = scan.files[~scan.files["table"].isin(used)
                           & ~scan.files["table"].map(_base).isin(used)]
        if len(other):
            lines += ["", "Weitere Dateien im Ordner, von keinem Indikator dieser Kapitel "
                          "genutzt:"]
            for _, f in other.iterrows():
                what = f"{f['file']} ({f['table'] or 'ohne Tabellencode'})"
                lines += _wrap(what + (f": {f['problem']}" if f["problem"] else ""), "    ",
                               "        ")
        missing = guide.loc[guide["present"].fillna(False).eq(False)
                            & guide["needed_for"].ne(""), "table"]
        cmd = download_command(missing, to=to or str(scan.path))
        if cmd:
            lines += ["", "Fehlende Tabellen der Regionalstatistik herunterladen:", f"  {cmd}"]
    unverified = guide.loc[(guide["source"] == "regionalstatistik") & ~guide["verified"],
                           "table"].drop_duplicates()
    if len(unverified):
        lines += [""] + _wrap(
            "Nicht an einem echten Export geprüft (Zuordnung nach dem amtlichen Titel und den "
            "GENESIS-Konventionen): " + ", ".join(unverified), "", "  ")
    return "\n".join(lines)


_KIND_WORDS = {"own": "eigene Datei", "": "nicht im Verzeichnis der Quelltabellen"}


def _wrap(text: str, first: str, rest: str, width: int = 100) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False) or [first.rstrip()]


def _status_word(r, has_data: bool) -> str:
    if not has_data:
        return ""
    return "vorhanden  " if r["present"] else "fehlt      "


def _table_lines(r, has_data: bool) -> list[str]:
    detail = "        "
    kind = _KIND_WORDS.get(r["source"], "")
    out = [f"    {_status_word(r, has_data)}{r['table']}" + (f"  ({kind})" if kind else "")]
    if r["table_title"]:
        out += _wrap(r["table_title"], detail, detail)
    if has_data and r["present"]:
        facts = [f"Stand {r['stand']}"] if r["stand"] else []
        facts += [f"Jahre {r['years']}"] if r["years"] else []
        out += _wrap(f"Datei {r['files'].replace('; ', ', ')}"
                     + (f" ({'; '.join(facts)})" if facts else ""), detail, detail)
    if r["url"]:
        out.append(f"{detail}Download: {r['url']}")
    if has_data and not r["present"] and r["needed_for"]:
        alone = [i for i in r["enables"].split(", ") if i]
        more = [i for i in r["needed_for"].split(", ") if i and i not in alone]
        parts = [f"ermöglicht {', '.join(alone)}"] if alone else []
        parts += [f"mit weiteren Tabellen auch {', '.join(more)}"] if more else []
        out += _wrap("; ".join(parts), detail, detail + "  ")
    if r["note"]:
        out += _wrap(r["note"], detail, detail)
    return out


def _verified(code: str, mappings: dict) -> bool:
    """Whether the table's mapping was checked against a real export (tables.toml)."""
    mapping = find_table_mapping(code, mappings)
    return bool(mapping is not None and mapping.verified)
