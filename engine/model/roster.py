"""One row each: a mentor, a student, an assignment, an activity, a student event, a rating.

`line` is where the row came from (the row number Excel shows); rows built by hand or read from
a database have none. Named tuples rather than frozen dataclasses: a district's roster is
hundreds of thousands of rows, and a frozen dataclass costs a Python call per field to build.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple


class Mentor(NamedTuple):
    id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    class_name: str | None = None  # the class a head teacher leads
    line: int | None = None


class Student(NamedTuple):
    id: str
    name: str
    grade: int
    class_name: str
    tags: tuple[str, ...] = ()
    line: int | None = None


class Assignment(NamedTuple):
    mentor_id: str
    student_id: str
    start: dt.date | None = None
    end: dt.date | None = None
    line: int | None = None


class Activity(NamedTuple):
    """One activity row; `date` may be a date or text as written (only the date part is used)."""

    id: str
    action: str
    date: dt.date | str
    mentor_id: str
    student_ids: tuple[str, ...] = ()
    class_name: str | None = None
    duration_min: float | None = None
    note: str = ""
    line: int | None = None


class StudentEvent(NamedTuple):
    student_id: str
    kind: str
    date: dt.date
    line: int | None = None


class Rating(NamedTuple):
    mentor_id: str
    score: str
    item: str
    value: Decimal
    term: str
    line: int | None = None
