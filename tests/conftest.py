"""Shared fixtures: the real data in ../shared/data and the embedded sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bimokit._paths import shared_data_dir

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips where absent, fails where ``BIMOKIT_REQUIRE_SHARED=1``."""
    path = shared_data_dir()
    if path is None:
        if os.environ.get("BIMOKIT_REQUIRE_SHARED") == "1":
            pytest.fail("BIMOKIT_REQUIRE_SHARED=1 but ../shared/data is missing")
        pytest.skip("real data ../shared/data is not beside this checkout")
    return path
