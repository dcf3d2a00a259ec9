"""A school's tables from a clerk's CSV or Excel file → its rows in the database, through the engine's own loader.

    file_problem(filename, kind) -> Text | None          what is wrong with an upload's name (its type), if anything
    save_upload(root, stream, filename, kind, school_id, user_id) -> Upload   kept under root/<token>/ for the apply
    open_upload(root, token, school_id, user_id) -> Upload | None             the uploader's own, for an hour
    check(session, school, upload) -> Plan               the dry run: every bad row, and what would be added or changed
    apply(session, school, upload, user_id, ...) -> Plan the import, all or nothing in one transaction
    discard(upload)

The file is read by engine.load (find_tables, read_place: CSV in UTF-8 or GB18030, Excel, Chinese headers, the row
numbers Excel shows) and checked by the engine's builder together with what the school has: for each uploaded table,
the database's rows the upload does not name and then the upload's rows; every other table as the database has it. So
an activity naming a student who is only in the database resolves, and a student whose class clashes with the
database's is a bad row of the upload (the database's rows come first, so a clash is the upload's).

The rules (docs/import.md): rows are matched by key (KEYS); a new key is added, a known one updated where a value
differs; a row the upload does not name is never deleted. A column the file does not have keeps the database's values
(a blank cell blanks it). Any bad row or header problem refuses the whole import. Applying a file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
import pyarrow as pa
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine import Bundle, BundleFileError
from engine.errors import BadRow
from engine.load import xlsx
from engine.load.builder import build
from engine.load.columns import TABLE_NAMES, TABLES
from engine.load.folder import find_tables, read_place
from engine.load.roster import as_day, cells
from engine.load.table import RawTable
from engine.model.bundle import FileNames
from engine.model.scheme import compile_scheme
from engine.model.warnings import ReportWarning

from . import models as m
from .repository import calendar_of, current_scheme, today_at

WORKBOOK = "workbook"
KINDS = (*TABLES, WORKBOOK)  # what an upload may hold: one table, or a workbook of them
EXTENSIONS = (".csv", ".xlsx", ".xls", ".xlsm", ".ods")
TTL_SECONDS = 3600  # an upload not applied within the hour is gone
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)
SHOWN = 50  # changes and new keys listed per table on the dry run

# the columns each table keeps (SPEC §3), and the ones that name a row
COLUMNS: dict[str, tuple[str, ...]] = {
    "mentors": ("id", "name", "roles", "tags", "class"),
    "students": ("id", "name", "grade", "class", "tags"),
    "assignments": ("mentor_id", "student_id", "start", "end"),
    "activities": ("id", "action", "date", "mentor_id", "student_ids", "class", "duration_min", "note"),
    "student_events": ("student_id", "kind", "date"),
    "ratings": ("mentor_id", "score", "item", "value", "term"),
}
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


class Text(NamedTuple):
    zh: str
    en: str


Row = dict[str, str]  # a row in text form: SPEC §3 column → its value as the engine normalises it ("" for none)
Key = tuple[str, ...]


# --------------------------------------------------------------------------- the upload on disk


@dataclass(frozen=True)
class Upload:
    """A file kept for its dry run and its apply: root/<token>/data/<file>, and meta.json beside `data`."""

    token: str
    folder: Path
    school_id: int
    user_id: int
    kind: str  # a table of TABLES, or WORKBOOK
    name: str  # the file's name as uploaded, for messages only (never a path)
    file: str  # the name it is kept under: students.csv, workbook.xlsx
    created: float

    @property
    def path(self) -> Path:
        return self.folder / "data" / self.file


def file_problem(filename: str, kind: str) -> Text | None:
    """Why a file of this name cannot hold `kind`, or None."""
    suffix = Path(display_name(filename)).suffix.lower()
    if kind not in KINDS:
        return Text("请选择文件中是哪张表。", "Choose which table the file holds.")
    if suffix not in EXTENSIONS or (kind == WORKBOOK and suffix == ".csv"):
        allowed = ", ".join(e for e in EXTENSIONS if kind != WORKBOOK or e != ".csv")
        return Text(f"文件须为 {allowed} 格式（WPS 的 .et 文件请另存为 .xlsx）。", f"The file must be one of {allowed} (save WPS .et files as .xlsx).")
    return None


def display_name(filename: str) -> str:
    """The uploaded file's own name for messages: its last path part, without control characters, at most 100 characters."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[-100:]


def save_upload(root: Path, stream: IO[bytes], filename: str, kind: str, school_id: int, user_id: int, now: float | None = None) -> Upload:
    """Keep the file under a fresh token; the client's name is kept for messages, never used as a path."""
    if file_problem(filename, kind) is not None:
        raise ValueError(f"not an importable file: {filename!r} as {kind}")
    now = time.time() if now is None else now
    sweep(root, now)
    name = display_name(filename)
    suffix = Path(name).suffix.lower()
    token = secrets.token_urlsafe(24)
    folder = root / token
    (folder / "data").mkdir(parents=True, mode=0o700)
    # a workbook is kept under a name that is no table's, so that find_tables reads its sheets
    file = f"{kind}{suffix}" if kind != WORKBOOK else f"workbook{suffix}"
    with (folder / "data" / file).open("wb") as out:
        shutil.copyfileobj(stream, out)
    upload = Upload(token, folder, school_id, user_id, kind, name or file, file, now)
    meta = {"school_id": school_id, "user_id": user_id, "kind": kind, "name": upload.name, "file": file, "created": now}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return upload


def open_upload(root: Path, token: str, school_id: int, user_id: int, now: float | None = None) -> Upload | None:
    """The upload of that token when it is this user's, for this school, and not expired; else None."""
    if not TOKEN.match(token or ""):
        return None
    folder = root / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        upload = Upload(token, folder, int(meta["school_id"]), int(meta["user_id"]), str(meta["kind"]), str(meta["name"]),
                        str(meta["file"]), float(meta["created"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    if now - upload.created > TTL_SECONDS:
        discard(upload)
        return None
    if (upload.school_id, upload.user_id) != (school_id, user_id) or upload.kind not in KINDS or "/" in upload.file or not upload.path.is_file():
        return None
    return upload


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep(root: Path, now: float) -> None:
    """Remove the uploads that have expired (each is looked at on its own: a broken one goes once it is old)."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.is_dir() or not TOKEN.match(folder.name):
            continue
        try:
            created = float(json.loads((folder / "meta.json").read_text(encoding="utf-8"))["created"])
        except (OSError, ValueError, KeyError, TypeError):
            created = folder.stat().st_mtime
        if now - created > TTL_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Change:
    key: str
    column: str  # as the file's header names it
    old: str
    new: str


@dataclass
class TablePlan:
    """One uploaded table: its rows to add, to change (with the database row's id and the columns that differ), unchanged."""

    kind: str
    source: str  # the file or sheet, as messages name it
    headers: dict[str, str] = field(default_factory=dict)
    added: list[Row] = field(default_factory=list)
    changed: list[tuple[int, Row, Row]] = field(default_factory=list)  # (database id, new row, old row)
    unchanged: int = 0
    bad: int = 0  # rows of the upload left out by a problem

    def differing(self, new: Row, old: Row) -> list[str]:
        return [c for c in COLUMNS[self.kind] if c not in KEYS[self.kind] and new[c] != old[c]]

    def changes(self, limit: int = SHOWN) -> list[Change]:
        out: list[Change] = []
        for _, new, old in self.changed:
            for c in self.differing(new, old):
                if len(out) == limit:
                    return out
                out.append(Change(key_text(self.kind, new), self.headers.get(c, c), old[c], new[c]))
        return out

    def added_keys(self, limit: int = SHOWN) -> list[str]:
        return [key_text(self.kind, r) for r in self.added[:limit]]


@dataclass
class Plan:
    """The dry run of an upload: what is wrong with it, and what importing it would do."""

    upload: Upload
    tables: list[TablePlan] = field(default_factory=list)
    fatal: list[BadRow] = field(default_factory=list)  # the file or a header cannot be read: nothing else is checked
    bad: list[BadRow] = field(default_factory=list)  # rows of the upload that do not load
    database: list[BadRow] = field(default_factory=list)  # rows already in the database the check rejects, as it did before
    database_new: list[BadRow] = field(default_factory=list)  # rows already in the database this upload would make bad
    warnings: list[ReportWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the upload may be applied: it was read, and no row of it is bad."""
        return not self.fatal and not self.bad

    @property
    def added(self) -> int:
        return sum(len(t.added) for t in self.tables)

    @property
    def changed(self) -> int:
        return sum(len(t.changed) for t in self.tables)

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tables)

    @property
    def digest(self) -> str:
        """What applying would write, in a few characters: the apply refuses when it no longer matches the dry run shown."""
        h = hashlib.sha256()
        for t in self.tables:
            h.update(json.dumps([t.kind, t.added, [(pk, new) for pk, new, _ in t.changed]], sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()[:24]

    def summary(self) -> Text:
        parts_zh = [f"{TABLE_NAMES[t.kind][1]}：新增 {len(t.added)}，修改 {len(t.changed)}，未变 {t.unchanged}" for t in self.tables]
        parts_en = [f"{t.kind}: {len(t.added)} added, {len(t.changed)} changed, {t.unchanged} unchanged" for t in self.tables]
        return Text("；".join(parts_zh), "; ".join(parts_en))


class Refused(Exception):
    """The upload has a bad row or a header problem: nothing was imported."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(f"{len(plan.fatal)} file or header problem(s), {len(plan.bad)} bad row(s)")


class Stale(Exception):
    """The school's data changed since the dry run the clerk saw: nothing was imported; here is the new dry run."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__("the dry run no longer matches the data")


def key_of(kind: str, row: Row) -> Key:
    return tuple(row[c] for c in KEYS[kind])


def key_text(kind: str, row: Row) -> str:
    return " · ".join(v or "—" for v in key_of(kind, row))


# --------------------------------------------------------------------------- the database's rows, as text


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _cents(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):f}"


@dataclass
class Stored:
    """One table of the school as the database has it: each row's id and its text form (as an upload's row would read)."""

    kind: str
    pks: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def index(self) -> dict[Key, int]:
        out: dict[Key, int] = {}
        for j, row in enumerate(self.rows):
            out.setdefault(key_of(self.kind, row), j)
        return out


def read_stored(session: Session, school_id: int) -> dict[str, Stored]:
    """Every table of the school, in text form."""
    sid = school_id
    out = {kind: Stored(kind) for kind in TABLES}

    def add(kind: str, rows: Iterable[Any], make: Any) -> None:
        for r in rows:
            out[kind].pks.append(r[0])
            out[kind].rows.append(make(r))

    add("mentors", session.execute(select(m.Mentor.id, m.Mentor.code, m.Mentor.name, m.Mentor.roles, m.Mentor.tags, m.Mentor.class_name)
                                   .where(m.Mentor.school_id == sid).order_by(m.Mentor.id)),
        lambda r: {"id": r[1], "name": r[2], "roles": r[3], "tags": r[4], "class": r[5]})
    add("students", session.execute(select(m.Student.id, m.Student.code, m.Student.name, m.Student.grade, m.Student.class_name, m.Student.tags)
                                    .where(m.Student.school_id == sid).order_by(m.Student.id)),
        lambda r: {"id": r[1], "name": r[2], "grade": str(r[3]), "class": r[4], "tags": r[5]})
    add("assignments", session.execute(select(m.Assignment.id, m.Mentor.code, m.Student.code, m.Assignment.start, m.Assignment.end)
                                       .join(m.Mentor, m.Mentor.id == m.Assignment.mentor_id).join(m.Student, m.Student.id == m.Assignment.student_id)
                                       .where(m.Assignment.school_id == sid).order_by(m.Assignment.id)),
        lambda r: {"mentor_id": r[1], "student_id": r[2], "start": _day(r[3]), "end": _day(r[4])})
    add("student_events", session.execute(select(m.StudentEvent.id, m.Student.code, m.StudentEvent.kind, m.StudentEvent.date)
                                          .join(m.Student, m.Student.id == m.StudentEvent.student_id)
                                          .where(m.StudentEvent.school_id == sid).order_by(m.StudentEvent.id)),
        lambda r: {"student_id": r[1], "kind": r[2], "date": _day(r[3])})
    add("ratings", session.execute(select(m.Rating.id, m.Mentor.code, m.Rating.score, m.Rating.item, m.Rating.value, m.Rating.term)
                                   .join(m.Mentor, m.Mentor.id == m.Rating.mentor_id).where(m.Rating.school_id == sid).order_by(m.Rating.id)),
        lambda r: {"mentor_id": r[1], "score": r[2], "item": r[3], "value": _cents(r[4]), "term": r[5]})
    links: dict[int, list[str]] = {}
    for activity_id, code in session.execute(select(m.ActivityStudent.activity_id, m.Student.code)
                                             .join(m.Student, m.Student.id == m.ActivityStudent.student_id)
                                             .join(m.Activity, m.Activity.id == m.ActivityStudent.activity_id)
                                             .where(m.Activity.school_id == sid).order_by(m.ActivityStudent.activity_id, m.ActivityStudent.position)):
        links.setdefault(activity_id, []).append(code)
    add("activities", session.execute(select(m.Activity.id, m.Activity.code, m.Activity.action, m.Activity.date, m.Mentor.code, m.Activity.class_name,
                                             m.Activity.duration_min, m.Activity.note)
                                      .join(m.Mentor, m.Mentor.id == m.Activity.mentor_id).where(m.Activity.school_id == sid).order_by(m.Activity.id)),
        lambda r: {"id": r[1], "action": r[2], "date": _day(r[3]), "mentor_id": r[4], "student_ids": ";".join(links.get(r[0], ())),
                   "class": r[5], "duration_min": "" if r[6] is None else str(r[6]), "note": r[7] or ""})  # fmt: skip
    return out


def _raw(kind: str, source: str, rows: Sequence[Row], keys: Sequence[str], lines: Sequence[int], **extra: Any) -> RawTable:
    """Rows in text form → the engine's table (the activities' notes stay out: the engine reads none)."""
    columns = {c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS[kind] if c != "note"}
    return RawTable(kind, source, columns, np.array(lines, dtype=np.int64), keys=list(keys), **extra)


def _stored_raw(stored: Stored) -> RawTable:
    """A table just as the database has it: each row named by its key (`students (database)[S1]`)."""
    kind = stored.kind
    return _raw(kind, DB_NAMES[kind], stored.rows, [key_text(kind, r) for r in stored.rows], [0] * len(stored.rows))


# --------------------------------------------------------------------------- reading the upload


def _text_of(e: Exception) -> Text:
    if isinstance(e, BundleFileError):
        return Text(e.reason_zh, e.reason)
    return Text(f"无法读取：{e}", f"cannot be read: {e}")


def _file_error(source: str, why: Text) -> BadRow:
    return BadRow(source, 0, "-", "file", why.en, why.zh)


def read_upload(upload: Upload) -> tuple[dict[str, RawTable], list[BadRow], list[ReportWarning]]:
    """The upload's tables as the engine reads them (sources named by the uploaded file's name), the problems that
    stop the file being read at all, and notes (sheets not read, empty sheets)."""
    folder = upload.path.parent
    try:
        places = find_tables(folder)
    except Exception as e:  # noqa: BLE001 - any failure to read a clerk's file is a message on the dry run, not an error page
        return {}, [_file_error(upload.name, _text_of(e))], []
    notes: list[ReportWarning] = []
    if upload.kind == WORKBOOK:
        named = {p[1] for p in places.values()}
        try:
            others = [s for s in xlsx.sheet_names(upload.path) if s not in named]
        except Exception:  # noqa: BLE001 - reported below when no table is found
            others = []
        if others:
            listed = "、".join(others)
            notes.append(ReportWarning("sheet-not-read", f"{upload.name}: the sheets {', '.join(others)} are named by no table: not read",
                                       f"{upload.name}：工作表 {listed} 的名称不是表名，未读取", upload.name, ()))  # fmt: skip
    elif upload.kind not in places:
        places = {}
    if not places:
        names = "、".join(f"{zh}（{en}）" for en, zh in TABLE_NAMES.values())
        return {}, [_file_error(upload.name, Text(f"没有找到可导入的表：工作表名须为表名：{names}", f"no table found: name the sheets by table: {names}"))], notes
    tables: dict[str, RawTable] = {}
    fatal: list[BadRow] = []
    for kind in TABLES:
        if kind not in places:
            continue
        path, sheet, _ = places[kind]
        source = f"{upload.name}:{sheet}" if sheet is not None else upload.name
        try:
            raw = read_place((path, sheet, source), kind)
        except Exception as e:  # noqa: BLE001 - as above
            fatal.append(_file_error(source, _text_of(e)))
            continue
        if upload.kind == WORKBOOK and [b.code for b in raw.fatal] == ["empty"]:
            notes.append(ReportWarning("empty-sheet", f"{source}: the sheet is empty: nothing to import from it", f"{source}：工作表是空的，没有可导入的内容", source, ()))
            continue
        if "note" in raw.headers and "note" not in raw.columns and not raw.fatal:
            raw.columns["note"] = pa.array(_csv_notes(path, raw), pa.string())
        tables[kind] = raw
    return tables, fatal, notes


def _csv_notes(path: Path, raw: RawTable) -> list[str]:
    """The note of each row of a CSV table (the engine's reader leaves notes out: it reads none), found by the same row
    numbers: one a record, as Excel counts them."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header = raw.headers["note"]
    by_row: dict[int, str] = {}
    column: int | None = None
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if column is None:
            cleaned = [c.strip().lstrip("\ufeff") for c in record]
            if header in cleaned and len([c for c in cleaned if c in raw.headers.values()]) >= 2:
                column = cleaned.index(header)
            continue
        by_row[number] = record[column].strip() if column < len(record) else ""
    return [by_row.get(line, "") for line in raw.lines.tolist()]


# --------------------------------------------------------------------------- the check


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


def _limits(kind: str, row: Row, headers: dict[str, str]) -> tuple[str, str, str, str] | None:
    """(column, code, en, zh) when a value does not fit the database's column; None when it fits."""
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


def check(session: Session, school: m.School, upload: Upload) -> Plan:
    """The dry run: read the upload, check it with the school's rows, and say what importing it would add and change."""
    plan = Plan(upload)
    raw_tables, plan.fatal, notes = read_upload(upload)
    plan.warnings.extend(notes)
    if plan.fatal or any(t.fatal for t in raw_tables.values()):
        plan.fatal.extend(b for t in raw_tables.values() for b in t.fatal)
        plan.bad.extend(b for t in raw_tables.values() for b in t.bad)
        plan.warnings.extend(w for t in raw_tables.values() for w in t.warnings)
        return plan
    stored = read_stored(session, school.id)
    calendar = calendar_of(session, school)
    baseline = build(calendar, {k: _stored_raw(s) for k, s in stored.items()}, skip_bad_rows=True,
                     files=FileNames(**DB_NAMES, calendar="calendar"))  # fmt: skip
    prepared: dict[str, _Upload] = {}
    tables: dict[str, RawTable] = {}
    for kind in TABLES:
        s = stored[kind]
        if kind not in raw_tables:
            tables[kind] = _stored_raw(s)
            continue
        raw = raw_tables[kind]
        up = prepared[kind] = _prepare(kind, raw, s, s.index())
        # the database's rows the upload does not name first, then the upload's
        kept = [r for r in s.rows if key_of(kind, r) not in up.first]
        tables[kind] = _raw(kind, raw.source, kept + up.rows, [key_text(kind, r) for r in kept] + [""] * len(up.rows),
                            [0] * len(kept) + up.lines, bad=raw.bad + up.bad, warnings=raw.warnings, headers=raw.headers)  # fmt: skip
    files = FileNames(**{k: t.source for k, t in tables.items()}, calendar="calendar")
    bundle = build(calendar, tables, skip_bad_rows=True, files=files)
    sources = {raw_tables[k].source: k for k in prepared}
    before = {(b.file, b.column, b.code) for b in baseline.rejected}
    for b in bundle.rejected:
        b = _named(b, sources)
        if b.line:
            plan.bad.append(b)
        elif (b.file, b.column, b.code) in before:
            plan.database.append(b)
        else:
            plan.database_new.append(b)
    for kind, up in prepared.items():
        plan.tables.append(_table_plan(kind, up, bundle, stored[kind], plan.bad))
    rank = {source: TABLES.index(kind) for source, kind in sources.items()}
    plan.bad.sort(key=lambda b: (rank.get(b.file, len(TABLES)), b.file, b.line))
    if plan.bad:
        # a bad uploaded row stands in for the database's row of its key all the same, so the database's rows that
        # refer to it look bad too: that is the upload's problem, already listed, and nothing is imported while it lasts
        plan.database_new = []
    upload_sources = set(sources) | {upload.name}
    plan.warnings.extend(w for w in bundle.warnings if w.file in upload_sources and (w.code != "far-from-the-year" or w.lines))
    plan.warnings.extend(_unknown_actions(session, school, plan))
    return plan


def _named(b: BadRow, sources: dict[str, str]) -> BadRow:
    """A bad row of a database row in an uploaded table is named as the database's (`students (database)[S1]`), not the file's."""
    file, reason, reason_zh = b.file, b.reason, b.reason_zh
    for source, kind in sources.items():
        if not b.line and file.startswith(source + "["):
            file = DB_NAMES[kind] + file[len(source) :]
        reason, reason_zh = reason.replace(source + "[", DB_NAMES[kind] + "["), reason_zh.replace(source + "[", DB_NAMES[kind] + "[")
    if (file, reason, reason_zh) == (b.file, b.reason, b.reason_zh):
        return b
    return BadRow(file, b.line, b.column, b.code, reason, reason_zh)


def _table_plan(kind: str, up: _Upload, bundle: Bundle, stored: Stored, bad: list[BadRow]) -> TablePlan:
    plan = TablePlan(kind, up.raw.source, dict(up.raw.headers))
    at = stored.index()
    by_line = {line: row for line, row in zip(up.lines, up.rows, strict=True)}
    kept = 0
    for row, line in _bundle_rows(kind, bundle):
        key = key_of(kind, row)
        if kind == "activities":
            row["note"] = by_line[line]["note"]
        elif key not in up.first:
            continue  # the database's own
        line = line or up.first[key]
        problem = _limits(kind, row, plan.headers)
        if problem is not None:
            bad.append(BadRow(up.raw.source, line, *problem))
            continue
        kept += 1
        j = at.get(key)
        if j is None:
            plan.added.append(row)
        elif plan.differing(row, stored.rows[j]):
            plan.changed.append((stored.pks[j], row, stored.rows[j]))
        else:
            plan.unchanged += 1
    plan.bad = len(up.rows) + len(up.raw.bad) + len(up.bad) - kept
    return plan


def _unknown_actions(session: Session, school: m.School, plan: Plan) -> list[ReportWarning]:
    """Uploaded activities naming an action the scheme in force does not declare: they will be kept but counted for nothing."""
    acts = next((t for t in plan.tables if t.kind == "activities"), None)
    if acts is None:
        return []
    version = current_scheme(session, school.id, today_at(school))
    if version is None:
        return []
    known = {a.name for a in compile_scheme(version.ir).actions}
    unknown: dict[str, int] = {}
    for row in [*acts.added, *(new for _, new, _ in acts.changed)]:
        if row["action"] not in known:
            unknown[row["action"]] = unknown.get(row["action"], 0) + 1
    if not unknown:
        return []
    listed_en = ", ".join(f"'{a}' ({n})" for a, n in sorted(unknown.items()))
    listed_zh = "、".join(f"“{a}”（{n} 条）" for a, n in sorted(unknown.items()))
    return [ReportWarning("unknown-action", f"{acts.source}: the scheme in force declares no action {listed_en}: such activities are kept but count for no duty",
                          f"{acts.source}：现行方案中没有动作 {listed_zh}：这些活动会保存，但不计入任何任务", acts.source, ())]  # fmt: skip


# --------------------------------------------------------------------------- the import


def apply(session: Session, school: m.School, upload: Upload, user_id: int, remote_addr: str = "", digest: str | None = None) -> Plan:
    """Import the upload in one transaction: checked again under a lock on the school, every row written, the school's
    versions moved, an audit row; committed, or rolled back whole. Refused (nothing written) when the upload has a bad
    row or header problem; Stale when `digest` (the dry run the clerk saw) no longer matches. The upload is discarded
    once committed."""
    try:
        # the school's row, locked until commit: another import or a logged activity waits (PostgreSQL row lock; SQLite's
        # single writer), so the check below sees the rows the writes apply to
        session.execute(update(m.School).where(m.School.id == school.id).values(data_version=m.School.data_version))
        plan = check(session, school, upload)
        if not plan.ok:
            raise Refused(plan)
        if digest is not None and digest != plan.digest:
            raise Stale(plan)
        if plan.added or plan.changed:
            roster = any(t.kind != "activities" or t.changed for t in plan.tables if t.added or t.changed)
            version, _ = session.execute(update(m.School).where(m.School.id == school.id)
                                         .values(data_version=m.School.data_version + 1, roster_version=m.School.roster_version + (1 if roster else 0))
                                         .returning(m.School.data_version, m.School.roster_version)).one()  # fmt: skip
            write(session, school.id, plan, user_id, version)
        summary = plan.summary()
        session.add(m.AuditEntry(user_id=user_id, school_id=school.id, action="import", target=f"{upload.name}: {summary.en}"[:200],
                                 remote_addr=remote_addr[:64]))  # fmt: skip
        session.commit()
    except BaseException:
        session.rollback()
        raise
    discard(upload)
    return plan


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for lo in range(0, len(values), size):
        yield values[lo : lo + size]


def _upsert(session: Session, model: Any, added: list[dict[str, Any]], changed: list[dict[str, Any]]) -> None:
    """Insert the new rows and update the changed ones by their id (both in batches)."""
    for part in _chunks(added, 5000):
        session.execute(insert(model), list(part))
    for part in _chunks(changed, 5000):
        session.execute(update(model), list(part))


def write(session: Session, school_id: int, plan: Plan, user_id: int, version: int) -> None:
    """Every added and changed row of the plan, table by table (the roster first: the others refer to it)."""
    by = {t.kind: t for t in plan.tables}
    sid = school_id
    if "mentors" in by:
        _write_mentors(session, sid, by["mentors"])
    if "students" in by:
        _write_students(session, sid, by["students"])
    mentor_pk = dict(session.execute(select(m.Mentor.code, m.Mentor.id).where(m.Mentor.school_id == sid)).all())
    student_pk = dict(session.execute(select(m.Student.code, m.Student.id).where(m.Student.school_id == sid)).all())
    if "assignments" in by:
        t = by["assignments"]
        _upsert(session, m.Assignment,
                [{"school_id": sid, "mentor_id": mentor_pk[r["mentor_id"]], "student_id": student_pk[r["student_id"]], "start": _date(r["start"]),
                  "end": _date(r["end"])} for r in t.added],
                [{"id": pk, "end": _date(r["end"])} for pk, r, _ in t.changed])  # fmt: skip
    if "student_events" in by:  # every column is the key: rows are only ever added
        t = by["student_events"]
        _upsert(session, m.StudentEvent, [{"school_id": sid, "student_id": student_pk[r["student_id"]], "kind": r["kind"], "date": _date(r["date"])}
                                          for r in t.added], [])  # fmt: skip
    if "ratings" in by:
        t = by["ratings"]
        _upsert(session, m.Rating, [{"school_id": sid, "mentor_id": mentor_pk[r["mentor_id"]], "score": r["score"], "item": r["item"],
                                     "value": Decimal(r["value"]), "term": r["term"]} for r in t.added],
                [{"id": pk, "value": Decimal(r["value"])} for pk, r, _ in t.changed])  # fmt: skip
    if "activities" in by:
        _write_activities(session, sid, by["activities"], mentor_pk, student_pk, user_id, version)


def _write_mentors(session: Session, sid: int, t: TablePlan) -> None:
    def values(r: Row) -> dict[str, Any]:
        return {"name": r["name"], "roles": r["roles"], "tags": r["tags"], "class_name": r["class"]}

    _upsert(session, m.Mentor, [{"school_id": sid, "code": r["id"], **values(r)} for r in t.added], [{"id": pk, **values(r)} for pk, r, _ in t.changed])


def _write_students(session: Session, sid: int, t: TablePlan) -> None:
    def values(r: Row) -> dict[str, Any]:
        return {"name": r["name"], "grade": int(r["grade"]), "class_name": r["class"], "tags": r["tags"]}

    _upsert(session, m.Student, [{"school_id": sid, "code": r["id"], **values(r)} for r in t.added], [{"id": pk, **values(r)} for pk, r, _ in t.changed])


def _write_activities(session: Session, sid: int, t: TablePlan, mentor_pk: dict[str, int], student_pk: dict[str, int], user_id: int,
                      version: int) -> None:  # fmt: skip
    """The activities, at the school's new data version, and their students: a changed activity's links replaced whole."""

    def values(r: Row) -> dict[str, Any]:
        return {"action": r["action"], "date": _date(r["date"]), "mentor_id": mentor_pk[r["mentor_id"]], "class_name": r["class"],
                "duration_min": int(r["duration_min"]) if r["duration_min"] else None, "note": r["note"], "data_version": version}  # fmt: skip

    _upsert(session, m.Activity, [{"school_id": sid, "code": r["id"], "created_by": user_id, **values(r)} for r in t.added],
            [{"id": pk, **values(r)} for pk, r, _ in t.changed])  # fmt: skip
    relinked = [(pk, r) for pk, r, old in t.changed if r["student_ids"] != old["student_ids"]]
    for part in _chunks([pk for pk, _ in relinked]):
        session.execute(delete(m.ActivityStudent).where(m.ActivityStudent.activity_id.in_(part)))
    new_pk: dict[str, int] = {}
    for part in _chunks([r["id"] for r in t.added]):
        new_pk.update(session.execute(select(m.Activity.code, m.Activity.id).where(m.Activity.school_id == sid, m.Activity.code.in_(part))).all())
    links = [{"activity_id": pk, "student_id": student_pk[s], "position": i}
             for pk, r in [*((new_pk[r["id"]], r) for r in t.added), *relinked] for i, s in enumerate(x for x in r["student_ids"].split(";") if x)]  # fmt: skip
    for part in _chunks(links, 5000):
        session.execute(insert(m.ActivityStudent), list(part))
