"""The vectorised cell functions (engine/load/text.py) against plain per-value references, and a column read as a
dictionary (the CSV reader's, for columns of few values) against the same cells as plain text."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.load.activities import _entries_kept
from engine.load.csvfile import _quotes_close_on_their_line
from engine.load.text import LIST_SEPARATORS, blank, codes, days, lookup, norm, norm_codes, normalised, numbers, split_lists

# what cells hold: ids, full-width forms, blanks of every kind, Chinese text, list separators, a control character
# (U+1CCF1, an outlined digit one, is newer than Python 3.11's Unicode: Arrow's NFKC makes it 1, Python's keeps it)
CELL_CHARS = st.sampled_from(list("AS01９Ｓ０ ,;；、，\t\u3000\u00a0\x1c一（1）班年月日-/:\U0001ccf1") + ["2025", "9", "2025年9月1日", "30", "1e999"])
CELLS = st.lists(st.lists(CELL_CHARS, max_size=6).map("".join), max_size=40)


def chunked(cells: list[str], cut: int, dictionary: bool) -> pa.ChunkedArray:
    """The cells in two chunks; as dictionaries, each chunk has its own (as each block the CSV reader parses has)."""
    cut = min(cut, len(cells))
    parts = [pa.array(cells[:cut], pa.string()), pa.array(cells[cut:], pa.string())]
    if dictionary:
        return pa.chunked_array([p.dictionary_encode() for p in parts], pa.dictionary(pa.int32(), pa.string()))
    return pa.chunked_array(parts, pa.string())


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_normalised_is_nfkc_then_trim_of_every_cell(cells: list[str]) -> None:
    arr = pa.array(cells, pa.string())
    every = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC")).to_pylist()
    assert normalised(arr).to_pylist() == every
    assert normalised(arr.slice(1)).to_pylist() == every[1:]  # a slice: its offsets start inside the buffer


@settings(max_examples=300, deadline=None)
@given(CELLS, st.integers(0, 40))
def test_a_dictionary_column_reads_as_its_text(cells: list[str], cut: int) -> None:
    plain, coded = chunked(cells, cut, False), chunked(cells, cut, True)
    values, at = codes(coded)
    assert [values[i] for i in at.tolist()] == cells
    p_values, p_at = norm_codes(plain)
    c_values, c_at = norm_codes(coded)
    assert [p_values[i] for i in p_at.tolist()] == [c_values[i] for i in c_at.tolist()] == [norm(c) for c in cells]
    index = {"S01": 0, "A1": 1, "一(1)班": 2, "": 3}
    assert lookup(coded, index).tolist() == lookup(plain, index).tolist() == [index.get(norm(c), -1) for c in cells]
    assert days(coded).tolist() == days(plain).tolist()
    assert np.array_equal(numbers(coded), numbers(plain), equal_nan=True)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_split_lists_gives_each_cells_items_in_row_order(cells: list[str]) -> None:
    rows, items = split_lists(pa.chunked_array([pa.array(cells, pa.string())]))
    expected = [(r, item) for r, cell in enumerate(cells) for item in re.split(LIST_SEPARATORS, cell)]
    assert list(zip(rows.tolist(), items.to_pylist(), strict=True)) == expected


def quotes_close_naively(text: bytes) -> bool:
    quotes = [i for i, b in enumerate(text) if b == ord('"')]
    return len(quotes) % 2 == 0 and all(b"\n" not in text[a:b] for a, b in zip(quotes[0::2], quotes[1::2], strict=True))


LINE_PIECES = st.sampled_from([b"a", b",", b'"', b"\n", b"x" * 5000, b"\xe4\xb8\x80"])


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PIECES, max_size=30).map(b"".join))
def test_quotes_are_paired_on_their_lines_as_a_naive_search_says(text: bytes) -> None:
    assert _quotes_close_on_their_line(text, 0) == quotes_close_naively(text)


def test_a_long_quoted_cell_on_one_line_keeps_the_file_plain_and_one_over_lines_does_not() -> None:
    essay = b"x" * 100_000
    assert _quotes_close_on_their_line(b'A1,"' + essay + b'",30\nA2,"short",5\n', 0)
    assert not _quotes_close_on_their_line(b'A1,"' + essay + b'\n' + essay + b'",30\n', 0)


def test_a_category_column_from_pandas_or_polars_reads_as_its_text() -> None:
    cells = ["谈心", "家访", "谈心", ""]
    for index_type in (pa.int8(), pa.uint32(), pa.int64()):
        coded = pa.array(cells).dictionary_encode().cast(pa.dictionary(index_type, pa.string()))
        values, at = codes(coded)
        assert [values[i] for i in at.tolist()] == cells
        assert lookup(coded, {"谈心": 0, "": 1}).tolist() == [0, -1, 0, 1]


def test_an_id_is_known_only_as_python_normalises_it_so_the_explainer_agrees() -> None:
    # Arrow's NFKC (a newer Unicode) would make M\U0001ccf1 the mentor M1; the explainer, in Python, would not
    assert lookup(pa.array(["M\U0001ccf1", "Ｍ１", " M1\u3000", "M1"]), {"M1": 0}).tolist() == [-1, 0, 0, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=30))
def test_the_entries_of_flagged_rows_are_exactly_their_runs(rows: list[tuple[int, bool]]) -> None:
    counts = np.array([c for c, _ in rows], dtype=np.int32)
    flagged = np.array([f for _, f in rows], dtype=bool)
    assert np.array_equal(_entries_kept(counts, flagged), np.repeat(~flagged, counts))


@settings(max_examples=100, deadline=None)
@given(CELLS, st.integers(0, 40))
def test_blank_is_trimming_to_nothing(cells: list[str], cut: int) -> None:
    for dictionary in (False, True):
        assert blank(chunked(cells, cut, dictionary)).tolist() == [c.strip() == "" for c in cells]


def test_blank_and_split_lists_take_nulls_and_large_text() -> None:
    cells = pa.chunked_array([pa.array(["S1;S2", None], pa.large_string()), pa.array([" ", "S3"], pa.large_string())])
    assert blank(cells).tolist() == [False, True, True, False]
    rows, items = split_lists(cells)
    assert rows.tolist() == [0, 0, 1, 2, 3] and items.to_pylist() == ["S1", "S2", "", " ", "S3"]
