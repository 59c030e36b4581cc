"""What a batch worker does: one Kommune's chapters in the worker's warm kernel.

The same function serves the local worker processes (:mod:`._procworker`) and Dask
workers. Each worker thread keeps
one :class:`WarmKernel` in a thread-local cache for its whole life (a local worker process
and a Dask worker with ``threads_per_worker=1`` have exactly one).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable

from ..report import STATE_DIR, WarmKernel, finish_report, folder_lock, remove_leftovers
from ._plan import KommuneTask, chapter_state, marker_path, write_marker
from ._records import ChapterRecord

__all__ = ["run_kommune", "shutdown_kernels", "worker_kernel"]

_LOCAL = threading.local()
_KERNELS: list[WarmKernel] = []
_LOCK = threading.Lock()


def worker_kernel() -> WarmKernel:
    """This thread's warm kernel (created on first use, started lazily)."""
    kernel = getattr(_LOCAL, "kernel", None)
    if kernel is None:
        kernel = WarmKernel()
        _LOCAL.kernel = kernel
        with _LOCK:
            _KERNELS.append(kernel)
    return kernel


def shutdown_kernels() -> None:
    """Stop every kernel this process started."""
    with _LOCK:
        kernels = list(_KERNELS)
        _KERNELS.clear()
    for k in kernels:
        k.shutdown()
    _LOCAL.__dict__.pop("kernel", None)


def warm_up() -> str:
    """Start this worker's kernel (so that it is warm when the first Kommune arrives)."""
    worker_kernel().ensure()
    return _worker_name()


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _mark(path, record: dict) -> None:
    """Write a batch marker; one that cannot be written only means the chapter is built
    again next time (the chapter itself reports a folder that cannot be written)."""
    with contextlib.suppress(OSError):
        write_marker(path, record)


def _error_text(failure) -> str | None:
    if failure is None:
        return None
    return f"{failure.ename}: {' '.join(str(failure.evalue).split())}"[:500]


def run_kommune(task: KommuneTask, progress: Callable[[ChapterRecord], None] | None = None
                ) -> dict:
    """Build a Kommune's pending chapters in the warm kernel, then its index and XLSX.

    Every chapter runs after :meth:`WarmKernel.reset`; a chapter whose kernel died, or
    whose cell ran past the time limit (the kernel may still be busy with it), is recorded
    as failed and the next chapter gets a new kernel.

    Returns
    -------
    dict
        ``records`` (list of :class:`ChapterRecord` as dicts), ``finish_error`` (str or
        None), ``worker``.
    """

    request = task.request
    state = request.out_dir / STATE_DIR
    with folder_lock(state) as alone:  # this worker writes the Kommune's folder now
        if alone:
            remove_leftovers(request.out_dir, state_dir=STATE_DIR)
        return _run_kommune(task, progress)


def _run_kommune(task: KommuneTask, progress) -> dict:
    from ..report import ChapterResult

    request = task.request
    worker = _worker_name()
    records: list[dict] = []
    results: list[ChapterResult] = []
    kernel = worker_kernel() if task.run else None
    for letter in task.run:
        mpath = marker_path(request, letter)
        base = {"fingerprint": task.fingerprints.get(letter, ""), "run": task.run_id,
                "worker": worker}
        _mark(mpath, {**base, "state": "running"})
        run = kernel.run_chapter(request, letter, values_path=task.values_path,
                                 timeout=task.timeout, seed=task.seed)
        result, seconds = run.result, run.seconds
        if result.ok:
            st = result.html_path.stat()
            _mark(mpath, {**base, "state": "done", "html_size": st.st_size,
                                 "html_mtime_ns": st.st_mtime_ns, "seconds": round(seconds, 3)})
        else:
            _mark(mpath, {**base, "state": "failed", "seconds": round(seconds, 3)})
        f = result.failure
        error = _error_text(f)
        if run.note:
            error = f"{error or 'kernel died'} ({run.note})"
        record = ChapterRecord(
            ags=request.ags, name=request.name, chapter=letter,
            status="ok" if result.ok else "failed", seconds=round(seconds, 3),
            cell=None if f is None else f.cell_index,
            source=None if f is None or not f.source else f.source.splitlines()[0][:200],
            error=error,
            html=f"{request.ags}/{letter}.html" if result.ok else None,
            run=task.run_id, worker=worker, kernel_restarted=run.restarted,
            warnings=[w[:300] for w in result.warnings[:5]],
        )
        records.append(record.as_dict())
        results.append(result)
        if progress is not None:
            progress(record)
    finish_error = None
    try:
        finish_report(request, results)
        _mark(request.out_dir / STATE_DIR / "report.batch.json", chapter_state(request))
    except Exception as exc:  # a broken index must not stop the batch; it is reported
        finish_error = f"{type(exc).__name__}: {exc}"[:500]
    return {"ags": request.ags, "records": records, "finish_error": finish_error,
            "worker": worker}


# --- Dask -------------------------------------------------------------------------------------


def dask_task(task: KommuneTask) -> dict:
    """Entry point of a Dask task: one Kommune, in the Dask worker's warm kernel."""
    return run_kommune(task)
