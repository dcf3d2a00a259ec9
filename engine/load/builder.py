"""Six RawTables and a calendar → a Bundle: the one builder that CSV, Excel and database rows all feed.

Bad rows are collected from every table and raised at once (BadRowsError), or, with
skip_bad_rows, left out and carried in `rejected`. Sanity warnings that do not fail the load
(a term over 200 days, an event outside the school year, two class names equal but for
spacing, nobody in the scheme's grades) are the bundle's `warnings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from operator import itemgetter

import numpy as np

from ..errors import BadRow, BadRowsError
from ..model.activities import Activities
from ..model.bundle import OPEN_END, OPEN_START, Bundle, FileNames
from ..model.calendar import Calendar
from ..model.roster import Assignment, Mentor, Rating, Rows, Student, StudentEvent
from ..model.warnings import ReportWarning
from . import activities as act
from . import roster
from .columns import TABLES
from .table import RawTable

ORDER = {kind: i for i, kind in enumerate((*TABLES, "calendar"))}


def build(calendar: Calendar, tables: Mapping[str, RawTable], *, skip_bad_rows: bool = False, files: FileNames | None = None,
          read_log: Callable[[], RawTable] | None = None) -> Bundle:  # fmt: skip
    """Check every table against the others and build the bundle; `tables` lacks student_events/ratings when there are none.

    `read_log` may give the activities table instead: it is called once the roster is checked,
    so that a source can read the log (the big table) meanwhile."""
    files = files or FileNames(**{k: t.source for k, t in tables.items()})
    fatal = [b for t in tables.values() for b in t.fatal]
    if fatal:
        if read_log is not None:
            fatal.extend(read_log().fatal)
        raise BadRowsError(_in_order(fatal, files), skippable=False)  # a table without its columns cannot be read at all
    bad: list[BadRow] = [b for t in tables.values() for b in t.bad]
    notes = [w for t in tables.values() for w in t.warnings]

    by_id = itemgetter(0)
    mentors = Rows(Mentor, sorted(roster.mentors(tables["mentors"], bad), key=by_id))
    rejected_students: dict[str, str] = {}
    students = Rows(Student, sorted(roster.students(tables["students"], bad, rejected_students), key=by_id))
    mentor_index = {m: i for i, m in enumerate(mentors.column("id"))}
    student_index = {s: i for i, s in enumerate(students.column("id"))}
    refs = roster.Refs(mentor_index, student_index, files.mentors, files.students, rejected_students=rejected_students)
    student_classes = students.column("class_name")
    classes = tuple(sorted(set(student_classes) | {c for c in mentors.column("class_name") if c}))
    class_index = {c: i for i, c in enumerate(classes)}

    assignments = Rows(Assignment, roster.assignments(tables["assignments"], refs, bad))
    events = Rows(StudentEvent, roster.student_events(tables["student_events"], refs, bad) if "student_events" in tables else [])
    ratings = Rows(Rating, roster.ratings(tables["ratings"], refs, calendar, bad) if "ratings" in tables else [])

    log = tables["activities"] if read_log is None else read_log()
    if log.fatal:
        raise BadRowsError(log.fatal, skippable=False)
    bad.extend(log.bad)
    notes.extend(log.warnings)
    checked = act.check(log, refs, class_index)
    bad.extend(act.explain(log, checked, refs, class_index))
    del log  # the log's text columns are done with: at 10M rows, a gigabyte the rest need not share the machine with
    activities = act.build(checked)

    if bad and not skip_bad_rows:
        raise BadRowsError(_in_order(bad, files))
    notes.extend(sanity(calendar, classes, files))
    notes.extend(far_from_the_year(calendar, activities, files))
    return Bundle(
        calendar=calendar,
        mentors=mentors,
        students=students,
        classes=classes,
        assignments=assignments,
        activities=activities,
        student_events=events,
        ratings=ratings,
        rejected=tuple(_in_order(bad, files)),
        skip_bad_rows=skip_bad_rows,
        files=files,
        warnings=tuple(notes),
        mentor_index=mentor_index,
        student_index=student_index,
        class_index=class_index,
        student_grade=np.array(students.column("grade"), dtype=np.int32),
        student_class=np.array(list(map(class_index.__getitem__, student_classes)), dtype=np.int32),
        assign_mentor=np.array(list(map(mentor_index.__getitem__, assignments.column("mentor_id"))), dtype=np.int32),
        assign_student=np.array(list(map(student_index.__getitem__, assignments.column("student_id"))), dtype=np.int32),
        assign_start=_days(assignments.column("start"), OPEN_START),
        assign_end=_days(assignments.column("end"), OPEN_END),
    )


def _days(column: list[dt.date | None], open_day: int) -> np.ndarray:
    return np.array([open_day if d is None else d.toordinal() for d in column], dtype=np.int64)


def _in_order(bad: list[BadRow], files: FileNames) -> list[BadRow]:
    """Bad rows by table (in the bundle's order), then row."""
    rank = {getattr(files, kind): i for kind, i in ORDER.items()}
    return sorted(bad, key=lambda b: (rank.get(b.file.split("[")[0], rank.get(b.file, 99)), b.file.split("[")[0], b.line))


def far_from_the_year(calendar: Calendar, log: Activities, files: FileNames) -> list[ReportWarning]:
    """Activities dated far outside the school year (a typo'd year such as 2062 is still a date): they count for no term."""
    if not calendar.terms or not len(log):
        return []
    first, last = calendar.year_start.toordinal() - 92, calendar.year_end.toordinal() + 31  # a summer's home visits before term are in
    far = np.flatnonzero((log.day < first) | (log.day > last))
    if not len(far):
        return []
    shown = [f"{log.id_of(int(r))} ({dt.date.fromordinal(int(log.day[r]))})" for r in far[:5]]
    f, year = files.activities, f"{calendar.year_start} – {calendar.year_end}"
    return [ReportWarning("far-from-the-year", f"{f}: {len(far)} activit{'y is' if len(far) == 1 else 'ies are'} dated far outside the school year ({year}), "
                          f"e.g. {', '.join(shown)}: they count for no term; check the years",
                          f"{f}：{len(far)} 条活动的日期远在本学年（{year}）之外，例如 {'、'.join(shown)}：不计入任何学期；请检查年份",
                          f, tuple(sorted(x for x in log.line[far][:1000].tolist() if x > 0)))]  # fmt: skip


def sanity(calendar: Calendar, classes: tuple[str, ...], files: FileNames) -> list[ReportWarning]:
    """Warnings about data that loads but is probably not what was meant."""
    out = []
    for t in calendar.terms:
        length = (t.end - t.start).days + 1
        if length > 200:
            out.append(ReportWarning("long-term", f"{files.calendar}: term '{t.id}' lasts {length} days ({t.start} to {t.end}); a term is usually under 200: check the years",
                                     f"{files.calendar}：学期“{t.id}”长达 {length} 天（{t.start} 至 {t.end}），学期通常不超过 200 天：请检查年份", files.calendar, ()))  # fmt: skip
    if calendar.terms:
        first, last = calendar.year_start, calendar.year_end
        for e in calendar.events:
            if not first <= e.date <= last:
                out.append(ReportWarning("event-outside-year", f"{files.calendar}: event '{e.name}' on {e.date} is outside the school year ({first} to {last}); it concerns no term",
                                         f"{files.calendar}：事件“{e.name}”（{e.date}）不在本学年（{first} 至 {last}）内，不属于任何学期", files.calendar, ()))  # fmt: skip
    spaced: dict[str, list[str]] = {}
    for c in classes:
        spaced.setdefault("".join(c.split()), []).append(c)
    for group in spaced.values():
        if len(group) > 1:
            listed_en, listed_zh = ", ".join(f"'{c}'" for c in group), "、".join(f"“{c}”" for c in group)
            out.append(ReportWarning("class-spacing", f"{files.students}: the classes {listed_en} differ only in spacing: they are counted as different classes",
                                     f"{files.students}：班级{listed_zh}只差空格，会被当作不同的班级", files.students, ()))  # fmt: skip
    return out
