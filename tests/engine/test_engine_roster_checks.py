"""The roster files (all but activities.csv) take fast paths: the text split at once instead of
the csv module, and whole-column checks that send only suspect rows through the per-row checks.
These tests load messy bundles both ways and require the same bundle and the same bad rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import BadRowsError, bundle, load_bundle, reader
from engine.bundle import Assignment, Bundle, Calendar, FileNames, Mentor, Rating, Student, StudentEvent, Term

CALENDAR = 'school_year: "2025-2026"\nterms:\n  - {id: T1, start: 2025-09-01, end: 2026-01-16}\n'
HEADERS = {
    "mentors.csv": "id,name,roles,tags,class",
    "students.csv": "id,name,grade,class,tags",
    "assignments.csv": "mentor_id,student_id,start,end",
    "student_events.csv": "student_id,kind,date",
    "ratings.csv": "mentor_id,score,item,value,term",
}
ACTIVITIES = "id,action,date,mentor_id,student_ids,class,duration_min,note\nA1,谈心,2025-09-10,m1,s1,,,\n"
# Pools of mostly good values with a few bad ones: unknown, blank, repeated and rejected ids, bad dates, grades and numbers.
MENTOR_IDS = ["m1", "m1", "m2", "M10", "m9", ""]
STUDENT_IDS = ["s1", "s1", "s2", "s3", "学生4", "s9", ""]
CELLS = {
    "mentors.csv": [
        ["m1", "m2", "M10", "m2", ""],
        ["张老师", ""],
        ["班主任", "班主任;导师组长", ""],
        ["骨干", ""],
        ["一(1)班", "二(1)班", ""],
    ],
    "students.csv": [
        ["s1", "s2", "s3", "学生4", "s2", ""],
        ["小明"],
        ["1", "1", "2", "2", "二", "0", "2.0", ""],
        ["一(1)班", "二(1)班", ""],
        ["城区;单亲", ""],
    ],
    "assignments.csv": [
        MENTOR_IDS,
        STUDENT_IDS,
        ["", "2025-09-01", "2025/9/30", "2025-09-30", "2025-13-01"],
        ["", "2025-10-01", "2025-09-15 08:30", "x"],
    ],
    "student_events.csv": [STUDENT_IDS, ["重大变故", "重大变故", ""], ["2025-09-01", "2025-10-01", "", "2025.10.01"]],
    "ratings.csv": [
        MENTOR_IDS,
        ["考核", "考核", ""],
        ["进步", "创新", ""],
        ["1", "2.5", "x", "", "NaN", "1e3"],
        ["T1", "2025-2026", "T9", ""],
    ],
}
CLASS_OF = {"1": "一(1)班", "2": "二(1)班"}  # a student's class mostly fits the grade (one class in two grades is a bad row)
BLANKS = st.sampled_from(["", " ", "\u3000", "\t"])
SHAPES = st.sampled_from(["row"] * 10 + ["blank line", "blank cells", "extra blank", "extra value", "short", "short", "quoted"])


@st.composite
def csv_texts(draw: st.DrawFn, name: str) -> str:
    """A CSV file of rows drawn from the pools, now and then with blanks around a value, a blank
    line or row, a row too wide or too short, a quoted value, Windows line ends, no final line end."""
    pools = CELLS[name]
    lines = [HEADERS[name]]
    for _ in range(draw(st.integers(0, 9))):
        cells = [draw(st.sampled_from(pool)) for pool in pools]
        if name == "students.csv" and draw(st.integers(0, 4)):
            cells[3] = CLASS_OF.get(cells[2], cells[3])
        if draw(st.integers(0, 5)) == 0:
            k = draw(st.integers(0, len(cells) - 1))
            cells[k] = draw(BLANKS) + cells[k] + draw(BLANKS)
        shape = draw(SHAPES)
        if shape == "blank line":
            cells = []
        elif shape == "blank cells":
            cells = [draw(BLANKS) for _ in cells]
        elif shape == "extra blank":
            cells.append(draw(BLANKS))
        elif shape == "extra value":
            cells.append("多")
        elif shape == "short":  # one short of the header, or more
            cells = cells[: draw(st.sampled_from([len(cells) - 1, 1]))]
        elif shape == "quoted":
            cells[0] = f'"{cells[0]}"'
        lines.append(",".join(cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + (end if draw(st.booleans()) else "")


@st.composite
def messy_bundles(draw: st.DrawFn) -> dict[str, str]:
    files = {name: draw(csv_texts(name)) for name in HEADERS}
    for optional in ("student_events.csv", "ratings.csv"):
        if draw(st.integers(0, 4)) == 0:
            del files[optional]
    return files


def write(folder: Path, files: dict[str, str], bom: bool) -> Path:
    folder.mkdir()
    (folder / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    (folder / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return folder


def contents(b: Bundle) -> dict[str, Any]:
    """Everything a bundle holds that the roster files feed, with the arrays as lists and dtypes."""
    arrays = ("student_grade", "student_class", "assign_mentor", "assign_student", "assign_start", "assign_end")
    return {
        "rows": (b.mentors, b.students, b.classes, b.assignments, b.student_events, b.ratings, b.rejected),
        "types": [type(x) for rows in (b.mentors, b.students, b.assignments, b.student_events, b.ratings) for x in rows],
        "values": [type(r.value) for r in b.ratings],
        "indexes": (dict(b.mentor_index), dict(b.student_index), dict(b.class_index)),
        "arrays": [(getattr(b, a).tolist(), getattr(b, a).dtype) for a in arrays],
        "activities": (b.activities.mentor.tolist(), b.activities.stu.tolist(), b.activities.line.tolist()),
    }


def outcome(load: Any) -> Any:
    """The bundle's contents, or the exception's type and message."""
    try:
        return contents(load())
    except Exception as e:  # the csv module's own errors too (a lone carriage return)
        return type(e), str(e)


def per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference: the csv module reads every file and every row goes through the per-row checks."""
    monkeypatch.setattr(reader, "_plain_body", lambda path: None)
    for module in (bundle, reader):
        monkeypatch.setattr(module, "_suspects", lambda n, *found: list(range(n)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(messy_bundles(), st.booleans())
def test_messy_files_load_as_the_per_row_path_loads_them(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, str], bom: bool
) -> None:
    """With skip_bad_rows the bundle lists every bad row (a load without it raises with the same list)."""
    folder = write(tmp_path_factory.mktemp("b") / "bundle", files, bom)
    fast = outcome(lambda: load_bundle(folder, skip_bad_rows=True))
    with pytest.MonkeyPatch.context() as m:
        per_row(m)
        assert outcome(lambda: load_bundle(folder, skip_bad_rows=True)) == fast


def test_the_fast_paths_are_taken_and_name_bad_rows_as_before(tmp_path: Path) -> None:
    """A plain file is split as text (no csv module), and its bad rows are still explained one by one."""
    files = {
        "mentors.csv": HEADERS["mentors.csv"] + "\nm1,张老师,,,\nm1,李老师,,,\n",
        "students.csv": HEADERS["students.csv"] + "\ns1,小明,1,一(1)班,\ns2,小红,x,一(1)班,\n\u3000s3 ,小刚,2,二(1)班,\n",
        "assignments.csv": HEADERS["assignments.csv"] + "\nm1,s1,,\nm2,s2,2025-09-01,\nm1,s3,2025-10-01,2025-09-01\nm1,s1,bad,\n",
        "student_events.csv": HEADERS["student_events.csv"] + "\ns3,重大变故,\n",
        "ratings.csv": HEADERS["ratings.csv"] + "\nm1,考核,进步,1,T1\nm1,考核,进步,2,T1\nm1,考核,创新,x,T1\n",
    }
    folder = write(tmp_path / "bundle", files, bom=True)
    table = reader.CsvTable(folder / "students.csv", "students.csv", reader.REQUIRED["students"], reader.OPTIONAL["students"], [])
    with pytest.MonkeyPatch.context() as m:
        m.setattr(reader.csv, "reader", None)  # the header was read on open: from here on the csv module is not used
        lines, cols = table.table_columns()
    assert lines == [2, 3, 4] and cols["id"] == ["s1", "s2", "s3"]
    with pytest.raises(BadRowsError) as e:
        load_bundle(folder)
    assert [str(r) for r in e.value.rows] == [
        "mentors.csv:3: id: duplicate mentor id 'm1' (first used on line 2)",
        "students.csv:3: grade: 'x' is not a grade: write a whole number such as 5",
        "assignments.csv:3: mentor_id: unknown mentor id 'm2': not in mentors.csv (did you mean 'm1'?)",
        "assignments.csv:3: student_id: student 's2' was rejected (students.csv:3)",
        "assignments.csv:4: end: the end 2025-09-01 is before the start 2025-10-01",
        "assignments.csv:5: start: 'bad' is not a date: write YYYY-MM-DD (or YYYY/M/D), e.g. 2025-09-01",
        "student_events.csv:2: date: the date is missing",
        "ratings.csv:3: item: a second value for mentor 'm1', score '考核', item '进步', term 'T1' (first on line 2)",
        "ratings.csv:4: value: 'x' is not a number",
    ]


def test_a_row_too_wide_and_one_too_short_are_not_split_as_text(tmp_path: Path) -> None:
    """Together they have as many cells as the header asks for, yet the rows do not line up."""
    students = HEADERS["students.csv"] + "\ns1,小明,1,一(1)班,,多\ns2,小红,1,一(1)班\n"
    folder = write(tmp_path / "bundle", {**{k: HEADERS[k] + "\n" for k in HEADERS}, "students.csv": students}, bom=False)
    b = load_bundle(folder, skip_bad_rows=True)
    assert [str(r) for r in b.rejected][0].startswith("students.csv:2: -: the row has 6 values but the header has 5 columns")
    assert [(s.id, s.tags, s.line) for s in b.students] == [("s2", (), 3)]


# ---------------------------------------------------------------- typed rows (Bundle.from_rows)

DAYS = [None, dt.date(2025, 9, 1), dt.date(2025, 10, 1)]


@st.composite
def typed_rows(draw: st.DrawFn) -> dict[str, list[Any]]:
    """Rows as a database would give them, with the same kinds of mistakes (no line numbers)."""
    ids = st.sampled_from(MENTOR_IDS)
    sids = st.sampled_from(STUDENT_IDS)
    n = st.integers(0, 7)
    return {
        "mentors": [Mentor(draw(ids), "老师", (), (), draw(st.sampled_from([None, "一(1)班"]))) for _ in range(draw(n))],
        "students": [
            Student(draw(sids), "学生", draw(st.integers(1, 2)), draw(st.sampled_from(["一(1)班", "二(1)班"]))) for _ in range(draw(n))
        ],
        "assignments": [
            Assignment(draw(ids), draw(sids), draw(st.sampled_from(DAYS)), draw(st.sampled_from(DAYS))) for _ in range(draw(n))
        ],
        "student_events": [StudentEvent(draw(sids), draw(st.sampled_from(["考试", ""])), dt.date(2025, 9, 3)) for _ in range(draw(n))],
        "ratings": [
            Rating(
                draw(ids),
                draw(st.sampled_from(["考核", ""])),
                draw(st.sampled_from(["进步", ""])),
                Decimal(1),
                draw(st.sampled_from(["T1", "2025-2026", "T9", ""])),
            )
            for _ in range(draw(n))
        ],
    }


def from_rows(rows: dict[str, list[Any]]) -> Any:
    calendar = Calendar("2025-2026", (Term("T1", "第一学期", dt.date(2025, 9, 1), dt.date(2026, 1, 16)),))
    return outcome(lambda: Bundle.from_rows(calendar, activities=[], skip_bad_rows=True, files=FileNames(), **rows))


@settings(max_examples=300, deadline=None)
@given(typed_rows())
def test_typed_rows_are_checked_as_the_per_row_path_checks_them(rows: dict[str, list[Any]]) -> None:
    fast = from_rows(rows)
    with pytest.MonkeyPatch.context() as m:
        per_row(m)
        assert from_rows(rows) == fast


def test_rows_made_without_init_equal_rows_made_with_it() -> None:
    columns = [["s1", "s2"], ["小明", "小红"], [1, 2], ["一(1)班", "二(1)班"], [(), ("城区",)], [2, 3]]
    made = reader._instances(Student, *columns)
    assert made == [Student(*row) for row in zip(*columns, strict=True)]
    assert [vars(s) for s in made] == [vars(Student(*row)) for row in zip(*columns, strict=True)]
    assert reader._instances(Student, *([] for _ in columns)) == []
