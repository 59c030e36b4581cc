"""``bimokit batch``: the chapters of many Kommunen, in parallel warm kernels or on Dask."""

from __future__ import annotations

import argparse
from pathlib import Path

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
    p.add_argument("--chapters", default=None, metavar="A,C,…",
                   help="comma list of chapters out of A,B,C,D,E,F,G,H,S (default: all)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes, each with one warm kernel (default: CPUs)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder (default: reports)")
    p.add_argument("--data", default=None, metavar="DIR",
                   help="data folder with regions.csv (default: the embedded sample Musterland)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on Dask: tcp://host:8786, or local:N for a LocalCluster of N "
                   "workers (needs the extra bimokit[dask])")
    p.add_argument("--notebooks", default=None, metavar="DIR", type=Path,
                   help="folder with the chapter notebooks <letter>.ipynb (default: bimokit's)")
    p.add_argument("--years", default=None, metavar="FIRST-LAST",
                   help="reporting years, e.g. 2012-2024 (default: all years of the data)")
    p.add_argument("--vergleichsgruppe", default="kreistyp",
                   help="'kreistyp', 'aehnlich:<n>' or a comma list of AGS (default: kreistyp)")
    p.add_argument("--values", default=None, metavar="FILE", type=Path,
                   help="precomputed indicator values (.pkl/.csv) instead of computing them")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="seconds a cell may run (default: no limit)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every chapter, also those that are up to date")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run(args) -> int:
    from bimokit.batch import run_batch

    kommunen = args.ags_list if args.ags_list is not None else None
    result = run_batch(
        kommunen,
        land=args.land,
        data=args.data,
        out=args.out,
        chapters=args.chapters,
        years=args.years,
        vergleichsgruppe=args.vergleichsgruppe,
        workers=args.workers,
        scheduler=args.scheduler,
        notebook_dir=args.notebooks,
        values_path=args.values,
        progress=not args.no_progress,
        timeout=args.timeout,
        force=args.force,
    )
    print(result.summary())
    return 0 if result.ok else 1
