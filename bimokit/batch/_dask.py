"""Dask parts of the batch (imported only when a scheduler is given)."""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin

from ._worker import shutdown_kernels

__all__ = ["KernelPlugin", "register_plugin"]


class KernelPlugin(WorkerPlugin):
    """Stops the worker's warm kernels when the Dask worker closes."""

    name = "bimokit-kernels"

    def teardown(self, worker):
        shutdown_kernels()


def register_plugin(client) -> None:
    """Register :class:`KernelPlugin` on every worker of ``client``'s cluster."""
    register = getattr(client, "register_plugin", None)
    if register is not None:
        register(KernelPlugin(), name=KernelPlugin.name)
    else:  # distributed < 2023.9
        client.register_worker_plugin(KernelPlugin(), name=KernelPlugin.name)
