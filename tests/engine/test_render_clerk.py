"""What a clerk opens: the CSV's header and status words in the report's language, and student
names beside student ids in the table and in explain (engine/report/render.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from test_engine_bundle import bundle_dir

from engine import evaluate, load_bundle
from engine.report.render import CSV_COLUMNS, CSV_COLUMNS_ZH, STATUS_ZH, explain, explain_duty, to_csv, to_table
from engine.report.report import Report
from rules_dsl.compiler import compile_text

SCHEME = """scheme "测试方案"
action 谈心 "谈心"
action 班会 "班会"
require 谈心 at least 1 per term
require 谈心 at least 1 per term per pair
require 谈心 at least 1 per term per mentor
require 班会 at least 1 per term per class
"""


def report(tmp_path: Path, **files: str) -> Report:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return evaluate(compile_text(SCHEME, "s.scheme"), load_bundle(bundle_dir(tmp_path, **files)), dt.date(2025, 11, 5))


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_headers_are_chinese_under_zh_and_english_under_en(tmp_path: Path) -> None:
    r = report(tmp_path)
    zh, en = rows(to_csv(r)), rows(to_csv(r, "en"))  # zh is the default, as for to_table and explain
    assert zh[0] == CSV_COLUMNS_ZH and en[0] == CSV_COLUMNS
    assert len(CSV_COLUMNS_ZH) == len(CSV_COLUMNS) == len(set(CSV_COLUMNS_ZH))
    assert to_csv(r, "zh") == to_csv(r)
    assert not to_csv(r).startswith("\ufeff")  # the BOM is the command line's business, written with the bytes


def test_csv_status_words_are_the_tables(tmp_path: Path) -> None:
    r = report(tmp_path)
    zh, en = rows(to_csv(r))[1:], rows(to_csv(r, "en"))[1:]
    status = CSV_COLUMNS.index("status")
    assert [STATUS_ZH[row[status]] for row in en] == [row[status] for row in zh]
    assert [row[:status] + row[status + 1 :] for row in en] == [row[:status] + row[status + 1 :] for row in zh]
    assert [row[CSV_COLUMNS.index("subject")] for row in en] == ["S1", "S2", "M1/S1", "M10/S2", "M1", "M10", "一(1)班"]  # ids only


def test_table_names_students_and_pairs_but_not_mentors_or_classes(tmp_path: Path) -> None:
    """`S1 小明` and `M1/S1 小明`; a mentor subject stays `M1` (its name heads the group), a class its name."""
    table = to_table(report(tmp_path), "en")
    assert table.rstrip("\n").split("\n\n")[2:4] == [
        "mentor M1 张老师 — open 1, satisfied 3\n"
        "  status     rule    subject     window                 count  required    due\n"
        "  ---------  ------  ----------  ---------------------  -----  ----------  ----------\n"
        "  open       班会-1  一(1)班     2025-09-01–2026-01-16  0      at least 1  2026-01-16\n"
        "  satisfied  谈心-1  S1 小明     2025-09-01–2026-01-16  2      at least 1  2026-01-16\n"
        "  satisfied  谈心-2  M1/S1 小明  2025-09-01–2026-01-16  1      at least 1  2026-01-16\n"
        "  satisfied  谈心-3  M1          2025-09-01–2026-01-16  1      at least 1  2026-01-16",
        "mentor M10 李老师 — satisfied 3\n"
        "  status     rule    subject      window                 count  required    due\n"
        "  ---------  ------  -----------  ---------------------  -----  ----------  ----------\n"
        "  satisfied  谈心-1  S2 小红      2025-09-01–2026-01-16  1      at least 1  2026-01-16\n"
        "  satisfied  谈心-2  M10/S2 小红  2025-09-01–2026-01-16  1      at least 1  2026-01-16\n"
        "  satisfied  谈心-3  M10          2025-09-01–2026-01-16  1      at least 1  2026-01-16",
    ]
    assert "  已完成  谈心-2  M10/S2 小红  2025-09-01–2026-01-16  1     至少 1 次  2026-01-16" in to_table(report(tmp_path / "zh"))


def test_explain_names_the_student_of_each_duty(tmp_path: Path) -> None:
    r = report(tmp_path)
    assert explain(r, student="S1", lang="en").splitlines() == [
        "[谈心-1] S1 小明: 谈心 per term, 2025-09-01 to 2026-01-16: 2 of at least 1 — satisfied (activities: A1, A2)",
        "[谈心-2] M1/S1 小明: 谈心 per term per pair, 2025-09-01 to 2026-01-16: 1 of at least 1 — satisfied (activities: A1)",
    ]
    assert explain(r, mentor="M10").splitlines()[:3] == [
        "[谈心-1] S2 小红：谈心 每学期，2025-09-01 至 2026-01-16：1 次，要求至少 1 次 — 已完成（记录：A2）",
        "[谈心-2] M10/S2 小红：谈心 每学期 每结对，2025-09-01 至 2026-01-16：1 次，要求至少 1 次 — 已完成（记录：A2）",
        "[谈心-3] M10：谈心 每学期 每导师，2025-09-01 至 2026-01-16：1 次，要求至少 1 次 — 已完成（记录：A2）",
    ]
    d = next(r.duties())
    assert explain_duty(d, "en").startswith("[谈心-1] S1: ")  # on its own, a duty has only its label
    assert explain_duty(d, "en", "S1 小明").startswith("[谈心-1] S1 小明: ")


def test_a_pair_label_with_a_slash_in_the_mentor_id_finds_its_student(tmp_path: Path) -> None:
    """`T/1/S1` splits as mentor `T/1`, student `S1`: each split is tried against the roster."""
    files = {
        "mentors__csv": "id,name,roles,tags,class\nT/1,张老师,班主任,,一(1)班\nM10,李老师,,,\n",
        "assignments__csv": "mentor_id,student_id,start,end\nT/1,S1,,\nM10,S2,2025-09-01,\n",
        "activities__csv": "id,action,date,mentor_id,student_ids,class,duration_min,note\nA1,谈心,2025-09-10,T/1,S1,,30,\n",
    }
    r = report(tmp_path, **files)
    assert "T/1/S1 小明" in to_table(r)
    assert "[谈心-2] T/1/S1 小明: " in explain(r, student="S1", lang="en")


def test_the_docs_show_the_real_csv_header_rows() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    cli_md, report_md = (docs / "cli.md").read_text(encoding="utf-8"), (docs / "report.md").read_text(encoding="utf-8")
    assert ",".join(CSV_COLUMNS_ZH) in cli_md and ",".join(CSV_COLUMNS) in cli_md
    assert ",".join(CSV_COLUMNS_ZH) in report_md
    assert all(f"| `{status}` | {word} |" in cli_md for status, word in STATUS_ZH.items())


def test_explain_says_a_key_moment_duty_is_one_talk_at_any_of_its_moments() -> None:
    """A key-moment duty is explained as one activity this term at a key moment, naming the student's own moments
    (the exam of its grade with its date, its own 重大变故), never as a window per moment."""
    import yaml
    from school import case_school, to_bundle

    case = yaml.safe_load((Path(__file__).parent / "cases" / "moments" / "key_moments.yaml").read_text(encoding="utf-8"))
    r = evaluate(compile_text(case["scheme"], "s.scheme"), to_bundle(case_school(case)), case["as_of"])
    zh, en = explain(r, student="S1"), explain(r, student="S1", lang="en")
    assert en == ("[节点谈心] S1: 谈心 at least 1 this term at a key moment (考试 on 11-10 ±7 days or 重大变故 on 10-03 +7 days or "
                  "within first 5 days of term), 2025-09-01 to 2025-11-17: 1 so far — satisfied (activities: K2)")
    assert zh == ("[节点谈心] S1：谈心 本学期在关键时间节点（考试 11-10 前后 7 天或重大变故 10-03 之后 7 天或开学后 5 天内）至少 1 次，"
                  "2025-09-01 至 2025-11-17：目前 1 次 — 已完成（记录：K2）")
    assert "考试" not in explain(r, student="S2", lang="en")  # S2's grade has no exam: only the first days are its moment


def test_the_table_does_not_call_a_guideline_ratio_violated() -> None:
    """原则上: the table counts guideline breaches apart from violations and marks their rows."""
    import yaml
    from school import case_school, to_bundle

    case = yaml.safe_load((Path(__file__).parent / "cases" / "ratios" / "guideline.yaml").read_text(encoding="utf-8"))
    r = evaluate(compile_text(case["scheme"], "s.scheme"), to_bundle(case_school(case)), case["as_of"])
    en, zh = to_table(r, "en"), to_table(r)
    assert "ratios: 2 violated / 4, 1 over a guideline (advisory)" in en and "ratio-1 (guideline)" in en
    assert "配比: 2 项不符合 / 4，1 项超出原则上的配比（仅提示）" in zh
