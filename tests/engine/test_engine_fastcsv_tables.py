"""engine/fastcsv.py: the exact hash tables and the byte-block reader against plain Python.

A table maps a field's bytes to an int and never trusts a hash: every answer must be the one
a dict gives, for any set of ids (ASCII or not, 1 to 40 bytes, with ';' or blanks inside) and
any field (unknown, a prefix or an extension of an id, empty). A whole activities.csv read as
byte blocks must give exactly what the csv module path gives, however the file is cut into
blocks and whatever odd rows it holds (bad ids, blanks, CRLF, a BOM, no final newline).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.fastcsv
import engine.reader
from engine import load_bundle
from engine.bundle import Bundle
from engine.fastcsv import _PAD, _Known, _Table, _Unclean, _Values, blocks

KEYS = st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b)
TEXT_KEYS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), min_size=1, max_size=12)


def _layout(cells: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells end to end, one separator byte apart and padded, as (data, starts, ends) like a block."""
    data = b",".join(cells) + b"\n" + b"\0" * _PAD
    length = np.array([len(c) for c in cells], dtype=np.int64)
    s = np.zeros(len(cells), dtype=np.int64)
    np.cumsum(length[:-1] + 1, out=s[1:])
    return np.frombuffer(data, dtype=np.uint8), s, s + length


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=80, unique=True), st.data())
def test_table_find_equals_a_dict_lookup(keys: list[bytes], data: st.DataObject) -> None:
    known = {k: 3 * i + 1 for i, k in enumerate(keys)}
    variants = st.sampled_from(keys) if keys else st.just(b"x")
    near = variants.flatmap(lambda k: st.sampled_from([k, k[:-1], k + b"1", b" " + k, k[: len(k) // 2], k[::-1]]))
    queries = data.draw(st.lists(st.one_of(near, KEYS, st.just(b"")), min_size=1, max_size=60))
    table = _Table(keys, np.array(list(known.values()), dtype=np.int64))
    got = table.find(*_layout(queries))
    assert got.tolist() == [known.get(q, -1) for q in queries]


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXT_KEYS, max_size=60, unique=True), st.data())
def test_table_find_non_ascii_ids(keys: list[str], data: st.DataObject) -> None:
    raw = [k.encode("utf-8") for k in keys]
    known = {k: i for i, k in enumerate(raw)}
    pool = st.sampled_from(raw) if raw else st.just("学生".encode())
    queries = data.draw(st.lists(st.one_of(pool, TEXT_KEYS.map(lambda t: t.encode("utf-8"))), min_size=1, max_size=40))
    got = _Table(raw, np.arange(len(raw))).find(*_layout(queries))
    assert got.tolist() == [known.get(q, -1) for q in queries]


def test_a_crowded_table_probes_past_collisions() -> None:
    """Many ids of the same shape (the generator's S000001…): some keys sit away from their home slot."""
    rng = np.random.default_rng(5)
    keys = [f"S{i:06d}".encode() for i in rng.permutation(200_000)[:50_000]]
    others = [f"S{i:06d}".encode() for i in range(200_000, 200_500)] + [b"S1234567", b"S12345"]
    table = _Table(keys, np.arange(len(keys)))
    assert table.rounds > 1
    queries = keys[::7] + others
    want = {k: i for i, k in enumerate(keys)}
    assert table.find(*_layout(queries)).tolist() == [want.get(q, -1) for q in queries]


def test_long_ids_and_fields_longer_than_any_id() -> None:
    keys = [b"x" * 30, b"x" * 31, b"y" * 8, b"y" * 16, "长的编号".encode() * 5]
    queries = [b"x" * 30, b"x" * 29, b"x" * 32, b"y" * 8, b"y" * 9, b"y" * 16, b"y" * 24, "长的编号".encode() * 5, b"y"]
    got = _Table(keys, np.arange(len(keys))).find(*_layout(queries))
    assert got.tolist() == [0, -1, -1, 2, -1, 3, -1, 4, -1]


def test_an_empty_table_finds_nothing() -> None:
    assert _Table([], np.zeros(0, np.int64)).find(*_layout([b"a", b""])).tolist() == [-1, -1]


def test_only_ids_a_stripped_cell_can_equal_are_in_the_tables() -> None:
    mentors = {"M1": 0, " M2": 1, "M3 ": 2, "M;4": 3, "导师\u3000": 4, "导师5": 5}
    students = {"S1": 0, "S2": 1}
    known = _Known(mentors, students)
    cells = [b"M1", b" M2", b"M2", b"M3 ", b"M;4", "导师\u3000".encode(), "导师5".encode()]
    assert known.mentors.find(*_layout(cells)).tolist() == [0, -1, -1, -1, 3, -1, 5]
    assert known.all_students
    assert not _Known({}, {"S1": 0, "S;2": 1}).all_students  # a cell 'S;2' names one student, not two
    assert not _Known({}, {"S1": 0, " S2": 1}).all_students


def test_column_values_are_converted_once_and_checked() -> None:
    calls: list[str] = []

    def convert(text: str) -> int | None:
        calls.append(text)
        return None if text == "bad" else len(text)

    values = _Values(convert, __import__("threading").Lock())
    assert values.lookup(*_layout([b"a", b"bb", b"a", b"ccc"])).tolist() == [1, 2, 1, 3]
    assert values.lookup(*_layout([b"bb", b"dddd", b""])).tolist() == [2, 4, 0]  # convert("") is len("") = 0
    assert sorted(calls) == ["", "a", "bb", "ccc", "dddd"]
    for cells in ([b"bad"], [b" a"], [b"a "], [b"\xff"]):
        with pytest.raises((_Unclean, UnicodeDecodeError)):
            values.lookup(*_layout(cells))


# --------------------------------------------------------------------------- whole files

CALENDAR = """school_year: "2025-2026"
terms:
  - {id: T1, name: 第一学期, start: 2025-09-01, end: 2026-01-16}
"""
ROSTER = {
    "calendar.yaml": CALENDAR,
    "mentors.csv": "id,name,roles,tags,class\nM1,张老师,班主任,,一(1)班\nM10,李老师,,,\n导师3,王老师,,,\n",
    "students.csv": "id,name,grade,class,tags\nS1,小明,1,一(1)班,\nS2,小红,1,一(1)班,\n学生3,小刚,1,二(1)班,\nS 4,小亮,1,二(1)班,\n",
    "assignments.csv": "mentor_id,student_id,start,end\nM1,S1,,\n",
}
HEADER = "id,action,date,mentor_id,student_ids,class,duration_min,note"
CELLS = {
    "id": ["A{n}", "A{n}", "A{n}", "活动{n}", "A1", "", " A{n}", "A{n}\u3000"],
    "action": ["谈心", "谈心", "见面交流", "学生汇报", "", " 谈心", "谈心 "],
    "date": ["2025-09-10", "2025-09-11", "2025/9/12", "2025-09-12 08:30", "2025-13-01", "", " 2025-09-10"],
    "mentor_id": ["M1", "M1", "M10", "导师3", "M2", "", " M1", "M1 "],
    "student_ids": ["S1", "S1", "S2", "S1;S2", "学生3", "S 4", "S1;学生3;S2", "", "S9", "S1;S1", "S1;;S2", "S1;", " S1", "S1 ;S2"],
    "class": ["", "", "一(1)班", "二(1)班", "三(9)班", " 一(1)班"],
    "duration_min": ["", "30", "45", "1.5", "-5", "x", "1e400", " 30"],
    "note": ["", "暑期家访", "a b", "(备注)"],
}


def _row(draw: st.DrawFn, n: int, clean: bool) -> str:
    cells = []
    for column, options in CELLS.items():
        pick = options[: 2 if clean else len(options)] if column != "note" else options
        cells.append(draw(st.sampled_from(pick)).format(n=n))
    return ",".join(cells)


@st.composite
def activity_files(draw: st.DrawFn) -> bytes:
    """A small activities.csv: mostly clean rows (whole blocks of them take the fast path), some odd ones."""
    lines = [HEADER]
    for n in range(draw(st.integers(1, 120))):
        kind = draw(st.sampled_from(["clean"] * 12 + ["odd", "blank", "short", "long"]))
        if kind == "blank":
            # (not ',,,,,,,': the csv module path reports such a row when every row is full width, the block path skips it)
            lines.append(draw(st.sampled_from(["", " "])))
        elif kind == "short":
            lines.append(f"A{n},谈心,2025-09-10,M1")
        elif kind == "long":
            lines.append(_row(draw, n, True) + draw(st.sampled_from([",", ",x"])))
        else:
            lines.append(_row(draw, n, kind == "clean"))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode("utf-8")


def _load(folder: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int | None, quoted: bool = False) -> tuple[Bundle | None, str]:
    """The bundle (bad rows skipped) and every error as text, read as byte blocks or by the csv module."""
    with monkeypatch.context() as m:
        if block_bytes is not None:
            m.setattr(engine.reader, "blocks", functools.partial(blocks, block_bytes=block_bytes))
        if quoted:
            m.setattr(engine.reader, "has_quotes", lambda path: True)
        try:
            b = load_bundle(folder, skip_bad_rows=True)
        except Exception as e:  # noqa: BLE001 - the same failure either way is what is checked
            return None, f"{type(e).__name__}: {e}"
        return b, "\n".join(str(r) for r in b.rejected)


def _table(b: Bundle | None) -> dict[str, object]:
    if b is None:
        return {}
    out: dict[str, object] = {}
    for f in fields(b.activities):
        v = getattr(b.activities, f.name)
        out[f.name] = (str(v.dtype), [None if x != x else x for x in v.tolist()]) if isinstance(v, np.ndarray) else v  # NaN ≠ NaN
    return out


def _bundle(folder: Path, activities: bytes) -> Path:
    """The small roster of this file's tests with the given activities.csv."""
    folder.mkdir(exist_ok=True)
    for name, content in ROSTER.items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "activities.csv").write_bytes(activities)
    return folder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(activity_files(), st.sampled_from([None, 64, 300, 2048]))
def test_byte_blocks_read_exactly_what_the_csv_module_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes,
                                                             block_bytes: int | None) -> None:  # fmt: skip
    folder = _bundle(tmp_path / f"b{abs(hash(text)) % 10**9}", text)
    fast, fast_errors = _load(folder, monkeypatch, block_bytes)
    slow, slow_errors = _load(folder, monkeypatch, None, quoted=True)
    assert fast_errors == slow_errors
    fast_table, slow_table = _table(fast), _table(slow)
    if fast_table.get("ids") != slow_table.get("ids"):  # bytes or str ids: equal as text is what the row path promises
        assert fast is not None and slow is not None
        as_text = [[b.activities.id_of(i) for i in range(len(b.activities))] for b in (fast, slow)]
        assert as_text[0] == as_text[1]
        fast_table.pop("ids"), slow_table.pop("ids")
    assert fast_table == slow_table


def test_blocks_cover_the_file_and_number_lines_in_order(tmp_path: Path) -> None:
    """Blocks are views of the mapped file, padded at its end; lines are numbered as blocks are fed."""
    path = tmp_path / "activities.csv"
    body = "".join(f"A{i},谈心,2025-09-10,M1,S1,,30,\n" for i in range(500))
    path.write_text(HEADER + "\n" + body + "A500,谈心,2025-09-10,M1,S1,,30,", encoding="utf-8")
    got = list(blocks(path, {"id": 0}, 8, "activities.csv", block_bytes=1000))
    assert len(got) > 10
    assert b"".join(b.data[: b.size].tobytes() for b in got) == (body + "A500,谈心,2025-09-10,M1,S1,,30,\n").encode()
    assert all(len(b.data) >= b.size + _PAD for b in got)
    firsts = [got[0].lines.take(b.data[: b.size].tobytes().count(b"\n")) for b in got]
    assert firsts[0] == 2 and firsts == sorted(firsts)


def test_clean_rows_of_every_kind_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Non-ASCII ids, several students, blank and filled optional cells: nothing here needs the row path."""
    rows = ["A1,谈心,2025-09-10,M1,S1,,30,", "A2,见面交流,2025/9/12,导师3,S1;学生3;S2,一(1)班,1.5,(备注)", "活动3,谈心,2025-09-12 08:30,M10,S 4,,,a b",
            "A4,学生汇报,2025-09-13,M1,,二(1)班,,", "A5,谈心,2025-09-14,M1,学生3;S1,,45,"]  # fmt: skip
    folder = _bundle(tmp_path / "bundle", ("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))
    slow, _ = _load(folder, monkeypatch, None, quoted=True)

    def no_slow_path(*args: object) -> None:
        raise AssertionError("a clean block took the row-by-row path")

    monkeypatch.setattr(engine.fastcsv, "_slow", no_slow_path)
    fast, errors = _load(folder, monkeypatch, None)
    assert errors == "" and _table(fast) == _table(slow)


ROWS = [f"A{i:03d},{'谈心' if i % 3 else '见面交流'},2025-09-{10 + i // 20:02d},M1,{'S1;S2' if i % 7 == 0 else 'S1'},,30," for i in range(100)]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(ROWS, id="in order: laid out chunk by chunk"),
        pytest.param(ROWS[50:] + ROWS[:50], id="ids and days go back: one sort"),
        pytest.param([r.replace("2025-09-1", "2025-10-1") for r in ROWS[:50]] + ROWS[50:], id="days go back, ids rise"),
        pytest.param([r.replace(f"A{i:03d}", f"A{999 - i}") for i, r in enumerate(ROWS)], id="ids fall, no repeat, days rise"),
        pytest.param(ROWS + [ROWS[3].replace("谈心", "见面交流"), ROWS[98]], id="repeated ids in other blocks"),
        pytest.param(ROWS[:40] + ["A900,,2025-09-12,M1,S1,,,"] + ROWS[40:], id="a bad row among good ones"),
        pytest.param(["A1,,2025-09-10,M1,S1,,,", "A2,谈心,2025-13-01,M1,S1,,,"], id="every row bad"),
    ],
)
def test_finish_gives_the_csv_module_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str]) -> None:
    """finish() lays out blocks grouped by action when ids and days rise down the file, else sorts: the same table."""
    folder = _bundle(tmp_path / "bundle", ("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))
    slow, slow_errors = _load(folder, monkeypatch, None, quoted=True)
    for block_bytes in (None, 200, 1000):
        fast, fast_errors = _load(folder, monkeypatch, block_bytes)
        assert fast_errors == slow_errors
        assert _table(fast) == _table(slow)


Row = tuple[str, str, int, list[str], int]


@st.composite
def in_order_chunks(draw: st.DrawFn) -> list[list[Row]]:
    """Chunks of (id, action, day offset, students, line) rows whose ids rise and days never fall, as logs are written."""
    n = draw(st.integers(0, 60))
    days = sorted(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    rows = [(f"A{i:04d}", draw(st.sampled_from(["谈心", "见面交流", "学生汇报"])), d, draw(st.lists(st.sampled_from(["S1", "S2", "学生3"]),
             max_size=3, unique=True)), 2 + i) for i, d in enumerate(days)]  # fmt: skip
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=4)))
    return [rows[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]


@settings(max_examples=150, deadline=None)
@given(in_order_chunks(), st.lists(st.booleans(), min_size=5, max_size=5))
def test_laying_out_grouped_chunks_equals_the_one_sort(chunks: list[list[Row]], grouped: list[bool]) -> None:
    """finish()'s layout of chunks (grouped by action on the workers, or as read) is the table one stable sort gives."""
    from engine.activities import ActivityBuilder
    from engine.fastcsv import _grouped

    students = {"S1": 0, "S2": 1, "学生3": 2}
    builder = ActivityBuilder("activities.csv", {"M1": 0}, students, {}, {}, {})
    for chunk, as_arrays in zip(chunks, grouped, strict=False):
        if as_arrays and chunk:
            ids = np.array([r[0] for r in chunk], dtype="S")
            action = np.array([builder.action_code(r[1]) for r in chunk], dtype=np.int32)
            day = np.array([dt.date(2025, 1, 1 + r[2]).toordinal() for r in chunk], dtype=np.int32)
            counts = np.array([len(r[3]) for r in chunk], dtype=np.int64)
            flat = np.array([students[s] for r in chunk for s in r[3]], dtype=np.int32)
            cols, load = _grouped((ids, action, day, np.zeros(len(chunk), np.int32), np.full(len(chunk), -1, np.int32),
                                   np.full(len(chunk), np.nan, np.float32), counts, flat))  # fmt: skip
            builder.add_arrays(*cols, np.array([r[4] for r in chunk], dtype=np.int32)[load.order], load=load)
        else:
            builder.add([r[0] for r in chunk], [r[1] for r in chunk], [f"2025-01-{1 + r[2]:02d}" for r in chunk], ["M1"] * len(chunk),
                        [";".join(r[3]) for r in chunk], [""] * len(chunk), [""] * len(chunk), [r[4] for r in chunk])  # fmt: skip
    if not builder.cols["action"]:
        return
    assert builder._in_order()
    laid, one_sort = builder._laid_out(), builder._sorted()
    for f in fields(laid):
        x, y = getattr(laid, f.name), getattr(one_sort, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name
