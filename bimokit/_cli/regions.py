"""``bimokit regions``: list the regions of a data folder (or of export files) as CSV."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

import pandas as pd

from .._atomic import atomic_open
from .._spreadsheet import csv_safe
from ..data import NON_FACT_FILES, SOZIALRAUM_FILES
from ..errors import InputError, ParameterError
from ..regions import LEVELS, build_regions, read_regions
from ._data import add_strict_option, check_strict
from ._output import check_output_file

__all__ = ["add_parser", "run", "collect_regions", "OUTPUT_COLUMNS"]

#: Columns ``bimokit regions`` writes.
OUTPUT_COLUMNS = ("ags", "name", "level", "parent", "kreistyp", "exists")

#: Name of the region table inside a data folder.
REGIONS_FILE = "regions.csv"

#: File endings read as exports inside a data folder.
EXPORT_SUFFIXES = (".csv",)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "regions",
        help="list the regions of the data as CSV",
        description=(
            "List the regions (ags, name, level, parent, kreistyp, exists) of a data folder "
            "or of export files. A folder's regions.csv is the starting point; every export "
            "file adds the regions it names, and regions whose rows hold only '-' are marked "
            "exists=False (dissolved). Default: the embedded sample 'musterland'."
        ),
    )
    p.add_argument(
        "--data", nargs="+", metavar="DIR|FILE", type=Path,
        help="data folder(s) or export file(s); default: the sample musterland",
    )
    add_strict_option(p)
    p.add_argument("--level", choices=LEVELS, help="only regions of this level")
    p.add_argument("-o", "--output", metavar="FILE", type=Path,
                   help="write the CSV here instead of to standard output")
    return p


def _files_of(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, bool]]]:
    """Split the given paths into region tables and export files (with: named explicitly)."""
    tables: list[Path] = []
    exports: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            for f in sorted(path.iterdir()):
                if not f.is_file():
                    continue
                if f.name == REGIONS_FILE:
                    tables.append(f)
                elif f.name in (*NON_FACT_FILES, *SOZIALRAUM_FILES) or f.name.startswith("."):
                    continue  # Angebote, Zielwerte …: the Kommune's own tables, not exports
                elif f.suffix.lower() in EXPORT_SUFFIXES:
                    exports.append((f, False))
        elif path.is_file():
            if path.name == REGIONS_FILE:
                tables.append(path)
            else:
                exports.append((path, True))
        else:
            raise InputError("no such file or folder", path=path)
    return tables, exports


def collect_regions(paths: list[Path]) -> pd.DataFrame:
    """Return the region table of the given folders and files (see :func:`build_regions`).

    Region tables (``regions.csv``) come first; then the regions of every export, newest
    ``Stand`` first, so their names win over older editions. The facts of the exports decide
    which regions no longer exist. A CSV file inside a folder that is not a readable export
    is skipped with a note on standard error; a file named explicitly must be readable.
    """
    tables, exports = _files_of(paths)
    if not tables and not exports:
        raise InputError(
            f"no region table ({REGIONS_FILE}) and no export file (*.csv) found",
            path=", ".join(str(p) for p in paths),
        )
    parts = [read_regions(t) for t in tables]
    facts = []
    if exports:
        try:
            from .. import io as bio
        except ImportError as exc:  # pragma: no cover - io ships with bimokit
            raise ParameterError(
                f"reading export files needs bimokit.io, which cannot be imported ({exc})"
            ) from None
        read = []
        for f, named in exports:
            try:
                read.append(bio.read(f))
            except InputError as exc:
                if named:
                    raise
                # a folder may hold other tables (e.g. an Angebotsinventar): say so, go on
                print(f"bimokit regions: übersprungen (kein lesbarer Export): {exc}",
                      file=sys.stderr)
        oldest = datetime.date.min
        read.sort(key=lambda e: e.stand or oldest, reverse=True)
        for e in read:
            parts.append(e.regions[["ags", "name"]])
            if len(e.facts):
                facts.append(e.facts[["ags", "year", "status"]])
    rows = pd.concat(parts, ignore_index=True, sort=False)
    all_facts = pd.concat(facts, ignore_index=True) if facts else None
    table = build_regions(rows, all_facts)
    table.attrs["source"] = ", ".join(str(p) for p in paths)
    return table


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV to ``path`` via a temporary file, never half-written."""
    path = path.resolve()
    if not path.parent.is_dir():
        raise InputError("the folder for the output does not exist", path=path.parent)
    with atomic_open(path) as fh:
        csv_safe(frame).to_csv(fh, index=False)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.output, example="regions.csv")
    check_strict(args)
    if args.data:
        paths = list(args.data)
    else:
        from .._paths import sample_dir

        paths = [sample_dir("musterland")]
    table = collect_regions(paths)
    if args.level:
        table = table[table["level"] == args.level]
    out = table[list(OUTPUT_COLUMNS)].copy()
    out["exists"] = out["exists"].map({True: "true", False: "false"})
    if args.output:
        _write_atomic(out, args.output)
        gone = int((out["exists"] == "false").sum())
        print(
            f"{len(out)} Regionen, davon {gone} aufgelöst → {args.output}",
            file=sys.stderr,
        )
    else:
        try:
            csv_safe(out).to_csv(sys.stdout, index=False)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `bimokit regions | head`
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return 0
