"""A school's rows → the engine's columnar builder → a Report, cached by the versions every worker sees.

The cache key is (school, scheme version, data version, roster version, day). When only new
activities arrived since a worker's cached copy (the data version moved, the roster version did
not), the worker fetches just those rows (`activity.data_version` > its own) and rebuilds the bundle
from its columns: a mentor sees an activity they logged on their next page, whichever worker
serves it, without the school being read again.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Bundle, Report, bundle_from_columns, bundle_with_activities, evaluate
from engine.model.calendar import Calendar
from engine.model.calendar import CalendarEvent as EngineEvent
from engine.model.calendar import Term as EngineTerm
from engine.model.scheme import Scheme, compile_scheme

from . import models as m

KEYS = {"mentors": "id", "students": "id", "activities": "id"}
NAMES = {kind: f"{kind} (database)" for kind in ("mentors", "students", "assignments", "activities", "student_events", "ratings")}


def today_at(school: m.School) -> dt.date:
    """The school's today, in its own time zone (the engine never reads the clock; the service passes this in).
    An app configured with TODAY (a date: training, tests, a demo frozen in time) uses that day instead."""
    fixed = current_app.config.get("TODAY") if has_app_context() else None
    if fixed is not None:
        return fixed  # type: ignore[no-any-return]
    return dt.datetime.now(ZoneInfo(school.timezone or "Asia/Shanghai")).date()


def current_scheme(session: Session, school_id: int, day: dt.date) -> m.SchemeVersion | None:
    """The version in force on `day`: the latest effective on or before it (the newest number wins a tie)."""
    q = (select(m.SchemeVersion).where(m.SchemeVersion.school_id == school_id, m.SchemeVersion.effective <= day)
         .order_by(m.SchemeVersion.effective.desc(), m.SchemeVersion.number.desc()).limit(1))  # fmt: skip
    return session.scalars(q).first()


def calendar_of(session: Session, school: m.School) -> Calendar:
    terms = session.scalars(select(m.Term).where(m.Term.school_id == school.id).order_by(m.Term.start)).all()
    events = session.scalars(select(m.CalendarEvent).where(m.CalendarEvent.school_id == school.id).order_by(m.CalendarEvent.date)).all()
    return Calendar(school.school_year, tuple(EngineTerm(t.code, t.name, t.start, t.end) for t in terms),
                    tuple(EngineEvent(e.kind, e.name, e.date, tuple(e.grades) if e.grades is not None else None) for e in events))  # fmt: skip


@dataclass
class SchoolData:
    """One school's tables as Arrow columns at (data version, roster version), and the bundle built from them."""

    data_version: int
    roster_version: int
    calendar: Calendar
    tables: dict[str, pa.Table]
    link_rows: np.ndarray
    link_students: pa.Array
    mentor_code: dict[int, str]  # database id → the school's id
    student_code: dict[int, str]
    activity_pk: np.ndarray  # database id per activity row, in table order
    bundle: Bundle = field(default=None)  # type: ignore[assignment]  # built from the tables when not given

    def __post_init__(self) -> None:
        if self.bundle is None:  # type: ignore[comparison-overlap]
            self.bundle = self.build()

    def build(self) -> Bundle:
        return bundle_from_columns(self.calendar, self.tables, KEYS, activity_students=(self.link_rows, self.link_students),
                                   skip_bad_rows=True, names=NAMES)  # fmt: skip


def _column(rows: Sequence[Sequence[Any]], i: int) -> list[Any]:
    return [r[i] for r in rows]


def read_school(session: Session, school: m.School) -> SchoolData:
    """Every table of the school, read once into columns."""
    sid = school.id
    mentors = session.execute(select(m.Mentor.id, m.Mentor.code, m.Mentor.name, m.Mentor.roles, m.Mentor.tags, m.Mentor.class_name)
                              .where(m.Mentor.school_id == sid)).all()  # fmt: skip
    students = session.execute(select(m.Student.id, m.Student.code, m.Student.name, m.Student.grade, m.Student.class_name, m.Student.tags)
                               .where(m.Student.school_id == sid)).all()  # fmt: skip
    mentor_code = {r[0]: r[1] for r in mentors}
    student_code = {r[0]: r[1] for r in students}
    assignments = session.execute(select(m.Assignment.mentor_id, m.Assignment.student_id, m.Assignment.start, m.Assignment.end)
                                  .where(m.Assignment.school_id == sid)).all()  # fmt: skip
    events = session.execute(select(m.StudentEvent.student_id, m.StudentEvent.kind, m.StudentEvent.date).where(m.StudentEvent.school_id == sid)).all()
    ratings = session.execute(select(m.Rating.mentor_id, m.Rating.score, m.Rating.item, m.Rating.value, m.Rating.term)
                              .where(m.Rating.school_id == sid)).all()  # fmt: skip
    text, day = pa.string(), pa.date32()
    tables = {
        "mentors": pa.table({"id": pa.array(_column(mentors, 1), text), "name": pa.array(_column(mentors, 2), text),
                             "roles": pa.array(_column(mentors, 3), text), "tags": pa.array(_column(mentors, 4), text),
                             "class": pa.array(_column(mentors, 5), text)}),
        "students": pa.table({"id": pa.array(_column(students, 1), text), "name": pa.array(_column(students, 2), text),
                              "grade": pa.array(_column(students, 3), pa.int64()), "class": pa.array(_column(students, 4), text),
                              "tags": pa.array(_column(students, 5), text)}),
        "assignments": pa.table({"mentor_id": pa.array([mentor_code[r[0]] for r in assignments], text),
                                 "student_id": pa.array([student_code[r[1]] for r in assignments], text),
                                 "start": pa.array(_column(assignments, 2), day), "end": pa.array(_column(assignments, 3), day)}),
        "student_events": pa.table({"student_id": pa.array([student_code[r[0]] for r in events], text),
                                    "kind": pa.array(_column(events, 1), text), "date": pa.array(_column(events, 2), day)}),
        "ratings": pa.table({"mentor_id": pa.array([mentor_code[r[0]] for r in ratings], text), "score": pa.array(_column(ratings, 1), text),
                             "item": pa.array(_column(ratings, 2), text), "value": pa.array(_column(ratings, 3), pa.decimal128(12, 2)),
                             "term": pa.array(_column(ratings, 4), text)}),
    }  # fmt: skip
    acts, pks, link_rows, link_students = _activities(session, sid, mentor_code, student_code, since=None, upto=school.data_version)
    tables["activities"] = acts
    return SchoolData(school.data_version, school.roster_version, calendar_of(session, school), tables, link_rows, link_students,
                      mentor_code, student_code, pks)  # fmt: skip


def _activities(session: Session, school_id: int, mentor_code: dict[int, str], student_code: dict[int, str],
                since: int | None, upto: int) -> tuple[pa.Table, np.ndarray, np.ndarray, pa.Array]:  # fmt: skip
    """The school's activities added up to data version `upto` (and after `since`, when given) and their students, as
    columns. The upper bound keeps a copy true to the version it is filed under when a write commits meanwhile."""
    q = (select(m.Activity.id, m.Activity.code, m.Activity.action, m.Activity.date, m.Activity.mentor_id, m.Activity.class_name,
                m.Activity.duration_min).where(m.Activity.school_id == school_id).order_by(m.Activity.id))  # fmt: skip
    lq = select(m.ActivityStudent.activity_id, m.ActivityStudent.student_id).join(m.Activity).where(m.Activity.school_id == school_id)
    q, lq = q.where(m.Activity.data_version <= upto), lq.where(m.Activity.data_version <= upto)
    if since is not None:
        q, lq = q.where(m.Activity.data_version > since), lq.where(m.Activity.data_version > since)
    rows = session.execute(q).all()
    links = session.execute(lq.order_by(m.ActivityStudent.activity_id, m.ActivityStudent.position)).all()
    pks = np.array(_column(rows, 0), dtype=np.int64)
    text = pa.string()
    table = pa.table({"id": pa.array(_column(rows, 1), text), "action": pa.array(_column(rows, 2), text),
                      "date": pa.array(_column(rows, 3), pa.date32()), "mentor_id": pa.array([mentor_code[r[4]] for r in rows], text),
                      "class": pa.array(_column(rows, 5), text), "duration_min": pa.array(_column(rows, 6), pa.int64())})  # fmt: skip
    link_pk = np.array(_column(links, 0), dtype=np.int64)
    link_rows = np.searchsorted(pks, link_pk)
    return table, pks, link_rows, pa.array([student_code[r[1]] for r in links], text)


def with_new_activities(session: Session, data: SchoolData, school: m.School) -> SchoolData:
    """The cached school with the activities added since its data version appended (the roster unchanged)."""
    acts, pks, rows, students = _activities(session, school.id, data.mentor_code, data.student_code, since=data.data_version, upto=school.data_version)
    offset = data.tables["activities"].num_rows
    tables = dict(data.tables)
    tables["activities"] = pa.concat_tables([data.tables["activities"], acts])
    # only the new rows are checked and built, then merged into the log (the roster is unchanged); a repeated id
    # (None) sends the school through the full build, which reports it
    bundle = bundle_with_activities(data.bundle, acts, "id", activity_students=(rows, students))
    fields = (school.data_version, school.roster_version, data.calendar, tables, np.concatenate([data.link_rows, rows + offset]),
              pa.concat_arrays([data.link_students, students]), data.mentor_code, data.student_code, np.concatenate([data.activity_pk, pks]))
    return SchoolData(*fields, bundle) if bundle is not None else SchoolData(*fields)


@dataclass(frozen=True)
class Evaluation:
    """What a page needs: the report as of `day`, the scheme version it is for, and the school's data."""

    school_id: int
    version: m.SchemeVersion
    scheme: Scheme
    day: dt.date
    report: Report
    data: SchoolData
    # what pages derive from this evaluation (a mentor's duties rendered, the dashboard's figures), kept as long as it is
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


class Evaluations:
    """Per-process cache of evaluated schools (a few schools' columns: small), keyed by versions read from the database."""

    def __init__(self, size: int = 16):
        self.size = size
        self._data: OrderedDict[int, SchoolData] = OrderedDict()
        self._reports: OrderedDict[tuple[int, int, int, int, dt.date], Evaluation] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, session: Session, school: m.School, day: dt.date | None = None) -> Evaluation | None:
        """The school's evaluation as of `day` (its today by default); None when no scheme is in force yet."""
        day = day or today_at(school)
        version = current_scheme(session, school.id, day)
        if version is None:
            return None
        key = (school.id, version.id, school.data_version, school.roster_version, day)
        with self._lock:
            hit = self._reports.get(key)
            if hit is not None:
                self._reports.move_to_end(key)
                return hit
            data = self._school_data(session, school)
            scheme = compile_scheme(version.ir)  # 0.06 ms: not worth a cache that grows with every version published
            result = Evaluation(school.id, version, scheme, day, evaluate(scheme, data.bundle, day), data)
            self._reports[key] = result
            while len(self._reports) > self.size:
                self._reports.popitem(last=False)
            return result

    def _school_data(self, session: Session, school: m.School) -> SchoolData:
        cached = self._data.get(school.id)
        if cached is not None and (cached.data_version, cached.roster_version) == (school.data_version, school.roster_version):
            return cached
        if cached is not None and cached.roster_version == school.roster_version and cached.data_version < school.data_version:
            data = with_new_activities(session, cached, school)
        else:
            data = read_school(session, school)
        self._data[school.id] = data
        self._data.move_to_end(school.id)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return data
