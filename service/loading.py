"""An engine Bundle (a school's data read by the engine's loader) → the school's rows in the database, in one
transaction. Used by the demo and by tests; the import page merges uploads row by row (imports.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import Bundle

from . import models as m

BATCH = 20_000


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for lo in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[lo : lo + BATCH])


def store_bundle(session: Session, school: m.School, bundle: Bundle, progress: Callable[[str], None] = lambda _: None) -> None:
    """Add every row of the bundle to an empty school (calendar, roster, log); the caller commits."""
    sid = school.id
    cal = bundle.calendar
    school.school_year = cal.school_year
    _insert(session, m.Term, [{"school_id": sid, "code": t.id, "name": t.name, "start": t.start, "end": t.end} for t in cal.terms])
    _insert(session, m.CalendarEvent, [{"school_id": sid, "kind": e.kind, "name": e.name, "date": e.date,
                                        "grades": list(e.grades) if e.grades is not None else None} for e in cal.events])  # fmt: skip
    _insert(session, m.Mentor, [{"school_id": sid, "code": x.id, "name": x.name, "roles": ";".join(x.roles), "tags": ";".join(x.tags),
                                 "class_name": x.class_name or ""} for x in bundle.mentors])  # fmt: skip
    _insert(session, m.Student, [{"school_id": sid, "code": s.id, "name": s.name, "grade": s.grade, "class_name": s.class_name,
                                  "tags": ";".join(s.tags)} for s in bundle.students])  # fmt: skip
    mentor_pk = dict(session.execute(select(m.Mentor.code, m.Mentor.id).where(m.Mentor.school_id == sid)).all())
    student_pk = dict(session.execute(select(m.Student.code, m.Student.id).where(m.Student.school_id == sid)).all())
    progress(f"roster: {len(mentor_pk)} mentors, {len(student_pk)} students")
    _insert(session, m.Assignment, [{"school_id": sid, "mentor_id": mentor_pk[a.mentor_id], "student_id": student_pk[a.student_id],
                                     "start": a.start, "end": a.end} for a in bundle.assignments])  # fmt: skip
    _insert(session, m.StudentEvent, [{"school_id": sid, "student_id": student_pk[e.student_id], "kind": e.kind, "date": e.date}
                                      for e in bundle.student_events])  # fmt: skip
    _insert(session, m.Rating, [{"school_id": sid, "mentor_id": mentor_pk[r.mentor_id], "score": r.score, "item": r.item, "value": r.value,
                                 "term": r.term} for r in bundle.ratings])  # fmt: skip
    acts = bundle.activities
    version = school.data_version + 1
    ids = acts.id_texts(np.arange(len(acts)))
    names = acts.action_names
    mentors = [x.id for x in bundle.mentors]
    classes = bundle.classes
    students = [s.id for s in bundle.students]
    rows = []
    for i, (code, a, day, mi, k, minutes) in enumerate(zip(ids, acts.action.tolist(), acts.day.tolist(), acts.mentor.tolist(),
                                                           acts.klass.tolist(), acts.duration.tolist(), strict=True)):  # fmt: skip
        rows.append({"school_id": sid, "code": code, "action": names[a], "date": dt.date.fromordinal(day), "mentor_id": mentor_pk[mentors[mi]],
                     "class_name": classes[k] if k >= 0 else "", "duration_min": None if minutes != minutes else int(round(minutes)),
                     "note": "", "data_version": version})  # fmt: skip
        if i and i % 50_000 == 0:
            progress(f"activities: {i}")
    _insert(session, m.Activity, rows)
    activity_pk = dict(session.execute(select(m.Activity.code, m.Activity.id).where(m.Activity.school_id == sid)).all())
    links = []
    ptr, stu = acts.stu_ptr.tolist(), acts.stu.tolist()
    for i, code in enumerate(ids):
        pk = activity_pk[code]
        for pos, s in enumerate(stu[ptr[i] : ptr[i + 1]]):
            links.append({"activity_id": pk, "student_id": student_pk[students[s]], "position": pos})
    _insert(session, m.ActivityStudent, links)
    school.data_version = version
    school.roster_version += 1
    progress(f"activities: {len(rows)}, student links: {len(links)}")
