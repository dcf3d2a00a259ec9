"""activities.csv at scale: whole blocks of bytes → numpy columns, no Python object per row.

The csv module costs about 5 µs a row once every cell becomes a str (a minute for 10M rows).
When a file has no double quote (so no cell holds a comma or a line break), its structure is
plain: a block of lines, `width - 1` commas each. Then each column is a pair of (start, end)
offset arrays, and a column's values are found by reading its bytes as 8-byte words and
looking them up in exact hash tables: the known mentor and student ids, built once, and for
each other column the distinct texts met so far (a few hundred dates, ten actions), each
parsed once when first met.

Only blocks where every row is clean take this path. A block with anything to explain (a bad
date, an unknown id, a blank line, a stray space) is handed to the csv module and the
row-by-row checks, which give the precise `file:line: column: reason`.
"""

from __future__ import annotations

import csv
import io
import math
import mmap
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from .activities import LoadOrder, take_rows
from .errors import BundleFileError, too_many_values

if TYPE_CHECKING:
    from .activities import ActivityBuilder

T = TypeVar("T")
BLOCK_BYTES = 16 << 20
_PAD = 32  # fields are read up to 32 bytes at a time, so every block has this many readable bytes past its last line
_MAX_FIELD = 256  # longer cells take the row-by-row path (no id or value is that long)
_MAX_VALUES = 1 << 16  # distinct texts of one column (dates, classes, …) worth remembering


def has_quotes(path: Path) -> bool:
    """Whether any cell may be quoted: one memchr over the mapped file, no copy."""
    with path.open("rb") as f:
        try:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return mm.find(b'"') >= 0
        except (ValueError, OSError):  # an empty file, or one that cannot be mapped
            buf = bytearray(1 << 24)
            while k := f.readinto(buf):
                if buf.find(b'"', 0, k) >= 0:
                    return True
            return False


class _Lines:
    """The first line of the next block to be added: blocks are added in file order, and the
    workers count each block's lines, so that the reading thread never scans the bytes."""

    def __init__(self) -> None:
        self.next = 2  # line 1 is the header

    def take(self, n: int) -> int:
        first = self.next
        self.next += n
        return first


@dataclass(frozen=True, eq=False)
class ActivityBlock:
    """Whole lines of activities.csv (after the header): `data[:size]`, then at least _PAD readable bytes."""

    data: np.ndarray  # uint8, a view of the mapped file (the padding is the next block's bytes) or a padded copy
    size: int
    columns: dict[str, int]
    width: int
    file: str
    lines: _Lines  # shared by the blocks of one file

    def feed(self, builder: ActivityBuilder) -> None:
        _add(self, builder, _parse(self, builder))


def blocks(path: Path, columns: dict[str, int], width: int, file: str, block_bytes: int = BLOCK_BYTES) -> Iterator[ActivityBlock]:
    """The file after its header in blocks of whole lines, each a view of its own mapping (no read, no copy).

    A block's mapping goes with the block, so the file's pages do not all stay in the
    process's memory until the end.
    """
    lines = _Lines()
    with path.open("rb") as f:
        f.readline()  # the header (and BOM), already read by the caller
        pos = f.tell()
        try:
            whole: mmap.mmap | bytes = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):  # an empty file, or one that cannot be mapped
            f.seek(0)
            whole = f.read()
        try:
            size = len(whole)
            while pos < size:
                end = size if size - pos <= block_bytes else whole.rfind(b"\n", pos, pos + block_bytes) + 1
                if end == 0:  # a line longer than a block: take it whole
                    end = whole.find(b"\n", pos + block_bytes) + 1 or size
                if end + _PAD <= size and isinstance(whole, mmap.mmap):
                    data = _mapped(f.fileno(), pos, end + _PAD)
                else:  # at the end of the file: a padded copy, ending with a newline as the last line may not
                    raw = whole[pos:end] if whole[end - 1 : end] == b"\n" else whole[pos:end] + b"\n"
                    data = np.frombuffer(raw + b"\0" * _PAD, dtype=np.uint8)
                yield ActivityBlock(data, len(data) - _PAD, columns, width, file, lines)
                pos = end
        finally:
            if isinstance(whole, mmap.mmap):
                whole.close()


def _mapped(fd: int, start: int, stop: int) -> np.ndarray:
    """Bytes start:stop of a file as a read-only array over its own mapping."""
    skip = start % mmap.ALLOCATIONGRANULARITY
    mm = mmap.mmap(fd, stop - start + skip, access=mmap.ACCESS_READ, offset=start - skip)
    return np.frombuffer(mm, dtype=np.uint8, offset=skip)


def _add(block: ActivityBlock, builder: ActivityBuilder, parsed: _Parsed) -> None:
    """A parsed block into the builder (in file order): its columns, or the row-by-row path."""
    n, grouped = parsed
    first = block.lines.take(n)
    if grouped is None:
        _slow(block, builder, first)
    elif n:
        cols, load = grouped
        builder.add_arrays(*cols, (load.order + first).astype(np.int32), load=load)


def _slow(block: ActivityBlock, builder: ActivityBuilder, first_line: int) -> None:
    """The csv module and the row-by-row checks, for blocks with something to explain."""
    raw = block.data[: block.size].tobytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = first_line + raw[: e.start].count(b"\n")
        raise BundleFileError(f"{block.file}:{line}", "is not UTF-8 text: in Excel use 'Save as → CSV UTF-8 (comma delimited)'",
                              "不是 UTF-8 编码：在 Excel 中请用“另存为 → CSV UTF-8（逗号分隔）”") from e  # fmt: skip
    rows = list(csv.reader(io.StringIO(text, newline="")))
    width = block.width
    lines, keep = [], []
    for i, row in enumerate(rows):  # no quotes in the file, so row i is line first_line + i
        line = first_line + i
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


class ParsedBlock:
    """A block being parsed on a worker thread; `feed` adds it in file order (or takes the slow path)."""

    def __init__(self, block: ActivityBlock, future: Future[_Parsed]):
        self.block, self.future = block, future

    def feed(self, builder: ActivityBuilder) -> None:
        _add(self.block, builder, self.future.result())


class ParsedAhead(Generic[T]):
    """The chunks in order, byte blocks parsed on worker threads up to `ahead` blocks in advance.

    The fast path is numpy work that releases the GIL (gathers, compares, table probes), so two
    blocks parse at once on two cores while this thread does its own work. `start()` submits
    the first blocks early, so that they parse while the caller's own Python work (checking
    assignments and ratings) runs. The workers only read the builder's indexes, add to its
    date memo (whose values do not depend on who adds them first), grow the tables of distinct
    column values under a lock, and code new action names under a lock (finish() renumbers the
    codes by name). Every block is then added, or explained row by row, by the consuming thread
    in file order (which also numbers its lines), so the result and the bad rows are exactly
    those of the one-thread path.
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


# --------------------------------------------------------------------------- exact hash tables

_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_FOLD = np.uint64(29)
_MULT = np.array([(0x9E3779B97F4A7C15 * (2 * k + 1)) % (1 << 64) | 1 for k in range(_MAX_FIELD // 8)], dtype=np.uint64)  # odd, one per word


def _words(data: np.ndarray, s: np.ndarray, length: np.ndarray, nw: int) -> list[np.ndarray]:
    """Each field's first 8 * nw bytes as little-endian 64-bit words, zero past its end.

    With no NUL byte in any field (blocks with one take the row path), the words are the
    field's bytes exactly: equal words, equal text. `data` must have _PAD bytes past the
    last field.
    """
    if nw <= _PAD // 8:  # one gather of 8 * nw bytes at each start (half the time of one gather per word)
        cells = np.ndarray(shape=(len(data) - 8 * nw + 1,), dtype=f"V{8 * nw}", buffer=data, strides=(1,))
        got = cells[s].view("<u8").reshape(-1, nw)
        raw = [got[:, k] for k in range(nw)]
    else:  # a long field: word by word, never past the end of data
        win = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
        raw = [win[np.minimum(s + 8 * k, len(win) - 1)] for k in range(nw)]
    lo, hi = (int(length.min()), int(length.max())) if len(length) else (0, 0)
    out = []
    for k, word in enumerate(raw):
        if lo >= 8 * (k + 1):  # every field fills this word
            out.append(np.ascontiguousarray(word))
        else:  # some field ends within it: clear the bytes past the end
            out.append(word & (_MASKS[min(max(lo - 8 * k, 0), 8)] if lo == hi else _MASKS[np.clip(length - 8 * k, 0, 8)]))
    return out


def _mix(words: list[np.ndarray]) -> np.ndarray:
    """A 64-bit hash of padded words; zero words add nothing, so a key hashes alike read as any number of words.

    The shift folds each word's high bytes (the ends of short ids, where they differ) into its
    low ones before the multiply spreads every bit into the top bits that pick the slot.
    """
    h = (words[0] ^ (words[0] >> _FOLD)) * _MULT[0]
    for k in range(1, len(words)):
        h += (words[k] ^ (words[k] >> _FOLD)) * _MULT[k]
    return h


def _encode(keys: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys laid end to end (with padding) as (data, starts, lengths), to be read like a block."""
    data = np.frombuffer(b"".join(keys) + b"\0" * _PAD, dtype=np.uint8)
    length = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    s = np.zeros(len(keys), dtype=np.int64)
    np.cumsum(length[:-1], out=s[1:])
    return data, s, length


class _Table:
    """Exact open-addressing hash table: a field's bytes → an int, probed for a whole column at once.

    A power-of-two table at most a quarter full (a sixteenth for a few thousand keys or fewer,
    so that nearly every field is found at its first probe), slot = top bits of the hash,
    linear probing. Each slot holds the key's words and its value, so a probe is one gathered
    row and an exact comparison: a hash never decides an answer on its own.
    """

    def __init__(self, keys: list[bytes], values: np.ndarray):
        data, s, length = _encode(keys)
        self.maxlen = int(length.max()) if len(keys) else 0
        self.nw = nw = max(-(-self.maxlen // 8), 1)
        words = _words(data, s, length, nw) if len(keys) else [np.zeros(0, np.uint64)]
        bits = max((len(keys) * (16 if len(keys) <= 4096 else 4)).bit_length(), 4)  # few keys: a sparse table, found at the first probe
        self.shift, self.mask = np.uint64(64 - bits), (1 << bits) - 1
        home = (_mix(words) >> self.shift).astype(np.intp)
        owner = np.full(1 << bits, -1, dtype=np.intp)
        pending, self.rounds = np.arange(len(keys)), 0
        while len(pending):  # round d places every key not yet placed at home + d, if free
            slot = (home[pending] + self.rounds) & self.mask
            free = owner[slot] < 0
            claim, at = pending[free], slot[free]
            owner[at] = claim  # several keys may claim one slot: one write wins, the others go on
            pending = np.concatenate([pending[~free], claim[owner[at] != claim]])
            self.rounds += 1
        self.slots = np.zeros((1 << bits, nw + 1), dtype=np.uint64)  # the key's words, then its value
        self.slots[:, nw] = np.uint64(-1 % (1 << 64))  # an empty slot's value: -1, not found
        used = np.flatnonzero(owner >= 0)
        for k in range(nw):
            self.slots[used, k] = words[k][owner[used]]
        self.slots[used, nw] = values[owner[used]]

    def find(self, data: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
        """The value of each field (int64), -1 where it is not a key (an empty field is never one)."""
        length = e - s
        longest = int(length.max()) if len(s) else 0
        if longest == 0 or self.maxlen == 0:
            return np.full(len(s), -1, dtype=np.int64)
        nw = min(-(-longest // 8), self.nw)
        words = _words(data, s, length, nw)
        slot = (_mix(words) >> self.shift).astype(np.intp)
        # the first probe for every field at once; an empty field meets an empty slot, whose value is -1
        got = np.take(self.slots, slot, axis=0)
        same = self._same(got, words, nw)
        if longest > self.maxlen:  # a longer field may begin like a key: never equal to it
            same &= length <= self.maxlen
        if same.all():
            return got[:, self.nw].astype(np.int64)
        out = np.where(same, got[:, self.nw].view(np.int64), -1)
        if self.rounds == 1:
            return out
        go_on = ~same & (got[:, 0] != 0) & (words[0] != 0)  # the home slot holds another key
        if longest > self.maxlen:
            go_on &= length <= self.maxlen
        todo = np.flatnonzero(go_on)
        if len(todo):  # the few others: the rest of their probe window at once
            window = (slot[todo, None] + np.arange(1, self.rounds)) & self.mask
            got = np.take(self.slots, window.ravel(), axis=0).reshape(len(todo), self.rounds - 1, self.nw + 1)
            same = self._same(got, [w[todo, None] for w in words], nw)
            hit = np.flatnonzero(same.any(axis=1))  # a key is in one slot only: no other slot can match
            out[todo[hit]] = got[hit, same[hit].argmax(axis=1), self.nw].view(np.int64)
        return out

    def _same(self, got: np.ndarray, words: list[np.ndarray], nw: int) -> np.ndarray:
        """Whether each gathered slot (the last axis: words, value) holds exactly the field's words."""
        same = got[..., 0] == words[0]
        for k in range(1, nw):
            same &= got[..., k] == words[k]
        if nw < self.nw:  # a key longer than nw words has a non-zero word there
            same &= ~got[..., nw : self.nw].any(axis=-1)
        return same


def _clean(index: Mapping[str, int], semicolons: bool) -> tuple[list[bytes], np.ndarray, bool]:
    """The ids a stripped cell can equal byte for byte (as UTF-8), their values, and whether that is every id."""
    keys = [k for k in index if isinstance(k, str) and k and k == k.strip() and "\0" not in k and (semicolons or ";" not in k)]
    try:
        raw = [k.encode("utf-8") for k in keys]
    except UnicodeEncodeError:  # a lone surrogate: no cell can hold it
        keys = [k for k in keys if k.encode("utf-8", "replace") == k.encode("utf-8", "surrogatepass")]
        raw = [k.encode("utf-8") for k in keys]
    values = np.array(list(index.values()) if len(keys) == len(index) else [index[k] for k in keys], dtype=np.int64)
    return raw, values, len(keys) == len(index) - ("" in index)


class _Known:
    """Tables of the known ids, built once per builder and shared by the workers.

    The row path looks up a mentor cell stripped, and a student cell first as it is, then
    split at ';' with its parts stripped. Only ids that such a cell can equal byte for byte
    are in the tables; when some student id is not one (it holds a ';', a blank at an end…),
    a cell that misses may still name it, so any miss sends the block the row-by-row way.
    """

    def __init__(self, mentors: Mapping[str, int], students: Mapping[str, int]):
        keys, values, _ = _clean(mentors, semicolons=True)
        self.mentors = _Table(keys, values)
        keys, values, self.all_students = _clean(students, semicolons=False)
        self.students = _Table(keys, values)
        self.values: dict[str, _Values] = {}
        self.lock = threading.Lock()

    def column(self, name: str, convert: Callable[[str], Any]) -> _Values:
        with self.lock:
            return self.values.setdefault(name, _Values(convert, self.lock))


class _Values:
    """A column's distinct texts met so far and what each converts to (a day, an action code…).

    Each new text is decoded and converted once; the table is rebuilt with it and swapped in
    whole, so the workers read a consistent (table, values) pair without a lock.
    """

    def __init__(self, convert: Callable[[str], Any], lock: threading.Lock):
        self.convert, self.lock = convert, lock
        self.index: dict[bytes, int] = {}  # text → its place in values
        self.values: list[Any] = []
        self.current: tuple[_Table, np.ndarray] = (_Table([], np.zeros(0, np.int64)), np.zeros(0))
        self.empty: Any = None  # the value of an empty cell, once asked

    def lookup(self, data: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Each field's converted value; _Unclean when a text does not convert as it stands."""
        table, values = self.current
        blank = e == s
        filled = np.flatnonzero(~blank) if 2 * int(np.count_nonzero(blank)) > len(s) else None
        if filled is None:
            code = table.find(data, s, e)
        else:  # a mostly blank column (class): look up only the filled cells
            code = np.full(len(s), -1, dtype=np.int64)
            code[filled] = table.find(data, s[filled], e[filled])
        miss = np.flatnonzero((code < 0) & ~blank)
        while len(miss):
            sample = miss[:: max(len(miss) // 512, 1)]
            table, values = self._learn({data[a:b].tobytes() for a, b in zip(s[sample].tolist(), e[sample].tolist(), strict=True)})
            code[miss] = table.find(data, s[miss], e[miss])
            miss = miss[code[miss] < 0]
        out = values[np.maximum(code, 0)] if len(values) else np.zeros(len(s))
        if blank.any():
            if self.empty is None:
                self.empty = self.convert("")
            if self.empty is None:
                raise _Unclean
            out = out.astype(np.result_type(out, np.asarray(self.empty)), copy=False)
            out[blank] = self.empty
        return out

    def _learn(self, texts: set[bytes]) -> tuple[_Table, np.ndarray]:
        with self.lock:
            new = [raw for raw in texts if raw not in self.index]
            for raw in new:
                text = raw.decode("utf-8")  # UnicodeDecodeError: the row path reports the line
                value = self.convert(text) if text == text.strip() else None
                if value is None or len(self.values) >= _MAX_VALUES:
                    raise _Unclean
                self.index[raw] = len(self.values)
                self.values.append(value)
            if new:
                self.current = (_Table(list(self.index), np.arange(len(self.values))), np.asarray(self.values))
            return self.current


def _warm(builder: ActivityBuilder) -> _Known:
    """The id tables, built once before the workers need them (else each would build its own)."""
    if builder.fast is None:
        builder.fast = _Known(builder.mentor_index, builder.student_index)
    known: _Known = builder.fast
    return known


# --------------------------------------------------------------------------- one block

_Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_Parsed = tuple[int, tuple[_Columns, LoadOrder] | None]  # the block's line count, and its rows unless it needs the row path
_Span = tuple[np.ndarray, np.ndarray]


def _parse(block: ActivityBlock, builder: ActivityBuilder) -> _Parsed:
    """The block's line count, and its columns (grouped by action) or None when it needs the row-by-row path."""
    data, size = block.data, block.size
    at = np.flatnonzero(data[:size] <= 44)  # one pass finds '\n' and ',' (and rarer bytes, sorted out below)
    kind = data[at]
    newline = kind == 10
    n = int(np.count_nonzero(newline))
    if n and (kind == 13).any():  # Windows line ends: read as the csv module does
        raw = data[:size].tobytes().replace(b"\r\n", b"\n")
        data, size = np.frombuffer(raw + b"\0" * _PAD, dtype=np.uint8), len(raw)
        at = np.flatnonzero(data[:size] <= 44)
        kind = data[at]
        newline = kind == 10
    try:
        field = _fields(at, kind, newline, n, block)
        return n, _grouped(_columns(data, n, field, builder))
    except (_Unclean, UnicodeDecodeError):
        return n, None


def _fields(at: np.ndarray, kind: np.ndarray, newline: np.ndarray, n: int, block: ActivityBlock) -> Callable[[str], _Span | None]:
    """(start, end) of each column's cell on each line; _Unclean unless each line has width - 1 commas."""
    if not n or (kind == 0).any() or (kind == 13).any():  # a NUL byte, or a lone carriage return
        raise _Unclean
    sep = newline | (kind == 44)
    if not sep.all():
        at, kind = at[sep], kind[sep]
    width = block.width
    if len(at) != n * width:
        raise _Unclean
    grid = at.reshape(n, width)
    if not (kind.reshape(n, width)[:, -1] == 10).all():  # n newlines, each ending a row of width separators
        raise _Unclean
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = grid[:-1, -1] + 1

    ends: dict[int, np.ndarray] = {}

    def end(k: int) -> np.ndarray:  # one strided copy per column boundary: each is one field's end, the next one's start
        if k not in ends:
            ends[k] = grid[:, k].copy()
        return ends[k]

    def field(name: str) -> _Span | None:
        k = block.columns.get(name)
        if k is None:
            return None
        return (starts if k == 0 else end(k - 1) + 1), end(k)

    return field


def _columns(data: np.ndarray, n: int, field: Callable[[str], _Span | None], builder: ActivityBuilder) -> _Columns:
    known = _warm(builder)
    id_span, mentor_span = field("id"), field("mentor_id")
    assert id_span is not None and mentor_span is not None
    ids = _ids(data, *id_span)
    mentor = known.mentors.find(data, *mentor_span)
    if (mentor < 0).any():  # an unknown or blank mentor, or a stray space
        raise _Unclean

    def values(name: str, convert: Callable[[str], Any], absent: float | None, dtype: type) -> np.ndarray:
        span = field(name)
        if span is None:
            if absent is None:
                raise _Unclean
            return np.full(n, absent, dtype)
        return known.column(name, convert).lookup(data, *span).astype(dtype)

    action = values("action", lambda v: builder.action_code(v) if v else None, None, np.int32)
    day = values("date", lambda v: builder.days.day(v) if v else None, None, np.int32)
    klass = values("class", lambda v: builder.class_index.get(v) if v else -1, -1, np.int32)
    duration = values("duration_min", _minutes, math.nan, np.float32)
    counts, flat = _students(data, n, field("student_ids"), known, len(builder.student_index))
    return ids, action, day, mentor.astype(np.int32), klass, duration, counts, flat


def _grouped(cols: _Columns) -> tuple[_Columns, LoadOrder]:
    """The rows grouped by action code, here on the worker thread, so that finish() need not sort them."""
    ids, action, day, mentor, klass, duration, counts, flat = cols
    load = LoadOrder.of(ids, action, day)
    rows = load.order
    counts, flat = take_rows(counts, flat, rows)
    return (ids[rows], action[rows], day[rows], mentor[rows], klass[rows], duration[rows], counts, flat), load


def _minutes(v: str) -> float | None:
    if not v:
        return math.nan
    try:
        x = float(v)
    except ValueError:
        return None
    return x if math.isfinite(x) and x >= 0 else None


def _ids(data: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The activity ids as fixed-width bytes (str when some is not ASCII, as the row path keeps them)."""
    length = e - s
    lo, w = int(length.min()), int(length.max())
    if lo == 0 or w > _MAX_FIELD or int(s[-1]) + w > len(data):
        raise _Unclean
    cells = np.ndarray(shape=(len(data) - w + 1,), dtype=f"S{w}", buffer=data, strides=(1,))
    ids = cells[s]  # w bytes from each start: the id, then (when shorter) what follows it
    mat = ids.view(np.uint8).reshape(-1, w)
    if lo < w:
        mat[np.arange(w) >= length[:, None]] = 0
    if _blank(mat[:, 0]).any() or _blank(mat[:, w - 1] if lo == w else data[e - 1]).any():
        raise _Unclean
    if mat.max() >= 128:  # non-ASCII ids: keep them as text, like the row path does
        text = np.char.decode(ids, "utf-8")
        if (np.strings.strip(text) != text).any():  # a blank such as U+3000 at an end
            raise _Unclean
        return text
    return ids


def _blank(b: np.ndarray) -> np.ndarray:
    """Whether each byte is one str.strip() removes (9-13, 28-32), in two unsigned comparisons."""
    return ((b - np.uint8(9)) <= 4) | ((b - np.uint8(28)) <= 4)


def _students(data: np.ndarray, n: int, span: _Span | None, known: _Known, n_students: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the `;`-separated student ids of each row (as counts and the flat student indices).

    Most cells name one student: the whole cell is looked up. Only the cells that miss are
    cut at their semicolons.
    """
    if span is None:
        return np.zeros(n, np.int64), np.zeros(0, np.int32)
    fs, fe = span
    stu = known.students.find(data, fs, fe)
    counts = (stu >= 0).astype(np.int64)
    miss = np.flatnonzero((stu < 0) & (fe > fs))
    if not len(miss):
        return counts, stu[stu >= 0].astype(np.int32)
    if not known.all_students:  # a cell that misses may name an id the table leaves out
        raise _Unclean
    parts, part_stu = _split(data, fs[miss], fe[miss], known, n_students)
    counts[miss] = parts
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    flat = np.empty(int(ptr[-1]), dtype=np.int32)
    single = np.flatnonzero(stu >= 0)
    flat[ptr[single]] = stu[single]
    first = np.repeat(ptr[miss] - np.cumsum(parts) + parts, parts)  # each part's place: its row's start + its rank
    flat[first + np.arange(len(part_stu))] = part_stu
    return counts, flat


def _split(data: np.ndarray, fs: np.ndarray, fe: np.ndarray, known: _Known, n_students: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells cut at their semicolons: parts per cell and each part's student, in order.

    _Unclean for an empty part, an unknown one or a student named twice in a cell (the row
    path drops blanks and repeats; which is rare enough to leave to it).
    """
    length = fe - fs
    total = int(length.sum())
    base = np.cumsum(length) - length
    pos = np.repeat(fs - base, length) + np.arange(total)  # every byte of the cells
    semi = pos[data[pos] == 59]
    cell = np.searchsorted(fe, semi)  # the cells are in file order, the semicolons too
    parts = 1 + np.bincount(cell, minlength=len(fs))
    m = len(fs) + len(semi)
    ps, pe = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    first = np.cumsum(parts) - parts  # where each cell's parts start
    j = np.arange(len(semi))
    ps[first] = fs
    ps[j + cell + 1] = semi + 1  # the j-th semicolon is preceded by j parts of earlier semicolons and cell + 1 first parts
    pe[j + cell] = semi
    pe[first + parts - 1] = fe
    if (pe <= ps).any():  # an empty id between semicolons
        raise _Unclean
    stu = known.students.find(data, ps, pe)
    if (stu < 0).any():
        raise _Unclean
    key = np.sort(np.repeat(np.arange(len(fs), dtype=np.int64), parts) * max(n_students, 1) + stu)  # (np.unique hashes: 20× slower)
    if (key[1:] == key[:-1]).any():  # a student named twice in one cell
        raise _Unclean
    return parts, stu.astype(np.int32)
