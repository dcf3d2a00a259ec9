"""One row each: a mentor, a student, an assignment, an activity, a student event, a rating.

`line` is where the row came from (the row number Excel shows); rows built by hand or read from
a database have none. A bundle holds each table as Rows: plain tuples, read as these named
tuples (see Rows for why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar, overload

R = TypeVar("R", bound=tuple[Any, ...])


class Mentor(NamedTuple):
    id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    class_name: str | None = None  # the class a head teacher leads
    line: int | None = None


class Student(NamedTuple):
    id: str
    name: str
    grade: int
    class_name: str
    tags: tuple[str, ...] = ()
    line: int | None = None


class Assignment(NamedTuple):
    mentor_id: str
    student_id: str
    start: dt.date | None = None
    end: dt.date | None = None
    line: int | None = None


class Activity(NamedTuple):
    """One activity row; `date` may be a date or text as written (only the date part is used)."""

    id: str
    action: str
    date: dt.date | str
    mentor_id: str
    student_ids: tuple[str, ...] = ()
    class_name: str | None = None
    duration_min: float | None = None
    note: str = ""
    line: int | None = None


class StudentEvent(NamedTuple):
    student_id: str
    kind: str
    date: dt.date
    line: int | None = None


class Rating(NamedTuple):
    mentor_id: str
    score: str
    item: str
    value: Decimal
    term: str
    line: int | None = None


class Rows(Sequence[R], Generic[R]):
    """A table's rows, held as plain tuples and handed out as the named tuple `kind`.

    Why not hold the named tuples: CPython's collector stops tracking a plain tuple of text,
    numbers and dates at its first collection, but never a tuple subclass. A district's roster
    is hundreds of thousands of rows, and as named tuples every full collection walked all of
    them, for as long as the bundle lived (0.4–0.9 s of a 10M-activity load; in a web worker
    holding several schools, on every full collection)."""

    __slots__ = ("kind", "plain")

    def __init__(self, kind: type[R], plain: Sequence[tuple[Any, ...]]) -> None:
        self.kind = kind
        self.plain = plain

    def __len__(self) -> int:
        return len(self.plain)

    @overload
    def __getitem__(self, i: int) -> R: ...
    @overload
    def __getitem__(self, i: slice) -> Rows[R]: ...
    def __getitem__(self, i: int | slice) -> R | Rows[R]:
        if isinstance(i, slice):
            return Rows(self.kind, self.plain[i])
        return self.kind._make(self.plain[i])  # type: ignore[attr-defined,no-any-return]

    def __iter__(self) -> Iterator[R]:
        return map(self.kind._make, self.plain)  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self.plain) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({self.kind.__name__}, {len(self.plain)} rows)"

    def column(self, name: str) -> list[Any]:
        """One field of every row, in order."""
        return list(map(itemgetter(self.kind._fields.index(name)), self.plain))  # type: ignore[attr-defined]
