"""Damaged activity logs: the vectorised checks (engine/load/activities.py `check`) flag exactly the rows
the per-row explainer (engine/load/explain.py `activity_problems`) finds something wrong with, and
`load_bundle(skip_bad_rows=True)` rejects exactly those rows' lines (SPEC §3: bad input never passes silently).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from load_helpers import COLUMNS, activity_rows, text_rows, write_csv
from school import normalise, write_folder
from strategies import schools

from engine import load_bundle
from engine.load.activities import check
from engine.load.csvfile import read_csv
from engine.load.explain import ActivityRow, activity_problems
from engine.load.roster import Refs
from engine.load.table import RawTable
from engine.load.text import norm

# the damage done to a row, and the column the explainer must then name (None: the damage is harmless)
BAD_DATES = ["2025-13-01", "2025.09.01", "1899-12-31", "2101-01-01", "", "yesterday", "2025-02-30", "9999-12-31", "2025年13月1日"]
BAD_MENTORS = ["M404", "", "m-1x"]
BAD_DURATIONS = ["-5", "-0.5", "abc", "30分钟", "inf", "-inf", "1e999", "--3"]
EMPTY = ["", " ", "\u3000", "\t"]
SEPARATORS = [";", "；", "、", "，", ","]
DAMAGE = ["blank_id", "repeat_id", "bad_date", "unknown_mentor", "unknown_student", "unknown_class", "bad_duration", "empty_action",
          "harmless"]  # fmt: skip
COLUMN_OF = {"blank_id": "id", "bad_date": "date", "unknown_mentor": "mentor_id", "unknown_student": "student_ids", "unknown_class": "class",
             "bad_duration": "duration_min", "empty_action": "action"}  # fmt: skip
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _usable(school: dict[str, Any]) -> bool:
    return bool(school["mentors"]) and len(school["activities"]) >= 2


@st.composite
def damaged(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]], dict[int, str], int]:
    """A valid school, its activity rows as text with some rows damaged, {row: damage}, and the CSV quoting."""
    school = normalise(draw(schools().filter(_usable)))
    rows = text_rows(school, "activities")
    col = {c: i for i, c in enumerate(COLUMNS["activities"])}
    n = len(rows)
    done: dict[int, str] = {}
    for _ in range(draw(st.integers(1, min(n, 8)))):
        i = draw(st.integers(0, n - 1))
        kind = draw(st.sampled_from(DAMAGE))
        row = rows[i]
        if kind == "blank_id":
            row[col["id"]] = draw(st.sampled_from(EMPTY))
        elif kind == "repeat_id":
            other = rows[draw(st.integers(0, n - 1))][col["id"]]
            row[col["id"]] = draw(
                st.sampled_from([other, f" {other} ", other.translate(FULL_WIDTH)])
            )  # the same id after NFKC and trimming
        elif kind == "bad_date":
            row[col["date"]] = draw(st.sampled_from(BAD_DATES))
        elif kind == "unknown_mentor":
            row[col["mentor_id"]] = draw(st.sampled_from(BAD_MENTORS))
        elif kind == "unknown_student":
            ids = [x for x in row[col["student_ids"]].split(";") if x]
            ids.insert(draw(st.integers(0, len(ids))), draw(st.sampled_from(["zz9", "s99", "学生9"])))
            row[col["student_ids"]] = draw(st.sampled_from(SEPARATORS)).join(ids)
        elif kind == "unknown_class":
            row[col["class"]] = draw(st.sampled_from(["9(9)班", "一(1)班 x"]))
        elif kind == "bad_duration":
            row[col["duration_min"]] = draw(st.sampled_from(BAD_DURATIONS))
        elif kind == "empty_action":
            row[col["action"]] = draw(st.sampled_from(EMPTY))
        else:  # harmless: the same values written as a clerk might, and a note spanning two lines
            mentor = row[col["mentor_id"]]
            row[col["mentor_id"]] = draw(st.sampled_from([f" {mentor} ", mentor.translate(FULL_WIDTH)]))
            ids = [x for x in row[col["student_ids"]].split(";") if x]
            row[col["student_ids"]] = draw(st.sampled_from(SEPARATORS)).join(ids + ids[:1])  # one student named twice
            row[col["note"]] = draw(st.sampled_from(["谈了很久, 很好", "第一行\n第二行", '他说"好"']))
        done.setdefault(i, kind)
        if done[i] != kind:
            done[i] = "several"
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    return school, rows, done, quoting


def _refs(school: dict[str, Any]) -> tuple[Refs, dict[str, int]]:
    """The roster's ids and classes, built here from the school (not by the loader)."""
    mentors = {m: i for i, m in enumerate(sorted(m["id"] for m in school["mentors"]))}
    students = {s: i for i, s in enumerate(sorted(s["id"] for s in school["students"]))}
    classes = sorted({s["class"] for s in school["students"]} | {m["class"] for m in school["mentors"] if m["class"]})
    return Refs(mentors, students, "mentors.csv", "students.csv"), {c: i for i, c in enumerate(classes)}


def explained_rows(table: RawTable, refs: Refs, classes: dict[str, int]) -> tuple[list[int], dict[int, set[str]]]:
    """The rows activity_problems finds bad, run on every row; `earlier` computed here: the first row with the same id."""
    cells = {name: table.column(name).to_pylist() for name in ("id", "action", "date", "mentor_id", "student_ids", "class", "duration_min")}
    first: dict[str, int] = {}
    bad, columns = [], {}
    for i in range(len(table)):
        ident = norm(cells["id"][i] or "")
        at = first.setdefault(ident, i)
        earlier = None if at == i else (f"line {table.lines[at]}", f"第 {table.lines[at]} 行")
        row = ActivityRow(cells["id"][i], cells["action"][i], cells["date"][i], cells["mentor_id"][i], cells["student_ids"][i], cells["class"][i],
                          cells["duration_min"][i])  # fmt: skip
        problems = activity_problems(row, refs, classes, earlier)
        if problems:
            bad.append(i)
            columns[i] = {p[0] for p in problems}
    return bad, columns


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.filter_too_much])  # fmt: skip
@given(damaged())
def test_vectorised_checks_flag_exactly_the_rows_the_explainer_finds_bad(tmp_path_factory: pytest.TempPathFactory,
                                                                         case: tuple[dict[str, Any], list[list[str]], dict[int, str], int]) -> None:  # fmt: skip
    school, rows, damage, quoting = case
    folder = write_folder(school, tmp_path_factory.mktemp("damaged"))
    write_csv(folder / "activities.csv", COLUMNS["activities"], rows, quoting=quoting)

    table = read_csv(folder / "activities.csv", "activities", "activities.csv")
    assert table.bad == [] and table.fatal == [] and len(table) == len(rows)  # the damage is to values, not to the CSV
    refs, classes = _refs(school)
    flagged = np.flatnonzero(check(table, refs, classes).flagged).tolist()
    bad, columns = explained_rows(table, refs, classes)
    assert flagged == bad

    # the damage done is found, in the column it was done to
    for i, kind in damage.items():
        if kind in COLUMN_OF:
            assert i in bad and COLUMN_OF[kind] in columns[i], (i, kind, rows[i])

    # and loading skips exactly those rows, each listed with its line
    b = load_bundle(folder, skip_bad_rows=True)
    assert {r.file for r in b.rejected} <= {"activities.csv"}
    assert sorted({r.line for r in b.rejected}) == sorted(int(table.lines[i]) for i in bad)
    assert sorted(b.activities.id_texts(np.arange(len(b.activities)))) == sorted(norm(rows[i][0]) for i in range(len(rows)) if i not in bad)
    # the rows kept are held as the same log without the bad rows would be: same order, same codes, same students
    clean = write_folder(school, tmp_path_factory.mktemp("clean"))
    write_csv(clean / "activities.csv", COLUMNS["activities"], [r for i, r in enumerate(rows) if i not in bad], quoting=quoting)
    again = load_bundle(clean)
    assert activity_rows(b) == activity_rows(again) and b.activities.action_names == again.activities.action_names


@pytest.mark.parametrize("minutes", ["nan", "NaN", " nan "])
def test_a_nan_duration_is_flagged_exactly_when_explained(tmp_path: Path, minutes: str) -> None:
    school = normalise(
        {
            "calendar": {
                "school_year": "2025-2026",
                "terms": [{"id": "T1", "name": "T1", "start": dt.date(2025, 9, 1), "end": dt.date(2026, 1, 16)}],
            },
            "mentors": [{"id": "M1"}],
            "students": [{"id": "S1", "grade": 1, "class": "一(1)班"}],
            "activities": [
                {"id": "A1", "action": "谈心", "date": dt.date(2025, 9, 2), "mentor_id": "M1", "student_ids": ["S1"], "duration_min": 30}
            ],
        }
    )
    folder = write_folder(school, tmp_path / "b")
    rows = text_rows(school, "activities") + [["A2", "谈心", "2025-09-03", "M1", "S1", "", minutes, ""]]
    write_csv(folder / "activities.csv", COLUMNS["activities"], rows)
    table = read_csv(folder / "activities.csv", "activities", "activities.csv")
    refs, classes = _refs(school)
    flagged = np.flatnonzero(check(table, refs, classes).flagged).tolist()
    assert flagged == explained_rows(table, refs, classes)[0]
    b = load_bundle(folder, skip_bad_rows=True)
    assert sorted(r.line for r in b.rejected) == [int(table.lines[i]) for i in flagged]
    assert len(b.activities) == len(rows) - len(flagged)
