"""The activity log: a RawTable → checked, sorted Activities columns, every check vectorised.

Each column is checked whole (Arrow for text, numpy for codes); what needs Python runs once
per distinct value (a date text, an action, a mentor id), never once per row. The rows any
check flags are then explained one by one (engine/load/explain.py), and only those.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadRow
from ..model.activities import NO_CLASS, Activities
from .explain import MAX_HINTS, ActivityRow, activity_problems
from .roster import Refs, here
from .table import RawTable
from .text import NO_DAY, blank, codes, days, lookup, lookup_exact, norm_codes, normalised, numbers, split_lists

BLANK = -2  # a blank item of a list cell (`S1;;S2`, `S1; `): no student, no problem


@dataclass
class Checked:
    """The activity columns as codes, already in the order the log is held in (by action name, day and order read),
    and which rows some check flagged. Rows whose date or action is no good have no place in that order; build()
    leaves out the other flagged rows."""

    actions: list[str]  # every action name, sorted: the codes of `action`
    rows: np.ndarray  # the row (as read) at each place of the order
    key: np.ndarray  # each row's sort key, as read (any value for a row with no place)
    ids: np.ndarray  # fixed-width UTF-8; this and the columns below in the order
    action: np.ndarray  # int16
    day: np.ndarray
    mentor: np.ndarray
    klass: np.ndarray
    duration: np.ndarray
    line: np.ndarray
    stu_count: np.ndarray  # per row as read, how many distinct students it names
    stu_flat: np.ndarray  # their codes, row after row (CSR)
    flagged: np.ndarray  # bool per row as read
    first: np.ndarray | None  # per row, the first row with its id (None when no id repeats)


def check(table: RawTable, refs: Refs, classes: Mapping[str, int]) -> Checked:
    """Each column checked whole, turned into codes and put in the log's order. The columns are independent, and Arrow
    and numpy let go of the interpreter while they work, so two threads check them: the student ids, the biggest job,
    in two halves. Meanwhile this thread reads the actions and dates (small jobs), sorts the rows by them and
    puts each other column in that order as its check ends: the sort overlaps the checks rather than following them."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        ids_job = pool.submit(_ids, table.column("id"))
        mentor_job = pool.submit(lookup, table.column("mentor_id"), refs.mentors)
        class_job = pool.submit(lookup, table.column("class"), {"": NO_CLASS, **classes}, -9)
        duration_job = pool.submit(numbers, table.column("duration_min"))
        items = {"": BLANK, **refs.students}  # a list cell's items: a student, or blank
        lists = []  # last: the columns above are put in order here while the pool works on these
        if table.links is None:
            cells, half = table.column("student_ids"), len(table) // 2
            lists = [pool.submit(_listed_students, cells.slice(a, b - a), refs.students, items) for a, b in ((0, half), (half, len(table)))]
        actions, action = _sorted_codes(*norm_codes(table.column("action")))
        day = days(table.column("date"))
        no_place = day == NO_DAY
        if actions and actions[0] == "":
            no_place |= action == 0
        rows, key = _order(action, day, no_place if no_place.any() else None)
        in_order = {"action": action[rows], "day": day[rows], "line": table.lines.astype(np.int32, copy=False)[rows]}
        ids, flagged, first = ids_job.result()
        in_order["ids"] = fixed_width(ids)[rows]
        mentor = mentor_job.result()
        flagged |= mentor < 0
        in_order["mentor"] = mentor.astype(np.int32, copy=False)[rows]
        klass = class_job.result()
        flagged |= klass == -9
        in_order["klass"] = klass.astype(np.int32, copy=False)[rows]
        duration = duration_job.result()
        flagged |= (duration < 0) | np.isneginf(duration)
        in_order["duration"] = duration.astype(np.float32)[rows]
        del ids, mentor, klass, duration, action, day  # flagged and in order: let go before the lists end (at 10M rows, 360 MB)
        if lists:
            stu_count, stu_flat, unknown = _joined([job.result() for job in lists], half)
        else:
            stu_count, stu_flat, unknown = _linked_students(table, items)
    flagged |= no_place
    flagged[unknown] = True
    return Checked(actions, rows, key, stu_count=stu_count, stu_flat=stu_flat, flagged=flagged, first=first, **in_order)


def _joined(halves: list[tuple[np.ndarray, np.ndarray, np.ndarray]], half: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The student lists of the two halves of the log as one."""
    (count_a, flat_a, unknown_a), (count_b, flat_b, unknown_b) = halves
    return np.concatenate([count_a, count_b]), np.concatenate([flat_a, flat_b]), np.r_[unknown_a, unknown_b + half]


def _sorted_codes(values: list[str], codes_: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Codes of distinct values → the values sorted and the codes renumbered to match (int16: actions are few)."""
    by_name = sorted(range(len(values)), key=values.__getitem__)
    remap = np.zeros(max(len(values), 1), np.int16)
    remap[by_name] = np.arange(len(values))
    return [values[k] for k in by_name], remap[codes_]


def _order(action: np.ndarray, day: np.ndarray, no_place: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a place, sorted by (action, day, order read), and every row's sort key (0 for a row with none)."""
    if no_place is None:
        key = _sort_key(action, day)
        return np.argsort(key, kind="stable"), key
    placed = np.flatnonzero(~no_place)
    placed_key = _sort_key(action[placed], day[placed])
    key = np.zeros(len(action), placed_key.dtype)
    key[placed] = placed_key
    return placed[np.argsort(placed_key, kind="stable")], key


def _ids(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray, np.ndarray | None]:
    """The ids normalised, the rows flagged for a missing or repeated id, and (when one repeats) each row's first row with its id."""
    ids = normalised(column)
    n = len(ids)
    flagged = np.asarray(pc.equal(ids, "").to_numpy(zero_copy_only=False), dtype=bool).copy()
    first = None
    # ids in increasing order (as logs are numbered) cannot repeat; nor can ids in order but for a few rows pasted in
    # (asked without hashing every id): only the others are hashed
    if n > 1 and not _in_order_but_a_few(ids, flagged):
        id_values, id_code = codes(ids)
        if len(id_values) < n:  # a repeated id: every use after the first is flagged
            first = np.unique(id_code, return_index=True)[1][id_code]
            flagged |= first != np.arange(n)
    return ids, flagged, first


def _in_order_but_a_few(ids: pa.Array, blank: np.ndarray) -> bool:
    """Whether the ids are distinct because they rise row by row, but for at most ODD_IDS rows out of order, which
    repeat neither each other nor any other id (one binary search each into the rest). False: they must be hashed."""
    up = np.asarray(pc.less(ids[:-1], ids[1:]).to_numpy(zero_copy_only=False), dtype=bool)
    if up.all():
        return True
    if blank.any():  # blank ids are each other's repeats: the hashing path says so, as it always has
        return False
    falls = np.flatnonzero(~up) + 1  # rows not above the one before: they, or the row before, are out of order
    if len(falls) > ODD_IDS:
        return False
    odd = np.unique(np.r_[falls - 1, falls])
    rest = np.ones(len(ids), dtype=bool)
    rest[odd] = False
    others = ids.filter(pa.array(rest))
    if len(others) > 1 and not pc.all(pc.less(others[:-1], others[1:])).as_py():
        return False
    suspects = fixed_width(ids.take(pa.array(odd)))
    if len(set(suspects.tolist())) < len(suspects):
        return False
    sorted_rest = fixed_width(others)
    width = np.dtype(f"S{max(suspects.itemsize, sorted_rest.itemsize)}")
    sorted_rest, suspects = sorted_rest.astype(width), suspects.astype(width)
    at = np.minimum(np.searchsorted(sorted_rest, suspects), max(len(sorted_rest) - 1, 0))
    return not (len(sorted_rest) and (sorted_rest[at] == suspects).any())


def _linked_students(table: RawTable, items: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_listed_students for a table whose students come as a link table (database rows): (row, student id) pairs."""
    assert table.links is not None
    codes_ = lookup(table.links[1], items)
    named = codes_ >= 0
    rows, stu = _distinct_pairs(table.links[0][named], codes_[named].astype(np.int32))
    return np.bincount(rows, minlength=len(table)).astype(np.int32), stu, table.links[0][codes_ == -1]


def _listed_students(cells: pa.ChunkedArray, students: Mapping[str, int], items: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's distinct students as CSR (count per row, codes row after row), and the rows naming an unknown student.

    Most cells name one known student as the roster writes it: one probe each, and they are placed
    directly. Only the other cells (several students, a blank, a full-width or unknown id) are split,
    looked up one by one in `items` (the students, and "" for a blank item) and sorted."""
    n = len(cells)
    first = lookup_exact(cells, students)
    single = first >= 0
    counts = single.astype(np.int32)
    other = ~single
    rest = np.flatnonzero(other)
    if not len(rest):
        return counts, first.astype(np.int32), rest
    sub = cells.filter(pa.array(other))  # (a filter goes chunk by chunk; a take of scattered rows looks up each one's chunk)
    filled = ~blank(sub)
    rest, sub = rest[filled], sub.filter(pa.array(filled))  # a blank cell names nobody: nothing to split
    sub_rows, parts = split_lists(sub)
    codes_ = lookup(parts, items)
    unknown = rest[sub_rows[codes_ == -1]]
    named = codes_ >= 0
    rows, stu = _distinct_pairs(rest[sub_rows[named]], codes_[named].astype(np.int32))
    ptr = np.zeros(n + 1, np.int32 if n + len(rows) < 2**31 else np.int64)  # (entries: one per single cell, at most one per item)
    if len(rows):
        run_start = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        run_length = np.diff(np.r_[run_start, len(rows)])
        counts[rows[run_start]] += run_length
    np.cumsum(counts, out=ptr[1:])
    flat = np.empty(int(ptr[-1]), np.int32)
    flat[ptr[:-1][single]] = first[single]
    if len(rows):
        rank = np.arange(len(rows)) - np.repeat(run_start, run_length)
        flat[ptr[rows] + rank] = stu
    return counts, flat, unknown


def _distinct_pairs(rows: np.ndarray, stu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, student) pairs grouped by row, in the order given within a row, without repeats: a student
    named twice in a cell counts once."""
    if len(rows) < 2:
        return rows, stu
    if (rows[1:] < rows[:-1]).any():  # a database's link table, in any order (split cells come in row order)
        order = np.argsort(rows, kind="stable")
        rows, stu = rows[order], stu[order]
    same_row = rows[1:] == rows[:-1]
    if not same_row.any():
        return rows, stu
    repeat = np.zeros(len(rows), dtype=bool)
    for d in range(1, min(9, len(rows))):  # a cell names a few students: compare each with the few before it in its row
        same = rows[d:] == rows[:-d]
        if not same.any():
            return rows[~repeat], stu[~repeat]
        repeat[d:] |= same & (stu[d:] == stu[:-d])
    if len(rows) <= 9:
        return rows[~repeat], stu[~repeat]
    many = np.zeros(len(rows), dtype=bool)  # a cell naming more than eight: sort its row's students
    many[1:] |= same_row
    many[:-1] |= same_row
    at = np.flatnonzero(many)
    order = at[np.lexsort((stu[at], rows[at]))]
    r, s = rows[order], stu[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (r[1:] == r[:-1]) & (s[1:] == s[:-1])
    keep = np.ones(len(rows), dtype=bool)
    keep[order[repeat]] = False
    return rows[keep], stu[keep]


def explain(table: RawTable, c: Checked, refs: Refs, classes: Mapping[str, int]) -> list[BadRow]:
    """The bad rows of the flagged rows, in row order."""
    flagged = np.flatnonzero(c.flagged)
    if not len(flagged):
        return []
    cols = {name: table.column(name) for name in ("id", "action", "date", "mentor_id", "student_ids", "class", "duration_min")}
    linked = _linked(table) if table.links is not None else None
    out: list[BadRow] = []
    for i in flagged.tolist():
        earlier = int(c.first[i]) if c.first is not None else i
        row = ActivityRow(cols["id"][i].as_py(), cols["action"][i].as_py(), cols["date"][i].as_py(), cols["mentor_id"][i].as_py(),
                          linked.get(i, ()) if linked is not None else cols["student_ids"][i].as_py(),
                          cols["class"][i].as_py(), cols["duration_min"][i].as_py())  # fmt: skip
        where = here(table, earlier) if earlier != i else None
        for column, code, en, zh in activity_problems(row, refs, classes, where, hints=len(out) < MAX_HINTS):
            out.append(table.bad_row(i, column, code, en, zh))
    return out


def _linked(table: RawTable) -> dict[int, tuple[str, ...]]:
    assert table.links is not None
    out: dict[int, list[str]] = {}
    for r, s in zip(table.links[0].tolist(), table.links[1].to_pylist(), strict=True):
        out.setdefault(int(r), []).append(s)
    return {k: tuple(v) for k, v in out.items()}


def build(c: Checked) -> Activities:
    """The log's rows as checked, in their order, but for the flagged ones."""
    late = c.flagged[c.rows]  # flagged, yet with a place in the order (rows whose date or action is no good have none)
    columns = {name: getattr(c, name) for name in ("rows", "ids", "action", "day", "mentor", "klass", "duration", "line")}
    if late.any():
        on_time = ~late  # (a mask, not an index of the rows kept: a few bad rows then cost a copy, not a gather)
        columns = {name: col[on_time] for name, col in columns.items()}
    rows, action = columns.pop("rows"), columns.pop("action")
    if not len(rows):
        return Activities.empty()
    used = np.flatnonzero(np.bincount(action, minlength=len(c.actions)))
    if len(used) < len(c.actions):  # an action only flagged rows name is no action of the log
        remap = np.zeros(len(c.actions), np.int16)
        remap[used] = np.arange(len(used))
        action = remap[action]
    names = tuple(c.actions[k] for k in used.tolist())
    # students: each row's run of the CSR, in the new row order. A stable sort of the students by their row's key puts
    # them row after row in that order (a row's students stay together and in their order): no index of every entry.
    counts, key, stu = c.stu_count, c.key, c.stu_flat
    if c.flagged.any():
        kept = ~c.flagged
        counts, key, stu = counts[kept], key[kept], stu[_entries_kept(c.stu_count, c.flagged)]
    stu = stu[np.argsort(np.repeat(key, counts), kind="stable")]
    s_ptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(c.stu_count[rows], out=s_ptr[1:])
    return Activities(
        action_names=names,
        action=action,
        stu_ptr=s_ptr,
        stu=stu,
        action_ptr=np.searchsorted(action, np.arange(len(names) + 1, dtype=action.dtype), "left").astype(np.int64),
        **columns,
    )


def _entries_kept(counts: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """Which entries of a CSR with `counts` per row belong to rows not flagged: a mask over the entries, cleared at the
    flagged rows' runs only (bad rows are few; a mask spread from every row would cost a pass over all the entries)."""
    ends = np.cumsum(counts, dtype=np.int64)
    bad = np.flatnonzero(flagged)
    n = counts[bad].astype(np.int64)
    into = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)  # each dropped entry's place in its row's run
    keep = np.ones(int(ends[-1]) if len(ends) else 0, dtype=bool)
    keep[np.repeat(ends[bad] - n, n) + into] = False
    return keep


def _sort_key(action: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A key whose stable order is (action, day, order read): the action alone when the log is in date order, as logs
    usually are; else action and day together, in 16 bits when they fit (numpy sorts those by radix, in one pass)."""
    if len(day) < 2 or bool((day[1:] >= day[:-1]).all()):
        return action
    base, span = int(day.min()), int(day.max()) - int(day.min()) + 1
    wide = np.int16 if (int(action.max()) + 1) * span <= np.iinfo(np.int16).max else np.int64
    key: np.ndarray = action.astype(wide)
    np.multiply(key, span, out=key)
    np.add(key, day - base, out=key, casting="same_kind")
    return key


def fixed_width(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """UTF-8 text → a numpy fixed-width bytes array, from Arrow's buffers (no Python object per value)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = [_fixed_width(c) for c in chunks if len(c)]
    return np.concatenate(parts) if parts else np.zeros(0, "S1")  # numpy widens the narrower chunks


ODD_IDS = 10_000  # ids of another length than most, copied one by one (the rest in runs); more: the general path


def _fixed_width(arr: pa.Array) -> np.ndarray:
    n = len(arr)
    _, offsets_buf, data_buf = arr.buffers()
    width_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, width_type)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    width = max(int(lengths.max()), 1)
    if int(lengths.min()) == width:  # every id as long: a view of Arrow's buffer (callers gather from it)
        return data[offsets[0] : offsets[-1]].view(f"S{width}")
    out = np.zeros((n, width), np.uint8)
    common = int(np.bincount(lengths).argmax())
    odd = np.flatnonzero(lengths != common)
    if len(odd) <= ODD_IDS:  # the usual log with a few ids of another length: no per-byte index for the rest
        bounds = np.r_[-1, odd, n].tolist()
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):  # the rows between two odd ones lie side by side
            if b > a + 1:
                out[a + 1 : b, :common] = data[offsets[a + 1] : offsets[b]].reshape(b - a - 1, common)
        for r in odd.tolist():
            out[r, : lengths[r]] = data[offsets[r] : offsets[r + 1]]
        return out.view(f"S{width}").reshape(n)
    step = 1 << 20
    for lo in range(0, n, step):  # bounded temporaries at any size
        hi = min(n, lo + step)
        ln = lengths[lo:hi]
        row = np.repeat(np.arange(lo, hi), ln)
        col = np.arange(int(offsets[hi] - offsets[lo])) - np.repeat(offsets[lo:hi] - offsets[lo], ln)
        out[row, col] = data[offsets[lo] : offsets[hi]]
    return out.view(f"S{width}").reshape(n)
