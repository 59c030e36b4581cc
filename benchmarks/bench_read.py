"""Benchmark: ``bk.read`` against a bare ``pandas.read_csv`` of the same file.

Writes two large files in the published layouts to a temporary folder:

* a classic GENESIS table (ISO-8859-1): ~11,000 Gemeinden (8-digit AGS) x 10 years (year in
  column 1) x 10 value columns (Geschlecht x Schulabschluss), with the usual sprinkling of
  symbols (``-``, ``.``, ``x``, ``(123)``, ``123p``);
* a GENESIS flat CSV (UTF-8 with BOM) with the same facts, one value a row.

and prints the time of ``bk.read`` (parse, melt, symbols, checks) and of a bare
``pandas.read_csv(sep=";", encoding=…, skiprows=…)`` of the same file, and their ratio.
No assertion on time: the goal is a ratio of little more than 1 (say below 3).

Run: ``.venv/bin/python benchmarks/bench_read.py [--gemeinden 11000] [--years 10]``
"""

from __future__ import annotations

import argparse
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


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gemeinden", type=int, default=11_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    years = list(range(2024 - args.years + 1, 2025))
    with tempfile.TemporaryDirectory() as tmp:
        classic = Path(tmp) / "21111-02-06-5.csv"
        skip = write_classic(classic, args.gemeinden, years)
        flat = Path(tmp) / "12411-01-01-5_de_flat.csv"
        write_flat(flat, args.gemeinden, years)
        n_classic = args.gemeinden * len(years)

        def bare_classic():
            return pd.read_csv(classic, sep=";", encoding="iso-8859-1", skiprows=skip,
                               header=None, nrows=n_classic)

        def bare_flat():
            return pd.read_csv(flat, sep=";", encoding="utf-8-sig")

        rows = []
        for label, path, bare in (("classic", classic, bare_classic),
                                  ("flat", flat, bare_flat)):
            t_bare = _best(bare, args.repeat)
            t_bk = _best(lambda p=path: bk.read(p), args.repeat)
            facts = bk.read(path).facts
            size = path.stat().st_size / 1e6
            rows.append((label, size, len(facts), t_bare, t_bk, t_bk / t_bare))
        print(f"{'file':8} {'MB':>6} {'facts':>10} {'read_csv s':>11} {'bk.read s':>10} "
              f"{'ratio':>6}")
        for label, size, n, t_bare, t_bk, ratio in rows:
            print(f"{label:8} {size:6.1f} {n:10,d} {t_bare:11.3f} {t_bk:10.3f} {ratio:6.2f}")


if __name__ == "__main__":
    main()
