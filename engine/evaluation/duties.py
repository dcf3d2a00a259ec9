"""Duties: for each rule, every (subject, window) with its count of activities and its status.

Count first, then judge (PERFORMANCE.md): the rule's activities are one contiguous slice of
the (action, day)-sorted table; they are expanded to (activity, subject) entries, sorted by
one integer key (subject, day), and every (subject, window) count is two binary searches.
Statuses are one vector operation over the counts. No window ever scans the activities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model.bundle import Bundle
from ..model.calendar import Term
from ..model.scheme import EventSpec, Rule, Scheme
from .subjects import Masks, Roster
from .windows import apply_clause, event_window, period_windows, union_runs

STATUSES = ("upcoming", "exceeded", "satisfied", "overdue", "open")
UPCOMING, EXCEEDED, SATISFIED, OVERDUE, OPEN = range(5)


@dataclass(frozen=True, eq=False)
class Context:
    """What every rule of one evaluation shares."""

    scheme: Scheme
    bundle: Bundle
    as_of: int
    term: Term
    in_scope: np.ndarray  # bool per student
    roster: Roster
    masks: Masks


@dataclass(frozen=True, eq=False)
class DutyBlock:
    """One rule's duties as columns, already in report order (subject, window start)."""

    rule: Rule
    scope: str
    labels: Sequence[str]  # subject label by subject index
    subject: np.ndarray  # int64 subject index per duty
    student: np.ndarray  # int64 student index per duty, -1 when the subject is not one student
    mentor: np.ndarray  # int64 mentor index per duty, -1 when not one mentor
    start: np.ndarray  # int64 day
    end: np.ndarray
    event_day: np.ndarray | None  # int64 day of the event, for event rules
    count: np.ndarray
    status: np.ndarray  # int8 index into STATUSES
    ev_lo: np.ndarray  # evidence of duty i is ev_rows[ev_lo[i]:ev_hi[i]]
    ev_hi: np.ndarray
    ev_rows: np.ndarray
    runs: Runs | None = None  # key moments: the runs of days each duty's window is made of

    def __len__(self) -> int:
        return int(self.subject.shape[0])


def evaluate_rule(rule: Rule, ctx: Context) -> DutyBlock:
    q = _queries(rule, ctx)
    entries = _entries(rule, ctx, q)
    return _judge(rule, ctx, q, entries)


@dataclass(frozen=True, eq=False)
class Runs:
    """The runs of consecutive days of each duty of a key-moment rule: those of duty i are start[ptr[i]:ptr[i + 1]]
    to end[ptr[i]:ptr[i + 1]], in day order."""

    ptr: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def of(self, i: int) -> list[tuple[int, int]]:
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return list(zip(self.start[a:b].tolist(), self.end[a:b].tolist(), strict=True))


@dataclass
class _Queries:
    labels: Sequence[str]
    subject: np.ndarray
    rank: np.ndarray  # sort position of each subject label
    student: np.ndarray
    mentor: np.ndarray
    start: np.ndarray
    end: np.ndarray
    event_day: np.ndarray | None
    pairs: tuple[np.ndarray, np.ndarray] | None = None  # pair subject → (mentor, student)
    runs: Runs | None = None  # key moments: each query's runs (start/end above are their bounds)


def _i64(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _queries(rule: Rule, ctx: Context) -> _Queries:
    b = ctx.bundle
    n_students = len(b.students)
    none = np.full(0, -1, dtype=np.int64)
    if rule.moments is not None:
        return _moment_queries(rule, ctx)
    if rule.scope == "pair":
        return _pair_queries(rule, ctx)
    labels: Sequence[str]
    if rule.event is not None:
        subject_arr, start, end, day = _student_event_windows(rule, ctx)
        labels = b.student_ids
        return _Queries(labels, subject_arr, np.arange(n_students, dtype=np.int64), subject_arr, np.full(len(subject_arr), -1, np.int64),
                        start, end, day)  # fmt: skip
    windows = period_windows(rule.period, rule.window, ctx.term, b.calendar)  # type: ignore[arg-type]
    if rule.scope == "student":
        everyone = np.arange(n_students, dtype=np.int64)
        subjects = everyone[ctx.in_scope & ctx.masks.over(rule.where, everyone)]
        labels = b.student_ids
    elif rule.scope == "mentor":
        subjects = np.flatnonzero(ctx.masks.mentors(rule.where)).astype(np.int64)
        labels = b.mentor_ids
    else:  # class: the classes of in-scope students
        subjects = np.unique(b.student_class[ctx.in_scope]).astype(np.int64) if n_students else none
        labels = list(b.classes)
    nw = len(windows)
    subject = np.repeat(subjects, nw)
    starts = np.tile(_i64([w.start for w in windows]), len(subjects))
    ends = np.tile(_i64([w.end for w in windows]), len(subjects))
    rank = np.arange(len(labels), dtype=np.int64)
    student = subject if rule.scope == "student" else np.full(len(subject), -1, np.int64)
    mentor = subject if rule.scope == "mentor" else np.full(len(subject), -1, np.int64)
    return _Queries(labels, subject, rank, student, mentor, starts, ends, None)


def _student_event_windows(rule: Rule, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(student, start, end, event day) of every event window of every subject student, identical ones merged.

    Calendar events reach every eligible student of their grades, student events their
    student. For one rule every window has the same length, so (student, start) identifies
    a window: merging identical windows is a unique over that key.
    """
    assert rule.event is not None
    return _event_windows(rule.event, _eligible(rule, ctx), ctx)


def _eligible(rule: Rule, ctx: Context) -> np.ndarray:
    """The students a rule per student (its `where` applied) or per pair (`where` applied to the pairs later) can be about."""
    if rule.scope == "pair":
        return ctx.in_scope
    return ctx.in_scope & ctx.masks.over(rule.where, np.arange(len(ctx.bundle.students), dtype=np.int64))


def _event_windows(spec: EventSpec, eligible: np.ndarray, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """_student_event_windows for one event window and the students eligible."""
    b = ctx.bundle
    ts, te = ctx.term.start.toordinal(), ctx.term.end.toordinal()
    everyone = np.arange(len(b.students), dtype=np.int64)
    subj: list[np.ndarray] = []
    days: list[np.ndarray] = []
    for e in b.calendar.events:
        d = e.date.toordinal()
        if e.kind != spec.kind or not (ts <= d <= te):
            continue
        who = eligible if e.grades is None else eligible & np.isin(b.student_grade, np.array(e.grades, dtype=np.int32))
        idx = everyone[who]
        subj.append(idx)
        days.append(np.full(len(idx), d, dtype=np.int64))
    own = [(b.student_index[se.student_id], se.date.toordinal()) for se in b.student_events
           if se.kind == spec.kind and ts <= se.date.toordinal() <= te]  # fmt: skip
    if own:
        pairs = np.asarray(own, dtype=np.int64)
        keep = eligible[pairs[:, 0]]
        subj.append(pairs[keep, 0])
        days.append(pairs[keep, 1])
    s_all, d_all = (np.concatenate(subj), np.concatenate(days)) if subj else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not len(s_all):
        return s_all, s_all, s_all, s_all
    w = event_window(spec, 0)
    start, end = d_all + w.start, d_all + w.end
    base = int(start.min())
    key = s_all * (int(start.max()) - base + 1) + (start - base)
    _, first = np.unique(key, return_index=True)  # sorted by (student, start): report order
    return s_all[first], start[first], end[first], d_all[first]


def _moment_queries(rule: Rule, ctx: Context) -> _Queries:
    """Key moments: one query per subject whose days are the union of every alternative's windows for its student
    (the student's own events and its grade's calendar events, window clauses of the term); none where it is empty."""
    assert rule.moments is not None
    b = ctx.bundle
    ts, te = ctx.term.start.toordinal(), ctx.term.end.toordinal()
    eligible = _eligible(rule, ctx)
    everyone = np.arange(len(b.students), dtype=np.int64)
    owners, starts, ends = [], [], []
    for moment in rule.moments:
        if isinstance(moment, EventSpec):
            who, start, end, _ = _event_windows(moment, eligible, ctx)
        else:
            w = apply_clause(moment, ts, te, ts, te)
            if w is None:
                continue
            who = everyone[eligible]
            start, end = np.full(len(who), w.start, np.int64), np.full(len(who), w.end, np.int64)
        owners.append(who)
        starts.append(start)
        ends.append(end)
    cat = lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, np.int64)  # noqa: E731
    owner, run_start, run_end = union_runs(cat(owners), cat(starts), cat(ends))
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.zeros(0, np.int64)
    last = np.r_[first[1:], len(owner)] - 1 if len(owner) else first
    students = owner[first]
    # each student's runs: CSR over the students in order
    ptr_of_student = np.r_[first, len(owner)].astype(np.int64)
    if rule.scope == "student":
        n = len(students)
        return _Queries(b.student_ids, students, np.arange(len(b.students), dtype=np.int64), students, np.full(n, -1, np.int64),
                        run_start[first], run_end[last], None, runs=Runs(ptr_of_student, run_start, run_end))  # fmt: skip
    q = _pair_queries(rule, ctx, (students, run_start[first], run_end[last]))
    # a pair's runs are its student's: gather each query's student's runs
    at = np.searchsorted(students, q.student)
    lengths = ptr_of_student[at + 1] - ptr_of_student[at]
    ptr = np.zeros(len(at) + 1, np.int64)
    np.cumsum(lengths, out=ptr[1:])
    take = _ranges(ptr_of_student[at], lengths)
    q.runs = Runs(ptr, run_start[take], run_end[take])
    return q


def _pair_queries(rule: Rule, ctx: Context, student_windows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> _Queries:
    """Pairs are subjects per window: those with an assignment active on min(window end, as-of).

    All windows sharing a day share the active pairs; per-student event windows join them
    on the student. Everything stays in arrays: a school has tens of thousands of pairs.
    """
    b = ctx.bundle
    per_student = rule.event is not None or student_windows is not None
    if student_windows is not None:  # key moments: one window per student, the bounds of its runs
        w_student, w_start, w_end = student_windows
        w_day = np.full(len(w_student), -1, np.int64)
    elif rule.event is not None:
        w_student, w_start, w_end, w_day = _student_event_windows(rule, ctx)
    else:
        windows = period_windows(rule.period, rule.window, ctx.term, b.calendar)  # type: ignore[arg-type]
        w_start, w_end = _i64([w.start for w in windows]), _i64([w.end for w in windows])
        w_student = np.full(len(windows), -1, np.int64)
        w_day = np.full(len(windows), -1, np.int64)
    on = np.minimum(w_end, ctx.as_of)
    parts_m, parts_s, parts_w = [], [], []
    for day in np.unique(on).tolist():
        ms, ss = ctx.roster.active(day)
        ok = ctx.masks.over(rule.where, ss, ms)
        ms, ss = ms[ok], ss[ok]
        wins = np.flatnonzero(on == day)
        if not per_student:  # every active pair, for each window of this day
            parts_m.append(np.tile(ms, len(wins)))
            parts_s.append(np.tile(ss, len(wins)))
            parts_w.append(np.repeat(wins, len(ms)))
            continue
        order = np.argsort(ss, kind="stable")
        ms, ss = ms[order], ss[order]
        lo = np.searchsorted(ss, w_student[wins], "left")
        hi = np.searchsorted(ss, w_student[wins], "right")
        n = hi - lo
        pick = _ranges(lo, n)
        parts_m.append(ms[pick])
        parts_s.append(ss[pick])
        parts_w.append(np.repeat(wins, n))
    cat = lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, np.int64)  # noqa: E731
    m_all, s_all, w_all = cat(parts_m), cat(parts_s), cat(parts_w)
    n_s = max(len(b.students), 1)
    keys, rank = ctx.roster.pairs()
    subject = np.searchsorted(keys, m_all * n_s + s_all).astype(np.int64)  # every active pair is an assignment's
    pm, ps = keys // n_s, keys % n_s
    return _Queries(_PairLabels(b, keys, n_s), subject, rank, s_all, m_all, w_start[w_all], w_end[w_all],
                    w_day[w_all] if rule.event is not None else None, (pm, ps))  # fmt: skip


class _PairLabels(Sequence[str]):
    """`MENTOR/STUDENT` for pair subject i, made only when the report asks for it."""

    def __init__(self, bundle: Bundle, keys: np.ndarray, n_students: int):
        self.bundle, self.keys, self.n = bundle, keys, n_students

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):  # type: ignore[no-untyped-def,override]
        k = int(self.keys[i])
        return f"{self.bundle.mentors[k // self.n].id}/{self.bundle.students[k % self.n].id}"


def _entries(rule: Rule, ctx: Context, q: _Queries) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (subject, activity row) pairs that can count for this rule (dated on or before as-of), in (day, row) order.

    The rule's action, and a group's members, each with its own minimum: one contiguous slice each."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not len(q.subject):
        return empty
    acts = ctx.bundle.activities
    first, last = int(q.start.min()), min(int(q.end.max()), ctx.as_of)
    parts = [_span_entries(rule, ctx, q, *acts.span(name, first, last), minutes) for name, minutes in ctx.scheme.counted(rule.action)]
    parts = [p for p in parts if len(p[0])]
    if len(parts) < 2:
        return parts[0] if parts else empty
    subj, rows = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    order = np.lexsort((rows, acts.day[rows]))  # the slices are each in day order; together they must be again
    return subj[order], rows[order]


def _span_entries(rule: Rule, ctx: Context, q: _Queries, lo: int, hi: int, minutes: int | None) -> tuple[np.ndarray, np.ndarray]:
    """_entries for the rows lo..hi-1 of one action."""
    b, acts = ctx.bundle, ctx.bundle.activities
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if hi <= lo:
        return empty
    ok = np.ones(hi - lo, dtype=bool)
    if minutes is not None:
        ok &= acts.duration[lo:hi] >= minutes  # a missing duration (NaN) never meets a minimum
    rows_e, stu_e = acts.entries(lo, hi)
    in_e = ctx.in_scope[stu_e] if len(stu_e) else np.zeros(0, bool)
    if rule.scope == "student":
        want = np.zeros(len(b.students), dtype=bool)
        want[q.subject] = True
        keep = ok[rows_e - lo] & want[stu_e]
        return stu_e[keep].astype(np.int64), rows_e[keep]
    if rule.scope == "pair":
        assert q.pairs is not None
        pm, ps = q.pairs
        n = max(len(b.students), 1)
        keys = pm * n + ps
        order = np.argsort(keys)
        skeys = keys[order]
        keep = ok[rows_e - lo] & in_e
        rows_k, stu_k = rows_e[keep], stu_e[keep].astype(np.int64)
        k = acts.mentor[rows_k].astype(np.int64) * n + stu_k
        pos = np.searchsorted(skeys, k)
        pos_c = np.minimum(pos, max(len(skeys) - 1, 0))
        hit = (pos < len(skeys)) & (skeys[pos_c] == k) if len(skeys) else np.zeros(len(k), bool)
        return order[pos_c[hit]].astype(np.int64), rows_k[hit]
    # mentor and class: an activity naming students, none of them in scope, is ignored
    n_rows = hi - lo
    named = np.diff(acts.stu_ptr[lo : hi + 1])
    in_named = np.bincount(rows_e - lo, weights=in_e, minlength=n_rows) if len(rows_e) else np.zeros(n_rows)
    relevant = ok & ((named == 0) | (in_named > 0))
    if rule.scope == "mentor":
        want = np.zeros(len(b.mentors), dtype=bool)
        want[q.subject] = True
        rows = np.arange(lo, hi, dtype=np.int64)[relevant]
        mentors = acts.mentor[rows].astype(np.int64)
        keep = want[mentors]
        return mentors[keep], rows[keep]
    want = np.zeros(len(b.classes), dtype=bool)
    want[q.subject] = True
    rows_a = np.arange(lo, hi, dtype=np.int64)
    own = acts.klass[lo:hi].astype(np.int64)
    sel_a = relevant & (own >= 0)
    sel_a[sel_a] &= want[own[sel_a]]
    via = ok[rows_e - lo] & in_e
    cls_b = b.student_class[stu_e[via]].astype(np.int64)
    rows_b = rows_e[via]
    sel_b = want[cls_b]
    nc = max(len(b.classes), 1)
    keys = np.unique(np.concatenate([rows_a[sel_a] * nc + own[sel_a], rows_b[sel_b] * nc + cls_b[sel_b]]))
    return keys % nc, keys // nc


def _stable_order(values: np.ndarray) -> np.ndarray:
    """np.argsort(values, kind="stable") for non-negative ints below 2**32, as radix sorts.

    NumPy radix-sorts 16-bit keys (a stable sort of any wider int is a merge sort, three
    times slower on millions of entries), so sort by the low 16 bits, then stably by the high.
    """
    if not len(values) or int(values.min()) < 0 or int(values.max()) >= 1 << 32:
        return np.argsort(values, kind="stable")
    low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    if int(values.max()) < 1 << 16:
        return low
    high = np.argsort((values[low] >> 16).astype(np.uint16), kind="stable")
    return low[high]


def _judge(rule: Rule, ctx: Context, q: _Queries, entries: tuple[np.ndarray, np.ndarray]) -> DutyBlock:
    subj_e, rows_e = entries
    acts = ctx.bundle.activities
    n = len(q.subject)
    if len(subj_e):
        day_e = acts.day[rows_e].astype(np.int64)
        base = int(day_e.min())
        span = int(day_e.max()) - base + 2  # the last slot of each subject stays empty: a safe "before"
        key = subj_e * span + (day_e - base)
        order = _stable_order(subj_e)  # entries are in (day, load) order already: sorting by subject gives (subject, day)
        skey = key[order]
        ev_rows = rows_e[order]
        if q.runs is None:
            lo = np.searchsorted(skey, q.subject * span + np.clip(q.start - base, 0, span - 1), "left")
            hi = np.searchsorted(skey, q.subject * span + np.clip(q.end - base, -1, span - 2), "right")
            hi = np.maximum(hi, lo)
        else:
            lo, hi, ev_rows = _count_runs(q, skey, ev_rows, base, span)
    else:
        lo = hi = np.zeros(n, dtype=np.int64)
        ev_rows = np.zeros(0, np.int64)
    count = (hi - lo).astype(np.int64)
    status = np.full(n, OPEN, dtype=np.int8)
    status[ctx.as_of > q.end + ctx.scheme.grace_days] = OVERDUE
    status[count >= rule.min] = SATISFIED
    if rule.max is not None:
        status[count > rule.max] = EXCEEDED
    status[ctx.as_of < q.start] = UPCOMING
    # report order: subject label (code point), then window start
    if not n:
        order = np.zeros(0, np.int64)
    elif rule.scope != "pair" and rule.event is None:
        order = np.arange(n)  # built subject-major over sorted windows already
    else:
        first = int(q.start.min())
        order = np.argsort(q.rank[q.subject] * (int(q.start.max()) - first + 1) + (q.start - first), kind="stable")
    ev = q.event_day[order] if q.event_day is not None else None
    runs = _reordered(q.runs, order) if q.runs is not None else None
    return DutyBlock(rule, rule.scope, q.labels, q.subject[order], q.student[order], q.mentor[order], q.start[order], q.end[order], ev,
                     count[order], status[order], np.asarray(lo)[order], np.asarray(hi)[order], ev_rows, runs)  # fmt: skip


def _count_runs(q: _Queries, skey: np.ndarray, ev_rows: np.ndarray, base: int, span: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Key moments: each query's entries on a day of one of its runs (two binary searches a run), and evidence rows
    laid out anew so that each query's are one slice (its runs' entries, in day order)."""
    assert q.runs is not None
    ptr, r_start, r_end = q.runs.ptr, q.runs.start, q.runs.end
    owner = np.repeat(np.arange(len(q.subject), dtype=np.int64), np.diff(ptr))
    r_subject = q.subject[owner]
    r_lo = np.searchsorted(skey, r_subject * span + np.clip(r_start - base, 0, span - 1), "left")
    r_hi = np.maximum(np.searchsorted(skey, r_subject * span + np.clip(r_end - base, -1, span - 2), "right"), r_lo)
    sizes = r_hi - r_lo
    out_ptr = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=out_ptr[1:])
    gathered = ev_rows[_ranges(r_lo, sizes)]
    return out_ptr[ptr[:-1]], out_ptr[ptr[1:]], gathered


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions starts[i] … starts[i] + lengths[i] - 1 of every i, concatenated (slices of a CSR array, gathered)."""
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)


def _reordered(runs: Runs, order: np.ndarray) -> Runs:
    lengths = np.diff(runs.ptr)[order]
    ptr = np.zeros(len(order) + 1, np.int64)
    np.cumsum(lengths, out=ptr[1:])
    take = _ranges(runs.ptr[:-1][order], lengths)
    return Runs(ptr, runs.start[take], runs.end[take])
