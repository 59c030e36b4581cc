#!/usr/bin/env python
"""Generate a synthetic scale data set: Musterland with many Kreise, in the sample's formats.

Usage::

    python scripts/make_scale_data.py --kreise 400 --out DIR [--seed N]

For benchmarks of ``bimokit batch`` at the size of Germany (about 400 Kreise). The data set
is Musterland (Land 99) with nine Regierungsbezirke ``991`` … ``999``: the 30 Kreise of the
embedded sample (with their Sozialräume, the dissolved ``99155`` and every planted symbol)
plus generated Kreise ``99xyy`` (kreisfreie Städte ``yy`` 01–49, Landkreise 51–99) with
fictional names and parameters drawn like the sample's. Every file is written by the writers
of ``scripts/make_sample.py`` (imported as a separate module copy whose region lists are
replaced, so the embedded sample itself is not affected): classic GENESIS CSV, flat CSV, tidy
CSV, ``regions.csv``, a GeoJSON on a grid of one cell per Kreis, and the Land targets of
``zielwerte.csv``.

The output is reproducible: the generated Kreise come from ``numpy.random.default_rng(seed)``,
the simulation from the sample's own seed.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SAMPLE_DIR = HERE.parent / "data_samples" / "musterland"
REGBEZ_NAMES = ["Obermuster", "Mittelmuster", "Untermuster", "Nordmuster", "Westmuster",
                "Ostmuster", "Südmuster", "Hochmuster", "Niedermuster"]
_PRE = ["Alt", "Neu", "Ober", "Nieder", "Groß", "Klein", "Nord", "Süd", "West", "Ost", "Hoh",
        "Tief", "Mittel", "Bad ", "Sankt "]
_STEM = ["Linden", "Eichen", "Buchen", "Tannen", "Weiden", "Erlen", "Birken", "Rosen", "Stein",
         "Berg", "Wald", "Heide", "Moor", "Au", "Quell", "Fels", "Sonnen", "Mond", "Kiesel",
         "Mühl", "Brunnen", "Falken", "Raben", "Hirsch", "Fuchs", "Wolfs", "Adler", "Lerchen"]
_SUF = ["hausen", "feld", "burg", "stadt", "dorf", "heim", "kirchen", "bach", "au", "tal",
        "hagen", "rode", "stedt", "ingen", "brück", "hafen", "mark", "gau"]


def load_sample_module():
    """A fresh copy of ``scripts/make_sample.py`` whose globals may be replaced."""
    spec = importlib.util.spec_from_file_location("_bimokit_scale_sample",
                                                  HERE / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        stem = str(rng.choice(_STEM))
        suf = str(rng.choice(_SUF))
        name = stem + suf
        if rng.random() < 0.3:
            pre = str(rng.choice(_PRE))
            name = pre + (name if pre.endswith(" ") else name.lower())
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def generated_kreise(ms, n_kreise: int, rng: np.random.Generator) -> list[tuple]:
    """The sample's Kreise plus generated ones, ``n_kreise`` in all, in the sample's tuples."""
    kreise = list(ms.KREISE)
    if n_kreise < len(kreise):
        raise SystemExit(f"--kreise must be at least {len(kreise)} (the sample's Kreise)")
    regbez = [f"99{i}" for i in range(1, 10)]
    per = [n_kreise // 9 + (1 if i < n_kreise % 9 else 0) for i in range(9)]
    taken = {k[1] for k in kreise}
    for rb, target in zip(regbez, per, strict=True):
        have = [k for k in kreise if k[0][:3] == rb]
        missing = max(0, target - len(have))
        if missing == 0:
            continue
        used = {int(k[0][3:]) for k in have}
        n_city = max(1, round(missing * 0.25))
        cities = [y for y in range(1, 50) if y not in used][:n_city]
        lks = [y for y in range(51, 100) if y not in used][: missing - len(cities)]
        if len(cities) + len(lks) < missing:
            raise SystemExit(f"--kreise {n_kreise}: more than 98 Kreise per Regierungsbezirk")
        names = _names(rng, len(cities) + len(lks), taken)
        for y, name in zip(cities + lks, names, strict=True):
            city = y < 50
            if city:
                pop = float(np.clip(rng.lognormal(np.log(160_000), 0.6), 45_000, 1_500_000))
                sgb2 = float(rng.uniform(0.14, 0.31))
                foreign = float(rng.uniform(0.13, 0.26))
                students = int(rng.choice([0, 0, rng.integers(2_000, 40_000)]))
                central = float(rng.uniform(1.35, 1.75))
            else:
                pop = float(np.clip(rng.lognormal(np.log(180_000), 0.45), 60_000, 650_000))
                sgb2 = float(rng.uniform(0.045, 0.155))
                foreign = float(rng.uniform(0.045, 0.13))
                students = int(rng.choice([0] * 9 + [rng.integers(500, 4_000)]))
                central = float(rng.uniform(0.72, 0.92))
                name = name if name.endswith(("kreis", "gau", "mark")) or rng.random() < 0.6 \
                    else name + "kreis"
            kreise.append((f"{rb}{y:02d}", name, city, int(round(pop, -2)),
                           float(round(rng.normal(0.0, 0.0035), 4)), round(sgb2, 3),
                           round(foreign, 3), students, round(central, 2)))
    kreise.sort(key=lambda k: k[0])
    return kreise


def grid(ms, codes: list[str], width: int = 20) -> list[list[str | None]]:
    """One main cell per Kreis; the dissolved Kreis left of the one that absorbed it."""
    order = [c for c in codes if c != ms.DISSOLVED]
    pos = order.index(ms.ABSORBING)
    order.insert(pos, ms.DISSOLVED)  # the two cells lie side by side
    if pos % width == width - 1:  # keep the pair in one row
        order.insert(pos, None)
    rows = math.ceil(len(order) / width)
    order += [None] * (rows * width - len(order))
    return [order[r * width:(r + 1) * width] for r in range(rows)]


def generate(out: Path, n_kreise: int = 400, seed: int = 400) -> list[Path]:
    """Write the scale data set into ``out``; return the written files."""
    ms = load_sample_module()
    rng = np.random.default_rng(seed)
    kreise = generated_kreise(ms, n_kreise, rng)
    ms.KREISE = kreise
    ms.KREIS_CODES = [k[0] for k in kreise]
    ms.KREIS_INFO = {k[0]: k for k in kreise}
    ms.REGBEZ = [(f"99{i}", REGBEZ_NAMES[i - 1]) for i in range(1, 10)]
    ms.MAIN_GRID = grid(ms, ms.KREIS_CODES)
    files = ms.generate(out)
    # Land targets of the sample (rows without a Kommune) for chapter S
    ziel = SAMPLE_DIR / "zielwerte.csv"
    if ziel.is_file():
        lines = ziel.read_text(encoding="utf-8").splitlines()
        keep = [lines[0]] + [ln for ln in lines[1:] if ln.startswith(",")]
        (out / "zielwerte.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
        files.append(out / "zielwerte.csv")
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kreise", type=int, default=400, help="number of Kreise (default 400)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=400, help="seed of the generated Kreise")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.kreise, args.seed):
        print(f"{path.stat().st_size:>11,d}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
