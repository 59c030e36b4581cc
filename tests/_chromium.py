"""Headless Chromium for page checks: find it (fail under CI=true), dump the DOM, screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium_or_skip() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    return chromium


def render(page: Path, shot: Path, profile: Path, *, height: int = 2000,
           settle_ms: int = 0) -> str:
    """Load ``page`` headless: assert no console errors, write ``shot``; return the DOM.

    ``settle_ms``: virtual time the page's scripts get before the DOM is dumped and the
    screenshot taken (e.g. for MathJax to typeset); 0 dumps at the load event.
    """
    chromium = chromium_or_skip()
    uri = page.resolve().as_uri()
    common = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
        "--v=0", f"--window-size=1280,{height}",
    ]
    if settle_ms:
        common.append(f"--virtual-time-budget={int(settle_ms)}")
    dom = subprocess.run(common + ["--dump-dom", uri], capture_output=True, text=True,
                         timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [ln for ln in dom.stderr.splitlines() if ":CONSOLE" in ln]
    assert [ln for ln in console if "Uncaught" in ln or "Error" in ln] == []
    run = subprocess.run(common + [f"--screenshot={shot}", uri], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return dom.stdout
