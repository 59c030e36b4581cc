"""``bimokit tables``: the source tables of the indicators, present or not, where to get them."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "tables",
        help="list the source tables per chapter and indicator: present in --data or not, "
        "official title, download address",
        description="Lists, per chapter and indicator, the source tables with their official "
        "code and title; with --data, whether the folder has each table (file, Stand, years), "
        "the download address of each missing table and the indicators it would enable. "
        "--format csv writes one row per chapter, indicator and table.",
    )
    p.add_argument("--data", default=None, metavar="DIR",
                   help="data folder to check (default: none, only the tables and addresses)")
    p.add_argument("--chapters", default=None, metavar="A,C,…",
                   help="comma list of chapters out of A,B,C,D,E,F,G,H (default: all)")
    p.add_argument("--format", choices=("text", "csv"), default="text",
                   help="text (default, German, for a terminal) or csv (a table)")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="download base address (default: $BIMOKIT_DOWNLOAD_URL or the "
                   "Regionalstatistik's)")
    return p


def run(args) -> int:
    from bimokit.sources import guide_text, scan_folder, table_guide

    scan = scan_folder(args.data) if args.data is not None else None
    guide = table_guide(scan, chapters=args.chapters, base_url=args.base_url)
    if args.format == "csv":
        guide.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(guide_text(guide, scan))
    return 0
