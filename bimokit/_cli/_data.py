"""The ``--strict`` option of the commands that read a data folder (``--data``)."""

from __future__ import annotations

import argparse

__all__ = ["add_strict_option", "check_strict"]


def add_strict_option(p: argparse.ArgumentParser) -> None:
    """``--strict``: refuse the data instead of skipping what the catalogue does not know."""
    p.add_argument("--strict", action="store_true",
                   help="refuse a data folder with a table the catalogue does not know or a "
                   "label its table mapping does not know (default: skip such files and "
                   "rows with a warning)")


def check_strict(args) -> None:
    """With ``--strict``, read the data strictly before anything runs (raises InputError)."""
    if getattr(args, "strict", False):
        from ..data import load_data

        load_data(args.data or None, strict=True)
