"""Targets (Zielwerte): Zielerreichungsgrad, on-track check and an Ampel.

A target says: from ``baseline_year`` (value ``baseline_value``) an indicator should reach
``target_value`` by ``target_year``. The straight path between the two is the plan; a region is
*on track* when its current value is at or beyond the plan value of the current year, judged by
the indicator's direction (+1 higher is better, −1 lower is better).

The table verb is :func:`target_status` (``bk.target_status``); the small functions
:func:`achievement`, :func:`path_value` and :func:`ampel` work on arrays.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from .errors import ParameterError
from .fmt import fmt_number
from .trends import check_values_table, clean_values_table, per_indicator

__all__ = [
    "AMPEL",
    "achievement",
    "path_value",
    "ampel",
    "target_status",
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
        bad = conv.isna() & t[col].notna()
        if col in ("baseline_year", "target_year", "target_value"):
            bad = bad | conv.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ParameterError(
                f"`targets` row {i + 1} (indicator {t['indicator'].iloc[i]!r}): {col} must be "
                f"a number; got {t[col].iloc[i]!r}."
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
        i = int(np.flatnonzero(dup.to_numpy())[0])
        where = t["ags"].iloc[i] or "alle Regionen"
        raise ParameterError(
            f"`targets` has more than one row for indicator {t['indicator'].iloc[i]!r} and "
            f"{where}; give one target per indicator and region."
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
