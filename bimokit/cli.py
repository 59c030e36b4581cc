"""The ``bimokit`` command line.

Each sub-command lives in ``bimokit/_cli/<name>.py`` with two functions,
``add_parser(subparsers)`` and ``run(args) -> int``. Errors a user can cause
(:class:`bimokit.errors.BimokitError`) are printed as one line, without a traceback,
and give exit code 2; warnings (a skipped file, unmapped labels) as one line each. A file or
folder that cannot be read or written (``OSError``: a read-only or full disk, a path that
vanished) is one line naming the path and exit code 1; Ctrl-C is one line and exit code 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import warnings

from ._atomic import os_error_text
from .errors import BimokitError

__all__ = ["main", "COMMANDS"]

#: Sub-commands in the order ``bimokit --help`` lists them.
COMMANDS = ("read", "regions", "indicators", "tables", "download", "compute", "template",
            "report", "batch")


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
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: no traceback now
        print(f"bimokit {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``bimokit tables … | head``): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        print(f"bimokit {args.command}: error: {os_error_text(exc, verb='read or write')}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
