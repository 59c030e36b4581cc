"""``bimokit batch``: the chapters of every Kommune, in parallel warm kernels, resumable, on Dask.

``bimokit.batch.run_batch(land="09")`` (or ``bimokit batch --land 09``) builds the report
chapters of every Kreis of a Land; a Kommune list (:func:`read_ags_list`) or ``--all`` choose
other sets. It

* checks the whole Kommune list (unknown, malformed, dissolved keys: one error listing all)
  and every parameter before any kernel starts;
* computes the indicator values of all Kommunen once (:func:`prepare_values`) and hands the
  file to every chapter (``values_path``);
* runs the chapters in worker processes that each own ONE warm kernel (ipykernel over IPC,
  no TCP port race), reset before every chapter (:class:`WarmKernel`): ``%reset -f``, all
  figures closed, rcParams, warning filters, working folder, environment and ``sys.path`` as
  after the imports, ``random``/``numpy.random`` seeded. A chapter from a warm kernel is the
  same as one from a fresh kernel;
* records every chapter (:class:`ChapterRecord`: status ``ok``/``failed``/``skipped``,
  duration, failing cell, error), goes on after failures, and writes
  ``<out>/batch_report.json`` and ``<out>/batch_report.html``;
* is resumable: a chapter is skipped when its page is complete and built from the same inputs
  (content of the data folder, of the notebook and of a given values file, Kommune, years,
  Vergleichsgruppe, bimokit's code), recorded in ``<out>/<ags>/.bimokit/<letter>.batch.json``.
  Every file is written atomically, so a batch killed at any moment leaves no half-written
  output and finishes when run again;
* runs the same on a Dask cluster (``scheduler="tcp://…"`` or ``"local:<n>"``), one task per
  Kommune, each Dask worker with its own warm kernel.

Output layout::

    <out>/<ags>/<letter>.html, index.html, steckbrief.html, tabellenanhang_<ags>.xlsx
    <out>/<ags>/.bimokit/<letter>.json, manifest.json, <letter>.batch.json, report.json
    <out>/.bimokit-batch/values.csv, values.json (indicator values of the batch, checksum)

Everything the batch reads back from the output folder is data read against a schema (JSON,
CSV) and checked against a SHA-256; nothing there is ever unpickled.
    <out>/batch_report.json, <out>/batch_report.html
"""

from __future__ import annotations

from ..report import KernelResetError, WarmKernel
from ._plan import (
    BATCH_DIR,
    KommuneTask,
    chapter_fingerprint,
    chapter_is_current,
    code_fingerprint,
    data_fingerprint,
    read_ags_list,
    select_kommunen,
)
from ._records import STATUS_LABELS, BatchResult, ChapterRecord
from ._worker import run_kommune
from .runner import DEFAULT_SEED, prepare_values, run_batch

__all__ = ["run_batch", "BatchResult", "ChapterRecord", "read_ags_list"]
