"""/me: a mentor's week on one page — what is overdue, what is due soon, what is open, what is done — and a
form to log an activity, which returns to the page with the duty it meets now satisfied."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select, update
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import models as m
from ..access import TEACHERS, allow
from ..i18n import current_lang, t
from ..repository import today_at
from ..status import GROUPS, class_overview, mentees, mentor_duties, student_overview
from .common import evaluation, school_of_user, user

bp = Blueprint("mentor", __name__)


def at_least_one(form: FlaskForm, field: Any) -> None:
    """Not DataRequired: that puts `required` on every checkbox, and a browser then insists on all of them."""
    if not field.data:
        raise ValidationError(t("请至少选择一名学生。", "Choose at least one student."))


class LogForm(FlaskForm):
    action = SelectField(validators=[DataRequired()])
    students = SelectMultipleField(validators=[at_least_one], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    date = DateField(validators=[DataRequired()])
    duration_min = IntegerField(validators=[Optional(), NumberRange(min=0, max=24 * 60)])
    note = TextAreaField(validators=[Optional(), Length(max=2000)])


def _context() -> dict[str, Any]:
    u = user()
    school = school_of_user()
    mentor = g.db.get(m.Mentor, u.mentor_id) if u.mentor_id is not None else None
    ev = evaluation(school)
    return {"school": school, "mentor": mentor, "ev": ev}


def _form(ctx: dict[str, Any], students: list[tuple[str, str]]) -> LogForm:
    form = LogForm()
    ev = ctx["ev"]
    form.action.choices = [SelectChoice(a.name, a.title or a.name) for a in ev.scheme.actions] if ev else []
    form.students.choices = [SelectChoice(code, label) for code, label in students]
    if form.date.data is None:
        form.date.data = today_at(ctx["school"])
    return form


def _mentee_choices(ctx: dict[str, Any]) -> tuple[list[tuple[str, str]], Any]:
    ev, mentor = ctx["ev"], ctx["mentor"]
    if ev is None or mentor is None:
        return [], None
    idx = mentees(ev.report, mentor.code, ev.day)
    students = ev.report.bundle.students
    return sorted(((students[i].id, t(f"{students[i].name}（{students[i].class_name}）", f"{students[i].name} ({students[i].class_name})"))
                   for i in idx.tolist()), key=lambda c: c[1]), idx  # fmt: skip


@bp.route("/me")
@allow(*TEACHERS)
def me() -> Any:
    ctx = _context()
    choices, idx = _mentee_choices(ctx)
    form = _form(ctx, choices)
    # a duty's "log one" link fills the form with its action and student
    if request.args.get("action") in {c.value for c in form.action.choices or []}:
        form.action.data = request.args["action"]
    if request.args.get("student") in {c.value for c in form.students.choices or []}:
        form.students.data = [request.args["student"]]
    if request.args.get("date"):  # an overdue duty's link dates the activity inside its window
        try:
            form.date.data = min(dt.date.fromisoformat(request.args["date"]), ctx["ev"].day)
        except ValueError:
            pass
    return _render(ctx, form, idx)


def _render(ctx: dict[str, Any], form: LogForm, idx: Any, status: int = 200) -> Any:
    ev, mentor = ctx["ev"], ctx["mentor"]
    duties_html = Markup("")
    if ev is not None and mentor is not None:
        u = user()
        key = ("me", mentor.code, u.role, u.class_name, current_lang())
        duties_html = ev.memo.get(key)
        if duties_html is None:
            duties = mentor_duties(ev.report, mentor.code, idx, class_name=u.class_name if u.role == "head_teacher" else None)
            groups = {group: [d for d in duties if d.group == group] for group in GROUPS}
            scores = [s for s in ev.report.scores if s.mentor == mentor.code]
            # students without a mentor first: the head teacher is the one to notice
            klass = sorted(class_overview(ev.report, u.class_name), key=lambda s: bool(s.mentors)) if u.role == "head_teacher" and u.class_name else []
            mine = sorted(student_overview(ev.report, idx, mentor.code), key=lambda s: (-s.overdue, -s.owed, s.class_name, s.name))
            student_pk = _student_pks(ctx["school"].id, [d.student_code for d in duties if d.student_code] + [s.code for s in klass + mine])
            duties_html = ev.memo[key] = Markup(render_template("_me_duties.html", groups=groups, scores=scores, student_pk=student_pk,
                                                                duties=duties, klass=klass, mine=mine, class_name=u.class_name, **ctx))  # fmt: skip
    return render_template("me.html", form=form, duties_html=duties_html, **ctx), status


def _student_pks(school_id: int, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = g.db.execute(select(m.Student.code, m.Student.id).where(m.Student.school_id == school_id, m.Student.code.in_(set(codes)))).all()
    return {code: pk for code, pk in rows}


@bp.route("/me/log", methods=["POST"])
@allow(*TEACHERS)
def log() -> Any:
    ctx = _context()
    if ctx["ev"] is None or ctx["mentor"] is None:
        abort(404)
    choices, idx = _mentee_choices(ctx)
    form = _form(ctx, choices)
    if not form.validate_on_submit():
        return _render(ctx, form, idx, 400)
    school, mentor = ctx["school"], ctx["mentor"]
    day: dt.date = form.date.data
    calendar = ctx["ev"].report.bundle.calendar
    earliest = calendar.year_start - dt.timedelta(days=EARLIEST_DAYS)
    if day > today_at(school):
        form.date.errors = [t("不能记录将来的日期。", "An activity cannot be dated in the future.")]
        return _render(ctx, form, idx, 400)
    if day < earliest:
        form.date.errors = [t(f"日期早于本学年（{earliest.isoformat()} 之前），请检查年份。", f"The date is before this school year ({earliest.isoformat()}): check the year.")]
        return _render(ctx, form, idx, 400)
    before = {d.key: d for d in _owed(ctx, idx)}
    log_activity(school, mentor, form.action.data, day, form.students.data, form.duration_min.data, form.note.data or "")
    # what the activity met, said at once: a mentor who logs and sees nothing change would log it again
    after = _context()
    met = [d for d in _owed(after, mentees(after["ev"].report, mentor.code, after["ev"].day), done=True) if d.key in before]
    if met:
        flash(t("已记录：满足 ", "Logged: it meets ") + t("、", ", ").join(f"{d.label} · {d.subject}" for d in met[:5])
              + (t(f" 等 {len(met)} 项", f" and {len(met) - 5} more") if len(met) > 5 else ""))  # fmt: skip
    else:
        flash(t("已记录。这次活动没有完成新的任务（日期不在未完成任务的时间窗口内，或该任务已完成）。",
                "Logged. It completes no further duty (its date is outside the windows of the duties still owed, or they are done)."))  # fmt: skip
    return redirect(url_for("mentor.me"))


EARLIEST_DAYS = 90  # an activity may be dated this long before the school year (a summer home visit), no earlier


def _owed(ctx: dict[str, Any], idx: Any, done: bool = False) -> list[Any]:
    """The mentor's duties still owed (or, with done, those done)."""
    u = user()
    duties = mentor_duties(ctx["ev"].report, ctx["mentor"].code, idx, class_name=u.class_name if u.role == "head_teacher" else None)
    return [d for d in duties if (d.group == "done") == done and d.group != "upcoming"]


def log_activity(school: m.School, mentor: m.Mentor, action: str, day: dt.date, student_codes: list[str], minutes: int | None,
                 note: str) -> m.Activity:  # fmt: skip
    """One activity and its students, under a new data version of the school (so every worker's cache sees it)."""
    db = g.db
    version = db.execute(update(m.School).where(m.School.id == school.id).values(data_version=m.School.data_version + 1)
                         .returning(m.School.data_version)).scalar_one()  # fmt: skip
    students = db.execute(select(m.Student.code, m.Student.id).where(m.Student.school_id == school.id, m.Student.code.in_(student_codes))).all()
    pk = dict(students)
    activity = m.Activity(school_id=school.id, code=f"web-{version}", action=action, date=day, mentor_id=mentor.id, class_name="",
                          duration_min=minutes, note=note, data_version=version, created_by=user().id)  # fmt: skip
    activity.students = [m.ActivityStudent(student_id=pk[c], position=i) for i, c in enumerate(student_codes) if c in pk]
    db.add(activity)
    db.add(m.AuditEntry(user_id=user().id, school_id=school.id, action="log-activity", target=activity.code))
    db.commit()
    return activity
