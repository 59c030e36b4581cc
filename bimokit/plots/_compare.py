"""Ranking and funnel plot among the Vergleichsgruppe, the Kommune highlighted."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import LogLocator, NullFormatter

from ..errors import ParameterError, UnknownRegionError
from ..fmt import fmt_number, normalize_unit
from ._base import (
    OTHER_COLOR,
    ROLE_STYLE,
    Chart,
    GermanFormatter,
    finish,
    house_style,
    isfinite,
    names_lookup,
    new_figure,
    require_columns,
    select_indicator,
    select_year,
    unit_label,
    value_text,
)

#: Coverage of the inner and outer funnel limits.
LEVELS = ((0.95, "95"), (0.998, "998"))


def plot_ranking(
    values: pd.DataFrame,
    *,
    ags: str,
    names: Mapping[str, str] | pd.DataFrame | None = None,
    year: int | None = None,
    indicator: str | None = None,
    unit: str | None = "%",
    decimals: int | None = None,
    land_value: float | None = None,
    ascending: bool = False,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    width: float = 7.0,
    max_bars: int = 30,
) -> Chart:
    """Horizontal bar ranking of the Vergleichsgruppe with the Kommune highlighted.

    Parameters
    ----------
    values : DataFrame
        One row per member (``ags, value``; with ``year`` the chosen year is kept; with
        ``indicator`` one indicator). Pass only the members of the Vergleichsgruppe.
    ags : str
        The Kommune (must be among the members).
    names : mapping or region table, optional
        ``ags → name`` for the bar labels.
    year : int, optional
        Year to show (default: the latest in ``values``).
    unit, decimals : str, int
        Unit and decimals of the value labels at the bars.
    land_value : float, optional
        Draws a dashed reference line "Land".
    ascending : bool
        Sort order top to bottom; default the highest value on top (rank 1).
    title, source, source_tables, width
        Title, source line and figure width (height grows with the number of bars).
    max_bars : int
        A larger group is shortened to the first and the last ten, the Kommune with the
        three members before and after it, and one line "… n weitere" per gap; the bar labels
        then carry the rank ("57. Talkreis"). A chart of hundreds of bars can be read by
        nobody (and takes seconds to draw).

    Returns
    -------
    Chart
        ``data`` has columns ``ags, name, value, rank, shown`` (rank 1 = first bar; ties
        share the smaller rank; ``shown``: drawn as a bar), every member with a value in rank
        order; members without value are left out.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["1", "2", "3"], "value": [4.0, 7.1, 5.2], "year": 2024})
    >>> ch = plot_ranking(v, ags="3", names={"1": "A", "2": "B", "3": "Musterstadt"},
    ...                   title="Ohne Abschluss", land_value=5.0)
    >>> ch.alt
    'Balkendiagramm: Ohne Abschluss 2024 für 3 Kommunen der Vergleichsgruppe, absteigend sortiert. Musterstadt liegt mit 5,2 % auf Rang 2 von 3 (Land: 5,0 %).'
    """  # noqa: E501
    require_columns(values, ["ags", "value"], "values")
    df = select_indicator(values, indicator, "values")
    df, year = select_year(df, year, "values")
    ags = str(ags)
    lookup = names_lookup(names)
    keys = df["ags"].astype(str)
    if keys.duplicated().any():
        raise ParameterError(
            "`values` holds several rows per AGS for one year (dimension columns?); "
            f"e.g. {keys[keys.duplicated()].iloc[0]!r}. Filter to one breakdown first."
        )
    if not (keys == ags).any():
        raise UnknownRegionError(f"AGS {ags!r} is not among the members in `values`.")
    data = pd.DataFrame({"ags": keys.to_numpy(),
                         "value": pd.to_numeric(df["value"], errors="coerce")
                         .astype("float64").to_numpy()})
    n_missing = int((~np.isfinite(data["value"].to_numpy())).sum())
    data = data[np.isfinite(data["value"].to_numpy())]
    data = data.sort_values(["value", "ags"], ascending=[ascending, True], kind="stable")
    data["name"] = [lookup.get(a, a) for a in data["ags"]]
    data["rank"] = data["value"].rank(method="min", ascending=ascending).astype(int)
    data = data[["ags", "name", "value", "rank"]].reset_index(drop=True)
    name = lookup.get(ags, ags)
    n = len(data)
    own = np.flatnonzero(data["ags"].to_numpy() == ags)
    rows = _ranking_rows(n, int(own[0]) if len(own) else None, max_bars)
    data["shown"] = False
    data.loc[[i for kind, i in rows if kind == "bar"], "shown"] = True
    condensed = len(rows) < n or any(kind == "gap" for kind, _ in rows)

    with house_style():
        fig = new_figure((width, max(2.2, 0.28 * len(rows) + 1.4)))
        ax = fig.add_subplot()
        ypos = np.arange(len(rows))[::-1]
        bars = [(y, i) for y, (kind, i) in zip(ypos, rows, strict=True) if kind == "bar"]
        bar_y = np.array([y for y, _ in bars], dtype=float)
        bar_rows = data.iloc[[i for _, i in bars]]
        colors = [ROLE_STYLE["kommune"]["color"] if a == ags else OTHER_COLOR
                  for a in bar_rows["ags"]]
        ax.barh(bar_y, bar_rows["value"].to_numpy(), color=colors, height=0.7,
                edgecolor="none")
        labels = []
        for kind, i in rows:
            if kind == "gap":
                labels.append(f"… {i} weitere")
            elif condensed:
                labels.append(f"{data.at[i, 'rank']}. {data.at[i, 'name']}")
            else:
                labels.append(str(data.at[i, "name"]))
        ax.set_yticks(ypos, labels)
        for lab, (kind, i) in zip(ax.get_yticklabels(), rows, strict=True):
            if kind == "bar" and data.at[i, "ags"] == ags:
                lab.set_fontweight("bold")
            elif kind == "gap":
                lab.set_color("#4D4D4D")
                lab.set_fontstyle("italic")
        for y, v in zip(bar_y, bar_rows["value"], strict=True):
            ax.text(v, y, " " + value_text(v, unit, decimals), va="center", ha="left",
                    fontsize="x-small")
        if land_value is not None and isfinite(land_value):
            ax.axvline(float(land_value), color=ROLE_STYLE["land"]["color"], linestyle="--",
                       linewidth=1.5, label=f"Land ({value_text(land_value, unit, decimals)})")
            ax.legend(loc="lower right", fontsize="small")
        ax.xaxis.set_major_formatter(GermanFormatter(unit))
        ax.set_xlabel(unit_label(unit))
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.15)
        if title:
            ax.set_title(f"{title} {year}" if year is not None else title)

        order = "aufsteigend" if ascending else "absteigend"
        when = f" {year}" if year is not None else ""
        alt = (f"Balkendiagramm: {title or 'Indikatorwerte'}{when} für {n} Kommunen der "
               f"Vergleichsgruppe, {order} sortiert.")
        if condensed:
            alt += (f" Gezeigt werden {int(data['shown'].sum())} davon: die ersten und "
                    "letzten Ränge und die Nachbarn der Kommune.")
        row = data[data["ags"] == ags]
        if row.empty:
            alt += f" Für {name} liegt{when} kein Wert vor."
        else:
            alt += (f" {name} liegt mit {value_text(row['value'].iloc[0], unit, decimals)} "
                    f"auf Rang {int(row['rank'].iloc[0])} von {n}")
            if land_value is not None and isfinite(land_value):
                alt += f" (Land: {value_text(land_value, unit, decimals)})"
            alt += "."
        if n_missing:
            alt += f" Ohne Angabe: {n_missing} Kommune{'n' if n_missing > 1 else ''}."
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=data)


def _ranking_rows(n: int, own: int | None, max_bars: int) -> list[tuple[str, int]]:
    """Rows of a ranking chart: ``("bar", position)`` or ``("gap", members left out)``.

    All ``n`` positions when they fit into ``max_bars``; otherwise the first and last ten
    (fewer for a small ``max_bars``), the Kommune's position ``own`` with three neighbours on
    either side, and a gap row wherever positions are left out.

    Examples
    --------
    >>> _ranking_rows(3, 1, 30)
    [('bar', 0), ('bar', 1), ('bar', 2)]
    >>> rows = _ranking_rows(100, 50, 30)
    >>> [r for r in rows if r[0] == "gap"]
    [('gap', 37), ('gap', 36)]
    >>> len(rows), sum(k == "bar" for k, _ in rows)
    (29, 27)
    """
    if n <= max(max_bars, 1):
        return [("bar", i) for i in range(n)]
    edge = max(1, min(10, (max_bars - 9) // 2))
    keep = set(range(edge)) | set(range(n - edge, n))
    if own is not None:
        keep |= set(range(max(0, own - 3), min(n, own + 4)))
    rows: list[tuple[str, int]] = []
    last = -1
    for i in sorted(keep):
        if i > last + 1:
            rows.append(("gap", i - last - 1))
        rows.append(("bar", i))
        last = i
    return rows


def unit_scale(unit: str | None) -> float:
    """Scale of a share or rate unit: % → 100, ‰ → 1000, "je 1.000 …" → 1000, else 1."""
    u = normalize_unit(unit)
    if u == "%":
        return 100.0
    if u == "‰":
        return 1000.0
    m = re.match(r"^je ([\d.]+)", u)
    if m:
        return float(m.group(1).replace(".", ""))
    return 1.0


def funnel_curves(
    n: np.ndarray | Sequence[float] | float,
    *,
    center: float,
    level: float = 0.95,
    kind: str = "proportion",
    scale: float = 100.0,
    method: str = "exact",
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits around ``center`` for case numbers ``n``, in the unit.

    Parameters
    ----------
    n : array of float
        Case numbers (denominators).
    center : float
        Reference value in the indicator's unit (e.g. 10.0 for 10 %).
    level : float
        Two-sided coverage: 0.95 or 0.998.
    kind : {"proportion", "rate"}
        Binomial limits for shares, Poisson limits for rates per person.
    scale : float
        100 for %, 1000 for ‰ and "je 1.000 …".
    method : {"exact", "normal"}
        Proportions only: ``exact`` uses :func:`bimokit.comparison.funnel_limits` (interpolated
        exact binomial after Spiegelhalter 2005, the same limits as the comparison table);
        ``normal`` the normal approximation.

    Notes
    -----
    With :math:`p_0 = \\text{center}/\\text{scale}` and :math:`z` the normal quantile of
    ``(1 + level)/2``: normal proportion :math:`p_0 \\pm z\\sqrt{p_0(1-p_0)/n}` (clipped
    to 0…1); rate :math:`p_0 \\pm z\\sqrt{p_0/n}` (clipped at 0); both times ``scale``.

    Examples
    --------
    >>> lo, hi = funnel_curves([400], center=10.0, method="normal")  # 1,96·sqrt(,1·,9/400)
    >>> round(float(lo[0]), 2), round(float(hi[0]), 2)
    (7.06, 12.94)
    """
    nn = np.asarray(n, dtype="float64")
    p0 = float(center) / scale
    if not 0 < level < 1:
        raise ParameterError(f"`level` must lie between 0 and 1, e.g. 0.95; not {level!r}.")
    from scipy import stats

    z = float(stats.norm.ppf((1 + level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            if not 0 <= p0 <= 1:
                raise ParameterError(
                    f"The funnel centre {center} is not a share between 0 and {scale:g}; "
                    "check `unit` or use kind='rate'."
                )
            if method == "exact":
                from ..comparison import funnel_limits

                lo, hi = funnel_limits(p0, nn, level=level)
            elif method == "normal":
                se = np.sqrt(p0 * (1 - p0) / nn)
                lo, hi = np.clip(p0 - z * se, 0, 1), np.clip(p0 + z * se, 0, 1)
            else:
                raise ParameterError(f"`method` must be 'exact' or 'normal'; not {method!r}.")
        elif kind == "rate":
            se = np.sqrt(p0 / nn)
            lo, hi = np.clip(p0 - z * se, 0, None), p0 + z * se
        else:
            raise ParameterError(f"`kind` must be 'proportion' or 'rate'; not {kind!r}.")
    return np.asarray(lo, dtype="float64") * scale, np.asarray(hi, dtype="float64") * scale


def plot_funnel(
    members: pd.DataFrame,
    *,
    ags: str,
    names: Mapping[str, str] | pd.DataFrame | None = None,
    n: str = "denominator",
    value: str = "value",
    center: float | None = None,
    center_label: str | None = None,
    kind: str = "proportion",
    method: str = "exact",
    unit: str | None = "%",
    decimals: int | None = None,
    year: int | None = None,
    indicator: str | None = None,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.0, 4.2),
    n_label: str | None = None,
) -> Chart:
    """Funnel plot: value against case number with 95 % and 99,8 % limits around a centre.

    Parameters
    ----------
    members : DataFrame
        The Vergleichsgruppe: ``ags``, the case number column ``n`` (the denominator) and
        ``value``; with ``year``/``indicator`` one year/indicator is kept.
    ags : str
        The Kommune to highlight.
    names : mapping or region table, optional
        ``ags → name`` (alt text and label).
    n, value : str
        Column names of the case number and the value.
    center : float, optional
        Centre line, e.g. the Landeswert; default: the pooled value of the members
        ``sum(value·n)/sum(n)``.
    center_label : str, optional
        Legend label of the centre ("Landeswert"; default "Wert der Vergleichsgruppe" for the
        pooled value).
    kind : {"proportion", "rate"}
        Binomial limits for shares, Poisson limits for rates per person.
    method : {"exact", "normal"}
        Limits of proportions (see :func:`funnel_curves`).
    unit, decimals : str, int
        ``%``, ``‰`` or ``je 1.000 …`` set the scale of the limits.
    year, indicator, title, source, source_tables, figsize
        As in the other charts.
    n_label : str, optional
        What the case number counts, in the nominative (``Bevölkerung unter 15 Jahren``,
        ``Absolventen und Abgänger``); named in the axis label and the alt text. Without it
        both say only "Bezugsgröße" (the denominator is not always a number of cases).

    Returns
    -------
    Chart
        ``data`` has columns ``ags, name, n, value, lower95, upper95, lower998, upper998,
        position`` (``innerhalb``, ``oberhalb 95 %``, ``oberhalb 99,8 %``, ``unterhalb 95 %``,
        ``unterhalb 99,8 %``).

    Notes
    -----
    Limits from :func:`funnel_curves` at 95 % and 99,8 % (by default exact binomial, the same
    as :func:`bimokit.comparison.funnel_limits`), drawn as curves over the range of case numbers.

    Examples
    --------
    >>> m = pd.DataFrame({"ags": ["1", "2", "3"], "denominator": [400, 900, 2500],
    ...                   "value": [16.0, 9.0, 10.2]})
    >>> ch = plot_funnel(m, ags="1", names={"1": "Musterstadt"}, center=10.0,
    ...                  center_label="Landeswert", title="Ohne Abschluss", year=2024)
    >>> # 99,8 % upper limit at n = 400 ≈ 10 + 3,09 · sqrt(0,1 · 0,9 / 400) · 100 = 14,6
    >>> ch.data.loc[0, "position"], ch.alt
    ('oberhalb 99,8 %', 'Trichterdiagramm (Funnel-Plot): Ohne Abschluss 2024 für 3 Kommunen nach ihrer Bezugsgröße, mit 95-%- und 99,8-%-Grenzen um den Landeswert von 10,0 %. Musterstadt liegt mit 16,0 % bei einer Bezugsgröße von 400 oberhalb der 99,8-%-Grenze.')
    >>> plot_funnel(m, ags="1", names={"1": "Musterstadt"}, center=10.0, year=2024,
    ...             n_label="Bevölkerung unter 15 Jahren").alt.split(",")[0]
    'Trichterdiagramm (Funnel-Plot): Indikatorwerte 2024 für 3 Kommunen nach ihrer Bezugsgröße (Bevölkerung unter 15 Jahren)'
    """  # noqa: E501
    require_columns(members, ["ags", n, value], "members")
    df = select_indicator(members, indicator, "members")
    if "year" in df.columns:
        df, year = select_year(df, year, "members")
    ags = str(ags)
    lookup = names_lookup(names)
    keys = df["ags"].astype(str)
    if not (keys == ags).any():
        raise UnknownRegionError(f"AGS {ags!r} is not among the members in `members`.")
    data = pd.DataFrame({
        "ags": keys.to_numpy(),
        "n": pd.to_numeric(df[n], errors="coerce").astype("float64").to_numpy(),
        "value": pd.to_numeric(df[value], errors="coerce").astype("float64").to_numpy(),
    })
    data = data[np.isfinite(data["n"].to_numpy()) & np.isfinite(data["value"].to_numpy())
                & (data["n"].to_numpy() > 0)].reset_index(drop=True)
    if data.empty:
        raise ParameterError("`members` has no row with a case number > 0 and a value.")
    scale = unit_scale(unit)
    if center is None:
        center = float((data["value"] * data["n"]).sum() / data["n"].sum())
        center_label = center_label or "Wert der Vergleichsgruppe"
    else:
        center = float(center)
        center_label = center_label or "Landeswert"
    data.insert(1, "name", [lookup.get(a, a) for a in data["ags"]])
    for level, tag in LEVELS:
        lo, hi = funnel_curves(data["n"].to_numpy(), center=center, level=level, kind=kind,
                               scale=scale, method=method)
        data[f"lower{tag}"], data[f"upper{tag}"] = lo, hi
    v = data["value"].to_numpy()
    data["position"] = np.select(
        [v > data["upper998"], v > data["upper95"], v < data["lower998"], v < data["lower95"]],
        ["oberhalb 99,8 %", "oberhalb 95 %", "unterhalb 99,8 %", "unterhalb 95 %"],
        default="innerhalb",
    )

    with house_style():
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        nmin, nmax = data["n"].min(), data["n"].max()
        grid = np.geomspace(max(1.0, nmin * 0.8), nmax * 1.15, 200)
        ax.axhline(center, color=ROLE_STYLE["land"]["color"], linewidth=1.6,
                   label=f"{center_label} ({value_text(center, unit, decimals)})")
        for level, style, label in ((0.95, "--", "95-%-Grenzen"),
                                    (0.998, ":", "99,8-%-Grenzen")):
            lo, hi = funnel_curves(grid, center=center, level=level, kind=kind, scale=scale,
                                   method=method)
            ax.plot(grid, lo, color="#4D4D4D", linestyle=style, linewidth=1.1, label=label)
            ax.plot(grid, hi, color="#4D4D4D", linestyle=style, linewidth=1.1)
        others = data[data["ags"] != ags]
        ax.scatter(others["n"], others["value"], s=22, color=OTHER_COLOR, edgecolor="white",
                   linewidth=0.5, label="übrige Kommunen", zorder=3)
        me = data[data["ags"] == ags]
        kom_name = lookup.get(ags, ags)
        ax.scatter(me["n"], me["value"], s=70, color=ROLE_STYLE["kommune"]["color"],
                   edgecolor="black", linewidth=0.8, label=kom_name, zorder=4, marker="D")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(GermanFormatter("Anzahl", 0))
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(f"Bezugsgröße: {n_label} (logarithmische Achse)" if n_label
                      else "Bezugsgröße (Nenner, logarithmische Achse)")
        ax.yaxis.set_major_formatter(GermanFormatter(unit))
        ax.set_ylabel(unit_label(unit))
        if title:
            ax.set_title(f"{title} {year}" if year is not None else title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")

        when = f" {year}" if year is not None else ""
        # "um den Landeswert", "um den Wert der Vergleichsgruppe"
        article = "den " if center_label.split(" ", 1)[0].lower().endswith("wert") else ""
        alt = (f"Trichterdiagramm (Funnel-Plot): {title or 'Indikatorwerte'}{when} für "
               f"{len(data)} Kommunen nach ihrer Bezugsgröße"
               f"{f' ({n_label})' if n_label else ''}, mit 95-%- und 99,8-%-Grenzen um "
               f"{article}{center_label} von {value_text(center, unit, decimals)}.")
        if me.empty:
            alt += f" Für {kom_name} liegt{when} keine Bezugsgröße oder kein Wert vor."
        else:
            pos = me["position"].iloc[0]
            where = {
                "innerhalb": "innerhalb der 95-%-Grenzen (Unterschied statistisch nicht "
                             "gesichert)",
                "oberhalb 95 %": "oberhalb der 95-%-Grenze",
                "oberhalb 99,8 %": "oberhalb der 99,8-%-Grenze",
                "unterhalb 95 %": "unterhalb der 95-%-Grenze",
                "unterhalb 99,8 %": "unterhalb der 99,8-%-Grenze",
            }[pos]
            alt += (f" {kom_name} liegt mit {value_text(me['value'].iloc[0], unit, decimals)} "
                    f"bei einer Bezugsgröße von {fmt_number(me['n'].iloc[0])} {where}.")
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=data)

