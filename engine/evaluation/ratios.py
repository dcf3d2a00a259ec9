"""Ratios (SPEC §2.3): students per mentor, mentors per student, on the as-of date's assignments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.scheme import Ratio
from .duties import Context


@dataclass(frozen=True)
class RatioResult:
    ratio: Ratio
    subject: str
    group: str | None
    value: int

    @property
    def ok(self) -> bool:
        return self.ratio.min <= self.value and (self.ratio.max is None or self.value <= self.ratio.max)


def _group_order(g: int | str) -> tuple[int, str]:
    """Grades in numeric order, classes in code point order."""
    return (g, "") if isinstance(g, int) else (0, g)


def evaluate_ratio(ratio: Ratio, ctx: Context) -> list[RatioResult]:
    """One value per mentor (students per mentor, every mentor of the roster, 0 included),
    per (mentor, grade or class) among its students when grouped, or per student."""
    b = ctx.bundle
    ms, ss = ctx.roster.active(ctx.as_of)
    counted = ctx.masks.over(ratio.where, np.arange(len(b.students), dtype=np.int64)) & ctx.in_scope
    sel = counted[ss] if len(ss) else np.zeros(0, bool)
    ms, ss = ms[sel], ss[sel]
    out: list[RatioResult] = []
    if ratio.direction == "students_per_mentor":
        if ratio.group is None:
            per = np.bincount(ms, minlength=len(b.mentors)) if len(b.mentors) else np.zeros(0, np.int64)
            return [RatioResult(ratio, m, None, v) for m, v in zip(b.mentor_ids, per.tolist(), strict=True)]
        groups: dict[int, dict[int | str, int]] = {}
        for m, s in zip(ms.tolist(), ss.tolist(), strict=True):
            g: int | str = b.students[s].grade if ratio.group == "grade" else b.students[s].class_name
            per_m = groups.setdefault(m, {})
            per_m[g] = per_m.get(g, 0) + 1
        for m in sorted(groups):
            for g in sorted(groups[m], key=_group_order):
                out.append(RatioResult(ratio, b.mentors[m].id, str(g), groups[m][g]))
        return out
    per_s = np.bincount(ss, minlength=len(b.students)) if len(b.students) else np.zeros(0, np.int64)
    students = b.students
    for i, value in zip(np.flatnonzero(counted).tolist(), per_s[counted].tolist(), strict=True):
        st = students[i]
        group = None if ratio.group is None else (str(st.grade) if ratio.group == "grade" else st.class_name)
        out.append(RatioResult(ratio, st.id, group, value))
    return out
