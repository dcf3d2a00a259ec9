"""Reading a bundle folder: calendar.yaml and the CSV files → rows for bundle.build.

CSV files are UTF-8 with or without a BOM (Excel's "CSV UTF-8"), comma-separated, with a
header row; list cells use `;`. Each bad cell becomes a BadRow at the row's first
physical line. activities.csv is read in chunks straight into columns (no object per row).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import re
from collections import deque
from collections.abc import Container, Iterator
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from itertools import islice, repeat
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import yaml

from .activities import stripped
from .bundle import (
    CHUNK,
    ActivityCells,
    Assignment,
    Bundle,
    Calendar,
    CalendarEvent,
    FileNames,
    Mentor,
    Rating,
    Rows,
    Student,
    StudentEvent,
    Term,
    _kept,
    _suspects,
    build,
)
from .calendar_schema import calendar_errors
from .dates import as_date
from .errors import BadRow, BadRowsError, BundleFileError, too_many_values
from .fastcsv import ActivityBlock, blocks, has_quotes

REQUIRED = {
    "mentors": ("id", "name"),
    "students": ("id", "name", "grade", "class"),
    "assignments": ("mentor_id", "student_id"),
    "activities": ("id", "action", "date", "mentor_id"),
    "student_events": ("student_id", "kind", "date"),
    "ratings": ("mentor_id", "score", "item", "value", "term"),
}
OPTIONAL = {
    "mentors": ("roles", "tags", "class"),
    "students": ("tags",),
    "assignments": ("start", "end"),
    "activities": ("student_ids", "class", "duration_min", "note"),
    "student_events": (),
    "ratings": (),
}
T = TypeVar("T")


def read_bundle(folder: Path, *, skip_bad_rows: bool = False) -> Bundle:
    # Loading makes millions of short-lived objects that hold no cycles; the cyclic collector
    # would rescan them again and again (a third of the load time), so it waits until we are done.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_bundle(folder, skip_bad_rows)
    finally:
        if enabled:
            gc.enable()


def _read_bundle(folder: Path, skip_bad_rows: bool) -> Bundle:
    files = FileNames()
    if not folder.is_dir():
        raise BundleFileError(str(folder), "is not a folder: give the folder holding calendar.yaml and the CSV files",
                              "不是文件夹：请给出存放 calendar.yaml 和各 CSV 文件的文件夹")  # fmt: skip
    calendar = read_calendar(folder / files.calendar, files.calendar)
    bad: list[BadRow] = []
    fatal: list[BadRow] = []
    tables = {}
    for kind in ("mentors", "students", "assignments", "activities", "student_events", "ratings"):
        name = getattr(files, kind)
        path = folder / name
        if not path.exists():
            if kind in ("student_events", "ratings"):
                continue
            raise BundleFileError(name, "is missing from the bundle folder", "在数据文件夹中缺失")
        table = CsvTable(path, name, REQUIRED[kind], OPTIONAL[kind], bad)
        fatal.extend(table.header_errors)
        tables[kind] = table
    if fatal:
        raise BadRowsError(fatal)  # a file without its columns cannot be read at all, even when skipping rows

    mentors, rej_m = _mentors(tables["mentors"], bad)
    students, rej_s = _students(tables["students"], bad)
    # the other files are read by build() while activities.csv parses on the worker threads
    return build(calendar, mentors, students, lambda: _assignments(tables["assignments"], bad), tables["activities"].activity_chunks(),
                 lambda: _student_events(tables["student_events"], bad) if "student_events" in tables else [],
                 lambda: _ratings(tables["ratings"], bad) if "ratings" in tables else [],
                 skip_bad_rows=skip_bad_rows, files=files, earlier_bad=bad, rejected_mentor_ids=rej_m,
                 rejected_student_ids=rej_s)  # fmt: skip


class CsvTable:
    """One CSV file: its header checked on open; rows read with their first physical line."""

    def __init__(self, path: Path, name: str, required: tuple[str, ...], optional: tuple[str, ...], row_errors: list[BadRow]):
        self.path, self.name = path, name
        self.header_errors: list[BadRow] = []
        self.row_errors = row_errors
        self.columns: dict[str, int] = {}
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                header = next(csv.reader(f), [])
        except UnicodeDecodeError as e:
            raise _not_utf8(name, 1) from e
        except OSError as e:
            raise BundleFileError(name, f"cannot be read: {e.strerror}", f"无法读取：{e.strerror}") from e
        header = [h.strip() for h in header]
        for i, h in enumerate(header):
            if h and h in self.columns:
                self.header_errors.append(
                    BadRow(name, 1, h, "duplicate-column", f"the column '{h}' appears twice in the header", f"表头中列“{h}”出现了两次")
                )
            self.columns.setdefault(h, i)
        self.width = len(header)
        for col in required:
            if col not in self.columns:
                has = ", ".join(h for h in header if h) or "nothing"
                self.header_errors.append(BadRow(name, 1, col, "missing-column", f"the required column '{col}' is missing (the header has: {has})",
                                                 f"缺少必需的列“{col}”（表头为：{has}）"))  # fmt: skip
        self.wanted = [c for c in (*required, *optional) if c in self.columns]

    def _chunks(self) -> Iterator[tuple[list[int], list[list[str]]]]:
        """Chunks of (first lines, rows) with blank rows dropped and short rows padded."""
        with self.path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            try:
                next(reader, None)
                prev = reader.line_num
                while True:
                    rows = list(islice(reader, CHUNK))
                    if not rows:
                        return
                    end = reader.line_num
                    if end - prev == len(rows):
                        lines = list(range(prev + 1, end + 1))  # no cell spans lines: the common, fast case
                    else:  # a quoted cell spans lines: count them row by row
                        lines, at = [], prev + 1
                        for row in rows:
                            lines.append(at)
                            at += 1 + sum(c.count("\n") for c in row)
                    prev = end
                    width = self.width
                    if set(map(len, rows)) != {width}:
                        keep_lines, keep_rows = [], []
                        for line, row in zip(lines, rows, strict=True):
                            if not any(c.strip() for c in row):
                                continue
                            if len(row) > width and any(c.strip() for c in row[width:]):
                                self.row_errors.append(too_many_values(self.name, line, len(row), width))
                                continue
                            keep_lines.append(line)
                            keep_rows.append((row + [""] * width)[:width])
                        lines, rows = keep_lines, keep_rows
                    yield lines, rows
            except UnicodeDecodeError as e:
                raise _not_utf8(self.name, reader.line_num + 1) from e

    def table_columns(self) -> tuple[list[int], dict[str, list[str]]]:
        """The whole table column-wise, cells stripped, blank rows dropped (for the roster files)."""
        plain = self._plain_columns()
        if plain is not None:
            return plain
        all_lines: list[int] = []
        all_rows: list[list[str]] = []
        for lines, rows in self._chunks():
            all_lines.extend(lines)
            all_rows.extend(rows)
        blank = [i for i, r in enumerate(all_rows) if not "".join(r).strip()]
        if blank:
            gone = set(blank)
            all_lines = [x for i, x in enumerate(all_lines) if i not in gone]
            all_rows = [r for i, r in enumerate(all_rows) if i not in gone]
        cols = list(zip(*all_rows, strict=False)) if all_rows else [()] * self.width
        return all_lines, {c: stripped(cols[self.columns[c]]) for c in self.wanted}

    def _plain_columns(self) -> tuple[list[int], dict[str, list[str]]] | None:
        """table_columns() by splitting the whole text at once, for the usual file: no quotes, one
        row per line, every line as wide as the header. None for anything else, which the csv
        module reads (and whose odd rows it explains) as before."""
        body = _plain_body(self.path)
        if body is None:
            return None
        n, width = body.count("\n"), self.width
        # a "," after every line end makes the file one list of cells; the lines are all as wide
        # as the header exactly when each row's last cell (every width-th) is the one holding "\n"
        cells = body.replace("\n", "\n,").split(",")
        cells.pop()
        if len(cells) != n * width:
            return None
        ends = "".join(cells[width - 1 :: width])
        if ends.count("\n") != n:
            return None
        cols = [cells[i::width] for i in range(width - 1)] + [ends.split("\n")[:-1]]
        if _has_blanks(body):
            cols = [stripped(c) for c in cols]
        lines = list(range(2, n + 2))
        if "" in cols[0]:  # a blank row has a blank first cell
            lines, cols = _without_blank_rows(lines, cols)
        return lines, {c: cols[self.columns[c]] for c in self.wanted}

    def activity_chunks(self) -> Iterator[ActivityCells | ActivityBlock]:
        """activities.csv as column chunks, or as byte blocks when no cell is quoted (engine/fastcsv.py)."""
        if not has_quotes(self.path):
            yield from blocks(self.path, {c: self.columns[c] for c in self.wanted}, self.width, self.name)
            return
        for lines, rows in self._chunks():
            if any(not "".join(r).strip() for r in rows):  # a row of empty cells (`,,,,`) is a blank line, as on the block path
                kept = [(line, r) for line, r in zip(lines, rows, strict=True) if "".join(r).strip()]
                lines, rows = [line for line, _ in kept], [r for _, r in kept]
            if not rows:
                continue
            transposed = list(zip(*rows, strict=False))  # every row has the header's width by now

            def col(name: str, transposed: list[tuple[str, ...]] = transposed, n: int = len(rows)) -> tuple[str, ...]:
                return transposed[self.columns[name]] if name in self.columns else ("",) * n

            yield ActivityCells(
                col("id"), col("action"), col("date"), col("mentor_id"), col("student_ids"), col("class"), col("duration_min"), lines
            )


_BLANK = re.compile(r"[^\S\n]")  # a blank that strip() would remove, other than the line ends


def _has_blanks(body: str) -> bool:
    """Whether a cell may need stripping. isascii() is O(1), and then only the ASCII blanks can
    be there: scanning for each is far quicker than the regular expression."""
    if body.isascii():
        return any(c in body for c in " \t\x0b\x0c\r\x1c\x1d\x1e\x1f")
    return _BLANK.search(body) is not None


def _plain_body(path: Path) -> str | None:
    """The rows of a CSV file (after the header line) as text ending in "\\n", or None when the
    csv module must read it: quotes, a lone "\\r" (an error there), not UTF-8 (its error names
    the line), or a line long enough to hold a cell over the csv module's size limit (an error)."""
    data = path.read_bytes()
    if b'"' in data:
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    if len(data) > csv.field_size_limit() and _longest_line(data) > csv.field_size_limit():
        return None
    start = data.find(b"\n") + 1  # the header, read (and so decoded) on open, ends at the first line end
    try:
        body = str(memoryview(data)[start:] if start else b"", "utf-8")  # a view: no copy of the file
    except UnicodeDecodeError:
        return None
    return body if not body or body.endswith("\n") else body + "\n"


def _longest_line(data: bytes) -> int:
    """In bytes, which is at least its length in characters."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n"))
    return int(np.diff(ends, prepend=-1, append=len(data)).max())


def _without_blank_rows(lines: list[int], cols: list[list[str]]) -> tuple[list[int], list[list[str]]]:
    gone = {i for i, first in enumerate(cols[0]) if not first and not any(col[i] for col in cols)}
    if not gone:
        return lines, cols
    keep = [i for i in range(len(lines)) if i not in gone]
    return [lines[i] for i in keep], [[col[i] for i in keep] for col in cols]


def _not_utf8(name: str, line: int) -> BundleFileError:
    return BundleFileError(f"{name}:{line}", "is not UTF-8 text: in Excel use 'Save as → CSV UTF-8 (comma delimited)'",
                           "不是 UTF-8 编码：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”")  # fmt: skip


def _list(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(";") if p.strip())


def _lists(cells: list[str]) -> list[tuple[str, ...]]:
    """`;`-lists, parsed once per distinct cell (tags and roles repeat a lot)."""
    parsed = {c: _list(c) for c in set(cells)}
    return list(map(parsed.__getitem__, cells))


def _instances(cls: type[T], *columns: list[Any]) -> Rows[T]:
    """`list(map(cls, *columns))` for a frozen dataclass in two thirds of the time, the columns
    kept for build()'s checks (Rows). A frozen __init__ is a Python call making one
    object.__setattr__ call per field; this makes one C-level pass per field instead. The first
    row goes through __init__ so that the class's shared table of attribute names holds every
    field before the other objects are allocated: CPython sizes each object's attribute storage
    from that table, and an object that outgrows it gets a dict of its own (twice the memory)."""
    assert not hasattr(cls, "__post_init__") and all(f.init for f in fields(cls))  # type: ignore[arg-type]
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    n = len(columns[0])
    objects = Rows([cls(*(col[0] for col in columns))] if n else [], dict(zip(names, columns, strict=True)))
    objects.extend(map(object.__new__, repeat(cls, n - 1)))
    for name, values in zip(names, columns, strict=True):
        deque(map(object.__setattr__, islice(objects, 1, None), repeat(name), islice(values, 1, None)), maxlen=0)
    return objects


def _positions(values: list[Any], wanted: Container[Any]) -> list[int]:
    """Positions of values in `wanted` (a few bad texts): none, the usual case, in one C-level pass."""
    if not any(map(wanted.__contains__, values)):
        return []
    return [i for i, v in enumerate(values) if v in wanted]


def _drop(columns: list[list[Any]], dropped: list[int]) -> list[list[Any]]:
    """Each column without the dropped rows (bundle._kept, column by column)."""
    return [_kept(col, dropped) for col in columns]


def _mentors(table: CsvTable, bad: list[BadRow]) -> tuple[list[Mentor], dict[str, int]]:
    lines, c = table.table_columns()
    n = len(lines)
    empty = [""] * n
    roles, tags = _lists(c.get("roles", empty)), _lists(c.get("tags", empty))
    out = [Mentor(i, name, r, t, k or None, line)
           for i, name, r, t, k, line in zip(c["id"], c["name"], roles, tags, c.get("class", empty), lines, strict=True)]  # fmt: skip
    return out, {}


def _students(table: CsvTable, bad: list[BadRow]) -> tuple[list[Student], dict[str, int]]:
    lines, c = table.table_columns()
    grades = {g: _grade(g) for g in set(c["grade"])}
    grade = list(map(grades.__getitem__, c["grade"]))
    rejected: dict[str, int] = {}
    dropped = []
    for i in _suspects(len(lines), _positions(grade, {None}), _positions(c["class"], {""})):
        line, text = lines[i], c["grade"][i]
        if grade[i] is None:
            bad.append(BadRow(table.name, line, "grade", "bad-grade", f"'{text}' is not a grade: write a whole number such as 5",
                              f"“{text}”不是年级：请写整数，例如 5"))  # fmt: skip
        if not c["class"][i]:
            bad.append(BadRow(table.name, line, "class", "missing", "the class is missing", "缺少班级"))
        if grade[i] is None or not c["class"][i]:
            dropped.append(i)
            if c["id"][i]:
                rejected.setdefault(c["id"][i], line)
    tags = c.get("tags", [""] * len(lines))
    ids, names, grade, classes, tags, lines = _drop([c["id"], c["name"], grade, c["class"], tags, lines], dropped)
    return _instances(Student, ids, names, grade, classes, _lists(tags), lines), rejected


def _grade(text: str) -> int | None:
    if text.isdigit():
        return int(text) if int(text) >= 1 else None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value() or value < 1:
        return None
    return int(value)


_DATES: dict[str, dt.date | None] = {}


def _date_cell(table: CsvTable, line: int, column: str, text: str, bad: list[BadRow], required: bool) -> tuple[bool, dt.date | None]:
    if not text:
        if required:
            bad.append(BadRow(table.name, line, column, "missing", f"the {column} is missing", "缺少日期"))
            return False, None
        return True, None
    d = _DATES[text] if text in _DATES else _DATES.setdefault(text, as_date(text)) if len(_DATES) < 100_000 else as_date(text)
    if d is None:
        bad.append(BadRow(table.name, line, column, "bad-date", f"'{text}' is not a date: write YYYY-MM-DD (or YYYY/M/D), e.g. 2025-09-01",
                          f"“{text}”不是日期：请写成 YYYY-MM-DD（或 YYYY/M/D），例如 2025-09-01"))  # fmt: skip
        return False, None
    return True, d


def _dates(*columns: list[str]) -> tuple[dict[str, dt.date | None], set[str]]:
    """Each distinct date text of the columns parsed once (None for a blank), and the texts that are not dates."""
    known = {t: as_date(t) if t else None for t in set().union(*columns)}
    return known, {t for t, d in known.items() if t and d is None}


def _assignments(table: CsvTable, bad: list[BadRow]) -> list[Assignment]:
    lines, c = table.table_columns()
    empty = [""] * len(lines)
    starts, ends = c.get("start", empty), c.get("end", empty)
    known, unreadable = _dates(starts, ends)
    dropped = []
    for i in _suspects(len(lines), _positions(starts, unreadable), _positions(ends, unreadable)):
        s, e, line = starts[i], ends[i], lines[i]
        if (known[s] is None and s) or (known[e] is None and e):
            ok_s, _ = _date_cell(table, line, "start", s, bad, False)
            ok_e, _ = _date_cell(table, line, "end", e, bad, False)
            if not (ok_s and ok_e):
                dropped.append(i)
    mentors, students, starts, ends, lines = _drop([c["mentor_id"], c["student_id"], starts, ends, lines], dropped)
    return _instances(Assignment, mentors, students, list(map(known.__getitem__, starts)), list(map(known.__getitem__, ends)), lines)


def _student_events(table: CsvTable, bad: list[BadRow]) -> list[StudentEvent]:
    lines, c = table.table_columns()
    known, unreadable = _dates(c["date"])
    dropped = []
    for i in _suspects(len(lines), _positions(c["date"], unreadable | {""})):
        ok, day = _date_cell(table, lines[i], "date", c["date"][i], bad, True)
        if not (ok and day is not None):
            dropped.append(i)
    students, kinds, dates, lines = _drop([c["student_id"], c["kind"], c["date"], lines], dropped)
    return _instances(StudentEvent, students, kinds, list(map(known.__getitem__, dates)), lines)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _ratings(table: CsvTable, bad: list[BadRow]) -> list[Rating]:
    lines, c = table.table_columns()
    numbers = {v: _number(v) for v in set(c["value"])}  # Decimals are immutable: rows with one text share one
    values = list(map(numbers.__getitem__, c["value"]))
    dropped = []
    for i in _suspects(len(lines), _positions(values, {None})):
        if _number(c["value"][i]) is None:
            text = c["value"][i]
            bad.append(BadRow(table.name, lines[i], "value", "bad-number", f"'{text}' is not a number", f"“{text}”不是数字"))
            dropped.append(i)
    cols = _drop([c["mentor_id"], c["score"], c["item"], values, c["term"], lines], dropped)
    return _instances(Rating, *cols)


# ---------------------------------------------------------------- calendar.yaml


def read_calendar(path: Path, name: str = "calendar.yaml") -> Calendar:
    """calendar.yaml → Calendar; BadRowsError lists every problem (always fatal)."""
    if not path.exists():
        raise BundleFileError(name, "is missing from the bundle folder", "在数据文件夹中缺失")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise _not_utf8(name, 1) from e
    return parse_calendar(text, name)


class _TextDates(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: our parser gives the clerk-friendly error (YAML's raises)."""


_TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_calendar(text: str, name: str = "calendar.yaml") -> Calendar:
    try:
        node = yaml.compose(text, Loader=_TextDates)
        data = yaml.load(text, Loader=_TextDates)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(e, "problem", None) or str(e)
        raise BadRowsError([BadRow(name, line, "-", "yaml", f"not valid YAML: {problem}", f"不是有效的 YAML：{problem}")]) from e
    lines: dict[tuple[Any, ...], int] = {}
    _node_lines(node, (), lines)

    def line_of(path: tuple[Any, ...]) -> int:
        while path and path not in lines:
            path = path[:-1]
        return lines.get(path, 1)

    data = _plain(data if data is not None else {})
    errors: list[BadRow] = []
    for err in calendar_errors(data):
        path = tuple(err.absolute_path)
        where = _path_text(path) or "-"
        msg = err.message
        line = line_of(path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {})
            extra = [k for k in err.instance if k not in known]
            line = line_of((*path, extra[0])) if extra else line
            msg = f"{err.message} (known keys: {', '.join(known)})"
        errors.append(BadRow(name, line, where, "calendar-schema", msg, f"格式不对：{msg}"))
    if errors:
        raise BadRowsError(errors)

    terms: list[Term] = []
    for i, t in enumerate(data["terms"]):
        start, end = as_date(t["start"]), as_date(t["end"])
        for key, value in (("start", start), ("end", end)):
            if value is None:
                errors.append(BadRow(name, line_of(("terms", i, key)), f"terms[{i}].{key}", "bad-date", f"'{t[key]}' is not a real date",
                                     f"“{t[key]}”不是有效日期"))  # fmt: skip
        if start is None or end is None:
            continue
        if end < start:
            errors.append(BadRow(name, line_of(("terms", i, "end")), f"terms[{i}].end", "end-before-start", f"the term ends ({end}) before it starts ({start})",
                                 f"学期结束日期 {end} 早于开始日期 {start}"))  # fmt: skip
            continue
        tid = str(t["id"])
        if any(x.id == tid for x in terms):
            errors.append(
                BadRow(
                    name,
                    line_of(("terms", i, "id")),
                    f"terms[{i}].id",
                    "duplicate-id",
                    f"duplicate term id '{tid}'",
                    f"学期编号“{tid}”重复",
                )
            )
            continue
        terms.append(Term(tid, str(t.get("name") or tid), start, end))
    terms.sort(key=lambda t: t.start)
    for a, b in zip(terms, terms[1:], strict=False):
        if b.start <= a.end:
            i = next(k for k, t in enumerate(data["terms"]) if str(t["id"]) == b.id)
            errors.append(BadRow(name, line_of(("terms", i)), f"terms[{i}]", "overlap", f"term '{b.id}' starts before term '{a.id}' ends",
                                 f"学期“{b.id}”在学期“{a.id}”结束前就开始了"))  # fmt: skip
    events: list[CalendarEvent] = []
    for i, ev in enumerate(data.get("events") or []):
        day = as_date(ev["date"])
        if day is None:
            errors.append(
                BadRow(
                    name,
                    line_of(("events", i, "date")),
                    f"events[{i}].date",
                    "bad-date",
                    f"'{ev['date']}' is not a real date",
                    f"“{ev['date']}”不是有效日期",
                )
            )
            continue
        grades = ev.get("grades")
        grade_tuple = None if grades is None else tuple(sorted({grades} if isinstance(grades, int) else set(grades)))
        events.append(CalendarEvent(str(ev["kind"]), str(ev.get("name") or ev["kind"]), day, grade_tuple))
    if errors:
        raise BadRowsError(errors)
    return Calendar(str(data["school_year"]), tuple(terms), tuple(events))


def _plain(value: Any) -> Any:
    """YAML's dates as YYYY-MM-DD text, so the schema and the date parser see one form."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _node_lines(node: Any, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    if node is None:
        return
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _node_lines(value, (*path, key.value), out)
            out[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)


def _path_text(path: tuple[Any, ...]) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text
