#!/usr/bin/env python
"""Benchmark ``bimokit batch`` against a plain papermill loop and the warm-compute floor.

Usage::

    python benchmarks/bench_batch.py [--limit N] [--chapters A,C] [--workers 2] [--data DIR]
                                     [--notebooks DIR] [--skip-papermill]

On the same machine, in one run, for the first N Kommunen (default: all) × the chapters:

1. ``bimokit batch`` (``run_batch(..., workers=2, force=True)``): warm kernels, indicator values
   computed once, HTML pages, index and XLSX;
2. a plain loop of ``papermill.execute_notebook``: a fresh kernel per notebook, each notebook
   computing the indicator values itself (``values_path=""``), no HTML;
3. the warm-compute floor: the same code cells executed with ``exec`` in this one already
   warm interpreter (after one untimed chapter), with the values precomputed, sequentially.

Prints the wall times, the ratio papermill loop / batch (goal ≥ 5) and the ratio batch /
floor (what the batch costs above the pure computation; with 2 workers it can be below 1).

Last measured (2 CPUs, ``--papermill-limit 3``, all 29 Kommunen of Musterland × 9 chapters =
261 notebooks, load 0.2–1.7, pandas 3.1.1, matplotlib 3.11.2, nbclient 0.11.0): batch
(2 workers) 190.5 s = 0.73 s per notebook, warm-compute floor 1.17 s, papermill loop 5.06 s
→ **ratio 6.9×** (goal ≥ 5×), batch/floor 0.63. (The run before, without the lazy imports
of scipy.stats and seaborn: 0.73 / 1.14 / 4.83 s → 6.6×.)

History of the same run: 1.13 / 1.29 / 5.01 s → 4.4× before each warm kernel kept one
connected client (a new client per chapter waited ≥ 0.2 s for jupyter_client to drain IOPub)
and each worker one HTMLExporter (a new one compiled its Jinja templates per page); 1.06 /
0.99 / 4.89 s → 4.6× before the batch's values held every breakdown; 3.23 / 2.41 / 6.80 s →
2.1× (``--limit 6 --papermill-limit 1``) before charts were drawn once and shared results
cached per kernel.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")


def _params(ags: str, data: str, out_dir: str, values_path: str) -> dict:
    return {"ags": ags, "data": data, "years": "", "vergleichsgruppe": "kreistyp",
            "out_dir": out_dir, "values_path": values_path}


def papermill_loop(kommunen, chapters, notebooks: Path, data: str, work: Path) -> float:
    import papermill

    from bimokit.report._execute import _kernel_manager_class

    manager = _kernel_manager_class()  # ipykernel in this interpreter, as bimokit report
    t0 = time.perf_counter()
    for ags in kommunen:
        for letter in chapters:
            out_dir = work / f"pm-{ags}-{letter}"
            out_dir.mkdir(parents=True)
            papermill.execute_notebook(
                str(notebooks / f"{letter}.ipynb"), str(out_dir / f"{letter}.ipynb"),
                parameters=_params(ags, data, str(out_dir), ""), kernel_name="python3",
                kernel_manager_class=manager, progress_bar=False, log_output=False,
                cwd=str(out_dir),
            )
    return time.perf_counter() - t0


def _code_cells(nb_path: Path, params: dict) -> list[str]:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cells.append(cell.source)
        if "parameters" in cell.metadata.get("tags", []):
            cells.append("\n".join(f"{k} = {v!r}" for k, v in params.items()))
    return cells


def warm_floor(kommunen, chapters, notebooks: Path, data: str, values_path: str,
               work: Path) -> float:
    """exec the code cells of every chapter in this interpreter (already warm)."""
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()  # display() and magics as in a kernel

    def run(ags: str, letter: str) -> None:
        out_dir = work / f"floor-{ags}-{letter}-{time.perf_counter_ns()}"
        out_dir.mkdir(parents=True)
        ns: dict = {"__name__": "__main__"}
        shell.user_ns = ns
        for src in _code_cells(notebooks / f"{letter}.ipynb",
                               _params(ags, data, str(out_dir), values_path)):
            exec(compile(shell.transform_cell(src), f"<{letter}>", "exec"), ns)
        plt.close("all")

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # what display() prints outside Jupyter
        for letter in chapters:  # warm: imports and caches, not timed
            run(kommunen[0], letter)
        t0 = time.perf_counter()
        for ags in kommunen:
            for letter in chapters:
                run(ags, letter)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N Kommunen only")
    parser.add_argument("--chapters", default=None, help="e.g. A,C (default: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default="", help="data folder (default: the sample)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="chapter notebooks (default: bimokit's)")
    parser.add_argument("--papermill-limit", type=int, default=None,
                        help="run the papermill loop on the first M Kommunen only and compare "
                        "per notebook (it is slow)")
    parser.add_argument("--skip-papermill", action="store_true")
    args = parser.parse_args(argv)

    from bimokit._paths import notebook_dir
    from bimokit.batch import run_batch, select_kommunen
    from bimokit.report import CHAPTERS

    notebooks = args.notebooks or notebook_dir()
    chapters = [c.strip() for c in args.chapters.split(",")] if args.chapters else [
        c for c in CHAPTERS if (notebooks / f"{c}.ipynb").is_file()]
    kommunen = select_kommunen(data=args.data or None)[: args.limit]
    n = len(kommunen) * len(chapters)
    print(f"{len(kommunen)} Kommunen × {len(chapters)} chapters = {n} notebooks "
          f"({notebooks}); {os.cpu_count()} CPUs", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bimokit-bench-"))

    t0 = time.perf_counter()
    result = run_batch(kommunen, data=args.data or None, out=work / "batch", chapters=chapters,
                       workers=args.workers, notebook_dir=notebooks, force=True,
                       progress=False)
    t_batch = time.perf_counter() - t0
    print(f"bimokit batch (workers={args.workers}): {t_batch:8.1f} s  "
          f"({t_batch / n:.2f} s per notebook; {result.counts()})", flush=True)
    values_path = result.meta["values"] or ""

    t_floor = warm_floor(kommunen, chapters, notebooks, args.data, values_path, work)
    print(f"warm-compute floor (exec, 1 process): {t_floor:8.1f} s  "
          f"({t_floor / n:.2f} s per notebook)", flush=True)

    if not args.skip_papermill:
        pm_kommunen = kommunen[: args.papermill_limit]
        n_pm = len(pm_kommunen) * len(chapters)
        t_pm = papermill_loop(pm_kommunen, chapters, notebooks, args.data, work)
        print(f"papermill loop (fresh kernels):       {t_pm:8.1f} s  "
              f"({t_pm / n_pm:.2f} s per notebook, {n_pm} notebooks)", flush=True)
        print(f"ratio papermill loop / batch (per notebook): "
              f"{(t_pm / n_pm) / (t_batch / n):5.1f}×  (goal ≥ 5×)")
    print(f"ratio batch / warm-compute floor: {t_batch / t_floor:5.2f}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
