"""Atomic file writes (kept here for the report and batch modules; see :mod:`bimokit._atomic`)."""

from .._atomic import atomic_open, atomic_path, atomic_write_bytes, atomic_write_text

__all__ = ["atomic_path", "atomic_open", "atomic_write_text", "atomic_write_bytes"]
