"""Check a report request completely before any kernel starts."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._atomic import folder_problem
from .._params import parse_years
from .._paths import notebook_dir as _default_notebook_dir
from .._paths import sample_dir
from ..catalogue import load_catalogue
from ..errors import InputError, ParameterError, UnknownRegionError

__all__ = [
    "CHAPTERS",
    "PARAMETERS",
    "DataInfo",
    "ReportRequest",
    "describe_data",
    "validate_request",
    "parse_years",
]

#: The chapters (Handlungsfelder) in report order, with their German titles.
CHAPTERS = {k: h.name for k, h in load_catalogue().handlungsfelder.items()}

#: The parameters every chapter notebook declares in its ``parameters`` cell.
PARAMETERS = ("ags", "data", "years", "vergleichsgruppe", "out_dir", "values_path")

_AGS = re.compile(r"\d{5}|\d{8}")
_AEHNLICH = re.compile(r"aehnlich:(\d+)")


@dataclass(frozen=True)
class DataInfo:
    """What the runner knows about a data folder without loading the facts.

    Attributes
    ----------
    path : pathlib.Path
        The data folder.
    regions : pandas.DataFrame
        The region table (``ags``, ``name``, ``level``, … as str).
    years : tuple of int
        Years of the harmonised facts; empty when none were found, and then years are not
        checked.
    dataset : bimokit.data.Dataset or None
        The loaded data, kept so that a batch computes its indicator values without reading
        every export a second time.
    """

    path: Path
    regions: pd.DataFrame
    years: tuple[int, ...] = ()
    dataset: object = field(default=None, repr=False, compare=False)

    def name_of(self, ags: str) -> str:
        row = self.regions.loc[self.regions["ags"] == ags]
        return str(row["name"].iloc[0]) if len(row) else ags


@dataclass(frozen=True)
class ReportRequest:
    """A validated request for one Kommune's chapters.

    Attributes
    ----------
    ags, name : str
        The Kommune's key and name (from the region table).
    data : str
        The data folder as passed to the notebooks (``""`` for the sample).
    years : str
        ``"2012-2024"``, ``"2024"`` or ``""`` (all years).
    vergleichsgruppe : str
        ``"kreistyp"``, ``"aehnlich:<n>"`` or a comma list of AGS.
    chapters : tuple of str
        Chapter letters in report order.
    notebooks : dict
        Chapter letter → notebook path.
    out_dir : pathlib.Path
        ``<out>/<ags>``, where the chapter files go.
    """

    ags: str
    name: str
    data: str
    years: str
    vergleichsgruppe: str
    chapters: tuple[str, ...]
    notebooks: dict = field(default_factory=dict)
    out_dir: Path = Path("reports")

    def parameters(self, *, out_dir: str | os.PathLike, values_path: str = "") -> dict:
        """The papermill parameters of a chapter run."""
        return {
            "ags": self.ags,
            "data": self.data,
            "years": self.years,
            "vergleichsgruppe": self.vergleichsgruppe,
            "out_dir": str(Path(out_dir).resolve()),
            "values_path": str(Path(values_path).resolve()) if values_path else "",
        }

    def title(self, chapter: str) -> str:
        """German title of a chapter page, e.g. ``'C Frühkindliche Bildung – Musterstadt'``."""
        return f"{chapter} {CHAPTERS[chapter]} – {self.name}"


def describe_data(data: str | os.PathLike | None = None) -> DataInfo:
    """Region table and years of a data folder (``None``/``""``: the embedded sample).

    The folder is read with :func:`bimokit.data.load_data`, so real export folders without a
    ``regions.csv`` work as well as the sample: the region table is the one the loader builds
    (``regions.csv`` where present, plus every region the exports name), the years are those of
    the harmonised facts.
    """
    folder = sample_dir("musterland") if data in (None, "") else Path(data)
    if not folder.exists():
        raise ParameterError(f"Data folder {str(folder)!r} does not exist.")
    from ..data import load_data

    try:
        dataset = load_data(folder)
    except InputError as exc:
        raise ParameterError(f"The data in {str(folder)!r} cannot be used: {exc}") from None
    regions = dataset.regions.copy()
    regions["ags"] = regions["ags"].astype(str)
    regions["name"] = regions["name"].astype(str)
    years = tuple(sorted(int(y) for y in pd.unique(dataset.facts["year"].dropna())))
    return DataInfo(
        path=folder, regions=regions.reset_index(drop=True), years=years, dataset=dataset
    )




def _chapter_list(chapters) -> list[str]:
    if chapters is None:
        return list(CHAPTERS)
    if isinstance(chapters, str):
        chapters = [c for c in re.split(r"[,\s]+", chapters) if c]
    return [str(c).strip().upper() for c in chapters]


def validate_request(
    ags: str,
    *,
    data: str | os.PathLike | None = None,
    out: str | os.PathLike = "reports",
    chapters=None,
    years=None,
    vergleichsgruppe: str = "kreistyp",
    notebook_dir: str | os.PathLike | None = None,
    info: DataInfo | None = None,
) -> ReportRequest:
    """Check every parameter of a report run and collect all problems in one error.

    Parameters
    ----------
    ags : str
        Key of the Kommune: 5 digits (Kreis, kreisfreie Stadt) or 8 digits (Gemeinde).
    data : str or PathLike, optional
        Data folder; None for the embedded sample.
    out : str or PathLike
        Output folder; the chapters go to ``<out>/<ags>/``.
    chapters : str or list of str, optional
        Chapter letters (``"A,C"`` or ``["A", "C"]``); None for all nine.
    years : str, optional
        ``"2012-2024"``, ``"2024"`` or None for all years of the data.
    vergleichsgruppe : str
        ``"kreistyp"``, ``"aehnlich:<n>"`` or a comma list of AGS.
    notebook_dir : str or PathLike, optional
        Folder of the chapter notebooks ``<letter>.ipynb``; default
        :func:`bimokit._paths.notebook_dir`.
    info : DataInfo, optional
        Already read data description (a batch reads it once).

    Returns
    -------
    ReportRequest

    Raises
    ------
    UnknownRegionError
        When the only problems are the AGS (malformed or not in the region table).
    ParameterError
        Otherwise, with every problem listed.
    """
    problems: list[str] = []
    region_only = True

    def problem(text: str, *, region: bool = False) -> None:
        nonlocal region_only
        problems.append(text)
        region_only = region_only and region

    # Chapters and their notebooks.
    letters = _chapter_list(chapters)
    unknown = [c for c in letters if c not in CHAPTERS]
    if not letters:
        problem("no chapter selected")
    if unknown:
        problem(
            f"unknown chapter(s) {', '.join(map(repr, unknown))}: expected some of "
            f"{', '.join(CHAPTERS)}"
        )
    dupes = sorted({c for c in letters if letters.count(c) > 1})
    if dupes:
        problem(f"chapter(s) {', '.join(dupes)} given twice")
    nb_dir = Path(notebook_dir) if notebook_dir is not None else _default_notebook_dir()
    notebooks = {}
    for c in [c for c in CHAPTERS if c in letters]:
        path = nb_dir / f"{c}.ipynb"
        if not path.is_file():
            problem(f"chapter {c}: notebook {str(path)!r} not found")
            continue
        nb_problems = _parameter_problems(path)
        if nb_problems is None:
            problem(f"chapter {c}: {str(path)!r} has no cell tagged 'parameters'")
        for text in nb_problems or []:
            problem(f"chapter {c} ({str(path)!r}): {text}")
        notebooks[c] = path

    # Data.
    if info is None:
        try:
            info = describe_data(data)
        except ParameterError as exc:
            problem(str(exc))
    data_label = str(info.path) if info is not None else str(data)

    # AGS.
    ags_text = ags.strip() if isinstance(ags, str) else ags
    name = str(ags_text)
    if not isinstance(ags_text, str) or not _AGS.fullmatch(ags_text):
        problem(
            f"AGS {ags!r} is malformed: expected 5 digits (Kreis or kreisfreie Stadt, e.g. "
            "'09162') or 8 digits (Gemeinde), as text with leading zeros",
            region=True,
        )
    elif info is not None:
        if ags_text not in set(info.regions["ags"]):
            problem(f"Unknown AGS {ags_text!r}: not in the region table of {data_label}",
                    region=True)
        else:
            name = info.name_of(ags_text)
            row = info.regions.loc[info.regions["ags"] == ags_text].iloc[0]
            exists = row.get("exists", True)
            if isinstance(exists, str):
                exists = exists.strip().lower() not in ("false", "0", "nein")
            if not bool(exists):
                until = row.get("valid_to")
                since = f" (last reported {int(until)})" if pd.notna(until) else ""
                problem(
                    f"AGS {ags_text!r} ({name}) no longer exists{since}: its rows in "
                    f"{data_label} hold only '-'; choose the Kommune it was merged into",
                    region=True,
                )

    # Years.
    years_text = ""
    try:
        span = parse_years(years)
    except ParameterError as exc:
        problem(str(exc))
        span = None
    if span is not None:
        years_text = f"{span[0]}-{span[1]}" if span[0] != span[1] else str(span[0])
        if info is not None and info.years:
            lo, hi = info.years[0], info.years[-1]
            if span[0] < lo or span[1] > hi:
                problem(f"years {years_text} lie outside the data ({lo}–{hi} in {data_label})")

    # Vergleichsgruppe.
    vg = (vergleichsgruppe or "").strip()
    if vg == "kreistyp":
        pass
    elif m := _AEHNLICH.fullmatch(vg):
        if not 1 <= int(m.group(1)) <= 50:
            problem(f"vergleichsgruppe {vg!r}: the number of similar Kommunen must be 1 to 50")
    else:
        keys = [k.strip() for k in vg.split(",") if k.strip()]
        if not keys:
            problem(
                f"vergleichsgruppe {vergleichsgruppe!r} must be 'kreistyp', 'aehnlich:<n>' or a "
                "comma list of AGS"
            )
        elif info is not None:
            unknown_keys = [k for k in keys if k not in set(info.regions["ags"])]
            if unknown_keys:
                problem(
                    "vergleichsgruppe: unknown AGS "
                    f"{', '.join(map(repr, unknown_keys))} (not in the region table; or use "
                    "'kreistyp' or 'aehnlich:<n>')"
                )
        vg = ",".join(keys)

    # Output folder: <out>/<ags> must be a folder this user can create and write.
    where = folder_problem(Path(out) / (ags_text if isinstance(ags_text, str) else ""))
    if where is not None:
        problem(f"the output folder {str(out)!r} cannot be used: {where}")

    if problems:
        head = "Cannot build the report: " if len(problems) == 1 else (
            f"Cannot build the report, {len(problems)} problems: "
        )
        text = head + "; ".join(
            problems if len(problems) == 1 else [f"({i}) {p}" for i, p in enumerate(problems, 1)]
        ) + "."
        raise (UnknownRegionError if region_only else ParameterError)(text)

    return ReportRequest(
        ags=ags_text,
        name=name,
        data="" if data in (None, "") else str(Path(data).resolve()),
        years=years_text,
        vergleichsgruppe=vg,
        chapters=tuple(c for c in CHAPTERS if c in letters),
        notebooks=notebooks,
        out_dir=Path(out).resolve() / ags_text,
    )


def _parameter_problems(path: Path) -> list[str] | None:
    """Problems of the notebook's parameters cell as papermill reads it; None: no such cell."""
    import logging

    import nbformat
    from papermill.translators import PythonTranslator

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several types for a broken file
        return [f"not a readable notebook ({exc})"]
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        return None
    problems = []
    if len(cells) > 1:
        problems.append(
            f"{len(cells)} cells are tagged 'parameters'; papermill uses only the first"
        )
    for n, line in enumerate(cells[0].source.splitlines(), 1):
        if line.count("=") > 1 and not line.lstrip().startswith("#"):
            problems.append(
                f"papermill cannot read line {n} of the parameters cell (more than one '='; "
                "no '=' in comments there): {line.strip()!r}"
            )
    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        found = {p.name for p in PythonTranslator.inspect(cells[0])}
    finally:
        log.setLevel(level)
    missing = [p for p in PARAMETERS if p not in found]
    if missing:
        problems.append(f"the parameters cell lacks {', '.join(missing)}")
    return problems
