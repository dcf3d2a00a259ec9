"""The scheme page: the text in force with line numbers, a new version uploaded and checked (every error shown on its
line), its effective date, and the version history with a diff between any two versions."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rules_dsl import ast
from rules_dsl.baselines import SHIPPED
from rules_dsl.compiler import compile_program, diagnose
from rules_dsl.errors import Diagnostic, SchemeError, Text
from rules_dsl.parser import MAX_BYTES, parse_file_text
from rules_dsl.program import load_program_text

from .. import models as m
from ..access import allow, audit
from ..i18n import t
from ..repository import current_scheme, today_at
from .common import school, user

bp = Blueprint("scheme", __name__)
# `extends "…"` in an uploaded scheme reads a district baseline shipped with the service, never another file
BASELINES = SHIPPED


class SchemeForm(FlaskForm):
    file = FileField()
    text = TextAreaField(validators=[Optional(), Length(max=MAX_BYTES)])
    effective = DateField(validators=[DataRequired()])
    note = StringField(validators=[Optional(), Length(max=500)])


def check_scheme(text: str, file_name: str) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The IR and the warnings, or None and every diagnostic. Compiled as if it sat beside the baselines."""
    file = str(BASELINES / os.path.basename(file_name or "scheme.scheme"))
    parsed = parse_file_text(text, file)
    outside = [s for s in parsed.tree.statements if isinstance(s, ast.Header) and s.kind == "extends"
               and not os.path.normpath(os.path.join(BASELINES, s.value)).startswith(str(BASELINES) + os.sep)]  # fmt: skip
    if outside:
        s = outside[0]
        return None, [Diagnostic("extends-outside", Text(f"只能继承区级基线方案（{', '.join(p.name for p in sorted(BASELINES.glob('*.scheme')))}）",
                                                         f"only a district baseline can be extended ({', '.join(p.name for p in sorted(BASELINES.glob('*.scheme')))})"),
                                 file, s.span.line, s.span.column)]  # fmt: skip
    program = load_program_text(text, file)
    found = diagnose(program)
    if any(d.severity == "error" for d in found):
        return None, found
    try:
        return compile_program(program), found
    except SchemeError as e:
        return None, e.diagnostics


def _versions(school_id: int) -> list[m.SchemeVersion]:
    return list(g.db.scalars(select(m.SchemeVersion).where(m.SchemeVersion.school_id == school_id).order_by(m.SchemeVersion.number.desc())))


def _page(sch: m.School, form: SchemeForm, *, text: str | None = None, diagnostics: list[Diagnostic] | None = None,
          shown: m.SchemeVersion | None = None, status: int = 200) -> Any:  # fmt: skip
    today = today_at(sch)
    current = current_scheme(g.db, sch.id, today)
    shown = shown or current or next(iter(_versions(sch.id)), None)
    source = text if text is not None else (shown.source if shown else "")
    by_line: dict[int, list[Diagnostic]] = {}
    for d in diagnostics or []:
        if d.file.endswith(os.path.basename(d.file)):
            by_line.setdefault(d.line, []).append(d)
    lines = source.splitlines() or [""]
    # a diagnostic past the last line (an unexpected end of text) is shown on the last line
    for line in [n for n in by_line if n > len(lines)]:
        by_line.setdefault(len(lines), []).extend(by_line.pop(line))
    return render_template("scheme.html", school=sch, form=form, lines=lines, by_line=by_line, diagnostics=diagnostics or [],
                           current=current, shown=shown, versions=_versions(sch.id), uploaded=text is not None,
                           today=today), status  # fmt: skip


@bp.route("/schools/<int:school_id>/scheme")
@allow("school_admin", "head_teacher", "mentor", school=True)
def show(school_id: int) -> Any:
    sch = school(school_id)
    form = SchemeForm()
    form.effective.data = today_at(sch)
    shown = None
    if request.args.get("version"):
        shown = g.db.scalar(select(m.SchemeVersion).where(m.SchemeVersion.school_id == sch.id,
                                                          m.SchemeVersion.number == request.args.get("version", type=int)))  # fmt: skip
        if shown is None:
            abort(404)
    shown_or_current = shown or current_scheme(g.db, sch.id, today_at(sch)) or next(iter(_versions(sch.id)), None)
    if shown_or_current is not None:
        form.text.data = shown_or_current.source  # a new version starts from the exact text of this one
    return _page(sch, form, shown=shown)


@bp.route("/schools/<int:school_id>/scheme", methods=["POST"])
@allow("school_admin", school=True)
def upload(school_id: int) -> Any:
    sch = school(school_id)
    form = SchemeForm()
    if not form.validate_on_submit():
        return _page(sch, form, status=400)
    upload = form.file.data
    name = "scheme.scheme"
    if upload and upload.filename:
        name = os.path.basename(upload.filename)
        raw = upload.read(MAX_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [t("方案文件须为 UTF-8 编码。", "A scheme file must be UTF-8 text.")]
            return _page(sch, form, status=400)
    else:
        text = form.text.data or ""
    text = text.replace("\r\n", "\n")  # a browser sends a textarea with CRLF line ends
    if not text.strip():
        form.text.errors = [t("请上传方案文件或粘贴方案文本。", "Upload a scheme file or paste its text.")]
        return _page(sch, form, status=400)
    ir, diagnostics = check_scheme(text, name)
    if ir is None:
        return _page(sch, form, text=text, diagnostics=diagnostics, status=422)
    number = (g.db.scalar(select(func.max(m.SchemeVersion.number)).where(m.SchemeVersion.school_id == sch.id)) or 0) + 1
    effective: dt.date = form.effective.data
    g.db.add(m.SchemeVersion(school_id=sch.id, number=number, file_name=name, source=text, ir=ir, effective=effective,
                             author_id=user().id, note=form.note.data or ""))  # fmt: skip
    g.db.commit()
    audit("publish-scheme", target=f"school:{sch.id}:v{number}", school_id=sch.id)
    flash(t(f"已发布第 {number} 版，{effective.isoformat()} 起生效。", f"Version {number} published, in force from {effective.isoformat()}."))
    return redirect(url_for("scheme.show", school_id=sch.id))


@bp.route("/schools/<int:school_id>/scheme/diff")
@allow("school_admin", "head_teacher", "mentor", school=True)
def diff(school_id: int) -> Any:
    sch = school(school_id)
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    found = {v.number: v for v in _versions(sch.id) if v.number in (a, b)}
    if a not in found or b not in found:
        abort(404)
    old, new = found[a], found[b]
    lines = list(difflib.unified_diff(old.source.splitlines(), new.source.splitlines(), f"v{a}", f"v{b}", lineterm="", n=3))
    return render_template("scheme_diff.html", school=sch, old=old, new=new, lines=lines)
