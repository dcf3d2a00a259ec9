"""The activity log as compact columns: one numpy array per field, no object per row.

Rows arrive in chunks of cells (from a CSV file or from database rows); each chunk is
checked and turned into dense integer columns at once. At the end, duplicate ids are
found by hashing, and the table is sorted by (action, day) so that any rule finds its
activities as one contiguous slice (`span`) and counts them by binary search.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from .dates import DayCache
from .errors import BadRow
from .suggest import suggest

_WS = re.compile(r"\s")
NO_CLASS = -1


@dataclass(frozen=True, eq=False)
class Activities:
    """Activities sorted by (action, day, load order); CSR-style activity → students."""

    ids: np.ndarray  # fixed-width str (or bytes when all ids are ASCII)
    action_names: tuple[str, ...]  # sorted; `action` indexes it
    action: np.ndarray  # int16
    day: np.ndarray  # int32 proleptic ordinal
    mentor: np.ndarray  # int32 index into Bundle.mentors
    klass: np.ndarray  # int32 index into Bundle.classes, NO_CLASS when blank
    duration: np.ndarray  # float32 minutes, NaN when not given
    stu_ptr: np.ndarray  # int64, len n + 1
    stu: np.ndarray  # int32 index into Bundle.students
    line: np.ndarray  # int32 line in the source file (or row number)
    action_ptr: np.ndarray  # int64, len(action_names) + 1: rows of action a are action_ptr[a]:action_ptr[a+1]

    def __len__(self) -> int:
        return int(self.day.shape[0])

    def id_of(self, row: int) -> str:
        v = self.ids[row]
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)

    def action_code(self, name: str) -> int | None:
        try:
            return self.action_names.index(name)
        except ValueError:
            return None

    def span(self, action: str, first_day: int, last_day: int) -> tuple[int, int]:
        """Rows of `action` dated first_day..last_day (inclusive): a contiguous range."""
        code = self.action_code(action)
        if code is None or last_day < first_day:
            return 0, 0
        lo, hi = int(self.action_ptr[code]), int(self.action_ptr[code + 1])
        days = self.day[lo:hi]
        return lo + int(np.searchsorted(days, first_day, "left")), lo + int(np.searchsorted(days, last_day, "right"))

    def students_of(self, row: int) -> np.ndarray:
        return self.stu[self.stu_ptr[row] : self.stu_ptr[row + 1]]

    def entries(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(activity row, student) for every student of rows lo..hi-1."""
        a, b = int(self.stu_ptr[lo]), int(self.stu_ptr[hi])
        counts = np.diff(self.stu_ptr[lo : hi + 1])
        rows = np.repeat(np.arange(lo, hi, dtype=np.int64), counts)
        return rows, self.stu[a:b]

    @staticmethod
    def empty() -> Activities:
        return Activities(np.array([], dtype="U1"), (), np.zeros(0, np.int16), np.zeros(0, np.int32), np.zeros(0, np.int32),
                          np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(1, np.int64), np.zeros(0, np.int32),
                          np.zeros(0, np.int32), np.zeros(1, np.int64))  # fmt: skip


@dataclass(frozen=True, eq=False)
class LoadOrder:
    """A chunk stored grouped by action code (stably), and what finish() needs of the order it was read in.

    Grouping each chunk where it is parsed (on the worker threads, for byte blocks) lets finish()
    lay the table out action by action with slice copies, instead of one sort and a gather of
    every column over the whole table.
    """

    order: np.ndarray  # stored row i is row order[i] of the chunk as read
    ids_rise: bool  # each id sorts after the one before it, as read
    days_rise: bool  # each day is on or after the one before it, as read
    ends: tuple[Any, Any, int, int]  # the first and last id, the first and last day, as read

    @staticmethod
    def of(ids: np.ndarray, action: np.ndarray, day: np.ndarray) -> LoadOrder:
        """The stable grouping of a chunk (every row good) by action code, with its ids' and days' order."""
        small = action.astype(np.int16) if len(action) and int(action.max()) < 1 << 15 else action  # int16: a radix sort
        order = np.argsort(small, kind="stable")
        return LoadOrder(order, _strictly_increasing(ids), bool((day[1:] >= day[:-1]).all()), (ids[0], ids[-1], int(day[0]), int(day[-1])))


def take_rows(counts: np.ndarray, stu: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR (students per row, flat students) of the given rows, in that order."""
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    s_counts = counts[rows]
    s_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(s_counts, out=s_ptr[1:])
    return s_counts, stu[np.repeat(ptr[:-1][rows] - s_ptr[:-1], s_counts) + np.arange(int(s_ptr[-1]), dtype=np.int64)]


def stripped(cells: Sequence[Any]) -> list[Any]:
    """Cells as text without surrounding blanks; skips the per-cell work when nothing has a blank."""
    try:
        joined = "\x00".join(cells)
    except TypeError:  # typed values from database rows
        return ["" if c is None else (c.strip() if isinstance(c, str) else c) for c in cells]
    if not _WS.search(joined):
        return list(cells)
    return [c.strip() for c in cells]


def _misses(values: list[Any], miss: Any) -> list[int]:
    """Positions holding `miss`; the common case (none) costs one C-level scan."""
    if miss not in values:
        return []
    return [i for i, v in enumerate(values) if v is miss or v == miss]


class ActivityBuilder:
    """Checks chunks of activity cells and collects them as columns; `finish()` builds Activities."""

    def __init__(self, file: str, mentor_index: Mapping[str, int], student_index: Mapping[str, int], class_index: Mapping[str, int],
                 rejected_mentors: Mapping[str, int], rejected_students: Mapping[str, int], mentors_file: str = "mentors.csv",
                 students_file: str = "students.csv"):  # fmt: skip
        self.file = file
        self.mentor_index, self.student_index, self.class_index = mentor_index, student_index, class_index
        self.rejected_mentors, self.rejected_students = rejected_mentors, rejected_students
        self.mentors_file, self.students_file = mentors_file, students_file
        self.days = DayCache()
        self.fast: Any = None  # fastcsv's tables of known ids and column values, built on first use
        self.durations: dict[Any, float | None] = {"": math.nan, None: math.nan}
        self.actions: dict[str, int] = {}  # name → code in order of first sight (finish() renumbers by name)
        self.actions_lock = threading.Lock()  # blocks parse on threads: two new actions must not get one code
        self.bad: list[BadRow] = []
        self.cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("ids", "action", "day", "mentor", "klass", "duration", "count", "stu", "line")
        }
        self.ok: list[np.ndarray | None] = []  # per chunk; None when every row is good
        self.loads: list[LoadOrder | None] = []  # per chunk; None when stored as read

    def action_code(self, name: str) -> int:
        """The code of an action name, a new one for a name not seen before (thread-safe)."""
        code = self.actions.get(name)
        if code is None:
            with self.actions_lock:
                code = self.actions.setdefault(name, len(self.actions))
        return code

    def _bad(self, line: int, column: str, code: str, en: str, zh: str) -> None:
        self.bad.append(BadRow(self.file, line, column, code, en, zh))

    def _suggest(self, value: str, known: Mapping[str, int]) -> tuple[str, str]:
        if len(self.bad) > 200:  # a file full of bad ids needs fixing at the source, not 10,000 hints
            return "", ""
        return suggest(value, known)

    def add(self, ids: Sequence[Any], actions: Sequence[Any], dates: Sequence[Any], mentors: Sequence[Any], students: Sequence[Any],
            classes: Sequence[Any], durations: Sequence[Any], lines: Sequence[int]) -> None:  # fmt: skip
        """One chunk: equally long columns of cells (str, or typed values from database rows).

        Each column is mapped with one dict lookup per cell; only the cells that miss (new
        action, unseen date text, bad value) take the slow path that explains what is wrong.
        """
        n = len(ids)
        ids_s = [x if isinstance(x, str) else str(x) for x in stripped(ids)]
        ok = np.ones(n, dtype=bool)
        line_arr = np.asarray(lines, dtype=np.int32)

        for i in _misses(ids_s, ""):
            self._bad(int(line_arr[i]), "id", "missing", "the activity id is missing", "缺少活动编号")
            ok[i] = False

        acts = stripped(actions)
        codes = self.actions
        action_list = [codes.get(a) for a in acts]
        for i in _misses(action_list, None):
            a = acts[i]
            if not a:
                self._bad(int(line_arr[i]), "action", "missing", "the action is missing", "缺少动作名称")
                ok[i] = False
                action_list[i] = 0
            else:
                action_list[i] = self.action_code(str(a))
        action_col = np.asarray(action_list, dtype=np.int32)

        cache = self.days.known
        try:
            for d in set(dates) - cache.keys():  # a few hundred distinct dates: parse each once
                self.days.day(d)
        except TypeError:
            pass
        day_list = [cache.get(d) for d in dates]
        for i in _misses(day_list, None):
            raw = dates[i]
            v = self.days.day(raw)
            if v is None:
                ok[i] = False
                text = "" if raw is None else str(raw).strip()
                if text:
                    self._bad(int(line_arr[i]), "date", "bad-date", f"'{text}' is not a date: write YYYY-MM-DD (or YYYY/M/D), e.g. 2025-09-01",
                              f"“{text}”不是日期：请写成 YYYY-MM-DD（或 YYYY/M/D），例如 2025-09-01")  # fmt: skip
                else:
                    self._bad(int(line_arr[i]), "date", "missing", "the date is missing", "缺少日期")
                v = 0
            day_list[i] = v
        day_col = np.asarray(day_list, dtype=np.int32)

        ments = stripped(mentors)
        mindex = self.mentor_index
        mentor_list = [mindex.get(m, -1) for m in ments]
        for i in _misses(mentor_list, -1):
            self._reference(int(line_arr[i]), "mentor_id", str(ments[i]), "mentor", self.rejected_mentors, self.mentors_file, mindex)
            ok[i] = False
            mentor_list[i] = 0
        mentor_col = np.asarray(mentor_list, dtype=np.int32)

        cindex = self.class_index
        cls = stripped(classes)
        class_list = [cindex.get(c, -9) if c else NO_CLASS for c in cls]
        for i in _misses(class_list, -9):
            c = str(cls[i])
            hint_en, hint_zh = self._suggest(c, cindex)
            self._bad(int(line_arr[i]), "class", "unknown-class", f"unknown class '{c}': no student or head teacher has it{hint_en}",
                      f"班级“{c}”不存在：没有学生或班主任属于这个班级{hint_zh}")  # fmt: skip
            ok[i] = False
            class_list[i] = NO_CLASS

        dcache = self.durations
        try:
            for d in set(durations) - dcache.keys():
                if isinstance(d, str):
                    self._parse_minutes(d)
        except TypeError:
            pass
        dur_list = [dcache.get(d, -1.0) if d.__hash__ is not None else -1.0 for d in durations]
        for i in _misses(dur_list, -1.0):
            minutes = self._duration(durations[i], int(line_arr[i]))
            if minutes is None:
                ok[i] = False
                minutes = math.nan
            dur_list[i] = minutes
        dur_col = np.asarray(dur_list, dtype=np.float32)

        counts, flat = self._students(students, line_arr, ok)

        self.cols["ids"].append(_string_array(ids_s))
        self.cols["action"].append(action_col)
        self.cols["day"].append(day_col)
        self.cols["mentor"].append(mentor_col)
        self.cols["klass"].append(np.asarray(class_list, dtype=np.int32))
        self.cols["duration"].append(dur_col)
        self.cols["count"].append(counts)
        self.cols["stu"].append(flat)
        self.cols["line"].append(line_arr)
        self.ok.append(ok)
        self.loads.append(None)

    def add_arrays(self, ids: np.ndarray, action: np.ndarray, day: np.ndarray, mentor: np.ndarray, klass: np.ndarray, duration: np.ndarray,
                   counts: np.ndarray, stu: np.ndarray, lines: np.ndarray, load: LoadOrder | None = None) -> None:  # fmt: skip
        """A chunk already checked and mapped to dense codes (engine/fastcsv.py): every row is good.

        With `load`, the rows (and `lines`) come grouped by action code as `load` tells.
        """
        self.cols["ids"].append(ids)
        self.cols["action"].append(action)
        self.cols["day"].append(day)
        self.cols["mentor"].append(mentor)
        self.cols["klass"].append(klass)
        self.cols["duration"].append(duration)
        self.cols["count"].append(counts)
        self.cols["stu"].append(stu)
        self.cols["line"].append(lines.astype(np.int32, copy=False))
        self.ok.append(None)
        self.loads.append(load)

    def _parse_minutes(self, text: str) -> None:
        """Cache a valid duration text (bad ones are explained per row by _duration)."""
        try:
            value = float(text)
        except ValueError:
            return
        if math.isfinite(value) and value >= 0:
            self.durations[text] = value

    def _duration(self, raw: Any, line: int) -> float | None:
        """Minutes as a float; None (with a bad row) when not a non-negative number."""
        text = str(raw).strip() if raw is not None else ""
        if text == "":
            return math.nan
        try:
            value = float(text)
        except ValueError:
            self._bad(line, "duration_min", "bad-number", f"'{text}' is not a number of minutes", f"“{text}”不是分钟数")
            return None
        if not math.isfinite(value):
            self._bad(line, "duration_min", "bad-number", f"'{text}' is not a number of minutes", f"“{text}”不是分钟数")
            return None
        if value < 0:
            self._bad(
                line,
                "duration_min",
                "negative-duration",
                f"negative duration {text}: minutes cannot be below 0",
                f"时长 {text} 为负数：分钟数不能小于 0",
            )
            return None
        if isinstance(raw, str):
            self.durations[raw] = value
        return value

    def _reference(
        self, line: int, column: str, value: str, what: str, rejected: Mapping[str, int], file: str, known: Mapping[str, int]
    ) -> None:
        zh_what = "导师" if what == "mentor" else "学生"
        if not value:
            self._bad(line, column, "missing", f"the {what} id is missing", f"缺少{zh_what}编号")
        elif value in rejected:
            self._bad(line, column, "rejected-reference", f"{what} '{value}' was rejected ({file}:{rejected[value]})",
                      f"{zh_what}“{value}”所在的行已被拒绝（{file}:{rejected[value]}）")  # fmt: skip
        else:
            hint_en, hint_zh = self._suggest(value, known)
            self._bad(line, column, f"unknown-{what}", f"unknown {what} id '{value}': not in {file}{hint_en}",
                      f"未知的{zh_what}编号“{value}”：{file} 中没有{hint_zh}")  # fmt: skip

    def _students(self, cells: Sequence[Any], lines: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-row student counts and the flat student indices, CSR style (duplicates within a row dropped).

        Most cells name one known student: one dict lookup each, placed by a vectorised
        scatter; cells with several ids, blanks or unknown ids take the slow path.
        """
        sindex = self.student_index
        first = np.asarray([sindex.get(c, -1) if c else -2 for c in cells] if cells else [], dtype=np.int64)
        counts = (first >= 0).astype(np.int64)
        slow: dict[int, list[int]] = {}
        for i in np.flatnonzero(first == -1).tolist():
            cell = cells[i]
            raw = cell.split(";") if isinstance(cell, str) else [str(p) for p in cell]
            parts = list(dict.fromkeys(p.strip() for p in raw if p.strip()))
            found = [sindex.get(p) for p in parts]
            missing = [p for p, f in zip(parts, found, strict=True) if f is None]
            if missing:
                ok[i] = False
                line = int(lines[i])
                rejected = [p for p in missing if p in self.rejected_students]
                unknown = [p for p in missing if p not in self.rejected_students]
                if unknown:
                    hint_en, hint_zh = self._suggest(unknown[0], sindex) if len(unknown) == 1 else ("", "")
                    listed = ", ".join(f"'{p}'" for p in unknown)
                    self._bad(line, "student_ids", "unknown-student", f"unknown student id {listed}: not in {self.students_file}{hint_en}",
                              f"未知的学生编号 {'、'.join(f'“{p}”' for p in unknown)}：{self.students_file} 中没有{hint_zh}")  # fmt: skip
                for p in rejected:
                    self._reference(line, "student_ids", p, "student", self.rejected_students, self.students_file, sindex)
                continue
            slow[i] = [f for f in found if f is not None]
            counts[i] = len(slow[i])
        ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        flat = np.empty(int(ptr[-1]), dtype=np.int32)
        single = first >= 0
        flat[ptr[:-1][single]] = first[single]
        for i, ids in slow.items():
            flat[ptr[i] : ptr[i] + len(ids)] = ids
        return counts, flat

    def finish(self) -> tuple[Activities, list[BadRow]]:
        """The sorted table without bad or duplicate rows, and every bad row found.

        Logs are usually written in id and date order. Then no id repeats, sorting by (action,
        day, load order) is sorting by action alone, and the chunks, each grouped by action,
        are laid out action by action. Otherwise one sort of the whole table.
        """
        if not self.cols["action"]:
            return Activities.empty(), self.bad
        if self._in_order():
            return self._laid_out(), self.bad
        return self._sorted(), self.bad

    def _in_order(self) -> bool:
        """Whether no id repeats and the good rows' days never decrease down the file."""
        ids_rise, prev_id, prev_day = True, None, None
        for k, ids in enumerate(self.cols["ids"]):
            if not len(ids):
                continue
            load, ok = self.loads[k], self.ok[k]
            rise, first_id, last_id = (load.ids_rise, *load.ends[:2]) if load else (_strictly_increasing(ids), ids[0], ids[-1])
            ids_rise = ids_rise and rise and (prev_id is None or _text(prev_id) < _text(first_id))
            prev_id = last_id
            if load:
                days_rise, first_day, last_day = load.days_rise, *load.ends[2:]
            else:
                day = self.cols["day"][k] if ok is None else self.cols["day"][k][ok]
                if not len(day):
                    continue
                days_rise, first_day, last_day = bool((day[1:] >= day[:-1]).all()), int(day[0]), int(day[-1])
            if not days_rise or (prev_day is not None and prev_day > first_day):
                return False
            prev_day = last_day
        if not ids_rise:  # ids out of order may still be distinct: the hash check of _duplicates, without marking
            hashes = np.sort(_hash_strings(_unify_strings(self.cols["ids"])))
            return not bool((hashes[1:] == hashes[:-1]).any())
        return True

    def _laid_out(self) -> Activities:
        """The table from chunks grouped by action: for each action, each chunk's run of it in turn."""
        names = sorted(self.actions)
        chunks = [self._grouped(k) for k in range(len(self.ok))]
        runs = [(self.actions[name], c) for name in names for c in chunks]
        per_run = [c["runs"][code + 1] - c["runs"][code] for code, c in runs]
        sizes = np.array(per_run, dtype=np.int64).reshape(len(names), len(chunks)).sum(axis=1)  # rows per action
        n = int(sizes.sum())
        ids = np.empty(n, dtype=np.result_type(*[c["ids"].dtype for c in chunks]))
        columns = (("day", np.int32), ("mentor", np.int32), ("klass", np.int32), ("duration", np.float32), ("line", np.int32))
        out: dict[str, np.ndarray] = {k: np.empty(n, dtype=d) for k, d in columns}
        out["ids"] = ids
        stu_ptr = np.zeros(n + 1, dtype=np.int64)
        out["count"] = stu_ptr[1:]  # the counts, summed in place below
        stu = np.empty(sum(len(c["stu"]) for c in chunks), dtype=np.int32)
        at, entry = 0, 0
        for code, c in runs:
            lo, hi = int(c["runs"][code]), int(c["runs"][code + 1])
            if lo == hi:
                continue
            for key, col in out.items():
                col[at : at + hi - lo] = c[key][lo:hi]
            first, last = int(c["ptr"][lo]), int(c["ptr"][hi])
            stu[entry : entry + last - first] = c["stu"][first:last]
            at, entry = at + hi - lo, entry + last - first
        np.cumsum(stu_ptr, out=stu_ptr)
        action_ptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(sizes, out=action_ptr[1:])
        return Activities(ids=ids, action_names=tuple(names), action=np.repeat(np.arange(len(names), dtype=np.int16), sizes),
                          day=out["day"], mentor=out["mentor"], klass=out["klass"], duration=out["duration"], stu_ptr=stu_ptr, stu=stu,
                          line=out["line"], action_ptr=action_ptr)  # fmt: skip

    def _grouped(self, k: int) -> dict[str, np.ndarray]:
        """Chunk k's good rows grouped by action code (as stored, for a chunk given grouped), with where each code's run starts."""
        c = {key: v[k] for key, v in self.cols.items()}
        if self.loads[k] is None:  # a chunk stored as read (the row path): group it here
            ok = self.ok[k]
            keep = np.flatnonzero(ok) if ok is not None else np.arange(len(c["action"]))
            rows = keep[np.argsort(c["action"][keep], kind="stable")]
            c["count"], c["stu"] = take_rows(c["count"], c["stu"], rows)
            for key in ("ids", "action", "day", "mentor", "klass", "duration", "line"):
                c[key] = c[key][rows]
        c["runs"] = np.zeros(len(self.actions) + 1, dtype=np.int64)
        np.cumsum(np.bincount(c["action"], minlength=len(self.actions)), out=c["runs"][1:])
        c["ptr"] = np.zeros(len(c["count"]) + 1, dtype=np.int64)
        np.cumsum(c["count"], out=c["ptr"][1:])
        if c["ids"].dtype.kind == "S" and any(v.dtype.kind == "U" for v in self.cols["ids"]):
            c["ids"] = np.char.decode(c["ids"], "utf-8")  # as _unify_strings does
        return c

    def _sorted(self) -> Activities:
        """The table by one stable sort on (action, day) of every good row, repeated ids marked bad first."""
        col = {k: np.concatenate(v) for k, v in self.cols.items() if k != "ids"}
        ok = np.concatenate([np.ones(len(a), dtype=bool) if o is None else o for a, o in zip(self.cols["action"], self.ok, strict=True)])
        ids = _unify_strings(self.cols["ids"])
        if not _strictly_increasing(ids):  # ids in increasing order (as logs are usually numbered) cannot repeat
            self._duplicates(ids, _hash_strings(ids), col["line"], ok)

        counts = col["count"].astype(np.int64, copy=False)
        all_ok = bool(ok.all())
        stu = col["stu"] if all_ok else col["stu"][np.repeat(ok, counts)]
        counts = counts if all_ok else counts[ok]
        keep = None if all_ok else np.flatnonzero(ok)  # 80 MB at 10M rows, only needed when rows were dropped
        names = sorted(self.actions)
        remap = np.zeros(max(len(self.actions), 1), dtype=np.int16)
        for new, name in enumerate(names):
            remap[self.actions[name]] = new
        action = remap[col["action"] if keep is None else col["action"][keep]]
        day = col["day"] if keep is None else col["day"][keep]
        # one int64 key sorts by (action, day) and, stably, keeps the stored order within a day: the
        # order read, as a chunk stored grouped by action keeps it within each action
        base = int(day.min()) if len(day) else 0
        if len(day) < 2 or bool((day[1:] >= day[:-1]).all()):
            # logs are usually written in date order: then a stable sort on the action alone
            # (a radix sort on int16) gives (action, day, load order)
            order = np.argsort(action.astype(np.int16), kind="stable")
        else:
            key = action.astype(np.int64) * (int(day.max()) - base + 2) + (day - base)
            order = np.argsort(key, kind="stable")
        ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        s_counts = counts[order]
        s_ptr = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(s_counts, out=s_ptr[1:])
        gather = np.repeat(ptr[:-1][order] - s_ptr[:-1], s_counts) + np.arange(int(s_ptr[-1]), dtype=np.int64)
        action_sorted = action[order]
        action_ptr = np.searchsorted(action_sorted, np.arange(len(names) + 1), "left").astype(np.int64)
        rows = order if keep is None else keep[order]  # one gather per column
        ids_s, day_s, mentor, klass, duration, stu_s, line = _gather_all(
            (ids, rows), (day, order), (col["mentor"], rows), (col["klass"], rows), (col["duration"], rows), (stu, gather), (col["line"], rows)
        )
        return Activities(
            ids=ids_s,
            action_names=tuple(names),
            action=action_sorted,
            day=day_s,
            mentor=mentor.astype(np.int32, copy=False),
            klass=klass.astype(np.int32, copy=False),
            duration=duration.astype(np.float32, copy=False),
            stu_ptr=s_ptr,
            stu=stu_s.astype(np.int32, copy=False),
            line=line.astype(np.int32, copy=False),
            action_ptr=action_ptr,
        )

    def _read_order(self) -> np.ndarray:
        """Each stored row's place in the order the rows were read (chunks may be stored grouped by action)."""
        starts = np.cumsum([0] + [len(a) for a in self.cols["action"]])
        return np.concatenate([s + (load.order if load else np.arange(len(a)))
                               for s, a, load in zip(starts, self.cols["action"], self.loads, strict=False)])  # fmt: skip

    def _duplicates(self, ids: np.ndarray, hashes: np.ndarray, lines: np.ndarray, ok: np.ndarray) -> None:
        """Mark every repeat of an id bad, pointing at the line of its first use."""
        if len(hashes) < 2:
            return
        h = np.sort(hashes)
        if not (h[1:] == h[:-1]).any():  # the usual case: no repeat, no need to know where
            return
        order = np.argsort(hashes, kind="stable")
        h = hashes[order]
        same = np.flatnonzero(h[1:] == h[:-1])
        if not len(same):
            return
        groups: dict[int, list[int]] = {}
        for k in same:
            groups.setdefault(int(h[k]), []).extend((int(order[k]), int(order[k + 1])))
        read = self._read_order()
        for rows in groups.values():
            first: dict[str, int] = {}
            for r in sorted(set(rows), key=read.__getitem__):  # the first use is the first read
                text = ids[r].decode("utf-8") if isinstance(ids[r], bytes) else str(ids[r])
                if not text:
                    continue
                if text in first:
                    if ok[r]:
                        ok[r] = False
                    self._bad(int(lines[r]), "id", "duplicate-id", f"duplicate activity id '{text}' (first used on line {first[text]})",
                              f"活动编号“{text}”重复（第一次出现在第 {first[text]} 行）")  # fmt: skip
                else:
                    first[text] = int(lines[r])


def _gather_all(*pairs: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """values[index] for each pair, on two threads: np.take releases the GIL, and at 10M rows
    the seven column gathers are a second of memory-bound work that two cores share."""
    if len(pairs[0][1]) < 1_000_000:
        return [np.take(values, index, axis=0) for values, index in pairs]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda p: np.take(p[0], p[1], axis=0), pairs))


def _strictly_increasing(ids: np.ndarray) -> bool:
    """Each id sorts after the one before: one vectorised pass instead of sorting 10M hashes (1 s)."""
    return bool((ids[1:] > ids[:-1]).all())


def _hash_strings(ids: np.ndarray) -> np.ndarray:
    """A 64-bit hash per fixed-width string, vectorised over its bytes or code points."""
    n = len(ids)
    if n == 0:
        return np.zeros(0, np.uint64)
    if ids.dtype.kind == "S" and ids.dtype.itemsize <= 8:  # short ASCII ids are their own exact 64-bit key
        return np.ascontiguousarray(ids.astype("S8")).view("<u8").reshape(-1).copy()
    unit = np.uint8 if ids.dtype.kind == "S" else np.uint32
    mat = np.ascontiguousarray(ids).view(unit).reshape(n, -1)
    h = np.zeros(n, dtype=np.uint64)
    prime = np.uint64(1099511628211)
    for k in range(mat.shape[1]):
        h = h * prime + mat[:, k].astype(np.uint64)
    return h


def _string_array(values: list[str]) -> np.ndarray:
    """Fixed-width bytes when every id is ASCII (a quarter of the memory), else str."""
    if not values:
        return np.array([], dtype="S1")
    try:
        return np.array(values, dtype="S")
    except UnicodeEncodeError:
        return np.array(values, dtype="U")


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _unify_strings(parts: list[np.ndarray]) -> np.ndarray:
    if all(p.dtype.kind == "S" for p in parts):
        return np.concatenate(parts)
    return np.concatenate([np.char.decode(p, "utf-8") if p.dtype.kind == "S" else p for p in parts])
