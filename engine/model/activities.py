"""The activity log as compact columns: one numpy array per field, no object per row.

Rows are sorted by (action, day, order read), so any rule finds its activities as one
contiguous slice (`span`) and counts them by binary search. Students per activity are held
CSR style: the students of row r are `stu[stu_ptr[r]:stu_ptr[r + 1]]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_CLASS = -1


@dataclass(frozen=True, eq=False)
class Activities:
    ids: np.ndarray  # fixed-width bytes, UTF-8 (byte order is code point order)
    action_names: tuple[str, ...]  # sorted; `action` indexes it
    action: np.ndarray  # int16
    day: np.ndarray  # int32 proleptic ordinal
    mentor: np.ndarray  # int32 index into Bundle.mentors
    klass: np.ndarray  # int32 index into Bundle.classes, NO_CLASS when blank
    duration: np.ndarray  # float32 minutes, NaN when not given
    stu_ptr: np.ndarray  # int64, len n + 1
    stu: np.ndarray  # int32 index into Bundle.students
    line: np.ndarray  # int32 row number in the source (0: none, e.g. a database row)
    action_ptr: np.ndarray  # int64, len(action_names) + 1: rows of action a are action_ptr[a]:action_ptr[a+1]

    def __len__(self) -> int:
        return int(self.day.shape[0])

    def id_of(self, row: int) -> str:
        return bytes(self.ids[row]).decode("utf-8")

    def id_texts(self, rows: np.ndarray) -> list[str]:
        """The ids of the given rows as text."""
        picked = self.ids[rows]
        try:
            return picked.astype("U").tolist()  # type: ignore[no-any-return]  # every id ASCII: one C pass
        except UnicodeDecodeError:
            return [v.decode("utf-8") for v in picked.tolist()]

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
        return Activities(np.array([], dtype="S1"), (), np.zeros(0, np.int16), np.zeros(0, np.int32), np.zeros(0, np.int32),
                          np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(1, np.int64), np.zeros(0, np.int32),
                          np.zeros(0, np.int32), np.zeros(1, np.int64))  # fmt: skip
