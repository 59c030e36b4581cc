"""Collection rules for the whole test command (tests, doctests of bimokit/, notebooks)."""

from __future__ import annotations

import importlib.util

#: Modules of optional extras whose doctests cannot be imported without the extra; their own
#: tests in tests/ skip with a reason instead.
collect_ignore = []
if importlib.util.find_spec("distributed") is None:  # bimokit[dask]
    collect_ignore.append("bimokit/batch/_dask.py")
