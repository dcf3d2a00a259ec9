"""Cells as text → the values the engine keeps: normalised names, days, lists, numbers (vectorised).

Ids, class names, tags, action names and kinds are normalised before any check (SPEC §3):
NFKC and trimming, so `一（1）班` = `一(1)班` and `Ａ1` = `A1`. Work that needs Python (reading a
date such as `2025年9月1日`) runs once per distinct value, never once per row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIRST_YEAR, LAST_YEAR = 1900, 2100
LIST_SEPARATORS = "[;；、，,\n]"  # a line break: Alt+Enter in an Excel cell
_DATE = re.compile(r"^(\d{4})\s*(?:([-/])\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
                   r"(?:(?:[ T]|\s+)\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")  # fmt: skip
NO_DAY = np.iinfo(np.int32).min
ALIKE_IN_EVERY_UNICODE = r"^[\x{0}-\x{7f}\x{a0}\x{3000}-\x{303f}\x{4e00}-\x{9fff}\x{ff00}-\x{ffef}]*$"


def normalised(arr: pa.Array) -> pa.Array:
    """Trimmed and NFKC: only the cells that can change (one not ASCII, or with a blank or control character first or
    last) are normalised, and put back in one copy; ASCII text is its own NFKC."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    arr = pc.fill_null(arr, "")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    _, offsets_buf, data = arr.buffers()
    raw = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    if not len(arr) or not _any_blank_or_wide(raw):  # printable ASCII without a blank: already normal (no copy of every cell)
        return arr
    offsets = np.frombuffer(offsets_buf, np.int64 if pa.types.is_large_string(arr.type) else np.int32)[arr.offset : arr.offset + len(arr) + 1]
    filled = np.greater(offsets[1:], offsets[:-1])
    last = len(raw) - 1
    edge = filled & ((raw[np.minimum(offsets[:-1], last)] <= 32) | (raw[np.maximum(offsets[1:] - 1, 0)] <= 32))
    work = edge | ~np.asarray(pc.string_is_ascii(arr).to_numpy(zero_copy_only=False), dtype=bool)
    if not work.any():
        return arr
    mask = pa.array(work)
    return pc.replace_with_mask(arr, mask, pc.utf8_trim_whitespace(pc.utf8_normalize(arr.filter(mask), "NFKC")))


def _any_blank_or_wide(raw: np.ndarray, step: int = 1 << 24) -> bool:
    """Whether any byte is a blank, a control or not ASCII: asked in blocks, which stops at the first found and, at 10M
    cells, keeps the temporaries at 16 MB instead of three arrays the size of the text."""
    return any(bool(((block <= 32) | (block >= 127)).any()) for block in (raw[at : at + step] for at in range(0, len(raw), step)))


def norm(text: str) -> str:
    """One value as normalised() makes it."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> dt.date | None:
    """`2025-09-01`, `2025/9/1`, `2025年9月1日`, each with an optional time; None when not a real day."""
    m = _DATE.match(norm(text))
    if m is None:
        return None
    month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
    try:
        return dt.date(int(m.group(1)), int(month), int(day))
    except ValueError:
        return None


def in_range(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def days(arr: pa.Array) -> np.ndarray:
    """Each cell's day (proleptic ordinal), NO_DAY where blank or not a date in 1900–2100."""
    if pa.types.is_timestamp(arr.type):
        arr = pc.cast(arr, pa.date32())
    if pa.types.is_date(arr.type):
        ordinals = np.asarray(pc.cast(pc.cast(arr, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False))
        out = np.where(np.isnan(ordinals.astype(float)), NO_DAY, ordinals.astype(np.int64) + dt.date(1970, 1, 1).toordinal())
        lo, hi = dt.date(FIRST_YEAR, 1, 1).toordinal(), dt.date(LAST_YEAR, 12, 31).toordinal()
        out[(out < lo) | (out > hi)] = NO_DAY
        return out.astype(np.int32)
    values, at = codes(arr)
    known = []
    for text in values:
        d = parse_date(text) if text else None
        known.append(d.toordinal() if d is not None and in_range(d) else NO_DAY)
    table = np.array(known, dtype=np.int32) if known else np.zeros(0, np.int32)
    return table[at]


def codes(arr: pa.Array | pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """The distinct values and each cell's position among them (the chunks of a chunked array share one dictionary); a
    blank cell is "". A column read as a dictionary (the CSV reader's, for columns of few values) is not encoded again."""
    if pa.types.is_dictionary(arr.type) and not arr.null_count:
        unified = (arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])).unify_dictionaries()
        if not unified.num_chunks:
            return [], np.zeros(0, np.int32)
        return unified.chunk(0).dictionary.to_pylist(), _joined_int32([c.indices for c in unified.chunks])
    enc = pc.dictionary_encode(pc.fill_null(text_of(arr), ""))
    if isinstance(enc, pa.ChunkedArray):
        if not enc.num_chunks:
            return [], np.zeros(0, np.int32)
        dictionary = enc.chunk(0).dictionary
        return dictionary.to_pylist(), _joined_int32([c.indices for c in enc.chunks])
    return enc.dictionary.to_pylist(), np.asarray(enc.indices.to_numpy(zero_copy_only=False))


def _joined_int32(chunks: list[pa.Array]) -> np.ndarray:
    """Int32 chunks as one numpy array, joined by Arrow in one call (a column read in blocks, and cut at its blank rows,
    has hundreds of chunks: a numpy call per chunk waits for the interpreter each time another thread holds it)."""
    chunks = [c if c.type == pa.int32() else c.cast(pa.int32()) for c in chunks]  # (a pandas or Polars category's indices: int8, uint32)
    out = np.asarray(pa.chunked_array(chunks, pa.int32()).to_numpy(), dtype=np.int32)
    return out if out.flags.writeable else out.copy()  # (one chunk is given as a view of Arrow's memory)


def per_value(fn: Callable[[pa.Array], np.ndarray], arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """fn of each distinct value of a column (as text), spread back over its cells: a dictionary column's values are
    looked at once each, not once per cell."""
    values, at = codes(arr)
    return fn(pa.array(values, pa.string()))[at]


def blank(cells: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Whether each cell is empty or only spaces (as trimming would leave it empty), without a trimmed copy; a
    dictionary-encoded column asks its dictionary, once per value."""
    if pa.types.is_dictionary(cells.type):
        return per_value(blank, cells)
    cells = pc.fill_null(cells, "")  # (a database's NULL is a blank cell)
    # (the length in bytes: utf8_length counts characters, a pass over every byte)
    return np.asarray(pc.or_(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells)).to_numpy(zero_copy_only=False), dtype=bool)


def text_of(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The cells as plain text (a dictionary-encoded column decoded)."""
    return pc.cast(arr, pa.string()) if pa.types.is_dictionary(arr.type) else arr


def norm_codes(arr: pa.Array | pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """codes() of the normalised values, normalising each distinct value once: for columns of few
    values (actions, classes, mentor ids) far cheaper than normalising every cell."""
    values, at = codes(arr)
    normal = [norm(v) for v in values]
    if normal == values:
        return values, at
    merged: dict[str, int] = {}
    remap = np.array([merged.setdefault(v, len(merged)) for v in normal], dtype=np.int32)
    return list(merged), remap[at]


def lookup_exact(arr: pa.Array | pa.ChunkedArray, index: Mapping[str, int], missing: int = -1) -> np.ndarray:
    """Each cell's value in `index` as it is written (one probe into a hash table of the keys), `missing` where absent (int32)."""
    if pa.types.is_dictionary(arr.type):
        return per_value(lambda values: lookup_exact(values, index, missing), arr)
    keys = pa.array(list(index), pa.string())
    codes_ = np.fromiter(index.values(), np.int32, len(index))
    found = pc.fill_null(pc.index_in(pc.fill_null(arr, ""), value_set=keys), -1)
    at = _joined_int32(found.chunks if isinstance(found, pa.ChunkedArray) else [found])
    if missing == -1 and np.array_equal(codes_, np.arange(len(codes_))):  # an index by position (ids in order): the position is the code
        return at
    return np.where(at >= 0, codes_[at] if len(codes_) else missing, missing).astype(np.int32, copy=False)


def lookup(arr: pa.Array | pa.ChunkedArray, index: Mapping[str, int], missing: int = -1) -> np.ndarray:
    """Each cell's normalised value in `index`, `missing` where absent.

    Most cells are written as the index has them: one probe each into a hash table of the index's
    keys (Arrow's index_in). The others (a full-width or padded id, an unknown one, several in a
    cell) are normalised by Arrow and probed again; what still misses is normalised in Python, once
    per distinct value (so the cells the explainer, which normalises in Python, calls unknown are
    exactly these)."""
    if pa.types.is_dictionary(arr.type):
        return per_value(lambda values: lookup(values, index, missing), arr)
    out = lookup_exact(arr, index, missing)
    miss = out == missing
    rest = np.flatnonzero(miss)
    if not len(rest):
        return out
    cells = arr.filter(pa.array(miss))  # (a filter goes chunk by chunk; a take looks up each row's chunk)
    again = lookup_exact(normalised(cells), index, missing)
    # Arrow's NFKC knows a newer Unicode than Python's unicodedata (which the explainer uses); text of the old blocks
    # (ASCII, full-width forms, CJK) normalises alike in both, anything else goes to Python
    again[~np.asarray(pc.match_substring_regex(cells, ALIKE_IN_EVERY_UNICODE).to_numpy(zero_copy_only=False), dtype=bool)] = missing
    out[rest] = again
    still = np.flatnonzero(again == missing)
    if len(still):
        values, where = norm_codes(cells.take(pa.array(still)))
        table = np.array([index.get(v, missing) for v in values], dtype=np.int32)
        out[rest[still]] = table[where]
    return out


def split_lists(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.ChunkedArray]:
    """List cells (`S1;S2`, `S1、S2`) → the row of each item (in row order) and the items, not yet normalised (blank
    items included: they normalise to "")."""
    parts = pc.split_pattern_regex(pc.fill_null(arr, ""), LIST_SEPARATORS)
    chunks = parts.chunks if isinstance(parts, pa.ChunkedArray) else [parts]
    # chunk by chunk (a chunk's parents count from its own first row): no copy of every list joined into one
    starts = np.cumsum([0] + [len(c) for c in chunks])
    rows = [np.asarray(pc.list_parent_indices(c).to_numpy(zero_copy_only=False), dtype=np.int64) + start for c, start in zip(chunks, starts[:-1].tolist(), strict=True)]
    return (np.concatenate(rows) if rows else np.zeros(0, np.int64)), pa.chunked_array([pc.list_flatten(c) for c in chunks], parts.type.value_type)


def split_list(text: str) -> tuple[str, ...]:
    """One list cell as split_lists splits it."""
    return tuple(p for p in (norm(x) for x in re.split(LIST_SEPARATORS, text)) if p)


def numbers(arr: pa.Array) -> np.ndarray:
    """Each cell as a float: NaN where blank, None-like (-inf) where not a number (one parse per distinct text)."""
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
    values, at = norm_codes(arr)
    table = np.array([_number(v) for v in values], dtype=np.float64)
    return table[at] if len(values) else np.zeros(len(arr))


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def plain_number(text: str) -> float | None:
    """A number as a clerk writes it (`30`, `30.5`, `-5`); None for anything else (`nan`, `inf`, `1_000`, `三十`)."""
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if np.isfinite(value) else None  # 1e999


def _number(text: str) -> float:
    """NaN for a blank, -inf for what is not a number (the checks flag it)."""
    if not text:
        return float("nan")
    value = plain_number(text)
    return float("-inf") if value is None else value
