"""`mentorship evaluate` and `mentorship explain` through click's CliRunner."""

from __future__ import annotations

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


def test_evaluate_csv_has_one_row_per_duty(tmp_path: Path, scheme: Path) -> None:
    code, out, _ = run("evaluate", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-11-05", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("rule,label,action,scope,subject,mentors,window_start")
    assert len(lines) == 1 + 2 * 5  # two students × five months


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
    assert "[谈心-1] S2: 谈心 per month, 2025-10-01 to 2025-10-31: 0 of at least 1 — overdue since 2025-11-01" in out
    assert "2025-09-01 to 2025-09-30: 1 of at least 1 — satisfied (activities: A2)" in out
    code, out, _ = run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S2")
    assert "谈心 每月，2025-10-01 至 2025-10-31：0 次，要求至少 1 次 — 自 2025-11-01 起逾期" in out


def test_explain_a_mentor_includes_ratios_and_score(tmp_path: Path, scheme: Path) -> None:
    code, out, _ = run(
        "--lang", "en", "explain", "--scheme", str(scheme), "--data", str(bundle_dir(tmp_path)), "--as-of", "2025-11-05", "--mentor", "M10"
    )
    assert code == 0
    assert "S2: 谈心 per month" in out and "S1:" not in out  # M10 mentors S2 only
    assert "[ratio-1] M10: 1 (0–1) — ok" in out
    assert "[考核] M10: 谈心 1 → total 1, rating 优秀" in out


def test_explain_needs_exactly_one_subject(tmp_path: Path, scheme: Path) -> None:
    data = str(bundle_dir(tmp_path))
    assert run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05")[0] == 2
    assert run("explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S1", "--mentor", "M1")[0] == 2
    code, _, err = run("--lang", "en", "explain", "--scheme", str(scheme), "--data", data, "--as-of", "2025-11-05", "--student", "S9")
    assert code == 1 and "S9 is not in the data" in err
