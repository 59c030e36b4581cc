"""Statistical disclosure control for own small-area counts: minimum counts and suppression.

A Kommune that publishes counts by Sozialraum from its own data (Schuleingangsuntersuchung,
Kita, Jugendhilfe) has to protect them as the statistical offices protect theirs. This module
does that for tidy count tables (key columns, ``value``, optionally ``status``):

1. **Primary suppression**: a cell with a count below the minimum (default 3, zeros excepted)
   is secret; with a dominance rule ``(n, k)`` so is a cell whose ``n`` largest contributions
   make up more than ``k`` % of it.
2. **Secondary suppression**: further cells are suppressed so that no secret cell can be
   recomputed from what is published: row and column totals, hierarchy totals (Sozialraum →
   Kreis), and the other tables of the same report that share cells or margins with it
   (``linked`` tables are protected together).
3. The table comes back with the offices' symbol ``.`` and the value NaN in every suppressed
   cell, never with a number that should stay hidden, and with a column ``protection``
   (``primary``/``secondary``) that says why.

Rounding to a base (3 or 5, as in Schleswig-Holstein, Sachsen-Anhalt or NRW) is the
alternative rule set: every cell, totals included, is rounded on its own. The Cell-Key-Methode
(Berlin-Brandenburg, Zensus 2022) is the second one, for counts from microdata with record
keys: :func:`cell_key_table`, with the ONS package ``cell-key-perturbation`` (extra
``bimokit[cellkey]``).

How secondary suppression is modelled
-------------------------------------
As in tau-ARGUS and R's sdcTable, a table is a vector of cells ``x`` with linear additivity
constraints ``A x = 0`` (each total minus its parts). An attacker knows ``A``, every published
cell and that counts are not negative; for a suppressed cell ``c`` the attacker can narrow its
value down to ``[min x_c, max x_c]`` over every table that fits. A primary cell is protected
when that interval is at least ``protection`` wide (default: the minimum count).

The pattern is found as in the classical LP heuristic (Kelly, Golden and Assad; Fischetti
and Salazar's attacker model; sdcTable's ``SIMPLEHEURISTIC`` with its attacker problems): for
each primary cell ``p`` in turn, the LP

    minimise   Σ_j cost_j (u_j + d_j)
    subject to A (u - d) = 0,   u_p ≥ protection,   0 ≤ d_j ≤ x_j,   u_j ≥ 0

looks for a way to raise ``p`` by ``protection`` that keeps the table additive and
non-negative; cells already suppressed cost nothing, so it reuses them where it can. Every cell
the solution moves is suppressed. Then ``x + u - d`` is a table the attacker cannot tell from
the true one, so ``max x_p ≥ x_p + protection`` whatever else is suppressed later (more
suppression only widens the attacker's intervals). A smaller LP over the suppressed cells
alone is tried first: where it is feasible ``p`` is protected already. The LPs are solved with
HiGHS (``highspy``) with warm starts; independent parts of a table (e.g. other years) are
separate problems.

Limits: the attacker is an outsider. A respondent who knows their own contribution to a cell
of 1 (the "singleton problem" of sdcTable) is not modelled, nor are integer-only bounds (the
LP bounds are exact for two-dimensional tables with hierarchies).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._schema import TOTAL
from .errors import InputError, ParameterError
from .fmt import fmt_number

__all__ = [
    "DisclosureRules",
    "read_rules",
    "protect",
    "protect_linked",
    "check_protected",
    "cell_key_table",
    "protect_facts",
]

#: Numbers in Methodik sentences: German, trailing zeros dropped.
_num = partial(fmt_number, trim=True)

#: Columns of a table that are never keys of a cell.
NON_KEY_COLUMNS = frozenset({"value", "status", "source", "protection", "fixed"})

#: The symbol of a suppressed cell (the offices' "Zahlenwert unbekannt oder geheim zu halten").
SECRET = "."

_EPS = 1e-7


# ---------------------------------------------------------------------------------------------
# the rule set
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureRules:
    """The rules that protect a table: data, not code (read them from TOML with read_rules).

    Parameters
    ----------
    min_count : int
        Counts ``1 … min_count - 1`` are secret (primary suppression). Default 3, as the
        statistical offices use for small areas. Zeros are published unless
        ``suppress_zeros``.
    dominance : (n, k), optional
        The ``n`` largest contributions to a cell must not make up more than ``k`` percent of
        it (e.g. ``(1, 85)``, ``(2, 90)``); needs ``contributions`` in :func:`protect`.
    rounding_base : int, optional
        3 or 5: round every cell to a multiple of this instead of suppressing (the
        alternative rule set). ``min_count`` and ``dominance`` are then not applied.
    protection : float, optional
        How wide the interval must be to which an attacker can narrow a secret cell from
        what is published (default: ``min_count``).
    suppress_zeros : bool
        Treat true zeros as secret as well (they can disclose that a group is empty).
    cost : {"count", "value"}
        What secondary suppression keeps small: the number of suppressed cells (small cells
        preferred among equals) or the suppressed total.
    cell_key : bool
        The Cell-Key-Methode as the second rule set (as Berlin-Brandenburg and the Zensus
        2022 use): counts from microdata are perturbed consistently and those under
        ``min_count`` after perturbation are secret; see :func:`cell_key_table` (needs
        ``bimokit[cellkey]``).

    Examples
    --------
    >>> DisclosureRules().method, DisclosureRules().protection_width
    ('suppression', 3.0)
    >>> DisclosureRules(rounding_base=5).method
    'rounding'
    >>> DisclosureRules(min_count=0)
    Traceback (most recent call last):
    ...
    bimokit.errors.ParameterError: `min_count` must be a whole number ≥ 1; not 0.
    """

    min_count: int = 3
    dominance: tuple[int, float] | None = None
    rounding_base: int | None = None
    protection: float | None = None
    suppress_zeros: bool = False
    cost: str = "count"
    cell_key: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, int) \
                or self.min_count < 1:
            raise ParameterError(f"`min_count` must be a whole number ≥ 1; not {self.min_count!r}.")
        if self.dominance is not None:
            dom = tuple(self.dominance)
            ok = (len(dom) == 2 and isinstance(dom[0], int) and not isinstance(dom[0], bool)
                  and dom[0] >= 1 and isinstance(dom[1], int | float) and 0 < dom[1] < 100)
            if not ok:
                raise ParameterError(
                    "`dominance` must be (n, k): a whole number n ≥ 1 of largest contributions "
                    f"and a percentage 0 < k < 100; not {self.dominance!r}.")
            object.__setattr__(self, "dominance", (int(dom[0]), float(dom[1])))
        if self.rounding_base is not None and (
                isinstance(self.rounding_base, bool) or not isinstance(self.rounding_base, int)
                or self.rounding_base < 2):
            raise ParameterError(
                f"`rounding_base` must be a whole number ≥ 2 (3 or 5 as the offices use); "
                f"not {self.rounding_base!r}.")
        if self.protection is not None and (
                not isinstance(self.protection, int | float) or isinstance(self.protection, bool)
                or not math.isfinite(self.protection) or self.protection <= 0):
            raise ParameterError(f"`protection` must be a number > 0; not {self.protection!r}.")
        if self.cost not in ("count", "value"):
            raise ParameterError(f"`cost` must be 'count' or 'value'; not {self.cost!r}.")
        if not isinstance(self.cell_key, bool):
            raise ParameterError(f"`cell_key` must be true or false; not {self.cell_key!r}.")
        if self.cell_key and self.rounding_base is not None:
            raise ParameterError("Choose one rule set: `cell_key` or `rounding_base`, not both.")
        if not isinstance(self.suppress_zeros, bool):
            raise ParameterError(
                f"`suppress_zeros` must be true or false; not {self.suppress_zeros!r}.")

    @property
    def method(self) -> str:
        """``"rounding"`` with a ``rounding_base``, ``"cellkey"``, else ``"suppression"``."""
        if self.cell_key:
            return "cellkey"
        return "rounding" if self.rounding_base is not None else "suppression"

    @property
    def protection_width(self) -> float:
        """The interval width an attacker must not get below (``protection`` or ``min_count``)."""
        return float(self.protection if self.protection is not None else self.min_count)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *,
                     path: str | PathLike | None = None) -> DisclosureRules:
        """Rules from a mapping (a TOML table); unknown keys are an error.

        Examples
        --------
        >>> DisclosureRules.from_mapping({"min_count": 5, "dominance": [2, 90]}).dominance
        (2, 90.0)
        """
        if not isinstance(mapping, Mapping):
            raise InputError("The disclosure rules must be a table of keys and values.",
                             path=path)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise InputError(
                f"Unknown key {unknown[0]!r} in the disclosure rules; allowed are "
                f"{', '.join(sorted(known))}.", path=path, field=unknown[0])
        kwargs = dict(mapping)
        if isinstance(kwargs.get("dominance"), list):
            kwargs["dominance"] = tuple(kwargs["dominance"])
        try:
            return cls(**kwargs)
        except ParameterError as exc:
            if path is None:
                raise
            raise InputError(str(exc), path=path) from None


def read_rules(path: str | PathLike) -> DisclosureRules:
    """Read disclosure rules from a TOML file (top level or a ``[disclosure]`` table).

    Example file::

        [disclosure]
        min_count = 3
        dominance = [2, 90]

    Returns
    -------
    DisclosureRules
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError("File not found.", path=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"Not valid TOML: {exc}", path=p) from None
    if "disclosure" in data:
        data = data["disclosure"]
    return DisclosureRules.from_mapping(data, path=p)


def _as_rules(rules: DisclosureRules | Mapping[str, Any] | None) -> DisclosureRules:
    if rules is None:
        return DisclosureRules()
    if isinstance(rules, DisclosureRules):
        return rules
    if isinstance(rules, Mapping):
        return DisclosureRules.from_mapping(rules)
    raise ParameterError(
        f"`rules` must be DisclosureRules or a mapping; not {type(rules).__name__}.")


# ---------------------------------------------------------------------------------------------
# the cells and their additivity constraints
# ---------------------------------------------------------------------------------------------


@dataclass
class _Problem:
    """All cells of one or more linked tables, their constraints and where each row went."""

    cells: pd.DataFrame        # key columns + value (+ secret: bool, unknown to us)
    keys: list[str]            # by columns + dimension columns
    dims: list[str]            # additive columns
    parents: dict[str, dict]   # dim -> {child: parent}
    A: sp.csr_matrix           # constraints × cells: +1 total, -1 parts
    rows: list[np.ndarray]     # per input table: the cell of each row


def _hierarchy_of(column: str, series: pd.Series, spec: Any) -> dict[str, str] | None:
    """``{child: parent}`` for one key column, or None where the column is not additive."""
    values = set(series.dropna().astype(str))
    if spec is None:
        return None
    if isinstance(spec, str) and spec == "auto":
        if TOTAL in values:
            return {v: TOTAL for v in values if v != TOTAL}
        if column == "ags":
            par = {v: v.split("-", 1)[0] for v in values if "-" in v}
            par = {c: p for c, p in par.items() if p in values}
            return par or None
        return None
    if isinstance(spec, str):
        if spec not in values:
            raise ParameterError(
                f"hierarchy[{column!r}] names the total {spec!r}, which is not among the "
                f"categories of {column!r}.")
        return {v: spec for v in values if v != spec}
    if isinstance(spec, pd.DataFrame):
        child = "ags" if "ags" in spec.columns else "child"
        if child not in spec.columns or "parent" not in spec.columns:
            raise ParameterError(
                f"hierarchy[{column!r}] as a table needs the columns 'ags' (or 'child') and "
                "'parent', as in the region table.")
        s = spec[[child, "parent"]].dropna()
        return {str(c): str(p) for c, p in zip(s[child], s["parent"], strict=True)
                if str(p) != ""}
    if isinstance(spec, Mapping):
        out: dict[str, str] = {}
        for parent, children in spec.items():
            if isinstance(children, str) or not isinstance(children, Sequence | set):
                raise ParameterError(
                    f"hierarchy[{column!r}][{parent!r}] must be a list of its parts; not "
                    f"{children!r}.")
            for c in children:
                if str(c) in out and out[str(c)] != str(parent):
                    raise ParameterError(
                        f"hierarchy[{column!r}]: {c!r} has two parents, {out[str(c)]!r} and "
                        f"{parent!r}.")
                out[str(c)] = str(parent)
        return out
    raise ParameterError(
        f"hierarchy[{column!r}] must be a mapping parent → parts, a region table (ags, parent), "
        f"the label of the total, 'auto' or None; not {type(spec).__name__}.")


def _key_columns(table: pd.DataFrame, keys: Sequence[str] | None, where: str) -> list[str]:
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"{where} must be a DataFrame; not {type(table).__name__}.")
    if "value" not in table.columns:
        raise ParameterError(f"{where} needs a column 'value'; it has "
                             f"{', '.join(map(repr, map(str, table.columns)))}.")
    if keys is None:
        return [str(c) for c in table.columns if c not in NON_KEY_COLUMNS]
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ParameterError(f"{where} has no key column {missing[0]!r}.")
    return list(keys)


def _build(tables: Sequence[pd.DataFrame], *, hierarchy: Mapping[str, Any] | None,
           keys: Sequence[str] | None, known_only: bool = False) -> _Problem:
    """The cell universe of linked tables and its additivity constraints.

    ``known_only``: the tables are published ones (suppressed cells have NaN); no additivity
    check, and NaN is allowed where the status says the cell is secret.
    """
    hierarchy = dict(hierarchy or {})
    per_table = [_key_columns(t, keys, "`table`" if i == 0 else f"linked table {i}")
                 for i, t in enumerate(tables)]
    all_keys = list(dict.fromkeys(k for ks in per_table for k in ks))
    combined = pd.concat([t[ks].astype(str) for t, ks in zip(tables, per_table, strict=True)],
                         ignore_index=True) if all_keys else pd.DataFrame()
    parents: dict[str, dict[str, str]] = {}
    unknown = set(hierarchy) - set(all_keys)
    if unknown:
        raise ParameterError(f"`hierarchy` names {sorted(unknown)[0]!r}, which is not a key "
                             f"column (keys: {', '.join(map(repr, all_keys))}).")
    for k in all_keys:
        h = _hierarchy_of(k, combined[k], hierarchy.get(k, "auto"))
        if h is not None:
            parents[k] = h
    dims = [k for k in all_keys if k in parents]
    by = [k for k in all_keys if k not in parents]
    for i, ks in enumerate(per_table):
        if set(by) - set(ks):
            raise ParameterError(
                f"{'`table`' if i == 0 else f'linked table {i}'} has no column "
                f"{sorted(set(by) - set(ks))[0]!r}; linked tables must share their non-additive "
                "key columns (year, variable, …). Additive columns missing in a table count as "
                f"its total ({TOTAL!r}).")
    for d in dims:
        if TOTAL not in set(parents[d].values()) and any(d not in ks for ks in per_table):
            raise ParameterError(
                f"A linked table has no column {d!r}, but {d!r} has no total {TOTAL!r} that it "
                "could stand for.")

    frames = []
    for i, (t, ks) in enumerate(zip(tables, per_table, strict=True)):
        f = pd.DataFrame({k: (t[k].astype(str).to_numpy() if k in ks else TOTAL)
                          for k in all_keys}, index=range(len(t)))
        f["value"] = pd.to_numeric(t["value"], errors="coerce").to_numpy(dtype="float64")
        status = (t["status"].astype(object).where(t["status"].notna(), "").astype(str)
                  .str.strip().to_numpy() if "status" in t.columns else np.full(len(t), ""))
        f["_secret"] = np.isnan(f["value"].to_numpy()) & (status == SECRET) if known_only \
            else False
        f["_fixed"] = (t["fixed"].fillna(False).astype(bool).to_numpy()
                       if "fixed" in t.columns else False)
        f["_table"] = i
        f["_row"] = np.arange(len(t))
        frames.append(f)
    allrows = pd.concat(frames, ignore_index=True)
    bad = allrows[allrows["value"].isna() & ~allrows["_secret"]]
    if len(bad):
        r = bad.iloc[0]
        raise ParameterError(
            f"{len(bad)} cell(s) have no value, e.g. {_cell_text(r, all_keys)} of "
            f"{'`table`' if r['_table'] == 0 else 'linked table ' + str(r['_table'])}: every "
            "cell needs its count to be protected.")
    if (allrows["value"] < 0).any():
        r = allrows[allrows["value"] < 0].iloc[0]
        raise ParameterError(f"Counts cannot be negative: {_cell_text(r, all_keys)} is "
                             f"{_num(r['value'], 2)}.")
    cell_id = (allrows.groupby(all_keys, sort=True).ngroup().to_numpy() if all_keys
               else np.zeros(len(allrows), dtype="int64"))
    allrows["_cell"] = cell_id
    g = allrows.groupby("_cell", sort=True)
    cells = g[all_keys].first() if all_keys else pd.DataFrame(index=g.size().index)
    vmin, vmax = g["value"].min(), g["value"].max()
    if ((vmax - vmin).fillna(0) > 1e-9 * np.maximum(1, vmax.abs().fillna(0))).any():
        c = int(((vmax - vmin).fillna(0) > 1e-9 * np.maximum(1, vmax.abs().fillna(0))).idxmax())
        raise ParameterError(
            f"The tables disagree on the cell {_cell_text(cells.loc[c], all_keys)}: "
            f"{_num(vmin[c], 2)} and {_num(vmax[c], 2)}.")
    cells["value"] = vmax.to_numpy()
    cells["_secret"] = g["_secret"].max().to_numpy()
    cells["_fixed"] = g["_fixed"].max().to_numpy()
    cells = cells.reset_index(drop=True)

    A = _constraints(cells, all_keys, dims, parents)
    if not known_only:
        _check_additive(cells, A, all_keys)
    rows = [allrows.loc[allrows["_table"] == i, "_cell"].to_numpy() for i in range(len(tables))]
    return _Problem(cells=cells, keys=all_keys, dims=dims, parents=parents, A=A, rows=rows)


def _constraints(cells: pd.DataFrame, keys: list[str], dims: list[str],
                 parents: dict[str, dict[str, str]]) -> sp.csr_matrix:
    """One row per (total cell, dimension): +1 for the total, -1 for each of its parts."""
    index = pd.MultiIndex.from_frame(cells[keys]) if keys else None
    r_idx, c_idx, vals = [], [], []
    n_rows = 0
    for d in dims:
        par = cells[d].map(parents[d])
        child = np.flatnonzero(par.notna().to_numpy())
        if not len(child):
            continue
        lookup = cells.iloc[child][keys].copy()
        lookup[d] = par.iloc[child].to_numpy()
        parent_cell = index.get_indexer(pd.MultiIndex.from_frame(lookup))
        ok = parent_cell >= 0
        child, parent_cell = child[ok], parent_cell[ok]
        if not len(child):
            continue
        con, uniq = pd.factorize(parent_cell)
        r_idx += [n_rows + con, n_rows + np.arange(len(uniq))]
        c_idx += [child, uniq]
        vals += [np.full(len(child), -1.0), np.ones(len(uniq))]
        n_rows += len(uniq)
    if not n_rows:
        return sp.csr_matrix((0, len(cells)))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))),
                         shape=(n_rows, len(cells)))


def _cell_text(row: pd.Series, keys: list[str]) -> str:
    return "(" + ", ".join(f"{k}={row[k]!r}" for k in keys) + ")"


def _check_additive(cells: pd.DataFrame, A: sp.csr_matrix, keys: list[str]) -> None:
    if not A.shape[0]:
        return
    v = cells["value"].to_numpy()
    resid = A @ v
    scale = np.maximum(1.0, np.abs(A).multiply(v).max(axis=1).toarray().ravel())
    bad = np.flatnonzero(np.abs(resid) > 1e-9 * scale)
    if not len(bad):
        return
    r = bad[0]
    row = A.getrow(r)
    total = int(row.indices[row.data > 0][0])
    parts = v[row.indices[row.data < 0]].sum()
    raise ParameterError(
        f"The table is not additive: the total {_cell_text(cells.iloc[total], keys)} is "
        f"{_num(v[total], 2)} but its parts add up to {_num(parts, 2)} ({len(bad)} total(s) "
        "differ). A total must be the sum of its parts: add the rest as a category of its own "
        "(e.g. 'ohne Zuordnung'), leave the total out, or pass `hierarchy` with None for a "
        "column that is not additive.")


# ---------------------------------------------------------------------------------------------
# primary suppression
# ---------------------------------------------------------------------------------------------


def _primary(prob: _Problem, rules: DisclosureRules,
             contributions: pd.DataFrame | None) -> np.ndarray:
    v = prob.cells["value"].to_numpy()
    small = (v > 0) & (v < rules.min_count)
    if rules.suppress_zeros:
        small |= v == 0
    if rules.dominance is not None:
        if contributions is None:
            raise ParameterError(
                "The dominance rule needs `contributions`: one row per contributor and cell "
                "(key columns, 'contributor', 'value').")
        small |= _dominated(prob, rules.dominance, contributions)
    elif contributions is not None:
        raise ParameterError("`contributions` are only used with a dominance rule; set "
                             "`rules.dominance`.")
    # a cell published elsewhere (an official total) is public whatever we do
    return small & ~prob.cells["_fixed"].to_numpy(dtype=bool)


def _dominated(prob: _Problem, dominance: tuple[int, float],
               contributions: pd.DataFrame) -> np.ndarray:
    """Cells whose ``n`` largest contributors hold more than ``k`` % of the cell."""
    n, k = dominance
    need = [c for c in ("contributor", "value") if c not in contributions.columns]
    need += [c for c in prob.keys if c not in contributions.columns and c not in prob.dims]
    if need:
        raise ParameterError(f"`contributions` needs the column {need[0]!r}.")
    c = pd.DataFrame({k_: (contributions[k_].astype(str).to_numpy()
                           if k_ in contributions.columns else TOTAL) for k_ in prob.keys})
    c["contributor"] = contributions["contributor"].astype(str).to_numpy()
    c["value"] = pd.to_numeric(contributions["value"], errors="coerce").fillna(0).to_numpy()
    for d in prob.dims:  # a contribution counts in its cell and in every total above it
        par = prob.parents[d]

        def chain(x: str, par: dict = par) -> list[str]:
            out, seen = [x], {x}
            while out[-1] in par and par[out[-1]] not in seen:
                out.append(par[out[-1]])
                seen.add(out[-1])
            return out

        c[d] = c[d].map(chain)
        c = c.explode(d, ignore_index=True)
    per = c.groupby([*prob.keys, "contributor"], sort=False)["value"].sum().reset_index()
    per = per.sort_values("value", ascending=False, kind="stable")
    top = per.groupby(prob.keys, sort=False).head(n).groupby(prob.keys, sort=False)["value"].sum()
    index = pd.MultiIndex.from_frame(prob.cells[prob.keys])
    topv = top.reindex(index).to_numpy(dtype="float64")
    v = prob.cells["value"].to_numpy()
    return np.nan_to_num(topv) > (k / 100.0) * v + _EPS


# ---------------------------------------------------------------------------------------------
# secondary suppression (HiGHS)
# ---------------------------------------------------------------------------------------------


_QUIET = {"done": False}


@contextlib.contextmanager
def _no_banner():
    """Keep the banner that the first ``highspy.Highs()`` prints out of stdout (and reports)."""
    if _QUIET["done"]:
        yield
        return
    sys.stdout.flush()
    try:
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no file descriptor 1 (embedded interpreters): nothing to hide
        yield
        return
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
        _QUIET["done"] = True


def _highs():
    import highspy

    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h, highspy


def _pass_lp(h, hs, M: sp.csc_matrix, cost, lower, upper, n_rows: int) -> None:
    lp = hs.HighsLp()
    lp.num_col_ = M.shape[1]
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(cost, dtype="float64")
    lp.col_lower_ = np.asarray(lower, dtype="float64")
    lp.col_upper_ = np.asarray(upper, dtype="float64")
    lp.row_lower_ = np.zeros(n_rows)
    lp.row_upper_ = np.zeros(n_rows)
    lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
    lp.a_matrix_.start_ = M.indptr.astype(np.int32)
    lp.a_matrix_.index_ = M.indices.astype(np.int32)
    lp.a_matrix_.value_ = M.data.astype("float64")
    lp.a_matrix_.num_col_ = M.shape[1]
    lp.a_matrix_.num_row_ = n_rows
    h.passModel(lp)


def _secondary(A: sp.csr_matrix, v: np.ndarray, primary: np.ndarray, fixed: np.ndarray,
               rules: DisclosureRules, where: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The suppression pattern (primary and secondary) of one connected part of a table."""
    n = len(v)
    supp = primary.copy()
    if not primary.any() or A.shape[0] == 0:
        return supp
    w = rules.protection_width
    h, hs = _highs()
    inf = hs.kHighsInf
    m = A.shape[0]
    Acsc = A.tocsc()
    if rules.cost == "count":
        base = 1.0 + v / (1.0 + float(v.max()))
    else:
        base = 1.0 + v
    # a total costs more for every sum it heads: inner cells go before margins
    base = base * (1.0 + np.asarray((A > 0).sum(axis=0)).ravel())
    # full model: columns u_0..u_{n-1}, d_0..d_{n-1}
    M = sp.hstack([Acsc, -Acsc], format="csc")
    cost = np.concatenate([base, base])
    cost[np.concatenate([supp, supp])] = 0.0
    upper = np.concatenate([np.where(fixed, 0.0, inf), np.where(fixed, 0.0, v)])
    _pass_lp(h, hs, M, cost, np.zeros(2 * n), upper, m)
    # small model: the suppressed cells only (feasible = protected already)
    small = _SmallModel(Acsc, v, np.flatnonzero(supp), m)

    order = np.flatnonzero(primary)
    order = order[np.argsort(-v[order], kind="stable")]
    optimal = hs.HighsModelStatus.kOptimal
    for p in order:
        if small.raisable(int(p), w):
            continue
        h.changeColBounds(int(p), w, inf)
        h.changeColBounds(int(p) + n, 0.0, 0.0)  # p rises: it must not fall at the same time
        h.run()
        if h.getModelStatus() != optimal:  # only where cells published elsewhere block it
            raise ParameterError(
                f"The cell {_cell_text(where.iloc[p], keys)} cannot be protected: the cells "
                "marked `fixed` (published elsewhere) determine it. Publish fewer of them.")
        x = np.asarray(h.getSolution().col_value)
        h.changeColBounds(int(p), 0.0, inf)
        h.changeColBounds(int(p) + n, 0.0, float(v[p]))
        new = np.flatnonzero(((x[:n] + x[n:]) > _EPS) & ~supp)
        if not len(new):
            continue
        supp[new] = True
        h.changeColsCost(2 * len(new), np.concatenate([new, new + n]).astype(np.int32),
                         np.zeros(2 * len(new)))
        small.add(new)
    return supp


class _SmallModel:
    """Feasibility LP over the suppressed cells only: can ``p`` rise by ``w`` among them?"""

    def __init__(self, Acsc: sp.csc_matrix, v: np.ndarray, cells: np.ndarray, m: int) -> None:
        self.h, self.hs = _highs()
        self.Acsc, self.v = Acsc, v
        self.u_col: dict[int, int] = {}
        self.d_col: dict[int, int] = {}
        _pass_lp(self.h, self.hs, sp.csc_matrix((m, 0)), [], [], [], m)
        self.add(cells)

    def add(self, cells: np.ndarray) -> None:
        """Append the columns u (rise) and d (fall) of newly suppressed cells."""
        k = self.h.getNumCol()
        sub = self.Acsc[:, cells]
        M = sp.hstack([sub, -sub], format="csc")
        inf = self.hs.kHighsInf
        self.h.addCols(M.shape[1], np.zeros(M.shape[1]), np.zeros(M.shape[1]),
                       np.concatenate([np.full(len(cells), inf), self.v[cells]]), M.nnz,
                       M.indptr[:-1].astype(np.int32), M.indices.astype(np.int32),
                       M.data.astype("float64"))
        for j, c in enumerate(cells):
            self.u_col[int(c)] = k + j
            self.d_col[int(c)] = k + len(cells) + j

    def raisable(self, p: int, w: float) -> bool:
        j, jd = self.u_col[p], self.d_col[p]
        self.h.changeColBounds(j, w, self.hs.kHighsInf)
        self.h.changeColBounds(jd, 0.0, 0.0)
        self.h.run()
        ok = self.h.getModelStatus() == self.hs.HighsModelStatus.kOptimal
        self.h.changeColBounds(j, 0.0, self.hs.kHighsInf)
        self.h.changeColBounds(jd, 0.0, float(self.v[p]))
        return ok


def _suppress(prob: _Problem, primary: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Suppression pattern of all cells: each connected part of the tables on its own."""
    A = prob.A
    supp = primary.copy()
    if not primary.any() or A.shape[0] == 0:
        return supp
    # cells linked through a constraint are in one part; parts are independent problems
    adj = (abs(A).T @ abs(A)).tocsr()
    _, part = connected_components(adj, directed=False)
    v = prob.cells["value"].to_numpy(dtype="float64")
    fixed = prob.cells["_fixed"].to_numpy(dtype=bool)
    for k in np.unique(part[primary]):
        cells = np.flatnonzero(part == k)
        sub = A[:, cells]
        rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        supp[cells] = _secondary(sub[rows].tocsr(), v[cells], primary[cells], fixed[cells],
                                 rules, prob.cells.iloc[cells], prob.keys)
    return supp


# ---------------------------------------------------------------------------------------------
# the public functions
# ---------------------------------------------------------------------------------------------


def _output(table: pd.DataFrame, cell_of_row: np.ndarray, supp: np.ndarray,
            primary: np.ndarray) -> pd.DataFrame:
    out = table.copy()
    hide = supp[cell_of_row]
    prim = primary[cell_of_row]
    value = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["value"] = value.where(~hide, np.nan)
    if "status" in out.columns:
        status = out["status"].astype(object).where(out["status"].notna(), "")
    else:
        status = pd.Series("", index=out.index, dtype=object)
    out["status"] = status.where(~hide, SECRET).astype(str)
    out["protection"] = np.where(prim, "primary", np.where(hide, "secondary", ""))
    return out


def _round(table: pd.DataFrame, base: int) -> pd.DataFrame:
    out = table.copy()
    v = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    if (v < 0).any():
        raise ParameterError("Counts cannot be negative; rounding applies to counts.")
    out["value"] = np.floor(v / base + 0.5) * base  # half up: 1,5 × base → 2 × base
    if "status" not in out.columns:
        out["status"] = ""
    out["protection"] = np.where(v.notna(), "rounded", "")
    return out


def protect_linked(
    tables: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    *,
    rules: DisclosureRules | Mapping[str, Any] | None = None,
    hierarchy: Mapping[str, Any] | None = None,
    keys: Sequence[str] | None = None,
    contributions: pd.DataFrame | None = None,
) -> list[pd.DataFrame] | dict[str, pd.DataFrame]:
    """Protect tables of one report together, so that no difference between them discloses.

    A cell is the same cell in every table that has it: tables are matched on their key
    columns, and an additive column a table lacks counts as its total (``insgesamt``). A table
    by Sozialraum × Altersgruppe and one by Sozialraum × Geschlecht share the Sozialraum
    totals; both are protected as one system.

    Parameters
    ----------
    tables : list or dict of DataFrame
        Tidy count tables (key columns, ``value``, optionally ``status``).
    rules, hierarchy, keys, contributions
        As in :func:`protect`.

    Returns
    -------
    list or dict of DataFrame
        The protected tables, in the container that came in (see :func:`protect`).

    Examples
    --------
    Children by Sozialraum and Altersgruppe, and by Sozialraum and Geschlecht: the
    Sozialraum totals are in both tables.

    >>> a = pd.DataFrame({"ags": ["1-1", "1-2", "1"] * 3,
    ...                   "altersgruppe": ["0-3"] * 3 + ["3-6"] * 3 + ["insgesamt"] * 3,
    ...                   "value": [2, 20, 22, 8, 30, 38, 10, 50, 60]})
    >>> b = pd.DataFrame({"ags": ["1-1", "1-2", "1"] * 3,
    ...                   "geschlecht": ["männlich"] * 3 + ["weiblich"] * 3 + ["insgesamt"] * 3,
    ...                   "value": [5, 24, 29, 5, 26, 31, 10, 50, 60]})
    >>> pa, pb = protect_linked([a, b])
    >>> pa.pivot(index="ags", columns="altersgruppe", values="value")
    altersgruppe   0-3   3-6  insgesamt
    ags
    1             22.0  38.0       60.0
    1-1            NaN   NaN       10.0
    1-2            NaN   NaN       50.0
    >>> int(pb["value"].isna().sum())  # the shared totals 10 and 50 stay published
    0
    """
    names = list(tables) if isinstance(tables, Mapping) else None
    frames = [tables[k] for k in names] if names is not None else list(tables)
    if not frames:
        raise ParameterError("`tables` is empty.")
    r = _as_rules(rules)
    if r.method == "cellkey":
        raise ParameterError("The Cell-Key-Methode perturbs counts from microdata (one row per "
                             "person with a record key): use cell_key_table, not protect.")
    if r.method == "rounding":
        out = [_round(t, r.rounding_base) for t in frames]
    else:
        prob = _build(frames, hierarchy=hierarchy, keys=keys)
        primary = _primary(prob, r, contributions)
        supp = _suppress(prob, primary, r)
        out = [_output(t, rows, supp, primary)
               for t, rows in zip(frames, prob.rows, strict=True)]
    return dict(zip(names, out, strict=True)) if names is not None else out


def protect(
    table: pd.DataFrame,
    *,
    rules: DisclosureRules | Mapping[str, Any] | None = None,
    hierarchy: Mapping[str, Any] | None = None,
    linked: Sequence[pd.DataFrame] | None = None,
    keys: Sequence[str] | None = None,
    contributions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Protect a count table: minimum counts, dominance, secondary suppression (or rounding).

    Parameters
    ----------
    table : DataFrame
        A tidy count table: key columns (e.g. ``ags``, ``year``, ``altersgruppe``), ``value``
        (the count) and optionally ``status``. Totals are rows too (``ags`` of the Kreis,
        category ``insgesamt``).
    rules : DisclosureRules or mapping, optional
        The rule set (default: minimum count 3, secondary suppression).
    hierarchy : mapping column → spec, optional
        Which key columns are additive and how. A spec is a mapping ``parent → [parts]``, a
        region table (``ags``, ``parent``), the label of the total, ``"auto"`` or ``None``
        (not additive). By default (``"auto"``) a column with the category ``insgesamt`` sums
        its other categories into it, and ``ags`` sums Sozialräume ``<kreis>-<nr>`` into their
        Kreis when the Kreis is in the table. Other key columns (year, variable) split the
        table into independent parts.
    linked : list of DataFrame, optional
        Other tables of the same report that share cells or margins with ``table``; they are
        protected together (see :func:`protect_linked`) and ``table``'s part is returned. Call
        :func:`protect_linked` to get every table of the joint pattern.
    keys : list of str, optional
        The columns that identify a cell (default: every column except ``value``, ``status``,
        ``source`` and ``protection``). Columns that only describe a cell, such as a name,
        must be left out here.
    contributions : DataFrame, optional
        For the dominance rule: one row per contributor (a school, a Kita) and cell at the
        finest level, with the key columns, ``contributor`` and ``value``; totals gather the
        contributions of their parts.

    A boolean column ``fixed`` in a table marks cells that are published elsewhere (e.g. an
    official Kreis total): they are never suppressed, and the attacker knows them.

    Returns
    -------
    DataFrame
        ``table`` with the same rows and columns, ``status`` added if missing, and a column
        ``protection``: ``primary`` (secret itself), ``secondary`` (suppressed so that no
        secret cell can be recomputed), ``rounded`` (rounding rule set) or ``""``. A suppressed
        cell has ``value`` NaN and ``status`` ``.``.

    Raises
    ------
    ParameterError
        A cell without value, a negative count, a total that is not the sum of its parts,
        linked tables that disagree on a shared cell.

    Notes
    -----
    See the module docstring for the model: additivity ``A x = 0``, an attacker with LP
    bounds, and one protection LP per secret cell (solved with HiGHS).

    Examples
    --------
    Two Sozialräume with their Kreis total, by Altersgruppe:

    >>> t = pd.DataFrame({
    ...     "ags": ["99101-01"] * 3 + ["99101-02"] * 3 + ["99101"] * 3,
    ...     "altersgruppe": ["0-3", "3-6", "insgesamt"] * 3,
    ...     "value": [2, 10, 12, 20, 30, 50, 22, 40, 62]})
    >>> p = protect(t)
    >>> p.pivot(index="ags", columns="altersgruppe", values="value")
    altersgruppe   0-3   3-6  insgesamt
    ags
    99101         22.0  40.0       62.0
    99101-01       NaN   NaN       12.0
    99101-02       NaN   NaN       50.0
    >>> list(p.loc[p["value"].isna(), "protection"])
    ['primary', 'secondary', 'secondary', 'secondary']
    >>> p.loc[0, "status"]
    '.'
    """
    return protect_linked([table, *(linked or [])], rules=rules, hierarchy=hierarchy, keys=keys,
                          contributions=contributions)[0]


def check_protected(
    published: pd.DataFrame,
    *,
    rules: DisclosureRules | Mapping[str, Any] | None = None,
    hierarchy: Mapping[str, Any] | None = None,
    linked: Sequence[pd.DataFrame] | None = None,
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Attack published tables: how far can each secret cell be narrowed down?

    The attacker knows every published cell, that totals are sums of their parts (also across
    the ``linked`` tables) and that counts are not negative, and computes for every suppressed
    cell the smallest and largest value that fits (two LPs per cell, HiGHS).

    Parameters
    ----------
    published : DataFrame
        A table as :func:`protect` returned it (suppressed: ``value`` NaN, ``status`` ``.``).
    rules, hierarchy, linked, keys
        As in :func:`protect`; ``linked`` are the other published tables of the report.

    Returns
    -------
    DataFrame
        One row per suppressed cell and per published cell that breaks the minimum count, of
        every table: the key columns, ``table`` (0 = ``published``, 1… = ``linked``),
        ``protection``, ``lower`` and ``upper`` (the attacker's bounds; ``inf`` where
        unbounded) and ``protected``: a primary (or unmarked) suppressed cell needs
        ``upper - lower ≥ rules.protection_width``, a secondary one ``upper > lower``; a
        published count below the minimum is never protected.

    Examples
    --------
    >>> t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [2, 40, 42]})
    >>> check_protected(protect(t))[["ags", "lower", "upper", "protected"]]
       ags  lower  upper  protected
    0  1-1    0.0   42.0       True
    1  1-2    0.0   42.0       True
    >>> check_protected(t)[["ags", "protected"]]  # nothing protected: 2 is published
       ags  protected
    0  1-1      False
    """
    r = _as_rules(rules)
    frames = [published, *(linked or [])]
    prob = _build(frames, hierarchy=hierarchy, keys=keys, known_only=True)
    cells = prob.cells
    secret = cells["_secret"].to_numpy(dtype=bool)
    lower, upper = _attack(prob.A, cells["value"].to_numpy(dtype="float64"), secret)
    kind = pd.Series("", index=cells.index, dtype=object)
    for t, rows in zip(frames, prob.rows, strict=True):
        if "protection" in t.columns:
            prot = t["protection"].astype(str).to_numpy()
            for label in ("secondary", "primary"):  # primary wins where tables differ
                kind.iloc[rows[prot == label]] = label
    out_rows = []
    v = cells["value"].to_numpy(dtype="float64")
    for i, rows in enumerate(prob.rows):
        for c in dict.fromkeys(rows.tolist()):
            if secret[c]:
                width = upper[c] - lower[c]
                need = _EPS if kind[c] == "secondary" else r.protection_width - 1e-6
                ok = bool(width >= need)
            elif 0 < v[c] < r.min_count or (r.suppress_zeros and v[c] == 0):
                ok = False
            else:
                continue
            out_rows.append({**{k: cells.at[c, k] for k in prob.keys}, "table": i,
                             "protection": kind[c],
                             "lower": lower[c] if secret[c] else v[c],
                             "upper": upper[c] if secret[c] else v[c], "protected": ok})
    columns = [*prob.keys, "table", "protection", "lower", "upper", "protected"]
    res = pd.DataFrame(out_rows, columns=columns)
    res["protected"] = res["protected"].astype(bool)
    res[["lower", "upper"]] = res[["lower", "upper"]].astype("float64")
    return res


def _attack(A: sp.csr_matrix, v: np.ndarray, secret: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The attacker's bounds of every secret cell (published cells: their value)."""
    lower = np.where(secret, 0.0, v)
    upper = np.where(secret, np.inf, v)
    S = np.flatnonzero(secret)
    if not len(S) or A.shape[0] == 0:
        return lower, upper
    known = np.where(secret, 0.0, v)
    rhs = -(A @ known)
    AS = A[:, S].tocsr()
    rows = np.flatnonzero(np.diff(AS.indptr) > 0)
    AS, rhs = AS[rows].tocsc(), rhs[rows]
    h, hs = _highs()
    inf = hs.kHighsInf
    _pass_lp(h, hs, AS, np.zeros(len(S)), np.zeros(len(S)), np.full(len(S), inf), len(rows))
    h.changeRowsBounds(len(rows), np.arange(len(rows), dtype=np.int32), rhs, rhs)
    optimal = hs.HighsModelStatus.kOptimal
    for j, c in enumerate(S):
        for sense, target in ((1.0, lower), (-1.0, upper)):
            h.changeColCost(j, sense)
            h.run()
            status = h.getModelStatus()
            if status == optimal:
                target[c] = float(h.getSolution().col_value[j])
            elif status == hs.HighsModelStatus.kUnbounded and sense < 0:
                target[c] = np.inf
            else:
                raise RuntimeError(f"The attacker's LP for cell {c} ended with {status}.")
        h.changeColCost(j, 0.0)
    return lower, upper


def describe_method(rules: DisclosureRules | Mapping[str, Any] | None = None) -> str:
    """German Methodik sentence for the rules applied.

    Examples
    --------
    >>> print(describe_method(DisclosureRules()))  # doctest: +NORMALIZE_WHITESPACE
    Geheimhaltung: Fallzahlen unter 3 (ohne Nullen) sind gesperrt (.), ebenso weitere Felder
    (sekundäre Sperrung), damit sich kein gesperrter Wert aus Zeilen-, Spalten- oder
    Gebietssummen (Sozialraum – Kreis) oder aus anderen Tabellen dieses Berichts
    zurückrechnen lässt: Jedes gesperrte Feld lässt sich aus den veröffentlichten Zahlen nur
    auf eine Spanne von mindestens 3 eingrenzen.
    >>> print(describe_method(DisclosureRules(rounding_base=5)))  # doctest: +NORMALIZE_WHITESPACE
    Geheimhaltung: Alle Fallzahlen sind auf ein Vielfaches von 5 gerundet (Summen für sich),
    daher kann eine Summe von der Summe ihrer gerundeten Teile abweichen.
    """
    r = _as_rules(rules)
    if r.method == "cellkey":
        return ("Geheimhaltung: Die Fallzahlen sind nach der Cell-Key-Methode überlagert: Jede "
                "Zahl ist um wenige Einheiten verändert, dieselbe Zahl in allen Tabellen gleich; "
                f"Werte unter {r.min_count} nach der Überlagerung sind gesperrt (.). Summen sind "
                "für sich überlagert und können von der Summe ihrer Teile abweichen.")
    if r.method == "rounding":
        return (f"Geheimhaltung: Alle Fallzahlen sind auf ein Vielfaches von {r.rounding_base} "
                "gerundet (Summen für sich), daher kann eine Summe von der Summe ihrer "
                "gerundeten Teile abweichen.")
    zeros = "und Nullen " if r.suppress_zeros else "(ohne Nullen) "
    text = f"Geheimhaltung: Fallzahlen unter {r.min_count} {zeros}sind gesperrt (.),"
    if r.dominance is not None:
        n, k = r.dominance
        biggest = "der größte Beitrag" if n == 1 else f"die {n} größten Beiträge"
        verb = "ausmacht" if n == 1 else "ausmachen"
        text += (f" ebenso Felder, in denen {biggest} mehr als {_num(k, 1)} % der Summe "
                 f"{verb},")
    text += (" ebenso weitere Felder (sekundäre Sperrung), damit sich kein gesperrter Wert aus "
             "Zeilen-, Spalten- oder Gebietssummen (Sozialraum – Kreis) oder aus anderen "
             "Tabellen dieses Berichts zurückrechnen lässt: Jedes gesperrte Feld lässt sich aus "
             "den veröffentlichten Zahlen nur auf eine Spanne von mindestens "
             f"{_num(r.protection_width, 1)} eingrenzen.")
    return text


def cell_key_table(
    microdata: pd.DataFrame,
    *,
    by: Sequence[str],
    record_key: str = "record_key",
    rules: DisclosureRules | Mapping[str, Any] | None = None,
    ptable: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Counts from microdata, with every margin, perturbed by the Cell-Key-Methode.

    Each record carries a record key (a random whole number it keeps for good); a cell's key
    is the sum of its records' keys, and a perturbation table (``ptable``) turns count and
    cell key into a small deviation. The same records give the same cell and the same
    deviation in every table, so differences between tables disclose nothing. The
    perturbation is done by the ONS package ``cell-key-perturbation`` (extra
    ``bimokit[cellkey]``).

    Parameters
    ----------
    microdata : DataFrame
        One row per person (or unit) with the columns ``by`` and ``record_key``.
    by : list of str
        The key columns of the table (e.g. ``["ags", "befund"]``). Every margin is counted too:
        a column left out of a cell is ``insgesamt``.
    record_key : str
        The column with the record keys: whole numbers from 0 to the largest cell key of the
        ptable (255 for the default).
    rules : DisclosureRules, optional
        ``min_count``: perturbed counts below it are secret (``.``). Default 3.
    ptable : DataFrame, optional
        Perturbation table (``pcv``, ``ckey``, ``pvalue``); default: the ONS "10-5" table of
        the package (counts under 10 become 0, the rest multiples of 5 ± 2).

    Returns
    -------
    DataFrame
        ``by`` columns, ``value`` (the perturbed count, NaN where secret), ``status`` (``.``
        where secret) and ``protection`` (``perturbed``). The true counts are not returned.
    """
    try:
        from cell_key_perturbation.create_perturbed_table import create_perturbed_table
        from cell_key_perturbation.utils.generate_test_ptable import generate_ptable_10_5_rule
    except ImportError:
        raise ParameterError("The Cell-Key-Methode needs the ONS package cell-key-perturbation: "
                             "pip install 'bimokit[cellkey]'.") from None
    r = _as_rules(rules)
    by = [str(c) for c in by]
    if not isinstance(microdata, pd.DataFrame):
        raise ParameterError("`microdata` must be a DataFrame (one row per person).")
    missing = [c for c in [*by, record_key] if c not in microdata.columns]
    if missing:
        raise ParameterError(f"`microdata` has no column {missing[0]!r}.")
    pt = generate_ptable_10_5_rule() if ptable is None else ptable
    keys = pd.to_numeric(microdata[record_key], errors="coerce")
    top = int(pt["ckey"].max())
    bad = keys.isna() | (keys < 0) | (keys > top) | (keys % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"`{record_key}` must be a whole number from 0 to {top} in every record; row "
            f"{row + 1} has {str(microdata[record_key].iloc[row])!r}. Give each record a random "
            "key once and keep it with the record.")
    data = microdata[by].astype(str)
    data["_alle"] = TOTAL
    data["_rkey"] = keys.astype("int64").to_numpy()
    frames = []
    for k in range(len(by), -1, -1):
        for subset in itertools.combinations(by, k):
            tab_vars = list(subset) or ["_alle"]
            with contextlib.redirect_stdout(io.StringIO()):  # the package prints warnings
                t = create_perturbed_table(data, pt, [], tab_vars, "_rkey",
                                           use_existing_ons_id=False, threshold=r.min_count)
            cell = pd.DataFrame({c: (t[c].astype(str).to_numpy() if c in subset else TOTAL)
                                 for c in by}, index=range(len(t)))
            cell["value"] = pd.to_numeric(t["count"], errors="coerce").astype("float64")\
                .to_numpy()
            frames.append(cell)
    out = pd.concat(frames, ignore_index=True)
    out["status"] = np.where(out["value"].isna(), SECRET, "")
    out["protection"] = "perturbed"
    return out


# ---------------------------------------------------------------------------------------------
# the Kommune's own small-area facts, before anything is computed or published
# ---------------------------------------------------------------------------------------------


def _additive(group: pd.DataFrame, dim: str, keys: list[str]) -> bool:
    """Whether ``dim``'s ``insgesamt`` is the sum of its categories wherever both are there."""
    if not (group[dim] == TOTAL).any() or not (group[dim] != TOTAL).any():
        return False
    others = [k for k in keys if k != dim]
    total = group[group[dim] == TOTAL].groupby(others, dropna=False)["value"].sum()
    parts = group[group[dim] != TOTAL].groupby(others, dropna=False)["value"].sum()
    both = pd.concat([total, parts], axis=1, keys=["total", "parts"]).dropna()
    return len(both) > 0 and bool(np.allclose(both["total"], both["parts"]))


def _may_need_protection(values: pd.Series, r: DisclosureRules) -> bool:
    """Whether a table has a primary cell under the suppression rules (any table when
    rounding, perturbing or with a dominance rule)."""
    if r.method != "suppression" or r.dominance is not None:
        return True
    v = values.to_numpy(dtype="float64")
    small = (v > 0) & (v < r.min_count)
    return bool(small.any() or (r.suppress_zeros and (v == 0).any()))


def protect_facts(facts: pd.DataFrame, *,
                  rules: DisclosureRules | Mapping[str, Any] | None = None,
                  dimensions: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Protect the Kommune's own small-area counts (Sozialräume) in a facts table.

    Every variable and year of the Sozialraum facts (``ags`` ``<kreis>-<code>``) is one table:
    its cells by Sozialraum and dimension, with the Kreis as the sum of its Sozialräume (taken
    as known to everybody, since a Kreis total is published elsewhere) and each dimension's
    ``insgesamt`` as the sum of its categories where the data add up so. :func:`protect`
    suppresses (or rounds) the cells; nothing is computed from a suppressed count afterwards,
    because its value is NaN with status ``.``. Official data (other levels) are left as the
    offices published them.

    Parameters
    ----------
    facts : DataFrame
        Harmonised facts (``ags``, ``year``, ``variable``, dimension columns, ``value``,
        ``status``, …).
    rules : DisclosureRules or mapping, optional
        Default: minimum count 3 with secondary suppression.
    dimensions : sequence of str
        The dimension columns of ``facts``.

    Returns
    -------
    facts : DataFrame
        The same rows, suppressed cells with value NaN and status ``.`` (rounded ones with the
        rounded value).
    suppressed : DataFrame
        One row per changed cell: ``ags``, ``year``, ``variable``, the dimensions,
        ``protection`` (``primary``, ``secondary`` or ``rounded``).

    Examples
    --------
    >>> f = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"], "year": 2024,
    ...                   "variable": "kita_kinder", "value": [2.0, 40.0, 61.0], "status": ""})
    >>> out, cells = protect_facts(f)
    >>> out["status"].tolist(), cells["protection"].tolist()
    (['.', '.', ''], ['primary', 'secondary'])
    """
    r = _as_rules(rules)
    out = facts.copy()
    ags = out["ags"].astype(str)
    own = ags.str.fullmatch(r"\d{5}-[0-9A-Za-z_]+").to_numpy() & out["value"].notna().to_numpy()
    dims = [d for d in dimensions if d in out.columns]
    changed = []
    for (_variable, _year), group in out[own].groupby(["variable", "year"], sort=False):
        if not _may_need_protection(group["value"], r):
            continue  # no cell is secret: suppression would change nothing
        used = [d for d in dims if group[d].notna().any()]
        table = group[["ags", *used, "value"]].copy()
        for d in used:
            table[d] = table[d].astype(object).where(table[d].notna(), TOTAL)
        table["kreis"] = table["ags"].str[:5]
        # the Kreis as the sum of its Sozialräume, where every Sozialraum has the cell
        n_areas = table.groupby("kreis")["ags"].nunique()
        sums = table.groupby(["kreis", *used], dropna=False).agg(
            value=("value", "sum"), n=("ags", "nunique")).reset_index()
        sums = sums[sums["n"].to_numpy() == n_areas.reindex(sums["kreis"]).to_numpy()]
        kreis_rows = sums.drop(columns="n").rename(columns={"kreis": "ags"}).assign(fixed=True)
        cells = pd.concat([table.drop(columns="kreis").assign(fixed=False), kreis_rows],
                          ignore_index=True)
        hierarchy = {"ags": "auto", **{d: ("auto" if _additive(cells, d, ["ags", *used])
                                           else None) for d in used}}
        protected = protect(cells, rules=r, hierarchy=hierarchy, keys=["ags", *used])
        mine = protected.iloc[:len(group)]
        hit = mine["protection"].to_numpy() != ""
        if not hit.any():
            continue
        idx = group.index[hit]
        out.loc[idx, "value"] = mine["value"].to_numpy()[hit]
        out.loc[idx, "status"] = mine["status"].to_numpy()[hit]
        changed.append(group.loc[idx, ["ags", "year", "variable", *dims]].assign(
            protection=mine["protection"].to_numpy()[hit]))
    columns = ["ags", "year", "variable", *dims, "protection"]
    suppressed = pd.concat(changed, ignore_index=True) if changed else pd.DataFrame(
        columns=columns)
    return out, suppressed.reset_index(drop=True)
