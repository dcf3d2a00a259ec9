"""A cached Report → what a page shows: one mentor's duties in the order they act on them, one
student's duties, and a school's completion figures. Column-wise over the report's duty blocks,
so a page picks its few dozen duties out of a school's tens of thousands without a loop over all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import Report
from engine.evaluation.duties import STATUSES, DutyBlock

GROUPS = ("overdue", "due_soon", "open", "done", "upcoming")
DONE = {"satisfied", "exceeded"}


@dataclass(frozen=True)
class DutyView:
    rule: str
    label: str  # the rule's label, else its action
    action: str
    scope: str
    subject: str  # a student's name, a mentor's, a class, or mentor/student for a pair
    student_code: str | None
    window_start: dt.date
    window_end: dt.date
    due: dt.date
    count: int
    min: int
    max: int | None
    status: str  # the engine's
    group: str  # one of GROUPS
    evidence: tuple[str, ...]  # activity ids
    evidence_days: tuple[dt.date, ...]  # their dates, as a mentor recognises them
    event: tuple[str, dt.date] | None
    action_title: str = ""  # the action as the scheme names it ("学生家访"), the log form's words
    mentor_name: str = ""  # whose duty, for a pair's duty: a student with two mentors has one of each
    windows: tuple[tuple[dt.date, dt.date], ...] | None = None  # key moments: the runs of days that count

    @property
    def key(self) -> tuple[str, str | None, str, dt.date]:
        """What names a duty across evaluations: rule, student, subject, window start."""
        return (self.rule, self.student_code, self.subject, self.window_start)


def mentees(report: Report, mentor_code: str, day: dt.date) -> np.ndarray:
    """Engine indexes of the students assigned to the mentor on `day`."""
    b = report.bundle
    mi = b.mentor_index.get(mentor_code)
    if mi is None:
        return np.zeros(0, np.int64)
    d = day.toordinal()
    active = (b.assign_mentor == mi) & (b.assign_start <= d) & (b.assign_end >= d)
    return np.unique(b.assign_student[active])


def mentors_today(report: Report) -> dict[int, list[int]]:
    """Each student's mentors on the report's day (engine indexes), from the assignments active then."""
    b = report.bundle
    day = report.as_of.toordinal()
    active = (b.assign_start <= day) & (b.assign_end >= day)
    out: dict[int, list[int]] = defaultdict(list)
    for st, mi in zip(b.assign_student[active].tolist(), b.assign_mentor[active].tolist(), strict=True):
        out[st].append(mi)
    return out


def mentor_duties(report: Report, mentor_code: str, students: np.ndarray, class_name: str | None = None) -> list[DutyView]:
    """The duties a mentor owes: their pairs, their current students' per-student duties, their own per-mentor duties
    (and their class's, for a head teacher); ordered overdue, due soon, open, done, upcoming, then by due date."""
    mi = report.bundle.mentor_index.get(mentor_code, -2)
    out: list[DutyView] = []
    for block in report.blocks:
        if block.scope == "pair" or block.scope == "mentor":
            pick = block.mentor == mi
        elif block.scope == "student":
            pick = np.isin(block.student, students)
        elif block.scope == "class" and class_name:
            labels = np.array([label == class_name for label in block.labels] or [False])
            pick = labels[block.subject]
        else:
            continue
        out.extend(_views(report, block, np.flatnonzero(pick)))
    return sorted(out, key=lambda d: (GROUPS.index(d.group), d.due, d.label, d.subject))


def student_duties(report: Report, student_code: str) -> list[DutyView]:
    si = report.bundle.student_index.get(student_code, -2)
    out: list[DutyView] = []
    for block in report.blocks:
        out.extend(_views(report, block, np.flatnonzero(block.student == si)))
    return sorted(out, key=lambda d: (GROUPS.index(d.group), d.due, d.label))


def _views(report: Report, block: DutyBlock, rows: np.ndarray) -> list[DutyView]:
    if not len(rows):
        return []
    r = block.rule
    b = report.bundle
    grace, remind = report.scheme.grace_days, report.scheme.remind_days
    today = report.as_of.toordinal()
    ev = report.bundle.activities
    mentor_names = [mm.name for mm in b.mentors] if block.scope == "pair" else []
    action = report.scheme.action(r.action)
    title = (action.title if action is not None and action.title else r.action)
    out = []
    for i in rows.tolist():
        status = STATUSES[int(block.status[i])]
        end = int(block.end[i])
        due = end + grace
        if status in DONE:
            group = "done"
        elif status == "open" and due - today <= remind:
            group = "due_soon"
        else:
            group = status if status in ("overdue", "upcoming") else "open"
        si = int(block.student[i])
        student = b.students[si].id if si >= 0 else None
        subject = b.students[si].name if si >= 0 and block.scope in ("student", "pair") else block.labels[int(block.subject[i])]
        lo, hi = int(block.ev_lo[i]), int(block.ev_hi[i])
        rows_ = block.ev_rows[lo:hi]
        evidence = tuple(ev.id_texts(rows_)) if hi > lo else ()
        days = tuple(sorted(dt.date.fromordinal(int(d)) for d in ev.day[rows_])) if hi > lo else ()
        event = None
        if block.event_day is not None and r.event is not None:
            event = (r.event.kind, dt.date.fromordinal(int(block.event_day[i])))
        runs = None if block.runs is None else tuple((dt.date.fromordinal(a), dt.date.fromordinal(b)) for a, b in block.runs.of(i))
        out.append(DutyView(r.id, r.label or r.action, r.action, r.scope, subject, student, dt.date.fromordinal(int(block.start[i])),
                            dt.date.fromordinal(end), dt.date.fromordinal(due), int(block.count[i]), r.min, r.max, status, group,
                            evidence, days, event, title, mentor_names[int(block.mentor[i])] if block.scope == "pair" else "", runs))  # fmt: skip
    return out


@dataclass(frozen=True)
class Completion:
    """Duties whose window has begun, and how many of them are done: per rule, per class, per mentor."""

    by_rule: list[tuple[str, int, int, int]]  # (label, done, overdue, begun)
    by_class: list[tuple[str, int, int]]  # (class, done, begun)
    overdue_by_mentor: list[tuple[str, str, int]]  # (mentor code, name, overdue duties)
    statuses: Counter[str]
    by_action: dict[str, tuple[int, int]]  # action → (done, begun) over all its rules: what schools with other rules share


def completion(report: Report) -> Completion:
    b = report.bundle
    by_rule = []
    by_action: dict[str, tuple[int, int]] = {}
    class_done: Counter[str] = Counter()
    class_begun: Counter[str] = Counter()
    overdue: Counter[int] = Counter()
    statuses: Counter[str] = Counter()
    upcoming, overdue_code = STATUSES.index("upcoming"), STATUSES.index("overdue")
    done_codes = [STATUSES.index(s) for s in DONE]
    mentor_of = mentors_today(report)
    for block in report.blocks:
        st = block.status
        begun = st != upcoming
        done = np.isin(st, done_codes)
        late = st == overdue_code
        for code, n in zip(*np.unique(st, return_counts=True), strict=True):
            statuses[STATUSES[int(code)]] += int(n)
        by_rule.append((block.rule.label or block.rule.action, int(done.sum()), int(late.sum()), int(begun.sum())))
        d, n = by_action.get(block.rule.action, (0, 0))
        by_action[block.rule.action] = (d + by_rule[-1][1], n + by_rule[-1][3])
        has_student = block.student >= 0
        if has_student.any():
            klass = b.student_class[block.student[has_student]]
            for k, n in zip(*np.unique(klass[begun[has_student]], return_counts=True), strict=True):
                class_begun[b.classes[int(k)]] += int(n)
            for k, n in zip(*np.unique(klass[done[has_student]], return_counts=True), strict=True):
                class_done[b.classes[int(k)]] += int(n)
        # overdue duties by the mentor who owes them: a pair's or a mentor's own, else the student's current mentors
        owing = _owing_mentors(block, late, mentor_of)
        for mi, n in owing.items():
            overdue[mi] += n
    mentors = b.mentors
    by_mentor = sorted(((mentors[i].id, mentors[i].name, n) for i, n in overdue.items()), key=lambda x: (-x[2], x[0]))
    by_class = sorted(((k, class_done[k], n) for k, n in class_begun.items()), key=lambda row: class_order(row[0], b))
    return Completion(by_rule, by_class, by_mentor, statuses, by_action)


CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"十": 10}


def class_order(name: str, bundle: Any) -> tuple[int, list[int], str]:
    """Classes as a school lists them: by grade, then by the numbers in the name (一(2)班 before 一(10)班),
    not by code point (which puts 三 before 二)."""
    grades = [s.grade for s in bundle.students if s.class_name == name][:1]
    numbers = [int(n) for n in re.findall(r"\d+", name)] or [CHINESE_DIGITS.get(c, 99) for c in name[:1]]
    return (grades[0] if grades else 99, numbers, name)


def _owing_mentors(block: DutyBlock, late: np.ndarray, mentor_of: dict[int, list[int]]) -> dict[int, int]:
    rows = np.flatnonzero(late)
    if not len(rows):
        return {}
    out: dict[int, int] = defaultdict(int)
    if block.scope in ("pair", "mentor"):
        for mi, n in zip(*np.unique(block.mentor[rows], return_counts=True), strict=True):
            out[int(mi)] += int(n)
        return out
    for s in block.student[rows].tolist():
        for mi in mentor_of.get(s, ()):
            out[mi] += 1
    return out


@dataclass(frozen=True)
class StudentLine:
    code: str
    name: str
    class_name: str
    mentors: tuple[str, ...]  # names of the mentors assigned today; empty: nobody
    overdue: int
    owed: int  # due soon or open
    done: int


def class_overview(report: Report, class_name: str) -> list[StudentLine]:
    """A head teacher's class: each student's mentors and overdue, owed and done duties, the most overdue first."""
    b = report.bundle
    k = b.class_index.get(class_name)
    if k is None:
        return []
    return student_overview(report, np.flatnonzero(b.student_class == k))


def student_overview(report: Report, members: np.ndarray, mentor_code: str | None = None) -> list[StudentLine]:
    """Each of these students (engine indexes): their mentors today and their overdue, owed and done duties (with a
    mentor, of that mentor's pairs only: another mentor's pair duty is not theirs to count)."""
    b = report.bundle
    mi = b.mentor_index.get(mentor_code, -2) if mentor_code is not None else None
    mentor_of = mentors_today(report)
    counts = np.zeros((len(b.students), 3), np.int64)
    overdue, upcoming = STATUSES.index("overdue"), STATUSES.index("upcoming")
    done_codes = [STATUSES.index(s) for s in DONE]
    for block in report.blocks:
        mine = np.isin(block.student, members)
        if mi is not None and block.scope == "pair":
            mine &= block.mentor == mi
        if not mine.any():
            continue
        st, who = block.status[mine], block.student[mine]
        np.add.at(counts[:, 0], who[st == overdue], 1)
        np.add.at(counts[:, 2], who[np.isin(st, done_codes)], 1)
        np.add.at(counts[:, 1], who[~np.isin(st, [overdue, upcoming, *done_codes])], 1)
    lines = [StudentLine(b.students[i].id, b.students[i].name, b.students[i].class_name, tuple(b.mentors[j].name for j in mentor_of.get(i, ())),
                         *map(int, counts[i]))
             for i in members.tolist()]  # fmt: skip
    return sorted(lines, key=lambda s: (-s.overdue, -s.owed, s.code))
