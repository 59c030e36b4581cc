"""Layout checks of a drawn chart: nothing clipped at the figure's edge, no legend over a title,
the source line or another legend."""

from __future__ import annotations

from matplotlib.legend import Legend
from matplotlib.text import Text


def _legends(fig) -> list[Legend]:
    found = list(fig.legends)
    for ax in fig.axes:
        found += [a for a in ax.get_children() if isinstance(a, Legend)]
    return list(dict.fromkeys(found))


def layout_problems(chart) -> list[str]:
    """What of a chart lies outside the figure or collides; [] when the layout is clean."""
    fig = chart.fig
    chart.to_png()  # as the page shows it: one pass of the layout, in the house style
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    tol = 1.0
    problems = []

    def outside(bb, what):
        if bb.x0 < box.x0 - tol or bb.y0 < box.y0 - tol or bb.x1 > box.x1 + tol or \
                bb.y1 > box.y1 + tol:
            problems.append(f"{what} runs off the figure ({bb.x0:.0f}, {bb.y0:.0f}, "
                            f"{bb.x1:.0f}, {bb.y1:.0f} in {box.x1:.0f} × {box.y1:.0f})")

    legends = _legends(fig)
    for i, lg in enumerate(legends):
        outside(lg.get_window_extent(renderer), f"legend {i} ({lg.get_title().get_text()!r})")
    texts: list[tuple[str, Text]] = [("source", t) for t in fig.texts]
    if fig._suptitle is not None:
        texts.append(("suptitle", fig._suptitle))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for loc in ("left", "center", "right"):
            t = ax.get_title(loc=loc)
            if t:
                texts.append((f"title {t!r}", ax._left_title if loc == "left" else
                              ax.title if loc == "center" else ax._right_title))
        texts += [("x label", ax.xaxis.label), ("y label", ax.yaxis.label)]
        for axis in (ax.xaxis, ax.yaxis):  # the ticks drawn: inside the view
            lo, hi = sorted(axis.get_view_interval())
            texts += [("tick", tk.label1) for tk in axis.get_major_ticks()
                      if lo - 1e-9 <= tk.get_loc() <= hi + 1e-9 and tk.label1.get_visible()
                      and tk.label1.get_text()]
    for what, t in texts:
        if t.get_text():
            outside(t.get_window_extent(renderer), f"{what} {t.get_text()[:30]!r}")
    for i, lg in enumerate(legends):
        lb = lg.get_window_extent(renderer)
        for what, t in texts:
            if what == "tick" or not t.get_text():
                continue
            if lb.overlaps(t.get_window_extent(renderer)):
                problems.append(f"legend {i} overlaps {what}")
        for j, other in enumerate(legends[i + 1:], start=i + 1):
            if lb.overlaps(other.get_window_extent(renderer)):
                problems.append(f"legend {i} overlaps legend {j}")
    return problems
