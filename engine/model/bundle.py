"""A school's data (SPEC §3) as one checked, indexed, unchanging value.

Built by engine/load (from files, workbooks or database rows); the evaluation only reads it.
Mentors and students are held sorted by id (code point order), so a dense index is also the
order the report lists subjects in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..errors import BadRow
from .activities import Activities
from .calendar import Calendar
from .roster import Assignment, Mentor, Rating, Rows, Student, StudentEvent
from .warnings import ReportWarning

OPEN_START = -(2**31) + 1
OPEN_END = 2**31 - 2


@dataclass(frozen=True)
class FileNames:
    """Where each table came from, as messages name it: `activities.csv`, `活动.xlsx`, `学校.xlsx:活动`, or a database table."""

    mentors: str = "mentors.csv"
    students: str = "students.csv"
    assignments: str = "assignments.csv"
    activities: str = "activities.csv"
    student_events: str = "student_events.csv"
    ratings: str = "ratings.csv"
    calendar: str = "calendar.yaml"


@dataclass(frozen=True, eq=False)
class Bundle:
    calendar: Calendar
    mentors: Rows[Mentor]  # sorted by id
    students: Rows[Student]  # sorted by id
    classes: tuple[str, ...]  # sorted names: students' classes and head teachers' classes
    assignments: Rows[Assignment]
    activities: Activities
    student_events: Rows[StudentEvent]
    ratings: Rows[Rating]
    rejected: tuple[BadRow, ...] = ()
    skip_bad_rows: bool = False
    files: FileNames = field(default_factory=FileNames)
    warnings: tuple[ReportWarning, ...] = ()  # from loading: unread columns, GB18030 text, …
    # dense columns derived from the above
    mentor_index: Mapping[str, int] = field(default_factory=dict)
    student_index: Mapping[str, int] = field(default_factory=dict)
    class_index: Mapping[str, int] = field(default_factory=dict)
    student_grade: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    student_class: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_mentor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_student: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    assign_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @cached_property
    def mentor_ids(self) -> list[str]:
        """Mentor ids in index order (computed once; a frozen dataclass still has a __dict__)."""
        return self.mentors.column("id")

    @cached_property
    def student_ids(self) -> list[str]:
        return self.students.column("id")
