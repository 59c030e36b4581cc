"""A warm kernel for many chapter runs, with an explicit reset before each run.

``bimokit report`` builds the chapters of one Kommune in one such kernel; ``bimokit batch``
keeps one per worker for all its Kommunen.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass

__all__ = ["WarmKernel", "WarmRun", "KernelResetError", "WARMUP_CODE", "RESET_CODE",
           "DEFAULT_SEED"]

#: Seed of ``random`` and ``numpy.random`` at the start of every chapter.
DEFAULT_SEED = 20250415

#: Failures after which the kernel may still be busy (a cell past its time limit, a reset
#: that got no answer): the kernel is replaced instead of reset.
_STUCK = frozenset({"CellTimeoutError", "TimeoutError", "KernelResetError"})

_RESET_FUNCTION = r"""
    def reset(seed):
        import gc, random
        import numpy
        import matplotlib.pyplot as plt
        os.chdir(state.cwd)  # first: the last chapter's folder is gone
        # %reset -f: the user namespace, Out, _, _i …; a new history session restarts the
        # cell numbers at 1, as in a fresh kernel
        ip.reset(new_session=True)
        plt.close("all")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rc = {k: v for k, v in state.rc.items() if k != "backend"}
            update = getattr(matplotlib.rcParams, "_update_raw", None)
            if update is not None:
                update(rc)
            else:
                dict.update(matplotlib.rcParams, rc)
        warnings.filters[:] = state.filters
        mutated = getattr(warnings, "_filters_mutated", None) or getattr(
            warnings, "_filters_mutated_lock_held", None)
        if mutated is not None:
            mutated()  # forget which warnings were shown already ("default", "once")
        os.environ.clear()
        os.environ.update(state.environ)
        sys.path[:] = state.path
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                delattr(sys, name)
        random.seed(seed)
        numpy.random.seed(seed)
        gc.collect()
        # What is still alive now (modules, bimokit's per-kernel caches, font caches) lives as
        # long as the kernel: frozen, the collections during the next chapter (and IPython's
        # own in reset) no longer walk through it
        gc.freeze()

    state.reset = reset
"""


#: Run once after the kernel started: the heavy imports, a snapshot of the state a chapter may
#: change (matplotlib rcParams, warning filters, working folder, environment, ``sys.path``) and
#: a hook that makes ``out_dir`` the working folder as soon as the parameters cell defined it.
WARMUP_CODE = r"""
def _bimokit_batch_warmup():
    import os, sys, types, warnings
    if "_bimokit_batch_state" in sys.modules:
        return
    import numpy
    import matplotlib
    import matplotlib.pyplot
    import pandas
    import bimokit  # noqa: F401  the imports a chapter needs, once per kernel

    state = types.ModuleType("_bimokit_batch_state")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state.rc = {k: matplotlib.rcParams._get(k) if hasattr(matplotlib.rcParams, "_get")
                    else dict.__getitem__(matplotlib.rcParams, k) for k in matplotlib.rcParams}
    state.filters = list(warnings.filters)
    state.cwd = os.getcwd()
    state.environ = dict(os.environ)
    state.path = list(sys.path)
    ip = get_ipython()
    # IPython draws a random "Tip:" for the banner of every kernel_info reply (nbclient asks
    # once per notebook, a new client several times) from the global `random`: after the
    # reset's seed, the first random number a chapter sees would depend on those requests.
    ip.enable_tip = False

    def chdir_to_out_dir(*_):
        out_dir = ip.user_ns.get("out_dir")
        if isinstance(out_dir, str) and out_dir and os.path.isdir(out_dir):
            if os.path.abspath(os.getcwd()) != os.path.abspath(out_dir):
                os.chdir(out_dir)

    ip.events.register("pre_run_cell", chdir_to_out_dir)
    state.hook = chdir_to_out_dir
RESET_FUNCTION    sys.modules["_bimokit_batch_state"] = state
    import gc
    gc.collect()
    gc.freeze()  # the imports live as long as the kernel (see reset)

_bimokit_batch_warmup()
del _bimokit_batch_warmup
""".replace("RESET_FUNCTION", _RESET_FUNCTION)


#: Run before every chapter: what a fresh kernel would have after the same imports. The
#: function lives in the hidden state module, so that clearing the namespace cannot remove it.
RESET_CODE = '__import__("sys").modules["_bimokit_batch_state"].reset(%d)'


@dataclass
class WarmRun:
    """What :meth:`WarmKernel.run_chapter` did.

    Attributes
    ----------
    result : ChapterResult
        The chapter.
    restarted : bool
        A new kernel was started for it (the one before died or was replaced).
    died : bool
        The kernel died during the chapter.
    stuck : bool
        A cell ran past the time limit; the kernel was replaced.
    seconds : float
        Wall time with the kernel's start and reset.
    """

    result: object
    restarted: bool = False
    died: bool = False
    stuck: bool = False
    seconds: float = 0.0

    @property
    def note(self) -> str:
        """German note on the kernel for the chapter's error text ('' when nothing happened)."""
        if self.died:
            return "Kernel abgestürzt; der Worker startet einen neuen"
        if self.stuck:
            return "Zeitlimit überschritten; der Worker startet einen neuen Kernel"
        return ""


class KernelResetError(RuntimeError):
    """The warm-up or reset code failed in the kernel."""


class WarmKernel:
    """One ipykernel (IPC transport) reused for many chapters, reset before each.

    The kernel manager is asynchronous (``jupyter_client.AsyncKernelManager``), so that
    nbclient notices a kernel that dies in the middle of a cell (a synchronous client blocks
    on the output channel and never checks).

    Parameters
    ----------
    startup_timeout : int
        Seconds to wait for the kernel to start.

    Attributes
    ----------
    km : jupyter_client.AsyncKernelManager or None
        The running kernel, for ``execute_chapter(km=…)``.
    kc : jupyter_client.AsyncKernelClient or None
        The connected client of that kernel (channels open while it runs), for
        ``execute_chapter(kc=…)``.
    starts : int
        How often a kernel was started (1 + restarts).
    """

    def __init__(self, *, startup_timeout: int = 60):
        self.km = None
        self.kc = None
        self.starts = 0
        self.startup_timeout = startup_timeout
        self.scratch = tempfile.mkdtemp(prefix="bimokit-kernel-")

    def is_alive(self) -> bool:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return False
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # a half-dead kernel manager: treat as dead
            return False

    def start(self) -> None:
        """Start a new kernel (stopping a previous one) and run the warm-up."""
        from jupyter_core.utils import run_sync

        from ._execute import _kernel_manager_class

        self._stop()
        km = _kernel_manager_class()(kernel_name="python3")  # this Python, IPC on POSIX
        # no history database: parallel kernels would compete for one SQLite file
        run_sync(km.start_kernel)(cwd=self.scratch,
                                  extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.km = km
        # One client for the kernel's life: connecting a client costs at least 0.2 s of
        # waiting (jupyter_client's wait_for_ready drains IOPub until 0.2 s pass in silence),
        # which a client per chapter would pay on every chapter.
        kc = km.client()
        kc.start_channels()
        self.kc = kc
        try:
            run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
        except RuntimeError:
            self._stop()
            raise
        self.starts += 1
        self.execute(WARMUP_CODE, timeout=300)

    def ensure(self) -> bool:
        """Start the kernel when there is none or it died; True when one was started."""
        if self.is_alive():
            return False
        self.start()
        return True

    def reset(self, seed: int = 0) -> None:
        """Reset namespace, figures, rcParams, warning filters, folder and seeds.

        After the chapter's objects are collected, the survivors (modules and per-kernel
        caches) are moved to the garbage collector's permanent generation (``gc.freeze``), so
        that collections during the next chapter only walk through its own objects.
        """
        self.execute(RESET_CODE % int(seed), timeout=120)

    def execute(self, code: str, *, timeout: float = 120) -> None:
        """Run ``code`` in the kernel without storing it in the history."""
        from jupyter_core.utils import run_sync

        kc = self.kc
        errors: list[str] = []

        def hook(msg):
            if msg["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        try:
            reply = run_sync(kc.execute_interactive)(
                code, store_history=False, allow_stdin=False, timeout=timeout, output_hook=hook
            )
        except TimeoutError as exc:
            raise KernelResetError(f"kernel did not answer within {timeout} s") from exc
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise KernelResetError(
                "; ".join(errors) or f"{content.get('ename')}: {content.get('evalue')}"
            )

    def _stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # sockets already closed
                pass
            self.kc = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # already gone
                pass
            try:
                run_sync(self.km.cleanup_resources)()
            except Exception:
                pass
            self.km = None

    def run_chapter(self, request, chapter: str, *, values_path: str = "",
                    timeout: int | None = None, seed: int = DEFAULT_SEED) -> WarmRun:
        """Reset the kernel and build one chapter in it (see :func:`~bimokit.report.run_chapter`).

        The kernel is started first when there is none or it died. A chapter that cannot
        run (the kernel does not start or the reset fails) is returned as failed, not raised.
        After a chapter whose kernel died, or whose cell ran past ``timeout`` (the kernel may
        still be busy with it), the next chapter gets a new kernel.
        """
        from ._cache import forget_chapter
        from ._interrupt import raise_if_interrupted
        from .runner import STATE_DIR, ChapterFailure, ChapterResult, run_chapter

        t0 = time.perf_counter()
        restarted = False
        try:
            restarted = self.ensure() and self.starts > 1
            self.reset(seed)
            result = run_chapter(request, chapter, values_path=values_path, km=self.km,
                                 kc=self.kc, timeout=timeout)
            died = not self.is_alive()
        except Exception as exc:  # kernel start or reset failed: the chapter cannot run
            raise_if_interrupted()  # ... or a Ctrl-C on its way: stop, keep the old page
            died = not self.is_alive()
            (request.out_dir / f"{chapter}.html").unlink(missing_ok=True)
            forget_chapter(request.out_dir / STATE_DIR, chapter)
            result = ChapterResult(
                chapter, False, request.out_dir / f"{chapter}.html", time.perf_counter() - t0,
                ChapterFailure(None, None, "", type(exc).__name__, str(exc)),
            )
        stuck = result.failure is not None and result.failure.ename in _STUCK
        if stuck and not died:
            self.discard()  # the cell may still run: the next chapter gets a new kernel
        return WarmRun(result, restarted=bool(restarted), died=died, stuck=stuck and not died,
                       seconds=time.perf_counter() - t0)

    def discard(self) -> None:
        """Stop the kernel now; :meth:`ensure` starts a new one for the next chapter.

        For a kernel whose state is unknown: a cell that ran past its time limit may still
        be running, and a reset queued behind it would wait for it.
        """
        self._stop()

    def shutdown(self) -> None:
        """Stop the kernel and remove its scratch folder."""
        self._stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
