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
            yield from self._block_duties(block)

    def _block_duties(self, block: DutyBlock) -> Iterator[Duty]:
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

    def _block_json(self, block: DutyBlock) -> Iterator[dict[str, Any]]:
        """The §6 dicts of one block, built column-wise (the same values as Duty.to_json)."""
        acts = self.bundle.activities
        r = block.rule
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
        source = {"file": r.source.file, "line": r.source.line}
        event_day = block.event_day.tolist() if block.event_day is not None else None
        for i, (subject, start, end, count, status, lo, hi) in enumerate(zip(block.subject.tolist(), block.start.tolist(), block.end.tolist(),
                block.count.tolist(), block.status.tolist(), block.ev_lo.tolist(), block.ev_hi.tolist(), strict=True)):  # fmt: skip
            if hi - lo > 1:
                evidence = [ev_text[k] for k in sorted(range(lo, hi), key=lambda k: (ev_day[k], ev_text[k]))]
            else:
                evidence = ev_text[lo:hi]
            yield {
                "rule": r.id, "label": r.label, "action": r.action, "scope": r.scope, "subject": block.labels[subject],
                "mentors": mentors[i], "window_start": day(start), "window_end": day(end), "due": day(end + grace),
                "min": r.min, "max": r.max, "count": count, "status": STATUSES[status], "evidence": evidence,
                "event": None if event_day is None or r.event is None else {"kind": r.event.kind, "date": day(event_day[i])},
                "source": dict(source),
            }  # fmt: skip

    def summary(self) -> dict[str, Any]:
        counts = np.zeros(len(STATUSES), dtype=np.int64)
        for block in self.blocks:
            counts += np.bincount(block.status, minlength=len(STATUSES)).astype(np.int64)
        return {"duties": {s: int(c) for s, c in zip(STATUSES, counts, strict=True)},
                "ratio_violations": sum(1 for r in self.ratios if not r.ok)}  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The report as the SPEC §6 document."""
        return {
            "scheme": {"title": self.scheme.title, "school": self.scheme.school, "file": self.scheme.file},
            "as_of": self.as_of.isoformat(),
            "term": {"id": self.term.id, "start": self.term.start.isoformat(), "end": self.term.end.isoformat()},
            "duties": [d for block in self.blocks for d in self._block_json(block)],
            "ratios": [ratio_json(r) for r in self.ratios],
            "scores": [score_json(s) for s in self.scores],
            "summary": self.summary(),
            "rejected": [r.to_json() for r in self.rejected],
            "warnings": [w.to_json() for w in self.warnings],
        }

    def dumps(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)


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
