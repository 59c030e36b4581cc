"""Trends over time: change, index, growth rates, robust slopes, Mann–Kendall and a German class.

Small functions take one series (``values`` and ``years`` of the same length) and return
numbers; :func:`trend` applies them to every region, indicator and breakdown of an
indicator-values table at once and returns one row per series. :func:`index_series` and
:func:`pooled_values` return one row per series and year.

Every trend function is total (docs/style.md, shape 9): fewer than two years gives NaN (and a
``reason`` in the table), equal endpoints give 0, and the results carry ``first_year``,
``last_year`` and ``n_years``.

Known breaks in time series are listed in :data:`BREAKS` (Zensus 2011 and 2022 population
bases); territorial reforms are given by the user as ``(ags, year)`` pairs. By default
:func:`trend` does not fit across a break: it uses only the years from the last break inside the
window and says so in ``break_in_window`` and ``breaks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._schema import VALUE_FIXED_COLUMNS
from .errors import ParameterError
from .fmt import fmt_number

__all__ = [
    "BREAKS",
    "TREND_CLASSES",
    "cagr",
    "loglinear_rate",
    "ols_slope",
    "theil_sen",
    "mann_kendall",
    "classify_trend",
    "rebase",
    "moving_ratio",
    "trend",
    "index_series",
    "pooled_values",
]

#: Numbers in Methodik sentences: German, trailing zeros dropped (``2,5``, ``5``).
_num = partial(fmt_number, trim=True)

#: The four verbal trend classes, in German, as :func:`classify_trend` returns them.
TREND_CLASSES = ("steigend", "fallend", "stabil", "uneinheitlich")

#: Fewest years with a value from which :func:`trend` gives a trend class (and a Kernaussage
#: states a trend, :mod:`bimokit.text`). With fewer than five points the two-sided
#: Mann–Kendall test cannot reach p < 0.05, and "stabil" over three or four points is no
#: finding either.
MIN_TREND_YEARS = 5

#: Known breaks in official time series. ``year`` is the first year of the new series: values
#: of ``year`` and later are not comparable with values before it. ``ags`` empty = every
#: region. ``scope`` ``bevoelkerung``: applies to indicators that rest on population figures
#: (see ``population_based`` in :func:`trend`).
BREAKS = pd.DataFrame(
    {
        "ags": ["", ""],
        "year": [2011, 2022],
        "kind": ["zensus", "zensus"],
        "scope": ["bevoelkerung", "bevoelkerung"],
        "label": ["Zensus 2011", "Zensus 2022"],
        "note": [
            "Bevölkerungszahlen ab 2011 beruhen auf dem Zensus 2011, davor auf der "
            "Fortschreibung der Volkszählung 1987 (West) bzw. des Registers 1990 (Ost).",
            "Bevölkerungszahlen ab 2022 beruhen auf dem Zensus 2022, davor auf dem Zensus 2011.",
        ],
    }
)


# ---------------------------------------------------------------------------------------------
# helpers shared with bimokit.comparison and bimokit.targets
# ---------------------------------------------------------------------------------------------


def check_values_table(values, func: str, *,
                       need=("ags", "year", "indicator", "value")) -> list[str]:
    """Check an indicator-values table; return its breakdown (dimension) columns."""
    if not isinstance(values, pd.DataFrame):
        raise ParameterError(
            f"{func}: `values` must be an indicator-values table (a DataFrame), "
            f"not {type(values).__name__}."
        )
    missing = [c for c in need if c not in values.columns]
    if missing:
        raise ParameterError(
            f"{func}: `values` lacks the column(s) {', '.join(repr(c) for c in missing)}; an "
            f"indicator-values table has {', '.join(VALUE_FIXED_COLUMNS)} (plus breakdown columns)."
        )
    return [c for c in values.columns if c not in VALUE_FIXED_COLUMNS]


def clean_values_table(values: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Copy with clean dtypes: ags/indicator as str, year int, numbers float."""
    out = values.copy()
    out["ags"] = out["ags"].astype(str)
    out["indicator"] = out["indicator"].astype(str)
    try:
        out["year"] = pd.to_numeric(out["year"]).astype("int64")
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"`values`: column 'year' must hold whole years ({exc}).") from None
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in dims:
        out[col] = out[col].astype(object).where(out[col].notna(), "")
        out[col] = out[col].astype(str)
    return out


def per_indicator(spec, name: str, *, column: str) -> dict[str, object]:
    """Turn a mapping, Series or catalogue-like DataFrame into ``{indicator: value}``."""
    if spec is None:
        return {}
    if isinstance(spec, pd.DataFrame):
        key = "indicator" if "indicator" in spec.columns else "id" if "id" in spec.columns else None
        if key is None or column not in spec.columns:
            raise ParameterError(
                f"`{name}` as a table needs the columns 'indicator' (or 'id') and '{column}'; "
                f"it has {', '.join(map(str, spec.columns))}."
            )
        return dict(zip(spec[key].astype(str), spec[column], strict=True))
    if isinstance(spec, pd.Series):
        return {str(k): v for k, v in spec.items()}
    if isinstance(spec, Mapping):
        return {str(k): v for k, v in spec.items()}
    raise ParameterError(
        f"`{name}` must be a mapping indicator → {column}, a Series or a table with columns "
        f"'indicator' and '{column}'; not {type(spec).__name__}."
    )


def _snap_scale(ratio: float) -> float:
    """Snap an inferred scale to the nearest power of ten where it is one (100, 1000, …)."""
    if not np.isfinite(ratio) or ratio <= 0:
        return np.nan
    power = 10.0 ** np.round(np.log10(ratio))
    return float(power) if abs(ratio / power - 1) < 1e-6 else float(ratio)


def infer_scales(values: pd.DataFrame) -> dict[str, float]:
    """Scale per indicator (value = scale · numerator / denominator), NaN where not a ratio."""
    if "numerator" not in values.columns or "denominator" not in values.columns:
        return {}
    v = values
    ok = (v["numerator"] > 0) & (v["denominator"] > 0) & v["value"].notna()
    ratio = (v.loc[ok, "value"] * v.loc[ok, "denominator"] / v.loc[ok, "numerator"])
    med = ratio.groupby(v.loc[ok, "indicator"]).median()
    return {str(k): _snap_scale(float(x)) for k, x in med.items()}




# ---------------------------------------------------------------------------------------------
# primitives: one series in, numbers out
# ---------------------------------------------------------------------------------------------


def _clean(values, years) -> tuple[np.ndarray, np.ndarray]:
    """Pairs with a value, sorted by year, as float arrays; checks shape and duplicate years."""
    v = np.asarray(values, dtype="float64").ravel()
    y = np.asarray(years, dtype="float64").ravel()
    if v.shape != y.shape:
        raise ParameterError(
            f"`values` and `years` must have the same length; got {v.size} and {y.size}."
        )
    ok = ~np.isnan(v) & ~np.isnan(y)
    v, y = v[ok], y[ok]
    order = np.argsort(y, kind="stable")
    v, y = v[order], y[order]
    if y.size > 1 and np.any(np.diff(y) == 0):
        dup = int(y[np.flatnonzero(np.diff(y) == 0)[0]])
        raise ParameterError(f"Year {dup} appears twice: a series has one value per year.")
    return v, y


def cagr(values, years) -> float:
    """Compound annual growth rate between the first and the last year with a value.

    Parameters
    ----------
    values, years : array-like of float, same length
        One series; pairs with a missing value are left out.

    Returns
    -------
    float
        ``(last / first) ** (1 / (last_year - first_year)) - 1`` as a fraction (0.05 = 5 % a
        year). NaN for fewer than two years or a first value ≤ 0 or a negative last value;
        0.0 when both endpoints are equal.

    Examples
    --------
    >>> round(cagr([100, 110, 121], [2020, 2021, 2022]), 6)
    0.1
    >>> cagr([5.0], [2020])
    nan
    """
    v, y = _clean(values, years)
    if v.size < 2:
        return np.nan
    first, last = v[0], v[-1]
    if first == last:
        return 0.0
    if first <= 0 or last < 0:
        return np.nan
    return float((last / first) ** (1.0 / (y[-1] - y[0])) - 1.0)


def loglinear_rate(values, years) -> float:
    """Average annual rate from an OLS fit of the log values on the year.

    Parameters
    ----------
    values, years : array-like of float, same length

    Returns
    -------
    float
        ``exp(b) - 1`` where ``b`` is the OLS slope of ``ln(value)`` on ``year``, as a fraction.
        Uses every year, so it is steadier than :func:`cagr`, which rests on two endpoints.
        NaN for fewer than two years or any value ≤ 0; 0.0 for a constant series.

    Examples
    --------
    >>> round(loglinear_rate([100, 110, 121, 133.1], [2020, 2021, 2022, 2023]), 6)
    0.1
    """
    v, y = _clean(values, years)
    if v.size < 2 or np.any(v <= 0):
        return np.nan
    if np.all(v == v[0]):
        return 0.0
    slope = _ols(np.log(v), y, alpha=0.05).slope
    return float(np.expm1(slope))


class OLSResult(NamedTuple):
    """Slope of an OLS line with its confidence interval and two-sided p-value."""

    slope: float
    ci_low: float
    ci_high: float
    pvalue: float


def _ols(v: np.ndarray, y: np.ndarray, *, alpha: float) -> OLSResult:
    n = v.size
    if n < 2:
        return OLSResult(np.nan, np.nan, np.nan, np.nan)
    xc = y - y.mean()
    sxx = float(np.sum(xc**2))
    slope = float(np.sum(xc * (v - v.mean())) / sxx)
    if n == 2:
        return OLSResult(slope, np.nan, np.nan, np.nan)
    resid = v - v.mean() - slope * xc
    df = n - 2
    se = float(np.sqrt(np.sum(resid**2) / df / sxx))
    if se == 0 or se < 1e-12 * max(abs(slope), 1e-300):
        return OLSResult(slope, slope, slope, 0.0 if slope != 0 else 1.0)
    from scipy import stats

    tcrit = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(slope / se), df))
    return OLSResult(slope, slope - tcrit * se, slope + tcrit * se, p)


def ols_slope(values, years, *, alpha: float = 0.05) -> OLSResult:
    """OLS slope of value on year with its (1 − alpha) confidence interval.

    Parameters
    ----------
    values, years : array-like of float, same length
    alpha : float, default 0.05
        1 − confidence level of the interval (0.05 → 95 %).

    Returns
    -------
    OLSResult
        ``slope`` (units per year), ``ci_low``, ``ci_high`` (t interval with n − 2 degrees of
        freedom) and ``pvalue`` (two-sided t-test of slope 0). NaN for fewer than two years;
        for two years the slope only. A series on an exact line has a zero-width interval.

    Notes
    -----
    Closed form of the simple regression ``value = a + b·year``: ``b = Sxy / Sxx``,
    ``se(b) = sqrt(SSR / (n − 2) / Sxx)``; identical to ``statsmodels.OLS`` with a constant
    (checked in the tests) and fast enough to run for thousands of series.

    Examples
    --------
    >>> r = ols_slope([1.0, 2.1, 2.9, 4.2], [2020, 2021, 2022, 2023])
    >>> round(r.slope, 3), round(r.ci_low, 3), round(r.ci_high, 3)
    (1.04, 0.761, 1.319)
    """
    _check_alpha(alpha)
    v, y = _clean(values, years)
    return _ols(v, y, alpha=alpha)


class TheilSenResult(NamedTuple):
    """Theil–Sen slope (median of pairwise slopes) with its confidence interval."""

    slope: float
    ci_low: float
    ci_high: float


def theil_sen(values, years, *, alpha: float = 0.05) -> TheilSenResult:
    """Theil–Sen slope with its (1 − alpha) confidence interval (``scipy.stats.theilslopes``).

    Parameters
    ----------
    values, years : array-like of float, same length
    alpha : float, default 0.05
        1 − confidence level (scipy's ``alpha`` argument is the confidence level itself).

    Returns
    -------
    TheilSenResult
        ``slope``, ``ci_low``, ``ci_high``. NaN for fewer than two years; for two years the
        slope with a NaN interval (scipy's zero-width interval from one pair says nothing).

    Notes
    -----
    The median of all pairwise slopes ``(v_j − v_i)/(y_j − y_i)``; the interval is Sen's,
    from the normal approximation to Kendall's S (as in scipy). Robust against single outliers.

    Examples
    --------
    >>> theil_sen([1.0, 2.0, 30.0, 4.0, 5.0], [2020, 2021, 2022, 2023, 2024]).slope
    1.0
    """
    _check_alpha(alpha)
    v, y = _clean(values, years)
    if v.size < 2:
        return TheilSenResult(np.nan, np.nan, np.nan)
    from scipy import stats

    res = stats.theilslopes(v, y, alpha=1 - alpha)
    if v.size == 2:
        return TheilSenResult(float(res.slope), np.nan, np.nan)
    return TheilSenResult(float(res.slope), float(res.low_slope), float(res.high_slope))


class MannKendallResult(NamedTuple):
    """Mann–Kendall trend test: S statistic, Kendall's tau, two-sided p-value, method."""

    s: float
    tau: float
    pvalue: float
    method: str


def mann_kendall(values, years, *, exact_max_n: int = 30) -> MannKendallResult:
    """Mann–Kendall test for a monotone trend, exact for small series without ties.

    Parameters
    ----------
    values, years : array-like of float, same length
    exact_max_n : int, default 30
        Largest number of years for which the exact null distribution is used.

    Returns
    -------
    MannKendallResult
        ``s`` = Σ sign(v_j − v_i) over all pairs of years i < j; ``tau`` (Kendall's tau-b of
        value and year); ``pvalue`` two-sided; ``method``: ``exakt`` (exact permutation
        distribution of S; ``scipy.stats.kendalltau(method='exact')``),
        ``Normalapproximation`` (more than ``exact_max_n`` years) or
        ``Normalapproximation mit Bindungskorrektur`` (tied values: z = S / sqrt(Var S) with
        ``Var S = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18``, no continuity correction, as scipy).
        A constant series gives S = 0, tau = 0, p = 1 (method ``konstant``); fewer than two
        years gives NaN.

    Examples
    --------
    >>> r = mann_kendall([3.0, 4.0, 6.0, 7.0], [2020, 2021, 2022, 2023])
    >>> r.s, round(r.pvalue, 4), r.method   # exact: P(|S| >= 6) = 2/24
    (6.0, 0.0833, 'exakt')
    """
    v, y = _clean(values, years)
    n = v.size
    if n < 2:
        return MannKendallResult(np.nan, np.nan, np.nan, "")
    if np.all(v == v[0]):
        return MannKendallResult(0.0, 0.0, 1.0, "konstant")
    from scipy import stats

    i, j = np.triu_indices(n, k=1)
    s = float(np.sum(np.sign(v[j] - v[i])))
    ties = np.unique(v).size < n
    if not ties and n <= exact_max_n:
        res = stats.kendalltau(y, v, method="exact")
        method = "exakt"
    else:
        res = stats.kendalltau(y, v, method="asymptotic")
        method = "Normalapproximation mit Bindungskorrektur" if ties else "Normalapproximation"
    return MannKendallResult(s, float(res.statistic), float(min(res.pvalue, 1.0)), method)


def classify_trend(values, years, *, alpha: float = 0.05, tolerance: float = 0.05) -> str:
    """German verbal trend class of one series: steigend, fallend, stabil or uneinheitlich.

    Parameters
    ----------
    values, years : array-like of float, same length
    alpha : float, default 0.05
        Significance level of the Mann–Kendall test and 1 − level of the Theil–Sen interval.
    tolerance : float, default 0.05
        Largest change over the period, as a fraction of the median value, still called stable.
        The rule is symmetric: negating the series swaps ``steigend`` and ``fallend``.

    Returns
    -------
    str
        ``steigend`` / ``fallend`` only when the evidence says so: the Mann–Kendall test is
        significant (p < alpha) **and** the Theil–Sen interval lies wholly above / below 0.
        Otherwise ``stabil`` when the data show the change to be small: the whole Theil–Sen
        interval, times the span ``last_year − first_year``, lies within ``± tolerance ·
        |median|`` (for two years: the change itself); else ``uneinheitlich`` (no clear
        direction, but no evidence of stability either, e.g. a strongly fluctuating series).
        Empty string for fewer than two years.

    Examples
    --------
    >>> years = list(range(2015, 2025))
    >>> classify_trend([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], years)
    'steigend'
    >>> classify_trend([10, 10.1, 9.9, 10, 10.2, 9.8, 10, 10.1, 9.9, 10], years)
    'stabil'
    >>> classify_trend([10, 14, 9, 15, 8, 16, 7, 15, 9, 14], years)   # strong swings, no direction
    'uneinheitlich'
    """
    _check_alpha(alpha)
    v, y = _clean(values, years)
    return _classify(v, y, alpha=alpha, tolerance=tolerance, exact_max_n=30)[0]


def _classify(v, y, *, alpha, tolerance, exact_max_n):
    if v.size < 2:
        return "", theil_sen(v, y, alpha=alpha), mann_kendall(v, y)
    ts = theil_sen(v, y, alpha=alpha)
    mk = mann_kendall(v, y, exact_max_n=exact_max_n)
    if mk.pvalue < alpha and ts.ci_low > 0:
        return "steigend", ts, mk
    if mk.pvalue < alpha and ts.ci_high < 0:
        return "fallend", ts, mk
    span = y[-1] - y[0]
    if v.size == 2:
        change = abs(v[-1] - v[0])
    else:
        change = max(abs(ts.ci_low), abs(ts.ci_high)) * span
    level = abs(float(np.median(v)))
    if change <= tolerance * level or change == 0:
        return "stabil", ts, mk
    return "uneinheitlich", ts, mk


def rebase(values, years, *, base_year: int | None = None) -> np.ndarray:
    """Index of a series, base year = 100.

    Parameters
    ----------
    values, years : array-like of float, same length (any order)
    base_year : int, optional
        Default: the first year with a value.

    Returns
    -------
    numpy.ndarray
        ``100 · value / value[base_year]`` in the order given; all NaN when the base year has
        no value or a value of 0.

    Examples
    --------
    >>> rebase([80.0, 100.0, 120.0], [2020, 2021, 2022], base_year=2021).tolist()
    [80.0, 100.0, 120.0]
    """
    v = np.asarray(values, dtype="float64").ravel()
    y = np.asarray(years, dtype="float64").ravel()
    if v.shape != y.shape:
        raise ParameterError(
            f"`values` and `years` must have the same length; got {v.size} and {y.size}."
        )
    ok = ~np.isnan(v)
    if base_year is None:
        if not ok.any():
            return np.full(v.shape, np.nan)
        base_year = int(y[ok].min())
    at = ok & (y == base_year)
    if not at.any() or v[at][0] == 0:
        return np.full(v.shape, np.nan)
    return 100.0 * v / v[at][0]


def moving_ratio(numerator, denominator, years, *, window: int = 3) -> np.ndarray:
    """Moving ratio over ``window`` years from pooled counts (not averaged rates).

    Parameters
    ----------
    numerator, denominator, years : array-like, same length, one entry per year
    window : int, default 3
        Number of consecutive calendar years pooled; the window ends at each row's year.

    Returns
    -------
    numpy.ndarray
        ``Σ numerator / Σ denominator`` over the years ``year − window + 1 … year`` (unscaled,
        in the order given); NaN where a year of the window is missing, a count is missing or
        the summed denominator is 0.

    Examples
    --------
    >>> moving_ratio([1, 9, 2], [10, 90, 100], [2020, 2021, 2022]).tolist()  # 12/200
    [nan, nan, 0.06]
    """
    if not isinstance(window, int | np.integer) or window < 1:
        raise ParameterError(f"`window` must be a whole number ≥ 1; not {window!r}.")
    num = np.asarray(numerator, dtype="float64").ravel()
    den = np.asarray(denominator, dtype="float64").ravel()
    yrs = np.asarray(years, dtype="float64").ravel()
    if not num.shape == den.shape == yrs.shape:
        raise ParameterError("`numerator`, `denominator` and `years` must have the same length.")
    ok = ~np.isnan(num) & ~np.isnan(den)
    by_year = dict(zip(yrs[ok].tolist(), zip(num[ok], den[ok], strict=True), strict=True))
    out = np.full(num.shape, np.nan)
    for k, year in enumerate(yrs.tolist()):
        cells = [by_year.get(year - d) for d in range(window)]
        if any(c is None for c in cells):
            continue
        total_den = sum(c[1] for c in cells)
        if total_den != 0:
            out[k] = sum(c[0] for c in cells) / total_den
    return out


def _check_alpha(alpha) -> None:
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ParameterError(f"`alpha` must be a number between 0 and 1, e.g. 0.05; not {alpha!r}.")


# ---------------------------------------------------------------------------------------------
# table verbs
# ---------------------------------------------------------------------------------------------

#: Columns of :func:`trend` after the key columns (``ags``, ``indicator``, breakdowns).
TREND_COLUMNS = (
    "first_year", "last_year", "n_years", "base_year", "base_value", "last_value", "unit",
    "change_abs", "change_pct", "change_pp", "cagr_pct", "loglinear_pct",
    "ols_slope", "ols_ci_low", "ols_ci_high", "ols_p",
    "ts_slope", "ts_ci_low", "ts_ci_high", "mk_s", "mk_tau", "mk_p", "mk_method",
    "trend_class", "break_in_window", "breaks", "on_break", "alpha", "tolerance", "reason",
)

_SHARE_UNITS = {"%", "prozent", "anteil in %", "quote in %"}


def _break_table(breaks, func: str) -> pd.DataFrame:
    """Normalise ``breaks`` to a table ags, year, scope, label."""
    base = BREAKS[["ags", "year", "scope", "label"]]
    if breaks is None:
        return base.iloc[0:0]
    if isinstance(breaks, str):
        if breaks != "auto":
            raise ParameterError(
                f"{func}: `breaks` must be 'auto', None or a list of (ags, year) pairs; "
                f"not {breaks!r}."
            )
        return base
    if isinstance(breaks, pd.DataFrame):
        if not {"ags", "year"} <= set(breaks.columns):
            raise ParameterError(f"{func}: a `breaks` table needs the columns 'ags' and 'year'.")
        extra = breaks.copy()
    else:
        rows = []
        for item in breaks:
            if not isinstance(item, tuple | list) or len(item) not in (2, 3):
                raise ParameterError(
                    f"{func}: every entry of `breaks` must be (ags, year) or (ags, year, label);"
                    f" not {item!r}."
                )
            rows.append(
                {"ags": item[0], "year": item[1],
                 "label": item[2] if len(item) == 3 else f"Gebietsstand {item[1]}"}
            )
        extra = pd.DataFrame(rows, columns=["ags", "year", "label"])
    extra["ags"] = extra["ags"].astype(object).where(extra["ags"].notna(), "").astype(str)
    try:
        extra["year"] = pd.to_numeric(extra["year"]).astype("int64")
    except (ValueError, TypeError):
        raise ParameterError(f"{func}: the years in `breaks` must be whole numbers.") from None
    if "label" not in extra.columns:
        extra["label"] = "Gebietsstand " + extra["year"].astype(str)
    extra["scope"] = extra["scope"] if "scope" in extra.columns else ""
    return pd.concat([base, extra[["ags", "year", "scope", "label"]]], ignore_index=True)


def trend(
    values: pd.DataFrame,
    *,
    base_year: int | None = None,
    end_year: int | None = None,
    breaks="auto",
    population_based: Iterable[str] | str | None = "catalogue",
    on_break: str = "segment",
    units=None,
    alpha: float = 0.05,
    tolerance: float = 0.05,
    exact_max_n: int = 30,
    min_years: int = MIN_TREND_YEARS,
) -> pd.DataFrame:
    """Trend of every region, indicator and breakdown in an indicator-values table.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags, year, indicator, [breakdowns], numerator, denominator,
        value, ci_low, ci_high, status``); ``ags``, ``year``, ``indicator``, ``value`` are
        needed. Every column not of the fixed set is a breakdown and a grouping key. Rows
        with a missing value (secret cells) are left out.
    base_year : int, optional
        First year of the window and the year changes are measured against. Default: each
        series' first year with a value.
    end_year : int, optional
        Last year of the window. Default: each series' last year.
    breaks : 'auto', None, list of (ags, year[, label]) or DataFrame, default 'auto'
        Known breaks. ``'auto'``: :data:`BREAKS` (Zensus 2011, Zensus 2022). A list or table of
        territorial reforms ``(ags, year)`` is added to them (a reform applies to that exact
        ``ags``, from ``year`` on; ``ags`` '' = every region). ``None``: no breaks.
    population_based : iterable of str, ``"catalogue"`` or ``"all"``
        Indicators that rest on population figures, to which the Zensus breaks apply.
        Default ``"catalogue"``: the catalogue's indicators whose numerator or denominator
        counts ``bevoelkerung`` (as the chapters do; an id not in the catalogue is not cut).
        ``"all"`` (or ``None``): every indicator.
    on_break : {'segment', 'flag'}, default 'segment'
        ``segment``: use only the years from the last break inside the window (the base year
        moves to it). ``flag``: fit the whole window. Either way ``break_in_window`` and
        ``breaks`` name the break.
    units : mapping, Series or table (``indicator``/``id`` and ``unit``), optional
        Unit per indicator. For ``%`` the change is also given in Prozentpunkte.
    alpha : float, default 0.05
        Significance level of the tests and 1 − level of the intervals.
    tolerance : float, default 0.05
        Largest change over the window, as a fraction of the median value, that counts as
        ``stabil`` (see :func:`classify_trend` for the rule).
    exact_max_n : int, default 30
        Largest series length for the exact Mann–Kendall p-value (no ties).
    min_years : int, default :data:`MIN_TREND_YEARS` (5)
        Fewest years with a value (after window and breaks) for a trend class; a shorter
        series gets the numbers but ``trend_class`` '' and the reason, as the chapters, which
        state no trend from fewer years.

    Returns
    -------
    DataFrame
        One row per ``ags, indicator, <breakdowns>``, with the columns

        - ``ags``, ``indicator``, breakdown columns
        - ``first_year``, ``last_year``, ``n_years``: the years used (after window and breaks)
        - ``base_year``, ``base_value``, ``last_value``: year and value changes refer to
        - ``unit``: the indicator's unit ('' if not given)
        - ``change_abs``: last − base value, in the indicator's unit
        - ``change_pct``: relative change in % (``100 · (last/base − 1)``); NaN if base ≤ 0
        - ``change_pp``: change in Prozentpunkte for unit ``%``, else NaN
        - ``cagr_pct``: :func:`cagr` in % a year
        - ``loglinear_pct``: :func:`loglinear_rate` in % a year
        - ``ols_slope``, ``ols_ci_low``, ``ols_ci_high``, ``ols_p``: :func:`ols_slope`
        - ``ts_slope``, ``ts_ci_low``, ``ts_ci_high``: :func:`theil_sen`
        - ``mk_s``, ``mk_tau``, ``mk_p``, ``mk_method``: :func:`mann_kendall`
        - ``trend_class``: :func:`classify_trend` (``steigend``, ``fallend``, ``stabil``,
          ``uneinheitlich``; '' with fewer than ``min_years`` years)
        - ``break_in_window`` (bool), ``breaks`` (labels of the breaks inside the data's
          window, '; '-joined), ``on_break``
        - ``alpha``, ``tolerance``: the choices made, for the Methodik note
          (:func:`describe_method`)
        - ``reason``: '' or, in German, why a measure is missing

    Notes
    -----
    A break in year b lies in the window when ``first_year < b ≤ last_year``: values from b
    on are not comparable with those before. Classification rule: see :func:`classify_trend`.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": "05111", "indicator": "D3.1", "year": range(2015, 2021),
    ...                   "value": [8.0, 7.6, 7.1, 6.9, 6.2, 6.0]})
    >>> r = trend(v, units={"D3.1": "%"})
    >>> r[["n_years", "change_pp", "trend_class", "mk_method"]].to_dict("records")
    [{'n_years': 6, 'change_pp': -2.0, 'trend_class': 'fallend', 'mk_method': 'exakt'}]
    """
    dims = check_values_table(values, "trend")
    _check_alpha(alpha)
    if on_break not in ("segment", "flag"):
        raise ParameterError(f"`on_break` must be 'segment' or 'flag'; not {on_break!r}.")
    if not isinstance(tolerance, float | int) or tolerance < 0:
        raise ParameterError(f"`tolerance` must be a number ≥ 0, e.g. 0.05; not {tolerance!r}.")
    brk = _break_table(breaks, "trend")
    pop = _population_ids(population_based)
    if not isinstance(min_years, int | np.integer) or min_years < 2:
        raise ParameterError(f"`min_years` must be a whole number ≥ 2; not {min_years!r}.")
    unit_of = per_indicator(units, "units", column="unit")
    data = clean_values_table(values, dims)
    data = data[data["value"].notna()]
    if base_year is not None:
        data = data[data["year"] >= int(base_year)]
    if end_year is not None:
        data = data[data["year"] <= int(end_year)]
    keys = ["ags", "indicator", *dims]
    rows = []
    if len(data):
        grouped = data.sort_values("year").groupby(keys, sort=True, dropna=False)
        for key, g in grouped:
            key = key if isinstance(key, tuple) else (key,)
            row = dict(zip(keys, key, strict=True))
            row.update(_one_trend(
                g["value"].to_numpy(), g["year"].to_numpy(), ags=row["ags"],
                indicator=row["indicator"], brk=brk, pop=pop, on_break=on_break,
                base_year=base_year, unit=str(unit_of.get(row["indicator"], "") or ""),
                alpha=float(alpha), tolerance=float(tolerance), exact_max_n=exact_max_n,
                min_years=int(min_years),
            ))
            rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, *TREND_COLUMNS])
    out["break_in_window"] = out["break_in_window"].astype(bool)
    out["n_years"] = out["n_years"].astype("int64")
    for col in ("first_year", "last_year", "base_year"):
        out[col] = out[col].astype("Int64")
    return out.reset_index(drop=True)


def _population_ids(spec) -> set[str] | None:
    """The ids the Zensus breaks apply to; None: every indicator."""
    if spec is None or (isinstance(spec, str) and spec == "all"):
        return None
    if isinstance(spec, str):
        if spec != "catalogue":
            raise ParameterError(
                "`population_based` must be 'catalogue', 'all' or a list of indicator ids; "
                f"not {spec!r}.")
        from .catalogue import load_catalogue

        return {i.id for i in load_catalogue()
                if any(t.variable == "bevoelkerung" for t in (*i.numerator, *i.denominator))}
    return {str(i) for i in spec}


def _one_trend(v, y, *, ags, indicator, brk, pop, on_break, base_year, unit, alpha, tolerance,
               exact_max_n, min_years) -> dict:
    reasons = []
    v = v.astype("float64")
    y = y.astype("int64")
    if np.any(np.diff(y) == 0):
        dup = int(y[np.flatnonzero(np.diff(y) == 0)[0]])
        raise ParameterError(
            f"trend: region {ags!r}, indicator {indicator!r} has two values for {dup}; "
            f"add the breakdown column that tells them apart."
        )
    # which breaks apply to this series, and which lie inside its window
    population = pop is None or indicator in pop
    applies = (brk["ags"].eq("") | brk["ags"].eq(ags)) & (
        brk["scope"].ne("bevoelkerung") | population
    )
    mine = brk[applies]
    if y.size:
        inside = mine[(mine["year"] > y.min()) & (mine["year"] <= y.max())]
    else:
        inside = mine.iloc[0:0]
    inside = inside.sort_values("year")
    labels = "; ".join(dict.fromkeys(f"{lab} ({yr})" for lab, yr in
                                     zip(inside["label"], inside["year"], strict=True)))
    if len(inside) and on_break == "segment":
        cut = int(inside["year"].max())
        keep = y >= cut
        v, y = v[keep], y[keep]
        reasons.append(f"nur Jahre ab {cut} wegen Bruch ({labels})")
    elif len(inside):
        reasons.append(f"Trend über Bruch hinweg geschätzt ({labels})")
    n = int(y.size)
    out = {"first_year": int(y[0]) if n else pd.NA, "last_year": int(y[-1]) if n else pd.NA,
           "n_years": n, "unit": unit, "break_in_window": bool(len(inside)), "breaks": labels,
           "on_break": on_break, "alpha": alpha, "tolerance": tolerance}
    # change against the base year
    base = int(y[0]) if n else (base_year if base_year is not None else pd.NA)
    if n and base_year is not None and int(base_year) < int(y[0]) and not (
        len(inside) and on_break == "segment"
    ):
        base = int(base_year)
        reasons.append(f"kein Wert im Basisjahr {base_year}")
        base_value = np.nan
    else:
        base_value = float(v[0]) if n else np.nan
    last_value = float(v[-1]) if n else np.nan
    out.update(base_year=base, base_value=base_value, last_value=last_value)
    if n < 2:
        reasons.append("weniger als zwei Jahre mit Wert")
    valid = n >= 2 and not np.isnan(base_value)
    change = last_value - base_value if valid else np.nan
    if valid and base_value == last_value:
        change_pct = 0.0
    elif valid and base_value > 0:
        change_pct = 100.0 * (last_value / base_value - 1.0)
    else:
        change_pct = np.nan
        if valid:
            reasons.append("relative Veränderung nicht definiert (Basiswert ≤ 0)")
    is_share = unit.strip().lower() in _SHARE_UNITS
    out.update(change_abs=change, change_pct=change_pct,
               change_pp=change if is_share else np.nan)
    out["cagr_pct"] = 100.0 * cagr(v, y) if valid else np.nan
    out["loglinear_pct"] = 100.0 * loglinear_rate(v, y)
    ols = _ols(v, y.astype("float64"), alpha=alpha)
    out.update(ols_slope=ols.slope, ols_ci_low=ols.ci_low, ols_ci_high=ols.ci_high,
               ols_p=ols.pvalue)
    klass, ts, mk = _classify(v, y.astype("float64"), alpha=alpha, tolerance=tolerance,
                              exact_max_n=exact_max_n)
    if klass and n < min_years:
        klass = ""
        reasons.append(f"keine Trendklasse aus weniger als {min_years} Jahren")
    out.update(ts_slope=ts.slope, ts_ci_low=ts.ci_low, ts_ci_high=ts.ci_high, mk_s=mk.s,
               mk_tau=mk.tau, mk_p=mk.pvalue, mk_method=mk.method, trend_class=klass)
    out["reason"] = "; ".join(reasons)
    return out


def index_series(values: pd.DataFrame, *, base_year: int | None = None) -> pd.DataFrame:
    """Index base year = 100 for every series of an indicator-values table, year by year.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags``, ``year``, ``indicator``, ``value`` needed).
    base_year : int, optional
        Default: each series' first year with a value.

    Returns
    -------
    DataFrame
        One row per ``ags, indicator, <breakdowns>, year`` with a value: the key columns,
        ``year``, ``value``, ``base_year``, ``base_value``, ``index`` (``100 · value /
        base_value``; NaN where the base year has no value or 0).

    Notes
    -----
    The index does not look at breaks (:data:`BREAKS`); read it beside :func:`trend`'s
    ``break_in_window``.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": "05111", "indicator": "A1", "year": [2020, 2021, 2022],
    ...                   "value": [50.0, 55.0, 45.0]})
    >>> index_series(v)["index"].tolist()
    [100.0, 110.0, 90.0]
    """
    dims = check_values_table(values, "index_series")
    data = clean_values_table(values, dims)
    data = data[data["value"].notna()].sort_values("year")
    keys = ["ags", "indicator", *dims]
    if base_year is None:
        base_years = data.groupby(keys, dropna=False)["year"].transform("min")
    else:
        base_years = pd.Series(int(base_year), index=data.index)
    data = data.assign(base_year=base_years.astype("int64"))
    base = data[data["year"] == data["base_year"]][[*keys, "value"]].rename(
        columns={"value": "base_value"})
    out = data[[*keys, "year", "value", "base_year"]].merge(base, on=keys, how="left")
    out["index"] = 100.0 * out["value"] / out["base_value"].where(out["base_value"] != 0)
    return out.sort_values([*keys, "year"]).reset_index(drop=True)


def pooled_values(values: pd.DataFrame, *, window: int = 3, scales=None) -> pd.DataFrame:
    """Moving values over ``window`` years from pooled counts, for every series.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table with ``numerator`` and ``denominator``.
    window : int, default 3
        Consecutive calendar years pooled, ending at each row's year (2022 = 2020–2022).
    scales : mapping, Series or table (``indicator``/``id`` and ``scale``), optional
        ``value = scale · numerator / denominator`` per indicator (100 for %, 1000 for ‰).
        Default: inferred from the table's own rows (snapped to a power of ten).

    Returns
    -------
    DataFrame
        One row per ``ags, indicator, <breakdowns>, year``: the key columns, ``year``,
        ``window_start``, ``window_end``, ``numerator``, ``denominator`` (sums over the
        window), ``value`` (``scale · Σ numerator / Σ denominator``; NaN unless every year of
        the window has both counts), ``scale``.

    Notes
    -----
    Pooling sums the counts and divides once; it does not average yearly rates, so a small
    year weighs as little as its denominator.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": "05111", "indicator": "D3.1", "year": [2020, 2021, 2022],
    ...                   "numerator": [1.0, 9.0, 2.0], "denominator": [10.0, 90.0, 100.0],
    ...                   "value": [10.0, 10.0, 2.0]})
    >>> pooled_values(v)["value"].tolist()   # 100 · 12 / 200
    [nan, nan, 6.0]
    """
    dims = check_values_table(values, "pooled_values",
                         need=("ags", "year", "indicator", "value", "numerator", "denominator"))
    if not isinstance(window, int | np.integer) or window < 1:
        raise ParameterError(f"`window` must be a whole number ≥ 1; not {window!r}.")
    data = clean_values_table(values, dims)
    scale_of = infer_scales(data)
    given = per_indicator(scales, "scales", column="scale")
    scale_of.update({k: float(x) for k, x in given.items()})
    keys = ["ags", "indicator", *dims]
    parts = []
    for _, g in data.sort_values("year").groupby(keys, sort=True, dropna=False):
        g = g[[*keys, "year", "numerator", "denominator"]].reset_index(drop=True)
        ok = g["numerator"].notna() & g["denominator"].notna()
        num = dict(zip(g.loc[ok, "year"], g.loc[ok, "numerator"], strict=True))
        den = dict(zip(g.loc[ok, "year"], g.loc[ok, "denominator"], strict=True))
        sums_n, sums_d = [], []
        for year in g["year"]:
            yrs = range(year - window + 1, year + 1)
            full = all(t in num for t in yrs)
            sums_n.append(sum(num[t] for t in yrs) if full else np.nan)
            sums_d.append(sum(den[t] for t in yrs) if full else np.nan)
        g["numerator"], g["denominator"] = sums_n, sums_d
        parts.append(g)
    cols = [*keys, "year", "window_start", "window_end", "numerator", "denominator", "value",
            "scale"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["window_start"] = out["year"] - window + 1
    out["window_end"] = out["year"]
    out["scale"] = out["indicator"].map(scale_of).astype("float64")
    out["value"] = out["scale"] * out["numerator"] / out["denominator"].where(
        out["denominator"] != 0)
    return out[cols]


def describe_method(result: pd.DataFrame) -> str:
    """German Methodik note for a :func:`trend` result.

    Parameters
    ----------
    result : DataFrame
        What :func:`trend` returned.

    Returns
    -------
    str
        One paragraph naming the tests, the level, the tolerance, the Mann–Kendall variant(s)
        used and how breaks were treated.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": "05111", "indicator": "A1", "year": range(2015, 2020),
    ...                   "value": [1.0, 2, 3, 4, 5]})
    >>> describe_method(trend(v)).startswith("Trendrichtung: Mann-Kendall-Test")
    True
    """
    if not isinstance(result, pd.DataFrame) or "alpha" not in result.columns:
        raise ParameterError("describe_method expects the table that bk.trend returned.")
    alpha = float(result["alpha"].iloc[0]) if len(result) else 0.05
    tol = float(result["tolerance"].iloc[0]) if len(result) else 0.05
    on_break = str(result["on_break"].iloc[0]) if len(result) else "segment"
    level = _num(100 * (1 - alpha), 1)
    methods = sorted({m for m in result.get("mk_method", []) if m and m != "konstant"})
    used = f" Verwendet: {', '.join(methods)}." if methods else ""
    text = (
        "Trendrichtung: Mann-Kendall-Test (zweiseitig, Signifikanzniveau "
        f"{_num(100 * alpha, 1)} %; "
        "exakte Verteilung bei kurzen Reihen ohne gleiche Werte, sonst Normalapproximation "
        f"mit Bindungskorrektur) und Theil-Sen-Steigung mit {level}-%-Konfidenzintervall.{used} "
        "„steigend“ bzw. „fallend“ nur, wenn der Test signifikant ist und das Intervall der "
        "Theil-Sen-Steigung die Null ausschließt; „stabil“, wenn auch die Grenzen des Intervalls, "
        f"über den ganzen Zeitraum gerechnet, höchstens {_num(100 * tol, 1)} % des Medianwerts "
        "Veränderung bedeuten; sonst "
        "„uneinheitlich“. Veränderungsraten: jahresdurchschnittliche Wachstumsrate (CAGR, aus "
        "Anfangs- und Endwert) und log-lineare Rate (Regression der logarithmierten Werte auf "
        "das Jahr); lineare Steigung mit Konfidenzintervall aus der OLS-Regression. "
    )
    if on_break == "segment":
        text += ("Zeitreihenbrüche (Zensus 2011, Zensus 2022, Gebietsreformen): ausgewertet "
                 "werden nur die Jahre ab dem letzten Bruch im Zeitraum.")
    else:
        text += ("Zeitreihenbrüche (Zensus 2011, Zensus 2022, Gebietsreformen) werden markiert; "
                 "der Trend wurde über den Bruch hinweg geschätzt und ist dort nur eingeschränkt "
                 "aussagekräftig.")
    if len(result) and result["break_in_window"].any():
        found = sorted({b for s in result["breaks"] for b in s.split("; ") if b})
        text += f" Im Zeitraum liegen: {', '.join(found)}."
    return text
