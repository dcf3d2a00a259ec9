"""`mentorship evaluate` and `mentorship explain` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from test_engine_bundle import FILES, bundle_dir

from engine.report.report import report_schema
from mentorship.cli import cli

SCHEME = """scheme "测试方案"
school "测试学校"
action 谈心 "谈心"
ratio students per mentor at most 1
require 谈心 at least 1 per month
score 考核 per term {
  item 谈心: 1 per 谈心 max 2
}
rating 等级 for 考核 { 优秀: top 50%  合格: otherwise }
"""


@pytest.fixture
def scheme(tmp_path: Path) -> Path:
    path = tmp_path / "s.scheme"
    path.write_text(SCHEME, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_json_follows_the_report_schema(tmp_path: Path, scheme: Path) -> None:
    code, out, _ = run(
        "evaluate", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-10-15", "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    jsonschema.validate(report, report_schema())
    assert report["term"] == {"id": "T1", "start": "2025-09-01", "end": "2026-01-16"}
    assert report["scheme"]["school"] == "测试学校"
    first = report["duties"][0]
    assert (first["subject"], first["window_start"], first["count"], first["status"], first["evidence"]) == (
        "S1",
        "2025-09-01",
        2,
        "satisfied",
        ["A1", "A2"],
    )


def test_evaluate_table_lists_overdue_first_by_mentor_in_chinese_and_english(tmp_path: Path, scheme: Path) -> None:
    data = str(bundle_dir(tmp_path))
    code, out, _ = run("evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05")
    assert code == 0
    assert "导师 M1 张老师" in out and "状态" in out
    section = out.split("导师 M10 李老师")[1]
    assert section.index("逾期") < section.index("已完成")
    code, out, _ = run("--lang", "en", "evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05")
    assert code == 0 and "mentor M1" in out and "status" in out and "overdue" in out
    code, out, _ = run("evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--lang", "en")
    assert "mentor M1" in out


PAIR_RULE = "require 谈心 at least 1 per term per pair\n"


def test_evaluate_table_shows_the_student_name_beside_the_id(tmp_path: Path) -> None:
    """Student subjects read `S1 小明`, pair subjects `M1/S1 小明`; mentor names stay in the headings."""
    path = tmp_path / "s.scheme"
    path.write_text(SCHEME + PAIR_RULE, encoding="utf-8")
    data = str(bundle_dir(tmp_path))
    code, out, _ = run("evaluate", "--scheme", str(path), "--data", data, "--as-of", "2025-11-05")
    assert code == 0
    section = out.split("导师 M1 张老师 — 逾期 1, 进行中 1, 未开始 2, 已完成 2\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "  状态    规则    对象        窗口                   次数  要求       截止",
        "  ------  ------  ----------  ---------------------  ----  ---------  ----------",
        "  逾期    谈心-1  S1 小明     2025-10-01–2025-10-31  0     至少 1 次  2025-10-31",
        "  进行中  谈心-1  S1 小明     2025-11-01–2025-11-30  0     至少 1 次  2025-11-30",
        "  未开始  谈心-1  S1 小明     2025-12-01–2025-12-31  0     至少 1 次  2025-12-31",
        "  未开始  谈心-1  S1 小明     2026-01-01–2026-01-16  0     至少 1 次  2026-01-16",
        "  已完成  谈心-1  S1 小明     2025-09-01–2025-09-30  2     至少 1 次  2025-09-30",
        "  已完成  谈心-2  M1/S1 小明  2025-09-01–2026-01-16  1     至少 1 次  2026-01-16",
    ]
    assert "导师 M10 李老师 — " in out
    assert "  已完成  谈心-2  M10/S2 小红  2025-09-01–2026-01-16  1     至少 1 次  2026-01-16" in out
    code, out, _ = run("--lang", "en", "evaluate", "--scheme", str(path), "--data", data, "--as-of", "2025-11-05")
    assert "mentor M10 李老师 — overdue 1, open 1, upcoming 2, satisfied 2" in out
    assert "  overdue    谈心-1  S2 小红      2025-10-01–2025-10-31  0      at least 1  2025-10-31" in out
    assert "  satisfied  谈心-2  M10/S2 小红  2025-09-01–2026-01-16  1      at least 1  2026-01-16" in out


def csv_bytes(*args: str) -> bytes:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_evaluate_csv_opens_in_excel_with_chinese_headers_and_statuses(tmp_path: Path, scheme: Path) -> None:
    """A UTF-8 BOM first (Excel then reads UTF-8, not GBK); under zh, the default, Chinese headers and status words."""
    raw = csv_bytes("evaluate", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-11-05", "--format", "csv")
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf" * 2)
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "规则,规则名称,动作,范围,对象,导师,窗口开始,窗口结束,截止,最少次数,最多次数,次数,状态,记录,事件类型,事件日期,方案文件,方案行号"
    assert len(lines) == 1 + 2 * 5  # two students × five months
    assert lines[1] == f"谈心-1,,谈心,student,S1,M1,2025-09-01,2025-09-30,2025-09-30,1,,2,已完成,A1;A2,,,{scheme},5"
    assert lines[2] == f"谈心-1,,谈心,student,S1,M1,2025-10-01,2025-10-31,2025-10-31,1,,0,逾期,,,,{scheme},5"
    assert [line.split(",")[12] for line in lines[1:6]] == ["已完成", "逾期", "进行中", "未开始", "未开始"]


def test_evaluate_csv_in_english_has_the_english_headers_and_statuses(tmp_path: Path, scheme: Path) -> None:
    data = str(bundle_dir(tmp_path))
    for args in (["--lang", "en", "evaluate"], ["evaluate", "--lang", "en"]):
        raw = csv_bytes(*args, "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--format", "csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").splitlines()
        assert lines[0] == (
            "rule,label,action,scope,subject,mentors,window_start,window_end,due,min,max,count,status,evidence,"
            "event_kind,event_date,source_file,source_line"
        )
        assert lines[1] == f"谈心-1,,谈心,student,S1,M1,2025-09-01,2025-09-30,2025-09-30,1,,2,satisfied,A1;A2,,,{scheme},5"
        assert len(lines) == 1 + 2 * 5


def test_evaluate_csv_columns_are_the_same_in_both_languages(tmp_path: Path, scheme: Path) -> None:
    """Only the header row and the status words differ: every column and every other cell is the same."""
    data = str(bundle_dir(tmp_path))
    args = ["evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--format", "csv"]
    zh = list(csv.reader(io.StringIO(csv_bytes(*args).decode("utf-8-sig"))))
    en = list(csv.reader(io.StringIO(csv_bytes("--lang", "en", *args).decode("utf-8-sig"))))
    assert len(zh[0]) == len(en[0]) == 18
    words = dict(zip([row[12] for row in en[1:]], [row[12] for row in zh[1:]], strict=True))
    assert words == {"satisfied": "已完成", "overdue": "逾期", "open": "进行中", "upcoming": "未开始"}
    assert [row[:12] + row[13:] for row in zh[1:]] == [row[:12] + row[13:] for row in en[1:]]


def test_bad_rows_go_to_stderr_with_exit_1_unless_skipped(tmp_path: Path, scheme: Path) -> None:
    acts = FILES["activities.csv"] + "A3,谈心,2025.09.13,M1,S1,,,\nA4,谈心,2025-09-13,M9,S1,,,\n"
    data = str(bundle_dir(tmp_path, activities__csv=acts))
    code, out, err = run("--lang", "en", "evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-10-15")
    assert code == 1 and out == ""
    assert "activities.csv:4: date: '2025.09.13' is not a date" in err
    assert "activities.csv:5: mentor_id: unknown mentor id 'M9'" in err
    assert "--skip-bad-rows" in err
    code, out, err = run(
        "evaluate", "--scheme", str(scheme), "--data", data, "--as-of", "2025-10-15", "--format", "json", "--skip-bad-rows"
    )
    assert code == 0
    assert [r["line"] for r in json.loads(out)["rejected"]] == [4, 5]


def test_scheme_errors_print_diagnostics_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.scheme"
    bad.write_text('scheme "x"\naction 谈心 "谈心"\nrequire 谈话 at least 1 per term\n', encoding="utf-8")
    code, out, err = run("--lang", "en", "evaluate", "--scheme", str(bad), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-10-15")
    assert code == 1 and out == ""
    assert "bad.scheme:3" in err and "谈话" in err


def test_unknown_term_exits_1(tmp_path: Path, scheme: Path) -> None:
    code, _, err = run(
        "--lang", "en", "evaluate", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-10-15", "--term", "T9"
    )
    assert code == 1 and "no term 'T9'" in err


def test_bad_as_of_is_a_usage_error(tmp_path: Path, scheme: Path) -> None:
    code, _, err = run("evaluate", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025/10/15")
    assert code == 2 and "YYYY-MM-DD" in err


def test_explain_a_student_in_plain_words(tmp_path: Path, scheme: Path) -> None:
    data = str(bundle_dir(tmp_path))
    code, out, _ = run("--lang", "en", "explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S2")
    assert code == 0
    assert "[谈心-1] S2 小红: 谈心 per month, 2025-10-01 to 2025-10-31: 0 of at least 1 — overdue since 2025-11-01" in out
    assert "2025-09-01 to 2025-09-30: 1 of at least 1 — satisfied (activities: A2)" in out
    code, out, _ = run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S2")
    assert "[谈心-1] S2 小红：谈心 每月，2025-10-01 至 2025-10-31：0 次，要求至少 1 次 — 自 2025-11-01 起逾期" in out


def test_explain_names_the_student_of_a_pair_duty(tmp_path: Path) -> None:
    path = tmp_path / "s.scheme"
    path.write_text(SCHEME + PAIR_RULE, encoding="utf-8")
    data = str(bundle_dir(tmp_path))
    code, out, _ = run("explain", "--scheme", str(path), "--data", data, "--as-of", "2025-11-05", "--student", "S2")
    assert code == 0
    assert out.splitlines()[-1] == "[谈心-2] M10/S2 小红：谈心 每学期 每结对，2025-09-01 至 2026-01-16：1 次，要求至少 1 次 — 已完成（记录：A2）"
    code, out, _ = run("--lang", "en", "explain", "--scheme", str(path), "--data", data, "--as-of", "2025-11-05", "--mentor", "M1")
    assert "[谈心-2] M1/S1 小明: 谈心 per term per pair, 2025-09-01 to 2026-01-16: 1 of at least 1 — satisfied (activities: A1)" in out


def test_explain_a_mentor_includes_ratios_and_score(tmp_path: Path, scheme: Path) -> None:
    code, out, _ = run(
        "--lang", "en", "explain", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-11-05", "--mentor", "M10"
    )
    assert code == 0
    assert "S2 小红: 谈心 per month" in out and "S1" not in out  # M10 mentors S2 only
    assert "[ratio-1] M10: 1 (0–1) — ok" in out
    assert "[考核] M10: 谈心 1 → total 1, rating 合格" in out


def test_explain_needs_exactly_one_subject(tmp_path: Path, scheme: Path) -> None:
    data = str(bundle_dir(tmp_path))
    assert run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05")[0] == 2
    assert run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S1", "--mentor", "M1")[0] == 2
    code, _, err = run("--lang", "en", "explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S9")
    assert code == 1 and "S9 is not in the data" in err


# several students called 小明 (S1, S3) and several mentors called 张老师 (M1, M2); student S4 is named
# "S2", another student's id
NAMESAKES = {
    "mentors__csv": "id,name,roles,tags,class\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\nM2,张老师,,,\n",
    "students__csv": "id,name,grade,class,tags\nS1,小明,1,一(1)班,城区\nS2,小红,1,一(1)班,\nS3,小明,1,一(1)班,\nS4,S2,1,一(1)班,\n",
}


def explain_run(tmp_path: Path, scheme: Path, *args: str, lang: str = "zh", **files: str) -> tuple[int, str, str]:
    tmp_path.mkdir(parents=True, exist_ok=True)  # a bundle folder each: tmp_path / "a", tmp_path / "b", …
    data = str(bundle_dir(tmp_path, **files))
    return run("--lang", lang, "explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", *args)


def test_explain_takes_a_unique_student_name(tmp_path: Path, scheme: Path) -> None:
    code, by_name, _ = explain_run(tmp_path / "a", scheme, "--student", "小红")
    assert code == 0
    assert by_name.splitlines()[0] == "[谈心-1] S2 小红：谈心 每月，2025-09-01 至 2025-09-30：1 次，要求至少 1 次 — 已完成（记录：A2）"
    assert by_name == explain_run(tmp_path / "b", scheme, "--student", "S2")[1]


def test_explain_takes_a_unique_mentor_name(tmp_path: Path, scheme: Path) -> None:
    code, by_name, _ = explain_run(tmp_path / "a", scheme, "--mentor", "李老师", lang="en")
    assert code == 0
    assert "[考核] M10: 谈心 1 → total 1, rating 合格" in by_name
    assert by_name == explain_run(tmp_path / "b", scheme, "--mentor", "M10", lang="en")[1]


def test_explain_refuses_a_name_several_people_have(tmp_path: Path, scheme: Path) -> None:
    code, out, err = explain_run(tmp_path / "a", scheme, "--student", "小明", **NAMESAKES)
    assert (code, out, err) == (1, "", "有 2 名学生叫 小明：S1、S3；请用编号：--student ID\n")
    code, out, err = explain_run(tmp_path / "b", scheme, "--student", "小明", lang="en", **NAMESAKES)
    assert (code, out, err) == (1, "", "2 students are named 小明: S1, S3; give the id: --student ID\n")
    code, out, err = explain_run(tmp_path / "c", scheme, "--mentor", "张老师", **NAMESAKES)
    assert (code, out, err) == (1, "", "有 2 位导师叫 张老师：M1、M2；请用编号：--mentor ID\n")
    code, out, err = explain_run(tmp_path / "d", scheme, "--mentor", "张老师", lang="en", **NAMESAKES)
    assert (code, out, err) == (1, "", "2 mentors are named 张老师: M1, M2; give the id: --mentor ID\n")


def test_explain_reads_an_id_before_a_name(tmp_path: Path, scheme: Path) -> None:
    """S4 is named "S2": `--student S2` is the student whose id is S2."""
    code, out, _ = explain_run(tmp_path, scheme, "--student", "S2", lang="en", **NAMESAKES)
    assert code == 0 and out.startswith("[谈心-1] S2 小红: ") and "S4" not in out


def test_explain_names_nobody(tmp_path: Path, scheme: Path) -> None:
    assert explain_run(tmp_path / "a", scheme, "--student", "小刚") == (1, "", "学生 小刚 不在数据中\n")
    assert explain_run(tmp_path / "b", scheme, "--mentor", "王老师", lang="en") == (1, "", "mentor 王老师 is not in the data\n")


def test_explain_a_mentor_without_duties_names_them(tmp_path: Path, scheme: Path) -> None:
    code, out, _ = explain_run(tmp_path, scheme, "--mentor", "M2", lang="en", **NAMESAKES)
    assert code == 0
    assert out.splitlines()[0] == "M2 张老师: no duties in this term"
