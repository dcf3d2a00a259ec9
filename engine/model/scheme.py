"""The compiled scheme (IR dict, rules_dsl/schema/ir.schema.json) as a typed, frozen model.

Built once per scheme (`compile_scheme`), then evaluated against any number of bundles.
The engine reads nothing else of the scheme language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import SchemeIRError


@dataclass(frozen=True)
class Source:
    file: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


# --- conditions (where clauses and rating tiers) -------------------------------------


@dataclass(frozen=True)
class And:
    args: tuple[Cond, ...]


@dataclass(frozen=True)
class Or:
    args: tuple[Cond, ...]


@dataclass(frozen=True)
class Not:
    arg: Cond


@dataclass(frozen=True)
class StudentHas:
    tag: str


@dataclass(frozen=True)
class MentorHas:
    tag: str  # a role or a tag


@dataclass(frozen=True)
class GradeIn:
    grades: frozenset[int]


@dataclass(frozen=True)
class ClassIn:
    classes: frozenset[str]


@dataclass(frozen=True)
class Top:
    percent: Decimal


@dataclass(frozen=True)
class Compare:
    item: str | None  # None: the total
    cmp: str
    value: Decimal


@dataclass(frozen=True)
class Otherwise:
    pass


Cond = And | Or | Not | StudentHas | MentorHas | GradeIn | ClassIn | Top | Compare | Otherwise


# --- windows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    unit: str  # term | school_year | month | half_month | week | weeks | days
    n: int = 1


@dataclass(frozen=True)
class EventSpec:
    kind: str
    direction: str  # after | before | around
    days: int


@dataclass(frozen=True)
class FirstDays:
    days: int


@dataclass(frozen=True)
class LastDays:
    days: int


@dataclass(frozen=True)
class By:
    month: int
    day: int


@dataclass(frozen=True)
class Anchor:
    anchor: str  # term_start | term_end
    offset_days: int


@dataclass(frozen=True)
class Range:
    start: Anchor
    end: Anchor


WindowClause = FirstDays | LastDays | By | Range
Moment = EventSpec | WindowClause  # one alternative of a key-moment rule


# --- statements ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    title: str | None
    min_minutes: int | None
    members: tuple[str, ...] = ()  # an action group: the actions it counts besides itself


@dataclass(frozen=True)
class Rule:
    id: str
    name: str | None
    label: str | None
    action: str
    min: int
    max: int | None
    period: Period | None
    event: EventSpec | None
    scope: str  # student | pair | mentor | class
    window: WindowClause | None
    where: Cond | None
    source: Source
    moments: tuple[Moment, ...] | None = None  # key moments: one duty a term, met on any day of their windows' union


@dataclass(frozen=True)
class Ratio:
    id: str
    direction: str  # students_per_mentor | mentors_per_student
    group: str | None  # None | grade | class
    min: int
    max: int | None
    where: Cond | None
    source: Source
    advisory: bool = False  # a guideline (原则上): reported, never a violation


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class ItemRef:
    name: str


@dataclass(frozen=True)
class SumAll:
    pass


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * / min max
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Neg:
    arg: Expr


Expr = Num | ItemRef | SumAll | BinOp | Neg


@dataclass(frozen=True)
class Item:
    name: str
    unit: str  # action | student | student_with | manual
    action: str | None
    points: Decimal | None
    max: Decimal | None
    source: Source


@dataclass(frozen=True)
class Score:
    name: str
    title: str | None
    period: str  # term | school_year
    items: tuple[Item, ...]
    total: Expr
    source: Source


@dataclass(frozen=True)
class Tier:
    name: str
    when: Cond


@dataclass(frozen=True)
class RatingSpec:
    name: str
    score: str
    tiers: tuple[Tier, ...]
    source: Source


@dataclass(frozen=True)
class Scheme:
    title: str
    school: str | None
    file: str
    grades: frozenset[int] | None
    grace_days: int
    remind_days: int
    actions: tuple[Action, ...]
    ratios: tuple[Ratio, ...]
    rules: tuple[Rule, ...]
    scores: tuple[Score, ...]
    ratings: tuple[RatingSpec, ...]

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    def min_minutes(self, action: str) -> int | None:
        a = self.action(action)
        return a.min_minutes if a else None

    def counted(self, action: str) -> tuple[tuple[str, int | None], ...]:
        """The actions whose activities count for `action`, each with its own minimum: itself, and a group's members."""
        a = self.action(action)
        members = a.members if a is not None else ()
        return tuple((name, self.min_minutes(name)) for name in (action, *members))

    def rating_for(self, score: str) -> RatingSpec | None:
        return next((r for r in self.ratings if r.score == score), None)


def compile_scheme(ir: Mapping[str, Any]) -> Scheme:
    """IR dict → Scheme; SchemeIRError when the dict is not a compiled scheme."""
    try:
        return Scheme(
            title=str(ir["title"]),
            school=ir.get("school"),
            file=str(ir.get("file", "")),
            grades=frozenset(ir["grades"]) if ir.get("grades") is not None else None,
            grace_days=int(ir.get("grace_days", 0)),
            remind_days=int(ir.get("remind_days", 7)),
            actions=tuple(Action(a["name"], a.get("title"), a.get("min_minutes"), tuple(a.get("members") or ())) for a in ir.get("actions", [])),
            ratios=tuple(_ratio(r) for r in ir.get("ratios", [])),
            rules=tuple(_rule(r) for r in ir.get("rules", [])),
            scores=tuple(_score(s) for s in ir.get("scores", [])),
            ratings=tuple(_rating(r) for r in ir.get("ratings", [])),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise SchemeIRError(f"not a compiled scheme (IR version 1): {type(e).__name__}: {e}") from e


def _source(d: Mapping[str, Any]) -> Source:
    s = d.get("source") or {}
    return Source(str(s.get("file", "")), int(s.get("line", 1)))


def _rule(r: Mapping[str, Any]) -> Rule:
    period = Period(r["period"]["unit"], int(r["period"].get("n", 1))) if r.get("period") else None
    event = _event(r["event"]) if r.get("event") else None
    if period is None and event is None:
        period = Period("term")
    moments = tuple(_moment(m) for m in r["moments"]) if r.get("moments") else None
    if (event is not None or moments is not None) and r["scope"] not in ("student", "pair"):
        raise SchemeIRError(f"rule {r['id']}: event windows and key moments go with per student or per pair only")
    if moments is not None and (event is not None or r.get("window") is not None or period != Period("term")):
        raise SchemeIRError(f"rule {r['id']}: a key-moment rule is per term, with no event or window of its own")
    return Rule(r["id"], r.get("name"), r.get("label"), r["action"], int(r["min"]), None if r.get("max") is None else int(r["max"]),
                period, event, r["scope"], window_clause(r.get("window")), cond(r.get("where")), _source(r), moments)  # fmt: skip


def _event(e: Mapping[str, Any]) -> EventSpec:
    return EventSpec(e["kind"], e["direction"], int(e["days"]))


def _moment(m: Mapping[str, Any]) -> Moment:
    if m.get("event") is not None:
        return _event(m["event"])
    window = window_clause(m.get("window"))
    if window is None:
        raise SchemeIRError("a key moment is an event window or a window clause")
    return window


def window_clause(w: Mapping[str, Any] | None) -> WindowClause | None:
    if w is None:
        return None
    kind = w["kind"]
    if kind == "first_days":
        return FirstDays(int(w["days"]))
    if kind == "last_days":
        return LastDays(int(w["days"]))
    if kind == "by":
        return By(int(w["month"]), int(w["day"]))
    if kind == "range":
        return Range(Anchor(w["start"]["anchor"], int(w["start"]["offset_days"])), Anchor(w["end"]["anchor"], int(w["end"]["offset_days"])))
    raise SchemeIRError(f"unknown window kind {kind!r}")


def cond(c: Mapping[str, Any] | None) -> Cond | None:
    if c is None:
        return None
    op = c["op"]
    if op in ("and", "or"):
        args = tuple(x for x in (cond(a) for a in c["args"]) if x is not None)
        return And(args) if op == "and" else Or(args)
    if op == "not":
        inner = cond(c["arg"])
        assert inner is not None
        return Not(inner)
    if op == "student_has":
        return StudentHas(c["tag"])
    if op == "mentor_has":
        return MentorHas(c["tag"])
    if op == "grade_in":
        return GradeIn(frozenset(int(g) for g in c["grades"]))
    if op == "class_in":
        return ClassIn(frozenset(c["classes"]))
    if op == "top":
        return Top(Decimal(c["percent"]))
    if op == "compare":
        return Compare(c.get("item"), c["cmp"], Decimal(c["value"]))
    if op == "otherwise":
        return Otherwise()
    raise SchemeIRError(f"unknown condition {op!r}")


def _ratio(r: Mapping[str, Any]) -> Ratio:
    return Ratio(
        r["id"],
        r["direction"],
        r.get("group"),
        int(r["min"]),
        None if r.get("max") is None else int(r["max"]),
        cond(r.get("where")),
        _source(r),
        bool(r.get("advisory", False)),
    )


def expr(e: Mapping[str, Any]) -> Expr:
    op = e["op"]
    if op == "num":
        return Num(Decimal(e["value"]))
    if op == "item":
        return ItemRef(e["name"])
    if op == "sum":
        return SumAll()
    if op == "neg":
        return Neg(expr(e["args"][0]))
    if op in ("+", "-", "*", "/", "min", "max"):
        return BinOp(op, expr(e["args"][0]), expr(e["args"][1]))
    raise SchemeIRError(f"unknown expression {op!r}")


def _score(s: Mapping[str, Any]) -> Score:
    items = tuple(
        Item(
            i["name"],
            i["unit"],
            i.get("action"),
            None if i.get("points") is None else Decimal(i["points"]),
            None if i.get("max") is None else Decimal(i["max"]),
            _source(i),
        )  # fmt: skip
        for i in s["items"]
    )
    return Score(s["name"], s.get("title"), s.get("period", "term"), items, expr(s.get("total") or {"op": "sum"}), _source(s))


def _rating(r: Mapping[str, Any]) -> RatingSpec:
    tiers = []
    for t in r["tiers"]:
        when = cond(t["when"])
        assert when is not None
        tiers.append(Tier(t["name"], when))
    return RatingSpec(r["name"], r["score"], tuple(tiers), _source(r))
