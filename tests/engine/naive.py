"""A deliberately naive second implementation of SPEC §4, written from the SPEC text alone.

Brute force on purpose: windows are found by walking day by day, and every (rule, subject,
window) loops over every activity. It shares no code with engine/ and reads the school as
plain dicts (see tests/engine/school.py), so a bug has to be made twice to go unnoticed.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

DAY = dt.timedelta(days=1)
DEC = Context(prec=28)


def _days(a: dt.date, b: dt.date) -> list[dt.date]:
    out = []
    d = a
    while d <= b:
        out.append(d)
        d += DAY
    return out


def pick_term(school: dict[str, Any], as_of: dt.date, term_id: str | None) -> dict[str, Any]:
    terms = sorted(school["calendar"]["terms"], key=lambda t: t["start"])
    if term_id is not None:
        return next(t for t in terms if t["id"] == term_id)
    for t in terms:
        if t["start"] <= as_of <= t["end"]:
            return t
    before = [t for t in terms if t["start"] < as_of]
    return before[-1] if before else terms[0]


def _grouped_windows(term: dict[str, Any], unit: str, n: int) -> list[tuple[dt.date, dt.date]]:
    """Walk the term day by day, cut where the period key changes, then merge short ends."""
    ts, te = term["start"], term["end"]
    pieces: list[list[Any]] = []  # [start, end, key, full length]
    for d in _days(ts, te):
        if unit == "month":
            key: Any = (d.year, d.month)
            full = cal.monthrange(d.year, d.month)[1]
        elif unit == "half_month":
            key = (d.year, d.month, d.day <= 15)
            full = 15 if d.day <= 15 else cal.monthrange(d.year, d.month)[1] - 15
        elif unit == "week":
            key = d.isocalendar()[:2]
            full = 7
        elif unit == "weeks":
            key = (d - ts).days // (7 * n)
            full = 7 * n
        else:
            key = (d - ts).days // n
            full = n
        if pieces and pieces[-1][2] == key:
            pieces[-1][1] = d
        else:
            pieces.append([d, d, key, full])

    def is_short(p: list[Any]) -> bool:
        return ((p[1] - p[0]).days + 1) * 2 < p[3]

    if len(pieces) >= 2 and is_short(pieces[0]):
        first = pieces.pop(0)
        pieces[0][0] = first[0]
    if len(pieces) >= 2 and is_short(pieces[-1]):
        last = pieces.pop()
        pieces[-1][1] = last[1]
    return [(p[0], p[1]) for p in pieces]


def _by(ps: dt.date, month: int, day: int) -> dt.date:
    d = ps
    while True:
        if (d.month, d.day) == (month, day):
            return d
        if (month, day) == (2, 29) and not cal.isleap(d.year) and (d.month, d.day) == (2, 28):
            return d
        d += DAY


def rule_windows(rule: dict[str, Any], term: dict[str, Any], school: dict[str, Any]) -> list[tuple[dt.date, dt.date]]:
    period = rule["period"]
    unit = period["unit"]
    terms = school["calendar"]["terms"]
    if unit in ("term", "school_year"):
        if unit == "term":
            ps, pe = term["start"], term["end"]
        else:
            ps, pe = min(t["start"] for t in terms), max(t["end"] for t in terms)
        w = rule["window"]
        if w is None:
            return [(ps, pe)]
        ts, te = term["start"], term["end"]
        if w["kind"] == "first_days":
            return [(ts, ts + (w["days"] - 1) * DAY)]
        if w["kind"] == "last_days":
            return [(te - (w["days"] - 1) * DAY, te)]
        if w["kind"] == "range":

            def point(a: dict[str, Any]) -> dt.date:
                return (ts if a["anchor"] == "term_start" else te) + a["offset_days"] * DAY

            s, e = point(w["start"]), point(w["end"])
            return [(s, e)] if s <= e else []
        due = _by(ps, w["month"], w["day"])
        return [(ps, due)] if due <= pe else []
    return _grouped_windows(term, unit, period["n"])


def _cond(c: dict[str, Any] | None, student: dict[str, Any] | None, mentor: dict[str, Any] | None) -> bool:
    if c is None:
        return True
    op = c["op"]
    if op == "and":
        return all(_cond(a, student, mentor) for a in c["args"])
    if op == "or":
        return any(_cond(a, student, mentor) for a in c["args"])
    if op == "not":
        return not _cond(c["arg"], student, mentor)
    if op == "student_has":
        return student is not None and c["tag"] in student["tags"]
    if op == "grade_in":
        return student is not None and student["grade"] in c["grades"]
    if op == "class_in":
        return student is not None and student["class"] in c["classes"]
    if op == "mentor_has":
        return mentor is not None and (c["tag"] in mentor["roles"] or c["tag"] in mentor["tags"])
    raise ValueError(op)


def _active(a: dict[str, Any], day: dt.date) -> bool:
    return (a["start"] is None or a["start"] <= day) and (a["end"] is None or day <= a["end"])


class Naive:
    def __init__(self, ir: dict[str, Any], school: dict[str, Any], as_of: dt.date, term_id: str | None = None):
        self.ir, self.school, self.as_of = ir, school, as_of
        self.term = pick_term(school, as_of, term_id)
        self.students = {s["id"]: s for s in school["students"]}
        self.mentors = {m["id"]: m for m in school["mentors"]}
        self.min_minutes = {a["name"]: a["min_minutes"] for a in ir["actions"]}
        self.members = {a["name"]: a.get("members") or [] for a in ir["actions"]}

    def in_scope(self, sid: str) -> bool:
        grades = self.ir["grades"]
        return grades is None or self.students[sid]["grade"] in grades

    def mentors_of(self, sid: str, day: dt.date) -> list[str]:
        return sorted({a["mentor_id"] for a in self.school["assignments"] if a["student_id"] == sid and _active(a, day)})

    def pairs_on(self, day: dt.date) -> list[tuple[str, str]]:
        return sorted(
            {(a["mentor_id"], a["student_id"]) for a in self.school["assignments"] if _active(a, day) and self.in_scope(a["student_id"])}
        )

    def counts(self, act: dict[str, Any], action: str) -> bool:
        """The activity could count for `action` at all: right action, dated by as-of, long enough, not only out-of-scope students."""
        if (act["action"] != action and act["action"] not in self.members.get(action, [])) or act["date"] > self.as_of:
            return False
        need = self.min_minutes.get(act["action"])  # a group's member keeps its own minimum
        if need is not None and (act["duration_min"] is None or act["duration_min"] < need):
            return False
        if act["student_ids"] and not any(self.in_scope(s) for s in act["student_ids"]):
            return False
        return True

    def involves(self, act: dict[str, Any], scope: str, subject: Any) -> bool:
        if scope == "student":
            return subject in act["student_ids"]
        if scope == "pair":
            m, s = subject
            return act["mentor_id"] == m and s in act["student_ids"]
        if scope == "mentor":
            return act["mentor_id"] == subject
        if act["class"] == subject:
            return True
        return any(self.in_scope(s) and self.students[s]["class"] == subject for s in act["student_ids"])

    # ------------------------------------------------------------------ duties

    def duties(self) -> list[dict[str, Any]]:
        out = []
        for rule in self.ir["rules"]:
            rows = []
            for subject, ws, we, event, days in self.rule_subject_windows(rule):
                evidence = [
                    a
                    for a in self.school["activities"]
                    if self.counts(a, rule["action"]) and ws <= a["date"] <= we and self.involves(a, rule["scope"], subject)
                    and (days is None or a["date"] in days)
                ]
                count = len({a["id"] for a in evidence})
                status = self.status(rule, ws, we, count)
                label = subject if not isinstance(subject, tuple) else f"{subject[0]}/{subject[1]}"
                if rule["scope"] == "student":
                    mentors = self.mentors_of(subject, min(we, self.as_of))
                elif rule["scope"] == "pair":
                    mentors = [subject[0]]
                elif rule["scope"] == "mentor":
                    mentors = [subject]
                else:
                    mentors = sorted(m["id"] for m in self.school["mentors"] if m.get("class") == subject)
                rows.append(
                    {
                        "rule": rule["id"],
                        "label": rule["label"],
                        "action": rule["action"],
                        "scope": rule["scope"],
                        "subject": label,
                        "mentors": mentors,
                        "window_start": ws.isoformat(),
                        "window_end": we.isoformat(),
                        "due": (we + self.ir["grace_days"] * DAY).isoformat(),
                        "min": rule["min"],
                        "max": rule["max"],
                        "count": count,
                        "status": status,
                        "evidence": [a["id"] for a in sorted(evidence, key=lambda a: (a["date"], a["id"]))],
                        "event": None if event is None else {"kind": event[0], "date": event[1].isoformat()},
                        "windows": None if days is None else _runs(days),
                        "source": rule["source"],
                    }
                )
            rows.sort(key=lambda r: (r["subject"], r["window_start"]))
            out.extend(rows)
        return out

    def status(self, rule: dict[str, Any], ws: dt.date, we: dt.date, count: int) -> str:
        if self.as_of < ws:
            return "upcoming"
        if rule["max"] is not None and count > rule["max"]:
            return "exceeded"
        if count >= rule["min"]:
            return "satisfied"
        if self.as_of > we + self.ir["grace_days"] * DAY:
            return "overdue"
        return "open"

    def event_days(self, ev: dict[str, Any]) -> list[tuple[str, tuple[dt.date, dt.date], dt.date]]:
        """(student, window, event day) of every in-scope student's windows of one event window."""
        occurrences: list[tuple[str, dt.date]] = []
        for e in self.school["calendar"]["events"]:
            if e["kind"] == ev["kind"] and self.term["start"] <= e["date"] <= self.term["end"]:
                for s in self.school["students"]:
                    if e.get("grades") is None or s["grade"] in e["grades"]:
                        occurrences.append((s["id"], e["date"]))
        for e in self.school["student_events"]:
            if e["kind"] == ev["kind"] and self.term["start"] <= e["date"] <= self.term["end"]:
                occurrences.append((e["student_id"], e["date"]))
        n = ev["days"] * DAY
        return [(sid, {"after": (d, d + n), "before": (d - n, d), "around": (d - n, d + n)}[ev["direction"]], d)
                for sid, d in occurrences if self.in_scope(sid)]  # fmt: skip

    def moment_subject_windows(self, rule: dict[str, Any]) -> list[tuple[Any, dt.date, dt.date, None, set[dt.date]]]:
        """Key moments: each subject's days, the union of every alternative's windows (none: no duty)."""
        days: dict[str, set[dt.date]] = {}
        for m in rule["moments"]:
            if m.get("event") is not None:
                for sid, (a, b), _ in self.event_days(m["event"]):
                    days.setdefault(sid, set()).update(_days(a, b))
            else:
                for a, b in rule_windows({"period": {"unit": "term", "n": 1}, "window": m["window"]}, self.term, self.school):
                    for s in self.school["students"]:
                        if self.in_scope(s["id"]):
                            days.setdefault(s["id"], set()).update(_days(a, b))
        out: list[tuple[Any, dt.date, dt.date, None, set[dt.date]]] = []
        for sid, ds in days.items():
            if not ds:
                continue
            ws, we = min(ds), max(ds)
            if rule["scope"] == "student":
                if _cond(rule["where"], self.students[sid], None):
                    out.append((sid, ws, we, None, ds))
            else:
                for m, s in self.pairs_on(min(we, self.as_of)):
                    if s == sid and _cond(rule["where"], self.students[s], self.mentors[m]):
                        out.append(((m, s), ws, we, None, ds))
        return out

    def rule_subject_windows(self, rule: dict[str, Any]) -> list[tuple[Any, dt.date, dt.date, tuple[str, dt.date] | None, set[dt.date] | None]]:
        scope, where = rule["scope"], rule["where"]
        if rule.get("moments"):
            return self.moment_subject_windows(rule)  # type: ignore[return-value]
        out: list[tuple[Any, dt.date, dt.date, tuple[str, dt.date] | None, set[dt.date] | None]] = []
        if rule["event"] is not None:
            ev = rule["event"]
            per_student: dict[str, dict[tuple[dt.date, dt.date], dt.date]] = {}
            for sid, w, d in self.event_days(ev):
                per_student.setdefault(sid, {}).setdefault(w, d)
            for sid, wins in per_student.items():
                for (ws, we), d in wins.items():
                    if scope == "student":
                        if _cond(where, self.students[sid], None):
                            out.append((sid, ws, we, (ev["kind"], d), None))
                    else:
                        for m, s in self.pairs_on(min(we, self.as_of)):
                            if s == sid and _cond(where, self.students[s], self.mentors[m]):
                                out.append(((m, s), ws, we, (ev["kind"], d), None))
            return out
        windows = rule_windows(rule, self.term, self.school)
        for ws, we in windows:
            if scope == "student":
                for s in self.school["students"]:
                    if self.in_scope(s["id"]) and _cond(where, s, None):
                        out.append((s["id"], ws, we, None, None))
            elif scope == "mentor":
                for m in self.school["mentors"]:
                    if _cond(where, None, m):
                        out.append((m["id"], ws, we, None, None))
            elif scope == "class":
                for c in sorted({s["class"] for s in self.school["students"] if self.in_scope(s["id"])}):
                    out.append((c, ws, we, None, None))
            else:
                for m, s in self.pairs_on(min(we, self.as_of)):
                    if _cond(where, self.students[s], self.mentors[m]):
                        out.append(((m, s), ws, we, None, None))
        return out

    # ------------------------------------------------------------------ ratios

    def ratios(self) -> list[dict[str, Any]]:
        out = []
        pairs = self.pairs_on(self.as_of)
        for r in self.ir["ratios"]:

            def counted(sid: str, r: dict[str, Any] = r) -> bool:
                return self.in_scope(sid) and _cond(r["where"], self.students[sid], None)

            rows = []
            if r["direction"] == "students_per_mentor":
                for m in self.school["mentors"]:
                    mine = sorted({s for mm, s in pairs if mm == m["id"] and counted(s)})
                    if r["group"] is None:
                        rows.append((m["id"], None, len(mine), 0))
                    else:
                        groups: dict[Any, int] = {}
                        for s in mine:
                            g = self.students[s]["grade"] if r["group"] == "grade" else self.students[s]["class"]
                            groups[g] = groups.get(g, 0) + 1
                        for g, n in groups.items():
                            rows.append((m["id"], str(g), n, g))
            else:
                for s in self.school["students"]:
                    if not counted(s["id"]):
                        continue
                    n = len({mm for mm, ss in pairs if ss == s["id"]})
                    g = None if r["group"] is None else str(s["grade"] if r["group"] == "grade" else s["class"])
                    rows.append((s["id"], g, n, 0))
            rows.sort(key=lambda x: (x[0], x[3]))
            for subject, group, value, _ in rows:
                ok = r["min"] <= value and (r["max"] is None or value <= r["max"])
                out.append(
                    {
                        "rule": r["id"],
                        "subject": subject,
                        "group": group,
                        "value": value,
                        "min": r["min"],
                        "max": r["max"],
                        "ok": ok,
                        "advisory": r.get("advisory", False),
                        "source": r["source"],
                    }
                )
        return out

    # ------------------------------------------------------------------ scores

    def scores(self) -> list[dict[str, Any]]:
        out = []
        terms = self.school["calendar"]["terms"]
        for sc in self.ir["scores"]:
            if sc["period"] == "term":
                ps, pe, key = self.term["start"], self.term["end"], self.term["id"]
            else:
                ps, pe, key = min(t["start"] for t in terms), max(t["end"] for t in terms), self.school["calendar"]["school_year"]
            results = []
            for m in sorted(self.school["mentors"], key=lambda m: m["id"]):
                students = sorted({s for mm, s in self.pairs_on(self.as_of) if mm == m["id"]})
                items: dict[str, Decimal] = {}
                for it in sc["items"]:
                    if it["unit"] == "manual":
                        v = Decimal(0)
                        for row in self.school["ratings"]:
                            if (row["mentor_id"], row["score"], row["item"], row["term"]) == (m["id"], sc["name"], it["name"], key):
                                v = Decimal(row["value"])
                    else:
                        if it["unit"] == "action":
                            n = len(
                                {
                                    a["id"]
                                    for a in self.school["activities"]
                                    if self.counts(a, it["action"]) and ps <= a["date"] <= pe and a["mentor_id"] == m["id"]
                                }
                            )
                        elif it["unit"] == "student":
                            n = len(students)
                        else:
                            n = sum(
                                1
                                for s in students
                                if any(
                                    self.counts(a, it["action"])
                                    and ps <= a["date"] <= pe
                                    and a["mentor_id"] == m["id"]
                                    and s in a["student_ids"]
                                    for a in self.school["activities"]
                                )
                            )
                        v = DEC.multiply(Decimal(it["points"]), Decimal(n))
                    if it["max"] is not None and v > Decimal(it["max"]):
                        v = Decimal(it["max"])
                    items[it["name"]] = v
                results.append((m["id"], items, self.total(sc["total"], items)))
            rating = next((r for r in self.ir["ratings"] if r["score"] == sc["name"]), None)
            shown = [(mid, {k: _dec4(v) for k, v in items.items()}, _dec4(total)) for mid, items, total in results]
            for i, (mid, items, total) in enumerate(results):
                tier_name = None
                if rating is not None:
                    _, shown_items, shown_total = shown[i]
                    others = sum(1 for j, (_, _, t) in enumerate(shown) if j != i and t >= shown_total)
                    for tier in rating["tiers"]:
                        if self.tier(tier["when"], shown_items, shown_total, others, len(shown)):
                            tier_name = tier["name"]
                            break
                out.append(
                    {
                        "score": sc["name"],
                        "mentor": mid,
                        "items": {k: _round(v) for k, v in items.items()},
                        "total": _round(total),
                        "rating": tier_name,
                    }
                )
        return out

    def total(self, e: dict[str, Any], items: dict[str, Decimal]) -> Decimal:
        op = e["op"]
        if op == "num":
            return Decimal(e["value"])
        if op == "item":
            return items[e["name"]]
        if op == "sum":
            s = Decimal(0)
            for v in items.values():
                s = DEC.add(s, v)
            return s
        if op == "neg":
            return -self.total(e["args"][0], items)
        a, b = self.total(e["args"][0], items), self.total(e["args"][1], items)
        if op == "+":
            return DEC.add(a, b)
        if op == "-":
            return DEC.subtract(a, b)
        if op == "*":
            return DEC.multiply(a, b)
        if op == "/":
            return Decimal(0) if b == 0 else DEC.divide(a, b)
        return min(a, b) if op == "min" else max(a, b)

    def tier(self, c: dict[str, Any], items: dict[str, Decimal], total: Decimal, greater: int, n: int) -> bool:
        op = c["op"]
        if op == "otherwise":
            return True
        if op == "top":
            return 100 * greater < n * Decimal(c["percent"])
        if op == "compare":
            left = total if c["item"] is None else items[c["item"]]
            v = Decimal(c["value"])
            return {">=": left >= v, ">": left > v, "<=": left <= v, "<": left < v, "=": left == v}[c["cmp"]]
        if op == "and":
            return all(self.tier(a, items, total, greater, n) for a in c["args"])
        if op == "or":
            return any(self.tier(a, items, total, greater, n) for a in c["args"])
        return not self.tier(c["arg"], items, total, greater, n)


def _runs(days: set[dt.date]) -> list[list[str]]:
    """Consecutive days as [first, last] runs."""
    out: list[list[dt.date]] = []
    for d in sorted(days):
        if out and out[-1][1] + DAY == d:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [[a.isoformat(), b.isoformat()] for a, b in out]


def _dec4(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _round(v: Decimal) -> float | int:
    q = v.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return int(q) if q == q.to_integral_value() else float(q)


def naive_report(ir: dict[str, Any], school: dict[str, Any], as_of: dt.date, term_id: str | None = None) -> dict[str, Any]:
    n = Naive(ir, school, as_of, term_id)
    return {"term": n.term["id"], "duties": n.duties(), "ratios": n.ratios(), "scores": n.scores()}
