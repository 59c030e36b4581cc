"""``bimokit read FILE… [-o facts.csv]``: read exports and write their facts as one tidy CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from .._atomic import atomic_open
from .._spreadsheet import csv_safe
from ..errors import InputError
from ..io import Export, read
from ._output import check_output_file

__all__ = ["add_parser", "run", "combine_facts", "summary_line"]

_FIXED_HEAD = ["ags", "year", "variable"]
_FIXED_TAIL = ["value", "status", "source"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "read",
        help="read exports (GENESIS table, flat CSV, tidy) and write one tidy facts CSV",
        description="Read each FILE (format detected from its content) and write the facts "
        "of all of them as one tidy CSV (ags, year, variable, dimensions…, value, status, "
        "source). A one-line summary per file goes to stderr.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="export files to read")
    p.add_argument("-o", "--output", metavar="CSV",
                   help="write the facts here (default: standard output)")
    return p


def combine_facts(exports: list[Export]) -> pd.DataFrame:
    """Concatenate the facts of several exports; a dimension a file lacks is ``Insgesamt``."""
    dims: list[str] = []
    for ex in exports:
        for d in ex.dimensions:
            if d not in dims:
                dims.append(d)
    frames = []
    for ex in exports:
        f = ex.facts
        for d in dims:
            if d not in f.columns:
                f = f.assign(**{d: "Insgesamt"})
        frames.append(f[_FIXED_HEAD + dims + _FIXED_TAIL])
    return pd.concat(frames, ignore_index=True)


def _de(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def summary_line(ex: Export) -> str:
    """``<file>: <code>, Stand …, n rows, n regions, years a–b, status …``."""
    f = ex.facts
    years = sorted(set(f["year"].tolist()))
    span = "–".join(str(y) for y in (years[0], years[-1])) if len(years) > 1 else \
        (str(years[0]) if years else "-")
    counts = f["status"].value_counts()
    status = ", ".join(f"{('plain' if s == '' else repr(s))} {_de(n)}"
                       for s, n in counts.items())
    stand = ex.stand.strftime("%d.%m.%Y") if ex.stand else "-"
    return (f"{Path(ex.path).name}: Tabelle {ex.table_code or '-'}, Stand {stand}, "
            f"{_de(len(f))} Zeilen, {_de(len(ex.regions))} Regionen, Jahre {span}, "
            f"Status: {status}")


def _write_atomic(df: pd.DataFrame, target: Path) -> None:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("the output folder does not exist", path=folder)
    with atomic_open(target) as fh:
        csv_safe(df).to_csv(fh, index=False)


def run(args) -> int:
    check_output_file(args.output, example="facts.csv")
    exports = []
    for name in args.files:
        ex = read(name)
        exports.append(ex)
        print(summary_line(ex), file=sys.stderr)
    facts = combine_facts(exports)
    if args.output:
        _write_atomic(facts, Path(args.output))
    else:
        csv_safe(facts).to_csv(sys.stdout, index=False)
    return 0
