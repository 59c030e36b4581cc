"""``bimokit report``: build one Kommune's Bildungsbericht (chapters, index, Steckbrief, XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "report",
        help="build the report chapters of one Kommune as HTML, with index, Steckbrief and XLSX",
        description="Runs the chapter notebooks for one Kommune and writes "
        "<out>/<ags>/<chapter>.html, index.html, steckbrief.html and "
        "tabellenanhang_<ags>.xlsx. Exit code 0: all chapters built; 1: a chapter failed; "
        "2: bad parameters (nothing was run).",
    )
    p.add_argument("--ags", required=True, help="key of the Kommune, e.g. 09162 (5 or 8 digits)")
    p.add_argument("--data", default=None, metavar="DIR",
                   help="data folder with regions.csv (default: the embedded sample Musterland)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder; the report goes to DIR/<ags>/ (default: reports)")
    p.add_argument("--chapters", default=None, metavar="A,C,…",
                   help="comma list of chapters out of A,B,C,D,E,F,G,H,S (default: all)")
    p.add_argument("--years", default=None, metavar="FIRST-LAST",
                   help="reporting years, e.g. 2012-2024 (default: all years of the data)")
    p.add_argument("--vergleichsgruppe", default="kreistyp",
                   help="'kreistyp', 'aehnlich:<n>' or a comma list of AGS (default: kreistyp)")
    p.add_argument("--kernel", default=None, metavar="NAME",
                   help="Jupyter kernelspec: a fresh kernel of it per chapter (default: one "
                   "kernel of this Python for all chapters, reset before each)")
    p.add_argument("--notebooks", default=None, metavar="DIR", type=Path,
                   help="folder with the chapter notebooks <letter>.ipynb (default: bimokit's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run(args) -> int:
    from bimokit.report import run_report

    result = run_report(
        args.ags,
        data=args.data,
        out=args.out,
        chapters=args.chapters,
        years=args.years,
        vergleichsgruppe=args.vergleichsgruppe,
        kernel_name=args.kernel,
        progress=not args.no_progress,
        notebook_dir=args.notebooks,
    )
    print(result.summary())
    return 0 if result.ok else 1
