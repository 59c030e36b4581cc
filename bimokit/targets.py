"""Targets (Zielwerte): Zielerreichungsgrad, on-track check and an Ampel.

A target says: from ``baseline_year`` (value ``baseline_value``) an indicator should reach
``target_value`` by ``target_year``. The straight path between the two is the plan; a region is
*on track* when its current value is at or beyond the plan value of the current year, judged by
the indicator's direction (+1 higher is better, −1 lower is better).

The table verb is :func:`target_status` (``bk.target_status``); the small functions
:func:`achievement`, :func:`path_value` and :func:`ampel` work on arrays.
:func:`read_zielwerte` reads the Kommune's Zielwerte file (``zielwerte.csv`` in the data
folder, or the template ``bimokit template zielwerte``) and checks every row against the
catalogue, listing all problems of the file at once.
"""

from __future__ import annotations

import math
from functools import partial
from os import PathLike

import numpy as np
import pandas as pd

from ._schema import TOTAL
from .catalogue import Catalogue, load_catalogue
from .errors import ParameterError
from .fmt import fmt_number
from .io.own import REGION_KEY, OwnColumn, parse_number, parse_year, read_own_table
from .trends import check_values_table, clean_values_table, per_indicator

__all__ = [
    "AMPEL",
    "ZIELWERTE_COLUMNS",
    "achievement",
    "path_value",
    "ampel",
    "target_status",
    "read_zielwerte",
]

#: Numbers in Methodik sentences: German, trailing zeros dropped (``2,5``, ``5``).
_num = partial(fmt_number, trim=True)

#: The three Ampel colours, best first.
AMPEL = ("grün", "gelb", "rot")


def achievement(current, baseline, target) -> np.ndarray:
    """Zielerreichungsgrad as a fraction, not clipped.

    Parameters
    ----------
    current, baseline, target : array-like of float (broadcast)

    Returns
    -------
    numpy.ndarray
        ``(current − baseline) / (target − baseline)``: 0 at the baseline, 1 at the target,
        above 1 beyond it, below 0 when the value moved away. NaN where ``target == baseline``.

    Examples
    --------
    >>> achievement([10.0, 8.0, 4.0], 10.0, 6.0).tolist()   # lower is better: 10 → 6
    [0.0, 0.5, 1.5]
    """
    c, b, t = (np.asarray(a, dtype="float64") for a in (current, baseline, target))
    planned = t - b
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(planned != 0, (c - b) / np.where(planned != 0, planned, 1.0), np.nan)


def path_value(baseline, target, baseline_year, target_year, year) -> np.ndarray:
    """Value on the straight path from the baseline to the target in ``year``.

    Parameters
    ----------
    baseline, target : array-like of float
    baseline_year, target_year, year : array-like of int

    Returns
    -------
    numpy.ndarray
        ``baseline + (target − baseline) · s`` with the time share
        ``s = (year − baseline_year) / (target_year − baseline_year)`` clipped to [0, 1]
        (the baseline before the baseline year, the target after the target year).

    Examples
    --------
    >>> path_value(10.0, 6.0, 2020, 2030, [2020, 2025, 2035]).tolist()
    [10.0, 8.0, 6.0]
    """
    b, t = np.asarray(baseline, dtype="float64"), np.asarray(target, dtype="float64")
    return b + (t - b) * _time_share(baseline_year, target_year, year)


def _time_share(baseline_year, target_year, year) -> np.ndarray:
    by, ty, y = (np.asarray(a, dtype="float64") for a in (baseline_year, target_year, year))
    span = ty - by
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(span > 0, (y - by) / np.where(span > 0, span, 1.0), np.nan)
    return np.clip(share, 0.0, 1.0)


def ampel(progress, reached, *, thresholds=(1.0, 0.5)) -> np.ndarray:
    """Ampel from the share of the planned progress made.

    Parameters
    ----------
    progress : array-like of float
        Achieved progress divided by the progress planned by now (``achievement / time
        share``); +inf/−inf where nothing was planned yet (baseline year) and the value is at or
        better / worse than the baseline; NaN when unknown.
    reached : array-like of bool
        Target reached (at or beyond the target value).
    thresholds : (float, float), default (1.0, 0.5)
        ``(gruen, gelb)``: grün when ``progress ≥ gruen`` or the target is reached, gelb when
        ``progress ≥ gelb``, else rot.

    Returns
    -------
    numpy.ndarray of str
        ``grün``, ``gelb``, ``rot``; '' where ``progress`` is NaN and the target not reached.

    Examples
    --------
    >>> ampel([1.2, 0.8, 0.3, -0.5], [False, False, False, False]).tolist()
    ['grün', 'gelb', 'rot', 'rot']
    """
    gruen, gelb = _check_thresholds(thresholds)
    p = np.asarray(progress, dtype="float64")
    r = np.asarray(reached, dtype=bool)
    eps = 1e-9  # a value exactly on the path must not turn yellow through float rounding
    out = np.select([r, p >= gruen - eps, p >= gelb - eps, ~np.isnan(p)],
                    ["grün", "grün", "gelb", "rot"],
                    default="")
    return out.astype(object)


def _check_thresholds(thresholds) -> tuple[float, float]:
    try:
        gruen, gelb = (float(x) for x in thresholds)
    except (TypeError, ValueError):
        raise ParameterError(
            f"`thresholds` must be two numbers (gruen, gelb), e.g. (1.0, 0.5); not {thresholds!r}."
        ) from None
    if not 0 <= gelb <= gruen:
        raise ParameterError(
            f"`thresholds` (gruen, gelb) need 0 ≤ gelb ≤ gruen; got ({gruen}, {gelb})."
        )
    return gruen, gelb


#: Columns of :func:`target_status` after the key columns.
TARGET_COLUMNS = (
    "baseline_year", "baseline_value", "target_year", "target_value", "direction",
    "direction_source", "target_mode", "year", "value", "time_share_pct", "path_value",
    "achievement_pct", "achievement_raw_pct", "progress_pct", "on_track", "target_reached",
    "ampel", "threshold_gruen_pct", "threshold_gelb_pct", "reason",
)


def _targets_table(targets, dims: list[str]) -> tuple[pd.DataFrame, list[str]]:
    if not isinstance(targets, pd.DataFrame):
        raise ParameterError(
            "`targets` must be a table with columns indicator, baseline_year, target_year, "
            f"target_value (optional ags, baseline_value, direction); not {type(targets).__name__}."
        )
    need = ["indicator", "baseline_year", "target_year", "target_value"]
    missing = [c for c in need if c not in targets.columns]
    if missing:
        raise ParameterError(
            f"`targets` lacks the column(s) {', '.join(map(repr, missing))}; it needs "
            f"{', '.join(need)} and may have ags, baseline_value, direction."
        )
    t = targets.copy()
    t["indicator"] = t["indicator"].astype(str)
    if "ags" not in t.columns:
        t["ags"] = ""
    t["ags"] = t["ags"].astype(object).where(t["ags"].notna(), "").astype(str)
    for col in ("baseline_value", "direction"):
        if col not in t.columns:
            t[col] = np.nan
    for col in ("baseline_year", "target_year", "target_value", "baseline_value", "direction"):
        conv = pd.to_numeric(t[col], errors="coerce").astype("float64")
        bad = (conv.isna() & t[col].notna()) | np.isinf(conv)
        if col in ("baseline_year", "target_year", "target_value"):
            bad = bad | conv.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ParameterError(
                f"`targets` row {i + 1} (indicator {t['indicator'].iloc[i]!r}): {col} must be "
                f"a finite number; got {t[col].iloc[i]!r}."
            )
        t[col] = conv
    bad = t["target_year"] <= t["baseline_year"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"`targets` row {i + 1} (indicator {t['indicator'].iloc[i]!r}): target_year "
            f"{int(t['target_year'].iloc[i])} must come after baseline_year "
            f"{int(t['baseline_year'].iloc[i])}."
        )
    bad = t["direction"].notna() & ~t["direction"].isin([1, -1, 0])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"`targets` row {i + 1}: direction must be 1 (higher is better) or -1 (lower is "
            f"better); not {t['direction'].iloc[i]!r}."
        )
    tdims = [d for d in dims if d in t.columns]
    for d in tdims:
        t[d] = t[d].astype(object).where(t[d].notna(), "").astype(str)
    dup = t.duplicated(["indicator", "ags", *tdims], keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        i = int(rows[0])
        same = rows[(t["indicator"].iloc[rows] == t["indicator"].iloc[i]).to_numpy()
                    & (t["ags"].iloc[rows] == t["ags"].iloc[i]).to_numpy()]
        where = f"region {t['ags'].iloc[i]!r}" if t["ags"].iloc[i] else "every region (no ags)"
        raise ParameterError(
            f"`targets` rows {' and '.join(str(r + 1) for r in same)} both give a target for "
            f"indicator {t['indicator'].iloc[i]!r} and {where}; give one target per indicator "
            "and region."
        )
    t["baseline_year"] = t["baseline_year"].astype("int64")
    t["target_year"] = t["target_year"].astype("int64")
    return t, tdims


def target_status(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    year: int | None = None,
    direction=None,
    thresholds=(1.0, 0.5),
) -> pd.DataFrame:
    """Zielerreichung of every region and indicator with a target.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags``, ``year``, ``indicator``, ``value`` needed; other
        non-fixed columns are breakdowns).
    targets : DataFrame
        One row per target: ``indicator``, ``baseline_year``, ``target_year``,
        ``target_value``; optional ``ags`` (empty/missing = the target holds for every region
        of ``values``; a row for one ``ags`` overrides it), ``baseline_value`` (default: the
        region's value in the baseline year), ``direction`` (+1/−1) and breakdown columns.
    year : int, optional
        Year to assess. Default: each region's latest year with a value.
    direction : mapping, Series or table (``indicator``/``id`` and ``direction``), optional
        Direction per indicator (e.g. the catalogue), used where ``targets`` has none. Where
        neither gives one (or it is 0), it is taken from the target: +1 if the target lies
        above the baseline, −1 if below (``direction_source`` says which).
    thresholds : (float, float), default (1.0, 0.5)
        Ampel thresholds on the share of planned progress made: grün from ``gruen`` (100 % =
        on the path), gelb from ``gelb``, rot below.

    Returns
    -------
    DataFrame
        One row per ``ags, indicator, <breakdowns>`` with a target:

        - ``ags``, ``indicator``, breakdown columns
        - ``baseline_year``, ``baseline_value``, ``target_year``, ``target_value``
        - ``direction`` (+1/−1) and ``direction_source`` (``Ziele``, ``Katalog``,
          ``abgeleitet``)
        - ``target_mode``: ``Veränderung`` (the target lies beyond the baseline in the better
          direction) or ``Halten`` (the baseline already meets the target: keep it)
        - ``year``, ``value``: assessed year and value
        - ``time_share_pct``: share of the period elapsed, 0–100
        - ``path_value``: the plan value of ``year`` (:func:`path_value`)
        - ``achievement_pct``: Zielerreichungsgrad, clipped to 0–100
        - ``achievement_raw_pct``: the same unclipped (> 100 beyond the target, < 0 moved away)
        - ``progress_pct``: ``achievement / time share`` in % (100 = exactly on the path)
        - ``on_track`` (bool): value at or better than ``path_value``
        - ``target_reached`` (bool): value at or better than ``target_value``
        - ``ampel``: ``grün``, ``gelb``, ``rot`` ('' when the value is missing)
        - ``threshold_gruen_pct``, ``threshold_gelb_pct``: the thresholds used, in %
        - ``reason``: '' or, in German, why something is missing

    Notes
    -----
    Zielerreichungsgrad ``a = (value − baseline) / (target − baseline)``; time share
    ``s = (year − baseline_year) / (target_year − baseline_year)`` clipped to [0, 1]; path
    value ``baseline + (target − baseline) · s``; on track ⇔ ``a ≥ s``; progress ``a / s``.
    Ampel: grün if the target is reached or progress ≥ ``gruen``; gelb if ≥ ``gelb``; else
    rot. In the baseline year (s = 0) nothing is due yet: grün unless the value moved away.
    Target mode ``Halten``: on track and grün ⇔ the value is at or better than the target, else rot.

    Examples
    --------
    >>> values = pd.DataFrame({"ags": "05111", "indicator": "D3.1", "year": [2020, 2024],
    ...                        "value": [8.0, 7.0]})
    >>> targets = pd.DataFrame({"indicator": ["D3.1"], "baseline_year": [2020],
    ...                         "target_year": [2030], "target_value": [5.0]})
    >>> r = target_status(values, targets, direction={"D3.1": -1})
    >>> r[["achievement_pct", "path_value", "on_track", "ampel"]].to_dict("records")
    [{'achievement_pct': 33.33..., 'path_value': 6.8, 'on_track': False, 'ampel': 'gelb'}]
    """
    dims = check_values_table(values, "target_status")
    gruen, gelb = _check_thresholds(thresholds)
    t, tdims = _targets_table(targets, dims)
    dir_of = per_indicator(direction, "direction", column="direction")
    data = clean_values_table(values, dims)
    # a value that is not a finite number is no value: nothing is judged from it
    data["value"] = data["value"].where(np.isfinite(data["value"].astype("float64")))
    keys = ["ags", "indicator", *dims]
    series = data[keys].drop_duplicates()
    general = t[t["ags"] == ""].drop(columns="ags")
    specific = t[t["ags"] != ""]
    unknown = set(specific["ags"]) - set(series["ags"])
    if unknown:
        raise ParameterError(
            f"`targets` names region(s) without values: {', '.join(sorted(unknown))}."
        )
    a = series.merge(general, on=["indicator", *tdims], how="inner")
    b = series.merge(specific, on=["ags", "indicator", *tdims], how="inner")
    a = a.merge(b[keys], on=keys, how="left", indicator="_m")
    a = a[a["_m"] == "left_only"].drop(columns="_m")
    rows = pd.concat([a, b], ignore_index=True)
    cols = [*keys, *TARGET_COLUMNS]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    have = data[data["value"].notna()]
    # baseline value from the table where the targets do not give one
    base = have[[*keys, "year", "value"]].rename(
        columns={"year": "baseline_year", "value": "_base"})
    rows = rows.merge(base, on=[*keys, "baseline_year"], how="left")
    rows["baseline_value"] = rows["baseline_value"].fillna(rows["_base"])
    # assessed year and value
    if year is None:
        last = have.sort_values("year").groupby(keys, dropna=False).tail(1)
        cur = last[[*keys, "year", "value"]]
    else:
        cur = have[have["year"] == int(year)][[*keys, "year", "value"]]
    rows = rows.merge(cur, on=keys, how="left")
    if year is not None:
        rows["year"] = rows["year"].fillna(int(year))
    # direction: targets, then catalogue, then the side of the target
    d_cat = rows["indicator"].map(lambda i: dir_of.get(i, np.nan)).astype("float64")
    d_cat = d_cat.where(d_cat != 0)
    d_tgt = rows["direction"].where(rows["direction"] != 0)
    d_inf = np.sign(rows["target_value"] - rows["baseline_value"]).replace(0, np.nan)
    rows["direction_source"] = np.select(
        [d_tgt.notna(), d_cat.notna(), d_inf.notna()], ["Ziele", "Katalog", "abgeleitet"],
        default="")
    rows["direction"] = d_tgt.fillna(d_cat).fillna(d_inf)
    d = rows["direction"].to_numpy()
    v = rows["value"].to_numpy(dtype="float64")
    bv = rows["baseline_value"].to_numpy(dtype="float64")
    tv = rows["target_value"].to_numpy(dtype="float64")
    yr = rows["year"].to_numpy(dtype="float64")
    share = _time_share(rows["baseline_year"], rows["target_year"], yr)
    change_mode = d * (tv - bv) > 0
    rows["target_mode"] = np.where(change_mode, "Veränderung", "Halten")
    ach = np.where(change_mode, achievement(v, bv, tv), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        prog = np.where(share > 0, ach / np.where(share > 0, share, 1.0),
                        np.where(ach >= 0, np.inf, -np.inf))
    prog = np.where(np.isnan(ach), np.nan, prog)
    reached = d * (v - tv) >= -1e-9 * np.maximum(1.0, np.abs(tv))
    path = path_value(bv, tv, rows["baseline_year"], rows["target_year"], yr)
    on_track = np.where(change_mode, ach >= share - 1e-9, reached)
    light = ampel(prog, reached, thresholds=(gruen, gelb))
    hold = ~change_mode & ~np.isnan(v) & ~np.isnan(d)
    light = np.where(hold, np.where(reached, "grün", "rot"), light)
    # reasons; nothing is judged where a piece is missing
    reason = np.full(len(rows), "", dtype=object)
    before = yr < rows["baseline_year"].to_numpy()
    problems = [
        (np.isnan(d) & ~np.isnan(bv), "Richtung unbekannt (Zielwert gleich Basiswert)"),
        (np.isnan(bv), "kein Basiswert"),
        (np.isnan(v), "kein Wert im Bewertungsjahr"),
        (before, "Bewertungsjahr vor dem Basisjahr"),
    ]
    bad = np.zeros(len(rows), dtype=bool)
    for mask, text in problems:
        reason = np.where(mask & (reason == ""), text, np.where(mask, reason + "; " + text,
                                                                reason))
        bad |= mask
    rows["reason"] = reason
    rows["time_share_pct"] = 100.0 * share
    rows["path_value"] = np.where(np.isnan(bv), np.nan, path)
    rows["achievement_raw_pct"] = np.where(bad, np.nan, 100.0 * ach)
    rows["achievement_pct"] = np.clip(rows["achievement_raw_pct"], 0.0, 100.0)
    rows["progress_pct"] = np.where(bad, np.nan, 100.0 * prog)
    rows["on_track"] = np.where(bad, False, on_track).astype(bool)
    rows["target_reached"] = np.where(bad, False, reached).astype(bool)
    rows["ampel"] = np.where(bad, "", light)
    rows["threshold_gruen_pct"] = 100.0 * gruen
    rows["threshold_gelb_pct"] = 100.0 * gelb
    rows["year"] = rows["year"].astype("Int64")
    rows["direction"] = rows["direction"].astype("Int64")
    return rows[cols].sort_values(keys).reset_index(drop=True)


def describe_method(result: pd.DataFrame) -> str:
    """German Methodik note for a :func:`target_status` result.

    Examples
    --------
    >>> values = pd.DataFrame({"ags": "05111", "indicator": "D3.1", "year": [2020, 2024],
    ...                        "value": [8.0, 7.0]})
    >>> targets = pd.DataFrame({"indicator": ["D3.1"], "baseline_year": [2020],
    ...                         "target_year": [2030], "target_value": [5.0]})
    >>> print(describe_method(target_status(values, targets))[:60])
    Zielerreichungsgrad = (aktueller Wert − Basiswert) / (Zielwe
    """
    if not isinstance(result, pd.DataFrame) or "threshold_gruen_pct" not in result.columns:
        raise ParameterError("describe_method expects the table that bk.target_status returned.")
    gruen = float(result["threshold_gruen_pct"].iloc[0]) if len(result) else 100.0
    gelb = float(result["threshold_gelb_pct"].iloc[0]) if len(result) else 50.0
    return (
        "Zielerreichungsgrad = (aktueller Wert − Basiswert) / (Zielwert − Basiswert), "
        "auf 0 bis 100 % begrenzt. Als Plan gilt die gerade Linie vom Basiswert im Basisjahr "
        "zum Zielwert im Zieljahr; „auf Kurs“ ist eine Region, deren Wert im Bewertungsjahr "
        "mindestens so gut ist wie der Planwert (je nach Richtung des Indikators höher oder "
        f"niedriger). Ampel: grün bei erreichtem Ziel oder mindestens {_num(gruen, 1)} % des bis "
        f"dahin geplanten Fortschritts, gelb ab {_num(gelb, 1)} %, sonst rot. War das Ziel schon "
        "im Basisjahr erreicht, gilt es zu halten: grün, solange der Wert mindestens so gut "
        "wie der Zielwert ist, sonst rot."
    )


# --------------------------------------------------------------------------------------------
# the Zielwerte file

#: Columns of the Zielwerte file (code name, German header of the template, required, help).
#: Further columns are kept: a dimension of the vocabulary (``geschlecht`` …) makes the target
#: one of that breakdown; any other (``massnahme``, ``akteur`` …) is kept as text.
ZIELWERTE_COLUMNS = (
    OwnColumn("ags", "AGS", False,
              "für welche Region das Ziel gilt: AGS der Kommune (5 Ziffern, z. B. 99101) oder "
              "Schlüssel eines Sozialraums; leer = für alle Kommunen", "99101", ("region",)),
    OwnColumn("indicator", "Indikator", True,
              "Kennung des Indikators im Katalog (bimokit indicators), z. B. D4.1", "D4.1",
              ("indikator", "id")),
    OwnColumn("baseline_year", "Basisjahr", True, "Jahr, von dem der Plan ausgeht", "2018",
              ("basisjahr",)),
    OwnColumn("target_year", "Zieljahr", True,
              "Jahr, in dem der Zielwert erreicht sein soll (nach dem Basisjahr)", "2030",
              ("zieljahr",)),
    OwnColumn("target_value", "Zielwert", True,
              "der angestrebte Wert in der Einheit des Indikators (Anteile in %: 0 bis 100); "
              "Dezimalkomma wie 7,5", "7,5", ("zielwert",)),
    OwnColumn("baseline_value", "Basiswert", False,
              "Wert im Basisjahr; leer = der Wert aus den Daten", "", ("basiswert",)),
    OwnColumn("direction", "Richtung", False,
              "nur für Indikatoren ohne Richtung im Katalog: 1 = höher ist besser, "
              "-1 = niedriger ist besser; leer = wie im Katalog", "", ("richtung",)),
    OwnColumn("bemerkung", "Bemerkung", False, "freier Text, z. B. der Beschluss", ""),
)

_SHARE_KINDS = ("share",)


def _value_rule(ind) -> str:
    """The German rule a target of this indicator must meet ('' if any number will do)."""
    if ind is None:
        return ""
    return "0 bis 100" if ind.kind in _SHARE_KINDS else "≥ 0"


def _check_target_number(cell, ind, german: bool) -> tuple[float | None, str]:
    number, why = parse_number(cell, german=german)
    if number is None:
        return None, why
    shown = repr(cell) if isinstance(cell, str) else fmt_number(number, None)
    if not math.isfinite(number):
        return None, f"{shown} ist keine endliche Zahl"
    if ind is None:
        return number, ""
    if ind.kind in _SHARE_KINDS and not 0 <= number <= 100:
        return None, (f"{shown} liegt nicht zwischen 0 und 100: {ind.id} ist ein Anteil in "
                      f"{ind.unit}")
    if number < 0:
        return None, f"{shown} ist negativ: {ind.id} ({ind.unit}) kann nicht negativ sein"
    return number, ""


_DIRECTION_DE = {1: "höher ist besser", -1: "niedriger ist besser"}


def read_zielwerte(
    path: str | PathLike,
    *,
    catalogue: Catalogue | None = None,
    regions=None,
) -> pd.DataFrame:
    """Read and check a Zielwerte file (CSV or XLSX) for :func:`target_status`.

    Parameters
    ----------
    path : str or PathLike
        ``.csv`` (``,`` or ``;``; ``#`` lines are comments) or ``.xlsx`` with the columns of
        :data:`ZIELWERTE_COLUMNS`, headed by their code names (``target_value``) or the
        template's German headers (``Zielwert``).
    catalogue : Catalogue, optional
        Indicators the targets may name, with their kind and direction; default
        :func:`bimokit.catalogue.load_catalogue` ().
    regions : DataFrame or iterable of str, optional
        Region table (or keys); a target's ``ags`` must be in it.

    Returns
    -------
    DataFrame
        One row per target: ``ags`` (str, None = for every Kommune), ``indicator``,
        ``baseline_year``, ``target_year`` (int), ``target_value``, ``baseline_value`` (float,
        NaN = from the data), ``direction`` (float: 1, −1 or NaN = the catalogue's),
        ``bemerkung`` (str), any further columns of the file, and ``line`` (the file line,
        or sheet row).

    Raises
    ------
    bimokit.errors.InputProblems
        Every problem of the file at once, each with line and field: a required column or
        field missing; an indicator not in the catalogue; a year that is no year or a target
        year not after the baseline year; a target or baseline value that is no number, not
        finite (``nan``, ``inf``), outside 0–100 for a share or negative for any other
        indicator; a direction other than 1/−1 or against the catalogue's; an ``ags`` of
        unknown shape or not in ``regions``; two rows for the same indicator and region that
        disagree.

    Warns
    -----
    bimokit.errors.InputWarning
        A target on the worse side of its (given) baseline value: it can only be held; a row
        that repeats an earlier one (left out).

    Examples
    --------
    >>> from bimokit._paths import sample_dir
    >>> t = read_zielwerte(sample_dir() / "zielwerte.csv")
    >>> t.loc[t["indicator"] == "D4.1", ["ags", "target_value", "line"]].values.tolist()
    [[None, 5.0, 6], ['99101', 7.0, 10]]
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    voc = cat.vocabulary
    known = None
    if regions is not None:
        known = set((regions["ags"] if isinstance(regions, pd.DataFrame) else
                     pd.Series(list(regions))).astype(str))
    t = read_own_table(path, ZIELWERTE_COLUMNS, what="Die Zielwerte-Datei", sheet="Zielwerte")
    pr = t.problems
    dims = [c for c in t.extra if c in voc.dimensions]
    rows, seen = [], {}
    for ln, raw in zip(t.lines, t.rows, strict=True):
        ok = True

        def bad(msg, col, _ln=ln):
            pr.error(msg, line=_ln, field=t.field_name(col))

        row = {c: raw.get(c, "") for c in (*(c.name for c in ZIELWERTE_COLUMNS), *t.extra)}
        ident = str(row["indicator"]).strip()
        ind = cat.indicators.get(ident)
        if ident == "":
            bad("Pflichtfeld ist leer", "indicator")
            ok = False
        elif ind is None:
            bad(f"unbekannter Indikator {ident!r}{_close(ident, cat.indicators)}; die "
                "Kennungen listet 'bimokit indicators'", "indicator")
            ok = False
        years = {}
        for col in ("baseline_year", "target_year"):
            text = str(row[col]).strip()
            years[col], why = parse_year(row[col]) if text else (None, "Pflichtfeld ist leer")
            if years[col] is None:
                bad(why, col)
                ok = False
        if None not in years.values() and years["target_year"] <= years["baseline_year"]:
            bad(f"das Zieljahr {years['target_year']} liegt nicht nach dem Basisjahr "
                f"{years['baseline_year']}", "target_year")
            ok = False
        numbers = {}
        for col in ("target_value", "baseline_value"):
            cell = row[col]
            if cell == "":
                numbers[col] = math.nan
                if col == "target_value":
                    bad("Pflichtfeld ist leer", col)
                    ok = False
                continue
            numbers[col], why = _check_target_number(cell, ind, t.german)
            if numbers[col] is None:
                bad(why, col)
                ok = False
        direction = math.nan
        if str(row["direction"]).strip() != "":
            d, _ = parse_number(row["direction"], german=t.german)
            if d not in (1.0, -1.0):
                bad(f"{row['direction']!r} ist keine Richtung: 1 (höher ist besser) oder -1 "
                    "(niedriger ist besser)", "direction")
                ok = False
            elif ind is not None and ind.direction not in (0, d):
                bad(f"die Richtung {int(d)} widerspricht dem Katalog ({ind.id}: "
                    f"{_DIRECTION_DE[ind.direction]}); lassen Sie das Feld leer",
                    "direction")
                ok = False
            else:
                direction = d
        ags = str(row["ags"]).strip()
        if isinstance(row["ags"], int):
            ags = f"{row['ags']:05d}"
        if ags and not REGION_KEY.fullmatch(ags):
            bad(f"{ags!r} ist kein Regionalschlüssel (AGS der Kommune wie 99101, oder "
                "Sozialraum wie 99101-03); leer = für alle Kommunen", "ags")
            ok = False
        elif ags and known is not None and ags not in known:
            bad(f"die Region {ags!r} gibt es in der Regionstabelle nicht", "ags")
            ok = False
        codes = {}
        for d in dims:
            code = str(row[d]).strip() or TOTAL
            codes[d] = code
            if code not in voc.dimensions[d]:
                bad(f"unbekannter Code {code!r} der Gliederung {d}", d)
                ok = False
            elif ind is not None and code != TOTAL and d not in ind.breakdowns:
                bad(f"{ind.id} hat keine Gliederung nach {d}", d)
                ok = False
        if not ok:
            continue
        d_used = direction if not math.isnan(direction) else float(ind.direction or 0)
        base, target = numbers["baseline_value"], numbers["target_value"]
        if d_used and not math.isnan(base) and d_used * (target - base) < 0:
            pr.warn(f"der Zielwert {fmt_number(target, None)} ist schlechter als der Basiswert "
                    f"{fmt_number(base, None)} ({ind.id}: {_DIRECTION_DE[int(d_used)]}); "
                    "bewertet wird nur, ob der Wert mindestens so gut bleibt wie der Zielwert",
                    line=ln, field=t.field_name("target_value"))
        key = (ident, ags, *codes.values())
        record = {"ags": ags or None, "indicator": ident, **years, **numbers,
                  "direction": direction, "bemerkung": str(row["bemerkung"]).strip(),
                  **{c: str(row[c]).strip() for c in t.extra if c not in codes}, **codes,
                  "line": ln}
        if key in seen:
            first = seen[key]
            same = all(_same(first[c], record[c]) for c in
                       ("baseline_year", "target_year", "target_value", "baseline_value",
                        "direction"))
            scope = f"{ags}" if ags else "alle Kommunen"
            if same:
                pr.warn(f"wiederholt Zeile {first['line']} ({ident}, {scope}); die Zeile "
                        "wird übergangen", line=ln, field=t.field_name("indicator"))
            else:
                bad(f"zweiter, anderer Zielwert für {ident} und {scope}: Zeile "
                    f"{first['line']} sagt {fmt_number(first['target_value'], None)} bis "
                    f"{first['target_year']}, diese Zeile "
                    f"{fmt_number(record['target_value'], None)} bis {record['target_year']}; "
                    "je Indikator und Region gilt ein Zielwert", "indicator")
            continue
        seen[key] = record
        rows.append(record)
    pr.finish(stacklevel=3)
    cols = ["ags", "indicator", "baseline_year", "target_year", "target_value",
            "baseline_value", "direction", "bemerkung",
            *[c for c in t.extra if c not in dims], *dims, "line"]
    out = pd.DataFrame(rows, columns=cols)
    out["ags"] = out["ags"].astype(object).where(out["ags"].notna(), None)
    for c in ("baseline_year", "target_year", "line"):
        out[c] = out[c].astype("int64")
    for c in ("target_value", "baseline_value", "direction"):
        out[c] = out[c].astype("float64")
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _close(text: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(text, list(known), n=2)
    return f" (meinten Sie {' oder '.join(repr(c) for c in close)}?)" if close else ""
