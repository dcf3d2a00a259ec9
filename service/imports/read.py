"""Reading an upload through the engine's loader (find_tables, read_place: CSV in UTF-8 or GB18030, Excel, Chinese
headers, the row numbers Excel shows): its tables, the problems that stop the file being read at all, notes on sheets
not read, and the activities' notes of a CSV, which the engine's reader leaves out.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from engine import BundleFileError
from engine.errors import BadRow
from engine.load import xlsx
from engine.load.columns import TABLE_NAMES, TABLES
from engine.load.folder import find_tables, read_place
from engine.load.table import RawTable
from engine.model.warnings import ReportWarning

from .uploads import WORKBOOK, Text, Upload


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
