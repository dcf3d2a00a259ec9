"""The bundle's tables as files: a clean generated CSV read into Arrow columns, and columns written
as CSV (Arrow joins the lines; no Python per row) or as Excel sheets (openpyxl, write-only)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.load.columns import COLUMNS

DATES = ("date", "start", "end")
_NUMBERS = ("grade", "duration_min", "value")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
TEXT = pa.large_string()
# (table, sheet name, header cells, columns, rows followed by a blank row, title row or None)
Sheet = tuple[str, str, Sequence[str], dict[str, pa.Array], np.ndarray, str | None]


def line_count(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))


def read_clean(path: Path, kind: str) -> dict[str, pa.Array]:
    """A clean table as Arrow text columns (pyarrow parses it; no Python object per cell)."""
    if not path.is_file():
        raise ValueError(f"{path} is missing: mess_bundle rewrites a bundle as generate_school writes it")
    with path.open("rb") as f:
        first = f.readline().decode("utf-8", "replace").rstrip("\r\n")
    if first != ",".join(COLUMNS[kind]):
        raise ValueError(f"{path} does not start with the header {','.join(COLUMNS[kind])}: it is not a clean generated bundle")
    names = list(COLUMNS[kind])
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(column_types={n: TEXT for n in names}, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
    )  # fmt: skip
    return {n: table.column(n).combine_chunks() for n in names}


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".part")
    write(tmp)
    os.replace(tmp, path)


def write_csv(path: Path, header: Sequence[str], cols: Sequence[pa.Array], blank_after: np.ndarray, encoding: str, *,
              crlf: bool, bom: bool) -> None:  # fmt: skip
    """The table as CSV, built by Arrow: cells quoted where they need it, joined into lines, the lines' bytes written whole."""
    newline = "\r\n" if crlf else "\n"
    n = len(cols[0])
    body: bytes | memoryview = b""  # the rows, a view of Arrow's buffer: not copied to be written
    if n:
        s = lambda text: pa.scalar(text, TEXT)  # noqa: E731
        quoted = []
        for col in cols:  # generated cells hold no line break; a comma or a quote needs quotes
            need = pc.or_(pc.match_substring(col, ","), pc.match_substring(col, '"'))
            if pc.any(need).as_py():
                col = pc.if_else(need, pc.binary_join_element_wise(s('"'), pc.replace_substring(col, '"', '""'), s('"'), s("")), col)
            quoted.append(col)
        # the line end, added to one column's text rather than to whole lines (less to copy)
        quoted[-1] = pc.binary_join_element_wise(quoted[-1], s(""), s(newline))
        lines = pc.binary_join_element_wise(*quoted, s(","))
        if len(blank_after):
            # an emptied row as Excel writes it (,,,,), and now and then a truly empty line
            blank = pa.array(["," * (len(header) - 1) + newline, newline], TEXT)
            order = np.insert(np.arange(n, dtype=np.int64), blank_after, n + (np.arange(len(blank_after)) % 3 == 2))
            lines = pa.concat_arrays([lines, blank]).take(pa.array(order))
        offsets = np.frombuffer(lines.buffers()[1], np.int64)[lines.offset : lines.offset + len(lines) + 1]
        data = lines.buffers()[2]
        body = memoryview(data)[int(offsets[0]) : int(offsets[-1])] if data is not None else b""
    head = (",".join(header) + newline).encode("utf-8")
    if encoding != "utf-8":
        head, body = head.decode("utf-8").encode(encoding), bytes(body).decode("utf-8").encode(encoding)

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            f.write(b"\xef\xbb\xbf" if bom else b"")
            f.write(head)
            f.write(body)

    _replace(path, write)


def _typed(name: str, col: pa.Array) -> list[object]:
    """Cells as Excel holds them: ISO days as dates (with a time as datetimes), plain numbers as numbers,
    blanks as empty cells; what a clerk typed otherwise (2025/9/1, 2025年9月1日, " 30") stays text."""
    values = col.to_pylist()
    distinct = {v: _cell(name, v) for v in dict.fromkeys(values)}
    return [distinct[v] for v in values]


def _cell(name: str, v: str) -> object:
    if v == "":
        return None
    if name in DATES:
        if _ISO.match(v):
            return dt.date.fromisoformat(v)
        if _ISO_TIME.match(v):
            return dt.datetime.strptime(v, "%Y-%m-%d %H:%M")
    if name in _NUMBERS and v == v.strip():
        try:
            x = float(v)
        except ValueError:
            return v
        return int(x) if x == int(x) else x
    return v


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """Sheets into one workbook, write-only (streamed: rows are not kept as cells)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for kind, sheet_name, header, cols, blank_after, title in sheets:
        sheet = book.create_sheet(sheet_name)
        if title:
            sheet.append([title])
            sheet.append([])
        sheet.append(list(header))
        blank = set((blank_after - 1).tolist())
        for i, row in enumerate(zip(*[_typed(c, cols[c]) for c in COLUMNS[kind]], strict=True)):
            sheet.append(row)
            if i in blank:
                sheet.append([])
    _replace(path, lambda tmp: book.save(tmp))
