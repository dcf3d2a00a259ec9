"""The syntax tree: frozen dataclasses, each with the Span it came from.

Numbers stay as their source text (`Num`) so the checker can say "1.5 is not a
whole number" at the right column and scores keep exact decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """Where a node came from. A NamedTuple, not a dataclass: there is one per token
    and a frozen dataclass costs several times more to build."""

    file: str
    line: int
    column: int
    width: int = 1


@dataclass(frozen=True)
class Num:
    text: str
    span: Span
    percent: bool = False


@dataclass(frozen=True)
class Name:
    text: str
    span: Span


# -- conditions (`where`) and rating tests --------------------------------------------
@dataclass(frozen=True)
class StudentHas:
    tag: str
    span: Span


@dataclass(frozen=True)
class MentorHas:
    tag: str
    span: Span


@dataclass(frozen=True)
class GradeIn:
    grades: tuple[Num, ...]
    span: Span


@dataclass(frozen=True)
class ClassIn:
    classes: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class Not:
    arg: Cond
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node


@dataclass(frozen=True)
class And:
    args: tuple[Cond, ...]
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node


@dataclass(frozen=True)
class Or:
    args: tuple[Cond, ...]
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node


@dataclass(frozen=True)
class Top:
    percent: Num
    span: Span


@dataclass(frozen=True)
class Compare:
    left: Name | None  # None: the score's total
    op: str
    value: Num
    span: Span


@dataclass(frozen=True)
class Otherwise:
    span: Span


Cond = StudentHas | MentorHas | GradeIn | ClassIn | Not | And | Or | Top | Compare | Otherwise


# -- score expressions ------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    name: Name


@dataclass(frozen=True)
class SumRef:
    span: Span


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node


@dataclass(frozen=True)
class Neg:
    arg: Expr
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node


@dataclass(frozen=True)
class Call:
    fn: str  # "min" | "max"
    args: tuple[Expr, Expr]
    span: Span
    depth: int = field(default=1, compare=False)  # nesting below and including this node
    word: str = field(default="", compare=False)  # as written: 上限( is refused (a clerk reads it as "at most")


Expr = Num | Ref | SumRef | BinOp | Neg | Call


# -- statements ------------------------------------------------------------------------
@dataclass(frozen=True)
class Header:
    """scheme/baseline/school/district/extends/conforms: a keyword and a string."""

    kind: str
    value: str
    span: Span
    value_span: Span


@dataclass(frozen=True)
class Grades:
    grades: tuple[Num, ...]
    span: Span


@dataclass(frozen=True)
class DaysSetting:
    kind: str  # "grace" | "remind"
    days: Num
    span: Span


@dataclass(frozen=True)
class Action:
    name: Name
    title: str | None
    min_minutes: Num | None
    span: Span
    members: tuple[Name, ...] | None = None  # an action group: `= 谈心, 家长联系`


@dataclass(frozen=True)
class Bound:
    kind: str  # at_least | at_most | between | exactly
    low: Num
    high: Num | None
    span: Span


@dataclass(frozen=True)
class Ratio:
    direction: str  # students_per_mentor | mentors_per_student
    group: str | None  # grade | class
    bound: Bound
    where: Cond | None
    span: Span
    guideline: bool = False  # 原则上: advisory
    mentors: Num | None = None  # the N of the plans' `N:M` form (must be 1: students per mentor)


@dataclass(frozen=True)
class Period:
    unit: str  # term | school_year | month | half_month | week | weeks | days; months | terms: `每 N 月`, an error
    n: Num | None
    span: Span


@dataclass(frozen=True)
class Scope:
    scope: str  # student | pair | mentor | class
    span: Span


@dataclass(frozen=True)
class Anchor:
    point: str  # term_start | term_end
    offset: Num | None
    direction: str | None  # before | after
    span: Span


@dataclass(frozen=True)
class Window:
    kind: str  # first_days | last_days | range | by
    days: Num | None = None  # first/last N days; for a range, the N of the Chinese forms (在 开学前 N 天 内)
    start: Anchor | None = None
    end: Anchor | None = None
    month_day: str | None = None
    span: Span = field(default_factory=lambda: Span("", 0, 0))


@dataclass(frozen=True)
class EventWindow:
    days: Num
    direction: str  # after | before | around
    kind: Name
    span: Span


@dataclass(frozen=True)
class Where:
    cond: Cond
    span: Span


@dataclass(frozen=True)
class Label:
    text: str
    span: Span


@dataclass(frozen=True)
class Moments:
    """Key moments: window alternatives joined by `or`, one duty a term met at any of them."""

    alternatives: tuple[Window | EventWindow, ...]
    span: Span


Clause = Period | Scope | Window | EventWindow | Moments | Where | Label


@dataclass(frozen=True)
class Require:
    name: Name | None
    action: Name
    bound: Bound
    clauses: tuple[Clause, ...]
    span: Span


@dataclass(frozen=True)
class Item:
    name: Name
    kind: str  # per_action | per_student | per_student_with | manual
    points: Num | None
    action: Name | None
    cap: Num | None
    span: Span


@dataclass(frozen=True)
class Total:
    expr: Expr
    span: Span


@dataclass(frozen=True)
class Score:
    name: Name
    title: str | None
    period: str | None  # term | school_year; None: not written (term)
    parts: tuple[Item | Total, ...]
    span: Span


@dataclass(frozen=True)
class Tier:
    name: Name
    cond: Cond
    span: Span


@dataclass(frozen=True)
class Rating:
    name: Name
    score: Name
    tiers: tuple[Tier, ...]
    span: Span


Statement = Header | Grades | DaysSetting | Action | Ratio | Require | Score | Rating


@dataclass(frozen=True)
class SchemeFile:
    file: str
    statements: tuple[Statement, ...]
