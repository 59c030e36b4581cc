"""``bimokit compute``: compute the indicator-values table for every region of a data folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import atomic_open
from .._spreadsheet import csv_safe
from ..errors import InputError, ParameterError, UnknownRegionError
from ._data import add_strict_option
from ._output import check_output_file

__all__ = ["add_parser", "run", "write_csv_atomic", "summary_table"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "compute",
        help="compute indicator values for every region and year",
        description="Read a data folder (default: the embedded sample Musterland), compute "
        "the catalogue's indicators for every region and year and write the indicator-values "
        "table as CSV (UTF-8, comma-separated, decimal point: a machine-readable file; German "
        "formats are for reports). With --ags only that Kommune, its Land and Deutschland are "
        "written, and a short German summary is printed.",
    )
    p.add_argument("--data", nargs="+", metavar="DIR|FILE",
                   help="data folder(s) or export files (default: the embedded sample)")
    add_strict_option(p)
    p.add_argument("--indicator", nargs="+", metavar="ID",
                   help="indicator ids (default: the whole catalogue)")
    p.add_argument("--ags", metavar="AGS", help="only this Kommune (plus its Land and Bund)")
    p.add_argument("--by", nargs="+", metavar="DIM", default=["all"],
                   help="breakdowns: 'all' (default), 'none', or dimension names")
    p.add_argument("--pool-years", type=int, default=1, metavar="N",
                   help="pool N years (sums of numerators and denominators); default 1")
    p.add_argument("--catalogue", metavar="TOML", action="append", default=[],
                   help="add the indicators of this catalogue file (repeatable)")
    p.add_argument("-o", "--output", metavar="CSV",
                   help="write the values here (parent folders are created); default: stdout")
    return p


def write_csv_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV via a temporary file and ``os.replace``: never half a file.

    Text cells that a spreadsheet would evaluate are quoted (:func:`bimokit._spreadsheet.csv_safe`).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", path=path.parent) from None
    with atomic_open(path) as fh:
        csv_safe(df).to_csv(fh, index=False, lineterminator="\n")
    return path


def summary_table(values: pd.DataFrame, catalogue, ags: str, land: str | None) -> pd.DataFrame:
    """One German row per indicator: title, latest year of the Kommune, Kommune/Land/Bund.

    Columns ``ID``, ``Indikator``, ``Jahr``, ``Kommune``, ``Land``, ``Bund`` (German number
    format, ``–`` where there is no value) and ``Einheit``.
    """
    from ..fmt import default_decimals, fmt_number

    tot = values[(values["breakdown"] == "insgesamt")]
    own = tot[(tot["ags"] == ags) & np.isfinite(tot["value"].to_numpy(dtype="float64"))]
    columns = ["ID", "Indikator", "Jahr", "Kommune", "Land", "Bund", "Einheit"]
    if own.empty:
        return pd.DataFrame(columns=columns)
    latest = own.loc[own.groupby("indicator", sort=False)["year"].idxmax()]
    lookup = tot.set_index(["ags", "indicator", "year"])["value"]
    rows = []
    for iid, year, value in zip(latest["indicator"], latest["year"], latest["value"],
                                strict=True):
        ind = catalogue[iid]
        dec = default_decimals(ind.unit)

        def fmt(v, dec=dec):
            return fmt_number(v, dec)

        rows.append({
            "ID": ind.id, "Indikator": ind.title, "Jahr": int(year), "Kommune": fmt(value),
            "Land": fmt(lookup.get((land, iid, year))) if land else "–",
            "Bund": fmt(lookup.get(("DG", iid, year))), "Einheit": ind.unit,
        })
    return pd.DataFrame(rows, columns=columns)


def run(args) -> int:
    from ..catalogue import load_catalogue
    from ..data import load_data
    from ..regions import land_of
    from .indicators import text_table

    if args.pool_years < 1:
        raise ParameterError(f"--pool-years must be 1 or more; not {args.pool_years}.")
    check_output_file(args.output, example="values.csv")
    by = args.by
    by = None if by == ["none"] else ("all" if by == ["all"] else by)
    catalogue = load_catalogue(extra=args.catalogue)
    ds = load_data(args.data, strict=args.strict)
    if args.ags is not None:
        known = set(ds.regions["ags"].astype(str))
        if args.ags not in known:
            where = ", ".join(args.data) if args.data else "the embedded sample"
            raise UnknownRegionError(f"Unknown AGS {args.ags!r}: not in the region table of "
                                     f"{where}.")
    values = ds.compute(args.indicator or catalogue, by=by, pool_years=args.pool_years,
                        catalogue=catalogue)
    land = None
    if args.ags is not None:
        land = land_of(args.ags)
        keep = {args.ags, "DG"} | ({land} if land else set())
        values = values[values["ags"].isin(keep)].reset_index(drop=True)
    if args.output:
        path = write_csv_atomic(values, args.output)
        print(f"{len(values)} Werte geschrieben: {path}", file=sys.stderr)
    else:
        csv_safe(values).to_csv(sys.stdout, index=False, lineterminator="\n")
    if args.ags is not None and args.output:
        name = ds.regions.loc[ds.regions["ags"] == args.ags, "name"]
        name = str(name.iloc[0]) if len(name) else args.ags
        table = summary_table(values, catalogue, args.ags, land)
        print(f"Indikatoren für {name} ({args.ags}), jeweils letztes Jahr mit Wert:")
        if table.empty:
            print("  (keine Werte)")
        else:
            print(text_table(table, right=("Jahr", "Kommune", "Land", "Bund"),
                             max_width={"Indikator": 60, "Einheit": 30}))
    return 0
