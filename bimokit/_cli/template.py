"""``bimokit template KIND -o FILE``: write a template for one of the Kommune's own tables."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser", "run"]

KINDS = ("sozialraum", "zielwerte", "angebote", "standards")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "template",
        help="write an Excel (or CSV) template for own data: sozialraum, zielwerte, angebote, "
        "standards",
        description="Write the template of one of the Kommune's own tables: an Excel workbook "
        "with German headers, an explanation sheet ('Erläuterung') and drop-down lists "
        "(Sozialräume of the data, indicator ids, Angebotsarten, Zielgruppen), or with "
        "-o FILE.csv the CSV template. Filled in, it is read back as XLSX or CSV; the readers "
        "list every problem of the file at once.",
    )
    p.add_argument("kind", choices=KINDS, help="which table")
    p.add_argument("-o", "--output", required=True, metavar="FILE", type=Path,
                   help="FILE.xlsx (workbook) or FILE.csv (CSV template)")
    p.add_argument("--data", default=None, metavar="DIR",
                   help="data folder whose Sozialräume fill the lists (default: the embedded "
                   "sample Musterland)")
    p.add_argument("--ags", default=None, metavar="AGS",
                   help="only the Sozialräume of this Kreis / kreisfreien Stadt, e.g. 99101")
    return p


def run(args) -> int:
    import sys

    from bimokit.own_templates import write_template

    path = write_template(args.kind, args.output, data=args.data, ags=args.ags)
    print(f"Vorlage {args.kind} → {path}", file=sys.stderr)
    return 0
