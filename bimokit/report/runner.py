"""``run_report``: one Kommune's chapters, index, Steckbrief and Tabellenanhang."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .._atomic import atomic_path, atomic_write_text
from ..errors import ParameterError
from ..publish import KeyFigure, PublishedTable, read_published
from ._execute import ChapterFailure, execute_chapter
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
    "STATE_DIR",
]

#: Hidden folder in ``<out>/<ags>/`` with each built chapter's tables and key figures
#: (``<letter>.pkl``) and the run record ``report.json``.
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
    """

    chapter: str
    ok: bool
    html_path: Path
    seconds: float
    failure: ChapterFailure | None = None
    tables: int = 0
    keyfigures: int = 0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One summary line in German and English."""
        secs = f"{self.seconds:.1f}".replace(".", ",")
        if self.ok:
            return (f"Kapitel {self.chapter}: fertig / done ({secs} s) -> {self.html_path}")
        return f"Kapitel {self.chapter}: FEHLER / FAILED ({secs} s) - {self.failure.summary()}"

    def as_dict(self) -> dict:
        f = self.failure
        return {
            "chapter": self.chapter,
            "status": "ok" if self.ok else "failed",
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
    """

    ags: str
    name: str
    out_dir: Path
    chapters: list[ChapterResult]
    index_path: Path
    steckbrief_path: Path
    xlsx_path: Path

    @property
    def ok(self) -> bool:
        """True when every chapter was built."""
        return all(c.ok for c in self.chapters)

    @property
    def failed(self) -> list[ChapterResult]:
        return [c for c in self.chapters if not c.ok]

    def summary(self) -> str:
        """German/English summary: one line per chapter, then the totals."""
        lines = [c.line() for c in self.chapters]
        n, bad = len(self.chapters), len(self.failed)
        if bad:
            lines.append(
                f"{n - bad} von {n} Kapiteln erstellt, {bad} fehlgeschlagen / "
                f"{n - bad} of {n} chapters built, {bad} failed: "
                + ", ".join(c.chapter for c in self.failed)
            )
        else:
            done = (f"Alle {n} Kapitel erstellt / all {n} chapters built" if n > 1
                    else "Das Kapitel ist erstellt / the chapter is built")
            lines.append(f"{done}: {self.index_path}")
        return "\n".join(lines)

    def raise_for_failures(self) -> ReportResult:
        """Raise :class:`ReportFailedError` when a chapter failed; return self otherwise."""
        if not self.ok:
            raise ReportFailedError(self)
        return self


class ReportFailedError(RuntimeError):
    """One or more chapters failed; ``.result`` holds the :class:`ReportResult`."""

    def __init__(self, result: ReportResult):
        self.result = result
        super().__init__(result.summary())


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
    ``<out>/<ags>/.bimokit/<letter>.pkl`` (written before the page, so that an existing page
    always has its data). A failed chapter leaves neither page nor data.

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
    state.mkdir(parents=True, exist_ok=True)
    html_path = target / f"{chapter}.html"
    data_path = state / f"{chapter}.pkl"
    work = Path(tempfile.mkdtemp(prefix=f".work-{chapter}-", dir=state))
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
        # The page is written under a hidden name first and takes its real name only after the
        # chapter's data is stored: a chapter page never exists without its tables.
        pending = target / f".{chapter}.html.pending"
        run = execute_chapter(
            request.notebooks[chapter], params, pending, title=request.title(chapter),
            context=context, kernel_name=kernel_name, km=km, kc=kc, cwd=work, timeout=timeout,
        )
        if not run.ok:
            for stale in (html_path, data_path, pending):
                stale.unlink(missing_ok=True)
            return ChapterResult(chapter, False, html_path, run.seconds, run.failure,
                                 warnings=run.warnings)
        try:
            tables, figures = read_published(work, chapter=chapter)
            with atomic_path(data_path) as tmp, open(tmp, "wb") as fh:
                pickle.dump(
                    {"tables": tables, "keyfigures": figures, "parameters": params,
                     "notebook_sha256": _sha256(Path(request.notebooks[chapter]))},
                    fh, protocol=pickle.HIGHEST_PROTOCOL,
                )
            os.replace(pending, html_path)
        except BaseException:
            for stale in (html_path, data_path, pending):
                stale.unlink(missing_ok=True)
            raise
        return ChapterResult(chapter, True, html_path, run.seconds, None, len(tables),
                             len(figures), run.warnings)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load_chapter_data(target: Path, chapter: str):
    path = target / STATE_DIR / f"{chapter}.pkl"
    if not (path.is_file() and (target / f"{chapter}.html").is_file()):
        return None
    with open(path, "rb") as fh:
        return pickle.load(fh)


def finish_report(
    request: ReportRequest,
    results: list[ChapterResult] | None = None,
) -> tuple[Path, Path, Path]:
    """Write index, Steckbrief, Tabellenanhang and ``report.json`` from the built chapters.

    Chapters built by earlier runs into the same folder (page and data present) are included,
    so that building one chapter again keeps the others in the index.

    Returns
    -------
    (index_path, steckbrief_path, xlsx_path)
    """
    request = _with_reader_name(request)
    target = request.out_dir
    target.mkdir(parents=True, exist_ok=True)
    results = results or []
    by_letter = {r.chapter: r for r in results}
    entries: list[ChapterEntry] = []
    tables: list[PublishedTable] = []
    figures: list[KeyFigure] = []
    for letter, title in CHAPTERS.items():
        data = _load_chapter_data(target, letter)
        if data is not None:
            entries.append(ChapterEntry(letter, title, f"{letter}.html"))
            tables.extend(data["tables"])
            figures.extend(data["keyfigures"])
        elif letter in by_letter and not by_letter[letter].ok:
            f = by_letter[letter].failure
            note = "Fehler" if f is None else (
                f"Fehler in Zelle {f.cell_index}" if f.cell_index is not None else "Fehler"
            )
            entries.append(ChapterEntry(letter, title, None, note))
    xlsx_path = target / f"tabellenanhang_{request.ags}.xlsx"
    write_xlsx(tables, xlsx_path, title=f"Tabellenanhang Bildungsbericht {request.name}",
               chapter_titles=CHAPTERS)
    steckbrief_path = write_steckbrief(
        target / "steckbrief.html", kommune=request.name, ags=request.ags, keyfigures=figures,
        chapter_titles=CHAPTERS,
    )
    index_path = write_index(
        target / "index.html", kommune=request.name, ags=request.ags, chapters=entries,
        keyfigures=figures, xlsx_href=xlsx_path.name, chapter_titles=CHAPTERS,
    )
    record = {
        "ags": request.ags,
        "name": request.name,
        "data": request.data,
        "years": request.years,
        "vergleichsgruppe": request.vergleichsgruppe,
        "chapters": [r.as_dict() for r in results],
    }
    atomic_write_text(target / STATE_DIR / "report.json",
                      json.dumps(record, ensure_ascii=False, indent=1))
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
    from tqdm import tqdm  # text bar on stderr (tqdm.auto warns in a kernel without ipywidgets)

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
    request.out_dir.mkdir(parents=True, exist_ok=True)
    results: list[ChapterResult] = []
    bar = tqdm(total=len(request.chapters), desc=f"Bericht {request.ags}", unit="Kapitel",
               disable=not progress, file=sys.stderr, leave=True)
    kernel = None
    if kernel_name is None:
        from ._warm import WarmKernel

        kernel = WarmKernel()
    try:
        for letter in request.chapters:
            bar.set_postfix_str(letter)
            if kernel is None:
                results.append(run_chapter(request, letter, kernel_name=kernel_name,
                                           timeout=timeout))
            else:
                results.append(kernel.run_chapter(request, letter, timeout=timeout).result)
            bar.update(1)
    finally:
        bar.close()
        if kernel is not None:
            kernel.shutdown()
    index_path, steckbrief_path, xlsx_path = finish_report(request, results)
    return ReportResult(request.ags, request.name, request.out_dir, results, index_path,
                        steckbrief_path, xlsx_path)
