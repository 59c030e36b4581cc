"""Benchmark: peak memory of ``bk.read`` on a large tidy CSV, as a multiple of the file size.

Writes a tidy CSV of about ``--mb`` MB (default 300) to a temporary folder: Gemeinden
(8-digit keys) x years x variables x Geschlecht x Altersgruppe, counts with a few symbols
and statuses, ``,``-separated as ``bimokit read`` writes it, with a German source text
("Zählung – eigene Erhebung": a character beyond ISO-8859-1 makes Python hold text at two
bytes a character, the case of the 838 MB file). Then reads it in a fresh
Python process and prints the peak resident memory (``ru_maxrss``) of that process: in all,
and above what the process held after ``import bimokit`` (the reader's own share), each
divided by the file size. No assertion: the goal (issue 14, item 8) is a reader's share of
at most about 3x the file size (an 838 MB file used to peak at 5.7 GB, 6.8x).

``--format semicolon`` writes the German variant (``;``, thousands points).

Last measured (shared 2-core machine, pandas 3.1.1, 305 MB, 3.9 M rows, ',' format):

=============================  ===========  ===============  =======
reader                         peak / size  reader's share   time
=============================  ===========  ===============  =======
before (whole text, StringIO)  8.69 x       7.76 x (2.4 GB)  79 s
chunks of codes (this one)     2.22 x       1.30 x (0.4 GB)  8.6 s
=============================  ===========  ===============  =======

(';' with thousands points: 2.31 x, share 1.41 x.) The facts table itself is 0.82 x.

Run from outside the source tree, so that the child imports the bimokit you mean:
``cd /tmp && PYTHONPATH=<worktree> python <worktree>/benchmarks/bench_read_memory.py
[--mb 300] [--format comma|semicolon]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

AGES = ["insgesamt", "0-3", "3-6", "6-10", "10-15", "15-18", "18-20", "20-25", "25-30",
        "30-35", "35-40", "40-45", "45-50", "50-55", "55-60", "60-65", "65-75", "75+"]
SEXES = ["insgesamt", "maennlich", "weiblich"]
VARIABLES = ["bevoelkerung", "schueler", "abgaenger", "kita_kinder", "auszubildende"]

_CHILD = r"""
import json, resource, sys, time
import bimokit as bk
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
ex = bk.read(sys.argv[1])
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
facts = int(ex.facts.memory_usage(deep=False).sum())
print(json.dumps({"base_kb": base, "peak_kb": peak, "rows": len(ex.facts), "seconds": dt,
                  "facts_bytes": facts, "bimokit": bk.__file__}))
"""


def write_tidy(path: Path, mb: int, sep: str, seed: int = 1) -> int:
    """Write about ``mb`` MB of tidy rows; return the number of rows."""
    rng = np.random.default_rng(seed)
    per_row = 77  # bytes, measured on the layout below
    n = mb * 1_000_000 // per_row
    combos = len(VARIABLES) * len(SEXES) * len(AGES) * 10
    n_gem = -(-n // combos)  # every row a distinct key
    keys = np.array([f"{9000000 + i:08d}" for i in range(n_gem)], dtype=object)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(sep.join(["ags", "year", "variable", "geschlecht", "altersgruppe", "value",
                           "status", "source"]) + "\n")
        written = 0
        block = 200_000
        while written < n:
            m = min(block, n - written)
            idx = np.arange(written, written + m)
            ags = keys[idx % n_gem]
            rest = idx // n_gem
            year = (2015 + rest % 10).astype(str).astype(object)
            rest //= 10
            var = np.array(VARIABLES, dtype=object)[rest % len(VARIABLES)]
            rest //= len(VARIABLES)
            sex = np.array(SEXES, dtype=object)[rest % len(SEXES)]
            age = np.array(AGES, dtype=object)[(rest // len(SEXES)) % len(AGES)]
            value = rng.integers(0, 2_000_000, size=m)
            text = (value.astype(str) if sep == "," else
                    np.array([f"{v:,}".replace(",", ".") for v in value])).astype(object)
            status = np.full(m, "", dtype=object)
            kind = rng.random(m)
            text[kind < 0.03] = "-"
            secret = kind > 0.98
            text[secret], status[secret] = "", "."
            lines = (ags + sep + year + sep + var + sep + sex + sep + age + sep + text + sep
                     + status + sep + "Zählung – eigene Erhebung")
            fh.write("\n".join(lines) + "\n")
            written += m
    return n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--format", choices=["comma", "semicolon"], default="comma")
    args = ap.parse_args(argv)
    sep = "," if args.format == "comma" else ";"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tidy_benchmark.csv"
        rows = write_tidy(path, args.mb, sep)
        size = path.stat().st_size
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                             text=True)
        if out.returncode:
            sys.exit(f"reading failed:\n{out.stderr}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
    peak, base = r["peak_kb"] * 1024, r["base_kb"] * 1024
    print(f"file {size / 1e6:.0f} MB, {rows:,} rows written, {r['rows']:,} facts read "
          f"in {r['seconds']:.1f} s by {r['bimokit']}")
    print(f"peak RSS {peak / 1e6:.0f} MB = {peak / size:.2f} x the file size "
          f"(after imports {base / 1e6:.0f} MB; the reader's share {(peak - base) / 1e6:.0f} "
          f"MB = {(peak - base) / size:.2f} x)")
    print(f"the facts table itself: {r['facts_bytes'] / 1e6:.0f} MB "
          f"= {r['facts_bytes'] / size:.2f} x")


if __name__ == "__main__":
    main()
