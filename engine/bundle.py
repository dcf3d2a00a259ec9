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
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import islice, repeat
from operator import attrgetter, eq
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar

import numpy as np

from .activities import Activities, ActivityBuilder
from .errors import BadRow, BadRowsError
from .fastcsv import ParsedAhead
from .suggest import suggest

T = TypeVar("T")
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


def build(calendar: Calendar, mentors: list[Mentor], students: list[Student], assignments: Later[Assignment],
          activities: ActivitySource, student_events: Later[StudentEvent], ratings: Later[Rating], *,
          skip_bad_rows: bool, files: FileNames, earlier_bad: Sequence[BadRow] = (),
          rejected_mentor_ids: Mapping[str, int] | None = None, rejected_student_ids: Mapping[str, int] | None = None) -> Bundle:  # fmt: skip
    """The shared path behind from_rows and load_bundle: check references, index, sort.

    `earlier_bad` are rows the reader could not even parse; `rejected_*_ids` name ids whose
    own row was bad, so rows pointing at them are explained rather than called unknown.
    Assignments, events and ratings may come as functions that read them: they are called once
    activities.csv is parsing on the worker threads, so that the reading overlaps the parsing.
    Each table is first checked whole with set and array operations; only the rows those find
    suspect go through the per-row checks that explain them, in file order.
    """
    out = _Rows(files)
    rej_m: dict[str, int] = dict(rejected_mentor_ids or {})
    rej_s: dict[str, int] = dict(rejected_student_ids or {})

    sorted_mentors, mentor_ids = _mentors_by_id(mentors, files, out)
    sorted_students, student_ids = _students_by_id(students, files, out, rej_s)
    mentor_index = dict(zip(mentor_ids, range(len(mentor_ids)), strict=True))
    student_index = dict(zip(student_ids, range(len(student_ids)), strict=True))
    classes = tuple(sorted(set(_values(sorted_students, "class_name")) | {m.class_name for m in sorted_mentors if m.class_name}))
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

    # activities.csv starts parsing on worker threads now, while this thread reads and checks the other files
    builder = ActivityBuilder(files.activities, mentor_index, student_index, class_index, rej_m, rej_s, files.mentors, files.students)
    stream = ParsedAhead(activities, builder)
    with _meanwhile(stream):
        assignments, student_events, ratings = _now(assignments), _now(student_events), _now(ratings)

    a_cols = _AssignmentColumns.of(assignments, mentor_index, student_index)
    dropped: list[int] = []
    for i in _suspects(len(assignments), a_cols.unknown(), a_cols.ending_before_start()):
        a, line = assignments[i], _line(assignments[i], i)
        ok = reference(files.assignments, line, "mentor_id", a.mentor_id, "mentor")
        ok = reference(files.assignments, line, "student_id", a.student_id, "student") and ok
        if a.start is not None and a.end is not None and a.end < a.start:
            out.add(files.assignments, line, "end", "end-before-start", f"the end {a.end} is before the start {a.start}",
                    f"结束日期 {a.end} 早于开始日期 {a.start}")  # fmt: skip
            ok = False
        if not ok:
            dropped.append(i)
    good_assignments = _kept(assignments, dropped)
    a_cols = a_cols.without(dropped)

    dropped = []
    named, kinds = _values(student_events, "student_id"), _values(student_events, "kind")
    for i in _suspects(len(student_events), _unknown(named, student_index), _falsy(kinds)):
        e, line = student_events[i], _line(student_events[i], i)
        ok = reference(files.student_events, line, "student_id", e.student_id, "student")
        if not e.kind:
            out.add(files.student_events, line, "kind", "missing", "the event kind is missing", "缺少事件类型")
            ok = False
        if not ok:
            dropped.append(i)
    good_events = _kept(student_events, dropped)

    r_cols = [_values(ratings, name) for name in ("mentor_id", "score", "item", "term")]
    term_keys = {t.id for t in calendar.terms} | {calendar.school_year}
    keys = list(zip(*r_cols, strict=True)) if ratings else []
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))  # key → its first row
    doubles = [] if len(first) == len(keys) else [i for i, key in enumerate(keys) if first[key] != i]
    dropped = []
    for i in _suspects(len(ratings), _unknown(r_cols[0], mentor_index), _falsy(r_cols[1]), _falsy(r_cols[2]), _falsy(r_cols[3]),
                       _unknown(r_cols[3], term_keys), doubles):  # fmt: skip
        r, line = ratings[i], _line(ratings[i], i)
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
        key = keys[i]
        if first[key] != i:
            seen = _line(ratings[first[key]], first[key])
            out.add(files.ratings, line, "item", "duplicate-rating",
                    f"a second value for mentor '{r.mentor_id}', score '{r.score}', item '{r.item}', term '{r.term}' (first on line {seen})",
                    f"导师“{r.mentor_id}”评分“{r.score}”项“{r.item}”学期“{r.term}”重复录入（第一次在第 {seen} 行）")  # fmt: skip
            ok = False
        if not ok:
            dropped.append(i)
    good_ratings = _kept(ratings, dropped)

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

    return Bundle(
        calendar=calendar,
        mentors=tuple(sorted_mentors),
        students=tuple(sorted_students),
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
        student_grade=np.array(_values(sorted_students, "grade"), dtype=np.int32),
        student_class=np.array(list(map(class_index.__getitem__, _values(sorted_students, "class_name"))), dtype=np.int32),
        assign_mentor=np.array(a_cols.mentor, dtype=np.int32),
        assign_student=np.array(a_cols.student, dtype=np.int32),
        assign_start=a_cols.first_day,
        assign_end=a_cols.last_day,
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


Later: TypeAlias = list[T] | Callable[[], list[T]]


def _now(rows: Later[T]) -> list[T]:
    return rows() if callable(rows) else rows


@contextmanager
def _meanwhile(stream: ParsedAhead[Any]) -> Iterator[None]:
    """Workers parsing activities.csv while the body reads the other files. A file error met in
    activities.csv is raised after theirs, as when they were read before it."""
    late: Exception | None = None
    try:
        stream.start()
    except Exception as e:  # re-raised below, after the body
        late = e
    try:
        yield
    except BaseException:
        stream.close()
        raise
    if late is not None:
        stream.close()
        raise late


class Rows(list[T]):
    """Rows that also hold their fields column-wise, as the reader has them: the checks then read
    a whole column here rather than one attribute of every row (a pass over 300k objects each)."""

    def __init__(self, rows: Iterable[T], columns: dict[str, list[Any]]):
        super().__init__(rows)
        self.columns = columns


def _values(rows: Sequence[Any], name: str) -> list[Any]:
    """One field of every row, from the columns of a Rows or else from the rows themselves."""
    columns = getattr(rows, "columns", {})
    return columns[name] if name in columns else list(map(attrgetter(name), rows))


def _suspects(n: int, *found: Iterable[int]) -> list[int]:
    """Rows to put through the per-row checks, in order: those the whole-table checks found.
    (The tests replace this with every row, which must give the same result.)"""
    return sorted(set().union(*found)) if any(found) else []


def _unknown(values: list[Any], known: Container[Any]) -> list[int]:
    """Positions of values not in `known`; the common case (none) costs one C-level pass."""
    if all(map(known.__contains__, values)):
        return []
    return [i for i, v in enumerate(values) if v not in known]


def _falsy(values: list[Any]) -> list[int]:
    return [] if all(values) else [i for i, v in enumerate(values) if not v]


def _kept(rows: list[T], dropped: list[int]) -> list[T]:
    if not dropped:
        return rows
    gone = set(dropped)
    return [r for i, r in enumerate(rows) if i not in gone]


def _mentors_by_id(mentors: list[Mentor], files: FileNames, out: _Rows) -> tuple[list[Mentor], list[str]]:
    """The mentors sorted by id, and their ids; a missing or repeated id is a bad row (the first row of an id is kept)."""
    ids = _values(mentors, "id")
    order = sorted(ids) if all(ids) else []
    if not _suspects(len(ids), () if all(ids) and _distinct(order) else range(len(ids))):
        return _in_order(mentors, ids, order), order
    rows: dict[str, Mentor] = {}
    for i, m in enumerate(mentors):
        line = _line(m, i)
        if not m.id:
            out.add(files.mentors, line, "id", "missing", "the mentor id is missing", "缺少导师编号")
        elif m.id in rows:
            first = _line(rows[m.id], 0)
            out.add(files.mentors, line, "id", "duplicate-id", f"duplicate mentor id '{m.id}' (first used on line {first})",
                    f"导师编号“{m.id}”重复（第一次出现在第 {first} 行）")  # fmt: skip
        else:
            rows[m.id] = m
    order = sorted(rows)
    return list(map(rows.__getitem__, order)), order


def _students_by_id(students: list[Student], files: FileNames, out: _Rows, rej_s: dict[str, int]) -> tuple[list[Student], list[str]]:
    """The students sorted by id, and their ids; a missing or repeated id, or a class already
    seen in another grade, is a bad row."""
    ids = _values(students, "id")
    clean = all(ids) and _one_grade_per_class(students)
    order = sorted(ids) if clean else []
    if not _suspects(len(ids), () if clean and _distinct(order) else range(len(ids))):
        return _in_order(students, ids, order), order
    rows: dict[str, Student] = {}
    class_grade: dict[str, tuple[int, int]] = {}
    for i, s in enumerate(students):
        line = _line(s, i)
        if not s.id:
            out.add(files.students, line, "id", "missing", "the student id is missing", "缺少学生编号")
            continue
        if s.id in rows:
            first = _line(rows[s.id], 0)
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
        rows[s.id] = s
    order = sorted(rows)
    return list(map(rows.__getitem__, order)), order


def _one_grade_per_class(students: list[Student]) -> bool:
    classes, grades = _values(students, "class_name"), _values(students, "grade")
    grade_of = dict(zip(classes, grades, strict=True))  # the last grade seen in each class
    return list(map(grade_of.__getitem__, classes)) == grades and all(g == g for g in set(grades))  # g == g: no NaN


def _distinct(ordered: list[str]) -> bool:
    """Whether sorted values hold no repeat (a repeat sits next to its twin)."""
    return not any(map(eq, ordered, islice(ordered, 1, None)))


def _in_order(rows: list[T], ids: list[str], order: list[str]) -> list[T]:
    """The rows sorted by their ids (distinct), given the ids in row order and sorted: files
    usually come sorted, and then these are the very rows (with their columns, if a Rows)."""
    return rows if ids == order else sorted(rows, key=attrgetter("id"))


@dataclass(frozen=True)
class _AssignmentColumns:
    """The assignments column-wise, mentors and students as their index positions (None: unknown)."""

    mentor: list[int | None]
    student: list[int | None]
    start: list[dt.date | None]
    end: list[dt.date | None]

    @staticmethod
    def of(rows: list[Assignment], mentor_index: Mapping[str, int], student_index: Mapping[str, int]) -> _AssignmentColumns:
        mentors, students, start, end = (_values(rows, name) for name in ("mentor_id", "student_id", "start", "end"))
        return _AssignmentColumns(list(map(mentor_index.get, mentors)), list(map(student_index.get, students)), start, end)

    @cached_property
    def first_day(self) -> np.ndarray:
        return _days(self.start, OPEN_START)

    @cached_property
    def last_day(self) -> np.ndarray:
        return _days(self.end, OPEN_END)

    def without(self, dropped: list[int]) -> _AssignmentColumns:
        if not dropped:
            return self
        return _AssignmentColumns(*(_kept(col, dropped) for col in (self.mentor, self.student, self.start, self.end)))

    def unknown(self) -> list[int]:
        """Rows naming a mentor or student not in the index."""
        if None not in self.mentor and None not in self.student:
            return []
        return [i for i, (m, s) in enumerate(zip(self.mentor, self.student, strict=True)) if m is None or s is None]

    def ending_before_start(self) -> Iterable[int]:
        """Rows that end before they start; every row when a start or end is not a plain date
        (a datetime does not compare with a date: the per-row check raises as it always did)."""
        if not {type(d) for d in (*set(self.start), *set(self.end))} <= {dt.date, type(None)}:
            return range(len(self.start))
        return np.flatnonzero(self.last_day < self.first_day).tolist()  # type: ignore[no-any-return]


def _days(values: list[dt.date | None], open_day: int) -> np.ndarray:
    """Day numbers, `open_day` for an open end; each distinct date converted once."""
    known: dict[Any, int] = {d: d.toordinal() for d in set(values) if d}
    return np.array(list(map(known.get, values, repeat(open_day))), dtype=np.int64)
