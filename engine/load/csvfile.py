"""A CSV file → a RawTable: pyarrow parses the rows; numpy finds which physical lines they are.

One scan finds the line ends (and, where the file has any, the quotes and NUL bytes of each
line). Lines with balanced quotes and no NUL byte go to pyarrow in one buffer; pyarrow names the
rows of the wrong width by their text, and their lines are found by searching for it (by
counting every line's separators only when that fails). Those lines, and the few with odd quotes,
go through the csv module one record at a time, which decides what each is: a blank line, a
quoted cell that spans lines (one record), a quote left open, a row cut short, too many values.
So one odd line costs a line's work, never a slower path for the rest.

Row numbers are the ones Excel shows: a record whose quoted cell spans lines counts once.
Text is UTF-8 (a BOM is dropped); text that is not UTF-8 but is GB18030 (which covers GBK,
what Excel saves on a Chinese Windows machine) is read as such and said in a warning.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import BadRow, BundleFileError
from ..model.warnings import ReportWarning
from .columns import FEW_VALUES, Header, is_header, match_header, no_header
from .table import RawTable
from .text import blank

BLOCK = 1 << 24  # bytes scanned at a time: bounded temporaries at any file size
HEADER_SEARCH = 50  # lines searched for the header row (a title row or two may come first)
UNUSED = {"note"}  # read by nobody: not parsed (a known column all the same, so no warning)
Text = bytes | mmap.mmap  # a file's bytes, as read or as mapped


def read_csv(path: Path, kind: str, source: str) -> RawTable:
    try:
        data = _mapped(path)
    except OSError as e:
        raise BundleFileError(source, f"cannot be read: {e.strerror}", f"无法读取：{e.strerror}") from e
    try:  # UTF-8 is checked where the text is read (pyarrow checks its columns), not in a pass of its own
        return _read(data, kind, source, [])
    except (UnicodeDecodeError, pa.ArrowInvalid) as e:
        if isinstance(e, pa.ArrowInvalid) and "UTF8" not in str(e):
            raise
    return _read(_from_gb18030(data, source), kind, source, [_gb18030_warning(source)])


def _mapped(path: Path) -> Text:
    """The file's bytes, mapped rather than copied: a copy of a 700 MB log costs the kernel a page fault for every 4 KB
    of it, several times what mapping the pages at once (MAP_POPULATE) costs."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""  # (an empty file cannot be mapped)
        return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)


def _read(data: Text, kind: str, source: str, warnings: list[ReportWarning]) -> RawTable:
    """The table from UTF-8 text (a BOM stays in the header line, where header matching drops it)."""
    if _lone_cr(data):  # a lone CR ends a line too, as Excel reads it
        data = bytes(data).replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # (Windows' CRLF is read as it is)
    if data and data[-1:] != b"\n":
        data = bytes(data) + b"\n"
    # the first lines only, for the header; the whole file's line ends only if it is not plain (below)
    lines = _Lines(data, upto=_after_lines(data, HEADER_SEARCH))
    header_at, header_cells = _find_header(lines, kind)
    # a quoted title cell above the header may span lines: rows are counted as records, as Excel shows them
    above = _records_in(lines, header_at)
    if not is_header(kind, header_cells):
        return RawTable(kind, source, {}, np.zeros(0, np.int32), warnings=warnings, fatal=[no_header(kind, header_cells, source, above + 1)])
    header = match_header(kind, header_cells, source, above + 1)
    width = len(header_cells)
    table = _read_plain_file(data, int(lines.end[header_at]) + 1, width, header, kind, source, above + 1) if lines.partial else None
    if table is None:
        if lines.partial:
            lines = _Lines(data)
        table = _read_body(lines, header_at + 1, width, header, kind, source, header_at - above)
    table.warnings = warnings + unread_warning(header, source)
    table.fatal = header.errors
    table.headers = header.texts
    return table


def _lone_cr(data: Text) -> bool:
    """Whether a CR stands anywhere but before an LF."""
    return data.find(b"\r") >= 0 and _matches(data, rb"\r[^\n]|\r$") > 0  # (find: `in` walks a mapped file byte by byte)


def _matches(data: Text, pattern: bytes, start: int = 0) -> int:
    """How many times a regular expression matches the bytes from `start` on (leftmost, not overlapping). Arrow's RE2
    searches the whole text in one call that lets go of the interpreter; a scan from Python, block by block, would wait
    for the interpreter at every block while the roster is checked on the other thread."""
    text = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([start, len(data)], np.int64)), pa.py_buffer(data)])
    return int(pc.count_substring_regex(text, pattern.decode("latin-1"))[0].as_py())


def _after_lines(data: Text, n: int) -> int:
    """Where the first n lines end."""
    at = 0
    for _ in range(n):
        nl = data.find(b"\n", at)
        if nl < 0:
            return len(data)
        at = nl + 1
    return at


def _read_plain_file(data: Text, body: int, width: int, header: Header, kind: str, source: str, header_row: int) -> RawTable | None:
    """The usual file, read without finding its lines: no NUL byte, every quoted cell closed on its own line, and every
    row as wide as the header (pyarrow says which are not). Then every line is a row (an empty line one of empty cells,
    dropped with the other blank rows), and row k of the table is the header's row + k. None for any other file, which
    _read_body reads line by line."""
    if data.find(b"\x00") >= 0 or not _quotes_close_on_their_line(data, body):
        return None
    wanted = _wanted(header)
    table, invalid = _parse(pa.py_buffer(data).slice(body), width, wanted, kind)
    if invalid:
        return None
    rows = np.arange(header_row + 1, header_row + 1 + table.num_rows, dtype=np.int32)
    columns, rows = _without_blank_rows({name: table.column(name) for name, _ in wanted}, rows)
    return RawTable(kind, source, columns, rows)


def _quotes_close_on_their_line(data: Text, body: int) -> bool:
    """Whether the quotes after `body` pair up, each pair on one line (so every line has an even number of them): then
    every pair of quotes is a match of `"[^"\n]*"`, and the matches are as many as half the quotes."""
    quotes = _matches(data, b'"', body)
    return quotes % 2 == 0 and _matches(data, b'"[^"\n]*"', body) == quotes // 2


def _wanted(header: Header) -> list[tuple[str, int]]:
    """The columns to parse, (name, position), in file order."""
    return [(name, idx) for name, idx in sorted(header.columns.items(), key=lambda kv: kv[1]) if name not in UNUSED]


def unread_warning(header: Header, source: str) -> list[ReportWarning]:
    if not header.unread:
        return []
    listed = ", ".join(f"'{c}'" for c in header.unread)
    return [ReportWarning("unread-column", f"{source}: the column{'s' if len(header.unread) > 1 else ''} {listed} {'are' if len(header.unread) > 1 else 'is'} not one the engine reads; left out",
                          f"{source}：列{'、'.join(f'“{c}”' for c in header.unread)}不是可识别的列，未读取", source, ())]  # fmt: skip


def _from_gb18030(mapped: Text, source: str) -> bytes:
    """Text that is not UTF-8, read as GB18030 (which covers GBK) and given back as UTF-8; an error naming the row when it is not that either."""
    data = bytes(mapped)
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as e:
        row = _row_at(data[: e.start].decode("gb18030"))
        try:
            data.decode("utf-8")
            utf8_row = row
        except UnicodeDecodeError as u:
            utf8_row = _row_at(data[: u.start].decode("utf-8"))
        # a UTF-8 file with one damaged row fails as GB18030 at its first Chinese text: the UTF-8 row is the one to look at
        also_en = f" (read as UTF-8, row {utf8_row} is the first that is not)" if utf8_row != row else ""
        also_zh = f"（按 UTF-8 读，第 {utf8_row} 行是第一处无法识别的地方）" if utf8_row != row else ""
        raise BundleFileError(f"{source}:{row}", f"is neither UTF-8 nor GB18030/GBK text{also_en}: in Excel use 'Save as → CSV UTF-8 (comma delimited)'",
                              f"既不是 UTF-8 也不是 GB18030/GBK 编码{also_zh}：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”") from e  # fmt: skip


def _gb18030_warning(source: str) -> ReportWarning:
    return ReportWarning("gb18030", f"{source}: not UTF-8; read as GB18030 (GBK), as Excel saves CSV on a Chinese Windows machine",
                         f"{source}：不是 UTF-8 编码，已按 GB18030（GBK）读取（中文版 Excel 默认的 CSV 编码）", source, ())  # fmt: skip


def _row_at(before: str) -> int:
    """The row (as Excel counts them) that a character after `before` stands in."""
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(before)))
    except csv.Error:
        records = before.count("\n") + 1
    return records + 1 if not before or before.endswith("\n") else records


class _Lines:
    """The physical lines of the text (each ends in \\n), with per-line counts of separators and quotes."""

    def __init__(self, data: Text, upto: int | None = None):
        self.data = data
        self.partial = upto is not None and upto < len(data)  # only the lines before `upto` are known
        buf = np.frombuffer(data, np.uint8)[:upto]
        ends = [np.flatnonzero(buf[at : at + BLOCK] == 10) + at for at in range(0, len(buf), BLOCK)]
        self.end = np.concatenate(ends) if ends else np.zeros(0, np.int64)  # position of each line's \n
        self.start = np.empty(len(self.end), np.int64)
        if len(self.end):
            self.start[0] = 0
            np.add(self.end[:-1], 1, out=self.start[1:])

    # asked only of a file read line by line: the header search and the plain file need none of them
    @cached_property
    def has_quotes(self) -> bool:
        return self.data.find(b'"') >= 0

    def __len__(self) -> int:
        return len(self.end)

    def text(self, i: int) -> str:
        return self.data[self.start[i] : self.end[i]].decode("utf-8")

    def _blocks(self, first: int) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        """Lines first… in blocks of about BLOCK bytes: (lo, hi, the block's bytes, each line's start in it and the block's end)."""
        buf = np.frombuffer(self.data, np.uint8)
        lo = first
        while lo < len(self):
            hi = max(int(np.searchsorted(self.end, self.start[lo] + BLOCK, "right")), lo + 1)
            a, b = int(self.start[lo]), int(self.end[hi - 1]) + 1
            yield lo, hi, buf[a:b], np.r_[self.start[lo:hi] - a, b - a]
            lo = hi

    def count(self, byte: int, first: int) -> np.ndarray:
        """How many times `byte` occurs in each line first…: where it is (flatnonzero), then a binary search per line."""
        out = np.zeros(len(self) - first, np.int64)
        if self.data.find(bytes([byte])) < 0:
            return out
        for lo, hi, chunk, bounds in self._blocks(first):
            out[lo - first : hi - first] = np.diff(np.searchsorted(np.flatnonzero(chunk == byte), bounds))
        return out

    def separators(self, first: int) -> np.ndarray:
        """The separators (commas outside quotes) in each line first…; read only when pyarrow's word on a line is not enough."""
        out = np.zeros(len(self) - first, np.int64)
        for lo, hi, chunk, bounds in self._blocks(first):
            comma = np.flatnonzero(chunk == 44)
            quote = np.flatnonzero(chunk == 34) if self.has_quotes else comma[:0]
            if len(quote):
                # a comma inside quotes is no separator: the quotes before it in its line are odd. While
                # every line before has balanced quotes, that is the parity of all the quotes before it.
                before = np.asarray(np.searchsorted(quote, bounds))
                parity = np.searchsorted(quote, comma) & 1
                if (before[:-1] & 1).any():
                    parity ^= before[np.searchsorted(bounds, comma, "right") - 1] & 1
                comma = comma[parity == 0]
            out[lo - first : hi - first] = np.diff(np.searchsorted(comma, bounds))
        return out


def _find_header(lines: _Lines, kind: str) -> tuple[int, list[str]]:
    """The index of the header line and its cells: the first line holding two known column names."""
    first_cells: tuple[int, list[str]] | None = None
    for i in range(min(len(lines), HEADER_SEARCH)):
        cells = next(csv.reader([lines.text(i).lstrip("\ufeff")]), [])
        if not any(c.strip() for c in cells):
            continue
        if first_cells is None:
            first_cells = (i, cells)
        if is_header(kind, cells):
            return i, cells
    return first_cells if first_cells is not None else (0, [])


def _records_in(lines: _Lines, n: int) -> int:
    """How many rows (records) the first n lines make."""
    if n == 0:
        return 0
    text = lines.data[: int(lines.end[n - 1]) + 1].decode("utf-8")
    return sum(1 for _ in csv.reader(io.StringIO(text)))


def _read_body(lines: _Lines, first: int, width: int, header: Header, kind: str, source: str, folded: int = 0) -> RawTable:
    wanted = _wanted(header)
    # lines pyarrow cannot be given: a quote that spans lines or is left open (odd quotes), a NUL byte
    # (empty lines and Excel's emptied rows `,,,,` go to pyarrow, and are dropped with the other blank rows below)
    odd = (lines.count(34, first) & 1 == 1) | (lines.count(0, first) > 0)
    records = _Records(lines, first, width, source)
    for i in np.flatnonzero(odd).tolist():
        records.examine(first + i)
    # the rest go to pyarrow, empty lines too (rows of empty cells, dropped below), so blank rows do not split the text
    plain = ~odd
    plain[np.array(sorted(records.consumed), dtype=np.int64) - first] = False
    keep = np.flatnonzero(plain) + first
    fast, invalid = _parse_plain(lines, keep, width, wanted, kind)
    if invalid:  # rows of the wrong width: find their lines, and let the csv module say what each is
        wrong = _locate(lines, keep, invalid)
        if wrong is None:
            wrong = keep[lines.separators(first)[keep - first] != width - 1]
        for i in wrong.tolist():
            records.examine(i, plain=True)
        keep = np.setdiff1d(keep, wrong)
        if fast.num_rows != len(keep):  # pyarrow and the count disagree about quotes: the csv module reads every line
            for i in keep.tolist():
                records.examine(i, plain=True)
            keep, fast = keep[:0], None
    # the row Excel shows: a line continuing a multi-line record is no row of its own
    continued = np.array(sorted(records.continued), dtype=np.int64)

    def row_of(i: np.ndarray) -> np.ndarray:
        return i + 1 - folded - np.searchsorted(continued, i)

    columns = {name: _concat(fast, name, records.rows, idx, _type(kind, name)) for name, idx in wanted}
    row_numbers = np.concatenate([row_of(keep), row_of(np.array([i for i, _ in records.rows], dtype=np.int64))])
    if records.rows:
        order = np.argsort(row_numbers, kind="stable")
        columns = {k: v.take(pa.array(order)) for k, v in columns.items()}
        row_numbers = row_numbers[order]
    columns, row_numbers = _without_blank_rows(columns, row_numbers)
    bad = [BadRow(source, int(row_of(np.array(i))), column, code, en, zh) for i, column, code, en, zh in records.bad]
    return RawTable(kind, source, columns, row_numbers.astype(np.int32), bad=bad)


def _locate(lines: _Lines, keep: np.ndarray, texts: list[str]) -> np.ndarray | None:
    """The lines (among `keep`) whose text pyarrow reported as rows of the wrong width; None when they cannot be told apart."""
    if len(texts) > 1000:
        return None
    found: list[int] = []
    for text, times in Counter(texts).items():
        raw = text.encode("utf-8")
        hits, at = [], lines.data.find(b"\n" + raw)
        while at >= 0:
            i = int(np.searchsorted(lines.start, at + 1))
            if i < len(lines) and int(lines.start[i]) == at + 1:
                end = int(lines.end[i])
                if end - (lines.data[end - 1 : end] == b"\r") - (at + 1) == len(raw):
                    hits.append(i)
            at = lines.data.find(b"\n" + raw, at + 1)
        at_keep = [i for i in hits if (k := int(np.searchsorted(keep, i))) < len(keep) and keep[k] == i]
        if len(at_keep) != times:
            return None
        found.extend(at_keep)
    return np.array(sorted(found), dtype=np.int64)


def _without_blank_rows(columns: dict[str, pa.Array], rows: np.ndarray) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Rows whose every cell is blank (Excel writes an emptied row as `,,,,`) are no rows."""
    if not columns or not len(rows):
        return columns, rows
    at: np.ndarray | None = None  # the rows still blank so far; None: every row (nothing asked yet)
    for col in columns.values():  # the first column rules out nearly every row at once; the others are asked of the rest only
        empty = blank(col if at is None else col.take(pa.array(at)))
        at = np.flatnonzero(empty) if at is None else at[empty]  # (no index of every row: at 10M rows, 80 MB of fresh memory)
        if not len(at):
            return columns, rows
    assert at is not None
    keep = np.ones(len(rows), dtype=bool)
    keep[at] = False
    # the runs between blank rows, as slices (no copy of the columns; they are few)
    starts, ends = np.r_[0, at + 1], np.r_[at, len(rows)]
    runs = [(int(a), int(b - a)) for a, b in zip(starts, ends, strict=True) if b > a]
    return {k: pa.chunked_array([c for a, n in runs for c in pa.chunked_array(v).slice(a, n).chunks], v.type) for k, v in columns.items()}, rows[keep]


def _concat(fast: pa.Table | None, name: str, slow: list[tuple[int, list[str]]], idx: int, type_: pa.DataType) -> pa.ChunkedArray:
    parts = []
    if fast is not None:
        parts.extend(fast.column(name).chunks)
    if slow:
        cells = pa.array([cells[idx] for _, cells in slow], pa.string())
        parts.append(cells.dictionary_encode() if pa.types.is_dictionary(type_) else cells)
    return pa.chunked_array(parts, type_)  # no copy: every step downstream takes chunks


def _parse_plain(lines: _Lines, keep: np.ndarray, width: int, wanted: list[tuple[str, int]], kind: str) -> tuple[pa.Table, list[str]]:
    """The plain lines through pyarrow, as one buffer (runs of consecutive lines joined; no copy when there is one run),
    and the text of every row pyarrow found of the wrong width (left out of the table)."""
    if not len(keep):
        return pa.table({name: pa.array([], _type(kind, name)) for name, _ in wanted}), []
    breaks = np.flatnonzero(np.diff(keep) != 1)
    run_first = np.r_[keep[0], keep[breaks + 1]]
    run_last = np.r_[keep[breaks], keep[-1]]
    whole = pa.py_buffer(lines.data)
    pieces = [whole.slice(int(lines.start[a]), int(lines.end[b]) + 1 - int(lines.start[a])) for a, b in zip(run_first.tolist(), run_last.tolist(), strict=True)]
    return _parse(pieces[0] if len(pieces) == 1 else pa.py_buffer(b"".join(memoryview(p) for p in pieces)), width, wanted, kind)


def _type(kind: str, name: str) -> pa.DataType:
    """Text; for a column of few distinct values (FEW_VALUES), dictionary-encoded text: pyarrow's parse threads keep each
    value once per block, and the checks look each value up once rather than every cell."""
    return pa.dictionary(pa.int32(), pa.string()) if name in FEW_VALUES.get(kind, ()) else pa.string()


def _parse(body: pa.Buffer, width: int, wanted: list[tuple[str, int]], kind: str) -> tuple[pa.Table, list[str]]:
    """Lines of CSV through pyarrow, every cell as text, one row per line (an empty line is a row of empty cells); the
    text of each row of the wrong width, left out."""
    names = [f"c{i}" for i in range(width)]
    by_index = {idx: name for name, idx in wanted}
    invalid: list[str] = []

    def wrong_width(row: pacsv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=wrong_width),
        convert_options=pacsv.ConvertOptions(column_types={n: _type(kind, by_index.get(int(n[1:]), "")) for n in names},
                                             include_columns=[f"c{i}" for i in sorted(by_index)],
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )  # fmt: skip
    return table.rename_columns([by_index[int(c[1:])] for c in table.column_names]), invalid


class _Records:
    """The odd lines, each read by the csv module into a record, a bad row, or nothing (a blank line)."""

    def __init__(self, lines: _Lines, first: int, width: int, source: str):
        self.lines, self.first, self.width, self.source = lines, first, width, source
        self.rows: list[tuple[int, list[str]]] = []  # (line index, cells) of good records
        self.bad: list[tuple[int, str, str, str, str]] = []  # (line index, column, code, en, zh)
        self.consumed: set[int] = set()  # lines read here (so not by pyarrow)
        self.continued: list[int] = []  # lines that continue the record of a line above

    def examine(self, i: int, plain: bool = False) -> None:
        if i in self.consumed:
            return
        self.consumed.add(i)
        text = self.lines.text(i)
        if text.count('"') % 2 and not plain:
            joined = self._spanning(i, text)
            if joined is not None:
                return
        cells = _cells(text)
        if cells is None:
            self.bad.append((i, "-", "open-quote", "a quote opened on this row is never closed (a cell starting with \" must end with \")",
                             "这一行有一个引号没有闭合（以 \" 开头的单元格必须以 \" 结尾）"))  # fmt: skip
            return
        self._record(i, cells)

    def _spanning(self, i: int, text: str) -> list[str] | None:
        """A record whose quoted cell goes on over the following lines, read as one; None when there is none."""
        parts = [text]
        for j in range(i + 1, min(len(self.lines), i + 200)):
            parts.append(self.lines.text(j))
            if parts[-1].count('"') % 2 == 0:
                continue
            cells = _cells("\n".join(parts))
            if cells is None or len(cells) != self.width:
                return None
            self.consumed.update(range(i + 1, j + 1))
            self.continued.extend(range(i + 1, j + 1))
            self._record(i, cells)
            return cells
        return None

    def _record(self, i: int, cells: list[str]) -> None:
        if not any(c.strip() for c in cells):
            return  # a blank line, or one of empty cells: no row
        if any("\x00" in c for c in cells):
            self.bad.append((i, "-", "nul", "a cell holds a NUL byte (the file is damaged, or was saved in a binary format): delete the character",
                             "单元格中有 NUL 字符（文件已损坏，或以二进制格式保存）：请删除该字符"))  # fmt: skip
            return
        w = self.width
        if len(cells) > w and any(c.strip() for c in cells[w:]):
            self.bad.append((i, "-", "too-many-values",
                             f"the row has {len(cells)} values but the header has {w} columns (a value containing a comma must be in double quotes)",
                             f"这一行有 {len(cells)} 个值，但表头只有 {w} 列（含逗号的值要用双引号括起来）"))  # fmt: skip
            return
        if len(cells) < w:
            self.bad.append((i, "-", "short-row", f"the row has {len(cells)} values but the header has {w} columns: the row is cut short",
                             f"这一行只有 {len(cells)} 个值，但表头有 {w} 列：这一行不完整"))  # fmt: skip
            return
        self.rows.append((i, cells[:w]))


def _cells(text: str) -> list[str] | None:
    """One record's cells by the csv module; None when a quote is left open."""
    try:
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as e:
        if "unexpected end of data" in str(e):
            return None
        rows = list(csv.reader(io.StringIO(text)))  # a stray quote inside a cell (`"ab"c`): read as Excel reads it
    if len(rows) != 1:
        return [] if not rows else None
    return rows[0]
