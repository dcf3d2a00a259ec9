"""A school year: its terms and its calendar events (exams, term starts) with the grades they concern."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CalendarEvent:
    kind: str
    name: str
    date: dt.date
    grades: tuple[int, ...] | None = None  # None: every grade


@dataclass(frozen=True)
class Calendar:
    school_year: str
    terms: tuple[Term, ...]  # sorted by start
    events: tuple[CalendarEvent, ...] = ()

    @property
    def year_start(self) -> dt.date:
        return min(t.start for t in self.terms)

    @property
    def year_end(self) -> dt.date:
        return max(t.end for t in self.terms)
