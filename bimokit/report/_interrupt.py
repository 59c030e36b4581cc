"""Ctrl-C during a report or a batch: stop at once, keep what earlier runs built.

Python turns SIGINT into a ``KeyboardInterrupt`` wherever the main thread happens to be. Inside
the notebook runners (nbclient, papermill, asyncio) that exception may be caught and turned
into an ordinary failure ("Kernel died"), and the report would then treat a good chapter of an
earlier run as failed, delete it and go on with the next chapter. :func:`catching_interrupts`
therefore *remembers* the interrupt: the runner asks :func:`interrupted` after each step and
stops, whatever the libraries in between made of the exception. A second Ctrl-C while the run
cleans up is ignored, so the clean-up (kernel stopped, work folders removed) completes.

:func:`shielded` defers an interrupt over a few milliseconds of bookkeeping that must not be
cut in half (a chapter's data and its page taking their names).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["catching_interrupts", "interrupted", "shielded", "raise_if_interrupted",
           "keep_signal_handlers"]


class _State:
    def __init__(self):
        self.active = 0
        self.requested = False
        self.shield = 0


_STATE = _State()


def _handler(signum, frame):
    if _STATE.requested:  # a second Ctrl-C while the run stops: let the clean-up finish
        return
    _STATE.requested = True
    if not _STATE.shield:
        raise KeyboardInterrupt


@contextlib.contextmanager
def catching_interrupts(signals: tuple = (signal.SIGINT,)) -> Iterator[None]:
    """Within the block, SIGINT (and the other ``signals``) raise ``KeyboardInterrupt`` once
    and are remembered (:func:`interrupted`); the previous handlers come back afterwards.

    Only the main thread can receive signals; elsewhere the block changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    if not _STATE.active:
        _STATE.requested = False
        for sig in signals:
            previous[sig] = signal.signal(sig, _handler)
    _STATE.active += 1
    try:
        yield
    finally:
        _STATE.active -= 1
        if not _STATE.active:
            for sig, old in previous.items():
                signal.signal(sig, old)
            _STATE.requested = False


def interrupted() -> bool:
    """True after a Ctrl-C within :func:`catching_interrupts`, even if the exception was
    swallowed on its way."""
    return _STATE.active > 0 and _STATE.requested


def raise_if_interrupted() -> None:
    """Raise ``KeyboardInterrupt`` when :func:`interrupted`."""
    if interrupted():
        raise KeyboardInterrupt


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Defer a Ctrl-C until the block is done (then raise ``KeyboardInterrupt``)."""
    _STATE.shield += 1
    try:
        yield
    finally:
        _STATE.shield -= 1
    if not _STATE.shield:
        raise_if_interrupted()


def _refuse(*args, **kwargs):
    raise RuntimeError("bimokit handles SIGINT and SIGTERM itself")


@contextlib.contextmanager
def keep_signal_handlers() -> Iterator[None]:
    """Keep nbclient from replacing the handlers of :func:`catching_interrupts`.

    nbclient (also under papermill) registers its own SIGINT/SIGTERM handler on the event loop
    while a notebook runs; it shuts the kernel down, the notebook then fails as "Kernel died",
    and when the notebook is done the handler it removes leaves Python's default in place of
    ours. Within the block the event loop that nbclient will use (jupyter_core's loop of this
    thread) refuses new signal handlers, which nbclient accepts as on a platform without
    signals. Outside :func:`catching_interrupts` nothing changes.
    """
    if not _STATE.active or threading.current_thread() is not threading.main_thread():
        yield
        return
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    loop.add_signal_handler = _refuse
    loop.remove_signal_handler = _refuse
    try:
        yield
    except BaseException:
        _settle(loop)
        raise
    finally:
        for name in ("add_signal_handler", "remove_signal_handler"):
            loop.__dict__.pop(name, None)


def _settle(loop) -> None:
    """Cancel what an interrupt left running on ``loop`` and collect its outcome.

    A ``KeyboardInterrupt`` stops the loop in the middle of nbclient's tasks; left alone they
    would resume the next time the loop runs (stopping the kernel) and end with an error that
    asyncio prints to the terminal ("Task exception was never retrieved").
    """
    import asyncio

    if loop.is_closed() or loop.is_running():
        return
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.wait(pending, timeout=10))
    for task in pending:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: asyncio does not report it
