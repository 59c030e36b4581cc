"""``run_report``: one Kommune's chapters, index, Steckbrief and Tabellenanhang."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._atomic import atomic_write_text, os_error_text
from ..errors import InputError, ParameterError
from ..publish import KeyFigure, PublishedTable, read_published
from ._cache import (
    CacheDamaged,
    folder_lock,
    forget_chapter,
    read_chapter_data,
    remove_leftovers,
    remove_stale,
    write_chapter_data,
)
from ._execute import ChapterFailure, execute_chapter
from ._interrupt import catching_interrupts, raise_if_interrupted, shielded
from ._pages import ChapterEntry, write_index, write_steckbrief
from ._validate import CHAPTERS, DataInfo, ReportRequest, describe_data, validate_request
from ._xlsx import write_xlsx

__all__ = [
    "ChapterResult",
    "ReportResult",
    "ReportFailedError",
    "run_report",
    "run_chapter",
    "finish_report",
    "missing_indicators",
    "STATE_DIR",
]

#: Hidden folder in ``<out>/<ags>/`` with each built chapter's tables and key figures
#: (``<letter>.json``, checksums in ``manifest.json``) and the run record ``report.json``.
STATE_DIR = ".bimokit"


@dataclass
class ChapterResult:
    """What happened to one chapter.

    Attributes
    ----------
    chapter : str
        Letter.
    ok : bool
    html_path : pathlib.Path
        The chapter page (exists only when ``ok``).
    seconds : float
    failure : ChapterFailure or None
        Failing cell, error name and message.
    tables, keyfigures : int
        How many the chapter published.
    warnings : list of str
        stderr text of the notebook (not shown in the page).
    empty : bool
        The chapter was built but holds no data: it published no table with rows and no key
        figure with a value, or none of its indicators has data for the Kommune.
    write_error : str or None
        The chapter ran or could not start because a file or folder of the output could not
        be written (``"cannot write <path>: <reason>"``).
    """

    chapter: str
    ok: bool
    html_path: Path
    seconds: float
    failure: ChapterFailure | None = None
    tables: int = 0
    keyfigures: int = 0
    warnings: list[str] = field(default_factory=list)
    empty: bool = False
    write_error: str | None = None

    def line(self) -> str:
        """One summary line in German and English."""
        secs = f"{self.seconds:.1f}".replace(".", ",")
        if self.ok and self.empty:
            return (f"Kapitel {self.chapter}: enthält keine Daten / holds no data ({secs} s) "
                    f"-> {self.html_path}")
        if self.ok:
            return (f"Kapitel {self.chapter}: fertig / done ({secs} s) -> {self.html_path}")
        return f"Kapitel {self.chapter}: FEHLER / FAILED ({secs} s) - {self.failure.summary()}"

    def as_dict(self) -> dict:
        f = self.failure
        return {
            "chapter": self.chapter,
            "status": "ok" if self.ok else "failed",
            "empty": self.empty,
            "html": str(self.html_path) if self.ok else None,
            "seconds": round(self.seconds, 3),
            "tables": self.tables,
            "keyfigures": self.keyfigures,
            "failure": None if f is None else {
                "cell_index": f.cell_index,
                "execution_count": f.execution_count,
                "source": f.source,
                "ename": f.ename,
                "evalue": f.evalue,
            },
        }


@dataclass
class ReportResult:
    """The outcome of :func:`run_report`.

    Attributes
    ----------
    ags, name : str
        The Kommune.
    out_dir : pathlib.Path
        ``<out>/<ags>``.
    chapters : list of ChapterResult
        In report order.
    index_path, steckbrief_path, xlsx_path : pathlib.Path
    missing : DataFrame or None
        The indicators of the report's chapters without data for the Kommune (see
        :func:`missing_indicators`); None where it was not determined.
    download : str
        The ``bimokit download`` line that fetches the missing Regionalstatistik tables.
    write_errors : list of str
        Files that could not be written (``"cannot write <path>: <reason>"``), e.g. because
        the output folder turned read-only during the run.
    """

    ags: str
    name: str
    out_dir: Path
    chapters: list[ChapterResult]
    index_path: Path
    steckbrief_path: Path
    xlsx_path: Path
    missing: pd.DataFrame | None = None
    download: str = ""
    write_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every chapter was built and every file written."""
        return all(c.ok for c in self.chapters) and not self.write_errors

    @property
    def failed(self) -> list[ChapterResult]:
        return [c for c in self.chapters if not c.ok]

    @property
    def empty(self) -> list[ChapterResult]:
        """The chapters that were built but hold no data."""
        return [c for c in self.chapters if c.ok and c.empty]

    def summary(self) -> str:
        """German/English summary: one line per chapter, the totals, the missing data."""
        lines = [c.line() for c in self.chapters]
        n, bad = len(self.chapters), len(self.failed)
        empty = [c.chapter for c in self.empty]
        done = n - bad - len(empty)
        if bad:
            lines.append(
                f"{n - bad} von {n} Kapiteln erstellt, {bad} fehlgeschlagen / "
                f"{n - bad} of {n} chapters built, {bad} failed: "
                + ", ".join(c.chapter for c in self.failed)
            )
        elif not empty:
            total = (f"Alle {n} Kapitel erstellt / all {n} chapters built" if n > 1
                     else "Das Kapitel ist erstellt / the chapter is built")
            lines.append(f"{total}: {self.index_path}")
        if empty:
            which = ", ".join(empty)
            lines.append(
                (f"Kapitel {which} enthält keine Daten / chapter {which} holds no data"
                 if len(empty) == 1 else
                 f"Kapitel {which} enthalten keine Daten / chapters {which} hold no data")
                + (f"; {done} von {n} Kapiteln mit Daten erstellt / {done} of {n} chapters "
                   f"built with data: {self.index_path}" if not bad else ""))
        lines += missing_lines(self.missing, name=self.name, download=self.download)
        return "\n".join(lines)

    def raise_for_failures(self) -> ReportResult:
        """Raise :class:`ReportFailedError` when a chapter failed; return self otherwise."""
        if not self.ok:
            raise ReportFailedError(self)
        return self


class ReportWriteError(OSError):
    """Files of a report that could not be written; ``.errors`` holds one line each
    (``"cannot write <path>: <reason>"``)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class ReportFailedError(RuntimeError):
    """One or more chapters failed; ``.result`` holds the :class:`ReportResult`."""

    def __init__(self, result: ReportResult):
        self.result = result
        super().__init__(result.summary())


def missing_indicators(dataset, ags: str, chapters) -> pd.DataFrame:
    """The indicators of ``chapters`` without data for ``ags`` and the tables that would give them.

    Parameters
    ----------
    dataset : bimokit.data.Dataset
        The report's data.
    ags : str
        The Kommune.
    chapters : list of str
        Chapter letters; an indicator several of them report is listed once, under the first.

    Returns
    -------
    DataFrame
        ``id``, ``chapter``, ``title``, ``missing_tables`` (tuple of table codes, empty where
        the tables are present but hold no values for the Kommune), ``note`` (German).
    """
    from ..catalogue import load_catalogue
    from ..sources import chapter_indicators, indicator_availability

    catalogue = load_catalogue()
    present = set(dataset.files["table_code"].astype(str))
    present |= {Path(f).stem for f in dataset.files["file"].astype(str)}
    avail = indicator_availability(dataset.facts, ags=ags, present=present,
                                   catalogue=catalogue).set_index("id")
    rows, seen = [], set()
    for letter in chapters:
        for iid in chapter_indicators(letter, catalogue):
            if iid in seen or iid not in avail.index or avail.loc[iid, "available"]:
                continue
            seen.add(iid)
            row = avail.loc[iid]
            rows.append({"id": iid, "chapter": letter, "title": row["title"],
                         "missing_tables": row["missing_tables"], "note": row["note"]})
    return pd.DataFrame(rows, columns=["id", "chapter", "title", "missing_tables", "note"])


def missing_lines(missing: pd.DataFrame | None, *, name: str, download: str = "") -> list[str]:
    """Summary lines on the indicators without data: per missing table the indicators it fills.

    Examples
    --------
    >>> m = pd.DataFrame({"id": ["A1.2", "A1.3", "G1.1"], "chapter": ["A", "A", "G"],
    ...                   "title": ["", "", ""], "missing_tables": [("12411-02-03-4",),
    ...                   ("12411-02-03-4",), ("vhs_statistik",)], "note": ["", "", ""]})
    >>> print("\\n".join(missing_lines(m, name="München", download="bimokit download "
    ...                              "12411-02-03-4 --to daten")))
    Indikatoren ohne Daten für München / indicators without data: 3
      12411-02-03-4 fehlt / missing: A1.2, A1.3
      vhs_statistik (eigene Datei) fehlt / missing: G1.1
    Fehlende Tabellen laden / download the missing tables:
      bimokit download 12411-02-03-4 --to daten
    """
    import textwrap

    if missing is None or missing.empty:
        return []
    lines = [f"Indikatoren ohne Daten für {name} / indicators without data: {len(missing)}"]
    by_table: dict[str, list[str]] = {}
    without_values = []
    for _, r in missing.iterrows():
        for t in r["missing_tables"]:
            by_table.setdefault(t, []).append(r["id"])
        if not r["missing_tables"]:
            without_values.append(r["id"])
    from ..catalogue import load_source_tables
    from ..sources import table_label

    tables = load_source_tables().set_index("code")
    groups = [(f"{table_label(t, tables=tables)} fehlt / missing", ids)
              for t, ids in by_table.items()]
    if without_values:
        groups.append(("Tabellen vorhanden, aber ohne Werte / tables present without values",
                       without_values))
    for head, ids in groups:
        lines += textwrap.wrap(f"{head}: {', '.join(ids)}", width=100, initial_indent="  ",
                               subsequent_indent="      ", break_on_hyphens=False)
    if download:
        lines += ["Fehlende Tabellen laden / download the missing tables:", f"  {download}"]
    return lines


def _has_data(tables, keyfigures) -> bool:
    """A chapter's published items hold data: a table with rows or a key figure with a value."""
    return (any(len(t.table) for t in tables)
            or any(kf.value is not None or kf.status for kf in keyfigures))


#: Reader names (``bimokit.regions.display_names``) of a data folder's regions, by folder and
#: the modification times of its files: a batch worker looks each folder up once.
_NAMES: dict = {}


def _folder_key(data: str):
    from .._paths import sample_dir

    folder = sample_dir("musterland") if data in ("", None) else Path(data)
    try:
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())) \
            if folder.is_dir() else (folder.name, folder.stat().st_mtime_ns)
    except OSError:
        return None
    return str(folder.resolve()), stamp


def _remember_names(data: str, info: DataInfo) -> dict:
    from ..regions import display_names

    names = display_names(info.regions).to_dict()
    key = _folder_key(data)
    if key is not None:
        _NAMES.clear()
        _NAMES[key] = names
    return names


def _reader_name(request: ReportRequest) -> str:
    """The Kommune's name as the chapters write it (:func:`bimokit.regions.display_names`).

    ``request.name`` is the name of the region table ('Flensburg, kreisfreie Stadt'); the
    chapters drop the Kreistyp where the short name stays unambiguous ('Flensburg'), and the
    index, the Steckbrief, the page titles and the Tabellenanhang say the same.
    """
    from ..regions import display_name

    if display_name(request.name) == request.name:
        return request.name
    key = _folder_key(request.data)
    names = _NAMES.get(key) if key is not None else None
    if names is None:
        try:
            names = _remember_names(request.data, describe_data(request.data or None))
        except Exception:  # the name is cosmetic: never fail a report over it
            return request.name
    return names.get(request.ags, request.name)


def _with_reader_name(request: ReportRequest) -> ReportRequest:
    name = _reader_name(request)
    return request if name == request.name else dataclasses.replace(request, name=name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_chapter(
    request: ReportRequest,
    chapter: str,
    *,
    values_path: str = "",
    kernel_name: str | None = None,
    km=None,
    kc=None,
    timeout: int | None = None,
) -> ChapterResult:
    """Build one chapter of a validated request: page and published items, atomically.

    The notebook runs with a fresh, empty ``out_dir`` that is also the kernel's working
    folder; after a successful run its tables and key figures are stored as
    ``<out>/<ags>/.bimokit/<letter>.json`` with its checksum in ``manifest.json`` (written
    before the page, so that an existing page always has its data). A failed chapter leaves
    neither page nor data.

    Parameters
    ----------
    request : ReportRequest
        From :func:`validate_request`.
    chapter : str
        One of ``request.chapters``.
    values_path : str
        Precomputed indicator values for the notebook (a batch computes them once).
    kernel_name, km, kc, timeout
        See :func:`execute_chapter`.
    """
    request = _with_reader_name(request)
    target = request.out_dir
    state = target / STATE_DIR
    html_path = target / f"{chapter}.html"
    # The page is written under a hidden name first and takes its real name only after the
    # chapter's data is stored: a chapter page never exists without its tables.
    pending = target / f".{chapter}.html.pending"
    t0 = time.perf_counter()
    try:
        state.mkdir(parents=True, exist_ok=True)
        remove_stale(state)
        work = Path(tempfile.mkdtemp(prefix=f".work-{chapter}-", dir=state))
    except OSError as exc:  # the output folder cannot be written: the chapter cannot run
        return _write_failure(chapter, html_path, exc, time.perf_counter() - t0,
                              name=state if Path(str(exc.filename)).parent == state else None)
    try:
        params = request.parameters(out_dir=work, values_path=values_path)
        context = {
            "kommune": request.name,
            "ags": request.ags,
            "chapter": chapter,
            "chapter_title": CHAPTERS[chapter],
            "index_href": "index.html",
            "data_label": request.data or "eingebettete Beispieldaten (Musterland)",
        }
        try:
            run = execute_chapter(
                request.notebooks[chapter], params, pending, title=request.title(chapter),
                context=context, kernel_name=kernel_name, km=km, kc=kc, cwd=work,
                timeout=timeout,
            )
        except OSError as exc:  # the page could not be written; the earlier one stays
            raise_if_interrupted()
            return _write_failure(chapter, html_path, exc, time.perf_counter() - t0,
                                  name=html_path if exc.filename == str(pending) else None)
        # A Ctrl-C that the notebook runner turned into a failure ("Kernel died") is no
        # failure of the chapter: stop, and keep the page of an earlier run.
        raise_if_interrupted()
        failure = run.failure
        if run.ok:
            try:
                tables, figures = read_published(work, chapter=chapter)
            except InputError as exc:  # what the notebook published does not fit its schema
                failure = ChapterFailure(None, None, "", type(exc).__name__, str(exc))
        if failure is not None:  # no outdated page of an earlier run stays
            with contextlib.suppress(OSError):
                html_path.unlink(missing_ok=True)
                forget_chapter(state, chapter)
            return ChapterResult(chapter, False, html_path, run.seconds, failure,
                                 warnings=run.warnings)
        with shielded():  # data, then page: a Ctrl-C waits for these few milliseconds
            try:
                write_chapter_data(state, chapter, tables=tables, keyfigures=figures,
                                   parameters=params,
                                   notebook_sha256=_sha256(Path(request.notebooks[chapter])))
                os.replace(pending, html_path)
            except Exception as exc:
                with contextlib.suppress(OSError):
                    html_path.unlink(missing_ok=True)
                    forget_chapter(state, chapter)
                if isinstance(exc, OSError):
                    return _write_failure(chapter, html_path, exc, run.seconds)
                raise
        return ChapterResult(chapter, True, html_path, run.seconds, None, len(tables),
                             len(figures), run.warnings, empty=not _has_data(tables, figures))
    finally:
        with contextlib.suppress(OSError):
            pending.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _write_failure(chapter: str, html_path: Path, exc: OSError, seconds: float, *,
                   name: Path | None = None) -> ChapterResult:
    """A chapter that failed because the output could not be written (``name``: the path to
    name instead of a temporary one)."""
    if name is not None and exc.errno is not None:
        exc = type(exc)(exc.errno, exc.strerror, str(name))
    text = os_error_text(exc)
    return ChapterResult(chapter, False, html_path, seconds,
                         ChapterFailure(None, None, "", type(exc).__name__, text),
                         write_error=text)


def _load_chapter_data(target: Path, chapter: str):
    """The stored data of a built chapter (page and data present); None when not built.

    Raises :class:`CacheDamaged` when the data is damaged or foreign.
    """
    if not (target / f"{chapter}.html").is_file():
        return None
    return read_chapter_data(target / STATE_DIR, chapter)


def _drop_damaged(target: Path, chapter: str) -> None:
    """A page whose data is damaged or foreign is no longer a built chapter: the next run
    builds it again."""
    with contextlib.suppress(OSError):
        (target / f"{chapter}.html").unlink(missing_ok=True)
        forget_chapter(target / STATE_DIR, chapter)


def finish_report(
    request: ReportRequest,
    results: list[ChapterResult] | None = None,
    *,
    missing: pd.DataFrame | None = None,
    download: str = "",
) -> tuple[Path, Path, Path]:
    """Write index, Steckbrief, Tabellenanhang and ``report.json`` from the built chapters.

    Chapters built by earlier runs into the same folder (page and data present) are included,
    so that building one chapter again keeps the others in the index. A chapter without data
    is marked "enthält keine Daten" in the contents; ``missing`` (the indicators without data,
    see :func:`missing_indicators`) and ``download`` (the ``bimokit download`` line) give the
    index its section "Fehlende Daten".

    Returns
    -------
    (index_path, steckbrief_path, xlsx_path)

    Raises
    ------
    ReportWriteError
        When a file cannot be written (a folder turned read-only, a full disk), after every
        other file was written; ``.errors`` names each path.
    """
    request = _with_reader_name(request)
    target = request.out_dir
    target.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        remove_stale(target / STATE_DIR)
    results = results or []
    by_letter = {r.chapter: r for r in results}
    entries: list[ChapterEntry] = []
    tables: list[PublishedTable] = []
    figures: list[KeyFigure] = []
    for letter, title in CHAPTERS.items():
        try:
            data = _load_chapter_data(target, letter)
        except CacheDamaged:
            _drop_damaged(target, letter)
            entries.append(ChapterEntry(letter, title, None, "neu zu erstellen"))
            continue
        if data is not None:
            empty = not _has_data(data.tables, data.keyfigures) or (
                letter in by_letter and by_letter[letter].empty)
            entries.append(ChapterEntry(letter, title, f"{letter}.html",
                                        "enthält keine Daten" if empty else ""))
            tables.extend(data.tables)
            figures.extend(data.keyfigures)
        elif letter in by_letter and not by_letter[letter].ok:
            f = by_letter[letter].failure
            note = "Fehler" if f is None else (
                f"Fehler in Zelle {f.cell_index}" if f.cell_index is not None else "Fehler"
            )
            entries.append(ChapterEntry(letter, title, None, note))
    errors: list[str] = []

    def attempt(write, *args, **kwargs) -> None:
        try:
            write(*args, **kwargs)
        except OSError as exc:  # a folder turned read-only, a full disk: write the others
            errors.append(os_error_text(exc))

    xlsx_path = target / f"tabellenanhang_{request.ags}.xlsx"
    steckbrief_path, index_path = target / "steckbrief.html", target / "index.html"
    attempt(write_xlsx, tables, xlsx_path,
            title=f"Tabellenanhang Bildungsbericht {request.name}", chapter_titles=CHAPTERS)
    attempt(write_steckbrief, steckbrief_path, kommune=request.name, ags=request.ags,
            keyfigures=figures, chapter_titles=CHAPTERS)
    attempt(write_index, index_path, kommune=request.name, ags=request.ags, chapters=entries,
            keyfigures=figures, xlsx_href=xlsx_path.name, chapter_titles=CHAPTERS,
            missing=missing, download=download)
    record = {
        "ags": request.ags,
        "name": request.name,
        "data": request.data,
        "years": request.years,
        "vergleichsgruppe": request.vergleichsgruppe,
        "chapters": [r.as_dict() for r in results],
    }
    if missing is not None:
        record["missing"] = [
            {"id": r["id"], "chapter": r["chapter"], "tables": list(r["missing_tables"]),
             "note": r["note"]} for _, r in missing.iterrows()]
        record["download"] = download
    attempt(atomic_write_text, target / STATE_DIR / "report.json",
            json.dumps(record, ensure_ascii=False, indent=1))
    if errors:
        raise ReportWriteError(errors)
    return index_path, steckbrief_path, xlsx_path


def run_report(
    ags: str,
    *,
    data: str | os.PathLike | None = None,
    out: str | os.PathLike = Path("reports"),
    chapters=None,
    years=None,
    vergleichsgruppe: str = "kreistyp",
    kernel_name: str | None = None,
    progress: bool = True,
    notebook_dir: str | os.PathLike | None = None,
    timeout: int | None = None,
) -> ReportResult:
    """Build the Bildungsbericht of one Kommune: chapters, index, Steckbrief, Tabellenanhang.

    Every parameter is checked before any kernel starts (:func:`validate_request`). The
    chapters run one after another in one kernel (ipykernel in this interpreter) that is
    reset before each chapter: a fresh namespace, all figures closed, rcParams, warning
    filters, working folder and environment as after the imports, ``random`` and
    ``numpy.random`` seeded (:class:`WarmKernel`); the imports, the data and the indicator
    values are loaded once, not once per chapter. With ``kernel_name`` every chapter runs in
    a fresh kernel of that kernelspec (papermill). A failing chapter is reported with its
    failing cell and the others still run; after a chapter whose kernel died or whose cell
    ran past ``timeout``, the next one gets a new kernel.

    Parameters
    ----------
    ags : str
        Key of the Kommune, e.g. ``"99101"``.
    data : str or PathLike, optional
        Data folder; None for the embedded sample Musterland.
    out : str or PathLike
        Output folder; the report goes to ``<out>/<ags>/``.
    chapters : str or list of str, optional
        ``"A,C"`` or ``["A", "C"]``; None for all nine (A–H, S).
    years : str, optional
        ``"2012-2024"`` or ``"2024"``; None for all years of the data.
    vergleichsgruppe : str
        ``"kreistyp"``, ``"aehnlich:<n>"`` or a comma list of AGS.
    kernel_name : str, optional
        A Jupyter kernelspec: run every chapter in a fresh kernel of it. Default: one reused
        kernel (ipykernel in the running interpreter).
    progress : bool
        Show one progress bar across the chapters (on stderr).
    notebook_dir : str or PathLike, optional
        Folder with ``<letter>.ipynb``; default the package's chapter notebooks.
    timeout : int, optional
        Seconds a cell may run.

    Returns
    -------
    ReportResult
        Check ``.ok``; ``.raise_for_failures()`` turns failures into an exception.

    Raises
    ------
    ParameterError, UnknownRegionError
        Before anything runs, listing every problem with the parameters.

    Notes
    -----
    Output files, each written atomically (temporary file in the same folder, then
    ``os.replace``): ``<out>/<ags>/<letter>.html``, ``index.html``, ``steckbrief.html``,
    ``tabellenanhang_<ags>.xlsx``, and ``.bimokit/`` with the chapters' data and
    ``report.json``.
    """
    try:
        info = describe_data(data)
    except ParameterError:
        info = None  # validate_request names the problem together with any others
    request = validate_request(
        ags, data=data, out=out, chapters=chapters, years=years,
        vergleichsgruppe=vergleichsgruppe, notebook_dir=notebook_dir, info=info,
    )
    # the chapters' name of the Kommune ('Flensburg', not 'Flensburg, kreisfreie Stadt')
    names = _remember_names(request.data, info)
    request = dataclasses.replace(request, name=names.get(request.ags, request.name))
    try:
        (request.out_dir / STATE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"Cannot build the report: the output folder "
                             f"{str(request.out_dir)!r} cannot be created "
                             f"({exc.strerror or exc}).") from None
    with catching_interrupts(), folder_lock(request.out_dir / STATE_DIR) as alone:
        if alone:  # what a killed run left (work folders, pending pages) goes
            remove_leftovers(request.out_dir, state_dir=STATE_DIR)
        results = _run_chapters(request, kernel_name=kernel_name, progress=progress,
                                timeout=timeout)
        errors = [r.write_error for r in results if r.write_error]
        missing, download = _missing_of(request, info, results)
        try:
            finish_report(request, results, missing=missing, download=download)
        except ReportWriteError as exc:
            errors += exc.errors
    target = request.out_dir
    return ReportResult(request.ags, request.name, target, results, target / "index.html",
                        target / "steckbrief.html", target / f"tabellenanhang_{request.ags}.xlsx",
                        missing=missing, download=download, write_errors=errors)


def _run_chapters(request: ReportRequest, *, kernel_name, progress: bool,
                  timeout) -> list[ChapterResult]:
    """The chapters one after another, in one warm kernel or (``kernel_name``) fresh ones.

    On Ctrl-C the kernel is stopped, the progress bar is taken off the terminal and the
    ``KeyboardInterrupt`` goes on to the caller; pages of earlier runs stay.
    """
    from tqdm import tqdm  # text bar on stderr (tqdm.auto warns in a kernel without ipywidgets)

    results: list[ChapterResult] = []
    bar = tqdm(total=len(request.chapters), desc=f"Bericht {request.ags}", unit="Kapitel",
               disable=not progress, file=sys.stderr, leave=True)
    kernel = None
    try:
        if kernel_name is None:
            from ._warm import WarmKernel

            kernel = WarmKernel()
        for letter in request.chapters:
            bar.set_postfix_str(letter)
            if kernel is None:
                results.append(run_chapter(request, letter, kernel_name=kernel_name,
                                           timeout=timeout))
            else:
                results.append(kernel.run_chapter(request, letter, timeout=timeout).result)
            raise_if_interrupted()
            bar.update(1)
    except KeyboardInterrupt:
        bar.leave = False  # the one line of the interrupt replaces the bar
        raise
    finally:
        bar.close()
        if kernel is not None:
            kernel.shutdown()
    return results


def _missing_of(request: ReportRequest, info: DataInfo, results: list[ChapterResult]):
    """The indicators without data and the download line; marks chapters without any as empty."""
    from ..catalogue import load_catalogue
    from ..sources import chapter_indicators, download_command

    if info is None or info.dataset is None:
        return None, ""
    missing = missing_indicators(info.dataset, request.ags, request.chapters)
    lacking = set(missing["id"])
    catalogue = load_catalogue()
    for r in results:
        ids = chapter_indicators(r.chapter, catalogue)
        if r.ok and ids and set(ids) <= lacking:
            r.empty = True
    tables = [t for ts in missing["missing_tables"] for t in ts]
    return missing, download_command(tables, to=request.data or "DIR")
