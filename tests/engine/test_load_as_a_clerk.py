"""What a clerk's files do that a careful writer's do not: the cases a new-user review found, each with its message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_load_inputs import FILES, HEAD, bundle_dir, errors_of, file_error

from engine import evaluate, load_bundle
from engine.load.calendar import parse_calendar
from mentorship.cli import cli
from rules_dsl.compiler import compile_text

SCHEME = 'scheme "测试"\naction 谈心 "谈心"\nrequire 谈心 at least 1 per month\n'


def test_a_csv_without_its_header_row_says_what_the_header_needs(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"students.csv": "S1,小明,1,一(1)班,\nS2,小红,1,一(1)班,\n"})
    assert errors_of(folder) == [
        "students.csv:1: -: no header row found (no row among the first ones names two known columns; the first row is 'S1,小明,1,一(1)班,'): "
        "the header needs id (编号), name (姓名), grade (年级), class (班级)"
    ]


@pytest.mark.parametrize("sep", ["\t", ";"])
def test_a_file_separated_by_tabs_or_semicolons_says_so(tmp_path: Path, sep: str) -> None:
    folder = bundle_dir(tmp_path, {"mentors.csv": FILES["mentors.csv"].replace(",", sep)})
    what = "tabs" if sep == "\t" else "semicolons"
    assert errors_of(folder) == [f"mentors.csv:1: -: the columns are separated by {what}, not commas: in Excel use 'Save as → CSV UTF-8 (comma delimited)'"]


def test_an_empty_optional_file_has_no_rows_and_an_empty_required_one_says_it_is_empty(tmp_path: Path) -> None:
    b = load_bundle(bundle_dir(tmp_path, {"ratings.csv": "", "student_events.csv": b"\xef\xbb\xbf"}))
    assert b.ratings == () and b.student_events == ()
    assert errors_of(bundle_dir(tmp_path, {"assignments.csv": ""}, name="empty")) == [
        "assignments.csv:1: -: the table is empty: it needs a header row with mentor_id (导师编号), student_id (学生编号), then a row for each record"
    ]


def test_a_class_merged_down_a_column_is_every_row_s_class(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"students.csv": None})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生"
    for row in (["编号", "姓名", "年级", "班级"], ["S1", "小明", 1, "一(1)班"], ["S2", "小红", 1, None]):
        ws.append(row)
    ws.merge_cells("D2:D3")
    wb.save(folder / "学生.xlsx")
    assert [s.class_name for s in load_bundle(folder).students] == ["一(1)班", "一(1)班"]


def test_a_sheet_named_nearly_like_a_table_is_named_in_the_missing_table_message(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"activities.csv": None})
    wb = openpyxl.Workbook()
    wb.active.title = "活动记录"
    wb.active.append(["编号", "动作", "日期", "工号"])
    wb.save(folder / "school.xlsx")
    assert str(file_error(folder)) == (
        "activities.csv: is missing from the bundle folder (or give activities.xlsx, 活动.csv, 活动.xlsx, or a sheet named activities or 活动); "
        "found school.xlsx:活动记录: name the file or sheet exactly activities or 活动 (save WPS .et files as .xlsx)"
    )


def test_students_named_by_name_in_the_activity_log_is_an_error_pointing_at_the_ids(tmp_path: Path) -> None:
    acts = "id,action,date,mentor_id,学生姓名,class,duration_min,note\nA1,谈心,2025-09-10,M1,小明,,30,\n"
    assert errors_of(bundle_dir(tmp_path, {"activities.csv": acts})) == [
        "activities.csv:1: 学生姓名: the column '学生姓名' is not read: did you mean 'student_ids' (学生编号列表)? rename the header cell"
    ]


def test_a_log_that_names_no_student_warns_when_the_rules_count_per_student(tmp_path: Path) -> None:
    acts = HEAD + "A1,谈心,2025-09-10,M1,,,30,\n"
    report = evaluate(compile_text(SCHEME), load_bundle(bundle_dir(tmp_path, {"activities.csv": acts})), dt.date(2025, 10, 1))
    assert [w.code for w in report.warnings] == ["no-students-named"]


def test_rows_left_out_are_said_on_stderr_where_the_output_has_no_place_for_them(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"activities.csv": FILES["activities.csv"] + "A3,谈心,bad,M1,S1,,,\n"})
    scheme = tmp_path / "s.scheme"
    scheme.write_text(SCHEME, encoding="utf-8")
    done = CliRunner().invoke(cli, ["--lang", "en", "evaluate", "--scheme", str(scheme), "--data", str(folder), "--as-of", "2025-10-01",
                                    "--format", "csv", "--skip-bad-rows"])  # fmt: skip
    assert done.exit_code == 0
    assert "1 row left out:\n  activities.csv:4: date: 'bad' is not a date" in done.stderr


def test_a_calendar_written_with_chinese_keys_and_full_width_colons_reads_as_the_english_one() -> None:
    zh = parse_calendar("学年： \"2025-2026\"\n学期：\n  - {编号: T1, 名称: 第一学期, 开始: 2025-09-01, 结束: 2026-01-16}\n")
    en = parse_calendar('school_year: "2025-2026"\nterms:\n  - {id: T1, name: 第一学期, start: 2025-09-01, end: 2026-01-16}\n')
    assert zh == en


def test_a_calendar_named_yml_or_in_chinese_is_found(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path)
    (folder / "calendar.yaml").rename(folder / "校历.yml")
    assert load_bundle(folder).calendar.school_year == "2025-2026"


def test_a_damaged_row_in_a_utf8_file_is_named_as_well_as_the_gb18030_row(tmp_path: Path) -> None:
    data = ("id,name,grade,class,tags\nS1,小明,1,一(1)班,\nS2,小红,1,一(1)班,\n").encode() + b"S3,\x80\xff,1,C,\n"
    assert str(file_error(bundle_dir(tmp_path, {"students.csv": data}))) == (
        "students.csv:2: is neither UTF-8 nor GB18030/GBK text (read as UTF-8, row 4 is the first that is not): "
        "in Excel use 'Save as → CSV UTF-8 (comma delimited)'"
    )


def test_ids_that_lost_their_leading_zeros_say_so(tmp_path: Path) -> None:
    students = "id,name,grade,class,tags\n1,小明,1,一(1)班,\n2,小红,1,一(1)班,\n"
    assignments = "mentor_id,student_id,start,end\nM1,00001,,\n"
    assert errors_of(bundle_dir(tmp_path, {"students.csv": students, "assignments.csv": assignments, "activities.csv": HEAD})) == [
        "assignments.csv:2: student_id: unknown student id '00001': students.csv has '1', the same number without its leading zeros — "
        "Excel dropped them: format the id column as text (文本) in both files and type the ids again"
    ]


@pytest.mark.parametrize(("cell", "grade"), [("5年级", 5), ("五年级", 5), ("初一", 7), ("高三", 12), ("3.0", 3)])
def test_grades_as_clerks_write_them(tmp_path: Path, cell: str, grade: int) -> None:
    students = f"id,name,grade,class,tags\nS1,小明,{cell},一(1)班,\nS2,小红,{cell},一(1)班,\n"
    assert {s.grade for s in load_bundle(bundle_dir(tmp_path, {"students.csv": students})).students} == {grade}


def test_thousands_of_bad_rows_are_listed_up_to_a_hundred_then_counted(tmp_path: Path) -> None:
    acts = HEAD + "".join(f"A{i},谈心,bad,M1,S1,,,\n" for i in range(3, 300))
    folder = bundle_dir(tmp_path, {"activities.csv": acts})
    scheme = tmp_path / "s.scheme"
    scheme.write_text(SCHEME, encoding="utf-8")
    done = CliRunner().invoke(cli, ["--lang", "en", "evaluate", "--scheme", str(scheme), "--data", str(folder), "--as-of", "2025-10-01"])
    lines = done.stderr.splitlines()
    assert done.exit_code == 1 and len(lines) == 103
    assert lines[100:] == ["… and 197 more:", "  activities.csv, column date (bad-date): 197 rows",
                           "297 problems; fix them, or pass --skip-bad-rows to leave those rows out (they are listed in the report's rejected)"]


def test_an_excel_date_number_is_named_as_such(tmp_path: Path) -> None:
    acts = HEAD + "A3,谈心,45910,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, {"activities.csv": FILES["activities.csv"] + acts.split("\n", 1)[1]})) == [
        "activities.csv:4: date: '45910' is not a date: it looks like Excel's number for 2025-09-10; format the column as a date (日期) in Excel"
    ]


def test_activities_dated_far_outside_the_school_year_are_a_warning(tmp_path: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2062-09-13,M1,S1,,,\n"
    b = load_bundle(bundle_dir(tmp_path, {"activities.csv": acts}))
    assert [(w.code, w.message, w.lines) for w in b.warnings] == [
        ("far-from-the-year", "activities.csv: 1 activity is dated far outside the school year (2025-09-01 – 2026-01-16), "
         "e.g. A3 (2062-09-13): they count for no term; check the years", (4,))
    ]


def test_messages_name_a_column_as_its_header_does(tmp_path: Path) -> None:
    acts = "编号,动作,日期,导师编号,学生编号列表,班级,时长,备注\nA1,谈心,bad,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, {"activities.csv": acts})) == [
        "activities.csv:2: 日期: 'bad' is not a date: write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01"
    ]
