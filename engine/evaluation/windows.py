"""Which term is evaluated, and the windows of each rule in it (SPEC §4, §4.1).

Days are proleptic ordinals (`date.toordinal()`); every window is inclusive at both ends.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..errors import UnknownTermError
from ..model.calendar import Calendar, Term
from ..model.scheme import By, EventSpec, FirstDays, LastDays, Period, Range, WindowClause


@dataclass(frozen=True)
class Window:
    start: int
    end: int


def select_term(calendar: Calendar, as_of: dt.date, term_id: str | None = None) -> Term:
    """`term_id`, else the term containing as_of, else the last one started before it, else the first."""
    terms = sorted(calendar.terms, key=lambda t: t.start)
    if term_id is not None:
        for t in terms:
            if t.id == term_id:
                return t
        raise UnknownTermError(term_id, [t.id for t in terms])
    started = [t for t in terms if t.start <= as_of]
    return started[-1] if started else terms[0]


def period_windows(period: Period, clause: WindowClause | None, term: Term, calendar: Calendar) -> list[Window]:
    """The windows of a periodic rule in `term`, the window clause applied; [] when none fits."""
    ts, te = term.start.toordinal(), term.end.toordinal()
    if period.unit == "school_year":
        ps, pe = calendar.year_start.toordinal(), calendar.year_end.toordinal()
    else:
        ps, pe = ts, te
    if period.unit in ("term", "school_year"):
        if clause is None:
            return [Window(ps, pe)]
        w = apply_clause(clause, ps, pe, ts, te)
        return [w] if w is not None else []
    return split(period, ts, te)


def apply_clause(clause: WindowClause, ps: int, pe: int, ts: int, te: int) -> Window | None:
    """A window clause replaces the period's window; None when the rule has no window here."""
    if isinstance(clause, FirstDays):
        return Window(ts, ts + clause.days - 1)
    if isinstance(clause, LastDays):
        return Window(te - clause.days + 1, te)
    if isinstance(clause, Range):
        start = (ts if clause.start.anchor == "term_start" else te) + clause.start.offset_days
        end = (ts if clause.end.anchor == "term_start" else te) + clause.end.offset_days
        return Window(start, end) if start <= end else None
    assert isinstance(clause, By)
    due = by_date(clause.month, clause.day, dt.date.fromordinal(ps)).toordinal()
    return Window(ps, due) if due <= pe else None


def by_date(month: int, day: int, on_or_after: dt.date) -> dt.date:
    """The first MM-DD on or after a day; 02-29 is 02-28 in years without it."""
    year = on_or_after.year
    while True:
        d = dt.date(year, month, min(day, cal.monthrange(year, month)[1]))
        if d >= on_or_after:
            return d
        year += 1


def split(period: Period, ts: int, te: int) -> list[Window]:
    """Months, half months, ISO weeks or N-week/N-day blocks of the term, clipped, short ends merged."""
    pieces: list[tuple[int, int, int]] = []  # (start, end, full length)
    if period.unit in ("month", "half_month"):
        d = dt.date.fromordinal(ts).replace(day=1)
        while d.toordinal() <= te:
            length = cal.monthrange(d.year, d.month)[1]
            first = d.toordinal()
            # a half month: the 1st–15th and the 16th to the month's end (13 to 16 days)
            halves = [(first, 15), (first + 15, length - 15)] if period.unit == "half_month" else [(first, length)]
            for start, size in halves:
                if start <= te and start + size - 1 >= ts:
                    pieces.append((max(start, ts), min(start + size - 1, te), size))
            d = (d + dt.timedelta(days=length)).replace(day=1)
    elif period.unit == "week":
        monday = ts - dt.date.fromordinal(ts).weekday()
        while monday <= te:
            pieces.append((max(monday, ts), min(monday + 6, te), 7))
            monday += 7
    else:
        size = period.n * (7 if period.unit == "weeks" else 1)
        start = ts
        while start <= te:
            pieces.append((start, min(start + size - 1, te), size))
            start += size

    def short(p: tuple[int, int, int]) -> bool:
        return 2 * (p[1] - p[0] + 1) < p[2]

    if len(pieces) > 1 and short(pieces[0]):
        pieces[1] = (pieces[0][0], pieces[1][1], pieces[1][2])
        del pieces[0]
    if len(pieces) > 1 and short(pieces[-1]):
        pieces[-2] = (pieces[-2][0], pieces[-1][1], pieces[-2][2])
        del pieces[-1]
    return [Window(s, e) for s, e, _ in pieces]


def union_runs(owner: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows (owner, start, end) → the runs of consecutive days their union covers, per owner: (owner, start, end)
    sorted by owner then start. Overlapping and adjacent windows join (a run is whole days, both ends inclusive)."""
    if not len(owner):
        return owner, start, end
    order = np.lexsort((start, owner))
    o, s, e = owner[order], start[order], end[order]
    base = int(s.min())
    stride = int(e.max()) - base + 3  # each owner's days in a band of its own: a running max never crosses owners
    reach = np.maximum.accumulate(o * stride + (e - base))  # the furthest day covered so far, within the owner's band
    new = np.ones(len(o), dtype=bool)
    new[1:] = (o[1:] != o[:-1]) | (o[1:] * stride + (s[1:] - base) > reach[:-1] + 1)
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(o)] - 1
    return o[first], s[first], reach[last] - o[first] * stride + base


def event_window(spec: EventSpec, day: int) -> Window:
    if spec.direction == "after":
        return Window(day, day + spec.days)
    if spec.direction == "before":
        return Window(day - spec.days, day)
    return Window(day - spec.days, day + spec.days)
