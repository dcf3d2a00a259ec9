"""A school's data (SPEC §3) as one in-memory value: calendar, roster, assignments, activities.

Two ways in, one set of checks:
- `load_bundle(folder)` reads the CSV files and calendar.yaml (engine/reader.py);
- `Bundle.from_rows(...)` builds it from typed rows, e.g. database rows in the service.
Either way every bad row is collected as a BadRow (`file:line: column: reason`) and the
build fails with BadRowsError listing all of them, unless `skip_bad_rows`, which keeps
the good rows and carries the bad ones in `rejected` for the report.

Mentors and students are held sorted by id (code point order), so a dense index is also
the order the report lists subjects in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .activities import Activities, ActivityBuilder
from .errors import BadRow, BadRowsError
from .fastcsv import ParsedAhead
from .suggest import suggest

OPEN_START = -(2**31) + 1
OPEN_END = 2**31 - 2
CHUNK = 200_000


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CalendarEvent:
    kind: str
    name: str
    date: dt.date
    grades: tuple[int, ...] | None = None  # None: every grade


@dataclass(frozen=True)
class Calendar:
    school_year: str
    terms: tuple[Term, ...]  # sorted by start
    events: tuple[CalendarEvent, ...] = ()

    @property
    def year_start(self) -> dt.date:
        return min(t.start for t in self.terms)

    @property
    def year_end(self) -> dt.date:
        return max(t.end for t in self.terms)


@dataclass(frozen=True)
class Mentor:
    id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    class_name: str | None = None  # the class a head teacher leads
    line: int | None = None


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    grade: int
    class_name: str
    tags: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Assignment:
    mentor_id: str
    student_id: str
    start: dt.date | None = None
    end: dt.date | None = None
    line: int | None = None


@dataclass(frozen=True)
class Activity:
    """One activity row; `date` may be a date or text as in the CSV (only the date part is used)."""

    id: str
    action: str
    date: dt.date | str
    mentor_id: str
    student_ids: tuple[str, ...] = ()
    class_name: str | None = None
    duration_min: float | None = None
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class StudentEvent:
    student_id: str
    kind: str
    date: dt.date
    line: int | None = None


@dataclass(frozen=True)
class Rating:
    mentor_id: str
    score: str
    item: str
    value: Decimal
    term: str
    line: int | None = None


@dataclass(frozen=True)
class ActivityCells:
    """A chunk of activity cells as read (text), for the fast path from CSV."""

    ids: Sequence[Any]
    actions: Sequence[Any]
    dates: Sequence[Any]
    mentors: Sequence[Any]
    students: Sequence[Any]
    classes: Sequence[Any]
    durations: Sequence[Any]
    lines: Sequence[int]


class FeedsActivities(Protocol):
    """A block of raw activity rows that checks and adds itself (engine/fastcsv.py)."""

    def feed(self, builder: ActivityBuilder) -> None: ...


ActivitySource = Iterable[Activity] | Iterable[ActivityCells] | Iterable[ActivityCells | FeedsActivities]


@dataclass(frozen=True)
class FileNames:
    mentors: str = "mentors.csv"
    students: str = "students.csv"
    assignments: str = "assignments.csv"
    activities: str = "activities.csv"
    student_events: str = "student_events.csv"
    ratings: str = "ratings.csv"
    calendar: str = "calendar.yaml"


@dataclass(frozen=True, eq=False)
class Bundle:
    """One school's data, checked and indexed; never changed after it is built."""

    calendar: Calendar
    mentors: tuple[Mentor, ...]  # sorted by id
    students: tuple[Student, ...]  # sorted by id
    classes: tuple[str, ...]  # sorted names: students' classes and head teachers' classes
    assignments: tuple[Assignment, ...]
    activities: Activities
    student_events: tuple[StudentEvent, ...]
    ratings: tuple[Rating, ...]
    rejected: tuple[BadRow, ...] = ()
    skip_bad_rows: bool = False
    files: FileNames = field(default_factory=FileNames)
    # dense columns derived from the above
    mentor_index: Mapping[str, int] = field(default_factory=dict)
    student_index: Mapping[str, int] = field(default_factory=dict)
    class_index: Mapping[str, int] = field(default_factory=dict)
    student_grade: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    student_class: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_mentor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_student: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    assign_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    assign_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @staticmethod
    def from_rows(calendar: Calendar, mentors: Iterable[Mentor], students: Iterable[Student], assignments: Iterable[Assignment],
                  activities: ActivitySource, student_events: Iterable[StudentEvent] = (),
                  ratings: Iterable[Rating] = (), *, skip_bad_rows: bool = False, files: FileNames | None = None) -> Bundle:  # fmt: skip
        """Check typed rows and build the bundle; BadRowsError lists every bad row unless skip_bad_rows."""
        return build(calendar, list(mentors), list(students), list(assignments), activities, list(student_events), list(ratings),
                     skip_bad_rows=skip_bad_rows, files=files or FileNames())  # fmt: skip

    @cached_property
    def mentor_ids(self) -> list[str]:
        """Mentor ids in index order (computed once; a frozen dataclass still has a __dict__)."""
        return [m.id for m in self.mentors]

    @cached_property
    def student_ids(self) -> list[str]:
        return [s.id for s in self.students]


def load_bundle(folder: str | Path, *, skip_bad_rows: bool = False) -> Bundle:
    """Read a bundle folder (SPEC §3); BundleError on any problem unless skip_bad_rows."""
    from .reader import read_bundle  # reader depends on this module's row types

    return read_bundle(Path(folder), skip_bad_rows=skip_bad_rows)


class _Rows:
    """Collects bad rows and remembers the lines of rejected ids (for follow-on messages)."""

    def __init__(self, files: FileNames, bad: list[BadRow] | None = None):
        self.files = files
        self.bad: list[BadRow] = list(bad or [])

    def add(self, file: str, line: int, column: str, code: str, en: str, zh: str) -> None:
        self.bad.append(BadRow(file, line, column, code, en, zh))


def _line(row: Any, position: int) -> int:
    """The row's source line; for rows without one, its position as if under a header line."""
    return row.line if row.line is not None else position + 2


def build(calendar: Calendar, mentors: list[Mentor], students: list[Student], assignments: list[Assignment],
          activities: ActivitySource, student_events: list[StudentEvent], ratings: list[Rating], *,
          skip_bad_rows: bool, files: FileNames, earlier_bad: Sequence[BadRow] = (),
          rejected_mentor_ids: Mapping[str, int] | None = None, rejected_student_ids: Mapping[str, int] | None = None) -> Bundle:  # fmt: skip
    """The shared path behind from_rows and load_bundle: check references, index, sort.

    `earlier_bad` are rows the reader could not even parse; `rejected_*_ids` name ids whose
    own row was bad, so rows pointing at them are explained rather than called unknown.
    """
    out = _Rows(files)
    rej_m: dict[str, int] = dict(rejected_mentor_ids or {})
    rej_s: dict[str, int] = dict(rejected_student_ids or {})

    mentor_rows: dict[str, Mentor] = {}
    for i, m in enumerate(mentors):
        line = _line(m, i)
        if not m.id:
            out.add(files.mentors, line, "id", "missing", "the mentor id is missing", "缺少导师编号")
        elif m.id in mentor_rows:
            first = _line(mentor_rows[m.id], 0)
            out.add(files.mentors, line, "id", "duplicate-id", f"duplicate mentor id '{m.id}' (first used on line {first})",
                    f"导师编号“{m.id}”重复（第一次出现在第 {first} 行）")  # fmt: skip
        else:
            mentor_rows[m.id] = m

    student_rows: dict[str, Student] = {}
    class_grade: dict[str, tuple[int, int]] = {}
    for i, s in enumerate(students):
        line = _line(s, i)
        if not s.id:
            out.add(files.students, line, "id", "missing", "the student id is missing", "缺少学生编号")
            continue
        if s.id in student_rows:
            first = _line(student_rows[s.id], 0)
            out.add(files.students, line, "id", "duplicate-id", f"duplicate student id '{s.id}' (first used on line {first})",
                    f"学生编号“{s.id}”重复（第一次出现在第 {first} 行）")  # fmt: skip
            continue
        if s.class_name in class_grade and class_grade[s.class_name][0] != s.grade:
            grade, first = class_grade[s.class_name]
            out.add(files.students, line, "class", "duplicate-class",
                    f"class '{s.class_name}' is already a class of grade {grade} (line {first}); class names must be unique within the school",
                    f"班级“{s.class_name}”已是 {grade} 年级的班级（第 {first} 行）；同一学校的班级名称不能重复")  # fmt: skip
            rej_s.setdefault(s.id, line)
            continue
        class_grade.setdefault(s.class_name, (s.grade, line))
        student_rows[s.id] = s

    sorted_mentors = tuple(sorted(mentor_rows.values(), key=lambda m: m.id))
    sorted_students = tuple(sorted(student_rows.values(), key=lambda s: s.id))
    mentor_index = {m.id: i for i, m in enumerate(sorted_mentors)}
    student_index = {s.id: i for i, s in enumerate(sorted_students)}
    classes = tuple(sorted({s.class_name for s in sorted_students} | {m.class_name for m in sorted_mentors if m.class_name}))
    class_index = {c: i for i, c in enumerate(classes)}

    def reference(file: str, line: int, column: str, value: str, what: str) -> bool:
        index, rejected, ref_file = (mentor_index, rej_m, files.mentors) if what == "mentor" else (student_index, rej_s, files.students)
        if value in index:
            return True
        zh_what = "导师" if what == "mentor" else "学生"
        if not value:
            out.add(file, line, column, "missing", f"the {what} id is missing", f"缺少{zh_what}编号")
        elif value in rejected:
            out.add(file, line, column, "rejected-reference", f"{what} '{value}' was rejected ({ref_file}:{rejected[value]})",
                    f"{zh_what}“{value}”所在的行已被拒绝（{ref_file}:{rejected[value]}）")  # fmt: skip
        else:
            hint_en, hint_zh = suggest(value, index)
            out.add(file, line, column, f"unknown-{what}", f"unknown {what} id '{value}': not in {ref_file}{hint_en}",
                    f"未知的{zh_what}编号“{value}”：{ref_file} 中没有{hint_zh}")  # fmt: skip
        return False

    # activities.csv starts parsing on worker threads now, while this thread checks the other files
    builder = ActivityBuilder(files.activities, mentor_index, student_index, class_index, rej_m, rej_s, files.mentors, files.students)
    stream = ParsedAhead(activities, builder).start()

    good_assignments: list[Assignment] = []
    for i, a in enumerate(assignments):
        line = _line(a, i)
        ok = reference(files.assignments, line, "mentor_id", a.mentor_id, "mentor")
        ok = reference(files.assignments, line, "student_id", a.student_id, "student") and ok
        if a.start is not None and a.end is not None and a.end < a.start:
            out.add(files.assignments, line, "end", "end-before-start", f"the end {a.end} is before the start {a.start}",
                    f"结束日期 {a.end} 早于开始日期 {a.start}")  # fmt: skip
            ok = False
        if ok:
            good_assignments.append(a)

    good_events: list[StudentEvent] = []
    for i, e in enumerate(student_events):
        line = _line(e, i)
        ok = reference(files.student_events, line, "student_id", e.student_id, "student")
        if not e.kind:
            out.add(files.student_events, line, "kind", "missing", "the event kind is missing", "缺少事件类型")
            ok = False
        if ok:
            good_events.append(e)

    good_ratings: list[Rating] = []
    seen_rating: dict[tuple[str, str, str, str], int] = {}
    term_keys = {t.id for t in calendar.terms} | {calendar.school_year}
    for i, r in enumerate(ratings):
        line = _line(r, i)
        ok = reference(files.ratings, line, "mentor_id", r.mentor_id, "mentor")
        for column, value in (("score", r.score), ("item", r.item)):
            if not value:
                out.add(
                    files.ratings,
                    line,
                    column,
                    "missing",
                    f"the {column} is missing",
                    "缺少评分名称" if column == "score" else "缺少评分项名称",
                )
                ok = False
        if not r.term:
            out.add(files.ratings, line, "term", "missing",
                    f"the term is missing: write a term id for a per term score, or the school year {calendar.school_year} for a per school_year score",
                    f"缺少学期：按学期的评分写学期编号，按学年的评分写学年 {calendar.school_year}")  # fmt: skip
            ok = False
        elif r.term not in term_keys:
            known = ", ".join(sorted(term_keys))
            out.add(files.ratings, line, "term", "unknown-term", f"'{r.term}' is neither a term id nor the school year of calendar.yaml ({known})",
                    f"“{r.term}”既不是 calendar.yaml 中的学期编号，也不是学年（{known}）")  # fmt: skip
            ok = False
        key = (r.mentor_id, r.score, r.item, r.term)
        if key in seen_rating:
            out.add(files.ratings, line, "item", "duplicate-rating",
                    f"a second value for mentor '{r.mentor_id}', score '{r.score}', item '{r.item}', term '{r.term}' (first on line {seen_rating[key]})",
                    f"导师“{r.mentor_id}”评分“{r.score}”项“{r.item}”学期“{r.term}”重复录入（第一次在第 {seen_rating[key]} 行）")  # fmt: skip
            ok = False
        else:
            seen_rating[key] = line
        if ok:
            good_ratings.append(r)

    pending: list[Activity] = []
    position = 0
    for chunk in stream:
        if isinstance(chunk, ActivityCells):
            builder.add(chunk.ids, chunk.actions, chunk.dates, chunk.mentors, chunk.students, chunk.classes, chunk.durations, chunk.lines)
            continue
        if not isinstance(chunk, Activity):  # a block of raw CSV lines (engine/fastcsv.py)
            chunk.feed(builder)
            continue
        pending.append(chunk)
        if len(pending) >= CHUNK:
            _add_rows(builder, pending, position)
            position += len(pending)
            pending = []
    if pending:
        _add_rows(builder, pending, position)
    acts, act_bad = builder.finish()
    out.bad.extend(act_bad)
    out.bad.extend(earlier_bad)  # read last: the reader adds shape errors while activities stream in

    order = {name: i for i, name in enumerate(files.__dict__.values())}
    bad = sorted(out.bad, key=lambda b: (order.get(b.file, 99), b.file, b.line))
    if bad and not skip_bad_rows:
        raise BadRowsError(bad)

    a_m = np.array([mentor_index[a.mentor_id] for a in good_assignments], dtype=np.int32)
    a_s = np.array([student_index[a.student_id] for a in good_assignments], dtype=np.int32)
    a_start = np.array([a.start.toordinal() if a.start else OPEN_START for a in good_assignments], dtype=np.int64)
    a_end = np.array([a.end.toordinal() if a.end else OPEN_END for a in good_assignments], dtype=np.int64)
    return Bundle(
        calendar=calendar,
        mentors=sorted_mentors,
        students=sorted_students,
        classes=classes,
        assignments=tuple(good_assignments),
        activities=acts,
        student_events=tuple(good_events),
        ratings=tuple(good_ratings),
        rejected=tuple(bad),
        skip_bad_rows=skip_bad_rows,
        files=files,
        mentor_index=mentor_index,
        student_index=student_index,
        class_index=class_index,
        student_grade=np.array([s.grade for s in sorted_students], dtype=np.int32),
        student_class=np.array([class_index[s.class_name] for s in sorted_students], dtype=np.int32),
        assign_mentor=a_m,
        assign_student=a_s,
        assign_start=a_start,
        assign_end=a_end,
    )


def _add_rows(builder: ActivityBuilder, rows: list[Activity], position: int) -> None:
    builder.add(
        [r.id for r in rows],
        [r.action for r in rows],
        [r.date for r in rows],
        [r.mentor_id for r in rows],
        [r.student_ids for r in rows],
        [r.class_name or "" for r in rows],
        ["" if r.duration_min is None else str(r.duration_min) for r in rows],
        [r.line if r.line is not None else position + i + 2 for i, r in enumerate(rows)],
    )
