"""The conformance prover (conformance/prove.py): a table of (baseline rule, school rule, verdict) cases.

`met` must be sound: never said unless every log meeting the school rule meets the baseline rule on every
calendar. What the prover cannot show is `cannot prove`, with a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.prove import CANNOT, MET, NOT_MET, conformance
from rules_dsl.compiler import compile_text

HEAD = 'action 家访 "家访"\naction 谈心 "谈心"\naction 家长联系 "家长联系"\naction 联系 "联系" = 家访, 家长联系\n'

# (baseline rule, school rule, verdict, words of the reason)
CASES = [
    ("require 家访 at least 1 per term", "require 家访 at least 1 per term", MET, ""),
    ("require 家访 at least 1 per term", "require 家访 at least 2 per term", MET, ""),
    ("require 家访 at least 2 per term", "require 家访 at least 1 per term", CANNOT, "asks 1 where the baseline asks 2"),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per month", MET, ""),
    ("require 家访 at least 4 per term", "require 家访 at least 1 per month", CANNOT, "asks 1 where the baseline asks 4"),
    ("require 家访 at least 1 per month", "require 家访 at least 1 per week", CANNOT, "not a whole number of weeks"),
    ("require 家访 at least 1 per month", "require 家访 at least 1 per half_month", CANNOT, "do not nest"),
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term", MET, ""),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per school_year", CANNOT, "do not nest"),
    # a month's window is clipped to its term: a baseline window holding the whole term holds one
    ("require 家访 at least 1 per term from 30 days before term start to term end", "require 家访 at least 1 per month", MET, ""),
    ("require 家访 at least 1 per term within last 21 days of term", "require 家访 at least 1 per month", CANNOT, "(per month)"),
    # every gap of one school rule is said, not only the first
    ("require 家访 at least 2 per term", "require 联系 at least 1 per term per pair", CANNOT, "as done, which the baseline rule does not; and it is kept per mentor"),
    # a term's window against the whole year: only a window reaching past its term, or a year shorter than it, can leave
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term within last 1 days of term", MET, ""),
    # a window with no day is no duty: on a term shorter than 11 days, [start, end − 10] asks nothing
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term from term start to 10 days before term end", CANNOT,
     "at least 11 days long"),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per term from term start to 1 days before term end", CANNOT,
     "at least 2 days long"),
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term within last 21 days of term", CANNOT,
     "whenever the school year is at least 21 days long"),
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term from 30 days before term start to 1 days before term start",
     CANNOT, "starts less than 30 days after the first"),
    ("require 家访 at least 1 per school_year", "require 家访 at least 1 per term from term start to 7 days after term end", CANNOT,
     "ends less than 7 days after the one before"),
    ("require 家访 at least 1 per term within last 21 days of term", "require 家访 at least 1 per term within last 14 days of term", MET, ""),
    ("require 家访 at least 1 per term within last 14 days of term", "require 家访 at least 1 per term within last 21 days of term", CANNOT, "not inside"),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per term within first 14 days of term", CANNOT, "every term length"),
    ("require 家访 at least 1 per term from 30 days before term start to term end",
     "require 家访 at least 1 per term from 30 days before term start to 1 days before term start", MET, ""),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per term from 30 days before term start to term start", CANNOT, "not inside"),
    ("require 家访 at least 1 per term", 'require 家访 at least 1 per term where student has "城区"', CANNOT, "not tagged 城区"),
    ('require 家访 at least 1 per term where student has "城区"', "require 家访 at least 1 per term", MET, ""),
    ('require 家访 at least 1 per term where student has "城区" and student has "单亲"',
     'require 家访 at least 1 per term where student has "城区" or student has "留守"', MET, ""),
    ("require 家访 at least 1 per term", "require 家访 at least 1 per term per pair", CANNOT, "per mentor–student pair"),
    ("require 联系 at least 1 per term", "require 家访 at least 1 per term", MET, ""),
    ("require 家访 at least 1 per term", "require 联系 at least 1 per term", CANNOT, "also counts 家长联系 as done"),
    ("require 谈心 at least 1 within 7 days after event 变故", "require 谈心 at least 1 within 3 days after event 变故", MET, ""),
    ("require 谈心 at least 1 within 3 days after event 变故", "require 谈心 at least 1 within 7 days after event 变故", CANNOT, "not inside"),
    ("require 谈心 at least 1 within 7 days around event 考试", "require 谈心 at least 1 within 7 days after event 考试", MET, ""),
    ("require 谈心 at least 1 within 7 days after event 考试", "require 谈心 at least 1 per term", CANNOT, "periods"),
    ("require 谈心 at least 1 per term within 14 days around event 考试 or within 7 days after event 变故",
     "require 谈心 at least 1 per term within 7 days around event 考试 or within 7 days after event 变故", MET, ""),
    ("require 谈心 at least 1 per term within 14 days around event 考试 or within 7 days after event 变故",
     "require 谈心 at least 1 per term within 7 days around event 考试", CANNOT, "only moment is 变故"),
    ("require 谈心 at least 1 per term within 7 days around event 考试", "require 谈心 at least 1 per term", CANNOT, "key moments"),
    ("require 谈心 at most 3 per term", "require 谈心 at most 2 per term", MET, ""),
    ("require 谈心 at most 3 per term", "require 谈心 at least 1 per term", CANNOT, "at most 3"),
    ("require 谈心 at most 3 per term", "require 谈心 at most 1 per month", CANNOT, "at most 3"),
]


def _verdict(base_line: str, school_line: str, verdict: str, words: str) -> None:
    """One baseline statement against one school statement: the verdict, the words of its reason, who meets it."""
    base = compile_text(f'baseline "b"\n{HEAD}{base_line}\n', "b.scheme")
    school = compile_text(f'scheme "s"\n{HEAD}{school_line}\n', "s.scheme")
    (v,) = conformance(school, base)
    assert v.status == verdict, v.reason_en
    assert words in v.reason_en
    if verdict == MET:
        assert v.by == ((school["rules"] or school["ratios"])[0]["id"],)


@pytest.mark.parametrize(("base_rule", "school_rule", "verdict", "words"), CASES, ids=[f"{c[0]} ⇐ {c[1]}" for c in CASES])
def test_rule_verdicts(base_rule: str, school_rule: str, verdict: str, words: str) -> None:
    _verdict(base_rule, school_rule, verdict, words)


def test_grades_of_the_school_must_cover_the_baselines() -> None:
    base = compile_text(f'baseline "b"\n{HEAD}require 家访 at least 1 per term\n', "b.scheme")
    school = compile_text(f'scheme "s"\ngrades 1, 5\n{HEAD}require 家访 at least 1 per term\n', "s.scheme")
    assert conformance(school, base)[0].status == CANNOT


def test_a_pilot_of_two_grades_keeps_no_ratio_for_the_others() -> None:
    """A school whose scheme covers grades 1 and 5 counts only them in its ratios: a grade 2 student with no mentor
    keeps its ratios and breaks the baseline's — the engine's roster says so, and the verdict says why."""
    from conformance.witness import with_counterexamples

    base = compile_text(f'baseline "b"\n{HEAD}ratio mentors per student at least 1\n', "b.scheme")
    school = compile_text(f'scheme "s"\ngrades 1, 5\n{HEAD}ratio mentors per student at least 1\n', "s.scheme")
    (v,) = with_counterexamples(school, base, conformance(school, base))
    assert v.status == NOT_MET
    assert "covers grades 1, 5 only" in v.reason_en and "a student of grade 2 with no mentor" in v.reason_en
    assert "该校方案只适用于 1、5 年级" in v.reason_zh and "一名 2 年级的学生没有导师" in v.reason_zh


def test_a_cap_per_class_does_not_cap_the_whole() -> None:
    """8 students in each of two classes keep `per class at most 10` and break `1:15`: the counterexample spreads them."""
    from conformance.witness import with_counterexamples

    base = compile_text(f'baseline "b"\n{HEAD}ratio 1:15\n', "b.scheme")
    school = compile_text(f'scheme "s"\n{HEAD}ratio students per mentor per class between 5 and 10\n', "s.scheme")
    (v,) = with_counterexamples(school, base, conformance(school, base))
    assert v.status == NOT_MET
    assert v.counterexample is not None and v.counterexample["groups"] == {"甲班": 8, "乙班": 8}
    assert "a mentor of 16 students (8 in 甲班, 8 in 乙班" in v.reason_en and "at most 15 students per mentor" in v.reason_en


RATIOS = [
    ("ratio 1:15", "ratio 1:12", MET, ""),
    ("ratio 1:15", "ratio 1:20", CANNOT, "above the baseline's 15"),
    ("ratio 1:15", "ratio guideline 1:12", CANNOT, "guideline"),
    ("ratio guideline 1:15", "ratio 1:15", MET, ""),
    ("ratio guideline 1:15", "ratio guideline 1:10", MET, ""),
    ("ratio mentors per student at least 1", "ratio mentors per student between 1 and 2", MET, ""),
    ("ratio mentors per student at least 1", "ratio 1:15", CANNOT, "sets no such ratio"),
    ("ratio 1:15", "ratio students per mentor per grade at most 2", CANNOT, "in each grade only, not in all"),
    # each scheme counts only the students its condition names: a cap over more students keeps the baseline's cap...
    ('ratio 1:15 where student has "城区"', "ratio 1:12", MET, ""),
    ('ratio 1:15', 'ratio 1:12 where student has "城区"', CANNOT, "does not count a student not tagged 城区"),
    # ... a floor over fewer students keeps the baseline's floor...
    ("ratio students per mentor at least 3", 'ratio students per mentor at least 3 where student has "城区"', MET, ""),
    ('ratio students per mentor at least 3 where student has "城区"', "ratio students per mentor at least 3", CANNOT,
     "counts a student not tagged 城区"),
    # ... and everyone the baseline gives a mentor must be asked one by the school
    ('ratio mentors per student at least 1 where student has "城区"', "ratio mentors per student at least 1", MET, ""),
    ("ratio mentors per student at least 1", 'ratio mentors per student at least 1 where student has "城区"', CANNOT,
     "does not count a student not tagged 城区"),
    ("ratio students per mentor per class at least 2", "ratio students per mentor per class at least 3", MET, ""),
]


@pytest.mark.parametrize(("base_ratio", "school_ratio", "verdict", "words"), RATIOS, ids=[f"{c[0]} ⇐ {c[1]}" for c in RATIOS])
def test_ratio_verdicts(base_ratio: str, school_ratio: str, verdict: str, words: str) -> None:
    _verdict(base_ratio, school_ratio, verdict, words)


def test_check_baseline_proves_each_school_and_names_its_counterexamples() -> None:
    """`mentorship check --baseline B FILE…`: a verdict per baseline ratio and rule; exit 1 when one is not met."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from mentorship.cli import cli

    root = Path(__file__).parents[2] / "schemes"
    runner = CliRunner()
    met = runner.invoke(cli, ["--lang", "en", "check", "--baseline", str(root / "baselines/shanghai_sanshiyi.scheme"), str(root / "schools/gezhi.scheme")])
    assert "[每学期家访 · 每学期一次家访（含开学前30天）] met: the school's 开学前家访 “开学前至少一次学生家访” ensures it" in met.output
    assert "[ratio-2 · guideline: at most 15 students per mentor] not met: the school sets no such ratio — for example, a mentor of 16 students" in met.output  # 格致 states no cap: the 原则上 1:15 is not met
    assert met.exit_code == 1
    broken = runner.invoke(cli, ["check", "--format", "json", "--baseline", str(root / "baselines/shanghai_sanshiyi.scheme"), str(root / "schools/gu_yi.scheme")])
    assert broken.exit_code == 1
    (result,) = json.loads(broken.stdout)
    verdict = next(v for v in result["conformance"] if v["baseline_rule"] == "每学期谈心")
    assert verdict["status"] == "not met" and "of grade 2" in verdict["reason"] and verdict["counterexample"]["student"]["grade"] == 2


def test_compare_puts_schemes_side_by_side_with_a_per_term_figure() -> None:
    """`mentorship compare`: per action each scheme's requirements and the least it asks per nominal term; JSON as
    SPEC §5 (baseline, schemes with their conformance, table); CSV with a BOM for Excel."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from mentorship.cli import cli

    root = Path(__file__).parents[2] / "schemes"
    files = [str(root / "schools/gezhi.scheme"), str(root / "schools/plan5.scheme")]
    runner = CliRunner()
    table = runner.invoke(cli, ["--lang", "en", "compare", *files])
    assert table.exit_code == 0, table.output
    assert "action 成长档案" in table.output and "≈ 4.6 per student per term" in table.output and "— (none)" in table.output
    doc = json.loads(runner.invoke(cli, ["compare", "--format", "json", "--baseline", str(root / "baselines/wuhu.scheme"), *files]).stdout)
    assert set(doc) == {"baseline", "schemes", "table"} and doc["baseline"]["title"].startswith("芜湖")
    assert [v["baseline_rule"] for v in doc["schemes"][0]["conformance"]] == ["ratio-1", "ratio-2", "家访全覆盖", "谈心-1", "期末寄语"]
    assert {v["status"] for s in doc["schemes"] for v in s["conformance"]} <= {"met", "not met", "cannot prove"}
    home = next(r for r in doc["table"] if r["key"] == "家访")
    assert [s["per_term"] for s in home["schemes"]] == [0.5, 1.0, 1.0]  # once a year is half a term's; once a term is 1
    csv_bytes = runner.invoke(cli, ["compare", "--format", "csv", *files]).stdout_bytes
    assert csv_bytes.startswith("\ufeff类别,项目,方案,要求,每生每学期约".encode())
    with_verdicts = runner.invoke(cli, ["compare", "--format", "csv", "--baseline", str(root / "baselines/wuhu.scheme"), *files]).stdout
    lines = with_verdicts.splitlines()
    assert any(line.startswith("动作,家访,") for line in lines)  # the kinds in Chinese, as a clerk reads them
    verdict_rows = [line for line in lines if line.startswith("基线对照,")]
    assert len(verdict_rows) == 10 and any("满足：本校 谈心-1" in line for line in verdict_rows)  # 2 schemes × 5 baseline items
    talk = next(r for r in doc["table"] if r["key"] == "谈心")  # 方案5's 10 a term are per mentor: not a per-student figure
    assert talk["schemes"][2]["per_term"] == 4.6


def test_compare_refuses_a_baseline_that_is_a_school_scheme() -> None:
    """`compare --baseline` takes a baseline, as `check --baseline` does: a school's scheme there is said, exit 1."""
    from pathlib import Path

    from click.testing import CliRunner

    from mentorship.cli import cli

    root = Path(__file__).parents[2] / "schemes/schools"
    result = CliRunner().invoke(cli, ["--lang", "en", "compare", "--baseline", str(root / "gezhi.scheme"), str(root / "gu_yi.scheme")])
    assert result.exit_code == 1 and "not a baseline" in result.output


def test_compare_says_each_rules_moments_and_condition_and_lists_an_action_once() -> None:
    """方案2 writes three rules on 家访: one row holds them all; its 城区 visit says whom it is for, its key-moment talk
    which moments."""
    from pathlib import Path

    from click.testing import CliRunner

    from mentorship.cli import cli

    root = Path(__file__).parents[2] / "schemes/schools"
    out = CliRunner().invoke(cli, ["--lang", "zh", "compare", str(root / "plan2_high_school.scheme"), str(root / "gu_yi.scheme")]).output
    assert out.count("动作 家访\n") == 1
    assert "[城区家访] 至少 1 次 每学期（仅限有标签“城区”）" in out
    assert "关键时间节点（事件“考试”前后 14 天内或事件“重大变故”之后 7 天内）" in out  # 古猗's 节点谈心
    assert "配比 每名学生的导师数（仅限有标签“两导一生”）" in out


def test_a_ratio_not_met_comes_with_a_roster_the_engine_checked() -> None:
    """A school with no cap on students per mentor does not meet a 1:15 baseline: a mentor of 16 students keeps every
    ratio of the school and breaks the baseline's; a school without `mentors per student at least 1` leaves a student
    with no mentor."""
    from conformance.witness import with_counterexamples

    base = compile_text(f'baseline "b"\n{HEAD}ratio 1:15\nratio mentors per student at least 1\n', "b.scheme")
    school = compile_text(f'scheme "s"\n{HEAD}ratio students per mentor at least 1\n', "s.scheme")
    cap, everyone = with_counterexamples(school, base, conformance(school, base))
    assert cap.status == "not met" and cap.counterexample is not None and cap.counterexample["n"] == 16
    assert "a mentor of 16 students" in cap.reason_en
    assert everyone.status == "not met" and everyone.counterexample is not None and everyone.counterexample["n"] == 0


def test_check_proves_a_schemes_own_conforms_to_claim() -> None:
    """`conforms to` is checked by `check` itself: the verdicts are printed, and a claim not met is said, not failed."""
    from pathlib import Path

    from click.testing import CliRunner

    from mentorship.cli import cli

    result = CliRunner().invoke(cli, ["--lang", "en", "check", str(Path(__file__).parents[2] / "schemes/schools/gu_yi.scheme")])
    assert result.exit_code == 0
    assert "conforms to 'shanghai_sanshiyi': 0 of 5 proved" in result.output  # its ratios count grades 1 and 5 only
    assert "[每学期谈心 · 每学期一次谈心谈话] not met: the school's 谈心-1 “每学期一次谈心谈话”: the school's scheme covers grades 1, 5 only" in result.output  # a pilot of grades 1 and 5 only


def test_check_warns_of_a_rule_looser_than_the_baseline_it_extends(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mentorship.cli import cli

    (tmp_path / "b.scheme").write_text('baseline "b"\naction 谈心 "t"\nrequire 谈心 at least 2 per term\n', encoding="utf-8")
    (tmp_path / "s.scheme").write_text('scheme "s"\nextends "b.scheme"\nrequire 谈心 at least 1 per term\nrequire 谈心 at least 3 per term\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "en", "check", str(tmp_path / "s.scheme")])
    assert result.exit_code == 0
    assert "s.scheme:3: warning: rule 谈心-2 is looser than the baseline's 谈心-1" in result.stderr
    assert "谈心-3 is looser" not in result.stderr
