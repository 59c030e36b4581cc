#!/usr/bin/env python
"""Generate the embedded sample "Musterland" (fictional Land 99) in the real export formats.

Usage::

    python scripts/make_sample.py [--out DIR]

Writes every file of ``data_samples/musterland/`` (or of ``DIR``): classic GENESIS CSV files
(ISO-8859-1), GENESIS flat CSV files (UTF-8 with BOM), bimokit's tidy CSV files, the region
table and a GeoJSON of fictional shapes. All numbers are fictional but of plausible German
magnitudes; see ``data_samples/README.md``.

The output is reproducible to the byte: one ``numpy.random.default_rng(SEED)`` drawn in a fixed
order, fixed ``Stand`` dates, integers only in the tables, fixed rounding in the GeoJSON and a
fixed row order.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

import numpy as np

SEED = 20250415
YEARS = list(range(2012, 2025))  # published years
SIM_YEARS = list(range(2011, 2025))  # 2011 is simulated for the Kita denominators only
NY = len(SIM_YEARS)
MERGE_YEAR = 2016  # 99155 merged into 99154 with effect from 01.01.2016
DISSOLVED, ABSORBING = "99155", "99154"
REVISED_KREISE = ("99102", "99253", "99356")  # revised 21111-02-06-4 values in 2017/2018

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data_samples" / "musterland"


def yi(year: int) -> int:
    """Index of a year in the simulation arrays."""
    return year - SIM_YEARS[0]


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------

LAND = ("99", "Musterland")
REGBEZ = [("991", "Obermuster"), ("992", "Mittelmuster"), ("993", "Untermuster")]

# ags, name, kreisfreie Stadt?, population 2012, growth per year, SGB-II-Quote unter 15 (2012),
# Ausländeranteil (2024), students 2012 (0: no Hochschule), centrality (berufliche Schulen)
KREISE = [
    ("99101", "Musterstadt", True, 541_000, 0.0065, 0.235, 0.205, 31_500, 1.7),
    ("99102", "Beispielhafen", True, 186_000, 0.0020, 0.290, 0.190, 0, 1.5),
    ("99103", "Modellingen", True, 96_500, 0.0010, 0.165, 0.140, 3_400, 1.5),
    ("99151", "Talkreis", False, 309_000, 0.0030, 0.085, 0.095, 0, 0.8),
    ("99152", "Musterheide", False, 166_000, -0.0030, 0.120, 0.075, 0, 0.8),
    ("99153", "Auenkreis", False, 231_000, 0.0040, 0.060, 0.085, 0, 0.75),
    ("99154", "Eichwaldkreis", False, 141_000, -0.0020, 0.105, 0.065, 0, 0.9),
    ("99155", "Altmusterkreis", False, 82_500, -0.0055, 0.115, 0.055, 0, 0.85),
    ("99156", "Obermuster-Seen", False, 204_000, 0.0010, 0.080, 0.080, 0, 0.8),
    ("99157", "Hügelland", False, 124_000, -0.0040, 0.135, 0.060, 0, 0.85),
    ("99201", "Fiktivbrück", True, 246_000, 0.0050, 0.195, 0.215, 15_800, 1.6),
    ("99202", "Erfundenau", True, 64_500, -0.0010, 0.270, 0.235, 0, 1.4),
    ("99203", "Probenheim", True, 118_000, 0.0020, 0.215, 0.200, 0, 1.5),
    ("99251", "Lindenbachkreis", False, 284_000, 0.0030, 0.075, 0.105, 0, 0.8),
    ("99252", "Rebenhang", False, 178_000, 0.0020, 0.055, 0.115, 0, 0.8),
    ("99253", "Moorgrund", False, 97_500, -0.0060, 0.145, 0.050, 0, 0.9),
    ("99254", "Steinmarkkreis", False, 152_000, -0.0020, 0.110, 0.070, 0, 0.85),
    ("99255", "Wiesenmuster", False, 346_000, 0.0050, 0.050, 0.125, 0, 0.75),
    ("99256", "Birkenhöhe", False, 131_000, -0.0010, 0.090, 0.080, 0, 0.85),
    ("99257", "Falkenmuster", False, 114_000, -0.0030, 0.100, 0.065, 0, 0.85),
    ("99301", "Schemaberg", True, 158_000, 0.0020, 0.260, 0.210, 6_900, 1.5),
    ("99302", "Vorlagenfeld", True, 71_500, -0.0020, 0.305, 0.245, 0, 1.4),
    ("99351", "Sonnenfeldkreis", False, 255_000, 0.0020, 0.110, 0.100, 0, 0.85),
    ("99352", "Waldmuster", False, 189_000, 0.0000, 0.090, 0.085, 900, 0.8),
    ("99353", "Bruchmuster", False, 88_000, -0.0070, 0.150, 0.050, 0, 0.9),
    ("99354", "Sandmark", False, 109_000, -0.0050, 0.130, 0.060, 0, 0.85),
    ("99355", "Kieselbachkreis", False, 171_000, 0.0010, 0.080, 0.090, 0, 0.8),
    ("99356", "Grenzmuster", False, 95_000, -0.0040, 0.120, 0.070, 0, 0.85),
    ("99357", "Ostermuster", False, 219_000, 0.0030, 0.070, 0.105, 0, 0.8),
    ("99358", "Apfelgau", False, 135_000, -0.0010, 0.100, 0.075, 0, 0.85),
]
KREIS_CODES = [k[0] for k in KREISE]
KREIS_INFO = {k[0]: k for k in KREISE}

SOZIALRAEUME = {
    "99101": [
        "Altstadt", "Nordviertel", "Südviertel", "Weststadt", "Oststadt", "Hafenviertel",
        "Bahnhofsviertel", "Am Stadtpark", "Musterfeld", "Neue Heide", "Lindenhof",
        "Kirchberg", "Gartenstadt", "Ziegelei", "Brunnenviertel",
    ],
    "99351": [
        "Sonnenfeld-Mitte", "Sonnenfeld-Nord", "Sonnenfeld-Süd", "Auental", "Bergdorf",
        "Kleinmuster", "Heidehof", "Mühlbach", "Weidenau", "Eschental", "Feldmark",
    ],
}


def regbez_of(ags: str) -> str:
    return ags[:3]


def kreis_name(ags: str, style: str = "A") -> str:
    """Published Kreis name; style "A" as 12411/21111, "B" as 82411 and the flat files."""
    _, name, city, *_ = KREIS_INFO[ags]
    if city:
        return f"{name}, {'Kreisfreie Stadt' if style == 'A' else 'kreisfreie Stadt'}"
    return f"{name}, Landkreis"


def region_rows(style: str = "A", with_dg: bool = True) -> list[tuple[str, str]]:
    """(ags, indented published name) in the order of a real Kreise export."""
    rows = [("DG", "Deutschland")] if with_dg else []
    rows.append((LAND[0], "  " + LAND[1]))
    for rb, rbname in REGBEZ:
        rows.append((rb, f"    {rbname}, Regierungsbezirk"))
        for k in KREIS_CODES:
            if regbez_of(k) == rb:
                rows.append((k, "      " + kreis_name(k, style)))
    return rows


# --------------------------------------------------------------------------------------------
# Reference magnitudes (Deutschland)
# --------------------------------------------------------------------------------------------

AGE_LABELS = [
    "unter 3 Jahre", "3 bis unter 6 Jahre", "6 bis unter 10 Jahre", "10 bis unter 15 Jahre",
    "15 bis unter 18 Jahre", "18 bis unter 20 Jahre", "20 bis unter 25 Jahre",
    "25 bis unter 30 Jahre", "30 bis unter 35 Jahre", "35 bis unter 40 Jahre",
    "40 bis unter 45 Jahre", "45 bis unter 50 Jahre", "50 bis unter 55 Jahre",
    "55 bis unter 60 Jahre", "60 bis unter 65 Jahre", "65 bis unter 75 Jahre",
    "75 Jahre und mehr",
]
AGE_CODES = [
    "0-3", "3-6", "6-10", "10-15", "15-18", "18-20", "20-25", "25-30", "30-35", "35-40",
    "40-45", "45-50", "50-55", "55-60", "60-65", "65-75", "75+",
]
NA = len(AGE_CODES)
# Deutschland 31.12.2023 by age group (12411-02-03-4, see ../shared/data/population): shape only.
GER_AGE_2023 = np.array([
    2222340, 2373000, 3220099, 3822307, 2336424, 1609286, 4396018, 4905765, 5362851,
    5584994, 5378213, 4897022, 5573992, 6719765, 6345372, 9569640, 9138957,
], dtype=float)
GER_MALE_2023 = np.array([
    1139464, 1216397, 1649594, 1963391, 1211476, 840017, 2292971, 2565692, 2763051,
    2846963, 2703805, 2451360, 2787807, 3365783, 3124535, 4525035, 3714590,
], dtype=float)
MALE_SHARE = GER_MALE_2023 / GER_AGE_2023
# log change of an age group's share per year (ageing: fewer 40-50, more 55+)
AGE_TREND = np.array([
    0.0, 0.0, 0.004, 0.002, -0.004, -0.010, -0.008, 0.006, 0.012, 0.006,
    -0.010, -0.025, -0.008, 0.018, 0.025, 0.010, 0.012,
])
# young adults in cities, families in the suburbs, old people in the countryside
URBAN_TILT = np.array([
    -0.05, -0.10, -0.12, -0.12, -0.12, 0.10, 0.35, 0.35, 0.22, 0.05,
    -0.03, -0.07, -0.08, -0.10, -0.12, -0.15, -0.08,
])
# births: the under-3 cohort relative to 2023 (Deutschland: 2.05 Mio 2012, 2.37 Mio 2021)
U3_PATH = dict(zip(SIM_YEARS, [0.92, 0.92, 0.93, 0.95, 0.99, 1.03, 1.05, 1.06, 1.07, 1.07,
                               1.08, 1.06, 1.00, 0.95], strict=True))
# Deutschland population 31.12. (Zensus-2022 basis from 2022 on)
DG_POP = dict(zip(SIM_YEARS, [80_327_900, 80_523_746, 80_767_463, 81_197_537, 82_175_684,
                              82_521_653, 82_792_351, 83_019_213, 83_166_711, 83_155_031,
                              83_237_124, 83_118_501, 83_456_045, 83_577_140], strict=True))
REFUGEE = dict(zip(SIM_YEARS, [0, 0, 0, 0, .007, .010, .010, .010, .010, .010, .010, .019,
                               .019, .019], strict=True))
FOREIGN_PATH = dict(zip(SIM_YEARS, [.58, .60, .63, .67, .75, .80, .83, .86, .89, .91, .93,
                                    .985, 1.0, 1.0], strict=True))
SGB2_PATH = dict(zip(SIM_YEARS, [1.0, 1.0, 1.0, 0.99, 1.0, 1.05, 1.08, 1.03, 0.97, 0.98,
                                 0.94, 0.99, 1.03, 1.01], strict=True))
ALO_PATH = dict(zip(SIM_YEARS, [1.03, 1.04, 1.06, 1.04, 1.00, 0.96, 0.92, 0.87, 0.84, 0.99,
                                0.95, 0.90, 0.95, 1.00], strict=True))
COVID = dict(zip(SIM_YEARS, [1] * 9 + [0.62, 0.55, 0.82, 0.93, 0.97], strict=True))
SCHULARTEN = [
    "Vorschulbereich", "Grundschulen", "Schulartunabhängige Orientierungsstufe", "Hauptschulen",
    "Schularten mit mehreren Bildungsgängen", "Realschulen", "Gymnasien",
    "Integrierte Gesamtschulen", "Freie Waldorfschulen", "Sonderschulen/Förderschulen",
    "Abendschulen und Kollegs",
]
SCHOOL_SIZE = [60, 215, 200, 240, 450, 520, 850, 900, 350, 105, 160]
FEMALE_BY_SCHULART = [0.48, 0.49, 0.49, 0.41, 0.46, 0.49, 0.53, 0.49, 0.51, 0.35, 0.47]
FOREIGN_BY_SCHULART = [1.0, 1.05, 1.0, 2.1, 1.3, 1.1, 0.55, 1.35, 0.3, 1.25, 1.9]
ABSCHLUESSE_2019 = [
    "ohne Hauptschulabschluss", "mit Hauptschulabschluss", "mit Mittlerem Abschluss",
    "mit Fachhochschulreife", "mit allgemeiner Hochschulreife",
]
ABSCHLUESSE_2025 = [
    "ohne Ersten Schulabschluss", "mit Erstem Schulabschluss", "mit mittlerem Schulabschluss",
    "mit Fachhochschulreife", "mit allgemeiner Hochschulreife",
]
FEMALE_BY_ABSCHLUSS = [0.38, 0.41, 0.49, 0.47, 0.55]
FOREIGN_BY_ABSCHLUSS = [2.3, 1.6, 1.0, 0.9, 0.45]
BERUF_SCHULARTEN = [
    "Berufsschulen", "Berufsvorbereitungsjahr", "Berufsfachschulen", "Fachoberschulen",
    "Berufliche Gymnasien", "Fachschulen",
]
BERUF_RATE = [0.0170, 0.0011, 0.0052, 0.0017, 0.0021, 0.0023]
BERUF_FEMALE = [0.38, 0.37, 0.61, 0.48, 0.52, 0.55]
BERUF_FOREIGN = [0.85, 3.2, 1.1, 0.9, 0.45, 0.5]
KITA_ART = [("BETART01", "Kindertageseinrichtungen"), ("BETART02", "Kindertagespflege")]
UEBERGANG_SCHULARTEN = [
    ("GYM", "Gymnasien"), ("RS", "Realschulen"), ("IGS", "Integrierte Gesamtschulen"),
    ("HS", "Hauptschulen"), ("SMBG", "Schularten mit mehreren Bildungsgängen"),
    ("FOES", "Sonderschulen/Förderschulen"),
]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def split_total(total: int, weights) -> np.ndarray:
    """Split a non-negative integer into integer parts proportional to ``weights``.

    Largest-remainder rounding, ties broken by position: the parts always sum to ``total``.
    """
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def iround(x) -> np.ndarray:
    return np.rint(np.asarray(x, dtype=float)).astype(np.int64)


def binom(rng: np.random.Generator, n, p) -> np.ndarray:
    n = np.asarray(n, dtype=np.int64)
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    return rng.binomial(n, np.broadcast_to(p, n.shape)).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Simulation of one region (a Kreis, or Deutschland as a whole)
# --------------------------------------------------------------------------------------------


def simulate_region(rng: np.random.Generator, p: dict) -> dict[str, np.ndarray]:
    """Simulate every count of one region for SIM_YEARS; returns arrays with years first."""
    d: dict[str, np.ndarray] = {}
    t = np.array(SIM_YEARS, dtype=float)
    u = p["urban"]

    # ---- population by age group and sex
    pop = np.zeros((NY, NA, 2), dtype=np.int64)
    totals = np.zeros(NY, dtype=np.int64)
    base_shares = GER_AGE_2023 / GER_AGE_2023.sum() * np.exp(u * URBAN_TILT) * p["age_noise"]
    ageing = AGE_TREND * (1.35 if u < 0 else 1.0)
    for i, year in enumerate(SIM_YEARS):
        if p.get("fixed_totals"):
            tot = p["fixed_totals"][year]
        else:
            tot = p["pop2012"] * (1 + p["growth"]) ** (year - 2012)
            tot *= 1 + REFUGEE[year] * (1.3 if u > 0 else 0.8)
            if year >= 2022:
                tot *= p["zensus"]
            tot *= 1 + p["noise"][i]
        shares = base_shares * np.exp(ageing * (year - 2023))
        shares[0] *= U3_PATH[year]
        shares[1] *= U3_PATH[max(year - 3, 2011)] * (0.93 if year < 2015 else 1.0)
        counts = split_total(int(round(tot)), shares)
        male = iround(counts * MALE_SHARE * (1 + p["male_tilt"]))
        pop[i, :, 0] = male
        pop[i, :, 1] = counts - male
        totals[i] = counts.sum()
    d["pop"] = pop
    age = pop.sum(axis=2)  # (NY, NA)
    d["foreign"] = iround(totals * p["foreign"] * np.array([FOREIGN_PATH[y] for y in SIM_YEARS]))
    # yearly mean population (VGR Einwohner): mean of the two year ends
    prev = np.concatenate([[totals[0] / (1 + p.get("growth", 0.003))], totals[:-1]])
    d["einw_avg"] = iround((prev + totals) / 2)

    u15 = age[:, 0:4].sum(axis=1)
    a1565 = age[:, 4:15].sum(axis=1)
    q = p["sgb2"] * np.array([SGB2_PATH[y] for y in SIM_YEARS]) * (1 + p["sgb2_trend"] * (t - 2012))
    d["q_u15"] = q
    sgb2_u15 = iround(q * u15)
    sgb2_tot = sgb2_u15 + iround(0.50 * q * a1565)
    d["sgb2"] = np.stack([sgb2_tot, sgb2_u15], axis=1)
    alo_path = np.array([ALO_PATH[y] for y in SIM_YEARS])
    alo = iround((0.22 * q + 0.016) * a1565 * alo_path)
    alo_w = binom(rng, alo, 0.445)
    d["alo"] = np.stack([alo - alo_w, alo_w], axis=1)
    svb_rate = (0.63 - 0.55 * (p["sgb2"] - 0.13)) * (0.88 + 0.01 * np.minimum(t - 2012, 12))
    svb = iround(svb_rate * a1565)
    svb_w = binom(rng, svb, 0.465 + 0.0015 * (t - 2012))
    d["svb"] = np.stack([svb - svb_w, svb_w], axis=1)

    # ---- income
    growth = np.cumprod([1.0] + [1.019 + (0.01 if y == 2020 else 0) + (0.03 if y == 2022 else 0)
                                 + (0.035 if y == 2023 else 0) for y in SIM_YEARS[1:]])
    je_ew = p["income"] * growth
    d["eink"] = iround(je_ew * d["einw_avg"] / 1000)

    # ---- Kindertagesbetreuung (Stichtag 01.03.t: children relative to 31.12.(t-1))
    prev_age = np.vstack([age[:1], age[:-1]])
    ramp = (1 - np.exp(-(t - 2012) / 5.0)) / (1 - np.exp(-12 / 5.0))  # 0 in 2012, 1 in 2024
    c3 = p["c3_start"] + (p["c3_end"] - p["c3_start"]) * ramp
    tp3 = p["tp3"]
    k03 = iround(c3 * (1 - tp3) * prev_age[:, 0])
    t03 = iround(c3 * tp3 * prev_age[:, 0])
    c36 = np.minimum(p["c36"] + 0.0015 * (t - 2012), 0.97)
    k36 = iround((c36 - 0.009) * prev_age[:, 1])
    t36 = iround(0.009 * prev_age[:, 1])
    k614 = iround((p["hort"] + 0.004 * (t - 2012)) * prev_age[:, 2])
    t614 = iround(0.003 * prev_age[:, 2])
    gt = np.stack([
        binom(rng, k03, p["gt"] + 0.006 * (t - 2012)),
        binom(rng, k36, p["gt"] + 0.05 + 0.006 * (t - 2012)),
        binom(rng, k614, p["gt"] - 0.08 + 0.004 * (t - 2012)),
    ], axis=1)
    kita = np.zeros((NY, 3, 2), dtype=np.int64)
    kita[:, :, 0] = np.stack([k03, k36, k614], axis=1)
    kita[:, :, 1] = gt
    d["kita"] = kita
    d["tpflege"] = np.stack([t03, t36, t614], axis=1)
    ktot = k03 + k36 + k614
    d["kita_einr"] = np.maximum(iround(ktot / (66 + 0.9 * (t - 2012)) * p["einr_f"]), 1)
    d["kita_plaetze"] = iround(ktot * (1.06 + 0.004 * (t - 2012)) / 10) * 10
    d["kita_personal"] = iround((1.9 * k03 + k36 + 0.55 * k614) / (5.9 - 0.075 * (t - 2012)))

    # ---- allgemein bildende Schulen (school year t/t+1, Stichtag autumn t)
    g = p["gym"]
    sek1 = 0.965 * age[:, 3] + age[:, 4] / 3
    oberstufe = age[:, 4] * 2 / 3 * (g + 0.06)
    haupt = p["haupt"] * np.exp(-0.13 * (t - 2012))
    igs = p["igs"] + 0.012 * (t - 2012)
    mbg = p["mbg"]
    real = np.maximum(1 - g - haupt - igs - mbg, 0.05)
    pupils = np.zeros((NY, 11), dtype=np.int64)
    pupils[:, 0] = iround(p["vorschule"] * age[:, 1])
    pupils[:, 1] = iround(0.955 * age[:, 2])
    pupils[:, 2] = iround(p["orient"] * age[:, 3])
    pupils[:, 3] = iround(haupt * sek1)
    pupils[:, 4] = iround(mbg * sek1)
    pupils[:, 5] = iround(real * sek1)
    pupils[:, 6] = iround(g * sek1 + 0.82 * oberstufe)
    pupils[:, 7] = iround(igs * sek1 + 0.18 * oberstufe)
    pupils[:, 8] = iround(p["waldorf"] * (age[:, 2] + age[:, 3] + age[:, 4]))
    pupils[:, 9] = iround(0.050 * np.exp(-0.012 * (t - 2012)) * (age[:, 2] + age[:, 3]))
    pupils[:, 10] = iround(p["abend"] * totals)
    fpath = np.array([FOREIGN_PATH[y] for y in SIM_YEARS])
    fchild = p["foreign"] * fpath * 0.95
    schueler = np.zeros((NY, 11, 3), dtype=np.int64)
    schueler[:, :, 0] = pupils
    schueler[:, :, 1] = binom(rng, pupils, np.array(FEMALE_BY_SCHULART)[None, :])
    schueler[:, :, 2] = binom(rng, pupils, fchild[:, None] * np.array(FOREIGN_BY_SCHULART)[None, :])
    d["schueler"] = schueler
    size = np.array(SCHOOL_SIZE, dtype=float) * p["school_size_f"]
    d["schulen"] = np.where(pupils > 0, np.maximum(iround(pupils / size[None, :]), 1), 0)

    # ---- Absolventen/Abgänger (school year t)
    cohort = iround(1.02 * age[:, 4] / 3)
    ohne = np.clip(0.040 + 0.32 * (q - 0.05), 0.035, 0.12)
    ohne = ohne * np.where((t >= 2016) & (t <= 2018), 1.08, 1.0)
    esa = np.clip(0.14 + 0.30 * (q - 0.13), 0.08, 0.24)
    fhr = np.full(NY, p["fhr"])
    ahr = np.clip(g - 0.02 + 0.002 * (t - 2012), 0.25, 0.45)
    msa = 1 - ohne - esa - fhr - ahr
    abg = np.zeros((NY, 5, 3), dtype=np.int64)
    for i in range(NY):
        abg[i, :, 0] = rng.multinomial(cohort[i], [ohne[i], esa[i], msa[i], fhr[i], ahr[i]])
    abg[:, :, 1] = binom(rng, abg[:, :, 0], np.array(FEMALE_BY_ABSCHLUSS)[None, :])
    foreign_abg = fchild[:, None] * np.array(FOREIGN_BY_ABSCHLUSS)[None, :]
    abg[:, :, 2] = binom(rng, abg[:, :, 0], foreign_abg)
    d["abg"] = abg

    # ---- Übergänge nach der Grundschule (into grade 5 of school year t)
    trans = iround(0.955 * age[:, 2] / 4)
    tg = np.clip(g + 0.03 + 0.003 * (t - 2012), 0.30, 0.55)
    th = np.minimum(haupt * 0.8, 0.2)
    tf = np.full(NY, 0.012)
    rest = 1 - tg - th - tf
    ub = np.zeros((NY, 6), dtype=np.int64)
    for i in range(NY):
        shares = [tg[i], rest[i] * real[i] / (real[i] + igs[i] + mbg),
                  rest[i] * igs[i] / (real[i] + igs[i] + mbg), th[i],
                  rest[i] * mbg / (real[i] + igs[i] + mbg), tf[i]]
        ub[i] = rng.multinomial(trans[i], shares)
    d["uebergang"] = ub

    # ---- berufliche Schulen, Ausbildung (at the place of school or training)
    c = p["central"]
    trend_bs = np.exp(-0.01 * (t - 2012))
    bvj_path = np.where((t >= 2016) & (t <= 2018), 1.45, 1.0)
    beruf = np.zeros((NY, 6, 3), dtype=np.int64)
    rate = np.array(BERUF_RATE)
    for j in range(6):
        tr = trend_bs if j == 0 else (bvj_path if j == 1 else 1.0)
        beruf[:, j, 0] = iround(rate[j] * c * totals * tr)
    beruf[:, :, 1] = binom(rng, beruf[:, :, 0], np.array(BERUF_FEMALE)[None, :])
    beruf[:, :, 2] = binom(rng, beruf[:, :, 0],
                           p["foreign"] * fpath[:, None] * np.array(BERUF_FOREIGN)[None, :])
    d["beruf"] = beruf
    azubi = iround(0.0152 * c * totals * np.exp(-0.008 * (t - 2012)))
    az_aus = binom(rng, azubi, p["foreign"] * fpath * 0.75)
    az_de = azubi - az_aus
    de_w = binom(rng, az_de, 0.36)
    aus_w = binom(rng, az_aus, 0.30)
    # azubi[:, sex(m, w), nat(deutsch, auslaendisch)]
    d["azubi"] = np.stack([np.stack([az_de - de_w, az_aus - aus_w], axis=1),
                           np.stack([de_w, aus_w], axis=1)], axis=1)
    covid_vertr = np.where(t == 2020, 0.90, np.where(t == 2021, 0.93, 1.0))
    vertr = iround(0.37 * azubi * covid_vertr)
    vertr_w = binom(rng, vertr, 0.355)
    d["vertraege"] = np.stack([vertr - vertr_w, vertr_w], axis=1)

    # ---- Hochschulen (Wintersemester t/t+1, at the seat of the Hochschule)
    s0 = p["students"]
    path = np.array([min(1.021 ** (y - 2012), 1.021 ** 4) * (0.992 ** max(y - 2020, 0))
                     for y in SIM_YEARS])
    stud = iround(s0 * path)
    stud_w = binom(rng, stud, p["stud_female"])
    stud_a = binom(rng, stud, 0.105 + 0.004 * (t - 2012))
    d["stud"] = np.stack([stud, stud_w, stud_a], axis=1)
    anf = iround(stud * 0.19 * np.where(t == 2021, 0.93, 1.0))
    d["anf"] = np.stack([anf, binom(rng, anf, 0.51)], axis=1)

    # ---- Weiterbildung and non-formale Bildung (by place of the institution)
    cov = np.array([COVID[y] for y in SIM_YEARS])
    kurse = iround(p["vhs"] * totals * cov)
    stunden = iround(kurse * p["vhs_h"])
    beleg = iround(kurse * 11.8 * np.where(cov < 1, 0.95, 1.0))
    beleg_w = binom(rng, beleg, 0.745)
    d["vhs"] = np.stack([kurse, stunden, beleg - beleg_w, beleg_w], axis=1)
    cov_b = np.where(t == 2020, 0.74, np.where(t == 2021, 0.80, 1.0))
    d["bib"] = np.stack([
        iround(p["bib"] * totals * np.exp(-0.012 * (t - 2012)) * cov_b),
        iround(p["bib_user"] * totals * cov_b),
    ], axis=1)
    d["musik"] = iround(p["musik"] * totals * np.where(t == 2020, 0.95, 1.0))
    young = age[:, 2:7].sum(axis=1)
    cov_j = np.where(t == 2020, 0.48, np.where(t == 2021, 0.62, np.where(t == 2022, 0.9, 1.0)))
    d["jugend"] = iround(p["jugend"] * young * cov_j)
    return d


def kreis_params(rng: np.random.Generator, info: tuple) -> dict:
    ags, name, city, pop2012, growth, sgb2, foreign, students, central = info
    social = (sgb2 - 0.13) / 0.1  # > 0: poorer than Deutschland
    return {
        "urban": rng.uniform(0.8, 1.2) if city else rng.uniform(-0.9, -0.3),
        "age_noise": np.exp(rng.normal(0, 0.035, NA)),
        "pop2012": pop2012,
        "growth": growth,
        "zensus": rng.uniform(0.972, 0.985) if city else rng.uniform(0.988, 0.999),
        "noise": rng.normal(0, 0.0008, NY),
        "male_tilt": rng.normal(0, 0.006),
        "foreign": foreign,
        "sgb2": sgb2,
        "sgb2_trend": rng.normal(-0.004, 0.006),
        "income": 21_000 * (1 - 0.55 * (sgb2 - 0.135)) * rng.uniform(0.95, 1.05)
        * (0.97 if city else 1.0),
        "c3_start": np.clip(
            0.26 + (0.05 if city else 0.0) - 0.03 * social + rng.normal(0, 0.02), 0.18, 0.34
        ),
        "c3_end": np.clip(
            0.40 + (0.05 if city else 0.0) - 0.04 * social + rng.normal(0, 0.03), 0.31, 0.50
        ),
        "tp3": rng.uniform(0.12, 0.30),
        "c36": np.clip(0.925 - 0.012 * social + rng.normal(0, 0.01), 0.88, 0.955),
        "hort": rng.uniform(0.04, 0.16) + (0.05 if city else 0.0),
        "gt": np.clip(0.45 + (0.10 if city else 0.0) + rng.normal(0, 0.05), 0.36, 0.62),
        "einr_f": rng.uniform(0.9, 1.15),
        "gym": float(
            np.clip(0.40 - 0.06 * social + (0.02 if city else 0) + rng.normal(0, 0.02), 0.31, 0.48)
        ),
        "haupt": float(np.clip(0.10 + 0.015 * social + rng.normal(0, 0.02), 0.04, 0.16)),
        "igs": float(np.clip(0.16 + (0.06 if city else 0) + rng.normal(0, 0.04), 0.06, 0.30)),
        "mbg": float(rng.choice([0.0, 0.0, 0.04, 0.08])),
        "vorschule": 0.0,
        "orient": 0.0,
        "waldorf": float(0.008 if city else rng.choice([0.0, 0.0, 0.005])),
        "abend": 0.00055 if city else 0.0,
        "school_size_f": 1.15 if city else rng.uniform(0.8, 1.0),
        "fhr": float(rng.choice([0.0, 0.0, 0.006, 0.012])),
        "central": central,
        "students": students,
        "stud_female": 0.50 if students > 10_000 else 0.41,
        "vhs": rng.uniform(0.0056, 0.0092),
        "vhs_h": rng.uniform(25, 31),
        "bib": rng.uniform(3.2, 6.5) * (1.15 if city else 0.9),
        "bib_user": rng.uniform(0.07, 0.12),
        "musik": rng.uniform(0.012, 0.022),
        "jugend": rng.uniform(0.10, 0.24),
    }


def dg_params() -> dict:
    """Deutschland as one region with German average parameters (no randomness)."""
    return {
        "urban": 0.0, "age_noise": np.ones(NA), "fixed_totals": DG_POP, "growth": 0.004,
        "noise": np.zeros(NY),
        "male_tilt": 0.0, "foreign": 0.152, "sgb2": 0.140, "sgb2_trend": -0.003,
        "income": 20_250, "c3_start": 0.262, "c3_end": 0.372, "tp3": 0.15, "c36": 0.925,
        "hort": 0.13, "gt": 0.50, "einr_f": 1.0, "gym": 0.40, "haupt": 0.10, "igs": 0.17,
        "mbg": 0.06, "vorschule": 0.011, "orient": 0.026, "waldorf": 0.0085, "abend": 0.00062,
        "school_size_f": 1.0, "fhr": 0.002, "central": 1.0, "students": 2_499_400,
        "stud_female": 0.48, "vhs": 0.0068, "vhs_h": 28.0, "bib": 4.4, "bib_user": 0.085,
        "musik": 0.017, "jugend": 0.16,
    }


def simulate_all(rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
    data: dict[str, dict[str, np.ndarray]] = {}
    for info in KREISE:
        params = kreis_params(rng, info)
        data[info[0]] = simulate_region(rng, params)
    data["DG"] = simulate_region(rng, dg_params())
    # Gebietsreform: 99155 is part of 99154 from 2016 on
    m = yi(MERGE_YEAR)
    for key, arr in data[DISSOLVED].items():
        if key == "q_u15":
            continue
        data[ABSORBING][key][m:] = data[ABSORBING][key][m:] + arr[m:]
        arr[m:] = 0
    # aggregates
    keys = [k for k in data["99101"] if k != "q_u15"]
    for rb, _ in REGBEZ:
        members = [k for k in KREIS_CODES if regbez_of(k) == rb]
        data[rb] = {key: sum(data[k][key] for k in members) for key in keys}
    data[LAND[0]] = {key: sum(data[k][key] for k in KREIS_CODES) for key in keys}
    return data


def dissolved(ags: str, year: int) -> bool:
    return ags == DISSOLVED and year >= MERGE_YEAR


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

STAND = {
    "12411-02-03-4": "14.06.2025 / 10:21:07",
    "12411-03-03-4": "14.06.2025 / 10:24:51",
    "21111-01-03-4": "03.03.2025 / 14:02:33",
    "21111-02-06-4_stand-2019": "11.12.2019 / 09:45:12",
    "21111-02-06-4_stand-2025": "03.03.2025 / 14:09:18",
    "21121-01-02-4": "05.03.2025 / 08:55:40",
    "21311-01-01-4": "20.02.2025 / 11:37:02",
    "11111-01-01-4": "24.10.2025 / 09:12:30",
    "13211-02-05-4": "09.07.2025 / 11:01:42",
    "21121-02-02-4": "12.03.2025 / 10:44:21",
    "22543-03-01-4": "30.09.2025 / 10:12:44",
    "22543-04-01-4": "30.09.2025 / 10:15:02",
    "82411-01-03-4": "28.08.2025 / 13:27:18",
}

FICTIONAL_NOTE = "Fiktive Beispieldaten (Musterland) für bimokit, keine amtlichen Werte."
REFORM_NOTE = (
    "Musterland (ab Berichtsjahr 2016): Gebietsstand 01.01.2016; der Landkreis "
    "Altmusterkreis (99155) wurde zum 01.01.2016 in den Landkreis Eichwaldkreis (99154) "
    "eingegliedert."
)
COPYRIGHT = (
    '"© bimokit, fiktive Daten, CC0.\n'
    "Nachbildung des Formats der Statistischen Ämter des Bundes\n"
    'und der Länder; keine amtlichen Werte."'
)


def cell(value, status: str = "") -> str:
    """Format one published cell: integers, `-` for zero, the symbol where there is no value."""
    if status in (".", "x", "...", "/"):
        return status
    v = int(value)
    if status == "()":
        return f"({v})"
    if v == 0 and status == "":
        return "-"
    return f"{v}{status}"


def notes_block(sections: list[tuple[str, list[str]]], blank: str = " ") -> str:
    """The quoted notes field: ``zu ""x"":`` sections, wrapped at 60 characters."""
    parts = []
    for head, paragraphs in sections:
        lines = [f'zu ""{head}"":']
        for para in paragraphs:
            if para == FICTIONAL_NOTE:  # kept on one line so that it can be found
                lines.append(para)
                continue
            lines.extend(textwrap.wrap(para.replace('"', '""'), 60, break_on_hyphens=False))
        parts.append("\n".join(lines))
    return '"' + f"\n{blank}\n".join(parts) + '"'


def write_classic(path: Path, code: str, stand: str, title: list[str], statistic: str,
                  measure: str | None, header: list[list[str]], body: list[str | list[str]],
                  notes: str, ncol: int, block_first: str | None = None) -> None:
    """Write a classic GENESIS CSV (ISO-8859-1, ``;``, ``\\n``).

    ``body`` holds rows (lists of fields) and block lines (a year as str). When ``block_first``
    is given it is written before the header, as in the real single-year exports.
    """
    pad = ";" * (ncol - 1)
    out = [f"GENESIS-Tabelle: {code}"]
    out += [line + pad for line in title]
    out.append("regionale Tiefe: Kreise und krfr. Städte" + pad)
    out.append(statistic + pad)
    if measure:
        out.append(measure + pad)
    if block_first is not None:
        out.append(block_first + pad)
    for row in header:
        assert len(row) == ncol, (code, len(row), ncol)
        out.append(";".join(row))
    for row in body:
        if isinstance(row, str):
            out.append(row + pad)
        else:
            assert len(row) == ncol, (code, row)
            out.append(";".join(row))
    out.append("__________")
    out.append(notes)
    out.append(COPYRIGHT)
    out.append(f"Stand: {stand}")
    path.write_bytes(("\n".join(out) + "\n").encode("iso-8859-1"))


def standard_notes(extra: list[tuple[str, list[str]]] | None = None) -> str:
    sections = [("gesamte Tabelle", [FICTIONAL_NOTE, REFORM_NOTE])]
    return notes_block(sections + (extra or []))


def year_rows(data, year: int, style: str = "A"):
    """Yield (ags, published name, region data) for the rows of one year."""
    for ags, name in region_rows(style):
        yield ags, name, data[ags]


def write_12411_02_03(out: Path, data) -> None:
    ncol = 2 + 3 * (NA + 1)
    header = [
        ["", ""] + [s for s in ("Insgesamt", "männlich", "weiblich") for _ in range(NA + 1)],
        ["", ""] + ["Altersgruppen (unter 3 bis 75 u. m.)"] * (3 * (NA + 1)),
        ["", ""] + (AGE_LABELS + ["Insgesamt"]) * 3,
    ]
    body: list = []
    for year in YEARS:
        if year != YEARS[0]:
            body.append(str(year))
        i = yi(year)
        for ags, name, d in year_rows(data, year):
            pop = d["pop"][i]  # (NA, 2)
            vals = []
            for sex in (None, 0, 1):
                col = pop.sum(axis=1) if sex is None else pop[:, sex]
                vals += [cell(v) for v in col] + [cell(col.sum())]
            body.append([ags, name] + vals)
    write_classic(
        out / "12411-02-03-4.csv", "12411-02-03-4", STAND["12411-02-03-4"],
        ["Bevölkerung nach Geschlecht und Altersgruppen (17) -", "Stichtag 31.12. -"],
        "Fortschreibung des Bevölkerungsstandes", "Bevölkerungsstand (Anzahl)", header, body,
        standard_notes([("Bevölkerungsstand", [
            "Musterland (ab 31.12.2022): Ergebnisse auf Grundlage des Zensus 2022; "
            "mit den Vorjahren nur eingeschränkt vergleichbar."])]),
        ncol, block_first=str(YEARS[0]),
    )


def write_12411_03_03(out: Path, data) -> None:
    ncol = 6
    header = [
        ["", "", ""] + ["Nationalität"] * 3,
        ["", "", "", "Insgesamt", "Deutsche", "Ausländer"],
    ]
    body = []
    for year in YEARS:
        i = yi(year)
        for ags, name, d in year_rows(data, year):
            tot = d["pop"][i].sum()
            fo = d["foreign"][i]
            body.append([str(year), ags, name, cell(tot), cell(tot - fo), cell(fo)])
    write_classic(
        out / "12411-03-03-4.csv", "12411-03-03-4", STAND["12411-03-03-4"],
        ["Bevölkerung nach Nationalität - Stichtag 31.12. -"],
        "Fortschreibung des Bevölkerungsstandes", "Bevölkerungsstand (Anzahl)", header, body,
        standard_notes(), ncol,
    )


# planted secret cells (Kreis, Schulart index, years): foreign pupils at small schools
SECRET_21111 = [("99202", 10, range(2013, 2017)), ("99302", 10, range(2013, 2017)),
                ("99353", 9, range(2019, 2022)), ("99256", 8, range(2012, 2016))]
# planted unreliable (/) and limited (()) foreign counts in 21121-01-02-4
UNSURE_21121 = [("99157", 4, range(2012, 2015), "/"), ("99253", 5, range(2020, 2025), "()"),
                ("99353", 5, range(2020, 2025), "()")]


def school_status(ags: str, year: int, schulart: int, col: int, value: int) -> str:
    """Planted symbols of 21111-01-03-4 (col: 0 schools, 1 pupils, 2 weiblich, 3 Ausländer)."""
    if len(ags) != 5 or col != 3 or dissolved(ags, year):
        return ""
    if any(ags == k and schulart == j and year in ys for k, j, ys in SECRET_21111):
        return "."
    return ""


# Share of a school type's pupils in the 7. Klassenstufe and in the 11. Jahrgangsstufe /
# Einführungsphase (None: the type has no such grade, published "x")
GRADE_SHARE = {
    7: [None, None, None, 1 / 5, 1 / 6, 1 / 6, 1 / 8.5, 1 / 8, 1 / 12, 1 / 10, None],
    11: [None, None, None, None, None, None, 1 / 8.5, 1 / 14, 1 / 12, 1 / 60, None],
}


def grade_counts(data) -> dict[str, np.ndarray]:
    """Pupils of the 7. Klassenstufe and the 11. Jahrgangsstufe, (NY, 11 Schularten, 2).

    Kreise and Deutschland from their own pupils; Regierungsbezirke and the Land as the sums of
    their Kreise (so that they add up exactly, as every count of the sample). No randomness.
    """
    def own(d):
        out = np.zeros((NY, 11, 2), dtype=np.int64)
        for g, grade in enumerate((7, 11)):
            for j, f in enumerate(GRADE_SHARE[grade]):
                if f is not None:
                    out[:, j, g] = iround(d["schueler"][:, j, 0] * f)
        return out

    res = {k: own(data[k]) for k in KREIS_CODES}
    res["DG"] = own(data["DG"])
    for rb, _ in REGBEZ:
        res[rb] = sum(res[k] for k in KREIS_CODES if regbez_of(k) == rb)
    res[LAND[0]] = sum(res[k] for k in KREIS_CODES)
    return res


def write_21111_01_03(out: Path, data) -> None:
    ncol = 9
    klasse = "Klassenstufe / Jahrgangsstufe / Schulbesuchsjahr"
    header = [
        ["", "", "", "Allgemein bildende Schulen"]
        + ["Schüler(innen) an allgemein bildenden Schulen"] * 5,
        ["", "", "", "", "Geschlecht", "Geschlecht", "Nationalität", klasse, klasse],
        ["", "", "", "", "Insgesamt", "weiblich", "Ausländer(innen)", "7. Klassenstufe",
         "11. Jahrgangsstufe / Einführungsphase"],
        ["", "", ""] + ["Anzahl"] * 6,
    ]
    grades = grade_counts(data)
    body: list = []
    for year in YEARS:
        if year != YEARS[0]:
            body.append(str(year))
        i = yi(year)
        for ags, name, d in year_rows(data, year):
            sch = d["schulen"][i]
            pup = d["schueler"][i]
            gr = grades[ags][i]
            for j, label in enumerate(SCHULARTEN + ["Insgesamt"]):
                if j < 11:
                    vals = [sch[j], pup[j, 0], pup[j, 1], pup[j, 2]]
                    cells = [cell(v, school_status(ags, year, j, c, v)) for c, v in enumerate(vals)]
                    cells += ["x" if GRADE_SHARE[grade][j] is None and not dissolved(ags, year)
                              else cell(gr[j, g]) for g, grade in enumerate((7, 11))]
                else:
                    tot = pup.sum(axis=0)
                    # schools of several types are counted once per type: total not meaningful
                    school_total = "x" if len(ags) < 5 else cell(sch.sum())
                    cells = [school_total, cell(tot[0]), cell(tot[1]), cell(tot[2]),
                             cell(gr[:, 0].sum()), cell(gr[:, 1].sum())]
                body.append([ags, name, label] + cells)
    write_classic(
        out / "21111-01-03-4.csv", "21111-01-03-4", STAND["21111-01-03-4"],
        ["Allgemeinbildende Schulen: Schulen, Schüler nach Schulart",
         "- Stichtag: Schuljahresbeginn -"],
        "Statistik der allgemein bildenden Schulen", None, header, body,
        standard_notes([
            ("Anzahl der Schulen", [
                "Organisatorische Einheiten, die mehrere Schularten führen, werden bei jeder "
                "Schulart gezählt; die Summe über die Schularten ist oberhalb der Kreisebene "
                "nicht sinnvoll (x)."]),
            ("Schüler an allgemein bildenden Schulen", [
                "Schuljahr 2015 = Schuljahr 2015/16. Kleine Fallzahlen ausländischer "
                "Schüler(innen) an Förderschulen, Freien Waldorfschulen und Abendschulen sind "
                "auf Kreisebene geheim gehalten (.)."]),
        ]),
        ncol, block_first=str(YEARS[0]),
    )


def abg_revision(ags: str, year: int) -> np.ndarray:
    """Difference (final minus first edition) of one Kreis's 21111-02-06-4 counts."""
    rev = np.zeros((5, 3), dtype=np.int64)
    if ags in REVISED_KREISE and year in (2017, 2018):
        k = REVISED_KREISE.index(ags) + (year - 2017)
        rev[2, 0] = 3 + k  # mittlerer Abschluss
        rev[2, 1] = 1 + k % 2
        rev[0, 0] = -1 - k % 2  # ohne Abschluss
        rev[0, 2] = -(k % 2)
    return rev


def write_21111_02_06(out: Path, data) -> None:
    ncol = 3 + 6 * 3
    editions = [
        ("21111-02-06-4_stand-2019", range(2012, 2019), ["Insgesamt"] + ABSCHLUESSE_2019, False),
        ("21111-02-06-4_stand-2025", range(2017, 2025), ["Insgesamt"] + ABSCHLUESSE_2025, True),
    ]
    for fname, years, labels, final in editions:
        header = [
            ["", "", ""] + ["Schulabschluss"] * 18,
            ["", "", ""] + [lab for lab in labels for _ in range(3)],
            ["", "", ""] + ["Geschlecht", "Geschlecht", "Nationalität"] * 6,
            ["", "", ""] + ["Insgesamt", "weiblich", "Ausländer(innen)"] * 6,
        ]
        body = []
        for year in years:
            i = yi(year)
            # the first edition holds the not yet revised counts of REVISED_KREISE
            kreis_abg = {
                k: data[k]["abg"][i] - (0 if final else abg_revision(k, year)) for k in KREIS_CODES
            }
            agg = dict(kreis_abg)
            for rb, _ in REGBEZ:
                agg[rb] = sum(kreis_abg[k] for k in KREIS_CODES if regbez_of(k) == rb)
            agg[LAND[0]] = sum(kreis_abg.values())
            agg["DG"] = data["DG"]["abg"][i]
            for ags, name in region_rows("A"):
                a = agg[ags]
                rows = [a.sum(axis=0)] + [a[j] for j in range(5)]
                body.append([str(year), ags, name] + [cell(v) for r in rows for v in r])
        notes = standard_notes([
            ("Absolventen/Abgänger", [
                "Schuljahr 2015 = Abgangsjahr am Ende des Schuljahres 2015/16; einschl. "
                "Schulfremdenprüfung."]),
        ] + ([("Schulabschluss", [
            "Ab dieser Ausgabe: Erster Schulabschluss (bisher Hauptschulabschluss) und "
            "mittlerer Schulabschluss (bisher Mittlerer Abschluss). Die Ergebnisse 2017 und "
            "2018 wurden für einzelne Kreise berichtigt."])] if final else []))
        write_classic(
            out / f"{fname}.csv", "21111-02-06-4", STAND[fname],
            ["Allgemeinbildende Schulen: Absolventen/Abgänger",
             "nach dem Schulabschluss - Schuljahr -"],
            "Statistik der allgemein bildenden Schulen", "Absolventen/Abgänger (Anzahl)", header,
            body, notes, ncol,
        )


def beruf_status(ags: str, year: int, j: int, col: int, value: int) -> str:
    if len(ags) != 5 or col != 2 or dissolved(ags, year):
        return ""
    for k, jj, ys, status in UNSURE_21121:
        if ags == k and j == jj and year in ys:
            return status
    return ""


def write_21121_01_02(out: Path, data) -> None:
    ncol = 7
    header = [
        ["", "", "", ""] + ["Schüler(innen) an beruflichen Schulen"] * 3,
        ["", "", "", "", "Geschlecht", "Geschlecht", "Nationalität"],
        ["", "", "", "", "Insgesamt", "weiblich", "Ausländer(innen)"],
        ["", "", "", "", "Anzahl", "Anzahl", "Anzahl"],
    ]
    body = []
    for year in YEARS:
        i = yi(year)
        for ags, name, d in year_rows(data, year):
            b = d["beruf"][i]
            for j, label in enumerate(BERUF_SCHULARTEN + ["Insgesamt"]):
                vals = b[j] if j < 6 else b.sum(axis=0)
                cells = [cell(v, beruf_status(ags, year, j, c, v) if j < 6 else "")
                         for c, v in enumerate(vals)]
                body.append([str(year), ags, name, label] + cells)
    write_classic(
        out / "21121-01-02-4.csv", "21121-01-02-4", STAND["21121-01-02-4"],
        ["Berufliche Schulen: Schüler nach Schularten, Geschlecht",
         "und Nationalität - Schuljahr -"],
        "Statistik der beruflichen Schulen", None, header, body,
        standard_notes([("Ausländer(innen)", [
            "Kleine Fallzahlen an Beruflichen Gymnasien und Fachschulen: Zahlenwert nicht "
            "sicher genug (/) bzw. Aussagewert eingeschränkt (Wert in Klammern)."])]),
        ncol,
    )


def write_21311_01_01(out: Path, data) -> None:
    ncol = 8
    s = "Studierende"
    a = "Studienanfänger/-innen im 1. Hochschulsemester"
    header = [
        ["", "", "", s, s, s, a, a],
        ["", "", "", "Geschlecht", "Geschlecht", "Nationalität", "Geschlecht", "Geschlecht"],
        ["", "", "", "Insgesamt", "weiblich", "Ausländer(innen)", "Insgesamt", "weiblich"],
        ["", "", ""] + ["Anzahl"] * 5,
    ]
    body = []
    for year in YEARS:
        i = yi(year)
        for ags, name, d in year_rows(data, year):
            vals = list(d["stud"][i]) + list(d["anf"][i])
            body.append([str(year), ags, name] + [cell(v) for v in vals])
    write_classic(
        out / "21311-01-01-4.csv", "21311-01-01-4", STAND["21311-01-01-4"],
        ["Studierende nach Geschlecht und Nationalität sowie",
         "Studienanfänger nach Geschlecht - Wintersemester -"],
        "Statistik der Studenten", None, header, body,
        standard_notes([("Studierende", [
            "Nachweis am Hochschulstandort; Kreise ohne Hochschule: nichts vorhanden (-). "
            "Wintersemester 2015 = Wintersemester 2015/16."])]),
        ncol,
    )


def write_82411_01_03(out: Path, data) -> None:
    ncol = 5
    header = [
        ["", "", "", "verfügbares Einkommen der privaten Haushalte",
         "verfüg. Einkommen der priv. Haushalte je Einwohner"],
        ["", "", "", "Tsd. EUR", "EUR"],
    ]
    body = []
    for year in YEARS:
        i = yi(year)
        for ags, name, d in year_rows(data, year, style="B"):
            e = int(d["eink"][i])
            je = int(round(e * 1000 / d["einw_avg"][i])) if e else 0
            st = "p" if year == YEARS[-1] and not dissolved(ags, year) else ""
            st_je = "..." if (year == YEARS[-1] and ags == "DG") else st
            body.append([str(year), ags, name, cell(e, st), cell(je, st_je)])
    notes = notes_block([
        ("gesamte Tabelle", [
            FICTIONAL_NOTE, REFORM_NOTE,
            "Berichtsjahr 2024: vorläufige Ergebnisse (p); Deutschland je Einwohner: Angabe "
            "fällt später an (...)."]),
        ("Verfügbares Einkommen je Einwohner", [
            "Die Einwohner werden als Jahresdurchschnittszahl ausgewiesen."]),
    ])
    # the real export puts an unquoted "Berechnungsstand" line first; keep that shape
    notes = '"Berechnungsstand: August 2025"\n' + notes
    write_classic(
        out / "82411-01-03-4.csv", "82411-01-03-4", STAND["82411-01-03-4"],
        ["Verfügbares Einkommen der privaten Haushalte einschließlich",
         "privater Organisationen ohne Erwerbszweck - Jahressumme -"],
        "VGR der Länder: Umverteilungsrechnung", None, header, body, notes, ncol,
    )


def kita_quota(d: dict, d_old: dict | None, year: int, age: int) -> list[float]:
    """Published Betreuungsquoten (%, one decimal) of one region: insgesamt, Einrichtungen,
    Tagespflege; children on 01.03. over the population of the same age on 31.12. of the year
    before (on the territory of the Stichtag: ``d_old`` is a Kreis merged into the region)."""
    i = yi(year)
    base = d["pop"][i - 1, age].sum() + (d_old["pop"][i - 1, age].sum() if d_old else 0)
    kita, tp = d["kita"][i, age, 0], d["tpflege"][i, age]
    if base == 0:  # a dissolved Kreis
        return [0.0, 0.0, 0.0]
    return [round(100 * v / base, 1) for v in (kita + tp, kita, tp)]


def quota_cell(q: float, ags: str, year: int) -> str:
    return "-" if dissolved(ags, year) else f"{q:.1f}".replace(".", ",")


def write_22543_quotas(out: Path, data) -> None:
    """22543-03-01-4 (unter 3 Jahre) and 22543-04-01-4 (nach Altersgruppen): the quotas."""
    kinds = ["Insgesamt"] + [label for _, label in KITA_ART]
    ages = [(0, "unter 3 Jahre"), (1, "3 bis unter 6 Jahre")]
    notes = standard_notes([("Betreuungsquote", [
        "Betreute Kinder am 01.03. je 100 Kinder der gleichen Altersgruppe am 31.12. des "
        "Vorjahres (Gebietsstand des Stichtags). Kinder in Kindertagespflege, die zusätzlich "
        "eine Kindertageseinrichtung besuchen, werden bei \"Insgesamt\" nur einmal gezählt."])])
    for code, title, age_cols in (
        ("22543-03-01-4", ["Betreute Kinder von unter 3 Jahren und Betreuungsquoten nach",
                           "Art der Kindertagesbetreuung - Stichtag -"], ages[:1]),
        ("22543-04-01-4", ["Betreute Kinder von unter 14 Jahren und Betreuungsquoten",
                           "nach Art der Kindertagesbetreuung - Stichtag -"], ages),
    ):
        n = 3 * len(age_cols)
        header = [["", "", ""] + ["Betreuungsquote"] * n]
        if len(age_cols) > 1:
            header += [["", "", ""] + ["Altersgruppen"] * n,
                       ["", "", ""] + [label for _, label in age_cols for _ in range(3)]]
        header += [["", "", ""] + ["Art der Kindertagesbetreuung"] * n,
                   ["", "", ""] + kinds * len(age_cols),
                   ["", "", ""] + ["Prozent"] * n]
        body = []
        for year in YEARS:
            for ags, name in region_rows("B"):
                d = data[ags]
                old = data[DISSOLVED] if ags == ABSORBING and year == MERGE_YEAR else None
                cells = [quota_cell(q, ags, year) for a, _ in age_cols
                         for q in kita_quota(d, old, year, a)]
                body.append([f"01.03.{year}", ags, name] + cells)
        write_classic(out / f"{code}.csv", code, STAND[code], title,
                      "Statistik der Kinder in Tageseinrichtungen und in öffentlich geförderter "
                      "Kindertagespflege", None, header, body, notes, 3 + n)


DG_AREA = 357_588.0  # km², Deutschland 31.12.2021 (11111-01-01-4)


def kreis_area_hundredths(ags: str, year: int) -> int:
    """Area of a Kreis in 1/100 km² on 31.12. of ``year`` (Gebietsstand of that day): its cells
    of the fictional map (MAIN_GRID, musterland.geojson) in km² at Musterland's latitude."""
    cell_km2 = (CELL_LON * 111.32 * float(np.cos(np.radians(LAT0 - 3 * CELL_LAT)))
                * CELL_LAT * 110.57)
    cells = sum(line.count(ags) for line in MAIN_GRID)
    if ags == ABSORBING and year >= MERGE_YEAR:
        cells += sum(line.count(DISSOLVED) for line in MAIN_GRID)
    if dissolved(ags, year):
        return 0
    # each Kreis a little different from the grid (shapes are wobbly): ± 4 % by its code
    wobble = 1 + 0.04 * np.sin(int(ags) * 1.7)
    return int(round(cells * cell_km2 * wobble * 100))


def hundredths(v: int) -> str:
    return "-" if v == 0 else f"{v // 100},{v % 100:02d}"


def write_11111_01_01(out: Path, data) -> None:
    header = [["", "", "", "Gebietsfläche"], ["", "", "", "qkm"]]
    body = []
    for year in YEARS:
        area = {k: kreis_area_hundredths(k, year) for k in KREIS_CODES}
        for rb, _ in REGBEZ:
            area[rb] = sum(area[k] for k in KREIS_CODES if regbez_of(k) == rb)
        area[LAND[0]] = sum(area[k] for k in KREIS_CODES)
        area["DG"] = int(DG_AREA * 100)
        for ags, name in region_rows("B"):
            body.append([f"31.12.{year}", ags, name, hundredths(area[ags])])
    write_classic(
        out / "11111-01-01-4.csv", "11111-01-01-4", STAND["11111-01-01-4"],
        ["Gebietsfläche in qkm - Stichtag 31.12. -"], "Feststellung des Gebietsstands", None,
        header, body, standard_notes([("Gebietsfläche", [
            "Fläche der Gebietseinheit in Quadratkilometern (qkm); ab 2016 Gebietsstand nach "
            "der Eingliederung von 99155 in 99154."])]), 4)


def alo_quotas(d: dict, year: int) -> list[float]:
    """Arbeitslosenquoten (%, one decimal) of one region: alle zivilen Erwerbspersonen
    insgesamt, Männer, Frauen, Ausländer, 15 bis unter 25 Jahre; abhängige zivile
    Erwerbspersonen. Erwerbspersonen from SV-Beschäftigte (plus Beamte and Selbständige) and
    Arbeitslose; no randomness."""
    i = yi(year)
    alo, svb = d["alo"][i], d["svb"][i]  # (m, w)
    if alo.sum() == 0:
        return [0.0] * 6
    ep = iround(svb * 1.21) + alo
    pop = d["pop"][i].sum()
    foreign = d["foreign"][i] / pop
    alo_aus = iround(alo.sum() * min(0.6, 2.2 * foreign))
    ep_aus = iround(ep.sum() * foreign * 0.95)
    alo_j = iround(alo.sum() * 0.085)
    ep_j = iround(d["pop"][i, 4:7].sum() * 0.52)
    abh = iround(svb.sum() * 1.07) + alo.sum()
    pairs = [(alo.sum(), ep.sum()), (alo[0], ep[0]), (alo[1], ep[1]), (alo_aus, ep_aus),
             (alo_j, ep_j), (alo.sum(), abh)]
    return [round(100 * a / b, 1) for a, b in pairs]


def write_13211_02_05(out: Path, data) -> None:
    q_all = "Arbeitslosenquote bez. auf alle zivile Erwerbsp."
    q_abh = "Arbeitslosenquote bez. abh. zivile Erwerbspers."
    header = [
        ["", "", "", q_abh] + [q_all] * 5,
        ["", "", "", "", "", "Männer", "Frauen", "ausländisch", "15 bis unter 25 Jahre"],
        ["", "", ""] + ["Prozent"] * 6,
    ]
    body = []
    for year in YEARS:
        for ags, name, d in year_rows(data, year, style="B"):
            q = alo_quotas(d, year)
            cells = [quota_cell(v, ags, year) for v in [q[5], *q[:5]]]
            body.append([str(year), ags, name] + cells)
    write_classic(
        out / "13211-02-05-4.csv", "13211-02-05-4", STAND["13211-02-05-4"],
        ["Arbeitslose nach ausgewählten Personengruppen sowie",
         "Arbeitslosenquoten - Jahresdurchschnitt - (ab 2009)"],
        "Arbeitsmarktstatistik der Bundesagentur für Arbeit", None, header, body,
        standard_notes([("Arbeitslosenquote", [
            "Auszug: nur die Arbeitslosenquoten. Arbeitslose im Jahresdurchschnitt je 100 "
            "zivile Erwerbspersonen (alle bzw. abhängige); die Quoten werden von der "
            "Bundesagentur für Arbeit auch für Land und Bund veröffentlicht, nicht aus "
            "Kreisquoten gemittelt."])]), 9)


BERUF_ABSCHLUESSE = ["mit Hauptschulabschluss", "mit Mittlerem Abschluss", "Fachhochschulreife",
                     "Allg. Hochschulreife-einschl.fachge.Hochschulreife"]
BERUF_ABSCHLUSS_SHARE = [0.19, 0.27, 0.32, 0.22]
BERUF_ABSCHLUSS_FEMALE = [0.41, 0.43, 0.34, 0.57]


def beruf_abschluesse(data) -> dict[str, np.ndarray]:
    """Absolvierende beruflicher Schulen mit allgemeinbildendem Abschluss, (NY, 4 Abschlüsse,
    [insgesamt, weiblich]) plus the memo count (schulischer Teil der Fachhochschulreife),
    (NY, 2); Kreise and Deutschland from their pupils, Bezirke and Land summed."""
    def own(d, ags):
        out = np.zeros((NY, 5, 2), dtype=np.int64)
        # each Kreis its own mix of school types (by its code; no randomness)
        tilt = 1 + 0.25 * np.sin(0.37 * (int(ags) if ags.isdigit() else 0) + np.arange(4))
        for i in range(NY):
            total = int(round(0.055 * d["beruf"][i, :, 0].sum()))
            parts = split_total(total, np.array(BERUF_ABSCHLUSS_SHARE) * tilt)
            out[i, :4, 0] = parts
            out[i, :4, 1] = iround(parts * np.array(BERUF_ABSCHLUSS_FEMALE))
            out[i, 4, 0] = int(round(0.1 * total))
            out[i, 4, 1] = int(round(0.05 * total))
        return out

    res = {k: own(data[k], k) for k in KREIS_CODES}
    res["DG"] = own(data["DG"], "DG")
    for rb, _ in REGBEZ:
        res[rb] = sum(res[k] for k in KREIS_CODES if regbez_of(k) == rb)
    res[LAND[0]] = sum(res[k] for k in KREIS_CODES)
    return res


def write_21121_02_02(out: Path, data) -> None:
    a, memo = "Absolvierende/Abgehende", "nachrichtl.: zus.erw.schul.Teil d. Fachhochs.reife"
    header = [
        ["", "", ""] + [a] * 10 + [memo] * 2,
        ["", "", "", "Geschlecht", "Geschlecht"] + ["davon mit"] * 8 + ["Geschlecht"] * 2,
        ["", "", "", "Insgesamt", "weiblich"] + [x for x in BERUF_ABSCHLUESSE for _ in range(2)]
        + ["Insgesamt", "weiblich"],
        ["", "", "", "", ""] + ["Geschlecht"] * 8 + ["", ""],
        ["", "", "", "", ""] + ["Insgesamt", "weiblich"] * 4 + ["", ""],
        ["", "", ""] + ["Anzahl"] * 12,
    ]
    counts = beruf_abschluesse(data)
    body = []
    for year in YEARS:
        i = yi(year)
        for ags, name in region_rows("B"):
            c = counts[ags][i]
            vals = [c[:4, 0].sum(), c[:4, 1].sum(), *c[:4].reshape(-1), c[4, 0], c[4, 1]]
            body.append([str(year), ags, name] + [cell(v) for v in vals])
    write_classic(
        out / "21121-02-02-4.csv", "21121-02-02-4", STAND["21121-02-02-4"],
        ["Absolvierende/Abgehende beruflicher Schulen nach Geschlecht und",
         "Abschlussarten - Schuljahr -"],
        "Statistik der beruflichen Schulen", None, header, body,
        standard_notes([("Absolvierende/Abgehende", [
            "Absolvierende und Abgehende beruflicher Schulen, die einen allgemeinbildenden "
            "Schulabschluss erworben haben, nach Abschlussart. Schuljahr 2023 = Abgangsjahr am "
            "Ende des Schuljahres 2022/23."])]), 15)


# ---- flat files


FLAT_HEAD = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
FLAT_TAIL = ["value", "value_unit", "value_variable_code", "value_variable_label"]


def write_flat(path: Path, stat: tuple[str, str], time: tuple[str, str],
               dims: list[tuple[str, str]],
               rows: list[tuple]) -> None:
    """Write a GENESIS flat CSV (UTF-8 with BOM, ``;``, ``\\n``).

    ``dims``: (variable code, label) of the classifying variables after KREISE; ``rows``:
    (time, ags, [(attr_code, attr_label) per dim], value str, unit, var code, var label).
    """
    cols = list(FLAT_HEAD)
    for k in range(1, len(dims) + 2):
        cols += [f"{k}_variable_code", f"{k}_variable_label", f"{k}_variable_attribute_code",
                 f"{k}_variable_attribute_label"]
    cols += FLAT_TAIL
    lines = [";".join(cols)]
    for tval, ags, attrs, value, unit, vcode, vlabel in rows:
        fields = [stat[0], stat[1], time[0], time[1], tval,
                  "KREISE", "Kreise und kreisfreie Städte", ags, kreis_name(ags, "B")]
        for (dcode, dlabel), (acode, alabel) in zip(dims, attrs, strict=True):
            fields += [dcode, dlabel, acode, alabel]
        fields += [value, unit, vcode, vlabel]
        assert len(fields) == len(cols)
        lines.append(";".join(fields))
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))


def flat_value(v, ags: str, year: int) -> str:
    if dissolved(ags, year):
        return "-"
    return str(int(v))


def write_flat_files(out: Path, data) -> None:
    ges = ("GES", "Geschlecht")
    ges_attrs = [("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")]
    nat = ("NAT", "Nationalität")
    nat_attrs = [("", "Insgesamt"), ("NATD", "Deutsche"), ("NATA", "Ausländer")]

    # 12411-01-01-4: population by sex, 31.12.
    rows = []
    for year in YEARS:
        for k in KREIS_CODES:
            pop = data[k]["pop"][yi(year)].sum(axis=0)
            for (acode, alabel), v in zip(ges_attrs, [pop.sum(), pop[0], pop[1]], strict=True):
                rows.append((f"{year}-12-31", k, [(acode, alabel)], flat_value(v, k, year),
                             "Anzahl", "BEVSTD", "Bevölkerungsstand"))
    write_flat(out / "12411-01-01-4_flat.csv", ("12411", "Fortschreibung des Bevölkerungsstandes"),
               ("STAG", "Stichtag"), [ges], rows)

    # 22541-01-04-4: Tageseinrichtungen, genehmigte Plätze, tätige Personen, 01.03.
    rows = []
    for year in YEARS:
        i = yi(year)
        for k in KREIS_CODES:
            d = data[k]
            for vcode, vlabel, v in (("TAGEIN", "Tageseinrichtungen", d["kita_einr"][i]),
                                     ("GENPLA", "Genehmigte Plätze", d["kita_plaetze"][i]),
                                     ("PERS04", "Pädagogisch tätige Personen",
                                      d["kita_personal"][i])):
                rows.append((f"{year}-03-01", k, [], flat_value(v, k, year), "Anzahl", vcode,
                             vlabel))
    write_flat(out / "22541-01-04-4_flat.csv",
               ("22541", "Statistik der Kinder und tätigen Personen in Tageseinrichtungen"),
               ("STAG", "Stichtag"), [], rows)

    # 22543-01-03-4: betreute Kinder nach Art der Kindertagesbetreuung, 01.03.
    alt = ("ALT", "Altersgruppen")
    alt_attrs = [("", "Insgesamt"), ("ALT000B03", "unter 3 Jahre"),
                 ("ALT003B06", "3 bis unter 6 Jahre"), ("ALT006B14", "6 bis unter 14 Jahre")]
    betrum = ("BETRUM", "Betreuungsumfang")
    betrum_attrs = [("", "Insgesamt"), ("BETRUM04", "mehr als 7 Stunden")]
    art = ("BETART", "Art der Kindertagesbetreuung")
    art_attrs = [("", "Insgesamt")] + KITA_ART  # an extract: the two Arten, not their total
    rows = []
    for year in YEARS:
        i = yi(year)
        for k in KREIS_CODES:
            tval = f"{year}-03-01"
            kita = data[k]["kita"][i]  # (3 ages, [total, ganztags])
            tp = data[k]["tpflege"][i]  # (3 ages)

            def by_age(col):
                return [col.sum()] + list(col)

            for b, battr in enumerate(betrum_attrs):
                for a, aattr in enumerate(alt_attrs):
                    rows.append((tval, k, [aattr, battr, art_attrs[1]],
                                 flat_value(by_age(kita[:, b])[a], k, year), "Anzahl", "BETKIN",
                                 "Betreute Kinder"))
            for a, aattr in enumerate(alt_attrs):
                rows.append((tval, k, [aattr, betrum_attrs[0], art_attrs[2]],
                             flat_value(by_age(tp)[a], k, year), "Anzahl", "BETKIN",
                             "Betreute Kinder"))
    write_flat(out / "22543-01-03-4_flat.csv",
               ("22543", "Statistik der Kinder in Tageseinrichtungen und in öffentlich "
                         "geförderter Kindertagespflege"),
               ("STAG", "Stichtag"), [alt, betrum, art], rows)

    # 21211-01-01-4: Auszubildende by sex and nationality, 31.12.
    rows = []
    for year in YEARS:
        for k in KREIS_CODES:
            az = data[k]["azubi"][yi(year)]  # (sex m/w, nat de/aus)
            for g, gattr in enumerate(ges_attrs):
                sub = az.sum(axis=0) if g == 0 else az[g - 1]
                for n, nattr in enumerate(nat_attrs):
                    v = sub.sum() if n == 0 else sub[n - 1]
                    rows.append((str(year), k, [gattr, nattr], flat_value(v, k, year), "Anzahl",
                                 "BBB001", "Auszubildende"))
    write_flat(out / "21211-01-01-4_flat.csv", ("21211", "Statistik der Auszubildenden"),
               ("JAHR", "Jahr"), [ges, nat], rows)

    rows = []
    for year in YEARS:
        for k in KREIS_CODES:
            vt = data[k]["vertraege"][yi(year)]
            for (acode, alabel), v in zip(ges_attrs, [vt.sum(), vt[0], vt[1]], strict=True):
                rows.append((str(year), k, [(acode, alabel)], flat_value(v, k, year), "Anzahl",
                             "BBB002", "Neu abgeschlossene Ausbildungsverträge"))
    write_flat(out / "21211-02-01-4_flat.csv", ("21211", "Statistik der Auszubildenden"),
               ("JAHR", "Jahr"), [ges], rows)

    # 21111-04-01-4 (fictional code of the Land office): Übergänge nach der Grundschule
    sch = ("SCHART", "Schulart")
    rows = []
    for year in YEARS:
        for k in KREIS_CODES:
            ub = data[k]["uebergang"][yi(year)]
            attrs = [("", "Insgesamt")] + [(f"SCHART{c}", lab) for c, lab in UEBERGANG_SCHULARTEN]
            for a, aattr in enumerate(attrs):
                v = ub.sum() if a == 0 else ub[a - 1]
                rows.append((str(year), k, [aattr], flat_value(v, k, year), "Anzahl",
                             "UEBG01", "Übergänge auf weiterführende Schulen"))
    write_flat(out / "21111-04-01-4_flat.csv",
               ("21111", "Statistik der allgemein bildenden Schulen"), ("JAHR", "Jahr"), [sch],
               rows)


# ---- tidy files


def tidy_value(v) -> tuple[str, str]:
    v = int(v)
    return (str(v), "-") if v == 0 else (str(v), "")


def write_tidy(path: Path, dims: list[str], rows: list[tuple]) -> None:
    """Write bimokit's long format: ags,year,variable,<dims>,value,status,source (UTF-8, ``,``)."""
    head = ["ags", "year", "variable"] + dims + ["value", "status", "source"]
    source = path.name
    lines = [",".join(head)]
    for ags, year, var, dimvals, v, status in rows:
        dv = [dimvals.get(dm, "") for dm in dims]
        lines.append(",".join([ags, str(year), var] + dv + [v, status, source]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def tidy_regions() -> list[str]:
    return ["DG", LAND[0]] + [rb for rb, _ in REGBEZ] + KREIS_CODES


def write_tidy_files(out: Path, data, sr: dict) -> None:
    # BA: SGB II, Arbeitslose, SV-Beschäftigte
    rows = []
    for ags in tidy_regions():
        d = data[ags]
        for year in YEARS:
            i = yi(year)
            for a, code in enumerate(("insgesamt", "unter_15")):
                rows.append((ags, year, "sgb2_leistungsberechtigte", {"altersgruppe": code},
                             *tidy_value(d["sgb2"][i, a])))
            for var, key in (("arbeitslose", "alo"), ("sv_beschaeftigte", "svb")):
                mw = d[key][i]
                for code, v in (("insgesamt", mw.sum()), ("maennlich", mw[0]), ("weiblich", mw[1])):
                    rows.append((ags, year, var, {"geschlecht": code}, *tidy_value(v)))
    write_tidy(out / "ba_sgb2_arbeitsmarkt.csv", ["altersgruppe", "geschlecht"], rows)

    # VHS
    rows = []
    for ags in tidy_regions()[1:]:
        d = data[ags]
        for year in YEARS:
            k, h, bm, bw = d["vhs"][yi(year)]
            rows.append((ags, year, "vhs_kurse", {}, *tidy_value(k)))
            rows.append((ags, year, "vhs_unterrichtsstunden", {}, *tidy_value(h)))
            for code, v in (("insgesamt", bm + bw), ("maennlich", bm), ("weiblich", bw)):
                rows.append((ags, year, "vhs_belegungen", {"geschlecht": code}, *tidy_value(v)))
    write_tidy(out / "vhs_statistik.csv", ["geschlecht"], rows)

    # Bibliotheken, Musikschulen, Jugendarbeit
    rows = []
    for ags in tidy_regions()[1:]:
        d = data[ags]
        for year in YEARS:
            i = yi(year)
            rows.append((ags, year, "bibliothek_entleihungen", {}, *tidy_value(d["bib"][i, 0])))
            rows.append((ags, year, "bibliothek_aktive_nutzer", {}, *tidy_value(d["bib"][i, 1])))
            rows.append((ags, year, "musikschule_schueler", {}, *tidy_value(d["musik"][i])))
            rows.append((ags, year, "jugendarbeit_teilnehmende", {}, *tidy_value(d["jugend"][i])))
    write_tidy(out / "kultur_jugend.csv", [], rows)

    # Sozialräume
    rows = []
    dims = ["altersgruppe", "betreuungsumfang", "schulart"]
    for kreis in SOZIALRAEUME:
        s = sr[kreis]
        codes = [f"{kreis}-{n:02d}" for n in range(1, len(SOZIALRAEUME[kreis]) + 1)]
        for year in YEARS:
            i = yi(year)
            for r, ags in enumerate(codes):
                pop = s["pop"][i, r]
                rows.append((ags, year, "bevoelkerung", {"altersgruppe": "insgesamt"},
                             *tidy_value(pop.sum())))
                for a, code in enumerate(AGE_CODES):
                    rows.append((ags, year, "bevoelkerung", {"altersgruppe": code},
                                 *tidy_value(pop[a])))
                rows.append((ags, year, "sgb2_leistungsberechtigte", {"altersgruppe": "unter_15"},
                             *tidy_value(s["sgb2_u15"][i, r])))
                kita = s["kita"][i, r]
                for code, v in (("insgesamt", kita.sum()), ("0-3", kita[0]), ("3-6", kita[1]),
                                ("6-14", kita[2])):
                    rows.append((ags, year, "kita_kinder",
                                 {"altersgruppe": code, "betreuungsumfang": "insgesamt"},
                                 *tidy_value(v)))
                rows.append((ags, year, "uebergaenge", {"schulart": "insgesamt"},
                             *tidy_value(s["trans"][i, r])))
                rows.append((ags, year, "uebergaenge", {"schulart": "gymnasium"},
                             *tidy_value(s["gym"][i, r])))
                rows.append((ags, year, "schuleingangsuntersuchungen", {},
                             *tidy_value(s["seu"][i, r])))
                rows.append((ags, year, "sprachfoerderbedarf", {}, *tidy_value(s["sfb"][i, r])))
            # the own data of the Kommune also come as a Kreis total
            rows.append((kreis, year, "schuleingangsuntersuchungen", {},
                         *tidy_value(s["seu"][i].sum())))
            rows.append((kreis, year, "sprachfoerderbedarf", {}, *tidy_value(s["sfb"][i].sum())))
    write_tidy(out / "sozialraeume.csv", dims, rows)


# --------------------------------------------------------------------------------------------
# Sozialräume
# --------------------------------------------------------------------------------------------


def simulate_sozialraeume(rng: np.random.Generator, data) -> dict:
    """Split Kreis counts onto Sozialräume so that they add up exactly."""
    out = {}
    t = np.array(SIM_YEARS, dtype=float)
    for kreis, names in SOZIALRAEUME.items():
        n = len(names)
        d = data[kreis]
        size0 = rng.uniform(0.5, 1.6, n)
        size1 = size0 * rng.uniform(0.9, 1.15, n)
        social = rng.uniform(-1, 1, n)
        social[0] = -0.2  # Altstadt / Mitte: mixed
        central = np.zeros(n)
        central[0] = 1.0
        young_tilt = np.exp(np.outer(0.45 * social, np.r_[np.ones(5), np.zeros(NA - 5)]))
        adult_tilt = np.exp(np.outer(0.5 * central, (URBAN_TILT > 0.2).astype(float)))
        pop = np.zeros((NY, n, NA), dtype=np.int64)
        sgb2 = np.zeros((NY, n), dtype=np.int64)
        kita = np.zeros((NY, n, 3), dtype=np.int64)
        trans = np.zeros((NY, n), dtype=np.int64)
        gym = np.zeros((NY, n), dtype=np.int64)
        seu = np.zeros((NY, n), dtype=np.int64)
        sfb = np.zeros((NY, n), dtype=np.int64)
        kage = d["pop"].sum(axis=2)
        for i in range(NY):
            w = size0 + (size1 - size0) * (t[i] - 2011) / 13
            weights = w[:, None] * young_tilt * adult_tilt  # (n, NA)
            for a in range(NA):
                pop[i, :, a] = split_total(int(kage[i, a]), weights[:, a])
            u15 = pop[i, :, 0:4].sum(axis=1)
            sgb2[i] = split_total(int(d["sgb2"][i, 1]), u15 * np.exp(0.9 * social))
            prev = pop[max(i - 1, 0)]
            for a, care in enumerate((np.exp(-0.35 * social), np.exp(-0.05 * social), np.ones(n))):
                kita[i, :, a] = split_total(int(d["kita"][i, a, 0]), prev[:, a] * care)
            total_trans = int(d["uebergang"][i].sum())
            trans[i] = split_total(total_trans, pop[i, :, 2])
            g = split_total(int(d["uebergang"][i, 0]), trans[i] * np.exp(-0.55 * social))
            # never more Gymnasium transitions than transitions: move any excess elsewhere
            excess = np.maximum(g - trans[i], 0)
            g = g - excess
            while excess.sum() > 0:
                room = trans[i] - g
                j = int(np.argmax(room))
                g[j] += 1
                excess[np.argmax(excess)] -= 1
            gym[i] = g
            seu[i] = iround(pop[i, :, 1] / 3 * 0.985)
            foreign_share = d["foreign"][i] / kage[i].sum()
            rate = 0.20 * np.exp(0.7 * social) * (1 + 2.5 * (foreign_share - 0.1))
            rate = np.clip(rate, 0.05, 0.6)
            sfb[i] = binom(rng, seu[i], rate)
        out[kreis] = {"pop": pop, "sgb2_u15": sgb2, "kita": kita, "trans": trans, "gym": gym,
                      "seu": seu, "sfb": sfb, "social": social}
    return out


# --------------------------------------------------------------------------------------------
# Region table and GeoJSON
# --------------------------------------------------------------------------------------------

# Main grid (rows north to south); None: outside Musterland. Each main cell is split into
# FINE_X x FINE_Y fine cells; the Sozialräume are runs of fine cells of their Kreis.
MAIN_GRID = [
    [None, "99157", "99157", "99156", "99156", "99152", None],
    ["99153", "99153", "99101", "99151", "99151", "99152", "99102"],
    [DISSOLVED, ABSORBING, "99103", "99251", "99251", "99201", "99252"],
    ["99253", "99253", "99202", "99254", "99255", "99255", "99252"],
    ["99256", "99257", "99203", "99351", "99352", "99352", "99301"],
    ["99353", "99354", "99302", "99355", "99356", "99357", "99358"],
]
FINE_X, FINE_Y = 5, 3
LON0, LAT0, CELL_LON, CELL_LAT = 8.62, 51.48, 0.31, 0.205
# runs of fine cells per fine row for each Sozialraum (left to right)
SR_RUNS = {"99101": [[1] * 5, [1] * 5, [1] * 5], "99351": [[2, 1, 2], [1, 1, 1, 2], [1, 2, 1, 1]]}


def fine_lattice(rng: np.random.Generator) -> np.ndarray:
    nx, ny = len(MAIN_GRID[0]) * FINE_X, len(MAIN_GRID) * FINE_Y
    gx, gy = np.meshgrid(np.arange(nx + 1, dtype=float), np.arange(ny + 1, dtype=float),
                         indexing="ij")
    # smooth wobble plus a small jitter; both well below half a fine cell
    wob_x = 0.22 * np.sin(gy * 0.9 + 0.7) + 0.12 * np.sin(gx * 0.45 + gy * 0.3)
    wob_y = 0.18 * np.sin(gx * 0.8 + 1.3) + 0.10 * np.cos(gy * 0.5 + gx * 0.2)
    jx = rng.uniform(-0.12, 0.12, gx.shape)
    jy = rng.uniform(-0.12, 0.12, gy.shape)
    lon = LON0 + (gx + wob_x + jx) * CELL_LON / FINE_X
    lat = LAT0 - (gy + wob_y + jy) * CELL_LAT / FINE_Y
    return np.stack([lon, lat], axis=-1)  # (nx+1, ny+1, 2)


def union_ring(cells: list[tuple[int, int]], lattice: np.ndarray) -> list[list[float]]:
    """Outer ring (counter-clockwise in lon/lat) of a simply connected set of fine cells."""
    edges = {}
    for x, y in cells:
        # counter-clockwise on screen with y growing downward = clockwise; fix at the end
        corners = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1)]
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            if (b, a) in edges:
                del edges[(b, a)]
            else:
                edges[(a, b)] = True
    nxt = {}
    for a, b in edges:
        nxt[a] = b
    start = min(nxt)
    ring = [start]
    cur = nxt[start]
    while cur != start:
        ring.append(cur)
        cur = nxt[cur]
    ring.append(start)
    coords = [[round(float(lattice[x, y, 0]), 5), round(float(lattice[x, y, 1]), 5)]
              for x, y in ring]
    area = sum(coords[k][0] * coords[k + 1][1] - coords[k + 1][0] * coords[k][1]
               for k in range(len(coords) - 1))
    if area < 0:
        coords.reverse()
    return coords


def write_geojson(out: Path, rng: np.random.Generator) -> None:
    lattice = fine_lattice(rng)
    kreis_cells: dict[str, list[tuple[int, int]]] = {}
    for row, line in enumerate(MAIN_GRID):
        for col, ags in enumerate(line):
            if ags is None:
                continue
            ags = ABSORBING if ags == DISSOLVED else ags  # Gebietsstand 31.12.2024
            for fx in range(FINE_X):
                for fy in range(FINE_Y):
                    kreis_cells.setdefault(ags, []).append((col * FINE_X + fx, row * FINE_Y + fy))
    features = []
    for ags in sorted(kreis_cells):
        features.append({
            "type": "Feature",
            "properties": {"ags": ags, "name": kreis_name(ags, "A"), "level": "kreis",
                           "parent": regbez_of(ags)},
            "geometry": {"type": "Polygon", "coordinates": [union_ring(kreis_cells[ags], lattice)]},
        })
        if ags in SR_RUNS:
            x0 = min(c[0] for c in kreis_cells[ags])
            y0 = min(c[1] for c in kreis_cells[ags])
            n = 0
            for fy, runs in enumerate(SR_RUNS[ags]):
                fx = 0
                for length in runs:
                    n += 1
                    cells = [(x0 + fx + k, y0 + fy) for k in range(length)]
                    fx += length
                    features.append({
                        "type": "Feature",
                        "properties": {"ags": f"{ags}-{n:02d}", "name": SOZIALRAEUME[ags][n - 1],
                                       "level": "sozialraum", "parent": ags},
                        "geometry": {"type": "Polygon",
                                     "coordinates": [union_ring(cells, lattice)]},
                    })
            assert n == len(SOZIALRAEUME[ags])
    features.sort(key=lambda f: f["properties"]["ags"])
    doc = {
        "type": "FeatureCollection",
        "name": "musterland",
        "description": "Fiktive Gebietsgrenzen von Musterland (bimokit-Beispieldaten), "
                       "Gebietsstand 31.12.2024, WGS84 (lon/lat). CC0.",
        "features": features,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace('{"type":"Feature"', '\n{"type":"Feature"')
    (out / "musterland.geojson").write_text(text + "\n", encoding="utf-8")


def write_regions(out: Path) -> None:
    lines = ["ags,name,level,parent,kreistyp,valid_from,valid_to"]
    lines.append("DG,Deutschland,bund,,,,")
    lines.append(f"{LAND[0]},{LAND[1]},land,DG,,,")
    for rb, name in REGBEZ:
        lines.append(f"{rb},{name},regbez,{LAND[0]},,,")
    for k in KREIS_CODES:
        _, name, city, *_ = KREIS_INFO[k]
        typ = "kreisfreie Stadt" if city else "Landkreis"
        valid_to = f"{MERGE_YEAR - 1}-12-31" if k == DISSOLVED else ""
        lines.append(f"{k},{name},kreis,{regbez_of(k)},{typ},,{valid_to}")
    for k, names in SOZIALRAEUME.items():
        for n, name in enumerate(names, start=1):
            lines.append(f"{k}-{n:02d},{name},sozialraum,{k},,,")
    (out / "regions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------


def generate(out: Path) -> list[Path]:
    """Write the whole sample into ``out``; return the written files, sorted."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    data = simulate_all(rng)
    sr = simulate_sozialraeume(rng, data)
    write_12411_02_03(out, data)
    write_12411_03_03(out, data)
    write_21111_01_03(out, data)
    write_21111_02_06(out, data)
    write_21121_01_02(out, data)
    write_21311_01_01(out, data)
    write_82411_01_03(out, data)
    write_22543_quotas(out, data)
    write_11111_01_01(out, data)
    write_13211_02_05(out, data)
    write_21121_02_02(out, data)
    write_flat_files(out, data)
    write_tidy_files(out, data, sr)
    write_regions(out)
    write_geojson(out, rng)
    return sorted(p for p in out.iterdir() if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: data_samples/musterland)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(f"{path.stat().st_size:>9,d}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
