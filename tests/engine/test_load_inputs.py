"""Bad and odd input, one test per kind, each with the exact message (SPEC §3 "As schools really keep it").

"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from load_helpers import write_xlsx

from engine import BadRowsError, Bundle, BundleFileError, bundle_from_columns, load_bundle
from engine.load.calendar import parse_calendar

CALENDAR = """school_year: "2025-2026"
terms:
  - {id: T1, name: 第一学期, start: 2025-09-01, end: 2026-01-16}
events:
  - {kind: 考试, name: 期中, date: 2025-11-10, grades: [1]}
"""
MENTORS = "id,name,roles,tags,class\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\n"
STUDENTS = "id,name,grade,class,tags\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,\n"
ASSIGNMENTS = "mentor_id,student_id,start,end\nM1,S1,,\nM10,S2,2025-09-01,\n"
HEAD = "id,action,date,mentor_id,student_ids,class,duration_min,note\n"
ACTIVITIES = HEAD + "A1,谈心,2025-09-10,M1,S1,,30,\nA2,谈心,2025-09-12,M10,S1;S2,,,\n"
FILES = {
    "calendar.yaml": CALENDAR,
    "mentors.csv": MENTORS,
    "students.csv": STUDENTS,
    "assignments.csv": ASSIGNMENTS,
    "activities.csv": ACTIVITIES,
}
DATE_HINT = "write YYYY-MM-DD (or YYYY/M/D, or 2025年9月1日), e.g. 2025-09-01"
NEITHER = "is neither UTF-8 nor GB18030/GBK text: in Excel use 'Save as → CSV UTF-8 (comma delimited)'"
NEITHER_ZH = "既不是 UTF-8 也不是 GB18030/GBK 编码：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”"
OPEN_QUOTE = 'a quote opened on this row is never closed (a cell starting with " must end with ")'
OPEN_QUOTE_ZH = '这一行有一个引号没有闭合（以 " 开头的单元格必须以 " 结尾）'
NUL = "a cell holds a NUL byte (the file is damaged, or was saved in a binary format): delete the character"
NUL_ZH = "单元格中有 NUL 字符（文件已损坏，或以二进制格式保存）：请删除该字符"


def bundle_dir(tmp_path: Path, files: dict[str, str | bytes | None] | None = None, *, name: str = "bundle") -> Path:
    """FILES with some replaced (text is written as UTF-8, bytes as they are, None removes the file)."""
    folder = tmp_path / name
    folder.mkdir()
    for file, content in {**FILES, **(files or {})}.items():
        if isinstance(content, bytes):
            (folder / file).write_bytes(content)
        elif content is not None:
            (folder / file).write_text(content, encoding="utf-8", newline="")
    return folder


def load_errors(folder: Path, skip_bad_rows: bool = False) -> BadRowsError:
    with pytest.raises(BadRowsError) as e:
        load_bundle(folder, skip_bad_rows=skip_bad_rows)
    return e.value


def errors_of(folder: Path, skip_bad_rows: bool = False) -> list[str]:
    return [str(r) for r in load_errors(folder, skip_bad_rows).rows]


def file_error(folder: Path) -> BundleFileError:
    with pytest.raises(BundleFileError) as e:
        load_bundle(folder)
    return e.value


def ids(b: Bundle) -> list[str]:
    """The loaded activity ids, in the order read."""
    order = np.argsort(b.activities.line, kind="stable")
    return [b.activities.id_of(int(i)) for i in order]


def days(b: Bundle) -> dict[str, dt.date]:
    return {b.activities.id_of(i): dt.date.fromordinal(int(b.activities.day[i])) for i in range(len(b.activities))}


def students_of(b: Bundle) -> dict[str, list[str]]:
    return {b.activities.id_of(i): [b.students[int(j)].id for j in b.activities.students_of(i)] for i in range(len(b.activities))}


# ------------------------------------------------------------------ text encodings


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_or_gbk_csv_is_read_and_says_so(tmp_path: Path, encoding: str) -> None:
    students = "编号,姓名,年级,班级,标签\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,单亲\n"
    b = load_bundle(bundle_dir(tmp_path, {"students.csv": students.encode(encoding)}))
    assert [(s.id, s.name, s.class_name, s.tags) for s in b.students] == [
        ("S1", "小明", "一(1)班", ("城区",)),
        ("S2", "小红", "一(1)班", ("单亲",)),
    ]
    assert [(w.code, w.file, w.message) for w in b.warnings] == [
        ("gb18030", "students.csv", "students.csv: not UTF-8; read as GB18030 (GBK), as Excel saves CSV on a Chinese Windows machine")
    ]
    assert b.warnings[0].render("zh") == "students.csv：不是 UTF-8 编码，已按 GB18030（GBK）读取（中文版 Excel 默认的 CSV 编码）"


def test_a_character_only_gb18030_encodes_is_read(tmp_path: Path) -> None:
    """GB18030's four-byte forms cover what GBK lacks (a rare character in a name)."""
    students = "id,name,grade,class,tags\nS1,吉𠮷,1,一(1)班,\nS2,小红,1,一(1)班,\n"
    b = load_bundle(bundle_dir(tmp_path, {"students.csv": students.encode("gb18030")}))
    assert b.students[0].name == "吉𠮷"
    assert [w.code for w in b.warnings] == ["gb18030"]


def test_a_file_neither_utf8_nor_gb18030_names_its_row(tmp_path: Path) -> None:
    data = b"id,name,grade,class,tags\nS1,Ming,1,C1,\nS2,\x80\xff,1,C1,\n"
    e = file_error(bundle_dir(tmp_path, {"students.csv": data}))
    assert str(e) == f"students.csv:3: {NEITHER}"
    assert e.render("zh") == f"students.csv:3: {NEITHER_ZH}"


def test_the_undecodable_row_is_counted_after_a_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + HEAD.replace("\n", "\r\n").encode() + b"A1,x,2025-09-10,M1,S1,,30,\r\nA2,\x81\x20,2025-09-11,M1,S1,,,\r\n"
    assert str(file_error(bundle_dir(tmp_path, {"activities.csv": data}))) == f"activities.csv:3: {NEITHER}"


def test_the_undecodable_row_is_excels_row_after_a_multi_line_cell(tmp_path: Path) -> None:
    data = HEAD.encode() + b'A1,x,2025-09-10,M1,S1,,30,"line one\nline two"\nA2,\x80\xff,2025-09-11,M1,S1,,,\n'
    assert str(file_error(bundle_dir(tmp_path, {"activities.csv": data}))) == f"activities.csv:3: {NEITHER}"


def test_the_undecodable_row_is_counted_with_lone_cr_line_ends(tmp_path: Path) -> None:
    data = HEAD.replace("\n", "\r").encode() + b"A1,x,2025-09-10,M1,S1,,30,\rA2,\x80\xff,2025-09-11,M1,S1,,,\r"
    assert str(file_error(bundle_dir(tmp_path, {"activities.csv": data}))) == f"activities.csv:3: {NEITHER}"


# ------------------------------------------------------------------ headers


def test_chinese_headers_and_aliases_load_as_the_english_ones(tmp_path: Path) -> None:
    chinese = {
        "mentors.csv": "工号,导师姓名,角色,标签,班级\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\n",
        "students.csv": "学号,学生姓名,年级,班级,标签\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,\n",
        "assignments.csv": "工号,学号,开始,结束\nM1,S1,,\nM10,S2,2025-09-01,\n",
        "activities.csv": "编号,动作,日期,导师编号,学生编号列表,班级,时长,备注\nA1,谈心,2025-09-10,M1,S1,,30,\nA2,谈心,2025-09-12,M10,S1;S2,,,\n",
        "student_events.csv": "学号,类型,日期\nS1,重大变故,2025-10-01\n",
        "ratings.csv": "导师编号,评分,项,分值,学期\nM1,考核,家长评价,1.5,T1\n",
    }
    english = {
        "student_events.csv": "student_id,kind,date\nS1,重大变故,2025-10-01\n",
        "ratings.csv": "mentor_id,score,item,value,term\nM1,考核,家长评价,1.5,T1\n",
    }
    zh, en = load_bundle(bundle_dir(tmp_path, chinese, name="zh")), load_bundle(bundle_dir(tmp_path, english, name="en"))
    assert zh.warnings == () and zh.rejected == ()
    strip = lambda rows: [{**r._asdict(), "line": None} for r in rows]  # noqa: E731
    for part in ("mentors", "students", "assignments", "student_events", "ratings"):
        assert strip(getattr(zh, part)) == strip(getattr(en, part)), part
    assert [m.name for m in zh.mentors] == ["张老师", "李老师"] and [s.name for s in zh.students] == ["小明", "小红"]
    assert days(zh) == days(en) and students_of(zh) == students_of(en)
    # the other Chinese names and aliases SPEC lists
    more = {
        "students.csv": "编号,姓名,年级,班级\nS1,小明,1,一(1)班\nS2,小红,1,一(1)班\n",
        "activities.csv": "编号,动作,日期,工号,学号\nA1,谈心,2025-09-10,M1,S1;S2\n",
    }
    b = load_bundle(bundle_dir(tmp_path, more, name="more"))
    assert students_of(b) == {"A1": ["S1", "S2"]} and b.mentors[b.activities.mentor[0]].id == "M1"


def test_an_unknown_column_is_a_warning_not_an_error(tmp_path: Path) -> None:
    mentors = "id,name,roles,tags,class,电话\nM1,张老师,班主任,,一(1)班,13800000000\nM10,李老师,,,,\n"
    students = "id,name,grade,class,tags,家庭住址,Remarks\nS1,小明,1,一(1)班,城区,,\nS2,小红,1,一(1)班,,,\n"
    b = load_bundle(bundle_dir(tmp_path, {"mentors.csv": mentors, "students.csv": students}))
    assert [(w.code, w.message) for w in b.warnings] == [
        ("unread-column", "mentors.csv: the column '电话' is not one the engine reads; left out"),
        ("unread-column", "students.csv: the columns '家庭住址', 'Remarks' are not one the engine reads; left out"),
    ]
    assert [w.render("zh") for w in b.warnings] == [
        "mentors.csv：列“电话”不是可识别的列，未读取",
        "students.csv：列“家庭住址”、“Remarks”不是可识别的列，未读取",
    ]
    assert b.rejected == () and [m.id for m in b.mentors] == ["M1", "M10"]


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "mentors.csv",
            "id,name,roles,tag,class\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\n",
            "mentors.csv:1: tag: the column 'tag' is not read: did you mean 'tags' (标签)? rename the header cell",
        ),
        (
            "activities.csv",
            "id,action,date,mentor_id,student_id,class,duration_min,note\nA1,谈心,2025-09-10,M1,S1,,30,\n",
            "activities.csv:1: student_id: the column 'student_id' is not read: did you mean 'student_ids' (学生编号列表)? rename the header cell",
        ),
        (
            "assignments.csv",
            "mentor_id,student_id,start_date,end\nM1,S1,,\n",
            "assignments.csv:1: start_date: the column 'start_date' is not read: did you mean 'start' (开始)? rename the header cell",
        ),
        (
            "students.csv",
            "id,name,grade,class,标 签\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,\n",
            "students.csv:1: 标 签: the column '标 签' is not read: did you mean 'tags' (标签)? rename the header cell",
        ),
        (
            "activities.csv",
            "id,action,date,mentor_id,Student_IDs,class,duration_min,note\nA1,谈心,2025-09-10,M1,S1,,30,\n",
            "activities.csv:1: Student_IDs: the column 'Student_IDs' is not read: did you mean 'student_ids' (学生编号列表)? rename the header cell",
        ),
    ],
    ids=["tag", "student_id", "start_date", "标 签", "Student_IDs"],
)
def test_a_near_miss_header_is_an_error_with_did_you_mean_even_when_skipping_rows(
    tmp_path: Path, file: str, text: str, message: str
) -> None:
    assert errors_of(bundle_dir(tmp_path, {file: text}), skip_bad_rows=True) == [message]


def test_a_near_miss_header_in_chinese(tmp_path: Path) -> None:
    e = load_errors(bundle_dir(tmp_path, {"mentors.csv": "id,name,roles,tag,class\nM1,张老师,班主任,,一(1)班\n"}), skip_bad_rows=True)
    assert e.render("zh") == "mentors.csv:1: tag: 列“tag”不会被读取：是不是“标签”（tags）？请改正表头"


def test_a_near_miss_header_in_a_workbook_sheet_names_the_sheet_and_excels_row(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"mentors.csv": None})
    write_xlsx(
        folder / "学校.xlsx", {"导师": [["导师名单"], ["工号", "导师姓名", "标 签"], ["M1", "张老师", None], ["M10", "李老师", None]]}
    )
    assert errors_of(folder, skip_bad_rows=True) == [
        "学校.xlsx:导师:2: 标 签: the column '标 签' is not read: did you mean 'tags' (标签)? rename the header cell"
    ]


def test_a_required_column_missing(tmp_path: Path) -> None:
    e = load_errors(bundle_dir(tmp_path, {"activities.csv": "id,action,mentor_id,student_ids\nA1,谈心,M1,S1\n"}), skip_bad_rows=True)
    assert [str(r) for r in e.rows] == [
        "activities.csv:1: date: the required column 'date' (日期) is missing (the header has: id, action, mentor_id, student_ids)"
    ]
    assert e.render("zh") == "activities.csv:1: date: 缺少必需的列“日期”（date）（表头为：id, action, mentor_id, student_ids）"
    e = load_errors(bundle_dir(tmp_path, {"students.csv": "学号,姓名,班级\nS1,小明,一(1)班\n"}, name="zh"))
    assert e.render("zh") == "students.csv:1: grade: 缺少必需的列“年级”（grade）（表头为：学号, 姓名, 班级）"


# ------------------------------------------------------------------ values


def test_chinese_dates_and_datetimes_are_read(tmp_path: Path) -> None:
    acts = (
        HEAD
        + "A1,谈心,2025年9月1日,M1,S1,,30,\nA2,谈心,2025/9/1 8:30,M10,S1,,,\nA3,谈心,2025年9月2日 08:30,M1,S1,,,\nA4,谈心,2025-09-03 23:59:59,M1,S1,,,\n"
    )
    assign = "mentor_id,student_id,start,end\nM1,S1,2025年9月1日,2026/1/16 17:00\n"
    events = "student_id,kind,date\nS1,重大变故,2025年10月8日\n"
    b = load_bundle(bundle_dir(tmp_path, {"activities.csv": acts, "assignments.csv": assign, "student_events.csv": events}))
    assert days(b) == {"A1": dt.date(2025, 9, 1), "A2": dt.date(2025, 9, 1), "A3": dt.date(2025, 9, 2), "A4": dt.date(2025, 9, 3)}
    assert [(a.start, a.end) for a in b.assignments] == [(dt.date(2025, 9, 1), dt.date(2026, 1, 16))]
    assert [e.date for e in b.student_events] == [dt.date(2025, 10, 8)]


def test_list_cells_split_on_every_separator_and_a_quoted_comma(tmp_path: Path) -> None:
    students = "id,name,grade,class,tags\n" + "".join(f"S{i},学生{i},1,一(1)班,\n" for i in range(1, 7))
    acts = HEAD + ("A1,谈心,2025-09-01,M1,S1;S2,,,\nA2,谈心,2025-09-02,M1,S1；S3,,,\nA3,谈心,2025-09-03,M1,S1、S4,,,\n"
                   'A4,谈心,2025-09-04,M1,S1，S5,,,\nA5,谈心,2025-09-05,M1,"S1,S6",,,\nA6,谈心,2025-09-06,M1," S2 ;S3、 ,S4",,,\n')  # fmt: skip
    mentors = 'id,name,roles,tags,class\nM1,张老师,"班主任,导师组长",骨干、青年,一(1)班\nM10,李老师,,,\n'
    b = load_bundle(bundle_dir(tmp_path, {"students.csv": students, "activities.csv": acts, "mentors.csv": mentors}))
    assert students_of(b) == {
        "A1": ["S1", "S2"],
        "A2": ["S1", "S3"],
        "A3": ["S1", "S4"],
        "A4": ["S1", "S5"],
        "A5": ["S1", "S6"],
        "A6": ["S2", "S3", "S4"],
    }
    assert (b.mentors[0].roles, b.mentors[0].tags) == (("班主任", "导师组长"), ("骨干", "青年"))


def test_nfkc_makes_full_width_and_half_width_the_same(tmp_path: Path) -> None:
    mentors = "id,name,roles,tags,class\nＭ1,张老师,班主任,,一（1）班\nM10,李老师,,,\n"
    students = "id,name,grade,class,tags\nＳ１,小明,１,一（1）班,城区\nS2,小红,1,一(1)班,\n"
    acts = HEAD + "Ａ1,谈心,２０２５-09-10,M1,S1,一(1)班,３０,\nA2,谈心,2025-09-12,Ｍ１０,Ｓ1；S2,一（１）班,,\n"
    b = load_bundle(bundle_dir(tmp_path, {"mentors.csv": mentors, "students.csv": students, "activities.csv": acts}))
    assert (
        b.classes == ("一(1)班",)
        and [m.id for m in b.mentors] == ["M1", "M10"]
        and [(s.id, s.grade) for s in b.students] == [("S1", 1), ("S2", 1)]
    )
    assert ids(b) == ["A1", "A2"] and students_of(b) == {"A1": ["S1"], "A2": ["S1", "S2"]}
    assert b.activities.duration.tolist()[0] == 30 and b.warnings == ()
    # normalised before the duplicate check, and reports print the normalised form
    dup = HEAD + "Ａ1,谈心,2025-09-10,M1,S1,,30,\nA1 ,谈心,2025-09-12,M10,S2,,,\n"
    e = load_errors(bundle_dir(tmp_path, {"activities.csv": dup}, name="dup"))
    assert [str(r) for r in e.rows] == ["activities.csv:3: id: duplicate activity id 'A1' (first used on line 2)"]
    assert e.render("zh") == "activities.csv:3: id: 活动编号“A1”重复（第一次出现在第 2 行）"
    students_dup = STUDENTS + "Ｓ1,小明,1,一（1）班,\n"
    assert errors_of(bundle_dir(tmp_path, {"students.csv": students_dup}, name="sdup")) == [
        "students.csv:4: id: duplicate student id 'S1' (first used on line 2)"
    ]


def test_a_student_named_twice_in_one_cell_counts_once(tmp_path: Path) -> None:
    acts = HEAD + "A1,谈心,2025-09-10,M1,S1;S1;Ｓ1,,30,\nA2,谈心,2025-09-11,M1,S2、S1、S2 ,,,\n"
    b = load_bundle(bundle_dir(tmp_path, {"activities.csv": acts}))
    assert {k: sorted(v) for k, v in students_of(b).items()} == {"A1": ["S1"], "A2": ["S1", "S2"]}
    assert b.activities.stu_ptr.tolist()[-1] == 3
    # and from a database's link table, in any order
    cal = parse_calendar(CALENDAR)
    tables = {
        "mentors": pa.table({"id": ["M1"], "name": ["张"]}),
        "students": pa.table({"id": ["S1", "S2"], "name": ["a", "b"], "grade": [1, 1], "class": ["一(1)班", "一(1)班"]}),
        "assignments": pa.table({"mentor_id": pa.array([], pa.string()), "student_id": pa.array([], pa.string())}),
        "activities": pa.table({"id": ["A1", "A2"], "action": ["谈心", "谈心"], "date": pa.array([dt.date(2025, 9, 10), dt.date(2025, 9, 11)]),
                                "mentor_id": ["M1", "M1"]}),
    }  # fmt: skip
    b = bundle_from_columns(
        cal, tables, {"activities": "id"}, activity_students=([1, 0, 1, 0, 1], pa.array(["S2", "S1", "S1", "S1", "S2"]))
    )
    assert {k: sorted(v) for k, v in students_of(b).items()} == {"A1": ["S1"], "A2": ["S1", "S2"]}


# ------------------------------------------------------------------ damaged rows


@pytest.mark.parametrize("end", ["", "\n", "\r\n"], ids=["no-newline", "newline", "crlf"])
def test_a_row_cut_short_at_the_end_of_the_file_is_a_bad_row(tmp_path: Path, end: str) -> None:
    folder = bundle_dir(tmp_path, {"activities.csv": ACTIVITIES + "A3,谈心,2025-09-13,M1" + end})
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == ["activities.csv:4: -: the row has 4 values but the header has 8 columns: the row is cut short"]
    assert e.render("zh") == "activities.csv:4: -: 这一行只有 4 个值，但表头有 8 列：这一行不完整"
    b = load_bundle(folder, skip_bad_rows=True)
    assert ids(b) == ["A1", "A2"] and [(r.line, r.code) for r in b.rejected] == [(4, "short-row")]


OPEN_QUOTES = {
    "last cell, rows follow": ACTIVITIES
    + 'A3,谈心,2025-09-13,M1,S1,,,"谈了很久\nA4,谈心,2025-09-14,M1,S1,,,\nA5,谈心,2025-09-15,M1,S2,,,\n',
    "middle cell, rows follow": ACTIVITIES + 'A3,谈心,2025-09-13,M1,"S1,,,\nA4,谈心,2025-09-14,M1,S1,,,\nA5,谈心,2025-09-15,M1,S2,,,\n',
    "on the last line": ACTIVITIES + 'A4,谈心,2025-09-14,M1,S1,,,\nA5,谈心,2025-09-15,M1,S2,,,\nA3,谈心,2025-09-13,M1,S1,,,"谈了很久\n',
}


@pytest.mark.parametrize("text", OPEN_QUOTES.values(), ids=OPEN_QUOTES.keys())
def test_a_quote_left_open_is_a_bad_row_and_the_rows_after_it_load(tmp_path: Path, text: str) -> None:
    folder = bundle_dir(tmp_path, {"activities.csv": text})
    line = 4 if text.index('"') < text.index("A4") else 6
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == [f"activities.csv:{line}: -: {OPEN_QUOTE}"]
    assert e.render("zh") == f"activities.csv:{line}: -: {OPEN_QUOTE_ZH}"
    b = load_bundle(folder, skip_bad_rows=True)
    assert ids(b) == ["A1", "A2", "A4", "A5"]


@pytest.mark.parametrize(
    ("file", "text", "line"),
    [
        ("activities.csv", ACTIVITIES + "A3,谈心,2025-09-13,M1,S\x001,,,\nA4,谈心,2025-09-14,M1,S1,,,\n", 4),
        ("activities.csv", ACTIVITIES + 'A3,谈心,2025-09-13,M1,S1,,,"很好\x00"\nA4,谈心,2025-09-14,M1,S1,,,\n', 4),
        ("students.csv", STUDENTS + "S3,小\x00刚,1,一(1)班,\n", 4),
    ],
    ids=["plain cell", "quoted cell", "students"],
)
def test_a_nul_byte_in_a_cell_is_a_bad_row(tmp_path: Path, file: str, text: str, line: int) -> None:
    folder = bundle_dir(tmp_path, {file: text})
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == [f"{file}:{line}: -: {NUL}"]
    assert e.render("zh") == f"{file}:{line}: -: {NUL_ZH}"
    b = load_bundle(folder, skip_bad_rows=True)
    assert [r.line for r in b.rejected] == [line]
    if file == "activities.csv":
        assert ids(b) == ["A1", "A2", "A4"]


def test_a_nan_duration_is_never_swallowed(tmp_path: Path) -> None:
    """'nan' is no number of minutes: a bad row (or, at the least, a row kept as if blank); never a row silently dropped."""
    folder = bundle_dir(tmp_path, {"activities.csv": ACTIVITIES + "A3,谈心,2025-09-13,M1,S1,,nan,\n"})
    try:
        b = load_bundle(folder)
    except BadRowsError as e:
        assert [str(r) for r in e.rows] == ["activities.csv:4: duration_min: 'nan' is not a number of minutes"]
        return
    assert ids(b) == ["A1", "A2", "A3"], "activity A3 (duration 'nan') vanished without a bad row"


def test_dates_before_1900_or_after_2100_are_refused(tmp_path: Path) -> None:
    acts = (
        ACTIVITIES + "A3,谈心,1899-12-31,M1,S1,,,\nA4,谈心,2101-01-01,M1,S1,,,\nA5,谈心,1900-01-01,M1,S1,,,\nA6,谈心,2100/12/31,M1,S1,,,\n"
    )
    folder = bundle_dir(tmp_path, {"activities.csv": acts, "assignments.csv": ASSIGNMENTS + "M1,S2,1850-01-01,\n",
                                   "student_events.csv": "student_id,kind,date\nS1,重大变故,2150年1月1日\nS2,重大变故,9999-12-31\n"})  # fmt: skip
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == [
        "assignments.csv:4: start: 1850-01-01 is not between 1900 and 2100: check the year",
        "activities.csv:4: date: 1899-12-31 is not between 1900 and 2100: check the year",
        "activities.csv:5: date: 2101-01-01 is not between 1900 and 2100: check the year",
        "student_events.csv:2: date: 2150-01-01 is not between 1900 and 2100: check the year",
        "student_events.csv:3: date: 9999-12-31 is not between 1900 and 2100: check the year",
    ]
    assert e.render("zh").splitlines()[1] == "activities.csv:4: date: 1899-12-31 不在 1900 年到 2100 年之间：请检查年份"
    assert ids(load_bundle(folder, skip_bad_rows=True)) == ["A1", "A2", "A5", "A6"]  # 1900-01-01 and 2100-12-31 are in range


def test_database_dates_out_of_range_are_refused() -> None:
    tables = {
        "mentors": pa.table({"id": ["M1"], "name": ["张"]}),
        "students": pa.table({"id": ["S1"], "name": ["a"], "grade": [1], "class": ["一(1)班"]}),
        "assignments": pa.table({"mentor_id": ["M1"], "student_id": ["S1"], "start": pa.array([dt.date(1899, 12, 31)]), "end": pa.array([None], pa.date32())}),
        "activities": pa.table({"id": ["A1", "A2"], "action": ["谈心", "谈心"], "date": pa.array([dt.date(1800, 1, 1), dt.date(2101, 1, 1)]),
                                "mentor_id": ["M1", "M1"]}),
    }  # fmt: skip
    with pytest.raises(BadRowsError) as e:
        bundle_from_columns(parse_calendar(CALENDAR), tables, {"activities": "id"})
    assert [str(r) for r in e.value.rows] == [
        "assignments[1]: start: 1899-12-31 is not between 1900 and 2100: check the year",
        "activities[A1]: date: 1800-01-01 is not between 1900 and 2100: check the year",
        "activities[A2]: date: 2101-01-01 is not between 1900 and 2100: check the year",
    ]


@pytest.mark.parametrize(
    ("calendar", "message", "message_zh"),
    [
        (
            'school_year: "2025-2026"\nterms:\n  - {id: T1, start: 2025-09-01, end: 9999-01-16}\n',
            "calendar.yaml:3: terms[0].end: 9999-01-16 is not between 1900 and 2100: check the year",
            "calendar.yaml:3: terms[0].end: 9999-01-16 不在 1900 年到 2100 年之间：请检查年份",
        ),
        (
            'school_year: "2025-2026"\nterms:\n  - {id: T1, start: 0001-09-01, end: 2026-01-16}\n',
            "calendar.yaml:3: terms[0].start: 0001-09-01 is not between 1900 and 2100: check the year",
            "calendar.yaml:3: terms[0].start: 0001-09-01 不在 1900 年到 2100 年之间：请检查年份",
        ),
        (
            CALENDAR + "  - {kind: 考试, name: 期末, date: 9999-12-31}\n",
            "calendar.yaml:6: events[1].date: 9999-12-31 is not between 1900 and 2100: check the year",
            "calendar.yaml:6: events[1].date: 9999-12-31 不在 1900 年到 2100 年之间：请检查年份",
        ),
        (
            CALENDAR + "  - {kind: 考试, name: 期末, date: 0001-01-01}\n",
            "calendar.yaml:6: events[1].date: 0001-01-01 is not between 1900 and 2100: check the year",
            "calendar.yaml:6: events[1].date: 0001-01-01 不在 1900 年到 2100 年之间：请检查年份",
        ),
        (
            'school_year: "2025-2026"\nterms:\n  - {id: T1, start: 2025-09-01, end: "9999-12-31 23:59"}\n',
            "calendar.yaml:3: terms[0].end: 9999-12-31 is not between 1900 and 2100: check the year",
            "calendar.yaml:3: terms[0].end: 9999-12-31 不在 1900 年到 2100 年之间：请检查年份",
        ),
    ],
    ids=["term-9999", "term-year-1", "event-9999", "event-year-1", "datetime-9999"],
)
def test_a_calendar_date_in_year_9999_or_year_1_is_a_clean_error(tmp_path: Path, calendar: str, message: str, message_zh: str) -> None:
    e = load_errors(bundle_dir(tmp_path, {"calendar.yaml": calendar}))  # a BadRowsError, not an OverflowError from date arithmetic
    assert str(e) == message
    assert e.render("zh") == message_zh


# ------------------------------------------------------------------ sanity warnings


def test_sanity_warnings_do_not_fail_the_load(tmp_path: Path) -> None:
    calendar = 'school_year: "2025-2026"\nterms:\n  - {id: T1, start: 2025-09-01, end: 2026-07-16}\nevents:\n  - {kind: 考试, name: 期末, date: 2026-08-01}\n'
    students = STUDENTS + "S3,小刚,1,一(1) 班,\n"
    b = load_bundle(bundle_dir(tmp_path, {"calendar.yaml": calendar, "students.csv": students}))
    assert [(w.code, w.message) for w in b.warnings] == [
        ("long-term", "calendar.yaml: term 'T1' lasts 319 days (2025-09-01 to 2026-07-16); a term is usually under 200: check the years"),
        (
            "event-outside-year",
            "calendar.yaml: event '期末' on 2026-08-01 is outside the school year (2025-09-01 to 2026-07-16); it concerns no term",
        ),
        ("class-spacing", "students.csv: the classes '一(1) 班', '一(1)班' differ only in spacing: they are counted as different classes"),
    ]
    assert [w.render("zh") for w in b.warnings] == [
        "calendar.yaml：学期“T1”长达 319 天（2025-09-01 至 2026-07-16），学期通常不超过 200 天：请检查年份",
        "calendar.yaml：事件“期末”（2026-08-01）不在本学年（2025-09-01 至 2026-07-16）内，不属于任何学期",
        "students.csv：班级“一(1) 班”、“一(1)班”只差空格，会被当作不同的班级",
    ]
    assert b.rejected == () and len(b.students) == 3


def test_a_term_of_200_days_and_an_event_on_the_last_day_raise_no_warning(tmp_path: Path) -> None:
    start = dt.date(2025, 9, 1)
    end = start + dt.timedelta(days=199)
    calendar = f'school_year: "2025-2026"\nterms:\n  - {{id: T1, start: {start}, end: {end}}}\nevents:\n  - {{kind: 考试, date: {end}}}\n  - {{kind: 考试, date: {start}}}\n'
    assert load_bundle(bundle_dir(tmp_path, {"calendar.yaml": calendar})).warnings == ()


# ------------------------------------------------------------------ where a table is and its row numbers


def test_title_rows_above_the_header_are_skipped_in_a_csv(tmp_path: Path) -> None:
    acts = "2025学年导师活动记录,,,,,,,\n导出时间：2025-09-30\n\n" + ACTIVITIES + "A3,谈心,bad,M1,S1,,,\n"
    e = load_errors(bundle_dir(tmp_path, {"activities.csv": acts}))
    assert [str(r) for r in e.rows] == [f"activities.csv:7: date: 'bad' is not a date: {DATE_HINT}"]
    assert e.render("zh") == "activities.csv:7: date: “bad”不是日期：请写成 YYYY-MM-DD（或 YYYY/M/D、2025年9月1日），例如 2025-09-01"


def test_a_multi_line_title_above_the_header_counts_as_one_row(tmp_path: Path) -> None:
    acts = '"2025学年\n导师活动记录",,,,,,,\n' + ACTIVITIES + "A3,谈心,bad,M1,S1,,,\n"  # title row 1, header 2, A1 3, A2 4, A3 5
    assert errors_of(bundle_dir(tmp_path, {"activities.csv": acts})) == [f"activities.csv:5: date: 'bad' is not a date: {DATE_HINT}"]


def test_title_rows_and_empty_rows_are_skipped_in_an_xlsx_and_rows_are_excels(tmp_path: Path) -> None:
    """A table's own workbook, named in Chinese: its first sheet is the table (SPEC §3)."""
    folder = bundle_dir(tmp_path, {"activities.csv": None})
    write_xlsx(folder / "活动.xlsx", {"Sheet1": [
        ["2025学年导师活动记录"], [],
        ["id", "action", "date", "mentor_id", "student_ids", "class", "duration_min", "note"],
        ["A1", "谈心", dt.date(2025, 9, 10), "M1", "S1", None, 30, None],
        [], [None, " ", None],
        ["A2", "谈心", "bad", "M10", "S1;S2"],
        ["A3", "谈心", dt.datetime(2025, 9, 11, 8, 30), "M1", "S1,S2", None, 12.5],
    ], "说明": [["id", "action", "date"], ["X1", "谈心", "not read"]]})  # fmt: skip
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == [f"活动.xlsx:7: date: 'bad' is not a date: {DATE_HINT}"]
    b = load_bundle(folder, skip_bad_rows=True)
    assert ids(b) == ["A1", "A3"] and b.activities.line.tolist() == [4, 8]
    assert days(b) == {"A1": dt.date(2025, 9, 10), "A3": dt.date(2025, 9, 11)} and students_of(b)["A3"] == ["S1", "S2"]
    assert b.activities.duration.tolist() == [30.0, 12.5]


def test_empty_rows_are_skipped_in_a_csv(tmp_path: Path) -> None:
    acts = HEAD + "\nA1,谈心,2025-09-10,M1,S1,,30,\n\n\r\n,,,,,,,\n   \n , , ,,,,,\nA3,谈心,bad,M1,S1,,,\n"
    assert errors_of(bundle_dir(tmp_path, {"activities.csv": acts})) == [f"activities.csv:9: date: 'bad' is not a date: {DATE_HINT}"]


def test_a_workbooks_sheets_are_the_tables_and_messages_name_the_sheet(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"mentors.csv": None, "students.csv": None, "assignments.csv": None, "activities.csv": None})
    write_xlsx(folder / "school.xlsx", {
        "导师": [["id", "name", "roles", "tags", "class"], ["M1", "张老师", "班主任", None, "一(1)班"], ["M10", "李老师"]],
        "学生": [["学号", "学生姓名", "年级", "班级", "标签"], [20250101, "小明", 1, "一(1)班", "城区"], ["S2", "小红", 1, "一(1)班"]],
        "结对": [["工号", "学号", "开始", "结束"], ["M1", 20250101], ["M10", "S2", dt.date(2025, 9, 1)]],
        "活动": [["学校活动记录"], ["编号", "动作", "日期", "导师编号", "学生编号列表", "班级", "时长", "备注"],
                 ["A1", "谈心", dt.date(2025, 9, 10), "M1", "20250101", None, 30], [], ["A2", "谈心", "2025-13-01", "M10", "20250101;S2"]],
    })  # fmt: skip
    e = load_errors(folder)
    assert [str(r) for r in e.rows] == [f"school.xlsx:活动:5: 日期: '2025-13-01' is not a date: {DATE_HINT}"]  # the column as its header names it
    assert (
        e.render("zh") == "school.xlsx:活动:5: 日期: “2025-13-01”不是日期：请写成 YYYY-MM-DD（或 YYYY/M/D、2025年9月1日），例如 2025-09-01"
    )
    b = load_bundle(folder, skip_bad_rows=True)
    assert [(r.file, r.line) for r in b.rejected] == [("school.xlsx:活动", 5)]
    assert [s.id for s in b.students] == ["20250101", "S2"] and students_of(b) == {
        "A1": ["20250101"]
    }  # a number typed as an id is its digits
    assert (b.files.mentors, b.files.activities) == ("school.xlsx:导师", "school.xlsx:活动")


def test_a_table_found_twice_is_an_error_naming_both(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path)
    write_xlsx(folder / "school.xlsx", {"活动": [HEAD.strip().split(","), ["A9", "谈心", dt.date(2025, 9, 10), "M1", "S1"]]})
    e = file_error(folder)
    assert (
        str(e) == "activities.csv: the activities table is found twice (activities.csv and school.xlsx:活动): keep one and remove the other"
    )
    assert e.render("zh") == "activities.csv: “活动”表出现了两次（activities.csv、school.xlsx:活动）：只保留一处"


def test_a_table_found_twice_by_its_chinese_file_name(tmp_path: Path) -> None:
    folder = bundle_dir(tmp_path, {"学生.csv": STUDENTS})
    assert (
        str(file_error(folder))
        == "students.csv: the students table is found twice (students.csv and 学生.csv): keep one and remove the other"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_multi_line_quoted_cell_counts_as_one_row(tmp_path: Path, newline: str) -> None:
    acts = (HEAD + 'A1,谈心,2025-09-10,M1,S1,,30,"第一行\n第二行\n第三行"\nA2,谈心,bad,M1,S1,,,"a, b\nc"\n'
            'A3,谈心,2025-09-11,M1,S1,,,\nA4,谈心,bad2,M1,S1,,,\n').replace("\n", newline)  # fmt: skip
    folder = bundle_dir(tmp_path, {"activities.csv": acts})
    assert errors_of(folder) == [
        f"activities.csv:3: date: 'bad' is not a date: {DATE_HINT}",
        f"activities.csv:5: date: 'bad2' is not a date: {DATE_HINT}",
    ]
    b = load_bundle(folder, skip_bad_rows=True)
    assert ids(b) == ["A1", "A3"] and b.activities.line.tolist() == [2, 4]


def test_rows_of_the_wrong_width_are_found_the_same_way_when_their_text_cannot_be_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyarrow names a row of the wrong width by its text; csvfile finds its line by searching for that text, or,
    when it cannot (too many, or found a different number of times), by counting every line's separators. Both ways
    report the same rows, and the rows around them load alike."""
    from engine.load import csvfile

    acts = (FILES["activities.csv"] + "A3,谈心,2025-09-13,M1,S1,,,谈了,很久\n" + "A4,谈心,2025-09-13,M1,S1\n" + "   \n"
            + 'A5,谈心,2025-09-14,M1,"S1,S2",,,\n' + "A6,谈心,2025-09-15,M1,S2,,,,\n")  # fmt: skip
    folder = bundle_dir(tmp_path, {"activities.csv": acts})
    searched = load_bundle(folder, skip_bad_rows=True)
    monkeypatch.setattr(csvfile, "_locate", lambda *a: None)
    counted = load_bundle(folder, skip_bad_rows=True)
    assert [str(r) for r in searched.rejected] == [str(r) for r in counted.rejected] == [
        "activities.csv:4: -: the row has 9 values but the header has 8 columns (a value containing a comma must be in double quotes)",
        "activities.csv:5: -: the row has 5 values but the header has 8 columns: the row is cut short",
    ]
    ids = lambda b: [b.activities.id_of(i) for i in range(len(b.activities))]  # noqa: E731
    assert sorted(ids(searched)) == sorted(ids(counted)) == ["A1", "A2", "A5", "A6"]


@pytest.mark.parametrize(("damage", "loaded"), [("", 300), ("A9999,谈心,2025-09-13,M9,S1,,,\n", 300), ("   \n", 300), ("A9998,谈心,2025-09-13,M1,S1,,,,\n", 301),
                                               ("\n\n", 300), (",,,,,,,\n", 300), ('A9997,谈心,2025-09-13,M1,"S1,S2",,,"好, 很好"\n', 301),
                                               ('A9996,谈心,2025-09-13,M1,S1,,,"两行\n的备注"\n', 301)],
                         ids=["plain", "a bad value", "a blank line", "an empty cell too many", "empty lines", "an emptied row", "quoted cells",
                              "a cell over two lines"])  # fmt: skip
def test_a_plain_file_read_without_its_lines_loads_as_read_line_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str,
                                                                        loaded: int) -> None:  # fmt: skip
    """A file past the header search with no quote, empty line or odd row skips the line scan (csvfile._read_plain_file);
    it must give the very table the line-by-line reading gives, bad rows and row numbers included."""
    from engine.load import csvfile

    rows = [f"A{i},谈心,2025-09-{10 + i % 20},M1,S{1 + i % 2},,{i % 60},\n" for i in range(100, 400)]
    folder = bundle_dir(tmp_path, {"activities.csv": HEAD + "".join(rows[:150]) + damage + "".join(rows[150:])})
    plain = load_bundle(folder, skip_bad_rows=True)
    monkeypatch.setattr(csvfile, "_read_plain_file", lambda *a: None)
    by_line = load_bundle(folder, skip_bad_rows=True)
    assert [str(r) for r in plain.rejected] == [str(r) for r in by_line.rejected]
    assert plain.activities.line.tolist() == by_line.activities.line.tolist()
    assert ids(plain) == ids(by_line) and len(ids(plain)) == loaded


LINES = [  # lines of every kind a clerk's file holds, for the property below
    "A{i},谈心,2025-09-13,M1,S1,,30,\n", 'A{i},谈心,2025-09-13,M1,"S1,S2",,,"好, 很好"\n', "A{i},谈心,2025-09-13,M1,S1;S2,,,他说\"好\"\n",
    "\n", "\r\n", ",,,,,,,\n", "  \n", "A{i},谈心,2025-09-13,M1\n", "A{i},谈心,2025-09-13,M1,S1,,,,x\n",
    'A{i},谈心,2025-09-13,M1,S1,,,"两行\n的备注"\n', 'A{i},谈心,2025-09-13,M1,S1,,,"没有闭合\n', "A{i},谈心,2025-09-13,M1,S1,,30,\r\n",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(range(len(LINES))), min_size=1, max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_any_file_reads_alike_without_its_lines_and_line_by_line(picks: list[int], end: str) -> None:
    """Whatever lines a file mixes, the reading that skips the line scan (when it takes the file at all) gives the very
    table, bad rows and row numbers of the line-by-line reading."""
    import tempfile

    from engine.load import csvfile

    text = HEAD.replace("\n", end) + "".join(LINES[k].format(i=i) for i, k in enumerate(picks))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "activities.csv"
        path.write_bytes(text.encode("utf-8"))
        quick = csvfile.read_csv(path, "activities", "activities.csv")
        original = csvfile._read_plain_file
        csvfile._read_plain_file = lambda *a: None  # type: ignore[assignment]
        try:
            slow = csvfile.read_csv(path, "activities", "activities.csv")
        finally:
            csvfile._read_plain_file = original  # type: ignore[assignment]
    assert [str(b) for b in quick.bad] == [str(b) for b in slow.bad]
    assert quick.lines.tolist() == slow.lines.tolist()
    assert {k: v.to_pylist() for k, v in quick.columns.items()} == {k: v.to_pylist() for k, v in slow.columns.items()}
