"""Plan a batch: the Kommune list, its validation, fingerprints and what is already done."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .._atomic import atomic_write_text
from .._paths import sample_dir
from ..errors import InputError, ParameterError, UnknownRegionError
from ..report import (
    STATE_DIR,
    DataInfo,
    ReportRequest,
    chapter_data_ok,
    chapter_data_path,
    describe_data,
    folder_lock,
    validate_request,
)
from ..report import remove_leftovers as _remove_leftovers

__all__ = [
    "read_ags_list",
    "select_kommunen",
    "KommuneTask",
    "chapter_fingerprint",
    "code_fingerprint",
    "data_fingerprint",
    "chapter_is_current",
    "MARKER_SUFFIX",
    "BATCH_DIR",
]

#: Folder in ``<out>/`` for what belongs to the batch as a whole (indicator values).
BATCH_DIR = ".bimokit-batch"

#: ``<out>/<ags>/.bimokit/<letter>.batch.json`` records the inputs a chapter was built from.
MARKER_SUFFIX = ".batch.json"

_AGS = re.compile(r"\d{5}|\d{8}")
_FINGERPRINT_VERSION = 2


# --- the Kommune list --------------------------------------------------------------------------


def _read_ags_entries(path: str | os.PathLike) -> list[tuple[str, int]]:
    """(ags, line) pairs of an AGS list file; see :func:`read_ags_list`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().strip('"').strip().lower() for h in first.split(delimiter)]
    entries: list[tuple[str, int]] = []
    if "ags" in header:
        col = header.index("ags")
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        seen_header = False
        for n, row in enumerate(reader, 1):
            if not any(c.strip() for c in row):
                continue
            if not seen_header:
                seen_header = True
                continue
            value = row[col].strip() if col < len(row) else ""
            if not value:
                raise InputError("the ags field is empty", path=str(path), line=n, field="ags")
            entries.append((value, n))
    elif len(header) > 1:
        raise InputError(
            f"no column 'ags': a Kommune list is a CSV with a column 'ags' or one AGS a line "
            f"(found the columns {', '.join(map(repr, header))})",
            path=str(path), line=1,
        )
    else:
        for n, line in enumerate(lines, 1):
            value = line.strip().strip('"').strip()
            if value and not value.startswith("#"):
                entries.append((value, n))
    if not entries:
        raise InputError("the Kommune list is empty", path=str(path))
    return entries


def read_ags_list(path: str | os.PathLike) -> list[str]:
    """Read a Kommune list: a CSV with a column ``ags``, or one AGS a line.

    Parameters
    ----------
    path : str or PathLike
        UTF-8 (or Windows-1252) text. A CSV (``,`` or ``;``) whose header has a column ``ags``
        (other columns are ignored), or a plain list with one key a line (empty lines and
        lines starting with ``#`` are skipped). Keys are read as text, so leading zeros stay.

    Returns
    -------
    list of str
        The keys in file order (duplicates kept; :func:`run_batch` drops repeats).

    Raises
    ------
    bimokit.errors.InputError
        Naming the file (and line): missing file, no ``ags`` column, an empty field, no keys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "kommunen.csv"
    >>> _ = p.write_text("name;ags\\nMusterstadt;99101\\nTalkreis;99151\\n", encoding="utf-8")
    >>> read_ags_list(p)
    ['99101', '99151']
    """
    return [ags for ags, _ in _read_ags_entries(path)]


def _is_dissolved(row) -> bool:
    exists = row.get("exists")
    if exists is not None and not _isna(exists) and not bool(exists):
        return True
    return False


def _isna(value) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _kreise(info: DataInfo, land: str | None):
    regions = info.regions
    level = regions["level"] if "level" in regions.columns else None
    mask = (level == "kreis") if level is not None else regions["ags"].str.len() == 5
    if "exists" in regions.columns:
        mask &= regions["exists"].fillna(True).astype(bool)
    if land is not None:
        mask &= regions["ags"].str[:2] == land
    return [str(a) for a in regions.loc[mask, "ags"]]


def select_kommunen(
    kommunen=None,
    *,
    land: str | None = None,
    data: str | os.PathLike | None = None,
    info: DataInfo | None = None,
) -> list[str]:
    """Check a Kommune list against the region table, or list every Kreis (of a Land).

    Every entry is checked before anything runs; all problems come in one error.

    Parameters
    ----------
    kommunen : list of str, str or PathLike, optional
        AGS keys, or the path of a Kommune list (:func:`read_ags_list`). None: every existing
        Kreis and kreisfreie Stadt of the region table (of ``land``).
    land : str, keyword-only, optional
        Two-digit Land key; with ``kommunen=None`` the Kreise of this Land.
    data : str or PathLike, keyword-only, optional
        Data folder; None for the embedded sample.
    info : DataInfo, keyword-only, optional
        Already read data description.

    Returns
    -------
    list of str
        The keys in the given order, repeats dropped.

    Raises
    ------
    UnknownRegionError
        Keys that are malformed, not in the region table or dissolved (e.g. merged in a
        Gebietsreform), every one listed with its line where a file was given.
    ParameterError
        ``land`` together with a list, an unknown Land, an empty selection.

    Examples
    --------
    >>> from bimokit.report import describe_data
    >>> info = describe_data()  # the embedded sample Musterland
    >>> select_kommunen(["99101", "99151", "99101"], info=info)
    ['99101', '99151']
    >>> len(select_kommunen(land="99", info=info))  # 30 Kreise, one of them dissolved
    29
    """
    info = info if info is not None else describe_data(data)
    source = str(info.path)
    if kommunen is None:
        if land is not None:
            land = str(land).strip()
            if not re.fullmatch(r"\d{2}", land):
                raise ParameterError(
                    f"`land` must be a two-digit Land key such as '09'; not {land!r}."
                )
        keys = _kreise(info, land)
        if not keys:
            where = f"of Land {land!r} " if land is not None else ""
            raise ParameterError(f"No Kreis {where}in the region table of {source}.")
        return keys
    if land is not None:
        raise ParameterError("Give either a Kommune list or `land`, not both.")
    list_file = None
    if isinstance(kommunen, (str, os.PathLike)) and not _AGS.fullmatch(str(kommunen).strip()):
        list_file = str(kommunen)
        entries = _read_ags_entries(kommunen)
    else:
        if isinstance(kommunen, str):
            kommunen = [kommunen]
        entries = [(k, None) for k in kommunen]
    if not entries:
        raise ParameterError("The Kommune list is empty.")
    regions = info.regions.set_index("ags", drop=False)
    problems: list[str] = []
    keys: list[str] = []
    for value, line in entries:
        where = f" (line {line} of {list_file})" if line is not None else ""
        ags = value.strip() if isinstance(value, str) else value
        if not isinstance(ags, str) or not _AGS.fullmatch(ags):
            hint = ""
            if isinstance(ags, str) and ags.isdigit() and len(ags) in (4, 7):
                hint = f" (leading zero lost? '0{ags}')"
            problems.append(f"AGS {value!r}{where} is malformed: expected 5 or 8 digits{hint}")
            continue
        if ags not in regions.index:
            problems.append(f"Unknown AGS {ags!r}{where}: not in the region table of {source}")
            continue
        row = regions.loc[ags]
        if _is_dissolved(row):
            until = row.get("valid_to")
            since = f" since {int(until) + 1}" if until is not None and not _isna(until) else ""
            problems.append(
                f"AGS {ags!r} ({row['name']}){where} no longer exists{since} (dissolved or "
                "merged in a Gebietsreform); use the key of the region it belongs to now"
            )
            continue
        if ags not in keys:
            keys.append(ags)
    if problems:
        head = ("Cannot run the batch: " if len(problems) == 1
                else f"Cannot run the batch, {len(problems)} problems with the Kommune list: ")
        raise UnknownRegionError(head + "; ".join(
            problems if len(problems) == 1 else [f"({i}) {p}" for i, p in enumerate(problems, 1)]
        ) + ".")
    return keys


def describe(data=None):
    """Load the data folder once: its description for the checks and the Dataset itself.

    Returns
    -------
    (DataInfo, Dataset)
        :func:`bimokit.report.describe_data`'s result and the dataset it loaded.
    """
    info = describe_data(data)
    return info, info.dataset


def build_requests(
    keys: list[str],
    *,
    info: DataInfo,
    data,
    out,
    chapters,
    years,
    vergleichsgruppe: str,
    notebook_dir,
) -> list[ReportRequest]:
    """Validate the shared parameters once and derive one request per Kommune."""
    try:
        first = validate_request(
            keys[0], data=data, out=out, chapters=chapters, years=years,
            vergleichsgruppe=vergleichsgruppe, notebook_dir=notebook_dir, info=info,
        )
    except (ParameterError, UnknownRegionError) as exc:
        text = str(exc).replace("Cannot build the report", "Cannot run the batch", 1)
        raise ParameterError(text) from None
    out_root = first.out_dir.parent
    return [
        dataclasses.replace(first, ags=k, name=info.name_of(k), out_dir=out_root / k)
        for k in keys
    ]


# --- fingerprints and completeness -----------------------------------------------------------


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_fingerprint(data: str | os.PathLike | None = None) -> str:
    """SHA-256 over the names, sizes and contents of the files of a data folder.

    Hidden files are left out. The embedded sample is used for None/``""``.
    """
    folder = sample_dir("musterland") if data in (None, "") else Path(data)
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        h.update(f"{path.name}\0{path.stat().st_size}\0{_sha256_file(path)}\n".encode())
    return h.hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    return _sha256_file(Path(path))


#: What of the installed package a chapter page depends on: code, catalogue, templates.
_CODE_SUFFIXES = (".py", ".toml", ".json", ".html", ".css", ".j2", ".tpl")
#: Package folders that are fingerprinted on their own (notebooks, data folder) or not code.
_NOT_CODE = frozenset({"__pycache__", "data_samples", "notebooks"})


def code_fingerprint(root: str | os.PathLike | None = None) -> str:
    """SHA-256 over the bimokit version and the content of the package's code files.

    An editable install keeps its version while its code changes; pages built by older code
    (other indicator values, other charts) must not count as current. ``root``: the package
    folder (default: the imported bimokit's); its notebooks and sample data are left out
    (they have fingerprints of their own).
    """
    import bimokit

    root = Path(bimokit.__file__).resolve().parent if root is None else Path(root)
    h = hashlib.sha256(f"{bimokit.__version__}\n".encode())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _NOT_CODE)
        for name in sorted(filenames):
            if name.endswith(_CODE_SUFFIXES):
                path = Path(dirpath) / name
                h.update(f"{path.relative_to(root).as_posix()}\0{_sha256_file(path)}\n"
                         .encode())
    return h.hexdigest()


def chapter_fingerprint(request: ReportRequest, chapter: str, *, data_fp: str,
                        notebook_fp: str, code_fp: str | None = None,
                        values_fp: str = "") -> str:
    """SHA-256 of everything a chapter page depends on.

    The notebook's content, the data folder's content, the Kommune, the years, the
    Vergleichsgruppe, bimokit's code (:func:`code_fingerprint`) and the content of a values
    file given to the batch (``values_fp``; values the batch computes itself follow from the
    data and the code); not the output or data paths.
    """
    record = {
        "v": _FINGERPRINT_VERSION,
        "code": code_fp if code_fp is not None else code_fingerprint(),
        "chapter": chapter,
        "notebook": notebook_fp,
        "data": data_fp,
        "values": values_fp,
        "ags": request.ags,
        "years": request.years,
        "vergleichsgruppe": request.vergleichsgruppe,
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def marker_path(request: ReportRequest, chapter: str) -> Path:
    return request.out_dir / STATE_DIR / f"{chapter}{MARKER_SUFFIX}"


def read_marker(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_marker(path: Path, record: dict) -> None:
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1))


def chapter_is_current(request: ReportRequest, chapter: str, fingerprint: str) -> dict | None:
    """The chapter's batch marker when its page is complete and built from these inputs.

    A chapter is current when ``<letter>.html`` and ``.bimokit/<letter>.json`` exist, the
    data has the checksum of ``.bimokit/manifest.json`` (a damaged or foreign file is
    rebuilt), and its marker ``.bimokit/<letter>.batch.json`` holds ``fingerprint`` and either

    * ``state: done`` with the size and modification time the page had when the batch
      finished it (a page rebuilt since, e.g. by ``bimokit report`` with other parameters,
      no longer matches), or
    * ``state: running`` and a page and data file newer than the marker: the batch was
      stopped after the page took its name and before the marker was updated. The marker is
      then completed here.

    Returns None otherwise.
    """
    target = request.out_dir
    html = target / f"{chapter}.html"
    data = chapter_data_path(target / STATE_DIR, chapter)
    mpath = marker_path(request, chapter)
    marker = read_marker(mpath)
    if marker is None or marker.get("fingerprint") != fingerprint:
        return None
    try:
        hs, ps, ms = html.stat(), data.stat(), mpath.stat()
    except OSError:
        return None
    if not chapter_data_ok(target / STATE_DIR, chapter):
        return None
    if marker.get("state") == "done":
        if marker.get("html_size") == hs.st_size and marker.get("html_mtime_ns") == hs.st_mtime_ns:
            return marker
        return None
    if marker.get("state") == "running" and hs.st_mtime_ns >= ms.st_mtime_ns \
            and ps.st_mtime_ns >= ms.st_mtime_ns:
        marker = {**marker, "state": "done", "html_size": hs.st_size,
                  "html_mtime_ns": hs.st_mtime_ns, "recovered": True}
        write_marker(mpath, marker)
        return marker
    return None


def remove_leftovers(folder: Path) -> int:
    """Remove temporary files a killed run left in ``<out>/<ags>/``; return how many.

    Only when no other run is writing into the folder now (:func:`folder_lock`).
    """
    folder = Path(folder)
    if not (folder / STATE_DIR).is_dir():
        return _remove_leftovers(folder, state_dir=STATE_DIR)
    with folder_lock(folder / STATE_DIR) as alone:
        return _remove_leftovers(folder, state_dir=STATE_DIR) if alone else 0


def report_is_current(request: ReportRequest, state: dict) -> bool:
    """True when index, Steckbrief and XLSX were written from the chapters as they are now."""
    target = request.out_dir
    needed = [target / "index.html", target / "steckbrief.html",
              target / f"tabellenanhang_{request.ags}.xlsx"]
    if not all(p.is_file() for p in needed):
        return False
    return read_marker(target / STATE_DIR / f"report{MARKER_SUFFIX}") == state


def chapter_state(request: ReportRequest) -> dict:
    """What the index of a Kommune is built from: every chapter page's size and mtime."""
    from ..report import CHAPTERS

    pages = {}
    for letter in CHAPTERS:
        try:
            st = (request.out_dir / f"{letter}.html").stat()
        except OSError:
            continue
        pages[letter] = [st.st_size, st.st_mtime_ns]
    return {"pages": pages}


@dataclass
class KommuneTask:
    """One Kommune's work in a batch: the chapters to (re)build, then index and XLSX.

    Attributes
    ----------
    request : ReportRequest
        The validated request (``out_dir`` is ``<out>/<ags>``).
    run : list of str
        Chapters to build.
    fingerprints : dict
        Chapter → input fingerprint (recorded in the chapter's marker).
    values_path : str
        The batch's indicator values.
    run_id : str
        The batch run that builds them.
    timeout : int or None
        Seconds a cell may run.
    seed : int
        Seed of ``random`` and ``numpy.random`` at the start of every chapter.
    """

    request: ReportRequest
    run: list[str]
    fingerprints: dict = field(default_factory=dict)
    values_path: str = ""
    run_id: str = ""
    timeout: int | None = None
    seed: int = 0
