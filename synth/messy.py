"""Messy data on request: a bundle that generate_school wrote, rewritten the way schools' own files look.

Real files are not the clean CSV the generator writes: a clerk names a student twice in a group
talk, separates names with `；` or `、`, types dates as `2025/9/1` or `2025年9月1日`, pastes a
full-width `一（1）班`, leaves a stray space; Chinese Excel saves CSV in GB18030 with Chinese
headers, or the school keeps everything in one workbook. `mess_bundle` rewrites a bundle folder
that way, deterministically from a seed, so that benchmarks and tests measure real data.

The data still means the same thing. Read by SPEC §3's rules (names NFKC-normalised and trimmed;
list cells split on ; ； 、 ， and ,; dates YYYY-MM-DD, YYYY/M/D or 2025年9月1日 with an optional
time; a student named twice in one cell counts once; blank rows skipped; rows above the header
skipped), the messy bundle is the clean school: every check and report is the same. Blank
durations stay blank (written as "", " " or "　"): blanking a recorded duration would change
what the data says.

Columns are rewritten whole (numpy, Arrow); Python runs per distinct value (a date's four
forms) or on the few cells chosen for a change, so a 1M-row activity log takes about two seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.load.columns import CHINESE, COLUMNS, TABLE_NAMES, TABLES

from .tables import DATES, TEXT, Sheet, line_count, read_clean, write_csv, write_xlsx

__all__ = ["CHINESE_HEADERS", "ENCODINGS", "FORMATS", "HEADERS", "SHEET_NAMES", "WORKBOOK", "MessSummary", "mess_bundle",
           "remove_stale"]  # fmt: skip

CHINESE_HEADERS = CHINESE  # the engine's own names for the columns and tables, so that what synth writes the loader reads
SHEET_NAMES = {kind: names[1] for kind, names in TABLE_NAMES.items()}
_TITLES = {"mentors": "导师名单", "students": "学生名册", "assignments": "导师结对安排", "activities": "导师活动记录",
           "student_events": "学生事件记录", "ratings": "导师考核评分"}  # fmt: skip
WORKBOOK = "school.xlsx"
HEADERS = ("en", "zh")
ENCODINGS = ("utf-8", "gb18030")
FORMATS = ("csv", "xlsx", "workbook")
_SHEET_ROWS = 1_048_576  # Excel's limit per sheet

# How much of each kind of mess (shares of the cells concerned).
_WIDE, _PAD = 0.01, 0.02  # full-width ids, stray spaces
_DATE_FORMS = (0.55, 0.20, 0.10, 0.15)  # 2025-09-01, 2025/9/1, 2025-09-01 14:30, 2025年9月1日
_TIMES = ("08:10", "12:40", "14:30", "16:05", "19:20")
_SEPARATORS = (";", "；", "、", "，", ",")
_SEPARATOR_P = (0.35, 0.25, 0.25, 0.10, 0.05)
_DOUBLED = 0.25  # group cells naming one student twice
_BLANK_ROWS = 1 / 20_000  # activity rows followed by an emptied row
_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
_PARENS = str.maketrans("()", "（）")


@dataclass(frozen=True)
class MessSummary:
    """What mess_bundle wrote: the files (names in the folder), doubled students, date cells rewritten, seconds."""

    files: tuple[str, ...]
    doubled_students: int
    dates_rewritten: int
    seconds: float


def mess_bundle(
    folder: str | os.PathLike[str],
    *,
    seed: int = 1,
    mess: bool = True,
    headers: str = "en",
    encoding: str = "utf-8",
    format: str = "csv",
    title: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> MessSummary:
    """Rewrite the bundle generate_school wrote into `folder` as a school's own files would be.

    mess: doubled students, mixed separators and date forms, full-width names, stray spaces,
    blank rows (and a BOM and CRLF line ends in a UTF-8 CSV, as Excel writes them).
    headers: "en" or "zh" (编号, 姓名, …). encoding: "utf-8" or "gb18030" (CSV only; no BOM).
    format: "csv", "xlsx" (NAME.xlsx per table) or "workbook" (one school.xlsx, sheets 导师 … 评分);
    in Excel, dates are date cells and numbers numbers. title: a title row above each sheet's
    header (default: when `mess`). calendar.yaml is left as it is (UTF-8). With every option at
    its default but mess=False, nothing is rewritten.
    """
    started = time.perf_counter()
    folder = Path(folder)
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {', '.join(HEADERS)}, not {headers!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if encoding != "utf-8" and format != "csv":
        raise ValueError("an encoding applies to CSV files only: Excel files (.xlsx) have none")
    if not mess and headers == "en" and encoding == "utf-8" and format == "csv":
        return MessSummary(tuple(f"{t}.csv" for t in TABLES), 0, 0, time.perf_counter() - started)
    title = mess if title is None else title
    above = 1 + (2 if title else 0)  # header row, and a title row and an empty row above it
    if format != "csv":
        for kind in TABLES:  # refuse before anything is written
            path = folder / f"{kind}.csv"
            n = line_count(path) - 1 if path.is_file() else 0
            if n + above > _SHEET_ROWS:
                raise ValueError(
                    f"{kind}.csv has {n:,} rows: more than an Excel sheet holds ({_SHEET_ROWS - above:,} below the header); write CSV instead"
                )
    year = _school_year(folder / "calendar.yaml")
    counts = {"doubled": 0, "dates": 0}
    sheets: list[Sheet] = []
    for k, kind in enumerate(TABLES):
        path = folder / f"{kind}.csv"
        cols = read_clean(path, kind)
        rng = np.random.default_rng([seed, 0x6D657373, k])
        blank = np.zeros(0, np.int64)
        if mess:
            cols = _mess_table(kind, cols, rng, counts)
            if kind == "activities":
                blank = np.flatnonzero(rng.random(len(cols["id"])) < _BLANK_ROWS) + 1
                if format != "csv":
                    blank = blank[: max(0, _SHEET_ROWS - above - len(cols["id"]))]  # as many as the sheet has room for
        names = [CHINESE_HEADERS[c] if headers == "zh" else c for c in COLUMNS[kind]]
        heading = f"某某学校{year + '学年' if year else ''}{_TITLES[kind]}" if title else None  # 某某学校2025-2026学年导师活动记录
        sheet = (kind, SHEET_NAMES[kind] if format == "workbook" or headers == "zh" else kind, names, cols, blank, heading)
        if format == "csv":
            write_csv(path, names, [cols[c] for c in COLUMNS[kind]], blank, encoding, crlf=mess, bom=mess and encoding == "utf-8")
        elif format == "xlsx":
            write_xlsx(folder / f"{kind}.xlsx", [sheet])
            path.unlink()
        else:
            sheets.append(sheet)
        if progress:
            progress(f"{kind}: rewritten ({time.perf_counter() - started:.1f} s)")
    if format == "workbook":
        write_xlsx(folder / WORKBOOK, sheets)
        for kind in TABLES:
            (folder / f"{kind}.csv").unlink()
    files = (WORKBOOK,) if format == "workbook" else tuple(f"{t}.{'csv' if format == 'csv' else 'xlsx'}" for t in TABLES)
    return MessSummary(files, counts["doubled"], counts["dates"], time.perf_counter() - started)


def remove_stale(folder: str | os.PathLike[str], format: str = "csv") -> list[str]:
    """Delete bundle tables an earlier run left in another format (NAME.xlsx, school.xlsx beside NAME.csv, …),
    which a loader would find twice; returns the names removed. Other files are left alone."""
    folder = Path(folder)
    keep = {f"{t}.csv" for t in TABLES} if format == "csv" else {f"{t}.xlsx" for t in TABLES} if format == "xlsx" else {WORKBOOK}
    candidates = [f"{t}.{ext}" for t in TABLES for ext in ("csv", "xlsx")] + [WORKBOOK]
    removed = []
    for name in candidates:
        if name not in keep and (folder / name).is_file():
            (folder / name).unlink()
            removed.append(name)
    return removed


# --------------------------------------------------------------------------------------------
# Reading the clean files


def _school_year(path: Path) -> str:
    try:
        m = re.search(r'^school_year:\s*"?([^"\n]+)"?', path.read_text(encoding="utf-8"), re.M)
    except OSError:
        return ""
    return m.group(1).strip() if m else ""


# --------------------------------------------------------------------------------------------
# Mess, column by column


def _mess_table(kind: str, cols: dict[str, pa.Array], rng: np.random.Generator, counts: dict[str, int]) -> dict[str, pa.Array]:
    c = dict(cols)
    for name in ("id", "mentor_id", "student_id"):
        if name in c:
            c[name] = _names(rng, c[name], _WIDE, _PAD)
    for name in ("action", "kind", "score", "item", "term"):
        if name in c:
            c[name] = _names(rng, c[name], 0.0, _PAD)
    if "class" in c:
        c["class"] = _classes(rng, c["class"])
    for name in ("roles", "tags"):
        if name in c:
            c[name] = _lists(rng, c[name], 0.0, counts)
    for name in DATES:
        if name in c:
            c[name] = _dates(rng, c[name], counts)
    if "student_ids" in c:
        c["student_ids"] = _lists(rng, c["student_ids"], _DOUBLED, counts)
    if "duration_min" in c:
        c["duration_min"] = _blanks(rng, c["duration_min"])
    return c


def _filled(col: pa.Array) -> np.ndarray:
    return pc.not_equal(col, "").to_numpy(zero_copy_only=False) if len(col) else np.zeros(0, bool)


def _chosen(rng: np.random.Generator, col: pa.Array, share: float, among: np.ndarray | None = None) -> np.ndarray:
    """Rows of non-blank cells (of `among`) picked at `share`: one draw per row, so a seed's picks are stable."""
    pick = (rng.random(len(col)) < share) & _filled(col)
    return np.flatnonzero(pick if among is None else pick & among)


def _get(col: pa.Array, rows: np.ndarray) -> list[str]:
    return col.take(pa.array(rows, pa.int64())).to_pylist()


def _put(col: pa.Array, rows: np.ndarray, values: Sequence[str]) -> pa.Array:
    """`col` with the cells at `rows` (ascending) replaced by `values`."""
    if not len(rows):
        return col
    mask = np.zeros(len(col), bool)
    mask[rows] = True
    return pc.replace_with_mask(col, pa.array(mask), pa.array(values, TEXT))


def _pad(rng: np.random.Generator, values: Sequence[str]) -> list[str]:
    forms = rng.integers(0, 4, len(values)).tolist()
    return [(" " + v, v + " ", " " + v + "  ", "\u3000" + v)[f] for v, f in zip(values, forms, strict=True)]


def _names(rng: np.random.Generator, col: pa.Array, wide: float, pad: float, among: np.ndarray | None = None) -> pa.Array:
    """Ids and names: some full-width (Ｓ00001), some with spaces around (NFKC and a trim undo both)."""
    rows = _chosen(rng, col, wide, among)
    col = _put(col, rows, [v.translate(_FULL_WIDTH) for v in _get(col, rows)])
    rows = _chosen(rng, col, pad, among)
    return _put(col, rows, _pad(rng, _get(col, rows)))


def _classes(rng: np.random.Generator, col: pa.Array) -> pa.Array:
    """一(1)班 → 一（1）班 in a third of the cells, 一（１）班 in a few, some with spaces."""
    rows = _chosen(rng, col, 0.35)
    wide = (rng.random(len(rows)) < 0.15).tolist()
    col = _put(col, rows, [v.translate(_FULL_WIDTH) if w else v.translate(_PARENS) for v, w in zip(_get(col, rows), wide, strict=True)])
    rows = _chosen(rng, col, 0.03)
    return _put(col, rows, _pad(rng, _get(col, rows)))


def _dates(rng: np.random.Generator, col: pa.Array, counts: dict[str, int]) -> pa.Array:
    """ISO days → a mix of 2025-09-01, 2025/9/1, 2025-09-01 14:30 and 2025年9月1日: the forms made once per
    distinct day, one picked per row."""
    enc = pc.dictionary_encode(col)
    width = 3 + len(_TIMES)
    table = pa.array([form for d in enc.dictionary.to_pylist() for form in _forms(d)], TEXT)
    p = np.array([_DATE_FORMS[0], _DATE_FORMS[1], *[_DATE_FORMS[2] / len(_TIMES)] * len(_TIMES), _DATE_FORMS[3]])
    form = rng.choice(width, size=len(col), p=p / p.sum())
    counts["dates"] += int(((form > 0) & _filled(col)).sum())
    return table.take(pa.array(enc.indices.to_numpy(zero_copy_only=False).astype(np.int64) * width + form))


def _forms(iso: str) -> list[str]:
    if not iso:
        return [""] * (3 + len(_TIMES))
    day = dt.date.fromisoformat(iso)
    return [iso, f"{day.year}/{day.month}/{day.day}", *[f"{iso} {t}" for t in _TIMES], f"{day.year}年{day.month}月{day.day}日"]


def _lists(rng: np.random.Generator, col: pa.Array, doubled: float, counts: dict[str, int]) -> pa.Array:
    """`;`-lists: separators mixed (; ； 、 ， ,), a space after some, an item named again further on in
    some (`S1;S2;S1`, `S1;Ｓ1`): first mentions keep their order. A cell of one item as _names makes it."""
    many = pc.match_substring(col, ";").to_numpy(zero_copy_only=False) if len(col) else np.zeros(0, bool)
    col = _names(rng, col, _WIDE if doubled else 0.0, _PAD, among=~many)
    rows = np.flatnonzero(many)
    n = len(rows)
    sep = rng.choice(len(_SEPARATORS), size=n, p=_SEPARATOR_P).tolist()
    spaced = (rng.random(n) < 0.1).tolist()
    twice = (rng.random(n) < doubled).tolist()
    which, where, wide = rng.random((3, n)).tolist()
    cells = []
    for v, s, sp, tw, a, b, w in zip(_get(col, rows), sep, spaced, twice, which, where, wide, strict=True):
        items = v.split(";")
        if tw:
            j = int(a * len(items))  # named again later in the cell: the order of first mentions is kept
            again = items[j].translate(_FULL_WIDTH) if w < 0.2 else items[j]
            items.insert(j + 1 + int(b * (len(items) - j)), again)
        cells.append((_SEPARATORS[s] + (" " if sp else "")).join(items))
    counts["doubled"] += sum(twice)
    return _put(col, rows, cells)


def _blanks(rng: np.random.Generator, col: pa.Array) -> pa.Array:
    """Blank durations written as "", " " or "　" (an ideographic space); recorded ones kept, a few with spaces."""
    empty = np.flatnonzero(~_filled(col))
    forms = rng.integers(0, 3, len(empty)).tolist()
    padded = _chosen(rng, col, 0.01)
    col = _put(col, padded, _pad(rng, _get(col, padded)))
    return _put(col, empty, [("", " ", "\u3000")[f] for f in forms])
