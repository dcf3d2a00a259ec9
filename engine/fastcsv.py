"""activities.csv at scale: whole blocks of bytes → numpy columns, no Python object per row.

The csv module costs about 5 µs a row once every cell becomes a str (a minute for 10M rows).
When a file has no double quote (so no cell holds a comma or a line break), its structure is
plain: a block of lines, `width - 1` commas each. Then each column is a pair of (start, end)
offset arrays, and a column's values are found by hashing its bytes and parsing only the
distinct values (a few hundred dates, ten actions, a few thousand mentor ids).

Only blocks where every row is clean take this path. A block with anything to explain (a bad
date, an unknown id, a blank line, a stray space) is handed to the csv module and the
row-by-row checks, which give the precise `file:line: column: reason`.
"""

from __future__ import annotations

import csv
import io
import math
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from .errors import BundleFileError, too_many_values

if TYPE_CHECKING:
    from .activities import ActivityBuilder

T = TypeVar("T")
BLOCK_BYTES = 16 << 20
_P = np.uint64(1099511628211)  # FNV prime: a fast, well-mixing multiplier for byte hashes


def has_quotes(path: Path) -> bool:
    with path.open("rb") as f:
        while chunk := f.read(64 << 20):
            if b'"' in chunk:
                return True
    return False


@dataclass(frozen=True)
class ActivityBlock:
    """Whole lines of activities.csv (after the header), starting at `first_line`."""

    data: bytes
    first_line: int
    columns: dict[str, int]
    width: int
    file: str

    def feed(self, builder: ActivityBuilder) -> None:
        if not _fast(self, builder):
            _slow(self, builder)


def blocks(path: Path, columns: dict[str, int], width: int, file: str, block_bytes: int = BLOCK_BYTES) -> Iterator[ActivityBlock]:
    """The file after its header in blocks of whole lines."""
    with path.open("rb") as f:
        f.readline()  # the header (and BOM), already read by the caller
        line, rest = 2, b""
        while True:
            chunk = f.read(block_bytes)
            buf = rest + chunk
            if not chunk:
                if buf:
                    yield ActivityBlock(buf if buf.endswith(b"\n") else buf + b"\n", line, columns, width, file)
                return
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                rest = buf
                continue
            block, rest = buf[:cut], buf[cut:]
            yield ActivityBlock(block, line, columns, width, file)
            line += block.count(b"\n")


def _slow(block: ActivityBlock, builder: ActivityBuilder) -> None:
    """The csv module and the row-by-row checks, for blocks with something to explain."""
    try:
        text = block.data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = block.first_line + block.data[: e.start].count(b"\n")
        raise BundleFileError(f"{block.file}:{line}", "is not UTF-8 text: in Excel use 'Save as → CSV UTF-8 (comma delimited)'",
                              "不是 UTF-8 编码：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”") from e  # fmt: skip
    rows = list(csv.reader(io.StringIO(text, newline="")))
    width = block.width
    lines, keep = [], []
    for i, row in enumerate(rows):  # no quotes in the file, so row i is line first_line + i
        line = block.first_line + i
        if not any(c.strip() for c in row):
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            builder.bad.append(too_many_values(block.file, line, len(row), width))
            continue
        lines.append(line)
        keep.append((row + [""] * width)[:width])
    if not keep:
        return
    cols = list(zip(*keep, strict=True))
    n = len(keep)

    def col(name: str) -> tuple[str, ...]:
        return cols[block.columns[name]] if name in block.columns else ("",) * n

    builder.add(col("id"), col("action"), col("date"), col("mentor_id"), col("student_ids"), col("class"), col("duration_min"), lines)


class _Unclean(Exception):
    """This block needs the row-by-row path."""


def _fast(block: ActivityBlock, builder: ActivityBuilder) -> bool:
    parsed = _parse(block, builder)
    if parsed is None:
        return False
    if parsed:  # () for a block without a line
        builder.add_arrays(*parsed)
    return True


class ParsedBlock:
    """A block being parsed on a worker thread; `feed` adds it in file order (or takes the slow path)."""

    def __init__(self, block: ActivityBlock, future: Future[tuple[np.ndarray, ...] | None]):
        self.block, self.future = block, future

    def feed(self, builder: ActivityBuilder) -> None:
        parsed = self.future.result()
        if parsed is None:
            _slow(self.block, builder)
        elif parsed:  # () for a block without a line
            builder.add_arrays(*parsed)


class ParsedAhead(Generic[T]):
    """The chunks in order, byte blocks parsed on worker threads up to `ahead` blocks in advance.

    The fast path is numpy work that releases the GIL (hashing, sorting, searching), so two
    blocks parse at once on two cores while this thread reads the next block from the file.
    `start()` submits the first blocks early, so that they parse while the caller's own Python
    work (checking assignments and ratings) runs. The workers only read the builder's indexes,
    add to its date memo (whose values do not depend on who adds them first) and code new
    action names under a lock (finish() renumbers the codes by name). Every block is then
    added, or explained row by row, by the consuming thread in file order, so the result and
    the bad rows are exactly those of the one-thread path.
    """

    def __init__(self, chunks: Iterable[T], builder: ActivityBuilder, workers: int = 2, ahead: int = 8):
        self.chunks, self.builder, self.workers, self.ahead = iter(chunks), builder, workers, max(ahead, 1)
        self.pool: ThreadPoolExecutor | None = None  # started by the first byte block: rows from a database need none
        self.queue: deque[ParsedBlock | T] = deque()

    def start(self) -> ParsedAhead[T]:
        """Queue chunks up to `ahead` (bounded memory: at most that many blocks parsed and waiting)."""
        while len(self.queue) < self.ahead and self._pull():
            pass
        return self

    def _pull(self) -> bool:
        """Queue the next chunk (a block goes to a worker); False at the end."""
        chunk = next(self.chunks, None)
        if chunk is None:
            return False
        if isinstance(chunk, ActivityBlock):
            if self.pool is None:
                _warm(self.builder)
                self.pool = ThreadPoolExecutor(max_workers=self.workers)
            self.queue.append(ParsedBlock(chunk, self.pool.submit(_parse, chunk, self.builder)))
        else:
            self.queue.append(chunk)
        return True

    def close(self) -> None:
        """Stop the workers: wait for the running blocks, drop the rest."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __iter__(self) -> Iterator[T | ParsedBlock]:
        try:
            self.start()
            while self.queue:
                yield self.queue.popleft()
                self.start()
        finally:
            self.close()


def _warm(builder: ActivityBuilder) -> None:
    """Build the id hash tables once, before the workers need them (else each would build its own)."""
    try:
        if builder.known_mentors is None:
            builder.known_mentors = KnownIds.of(dict(builder.mentor_index))
        if builder.known_students is None:
            builder.known_students = KnownIds.of(dict(builder.student_index))
    except _Unclean:
        pass  # two ids share a hash: _parse fails the same way and every block takes the slow path


def _parse(block: ActivityBlock, builder: ActivityBuilder) -> tuple[np.ndarray, ...] | None:
    """The block's columns and line numbers, or None when it needs the row-by-row path."""
    raw = block.data.replace(b"\r\n", b"\n") if b"\r" in block.data else block.data
    data = np.frombuffer(raw + b"\0" * 8, dtype=np.uint8)  # padding: hashes read 8 bytes at a time
    nl = np.flatnonzero(data == 10)
    n = len(nl)
    if n == 0:
        return ()
    width = block.width
    commas = np.flatnonzero(data == 44)
    if len(commas) != n * (width - 1):
        return None
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = nl[:-1] + 1
    cpos = commas.reshape(n, width - 1) if width > 1 else np.zeros((n, 0), np.int64)
    if width > 1 and not (((cpos[:, 0] >= starts) & (cpos[:, -1] < nl)).all()):
        return None

    def field(name: str) -> tuple[np.ndarray, np.ndarray] | None:
        if name not in block.columns:
            return None
        k = block.columns[name]
        s = starts if k == 0 else cpos[:, k - 1] + 1
        e = cpos[:, k] if k < width - 1 else nl
        return s.astype(np.int64), e.astype(np.int64)

    try:
        cols = _columns(data, n, field, builder)
    except (_Unclean, UnicodeDecodeError):
        return None
    lines = block.first_line + np.arange(n, dtype=np.int32)
    return (*cols, lines)


def _byte(data: np.ndarray, s: np.ndarray, length: np.ndarray, k: int) -> np.ndarray:
    """The k-th byte of each field (0 past its end), without an (n, w) index matrix."""
    col = data[np.minimum(s + k, len(data) - 1)]
    col[k >= length] = 0
    return col


def _gather(data: np.ndarray, s: np.ndarray, length: np.ndarray, w: int) -> np.ndarray:
    """(n, w) bytes of each field, zero-padded, built one byte position at a time."""
    mat = np.empty((len(s), w), dtype=np.uint8)
    for k in range(w):
        mat[:, k] = _byte(data, s, length, k)
    return mat


_P2 = np.uint64(0x9E3779B97F4A7C15)


_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _hashes(data: np.ndarray, s: np.ndarray, length: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes of each field's bytes, read 8 bytes at a time.

    `data` must end with at least 8 bytes of padding past the last field (see _fast).
    """
    words = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))  # unaligned 8-byte windows
    h1 = length.astype(np.uint64)
    h2 = h1 ^ _P2
    for k in range(0, w, 8):
        left = np.clip(length - k, 0, 8)
        word = words[np.minimum(s + k, len(words) - 1)] & _MASKS[left]
        h1 = h1 * _P + word
        h2 = (h2 ^ word) * _P2 + (word >> np.uint64(29))
    return h1, h2


@dataclass(frozen=True, eq=False)
class KnownIds:
    """Hashes of known ids (students), to map many distinct cells without a per-row unique."""

    h1: np.ndarray  # sorted
    h2: np.ndarray
    index: np.ndarray

    @staticmethod
    def of(ids: dict[str, int]) -> KnownIds:
        names = list(ids)
        raw = [n.encode("utf-8") for n in names]
        data = np.frombuffer(b"".join(raw) + b"\0" * 8, dtype=np.uint8)
        length = np.array([len(r) for r in raw], dtype=np.int64)
        s = np.zeros(len(raw), dtype=np.int64)
        if len(raw) > 1:
            np.cumsum(length[:-1], out=s[1:])
        h1, h2 = _hashes(data, s, length, int(length.max()) if len(raw) else 0)
        order = np.argsort(h1)
        if len(order) > 1 and (np.diff(h1[order]) == 0).any():
            raise _Unclean  # two ids share a hash: never in practice, but then be exact the slow way
        return KnownIds(h1[order], h2[order], np.array([ids[n] for n in names], dtype=np.int64)[order])

    def lookup(self, data: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
        length = e - s
        w = int(length.max()) if len(s) else 0
        if w > 256 or not len(self.h1):
            raise _Unclean
        h1, h2 = _hashes(data, s, length, w)
        order = np.argsort(h1)  # binary search runs much faster on sorted keys (each starts where the last ended)
        pos = np.empty(len(h1), dtype=np.int64)
        pos[order] = np.minimum(np.searchsorted(self.h1, h1[order]), len(self.h1) - 1)
        if not ((self.h1[pos] == h1) & (self.h2[pos] == h2)).all():  # an unknown id or a stray blank
            raise _Unclean
        return self.index[pos]


def _codes(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct hashes (sorted) and each row's position among them.

    A column has few distinct values, so they are found in a sample first; only the rows
    the sample missed go through a full unique.
    """
    n = len(h)
    uniq = np.unique(h[:: max(n // 4096, 1)])
    pos = np.minimum(np.searchsorted(uniq, h), len(uniq) - 1)
    missed = uniq[pos] != h
    if missed.any():
        uniq = np.union1d(uniq, np.unique(h[missed]))
        pos = np.searchsorted(uniq, h)
    return uniq, pos


def _factorize(data: np.ndarray, span: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Per-row code into the distinct values (decoded) of one column.

    Two independent 64-bit hashes per field: rows are grouped by the first, and the second
    must agree within each group (else the block goes the slow way). The distinct values
    are few, so the per-row work is a hash, a searchsorted and a scatter.
    """
    s, e = span
    length = e - s
    n = len(s)
    w = int(length.max()) if n else 0
    if w == 0:
        return np.zeros(n, np.int64), [""]
    if w > 256:
        raise _Unclean
    h1, h2 = _hashes(data, s, length, w)
    uniq, inverse = _codes(h1)
    if len(uniq) > max(1024, n // 4):  # a column of mostly distinct values is not worth factorizing here
        raise _Unclean
    first = np.empty(len(uniq), dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)  # the last write wins: each value's first row
    if not (h2 == h2[first][inverse]).all():
        raise _Unclean
    values = [bytes(data[s[i] : e[i]]).decode("utf-8") for i in first.tolist()]
    return inverse.astype(np.int64), values


def _lookup(data: np.ndarray, span: tuple[np.ndarray, np.ndarray] | None, n: int, convert, missing):  # type: ignore[no-untyped-def]
    """Column values through `convert` on each distinct text; _Unclean when any text is not clean."""
    if span is None:
        return None
    codes, values = _factorize(data, span)
    table = []
    for v in values:
        if v != v.strip():
            raise _Unclean
        out = convert(v)
        if out is missing:
            raise _Unclean
        table.append(out)
    return np.asarray(table)[codes] if table else np.zeros(n)


_Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _columns(data: np.ndarray, n: int, field, builder: ActivityBuilder) -> _Columns:  # type: ignore[no-untyped-def]
    id_span = field("id")
    assert id_span is not None
    s, e = id_span
    length = e - s
    if (length == 0).any():
        raise _Unclean
    w = int(length.max())
    if w > 256:
        raise _Unclean
    mat = _gather(data, s, length, w)
    if (mat[:, 0] == 32).any() or (mat[np.arange(n), length - 1] == 32).any():
        raise _Unclean
    ids = np.ascontiguousarray(mat).view(f"S{w}").reshape(-1)
    if (mat >= 128).any():  # non-ASCII ids: keep them as text, like the row path does
        ids = np.char.decode(ids, "utf-8")

    def action_code(v: str) -> int | None:
        return builder.action_code(v) if v else None

    action = _lookup(data, field("action"), n, action_code, None)
    day = _lookup(data, field("date"), n, lambda v: builder.days.day(v) if v else None, None)
    mentor_span = field("mentor_id")
    assert mentor_span is not None
    if builder.known_mentors is None:
        builder.known_mentors = KnownIds.of(dict(builder.mentor_index))
    mentor = builder.known_mentors.lookup(data, *mentor_span)
    klass = _lookup(data, field("class"), n, lambda v: builder.class_index.get(v) if v else -1, None)
    if klass is None:
        klass = np.full(n, -1, np.int32)

    def minutes(v: str) -> float | None:
        if not v:
            return math.nan
        try:
            x = float(v)
        except ValueError:
            return None
        return x if math.isfinite(x) and x >= 0 else None

    duration = _lookup(data, field("duration_min"), n, minutes, None)
    if duration is None:
        duration = np.full(n, np.nan, np.float32)
    counts, flat = _students(data, n, field("student_ids"), builder)
    return (ids, action.astype(np.int32), day.astype(np.int32), mentor.astype(np.int32), klass.astype(np.int32),
            duration.astype(np.float32), counts, flat)  # fmt: skip


def _students(
    data: np.ndarray, n: int, span: tuple[np.ndarray, np.ndarray] | None, builder: ActivityBuilder
) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the `;`-separated student ids of each row."""
    if span is None:
        return np.zeros(n, np.int64), np.zeros(0, np.int32)
    fs, fe = span
    semis = np.flatnonzero(data == 59)
    if len(semis):
        row = np.searchsorted(fe, semis, "left")  # the first field ending at or after the ';' (few ';', so cheap)
        row = np.minimum(row, len(fe) - 1)
        inside = (semis >= fs[row]) & (semis < fe[row])
        semis = semis[inside]
        semi_row = row[inside].astype(np.int64)
    else:
        semi_row = np.zeros(0, np.int64)
    filled = np.flatnonzero(fe > fs)
    # sub-fields in file order: each filled field's first id, then one more after each ';'
    sub_s = np.concatenate([fs[filled], semis + 1])
    sub_e = np.concatenate([semis, fe[filled]])
    sub_row = np.concatenate([filled, semi_row])
    order = np.argsort(sub_s, kind="stable")
    sub_s, sub_row = sub_s[order], sub_row[order]
    sub_e = np.sort(sub_e)
    if (sub_e <= sub_s).any():  # an empty id between semicolons
        raise _Unclean
    if not len(sub_s):
        return np.zeros(n, np.int64), np.zeros(0, np.int32)
    known = builder.known_students
    if known is None:
        known = builder.known_students = KnownIds.of(dict(builder.student_index))
    stu = known.lookup(data, sub_s, sub_e)
    counts = np.bincount(sub_row, minlength=n).astype(np.int64)
    multi = counts[sub_row] > 1
    if multi.any():
        key = sub_row[multi] * max(len(builder.student_index), 1) + stu[multi]
        if len(np.unique(key)) != len(key):  # a student named twice in one row
            raise _Unclean
    return counts, stu.astype(np.int32)
