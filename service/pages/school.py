"""The school dashboard: completion per duty and per class, the overdue list by mentor, ratio violations (advisory
apart), the mentors' scores and tiers; and the export of every duty as CSV or Excel (audited)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from flask import Blueprint, Response, abort, render_template, send_file
from markupsafe import Markup

from ..access import allow, audit
from ..i18n import current_lang, status_word, t
from ..status import completion
from .common import evaluation, school

bp = Blueprint("school", __name__)


def _percent(done: int, begun: int) -> float | None:
    """None before anything has begun: a chart leaves the bar out and a table shows "—", not a 0 % nobody failed."""
    return round(100.0 * done / begun, 1) if begun else None


@bp.route("/schools/<int:school_id>/dashboard")
@allow("school_admin", school=True)
def dashboard(school_id: int) -> Any:
    sch = school(school_id)
    ev = evaluation(sch)
    if ev is None:
        return render_template("dashboard.html", school=sch, body=Markup(render_template("_dashboard_body.html", school=sch, ev=None)))
    key = ("dashboard", current_lang())
    body = ev.memo.get(key)
    if body is None:
        body = ev.memo[key] = Markup(render_template("_dashboard_body.html", school=sch, ev=ev, **_figures(ev)))
    return render_template("dashboard.html", school=sch, body=body)


def _figures(ev: Any) -> dict[str, Any]:
    c = completion(ev.report)
    rule_chart = {"kind": "bar", "horizontal": True, "stack": True, "categories": [r[0] for r in c.by_rule],
                  "series": [{"name": t("已完成", "done"), "data": [r[1] for r in c.by_rule]},
                             {"name": t("已逾期", "overdue"), "data": [r[2] for r in c.by_rule]},
                             {"name": t("进行中", "open"), "data": [r[3] - r[1] - r[2] for r in c.by_rule]}]}  # fmt: skip
    class_chart = {"kind": "bar", "percent": True, "categories": [k for k, _, _ in c.by_class],
                   "series": [{"name": t("完成率 %", "done %"), "data": [_percent(d, b) for _, d, b in c.by_class]}]}  # fmt: skip
    ratios = [r for r in ev.report.ratios if not r.ok]
    b = ev.report.bundle
    names = {mm.id: mm.name for mm in b.mentors} | {s.id: s.name for s in b.students}
    unmentored = [r for r in ratios if r.ratio.direction == "mentors_per_student" and r.value == 0]
    worst = sorted((row for row in c.by_class if row[2]), key=lambda row: row[1] / row[2])[:3]
    return {"c": c, "rule_chart": json.dumps(rule_chart, ensure_ascii=False), "class_chart": json.dumps(class_chart, ensure_ascii=False),
            "percent": _percent, "violations": [r for r in ratios if not r.ratio.advisory],
            "advisories": [r for r in ratios if r.ratio.advisory], "scores": ev.report.scores, "names": names,
            "unmentored": unmentored, "worst_classes": worst, "has_tiers": any(sc.rating for sc in ev.report.scores),
            "ratio_words": {"students_per_mentor": t("每位导师的学生数", "students per mentor"),
                            "mentors_per_student": t("每名学生的导师数", "mentors per student")}}  # fmt: skip


HEAD_ZH = ["任务", "动作", "学生", "学号", "班级", "导师", "工号", "开始", "结束", "截止", "次数", "至少", "状态"]
HEAD_EN = ["duty", "action", "student", "student id", "class", "mentor", "mentor id", "window start", "window end", "due", "count", "min", "status"]


def _rows(ev: Any) -> Any:
    """Every duty as a row a clerk can chase with: names and class beside the ids, dates as dates."""
    b = ev.report.bundle
    students = {st.id: st for st in b.students}
    mentor_names = {mm.id: mm.name for mm in b.mentors}
    title = {a.name: a.title or a.name for a in ev.scheme.actions}  # the action as the scheme (and the log form) names it
    for rule, rows in ev.report.duty_rows():
        for subject, mentors, start, end, due, count, status, _evidence, _event in rows:
            code = subject.split("/", 1)[1] if rule.scope == "pair" else subject
            st = students.get(code) if rule.scope in ("student", "pair") else None
            klass = st.class_name if st else (subject if rule.scope == "class" else "")  # a class duty's class, in the class column
            yield [rule.label or rule.id, title.get(rule.action, rule.action), st.name if st else "", st.id if st else "", klass,
                   "、".join(mentor_names.get(x, x) for x in mentors), ";".join(mentors), dt.date.fromisoformat(start),
                   dt.date.fromisoformat(end), dt.date.fromisoformat(due), count, rule.min, status_word(status)]  # fmt: skip


@bp.route("/schools/<int:school_id>/export.<fmt>")
@allow("school_admin", school=True)
def export(school_id: int, fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    sch = school(school_id)
    ev = evaluation(sch)
    if ev is None:
        abort(404)
    audit("export", target=f"school:{sch.id}:{fmt}")
    head = HEAD_EN if t("zh", "en") == "en" else HEAD_ZH
    name = f"duties-{ev.day.isoformat()}.{fmt}"
    if fmt == "csv":
        import csv

        out = io.StringIO()
        out.write("\ufeff")  # a BOM, so Excel opens the UTF-8 as UTF-8
        w = csv.writer(out)
        w.writerow(head)
        w.writerows([v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in _rows(ev))
        return Response(out.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(t("任务", "duties"))
    ws.freeze_panes = "A2"  # the header stays in view
    widths = [28, 10, 10, 10, 10, 14, 10, 12, 12, 12, 6, 6, 10]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(head)
    n = 1
    for row in _rows(ev):
        ws.append(row)  # dates go in as date cells, which Excel sorts and filters as dates
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{n}"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True, download_name=name)
