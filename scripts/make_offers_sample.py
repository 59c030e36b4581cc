"""Write the fictional offers inventory ``data_samples/musterland/angebote.csv``.

Deterministic (seeded): rerunning gives the same file. The Sozialraum keys come from
``data_samples/musterland/regions.csv`` (level ``sozialraum``) where it exists, otherwise from
the keys the data contract fixes (``99101-01`` … ``99101-15``, ``99351-01`` … ``99351-12``).

Usage: ``python scripts/make_offers_sample.py [--seed 2024] [--out PATH]``
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples" / "musterland"

#: Angebotsart → (Zielgruppe, typical places, chance that a Sozialraum has one)
KINDS = {
    "hausaufgabenhilfe": ("kinder_6_10", 20, 0.6),
    "lernfoerderung": ("kinder_10_15", 15, 0.45),
    "sprachfoerderung": ("kinder_3_6", 12, 0.55),
    "elterncafe": ("eltern_u6", 25, 0.4),
    "jugendtreff": ("jugendliche_15_18", 40, 0.5),
    "schulsozialarbeit": ("kinder_jugendliche_6_18", 150, 0.5),
    "ferienbetreuung": ("kinder_6_10", 30, 0.35),
}

PROVIDERS = [
    ("AWO Kreisverband", "frei"),
    ("Caritasverband", "frei"),
    ("Diakonie", "frei"),
    ("DRK Kreisverband", "frei"),
    ("Paritätischer Verein Kinderzeit e. V.", "frei"),
    ("Stadt – Jugendamt", "oeffentlich"),
    ("Volkshochschule", "oeffentlich"),
    ("Lernwerk gGmbH", "privat"),
]

FUNDING = ["kommunal", "Land", "ESF Plus", "Stiftung", "kommunal"]

HEADER = (
    "# Angebotsinventar Musterland (fiktiv), erzeugt von scripts/make_offers_sample.py\n"
    "# Spalten wie bimokit/templates/angebote_vorlage.csv\n"
)


def _regions() -> list[dict]:
    regions = SAMPLE / "regions.csv"
    if not regions.is_file():
        return []
    with regions.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sozialraeume() -> list[str]:
    keys = [r["ags"] for r in _regions() if r.get("level") == "sozialraum"]
    if keys:
        return sorted(keys)
    return [f"99101-{k:02d}" for k in range(1, 16)] + [f"99351-{k:02d}" for k in range(1, 13)]


def kreis_names() -> dict[str, str]:
    names = {r["ags"]: r.get("name", "") for r in _regions() if r.get("level") == "kreis"}
    return names or {"99101": "Musterstadt", "99351": "Landkreis"}


def make_rows(keys: list[str], *, seed: int = 2024, year: int = 2024) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    names = kreis_names()
    rows = []
    for key in keys:
        name = names.get(key.split("-")[0]) or "Landkreis"
        for kind, (group, places, p) in KINDS.items():
            if rng.random() >= p:
                continue
            n = 2 if rng.random() < 0.2 else 1  # sometimes several providers: Doppelstrukturen
            picks = rng.choice(len(PROVIDERS), size=n, replace=False)
            for j in picks:
                prov, art = PROVIDERS[int(j)]
                plaetze = max(5, int(round(places * rng.uniform(0.5, 1.5))))
                title = kind.replace("foerderung", "förderung").replace("cafe", "café")
                title = title[0].upper() + title[1:]
                rows.append([
                    prov.replace("Stadt", name) if prov.startswith("Stadt") else f"{prov} {name}",
                    f"{title} {key.split('-')[1]}",
                    kind, key, group, str(plaetze), art,
                    FUNDING[int(rng.integers(len(FUNDING)))], str(year), "",
                ])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=SAMPLE / "angebote.csv")
    args = ap.parse_args(argv)
    rows = make_rows(sozialraeume(), seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["anbieter", "angebot", "angebotsart", "sozialraum", "zielgruppe", "plaetze",
                    "traegerart", "finanzierung", "jahr", "bemerkung"])
        w.writerows(rows)
    print(f"{len(rows)} Angebote → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
