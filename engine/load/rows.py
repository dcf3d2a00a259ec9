"""Rows that are not files → the builder: typed row objects (tests, scripts) and a database's columns (the service).

A database hands over each table as Arrow columns (`bundle_from_columns`), and the students of
each activity as a link table of (activity row, student id) pairs rather than a `;` string.
Its bad rows are named by table and key (`activities[A001]`), not by a line it never had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa

from ..model.bundle import Bundle, FileNames
from ..model.calendar import Calendar
from ..model.roster import Activity, Assignment, Mentor, Rating, Student, StudentEvent
from .append import with_activities
from .builder import build
from .table import RawTable, cell_text

RENAMED = {"class_name": "class"}


def bundle_from_rows(calendar: Calendar, mentors: Iterable[Mentor], students: Iterable[Student], assignments: Iterable[Assignment],
                     activities: Iterable[Activity], student_events: Iterable[StudentEvent] = (), ratings: Iterable[Rating] = (), *,
                     skip_bad_rows: bool = False, files: FileNames | None = None) -> Bundle:  # fmt: skip
    """Typed rows → a Bundle; a row without a `line` is numbered as if under a header line (2, 3, …)."""
    files = files or FileNames()
    kinds: dict[str, list[object]] = {"mentors": list(mentors), "students": list(students), "assignments": list(assignments), "activities": list(activities),
             "student_events": list(student_events), "ratings": list(ratings)}  # fmt: skip
    tables = {kind: _table(kind, getattr(files, kind), rows) for kind, rows in kinds.items()}
    return build(calendar, tables, skip_bad_rows=skip_bad_rows, files=files)


def _table(kind: str, source: str, rows: list[object]) -> RawTable:
    lines = np.array([r.line if r.line is not None else i + 2 for i, r in enumerate(rows)], dtype=np.int32)  # type: ignore[attr-defined]
    columns: dict[str, pa.Array] = {}
    links = None
    names = [f for f in _ROW[kind]._fields if f not in ("line", "note")]  # type: ignore[attr-defined]
    for name in names:
        values = [getattr(r, name) for r in rows]
        if name == "student_ids":
            pairs = [(i, s) for i, ids in enumerate(values) for s in ids]
            links = (np.array([i for i, _ in pairs], dtype=np.int64), pa.array([cell_text(s) for _, s in pairs], pa.string()))
            continue
        if name in ("roles", "tags"):
            values = [";".join(v) for v in values]
        columns[RENAMED.get(name, name)] = pa.array([cell_text(v) for v in values], pa.string())
    return RawTable(kind, source, columns, lines, links=links)


def _keys(column: pa.ChunkedArray) -> list[str]:
    """A key column as text, one Python call for the column when it is text already (a school's 100k activity ids)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return [v if v is not None else "" for v in column.to_pylist()]
    return [cell_text(v) for v in column.to_pylist()]


_ROW: dict[str, type] = {"mentors": Mentor, "students": Student, "assignments": Assignment, "activities": Activity,
                         "student_events": StudentEvent, "ratings": Rating}  # fmt: skip


def bundle_from_columns(calendar: Calendar, tables: Mapping[str, pa.Table], keys: Mapping[str, str], *,
                        activity_students: tuple[Sequence[int] | np.ndarray, pa.Array] | None = None,
                        skip_bad_rows: bool = False, names: Mapping[str, str] | None = None) -> Bundle:  # fmt: skip
    """A database's tables as Arrow tables (columns named as in SPEC §3) → a Bundle.

    `keys` names each table's key column (`{"activities": "id", "assignments": "id", …}`), used
    in messages; `activity_students` is the link table as (activity row positions, student ids).
    """
    raw = {kind: _raw_table(kind, t, keys.get(kind), (names or {}).get(kind, kind), activity_students if kind == "activities" else None)
           for kind, t in tables.items()}  # fmt: skip
    files = FileNames(**{k: t.source for k, t in raw.items()}, calendar="calendar")
    return build(calendar, raw, skip_bad_rows=skip_bad_rows, files=files)


def bundle_with_activities(bundle: Bundle, activities: pa.Table, key: str | None = "id", *,
                           activity_students: tuple[Sequence[int] | np.ndarray, pa.Array] | None = None) -> Bundle | None:  # fmt: skip
    """The bundle with more activities from a database appended (checked and built alone, then merged into the log);
    None when one repeats an id already in the log, and the caller builds the whole school again."""
    return with_activities(bundle, _raw_table("activities", activities, key, bundle.files.activities, activity_students))


def _raw_table(kind: str, t: pa.Table, key_col: str | None, source: str,
               links: tuple[Sequence[int] | np.ndarray, pa.Array] | None) -> RawTable:  # fmt: skip
    key_values = _keys(t.column(key_col)) if key_col else [str(i + 1) for i in range(t.num_rows)]
    columns = {name: t.column(name).combine_chunks() for name in t.column_names}
    pairs = (np.asarray(links[0], dtype=np.int64), links[1]) if links is not None else None
    return RawTable(kind, source, columns, np.zeros(t.num_rows, np.int32), keys=key_values, links=pairs)
