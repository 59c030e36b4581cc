"""The ``bimokit`` command line.

Each sub-command lives in ``bimokit/_cli/<name>.py`` with two functions,
``add_parser(subparsers)`` and ``run(args) -> int``. Errors a user can cause
(:class:`bimokit.errors.BimokitError`) are printed as one line, without a traceback,
and give exit code 2; warnings (a skipped file, unmapped labels) as one line each.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from .errors import BimokitError

__all__ = ["main", "COMMANDS"]

#: Sub-commands in the order ``bimokit --help`` lists them.
COMMANDS = ("read", "regions", "indicators", "compute", "report", "batch")


def _command_modules():
    for name in COMMANDS:
        yield importlib.import_module(f"bimokit._cli.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bimokit",
        description="Kommunales Bildungsmonitoring: read exports, compute indicators, "
        "write report chapters.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules():
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def one_line(message, category, filename, lineno, file=None, line=None):
        print(f"bimokit {args.command}: warning: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.showwarning = one_line
            return int(args._run(args) or 0)
    except BimokitError as exc:
        print(f"bimokit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bimokit {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
