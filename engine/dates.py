"""Dates as written by people and spreadsheets → day numbers (proleptic ordinals).

Accepted: `YYYY-MM-DD`, `YYYY/M/D`, and either followed by a time (`2025-09-01 08:30`,
`2025-09-01T08:30:00`, Excel's `2025/9/1 0:00`), of which only the date part is used.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:(?:[ T])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_date(text: str) -> dt.date | None:
    """The date in `text`, or None when it is not one of the accepted forms or not a real day."""
    m = _DATE.match(text.strip())
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    except ValueError:
        return None


def as_date(value: object) -> dt.date | None:
    """A date from a str, date or datetime (YAML and database rows give objects)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


class DayCache:
    """Memoised text → ordinal day: a school's data has a few hundred distinct dates."""

    def __init__(self) -> None:
        self.known: dict[object, int] = {}

    def day(self, value: object) -> int | None:
        hit = self.known.get(value)
        if hit is not None:
            return hit
        d = as_date(value)
        if d is None:
            return None
        self.known[value] = d.toordinal()
        return self.known[value]


def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()
