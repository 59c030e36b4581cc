"""Parameters shared by the chapters, the report and the batch (foundation layer)."""

from __future__ import annotations

import re

from .errors import ParameterError

__all__ = ["parse_years"]

_YEARS = re.compile(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?")

def parse_years(years) -> tuple[int, int] | None:
    """Parse ``"2012-2024"``, ``"2024"``, ``(2012, 2024)`` or ``""``/None (all years).

    Examples
    --------
    >>> parse_years("2012-2024"), parse_years("2020"), parse_years(""), parse_years((2015, 2016))
    ((2012, 2024), (2020, 2020), None, (2015, 2016))
    """
    if years in (None, ""):
        return None
    if isinstance(years, (tuple, list)) and len(years) == 2:
        first, last = (int(y) for y in years)
    elif isinstance(years, int):
        first = last = years
    else:
        m = _YEARS.fullmatch(str(years))
        if not m:
            raise ParameterError(
                f"`years` must look like '2012-2024' or '2024'; not {years!r}."
            )
        first = int(m.group(1))
        last = int(m.group(2) or m.group(1))
    if first > last:
        raise ParameterError(f"`years` {years!r}: the first year is after the last.")
    return first, last
