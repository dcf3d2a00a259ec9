"""The report for people: a terminal table (overdue first, by mentor), CSV, and plain-words explanations."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from operator import itemgetter
from typing import Any

from ..model.bundle import Bundle
from ..model.scheme import Anchor, By, EventSpec, FirstDays, LastDays, Rule, WindowClause
from .report import Duty, Report, round4

STATUS_ORDER = {"overdue": 0, "open": 1, "exceeded": 2, "upcoming": 3, "satisfied": 4}
STATUS_ZH = {"overdue": "逾期", "open": "进行中", "exceeded": "超出", "upcoming": "未开始", "satisfied": "已完成"}
UNIT = {
    "term": ("per term", "每学期"),
    "school_year": ("per school_year", "每学年"),
    "month": ("per month", "每月"),
    "half_month": ("per half_month", "每半月"),
    "week": ("per week", "每周"),
}
DIRECTION_ZH = {"after": "之后", "before": "之前", "around": "前后"}
SCOPE_ZH = {"student": "学生", "pair": "结对", "mentor": "导师", "class": "班级"}
NO_MENTOR = ("(no mentor)", "（无导师）")


def bound_text(rule: Rule, lang: str) -> str:
    lo, hi = rule.min, rule.max
    if lang == "zh":
        if hi is None:
            return f"至少 {lo} 次"
        if lo == 0:
            return f"至多 {hi} 次"
        return f"恰好 {lo} 次" if lo == hi else f"{lo}–{hi} 次"
    if hi is None:
        return f"at least {lo}"
    if lo == 0:
        return f"at most {hi}"
    return f"exactly {lo}" if lo == hi else f"between {lo} and {hi}"


def rule_text(rule: Rule, lang: str) -> str:
    """The rule's action and period in a few words: '谈心 per month', '谈心 within 7 days after 重大变故'."""
    zh = lang == "zh"
    if rule.moments is not None:
        text = f"{rule.action} 每学期 关键时间节点" if zh else f"{rule.action} per term at key moments"
    elif rule.event is not None:
        e = rule.event
        if zh:
            text = f"{rule.action} 事件“{e.kind}”{DIRECTION_ZH[e.direction]} {e.days} 天内"
        else:
            text = f"{rule.action} within {e.days} days {e.direction} {e.kind}"
    else:
        p = rule.period
        assert p is not None
        if p.unit in UNIT:
            period = UNIT[p.unit][1 if zh else 0]
        elif p.unit == "weeks":
            period = f"每 {p.n} 周" if zh else f"per {p.n} weeks"
        else:
            period = f"每 {p.n} 天" if zh else f"per {p.n} days"
        text = f"{rule.action} {period}"
        if rule.window is not None:
            text += " " + clause_text(rule.window, zh)
    if rule.scope != "student":
        text += f" 每{SCOPE_ZH[rule.scope]}" if zh else f" per {rule.scope}"
    return text


def clause_text(w: WindowClause, zh: bool) -> str:
    """A window clause as the language writes it: '期末前 21 天内', 'from 30 days before term start to term end'."""
    if isinstance(w, FirstDays):  # the language's own Chinese order: 学期后 N 天 would read as "after the term"
        return f"开学后 {w.days} 天内" if zh else f"within first {w.days} days of term"
    if isinstance(w, LastDays):
        return f"期末前 {w.days} 天内" if zh else f"within last {w.days} days of term"
    if isinstance(w, By):
        return f"截止 {w.month:02d}-{w.day:02d}" if zh else f"by {w.month:02d}-{w.day:02d}"
    return f"从{_anchor(w.start, zh)}到{_anchor(w.end, zh)}" if zh else f"from {_anchor(w.start, zh)} to {_anchor(w.end, zh)}"


def moment_alternatives(rule: Rule, lang: str) -> str:
    """A key-moment rule's alternatives as written, for any subject: '事件“考试”前后 14 天内或事件“重大变故”之后 7 天内'."""
    zh = lang == "zh"
    assert rule.moments is not None
    parts = []
    for m in rule.moments:
        if isinstance(m, EventSpec):
            parts.append(f"事件“{m.kind}”{DIRECTION_ZH[m.direction]} {m.days} 天内" if zh else f"within {m.days} days {m.direction} {m.kind}")
        else:
            parts.append(clause_text(m, zh))
    return "或".join(parts) if zh else " or ".join(parts)


def moments_text(d: Duty, report: Report, lang: str) -> str:
    """A key-moment duty's moments for its subject in words: '考试 on 11-10 ±14 days or 重大变故 on 10-03 +7 days'."""
    zh = lang == "zh"
    rule, b, term = d.rule, report.bundle, report.term
    assert rule.moments is not None
    student_id = d.subject if rule.scope == "student" else _pair_student(b, d.subject)
    i = b.student_index.get(student_id or "")
    grade = b.students[i].grade if i is not None else None
    parts = []
    for m in rule.moments:
        if not isinstance(m, EventSpec):
            parts.append(clause_text(m, zh))
            continue
        days = sorted({e.date for e in b.calendar.events if e.kind == m.kind and term.start <= e.date <= term.end
                       and (e.grades is None or grade in e.grades)}
                      | {e.date for e in b.student_events if e.kind == m.kind and e.student_id == student_id and term.start <= e.date <= term.end})  # fmt: skip
        if not days:
            continue
        when = "、".join(f"{x:%m-%d}" for x in days) if zh else " and ".join(f"{x:%m-%d}" for x in days)
        if zh:
            parts.append(f"{m.kind} {when} {DIRECTION_ZH[m.direction]} {m.days} 天")
        else:
            parts.append(f"{m.kind} on {when} {dict(after='+', before='−', around='±')[m.direction]}{m.days} days")
    return "或".join(parts) if zh else " or ".join(parts)


def _anchor(a: Anchor, zh: bool) -> str:
    point = ("开学" if a.anchor == "term_start" else "期末") if zh else a.anchor.replace("_", " ")
    if a.offset_days == 0:
        return point
    n = abs(a.offset_days)
    if zh:
        return f"{point}{'前' if a.offset_days < 0 else '后'} {n} 天"
    return f"{n} day{'s' if n != 1 else ''} {'before' if a.offset_days < 0 else 'after'} {point}"


class _Subjects(dict[str, str]):
    """Duty subjects as a clerk reads them, for one scope, memoised per label: a student's id with
    the name ('S00001 张三'), a pair's `MENTOR/STUDENT` label with the student's name
    ('T001/S00001 张三'); mentors and classes as they are (mentor names head the table's groups).

    One dict lookup per duty: a table of 50,000 duties names each of a few thousand students once.
    """

    def __init__(self, bundle: Bundle, scope: str):
        super().__init__()
        self.bundle, self.scope = bundle, scope

    def __missing__(self, label: str) -> str:
        student = label if self.scope == "student" else _pair_student(self.bundle, label) if self.scope == "pair" else None
        name = _student_name(self.bundle, student) if student is not None else ""
        value = self[label] = f"{label} {name}" if name else label
        return value


def _student_name(bundle: Bundle, student_id: str) -> str:
    """The student's name, or '' for an id not in the bundle."""
    i = bundle.student_index.get(student_id)
    return "" if i is None else bundle.students[i].name


def _pair_student(bundle: Bundle, label: str) -> str | None:
    """The student id of a `MENTOR/STUDENT` label (an id may itself hold a '/': try each split)."""
    i = label.find("/")
    while i != -1:
        if label[:i] in bundle.mentor_index and label[i + 1 :] in bundle.student_index:
            return label[i + 1 :]
        i = label.find("/", i + 1)
    return None


def explain_duty(d: Duty, lang: str = "zh", subject: str | None = None, moments: str | None = None) -> str:
    """Why the duty is in its state, in one line; `subject` is the subject as shown (default: the bare label);
    `moments` a key-moment duty's moments in words (moments_text)."""
    zh = lang == "zh"
    who = d.subject if subject is None else subject
    head = rule_text(d.rule, lang)
    if d.event is not None:
        head += f"（{d.event[1]}）" if zh else f" ({d.event[1]})"
    span = f"{d.window_start} 至 {d.window_end}" if zh else f"{d.window_start} to {d.window_end}"
    counted = f"{d.count} 次，要求{bound_text(d.rule, lang)}" if zh else f"{d.count} of {bound_text(d.rule, lang)}"
    if d.rule.moments is not None:  # one duty a term, at any of the moments: say which, and that it is one
        at = f"（{moments}）" if zh and moments else (f" ({moments})" if moments else "")
        head = f"{d.rule.action} 本学期在关键时间节点{at}{bound_text(d.rule, lang)}" if zh else \
            f"{d.rule.action} {bound_text(d.rule, lang)} this term at a key moment{at}"
        counted = f"目前 {d.count} 次" if zh else f"{d.count} so far"
    ev = ""
    if d.evidence:
        shown = ", ".join(d.evidence[:5]) + (" …" if len(d.evidence) > 5 else "")
        ev = f"（记录：{shown}）" if zh else f" (activities: {shown})"
    if d.status == "upcoming":
        tail = f"未开始，{d.window_start} 起计" if zh else f"upcoming: the window opens on {d.window_start}"
    elif d.status == "exceeded":
        tail = f"超出上限 {d.rule.max} 次" if zh else f"exceeded: more than {d.rule.max}"
    elif d.status == "satisfied":
        tail = "已完成" if zh else "satisfied"
    elif d.status == "overdue":
        since = d.due + timedelta(days=1)
        tail = f"自 {since} 起逾期" if zh else f"overdue since {since}"
    else:
        tail = f"进行中，截止 {d.due}" if zh else f"open, due {d.due}"
    if zh:
        return f"[{d.rule.id}] {who}：{head}，{span}：{counted} — {tail}{ev}"
    return f"[{d.rule.id}] {who}: {head}, {span}: {counted} — {tail}{ev}"


def explain(report: Report, *, student: str | None = None, mentor: str | None = None, lang: str = "zh") -> str:
    """Every duty of one student (or of one mentor's subjects) explained, then ratios and scores for the mentor.
    Student and pair subjects carry the student's name ('S2 小红', 'M10/S2 小红')."""
    lines = []
    b = report.bundle
    shown: dict[str, _Subjects] = {}
    for d in report.duties():
        if student is not None and not (d.subject == student or d.subject.endswith("/" + student) and d.rule.scope == "pair"):
            continue
        if mentor is not None and mentor not in d.mentors:
            continue
        named = shown.get(d.rule.scope)
        if named is None:
            named = shown[d.rule.scope] = _Subjects(b, d.rule.scope)
        lines.append(explain_duty(d, lang, named[d.subject], moments_text(d, report, lang) if d.rule.moments is not None else None))
    zh = lang == "zh"
    if not lines:
        if student is not None:
            who = f"{student} {_student_name(b, student)}".strip()
        else:
            i = b.mentor_index.get(mentor or "")
            who = f"{mentor} {b.mentors[i].name if i is not None else ''}".strip()
        lines.append(f"{who}：本学期没有任何任务" if zh else f"{who}: no duties in this term")
    for r in report.ratios:
        if r.subject in (student, mentor):
            group = f"（{r.group}）" if r.group and zh else (f" ({r.group})" if r.group else "")
            hi = "∞" if r.ratio.max is None else str(r.ratio.max)
            if r.ratio.advisory:  # 原则上: a guideline, never a violation
                state = ("符合" if r.ok else "超出原则上的配比（仅提示）") if zh else ("ok" if r.ok else "beyond the guideline (advisory)")
            else:
                state = ("符合" if r.ok else "不符合") if zh else ("ok" if r.ok else "violated")
            lines.append(f"[{r.ratio.id}] {r.subject}{group}: {r.value} ({r.ratio.min}–{hi}) — {state}")
    for s in report.scores:
        if s.mentor == mentor:
            items = ", ".join(f"{k} {round4(v)}" for k, v in s.items.items())
            rating = f"，等级 {s.rating}" if zh and s.rating else (f", rating {s.rating}" if s.rating else "")
            lines.append(f"[{s.score}] {s.mentor}: {items} → {'总分' if zh else 'total'} {round4(s.total)}{rating}")
    return "\n".join(lines)


def _width(text: str) -> int:
    if text.isascii():  # ids, dates and numbers: most cells of a big table, one C-level check
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Widths(dict[str, int]):
    """Display widths, memoised for one table: statuses, windows and bounds repeat on every row
    (53,000 rows for a school of 3,000; measuring each cell afresh took over a second)."""

    def __missing__(self, text: str) -> int:
        value = self[text] = _width(text)
        return value


class _Padded(dict[str, str]):
    """Cells padded to one column's display width, memoised: a column repeats a few values."""

    def __init__(self, width: int, widths: _Widths):
        super().__init__()
        self.width, self.widths = width, widths

    def __missing__(self, cell: str) -> str:
        value = self[cell] = cell + " " * max(self.width - self.widths[cell], 0)
        return value


def _table(headers: list[str], rows: Iterable[list[str]], known: _Widths | None = None) -> list[str]:
    rows = [headers, *rows]
    width = known if known is not None else _Widths()
    columns = list(zip(*rows, strict=True))
    widths = [max(map(width.__getitem__, column)) for column in columns]
    padded = [list(map(_Padded(w, width).__getitem__, column)) for w, column in zip(widths, columns, strict=True)]  # column-wise: C loops
    lines = ["  ".join(cells).rstrip() for cells in zip(*padded, strict=True)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def to_table(report: Report, lang: str = "zh") -> str:
    """Duties grouped by mentor, overdue first; then ratio violations, scores and warnings."""
    zh = lang == "zh"
    names = {m.id: m.name for m in report.bundle.mentors}
    status_text = {s: STATUS_ZH[s] if zh else s for s in STATUS_ORDER}
    # per mentor: (status order, window end, rule id, subject) to sort by, then the printed cells
    groups: dict[str, list[tuple[Any, ...]]] = {}
    shown: dict[str, _Subjects] = {}  # per scope: subject label → the label with the student's name
    for rule, duty_rows in report.duty_rows():
        label, bound = rule.label or rule.id, bound_text(rule, lang)
        named = shown.get(rule.scope)
        if named is None:
            named = shown[rule.scope] = _Subjects(report.bundle, rule.scope)
        for subject, mentors, start, end, due, count, status, _evidence, _event in duty_rows:
            row = (STATUS_ORDER[status], end, rule.id, subject,
                   [status_text[status], label, named[subject], f"{start}–{end}", str(count), bound, due])  # fmt: skip
            for m in mentors or ("",):
                groups.setdefault(m, []).append(row)
    head = (
        ["状态", "规则", "对象", "窗口", "次数", "要求", "截止"]
        if zh
        else ["status", "rule", "subject", "window", "count", "required", "due"]
    )
    t = report.term
    title = report.scheme.title
    out = [f"{title} — {'学期' if zh else 'term'} {t.id} ({t.start} – {t.end}), {'截至' if zh else 'as of'} {report.as_of}", ""]
    summary = report.summary()["duties"]
    out.append(("任务：" if zh else "duties: ") + ", ".join(f"{status_text[s]} {summary[s]}" for s in STATUS_ORDER))
    out.append("")
    known = _Widths()
    by_key = itemgetter(0, 1, 2, 3)
    for m in sorted(groups, key=lambda m: (m == "", m)):
        duties = sorted(groups[m], key=by_key)  # stable: ties keep report order
        who = f"{m} {names.get(m, '')}".strip() if m else NO_MENTOR[1 if zh else 0]
        counts = Counter(d[4][0] for d in duties)
        out.append(f"{'导师' if zh else 'mentor'} {who} — " + ", ".join(f"{status_text[s]} {counts[status_text[s]]}" for s in STATUS_ORDER
                                                                       if counts[status_text[s]]))  # fmt: skip
        out.extend("  " + line for line in _table(head, [d[4] for d in duties], known))
        out.append("")
    bad = [r for r in report.ratios if not r.ok]
    if report.ratios:
        advisory = sum(1 for r in bad if r.ratio.advisory)  # 原则上: over the guideline, not a breach
        violated = len(bad) - advisory
        line = f"{'配比' if zh else 'ratios'}: {violated} {'项不符合' if zh else 'violated'} / {len(report.ratios)}"
        if advisory:
            line += f"，{advisory} 项超出原则上的配比（仅提示）" if zh else f", {advisory} over a guideline (advisory)"
        out.append(line)
        rows = [
            [r.ratio.id + ("（原则上）" if zh and r.ratio.advisory else " (guideline)" if r.ratio.advisory else ""), r.subject, r.group or "",
             str(r.value), f"{r.ratio.min}–{'∞' if r.ratio.max is None else r.ratio.max}"]
            for r in bad
        ]
        if rows:
            out.extend(
                "  " + line
                for line in _table(
                    ["规则", "对象", "分组", "值", "要求"] if zh else ["rule", "subject", "group", "value", "required"], rows
                )
            )
        out.append("")
    if report.scores:
        out.append("评分" if zh else "scores")
        rows = [[s.score, f"{s.mentor} {names.get(s.mentor, '')}".strip(), str(round4(s.total)), s.rating or ""] for s in report.scores]
        out.extend("  " + line for line in _table(["评分", "导师", "总分", "等级"] if zh else ["score", "mentor", "total", "rating"], rows))
        out.append("")
    for w in report.warnings:
        out.append(("注意：" if zh else "warning: ") + w.render(lang))
    for r in report.rejected:
        out.append(("已跳过：" if zh else "skipped: ") + r.render(lang))
    return "\n".join(out).rstrip() + "\n"


CSV_COLUMNS = ["rule", "label", "action", "scope", "subject", "mentors", "window_start", "window_end", "due", "min", "max", "count", "status",
               "evidence", "event_kind", "event_date", "source_file", "source_line"]  # fmt: skip
CSV_COLUMNS_ZH = ["规则", "规则名称", "动作", "范围", "对象", "导师", "窗口开始", "窗口结束", "截止", "最少次数", "最多次数", "次数", "状态",
                  "记录", "事件类型", "事件日期", "方案文件", "方案行号"]  # fmt: skip


def to_csv(report: Report, lang: str = "zh") -> str:
    """One row per duty; list cells joined with ';' like the bundle's. The header row and the status
    words in `lang` (zh: CSV_COLUMNS_ZH and the table's STATUS_ZH); every other cell is the same in
    both languages. No BOM: the command line adds one when it writes the bytes, for Excel."""
    zh = lang == "zh"
    status_text = {s: STATUS_ZH[s] if zh else s for s in STATUS_ORDER}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS_ZH if zh else CSV_COLUMNS)
    for rule, duty_rows in report.duty_rows():
        kind = rule.event.kind if rule.event is not None else ""
        head = [rule.id, rule.label or "", rule.action, rule.scope]
        bounds = [rule.min, "" if rule.max is None else rule.max]
        source = [rule.source.file, rule.source.line]
        w.writerows([*head, subject, ";".join(mentors), start, end, due, *bounds, count, status_text[status], ";".join(evidence),
                     kind if event else "", event or "", *source]
                    for subject, mentors, start, end, due, count, status, evidence, event in duty_rows)  # fmt: skip
    return buf.getvalue()
