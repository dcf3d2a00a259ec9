"""Helpers for the loader tests (tests/engine/test_load_*.py): a school written in every form a
school or a database keeps it, and a Bundle turned into plain data to compare.

    csv_folder(school, folder, chinese=…, encoding=…)   one CSV per table (UTF-8 or GB18030)
    xlsx_per_table(school, folder)                      one .xlsx per table (its first sheet)
    workbook_folder(school, folder)                     one workbook, sheets named in Chinese
    columns_bundle(school)                              bundle_from_columns: Arrow tables + link table
    plain(bundle)                                       a Bundle as comparable plain data
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
from hypothesis import strategies as st
from school import normalise, write_calendar
from strategies import schools

from engine import Bundle, bundle_from_columns
from engine.model.activities import NO_CLASS
from engine.model.calendar import Calendar, CalendarEvent, Term

# every table's columns in SPEC §3 order
COLUMNS: dict[str, list[str]] = {
    "mentors": ["id", "name", "roles", "tags", "class"],
    "students": ["id", "name", "grade", "class", "tags"],
    "assignments": ["mentor_id", "student_id", "start", "end"],
    "activities": ["id", "action", "date", "mentor_id", "student_ids", "class", "duration_min", "note"],
    "student_events": ["student_id", "kind", "date"],
    "ratings": ["mentor_id", "score", "item", "value", "term"],
}
# SPEC §3's Chinese column names
CHINESE = {
    "id": "编号", "name": "姓名", "grade": "年级", "class": "班级", "tags": "标签", "roles": "角色",
    "mentor_id": "导师编号", "student_id": "学生编号", "student_ids": "学生编号列表", "start": "开始", "end": "结束",
    "action": "动作", "date": "日期", "duration_min": "时长", "note": "备注", "kind": "类型", "score": "评分",
    "item": "项", "value": "分值", "term": "学期",
}  # fmt: skip
# the aliases SPEC §3 names: 学号 for a student id, 工号 for a mentor id, 学生姓名/导师姓名 for name
ALIASED = {
    "mentors": {"id": "工号", "name": "导师姓名"},
    "students": {"id": "学号", "name": "学生姓名"},
    "assignments": {"mentor_id": "工号", "student_id": "学号"},
    "activities": {"mentor_id": "工号", "student_ids": "学号"},
    "student_events": {"student_id": "学号"},
    "ratings": {"mentor_id": "工号"},
}
SHEETS = {
    "mentors": "导师",
    "students": "学生",
    "assignments": "结对",
    "activities": "活动",
    "student_events": "学生事件",
    "ratings": "评分",
}

RATING_VALUES = ["0", "0.5", "1.25", "3", "-1"]


# ------------------------------------------------------------------ schools


@st.composite
def rated_schools(draw: st.DrawFn) -> dict[str, Any]:
    """strategies.schools() with a few ratings rows added (per term and per school year), normalised."""
    school = normalise(draw(schools()))
    cal = school["calendar"]
    keys = [t["id"] for t in cal["terms"]] + [cal["school_year"]]
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    if school["mentors"]:
        for _ in range(draw(st.integers(0, 4))):
            m = draw(st.sampled_from([m["id"] for m in school["mentors"]]))
            key = (
                m,
                draw(st.sampled_from(["考核", "appraisal"])),
                draw(st.sampled_from(["家长评价", "peer"])),
                draw(st.sampled_from(keys)),
            )
            rows[key] = {
                "mentor_id": key[0],
                "score": key[1],
                "item": key[2],
                "term": key[3],
                "value": draw(st.sampled_from(RATING_VALUES)),
            }
    school["ratings"] = list(rows.values())
    return school


def calendar_of(school: dict[str, Any]) -> Calendar:
    c = school["calendar"]
    return Calendar(
        c["school_year"],
        tuple(sorted((Term(t["id"], t.get("name", t["id"]), t["start"], t["end"]) for t in c["terms"]), key=lambda t: t.start)),
        tuple(CalendarEvent(e["kind"], e.get("name", e["kind"]), e["date"], None if e.get("grades") is None else tuple(e["grades"]))
              for e in c["events"]),
    )  # fmt: skip


def iso(d: dt.date) -> str:
    return d.isoformat()


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _text(value: Any, date: Callable[[dt.date], str], sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return sep.join(str(v) for v in value)
    if isinstance(value, dt.date):
        return date(value)
    return str(value)


def text_rows(school: dict[str, Any], kind: str, date: Callable[[dt.date], str] = iso, sep: str = ";") -> list[list[str]]:
    return [[_text(row.get(col), date, sep) for col in COLUMNS[kind]] for row in school[kind]]


def header(kind: str, names: str) -> list[str]:
    """The header cells of a table: 'en', 'zh' (SPEC's Chinese names) or 'alias' (学号/工号/…, else Chinese)."""
    if names == "en":
        return list(COLUMNS[kind])
    if names == "zh":
        return [CHINESE[c] for c in COLUMNS[kind]]
    return [ALIASED[kind].get(c, CHINESE[c]) for c in COLUMNS[kind]]


# ------------------------------------------------------------------ writers


def write_csv(
    path: Path, head: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8", quoting: int = csv.QUOTE_MINIMAL
) -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, quoting=quoting)
        w.writerow(head)
        w.writerows(rows)


def csv_folder(school: dict[str, Any], folder: Path, *, names: str = "en", encoding: str = "utf-8", date: Callable[[dt.date], str] = iso,
               sep: str = ";") -> Path:  # fmt: skip
    write_calendar(school, folder)
    for kind in COLUMNS:
        write_csv(folder / f"{kind}.csv", header(kind, names), text_rows(school, kind, date, sep), encoding)
    return folder


def _xlsx_value(col: str, value: Any, sep: str) -> Any:
    """A cell as a clerk's sheet holds it: dates as date cells, grades and minutes as numbers, lists joined."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return sep.join(str(v) for v in value) if value else None
    if col == "value":
        return float(Decimal(str(value)))
    return value


def _sheet_rows(school: dict[str, Any], kind: str, names: str, sep: str) -> list[list[Any]]:
    return [header(kind, names)] + [[_xlsx_value(c, row.get(c), sep) for c in COLUMNS[kind]] for row in school[kind]]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    """A workbook with the given sheets, rows written from A1 (an empty list is an empty row)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)


def xlsx_per_table(school: dict[str, Any], folder: Path) -> Path:
    """One workbook per table, English file names and headers, the table on the first sheet."""
    write_calendar(school, folder)
    for kind in COLUMNS:
        write_xlsx(folder / f"{kind}.xlsx", {"Sheet1": _sheet_rows(school, kind, "en", ";")})
    return folder


def workbook_folder(school: dict[str, Any], folder: Path) -> Path:
    """All tables as the sheets of one workbook named in Chinese, headers Chinese (with aliases), a title row
    above each header, an empty row after it, and list cells split by commas (a workbook cell may use ',')."""
    write_calendar(school, folder)
    sheets = {}
    for kind in COLUMNS:
        rows = _sheet_rows(school, kind, "alias", ",")
        sheets[SHEETS[kind]] = [[f"{SHEETS[kind]}表（2025学年）"], rows[0], [], *rows[1:]]
    write_xlsx(folder / "学校数据.xlsx", sheets)
    return folder


def columns_bundle(school: dict[str, Any]) -> Bundle:
    """The school as a database hands it over: typed Arrow columns, and an activity–student link table."""
    s = school

    def col(kind: str, name: str, typ: pa.DataType, fn: Callable[[Any], Any] = lambda v: v) -> pa.Array:
        return pa.array([None if r.get(name) is None else fn(r.get(name)) for r in s[kind]], typ)

    joined = ";".join
    tables = {
        "mentors": pa.table({"id": col("mentors", "id", pa.string()), "name": col("mentors", "name", pa.string()),
                             "roles": col("mentors", "roles", pa.string(), joined), "tags": col("mentors", "tags", pa.string(), joined),
                             "class": col("mentors", "class", pa.string())}),
        "students": pa.table({"id": col("students", "id", pa.string()), "name": col("students", "name", pa.string()),
                              "grade": col("students", "grade", pa.int64()), "class": col("students", "class", pa.string()),
                              "tags": col("students", "tags", pa.string(), joined)}),
        "assignments": pa.table({"mentor_id": col("assignments", "mentor_id", pa.string()), "student_id": col("assignments", "student_id", pa.string()),
                                 "start": col("assignments", "start", pa.date32()), "end": col("assignments", "end", pa.date32())}),
        "activities": pa.table({"id": col("activities", "id", pa.string()), "action": col("activities", "action", pa.string()),
                                "date": col("activities", "date", pa.date32()), "mentor_id": col("activities", "mentor_id", pa.string()),
                                "class": col("activities", "class", pa.string()), "duration_min": col("activities", "duration_min", pa.int64())}),
        "student_events": pa.table({"student_id": col("student_events", "student_id", pa.string()), "kind": col("student_events", "kind", pa.string()),
                                    "date": col("student_events", "date", pa.date32())}),
        "ratings": pa.table({"mentor_id": col("ratings", "mentor_id", pa.string()), "score": col("ratings", "score", pa.string()),
                             "item": col("ratings", "item", pa.string()), "value": col("ratings", "value", pa.decimal128(12, 2), lambda v: Decimal(str(v))),
                             "term": col("ratings", "term", pa.string())}),
    }  # fmt: skip
    pairs = [(i, sid) for i, a in enumerate(s["activities"]) for sid in a.get("student_ids") or ()]
    link = ([i for i, _ in pairs], pa.array([sid for _, sid in pairs], pa.string()))
    return bundle_from_columns(calendar_of(s), tables, {"mentors": "id", "students": "id", "activities": "id"}, activity_students=link)


# ------------------------------------------------------------------ comparing bundles


def _row(obj: Any) -> tuple[Any, ...]:
    """A row object's fields without its `line`; a Decimal by value (1.50 = 1.5)."""
    out = []
    for name in obj._fields:
        if name == "line":
            continue
        v = getattr(obj, name)
        out.append(v.normalize() if isinstance(v, Decimal) else v)
    return tuple(out)


def activity_rows(b: Bundle) -> list[tuple[Any, ...]]:
    """The activity log row by row: (id, action, day, mentor id, class, minutes, student ids); not the line."""
    a = b.activities
    out = []
    for i in range(len(a)):
        klass = int(a.klass[i])
        minutes = float(a.duration[i])
        out.append((a.id_of(i), a.action_names[int(a.action[i])], dt.date.fromordinal(int(a.day[i])), b.mentors[int(a.mentor[i])].id,
                    None if klass == NO_CLASS else b.classes[klass], None if minutes != minutes else minutes,
                    tuple(b.students[int(j)].id for j in a.students_of(i))))  # fmt: skip
    return out


def plain(b: Bundle) -> dict[str, Any]:
    """Everything a Bundle holds that does not depend on where it was read from (no lines, no file names)."""
    return {
        "calendar": dataclasses.replace(
            b.calendar,
            events=tuple(  # calendar.yaml's `grades` are read as a sorted set
                dataclasses.replace(e, grades=None if e.grades is None else tuple(sorted(set(e.grades)))) for e in b.calendar.events
            ),
        ),
        "mentors": [_row(m) for m in b.mentors],
        "students": [_row(s) for s in b.students],
        "classes": b.classes,
        "assignments": [_row(x) for x in b.assignments],
        "student_events": [_row(e) for e in b.student_events],
        "ratings": [_row(r) for r in b.ratings],
        "action_names": b.activities.action_names,
        "activities": activity_rows(b),
        "rejected": [(r.column, r.code, r.reason) for r in b.rejected],
    }
