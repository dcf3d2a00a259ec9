"""Counterexamples for `not met` (SPEC §5): a student, a school year and an activity log that satisfy every rule of
the school's scheme and break a baseline rule — built here, and checked by the engine, never assumed.

The year is the nominal one of `compare` (two terms of 20 weeks); each event kind the schemes name happens once
a term, mid-term, for every grade. The log is built duty by duty from what the school's scheme asks of one
student and one mentor, placed where the baseline rule does not look when the school allows it (another
action, a shorter activity, a day outside the baseline's windows). Only when the engine says the log meets the
school and breaks the baseline is it a counterexample.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import Report, bundle_from_rows, evaluate
from engine.model.calendar import Calendar, CalendarEvent, Term
from engine.model.roster import Activity, Assignment, Mentor, Student

from .prove import CANNOT, IR, NOT_MET, Verdict, and_, atoms, counted, describe, grades_cond, holds, subjects

TERMS = (
    Term("T1", "第一学期", dt.date(2025, 9, 1), dt.date(2026, 1, 18)),
    Term("T2", "第二学期", dt.date(2026, 2, 23), dt.date(2026, 7, 12)),
)
YEAR_END = dt.date(2026, 8, 31)  # as-of: every window of the year closed
MAX_TRIES = 64  # kinds of student tried
MAX_ROUNDS = 6  # fill-in rounds before a log is given up


@dataclass(frozen=True)
class Witness:
    student: Mapping[str, Any]  # the kind of student (subjects() of prove.py)
    activities: tuple[Activity, ...]
    broken: Mapping[str, Any]  # the baseline duty it breaks (report JSON)

    def words(self, school: IR, lang: str) -> str:
        zh = lang == "zh"
        school_title = school["title"]
        alike = Counter(_activity_words(a, zh) for a in self.activities)  # the same activity many times: said once, with ×n
        said = [w + (f" ×{n}" if n > 1 else "") for w, n in alike.items()]
        log = ("；" if zh else "; ").join(said[:8])
        more = (f" 等共 {len(self.activities)} 条" if zh else f" … ({len(self.activities)} in all)") if len(said) > 8 else ""
        b = self.broken
        none_of_it = not any(a.action == b["action"] for a in self.activities)  # lead with what the counterexample turns on
        if zh:
            body = (
                "没有任何记录" if not log else (f"一次“{b['action']}”也没有（记录：{log}{more}）" if none_of_it else f"的记录为{log}{more}")
            )
            return (f"{describe(self.student, 'zh')}，这一学年{body}：满足{school_title}的全部要求，"
                    f"却不满足基线的“{b['rule']}”（{b['window_start']} 至 {b['window_end']}：{b['count']} 次）{_outside(school, self.student, lang)}")  # fmt: skip
        body = "no activity" if not log else (f"no {b['action']} at all (the log: {log}{more})" if none_of_it else f"{log}{more}")
        return (f"{describe(self.student, 'en')}, with {body} over the school year, satisfies {school_title}'s rules "
                f"but not the baseline's {b['rule']} ({b['window_start']} to {b['window_end']}: {b['count']}){_outside(school, self.student, lang)}")  # fmt: skip


def _outside(school: IR, who: Mapping[str, Any], lang: str) -> str:
    """Why a student of a grade the school's scheme leaves out is no concern of its rules, said after its title."""
    grades = school.get("grades")
    if not grades or who["grade"] in grades:
        return ""
    listed = ("、" if lang == "zh" else ", ").join(str(g) for g in grades)
    return f"（该校方案只覆盖 {listed} 年级）" if lang == "zh" else f" (the school's scheme covers grades {listed} only)"


def _activity_words(a: Activity, zh: bool) -> str:
    """One activity of a counterexample: its action and day, its length if it has one, and whether it names no student
    (a mentor's or a class's activity, which no student's duty counts)."""
    notes = ([f"{int(a.duration_min)} 分钟" if zh else f"{int(a.duration_min)} min"] if a.duration_min else []) + \
            ([("未写学生" if zh else "naming no student")] if not a.student_ids else [])  # fmt: skip
    if not notes:
        return f"{a.action} {a.date}"
    return f"{a.action} {a.date}（{'，'.join(notes)}）" if zh else f"{a.action} {a.date} ({', '.join(notes)})"


def _kinds(*schemes: IR) -> list[str]:
    out: list[str] = []
    for s in schemes:
        for r in s["rules"]:
            specs = [r["event"]] if r.get("event") else [m["event"] for m in r.get("moments") or [] if m.get("event")]
            out += [e["kind"] for e in specs if e["kind"] not in out]
    return out


def _school(who: Mapping[str, Any], kinds: list[str], activities: list[Activity]) -> Any:
    """The one-student school of a counterexample. `who["mentored"]`: True, a mentor all year; "T2", a mentor from the
    second term's start only (so the first term's per-pair duties have no subject, while a ratio, checked on the as-of
    date, finds the student mentored); False, no mentor."""
    calendar = Calendar("2025-2026", TERMS, tuple(CalendarEvent(k, k, t.start + dt.timedelta(days=60), None) for k in kinds for t in TERMS))
    grade = who["grade"]
    klass = who["class"] or "甲班"
    mentor = Mentor("M1", "导师", tuple(sorted(who["mentor"])), (), klass)
    student = Student("S1", "学生", grade, klass, tuple(sorted(who["tags"])))
    mentored = who.get("mentored", True)
    assignments = [] if mentored is False else [Assignment("M1", "S1", TERMS[1].start if mentored == "T2" else None)]
    return bundle_from_rows(calendar, [mentor], [student], assignments, activities, [], [])


def _ratios_kept(scheme: IR, bundle: Any) -> bool:
    """The student's own hard ratios of the scheme (mentors per student) hold on the as-of date. A mentor's ratios are
    left aside: they count the mentor's other students, whom a one-student counterexample does not show."""
    return all(
        r["ok"] for r in evaluate(scheme, bundle, YEAR_END, TERMS[1].id).to_json()["ratios"] if r["subject"] == "S1" and not r["advisory"]
    )


def _reports(scheme: IR, bundle: Any) -> list[Report]:
    return [evaluate(scheme, bundle, YEAR_END, t.id) for t in TERMS]


def _unmet(scheme: IR, bundle: Any, rule: str | None = None) -> list[dict[str, Any]]:
    return [d for r in _reports(scheme, bundle) for d in r.to_json()["duties"]
            if (rule is None or d["rule"] == rule) and d["status"] in ("overdue", "open", "exceeded")]  # fmt: skip


def _windows(scheme: IR, bundle: Any, rule: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    for r in _reports(scheme, bundle):
        for d in r.to_json()["duties"]:
            if d["rule"] == rule:
                runs = d["windows"] or [[d["window_start"], d["window_end"]]]
                out += [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in runs]
    return out


def _day(duty: Mapping[str, Any], avoid: list[tuple[dt.date, dt.date]]) -> dt.date:
    """A day of the duty's window, outside the windows to avoid when it has one."""
    runs = duty["windows"] or [[duty["window_start"], duty["window_end"]]]
    days = [dt.date.fromisoformat(a) + dt.timedelta(days=i) for a, b in runs
            for i in range((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days + 1)]  # fmt: skip
    free = [d for d in days if not any(lo <= d <= hi for lo, hi in avoid)]
    return (free or days)[0]


def _fill(school: IR, base: IR, b_rule: IR, who: Mapping[str, Any], kinds: list[str]) -> list[Activity] | None:
    """A log that meets every school duty of this student's world, chosen to miss the baseline rule; None if none found."""
    theirs = counted(base, b_rule["action"])
    log: list[Activity] = []
    avoid = _windows(base, _school(who, kinds, []), b_rule["id"])
    for _ in range(MAX_ROUNDS):
        missing = _unmet(school, _school(who, kinds, log))
        if not missing:
            return log
        if any(d["status"] == "exceeded" for d in missing):
            return None
        for d in missing:
            mine = counted(school, d["action"])
            # an action the baseline rule does not count, else one it counts only at a longer duration, else any
            name = (
                next((a for a in mine if a not in theirs), None) or next((a for a in mine if mine[a] < theirs[a]), None) or next(iter(mine))
            )
            minutes = float(mine[name]) if mine[name] else None
            # a mentor's or a class's duty is met by an activity naming no student: the student's own duties see nothing
            named = () if d["scope"] in ("mentor", "class") else ("S1",)
            for _k in range(d["min"] - d["count"]):
                log.append(Activity(f"W{len(log) + 1}", name, _day(d, avoid), "M1", named, who["class"] or "甲班", minutes))
    return None


def _spare_grade(*conds: IR | None) -> int:
    """A grade no condition names: what `subjects` calls grade 0, made a real grade for the engine."""
    named: dict[str, set[Any]] = {}
    for c in conds:
        atoms(c, named)
    return next(g for g in range(1, 100) if g not in named.get("grade", set()))


def find(school: IR, base: IR, b_rule: IR) -> Witness | None:
    """A counterexample to `b_rule` that the engine confirms, or None."""
    kinds = _kinds(school, base)
    conds = [and_(grades_cond(base), b_rule.get("where")), grades_cond(school), *(r.get("where") for r in school["rules"])]
    kinds_of_student = subjects(*conds)
    if kinds_of_student is None:
        return None
    spare = _spare_grade(*conds)
    kinds_list = list(itertools.islice(kinds_of_student, MAX_TRIES))
    worlds = [{**kind, "grade": kind["grade"] or spare, "mentored": mentored} for mentored in (True, "T2", False) for kind in kinds_list]
    for who in worlds:
        if not holds(and_(grades_cond(base), b_rule.get("where")), who):
            continue
        log = _fill(school, base, b_rule, who, kinds)
        if log is None:
            continue
        if b_rule["max"] is not None:
            log = _over(school, base, b_rule, who, kinds, log)
        world = _school(who, kinds, log)
        broken = _unmet(base, world, b_rule["id"])
        if broken and not _unmet(school, world) and _ratios_kept(school, world):
            return Witness(who, tuple(log), broken[0])
    return None


def _over(school: IR, base: IR, b_rule: IR, who: Mapping[str, Any], kinds: list[str], log: list[Activity]) -> list[Activity]:
    """For an `at most` baseline rule: one activity more than it allows in its first window, if the school allows that."""
    windows = _windows(base, _school(who, kinds, log), b_rule["id"])
    if not windows:
        return log
    name = next(iter(counted(base, b_rule["action"])))
    minutes = counted(base, b_rule["action"])[name] or None
    extra = [Activity(f"X{i}", name, windows[0][0], "M1", ("S1",), who["class"] or "甲班", float(minutes) if minutes else None)
             for i in range(b_rule["max"] + 1)]  # fmt: skip
    return log + extra if not _unmet(school, _school(who, kinds, log + extra)) else log


def with_counterexamples(school: IR, base: IR, verdicts: list[Verdict]) -> list[Verdict]:
    """Each `cannot prove` rule verdict for which a counterexample is found becomes `not met`, with it in words."""
    rules = {r["id"]: r for r in base["rules"]}
    ratios = {r["id"]: r for r in base["ratios"]}
    out = []
    for v in verdicts:
        ratio = ratios.get(v.baseline_rule)
        if v.status == CANNOT and ratio is not None:
            roster = find_ratio(school, base, ratio)
            out.append(v if roster is None else Verdict(v.baseline_rule, NOT_MET, (), roster.words(school, "en", ratio),
                                                         roster.words(school, "zh", ratio),
                                                         {"direction": roster.direction, "n": roster.n, "groups": dict(roster.groups),
                                                          "broken": dict(roster.broken)}))  # fmt: skip
            continue
        rule = rules.get(v.baseline_rule)
        found = find(school, base, rule) if v.status == CANNOT and rule is not None else None
        if found is None:
            out.append(v)
            continue
        out.append(Verdict(v.baseline_rule, NOT_MET, (), found.words(school, "en"), found.words(school, "zh"),
                           {"student": {k: sorted(x) if isinstance(x, set) else x for k, x in found.student.items()},
                            "activities": [a._asdict() | {"date": str(a.date)} for a in found.activities], "broken": dict(found.broken)}))  # fmt: skip
    return out


@dataclass(frozen=True)
class RatioWitness:
    """A roster that keeps every ratio of the school's scheme and breaks a baseline ratio: one mentor and their students
    (or one student and their mentors), the students of one kind, spread over `groups` classes or grades."""

    direction: str
    n: int  # students of the one mentor, or mentors of the one student
    student: Mapping[str, Any]
    groups: tuple[tuple[str, int], ...]  # (class or grade, students in it) when the students are spread, else ()
    broken: Mapping[str, Any]
    school_ratios: int

    def words(self, school: IR, lang: str, b_ratio: IR) -> str:
        zh = lang == "zh"
        school_title = school["title"]
        kind = describe(self.student, lang)
        if self.direction == "students_per_mentor":
            spread = "、".join(f"{g} {k} 名" for g, k in self.groups) if zh else ", ".join(f"{k} in {g}" for g, k in self.groups)
            if zh:
                who = f"一位导师带 {self.n} 名学生（{spread + '，' if spread else ''}都是{kind.removeprefix('一名')}）"
            else:
                who = f"a mentor of {self.n} students ({spread + '; ' if spread else ''}each {kind.removeprefix('a student ')})"
        else:
            who = f"{kind}，有 {self.n} 位导师" if zh else f"{kind} with {self.n} mentors"
        b = self.broken
        if zh:
            allowed = f"{school_title}的配比都允许" if self.school_ratios else f"{school_title}没有写配比"
            return f"{who}：{allowed}，却不符合基线的 {b['rule']}（{ratio_words(b_ratio, 'zh')}）：实际为 {b['value']}{_outside(school, self.student, lang)}"
        allowed = f"{school_title}'s ratios all allow it" if self.school_ratios else f"{school_title} writes no ratio"
        return f"{who}: {allowed}, but the baseline's {b['rule']} ({ratio_words(b_ratio, 'en')}) does not: the value is {b['value']}{_outside(school, self.student, lang)}"


def ratio_words(r: IR, lang: str) -> str:
    """A ratio as a reader says it: 'guideline: at most 15 students per mentor' / '原则上每位导师至多带 15 名学生'."""
    zh = lang == "zh"
    lo, hi = r["min"], r["max"]
    if zh:
        bound = f"{lo} 至 {hi}" if lo and hi is not None else (f"至多 {hi}" if hi is not None else f"至少 {lo}")
        group = {"grade": "每个年级", "class": "每个班级"}.get(r.get("group") or "", "")
        text = f"每位导师{group}所带学生{bound} 名" if r["direction"] == "students_per_mentor" else f"每名学生的导师{bound} 位"
        return ("原则上" if r.get("advisory") else "") + text + ("（限条件内的学生）" if r.get("where") else "")
    bound = f"between {lo} and {hi}" if lo and hi is not None else (f"at most {hi}" if hi is not None else f"at least {lo}")
    group = {"grade": " in each grade", "class": " in each class"}.get(r.get("group") or "", "")
    mentors = "mentor" if hi == 1 or (hi is None and lo == 1) else "mentors"
    text = f"{bound} students per mentor{group}" if r["direction"] == "students_per_mentor" else f"{bound} {mentors} per student"
    return ("guideline: " if r.get("advisory") else "") + text + (" (of the students its condition names)" if r.get("where") else "")


def find_ratio(school: IR, base: IR, b_ratio: IR) -> RatioWitness | None:
    """One mentor with n students (or one student with n mentors), n just outside the baseline's bound, the students of
    one kind, in one class or spread over several (a bound per class or grade does not bound the whole); kept when the
    engine says every hard ratio of the school holds (its guidelines too, against a guideline) and the baseline ratio
    does not."""
    cond = and_(grades_cond(base), b_ratio.get("where"))
    conds = [cond, grades_cond(school), *(r.get("where") for r in school["ratios"])]
    kinds = subjects(*conds)
    if kinds is None:
        return None
    spare = _spare_grade(*conds)
    candidates = ([b_ratio["max"] + 1] if b_ratio["max"] is not None else []) + ([b_ratio["min"] - 1, 0] if b_ratio["min"] > 0 else [])
    for kind in itertools.islice(kinds, MAX_TRIES):
        who = {**kind, "grade": kind["grade"] or spare}
        if not holds(cond, who):
            continue
        for n, places in itertools.product(dict.fromkeys(candidates), _spreads(b_ratio["direction"], who, cond)):
            if len(places) > max(n, 1):
                continue
            bundle, groups = _roster(b_ratio["direction"], n, who, places)
            # against a guideline, the school's guidelines must hold too: they are what it offers in its place
            school_ratios = [
                r for r in evaluate(school, bundle, TERMS[0].start).to_json()["ratios"] if b_ratio.get("advisory") or not r["advisory"]
            ]
            broken = [r for r in evaluate(base, bundle, TERMS[0].start).to_json()["ratios"] if r["rule"] == b_ratio["id"] and not r["ok"]]
            if broken and all(r["ok"] for r in school_ratios):
                return RatioWitness(b_ratio["direction"], n, who, groups, broken[0], len(school["ratios"]))
    return None


_CLASSES = ("甲班", "乙班", "丙班", "丁班")


def _spreads(direction: str, who: Mapping[str, Any], cond: IR | None) -> list[list[tuple[str, int]]]:
    """Where a ratio counterexample's students sit, as (class, grade) places: one class; or 2–4 classes of the student's
    grade (a bound per class does not bound the whole); or 2–4 grades the baseline still counts, a class each (nor does
    a bound per grade). A student kind that names its class sits in it."""
    if direction != "students_per_mentor" or who["class"] is not None:
        return [[(who["class"] or _CLASSES[0], who["grade"])]]
    grades = [who["grade"], *(g for g in range(1, 100) if g != who["grade"] and holds(cond, {**who, "grade": g}))]
    out = [[(_CLASSES[0], who["grade"])]]
    out += [[(_CLASSES[i], who["grade"]) for i in range(k)] for k in (2, 3, 4)]
    out += [[(_CLASSES[i], grades[i]) for i in range(k)] for k in (2, 3, 4) if len(grades) >= k]
    return out


def _roster(direction: str, n: int, who: Mapping[str, Any], places: list[tuple[str, int]]) -> tuple[Any, tuple[tuple[str, int], ...]]:
    """The bundle of a ratio counterexample, and how many of its students sit in each class (or grade) when spread."""
    calendar = Calendar("2025-2026", TERMS, ())
    tags = tuple(sorted(who["tags"]))
    if direction == "students_per_mentor":
        students = [Student(f"S{i}", "学生", places[i % len(places)][1], places[i % len(places)][0], tags) for i in range(n)]
        mentors = [Mentor("M1", "导师", tuple(sorted(who["mentor"])))]
        pairs = [Assignment("M1", s.id) for s in students]
        by_grade = len({g for _, g in places}) > 1
        names = [f"{g} 年级" if by_grade else k for k, g in places]
        counts = Counter(f"{s.grade} 年级" if by_grade else s.class_name for s in students)
        groups = tuple((name, counts[name]) for name in names) if len(places) > 1 else ()
    else:
        students = [Student("S1", "学生", who["grade"], places[0][0], tags)]
        mentors = [Mentor(f"M{i}", "导师", tuple(sorted(who["mentor"]))) for i in range(1, n + 1)]
        pairs = [Assignment(m.id, "S1") for m in mentors]
        groups = ()
    return bundle_from_rows(calendar, mentors, students, pairs, [], [], []), groups
