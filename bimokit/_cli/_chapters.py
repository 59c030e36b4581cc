"""Options that ``bimokit report`` and ``bimokit batch`` share (what and how to build)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._data import add_strict_option

__all__ = ["add_chapter_options", "chapter_kwargs", "report_write_errors"]


def add_chapter_options(p: argparse.ArgumentParser, *, out_help: str) -> None:
    """--data, --strict, --out, --chapters, --years, --vergleichsgruppe, --notebooks,
    --no-progress."""
    p.add_argument("--data", default=None, metavar="DIR",
                   help="data folder with regions.csv (default: the embedded sample Musterland)")
    add_strict_option(p)
    p.add_argument("--out", default="reports", metavar="DIR", help=out_help)
    p.add_argument("--chapters", default=None, metavar="A,C,…",
                   help="comma list of chapters out of A,B,C,D,E,F,G,H,S (default: all)")
    p.add_argument("--years", default=None, metavar="FIRST-LAST",
                   help="reporting years, e.g. 2012-2024 (default: all years of the data)")
    p.add_argument("--vergleichsgruppe", default="kreistyp",
                   help="'kreistyp', 'aehnlich:<n>' or a comma list of AGS (default: kreistyp)")
    p.add_argument("--notebooks", default=None, metavar="DIR", type=Path,
                   help="folder with the chapter notebooks <letter>.ipynb (default: bimokit's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def chapter_kwargs(args) -> dict:
    """The shared options as keyword arguments of ``run_report`` / ``run_batch``."""
    return {"data": args.data, "out": args.out, "chapters": args.chapters, "years": args.years,
            "vergleichsgruppe": args.vergleichsgruppe, "notebook_dir": args.notebooks,
            "progress": not args.no_progress}


def report_write_errors(command: str, errors: list[str]) -> None:
    """One line on stderr for files that could not be written (the first names its path)."""
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        print(f"bimokit {command}: error: {errors[0]}{more}", file=sys.stderr)
