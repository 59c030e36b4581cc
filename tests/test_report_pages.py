"""Report pages (index, Steckbrief), formatting in the report and the runner's kernel shutdown."""

from __future__ import annotations

import asyncio
import re

import pytest

from bimokit.report import _execute


@pytest.mark.parametrize("factory", ["_warm_manager_class", "_kernel_manager_class"])
def test_kernel_shutdown_sends_no_interrupt(monkeypatch, factory):
    # jupyter_client interrupts (SIGINT) before every shutdown; an ipykernel busy with a message
    # then prints "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." to the terminal.
    from jupyter_client import KernelManager

    calls = []

    async def fake_interrupt(self):
        calls.append(self.shutting_down)

    monkeypatch.setattr(KernelManager, "_async_interrupt_kernel", fake_interrupt)
    km = getattr(_execute, factory)()()
    km.shutting_down = True
    asyncio.run(km._async_interrupt_kernel())
    assert calls == []  # no SIGINT while shutting down
    km.shutting_down = False
    asyncio.run(km._async_interrupt_kernel())
    assert calls == [False]  # a user's interrupt still goes through
