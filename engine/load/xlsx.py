"""An Excel sheet → a RawTable, read with python-calamine.

Row numbers are Excel's own (the sheet is read from A1, empty rows included). The header is
the first row holding two known column names; rows above it (a title) and empty rows are
skipped. Date cells arrive as dates, numbers as numbers: a student id typed as 20250101 is
the text '20250101' again (engine/load/table.py cell_text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import python_calamine

from ..errors import BundleFileError
from .columns import is_header, match_header, no_header
from .csvfile import HEADER_SEARCH, unread_warning
from .table import RawTable, cell_text, text_array


def _workbook(path: Path, source: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.load_workbook(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises its own errors, and others, for files that are no workbook
        raise BundleFileError(source, f"cannot be read as a workbook: {e} (open it in Excel and save it as an .xlsx workbook)",
                              f"无法作为工作簿读取：{e}（请用 Excel 打开并另存为 .xlsx 工作簿）") from e  # fmt: skip


def sheet_names(path: Path) -> list[str]:
    return list(_workbook(path, path.name).sheet_names)


def read_sheet(path: Path, sheet: str | None, kind: str, source: str) -> RawTable:
    """One sheet (the first when `sheet` is None) as a table; `source` names it in messages."""
    book = _workbook(path, source)
    name = sheet if sheet is not None else book.sheet_names[0]
    sheet_ = book.get_sheet_by_name(name)
    rows = _filled(sheet_.to_python(skip_empty_area=False), sheet_.merged_cell_ranges or [])
    at = next((i for i, r in enumerate(rows[:HEADER_SEARCH]) if is_header(kind, r)), None)
    if at is None:
        first = next((i for i, r in enumerate(rows[:HEADER_SEARCH]) if any(cell_text(c).strip() for c in r)), 0)
        cells = [cell_text(c) for c in rows[first]] if rows else []
        return RawTable(kind, source, {}, np.zeros(0, np.int32), fatal=[no_header(kind, cells, source, first + 1)])
    head = [cell_text(c) for c in rows[at]]
    while head and not head[-1].strip():
        head.pop()
    header = match_header(kind, head, source, at + 1)
    width = len(head)
    body, numbers, bad = [], [], []
    for i in range(at + 1, len(rows)):
        row = rows[i]
        if not any(c != "" and cell_text(c).strip() for c in row):
            continue
        if any(c != "" and cell_text(c).strip() for c in row[width:]):
            extra = next(k for k in range(width, len(row)) if cell_text(row[k]).strip())
            table_bad = (i + 1, extra)
            bad.append(table_bad)
            continue
        body.append(row)
        numbers.append(i + 1)
    columns = {col: text_array([r[idx] if idx < len(r) else "" for r in body]) for col, idx in header.columns.items()}
    table = RawTable(kind, source, columns, np.array(numbers, dtype=np.int32), warnings=unread_warning(header, source))
    table.fatal = header.errors
    table.headers = header.texts
    for row_number, extra in bad:
        letter = _column_letter(extra)
        table.bad.append(table.bad_row_at(row_number, letter, "no-header",
                                          f"column {letter} holds a value but has no header: give the column a header, or move the value",
                                          f"第 {letter} 列有内容但没有表头：请给这一列加上表头，或把内容移到正确的列"))  # fmt: skip
    return table


def _filled(rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[list[Any]]:
    """The sheet as Excel shows it: a merged cell's value in every cell of its range (a class merged down
    a column of students is every one of those students' class)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value
    return rows


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
