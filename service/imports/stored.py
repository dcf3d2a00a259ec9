"""The school's rows as the database has them, in text form (as an upload's row would read): read_stored gives each
table's rows and their ids (Stored), and _stored_raw / _raw turn rows in text form into the engine's tables, for the
builder to check them with the upload's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.load.columns import COLUMNS, TABLES
from engine.load.table import RawTable

from .. import models as m
from .rows import CENT, DB_NAMES, Key, Row, key_of, key_text


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _cents(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):f}"


@dataclass
class Stored:
    """One table of the school as the database has it: each row's id and its text form (as an upload's row would read)."""

    kind: str
    pks: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def index(self) -> dict[Key, int]:
        out: dict[Key, int] = {}
        for j, row in enumerate(self.rows):
            out.setdefault(key_of(self.kind, row), j)
        return out


def read_stored(session: Session, school_id: int) -> dict[str, Stored]:
    """Every table of the school, in text form."""
    sid = school_id
    out = {kind: Stored(kind) for kind in TABLES}

    def add(kind: str, rows: Iterable[Any], make: Any) -> None:
        for r in rows:
            out[kind].pks.append(r[0])
            out[kind].rows.append(make(r))

    add("mentors", session.execute(select(m.Mentor.id, m.Mentor.code, m.Mentor.name, m.Mentor.roles, m.Mentor.tags, m.Mentor.class_name)
                                   .where(m.Mentor.school_id == sid).order_by(m.Mentor.id)),
        lambda r: {"id": r[1], "name": r[2], "roles": r[3], "tags": r[4], "class": r[5]})
    add("students", session.execute(select(m.Student.id, m.Student.code, m.Student.name, m.Student.grade, m.Student.class_name, m.Student.tags)
                                    .where(m.Student.school_id == sid).order_by(m.Student.id)),
        lambda r: {"id": r[1], "name": r[2], "grade": str(r[3]), "class": r[4], "tags": r[5]})
    add("assignments", session.execute(select(m.Assignment.id, m.Mentor.code, m.Student.code, m.Assignment.start, m.Assignment.end)
                                       .join(m.Mentor, m.Mentor.id == m.Assignment.mentor_id).join(m.Student, m.Student.id == m.Assignment.student_id)
                                       .where(m.Assignment.school_id == sid).order_by(m.Assignment.id)),
        lambda r: {"mentor_id": r[1], "student_id": r[2], "start": _day(r[3]), "end": _day(r[4])})
    add("student_events", session.execute(select(m.StudentEvent.id, m.Student.code, m.StudentEvent.kind, m.StudentEvent.date)
                                          .join(m.Student, m.Student.id == m.StudentEvent.student_id)
                                          .where(m.StudentEvent.school_id == sid).order_by(m.StudentEvent.id)),
        lambda r: {"student_id": r[1], "kind": r[2], "date": _day(r[3])})
    add("ratings", session.execute(select(m.Rating.id, m.Mentor.code, m.Rating.score, m.Rating.item, m.Rating.value, m.Rating.term)
                                   .join(m.Mentor, m.Mentor.id == m.Rating.mentor_id).where(m.Rating.school_id == sid).order_by(m.Rating.id)),
        lambda r: {"mentor_id": r[1], "score": r[2], "item": r[3], "value": _cents(r[4]), "term": r[5]})
    links: dict[int, list[str]] = {}
    for activity_id, code in session.execute(select(m.ActivityStudent.activity_id, m.Student.code)
                                             .join(m.Student, m.Student.id == m.ActivityStudent.student_id)
                                             .join(m.Activity, m.Activity.id == m.ActivityStudent.activity_id)
                                             .where(m.Activity.school_id == sid).order_by(m.ActivityStudent.activity_id, m.ActivityStudent.position)):
        links.setdefault(activity_id, []).append(code)
    add("activities", session.execute(select(m.Activity.id, m.Activity.code, m.Activity.action, m.Activity.date, m.Mentor.code, m.Activity.class_name,
                                             m.Activity.duration_min, m.Activity.note)
                                      .join(m.Mentor, m.Mentor.id == m.Activity.mentor_id).where(m.Activity.school_id == sid).order_by(m.Activity.id)),
        lambda r: {"id": r[1], "action": r[2], "date": _day(r[3]), "mentor_id": r[4], "student_ids": ";".join(links.get(r[0], ())),
                   "class": r[5], "duration_min": "" if r[6] is None else str(r[6]), "note": r[7] or ""})  # fmt: skip
    return out


def _raw(kind: str, source: str, rows: Sequence[Row], keys: Sequence[str], lines: Sequence[int], **extra: Any) -> RawTable:
    """Rows in text form → the engine's table (the activities' notes stay out: the engine reads none)."""
    columns = {c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS[kind] if c != "note"}
    return RawTable(kind, source, columns, np.array(lines, dtype=np.int64), keys=list(keys), **extra)


def _stored_raw(stored: Stored) -> RawTable:
    """A table just as the database has it: each row named by its key (`students (database)[S1]`)."""
    kind = stored.kind
    return _raw(kind, DB_NAMES[kind], stored.rows, [key_text(kind, r) for r in stored.rows], [0] * len(stored.rows))
