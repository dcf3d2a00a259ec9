"""Why an activity row is bad, in words: run only on the rows the vectorised checks flagged.

`activity_problems` reads one row's cells in plain Python and says everything wrong with it.
It is also the reference the vectorised checks are tested against: run on every row of a
damaged file, it finds exactly the rows they flag (tests/engine/test_load_damaged.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..suggest import suggest
from .roster import Refs, as_day, date_problem
from .text import norm, plain_number, split_list

Problem = tuple[str, str, str, str]  # column, code, en, zh
MAX_HINTS = 200  # a file full of bad ids needs fixing at the source, not 10,000 suggestions


@dataclass
class ActivityRow:
    """One activity row's cells as read (text, or typed values from a database)."""

    id: object
    action: object
    date: object
    mentor_id: object
    student_ids: object  # a list cell, or a tuple of ids from a database's link table
    class_name: object
    duration_min: object


def _text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def activity_problems(row: ActivityRow, refs: Refs, classes: Mapping[str, int], earlier: tuple[str, str] | None,
                      hints: bool = True) -> list[Problem]:  # fmt: skip
    """Every problem of one row; `earlier` says where an earlier row used the same id (`line 4`, `第 4 行`), None if none did."""
    out: list[Problem] = []
    ident = norm(_text(row.id))
    if not ident:
        out.append(("id", "missing", "the activity id is missing", "缺少活动编号"))
    elif earlier is not None:
        out.append(("id", "duplicate-id", f"duplicate activity id '{ident}' (first used on {earlier[0]})", f"活动编号“{ident}”重复（第一次出现在{earlier[1]}）"))
    if not norm(_text(row.action)):
        out.append(("action", "missing", "the action is missing", "缺少动作名称"))
    out.extend(_date(row.date))
    problem = refs.check(norm(_text(row.mentor_id)), "mentor")
    if problem is not None:
        out.append(("mentor_id", *problem))
    klass = norm(_text(row.class_name))
    if klass and klass not in classes:
        hint_en, hint_zh = suggest(klass, classes) if hints else ("", "")
        out.append(("class", "unknown-class", f"unknown class '{klass}': no student or head teacher has it{hint_en}",
                    f"班级“{klass}”不存在：没有学生或班主任属于这个班级{hint_zh}"))  # fmt: skip
    out.extend(_duration(row.duration_min))
    out.extend(_students(row.student_ids, refs, hints))
    return out


def _date(value: object) -> list[Problem]:
    shown = value.isoformat() if isinstance(value, dt.date) else norm(_text(value))
    problem = date_problem(as_day(value), shown, "date", True)
    return [] if problem is None else [("date", *problem)]


def _duration(value: object) -> list[Problem]:
    number: float | None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, text = float(value), repr(value)
    else:
        text = norm(_text(value))
        if not text:
            return []
        number = plain_number(text)
    if number is None:
        return [("duration_min", "bad-number", f"'{text}' is not a number of minutes", f"“{text}”不是分钟数")]
    if math.isnan(number):  # a database's NULL
        return []
    if not math.isfinite(number):
        return [("duration_min", "bad-number", f"'{text}' is not a number of minutes", f"“{text}”不是分钟数")]
    if number < 0:
        return [("duration_min", "negative-duration", f"negative duration {text}: minutes cannot be below 0", f"时长 {text} 为负数：分钟数不能小于 0")]
    return []


def _students(value: object, refs: Refs, hints: bool) -> list[Problem]:
    ids = tuple(norm(_text(v)) for v in value) if isinstance(value, tuple | list) else split_list(_text(value))
    missing = list(dict.fromkeys(p for p in ids if p and p not in refs.students))
    unknown = [p for p in missing if p not in refs.rejected_students]
    out: list[Problem] = []
    if len(unknown) == 1 and hints:  # one unknown id: worded as everywhere else, hints included
        code, en, zh = refs.check(unknown[0], "student") or ("", "", "")
        out.append(("student_ids", code, en, zh))
    elif unknown:
        hint_en, hint_zh = ("", "")
        listed = ", ".join(f"'{p}'" for p in unknown)
        out.append(("student_ids", "unknown-student", f"unknown student id {listed}: not in {refs.students_file}{hint_en}",
                    f"未知的学生编号 {'、'.join(f'“{p}”' for p in unknown)}：{refs.students_file} 中没有{hint_zh}"))  # fmt: skip
    for p in missing:
        if p in refs.rejected_students:
            code, en, zh = refs.check(p, "student") or ("", "", "")
            out.append(("student_ids", code, en, zh))
    return out
