"""Structure charts: stacked shares (e.g. Abschlussarten per year) and population pyramid."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import MultipleLocator

from ..errors import ParameterError
from ..fmt import fmt_number, fmt_percent
from ._base import (
    DIMENSION_LABELS,
    OKABE_ITO,
    PALETTE,
    Chart,
    GermanFormatter,
    code_label,
    finish,
    house_style,
    new_figure,
    require_columns,
    select_year,
    year_range,
)

_TOTAL = "insgesamt"


def plot_stacked_shares(
    data: pd.DataFrame,
    *,
    category: str,
    name: str,
    x: str = "year",
    value: str = "value",
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    normalize: bool = True,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.5, 4.0),
) -> Chart:
    """Stacked 100-% columns: the shares of each category per year (e.g. Abschlussarten).

    Parameters
    ----------
    data : DataFrame
        Long table with ``x`` (usually ``year``), ``category`` and ``value`` (counts, or shares
        in % with ``normalize=False``). Rows whose category is ``insgesamt`` are left out.
    category : str
        Column of the categories (e.g. ``abschluss``).
    name : str
        Name of the Kommune (title and alt text).
    labels : mapping, optional
        Category labels; harmonised codes have German defaults (``ohne_esa`` → "ohne Ersten
        Schulabschluss").
    order : list of str, optional
        Stacking order from the bottom; default order of appearance.
    normalize : bool
        Turn counts into shares of the column total (in %).
    title, source, source_tables, figsize
        As in the other charts.

    Returns
    -------
    Chart
        ``data`` has columns ``x, category, label, value, share`` (share in %).

    Notes
    -----
    share = value / Σ value over the categories of the same ``x`` · 100. A column whose total
    is 0 or missing stays empty.

    Examples
    --------
    >>> d = pd.DataFrame({"year": [2023] * 3 + [2024] * 3,
    ...                   "abschluss": ["ohne_esa", "msa", "ahr"] * 2,
    ...                   "value": [10, 60, 30, 8, 62, 30]})
    >>> ch = plot_stacked_shares(d, category="abschluss", name="Musterstadt",
    ...                          title="Abschlussarten")
    >>> len(ch.ax.patches), ch.alt
    (6, 'Gestapeltes Säulendiagramm: Abschlussarten in Musterstadt nach Abschlussart, 2023 bis 2024, Anteile in Prozent. 2024: ohne Ersten Schulabschluss 8,0 %, Mittlerer Schulabschluss 62,0 % und Allgemeine Hochschulreife 30,0 %.')
    """  # noqa: E501
    require_columns(data, [x, category, value], "data")
    df = pd.DataFrame({
        "x": data[x].to_numpy(),
        "category": data[category].astype(str).to_numpy(),
        "value": pd.to_numeric(data[value], errors="coerce").astype("float64").to_numpy(),
    })
    df = df[df["category"].str.lower() != _TOTAL]
    if df.empty:
        raise ParameterError("`data` has no category rows besides 'insgesamt': nothing to stack.")
    if df.duplicated(["x", "category"]).any():
        raise ParameterError(
            f"`data` holds several rows per {x} and {category}; filter other dimensions first."
        )
    cats = list(pd.unique(df["category"]))
    if order is not None:
        unknown = [c for c in order if c not in cats]
        if unknown:
            raise ParameterError(
                f"`order` names categories not in the data: {', '.join(map(repr, unknown))}; "
                f"the data has {', '.join(map(repr, cats))}."
            )
        cats = list(order) + [c for c in cats if c not in order]
    xs = sorted(pd.unique(df["x"]))
    wide = df.pivot(index="x", columns="category", values="value").reindex(index=xs, columns=cats)
    if normalize:
        totals = wide.sum(axis=1, min_count=1)
        shares = wide.div(totals.where(totals > 0), axis=0) * 100
    else:
        shares = wide
    long = shares.stack(future_stack=True).rename("share").reset_index()
    long.columns = ["x", "category", "share"]
    long = long.merge(df, on=["x", "category"], how="left")
    long["label"] = [code_label(c, labels) for c in long["category"]]
    long = long[["x", "category", "label", "value", "share"]]

    with house_style():
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        pos = np.arange(len(xs))
        bottom = np.zeros(len(xs))
        for i, c in enumerate(cats):
            h = shares[c].fillna(0).to_numpy()
            color = PALETTE[i % len(PALETTE)] if i < len(PALETTE) else OKABE_ITO["gelb"]
            bars = ax.bar(pos, h, bottom=bottom, color=color, width=0.75, edgecolor="white",
                          linewidth=0.6, label=code_label(c, labels))
            for rect, hv, b in zip(bars, h, bottom, strict=True):
                if normalize and hv >= 6:
                    ax.text(rect.get_x() + rect.get_width() / 2, b + hv / 2,
                            fmt_number(hv, 0), ha="center", va="center", fontsize=6.5,
                            color="white" if i in (0, 2, 3) else "black")
            bottom = bottom + h
        ax.set_xticks(pos, [str(int(v)) if x == "year" else str(v) for v in xs],
                      rotation=90 if len(xs) > 8 else 0)
        if normalize:
            ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(GermanFormatter("%" if normalize else None))
        ax.set_ylabel("Anteil" if normalize else "")
        ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(f"{title}: {name}")
        handles, labs = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labs[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small")

        cat_label = DIMENSION_LABELS.get(category, category)
        span = year_range(xs) if x == "year" else ""
        alt = (f"Gestapeltes Säulendiagramm: {title or 'Anteile'} in {name} nach {cat_label}"
               + (f", {span}" if span else "")
               + (", Anteile in Prozent." if normalize else "."))
        last = long[long["x"] == xs[-1]]
        parts = [f"{lab} {fmt_percent(s) if normalize else fmt_number(s, 1)}"
                 for lab, s in zip(last["label"], last["share"], strict=True)
                 if np.isfinite(s)]
        if parts:
            alt += f" {int(xs[-1]) if x == 'year' else xs[-1]}: " + _join(parts) + "."
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=long)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]


def _age_key(code: str) -> float:
    m = re.match(r"^(?:unter_)?(\d+)", code)
    if code.startswith("unter_"):
        return -1.0
    return float(m.group(1)) if m else float("inf")


def age_band(code: str, *, open_end: int = 90) -> tuple[int, int] | None:
    """Lower and upper bound (in years) of an age-group code; None where it is no band.

    ``0-3`` → (0, 3); ``unter_15`` → (0, 15); an open band ``75+`` ends at ``open_end``.

    Examples
    --------
    >>> age_band("3-6"), age_band("75+"), age_band("unter_3"), age_band("insgesamt")
    ((3, 6), (75, 90), (0, 3), None)
    """
    c = str(code).strip()
    m = re.fullmatch(r"(\d+)-(\d+)", c)
    if m and int(m.group(2)) > int(m.group(1)):
        return int(m.group(1)), int(m.group(2))
    m = re.fullmatch(r"(\d+)\+", c)
    if m:
        lo = int(m.group(1))
        return lo, max(int(open_end), lo + 1)
    m = re.fullmatch(r"unter_(\d+)", c)
    if m and int(m.group(1)) > 0:
        return 0, int(m.group(1))
    return None


def plot_pyramid(
    data: pd.DataFrame,
    *,
    name: str,
    year: int | None = None,
    age: str = "altersgruppe",
    sex: str = "geschlecht",
    value: str = "value",
    percent: bool = False,
    per_year: bool = True,
    open_end: int = 90,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.0, 5.0),
) -> Chart:
    """Population pyramid: Altersgruppen × Geschlecht, männlich left, weiblich right.

    Parameters
    ----------
    data : DataFrame
        Long table with ``age``, ``sex`` (codes ``maennlich``/``weiblich``) and ``value``
        (persons); with a ``year`` column one year is kept (default the latest). Rows with
        ``insgesamt`` in either column are left out.
    name : str
        Name of the Kommune.
    year : int, optional
        Year to draw.
    age, sex, value : str
        Column names.
    percent : bool
        Draw shares of the total population (in %) instead of persons.
    per_year : bool
        Draw persons per year of age: each group's count divided by its width in years, as a
        bar from its lower to its upper age (default). Age groups of unequal width (3-6 and
        65-75) are then comparable; raw counts would make the wide old-age groups look
        largest. ``False``: one bar per group, as counted.
    open_end : int
        Upper age to which an open group (``75+``) is drawn and over which it is spread
        (default 90).
    labels, title, source, source_tables, figsize
        As in the other charts.

    Returns
    -------
    Chart
        ``data`` has columns ``altersgruppe, label, von, bis, breite`` (lower and upper age,
        width in years), ``maennlich, weiblich`` (the values drawn: persons, or % with
        ``percent``, per year of age with ``per_year``) and ``maennlich_gruppe,
        weiblich_gruppe`` (the whole group), from the youngest group up.

    Notes
    -----
    Age groups are sorted by their lower bound (``0-3``, ``3-6``, …, ``75+``). Per year of
    age: ``maennlich = maennlich_gruppe / breite``.

    Examples
    --------
    >>> d = pd.DataFrame({"altersgruppe": ["0-3", "0-3", "3-6", "3-6", "75+", "75+"],
    ...                   "geschlecht": ["maennlich", "weiblich"] * 3,
    ...                   "value": [501, 480, 510, 492, 705, 1095], "year": 2024})
    >>> ch = plot_pyramid(d, name="Musterstadt")
    >>> ch.data[["altersgruppe", "breite", "maennlich", "weiblich"]].values.tolist()
    [['0-3', 3, 167.0, 160.0], ['3-6', 3, 170.0, 164.0], ['75+', 15, 47.0, 73.0]]
    >>> ch.alt
    'Bevölkerungspyramide: Musterstadt 2024 nach 3 Altersgruppen und Geschlecht, insgesamt 3.783 Personen (1.716 männlich, 2.067 weiblich), gezeichnet je Altersjahr (Zahl der Altersgruppe geteilt durch ihre Breite in Jahren; 75 Jahre und älter bis 90 Jahre gerechnet). Am dichtesten besetzt ist die Altersgruppe 3 bis unter 6 Jahre (334 Personen je Altersjahr).'
    """  # noqa: E501
    require_columns(data, [age, sex, value], "data")
    df, year = select_year(data, year, "data")
    a = df[age].astype(str).str.strip()
    s = df[sex].astype(str).str.strip().str.lower()
    keep = (a.str.lower() != _TOTAL) & (s != _TOTAL)
    df = pd.DataFrame({"age": a[keep].to_numpy(), "sex": s[keep].to_numpy(),
                       "value": pd.to_numeric(df.loc[keep, value], errors="coerce")
                       .astype("float64").to_numpy()})
    bad = sorted(set(df["sex"]) - {"maennlich", "weiblich"})
    if bad:
        raise ParameterError(
            f"`{sex}` must hold 'maennlich' and 'weiblich' (and 'insgesamt'); found "
            f"{', '.join(map(repr, bad))}."
        )
    if df.duplicated(["age", "sex"]).any():
        raise ParameterError(
            f"`data` holds several rows per {age} and {sex}; filter other dimensions first."
        )
    wide = df.pivot(index="age", columns="sex", values="value").reindex(
        columns=["maennlich", "weiblich"])
    wide = wide.loc[sorted(wide.index, key=_age_key)]
    total = float(np.nansum(wide.to_numpy()))
    if total <= 0:
        raise ParameterError("`data` has no population to draw (all values 0 or missing).")
    bands = [age_band(c, open_end=open_end) for c in wide.index]
    if per_year:
        unknown = [c for c, b in zip(wide.index, bands, strict=True) if b is None]
        if unknown:
            raise ParameterError(
                f"Age group(s) {', '.join(map(repr, unknown))} have no width in years "
                "('0-3', '75+', 'unter_15'); draw them with per_year=False."
            )
        for (lo1, hi1), (lo2, _) in zip(bands, bands[1:], strict=False):
            if lo2 < hi1:
                raise ParameterError(
                    f"Age groups overlap ({lo1}-{hi1} and one from {lo2}); a pyramid needs "
                    "disjoint groups."
                )
    shown = wide / total * 100 if percent else wide
    width = np.array([b[1] - b[0] if b else 1 for b in bands], dtype="float64")
    div = width if per_year else np.ones(len(width))
    out = pd.DataFrame({
        "altersgruppe": list(wide.index),
        "label": [code_label(c, labels) for c in wide.index],
        "von": pd.array([b[0] if b else None for b in bands], dtype="Int64"),
        "bis": pd.array([b[1] if b else None for b in bands], dtype="Int64"),
        "breite": pd.array([b[1] - b[0] if b else None for b in bands], dtype="Int64"),
        "maennlich": shown["maennlich"].to_numpy() / div,
        "weiblich": shown["weiblich"].to_numpy() / div,
        "maennlich_gruppe": shown["maennlich"].to_numpy(),
        "weiblich_gruppe": shown["weiblich"].to_numpy(),
    })
    open_groups = [(c, b) for c, b in zip(wide.index, bands, strict=True)
                   if b and str(c).strip().endswith("+")]

    with house_style():
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        m = out["maennlich"].fillna(0).to_numpy()
        w = out["weiblich"].fillna(0).to_numpy()
        if per_year:
            ypos = out["von"].to_numpy(dtype="float64")
            height = out["breite"].to_numpy(dtype="float64")
            align = "edge"
        else:
            ypos, height, align = np.arange(len(out)), 0.85, "center"
        bars = [ax.barh(ypos, -m, color=OKABE_ITO["blau"], height=height, align=align,
                        label="männlich", edgecolor="white", linewidth=0.4),
                ax.barh(ypos, w, color=OKABE_ITO["zinnober"], height=height, align=align,
                        label="weiblich", edgecolor="white", linewidth=0.4)]
        if per_year:  # an open group is spread over an assumed span: hatched
            for k, code in enumerate(out["altersgruppe"]):
                if any(code == c for c, _ in open_groups):
                    for b in bars:
                        b.patches[k].set_hatch("///")
        if per_year:
            top = float(out["bis"].max())
            ax.set_ylim(float(out["von"].min()), top)
            ax.yaxis.set_major_locator(MultipleLocator(10))
            ax.yaxis.set_major_formatter(GermanFormatter(None))
            ax.set_ylabel("Alter in Jahren")
        else:
            ax.set_yticks(ypos, list(out["label"]))
        lim = max(m.max(), w.max()) * 1.1
        ax.set_xlim(-lim, lim)
        ax.axvline(0, color="#4D4D4D", linewidth=0.8)
        ax.xaxis.set_major_formatter(GermanFormatter("%" if percent else None, absolute=True))
        what = "Anteil an der Bevölkerung in %" if percent else "Personen"
        if per_year:
            what = ("Anteil an der Bevölkerung je Altersjahr in %" if percent else
                    "Personen je Altersjahr") + \
                "\n(Zahl der Altersgruppe geteilt durch ihre Breite in Jahren)"
        ax.set_xlabel(what)
        ax.grid(axis="y", visible=False)
        handles, names = ax.get_legend_handles_labels()
        if per_year and open_groups:
            from matplotlib.patches import Patch

            lo, hi = open_groups[-1][1]
            handles.append(Patch(facecolor="white", edgecolor="#8C8C8C", hatch="///"))
            names.append(f"{lo} Jahre und älter:\nbis {hi} gerechnet")
        ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  fontsize="small")
        if title is None:
            title = "Bevölkerung nach Alter und Geschlecht"
        ax.set_title(f"{title}: {name}" + (f" {year}" if year is not None else ""))

        n_m, n_w = float(np.nansum(wide["maennlich"])), float(np.nansum(wide["weiblich"]))
        sums = pd.Series(m + w, index=wide.index) if per_year and not percent else \
            wide.sum(axis=1, min_count=1)
        top_group = sums.idxmax()
        when = f" {year}" if year is not None else ""
        alt = (f"Bevölkerungspyramide: {name}{when} nach {len(out)} Altersgruppen und "
               f"Geschlecht, insgesamt {fmt_number(total)} Personen ({fmt_number(n_m)} "
               f"männlich, {fmt_number(n_w)} weiblich)")
        if per_year:
            alt += (", gezeichnet je Altersjahr (Zahl der Altersgruppe geteilt durch ihre "
                    "Breite in Jahren"
                    + "".join(f"; {code_label(c, labels)} bis {b[1]} Jahre gerechnet"
                              for c, b in open_groups) + ")")
            if not percent:
                alt += (f". Am dichtesten besetzt ist die Altersgruppe "
                        f"{code_label(top_group, labels)} ({fmt_number(sums[top_group])} "
                        "Personen je Altersjahr).")
            else:
                alt += "."
        else:
            alt += (f". Am stärksten besetzt ist die Altersgruppe {code_label(top_group, labels)}"
                    f" ({fmt_number(wide.sum(axis=1)[top_group])} Personen).")
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=out)
