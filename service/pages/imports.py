"""The import page: a CSV or Excel file of one table (or a workbook of several) uploaded, its dry run (every bad row,
what would be added and changed), then the import, all or nothing (service/imports/ does the work).

    GET  /schools/<id>/import                    the form, and the school's last imports
    POST /schools/<id>/import                    the file kept under a token → its dry run
    GET  /schools/<id>/import/<token>            the dry run
    POST /schools/<id>/import/<token>/apply      the import (refused while a row is bad)
    POST /schools/<id>/import/<token>/discard    the file thrown away
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, SelectField

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    def SelectChoice(value: str, label: str) -> Any:  # type: ignore[no-redef]
        return (value, label)

from .. import imports
from .. import models as m
from ..access import allow
from ..i18n import t
from .common import school, user

bp = Blueprint("imports", __name__)

KIND_LABELS = {
    "students": ("学生", "Students"),
    "mentors": ("导师", "Mentors"),
    "assignments": ("结对", "Assignments"),
    "activities": ("活动记录", "Activities"),
    "student_events": ("学生事件", "Student events"),
    "ratings": ("手工评分", "Ratings"),
    imports.WORKBOOK: ("整个工作簿（每张表一个工作表）", "A workbook (one sheet per table)"),
}
RECENT = 10  # the school's last imports listed on the page


class UploadForm(FlaskForm):
    file = FileField()
    kind = SelectField(default="students")  # choices: _form(), in the reader's language


class ApplyForm(FlaskForm):
    digest = HiddenField()


class DiscardForm(FlaskForm):
    pass


def root() -> Path:
    """Where uploads wait for their apply: IMPORT_FOLDER, else the instance folder's `uploads`."""
    return Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "uploads")


def kind_label(kind: str) -> str:
    zh, en = KIND_LABELS.get(kind, (kind, kind))
    return t(zh, en)


def _form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = [SelectChoice(k, kind_label(k)) for k in KIND_LABELS]
    return form


def _upload(school_id: int, token: str) -> imports.Upload:
    """The signed-in admin's own upload for this school, or 404 (another's token, an expired one, none)."""
    found = imports.open_upload(root(), token, school_id, user().id)
    if found is None:
        abort(404)
    return found


def _recent(sch: m.School) -> list[tuple[m.AuditEntry, str, str]]:
    """The latest imports: (entry, who, when in the school's own time zone)."""
    rows = g.db.execute(select(m.AuditEntry, m.User.username).outerjoin(m.User, m.User.id == m.AuditEntry.user_id)
                        .where(m.AuditEntry.school_id == sch.id, m.AuditEntry.action == "import")
                        .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc()).limit(RECENT)).all()  # fmt: skip
    zone = ZoneInfo(sch.timezone or "Asia/Shanghai")
    return [(a, name or "", a.at.replace(tzinfo=dt.UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")) for a, name in rows]


def _page(sch: m.School, form: UploadForm, status: int = 200) -> Any:
    return render_template("imports.html", school=sch, form=form, recent=_recent(sch), kind_label=kind_label), status


@bp.route("/schools/<int:school_id>/import")
@allow("school_admin", school=True)
def page(school_id: int) -> Any:
    return _page(school(school_id), _form())


@bp.route("/schools/<int:school_id>/import", methods=["POST"])
@allow("school_admin", school=True)
def upload(school_id: int) -> Any:
    sch = school(school_id)
    form = _form()
    if not form.validate_on_submit():
        return _page(sch, form, 400)
    file = form.file.data
    if file is None or not getattr(file, "filename", ""):
        form.file.errors = [t("请选择要上传的文件。", "Choose a file to upload.")]
        return _page(sch, form, 400)
    problem = imports.file_problem(file.filename, form.kind.data)
    if problem is not None:
        form.file.errors = [t(problem.zh, problem.en)]
        return _page(sch, form, 400)
    saved = imports.save_upload(root(), file.stream, file.filename, form.kind.data, sch.id, user().id)
    return redirect(url_for("imports.check", school_id=sch.id, token=saved.token))


def _check_page(sch: m.School, plan: imports.Plan, status: int = 200, message: str | None = None) -> Any:
    form = ApplyForm()
    form.digest.data = plan.digest
    return render_template("import_check.html", school=sch, plan=plan, form=form, discard_form=DiscardForm(), kind_label=kind_label,
                           message=message, shown=imports.SHOWN), status  # fmt: skip


@bp.route("/schools/<int:school_id>/import/<token>")
@allow("school_admin", school=True)
def check(school_id: int, token: str) -> Any:
    sch = school(school_id)
    found = _upload(sch.id, token)
    plan = imports.check(g.db, sch, found)
    g.db.rollback()  # a read: nothing to keep
    return _check_page(sch, plan)


@bp.route("/schools/<int:school_id>/import/<token>/apply", methods=["POST"])
@allow("school_admin", school=True)
def apply(school_id: int, token: str) -> Any:
    sch = school(school_id)
    found = _upload(sch.id, token)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = imports.apply(g.db, sch, found, user().id, request.remote_addr or "", digest=form.digest.data or None)
    except imports.Refused as e:
        return _check_page(sch, e.plan, 422, t("文件中有错误，未导入任何数据：请按下面列出的问题修改文件后重新上传。",
                                               "The file has errors and nothing was imported: fix the problems listed below and upload it again."))  # fmt: skip
    except imports.Stale as e:
        return _check_page(sch, e.plan, 409, t("自检查以来学校的数据有了变化，未导入：请查看下面新的检查结果，再确认导入。",
                                               "The school's data changed since the check and nothing was imported: review the new check below and import again."))  # fmt: skip
    except Exception:  # noqa: BLE001 - the transaction was rolled back whole; the clerk is told so, the log keeps the cause
        current_app.logger.exception("import %s into school %s failed", found.name, sch.id)
        return _check_page(sch, imports.check(g.db, sch, found), 500, t("导入失败，没有写入任何数据。请稍后重试；若仍失败，请联系管理员。",
                                                                        "The import failed and nothing was written. Try again later; if it fails again, contact your administrator."))  # fmt: skip
    summary = plan.summary()
    flash(t(f"已导入 {found.name}：{summary.zh}。", f"Imported {found.name}: {summary.en}."))
    return redirect(url_for("imports.page", school_id=sch.id))


@bp.route("/schools/<int:school_id>/import/<token>/discard", methods=["POST"])
@allow("school_admin", school=True)
def discard(school_id: int, token: str) -> Any:
    sch = school(school_id)
    found = _upload(sch.id, token)
    if not DiscardForm().validate_on_submit():
        abort(400)
    imports.discard(found)
    flash(t(f"已放弃 {found.name}，未导入。", f"{found.name} discarded; nothing was imported."))
    return redirect(url_for("imports.page", school_id=sch.id))
