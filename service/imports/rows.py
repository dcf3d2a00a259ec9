"""The rules of a row, as the import matches and keeps it: the columns each table keeps (COLUMNS), the ones that name a
row (KEYS, key_of, key_text), a row in text form (Row: as the engine normalises it, "" for none), how the database's rows
are named in messages (DB_NAMES), and the longest text or biggest number each column can hold (LIMITS, _limits).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from engine.load.columns import TABLES

from .. import models as m

# the columns that name a row (COLUMNS, each table's columns, is the engine's)
KEYS: dict[str, tuple[str, ...]] = {
    "mentors": ("id",),
    "students": ("id",),
    "assignments": ("mentor_id", "student_id", "start"),
    "activities": ("id",),
    "student_events": ("student_id", "kind", "date"),
    "ratings": ("mentor_id", "score", "item", "term"),
}
DB_NAMES = {kind: f"{kind} (database)" for kind in TABLES}  # as the service's other messages name database rows
CENT = Decimal("0.01")
INT_MAX = 2**31 - 1  # an Integer column on every backend


def _length(column: Any) -> int:
    return int(column.type.length)


# the longest text each column can hold (the database refuses longer): a longer cell is a bad row on the dry run
LIMITS: dict[str, dict[str, int]] = {
    "mentors": {"id": _length(m.Mentor.code), "name": _length(m.Mentor.name), "roles": _length(m.Mentor.roles),
                "tags": _length(m.Mentor.tags), "class": _length(m.Mentor.class_name)},
    "students": {"id": _length(m.Student.code), "name": _length(m.Student.name), "class": _length(m.Student.class_name),
                 "tags": _length(m.Student.tags)},
    "activities": {"id": _length(m.Activity.code), "action": _length(m.Activity.action), "class": _length(m.Activity.class_name)},
    "student_events": {"kind": _length(m.StudentEvent.kind)},
    "ratings": {"score": _length(m.Rating.score), "item": _length(m.Rating.item), "term": _length(m.Rating.term)},
    "assignments": {},
}  # fmt: skip


Row = dict[str, str]  # a row in text form: SPEC §3 column → its value as the engine normalises it ("" for none)
Key = tuple[str, ...]


def key_of(kind: str, row: Row) -> Key:
    return tuple(row[c] for c in KEYS[kind])


def key_text(kind: str, row: Row) -> str:
    return " · ".join(v or "—" for v in key_of(kind, row))


def _limits(kind: str, row: Row, headers: dict[str, str]) -> tuple[str, str, str, str] | None:
    """(column, code, en, zh) when a value does not fit the database's column, or a name is empty; None when it fits."""
    if kind in ("mentors", "students") and not row["name"].strip():
        # the engine reads a row without a name, but a roster that blanks one would lose it: an import refuses it
        return headers.get("name", "name"), "missing-name", "the name is empty", "姓名为空"
    for col, most in LIMITS[kind].items():
        if len(row[col]) > most:
            return (headers.get(col, col), "too-long", f"'{row[col][:20]}…' is too long: at most {most} characters",
                    f"“{row[col][:20]}…”太长：最多 {most} 个字符")  # fmt: skip
    for col in ("grade", "duration_min"):
        if col in row and row[col] and int(row[col]) > INT_MAX:
            return headers.get(col, col), "too-big", f"{row[col]} is too big", f"{row[col]} 太大"
    if kind == "ratings":
        try:
            value = Decimal(row["value"])
        except InvalidOperation:
            return None
        if abs(value) >= Decimal(10) ** 10 or value != value.quantize(CENT):
            return (headers.get("value", "value"), "bad-value", f"{row['value']}: a value is kept with at most two decimals and below 10,000,000,000",
                    f"{row['value']}：分值最多两位小数，且小于 100 亿")  # fmt: skip
    return None
