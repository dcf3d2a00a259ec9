"""A school as plain dicts (what the naive oracle reads) → an engine Bundle, or a bundle folder on disk."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine import Bundle, bundle_from_rows
from engine.model.calendar import Calendar, CalendarEvent, Term
from engine.model.roster import Activity, Assignment, Mentor, Rating, Student, StudentEvent


def to_bundle(school: dict[str, Any], skip_bad_rows: bool = False) -> Bundle:
    c = school["calendar"]
    calendar = Calendar(
        c["school_year"],
        tuple(sorted((Term(t["id"], t.get("name", t["id"]), t["start"], t["end"]) for t in c["terms"]), key=lambda t: t.start)),
        tuple(
            CalendarEvent(e["kind"], e.get("name", e["kind"]), e["date"], None if e.get("grades") is None else tuple(e["grades"]))
            for e in c["events"]
        ),
    )
    return bundle_from_rows(
        calendar,
        [
            Mentor(m["id"], m.get("name", ""), tuple(m.get("roles", ())), tuple(m.get("tags", ())), m.get("class"))
            for m in school["mentors"]
        ],
        [Student(s["id"], s.get("name", ""), s["grade"], s["class"], tuple(s.get("tags", ()))) for s in school["students"]],
        [Assignment(a["mentor_id"], a["student_id"], a.get("start"), a.get("end")) for a in school["assignments"]],
        [
            Activity(
                a["id"], a["action"], a["date"], a["mentor_id"], tuple(a.get("student_ids", ())), a.get("class"), a.get("duration_min")
            )
            for a in school["activities"]
        ],
        [StudentEvent(e["student_id"], e["kind"], e["date"]) for e in school.get("student_events", [])],
        [Rating(r["mentor_id"], r["score"], r["item"], Decimal(str(r["value"])), r["term"]) for r in school.get("ratings", [])],
        skip_bad_rows=skip_bad_rows,
    )


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write_calendar(school: dict[str, Any], folder: Path) -> None:
    """The school's calendar.yaml."""
    c = school["calendar"]
    cal: dict[str, Any] = {
        "school_year": c["school_year"],
        "terms": [{k: t[k] for k in ("id", "name", "start", "end") if k in t} for t in c["terms"]],
    }
    if c.get("events"):
        cal["events"] = [{k: e[k] for k in ("kind", "name", "date", "grades") if e.get(k) is not None} for e in c["events"]]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calendar.yaml").write_text(yaml.safe_dump(cal, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_folder(school: dict[str, Any], folder: Path, bom: bool = False) -> Path:
    """Write the school as a SPEC §3 bundle folder."""
    write_calendar(school, folder)
    tables = {
        "mentors.csv": (["id", "name", "roles", "tags", "class"], school["mentors"]),
        "students.csv": (["id", "name", "grade", "class", "tags"], school["students"]),
        "assignments.csv": (["mentor_id", "student_id", "start", "end"], school["assignments"]),
        "activities.csv": (["id", "action", "date", "mentor_id", "student_ids", "class", "duration_min", "note"], school["activities"]),
        "student_events.csv": (["student_id", "kind", "date"], school.get("student_events", [])),
        "ratings.csv": (["mentor_id", "score", "item", "value", "term"], school.get("ratings", [])),
    }
    for name, (columns, rows) in tables.items():
        with (folder / name).open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for row in rows:
                w.writerow([_cell(row.get(col)) for col in columns])
    return folder


def normalise(school: dict[str, Any]) -> dict[str, Any]:
    """Fill the optional keys so the naive oracle can index them directly."""
    school = dict(school)
    school["calendar"] = dict(school["calendar"])
    school["calendar"].setdefault("events", [])
    school["calendar"]["events"] = [{"grades": None, **e} for e in school["calendar"]["events"]]
    school["mentors"] = [{"name": "", "roles": [], "tags": [], "class": None, **m} for m in school.get("mentors", [])]
    school["students"] = [{"name": "", "tags": [], **s} for s in school.get("students", [])]
    school["assignments"] = [{"start": None, "end": None, **a} for a in school.get("assignments", [])]
    school["activities"] = [{"student_ids": [], "class": None, "duration_min": None, **a} for a in school.get("activities", [])]
    school.setdefault("student_events", [])
    school.setdefault("ratings", [])
    return school


def case_school(case: dict[str, Any]) -> dict[str, Any]:
    """The school rows of a YAML edge case, with the ids and values YAML reads as numbers made strings."""
    school = {k: case.get(k, []) for k in ("mentors", "students", "assignments", "activities", "student_events", "ratings")}
    school["calendar"] = case["calendar"]
    for t in school["calendar"]["terms"]:
        t.setdefault("name", t["id"])
        t["id"] = str(t["id"])
    school["calendar"]["school_year"] = str(school["calendar"]["school_year"])
    for r in school["ratings"]:
        r["value"] = str(r["value"])
        r["term"] = str(r["term"])
    return normalise(school)
