"""/me: the order a mentor acts in, and logging an activity that satisfies a duty at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from district import TODAY
from sqlalchemy import select

from service import models as m
from service.repository import Evaluations, read_school
from service.status import GROUPS, mentees, mentor_duties


def _my_duties(app: Any, username: str) -> tuple[Any, list[Any]]:
    info = app.config["info"]["users"][username]
    with app.app_context(), app.extensions["db_sessions"]() as db:
        school = db.get(m.School, info["school_id"])
        mentor = db.get(m.Mentor, info["mentor_id"])
        ev = Evaluations().of(db, school, TODAY)
        return mentor, mentor_duties(ev.report, mentor.code, mentees(ev.report, mentor.code, TODAY))


def test_duties_come_overdue_first_then_due_soon_open_done(app: Any, login: Any) -> None:
    _, duties = _my_duties(app, "mentor1a")
    assert [GROUPS.index(d.group) for d in duties] == sorted(GROUPS.index(d.group) for d in duties)
    html = login("mentor1a").get("/me").get_data(as_text=True)
    shown = [g for g in re.findall(r'<h2 id="(\w+)">', html) if g in GROUPS]
    assert shown == [g for g in GROUPS if any(d.group == g for d in duties)]
    assert '<h2 id="students">我的学生' in html  # and a list of their students, each a link to the student's page


def test_logging_an_activity_satisfies_the_duty_on_the_next_page(app: Any, login: Any) -> None:
    _, duties = _my_duties(app, "mentor1a")
    duty = next(d for d in duties if d.group in ("due_soon", "open") and d.student_code and d.count == d.min - 1
                and d.scope in ("student", "pair") and d.window_start <= TODAY)  # fmt: skip
    day = min(duty.window_end, TODAY)
    c = login("mentor1a")
    page = c.get("/me").get_data(as_text=True)
    assert duty.label in page
    r = c.post("/me/log", {"action": duty.action, "students": [duty.student_code], "date": day.isoformat(), "duration_min": "30",
                           "note": "谈了很久"}, csrf_from="/me")  # fmt: skip
    assert r.status_code == 302 and r.headers["Location"] == "/me"
    _, after = _my_duties(app, "mentor1a")
    same = next(d for d in after if (d.rule, d.student_code, d.window_start) == (duty.rule, duty.student_code, duty.window_start))
    assert same.status == "satisfied" and same.count == duty.count + 1
    shown = c.get("/me").get_data(as_text=True)
    assert f"已记录：满足 {duty.label} · {duty.subject}" in shown  # the flash names the duty the activity met


def test_a_mentor_cannot_log_for_a_student_who_is_not_theirs_nor_in_the_future(app: Any, login: Any) -> None:
    info = app.config["info"]["users"]
    with app.extensions["db_sessions"]() as db:
        theirs = set(db.scalars(select(m.Student.code).join(m.Assignment, m.Assignment.student_id == m.Student.id)
                                .where(m.Assignment.mentor_id == info["mentor1a"]["mentor_id"])))  # fmt: skip
        stranger = db.scalar(select(m.Student.code).where(m.Student.school_id == info["mentor1a"]["school_id"], m.Student.code.not_in(theirs)))
        before = db.query(m.Activity).count()
    c = login("mentor1a")
    assert c.post("/me/log", {"action": "谈心", "students": [stranger], "date": TODAY.isoformat()}, csrf_from="/me").status_code == 400
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    r = c.post("/me/log", {"action": "谈心", "students": [sorted(theirs)[0]], "date": future}, csrf_from="/me")
    assert r.status_code == 400 and "不能记录将来的日期" in r.get_data(as_text=True)
    with app.extensions["db_sessions"]() as db:
        assert db.query(m.Activity).count() == before


def test_a_cached_school_with_new_activities_appended_equals_the_school_read_again(app: Any, login: Any) -> None:
    """The cache fetches only activities after its data version; the result must be what a fresh read gives."""
    info = app.config["info"]["users"]["mentor1a"]
    evaluations = Evaluations()
    with app.app_context(), app.extensions["db_sessions"]() as db:
        school = db.get(m.School, info["school_id"])
        first = evaluations.of(db, school, TODAY)
    _, duties = _my_duties(app, "mentor1a")
    c = login("mentor1a")
    student = next(d.student_code for d in duties if d.student_code)
    for day in ("2025-11-03", "2025-11-04"):
        c.post("/me/log", {"action": "谈心", "students": [student], "date": day}, csrf_from="/me")
    with app.app_context(), app.extensions["db_sessions"]() as db:
        school = db.get(m.School, info["school_id"])
        again = evaluations.of(db, school, TODAY)
        fresh = read_school(db, school)
    assert again.data.data_version == first.data.data_version + 2
    a, b = again.data.bundle.activities, fresh.bundle.activities
    assert sorted(a.id_texts(range(len(a)))) == sorted(b.id_texts(range(len(b))))
    assert a.stu_ptr.tolist() == b.stu_ptr.tolist() and a.stu.tolist() == b.stu.tolist() and a.day.tolist() == b.day.tolist()


def test_a_head_teacher_sees_their_class_and_each_student_links_to_a_page_they_may_open(app: Any, login: Any) -> None:
    c = login("head1")
    html = c.get("/me").get_data(as_text=True)
    assert '<h2 id="class">本班学生' in html
    links = re.findall(r'href="/students/(\d+)"', html[html.index('<h2 id="class">'):])
    assert links
    assert all(c.get(f"/students/{pk}").status_code == 200 for pk in links[:5])


def test_an_activity_that_meets_nothing_new_says_so_and_a_date_before_the_year_is_refused(app: Any, login: Any) -> None:
    _, duties = _my_duties(app, "mentor1a")
    done = next(d for d in duties if d.group == "done" and d.student_code and d.scope == "student")
    c = login("mentor1a")
    r = c.post("/me/log", {"action": done.action, "students": [done.student_code], "date": done.window_start.isoformat()}, csrf_from="/me")
    assert r.status_code == 302
    assert "这次活动没有完成新的任务" in c.get("/me").get_data(as_text=True)
    r = c.post("/me/log", {"action": done.action, "students": [done.student_code], "date": "2019-03-01"}, csrf_from="/me")
    assert r.status_code == 400 and "日期早于本学年" in r.get_data(as_text=True) and "记录没有保存" in r.get_data(as_text=True)


def test_the_log_link_of_an_overdue_duty_dates_the_form_inside_its_window(app: Any, login: Any) -> None:
    _, duties = _my_duties(app, "mentor1a")
    late = next(d for d in duties if d.group == "overdue" and d.student_code)
    c = login("mentor1a")
    html = c.get(f"/me?action={late.action}&student={late.student_code}&date={late.window_end.isoformat()}").get_data(as_text=True)
    assert f'value="{late.window_end.isoformat()}"' in html
    code = re.escape(late.student_code)
    assert re.search(rf'<input[^>]*checked[^>]*value="{code}"|<input[^>]*value="{code}"[^>]*checked', html)
