"""Benchmark: the full catalogue for a synthetic Germany, vectorised vs Kommune by Kommune.

Generates harmonised facts in memory for 400 Kreise in 16 Länder × 15 years (every variable
of the vocabulary, with the dimension breakdowns the real tables publish), then

* computes the whole catalogue once with :func:`bimokit.compute` (one vectorised pass,
  including the Land and Bund sums), and
* computes it the obvious way, one Kommune at a time: select the Kommune's facts, and for
  every indicator filter the terms, sum them by year and divide (no Land/Bund sums, so the
  loop does less work than the vectorised pass).

The loop is timed on a subset of Kommunen (``--loop-kreise``, default 40) and scaled
linearly to all 400 (each Kommune costs the same); ``--loop-kreise 400`` times all of them.

Run: ``python benchmarks/bench_compute.py``. Prints both times and the ratio (goal ≥ 50×).
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

import bimokit as bk
from bimokit.catalogue import load_vocabulary

N_LAENDER = 16
N_KREISE = 400
YEARS = list(range(2010, 2025))

#: Dimension codes per variable as the published tables break them down.
_POP_AGES = ["insgesamt", "0-3", "3-6", "6-10", "10-15", "15-18", "18-20", "20-25", "25-30",
             "30-35", "35-40", "40-45", "45-50", "50-55", "55-60", "60-65", "65-75", "75+"]


def _layouts(voc) -> dict[str, list[dict]]:
    """For each variable: list of dimension-code grids (dicts dim -> codes) to cross."""
    out = {}
    for var, dims in voc.variables.items():
        grid = {d: list(voc.dimensions[d]) for d in dims}
        if "altersgruppe" in grid:
            grid["altersgruppe"] = {
                "bevoelkerung": _POP_AGES,
                "sgb2_leistungsberechtigte": ["insgesamt", "unter_15"],
                "kita_kinder": ["insgesamt", "0-3", "3-6", "6-14"],
                "tagespflege_kinder": ["insgesamt", "0-3", "3-6", "6-14"],
                "betreute_kinder": ["insgesamt", "0-3", "3-6", "6-14"],
                "betreuungsquote": ["insgesamt", "0-3", "3-6"],
            }.get(var, ["insgesamt", "15-25"])  # arbeitslose(nquote): all and under 25
        if var == "bevoelkerung":
            # 12411-02-03-4 (Geschlecht × Altersgruppe) and 12411-03-03-4 (Nationalität ×
            # Geschlecht, all ages)
            out[var] = [
                {"geschlecht": grid["geschlecht"], "altersgruppe": _POP_AGES,
                 "nationalitaet": ["insgesamt"]},
                {"geschlecht": grid["geschlecht"], "altersgruppe": ["insgesamt"],
                 "nationalitaet": ["deutsch", "auslaendisch"]},
            ]
        else:
            out[var] = [grid]
    return out


def synthetic_germany(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harmonised facts and region table of 16 Länder with 25 Kreise each, 15 years."""
    rng = np.random.default_rng(seed)
    voc = load_vocabulary()
    laender = [f"{i:02d}" for i in range(1, N_LAENDER + 1)]
    kreise = [f"{land}{k:03d}" for land in laender for k in range(1, N_KREISE // N_LAENDER + 1)]
    regions = pd.DataFrame({
        "ags": ["DG", *laender, *kreise],
        "level": ["bund"] + ["land"] * len(laender) + ["kreis"] * len(kreise),
        "parent": [None, *["DG"] * len(laender), *[k[:2] for k in kreise]],
    })
    size = rng.lognormal(mean=11.8, sigma=0.6, size=len(kreise))  # ~130,000 inhabitants
    frames = []
    for var, grids in _layouts(voc).items():
        dims = voc.variables[var]
        for grid in grids:
            combos = list(itertools.product(*(grid[d] for d in dims))) if dims else [()]
            n = len(kreise) * len(YEARS) * len(combos)
            ags = np.repeat(kreise, len(YEARS) * len(combos))
            year = np.tile(np.repeat(YEARS, len(combos)), len(kreise))
            base = np.repeat(size, len(YEARS) * len(combos))
            # a total is larger than its parts: scale by how many codes are not "insgesamt"
            part = np.ones(len(combos))
            for j, _ in enumerate(dims):
                part *= np.array([1.0 if c[j] == "insgesamt" else 0.3 for c in combos])
            frac = np.tile(part, len(kreise) * len(YEARS))
            value = np.round(base * frac * rng.uniform(0.01, 0.05, n))
            if var == "einkommen_je_einwohner":
                value = rng.normal(24000, 3000, n).round()
            status = np.where(rng.random(n) < 0.002, ".", "")
            value = np.where(status == ".", np.nan, value)
            f = pd.DataFrame({"ags": ags, "year": year, "variable": var, "value": value,
                              "status": status})
            for j, d in enumerate(dims):
                f[d] = np.tile(np.array([c[j] for c in combos], dtype=object),
                               len(kreise) * len(YEARS))
            frames.append(f)
    facts = pd.concat(frames, ignore_index=True)
    dim_cols = [d for d in voc.dimension_order if d in facts.columns]
    facts = facts[["ags", "year", "variable", *dim_cols, "value", "status"]]
    facts["source"] = "synthetic"
    return facts, regions


def compute_loop(facts: pd.DataFrame, kreise: list[str], catalogue) -> pd.DataFrame:
    """The obvious way: one Kommune at a time, one indicator at a time."""
    voc = catalogue.vocabulary
    by_ags = dict(tuple(facts.groupby("ags", sort=False)))  # pre-split: favours the loop
    rows = []

    def term_sum(kf, term):
        dims = voc.variables[term.variable]
        sel = kf[kf["variable"] == term.variable]
        filt = term.filter_dict
        for d in dims:
            codes = filt.get(d, ("insgesamt",))
            sel = sel[sel[d].isin(codes)]
        secret = sel["status"].isin([".", "x", "/", "..."]).groupby(sel["year"]).any()
        s = sel.groupby("year")["value"].sum()
        return s.where(~secret)

    for ags in kreise:
        kf = by_ags[ags]
        for ind in catalogue:
            num = sum(term_sum(kf, t) for t in ind.numerator)
            if ind.denominator:
                den = sum(term_sum(kf, t) for t in ind.denominator)
                value = num / den * ind.scale
                if ind.kind == "share":  # a share above 100 % is not plausible (status !)
                    value = value.where(num <= den)
            else:
                den = pd.Series(np.nan, index=num.index)
                value = num
            for year in value.index:
                rows.append((ags, year, ind.id, num.get(year), den.get(year), value[year]))
    return pd.DataFrame(rows, columns=["ags", "year", "indicator", "numerator", "denominator",
                                       "value"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop-kreise", type=int, default=40,
                    help="Kommunen timed in the loop (scaled to 400); default 40")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    facts, regions = synthetic_germany()
    t_gen = time.perf_counter() - t0
    cat = bk.load_catalogue()
    kreise = regions.loc[regions["level"] == "kreis", "ags"].tolist()
    print(f"synthetic Germany: {len(kreise)} Kreise in {N_LAENDER} Ländern × {len(YEARS)} "
          f"Jahre, {len(facts):,} facts ({t_gen:.1f} s to generate), {len(cat)} indicators")

    t0 = time.perf_counter()
    values = bk.compute(facts, cat, regions=regions)
    t_vec = time.perf_counter() - t0
    n_kreis_rows = int(values["ags"].isin(kreise).sum())
    print(f"vectorised: {t_vec:8.2f} s  ({len(values):,} values, {n_kreis_rows:,} for Kreise, "
          "incl. Land and Bund sums)")

    n = max(1, min(args.loop_kreise, len(kreise)))
    t0 = time.perf_counter()
    looped = compute_loop(facts, kreise[:n], cat)
    t_loop_n = time.perf_counter() - t0
    t_loop = t_loop_n * len(kreise) / n
    scaled = "" if n == len(kreise) else f", measured {t_loop_n:.2f} s for {n} Kreise, scaled"
    print(f"loop:       {t_loop:8.2f} s  ({len(looped):,} values{scaled})")

    # both give the same Kreis values
    check = looped.merge(values[values["breakdown"] == "insgesamt"],
                         on=["ags", "year", "indicator"], suffixes=("_loop", ""))
    same = np.allclose(check["value_loop"], check["value"], equal_nan=True, rtol=1e-9)
    print(f"same Kreis values: {same} ({len(check):,} compared)")
    print(f"ratio loop / vectorised: {t_loop / t_vec:.0f}×  (goal ≥ 50×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
