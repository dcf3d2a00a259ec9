"""The six tables' columns, their Chinese names and aliases, and finding a table's header row (SPEC §3).

A header cell is matched after NFKC and trimming. A cell that names no column is listed as a
warning (not read); a cell that nearly names a column the table lacks is an error with the
did-you-mean, so a known column is never silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import BadRow

TABLES = ("mentors", "students", "assignments", "activities", "student_events", "ratings")
OPTIONAL_TABLES = ("student_events", "ratings")

# sheet and file names a table may go by
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "mentors": ("mentors", "导师"),
    "students": ("students", "学生"),
    "assignments": ("assignments", "结对"),
    "activities": ("activities", "活动"),
    "student_events": ("student_events", "学生事件"),
    "ratings": ("ratings", "评分"),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "mentors": ("id", "name"),
    "students": ("id", "name", "grade", "class"),
    "assignments": ("mentor_id", "student_id"),
    "activities": ("id", "action", "date", "mentor_id"),
    "student_events": ("student_id", "kind", "date"),
    "ratings": ("mentor_id", "score", "item", "value", "term"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "mentors": ("roles", "tags", "class"),
    "students": ("tags",),
    "assignments": ("start", "end"),
    "activities": ("student_ids", "class", "duration_min", "note"),
    "student_events": (),
    "ratings": (),
}

# columns of few distinct values in a big table (a log's actions, days, classes, durations), read as dictionary-encoded
# text by the CSV reader; every step that reads a column takes either form. Not the mentor ids: each block of the file
# names thousands of them, and keeping a dictionary per block cost the parse more than it saved the checks.
FEW_VALUES: dict[str, tuple[str, ...]] = {"activities": ("action", "date", "class", "duration_min")}

# every column of each table in SPEC §3's order: the required, then the optional
COLUMNS: dict[str, tuple[str, ...]] = {kind: REQUIRED[kind] + OPTIONAL[kind] for kind in TABLES}

CHINESE: dict[str, str] = {
    "id": "编号", "name": "姓名", "grade": "年级", "class": "班级", "tags": "标签", "roles": "角色",
    "mentor_id": "导师编号", "student_id": "学生编号", "student_ids": "学生编号列表", "start": "开始", "end": "结束",
    "action": "动作", "date": "日期", "duration_min": "时长", "note": "备注", "kind": "类型", "score": "评分",
    "item": "项", "value": "分值", "term": "学期",
}  # fmt: skip

# further names a clerk's sheet may use, per table
ALIASES: dict[str, dict[str, str]] = {
    "mentors": {"工号": "id", "导师姓名": "name"},
    "students": {"学号": "id", "学生姓名": "name"},
    "assignments": {"学号": "student_id", "工号": "mentor_id"},
    "activities": {"工号": "mentor_id", "学号": "student_ids", "学生编号": "student_ids"},
    "student_events": {"学号": "student_id"},
    "ratings": {"工号": "mentor_id"},
}


# header cells that say what a column holds but not in the form the engine reads: an error that says so
MISNAMED: dict[str, dict[str, str]] = {"activities": {"学生姓名": "student_ids", "姓名": "student_ids", "学生": "student_ids", "student": "student_ids",
                                                      "students": "student_ids", "导师姓名": "mentor_id", "导师": "mentor_id"}}  # fmt: skip


def fold(text: str) -> str:
    """A header cell as compared: NFKC, trimmed, without a unit in brackets at the end (`时长（分钟）` is `时长`)."""
    folded = unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff")  # a BOM before the first header cell
    return re.sub(r"\s*\([^()]*\)$", "", folded) or folded


def _squash(text: str) -> str:
    """For near misses: NFKC, case folded, without spaces, `_` and `-`."""
    return "".join(c for c in fold(text).casefold() if not c.isspace() and c not in "_-")


def names_of(kind: str) -> dict[str, str]:
    """Every accepted header text of a table → its column."""
    out = {}
    for col in (*REQUIRED[kind], *OPTIONAL[kind]):
        out[col] = col
        out[CHINESE[col]] = col
    out.update(ALIASES[kind])
    return out


def is_header(kind: str, cells: Sequence[object]) -> bool:
    """A table's header is the first row holding at least two known column names."""
    known = names_of(kind)
    return sum(1 for c in cells if isinstance(c, str) and fold(c) in known) >= 2


@dataclass
class Header:
    """The header of one table: which cell holds which column, and what was wrong with it."""

    columns: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # column → its header cell as the clerk wrote it (日期 for date)
    unread: list[str] = field(default_factory=list)
    errors: list[BadRow] = field(default_factory=list)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def near_miss(cell: str, column: str, kind: str = "") -> bool:
    """Whether a header cell nearly names `column` (SPEC §3's list of near misses, and MISNAMED)."""
    if MISNAMED.get(kind, {}).get(fold(cell)) == column:
        return True
    squashed = _squash(cell)
    if squashed in (_squash(column), _squash(CHINESE[column])):
        return True
    low = fold(cell).casefold()
    if not low.isascii():
        return False
    return (_one_edit(low, column) or low in (column + "s", column.removesuffix("s")) or low in (column + "_date", column + "date")
            or (len(low) >= 4 and column.startswith(low)))  # fmt: skip


def match_header(kind: str, cells: Sequence[object], source: str, row: int) -> Header:
    known = names_of(kind)
    header = Header()
    texts = ["" if c is None else str(c) for c in cells]
    for i, text in enumerate(texts):
        col = known.get(fold(text))
        if col is None:
            continue
        if col in header.columns:
            first = texts[header.columns[col]]
            header.errors.append(BadRow(source, row, col, "duplicate-column",
                                        f"the column '{col}' appears twice in the header ('{first}' and '{text}')",
                                        f"表头中列“{col}”出现了两次（“{first}”和“{text}”）"))  # fmt: skip
            continue
        header.columns[col] = i
        header.texts[col] = text.strip().lstrip("\ufeff")
    missing = [c for c in (*REQUIRED[kind], *OPTIONAL[kind]) if c not in header.columns]
    for text in texts:
        if not fold(text) or fold(text) in known:
            continue
        meant = next((c for c in missing if near_miss(text, c, kind)), None)
        if meant is None:
            header.unread.append(text)
            continue
        header.errors.append(BadRow(source, row, text, "near-miss-column",
                                    f"the column '{text}' is not read: did you mean '{meant}' ({CHINESE[meant]})? rename the header cell",
                                    f"列“{text}”不会被读取：是不是“{CHINESE[meant]}”（{meant}）？请改正表头"))  # fmt: skip
    named = {e.column for e in header.errors}
    for col in REQUIRED[kind]:
        if col not in header.columns and not any(near_miss(t, col, kind) for t in named):
            has = ", ".join(t for t in texts if t.strip()) or "nothing"
            header.errors.append(BadRow(source, row, col, "missing-column",
                                        f"the required column '{col}' ({CHINESE[col]}) is missing (the header has: {has})",
                                        f"缺少必需的列“{CHINESE[col]}”（{col}）（表头为：{has}）"))  # fmt: skip
    return header


def no_header(kind: str, cells: Sequence[object], source: str, row: int) -> BadRow:
    """The error for a table whose first rows hold no header: no row has two known column names."""
    needed = ", ".join(f"{c} ({CHINESE[c]})" for c in REQUIRED[kind])
    texts = ["" if c is None else str(c) for c in cells]
    first = ",".join(texts)
    if not first.strip():
        return BadRow(source, row, "-", "empty", f"the table is empty: it needs a header row with {needed}, then a row for each record",
                      f"这张表是空的：第一行应为表头（{needed}），下面每行一条记录")  # fmt: skip
    for sep, en, zh in (("\t", "tabs", "制表符"), (";", "semicolons", "分号"), ("；", "semicolons", "分号")):
        if len(texts) == 1 and is_header(kind, texts[0].split(sep)):
            return BadRow(source, row, "-", "separator", f"the columns are separated by {en}, not commas: in Excel use 'Save as → CSV UTF-8 (comma delimited)'",
                          f"各列用{zh}而不是逗号分隔：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”")  # fmt: skip
    return BadRow(source, row, "-", "no-header", f"no header row found (no row among the first ones names two known columns; the first row is '{first[:60]}'): "
                  f"the header needs {needed}",
                  f"找不到表头（前面各行都没有两个可识别的列名；第一行是“{first[:60]}”）：表头需要 {needed}")  # fmt: skip
