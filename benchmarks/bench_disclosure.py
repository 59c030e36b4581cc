"""Benchmark: secondary suppression of 100 Sozialräume × 50 cells with their Kreis totals.

Builds a synthetic count table as a Kommune has it from the Schuleingangsuntersuchung or the
Jugendhilfe: 100 Sozialräume of one Kreis, 49 categories plus their ``insgesamt``, and the
Kreis row (101 × 50 = 5.050 cells, 150 additivity constraints). Counts are Poisson with
means mixed from 1,5 (rare findings, many cells below 3) to 40, so that a share of cells is
primary secret. Then

* times :func:`bimokit.disclosure.protect` (minimum count 3, protection interval 3), and
* with ``--check``, times :func:`bimokit.disclosure.check_protected` (two attacker LPs per
  suppressed cell) and reports whether every cell is protected.

Run: ``python benchmarks/bench_disclosure.py [--seed N] [--check]``. Prints the times (goal
for ``protect``: under 10 s on 2 cores) and the numbers of primary and secondary suppressions.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from bimokit.disclosure import DisclosureRules, check_protected, protect

N_AREAS = 100
N_CATEGORIES = 49  # + insgesamt = 50 cells per Sozialraum


def make_table(seed: int, *, rare_share: float = 0.3) -> pd.DataFrame:
    """The synthetic table: ``ags``, ``merkmal``, ``value`` (Sozialräume and Kreis 99101)."""
    rng = np.random.default_rng(seed)
    means = rng.choice([1.5, 8.0, 40.0], size=(N_AREAS, N_CATEGORIES),
                       p=[rare_share, (1 - rare_share) / 2, (1 - rare_share) / 2])
    inner = rng.poisson(means).astype("float64")
    full = np.zeros((N_AREAS + 1, N_CATEGORIES + 1))
    full[:N_AREAS, :N_CATEGORIES] = inner
    full[:N_AREAS, -1] = inner.sum(axis=1)
    full[-1] = full[:N_AREAS].sum(axis=0)
    areas = [f"99101-{i:03d}" for i in range(1, N_AREAS + 1)] + ["99101"]
    cats = [f"m{j:02d}" for j in range(1, N_CATEGORIES + 1)] + ["insgesamt"]
    return pd.DataFrame({
        "ags": np.repeat(areas, len(cats)),
        "merkmal": np.tile(cats, len(areas)),
        "value": full.ravel(),
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rare-share", type=float, default=0.3,
                    help="share of cells with mean 1,5 (default 0,3)")
    ap.add_argument("--check", action="store_true", help="also attack the result")
    args = ap.parse_args()

    table = make_table(args.seed, rare_share=args.rare_share)
    rules = DisclosureRules(min_count=3)
    print(f"table: {len(table)} cells ({N_AREAS} Sozialräume + Kreis × "
          f"{N_CATEGORIES + 1} cells)")
    t0 = time.perf_counter()
    out = protect(table, rules=rules)
    t1 = time.perf_counter()
    n_prim = int((out["protection"] == "primary").sum())
    n_sec = int((out["protection"] == "secondary").sum())
    print(f"protect: {t1 - t0:.2f} s  (goal < 10 s); primary {n_prim}, secondary {n_sec}")
    if args.check:
        t2 = time.perf_counter()
        res = check_protected(out, rules=rules)
        t3 = time.perf_counter()
        print(f"check_protected: {t3 - t2:.2f} s; {len(res)} suppressed cells, "
              f"{int((~res['protected']).sum())} not protected")


if __name__ == "__main__":
    main()
