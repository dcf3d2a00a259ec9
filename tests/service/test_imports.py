"""The import page: upload → dry run (every bad row, what would be added and changed) → the import, all or nothing,
idempotent by key; on SQLite and PostgreSQL (conftest.py), and a process killed mid-import on SQLite."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from service import imports
from service import models as m

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"mentors": m.Mentor, "students": m.Student, "assignments": m.Assignment, "activities": m.Activity,
          "activity_students": m.ActivityStudent, "student_events": m.StudentEvent, "ratings": m.Rating}  # fmt: skip

# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def upload_folder(app: Any, tmp_path: Path) -> Path:
    """Uploads go to the test's own folder, never the instance folder."""
    folder = tmp_path / "uploads"
    app.config["IMPORT_FOLDER"] = str(folder)
    return folder


def school_ids(app: Any) -> tuple[int, int]:
    s1, s2 = app.config["info"]["schools"]
    return s1, s2


def counts(app: Any, school_id: int) -> dict[str, Any]:
    """Every table's rows of the school, the school's versions, and its import audit rows."""
    with app.extensions["db_sessions"]() as db:
        out: dict[str, Any] = {}
        for name, model in TABLES.items():
            if model is m.ActivityStudent:
                q = select(func.count()).select_from(m.ActivityStudent).join(m.Activity).where(m.Activity.school_id == school_id)
            else:
                q = select(func.count()).select_from(model).where(model.school_id == school_id)
            out[name] = db.scalar(q)
        school = db.get(m.School, school_id)
        out["versions"] = (school.data_version, school.roster_version)
        out["audit"] = db.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.school_id == school_id, m.AuditEntry.action == "import"))
        return out


def a_student(app: Any, school_id: int, offset: int = 0) -> m.Student:
    with app.extensions["db_sessions"]() as db:
        return db.scalars(select(m.Student).where(m.Student.school_id == school_id).order_by(m.Student.id).offset(offset)).first()


def a_mentor(app: Any, school_id: int) -> m.Mentor:
    with app.extensions["db_sessions"]() as db:
        return db.scalars(select(m.Mentor).where(m.Mentor.school_id == school_id).order_by(m.Mentor.id)).first()


def upload(c: Any, school_id: int, data: bytes, name: str, kind: str, status: int = 302) -> Any:
    page = f"/schools/{school_id}/import"
    r = c.post(page, {"file": (io.BytesIO(data), name), "kind": kind}, csrf_from=page, content_type="multipart/form-data")
    assert r.status_code == status, r.get_data(as_text=True)[:2000]
    return r


def dry_run(c: Any, school_id: int, data: bytes, name: str, kind: str) -> tuple[str, str]:
    """Upload a file; its dry-run page's path and HTML."""
    where = upload(c, school_id, data, name, kind).headers["Location"]
    r = c.get(where)
    assert r.status_code == 200
    return where, r.get_data(as_text=True)


def digest(html: str) -> str:
    found = re.search(r'name="digest" type="hidden" value="([0-9a-f]*)"', html)
    assert found, "no apply form on the page"
    return found.group(1)


def apply(c: Any, where: str, html: str) -> Any:
    return c.post(f"{where}/apply", {"digest": digest(html)}, csrf_from=where)


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def students_csv(rows: list[list[Any]]) -> bytes:
    lines = ["学号,姓名,年级,班级,标签", *(",".join(str(v) for v in r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")  # as Excel saves CSV on a Chinese Windows machine


# --------------------------------------------------------------------------- the tests


def test_a_clean_gb18030_students_csv_is_added_once(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = students_csv([[f"N{i:03d}", f"新生{i}", st.grade, st.class_name, "单亲;城区" if i % 2 else ""] for i in range(5)])
    where, html = dry_run(c, s1, data, "学生名单.csv", "students")
    assert "学生名单.csv" in html and "GB18030" in html
    assert re.search(r"<td>学生</td><td>学生名单.csv</td><td class=\"num\">5</td><td class=\"num\">0</td><td class=\"num\">0</td>", html), html
    assert counts(app, s1) == before  # a dry run writes nothing

    r = apply(c, where, html)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/schools/{s1}/import")
    after = counts(app, s1)
    assert after["students"] == before["students"] + 5
    assert after["versions"] == (before["versions"][0] + 1, before["versions"][1] + 1)
    assert after["audit"] == before["audit"] + 1
    page = c.get(f"/schools/{s1}/import").get_data(as_text=True)
    assert "新增 5" in page  # the flash, and the audit row in the recent imports
    with app.extensions["db_sessions"]() as db:
        tags = db.scalar(select(m.Student.tags).where(m.Student.school_id == s1, m.Student.code == "N001"))
    assert tags == "单亲;城区"
    assert c.get(where).status_code == 404  # the upload is gone once imported

    # the same file again: nothing to add or change, and importing it changes nothing
    where, html = dry_run(c, s1, data, "学生名单.csv", "students")
    assert re.search(r"<td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">5</td>", html), html
    assert "导入不会改变任何数据" in html
    assert apply(c, where, html).status_code == 302
    again = counts(app, s1)
    assert {k: v for k, v in again.items() if k != "audit"} == {k: v for k, v in after.items() if k != "audit"}


def test_an_xlsx_with_a_bad_row_lists_it_by_excel_row_and_is_refused(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = xlsx({"Sheet1": [["某某学校学生名单"], ["学号", "姓名", "年级", "班级"], ["X1", "甲", st.grade, st.class_name],
                            ["X2", "乙", st.grade, st.class_name], ["X3", "丙", "三年纪", st.class_name]]})  # fmt: skip
    where, html = dry_run(c, s1, data, "名单.xlsx", "students")
    assert re.search(r"<td>名单.xlsx</td><td class=\"num\">5</td><td>年级</td><td>“三年纪”不是年级", html), html
    assert 'name="digest"' not in html  # no import button while a row is bad
    r = c.post(f"{where}/apply", {"digest": ""}, csrf_from=where)
    assert r.status_code == 422
    assert "未导入任何数据" in r.get_data(as_text=True)
    assert counts(app, s1) == before

    # in English, the same row
    c.post("/lang/en", {}, csrf_from=where)
    html = c.get(where).get_data(as_text=True)
    assert "&#39;三年纪&#39; is not a grade" in html


def test_a_changed_name_is_shown_and_applied(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = students_csv([[st.code, st.name + "改", st.grade, st.class_name, st.tags]])
    where, html = dry_run(c, s1, data, "students.csv", "students")
    assert re.search(rf"<td>{st.code}</td><td>姓名</td><td>{st.name}</td><td>{st.name}改</td>", html), html
    assert apply(c, where, html).status_code == 302
    with app.extensions["db_sessions"]() as db:
        assert db.get(m.Student, st.id).name == st.name + "改"
    after = counts(app, s1)
    assert after["students"] == before["students"] and after["versions"][1] == before["versions"][1] + 1


def test_a_column_the_file_lacks_keeps_the_databases_values(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    c = login("admin1")
    with app.extensions["db_sessions"]() as db:
        st = db.scalars(select(m.Student).where(m.Student.school_id == s1, m.Student.tags != "").order_by(m.Student.id)).first()
    data = ("学号,姓名,年级,班级\n" + f"{st.code},{st.name}二,{st.grade},{st.class_name}\n").encode()
    where, html = dry_run(c, s1, data, "s.csv", "students")
    assert apply(c, where, html).status_code == 302
    with app.extensions["db_sessions"]() as db:
        now = db.get(m.Student, st.id)
        assert (now.name, now.tags) == (st.name + "二", st.tags)


def test_activities_may_name_students_only_the_database_has(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    a, b = a_student(app, s1), a_student(app, s1, 1)
    mentor = a_mentor(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = (f'编号,动作,日期,工号,学号,时长,备注\nIMP-1,家访,2025-10-08,{mentor.code},"{a.code};{b.code}",30,"第一行\n第二行"\n'
            f"IMP-2,谈心,2025/10/9,{mentor.code},{a.code},,\n").encode()  # fmt: skip
    where, html = dry_run(c, s1, data, "活动.csv", "activities")
    assert re.search(r"<td>活动记录</td><td>活动.csv</td><td class=\"num\">2</td>", html), html
    assert apply(c, where, html).status_code == 302
    after = counts(app, s1)
    assert after["activities"] == before["activities"] + 2 and after["activity_students"] == before["activity_students"] + 3
    # only new activities: the roster version stays, so every worker adds just them to its cached copy
    assert after["versions"] == (before["versions"][0] + 1, before["versions"][1])
    with app.extensions["db_sessions"]() as db:
        act = db.scalar(select(m.Activity).where(m.Activity.school_id == s1, m.Activity.code == "IMP-1"))
        assert (act.date.isoformat(), act.duration_min, act.note, act.data_version) == ("2025-10-08", 30, "第一行\n第二行", after["versions"][0])
        assert [x.student_id for x in act.students] == [a.id, b.id]

    # the same activity again with one student fewer: a change, its links replaced
    data = f"编号,动作,日期,工号,学号,时长,备注\nIMP-1,家访,2025-10-08,{mentor.code},{b.code},30,第一行\n".encode()
    where, html = dry_run(c, s1, data, "活动.csv", "activities")
    assert f"{a.code};{b.code}</td><td>{b.code}" in html
    assert apply(c, where, html).status_code == 302
    with app.extensions["db_sessions"]() as db:
        act = db.scalar(select(m.Activity).where(m.Activity.school_id == s1, m.Activity.code == "IMP-1"))
        assert [x.student_id for x in act.students] == [b.id] and act.note == "第一行"
    assert counts(app, s1)["versions"][1] == before["versions"][1] + 1  # a changed activity moves the roster version too


def test_a_workbook_of_several_sheets(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = xlsx({
        "导师": [["工号", "姓名", "角色"], ["WB-M1", "新导师", "导师"]],
        "学生": [["学号", "姓名", "年级", "班级"], ["WB-S1", "新学生", st.grade, st.class_name]],
        "结对": [["工号", "学号", "开始"], ["WB-M1", "WB-S1", "2025-09-01"], ["WB-M1", st.code, "2025-09-01"]],
        "活动": [["编号", "动作", "日期", "工号", "学号"], ["WB-A1", "家访", "2025-10-10", "WB-M1", "WB-S1;" + st.code]],
        "学生事件": [["学号", "类型", "日期"], ["WB-S1", "重大变故", "2025-10-01"]],
        "说明": [["这张表不导入"]],
    })  # fmt: skip
    where, html = dry_run(c, s1, data, "全校数据.xlsx", "workbook")
    for sheet in ("全校数据.xlsx:导师", "全校数据.xlsx:学生", "全校数据.xlsx:结对", "全校数据.xlsx:活动", "全校数据.xlsx:学生事件"):
        assert sheet in html
    assert "说明" in html  # the sheet not read is named
    assert apply(c, where, html).status_code == 302
    after = counts(app, s1)
    assert {k: after[k] - before[k] for k in TABLES} == {"mentors": 1, "students": 1, "assignments": 2, "activities": 1, "activity_students": 2,
                                                         "student_events": 1, "ratings": 0}  # fmt: skip


def test_a_bad_reference_across_sheets_is_a_bad_row_of_the_upload(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    c = login("admin1")
    before = counts(app, s1)
    data = xlsx({"结对": [["工号", "学号"], ["NOBODY", "NOONE"]]})
    where, html = dry_run(c, s1, data, "结对.xlsx", "workbook")
    assert "结对.xlsx:结对" in html and "未知的导师编号“NOBODY”" in html and "未知的学生编号“NOONE”" in html
    assert c.post(f"{where}/apply", {"digest": ""}, csrf_from=where).status_code == 422
    assert counts(app, s1) == before


def test_uploads_that_are_no_table(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    c = login("admin1")
    html = upload(c, s1, b"x", "data.txt", "students", status=400).get_data(as_text=True)
    assert "文件须为" in html
    upload(c, s1, b"id,name\n", "book.csv", "workbook", status=400)
    # a file that is not what its name says: the dry run says so, and nothing can be imported
    where, html = dry_run(c, s1, b"not a workbook", "students.xlsx", "students")
    assert "文件无法读取" in html and 'name="digest"' not in html
    # a header without the required columns
    where, html = dry_run(c, s1, "学号,姓名\nS1,甲\n".encode(), "s.csv", "students")
    assert "缺少必需的列“年级”" in html


def test_another_schools_admin_cannot_use_the_token(app: Any, login: Any) -> None:
    s1, s2 = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    where, html = dry_run(c, s1, students_csv([["T1", "甲", st.grade, st.class_name, ""]]), "s.csv", "students")
    token = where.rsplit("/", 1)[1]
    other = login("admin2")
    assert other.get(where).status_code == 404  # not their school
    assert other.get(f"/schools/{s2}/import/{token}").status_code == 404  # not their upload
    assert other.post(f"/schools/{s2}/import/{token}/apply", {"digest": digest(html)}, csrf_from=f"/schools/{s2}/import").status_code == 404
    assert other.post(f"/schools/{s2}/import/{token}/discard", {}, csrf_from=f"/schools/{s2}/import").status_code == 404
    assert c.get(where).status_code == 200  # still the owner's


def test_a_mentor_may_not_import(login: Any, app: Any) -> None:
    s1, _ = school_ids(app)
    assert login("mentor1a").get(f"/schools/{s1}/import").status_code == 403


def test_tokens_are_the_uploaders_and_expire(app: Any, upload_folder: Path) -> None:
    s1, _ = school_ids(app)
    admin = app.config["info"]["users"]["admin1"]
    saved = imports.save_upload(upload_folder, io.BytesIO(b"id,name,grade,class\n"), "../../etc/passwd.csv", "students", s1, 1, now=1000.0)
    assert saved.path.parent.parent == upload_folder / saved.token and saved.file == "students.csv" and saved.name == "passwd.csv"
    assert imports.open_upload(upload_folder, saved.token, s1, 1, now=1000.0 + 60) is not None
    assert imports.open_upload(upload_folder, saved.token, s1, 2, now=1000.0 + 60) is None  # another user of the school
    assert imports.open_upload(upload_folder, "../" + saved.token[3:], s1, 1, now=1000.0) is None
    assert imports.open_upload(upload_folder, saved.token, s1, 1, now=1000.0 + imports.TTL_SECONDS + 1) is None
    assert not saved.folder.exists()  # an expired upload is removed
    assert admin["role"] == "school_admin"


def test_discard_removes_the_upload(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    c = login("admin1")
    where, _ = dry_run(c, s1, students_csv([]), "s.csv", "students")
    assert c.post(f"{where}/discard", {}, csrf_from=where).status_code == 302
    assert c.get(where).status_code == 404


def test_a_stale_dry_run_is_not_applied(app: Any, login: Any) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    where, html = dry_run(c, s1, students_csv([[st.code, "别名", st.grade, st.class_name, ""]]), "s.csv", "students")
    with app.extensions["db_sessions"]() as db:  # someone changes the student meanwhile
        db.get(m.Student, st.id).name = "别名"
        db.commit()
    r = c.post(f"{where}/apply", {"digest": digest(html)}, csrf_from=where)
    assert r.status_code == 409 and "自检查以来学校的数据有了变化" in r.get_data(as_text=True)
    assert counts(app, s1) == before


def test_an_import_failing_midway_leaves_nothing_behind(app: Any, login: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    mentor = a_mentor(app, s1)
    c = login("admin1")
    before = counts(app, s1)
    data = xlsx({"学生": [["学号", "姓名", "年级", "班级"], ["F1", "甲", st.grade, st.class_name], [st.code, "改名", st.grade, st.class_name]],
                 "活动": [["编号", "动作", "日期", "工号", "学号"], ["F-A1", "家访", "2025-10-10", mentor.code, "F1"]]})  # fmt: skip
    where, html = dry_run(c, s1, data, "book.xlsx", "workbook")
    real = imports.write._write_activities
    written: list[int] = []

    def fails(session: Any, *args: Any, **kw: Any) -> None:
        real(session, *args, **kw)
        session.flush()
        written.append(session.scalar(select(func.count()).select_from(m.Student).where(m.Student.school_id == s1)))
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports.write, "_write_activities", fails)
    r = apply(c, where, html)
    assert r.status_code == 500 and "导入失败，没有写入任何数据" in r.get_data(as_text=True)
    assert written == [before["students"] + 1]  # the students were written inside the transaction …
    assert counts(app, s1) == before  # … and rolled back with the rest
    with app.extensions["db_sessions"]() as db:
        assert db.get(m.Student, st.id).name == st.name
    monkeypatch.setattr(imports.write, "_write_activities", real)
    assert apply(c, where, c.get(where).get_data(as_text=True)).status_code == 302  # the upload is still there: it imports now
    assert counts(app, s1)["students"] == before["students"] + 1


KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from service import imports, models as m
    from service.db import make_engine, sessions

    url, root, token, school_id, user_id = sys.argv[1:]
    real = imports.write._write_activities

    def stalls(session, *args, **kw):
        real(session, *args, **kw)
        session.flush()
        print("written", flush=True)
        time.sleep(120)

    imports.write._write_activities = stalls
    db = sessions(make_engine(url))()
    school = db.get(m.School, int(school_id))
    upload = imports.open_upload(Path(root), token, int(school_id), int(user_id))
    imports.apply(db, school, upload, int(user_id))
    print("committed", flush=True)
""")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_process_killed_in_the_middle_of_an_import_leaves_nothing(app: Any, login: Any, upload_folder: Path) -> None:
    s1, _ = school_ids(app)
    st = a_student(app, s1)
    mentor = a_mentor(app, s1)
    user_id = app.config["info"]["users"]["admin1"]
    with app.extensions["db_sessions"]() as db:
        uid = db.scalar(select(m.User.id).where(m.User.username == "admin1"))
    assert user_id["school_id"] == s1
    before = counts(app, s1)
    data = xlsx({"学生": [["学号", "姓名", "年级", "班级"], *[[f"K{i}", f"生{i}", st.grade, st.class_name] for i in range(50)]],
                 "活动": [["编号", "动作", "日期", "工号", "学号"], ["K-A1", "家访", "2025-10-10", mentor.code, "K1;K2"]]})  # fmt: skip
    saved = imports.save_upload(upload_folder, io.BytesIO(data), "book.xlsx", "workbook", s1, uid)
    url = app.config["DATABASE_URL"]
    proc = subprocess.Popen([sys.executable, "-c", KILLED, url, str(upload_folder), saved.token, str(s1), str(uid)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "written", (line, proc.stderr.read() if proc.stderr else "")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert counts(app, s1) == before  # not one row of the 50 students and the activity
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # the lock died with the process: the same upload imports now, whole
    start = time.monotonic()
    with app.extensions["db_sessions"]() as db:
        imports.apply(db, db.get(m.School, s1), imports.open_upload(upload_folder, saved.token, s1, uid), uid)
    assert time.monotonic() - start < 20
    after = counts(app, s1)
    assert (after["students"], after["activities"], after["activity_students"]) == (before["students"] + 50, before["activities"] + 1,
                                                                                   before["activity_students"] + 2)  # fmt: skip


def test_an_empty_name_is_a_bad_row_not_a_change(app: Any, login: Any) -> None:
    """A roster row whose 姓名 is blank would wipe the name the school keeps: the dry run refuses it, on its row."""
    c = login("admin1")
    s1 = app.config["info"]["schools"][0]
    with app.extensions["db_sessions"]() as db:
        student = db.scalar(select(m.Student).where(m.Student.school_id == s1).order_by(m.Student.id))
    text = f"学号,姓名,年级,班级\n{student.code},,{student.grade},{student.class_name}\n"
    r = c.post(f"/schools/{s1}/import", {"file": (io.BytesIO(text.encode("utf-8")), "students.csv"), "kind": "students"},
               csrf_from=f"/schools/{s1}/import", content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "姓名为空" in page and "students.csv" in page
