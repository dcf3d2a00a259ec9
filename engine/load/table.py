"""One table as read from any source: named columns (Arrow arrays), the row number of each row, and what reading found.

Every source (a CSV file, a workbook sheet, database rows) produces a RawTable; the builder
(engine/load/builder.py) takes it from there, whatever it came from.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ..errors import BadRow
from ..model.warnings import ReportWarning


@dataclass
class RawTable:
    kind: str  # mentors, students, assignments, activities, student_events, ratings
    source: str  # as messages name it: activities.csv, 活动.xlsx, 学校.xlsx:活动, or a database table
    columns: dict[str, pa.Array]  # canonical column name → values (text, or typed from a database)
    lines: np.ndarray  # int32 row number as the user sees it (Excel's row, the CSV line); 0 when there is none
    keys: Sequence[str] | None = None  # database rows: each row's key, named in messages instead of a line
    bad: list[BadRow] = field(default_factory=list)  # rows reading could not make into cells (open quote, too many values, …)
    fatal: list[BadRow] = field(default_factory=list)  # header problems: the table cannot be read at all
    warnings: list[ReportWarning] = field(default_factory=list)
    links: tuple[np.ndarray, pa.Array] | None = None  # activities from a database: (row, student id) pairs instead of student_ids
    headers: dict[str, str] = field(default_factory=dict)  # column → the header the file gives it, as messages name it (日期)

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> pa.Array:
        """A column, or empty text for every row when the table does not have it."""
        col = self.columns.get(name)
        return col if col is not None else pa.array([""] * len(self), pa.string())

    def where(self, i: int) -> tuple[str, int]:
        """The source and row of row i for a BadRow: `activities[A001]` and 0 for a database row (one with a key), else
        the file and its row (a table may hold both: the service checks an upload together with the rows it keeps)."""
        if self.keys is not None and self.keys[i]:
            return f"{self.source}[{self.keys[i]}]", 0
        return self.source, int(self.lines[i])

    def bad_row(self, i: int, column: str, code: str, en: str, zh: str) -> BadRow:
        source, line = self.where(i)
        return BadRow(source, line, self.headers.get(column, column), code, en, zh)

    def bad_row_at(self, line: int, column: str, code: str, en: str, zh: str) -> BadRow:
        return BadRow(self.source, line, column, code, en, zh)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a clerk typed: 20250101.0 → '20250101', a date → '2025-09-01'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text_array(values: Sequence[object]) -> pa.Array:
    """Cells as an Arrow text array; only the cells that are not text already are converted."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([v if type(v) is str else cell_text(v) for v in values], pa.string())
