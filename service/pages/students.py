"""/students/<id>: one student's duties, activity history and events. Every view is audited (access.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template
from sqlalchemy import select

from .. import models as m
from ..access import STAFF, allow
from ..status import student_duties
from .common import evaluation, school

bp = Blueprint("students", __name__)
HISTORY = 200  # the latest activities shown


@bp.route("/students/<int:student_id>")
@allow(*STAFF, student=True, audit="view-student")
def show(student_id: int) -> Any:
    student: m.Student = g.student
    sch = school(student.school_id)
    ev = evaluation(sch)
    duties = student_duties(ev.report, student.code) if ev is not None else []
    history = g.db.execute(
        select(m.Activity.code, m.Activity.action, m.Activity.date, m.Mentor.name, m.Activity.duration_min, m.Activity.note)
        .join(m.ActivityStudent, m.ActivityStudent.activity_id == m.Activity.id)
        .join(m.Mentor, m.Mentor.id == m.Activity.mentor_id)
        .where(m.ActivityStudent.student_id == student.id)
        .order_by(m.Activity.date.desc(), m.Activity.id.desc())
        .limit(HISTORY)
    ).all()
    events = g.db.scalars(select(m.StudentEvent).where(m.StudentEvent.student_id == student.id).order_by(m.StudentEvent.date)).all()
    mentors = g.db.execute(
        select(m.Mentor.name, m.Assignment.start, m.Assignment.end)
        .join(m.Assignment, m.Assignment.mentor_id == m.Mentor.id)
        .where(m.Assignment.student_id == student.id)
        .order_by(m.Assignment.start)
    ).all()
    return render_template("student.html", student=student, school=sch, ev=ev, duties=duties, history=history, events=events, mentors=mentors)
