"""``bimokit indicators [--format table|csv]``: list the indicator catalogue."""

from __future__ import annotations

import argparse
import sys

from .._spreadsheet import csv_safe
from ..catalogue import catalogue_table, load_catalogue
from ..errors import ParameterError

__all__ = ["add_parser", "run", "text_table"]

_COLUMNS = ["id", "handlungsfeld", "title", "unit", "source_tables"]


def text_table(df, *, right: tuple[str, ...] = (), max_width: dict | None = None) -> str:
    """Plain aligned text table: left-aligned text, ``right`` columns right-aligned.

    Cells longer than ``max_width[column]`` are cut with ``…``.
    """
    max_width = max_width or {}
    cols = list(df.columns)
    cells = []
    for c in cols:
        vals = ["" if v is None else str(v) for v in df[c].tolist()]
        w = max_width.get(c)
        if w:
            vals = [v if len(v) <= w else v[: w - 1] + "…" for v in vals]
        cells.append(vals)
    widths = [max([len(str(c))] + [len(v) for v in vals]) for c, vals in zip(cols, cells,
                                                                             strict=True)]

    def line(items):
        out = []
        for c, v, w in zip(cols, items, widths, strict=True):
            out.append(v.rjust(w) if c in right else v.ljust(w))
        return "  ".join(out).rstrip()

    rows = [line([str(c) for c in cols])]
    rows += [line(r) for r in zip(*cells, strict=True)] if cells else []
    return "\n".join(rows)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "indicators",
        help="list the indicator catalogue",
        description="List the indicators of the catalogue (id, Handlungsfeld, title, unit, "
        "source tables). --format csv writes every field of the catalogue as CSV (UTF-8, "
        "comma-separated) for further use.",
    )
    p.add_argument("--format", choices=("table", "csv"), default="table",
                   help="table (default, aligned text) or csv (all catalogue fields)")
    p.add_argument("--handlungsfeld", metavar="X", action="append",
                   help="only these Handlungsfelder (letters A … H, S); repeatable")
    p.add_argument("--catalogue", metavar="TOML", action="append", default=[],
                   help="add the indicators of this catalogue file (repeatable)")
    return p


def run(args) -> int:
    cat = load_catalogue(extra=args.catalogue)
    table = catalogue_table(cat)
    if args.handlungsfeld:
        wanted = [h.upper() for h in args.handlungsfeld]
        letters = list(cat.handlungsfelder)
        bad = [h for h in wanted if h not in letters]
        if bad:
            raise ParameterError(
                f"--handlungsfeld must be one of {', '.join(letters)}; not "
                f"{', '.join(map(repr, bad))}.")
        table = table[table["handlungsfeld"].isin(wanted)]
    if args.format == "csv":
        csv_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    shown = table[_COLUMNS].rename(columns={
        "id": "ID", "handlungsfeld": "HF", "title": "Titel", "unit": "Einheit",
        "source_tables": "Quelltabellen"})
    print(text_table(shown, max_width={"Titel": 70}))
    print(f"\n{len(table)} Indikatoren")
    return 0
