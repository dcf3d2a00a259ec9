"""Loading a bundle folder: every bad row named precisely (`file:line: column: reason`), nothing dropped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from school import normalise, to_bundle, write_folder
from strategies import schools

from engine import BadRowsError, BundleFileError, UnknownTermError, evaluate, load_bundle
from engine.report.report import report_schema
from rules_dsl.compiler import compile_text

CALENDAR = """school_year: "2025-2026"
terms:
  - {id: T1, name: 第一学期, start: 2025-09-01, end: 2026-01-16}
events:
  - {kind: 考试, name: 期中, date: 2025-11-10, grades: [1]}
"""
FILES = {
    "calendar.yaml": CALENDAR,
    "mentors.csv": "id,name,roles,tags,class\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\n",
    "students.csv": "id,name,grade,class,tags\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,\n",
    "assignments.csv": "mentor_id,student_id,start,end\nM1,S1,,\nM10,S2,2025-09-01,\n",
    "activities.csv": "id,action,date,mentor_id,student_ids,class,duration_min,note\nA1,谈心,2025-09-10,M1,S1,,30,\nA2,谈心,2025-09-12,M10,S1;S2,,,\n",
}
SCHEME = 'scheme "测试"\naction 谈心 "谈心"\nrequire 谈心 at least 1 per month\n'


def bundle_dir(tmp_path: Path, bom: bool = False, **changes: str | None) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, text in {**FILES, **{k.replace("__", "."): v for k, v in changes.items()}}.items():
        if text is not None:
            (folder / name).write_bytes((b"\xef\xbb\xbf" if bom and name.endswith(".csv") else b"") + text.encode("utf-8"))
    return folder


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(BadRowsError) as e:
        load_bundle(folder)
    return [str(r) for r in e.value.rows]


def test_a_clean_bundle_loads(tmp_path: Path) -> None:
    b = load_bundle(bundle_dir(tmp_path))
    assert [m.id for m in b.mentors] == ["M1", "M10"]
    assert len(b.activities) == 2 and b.rejected == ()
    assert b.calendar.events[0].grades == (1,)


def test_excel_csv_with_bom_and_slashed_dates_and_datetimes_load(tmp_path: Path) -> None:
    """Excel writes a BOM before the header; YYYY/M/D dates and datetimes (date part) are accepted."""
    acts = "id,action,date,mentor_id,student_ids,class,duration_min,note\nA1,谈心,2025/9/1,M1,S1,,30,\nA2,谈心,2025-09-02 08:30,M1,S1,,,\nA3,谈心,2025/9/3 0:00,M1,S1,,,\n"
    b = load_bundle(bundle_dir(tmp_path, bom=True, activities__csv=acts))
    assert sorted(dt.date.fromordinal(int(d)) for d in b.activities.day) == [dt.date(2025, 9, 1), dt.date(2025, 9, 2), dt.date(2025, 9, 3)]
    assert [m.id for m in b.mentors] == ["M1", "M10"]  # the BOM did not end up in the first column's name


def test_wrong_date_format_is_named_precisely(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025.09.13,M1,S1,,,\nA4,谈心,09/14/2025,M1,S1,,,\nA5,谈心,2025-02-30,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:4: date: '2025.09.13' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
        "activities.csv:5: date: '09/14/2025' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
        "activities.csv:6: date: '2025-02-30' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
    ]


def test_typo_in_mentor_id_suggests_the_close_one(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025-09-13,M1O,S1,,,\n"
    assign = FILES["assignments.csv"] + "M2,S1,,\n"
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts, assignments__csv=assign)) == [
        "assignments.csv:4: mentor_id: unknown mentor id 'M2': not in mentors.csv (did you mean 'M1'?)",
        "activities.csv:4: mentor_id: unknown mentor id 'M1O': not in mentors.csv (did you mean 'M1' or 'M10'?)",
    ]


def test_missing_column_is_reported_on_the_header_line(tmp_path: Path) -> None:
    students = "id,name,class\nS1,小明,一(1)班\n"
    assert errors_of(bundle_dir(tmp_path, students__csv=students)) == [
        "students.csv:1: grade: the required column 'grade' (年级) is missing (the header has: id, name, class)",
    ]


def test_duplicate_activity_id_points_at_the_first(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A1,谈心,2025-09-13,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:4: id: duplicate activity id 'A1' (first used on line 2)"
    ]


def test_every_bad_row_is_listed_at_once(tmp_path: Path) -> None:
    """One load reports all problems of all files: nothing is dropped, nothing stops the search early."""
    folder = bundle_dir(
        tmp_path,
        students__csv=FILES["students.csv"] + "S3,小刚,二,一(1)班,\nS4,小李,2,一(1)班,\n",
        assignments__csv=FILES["assignments.csv"] + "M1,S2,2025-10-01,2025-09-01\nM1,S9,,\n",
        activities__csv=FILES["activities.csv"]
        + "A3,谈心,2025-09-13,M1,S1;S8,,-5,\nA4,,2025-09-13,M1,,,,\nA5,谈心,2025-09-13,M1,,三(9)班,abc,\nA6,谈心,2025-09-13,M1,S3,,,\n",
        ratings__csv="mentor_id,score,item,value,term\nM1,考核,进步,1,\nM1,考核,进步,x,T1\nM1,考核,进步,1,T1\nM1,考核,进步,2,T1\nM1,考核,进步,1,T9\n",
        student_events__csv="student_id,kind,date\nS1,重大变故,2025-13-01\nS7,重大变故,2025-10-01\n",
    )
    assert errors_of(folder) == [
        "students.csv:4: grade: '二' is not a grade: write a whole number such as 5 (初一 is 7, 高一 is 10)",
        "students.csv:5: class: class '一(1)班' is already a class of grade 1 (line 2); class names must be unique within the school",
        "assignments.csv:4: end: the end 2025-09-01 is before the start 2025-10-01",
        "assignments.csv:5: student_id: unknown student id 'S9': not in students.csv (did you mean 'S1' or 'S2'?)",
        "activities.csv:4: duration_min: negative duration -5: minutes cannot be below 0",
        "activities.csv:4: student_ids: unknown student id 'S8': not in students.csv (did you mean 'S1' or 'S2'?)",
        "activities.csv:5: action: the action is missing",
        "activities.csv:6: class: unknown class '三(9)班': no student or head teacher has it (did you mean '一(1)班'?)",
        "activities.csv:6: duration_min: 'abc' is not a number of minutes",
        "activities.csv:7: student_ids: student 'S3' was rejected (students.csv:4)",
        "student_events.csv:2: date: '2025-13-01' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
        "student_events.csv:3: student_id: unknown student id 'S7': not in students.csv (did you mean 'S1' or 'S2'?)",
        "ratings.csv:2: term: the term is missing: write a term id for a per term score, or the school year 2025-2026 for a per school_year score",
        "ratings.csv:3: value: 'x' is not a number",
        "ratings.csv:5: item: a second value for mentor 'M1', score '考核', item '进步', term 'T1' (first on line 4)",
        "ratings.csv:6: term: 'T9' is neither a term id nor the school year of calendar.yaml (2025-2026, T1)",
    ]


def test_skip_bad_rows_keeps_the_good_rows_and_lists_the_bad_in_the_report(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025.09.13,M1,S1,,,\nA1,谈心,2025-09-14,M1,S1,,,\nA4,谈心,2025-09-15,M9,S1,,,\n"
    b = load_bundle(bundle_dir(tmp_path, activities__csv=acts), skip_bad_rows=True)
    assert len(b.activities) == 2
    report = evaluate(compile_text(SCHEME), b, dt.date(2025, 10, 1)).to_json()
    jsonschema.validate(report, report_schema())
    assert [(r["file"], r["line"], r["column"], r["code"]) for r in report["rejected"]] == [
        ("activities.csv", 4, "date", "bad-date"),
        ("activities.csv", 5, "id", "duplicate-id"),
        ("activities.csv", 6, "mentor_id", "unknown-mentor"),
    ]
    assert report["rejected"][0]["reason_zh"].startswith("“2025.09.13”不是日期")


def test_header_problems_fail_even_when_skipping_rows(tmp_path: Path) -> None:
    with pytest.raises(BadRowsError, match=re.escape("mentors.csv:1: name: the required column 'name' (姓名) is missing")):
        load_bundle(bundle_dir(tmp_path, mentors__csv="id,roles\nM1,\n"), skip_bad_rows=True)


def test_quoted_cells_with_commas_and_newlines_keep_row_numbers(tmp_path: Path) -> None:
    """A record whose quoted cell spans two lines is one row, as Excel shows it (SPEC §3)."""
    acts = FILES["activities.csv"] + 'A3,谈心,2025-09-13,M1,S1,,,"谈了很久, 很好\n第二行"\nA4,谈心,bad,M1,S1,,,\n'
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:5: date: 'bad' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
    ]


@pytest.mark.parametrize("note", ["", '"谈了很久, 很好"'], ids=["plain", "quoted"])
def test_a_row_of_empty_cells_is_a_blank_line(tmp_path: Path, note: str) -> None:
    """Excel writes an emptied row as `,,,,,,,`: skipped like a blank line, whether or not another
    cell in the file is quoted (a quoted file takes the csv module's path, a plain one the block parser)."""
    acts = FILES["activities.csv"] + ",,,,,,,\n" + f"A3,谈心,2025-09-13,M1,S1,,,{note}\n" + ",,,,,,,\nA4,谈心,bad,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:7: date: 'bad' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01",
    ]


def test_a_row_with_too_many_values_is_bad(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025-09-13,M1,S1,,,谈了,很久\n"
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:4: -: the row has 9 values but the header has 8 columns (a value containing a comma must be in double quotes)",
    ]


def test_a_file_neither_utf8_nor_gb18030_names_the_row_and_says_how_to_save_it(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path)
    (folder / "students.csv").write_bytes(b"id,name,grade,class,tags\nS1,Ming,1,C1,\nS2,\x80\xff,1,C1,\n")
    with pytest.raises(BundleFileError, match=re.escape("students.csv:3: is neither UTF-8 nor GB18030/GBK text: in Excel use 'Save as → CSV UTF-8")):
        load_bundle(folder)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BundleFileError, match="assignments.csv: is missing"):
        load_bundle(bundle_dir(tmp_path, assignments__csv=None))


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    b = load_bundle(bundle_dir(tmp_path))
    assert b.student_events == () and b.ratings == ()


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        ("school_year: 2025-2026\nterms: []\n", "calendar.yaml:2: terms: terms must be a list of at least one term"),
        (
            "school_year: x\nterms:\n  - {id: T1, start: 2025-09-01, end: 2025-13-01}\n",
            "calendar.yaml:3: terms[0].end: '2025-13-01' is not a real date",
        ),
        (
            "school_year: x\nterms:\n  - {id: T1, start: 2025-09-01, end: 2025-08-01}\n",
            "calendar.yaml:3: terms[0].end: the term ends (2025-08-01) before it starts",
        ),
        (
            "school_year: x\nterms:\n  - {id: T1, start: 2025-09-01, end: 2025-12-01}\nevent:\n  - {kind: 考试, date: 2025-10-01}\n",
            "calendar.yaml:4: event: 'event' is not a key of calendar.yaml (the keys are: school_year, terms, events)",
        ),
        (
            "school_year: x\nterms:\n  - {id: T1, start: 2025-09-01, end: 2025-12-01}\n  - {id: T2, start: 2025-11-01, end: 2026-01-01}\n",
            "calendar.yaml:4: terms[1]: term 'T2' starts before term 'T1' ends",
        ),
        ("school_year: x\nterms: [\n", "calendar.yaml:"),
    ],
)
def test_calendar_problems_name_the_line(tmp_path: Path, calendar: str, message: str) -> None:
    with pytest.raises(BadRowsError) as e:
        load_bundle(bundle_dir(tmp_path, calendar__yaml=calendar))
    assert message in str(e.value)


def test_unknown_term_id(tmp_path: Path) -> None:
    with pytest.raises(UnknownTermError, match="calendar.yaml has no term 'T9'; its terms are: T1"):
        evaluate(compile_text(SCHEME), load_bundle(bundle_dir(tmp_path)), dt.date(2025, 10, 1), "T9")


def test_bad_rows_render_in_chinese(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025.09.13,M1,S1,,,\n"
    with pytest.raises(BadRowsError) as e:
        load_bundle(bundle_dir(tmp_path, activities__csv=acts))
    assert e.value.render("zh") == "activities.csv:4: date: “2025.09.13”不是日期：请写成 YYYY-MM-DD（或 YYYY/M/D、2025年9月1日），例如 2025-09-01"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(schools())
def test_csv_folder_and_rows_build_the_same_bundle(tmp_path_factory: pytest.TempPathFactory, school: dict) -> None:  # type: ignore[type-arg]
    """Writing a school as CSV files and loading it gives the same bundle as building it from rows."""
    school = normalise(school)
    a = to_bundle(school)
    b = load_bundle(write_folder(school, tmp_path_factory.mktemp("b"), bom=True))
    assert [(m.id, m.roles, m.tags, m.class_name) for m in a.mentors] == [(m.id, m.roles, m.tags, m.class_name) for m in b.mentors]
    assert [s.id for s in a.students] == [s.id for s in b.students] and a.classes == b.classes
    for col in ("action", "day", "mentor", "klass", "stu_ptr", "stu"):
        assert getattr(a.activities, col).tolist() == getattr(b.activities, col).tolist(), col
    assert [a.activities.id_of(i) for i in range(len(a.activities))] == [b.activities.id_of(i) for i in range(len(b.activities))]
    assert all(x == y or (x != x and y != y) for x, y in zip(a.activities.duration.tolist(), b.activities.duration.tolist(), strict=True))


def _columns(b: object) -> dict[str, list[object]]:
    acts = b.activities  # type: ignore[attr-defined]
    cols: dict[str, list[object]] = {c: getattr(acts, c).tolist() for c in ("action", "day", "mentor", "klass", "stu_ptr", "stu", "line")}
    cols["ids"] = [acts.id_of(i) for i in range(len(acts))]
    cols["duration"] = [None if x != x else x for x in acts.duration.tolist()]
    cols["names"] = list(acts.action_names)
    return cols


def test_a_bad_row_in_a_fast_block_is_explained_by_the_row_path(tmp_path: Path) -> None:
    acts = (
        FILES["activities.csv"]
        + "".join(f"B{i},谈心,2025-09-13,M1,S1;S2,,15,\n" for i in range(50))
        + "B99,谈心,2025-09-13,M1,S1;S3,,15,\n"
    )
    assert errors_of(bundle_dir(tmp_path, activities__csv=acts)) == [
        "activities.csv:54: student_ids: unknown student id 'S3': not in students.csv (did you mean 'S1' or 'S2'?)",
    ]
