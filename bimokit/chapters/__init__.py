"""Report chapters: one :class:`Chapter` per Handlungsfeld and Kommune, one call per cell.

A chapter notebook (``notebooks/<A…H,S>.ipynb``) creates ``ch = bk.Chapter("C", ags=ags, …)``
from its parameters and then calls one display method per cell: ``ch.titel()``,
``ch.kernaussagen()``, ``ch.indikator("C1.1")``, ``ch.funnel(…)``, ``ch.karte(…)``, … and
``ch.methodik()``, ``ch.quellen()`` at the end. Everything is computed once when the chapter is
created (indicator values of all regions in one pass, comparison and trend of the Kommune);
the calls only select, write and draw. Tables and key figures go to the report runner
(:mod:`bimokit.report`) for the Tabellenanhang and the Steckbrief.
"""

from __future__ import annotations

from ._chapter import Chapter, load_dataset, parse_vergleichsgruppe, read_zielwerte
from ._section import Section

__all__ = ["Chapter", "Section"]
