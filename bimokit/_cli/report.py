"""``bimokit report``: build one Kommune's Bildungsbericht (chapters, index, Steckbrief, XLSX)."""

from __future__ import annotations

import argparse

from ._chapters import add_chapter_options, chapter_kwargs, report_write_errors
from ._data import check_strict

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "report",
        help="build the report chapters of one Kommune as HTML, with index, Steckbrief and XLSX",
        description="Runs the chapter notebooks for one Kommune and writes "
        "<out>/<ags>/<chapter>.html, index.html, steckbrief.html and "
        "tabellenanhang_<ags>.xlsx. The summary names the chapters that hold no data, the "
        "indicators without data with the table that would fill each, and the 'bimokit "
        "download' line that fetches those tables; the index page lists them too. Exit code "
        "0: all chapters built (with or without data); 1: a chapter failed; 2: bad "
        "parameters (nothing was run).",
    )
    p.add_argument("--ags", required=True, help="key of the Kommune, e.g. 09162 (5 or 8 digits)")
    add_chapter_options(p, out_help="output folder; the report goes to DIR/<ags>/ "
                        "(default: reports)")
    p.add_argument("--kernel", default=None, metavar="NAME",
                   help="Jupyter kernelspec: a fresh kernel of it per chapter (default: one "
                   "kernel of this Python for all chapters, reset before each)")
    return p


def run(args) -> int:
    check_strict(args)
    from bimokit.report import run_report

    result = run_report(args.ags, kernel_name=args.kernel, **chapter_kwargs(args))
    print(result.summary())
    report_write_errors("report", result.write_errors)
    return 0 if result.ok else 1
