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
from dataclasses import dataclass, replace
from typing import Any

from engine import Report, bundle_from_rows, evaluate
from engine.model.calendar import Calendar, CalendarEvent, Term
from engine.model.roster import Activity, Assignment, Mentor, Student

from .prove import (
    CANNOT,
    IR,
    NOT_MET,
    Verdict,
    and_,
    atoms,
    counted,
    describe,
    grades_cond,
    holds,
    ratio_words,
    subjects,
)

TERMS = (
    Term("T1", "第一学期", dt.date(2025, 9, 1), dt.date(2026, 1, 18)),
    Term("T2", "第二学期", dt.date(2026, 2, 23), dt.date(2026, 7, 12)),
)
YEAR_END = dt.date(2026, 8, 31)  # as-of: every window of the year closed
MAX_TRIES = 64  # kinds of student tried
MAX_ROUNDS = 6  # fill-in rounds before a log is given up


@dataclass(frozen=True)
class Witness:
    student: Mapping[str, Any]  # the kind of student (subjects() of prove.py), with the grade the engine was given
    activities: tuple[Activity, ...]
    broken: Mapping[str, Any]  # the baseline duty it breaks (report JSON)
    shown: Mapping[str, Any]  # the student as said: a grade no condition names left out
    named: frozenset[str]  # the tags the conditions about these actions test
    theirs: frozenset[str]  # the actions the baseline rule counts

    def words(self, school: IR, lang: str) -> str:
        """Three sentences: who, and what they and their mentor logged all year (the baseline's own actions first); that it
        meets the school; what the baseline counts in its window."""
        zh = lang == "zh"
        b = self.broken
        action, label = b["action"], b["label"] or b["rule"]
        who = describe(self.shown, lang, self.named) + _mentoring(self.student, lang)
        own = sorted((a for a in self.activities if a.student_ids), key=lambda a: (a.action not in self.theirs, a.date))
        others = [a for a in self.activities if not a.student_ids]  # a mentor's or a class's: no student's duty counts them
        none_of_it = not any(a.action in self.theirs for a in own)  # lead with what the counterexample turns on
        window = f"{b['window_start']} 至 {b['window_end']}" if zh else f"{b['window_start']} to {b['window_end']}"
        over = b["status"] == "exceeded"
        title = f"《{school['title']}》" if zh else school["title"]
        if zh:
            if not self.activities:
                did, meets = f"{who}全学年没有任何记录", "这"
            else:
                did = (f"{who}全学年没有“{action}”" + (f"，只有以下记录：{_log(own, zh)}" if own else "，也没有别的记录")
                       if none_of_it else f"{who}全学年的记录：{_log(own, zh)}")  # fmt: skip
                if others:
                    did += f"；其导师另有以下记录（都未记该生，只计入导师或班级的次数）：{_log(others, zh)}"
                meets = "这些记录"
            count = (f"有 {b['count']} 次，超过至多 {b['max']} 次" if over else
                     f"一次也没有（要求至少 {b['min']} 次）" if b["count"] == 0 else f"只有 {b['count']} 次（要求至少 {b['min']} 次）")  # fmt: skip
            return f"{did}。{meets}符合{title}的全部要求，但基线“{label}”在 {window} 期间{count}。"
        if not self.activities:
            did = f"{who} has no activity all year"
        else:
            did = (f"{who} has no {action} all year" + (f", only: {_log(own, zh)}" if own else ", nor anything else")
                   if none_of_it else f"{who} has this log all year: {_log(own, zh)}")  # fmt: skip
            if others:
                did += (
                    f"; the mentor also logged, naming no student (counted only toward the mentor's or class's total): {_log(others, zh)}"
                )
        count = f"{b['count']}, above its at most {b['max']}" if over else f"{b['count']} (it asks at least {b['min']})"
        return f"{did}. That meets every rule of {title}, but the baseline's “{label}” counts {count} from {window}."


def _log(activities: list[Activity], zh: bool) -> str:
    """Activities in words, the same one many times said once with its count, the first six kinds and how many in all."""
    alike = Counter(_activity_words(a, zh) for a in activities)
    said = [w + ((f" {n} 次" if zh else f" ×{n}") if n > 1 else "") for w, n in alike.items()]
    more = (f" 等，共 {len(activities)} 条" if zh else f" … ({len(activities)} in all)") if len(said) > 6 else ""
    return ("；" if zh else "; ").join(said[:6]) + more


def _mentoring(who: Mapping[str, Any], lang: str) -> str:
    """The student's mentors, when the counterexample turns on them."""
    m = who.get("mentored", True)
    if m is False:
        return "（没有导师）" if lang == "zh" else " (with no mentor)"
    if m == "left":
        return ("（与每位导师的结对都在学期结束前一周解除，学期结束后才配新导师；各导师的其他学生未列出）" if lang == "zh" else
                " (each pairing with a mentor ends a week before the term does, the next mentor assigned only after the term; each "
                "mentor's other students not shown)")  # fmt: skip
    return ""


def _activity_words(a: Activity, zh: bool) -> str:
    """One activity of a counterexample: its action and day, and its length if it has one."""
    if not a.duration_min:
        return f"{a.action} {a.date}"
    return f"{a.action} {a.date}（{int(a.duration_min)} 分钟）" if zh else f"{a.action} {a.date} ({int(a.duration_min)} min)"


def _kinds(*schemes: IR) -> list[str]:
    out: list[str] = []
    for s in schemes:
        for r in s["rules"]:
            specs = [r["event"]] if r.get("event") else [m["event"] for m in r.get("moments") or [] if m.get("event")]
            out += [e["kind"] for e in specs if e["kind"] not in out]
    return out


def _school(who: Mapping[str, Any], kinds: list[str], activities: list[Activity]) -> Any:
    """The one-student school of a counterexample. `who["mentored"]`: True, one mentor all year; False, none; "left",
    each term's mentor leaves a week before the term ends and the next takes over the day after it (so no pair is in
    place on a term's last day, while a ratio, checked on the as-of date, finds the student mentored)."""
    calendar = Calendar("2025-2026", TERMS, tuple(CalendarEvent(k, k, t.start + dt.timedelta(days=60), None) for k in kinds for t in TERMS))
    klass = who["class"] or "甲班"
    student = Student("S1", "学生", who["grade"], klass, tuple(sorted(who["tags"])))
    mentored = who.get("mentored", True)
    tags = tuple(sorted(who["mentor"]))
    if mentored == "left":
        week = dt.timedelta(days=7)
        spans = [
            (None, TERMS[0].end - week),
            (TERMS[0].end + dt.timedelta(days=1), TERMS[1].end - week),
            (TERMS[1].end + dt.timedelta(days=1), None),
        ]
        mentors = [Mentor(f"M{i}", "导师", tags, (), klass) for i in range(1, 4)]
        assignments = [Assignment(m.id, "S1", a, b) for m, (a, b) in zip(mentors, spans, strict=True)]
    else:
        mentors = [Mentor("M1", "导师", tags, (), klass)]
        assignments = [Assignment("M1", "S1")] if mentored else []
    return bundle_from_rows(calendar, mentors, [student], assignments, activities, [], [])


def _ratios_kept(reports: list[dict[str, Any]]) -> bool:
    """The student's own hard ratios of the scheme (mentors per student) hold on the as-of date (every term's report
    has the same ratios: they are of that day). A mentor's ratios are left aside: they count the mentor's other
    students, whom a one-student counterexample does not show."""
    return all(r["ok"] for r in reports[-1]["ratios"] if r["subject"] == "S1" and not r["advisory"])


def _reports(scheme: IR, bundle: Any) -> list[Report]:
    return [evaluate(scheme, bundle, YEAR_END, t.id) for t in TERMS]


def _unmet_in(reports: list[dict[str, Any]], rule: str | None = None) -> list[dict[str, Any]]:
    return [
        d for r in reports for d in r["duties"] if (rule is None or d["rule"] == rule) and d["status"] in ("overdue", "open", "exceeded")
    ]


def _unmet(scheme: IR, bundle: Any, rule: str | None = None) -> list[dict[str, Any]]:
    return _unmet_in([r.to_json() for r in _reports(scheme, bundle)], rule)


def _windows(scheme: IR, bundle: Any, rule: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    for r in _reports(scheme, bundle):
        for d in r.to_json()["duties"]:
            if d["rule"] == rule:
                runs = d["windows"] or [[d["window_start"], d["window_end"]]]
                out += [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in runs]
    return out


def _days(duty: Mapping[str, Any], avoid: list[tuple[dt.date, dt.date]], k: int) -> list[dt.date]:
    """k days of the duty's window, outside the windows to avoid when it has such days, spread over the window (a
    reader believes ten talks on ten days, not ten on one)."""
    runs = duty["windows"] or [[duty["window_start"], duty["window_end"]]]
    days = [dt.date.fromisoformat(a) + dt.timedelta(days=i) for a, b in runs
            for i in range((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days + 1)]  # fmt: skip
    free = [d for d in days if not any(lo <= d <= hi for lo, hi in avoid)] or days
    return [free[(i * len(free)) // k] for i in range(k)]


def _fill(school: IR, base: IR, b_rule: IR, who: Mapping[str, Any], kinds: list[str]) -> list[Activity] | None:
    """A log that meets every school duty of this student's world, chosen to miss the baseline rule; None if none found."""
    theirs = counted(base, b_rule["action"])
    log: list[Activity] = []
    avoid = _windows(base, _school(who, kinds, []), b_rule["id"])
    for _ in range(MAX_ROUNDS):
        # a school-year duty is in both terms' reports: fill it once
        missing = list({(d["rule"], d["subject"], d["window_start"]): d for d in _unmet(school, _school(who, kinds, log))}.values())
        if not missing:
            return log
        if any(d["status"] == "exceeded" for d in missing):
            return None
        for d in missing:
            mine = counted(school, d["action"])
            if len(mine) > 1:  # a group: log one of its members, so the reader sees what was done (a call, not a visit)
                mine = {a: m for a, m in mine.items() if a != d["action"]}
            # an action the baseline rule does not count, else one it counts only at a longer duration, else any
            name = (
                next((a for a in mine if a not in theirs), None) or next((a for a in mine if mine[a] < theirs[a]), None) or next(iter(mine))
            )
            minutes = float(mine[name]) if mine[name] else None
            # a mentor's or a class's duty is met by an activity naming no student: the student's own duties see nothing
            named = () if d["scope"] in ("mentor", "class") else ("S1",)
            mentor = d["subject"] if d["scope"] == "mentor" else d["subject"].split("/")[0] if d["scope"] == "pair" else "M1"
            for day in _days(d, avoid, d["min"] - d["count"]):
                log.append(Activity(f"W{len(log) + 1}", name, day, mentor, named, who["class"] or "甲班", minutes))
    return None


def _spare_grade(*conds: IR | None) -> int:
    """A grade no condition names: what `subjects` calls grade 0, made a real grade for the engine."""
    named = atoms(*conds).get("grade", set())
    return next(g for g in range(1, 100) if g not in named)


def find(school: IR, base: IR, b_rule: IR) -> Witness | None:
    """A counterexample to `b_rule` that the engine confirms, or None."""
    kinds = _kinds(school, base)
    conds = [and_(grades_cond(base), b_rule.get("where")), grades_cond(school), *(r.get("where") for r in school["rules"])]
    kinds_of_student = subjects(*conds)
    if kinds_of_student is None:
        return None
    spare = _spare_grade(*conds)
    theirs = set(counted(base, b_rule["action"]))
    near = [r.get("where") for r in school["rules"] if set(counted(school, r["action"])) & theirs]  # rules on these actions
    tags = frozenset(atoms(b_rule.get("where"), *near).get("tag", ()))
    grades_matter = "grade" in atoms(*conds)
    kinds_list = list(itertools.islice(kinds_of_student, MAX_TRIES))
    # the plainest world first: mentored all year; then no mentor; then mentors who leave before term end (what a
    # school's own mentors-per-student ratio, checked on the as-of date, still allows)
    worlds = [{**kind, "grade": kind["grade"] or spare, "mentored": m} for m in (True, False, "left") for kind in kinds_list]
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
        if not broken:
            continue
        school_reports = [r.to_json() for r in _reports(school, world)]  # the school's duties and its ratios, evaluated once
        if not _unmet_in(school_reports) and _ratios_kept(school_reports):
            return Witness(who, tuple(log), broken[0], who if grades_matter else {**who, "grade": 0}, tags, frozenset(theirs))
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
    """Each `cannot prove` verdict for which a counterexample is found becomes `not met`: the reason the proof failed,
    then the counterexample in words."""
    rules = {r["id"]: r for r in base["rules"]}
    ratios = {r["id"]: r for r in base["ratios"]}
    out = []
    for v in verdicts:
        ratio, rule = ratios.get(v.baseline_rule), rules.get(v.baseline_rule)
        if v.status != CANNOT:
            out.append(v)
        elif ratio is not None:
            roster = find_ratio(school, base, ratio)
            if roster is None:
                out.append(v)
                continue
            cx = {
                "direction": roster.direction,
                "n": roster.n,
                "groups": {str(g): k for g, k in roster.groups},
                "broken": dict(roster.broken),
            }
            out.append(_not_met(v, roster.words(school, "en", ratio), roster.words(school, "zh", ratio), cx))
        elif rule is not None and (found := find(school, base, rule)) is not None:
            cx = {"student": {k: sorted(x) if isinstance(x, set) else x for k, x in found.student.items()},
                  "activities": [a._asdict() | {"date": str(a.date)} for a in found.activities], "broken": dict(found.broken)}  # fmt: skip
            out.append(_not_met(v, found.words(school, "en"), found.words(school, "zh"), cx))
        else:
            out.append(v)
    return out


def _not_met(v: Verdict, en: str, zh: str, counterexample: Mapping[str, Any]) -> Verdict:
    return replace(v, status=NOT_MET, by=(), reason_en=f"{v.reason_en} — for example, {en}", reason_zh=f"{v.reason_zh}。例如：{zh}",
                   counterexample=counterexample)  # fmt: skip


@dataclass(frozen=True)
class RatioWitness:
    """A roster that keeps every ratio of the school's scheme and breaks a baseline ratio: one mentor and their students
    (or one student and their mentors), the students of one kind, spread over classes or grades when `groups` says so."""

    direction: str
    n: int  # students of the one mentor, or mentors of the one student
    student: Mapping[str, Any]
    groups: tuple[tuple[str | int, int], ...]  # (class name, or grade, students in it) when spread, else ()
    broken: Mapping[str, Any]
    school_ratios: int
    named: frozenset[str]  # the tags the conditions test
    grades_matter: bool  # a condition or a scheme's grades names a grade: the students' grade is said

    def words(self, school: IR, lang: str, b_ratio: IR) -> str:
        zh = lang == "zh"
        by_grade = any(isinstance(g, int) for g, _ in self.groups)
        shown = {**self.student, "grade": 0} if by_grade or not self.grades_matter else self.student  # by grade: said with the spread
        kind = describe(shown, lang, self.named)
        if self.direction == "students_per_mentor":

            def place(g: str | int) -> str:
                return (f"{g} 年级" if zh else f"grade {g}") if isinstance(g, int) else g

            spread = (
                "、".join(f"{place(g)} {k} 名" for g, k in self.groups) if zh else ", ".join(f"{k} in {place(g)}" for g, k in self.groups)
            )
            if zh:
                alike = "" if kind == "一名学生" else f"都是{kind.removeprefix('一名')}"
                said = "，".join(p for p in (spread, alike) if p)
                who = f"一位导师带 {self.n} 名学生" + (f"（{said}）" if said else "")
            else:
                alike = kind.removeprefix("a student").strip(", ")
                said = "; ".join(p for p in (spread, f"each {alike}" if alike else "") if p)
                who = f"a mentor of {self.n} students" + (f" ({said})" if said else "")
        elif zh:
            who = f"{kind}没有导师" if self.n == 0 else f"{kind}有 {self.n} 位导师"
        else:
            who = f"{kind} with no mentor" if self.n == 0 else f"{kind} with {self.n} mentors"
        b = self.broken
        if zh:
            allowed = "该校的配比允许这样" if self.school_ratios else "该校方案没有写配比"
            return f"{who}。{allowed}，但不符合基线“{ratio_words(b_ratio, 'zh')}”（实际为 {b['value']}）。"
        allowed = "the school's ratios allow it" if self.school_ratios else "the school writes no ratio"
        return f"{who}: {allowed}, but the baseline's “{ratio_words(b_ratio, 'en')}” does not (the value is {b['value']})."


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
                return RatioWitness(
                    b_ratio["direction"],
                    n,
                    who,
                    groups,
                    broken[0],
                    len(school["ratios"]),
                    frozenset(atoms(*conds).get("tag", ())),
                    "grade" in atoms(*conds),
                )
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


def _roster(direction: str, n: int, who: Mapping[str, Any], places: list[tuple[str, int]]) -> tuple[Any, tuple[tuple[str | int, int], ...]]:
    """The bundle of a ratio counterexample, and how many of its students sit in each class (or grade) when spread."""
    calendar = Calendar("2025-2026", TERMS, ())
    tags = tuple(sorted(who["tags"]))
    if direction == "students_per_mentor":
        students = [Student(f"S{i}", "学生", places[i % len(places)][1], places[i % len(places)][0], tags) for i in range(n)]
        mentors = [Mentor("M1", "导师", tuple(sorted(who["mentor"])))]
        pairs = [Assignment("M1", s.id) for s in students]
        by_grade = len({g for _, g in places}) > 1
        names: list[str | int] = [g if by_grade else k for k, g in places]
        counts = Counter(s.grade if by_grade else s.class_name for s in students)
        groups = tuple((name, counts[name]) for name in names) if len(places) > 1 else ()
    else:
        students = [Student("S1", "学生", who["grade"], places[0][0], tags)]
        mentors = [Mentor(f"M{i}", "导师", tuple(sorted(who["mentor"]))) for i in range(1, n + 1)]
        pairs = [Assignment(m.id, "S1") for m in mentors]
        groups = ()
    return bundle_from_rows(calendar, mentors, students, pairs, [], [], []), groups
