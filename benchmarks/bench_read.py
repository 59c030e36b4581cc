"""Benchmark: ``bk.read`` against a bare ``pandas.read_csv`` of the same file.

Writes two large files in the published layouts to a temporary folder:

* a classic GENESIS table (ISO-8859-1): ~11,000 Gemeinden (8-digit AGS) x 10 years (year in
  column 1) x 10 value columns (Geschlecht x Schulabschluss), with the usual sprinkling of
  symbols (``-``, ``.``, ``x``, ``(123)``, ``123p``);
* the same classic table with one quoted name in its last row: a quote anywhere in the body
  sends every value cell through the general path (``read_csv`` as text, then the value
  parser on the distinct texts) instead of the fast path that converts digit cells on the
  bytes (``bimokit/io/_body.py``); the difference is what the fast path buys;
* a GENESIS flat CSV (UTF-8 with BOM) with the same facts, one value a row.

and prints the time of ``bk.read`` (parse, melt, symbols, checks) and of a bare
``pandas.read_csv(sep=";", encoding=…, skiprows=…)`` of the same file, and their ratio.
No assertion on time: the goal is a ratio of little more than 1 (at most 2).

Robust to a noisy machine: both sides run ``--repeat`` times in one process, alternating
(bare, bk, bare, bk …) so that a busy phase hits both; the best and the median of each side
are printed with the ratio of the bests (the usual figure) and of the medians. The default
sizes make the bare read take about 0.3 s or more; a note says when it took less.

Last measured (shared 2-core machine under load 4-5, pandas 3.1.1, defaults, 7 runs; ratios
of the bests / medians; they move by about 0.3 between runs at that load):

=======  ==============================  ======================================
file     before the split (d9f9ef2)      now
=======  ==============================  ======================================
classic  2.04 / 2.13                     1.19 / 1.24 (historical-unit check on
                                         the distinct keys, not every fact)
general  3.12 / 2.51                     2.51 / 2.34 (what the fast path buys)
flat     1.32 / 1.35                     1.34 / 1.47
=======  ==============================  ======================================

Small real files (470 kB) stay at about 3x: there the fixed costs (header, regions, checks)
of a few milliseconds weigh against a bare read of 5 ms.

Run: ``.venv/bin/python benchmarks/bench_read.py [--gemeinden 20000] [--years 10] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import bimokit as bk

COLUMNS = [(a, g) for a in ("Insgesamt", "ohne Hauptschulabschluss", "mit Hauptschulabschluss",
                            "mit Mittlerem Abschluss", "mit allgemeiner Hochschulreife")
           for g in ("Insgesamt", "weiblich")]


def _tokens(rng: np.random.Generator, n: int) -> np.ndarray:
    values = rng.integers(0, 50_000, size=n).astype(str).astype(object)
    kind = rng.random(n)
    values[kind < 0.05] = "-"
    values[(kind >= 0.05) & (kind < 0.07)] = "."
    values[(kind >= 0.07) & (kind < 0.08)] = "x"
    paren = (kind >= 0.08) & (kind < 0.085)
    values[paren] = "(" + values[paren] + ")"
    flag = (kind >= 0.085) & (kind < 0.09)
    values[flag] = values[flag] + "p"
    return values


def write_classic(path: Path, n_gem: int, years: list[int], seed: int = 1) -> int:
    """Write the classic table; return the number of header lines (for skiprows)."""
    rng = np.random.default_rng(seed)
    keys = [f"{9000000 + i:08d}" for i in range(n_gem)]
    pad = ";" * (len(COLUMNS) + 2)
    head = [
        "GENESIS-Tabelle: 21111-02-06-5",
        f"Allgemeinbildende Schulen: Absolventen/Abgänger{pad}",
        f"nach dem Schulabschluss - Schuljahr -{pad}",
        f"regionale Tiefe: Gemeinden{pad}",
        f"Statistik der allgemein bildenden Schulen{pad}",
        f"Absolventen/Abgänger (Anzahl){pad}",
        ";;;" + ";".join(["Schulabschluss"] * len(COLUMNS)),
        ";;;" + ";".join(a for a, _ in COLUMNS),
        ";;;" + ";".join(g for _, g in COLUMNS),
    ]
    lines = list(head)
    for y in years:
        tok = _tokens(rng, n_gem * len(COLUMNS)).reshape(n_gem, len(COLUMNS))
        for i, key in enumerate(keys):
            lines.append(f"{y};{key};      Gemeinde Nr. {i};" + ";".join(tok[i]))
    lines += ["__________", '"zu ""gesamte Tabelle"":', 'erfunden"',
              "Stand: 01.02.2024 / 10:00:00", ""]
    path.write_bytes("\n".join(lines).encode("iso-8859-1"))
    return len(head)


def quote_last_row(src: Path, dst: Path) -> None:
    """Copy the classic table with the name of its last body row quoted."""
    lines = src.read_bytes().decode("iso-8859-1").split("\n")
    foot = next(i for i, ln in enumerate(lines) if ln.startswith("_____"))
    cells = lines[foot - 1].split(";")
    cells[2] = f'"{cells[2]}"'
    lines[foot - 1] = ";".join(cells)
    dst.write_bytes("\n".join(lines).encode("iso-8859-1"))


def write_flat(path: Path, n_gem: int, years: list[int], seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    head = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
            "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
            "2_variable_code;2_variable_label;2_variable_attribute_code;"
            "2_variable_attribute_label;value;value_unit;value_variable_code;"
            "value_variable_label")
    keys = np.array([f"{9000000 + i:08d}" for i in range(n_gem)], dtype=object)
    sexes = [("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")]
    parts = []
    for y in years:
        for code, label in sexes:
            tok = _tokens(rng, n_gem)
            parts.append(
                f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{y}-12-31;"
                "GEMEINDE;Gemeinden;" + keys + ";Gemeinde;GES;Geschlecht;" + code + ";"
                + label + ";" + tok + ";Anzahl;BEVSTD;Bevölkerungsstand"
            )
    body = "\n".join("\n".join(p) for p in parts)
    path.write_bytes(("\ufeff" + head + "\n" + body + "\n").encode("utf-8"))


def _timings(bare, ours, repeat: int) -> tuple[list[float], list[float]]:
    """Wall times of ``bare()`` and ``ours()``, run alternately ``repeat`` times each."""
    t_bare: list[float] = []
    t_ours: list[float] = []
    for _ in range(repeat):
        for fn, out in ((bare, t_bare), (ours, t_ours)):
            gc.collect()
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return t_bare, t_ours


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gemeinden", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    years = list(range(2024 - args.years + 1, 2025))
    with tempfile.TemporaryDirectory() as tmp:
        classic = Path(tmp) / "21111-02-06-5.csv"
        skip = write_classic(classic, args.gemeinden, years)
        quoted = Path(tmp) / "21111-02-06-5_quoted.csv"
        quote_last_row(classic, quoted)
        flat = Path(tmp) / "12411-01-01-5_de_flat.csv"
        write_flat(flat, args.gemeinden, years)
        n_classic = args.gemeinden * len(years)

        def bare_classic():
            return pd.read_csv(classic, sep=";", encoding="iso-8859-1", skiprows=skip,
                               header=None, nrows=n_classic)

        def bare_quoted():
            return pd.read_csv(quoted, sep=";", encoding="iso-8859-1", skiprows=skip,
                               header=None, nrows=n_classic)

        def bare_flat():
            return pd.read_csv(flat, sep=";", encoding="utf-8-sig")

        rows = []
        for label, path, bare in (("classic", classic, bare_classic),
                                  ("general", quoted, bare_quoted),
                                  ("flat", flat, bare_flat)):
            facts = bk.read(path).facts  # also warms up imports and caches
            t_bare, t_bk = _timings(bare, lambda p=path: bk.read(p), args.repeat)
            size = path.stat().st_size / 1e6
            rows.append((label, size, len(facts), t_bare, t_bk))
        print(f"best and median of {args.repeat} runs each (alternating), seconds")
        print(f"{'file':8} {'MB':>5} {'facts':>10} {'read_csv best':>13} {'median':>7} "
              f"{'bk.read best':>12} {'median':>7} {'ratio best':>10} {'median':>7}")
        for label, size, n, t_bare, t_bk in rows:
            bb, bm = min(t_bare), statistics.median(t_bare)
            kb, km = min(t_bk), statistics.median(t_bk)
            print(f"{label:8} {size:5.1f} {n:10,d} {bb:13.3f} {bm:7.3f} {kb:12.3f} {km:7.3f} "
                  f"{kb / bb:10.2f} {km / bm:7.2f}")
        short = [label for label, _, _, t_bare, _ in rows if min(t_bare) < 0.3]
        if short:
            print(f"note: the bare read took less than 0.3 s for {', '.join(short)}; "
                  "pass a larger --gemeinden for steadier ratios")


if __name__ == "__main__":
    main()
