"""``bimokit batch``: the chapters of many Kommunen, in parallel warm kernels or on Dask."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._chapters import add_chapter_options, chapter_kwargs, report_write_errors
from ._data import check_strict

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "batch",
        help="build the report chapters of many Kommunen (parallel, resumable, Dask)",
        description="Runs the chapter notebooks for every Kommune of a list, a Land or the "
        "whole data set and writes <out>/<ags>/<chapter>.html, index.html, steckbrief.html, "
        "the XLSX and <out>/batch_report.json/.html. Chapters that are complete and built "
        "from the same inputs are skipped, so a stopped batch is resumed by running it "
        "again. Exit code 0: all chapters built; 1: a chapter failed; 2: bad parameters "
        "(nothing was run).",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--ags-list", metavar="FILE", type=Path,
                       help="Kommune list: CSV with a column 'ags', or one AGS a line")
    which.add_argument("--land", metavar="CODE",
                       help="every Kreis and kreisfreie Stadt of this Land, e.g. 09")
    which.add_argument("--all", action="store_true",
                       help="every Kreis and kreisfreie Stadt of the data")
    add_chapter_options(p, out_help="output folder (default: reports)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes, each with one warm kernel (default: CPUs)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on Dask: tcp://host:8786, or local:N for a LocalCluster of N "
                   "workers (needs the extra bimokit[dask])")
    p.add_argument("--values", default=None, metavar="FILE", type=Path,
                   help="precomputed indicator values (.csv, or .parquet with pyarrow) "
                   "instead of computing them; pickle files are refused")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="seconds a cell may run (default: no limit)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every chapter and the stored indicator values, also those "
                   "that are up to date")
    return p


def run(args) -> int:
    check_strict(args)
    from bimokit.batch import run_batch

    kommunen = args.ags_list if args.ags_list is not None else None
    result = run_batch(
        kommunen,
        land=args.land,
        workers=args.workers,
        scheduler=args.scheduler,
        values_path=args.values,
        timeout=args.timeout,
        force=args.force,
        **chapter_kwargs(args),
    )
    print(result.summary())
    report_write_errors("batch", result.write_errors)
    return 0 if result.ok else 1
