"""Lark's rules → syntax tree (rules_dsl.ast): the callbacks the parser runs as it reduces each rule.

The file being parsed and the and/or nodes written in parentheses are per-parse context
(contextvars set by parser.py), so parses in several threads never mix.
"""

from __future__ import annotations

import contextvars
from typing import Any

from lark import Token, Transformer

from . import ast
from .numerals import is_numeral
from .numerals import value as numeral_value

FILE: contextvars.ContextVar[str] = contextvars.ContextVar("scheme_file", default="<scheme>")
# ids of the and/or nodes written in parentheses, so `(a or b) or c` is not flattened
PARENS: contextvars.ContextVar[set[int]] = contextvars.ContextVar("scheme_parens")

MAX_DEPTH = 100  # nested not/-/operators beyond this are refused: no school writes them


class TooDeep(Exception):
    def __init__(self, span: ast.Span):
        super().__init__("nested too deep")
        self.span = span


def _nest(children: list[Any], span: ast.Span) -> int:
    depth = 1 + max((getattr(c, "depth", 0) for c in children), default=0)
    if depth > MAX_DEPTH:
        raise TooDeep(span)
    return depth


_new_tuple = tuple.__new__  # builds a Span without NamedTuple's Python-level __new__ (one per token)


def _span(tok: Token) -> ast.Span:
    return _new_tuple(ast.Span, (FILE.get(), tok.line or 0, tok.column or 0, len(tok.value) or 1))  # type: ignore[no-any-return]


def _first_span(children: list[Any]) -> ast.Span:
    for c in children:
        if isinstance(c, Token):
            return _span(c)
        if c is not None and hasattr(c, "span"):
            return c.span  # type: ignore[no-any-return]
        if isinstance(c, ast.Ref):
            return c.name.span
    return ast.Span(FILE.get(), 0, 0)


def _toks(children: list[Any], *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _num(tok: Token) -> ast.Num:
    """A number; a Chinese numeral as its digits (one the language refuses stays as written: the checker says why)."""
    text = tok.value
    if is_numeral(text):
        v = numeral_value(text)
        text = str(v) if v is not None else text
    return ast.Num(text, _span(tok))


def _is_chinese_one(tok: Token) -> bool:
    """`每一周`, `每一月`, `每一学期`: a calendar period, not blocks of one from term start."""
    return tok.value == "一"


def _name(tok: Token) -> ast.Name:
    return ast.Name(tok.value, _span(tok))


class Builder(Transformer):  # type: ignore[type-arg]
    """Lark callbacks → ast dataclasses; run as the parser reduces each rule."""

    # headers
    def _header(self, kind: str, c: list[Any]) -> ast.Header:
        s = _toks(c, "STRING")[0]
        return ast.Header(kind, s.value, _first_span(c), _span(s))

    def scheme_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("scheme", c)

    def baseline_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("baseline", c)

    def school_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("school", c)

    def district_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("district", c)

    def extends_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("extends", c)

    def conforms_stmt(self, c: list[Any]) -> ast.Header:
        return self._header("conforms", c)

    def grades_stmt(self, c: list[Any]) -> ast.Grades:
        return ast.Grades(c[1], _first_span(c))

    def int_list(self, c: list[Any]) -> tuple[ast.Num, ...]:
        return tuple(_num(t) for t in _toks(c, "NUMBER"))

    def str_list(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(t.value for t in _toks(c, "STRING"))

    def grace_stmt(self, c: list[Any]) -> ast.DaysSetting:
        return ast.DaysSetting("grace", _num(c[1]), _first_span(c))

    def remind_stmt(self, c: list[Any]) -> ast.DaysSetting:
        return ast.DaysSetting("remind", _num(c[1]), _first_span(c))

    # actions and ratios
    def action_stmt(self, c: list[Any]) -> ast.Action:
        title = c[2].value if c[2] is not None else None
        return ast.Action(_name(c[1]), title, c[3], _first_span(c))

    def action_group(self, c: list[Any]) -> ast.Action:
        title = c[2].value if c[2] is not None else None
        return ast.Action(_name(c[1]), title, None, _first_span(c), c[4])

    def name_list(self, c: list[Any]) -> tuple[ast.Name, ...]:
        return tuple(_name(t) for t in _toks(c, "NAME"))

    def action_min(self, c: list[Any]) -> ast.Num:
        return _num(c[1])

    def _bound(self, kind: str, c: list[Any]) -> ast.Bound:
        nums = [_num(t) for t in _toks(c, "NUMBER")]
        return ast.Bound(kind, nums[0], nums[1] if len(nums) > 1 else None, _first_span(c))

    def at_least(self, c: list[Any]) -> ast.Bound:
        return self._bound("at_least", c)

    def at_most(self, c: list[Any]) -> ast.Bound:
        return self._bound("at_most", c)

    def between(self, c: list[Any]) -> ast.Bound:
        return self._bound("between", c)

    def exactly(self, c: list[Any]) -> ast.Bound:
        return self._bound("exactly", c)

    def ratio_group(self, c: list[Any]) -> str:
        return "grade" if c[1].type == "GRADE" else "class"

    def ratio_students(self, c: list[Any]) -> ast.Ratio:
        return ast.Ratio("students_per_mentor", c[5], c[6], c[7].cond if c[7] else None, _first_span(c), c[1] is not None)

    def ratio_mentors(self, c: list[Any]) -> ast.Ratio:
        return ast.Ratio("mentors_per_student", None, c[5], c[6].cond if c[6] else None, _first_span(c), c[1] is not None)

    def ratio_plain(self, c: list[Any]) -> ast.Ratio:
        """`1:15` is students per mentor at most 15; `1:1~2` between 1 and 2 (the N of `N:…` is checked to be 1)."""
        low, high = _num(c[4]), c[5]
        span = _span(c[2])
        bound = ast.Bound("at_most", low, None, span) if high is None else ast.Bound("between", low, high, span)
        return ast.Ratio("students_per_mentor", None, bound, c[6].cond if c[6] else None, _first_span(c), c[1] is not None, _num(c[2]))

    def ratio_upto(self, c: list[Any]) -> ast.Num:
        return _num(c[1])

    # duties
    def require_stmt(self, c: list[Any]) -> ast.Require:
        return ast.Require(c[1], _name(c[2]), c[3], tuple(c[4:]), _first_span(c))

    def rule_name(self, c: list[Any]) -> ast.Name:
        return _name(c[0])

    def _period(self, unit: str, c: list[Any], n: bool = False) -> ast.Period:
        return ast.Period(unit, _num(c[1]) if n else None, _first_span(c))

    def per_term(self, c: list[Any]) -> ast.Period:
        return self._period("term", c)

    def per_school_year(self, c: list[Any]) -> ast.Period:
        return self._period("school_year", c)

    def per_month(self, c: list[Any]) -> ast.Period:
        return self._period("month", c)

    def per_week(self, c: list[Any]) -> ast.Period:
        return self._period("week", c)

    def per_half_month(self, c: list[Any]) -> ast.Period:
        return self._period("half_month", c)

    def per_n_weeks(self, c: list[Any]) -> ast.Period:
        return self._period("week", c) if _is_chinese_one(c[1]) else self._period("weeks", c, n=True)

    def per_n_months(self, c: list[Any]) -> ast.Period:
        return self._period("month", c) if _is_chinese_one(c[1]) else self._period("months", c, n=True)

    def per_n_terms(self, c: list[Any]) -> ast.Period:
        return self._period("term", c) if _is_chinese_one(c[1]) else self._period("terms", c, n=True)

    def per_n_days(self, c: list[Any]) -> ast.Period:
        return self._period("days", c, n=True)

    def scope_student(self, c: list[Any]) -> ast.Scope:
        return ast.Scope("student", _first_span(c))

    def scope_pair(self, c: list[Any]) -> ast.Scope:
        return ast.Scope("pair", _first_span(c))

    def scope_mentor(self, c: list[Any]) -> ast.Scope:
        return ast.Scope("mentor", _first_span(c))

    def scope_class(self, c: list[Any]) -> ast.Scope:
        return ast.Scope("class", _first_span(c))

    def first_days(self, c: list[Any]) -> ast.Window:
        return ast.Window("first_days", days=_num(c[2]), span=_first_span(c))

    def last_days(self, c: list[Any]) -> ast.Window:
        return ast.Window("last_days", days=_num(c[2]), span=_first_span(c))

    def from_to(self, c: list[Any]) -> ast.Window:
        return ast.Window("range", start=c[1], end=c[3], span=_first_span(c))

    def start_days(self, c: list[Any]) -> ast.Window:
        """在 开学后 N 天 内 = the first N days; 在 开学前 N 天 内 = the N days before term start; 在 开学前后 N 天."""
        n, span = _num(c[3]), _first_span(c)
        if c[2].type == "LAST":
            return ast.Window("first_days", days=n, span=span)
        one = ast.Num("1", n.span)
        if c[2].type == "FIRST":
            return ast.Window(
                "range",
                days=n,
                start=ast.Anchor("term_start", n, "before", span),
                end=ast.Anchor("term_start", one, "before", span),
                span=span,
            )
        return ast.Window(
            "range", days=n, start=ast.Anchor("term_start", n, "before", span), end=ast.Anchor("term_start", n, "after", span), span=span
        )

    def end_days(self, c: list[Any]) -> ast.Window:
        """在 期末前 N 天 内 = the last N days; 在 期末后 N 天 内 = the N days after term end; 在 期末前后 N 天."""
        n, span = _num(c[3]), _first_span(c)
        if c[2].type == "FIRST":
            return ast.Window("last_days", days=n, span=span)
        one = ast.Num("1", n.span)
        if c[2].type == "LAST":
            return ast.Window(
                "range", days=n, start=ast.Anchor("term_end", one, "after", span), end=ast.Anchor("term_end", n, "after", span), span=span
            )
        return ast.Window(
            "range", days=n, start=ast.Anchor("term_end", n, "before", span), end=ast.Anchor("term_end", n, "after", span), span=span
        )

    def anchor_zh(self, c: list[Any]) -> ast.Anchor:
        """开学前30天 = 30 days before term start (the plans' word order)."""
        point = "term_start" if c[0].type == "TERM_START_ZH" else "term_end"
        return ast.Anchor(point, _num(c[2]), "before" if c[1].type == "FIRST" else "after", _first_span(c))

    def windows(self, c: list[Any]) -> Any:
        alternatives = tuple(x for x in c if not isinstance(x, Token))
        if len(alternatives) == 1:
            return alternatives[0]
        return ast.Moments(alternatives, _first_span(c))

    def by_date(self, c: list[Any]) -> ast.Window:
        return ast.Window("by", month_day=c[1].value, span=_first_span(c))

    def of_term(self, c: list[Any]) -> None:
        return None

    def term_start(self, c: list[Any]) -> str:
        return "term_start"

    def term_end(self, c: list[Any]) -> str:
        return "term_end"

    def anchor(self, c: list[Any]) -> ast.Anchor:
        return ast.Anchor(c[0], None, None, _first_span(c))

    def anchor_before(self, c: list[Any]) -> ast.Anchor:
        return ast.Anchor(c[3], _num(c[0]), "before", _first_span(c))

    def anchor_after(self, c: list[Any]) -> ast.Anchor:
        return ast.Anchor(c[3], _num(c[0]), "after", _first_span(c))

    def event_window(self, c: list[Any]) -> ast.EventWindow:
        direction = {"AFTER": "after", "BEFORE": "before", "AROUND": "around"}[c[3].type]
        return ast.EventWindow(_num(c[1]), direction, _name(c[5]), _first_span(c))

    def where(self, c: list[Any]) -> ast.Where:
        return ast.Where(c[1], _first_span(c))

    def label(self, c: list[Any]) -> ast.Label:
        return ast.Label(c[1].value, _first_span(c))

    # conditions
    def cond_or(self, c: list[Any]) -> ast.Or:
        left, right, span = c[0], c[2], _first_span(c)
        flat = isinstance(left, ast.Or) and id(left) not in PARENS.get()
        args = (*left.args, right) if flat else (left, right)
        return ast.Or(args, span, _nest(list(args), span))

    def cond_and(self, c: list[Any]) -> ast.And:
        left, right, span = c[0], c[2], _first_span(c)
        flat = isinstance(left, ast.And) and id(left) not in PARENS.get()
        args = (*left.args, right) if flat else (left, right)
        return ast.And(args, span, _nest(list(args), span))

    def cond_not(self, c: list[Any]) -> ast.Not:
        span = _first_span(c)
        return ast.Not(c[1], span, _nest([c[1]], span))

    def cond_paren(self, c: list[Any]) -> Any:
        PARENS.get().add(id(c[1]))
        return c[1]

    def student_has(self, c: list[Any]) -> ast.StudentHas:
        return ast.StudentHas(c[2].value, _first_span(c))

    def mentor_has(self, c: list[Any]) -> ast.MentorHas:
        return ast.MentorHas(c[2].value, _first_span(c))

    def grade_eq(self, c: list[Any]) -> ast.GradeIn:
        return ast.GradeIn((_num(c[4]),), _first_span(c))

    def grade_in(self, c: list[Any]) -> ast.GradeIn:
        return ast.GradeIn(c[4], _first_span(c))

    def class_eq(self, c: list[Any]) -> ast.ClassIn:
        return ast.ClassIn((c[4].value,), _first_span(c))

    def class_in(self, c: list[Any]) -> ast.ClassIn:
        return ast.ClassIn(c[4], _first_span(c))

    # scores
    def score_stmt(self, c: list[Any]) -> ast.Score:
        title = c[2].value if c[2] is not None else None
        parts = tuple(x for x in c[5:] if isinstance(x, ast.Item | ast.Total))
        return ast.Score(_name(c[1]), title, c[3], parts, _first_span(c))

    def score_period(self, c: list[Any]) -> str:
        return "term" if c[1].type == "TERM" else "school_year"

    def item(self, c: list[Any]) -> ast.Item:
        kind, points, action = c[3]
        return ast.Item(_name(c[1]), kind, points, action, c[4], _first_span(c))

    def per_action(self, c: list[Any]) -> tuple[str, ast.Num, ast.Name]:
        return "per_action", _num(c[0]), _name(c[2])

    def per_student(self, c: list[Any]) -> tuple[str, ast.Num, None]:
        return "per_student", _num(c[0]), None

    def per_student_with(self, c: list[Any]) -> tuple[str, ast.Num, ast.Name]:
        return "per_student_with", _num(c[0]), _name(c[4])

    def manual(self, c: list[Any]) -> tuple[str, None, None]:
        return "manual", None, None

    def item_cap(self, c: list[Any]) -> ast.Num:
        return _num(c[1])

    def total(self, c: list[Any]) -> ast.Total:
        return ast.Total(c[2], _first_span(c))

    def number(self, c: list[Any]) -> ast.Num:
        return ast.Num(c[0].value, _span(c[0]), percent=c[1] is not None)

    def ref(self, c: list[Any]) -> ast.Ref:
        return ast.Ref(_name(c[0]))

    def sum_ref(self, c: list[Any]) -> ast.SumRef:
        return ast.SumRef(_span(c[0]))

    def paren(self, c: list[Any]) -> Any:
        return c[1]

    def binop(self, c: list[Any]) -> ast.BinOp:
        op, span = {"PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/"}[c[1].type], _first_span(c)
        return ast.BinOp(op, c[0], c[2], span, _nest([c[0], c[2]], span))

    def neg(self, c: list[Any]) -> ast.Neg:
        span = _first_span(c)
        return ast.Neg(c[1], span, _nest([c[1]], span))

    def call(self, c: list[Any]) -> ast.Call:
        span = _first_span(c)
        return ast.Call("min" if c[0].type == "MIN" else "max", (c[2], c[4]), span, _nest([c[2], c[4]], span), c[0].value)

    # ratings
    def rating_stmt(self, c: list[Any]) -> ast.Rating:
        tiers = tuple(x for x in c[5:] if isinstance(x, ast.Tier))
        return ast.Rating(_name(c[1]), _name(c[3]), tiers, _first_span(c))

    def tier(self, c: list[Any]) -> ast.Tier:
        return ast.Tier(_name(c[0]), c[2], _first_span(c))

    def otherwise(self, c: list[Any]) -> ast.Otherwise:
        return ast.Otherwise(_first_span(c))

    def top(self, c: list[Any]) -> ast.Top:
        return ast.Top(_num(c[1]), _first_span(c))

    def compare(self, c: list[Any]) -> ast.Compare:
        left = None if c[0].type == "TOTAL" else _name(c[0])
        return ast.Compare(left, c[1], c[2], _first_span(c))

    def cmp(self, c: list[Any]) -> str:
        return {"GE": ">=", "GT": ">", "LE": "<=", "LT": "<", "EQ": "="}[c[0].type]
