"""The report (SPEC §6): duties, ratios, scores, summary, rejected rows, warnings.

Duties stay as per-rule columns (DutyBlock) until asked for, so a school of 100k
students does not pay for a million dicts it may never print. `to_json()` gives the
§6 document, validated in tests by engine/schema/report.schema.json.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import islice
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

from ..errors import BadRow
from ..evaluation.duties import STATUSES, DutyBlock
from ..evaluation.ratios import RatioResult
from ..evaluation.scores import ScoreResult, rounded
from ..evaluation.subjects import Roster
from ..model.bundle import Bundle
from ..model.calendar import Term
from ..model.scheme import Rule, Scheme
from ..model.warnings import ReportWarning

# a duty as text, column-wise: subject, mentors, window start, window end, due, count, status, evidence, event date
DutyRow = tuple[str, tuple[str, ...], str, str, str, int, str, list[str], str | None]


@cache
def report_schema() -> dict[str, Any]:
    # next to this file, not importlib.resources: an editable install may see `engine` as a namespace
    text = (Path(__file__).parent / "schema" / "report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def round4(value: Decimal) -> int | float:
    """Half-up to 4 places, as a JSON number (an int when whole)."""
    q = rounded(value)
    return int(q) if q == q.to_integral_value() else float(q)


@dataclass(frozen=True)
class Duty:
    """One (rule, subject, window) with its count and status."""

    rule: Rule
    subject: str
    mentors: tuple[str, ...]
    window_start: dt.date
    window_end: dt.date
    due: dt.date
    count: int
    status: str
    evidence: tuple[str, ...]
    event: tuple[str, dt.date] | None
    windows: tuple[tuple[dt.date, dt.date], ...] | None = None  # key moments: the runs of days the window is made of

    def to_json(self) -> dict[str, Any]:
        r = self.rule
        return {
            "rule": r.id,
            "label": r.label,
            "action": r.action,
            "scope": r.scope,
            "subject": self.subject,
            "mentors": list(self.mentors),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "due": self.due.isoformat(),
            "min": r.min,
            "max": r.max,
            "count": self.count,
            "status": self.status,
            "evidence": list(self.evidence),
            "event": None if self.event is None else {"kind": self.event[0], "date": self.event[1].isoformat()},
            "windows": None if self.windows is None else [[a.isoformat(), b.isoformat()] for a, b in self.windows],
            "source": {"file": r.source.file, "line": r.source.line},
        }


@dataclass(frozen=True, eq=False)
class Report:
    scheme: Scheme
    bundle: Bundle
    roster: Roster
    as_of: dt.date
    term: Term
    blocks: Sequence[DutyBlock]
    ratios: Sequence[RatioResult]
    scores: Sequence[ScoreResult]
    rejected: Sequence[BadRow]
    warnings: Sequence[ReportWarning]
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)  # per-day mentor codes, shared by the blocks

    def duties(self) -> Iterator[Duty]:
        """Every duty in report order: rule (file order), subject (code point), window start."""
        for block in self.blocks:
            r = block.rule
            kind = r.event.kind if r.event is not None else ""
            day = _DateMemo()
            windows = _windows(block)
            for i, (subject, mentors, start, end, due, count, status, evidence, event_day) in enumerate(self._block_rows(block)):
                yield Duty(r, subject, mentors, day[start], day[end], day[due], count, status, tuple(evidence),
                           None if event_day is None else (kind, day[event_day]),
                           None if windows is None else tuple((day[a], day[b]) for a, b in windows[i]))  # fmt: skip

    def duty_rows(self) -> Iterator[tuple[Rule, Iterator[DutyRow]]]:
        """Every duty in report order as plain rows, rule by rule: what the table and CSV print,
        without a Duty object (and its dates) per duty."""
        for block in self.blocks:
            yield block.rule, self._block_rows(block)

    def _block_duties(self, block: DutyBlock) -> Iterator[Duty]:
        """One block's duties the straightforward way, duty by duty: the reference that the
        column-wise `duties()` is tested against (tests/engine/test_engine_report_text.py)."""
        b = self.bundle
        acts = b.activities
        grace = self.scheme.grace_days
        as_of = self.as_of.toordinal()
        heads: dict[int, tuple[str, ...]] = {}
        for i in range(len(block)):
            start, end = int(block.start[i]), int(block.end[i])
            subject = int(block.subject[i])
            if block.scope == "student":
                mentors = tuple(sorted(b.mentors[m].id for m in self.roster.mentors_of(subject, min(end, as_of))))
            elif block.scope in ("pair", "mentor"):
                mentors = (b.mentors[int(block.mentor[i])].id,)
            else:
                if subject not in heads:
                    name = b.classes[subject]
                    heads[subject] = tuple(sorted(m.id for m in b.mentors if m.class_name == name))
                mentors = heads[subject]
            rows = block.ev_rows[int(block.ev_lo[i]) : int(block.ev_hi[i])]
            evidence = tuple(acts.id_of(int(r)) for r in sorted(rows.tolist(), key=lambda r: (int(acts.day[r]), acts.id_of(r))))
            event = None
            if block.event_day is not None and block.rule.event is not None:
                event = (block.rule.event.kind, dt.date.fromordinal(int(block.event_day[i])))
            runs = None if block.runs is None else tuple((dt.date.fromordinal(a), dt.date.fromordinal(b)) for a, b in block.runs.of(i))
            yield Duty(block.rule, block.labels[subject], mentors, dt.date.fromordinal(start), dt.date.fromordinal(end),
                       dt.date.fromordinal(end + grace), int(block.count[i]), STATUSES[int(block.status[i])], evidence, event, runs)  # fmt: skip

    def _mentor_sets(self) -> _MentorSets:
        """The per-report memo of mentor tuples (one shared tuple object per distinct set of mentors)."""
        memo = self._memo.get("mentors")
        if memo is None:
            memo = self._memo["mentors"] = _MentorSets(self.bundle.mentor_ids)
        return memo  # type: ignore[no-any-return]

    def _student_codes(self, day: int) -> np.ndarray:
        """For every student, the code (see _MentorSets) of the mentors active on `day`; cached per day.

        roster.active is sorted by (mentor, student) and mentor indexes follow the sorted ids,
        so a stable sort by student leaves each student's mentors in id order, as the report lists them.
        """
        key = ("day", day)
        codes = self._memo.get(key)
        if codes is None:
            sets = self._mentor_sets()
            ms, ss = self.roster.active(day)
            order = np.argsort(ss, kind="stable")
            ss, ms = ss[order], ms[order]
            codes = np.zeros(max(len(self.bundle.students), 1), dtype=np.int64)  # 0: no mentor
            if len(ss):
                first = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
                size = np.diff(np.r_[first, len(ss)])
                single = first[size == 1]
                codes[ss[single]] = ms[single] + 1
                for f, k in zip(first[size > 1].tolist(), size[size > 1].tolist(), strict=True):
                    codes[int(ss[f])] = sets.code(tuple(ms[f : f + k].tolist()))
            codes = self._memo[key] = codes
        return codes  # type: ignore[no-any-return]

    def _mentor_codes(self, block: DutyBlock) -> list[int]:
        """The code of each duty's `mentors` (see Duty and _MentorSets), computed per distinct day."""
        b = self.bundle
        if block.scope in ("pair", "mentor"):
            return (block.mentor + 1).tolist()  # type: ignore[no-any-return]
        if block.scope == "class":
            sets = self._mentor_sets()
            heads: dict[int, list[int]] = {}
            for i, m in enumerate(b.mentors):
                if m.class_name is not None and m.class_name in b.class_index:
                    heads.setdefault(b.class_index[m.class_name], []).append(i)
            per_class = {c: sets.code(tuple(ms)) for c, ms in heads.items()}
            return [per_class.get(c, 0) for c in block.subject.tolist()]
        days = np.minimum(block.end, self.as_of.toordinal())
        out = np.zeros(len(block), dtype=np.int64)
        for day in np.unique(days).tolist():
            at = np.flatnonzero(days == day)
            out[at] = self._student_codes(day)[block.student[at]]
        return out.tolist()  # type: ignore[no-any-return]

    def _evidence(self, block: DutyBlock) -> list[str]:
        """The ids of block.ev_rows, reordered so that each duty's slice is in (day, id) order.

        ev_rows are sorted by (subject, day, load order) and each duty's slice is a run of one
        subject's days, so only ids logged out of order within one day need moving: those few
        duties are sorted one by one, every other slice is in order already.
        """
        acts = self.bundle.activities
        rows = block.ev_rows
        ids = acts.ids[rows]
        text = acts.id_texts(rows)
        if len(rows) < 2:
            return text
        day = acts.day[rows]
        wrong = (day[1:] == day[:-1]) & (ids[1:] < ids[:-1])  # position k: entries k and k + 1 out of order
        if not wrong.any():
            return text
        before = np.r_[0, np.cumsum(wrong)]  # wrong pairs starting before each position
        lo, hi = block.ev_lo, block.ev_hi
        last = len(rows) - 1  # a slice of two or more entries has lo < hi - 1 <= last
        has = (hi - lo > 1) & (before[np.clip(hi - 1, 0, last)] > before[np.minimum(lo, last)])
        days = day.tolist()
        out = list(text)
        for a, b in zip(lo[has].tolist(), hi[has].tolist(), strict=True):
            out[a:b] = [text[k] for k in sorted(range(a, b), key=lambda k: (days[k], text[k]))]
        return out

    def _block_rows(self, block: DutyBlock) -> Iterator[DutyRow]:
        """Per duty of a block, column-wise: (subject, mentors, window start, end, due, count, status, evidence, event date)."""
        grace = self.scheme.grace_days
        iso = _IsoDays()
        sets = self._mentor_sets().sets
        evidence = self._evidence(block)
        labels = block.labels
        event_day = block.event_day.tolist() if block.event_day is not None and block.rule.event is not None else None
        for i, (subject, code, start, end, count, status, lo, hi) in enumerate(zip(block.subject.tolist(), self._mentor_codes(block),
                block.start.tolist(), block.end.tolist(), block.count.tolist(), block.status.tolist(), block.ev_lo.tolist(),
                block.ev_hi.tolist(), strict=True)):  # fmt: skip
            yield (labels[subject], sets[code], iso[start], iso[end], iso[end + grace], count, STATUSES[status], evidence[lo:hi],
                   None if event_day is None else iso[event_day[i]])  # fmt: skip

    def _block_json(self, block: DutyBlock) -> Iterator[dict[str, Any]]:
        """The §6 dicts of one block, built column-wise (the same values as Duty.to_json)."""
        r = block.rule
        source = {"file": r.source.file, "line": r.source.line}
        windows = _windows(block)
        for i, (subject, mentors, start, end, due, count, status, evidence, event_day) in enumerate(self._block_rows(block)):
            yield {
                "rule": r.id, "label": r.label, "action": r.action, "scope": r.scope, "subject": subject,
                "mentors": list(mentors), "window_start": start, "window_end": end, "due": due,
                "min": r.min, "max": r.max, "count": count, "status": status, "evidence": evidence,
                "event": None if event_day is None or r.event is None else {"kind": r.event.kind, "date": event_day},
                "windows": None if windows is None else [list(w) for w in windows[i]],
                "source": dict(source),
            }  # fmt: skip

    def _block_text(self, block: DutyBlock, enc: _Encoded) -> Iterator[str]:
        """The duties of one block as dumps() writes them, in batches joined by ",\\n": _block_json's
        dicts, written from templates.

        The rule's own fields are the same in every duty, and a duty's window, its mentors and its
        (count, status) repeat across thousands of duties: each is written once, and a duty costs one
        f-string of ready pieces. tests/engine/test_engine_report_text.py checks it against json.dumps.
        """
        r = block.rule
        pad = "\n      "
        head = (f"    {{{pad}\"rule\": {_value_text(r.id, enc)},{pad}\"label\": {_value_text(r.label, enc)},{pad}\"action\": "
                f"{_value_text(r.action, enc)},{pad}\"scope\": {_value_text(r.scope, enc)},{pad}\"subject\": ")  # fmt: skip
        source = _value_text({"file": r.source.file, "line": r.source.line}, enc)
        tail = f",{pad}\"source\": {source}\n    }}"
        runs = _windows(block)
        windows_text = ["null"] * len(block) if runs is None else [_value_text([list(w) for w in ws], enc) for ws in runs]
        grace = self.scheme.grace_days
        iso = _IsoDays()
        subjects = [enc[label] for label in block.labels] if len(block.labels) <= 4 * len(block) else None
        subject_text = subjects if subjects is not None else _LazyList(lambda s: enc[block.labels[s]])
        sets = self._mentor_sets()
        mentors_text = _LazyList(lambda c: f",{pad}\"mentors\": {_strings_text(sets.sets[c], enc)},{pad}\"window_start\": ")

        def window(key: tuple[int, int]) -> str:
            s, e = key
            return f"{enc[iso[s]]},{pad}\"window_end\": {enc[iso[e]]},{pad}\"due\": {enc[iso[e + grace]]},{pad}\"min\": " \
                   f"{_value_text(r.min, enc)},{pad}\"max\": {_value_text(r.max, enc)},{pad}\"count\": "

        windows: _Memo[tuple[int, int], str] = _Memo(window)
        judged: _Memo[tuple[int, int], str] = _Memo(lambda cs: f"{cs[0]},{pad}\"status\": {enc[STATUSES[cs[1]]]},{pad}\"evidence\": ")
        evidence = _quoted(self._evidence(block), enc)
        opening, comma, closing = "[\n        ", ",\n        ", "\n      ]"
        if block.event_day is not None and r.event is not None:
            kind = enc[r.event.kind]
            events: _Memo[int, str] = _Memo(lambda d: f"{{\n        \"kind\": {kind},\n        \"date\": {enc[iso[d]]}\n      }}")
            event_text = [events[d] for d in block.event_day.tolist()]
        else:
            event_text = ["null"] * len(block)
        duties = zip(block.subject.tolist(), self._mentor_codes(block), zip(block.start.tolist(), block.end.tolist(), strict=True),
                     zip(block.count.tolist(), block.status.tolist(), strict=True), block.ev_lo.tolist(), block.ev_hi.tolist(), event_text,
                     windows_text, strict=True)
        # a batch at a time: the text of a big school's duties is tens of MB, and fresh memory is
        # slow to touch (a page fault per 4 KB); batches reuse the same few MB
        while batch := list(islice(duties, _BATCH)):
            yield ",\n".join([
                f"{head}{subject_text[s]}{mentors_text[c]}{windows[w]}{judged[j]}"
                f"{'[]' if lo == hi else opening + comma.join(evidence[lo:hi]) + closing},{pad}\"event\": {event},{pad}\"windows\": {runs_text}{tail}"
                for s, c, w, j, lo, hi, event, runs_text in batch
            ])  # fmt: skip

    def summary(self) -> dict[str, Any]:
        counts = np.zeros(len(STATUSES), dtype=np.int64)
        for block in self.blocks:
            counts += np.bincount(block.status, minlength=len(STATUSES)).astype(np.int64)
        return {"duties": {s: int(c) for s, c in zip(STATUSES, counts, strict=True)},
                "ratio_violations": sum(1 for r in self.ratios if not r.ok and not r.ratio.advisory),
                "ratio_advisories": sum(1 for r in self.ratios if not r.ok and r.ratio.advisory)}  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The report as the SPEC §6 document."""
        return self._document([d for block in self.blocks for d in self._block_json(block)])

    def _document(self, duties: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "scheme": {"title": self.scheme.title, "school": self.scheme.school, "file": self.scheme.file},
            "as_of": self.as_of.isoformat(),
            "term": {"id": self.term.id, "start": self.term.start.isoformat(), "end": self.term.end.isoformat()},
            "duties": duties,
            "ratios": [ratio_json(r) for r in self.ratios],
            "scores": [score_json(s) for s in self.scores],
            "summary": self.summary(),
            "rejected": [r.to_json() for r in self.rejected],
            "warnings": [w.to_json() for w in self.warnings],
        }

    def dumps(self, indent: int | None = 2) -> str:
        """The §6 document as text: exactly json.dumps(self.to_json(), ensure_ascii=False, indent=indent)."""
        if indent != 2:
            return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)
        return "".join(self._text_pieces())

    def write_json(self, out: BinaryIO) -> None:
        """dumps() in UTF-8 to a binary stream, a rule at a time (no 30 MB string for a big school)."""
        for piece in self._text_pieces():
            out.write(piece.encode("utf-8"))

    def _text_pieces(self) -> Iterator[str]:
        """The indented document in pieces: the json module's text of everything but the duties,
        with the duties, the bulk of it, written by `_block_text` from per-rule templates.

        With indent, Python's json module (before 3.13) falls back to its pure-Python encoder:
        2 s for a 3,000-student school's 53,000 duties, ten times the load and evaluation.
        """
        text = json.dumps(self._document([]), ensure_ascii=False, indent=2)
        # an escaped string can never contain this unescaped key: the first match is the key
        head, tail = text.split('"duties": []', 1)
        enc = _Encoded()
        opened = False
        for block in self.blocks:
            for batch in self._block_text(block, enc):
                yield head + '"duties": [\n' if not opened else ",\n"
                opened = True
                yield batch
        yield "\n  ]" + tail if opened else head + '"duties": []' + tail


class _MentorSets:
    """Codes for the `mentors` of duties: 0 is no mentor, 1 + m the mentor of index m alone,
    and higher codes the sets of two or more met so far. One tuple object per set, shared."""

    def __init__(self, ids: Sequence[str]):
        self.sets: list[tuple[str, ...]] = [(), *((i,) for i in ids)]
        self.ids = ids
        self._codes: dict[tuple[int, ...], int] = {}

    def code(self, mentors: tuple[int, ...]) -> int:
        if len(mentors) < 2:
            return mentors[0] + 1 if mentors else 0
        code = self._codes.get(mentors)
        if code is None:
            code = self._codes[mentors] = len(self.sets)
            self.sets.append(tuple(sorted(self.ids[m] for m in mentors)))
        return code


K = TypeVar("K")
V = TypeVar("V")


class _Memo(dict[K, V]):
    """A dict that computes a missing value once."""

    def __init__(self, make: Callable[[K], V]):
        super().__init__()
        self.make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self.make(key)
        return value


class _LazyList(_Memo[int, str]):
    """Text per code, made on first use (a school has thousands of subjects, a block may name a few)."""


class _IsoDays(dict[int, str]):
    """Day ordinal → YYYY-MM-DD, memoised: a block has a few dozen distinct days."""

    def __missing__(self, day: int) -> str:
        value = self[day] = dt.date.fromordinal(day).isoformat()
        return value


class _DateMemo(dict[str, dt.date]):
    """ISO text → date, memoised: a block has a few dozen distinct days."""

    def __missing__(self, text: str) -> dt.date:
        value = self[text] = dt.date.fromisoformat(text)
        return value


class _Encoded(dict[str, str]):
    """JSON string literals, memoised: rule ids, statuses and days repeat across thousands of duties."""

    def __missing__(self, text: str) -> str:
        value = self[text] = encode_basestring(text)
        return value


_BATCH = 1024
_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what encode_basestring (ensure_ascii=False) escapes


def _quoted(values: list[str], enc: _Encoded) -> list[str]:
    """JSON string literals of many distinct values (activity ids): quoted directly when none
    needs escaping, as ids never do, rather than one memo miss per id."""
    if _ESCAPED.search("".join(values)) is None:
        return [f'"{v}"' for v in values]
    return [enc[v] for v in values]


def _strings_text(values: Sequence[str], enc: _Encoded) -> str:
    """A list of strings at depth 3 of the document, as json.dumps(indent=2) writes it."""
    return "[\n        " + ",\n        ".join([enc[x] for x in values]) + "\n      ]" if values else "[]"


def _value_text(v: Any, enc: _Encoded) -> str:
    """A value at depth 3 of the document (a duty's field) as the json module writes it with indent=2.

    Strings, ints, None, lists of strings and flat dicts of those are written here; anything
    else (a float, say) by the json module itself, re-indented.
    """
    if type(v) is str:
        return enc[v]
    if v is None:
        return "null"
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is list and all(type(x) is str for x in v):
        return _strings_text(v, enc)
    if type(v) is dict and all(type(k) is str and (type(x) is str or type(x) is int) for k, x in v.items()):
        if not v:
            return "{}"
        fields = [f"{enc[k]}: {enc[x] if type(x) is str else int.__repr__(x)}" for k, x in v.items()]
        return "{\n        " + ",\n        ".join(fields) + "\n      }"
    return json.dumps(v, ensure_ascii=False, indent=2).replace("\n", "\n      ")


def _windows(block: DutyBlock) -> list[list[tuple[str, str]]] | None:
    """Each duty's runs of days as ISO pairs (key moments); None for every other rule."""
    if block.runs is None:
        return None
    iso = _IsoDays()
    return [[(iso[a], iso[b]) for a, b in block.runs.of(i)] for i in range(len(block))]


def ratio_json(r: RatioResult) -> dict[str, Any]:
    return {"rule": r.ratio.id, "subject": r.subject, "group": r.group, "value": r.value, "min": r.ratio.min, "max": r.ratio.max,
            "ok": r.ok, "advisory": r.ratio.advisory, "source": {"file": r.ratio.source.file, "line": r.ratio.source.line}}  # fmt: skip


def score_json(s: ScoreResult) -> dict[str, Any]:
    return {
        "score": s.score,
        "mentor": s.mentor,
        "items": {k: round4(v) for k, v in s.items.items()},
        "total": round4(s.total),
        "rating": s.rating,
    }
