"""Rows in text form on both sides of the builder: an uploaded table made ready for it (_prepare: each row keyed, a
column the file lacks taken from the database's row, a repeated key of assignments or student events a bad row), and the
built bundle's rows read back in the same form (_bundle_rows), so that they compare with the database's.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from engine import Bundle
from engine.errors import BadRow
from engine.load.columns import COLUMNS
from engine.load.roster import as_day, cells
from engine.load.table import RawTable

from .rows import CENT, INT_MAX, KEYS, Key, Row
from .stored import Stored, _day


@dataclass
class _Upload:
    """An uploaded table made ready for the builder: its rows in text form, each row's key and row number."""

    raw: RawTable
    rows: list[Row]
    lines: list[int]
    keys: list[Key | None]  # None: the key could not be read (the row is bad anyway)
    first: dict[Key, int]  # key → the row number that first has it
    bad: list[BadRow]


def _prepare(kind: str, raw: RawTable, stored: Stored, stored_at: dict[Key, int]) -> _Upload:
    """The uploaded rows in text form; a column the file lacks takes the database row's value (blank for a new row)."""
    c = cells(raw)
    n = len(raw)
    lines = raw.lines.tolist()
    present = [col for col in COLUMNS[kind] if col in c]
    keys: list[Key | None] = []
    for i in range(n):
        parts: list[str] = []
        for col in KEYS[kind]:
            value = str(c[col][i]) if col in c else ""
            if col in ("start", "date") and value:
                day = as_day(c[col][i])
                if day is None:
                    break
                value = day.isoformat()
            parts.append(value)
        keys.append(tuple(parts) if len(parts) == len(KEYS[kind]) and all(parts[:1]) else None)
    rows: list[Row] = []
    for i in range(n):
        row = {col: ("" if c[col][i] is None else str(c[col][i])) for col in present}
        key = keys[i]
        old = stored.rows[stored_at[key]] if key is not None and key in stored_at else None
        for col in COLUMNS[kind]:
            if col not in row:
                row[col] = old[col] if old is not None else ""
        rows.append(row)
    first: dict[Key, int] = {}
    bad: list[BadRow] = []
    keep = []
    for i, key in enumerate(keys):
        if key is not None and key in first and kind in ("assignments", "student_events"):
            # the engine lets these repeat; an import matches rows by them, so a repeat is a bad row
            what = ("导师、学生和开始日期", "mentor, student and start") if kind == "assignments" else ("学生、类型和日期", "student, kind and date")
            bad.append(raw.bad_row(i, KEYS[kind][-1], "duplicate-key", f"a second row with the same {what[1]} (first on line {first[key]})",
                                   f"{what[0]}与第 {first[key]} 行相同，重复"))  # fmt: skip
            continue
        if key is not None:
            first.setdefault(key, lines[i])
        keep.append(i)
    return _Upload(raw, [rows[i] for i in keep], [lines[i] for i in keep], [keys[i] for i in keep], first, bad)


def _bundle_rows(kind: str, bundle: Bundle) -> list[tuple[Row, int]]:
    """Every row of the built bundle in text form, with its row number in the upload (0 for the database's; assignments
    and the others carry none when a table mixes both: it is looked up by key)."""
    if kind == "mentors":
        return [({"id": x.id, "name": x.name, "roles": ";".join(x.roles), "tags": ";".join(x.tags), "class": x.class_name or ""}, 0) for x in bundle.mentors]
    if kind == "students":
        return [({"id": s.id, "name": s.name, "grade": str(s.grade), "class": s.class_name, "tags": ";".join(s.tags)}, 0) for s in bundle.students]
    if kind == "assignments":
        return [({"mentor_id": a.mentor_id, "student_id": a.student_id, "start": _day(a.start), "end": _day(a.end)}, 0) for a in bundle.assignments]
    if kind == "student_events":
        return [({"student_id": e.student_id, "kind": e.kind, "date": _day(e.date)}, 0) for e in bundle.student_events]
    if kind == "ratings":
        return [({"mentor_id": r.mentor_id, "score": r.score, "item": r.item, "value": _value_text(r.value), "term": r.term}, 0) for r in bundle.ratings]
    acts = bundle.activities
    out = []
    ids = acts.id_texts(np.arange(len(acts)))
    mentors, students, classes = bundle.mentor_ids, bundle.student_ids, bundle.classes
    for r, (code, a, day, mi, k, minutes, line) in enumerate(zip(ids, acts.action.tolist(), acts.day.tolist(), acts.mentor.tolist(), acts.klass.tolist(),
                                                                 acts.duration.tolist(), acts.line.tolist(), strict=True)):  # fmt: skip
        if not line:
            continue  # the database's own
        out.append(({"id": code, "action": acts.action_names[a], "date": dt.date.fromordinal(day).isoformat(), "mentor_id": mentors[mi],
                     "student_ids": ";".join(students[s] for s in acts.students_of(r).tolist()), "class": classes[k] if k >= 0 else "",
                     "duration_min": _minutes(minutes), "note": ""}, int(line)))  # fmt: skip
    return out


def _minutes(value: float) -> str:
    """A duration as kept (whole minutes); one too big for a float32 (inf) as a number _limits refuses."""
    if value != value:
        return ""
    return str(int(round(value))) if math.isfinite(value) else str(10 * INT_MAX)


def _value_text(value: Decimal) -> str:
    """A rating's value as kept (two decimals); one with more, or too big to keep, as written (then _limits says so)."""
    q = value.quantize(CENT) if value.adjusted() < 10 else value
    return f"{q:f}" if q == value else f"{value:f}"
