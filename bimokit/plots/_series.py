"""Time series of a Kommune against Land, Bund and Vergleichsgruppe; small multiples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, UnknownRegionError
from ._base import (
    DIMENSION_LABELS,
    PALETTE,
    ROLE_STYLE,
    Chart,
    code_label,
    finish,
    house_style,
    isfinite,
    join_de,
    names_lookup,
    new_figure,
    require_columns,
    select_indicator,
    style_axes,
    value_text,
    wrap_text,
    year_axis,
    year_range,
)

_ROLE_LABEL = {"land": "Land", "bund": "Bund", "gruppe": "Vergleichsgruppe"}


def _series_of(df: pd.DataFrame, ags: str) -> pd.DataFrame:
    part = df[df["ags"].astype(str) == ags]
    if part["year"].duplicated().any():
        raise ParameterError(
            f"The values hold several rows per year for AGS {ags!r} (dimension columns?); "
            "filter them to one breakdown first."
        )
    return part.sort_values("year")


def _group_series(group: object) -> pd.Series:
    if isinstance(group, pd.Series):
        s = group
    elif isinstance(group, pd.DataFrame):
        require_columns(group, ["year"], "group")
        col = "group_value" if "group_value" in group.columns else "value"
        require_columns(group, [col], "group")
        s = pd.Series(group[col].to_numpy(), index=group["year"].to_numpy())
    else:
        raise ParameterError(
            "`group` must be a Series indexed by year or a table with 'year' and "
            f"'group_value'; not {type(group).__name__}."
        )
    s = pd.to_numeric(s, errors="coerce").astype("float64")
    s.index = s.index.astype(int)
    return s.sort_index()


def plot_timeseries(
    values: pd.DataFrame,
    *,
    ags: str,
    names: Mapping[str, str] | pd.DataFrame | None = None,
    indicator: str | None = None,
    unit: str | None = "%",
    decimals: int | None = None,
    land: str | None = "auto",
    bund: str | None = "DG",
    group: pd.Series | pd.DataFrame | None = None,
    ci: bool = True,
    breaks: Mapping[int, str] | Sequence[tuple[int, str]] | None = None,
    peers: Sequence[str] | None = None,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.0, 4.0),
) -> Chart:
    """Line chart of the Kommune's values over the years against Land, Bund and Vergleichsgruppe.

    Parameters
    ----------
    values : DataFrame
        Indicator values (``ags, year, value``; optional ``ci_low, ci_high, indicator``) that
        hold the Kommune and, where wanted, its Land and ``DG``.
    ags : str
        The Kommune.
    names : mapping or region table, optional
        ``ags → name`` for the legend and the alt text.
    indicator : str, optional
        Indicator id, needed where ``values`` holds several.
    unit : str
        Unit of the values (``%`` writes ``12,3 %`` on the axis).
    decimals : int, optional
        Decimals in the alt text (default by unit).
    land : str or None
        AGS of the Land line; ``"auto"``: the first two digits of ``ags`` where present in
        ``values``; ``None``: no Land line.
    bund : str or None
        AGS of the Bund line (``"DG"``), drawn where present; ``None``: none.
    group : Series or DataFrame, optional
        Vergleichsgruppe values by year (Series indexed by year, or a table with ``year`` and
        ``group_value`` as :mod:`bimokit.comparison` returns it).
    ci : bool
        Draw the Kommune's confidence band where ``ci_low``/``ci_high`` are given.
    breaks : mapping year → label, or (year, label) pairs, optional
        Breaks in the series (e.g. ``{2022: "Zensus 2022"}``: values from 2022 on rest on a
        new population base). Each break inside the drawn years is marked by a vertical line
        before its year with its label, and named in the alt text.
    peers : list of str, optional
        AGS of hand-picked Vergleichskommunen (up to five) drawn as separate thin named lines
        (role ``vergleichskommune``), beside or instead of the pooled ``group``.
    title, source, source_tables, figsize
        Title above, source line below ("Quelle: …"; from ``source_tables`` if no ``source``).

    Returns
    -------
    Chart
        ``fig``, ``ax``, ``alt``, ``source`` and ``data`` with columns ``year, role, ags, label,
        value`` (role ``kommune``, ``land``, ``bund``, ``gruppe``, ``vergleichskommune``).

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["99101"] * 3 + ["99"] * 3, "year": [2022, 2023, 2024] * 2,
    ...                   "value": [6.0, 6.5, 7.1, 5.5, 5.6, 5.7]})
    >>> ch = plot_timeseries(v, ags="99101", names={"99101": "Musterstadt", "99": "Musterland"},
    ...                      title="Abgänger ohne Abschluss")
    >>> ch.alt
    'Liniendiagramm: Abgänger ohne Abschluss in Musterstadt von 2022 bis 2024 im Vergleich mit dem Land. Zuletzt (2024) lag der Wert in Musterstadt bei 7,1 % (Land: 5,7 %).'
    """  # noqa: E501
    require_columns(values, ["ags", "year", "value"], "values")
    df = select_indicator(values, indicator, "values")
    lookup = names_lookup(names)
    ags = str(ags)
    if not (df["ags"].astype(str) == ags).any():
        raise UnknownRegionError(f"AGS {ags!r} has no values in `values`.")
    name = lookup.get(ags, ags)
    present = set(df["ags"].astype(str))
    refs: list[tuple[str, str]] = []
    if land == "auto":
        land = ags[:2] if ags[:2] in present and ags[:2] != ags else None
    if land is not None:
        if str(land) not in present:
            raise UnknownRegionError(f"Land AGS {land!r} has no values in `values`.")
        refs.append(("land", str(land)))
    if bund is not None and str(bund) in present and str(bund) != ags:
        refs.append(("bund", str(bund)))

    rows: list[pd.DataFrame] = []
    kom = _series_of(df, ags)
    rows.append(pd.DataFrame({"year": kom["year"].astype(int).to_numpy(), "role": "kommune",
                              "ags": ags, "label": name,
                              "value": pd.to_numeric(kom["value"], errors="coerce")
                              .astype("float64").to_numpy()}))
    for role, key in refs:
        part = _series_of(df, key)
        label = lookup.get(key, _ROLE_LABEL[role])
        rows.append(pd.DataFrame({"year": part["year"].astype(int).to_numpy(), "role": role,
                                  "ags": key, "label": f"{_ROLE_LABEL[role]} ({label})"
                                  if label != _ROLE_LABEL[role] else label,
                                  "value": pd.to_numeric(part["value"], errors="coerce")
                                  .astype("float64").to_numpy()}))
    if group is not None:
        g = _group_series(group)
        rows.append(pd.DataFrame({"year": g.index.to_numpy(), "role": "gruppe", "ags": "",
                                  "label": "Vergleichsgruppe", "value": g.to_numpy()}))
    peer_keys = [str(p) for p in (peers or []) if str(p) != ags]
    if len(peer_keys) > len(PEER_STYLES):
        raise ParameterError(
            f"At most {len(PEER_STYLES)} Vergleichskommunen can be drawn as lines; got "
            f"{len(peer_keys)}. Pass them as a pooled `group` instead.")
    for key in peer_keys:
        if key not in present:
            raise UnknownRegionError(f"Vergleichskommune {key!r} has no values in `values`.")
        part = _series_of(df, key)
        rows.append(pd.DataFrame({"year": part["year"].astype(int).to_numpy(),
                                  "role": "vergleichskommune", "ags": key,
                                  "label": lookup.get(key, key),
                                  "value": pd.to_numeric(part["value"], errors="coerce")
                                  .astype("float64").to_numpy()}))
    data = pd.concat(rows, ignore_index=True)
    marks = _breaks_inside(breaks, data["year"])

    with house_style():
        fig = new_figure(figsize)
        ax = fig.add_subplot()
        if ci and {"ci_low", "ci_high"} <= set(kom.columns):
            lo = pd.to_numeric(kom["ci_low"], errors="coerce").astype("float64").to_numpy()
            hi = pd.to_numeric(kom["ci_high"], errors="coerce").astype("float64").to_numpy()
            if np.isfinite(lo).any():
                ax.fill_between(kom["year"].astype(int).to_numpy(), lo, hi,
                                color=ROLE_STYLE["kommune"]["color"], alpha=0.18, linewidth=0,
                                label=f"95-%-Konfidenzintervall {name}")
        for role in ("kommune", "land", "bund", "gruppe"):
            part = data[data["role"] == role]
            if part.empty:
                continue
            st = ROLE_STYLE[role]
            ax.plot(part["year"].to_numpy(), part["value"].to_numpy(), label=part["label"].iloc[0],
                    color=st["color"], linestyle=st["linestyle"], linewidth=st["linewidth"],
                    marker=st["marker"], markersize=4, zorder=3 if role == "kommune" else 2)
        for key, st in zip(peer_keys, PEER_STYLES, strict=False):
            part = data[(data["role"] == "vergleichskommune") & (data["ags"] == key)]
            ax.plot(part["year"].to_numpy(), part["value"].to_numpy(),
                    label=part["label"].iloc[0], zorder=2, markersize=3.5, **st)
        year_axis(ax.xaxis)
        style_axes(ax, title=title, unit=unit, decimals=None)
        ax.set_xlabel("")
        mark_breaks(ax, marks)
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: 0 if labels[i] == name else 1)
        ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), fontsize="small")

        alt = _timeseries_alt(data, name=name, title=title, unit=unit, decimals=decimals)
        alt += breaks_alt(marks)
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=data)


#: Line styles of up to five hand-picked Vergleichskommunen: thin, each its own colour (the
#: Okabe–Ito colours the roles do not use) and marker, so they stay apart in greyscale.
PEER_STYLES = (
    {"color": "#CC79A7", "linestyle": "-", "linewidth": 1.2, "marker": "s"},
    {"color": "#56B4E9", "linestyle": "-", "linewidth": 1.2, "marker": "^"},
    {"color": "#D55E00", "linestyle": "-", "linewidth": 1.2, "marker": "D"},
    {"color": "#7F7F7F", "linestyle": "-", "linewidth": 1.2, "marker": "v"},
    {"color": "#B8860B", "linestyle": "-", "linewidth": 1.2, "marker": "P"},
)


def _breaks_inside(breaks, years: pd.Series) -> list[tuple[int, str]]:
    """The (year, label) breaks inside the drawn years (after the first year, up to the last)."""
    if breaks is None:
        return []
    items = breaks.items() if isinstance(breaks, Mapping) else breaks
    try:
        pairs = [(int(y), str(label)) for y, label in items]
    except (TypeError, ValueError):
        raise ParameterError(
            "`breaks` must map a year to its label, e.g. {2022: 'Zensus 2022'}.") from None
    ys = pd.to_numeric(years, errors="coerce").dropna()
    if ys.empty:
        return []
    lo, hi = int(ys.min()), int(ys.max())
    return sorted((y, lab) for y, lab in pairs if lo < y <= hi)


def mark_breaks(ax, marks: list[tuple[int, str]], *, label: bool = True) -> None:
    """A dotted vertical line before each break year; ``label``: named in the legend
    ("Zeitreihenbruch 2022 (Zensus 2022)"), so that no text covers the lines."""
    for year, text in marks:
        ax.axvline(year - 0.5, color="#4D4D4D", linestyle=(0, (1, 2)), linewidth=1.2,
                   zorder=1, gid="bimokit-break",
                   label=f"Zeitreihenbruch {year}\n({text})" if label else None)


def breaks_alt(marks: list[tuple[int, str]]) -> str:
    """' Markiert: Zeitreihenbruch 2022 (Zensus 2022) …' for the alt text, '' without."""
    if not marks:
        return ""
    items = join_de([f"{y} ({text})" for y, text in marks])
    word = "Zeitreihenbruch" if len(marks) == 1 else "Zeitreihenbrüche"
    return (f" Markiert: {word} {items}; Werte ab dann sind mit früheren nur eingeschränkt "
            "vergleichbar.")


def _timeseries_alt(data: pd.DataFrame, *, name: str, title: str | None, unit: str | None,
                    decimals: int | None) -> str:
    what = title or "Indikatorwerte"
    kom = data[data["role"] == "kommune"]
    refs = [r for r in ("land", "bund", "gruppe") if (data["role"] == r).any()]
    ref_words = {"land": "dem Land", "bund": "dem Bund", "gruppe": "der Vergleichsgruppe"}
    peers = list(pd.unique(data.loc[data["role"] == "vergleichskommune", "label"]))
    text = f"Liniendiagramm: {what} in {name} von {year_range(kom['year'])}"
    words = [ref_words[r] for r in refs]
    if peers:
        words.append(f"{'der Vergleichskommune' if len(peers) == 1 else 'den Vergleichskommunen'}"
                     f" {join_de(peers)}")
    if words:
        text += " im Vergleich mit " + join_de(words)
    text += "."
    valid = kom[np.isfinite(kom["value"].to_numpy())]
    if valid.empty:
        return text + f" Für {name} liegen keine Werte vor."
    last = valid.iloc[-1]
    yr = int(last["year"])
    latest = value_text(last["value"], unit, decimals)
    text += f" Zuletzt ({yr}) lag der Wert in {name} bei {latest}"
    extras = []
    for r in refs:
        ref = data[(data["role"] == r) & (data["year"] == yr)]["value"]
        if len(ref) and isfinite(ref.iloc[0]):
            extras.append(f"{_ROLE_LABEL[r]}: {value_text(ref.iloc[0], unit, decimals)}")
    for label in peers:
        ref = data[(data["role"] == "vergleichskommune") & (data["label"] == label)
                   & (data["year"] == yr)]["value"]
        if len(ref) and isfinite(ref.iloc[0]):
            extras.append(f"{label}: {value_text(ref.iloc[0], unit, decimals)}")
    if extras:
        text += " (" + "; ".join(extras) + ")"
    return text + "."


def plot_small_multiples(
    data: pd.DataFrame,
    *,
    by: str,
    name: str,
    x: str = "year",
    value: str = "value",
    hue: str | None = None,
    labels: Mapping[str, str] | None = None,
    unit: str | None = "%",
    decimals: int | None = None,
    col_wrap: int = 3,
    sharey: bool = True,
    breaks: Mapping[int, str] | Sequence[tuple[int, str]] | None = None,
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    panel_size: tuple[float, float] = (2.6, 2.0),
) -> Chart:
    """One small line chart per breakdown level (e.g. by Geschlecht or Schulart).

    Parameters
    ----------
    data : DataFrame
        Long table with ``by``, ``x`` (usually ``year``) and ``value``; optional ``hue`` column
        for several lines per panel (e.g. ``ags`` of Kommune and Land; the first level found is
        drawn as the Kommune).
    by : str
        Column whose levels make the panels (in order of appearance).
    name : str
        Name of the Kommune (title and alt text).
    labels : mapping, optional
        Labels for codes (panel titles and hue levels), e.g. ``{"99": "Musterland"}``;
        harmonised codes have German defaults (``weiblich``, ``Gymnasium``…).
    breaks : mapping year → label, or (year, label) pairs, optional
        Breaks in the series, marked in every panel (see :func:`plot_timeseries`).
    unit, decimals, col_wrap, sharey, title, source, source_tables, panel_size
        As the names say; ``panel_size`` is the size of one panel in inches. Long panel titles
        are wrapped to the panel's width; the legend stands under the panels.

    Returns
    -------
    Chart
        ``ax`` is a 1-d array with one Axes per panel; ``data`` has columns ``panel, hue, x,
        value``.

    Examples
    --------
    >>> d = pd.DataFrame({"geschlecht": ["weiblich"] * 2 + ["maennlich"] * 2,
    ...                   "year": [2023, 2024] * 2, "value": [5.0, 5.5, 8.0, 8.5]})
    >>> ch = plot_small_multiples(d, by="geschlecht", name="Musterstadt", title="Ohne Abschluss")
    >>> len(ch.ax), ch.alt
    (2, 'Kleine Vielfache: Ohne Abschluss in Musterstadt nach Geschlecht (weiblich und männlich), 2023 bis 2024, je eine Teilgrafik. 2024: weiblich 5,5 %, männlich 8,5 %.')
    """  # noqa: E501
    cols = [by, x, value] + ([hue] if hue else [])
    require_columns(data, cols, "data")
    if not isinstance(col_wrap, int) or col_wrap < 1:
        raise ParameterError(f"`col_wrap` must be a whole number ≥ 1; not {col_wrap!r}.")
    df = pd.DataFrame({
        "panel": data[by].astype(str).to_numpy(),
        "hue": data[hue].astype(str).to_numpy() if hue else "",
        "x": pd.to_numeric(data[x], errors="coerce").to_numpy(),
        "value": pd.to_numeric(data[value], errors="coerce").astype("float64").to_numpy(),
    }).sort_values(["panel", "hue", "x"], kind="stable")
    panels = list(pd.unique(data[by].astype(str)))
    hues = list(pd.unique(data[hue].astype(str))) if hue else [""]
    if not panels:
        raise ParameterError("`data` is empty: nothing to draw.")
    n = len(panels)
    ncols = min(col_wrap, n)
    nrows = -(-n // ncols)

    marks = _breaks_inside(breaks, df["x"]) if x == "year" else []
    with house_style():
        width = panel_size[0] * ncols + (1.7 if hue or marks else 0.3)
        # bold is wider than the measured regular face: leave a margin
        head = wrap_text(f"{title}: {name}", 0.85 * width * 72, fontsize=11.0) if title else []
        fig = new_figure((width, panel_size[1] * nrows + 0.8 + 0.2 * max(0, len(head) - 1)))
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
        for k, ax in enumerate(axes):
            if k >= n:
                ax.set_visible(False)
                continue
            p = panels[k]
            for j, h in enumerate(hues):
                part = df[(df["panel"] == p) & (df["hue"] == h)]
                if part.empty:
                    continue
                color = PALETTE[j % len(PALETTE)] if j else ROLE_STYLE["kommune"]["color"]
                ax.plot(part["x"].to_numpy(), part["value"].to_numpy(), color=color,
                        linewidth=2.0 if j == 0 else 1.5, linestyle="-" if j == 0 else "--",
                        marker="o" if j == 0 else None, markersize=3,
                        label=code_label(h, labels) if hue else name)
            ax.set_title(_wrap_title(code_label(p, labels), panel_size[0]), fontsize="medium",
                         fontweight="normal")
            if x == "year":
                year_axis(ax.xaxis, nbins=4)
                mark_breaks(ax, marks, label=k == 0)
            style_axes(ax, title=None, unit=unit, decimals=None,
                       label="" if k % ncols else None)
        if hue or marks:
            # beside the last panel of the first row, inside the layout: never over the title
            handles, labs = axes[0].get_legend_handles_labels()
            if not hue:
                keep = [i for i, lab in enumerate(labs) if lab.startswith("Zeitreihenbruch")]
                handles, labs = [handles[i] for i in keep], [labs[i] for i in keep]
            axes[ncols - 1].legend(handles, labs, loc="upper left", bbox_to_anchor=(1.03, 1.0),
                                   fontsize="small")
        if title:
            fig.suptitle("\n".join(head), x=0.01, ha="left", fontweight="bold",
                         fontsize="medium")
        used = axes[:n]
        alt = _multiples_alt(df, panels, hues, by=by, name=name, title=title, unit=unit,
                             decimals=decimals, labels=labels, hue=hue, x=x) + breaks_alt(marks)
        return finish(fig, used, alt=alt, source=source, source_tables=source_tables, data=df)


def _wrap_title(text: str, inches: float) -> str:
    """A panel title in lines that fit the panel (about 11 characters an inch)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, max(12, int(inches * 11)))) or text


def _multiples_alt(df: pd.DataFrame, panels: list[str], hues: list[str], *, by: str, name: str,
                   title: str | None, unit: str | None, decimals: int | None,
                   labels: Mapping[str, str] | None, hue: str | None, x: str) -> str:
    what = title or "Indikatorwerte"
    panel_names = [code_label(p, labels) for p in panels]
    by_label = DIMENSION_LABELS.get(by, by)
    xs = df["x"].dropna()
    span = year_range(xs.astype(int)) if x == "year" and len(xs) else ""
    text = (f"Kleine Vielfache: {what} in {name} nach {by_label} ({join_de(panel_names)})"
            + (f", {span}" if span else "") + ", je eine Teilgrafik")
    if hue:
        text += f", Linien für {join_de([code_label(h, labels) for h in hues])}"
    text += "."
    main = df[(df["hue"] == hues[0]) & np.isfinite(df["value"].to_numpy())]
    if main.empty:
        return text
    last_x = main["x"].max()
    parts = []
    for p, label in zip(panels, panel_names, strict=True):
        v = main[(main["panel"] == p) & (main["x"] == last_x)]["value"]
        if len(v):
            parts.append(f"{label} {value_text(v.iloc[0], unit, decimals)}")
    if parts:
        lx = str(int(last_x)) if x == "year" else str(last_x)
        text += f" {lx}: " + ", ".join(parts) + "."
    return text

