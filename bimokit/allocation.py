"""Need-based allocation of a budget (bedarfsorientierte Mittelverteilung).

:func:`allocate` (``bk.allocate``) shares a budget among units: a base amount per unit plus a
need share proportional to an index or to weighted counts, with floors and caps, in whole euros
that sum exactly to the budget, and compares the result with an equal per-capita allocation
(Gießkanne).

Primitives: :func:`largest_remainder` (Hamilton rounding of amounts to whole euros with an exact
total) and :func:`water_fill` (exact amounts under floors and caps).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from .errors import ParameterError
from .fmt import fmt_number

__all__ = ["largest_remainder", "water_fill", "allocate", "allocate_by_class"]

#: Numbers in Methodik sentences: German, trailing zeros dropped (``2,5``, ``5``).
_num = partial(fmt_number, trim=True)


def largest_remainder(amounts: pd.Series, total: int, *, priority: pd.Series | None = None
                      ) -> pd.Series:
    """Round non-negative amounts to whole numbers summing exactly to ``total`` (Hamilton).

    Every amount is rounded down; the euros still missing go, one each, to the amounts with the
    largest fractional remainders (ties: larger ``priority``, then the order of the Series).

    Examples
    --------
    >>> largest_remainder(pd.Series([33.4, 33.3, 33.3]), 100).tolist()
    [34, 33, 33]
    """
    a = pd.Series(amounts, dtype="float64")
    if not float(total).is_integer():
        raise ParameterError(f"The total must be a whole number of euros; not {total!r}.")
    total = int(total)
    base = np.floor(a.to_numpy() + 1e-9)
    rem = a.to_numpy() - base
    left = total - int(base.sum())
    if left < 0 or left > len(a):
        raise ParameterError(
            f"Cannot round amounts summing to {a.sum():.2f} to a total of {total}."
        )
    pri = np.zeros(len(a)) if priority is None else pd.Series(priority).to_numpy(dtype=float)
    order = np.lexsort((np.arange(len(a)), -pri, -np.round(rem, 9)))
    out = base.copy()
    out[order[:left]] += 1
    return pd.Series(out.astype("int64"), index=a.index)


def water_fill(
    need: pd.Series, budget: float, *, base: float = 0.0, floor: pd.Series | None = None,
    cap: pd.Series | None = None,
) -> pd.Series:
    """Exact amounts ``clip(base + λ·need, floor, cap)`` with λ ≥ 0 chosen so they sum to budget.

    This is the fixed point of the iterative redistribution "give units below their floor the
    floor, units above their cap the cap, share the rest among the others in proportion to
    need": every unconstrained unit gets the base plus the same λ per unit of need.

    Examples
    --------
    >>> water_fill(pd.Series([1.0, 1.0, 8.0]), 100, cap=pd.Series([100, 100, 60.0])).tolist()
    [20.0, 20.0, 60.0]
    """
    n = pd.Series(need, dtype="float64").to_numpy()
    k = n.size
    f = np.zeros(k) if floor is None else pd.Series(floor).to_numpy(dtype=float)
    c = np.full(k, np.inf) if cap is None else pd.Series(cap).to_numpy(dtype=float)

    def total(lam: float) -> float:
        return float(np.clip(base + lam * n, f, c).sum())

    if total(0.0) > budget + 1e-6:
        raise ParameterError(
            f"Infeasible: base amounts and floors already need {_num(total(0.0), 2)} €, more than "
            f"the budget of {_num(budget, 2)} €."
        )
    most = float(np.where(n > 0, c, np.clip(base, f, c)).sum())
    if most < budget - 1e-6:
        raise ParameterError(
            f"Infeasible: the caps allow at most {_num(most, 2)} € in total, less than the budget "
            f"of {_num(budget, 2)} €."
        )
    if n.sum() == 0:
        raise ParameterError("Every unit has zero need: nothing to share by need.")
    lo, hi = 0.0, 1.0
    while total(hi) < budget:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if total(mid) < budget:
            lo = mid
        else:
            hi = mid
    lam = hi
    a = np.clip(base + lam * n, f, c)
    # make exact: recompute λ over the units that are strictly inside their bounds
    free = (a > f + 1e-9) & (a < c - 1e-9) & (n > 0)
    if free.any():
        fixed_sum = a[~free].sum()
        lam = (budget - fixed_sum - base * free.sum()) / n[free].sum()
        a[free] = base + lam * n[free]
    return pd.Series(a, index=pd.Series(need).index)


def _per_unit(x, units: pd.Index, name: str) -> np.ndarray | None:
    if x is None:
        return None
    if isinstance(x, Mapping | pd.Series):
        s = pd.Series(x)
        s.index = s.index.astype(str)
        missing = [u for u in units if u not in s.index]
        if missing:
            raise ParameterError(
                f"`{name}` has no value for {', '.join(map(repr, missing[:5]))}"
                f"{' …' if len(missing) > 5 else ''}."
            )
        return pd.to_numeric(s.reindex(units), errors="coerce").to_numpy(dtype=float)
    v = float(x)
    return np.full(len(units), v)


def allocate(
    need,
    budget: float,
    *,
    column: str = "need",
    weights: Mapping[str, float] | None = None,
    base_share: float = 0.0,
    base_amount: float | None = None,
    floor=None,
    cap=None,
    population=None,
) -> pd.DataFrame:
    """Share a budget by need: base amount plus need share, floors and caps, whole euros.

    Parameters
    ----------
    need : DataFrame or Series
        A table with ``ags`` and a need column (``column``), e.g. counts or a non-negative
        index; or a Series indexed by ``ags``. With ``weights``, the need is the weighted sum of
        several columns (e.g. ``{"kinder_sgb2": 2, "kinder": 1}``).
    budget : float
        The budget in whole euros.
    column : str
        Need column of a DataFrame (default ``"need"``).
    weights : mapping, optional
        Column → weight for weighted counts.
    base_share : float
        Share of the budget split equally among the units as a base (0–1, default 0).
    base_amount : float, optional
        Base amount per unit in euros (instead of ``base_share``).
    floor, cap : float, mapping or Series, optional
        Minimum and maximum amount per unit (one number for all, or per ``ags``); rounded to
        whole euros (floor up, cap down).
    population : str, mapping or Series, optional
        Population per unit (a column name of ``need`` or a mapping ``ags`` → count) for the
        comparison with an equal per-capita allocation (Gießkanne).

    Returns
    -------
    DataFrame
        One row per unit, columns:

        * ``ags``;
        * ``need``: the need used;
        * ``base_amount``: the base amount of the unit (euros; less only if a cap is lower);
        * ``need_amount``: ``amount - base_amount`` (the need share after floors, caps and
          rounding);
        * ``amount``: whole euros; the column sums exactly to ``budget``;
        * ``share``: ``amount / budget``;
        * ``constraint``: ``"floor"``, ``"cap"`` where a limit binds, else ``""``;
        * ``giesskanne_amount``: the equal per-capita amount in whole euros (sums to the budget;
          ``<NA>`` without ``population``; nullable ``Int64``);
        * ``difference``: ``amount - giesskanne_amount``.

        ``result.attrs["methodik"]`` holds the German Methodik sentence.

    Raises
    ------
    ParameterError
        For negative need, a base above the budget, floors summing to more than the budget,
        caps summing to less, or a floor above a cap.

    Notes
    -----
    With base ``b`` per unit, need ``n_u``, floor ``f_u``, cap ``c_u``: the exact amount is
    ``a_u = clip(b + λ n_u, f_u, c_u)`` with the one λ ≥ 0 for which ``sum a_u = budget``; without
    floors and caps ``a_u = b + (budget − N b) n_u / sum n``. If every need is 0 the rest is
    shared equally. Whole euros by the largest-remainder
    (Hamilton) method; ties go to the larger need.

    Examples
    --------
    >>> need = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"],
    ...                      "need": [1.0, 2.0, 7.0], "einwohner": [500, 300, 200]})
    >>> r = allocate(need, 100_000, base_share=0.3, population="einwohner")
    >>> r[["ags", "amount", "giesskanne_amount", "difference"]].values.tolist()
    [['99101-01', 17000, 50000, -33000], ['99101-02', 24000, 30000, -6000], ['99101-03', 59000, 20000, 39000]]
    """  # noqa: E501
    if isinstance(need, pd.Series):
        frame = pd.DataFrame({"ags": need.index.astype(str), column: need.to_numpy()})
    elif isinstance(need, pd.DataFrame):
        frame = need.reset_index(drop=True)
        if "ags" not in frame.columns:
            raise ParameterError("The need table lacks the column 'ags'.")
    else:
        raise ParameterError("`need` must be a DataFrame with 'ags' or a Series indexed by ags.")
    if frame["ags"].duplicated().any():
        dup = frame.loc[frame["ags"].duplicated(), "ags"].iloc[0]
        raise ParameterError(f"The need table has AGS {dup!r} more than once; one row per unit.")
    units = pd.Index(frame["ags"].astype(str))
    if weights is not None:
        miss = [c for c in weights if c not in frame.columns]
        if miss:
            raise ParameterError(f"`weights` names column(s) not in the table: {', '.join(miss)}.")
        n = sum(float(w) * pd.to_numeric(frame[c], errors="coerce") for c, w in weights.items())
    else:
        if column not in frame.columns:
            raise ParameterError(
                f"The need table lacks the column {column!r}; name it with `column=` or give "
                "`weights=` for weighted counts."
            )
        n = pd.to_numeric(frame[column], errors="coerce")
    n = pd.Series(n, dtype="float64").to_numpy()
    if np.isnan(n).any():
        bad = units[np.isnan(n)][0]
        raise ParameterError(f"Need of {bad!r} is missing; every unit needs a need value.")
    if (n < 0).any():
        bad = units[n < 0][0]
        raise ParameterError(
            f"Need of {bad!r} is negative ({_num(n[n < 0][0], 2)}); need must be ≥ 0 "
            "(use counts, a "
            "Sozialindex class or a shifted score, not a z-score)."
        )
    if not (np.isfinite(budget) and float(budget).is_integer() and budget >= 0):
        raise ParameterError(
            f"`budget` must be a non-negative whole number of euros; not {budget!r}."
        )
    budget = int(budget)
    k = len(units)
    if k == 0:
        raise ParameterError("The need table is empty.")
    if base_amount is not None:
        if base_share:
            raise ParameterError("Give either `base_share` or `base_amount`, not both.")
        b = float(base_amount)
    else:
        if not 0 <= base_share <= 1:
            raise ParameterError(f"`base_share` must be between 0 and 1; not {base_share!r}.")
        b = base_share * budget / k
    if b < 0 or b * k > budget + 1e-6:
        raise ParameterError(
            f"Base amounts of {_num(b, 2)} € for {k} units exceed the budget of "
            f"{_num(budget, 2)} €."
        )
    f = _per_unit(floor, units, "floor")
    c = _per_unit(cap, units, "cap")
    f = None if f is None else np.ceil(f - 1e-9)
    c = None if c is None else np.floor(c + 1e-9)
    if f is not None and c is not None and (f > c).any():
        bad = units[f > c][0]
        raise ParameterError(f"Floor above cap for {bad!r}.")
    if f is not None and f.sum() > budget:
        raise ParameterError(
            f"Infeasible: the floors sum to {_num(f.sum(), 2)} €, more than the budget of "
            f"{_num(budget, 2)} €."
        )
    if c is not None and c.sum() < budget:
        raise ParameterError(
            f"Infeasible: the caps sum to {_num(c.sum(), 2)} €, less than the budget of "
            f"{_num(budget, 2)} €."
        )
    rest = budget - b * k
    if n.sum() == 0:
        # nobody has need: the rest is shared equally (documented)
        n_eff = np.ones(k)
    else:
        n_eff = n
    if rest <= 1e-9 and f is None and c is None:
        exact = np.full(k, b)
    else:
        exact = water_fill(pd.Series(n_eff), budget, base=b,
                           floor=None if f is None else pd.Series(f),
                           cap=None if c is None else pd.Series(c)).to_numpy()
    amount = largest_remainder(pd.Series(exact), budget, priority=pd.Series(n)).to_numpy()
    constraint = np.full(k, "", dtype=object)
    if f is not None:
        constraint[(exact <= f + 1e-6) & (f > 0)] = "floor"
    if c is not None:
        constraint[exact >= c - 1e-6] = "cap"
    base_u = np.minimum(b, amount)
    out = pd.DataFrame({
        "ags": units.to_numpy(),
        "need": n,
        "base_amount": base_u,
        "need_amount": amount - base_u,
        "amount": amount,
        "share": amount / budget if budget else np.nan,
        "constraint": constraint,
    })
    if population is not None:
        if isinstance(population, str):
            if population not in frame.columns:
                raise ParameterError(f"`population` column {population!r} not in the need table.")
            pop = pd.to_numeric(frame[population], errors="coerce").to_numpy(dtype=float)
        else:
            pop = _per_unit(population, units, "population")
        if np.isnan(pop).any() or (pop < 0).any() or pop.sum() <= 0:
            raise ParameterError("`population` must be non-negative counts with a positive sum.")
        g = largest_remainder(pd.Series(budget * pop / pop.sum()), budget,
                              priority=pd.Series(pop)).to_numpy()
        out["giesskanne_amount"] = pd.array(g, dtype="Int64")
        out["difference"] = pd.array(amount - g, dtype="Int64")
    else:
        out["giesskanne_amount"] = pd.array([pd.NA] * k, dtype="Int64")
        out["difference"] = pd.array([pd.NA] * k, dtype="Int64")
    out.attrs["methodik"] = describe_method(
        budget=budget, base=b, n_units=k, weights=weights, floor=floor, cap=cap,
        population=population is not None,
    )
    return out


def describe_method(*, budget: float, base: float, n_units: int, weights=None, floor=None, cap=None,
             population: bool = False) -> str:
    """German Methodik sentence for an allocation.

    Examples
    --------
    >>> describe_method(budget=100000, base=10000, n_units=3)
    'Verteilung von 100.000 €: Sockelbetrag 10.000 € je Einheit (3 Einheiten), Rest von 70.000 € proportional zum Bedarf; auf ganze Euro gerundet nach dem Verfahren der größten Reste (Hare/Niemeyer), Summe exakt gleich dem Budget.'
    """  # noqa: E501
    rest = budget - base * n_units
    text = f"Verteilung von {_num(budget, 2)} €: "
    if base > 0:
        text += (f"Sockelbetrag {_num(base, 2)} € je Einheit ({n_units} Einheiten), "
                 f"Rest von {_num(rest, 2)} € ")
    else:
        text += f"{n_units} Einheiten, "
    text += "proportional zum Bedarf"
    if weights:
        text += " (gewichtete Summe: " + ", ".join(
            f"{c} × {_num(float(w), 2)}" for c, w in weights.items()) + ")"
    text += "; "
    if floor is not None or cap is not None:
        parts = []
        if floor is not None:
            parts.append("Mindestbeträge")
        if cap is not None:
            parts.append("Höchstbeträge")
        text += " und ".join(parts) + " werden eingehalten, der Überschuss wird "
        text += "bedarfsproportional auf die übrigen Einheiten umverteilt; "
    text += ("auf ganze Euro gerundet nach dem Verfahren der größten Reste (Hare/Niemeyer), Summe "
             "exakt gleich dem Budget.")
    if population:
        text += " Vergleich: Gießkanne = gleicher Betrag je Person der Bezugsbevölkerung."
    return text


def allocate_by_class(units: pd.DataFrame, budget: float, *, base_share: float = 0.0,
                      population: str = "kinder", klasse: str = "klasse") -> pd.DataFrame:
    """Need-based allocation by Sozialindex class: need = population × class.

    Parameters
    ----------
    units : DataFrame
        One row per unit: ``ags``, the population (``population``, e.g. children under 15)
        and the Sozialindex class 1–5 (``klasse``; 5 = highest need).
    budget : float
        The budget in whole euros.
    base_share : float
        Share of the budget split equally among the units (0–1).
    population, klasse : str
        The columns of the population and the class.

    Returns
    -------
    DataFrame
        :func:`allocate`'s table with the unit's ``klasse`` and population added;
        ``attrs["methodik"]`` says how the need was built.

    Examples
    --------
    >>> u = pd.DataFrame({"ags": ["a", "b"], "kinder": [100, 100], "klasse": [1, 3]})
    >>> allocate_by_class(u, 4000)["amount"].tolist()
    [1000, 3000]
    """
    frame = units[["ags", population, klasse]].copy()
    frame["need"] = frame[population].astype("float64") * frame[klasse].astype("float64")
    result = allocate(frame, float(budget), column="need", base_share=float(base_share),
                      population=population)
    methodik = (result.attrs.get("methodik", "") + " Bezugsbevölkerung: Kinder unter 15 "
                "Jahren; Bedarf = Kinder unter 15 Jahren × Klasse des Sozialindex.")
    out = result.merge(frame[["ags", klasse, population]], on="ags")
    out.attrs["methodik"] = methodik
    return out
