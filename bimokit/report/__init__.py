"""The report runner: one Kommune's chapters as HTML, with index, Steckbrief and Tabellenanhang.

``bimokit.report.run_report("99101")`` (or ``bimokit report --ags 99101``) checks every
parameter, runs the chapter notebooks ``notebooks/<A…H,S>.ipynb`` (with papermill's
parameters, in one kernel reset before each chapter, :class:`WarmKernel`), writes each
as an HTML page without code, and adds ``index.html``, ``steckbrief.html`` and
``tabellenanhang_<ags>.xlsx`` to ``reports/<ags>/``. Every file is written atomically.

The contract for chapter notebooks
----------------------------------
A chapter notebook is ``notebooks/<letter>.ipynb`` (A, B, C, D, E, F, G, H, S), stored without
outputs. It has

1. an imports cell (``import bimokit as bk`` …);

2. exactly one cell tagged ``parameters`` (papermill) that runs as it is, with these typed and
   commented parameters (the runner checks that all six are there)::

       ags: str = "99101"  # Amtlicher Gemeindeschlüssel der Kommune (5 oder 8 Ziffern)
       data: str = ""  # Datenordner; leer: eingebettete Beispieldaten (Musterland)
       years: str = ""  # Berichtsjahre "2012-2024" oder "2024"; leer: alle Jahre der Daten
       vergleichsgruppe: str = "kreistyp"  # "kreistyp", "aehnlich:5" oder "09162,09564"
       out_dir: str = ""  # Ordner für Tabellen und Kennzahlen; leer: nichts schreiben
       values_path: str = ""  # vorberechnete Indikatorwerte (.csv/.parquet); leer: hier berechnen

   One parameter a line and no ``=`` in the comments (papermill cannot read such a line).
   The runner passes all six as strings. ``out_dir`` is a fresh, empty folder per chapter run
   and is also the kernel's working folder; never write anywhere else. ``values_path`` is
   ``""`` in a single run; a batch computes the indicator values of all Kommunen once and
   passes the file (:func:`save_values` writes it, :func:`load_values` reads it)::

       values = bk.load_values(values_path, compute=lambda: bk.compute(...))

3. narrative (Markdown) and one library call per code cell; no method code.

To hand results to the runner a chapter calls:

* ``bk.publish_table(df, name="C1.1 Betreuungsquote unter 3 Jahren", out_dir=out_dir,
  source="…", note="…")`` – shows the table in the chapter (German headers and numbers, no
  ``nan``) and stores it for the XLSX Tabellenanhang (one sheet per table, sheet name from
  ``name``; names unique within a chapter);
* ``bk.publish_keyfigure(indicator="C1.1", label="Betreuungsquote unter 3 Jahren",
  value=34.5, unit="%", year=2024, ampel="gruen", trend_arrow="↑", comparison="Land: 31,2 %",
  out_dir=out_dir)`` – one line of the Steckbrief (value, Ampel ``gruen``/``gelb``/``rot``/
  ``grau``, trend ``↑``/``↓``/``→``);
* ``bk.show(chart)`` – shows a ``bimokit.plots.Chart(fig, ax, alt)`` (or a figure with
  ``alt=…``) as an embedded PNG ``<img alt="…">`` and closes the figure. Do not rely on
  matplotlib's inline display or ``plt.show()``: the runner rejects a chapter page with any
  image without alt text.

All three return ``None``. Text a notebook writes to stderr (warnings) is left out of the page
and reported by the runner. The runner also rejects a page that shows code, an error, a
traceback or a raw ``nan``/``<NA>``/``NaT``.

Building blocks (for ``bimokit batch``)
---------------------------------------
:func:`validate_request` (all checks, before any kernel starts; :func:`describe_data` once per
batch), :func:`execute_chapter` (papermill in a fresh kernel, or nbclient in a warm kernel via
``km=``; :func:`start_kernel` starts one), :func:`run_chapter` (one chapter of a request:
page + data, atomically), :class:`WarmKernel` (one kernel for many chapters, reset and
seeded before each, replaced when it dies or a cell runs past its time limit),
:func:`finish_report` (index, Steckbrief, XLSX and ``.bimokit/report.json`` from whatever
chapters are complete in ``<out>/<ags>/``), :func:`write_index`, :func:`write_steckbrief`,
:func:`write_xlsx`, :func:`atomic_path`.

Completeness for resuming: a chapter is complete when ``<out>/<ags>/<letter>.html`` exists; its
data ``.bimokit/<letter>.json`` (tables, key figures, the parameters and the notebook's SHA-256,
plain JSON read against a schema; never a pickle) is always written before the page takes its
name, with its SHA-256 in ``.bimokit/manifest.json``, and both are removed when the chapter
fails. Data that is damaged or foreign (not in the manifest, another checksum, not fitting the
schema) is never used: the chapter counts as not built and is built again.
"""

from __future__ import annotations

from ..publish import (
    AMPEL,
    TRENDS,
    KeyFigure,
    PublishedTable,
    figure_html,
    load_values,
    publish_keyfigure,
    publish_table,
    read_published,
    save_values,
    show,
    table_html,
)
from ._cache import chapter_data_ok, chapter_data_path, folder_lock, remove_leftovers
from ._execute import (
    ChapterFailure,
    ChapterRun,
    check_html,
    execute_chapter,
    notebook_to_html,
    start_kernel,
)
from ._interrupt import catching_interrupts
from ._pages import ChapterEntry, steckbrief_table, write_index, write_steckbrief
from ._validate import (
    CHAPTERS,
    PARAMETERS,
    DataInfo,
    ReportRequest,
    describe_data,
    parse_years,
    validate_request,
)
from ._warm import DEFAULT_SEED, KernelResetError, WarmKernel, WarmRun
from ._xlsx import sheet_names, write_xlsx
from .runner import (
    STATE_DIR,
    ChapterResult,
    ReportFailedError,
    ReportResult,
    ReportWriteError,
    finish_report,
    run_chapter,
    run_report,
)

__all__ = ["run_report", "ReportResult", "ChapterResult", "ReportFailedError"]
