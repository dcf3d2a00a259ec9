"""Mentors, students, assignments, student events and ratings: RawTables → checked rows.

Rows come out as plain tuples in the field order of engine/model/roster.py's named tuples
(Mentor, Student, …), for the builder to hold as Rows.

These tables are a school's size (thousands of rows, a district's hundreds of thousands), so
they are checked row by row, each cell normalised by Arrow first. Every problem is a BadRow;
a bad row is left out (and, for a student, its id remembered, so that rows naming it say why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ..errors import BadRow
from ..model.calendar import Calendar
from ..suggest import suggest
from .table import RawTable
from .text import in_range, norm, normalised, parse_date, split_list, text_of

DATE_HINT_EN = "write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01"
DATE_HINT_ZH = "请写成 YYYY-MM-DD（或 YYYY/M/D、2025年9月1日），例如 2025-09-01"
NAMED = ("id", "class", "tags", "roles", "mentor_id", "student_id", "kind", "score", "item", "term")


def cells(table: RawTable) -> dict[str, list[object]]:
    """Every column as Python values; names, classes, tags, kinds normalised (NFKC, trimmed), other text trimmed."""
    out: dict[str, list[object]] = {}
    for name, col in table.columns.items():
        col = text_of(col)  # a column read as a dictionary is text all the same
        if name in NAMED:
            out[name] = normalised(col).to_pylist()
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            out[name] = [("" if v is None else v.strip()) for v in col.to_pylist()]
        else:
            out[name] = col.to_pylist()
    return out


def text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


@dataclass
class Refs:
    """Known ids and the rows of rejected ones, for messages about rows that name them."""

    mentors: Mapping[str, int]
    students: Mapping[str, int]
    mentors_file: str
    students_file: str
    rejected_mentors: dict[str, str] = field(default_factory=dict)  # id → where its row is (file:line)
    rejected_students: dict[str, str] = field(default_factory=dict)

    def check(self, value: str, what: str) -> tuple[str, str, str] | None:
        """(code, en, zh) when `value` is not a known mentor or student id."""
        index, rejected, ref_file = ((self.mentors, self.rejected_mentors, self.mentors_file) if what == "mentor"
                                     else (self.students, self.rejected_students, self.students_file))  # fmt: skip
        if value in index:
            return None
        zh_what = "导师" if what == "mentor" else "学生"
        if not value:
            return "missing", f"the {what} id is missing", f"缺少{zh_what}编号"
        if value in rejected:
            return ("rejected-reference", f"{what} '{value}' was rejected ({rejected[value]})",
                    f"{zh_what}“{value}”所在的行已被拒绝（{rejected[value]}）")  # fmt: skip
        same = _without_zeros(value, index)
        if same is not None:  # Excel turned 00001 into 1 on one side: a number, not a text
            return (f"unknown-{what}", f"unknown {what} id '{value}': {ref_file} has '{same}', the same number without its leading zeros — "
                    "Excel dropped them: format the id column as text (文本) in both files and type the ids again",
                    f"未知的{zh_what}编号“{value}”：{ref_file} 中有“{same}”，只差前导的 0——Excel 把编号当成了数字：请在两个文件中把编号列设为“文本”格式并重新输入")  # fmt: skip
        hint_en, hint_zh = suggest(value, index)
        return f"unknown-{what}", f"unknown {what} id '{value}': not in {ref_file}{hint_en}", f"未知的{zh_what}编号“{value}”：{ref_file} 中没有{hint_zh}"


def _without_zeros(value: str, index: Mapping[str, int]) -> str | None:
    """The known id equal to `value` but for leading zeros (`1` and `00001`), if there is one."""
    if not value.isdigit():
        return None
    bare = value.lstrip("0") or "0"
    if bare != value and bare in index:
        return bare
    return next((k for k in index if k.isdigit() and k != value and (k.lstrip("0") or "0") == bare), None) if len(index) <= 50_000 else None


def not_a_date(cell: str) -> tuple[str, str]:
    """Why a cell is not a date, in en and zh; an Excel date number (a date column formatted as General) is named as such."""
    if cell.isdigit() and 20_000 <= int(cell) <= 80_000:
        day = (dt.date(1899, 12, 30) + dt.timedelta(days=int(cell))).isoformat()
        return (f"'{cell}' is not a date: it looks like Excel's number for {day}; format the column as a date (日期) in Excel",
                f"“{cell}”不是日期：看起来是 Excel 中 {day} 的日期序号；请在 Excel 中把这一列设为“日期”格式")  # fmt: skip
    return f"'{cell}' is not a date: {DATE_HINT_EN}", f"“{cell}”不是日期：{DATE_HINT_ZH}"


def _at(table: RawTable, i: int) -> str:
    """Where row i is, for a message in another file: `students.csv:4`, or `students[S1]` for a database row."""
    source, line = table.where(i)
    return f"{source}:{line}" if line else source


def here(table: RawTable, i: int) -> tuple[str, str]:
    """Where row i is, for a message in its own table: `line 4` / `第 4 行`, or the database key."""
    source, line = table.where(i)
    return (f"line {line}", f"第 {line} 行") if line else (source, source)


def as_day(value: object) -> dt.date | None:
    """A date cell's day: a date or datetime as it is, text parsed; None when blank or not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(text(value)) if text(value) else None


def date_problem(day: dt.date | None, shown: str, column: str, required: bool) -> tuple[str, str, str] | None:
    """(code, en, zh) when a date cell is no good: missing (when required), not a date, outside 1900–2100; `shown` is the cell as the message quotes it."""
    if day is None and not shown:
        return ("missing", f"the {column} is missing", "缺少日期") if required else None
    if day is None:
        return ("bad-date", *not_a_date(shown))
    if not in_range(day):
        return ("date-out-of-range", f"{day.isoformat()} is not between 1900 and 2100: check the year",
                f"{day.isoformat()} 不在 1900 年到 2100 年之间：请检查年份")  # fmt: skip
    return None


def read_date(table: RawTable, i: int, column: str, value: object, bad: list[BadRow], required: bool,
              seen: dict[object, dt.date | None] | None = None) -> tuple[bool, dt.date | None]:  # fmt: skip
    """A date cell: (ok, day); a bad row when date_problem finds one.
    `seen` holds the dates of texts read before (a roster repeats a few dates many times)."""
    if seen is not None and not isinstance(value, dt.date):
        day = seen[value] if value in seen else seen.setdefault(value, as_day(value))
    else:
        day = as_day(value)
    problem = date_problem(day, text(value), column, required)
    if problem is not None:
        bad.append(table.bad_row(i, column, *problem))
        return False, None
    return True, day


def _new_id(table: RawTable, i: int, ident: str, seen: dict[str, int], what: str, bad: list[BadRow]) -> bool:
    """Whether row i's id is there and not used by an earlier row; a bad row when not."""
    zh_what = "导师" if what == "mentor" else "学生"
    if not ident:
        bad.append(table.bad_row(i, "id", "missing", f"the {what} id is missing", f"缺少{zh_what}编号"))
        return False
    if ident in seen:
        en, zh = here(table, seen[ident])
        bad.append(table.bad_row(i, "id", "duplicate-id", f"duplicate {what} id '{ident}' (first used on {en})",
                                 f"{zh_what}编号“{ident}”重复（第一次出现在{zh}）"))  # fmt: skip
        return False
    return True


def mentors(table: RawTable, bad: list[BadRow]) -> list[tuple[Any, ...]]:
    c = cells(table)
    n, empty = len(table), [""] * len(table)
    seen: dict[str, int] = {}
    lists = _Lists()
    out = []
    for i, (mid, name, roles, tags, klass) in enumerate(zip(c["id"], c["name"], c.get("roles", empty), c.get("tags", empty),
                                                            c.get("class", empty), strict=True)):  # fmt: skip
        mid = text(mid)
        if not _new_id(table, i, mid, seen, "mentor", bad):
            continue
        seen[mid] = i
        out.append((mid, text(name), lists(roles), lists(tags), text(klass) or None, _line(table, i)))
    assert n == len(c["id"])
    return out


class _Lists(dict[object, tuple[str, ...]]):
    """List cells split once per distinct text (tags and roles repeat a lot)."""

    def __call__(self, cell: object) -> tuple[str, ...]:
        hit = self.get(cell)
        if hit is None:
            hit = self[cell] = split_list(text(cell))
        return hit


def _lines(table: RawTable) -> list[int | None]:
    """Every row's line, as _line gives it."""
    return [line or None for line in table.lines.tolist()]


def _line(table: RawTable, i: int) -> int | None:
    """The row's line in its file; None for a database row (line 0), even in a table that mixes both."""
    return int(table.lines[i]) or None


def students(table: RawTable, bad: list[BadRow], rejected: dict[str, str]) -> list[tuple[Any, ...]]:
    c = cells(table)
    fast = _good_students(table, c)
    if fast is not None:
        return fast
    empty = [""] * len(table)
    seen: dict[str, int] = {}
    class_grade: dict[str, tuple[int, int]] = {}
    lists, grades = _Lists(), {}  # type: ignore[var-annotated]
    out = []
    for i, (sid, name, grade_cell, klass, tags) in enumerate(zip(c["id"], c["name"], c["grade"], c["class"], c.get("tags", empty),
                                                                 strict=True)):  # fmt: skip
        sid, klass = text(sid), text(klass)
        if not _new_id(table, i, sid, seen, "student", bad):
            continue
        grade = grades[grade_cell] if grade_cell in grades else grades.setdefault(grade_cell, _grade(grade_cell))
        ok = True
        if grade is None:
            bad.append(table.bad_row(i, "grade", "bad-grade", f"'{text(grade_cell)}' is not a grade: write a whole number such as 5 (初一 is 7, 高一 is 10)",
                                     f"“{text(grade_cell)}”不是年级：请写整数，例如 5（初一为 7，高一为 10）"))  # fmt: skip
            ok = False
        if not klass:
            bad.append(table.bad_row(i, "class", "missing", "the class is missing", "缺少班级"))
            ok = False
        elif grade is not None and klass in class_grade and class_grade[klass][0] != grade:
            g, first = class_grade[klass]
            en, zh = here(table, first)
            bad.append(table.bad_row(i, "class", "duplicate-class",
                                     f"class '{klass}' is already a class of grade {g} ({en}); class names must be unique within the school",
                                     f"班级“{klass}”已是 {g} 年级的班级（{zh}）；同一学校的班级名称不能重复"))  # fmt: skip
            ok = False
        if not ok:
            rejected.setdefault(sid, _at(table, i))
            continue
        assert grade is not None
        seen[sid] = i
        class_grade.setdefault(klass, (grade, i))
        out.append((sid, text(name), grade, klass, lists(tags), _line(table, i)))
    return out


def _good_students(table: RawTable, c: dict[str, list[object]]) -> list[tuple[Any, ...]] | None:
    """The students when the table has nothing to explain (checked column-wise with sets), else None."""
    ids, classes = c["id"], c["class"]
    if "" in ids or "" in classes or len(set(ids)) != len(ids):
        return None
    grade_of = {g: _grade(g) for g in set(c["grade"])}
    if None in grade_of.values():
        return None
    grades = [grade_of[g] for g in c["grade"]]
    if len(set(zip(classes, grades, strict=True))) != len(set(classes)):  # a class in two grades
        return None
    tags = c.get("tags", [""] * len(table))
    split = {t: split_list(text(t)) for t in set(tags)}
    names = [text(n) for n in c["name"]]
    return list(zip(ids, names, grades, classes, map(split.__getitem__, tags), _lines(table), strict=True))


_GRADE_WORDS = {f"{n}年级": i for i, n in enumerate("一二三四五六七八九", start=1)} | {
    f"{stage}{n}": base + i for stage, base in (("初", 6), ("高", 9)) for i, n in enumerate("一二三", start=1)}  # fmt: skip


def _grade(value: object) -> int | None:
    """A grade number: `5`, `5.0`, `5年级`, `五年级`, `初一` (7), `高三` (12)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 1 else None
    t = norm(text(value))
    if t in _GRADE_WORDS:
        return _GRADE_WORDS[t]
    t = t.removesuffix("年级")
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite() or d != d.to_integral_value() or d < 1:
        return None
    return int(d)


def assignments(table: RawTable, refs: Refs, bad: list[BadRow]) -> list[tuple[Any, ...]]:
    c = cells(table)
    fast = _good_assignments(table, c, refs)
    if fast is not None:
        return fast
    empty = [""] * len(table)
    out, seen = [], {}  # type: ignore[var-annotated]
    for i, (m, s, start, end) in enumerate(zip(c["mentor_id"], c["student_id"], c.get("start", empty), c.get("end", empty), strict=True)):
        m, s = text(m), text(s)
        ok = _reference(table, i, "mentor_id", m, "mentor", refs, bad)
        ok = _reference(table, i, "student_id", s, "student", refs, bad) and ok
        ok_s, first = read_date(table, i, "start", start, bad, False, seen)
        ok_e, last = read_date(table, i, "end", end, bad, False, seen)
        if first is not None and last is not None and last < first:
            bad.append(table.bad_row(i, "end", "end-before-start", f"the end {last} is before the start {first}", f"结束日期 {last} 早于开始日期 {first}"))
            ok = False
        if ok and ok_s and ok_e:
            out.append((m, s, first, last, _line(table, i)))
    return out


def _good_assignments(table: RawTable, c: dict[str, list[object]], refs: Refs) -> list[tuple[Any, ...]] | None:
    """The assignments when the table has nothing to explain (checked column-wise with sets), else None."""
    mentors, students = c["mentor_id"], c["student_id"]
    if not set(mentors) <= refs.mentors.keys() or not set(students) <= refs.students.keys():
        return None
    empty = [""] * len(table)
    starts, ends = c.get("start", empty), c.get("end", empty)
    day_of: dict[object, dt.date | None] = {}
    for value in set(starts) | set(ends):
        day = day_of[value] = as_day(value)
        if date_problem(day, text(value), "start", False) is not None:
            return None
    first, last = [day_of[v] for v in starts], [day_of[v] for v in ends]
    if any(a is not None and b is not None and b < a for a, b in zip(first, last, strict=True)):
        return None
    return list(zip(mentors, students, first, last, _lines(table), strict=True))


def _reference(table: RawTable, i: int, column: str, value: str, what: str, refs: Refs, bad: list[BadRow]) -> bool:
    problem = refs.check(value, what)
    if problem is not None:
        bad.append(table.bad_row(i, column, *problem))
    return problem is None


def student_events(table: RawTable, refs: Refs, bad: list[BadRow]) -> list[tuple[Any, ...]]:
    c = cells(table)
    out = []
    for i, (s, kind, date) in enumerate(zip(c["student_id"], c["kind"], c["date"], strict=True)):
        s, kind = text(s), text(kind)
        ok = _reference(table, i, "student_id", s, "student", refs, bad)
        if not kind:
            bad.append(table.bad_row(i, "kind", "missing", "the event kind is missing", "缺少事件类型"))
            ok = False
        ok_d, day = read_date(table, i, "date", date, bad, True)
        if ok and ok_d and day is not None:
            out.append((s, kind, day, _line(table, i)))
    return out


def ratings(table: RawTable, refs: Refs, calendar: Calendar, bad: list[BadRow]) -> list[tuple[Any, ...]]:
    c = cells(table)
    term_keys = {t.id for t in calendar.terms} | {calendar.school_year}
    fast = _good_ratings(table, c, refs, term_keys)
    if fast is not None:
        return fast
    first: dict[tuple[str, str, str, str], int] = {}
    out = []
    for i, (m, score, item, value, term) in enumerate(zip(c["mentor_id"], c["score"], c["item"], c["value"], c["term"], strict=True)):
        m, score, item, term = text(m), text(score), text(item), text(term)
        ok = _reference(table, i, "mentor_id", m, "mentor", refs, bad)
        for column, v, zh in (("score", score, "缺少评分名称"), ("item", item, "缺少评分项名称")):
            if not v:
                bad.append(table.bad_row(i, column, "missing", f"the {column} is missing", zh))
                ok = False
        number = _decimal(value)
        if number is None:
            bad.append(table.bad_row(i, "value", "bad-number", f"'{text(value)}' is not a number", f"“{text(value)}”不是数字"))
            ok = False
        if not term:
            bad.append(table.bad_row(i, "term", "missing",
                                     f"the term is missing: write a term id for a per term score, or the school year {calendar.school_year} for a per school_year score",
                                     f"缺少学期：按学期的评分写学期编号，按学年的评分写学年 {calendar.school_year}"))  # fmt: skip
            ok = False
        elif term not in term_keys:
            known = ", ".join(sorted(term_keys))
            bad.append(table.bad_row(i, "term", "unknown-term", f"'{term}' is neither a term id nor the school year of calendar.yaml ({known})",
                                     f"“{term}”既不是 calendar.yaml 中的学期编号，也不是学年（{known}）"))  # fmt: skip
            ok = False
        key = (m, score, item, term)
        if number is None:
            pass  # a row whose value is not a number is no first value for the rows after it
        elif key in first:
            en, zh = here(table, first[key])
            bad.append(table.bad_row(i, "item", "duplicate-rating",
                                     f"a second value for mentor '{m}', score '{score}', item '{item}', term '{term}' (first on {en})",
                                     f"导师“{m}”评分“{score}”项“{item}”学期“{term}”重复录入（第一次在{zh}）"))  # fmt: skip
            ok = False
        else:
            first[key] = i
        if ok and number is not None:
            out.append((m, score, item, number, term, _line(table, i)))
    return out


def _good_ratings(table: RawTable, c: dict[str, list[object]], refs: Refs, term_keys: set[str]) -> list[tuple[Any, ...]] | None:
    """The ratings when the table has nothing to explain (checked column-wise with sets), else None. Values written as
    text only (a CSV's): a workbook's numbers (1 and 1.0, equal as keys) are read row by row."""
    mentors, scores, items, values, terms = c["mentor_id"], c["score"], c["item"], c["value"], c["term"]
    if (not set(mentors) <= refs.mentors.keys() or "" in scores or "" in items or not set(terms) <= term_keys
            or not all(type(v) is str for v in values) or len(set(zip(mentors, scores, items, terms, strict=True))) < len(mentors)):  # fmt: skip
        return None
    number_of = {v: _decimal(v) for v in set(values)}
    if None in number_of.values():
        return None
    return list(zip(mentors, scores, items, map(number_of.__getitem__, values), terms, _lines(table), strict=True))


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value) if isinstance(value, float) else str(value)
    try:
        d = Decimal(text(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None

