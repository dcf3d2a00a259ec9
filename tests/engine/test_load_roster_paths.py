"""The roster's tables are read column-wise when nothing needs explaining (engine/load/roster.py `_good_*`);
that path gives exactly the rows the row-by-row path gives, bad rows or not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import BadRow
from engine.load import roster
from engine.load.roster import Refs
from engine.load.table import RawTable
from engine.model.calendar import Calendar, Term

CALENDAR = Calendar("2025-2026", (Term("T1", "秋季学期", dt.date(2025, 9, 1), dt.date(2026, 1, 16)),), ())
REFS = Refs({"M1": 0, "M2": 1}, {"S1": 0, "S2": 1, "S3": 2}, "mentors.csv", "students.csv")

mentor = st.sampled_from(["M1", "M2", " M2 ", "Ｍ1", "M9", ""])
name = st.sampled_from(["家访", "谈心", " 谈心", "", "期末"])
value = st.sampled_from(["1", "1.0", "2.50", " 3 ", "-1", "x", "", "1e3", "nan"])
term = st.sampled_from(["T1", "2025-2026", " T1", "T9", ""])
student = st.sampled_from(["S1", "S2", "S3", " S3", "Ｓ2", "S9", ""])
day = st.sampled_from(["", "2025-09-01", "2025/9/1", "2025年9月1日", "2026-01-16", "2025-13-01", "1899-12-31"])


def _table(kind: str, rows: list[tuple[str, ...]], names: tuple[str, ...]) -> RawTable:
    columns = {n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)}
    return RawTable(kind, f"{kind}.csv", columns, np.arange(2, len(rows) + 2, dtype=np.int32))


def _both(read, fast_name: str):  # type: ignore[no-untyped-def]
    """What `read` gives (rows, bad rows) as it is, and with its column-wise path turned off."""
    bad_a: list[BadRow] = []
    a = read(bad_a)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(roster, fast_name, lambda *args: None)
        bad_b: list[BadRow] = []
        b = read(bad_b)
    return (a, bad_a), (b, bad_b)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(mentor, name, name, value, term), max_size=8))
def test_ratings_read_column_wise_equal_ratings_read_row_by_row(rows: list[tuple[str, ...]]) -> None:
    table = _table("ratings", rows, ("mentor_id", "score", "item", "value", "term"))
    (fast, bad_fast), (slow, bad_slow) = _both(lambda bad: roster.ratings(table, REFS, CALENDAR, bad), "_good_ratings")
    assert fast == slow and bad_fast == bad_slow
    assert all(type(r[3]).__name__ == "Decimal" for r in fast)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(mentor, student, day, day), max_size=8))
def test_assignments_read_column_wise_equal_assignments_read_row_by_row(rows: list[tuple[str, ...]]) -> None:
    table = _table("assignments", rows, ("mentor_id", "student_id", "start", "end"))
    (fast, bad_fast), (slow, bad_slow) = _both(lambda bad: roster.assignments(table, REFS, bad), "_good_assignments")
    assert fast == slow and bad_fast == bad_slow


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(student, st.sampled_from(["小明", ""]), st.sampled_from(["5", "5.0", "五年级", "初一", "x", ""]),
                          st.sampled_from(["一(1)班", "一（1）班", "", "二(1)班"]), st.sampled_from(["", "a;b", "a、b"])), max_size=8))  # fmt: skip
def test_students_read_column_wise_equal_students_read_row_by_row(rows: list[tuple[str, ...]]) -> None:
    table = _table("students", rows, ("id", "name", "grade", "class", "tags"))
    (fast, bad_fast), (slow, bad_slow) = _both(lambda bad: roster.students(table, bad, {}), "_good_students")
    assert fast == slow and bad_fast == bad_slow


def test_a_duplicate_rating_and_a_good_table_take_each_path() -> None:
    good = _table("ratings", [("M1", "s", "i", "1.50", "T1"), ("M2", "s", "i", "2", "2025-2026")], ("mentor_id", "score", "item", "value", "term"))
    assert roster._good_ratings(good, roster.cells(good), REFS, {"T1", "2025-2026"}) is not None
    twice = _table("ratings", [("M1", "s", "i", "1", "T1"), ("M1", "s", "i", "2", "T1")], ("mentor_id", "score", "item", "value", "term"))
    assert roster._good_ratings(twice, roster.cells(twice), REFS, {"T1", "2025-2026"}) is None
    bad: list[BadRow] = []
    assert len(roster.ratings(twice, REFS, CALENDAR, bad)) == 1 and [b.code for b in bad] == ["duplicate-rating"]
