"""A local batch worker process: ``python -m bimokit.batch._procworker <fd> <parent-pid>``.

The batch starts its workers as plain subprocesses (not ``multiprocessing``), so that a
user's script is never imported again in a worker and one worker that dies does not break
the others. Each worker imports bimokit, waits for ``start``, starts its warm kernel, says
``ready`` and then takes one Kommune at a time over a socket pair (pickled messages):

* batch → worker: ``"start"`` (start the kernel; sent after the batch checked its
  parameters), then a :class:`KommuneTask` at a time, or None to stop;
* worker → batch: ``("ready", name)``, ``("progress", ags, chapter)`` after each chapter,
  ``("done", outcome)`` or ``("error", ags, text)`` after each Kommune.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback


def _watch_parent(parent_pid: int) -> None:
    # The batch was killed: stop the kernel and leave, so that no orphan writes on.
    from ._worker import shutdown_kernels

    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            try:
                shutdown_kernels()
            finally:
                os._exit(1)


def main(argv: list[str]) -> int:
    """Serve the batch until it says stop; 130 when stopped by SIGTERM or SIGINT."""
    import signal

    from ..report import catching_interrupts

    with catching_interrupts((signal.SIGINT, signal.SIGTERM)):
        try:
            return _serve(argv)
        except KeyboardInterrupt:  # the batch stops its workers: quietly
            return 130


def _serve(argv: list[str]) -> int:
    from multiprocessing.connection import Connection

    fd, parent_pid = int(argv[0]), int(argv[1])
    conn = Connection(fd)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="bimokit-parent-watch").start()
    from ._worker import _worker_name, run_kommune, shutdown_kernels, worker_kernel

    try:
        try:
            first = conn.recv()  # "start" once the batch's parameters passed every check
        except (EOFError, OSError):
            first = None
        if first != "start":
            return 0
        try:
            worker_kernel().ensure()
        except Exception:  # the kernel could not start: the tasks will say so one by one
            traceback.print_exc(file=sys.stderr)
        try:  # what turns an executed notebook into a page, imported before the first one
            import nbclient  # noqa: F401
            import nbconvert  # noqa: F401
            import papermill.parameterize  # noqa: F401
        except ImportError:
            pass
        conn.send(("ready", _worker_name()))
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            ags = task.request.ags
            try:
                outcome = run_kommune(
                    task, progress=lambda rec: conn.send(("progress", rec.ags, rec.chapter))
                )
            except Exception as exc:  # report and take the next Kommune
                text = f"{type(exc).__name__}: {exc}"
                traceback.print_exc(file=sys.stderr)
                conn.send(("error", ags, text[:500]))
            else:
                conn.send(("done", outcome))
    finally:
        shutdown_kernels()
        conn.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - runs in the worker process
    sys.exit(main(sys.argv[1:]))
