"""`mentorship generate`: a synthetic school bundle in the SPEC §3 format, deterministic by seed,
with the spread of real data (two-mentor students, students without a mentor, mid-term changes,
group talks, class meetings, missing durations, diligent and lagging mentors)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import python_calamine
import yaml
from click.testing import CliRunner

import engine
from mentorship.generate_command import generate
from synth.generate import ACTION_SPECS, generate_school
from synth.messy import mess_bundle

FILES = ["calendar.yaml", "mentors.csv", "students.csv", "assignments.csv", "activities.csv", "student_events.csv", "ratings.csv"]
HEADERS = {
    "mentors.csv": "id,name,roles,tags,class",
    "students.csv": "id,name,grade,class,tags",
    "assignments.csv": "mentor_id,student_id,start,end",
    "activities.csv": "id,action,date,mentor_id,student_ids,class,duration_min,note",
    "student_events.csv": "student_id,kind,date",
    "ratings.csv": "mentor_id,score,item,value,term",
}


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("school")
    generate_school(out, students=400, seed=7)
    return out


@pytest.fixture(scope="module")
def calendar(school: Path) -> dict[str, Any]:
    return yaml.safe_load((school / "calendar.yaml").read_text(encoding="utf-8"))


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_school(a, students=120, seed=5, activities=3000)
    generate_school(b, students=120, seed=5, activities=3000)
    generate_school(c, students=120, seed=6, activities=3000)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("students.csv", "assignments.csv", "activities.csv"):
        assert (a / name).read_bytes() != (c / name).read_bytes(), name


def test_every_file_has_the_spec_header(school: Path, calendar: dict[str, Any]) -> None:
    assert sorted(p.name for p in school.iterdir()) == sorted(FILES)  # no leftover .part files
    for name, header in HEADERS.items():
        assert (school / name).read_text(encoding="utf-8").split("\n", 1)[0] == header
    assert set(calendar) == {"school_year", "terms", "events"}
    assert calendar["school_year"] == "2025-2026"
    for term in calendar["terms"]:
        assert set(term) == {"id", "name", "start", "end"}
    for event in calendar["events"]:
        assert {"kind", "name", "date"} <= set(event) <= {"kind", "name", "date", "grades"}


def test_calendar_is_a_chinese_school_year_with_exams(calendar: dict[str, Any]) -> None:
    terms = calendar["terms"]
    assert [(t["start"], t["end"]) for t in terms] == [("2025-09-01", "2026-01-23"), ("2026-02-23", "2026-07-03")]
    exams = [e for e in calendar["events"] if e["kind"] == "考试"]
    assert len(exams) >= 4 and any("grades" in e for e in exams)  # 期中/期末; 一二年级 have no paper exams
    for e in calendar["events"]:
        assert any(t["start"] <= e["date"] <= t["end"] for t in terms)


def test_ids_referenced_anywhere_exist(school: Path) -> None:
    mentors = {r["id"] for r in rows(school, "mentors.csv")}
    students = {r["id"] for r in rows(school, "students.csv")}
    classes = {r["class"] for r in rows(school, "students.csv")}
    for r in rows(school, "assignments.csv"):
        assert r["mentor_id"] in mentors and r["student_id"] in students
    acts = rows(school, "activities.csv")
    assert len({a["id"] for a in acts}) == len(acts)
    for a in acts:
        assert a["mentor_id"] in mentors
        assert all(s in students for s in a["student_ids"].split(";") if s)
        assert a["class"] == "" or a["class"] in classes
        assert a["student_ids"] or a["class"] or ACTION_SPECS[a["action"]].kind == "mentor"
    for r in rows(school, "student_events.csv"):
        assert r["student_id"] in students
    for r in rows(school, "ratings.csv"):
        assert r["mentor_id"] in mentors


def test_class_names_are_unique_and_led_by_a_head_teacher(school: Path) -> None:
    grade_of: dict[str, set[str]] = defaultdict(set)
    for r in rows(school, "students.csv"):
        grade_of[r["class"]].add(r["grade"])
    assert all(len(g) == 1 for g in grade_of.values())  # one name, one class
    assert "一(1)班" in grade_of and grade_of["一(1)班"] == {"1"}
    heads = [r for r in rows(school, "mentors.csv") if "班主任" in r["roles"].split(";")]
    assert sorted(r["class"] for r in heads) == sorted(grade_of)
    sizes = Counter(r["class"] for r in rows(school, "students.csv"))
    assert max(sizes.values()) <= 45  # 大班额 limit for a primary school


def test_students_carry_tags_at_realistic_rates(school: Path) -> None:
    studs = rows(school, "students.csv")
    tags = Counter(t for r in studs for t in r["tags"].split(";") if t)
    assert 0.4 < tags["城区"] / len(studs) < 0.7
    for tag in ("单亲", "留守", "特殊需求"):
        assert 0 < tags[tag] / len(studs) < 0.2


def test_assignments_have_the_advertised_spread(school: Path, calendar: dict[str, Any]) -> None:
    studs = rows(school, "students.csv")
    special = {r["id"] for r in studs if "特殊需求" in r["tags"].split(";")}
    by_student: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows(school, "assignments.csv"):
        assert not (r["start"] and r["end"]) or r["start"] <= r["end"]
        by_student[r["student_id"]].append(r)
    without = [s["id"] for s in studs if s["id"] not in by_student]
    assert 0 < len(without) < 0.05 * len(studs)
    two_at_once = {s for s, rs in by_student.items() if len(rs) == 2 and rs[0]["start"] == rs[1]["start"] and rs[0]["end"] == rs[1]["end"]}
    assert special and special <= two_at_once  # 多对一: 特殊需求 students have two mentors
    changes = [rs for rs in by_student.values() if len(rs) == 2 and rs[0]["end"] and rs[1]["start"] and day(rs[0]["end"]) + dt.timedelta(days=1) == day(rs[1]["start"])]
    assert changes and all(rs[0]["mentor_id"] != rs[1]["mentor_id"] for rs in changes)
    year_start = calendar["terms"][0]["start"]
    assert any(r["start"] == "" for rs in by_student.values() for r in rs)  # open starts and ends exist
    assert any(r["end"] == "" for rs in by_student.values() for r in rs)
    assert Counter(r["start"] for rs in by_student.values() for r in rs).most_common(1)[0][0] == year_start


def test_activities_have_the_advertised_spread(school: Path) -> None:
    acts = rows(school, "activities.csv")
    assert 30 * 400 < len(acts) < 40 * 400  # ~35 a student a year by default
    assert sum(";" in a["student_ids"] for a in acts) > 0.02 * len(acts)  # group talks
    assert any(a["class"] and not a["student_ids"] for a in acts)  # class meetings
    assert 0 < sum(a["duration_min"] == "" for a in acts) < 0.5 * len(acts)
    assert all(a["duration_min"] == "" or 1 <= int(a["duration_min"]) <= 300 for a in acts)
    assert {"家访", "谈心", "书面反馈", "家长联系", "学生汇报", "导师会", "育人案例"} <= {a["action"] for a in acts}
    assert [a["id"] for a in acts] == sorted(a["id"] for a in acts) and [a["date"] for a in acts] == sorted(a["date"] for a in acts)
    # Diligence: per student mentored, the busiest mentors log several times what the laziest do.
    load = Counter(r["mentor_id"] for r in rows(school, "assignments.csv"))
    per = Counter(a["mentor_id"] for a in acts if a["student_ids"])
    rates = sorted(per[m] / n for m, n in load.items() if n >= 5)
    assert rates[-1] > 4 * rates[0]


def test_dates_fall_in_the_school_year_mostly_on_school_days(school: Path, calendar: dict[str, Any]) -> None:
    first, last = day(calendar["terms"][0]["start"]), day(calendar["terms"][-1]["end"])
    acts = rows(school, "activities.csv")
    dates = [day(a["date"]) for a in acts]
    assert first - dt.timedelta(days=30) <= min(dates) and max(dates) <= last  # 暑期家访 may precede term
    assert sum(d.weekday() < 5 for d in dates) > 0.9 * len(dates)
    in_term = [any(day(t["start"]) <= d <= day(t["end"]) for t in calendar["terms"]) for d in dates]
    assert sum(in_term) > 0.9 * len(dates)
    before = [a["action"] for a, d in zip(acts, dates, strict=True) if d < first]
    assert before and Counter(before).most_common(1)[0][0] in ("家访", "家长联系")
    for r in rows(school, "student_events.csv"):
        assert first <= day(r["date"]) <= last
    assert {r["kind"] for r in rows(school, "student_events.csv")} >= {"重大变故", "情绪波动"}


def test_ratings_are_manual_inputs_per_term(school: Path, calendar: dict[str, Any]) -> None:
    ratings = rows(school, "ratings.csv")
    assert ratings and {r["score"] for r in ratings} == {"考核"} and {r["item"] for r in ratings} == {"进步", "创新"}
    assert {r["term"] for r in ratings} == {t["id"] for t in calendar["terms"]}
    assert all(0 <= float(r["value"]) <= 2 for r in ratings)
    assert len({(r["mentor_id"], r["item"], r["term"]) for r in ratings}) == len(ratings)  # no duplicates


def test_cells_never_need_quoting(school: Path) -> None:
    # A columnar reader can split on commas: no cell holds a comma, a quote or a newline.
    for name in HEADERS:
        for line in (school / name).read_text(encoding="utf-8").splitlines():
            assert '"' not in line and line.count(",") == HEADERS[name].count(","), (name, line)


def test_exact_count_actions_and_until(tmp_path: Path) -> None:
    s = generate_school(tmp_path, students=80, seed=2, activities=1234, actions=["谈心", "家访", "自定义动作"],
                        until=dt.date(2025, 11, 30))  # fmt: skip
    acts = rows(tmp_path, "activities.csv")
    assert s.activities == len(acts) == 1234
    assert {a["action"] for a in acts} == {"谈心", "家访", "自定义动作"}
    assert max(a["date"] for a in acts) <= "2025-11-30"
    assert all(r["date"] <= "2025-11-30" for r in rows(tmp_path, "student_events.csv"))
    assert all(not r["start"] or r["start"] <= "2025-11-30" for r in rows(tmp_path, "assignments.csv"))
    assert {r["term"] for r in rows(tmp_path, "ratings.csv")} == {"2025-2026-1"}  # term 2 has not begun


def test_a_compiled_scheme_shapes_the_data(tmp_path: Path) -> None:
    src = {"file": "t.scheme", "line": 1}
    ir = {
        "grades": [8],
        "actions": [{"name": "谈心", "title": None, "min_minutes": 30, "source": src},
                    {"name": "周记", "title": None, "min_minutes": None, "source": src},
                    {"name": "班会", "title": None, "min_minutes": None, "source": src}],
        "ratios": [{"id": "ratio-1", "direction": "students_per_mentor", "group": None, "min": 0, "max": 10, "where": None, "source": src}],
        "rules": [{"action": "周记", "min": 1, "max": None, "period": {"unit": "week", "n": 1}, "event": None, "scope": "student",
                   "window": None, "where": {"op": "student_has", "tag": "住校"}},
                  {"action": "谈心", "min": 1, "max": None, "period": None, "event": {"kind": "生病", "direction": "after", "days": 7},
                   "scope": "student", "window": None, "where": None},
                  {"action": "班会", "min": 1, "max": None, "period": {"unit": "month", "n": 1}, "event": None, "scope": "class",
                   "window": None, "where": {"op": "mentor_has", "tag": "年级组长"}}],
        "scores": [{"name": "年度", "period": "school_year", "items": [{"name": "自评", "unit": "manual", "max": None}]}],
    }  # fmt: skip
    s = generate_school(tmp_path, students=150, seed=4, scheme=ir)
    acts = rows(tmp_path, "activities.csv")
    assert {a["action"] for a in acts} <= {"谈心", "周记", "班会"} and s.activities == len(acts) > 0
    assert all(a["class"] and not a["student_ids"] for a in acts if a["action"] == "班会")
    assert {r["grade"] for r in rows(tmp_path, "students.csv")} == {"7", "8", "9"}  # a junior school has grade 8
    assert any("住校" in r["tags"] for r in rows(tmp_path, "students.csv"))
    assert any("年级组长" in r["tags"] for r in rows(tmp_path, "mentors.csv"))
    assert "生病" in {r["kind"] for r in rows(tmp_path, "student_events.csv")}
    assert s.mentors >= 150 / 10
    ratings = rows(tmp_path, "ratings.csv")
    assert ratings and {(r["score"], r["item"], r["term"]) for r in ratings} == {("年度", "自评", "2025-2026")}


def test_a_scheme_with_groups_half_months_and_key_moments_logs_the_members(tmp_path: Path) -> None:
    """A group is met by its members, so those are logged and the group never is; a key moment's student event kinds
    are generated; a per half_month duty asks for two a month, and the data holds about that many."""
    from rules_dsl.compiler import compile_text

    ir = compile_text(
        'scheme "组" school "校"\n'
        'action 家访 "家访"\naction 电话联系 "电话联系"\naction 家校联系 "家校联系" = 电话联系, 家访\naction 谈心 "谈心"\n'
        "require 家校联系 at least 1 per month per pair\n"
        "require 谈心 at least 1 per half_month per pair\n"
        "require 节点: 谈心 at least 1 per term within 14 days around event 考试 or within 7 days after event 发展进步\n"
    )  # fmt: skip
    generate_school(tmp_path, students=200, seed=5, scheme=ir)
    acts = rows(tmp_path, "activities.csv")
    assert {a["action"] for a in acts} == {"家访", "电话联系", "谈心"}
    assert "发展进步" in {r["kind"] for r in rows(tmp_path, "student_events.csv")}
    pairs = len(rows(tmp_path, "assignments.csv"))
    talks = sum(a["action"] == "谈心" for a in acts)
    assert talks >= 19 * pairs * 0.8  # 每半月 over a school year of about 9.5 months
    report = engine.evaluate(ir, engine.load_bundle(tmp_path), dt.date(2025, 12, 1)).to_json()
    statuses = Counter(d["status"] for d in report["duties"] if d["rule"] == "家校联系-1")
    assert statuses["satisfied"] > statuses["overdue"]  # the members' rows meet the group's duty


def test_the_engine_loads_a_generated_bundle(school: Path) -> None:
    from engine import load_bundle

    loaded = load_bundle(school)
    assert len(loaded.activities) == len(rows(school, "activities.csv"))
    assert not loaded.rejected


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a name"):
        generate_school(tmp_path, students=10, actions=["家访,谈心"])
    with pytest.raises(ValueError, match="school year"):
        generate_school(tmp_path, students=10, school_year="2025")
    with pytest.raises(ValueError, match="students"):
        generate_school(tmp_path, students=0)


# -- the command -------------------------------------------------------------------------------


def test_command_writes_a_bundle_and_prints_one_summary_line(tmp_path: Path) -> None:
    out = tmp_path / "school"
    result = CliRunner().invoke(generate, ["--out", str(out), "--students", "60", "--seed", "3", "--activities", "500",
                                           "--actions", "家访,谈心", "--manual-items", "进步", "--score-name", "考核"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1 and "500" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert {r["item"] for r in rows(out, "ratings.csv")} == {"进步"}


def test_command_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = CliRunner().invoke(generate, ["--out", str(tmp_path), "--students", "20"])
    assert refused.exit_code == 1 and "--force" in refused.stderr and refused.stdout == ""
    forced = CliRunner().invoke(generate, ["--out", str(tmp_path), "--students", "20", "--force"])
    assert forced.exit_code == 0 and (tmp_path / "activities.csv").exists()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_command_reports_bad_input_on_stderr_with_exit_1(tmp_path: Path) -> None:
    bad = CliRunner().invoke(generate, ["--out", str(tmp_path / "x"), "--actions", "1家访"])
    assert bad.exit_code == 1 and "1家访" in bad.stderr and bad.stdout == ""
    missing = CliRunner().invoke(generate, ["--out", str(tmp_path / "y"), "--scheme", str(tmp_path / "nope.scheme")])
    assert missing.exit_code == 1 and missing.stderr


def test_command_takes_a_scheme_file(tmp_path: Path) -> None:
    scheme = tmp_path / "s.scheme"
    scheme.write_text('scheme "测试方案"\nschool "测试小学"\naction 家访 "家访"\nrequire 家访 at least 1 per term\n', encoding="utf-8")
    result = CliRunner().invoke(generate, ["--out", str(tmp_path / "out"), "--students", "50", "--scheme", str(scheme)])
    assert result.exit_code == 0, result.output
    assert {a["action"] for a in rows(tmp_path / "out", "activities.csv")} == {"家访"}
    assert rows(tmp_path / "out", "ratings.csv") == []  # the scheme has no manual items


# -- messy data on request (synth/messy.py) ----------------------------------------------------

LIST_SEP = re.compile("[;；、，,]")
DATE_FORMS = {
    "iso": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "slash": re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"),
    "time": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
    "chinese": re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"),
}
ZH_HEADER = "编号,动作,日期,导师编号,学生编号列表,班级,时长,备注"
SHEETS = ["导师", "学生", "结对", "活动", "学生事件", "评分"]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def messy_rows(folder: Path, name: str, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with (folder / name).open(encoding=encoding, newline="") as f:
        return [r for r in csv.DictReader(f) if any(v.strip() for v in r.values())]


def sheet(path: Path, name: str | None = None) -> list[list[Any]]:
    book = python_calamine.load_workbook(str(path))
    return book.get_sheet_by_name(name or book.sheet_names[0]).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate_school(out, students=200, seed=5, activities=4000)
    return out


def messed(small: Path, tmp_path: Path, **options: Any) -> Path:
    folder = tmp_path / "messy"
    shutil.copytree(small, folder)
    mess_bundle(folder, seed=5, **options)
    return folder


def test_mess_names_students_twice_mixes_separators_and_dates_and_widens_names(small: Path, tmp_path: Path) -> None:
    folder = messed(small, tmp_path)
    acts = messy_rows(folder, "activities.csv")
    clean = rows(small, "activities.csv")
    assert len(acts) == len(clean) and (folder / "activities.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel's BOM
    cells = [a["student_ids"] for a in acts]
    doubled = [c for c in cells if len(parts := [nfkc(p) for p in LIST_SEP.split(c) if p.strip()]) > len(set(parts))]
    assert doubled and all(";" in c or "；" in c or "、" in c or "," in c or "，" in c for c in doubled)
    assert all(any(sep in c for c in cells) for sep in (";", "；", "、"))
    dates = Counter(next((k for k, r in DATE_FORMS.items() if r.match(a["date"])), "other") for a in acts)
    assert set(dates) == set(DATE_FORMS) and min(dates.values()) > 0.05 * len(acts)
    assert any("（" in a["class"] for a in acts) and all(nfkc(a["class"]) == c["class"] for a, c in zip(acts, clean, strict=True))
    assert any(a["mentor_id"] != a["mentor_id"].strip() or a["id"] != a["id"].strip() for a in acts)  # stray spaces
    assert any(not a["mentor_id"].isascii() or not a["id"].isascii() for a in acts)  # full-width ids
    assert any(a["duration_min"] and not a["duration_min"].strip() for a in acts) and any(a["duration_min"] == "" for a in acts)
    # the same school underneath: ids, students (as sets), days and durations unchanged
    for a, c in zip(acts, clean, strict=True):
        assert nfkc(a["id"]) == c["id"] and nfkc(a["mentor_id"]) == c["mentor_id"] and nfkc(a["action"]) == c["action"]
        assert {nfkc(p) for p in LIST_SEP.split(a["student_ids"]) if nfkc(p)} == {s for s in c["student_ids"].split(";") if s}
        assert nfkc(a["duration_min"]) == c["duration_min"]
    assert "一(1)班" in {r["class"] for r in messy_rows(folder, "students.csv")}  # the roster mostly keeps 一(1)班


def test_mess_is_deterministic_and_no_mess_leaves_the_bytes_alone(small: Path, tmp_path: Path) -> None:
    a, b, c = (tmp_path / x for x in "abc")
    for folder, seed in ((a, 1), (b, 1), (c, 2)):
        shutil.copytree(small, folder)
        mess_bundle(folder, seed=seed)
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in FILES)
    assert (a / "activities.csv").read_bytes() != (c / "activities.csv").read_bytes()
    same = tmp_path / "same"
    shutil.copytree(small, same)
    mess_bundle(same, mess=False)  # every option at its default: nothing rewritten
    assert all((same / n).read_bytes() == (small / n).read_bytes() for n in FILES)
    with pytest.raises(ValueError, match="not a clean generated bundle"):
        mess_bundle(a)  # a bundle already messed is not messed again
    with pytest.raises(ValueError, match="CSV files only"):
        mess_bundle(same, format="xlsx", encoding="gb18030")


def test_chinese_headers_in_gb18030(small: Path, tmp_path: Path) -> None:
    folder = messed(small, tmp_path, mess=False, headers="zh", encoding="gb18030")
    data = (folder / "activities.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert not text.startswith("\ufeff") and text.split("\n", 1)[0] == ZH_HEADER
    assert text.split("\n", 1)[1] == (small / "activities.csv").read_text(encoding="utf-8").split("\n", 1)[1]  # only the header changed
    assert (folder / "students.csv").read_bytes().decode("gb18030").startswith("编号,姓名,年级,班级,标签\n")
    assert (folder / "ratings.csv").read_bytes().decode("gb18030").startswith("导师编号,评分,项,分值,学期\n")
    assert (folder / "calendar.yaml").read_bytes() == (small / "calendar.yaml").read_bytes()  # stays UTF-8
    messy = messed(small, tmp_path / "m", headers="zh", encoding="gb18030")
    assert messy_rows(messy, "activities.csv", "gb18030")[0].keys() == set(ZH_HEADER.split(","))


def test_xlsx_tables_have_date_cells_numbers_and_a_title(small: Path, tmp_path: Path) -> None:
    folder = messed(small, tmp_path, format="xlsx", mess=False)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["calendar.yaml", *(n.replace(".csv", ".xlsx") for n in HEADERS)])
    acts = sheet(folder / "activities.xlsx")
    assert ",".join(acts[0]) == HEADERS["activities.csv"] and len(acts) == 1 + len(rows(small, "activities.csv"))
    assert all(type(r[2]) is dt.date for r in acts[1:])  # real Excel dates
    assert [r[2].isoformat() for r in acts[1:]] == [a["date"] for a in rows(small, "activities.csv")]
    studs = sheet(folder / "students.xlsx")
    assert all(isinstance(r[2], float | int) and not isinstance(r[2], bool) for r in studs[1:])  # grades are numbers
    titled = messed(small, tmp_path / "t", format="xlsx", headers="zh")
    acts = sheet(titled / "activities.xlsx")
    at = next(i for i, r in enumerate(acts) if ",".join(map(str, r)) == ZH_HEADER)
    assert at > 0 and "活动记录" in acts[0][0]  # a title row above the header
    kinds = Counter(type(r[2]).__name__ for r in acts[at + 1 :] if r[2] != "")
    assert {"date", "datetime", "str"} <= set(kinds)  # date cells, date-and-time cells, and dates typed as text


def test_workbook_has_the_six_chinese_sheets(small: Path, tmp_path: Path) -> None:
    folder = messed(small, tmp_path, format="workbook", headers="zh")
    assert sorted(p.name for p in folder.iterdir()) == ["calendar.yaml", "school.xlsx"]
    assert python_calamine.load_workbook(str(folder / "school.xlsx")).sheet_names == SHEETS
    students = sheet(folder / "school.xlsx", "学生")
    assert ["编号", "姓名", "年级", "班级", "标签"] in students
    assert sum(1 for r in students if any(c != "" for c in r)) == 2 + len(rows(small, "students.csv"))  # title + header + rows


# The engine reads the messy files as the same school: duties equal to the clean bundle's.
MESSES = {
    "mess-csv": {"mess": True},
    "mess-zh-gb18030": {"mess": True, "headers": "zh", "encoding": "gb18030"},
    "mess-xlsx-zh": {"mess": True, "format": "xlsx", "headers": "zh"},
    "mess-workbook": {"mess": True, "format": "workbook"},
    "clean-workbook-zh": {"mess": False, "format": "workbook", "headers": "zh"},
}


@pytest.fixture(scope="module")
def gu_yi(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    from rules_dsl.compiler import compile_file

    ir = compile_file(Path(__file__).parents[2] / "schemes" / "schools" / "gu_yi.scheme")
    out = tmp_path_factory.mktemp("gu_yi")
    generate_school(out, students=300, seed=3, scheme=ir)
    return ir, out, engine.evaluate(ir, engine.load_bundle(out), dt.date(2025, 12, 1)).to_json()


@pytest.mark.parametrize("options", list(MESSES.values()), ids=list(MESSES))
def test_a_messy_bundle_evaluates_like_the_clean_one(gu_yi: tuple[dict[str, Any], Path, dict[str, Any]], tmp_path: Path,
                                                    options: dict[str, Any]) -> None:  # fmt: skip
    ir, clean, expected = gu_yi
    folder = tmp_path / "messy"
    shutil.copytree(clean, folder)
    summary = mess_bundle(folder, seed=3, **options)
    assert summary.doubled_students > 0 if options["mess"] else summary.doubled_students == 0
    report = engine.evaluate(ir, engine.load_bundle(folder), dt.date(2025, 12, 1)).to_json()
    assert expected["duties"] and report["duties"] == expected["duties"]
    assert (report["ratios"], report["scores"], report["rejected"]) == (expected["ratios"], expected["scores"], expected["rejected"])


def test_command_writes_messy_data_on_request(tmp_path: Path) -> None:
    out = tmp_path / "school"
    base = ["--out", str(out), "--students", "60", "--seed", "3", "--activities", "500"]
    result = CliRunner().invoke(generate, [*base, "--mess", "--headers", "zh", "--encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1 and "GB18030" in result.stdout
    assert (out / "activities.csv").read_bytes().decode("gb18030").startswith(ZH_HEADER + "\r\n")
    again = CliRunner().invoke(generate, [*base, "--format", "workbook", "--force"])  # the CSV files of the first run go
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == ["calendar.yaml", "school.xlsx"]
    plain = CliRunner().invoke(generate, [*base, "--force"])
    assert plain.exit_code == 0 and sorted(p.name for p in out.iterdir()) == sorted(FILES)  # school.xlsx removed
    direct = tmp_path / "direct"
    generate_school(direct, students=60, seed=3, activities=500)
    assert all((out / n).read_bytes() == (direct / n).read_bytes() for n in FILES)  # no flags: the clean bytes
    refused = CliRunner().invoke(generate, ["--out", str(tmp_path / "x"), "--encoding", "gb18030", "--format", "xlsx"])
    assert refused.exit_code == 1 and "--encoding" in refused.stderr


def test_a_table_too_long_for_a_sheet_is_refused(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("synth.messy._SHEET_ROWS", 1000)  # Excel's 1,048,576, made small
    folder = tmp_path / "big"
    shutil.copytree(small, folder)
    with pytest.raises(ValueError, match="more than an Excel sheet holds"):
        mess_bundle(folder, format="workbook")
    assert (folder / "activities.csv").read_bytes() == (small / "activities.csv").read_bytes() and not (folder / "school.xlsx").exists()
