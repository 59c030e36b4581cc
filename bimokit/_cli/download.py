"""``bimokit download``: fetch the classic CSV exports of Regionalstatistik tables."""

from __future__ import annotations

import argparse

from ..errors import ParameterError

__all__ = ["add_parser", "run"]

_WORDS = {"new": "neu", "updated": "aktualisiert", "unchanged": "unverändert",
          "failed": "FEHLER"}


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "download",
        help="download Regionalstatistik tables (classic CSV) into a folder",
        description="Fetches the classic CSV export of each table from the Regionalstatistik "
        "(<base>/<code>_00.csv) into DIR/<code>.csv. A file whose Stand has not changed is "
        "kept; an HTML or login page, a cut transfer or another table is refused and nothing "
        "is written. Exit code 0: all fetched or kept; 1: a table failed; 2: bad parameters "
        "or no connection.",
    )
    p.add_argument("tables", nargs="*", metavar="TABLE",
                   help="table codes, e.g. 12411-02-03-4 21111-01-03-4")
    p.add_argument("--chapters", default=None, metavar="A,C,…",
                   help="the Regionalstatistik tables of these chapters' indicators")
    p.add_argument("--all", action="store_true",
                   help="the Regionalstatistik tables of every indicator")
    p.add_argument("--to", required=True, metavar="DIR", help="folder to write to")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="download base address (default: $BIMOKIT_DOWNLOAD_URL or "
                   "https://www.regionalstatistik.de/genesisws/downloader/00/tables)")
    p.add_argument("--timeout", type=float, default=60, metavar="SECONDS",
                   help="seconds to wait for the server (default: 60)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run(args) -> int:
    from bimokit.io import download_tables
    from bimokit.sources import downloadable_tables

    given = sum([bool(args.tables), args.chapters is not None, args.all])
    if given != 1:
        raise ParameterError("give the tables to fetch in one way: table codes, --chapters "
                             "A,C,… or --all")
    codes = args.tables or downloadable_tables(None if args.all else args.chapters)
    if not codes:
        raise ParameterError(f"the indicators of --chapters {args.chapters} name no "
                             "Regionalstatistik table")
    result = download_tables(codes, args.to, base_url=args.base_url, timeout=args.timeout,
                             progress=not args.no_progress)
    width = max(len(c) for c in result["code"])
    for _, r in result.iterrows():
        word = f"{_WORDS[r['status']]:<13}"
        if r["status"] == "failed":
            print(f"{r['code']:<{width}}  {word}{r['message']}")
            continue
        stand = (f"Stand {r['old_stand']} → {r['stand']}" if r["status"] == "updated"
                 else f"Stand {r['stand']}")
        print(f"{r['code']:<{width}}  {word}{r['file']} ({stand})")
    bad = int((result["status"] == "failed").sum())
    n = len(result)
    if bad:
        print(f"{n - bad} von {n} Tabellen geladen oder unverändert, {bad} fehlgeschlagen.")
        return 1
    print(f"{n} von {n} Tabellen geladen oder unverändert: {args.to}")
    return 0
