"""The report (SPEC §6): duties, ratios, scores, summary, rejected rows, warnings.

Duties stay as per-rule columns (DutyBlock) until asked for, so a school of 100k
students does not pay for a million dicts it may never print. `to_json()` gives the
§6 document, validated in tests by engine/schema/report.schema.json.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import numpy as np

from .bundle import Bundle, Term
from .duties import STATUSES, DutyBlock
from .errors import BadRow
from .ir import Rule, Scheme
from .ratios import RatioResult
from .report_types import ReportWarning
from .scores import ScoreResult
from .subjects import Roster

FOUR_PLACES = Decimal("0.0001")


@cache
def report_schema() -> dict[str, Any]:
    # next to this file, not importlib.resources: an editable install may see `engine` as a namespace
    text = (Path(__file__).parent / "schema" / "report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def round4(value: Decimal) -> int | float:
    """Half-up to 4 places, as a JSON number (an int when whole)."""
    q = value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
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

    def duties(self) -> Iterator[Duty]:
        """Every duty in report order: rule (file order), subject (code point), window start."""
        for block in self.blocks:
            r = block.rule
            kind = r.event.kind if r.event is not None else ""
            day = _DateMemo()
            for subject, mentors, start, end, due, count, status, evidence, event_day in self._block_rows(block):
                yield Duty(r, subject, tuple(mentors), day[start], day[end], day[due], count, status, tuple(evidence),
                           None if event_day is None else (kind, day[event_day]))  # fmt: skip

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
            yield Duty(block.rule, block.labels[subject], mentors, dt.date.fromordinal(start), dt.date.fromordinal(end),
                       dt.date.fromordinal(end + grace), int(block.count[i]), STATUSES[int(block.status[i])], evidence, event)  # fmt: skip

    def _mentor_ids(self, block: DutyBlock) -> list[list[str]]:
        """The `mentors` of every duty of a block (see Duty), computed per distinct day."""
        b = self.bundle
        as_of = self.as_of.toordinal()
        n = len(block)
        if block.scope in ("pair", "mentor"):
            ids = b.mentor_ids
            return [[ids[m]] for m in block.mentor.tolist()]
        if block.scope == "class":
            heads: dict[int, list[str]] = {}
            for m in b.mentors:
                if m.class_name is not None and m.class_name in b.class_index:
                    heads.setdefault(b.class_index[m.class_name], []).append(m.id)
            return [list(heads.get(c, [])) for c in block.subject.tolist()]
        days = np.minimum(block.end, as_of)
        out: list[list[str]] = [[] for _ in range(n)]
        ids = b.mentor_ids
        for day in np.unique(days).tolist():
            ms, ss = self.roster.active(day)
            per: dict[int, list[str]] = {}
            for m, st in zip(ms.tolist(), ss.tolist(), strict=True):
                per.setdefault(st, []).append(ids[m])
            for i in np.flatnonzero(days == day).tolist():
                out[i] = sorted(per.get(int(block.student[i]), []))
        return out

    def _block_rows(self, block: DutyBlock) -> Iterator[tuple[str, list[str], str, str, str, int, str, list[str], str | None]]:
        """Per duty of a block, column-wise: (subject, mentors, window start, end, due, count, status, evidence, event date)."""
        acts = self.bundle.activities
        grace = self.scheme.grace_days
        iso: dict[int, str] = {}

        def day(d: int) -> str:
            text = iso.get(d)
            if text is None:
                text = iso[d] = dt.date.fromordinal(d).isoformat()
            return text

        ev_ids = acts.ids[block.ev_rows]
        ev_text = (ev_ids.astype(str) if ev_ids.dtype.kind == "S" else ev_ids).tolist()
        ev_day = acts.day[block.ev_rows].tolist()
        mentors = self._mentor_ids(block)
        event_day = block.event_day.tolist() if block.event_day is not None and block.rule.event is not None else None
        for i, (subject, start, end, count, status, lo, hi) in enumerate(zip(block.subject.tolist(), block.start.tolist(), block.end.tolist(),
                block.count.tolist(), block.status.tolist(), block.ev_lo.tolist(), block.ev_hi.tolist(), strict=True)):  # fmt: skip
            if hi - lo > 1:
                evidence = [ev_text[k] for k in sorted(range(lo, hi), key=lambda k: (ev_day[k], ev_text[k]))]
            else:
                evidence = ev_text[lo:hi]
            yield (block.labels[subject], mentors[i], day(start), day(end), day(end + grace), count, STATUSES[status], evidence,
                   None if event_day is None else day(event_day[i]))  # fmt: skip

    def _block_json(self, block: DutyBlock) -> Iterator[dict[str, Any]]:
        """The §6 dicts of one block, built column-wise (the same values as Duty.to_json)."""
        r = block.rule
        source = {"file": r.source.file, "line": r.source.line}
        for subject, mentors, start, end, due, count, status, evidence, event_day in self._block_rows(block):
            yield {
                "rule": r.id, "label": r.label, "action": r.action, "scope": r.scope, "subject": subject,
                "mentors": mentors, "window_start": start, "window_end": end, "due": due,
                "min": r.min, "max": r.max, "count": count, "status": status, "evidence": evidence,
                "event": None if event_day is None or r.event is None else {"kind": r.event.kind, "date": event_day},
                "source": dict(source),
            }  # fmt: skip

    def _block_text(self, block: DutyBlock, enc: _Encoded) -> Iterator[str]:
        """The duties of one block as dumps() writes them: _block_json's dicts, written from a per-rule template.

        The rule's own fields are the same in every duty, so they are written once; a duty
        costs one f-string. tests/engine/test_engine_report_text.py checks it against json.dumps.
        """
        r = block.rule
        pad = "\n      "
        head = (f"    {{{pad}\"rule\": {_value_text(r.id, enc)},{pad}\"label\": {_value_text(r.label, enc)},{pad}\"action\": "
                f"{_value_text(r.action, enc)},{pad}\"scope\": {_value_text(r.scope, enc)},{pad}\"subject\": ")  # fmt: skip
        bounds = f',{pad}"min": {_value_text(r.min, enc)},{pad}"max": {_value_text(r.max, enc)},{pad}"count": '
        source = _value_text({"file": r.source.file, "line": r.source.line}, enc)
        tail = f',{pad}"source": {source}\n    }}'
        kind = enc[r.event.kind] if r.event is not None else ""
        for subject, mentors, start, end, due, count, status, evidence, event_day in self._block_rows(block):
            event = (
                "null"
                if event_day is None or r.event is None
                else f'{{\n        "kind": {kind},\n        "date": {enc[event_day]}\n      }}'
            )
            yield (f"{head}{enc[subject]},{pad}\"mentors\": {_strings_text(mentors, enc)},{pad}\"window_start\": {enc[start]},"
                   f"{pad}\"window_end\": {enc[end]},{pad}\"due\": {enc[due]}{bounds}{count},{pad}\"status\": {enc[status]},"
                   f"{pad}\"evidence\": {_strings_text(evidence, enc)},{pad}\"event\": {event}{tail}")  # fmt: skip

    def summary(self) -> dict[str, Any]:
        counts = np.zeros(len(STATUSES), dtype=np.int64)
        for block in self.blocks:
            counts += np.bincount(block.status, minlength=len(STATUSES)).astype(np.int64)
        return {"duties": {s: int(c) for s, c in zip(STATUSES, counts, strict=True)},
                "ratio_violations": sum(1 for r in self.ratios if not r.ok)}  # fmt: skip

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
        """The §6 document as text: exactly json.dumps(self.to_json(), ensure_ascii=False, indent=indent).

        With indent, Python's json module (before 3.13) falls back to its pure-Python encoder:
        2 s for a 3,000-student school's 53,000 duties, ten times the load and evaluation.
        So the duties, the bulk of the document, are written by `_block_text` from a per-rule
        template and spliced into the json module's text of the rest.
        """
        if indent != 2:
            return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)
        text = json.dumps(self._document([]), ensure_ascii=False, indent=2)
        enc = _Encoded()
        items = [t for block in self.blocks for t in self._block_text(block, enc)]
        duties = "[\n" + ",\n".join(items) + "\n  ]" if items else "[]"
        # an escaped string can never contain this unescaped key: the first match is the key
        return text.replace('"duties": []', f'"duties": {duties}', 1)


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


def _strings_text(values: list[str], enc: _Encoded) -> str:
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


def ratio_json(r: RatioResult) -> dict[str, Any]:
    return {"rule": r.ratio.id, "subject": r.subject, "group": r.group, "value": r.value, "min": r.ratio.min, "max": r.ratio.max,
            "ok": r.ok, "source": {"file": r.ratio.source.file, "line": r.ratio.source.line}}  # fmt: skip


def score_json(s: ScoreResult) -> dict[str, Any]:
    return {
        "score": s.score,
        "mentor": s.mentor,
        "items": {k: round4(v) for k, v in s.items.items()},
        "total": round4(s.total),
        "rating": s.rating,
    }
