"""Who a rule is about: `where` conditions, students in scope, and who mentors whom on a day."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model.bundle import Bundle
from ..model.roster import Mentor, Student
from ..model.scheme import And, ClassIn, Cond, GradeIn, MentorHas, Not, Or, StudentHas


def holds(cond: Cond | None, student: Student | None = None, mentor: Mentor | None = None) -> bool:
    """A `where` condition on a subject; a test on an absent student or mentor does not hold."""
    if cond is None:
        return True
    if isinstance(cond, And):
        return all(holds(a, student, mentor) for a in cond.args)
    if isinstance(cond, Or):
        return any(holds(a, student, mentor) for a in cond.args)
    if isinstance(cond, Not):
        return not holds(cond.arg, student, mentor)
    if isinstance(cond, StudentHas):
        return student is not None and cond.tag in student.tags
    if isinstance(cond, GradeIn):
        return student is not None and student.grade in cond.grades
    if isinstance(cond, ClassIn):
        return student is not None and student.class_name in cond.classes
    if isinstance(cond, MentorHas):
        return mentor is not None and (cond.tag in mentor.roles or cond.tag in mentor.tags)
    raise TypeError(f"{type(cond).__name__} is not a where condition")


@dataclass
class Masks:
    """`where` conditions as boolean vectors over pairs, leaves computed once per bundle and cached."""

    bundle: Bundle
    _leaf: dict[Cond, np.ndarray] = field(default_factory=dict)

    def leaf(self, cond: Cond) -> np.ndarray:
        hit = self._leaf.get(cond)
        if hit is None:
            b = self.bundle
            if isinstance(cond, MentorHas):
                hit = np.array([holds(cond, None, m) for m in b.mentors], dtype=bool)
            else:
                hit = np.array([holds(cond, st) for st in b.students], dtype=bool)
            self._leaf[cond] = hit
        return hit

    def over(self, cond: Cond | None, students: np.ndarray, mentors: np.ndarray | None = None) -> np.ndarray:
        """cond for each (student, mentor) position; mentor tests need `mentors`."""
        if cond is None:
            return np.ones(len(students), dtype=bool)
        if isinstance(cond, And):
            out = np.ones(len(students), dtype=bool)
            for a in cond.args:
                out &= self.over(a, students, mentors)
            return out
        if isinstance(cond, Or):
            out = np.zeros(len(students), dtype=bool)
            for a in cond.args:
                out |= self.over(a, students, mentors)
            return out
        if isinstance(cond, Not):
            return ~self.over(cond.arg, students, mentors)
        if isinstance(cond, MentorHas):
            if mentors is None:
                return np.zeros(len(students), dtype=bool)
            return self.leaf(cond)[mentors]
        if not len(self.bundle.students):
            return np.zeros(len(students), dtype=bool)
        return self.leaf(cond)[students]

    def mentors(self, cond: Cond | None) -> np.ndarray:
        """cond for every mentor (per mentor duties: only mentor tests apply)."""
        n = len(self.bundle.mentors)
        return self.over(cond, np.zeros(n, dtype=np.int64), np.arange(n, dtype=np.int64))


@dataclass
class Roster:
    """Assignments of in-scope students, looked up by day (cached: a rule has few distinct days)."""

    bundle: Bundle
    in_scope: np.ndarray  # bool per student
    _cache: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _by_student: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _pairs: tuple[np.ndarray, np.ndarray] | None = None

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (mentor, student) key that any assignment makes (sorted), and the code point rank of its
        `MENTOR/STUDENT` label: computed once, shared by all per pair rules."""
        if self._pairs is None:
            b = self.bundle
            n = max(len(b.students), 1)
            keys = np.unique(b.assign_mentor.astype(np.int64) * n + b.assign_student)
            labels = [f"{b.mentors[k // n].id}/{b.students[k % n].id}" for k in keys.tolist()]
            rank = np.empty(len(labels), dtype=np.int64)
            rank[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(labels))
            self._pairs = (keys, rank)
        return self._pairs

    def active(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (mentor, student) pairs with an assignment active on `day`, sorted by (mentor, student)."""
        hit = self._cache.get(day)
        if hit is None:
            b = self.bundle
            ok = (b.assign_start <= day) & (day <= b.assign_end)
            ok &= self.in_scope[b.assign_student] if len(b.assign_student) else ok
            keys = np.unique(b.assign_mentor[ok].astype(np.int64) * max(len(b.students), 1) + b.assign_student[ok])
            n = max(len(b.students), 1)
            hit = self._cache[day] = ((keys // n).astype(np.int64), (keys % n).astype(np.int64))
        return hit

    def mentors_of(self, student: int, day: int) -> list[int]:
        table = self._by_student.get(day)
        if table is None:
            table = {}
            for m, s in zip(*self.active(day), strict=True):
                table.setdefault(int(s), []).append(int(m))
            self._by_student[day] = table
        return table.get(student, [])
