"""What a chapter's display call returns: a Section with the numbers behind its output."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Section", "returns_section"]


@dataclass
class Section:
    """One display call of a chapter: its title, table, chart, sentences and sources.

    ``ch.indikator("D4.1")`` returns a Section; in JupyterLab and in the report page it shows
    exactly the HTML it was built from (``html``, one fragment per heading, paragraph, chart
    and table), and its attributes hold the data behind it, so that an analyst or a trainer
    can show the numbers: ``ch.indikator("D4.1").table``.

    Attributes
    ----------
    title : str
        The section's heading (``""`` where it has none, e.g. a note).
    table : DataFrame
        The (first) table behind the section, with the library's column names (German
        headers are in the page); empty where the section shows no table.
    chart : matplotlib.figure.Figure or None
        The (first) chart; its data is in ``charts[0].data``.
    sentences : list of str
        The German sentences the section writes (Kernaussagen, comparison, notes).
    sources : list of str
        The source lines under its charts and tables.
    tables, charts : list
        Every table (DataFrame) and every chart (:class:`bimokit.plots.Chart`) in order.
    fragments : list of str
        The HTML fragments, in order.
    """

    title: str = ""
    sentences: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    charts: list = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        return self.tables[0] if self.tables else pd.DataFrame()

    @property
    def chart(self):
        return getattr(self.charts[0], "fig", self.charts[0]) if self.charts else None

    @property
    def html(self) -> str:
        """The section's HTML as it appears in the chapter page."""
        return "".join(self.fragments)

    def add_source(self, line: str) -> None:
        if line and line not in self.sources:
            self.sources.append(line)

    def _repr_html_(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        # One display output per fragment, as the chapter pages have always been built (the
        # report's HTML stays byte-identical); no execute_result of its own.
        from IPython.display import HTML, display

        for fragment in self.fragments:
            display(HTML(fragment))

    def __repr__(self) -> str:
        parts = [repr(self.title)] if self.title else []
        if self.tables:
            rows, cols = self.tables[0].shape
            parts.append(f"Tabelle {rows}×{cols}")
        if self.charts:
            parts.append("Grafik" if len(self.charts) == 1 else f"{len(self.charts)} Grafiken")
        if self.sentences:
            n = len(self.sentences)
            parts.append("1 Satz" if n == 1 else f"{n} Sätze")
        return f"Section({', '.join(parts)})"


def returns_section(method):
    """Decorator: the display call collects what it shows into a :class:`Section`, returned.

    The chapter's ``_emit``, ``_heading``, ``_para``, ``_table``, ``_show`` and ``_source``
    add to the innermost open section (a display call that calls another adds to both).
    """

    @functools.wraps(method)
    def call(self, *args, **kwargs) -> Section:
        section = Section()
        self._open_sections.append(section)
        try:
            method(self, *args, **kwargs)
        finally:
            self._open_sections.remove(section)
        return section

    return call
