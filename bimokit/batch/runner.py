"""``run_batch``: every Kommune's chapters, in parallel warm kernels or on a Dask cluster."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path

from .._atomic import atomic_write_text
from ..errors import ParameterError
from ..publish import load_values, save_values
from ..report import DEFAULT_SEED, STATE_DIR, catching_interrupts
from ._plan import (
    BATCH_DIR,
    KommuneTask,
    build_requests,
    chapter_fingerprint,
    chapter_is_current,
    chapter_state,
    code_fingerprint,
    data_fingerprint,
    describe,
    file_sha256,
    remove_leftovers,
    report_is_current,
    select_kommunen,
)
from ._records import BatchResult, ChapterRecord

__all__ = ["run_batch", "prepare_values"]



#: The batch's indicator values in ``<out>/.bimokit-batch/`` and their stamp.
VALUES_FILE = "values.csv"
VALUES_STAMP = "values.json"


def prepare_values(data=None, out=Path("reports"), *, data_fp: str | None = None,
                   dataset=None, code_fp: str | None = None, force: bool = False) -> Path:
    """Compute the indicator values of all Kommunen once and store them for the chapters.

    ``load_data(data)`` and ``compute(facts, regions=…, by="all")`` over every region (totals
    and every breakdown, as a chapter computes them without a values file); the result goes to
    ``<out>/.bimokit-batch/values.csv`` (:func:`bimokit.publish.save_values`: data only)
    with a stamp ``values.json`` beside it: the fingerprints of the data folder and of
    bimokit's code and the file's SHA-256. The file is reused while both fingerprints stay
    the same and its content still has that checksum; a damaged or foreign file is computed
    again, and so is every file with ``force``.

    Parameters
    ----------
    data : str or PathLike, optional
        Data folder; None for the embedded sample.
    out : str or PathLike
        The batch's output folder.
    data_fp : str, optional
        The folder's :func:`data_fingerprint` when already known.
    dataset : bimokit.data.Dataset, optional
        The folder already loaded with :func:`bimokit.load_data`.
    code_fp : str, optional
        :func:`code_fingerprint` when already known.
    force : bool
        Compute the values again even when the stored ones are current.

    Returns
    -------
    pathlib.Path
        The values file (for the chapters' ``values_path``).
    """
    from ..computation import compute
    from ..data import load_data

    folder = Path(out) / BATCH_DIR
    path = folder / VALUES_FILE
    stamp = folder / VALUES_STAMP
    for old in ("values.pkl",):  # earlier versions' pickle: never loaded, removed
        (folder / old).unlink(missing_ok=True)
    data_fp = data_fp or data_fingerprint(data)
    code_fp = code_fp or code_fingerprint()
    if not force:
        try:
            known = json.loads(stamp.read_text(encoding="utf-8"))
            if (isinstance(known, dict) and known.get("data") == data_fp
                    and known.get("code") == code_fp and known.get("by") == "all"
                    and known.get("sha256") == file_sha256(path)):
                return path
        except (OSError, ValueError):
            pass
    stamp.unlink(missing_ok=True)  # no stamp without its file
    ds = dataset if dataset is not None else load_data(None if data in (None, "") else data)
    values = compute(ds.facts, regions=ds.regions, by="all")
    save_values(values, path)
    atomic_write_text(stamp, json.dumps({"data": data_fp, "code": code_fp, "by": "all",
                                         "rows": len(values), "sha256": file_sha256(path)}))
    return path


def _plan(requests, *, data_fp, run_id, values_path, timeout, seed, force, code_fp=None,
          values_fp=""):
    """Split the work: chapters to run per Kommune, skipped records, Kommunen to finish."""
    code_fp = code_fp or code_fingerprint()
    nb_fp = {}
    tasks: list[KommuneTask] = []
    skipped: dict[tuple[str, str], ChapterRecord] = {}
    for req in requests:
        remove_leftovers(req.out_dir)
        run, fps = [], {}
        for letter in req.chapters:
            if letter not in nb_fp:
                nb_fp[letter] = file_sha256(req.notebooks[letter])
            fp = chapter_fingerprint(req, letter, data_fp=data_fp, notebook_fp=nb_fp[letter],
                                     code_fp=code_fp, values_fp=values_fp)
            fps[letter] = fp
            marker = None if force else chapter_is_current(req, letter, fp)
            if marker is None:
                run.append(letter)
            else:
                skipped[(req.ags, letter)] = ChapterRecord(
                    ags=req.ags, name=req.name, chapter=letter, status="skipped",
                    html=f"{req.ags}/{letter}.html", run=str(marker.get("run", "")),
                    worker=str(marker.get("worker", "")),
                )
        if run or not report_is_current(req, chapter_state(req)):
            tasks.append(KommuneTask(req, run, fps, values_path, run_id, timeout, seed))
    return tasks, skipped


def run_batch(
    kommunen=None,
    *,
    land: str | None = None,
    data: str | os.PathLike | None = None,
    out: str | os.PathLike = Path("reports"),
    chapters=None,
    years=None,
    vergleichsgruppe: str = "kreistyp",
    workers: int | None = None,
    scheduler=None,
    notebook_dir: str | os.PathLike | None = None,
    values_path: str | os.PathLike | None = None,
    progress: bool = True,
    timeout: int | None = None,
    force: bool = False,
    seed: int = DEFAULT_SEED,
) -> BatchResult:
    """Build the chapters of many Kommunen: parallel warm kernels, resumable, or on Dask.

    The whole Kommune list and every parameter are checked before any kernel starts. The
    indicator values of all Kommunen are computed once (:func:`prepare_values`) and passed
    to every chapter. Each worker owns one warm kernel (IPC transport), reused across
    Kommunen and reset before every chapter: a fresh namespace (``%reset -f``), all figures
    closed, rcParams, warning filters, working folder and environment as after the imports,
    ``random`` and ``numpy.random`` seeded with ``seed``. A failing chapter is recorded with
    its cell and the batch goes on; a worker whose kernel dies starts a new one.

    Re-running the same batch skips every chapter whose page is complete and was built from
    the same inputs (content of the data folder, of the notebook and of a given values file,
    Kommune, years, Vergleichsgruppe, bimokit's code) and builds the rest; a batch killed at
    any moment leaves only complete files (all writes atomic) and finishes when run again.

    Parameters
    ----------
    kommunen : list of str, str or PathLike, optional
        AGS keys or a Kommune list file (:func:`read_ags_list`); None: every existing Kreis
        (of ``land``).
    land : str, keyword-only, optional
        Two-digit Land key (with ``kommunen=None``).
    data : str or PathLike, optional
        Data folder; None for the embedded sample Musterland.
    out : str or PathLike
        Output folder: ``<out>/<ags>/<letter>.html`` …, ``<out>/batch_report.json`` and
        ``.html``.
    chapters : str or list of str, optional
        ``"A,C"``; None for all nine.
    years : str, optional
        ``"2012-2024"`` or ``"2024"``; None for all years of the data.
    vergleichsgruppe : str
        ``"kreistyp"``, ``"aehnlich:<n>"`` or a comma list of AGS.
    workers : int, optional
        Local worker processes (each with one kernel); default: the number of CPUs, at
        most one per Kommune with work.
    scheduler : str or distributed.Client, optional
        Run on Dask instead: ``"tcp://host:8786"``, ``"local:<n>"`` (a ``LocalCluster`` of
        n worker processes) or a ``Client``. One task per Kommune; workers need bimokit and
        the data and output folders at the same paths.
    notebook_dir : str or PathLike, optional
        Folder with ``<letter>.ipynb``; default the package's chapter notebooks.
    values_path : str or PathLike, optional
        Use these precomputed indicator values instead of computing them.
    progress : bool
        One progress bar for the batch (chapters) on stderr.
    timeout : int, optional
        Seconds a cell may run.
    force : bool
        Rebuild every chapter, current or not.
    seed : int
        Seed for ``random`` and ``numpy.random`` before every chapter.

    Returns
    -------
    BatchResult
        ``.records`` (one per chapter), ``.ok``, ``.summary()``, ``.failed_kommunen``; the
        batch report is written to ``<out>/batch_report.json`` and ``.html``.

    Raises
    ------
    UnknownRegionError, ParameterError
        Before anything runs: every bad entry of the Kommune list, every bad parameter.
    """
    t_start = time.perf_counter()
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"`workers` must be a whole number of at least 1; not {workers!r}.")
    pool = None
    with catching_interrupts():
        try:
            if scheduler is None:
                # The worker processes import bimokit while the parameters are checked; they
                # start their kernels only when told to, after every check passed.
                n = workers or os.cpu_count() or 1
                if isinstance(kommunen, (list, tuple)):
                    n = min(n, max(1, len(kommunen)))
                pool = _LocalPool(n)
            return _run_batch(
                pool, run_id, t_start, kommunen, land=land, data=data, out=out,
                chapters=chapters, years=years, vergleichsgruppe=vergleichsgruppe,
                scheduler=scheduler, notebook_dir=notebook_dir, values_path=values_path,
                progress=progress, timeout=timeout, force=force, seed=seed,
            )
        except KeyboardInterrupt:
            # Ctrl-C: stop the workers (each ends its chapter and removes its work folder),
            # then remove what a worker that had to be killed left; pages stay.
            if pool is not None:
                pool.stop()
                pool = None
            _remove_work_of(out)
            raise
        finally:
            if pool is not None:
                pool.close()


def _remove_work_of(out) -> None:
    """Remove the work folders and pending pages of every Kommune folder in ``out``."""
    root = Path(out)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and (folder / STATE_DIR).is_dir():
            remove_leftovers(folder)


def _run_batch(pool, run_id, t_start, kommunen, *, land, data, out, chapters, years,
               vergleichsgruppe, scheduler, notebook_dir, values_path, progress, timeout,
               force, seed) -> BatchResult:
    if scheduler is not None:
        _check_scheduler(scheduler)
    info, dataset = describe(data)
    keys = select_kommunen(kommunen, land=land, info=info)
    requests = build_requests(keys, info=info, data=data, out=out, chapters=chapters,
                              years=years, vergleichsgruppe=vergleichsgruppe,
                              notebook_dir=notebook_dir)
    values_fp = ""
    if values_path is not None:
        load_values(values_path)  # checks that it exists and holds a table
        values_path = Path(values_path).resolve()
        values_fp = file_sha256(values_path)
    out_root = requests[0].out_dir.parent
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"Cannot run the batch: the output folder {str(out_root)!r} "
                             f"cannot be created ({exc.strerror or exc}).") from None
    data_fp = data_fingerprint(data)
    code_fp = code_fingerprint()

    tasks, skipped = _plan(requests, data_fp=data_fp, run_id=run_id, values_path="",
                           timeout=timeout, seed=seed, force=force, code_fp=code_fp,
                           values_fp=values_fp)
    values = {"path": values_path}

    def values_ready() -> None:
        # Computed once per batch (while the local workers start their kernels).
        if any(t.run for t in tasks) and values["path"] is None:
            values["path"] = prepare_values(data, out_root, data_fp=data_fp, dataset=dataset,
                                            code_fp=code_fp, force=force)
        for t in tasks:
            t.values_path = str(values["path"]) if t.run else ""

    total = sum(len(r.chapters) for r in requests)
    from tqdm import tqdm  # text bar on stderr (tqdm.auto warns in a kernel without ipywidgets)

    bar = tqdm(total=total, desc="Batch", unit="Kapitel", disable=not progress,
               file=sys.stderr, leave=True, dynamic_ncols=True)
    bar.update(len(skipped))
    outcomes: dict[str, dict] = {}
    meta = {"data": "" if data in (None, "") else str(Path(data).resolve()),
            "chapters": list(requests[0].chapters), "years": requests[0].years,
            "vergleichsgruppe": requests[0].vergleichsgruppe,
            "values": None,
            "workers": None, "scheduler": None, "seed": seed}
    try:
        if tasks:
            if scheduler is not None:
                meta["scheduler"] = scheduler if isinstance(scheduler, str) else repr(scheduler)
                values_ready()
                _run_dask(tasks, scheduler, bar, outcomes)
            else:
                n = max(1, min(len(pool.workers), sum(1 for t in tasks if t.run)))
                meta["workers"] = n
                pool.run(tasks, n, bar, outcomes, on_start=values_ready)
    except KeyboardInterrupt:
        bar.leave = False  # the one line of the interrupt replaces the bar
        raise
    finally:
        bar.close()
    meta["values"] = str(values["path"]) if values["path"] else None

    records: list[ChapterRecord] = []
    finish_errors: dict[str, str] = {}
    by_task = {t.request.ags: t for t in tasks}
    for req in requests:
        done = {}
        outcome = outcomes.get(req.ags)
        if outcome is not None:
            for d in outcome["records"]:
                done[d["chapter"]] = ChapterRecord.from_dict(d)
            if outcome.get("finish_error"):
                finish_errors[req.ags] = outcome["finish_error"]
        for letter in req.chapters:
            if (req.ags, letter) in skipped:
                records.append(skipped[(req.ags, letter)])
            elif letter in done:
                records.append(done[letter])
            else:  # the task never reported (worker lost): failed, redone on the next run
                task = by_task.get(req.ags)
                error = (outcome or {}).get("error") or "no result from the worker"
                records.append(ChapterRecord(
                    ags=req.ags, name=req.name, chapter=letter, status="failed",
                    error=error, run=run_id if task else "",
                ))
    result = BatchResult(records, [(r.ags, r.name) for r in requests], out_root, run_id,
                         time.perf_counter() - t_start, finish_errors, meta=meta)
    result.write()
    return result


# --- local processes ----------------------------------------------------------------------


class _LocalWorker:
    """One worker subprocess and the socket to it."""

    def __init__(self):
        import socket
        import subprocess
        from multiprocessing.connection import Connection

        import bimokit

        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        root = str(Path(bimokit.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(
            [root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        # A session of its own: Ctrl-C in the terminal reaches only the batch, which stops
        # its workers itself (SIGTERM), so that no worker prints a traceback.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bimokit.batch._procworker", str(theirs.fileno()),
             str(os.getpid())],
            pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, start_new_session=os.name == "posix",
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.task: KommuneTask | None = None
        self.name = ""
        self.started = False

    def send(self, obj) -> bool:
        try:
            self.conn.send(obj)
            return True
        except OSError:
            return False

    def close(self, *, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        try:
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        self.conn.close()


class _LocalPool:
    """Worker subprocesses, each owning one warm kernel; one Kommune at a time each."""

    def __init__(self, n: int):
        self.workers = [_LocalWorker() for _ in range(n)]

    def close(self) -> None:
        for w in self.workers:
            if not w.started:  # nothing to wait for: it only imported bimokit
                w.close(kill=True)
            elif w.proc.poll() is None:
                w.send(None)
        for w in self.workers:
            w.close()

    def stop(self, *, grace: float = 20.0) -> None:
        """Stop every worker now (Ctrl-C): SIGTERM, which ends the chapter it runs, removes
        its work folder and stops its kernel; killed when it takes longer than ``grace``."""
        import signal

        for w in self.workers:
            if w.proc.poll() is None:
                try:
                    w.proc.send_signal(signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + grace
        for w in self.workers:
            try:
                w.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:
                w.proc.kill()
                w.proc.wait()
            w.conn.close()

    def run(self, tasks: list[KommuneTask], n: int, bar, outcomes: dict,
            on_start=None) -> None:
        """Start ``n`` kernels, hand out the tasks, collect the outcomes."""
        from collections import deque
        from multiprocessing.connection import wait as wait_conn

        queue = deque(tasks)
        ticks: dict[str, int] = {}
        for w in self.workers[n:]:  # not needed
            w.close(kill=True)
        live = {}
        for w in self.workers[:n]:
            w.started = True
            if w.send("start"):
                live[w.conn] = w
        if on_start is not None:
            on_start()  # e.g. compute the values while the kernels start

        def give(w: _LocalWorker) -> None:
            if queue:
                w.task = queue.popleft()
                if not w.send(w.task):
                    lost(w)
            else:
                w.task = None
                w.send(None)
                live.pop(w.conn, None)  # told to stop; waited for in close()

        def lost(w: _LocalWorker) -> None:
            live.pop(w.conn, None)
            w.close(kill=True)
            if w.task is not None:
                ags = w.task.request.ags
                outcomes[ags] = {"records": [],
                                 "error": f"the worker process ended (exit code "
                                          f"{w.proc.returncode})"}
                bar.update(max(0, len(w.task.run) - ticks.get(ags, 0)))
                w.task = None
            if queue:  # replace it
                new = _LocalWorker()
                self.workers.append(new)
                new.started = True
                if new.send("start"):
                    live[new.conn] = new

        while live:
            for conn in wait_conn(list(live), timeout=1.0):
                w = live.get(conn)
                if w is None:
                    continue
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    lost(w)
                    continue
                kind = msg[0]
                if kind == "ready":
                    w.name = msg[1]
                    give(w)
                elif kind == "progress":
                    ticks[msg[1]] = ticks.get(msg[1], 0) + 1
                    bar.update(1)
                elif kind in ("done", "error"):
                    task, w.task = w.task, None
                    ags = task.request.ags
                    outcomes[ags] = msg[1] if kind == "done" else {"records": [],
                                                                   "error": msg[2]}
                    bar.update(max(0, len(task.run) - ticks.get(ags, 0)))
                    give(w)


# --- Dask -----------------------------------------------------------------------------------


def _check_scheduler(scheduler) -> int | None:
    """Check a scheduler before anything runs; the worker count of ``local:<n>``.

    The address is checked first (a typo is a parameter error with or without Dask), then
    whether Dask is installed.
    """
    n_workers = None
    if not _is_dask_client(scheduler):
        text = str(scheduler).strip()
        if text == "local" or text.startswith("local:"):
            _, _, n = text.partition(":")
            if not n:
                n_workers = os.cpu_count() or 1
            elif n.isdigit() and int(n) >= 1:
                n_workers = int(n)
            else:
                raise ParameterError(
                    f"`scheduler` {text!r}: expected 'local:<number of workers>'.")
        elif "://" not in text:
            raise ParameterError(
                f"`scheduler` must be an address such as 'tcp://host:8786' or 'local:2'; not "
                f"{text!r}."
            )
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ParameterError(
            "`scheduler` needs Dask: pip install 'bimokit[dask]' (dask[distributed])."
        ) from None
    return n_workers


def _is_dask_client(obj) -> bool:
    """Whether ``obj`` is a ``distributed.Client`` (without importing Dask for a text)."""
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


def _dask_client(scheduler):
    from distributed import Client, LocalCluster

    n_workers = _check_scheduler(scheduler)
    if isinstance(scheduler, Client):
        return scheduler, None, False
    text = str(scheduler).strip()
    if text.startswith("local"):
        import logging

        cluster = LocalCluster(n_workers=n_workers, processes=True, threads_per_worker=1,
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster, True
    try:
        return Client(text, timeout="30s"), None, True
    except OSError as exc:
        raise ParameterError(f"Cannot reach the Dask scheduler {text!r}: {exc}") from None


def _run_dask(tasks: list[KommuneTask], scheduler, bar, outcomes: dict) -> None:
    from distributed import as_completed

    from . import _dask, _worker

    client, cluster, own = _dask_client(scheduler)
    try:
        _dask.register_plugin(client)
        futures = {}
        for t in tasks:
            fut = client.submit(_worker.dask_task, t, pure=False,
                                key=f"bimokit-{t.request.ags}-{t.run_id}")
            futures[fut] = t
        for fut in as_completed(list(futures)):
            task = futures[fut]
            try:
                outcomes[task.request.ags] = fut.result()
            except Exception as exc:  # the task or its worker failed
                outcomes[task.request.ags] = {"records": [],
                                              "error": f"{type(exc).__name__}: {exc}"}
            bar.update(len(task.run))
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
