"""Scheme text → syntax tree (rules_dsl.ast), with every syntax error found.

Every statement starts with a keyword, so the file is parsed one statement at a
time with Lark's LALR tables: a statement ends where the next statement keyword
cannot continue it, and after an error the parser resumes at the next statement
keyword. That gives several errors per file and a context for the lexer (see
lexer.py). The grammar is loaded once per process.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer
from lark import __version__ as lark_version
from lark.lexer import Lexer as LarkLexer
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParseConf, ParserState

from . import ast
from .cache import cache_dir, digest
from .errors import Diagnostic, SchemeSyntaxError, Text
from .keywords import ALL, CHINESE, ENGLISH, STATEMENT_START
from .lexer import Comment, Lexer, LexError, decompose, keyword_prefix_split, swallowed_keyword_split

MAX_BYTES = 1024 * 1024

_FILE: contextvars.ContextVar[str] = contextvars.ContextVar("scheme_file", default="<scheme>")
# ids of the and/or nodes written in parentheses, so `(a or b) or c` is not flattened
_PARENS: contextvars.ContextVar[set[int]] = contextvars.ContextVar("scheme_parens")

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


class _NoLexer(LarkLexer):
    """Placeholder: tokens come from rules_dsl.lexer, fed by the driver below."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, *_: Any) -> Iterator[Token]:  # pragma: no cover - never called
        raise NotImplementedError


_new_tuple = tuple.__new__  # builds a Span without NamedTuple's Python-level __new__ (one per token)


def _span(tok: Token) -> ast.Span:
    return _new_tuple(ast.Span, (_FILE.get(), tok.line or 0, tok.column or 0, len(tok.value) or 1))  # type: ignore[no-any-return]


def _first_span(children: list[Any]) -> ast.Span:
    for c in children:
        if isinstance(c, Token):
            return _span(c)
        if c is not None and hasattr(c, "span"):
            return c.span  # type: ignore[no-any-return]
        if isinstance(c, ast.Ref):
            return c.name.span
    return ast.Span(_FILE.get(), 0, 0)


def _toks(children: list[Any], *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _num(tok: Token) -> ast.Num:
    return ast.Num(tok.value, _span(tok))


def _name(tok: Token) -> ast.Name:
    return ast.Name(tok.value, _span(tok))


class _Builder(Transformer):  # type: ignore[type-arg]
    """Lark callbacks → ast dataclasses; runs inside the LALR loop."""

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
        return ast.Ratio("students_per_mentor", c[4], c[5], c[6].cond if c[6] else None, _first_span(c))

    def ratio_mentors(self, c: list[Any]) -> ast.Ratio:
        return ast.Ratio("mentors_per_student", None, c[4], c[5].cond if c[5] else None, _first_span(c))

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

    def per_n_weeks(self, c: list[Any]) -> ast.Period:
        return self._period("weeks", c, n=True)

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
        flat = isinstance(left, ast.Or) and id(left) not in _PARENS.get()
        args = (*left.args, right) if flat else (left, right)
        return ast.Or(args, span, _nest(list(args), span))

    def cond_and(self, c: list[Any]) -> ast.And:
        left, right, span = c[0], c[2], _first_span(c)
        flat = isinstance(left, ast.And) and id(left) not in _PARENS.get()
        args = (*left.args, right) if flat else (left, right)
        return ast.And(args, span, _nest(list(args), span))

    def cond_not(self, c: list[Any]) -> ast.Not:
        span = _first_span(c)
        return ast.Not(c[1], span, _nest([c[1]], span))

    def cond_paren(self, c: list[Any]) -> Any:
        _PARENS.get().add(id(c[1]))
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
        return ast.Call("min" if c[0].type == "MIN" else "max", (c[2], c[4]), span, _nest([c[2], c[4]], span))

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


@cache
def _grammar() -> tuple[dict[Any, dict[str, tuple[Any, Any]]], ParseConf]:  # type: ignore[type-arg]
    text = resources.files("rules_dsl").joinpath("grammar.lark").read_text(encoding="utf-8")
    # lark keeps the built tables in a cache file named by a hash of the grammar, so a new
    # process starts in ~10 ms instead of ~75 ms; in the user's own cache folder, not /tmp,
    # because the file is a pickle
    folder = cache_dir()
    cache_file = str(folder / f"lark_{digest(text, lark_version)}.pickle") if folder is not None else False
    lark = Lark(text, parser="lalr", lexer=_NoLexer, start="statement", maybe_placeholders=True, cache=cache_file)
    inner = lark.parser.parser.parser  # lark's _Parser: its LALR table and callbacks
    callbacks = lark._parse_tree_builder.create_callback(_Builder())
    conf = ParseConf(inner.parse_table, callbacks, "statement")
    # The driver below runs lark's LALR loop itself on a table of plain values: str keys
    # (lark's are Tokens) and, for each reduction, (length, name reduced to, callback)
    # instead of a Rule object (whose __hash__ is Python code, run twice a reduction).
    def reduction(rule: Any) -> tuple[int, str, Any]:
        return len(rule.expansion), str(rule.origin.name), callbacks[rule]

    conf.states = {
        state: {str(k): (action, arg if action is Shift else reduction(arg)) for k, (action, arg) in row.items()}
        for state, row in conf.states.items()
    }
    return conf.states, conf


# -- the driver ---------------------------------------------------------------------------
@dataclass
class ParsedStatement:
    node: ast.Statement
    tokens: list[Token]


@dataclass
class ParsedFile:
    file: str
    text: str
    statements: list[ParsedStatement] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def tree(self) -> ast.SchemeFile:
        return ast.SchemeFile(self.file, tuple(s.node for s in self.statements))


def parse(text: str, file: str = "<scheme>") -> ast.SchemeFile:
    """Parse a scheme; raise SchemeSyntaxError listing every syntax error found."""
    parsed = parse_file_text(text, file)
    if parsed.diagnostics:
        raise SchemeSyntaxError(parsed.diagnostics)
    return parsed.tree


def parse_file_text(text: str, file: str = "<scheme>") -> ParsedFile:
    """Parse as far as possible: statements that parsed and diagnostics for the rest."""
    result = ParsedFile(file, text)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        result.diagnostics.append(
            Diagnostic(
                "too-large",
                Text("方案文件超过 1 MiB，拒绝处理", "the scheme file is larger than 1 MiB and is refused"),
                file, 1, 1,
                Text("一个学校的方案通常只有几十行；请检查是否选错了文件", "a school's scheme is a few dozen lines: check the file"),
            )
        )  # fmt: skip
        return result
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # an Excel-style BOM: keep columns, drop the mark
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    token, parens = _FILE.set(file), _PARENS.set(set())
    try:
        _drive(Lexer(text), result)
    finally:
        _FILE.reset(token)
        _PARENS.reset(parens)
    return result


def _drive(lx: Lexer, result: ParsedFile, probe: list[tuple[Any, str]] | None = None) -> None:
    """Parse statement after statement; with `probe`, stop at the first error and
    record its (parser state, token type) instead (see _error_labels)."""
    states, conf = _grammar()
    while True:
        ps = ParserState(conf, None)  # type: ignore[arg-type]
        fed: list[Token] = []
        before_names: dict[int, Any] = {}  # what else could stand where each name was read
        stack = ps.state_stack
        while True:
            acceptable = states[stack[-1]]
            try:
                tok = lx.next(acceptable)
            except LexError as e:
                result.diagnostics.append(_lex_diagnostic(lx, result.file, e))
                _resync(lx, states)
                fed = []
                break
            if tok.type == "$END" and (not fed or "$END" in acceptable):
                if fed:
                    _finish(ps, fed, tok, lx, result, states, probe)
                result.comments = lx.comments
                return
            if tok.type in acceptable:
                # lark's ParserState.feed_token, inlined: this loop is most of parsing
                values = ps.value_stack
                action, arg = acceptable[tok.type]
                try:
                    while action is not Shift:
                        _reduce(states, stack, values, arg)
                        action, arg = states[stack[-1]][tok.type]
                    stack.append(arg)
                    values.append(tok)
                    fed.append(tok)
                    if tok.type == "NAME":
                        before_names[tok.start_pos or 0] = acceptable  # a table row: never changes
                    continue
                except KeyError:
                    # LALR tables reduce on a lookahead before they find it invalid: judge
                    # the token in the state those reductions reached
                    acceptable = states[stack[-1]]
                except TooDeep as e:
                    result.diagnostics.append(_too_deep(lx, result.file, e.span))
                    _resync(lx, states, after=tok)
                    break
            starts_next = tok.type in STATEMENT_START or (tok.type != "$END" and lx.starts_line(tok.start_pos or 0))
            if fed and "$END" in acceptable and starts_next:
                # the statement is complete; whatever is wrong is in the next one
                lx.rewind(tok)
                _finish(ps, fed, tok, lx, result, states, probe)
                break
            if probe is not None:
                probe.append((ps.position, tok.type))
                return
            result.diagnostics.append(_unexpected(lx, result.file, ps, tok, fed, states, before_names))
            if fed and tok.type in STATEMENT_START and lx.starts_line(tok.start_pos or 0):
                lx.rewind(tok)  # the next statement starts right here (`grace 3` + newline + `require …`)
            else:
                _resync(lx, states, after=tok)
            break


def _reduce(states: Any, stack: list[Any], values: list[Any], reduction: tuple[int, str, Any]) -> None:
    """One LALR reduction: pop the rule's children, build its node, go to the next state."""
    size, origin, callback = reduction
    children = values[-size:] if size else []
    if size:
        del stack[-size:]
        del values[-size:]
    values.append(callback(children))
    stack.append(states[stack[-1]][origin][1])


def _finish(ps: ParserState, fed: list[Token], nxt: Token, lx: Lexer, result: ParsedFile, states: Any,  # type: ignore[type-arg]
            probe: list[tuple[Any, str]] | None = None) -> None:
    saved = list(ps.state_stack)  # to explain an error the reductions below run into
    stack, values = ps.state_stack, ps.value_stack
    end_state = ps.parse_conf.end_state
    try:
        while True:  # reduce on $END until the statement is accepted (lark's feed_token, inlined)
            action, arg = states[stack[-1]]["$END"]
            if action is Shift:
                raise KeyError("$END")
            _reduce(states, stack, values, arg)
            if stack[-1] == end_state:
                node = values[-1]
                break
    except TooDeep as e:
        result.diagnostics.append(_too_deep(lx, result.file, e.span))
        return
    except KeyError:  # an LALR default reduction that turns out wrong: report it as missing parts
        if probe is not None:
            probe.append((saved[-1], nxt.type))
        else:
            result.diagnostics.append(_unexpected(lx, result.file, ParserState(ps.parse_conf, None, saved), nxt, fed, states))  # type: ignore[arg-type]
        return
    result.statements.append(ParsedStatement(node, fed))


def _resync(lx: Lexer, states: Any, after: Token | None = None) -> None:
    """Skip to the next word that starts a statement (what follows a parse error)."""
    lx.pending.clear()
    start_state = _grammar()[1].start_state
    prev_type = after.type if after is not None else None
    while True:
        try:
            tok = lx.next(states[start_state])
        except LexError:
            lx.pos += 1
            continue
        if tok.type == "$END":
            lx.rewind(tok)
            return
        if tok.type in STATEMENT_START and prev_type not in ("DOT", "PER"):
            lx.rewind(tok)
            return
        if tok.type == "NAME" and after is not None and (tok.line or 0) > (after.line or 0) and lx.starts_line(tok.start_pos or 0) \
                and _keyword_typo_hint(tok.value, STATEMENT_START) is not None:
            lx.rewind(tok)  # a mistyped statement keyword (`requre`): report it too
            return
        prev_type = tok.type


# -- error messages ---------------------------------------------------------------------
_CHINESE_BY_TYPE: dict[str, str] = {}
for _s, _t in CHINESE.items():
    _CHINESE_BY_TYPE.setdefault(_t, _s)
_ENGLISH_BY_TYPE: dict[str, str] = {}
for _s, _t in ENGLISH.items():
    _ENGLISH_BY_TYPE.setdefault(_t, _s)
# where a terminal has several spellings, name the one that fits most places
_ENGLISH_BY_TYPE.update({"STUDENT": "student", "MENTOR": "mentor", "GRADE": "grade", "WEEK": "week", "DAYS": "days"})

_WORDS: dict[str, tuple[str, str]] = {
    "NAME": ("名称", "a name"),
    "STRING": ('带双引号的文字（如 "家访"）', 'a text in double quotes (like "家访")'),
    "NUMBER": ("数字", "a number"),
    "MMDD": ("月-日（如 10-15）", "a month-day date (like 10-15)"),
    "$END": ("下一条语句", "the next statement"),
    "COLON": ("冒号“:”", "a colon ':'"),
    "COMMA": ("逗号“,”", "a comma ','"),
    "LPAR": ("左括号“(”", "'('"),
    "RPAR": ("右括号“)”", "')'"),
    "LBRACE": ("左花括号“{”", "'{'"),
    "RBRACE": ("右花括号“}”", "'}'"),
    "PERCENT": ("百分号“%”", "'%'"),
    "DOT": ("点“.”", "'.'"),
    "EQ": ("“=”", "'='"),
    "GE": ("“>=”", "'>='"),
    "GT": ("“>”", "'>'"),
    "LE": ("“<=”", "'<='"),
    "LT": ("“<”", "'<'"),
    "PLUS": ("“+”", "'+'"),
    "MINUS": ("“-”", "'-'"),
    "STAR": ("“*”", "'*'"),
    "SLASH": ("“/”", "'/'"),
    "AT": ("“至少”或“至多”（at least / at most）", "'at least' or 'at most'"),
    "AT_LEAST_ZH": ("至少", "'至少' (at least)"),
    "AT_MOST_ZH": ("至多", "'至多' (at most)"),
    "CONFORMS_ZH": ("遵循", "'遵循' (conforms to)"),
    "OF_TERM_ZH": ("本学期", "'本学期' (of term)"),
    "TERM_START_ZH": ("开学", "'开学' (term start)"),
    "TERM_END_ZH": ("期末", "'期末' (term end)"),
}


def _word(type_: str, lang: str) -> str:
    if type_ in _WORDS:
        return _WORDS[type_][0 if lang == "zh" else 1]
    zh, en = _CHINESE_BY_TYPE.get(type_), _ENGLISH_BY_TYPE.get(type_)
    if lang == "zh":
        return f"“{zh}”（{en}）" if zh and en else f"“{zh or en}”"
    return f"'{en}' ({zh})" if zh and en else f"'{en or zh}'"


# Order in which expected words are listed: the likely ones first.
_PRIORITY = ["NUMBER", "NAME", "STRING", "AT", "AT_LEAST_ZH", "BETWEEN", "EXACTLY", "PER", "DAYS", "TERM", "STUDENT",
             "MONTH", "WEEK", "SCHOOL_YEAR", "MENTOR", "PAIR", "CLASS"]


def _expected_words(expected: set[str], lang: str) -> str:
    expected = {e for e in expected if e.isupper() and e not in ("AT_LEAST_ZH", "AT_MOST_ZH")} | (
        {"AT"} if expected & {"AT_LEAST_ZH", "AT_MOST_ZH"} else set()
    )
    if len(expected & STATEMENT_START) > 4:
        return (
            "一条语句的开头关键词（如 要求、动作、配比、评分）"
            if lang == "zh"
            else "a statement keyword (require, action, ratio, score, …)"
        )
    ordered = sorted(expected, key=lambda t: (_PRIORITY.index(t) if t in _PRIORITY else 99, t))
    words = [_word(t, lang) for t in ordered[:8]]
    more = len(ordered) > 8
    if lang == "zh":
        return "、".join(words) + ("等" if more else "")
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] + (", …" if more else "")


def _describe(tok: Token, lang: str) -> str:
    if tok.type == "$END":
        return "文件结尾" if lang == "zh" else "the end of the file"
    if tok.type == "NAME":
        return f"名称“{tok.value}”" if lang == "zh" else f"the name '{tok.value}'"
    if tok.type == "STRING":
        return f"文字“{tok.value}”" if lang == "zh" else f'the text "{tok.value}"'
    if tok.type == "NUMBER":
        return f"数字 {tok.value}" if lang == "zh" else f"the number {tok.value}"
    if tok.type == "BAD":
        return f"字符“{tok.value}”" if lang == "zh" else f"the character '{tok.value}'"
    if tok.type in ALL.values():
        return f"关键词“{tok.value}”" if lang == "zh" else f"the keyword '{tok.value}'"
    return f"“{tok.value}”" if lang == "zh" else f"'{tok.value}'"


def _declared_actions(text: str) -> list[str]:
    return re.findall(r"(?:\baction|动作)\s*([^\W\d]\w*)", text)


def _too_deep(lx: Lexer, file: str, span: ast.Span) -> Diagnostic:
    return Diagnostic(
        "too-deep",
        Text(f"条件或公式嵌套超过 {MAX_DEPTH} 层，无法处理", f"the condition or formula is nested more than {MAX_DEPTH} deep"),
        file, span.line, span.column,
        Text("把它拆开写得简单些", "write it more simply"),
        "error", span.width, lx.source_line(span.line),
    )  # fmt: skip


def _lex_diagnostic(lx: Lexer, file: str, e: LexError) -> Diagnostic:
    line, col = lx.line_col(e.pos)
    return Diagnostic(e.code, Text(e.zh, e.en), file, line, col, Text(e.hint_zh, e.hint_en), "error", e.width, lx.source_line(line))


def _accepts(states: Any, stack: list[Any], terminal: str) -> bool:
    """Would `terminal` be shifted here once the reductions it triggers are done?

    LALR rows list lookaheads that a reduction later rejects; simulating the
    reductions on a copy of the state stack gives the exact set for messages."""
    stack = list(stack)
    while True:
        entry = states[stack[-1]].get(terminal)
        if entry is None:
            return False
        action, arg = entry
        if action is Shift:
            return True
        size, origin, _ = arg
        if size:
            del stack[-size:]
        goto = states[stack[-1]].get(origin)
        if goto is None:
            return False
        stack.append(goto[1])
        if terminal == "$END" and len(stack) == 2 and origin == "statement":
            return True


def _expected(states: Any, stack: list[Any]) -> set[str]:
    row = states[stack[-1]]
    return {t for t in row if (t.isupper() or t == "$END") and _accepts(states, stack, t)}


def _unexpected(lx: Lexer, file: str, ps: ParserState, tok: Token, fed: list[Token], states: Any,  # type: ignore[type-arg]
                before_names: dict[int, Any] | None = None) -> Diagnostic:
    expected = _expected(states, ps.state_stack) or {t for t in states[ps.position] if t.isupper()}
    line, col = (tok.line or 1, tok.column or 1) if tok.type != "$END" else lx.line_col(len(lx.text.rstrip()))
    width = max(len(tok.value), 1)
    at_eol = bool(fed) and (tok.type in ("$END", "RBRACE") or (tok.type in STATEMENT_START and (tok.line or 0) > (fed[-1].line or 0)))
    if at_eol:
        # something is missing at the end of a line: point just after the last word
        line, col = lx.line_col(fed[-1].end_pos or 0)
        width = 1

    def diag(code: str, zh: str, en: str, hint: tuple[str, str] | None, at: Token | None = None) -> Diagnostic:
        ln, cl, w = (at.line or 1, at.column or 1, max(len(at.value), 1)) if at is not None else (line, col, width)
        return Diagnostic(code, Text(zh, en), file, ln, cl, Text(*hint) if hint else None, "error", w, lx.source_line(ln))

    # a name that ran into the keywords after it: `谈心至少4次`
    prev = fed[-1] if fed else None
    if prev is not None and prev.type == "NAME":
        split = swallowed_keyword_split(prev.value)
        if split is not None:
            declared = [a for a in _declared_actions(lx.text) if prev.value.startswith(a) and a != prev.value]
            head = max(declared, key=len) if declared else split[0]
            rest = prev.value[len(head) :]
            return diag("name-swallowed", f"“{prev.value}”被读成了一个名称：名称只在空格或标点处结束",
                        f"'{prev.value}' reads as one name: a name ends only at a space or punctuation",
                        (f"在“{head}”后面加一个空格：{head} {rest}", f"put a space after '{head}': {head} {rest}"), prev)  # fmt: skip
    ends_here = tok.type in STATEMENT_START or tok.type == "$END"
    opened = [t for t in fed if t.type == "LBRACE"]
    if opened and not any(t.type == "RBRACE" for t in fed) and ends_here:
        brace = opened[0]
        return diag("unclosed-block", f"第 {brace.line} 行的 {{ 没有对应的 }}", f"the '{{' on line {brace.line} is never closed",
                    ("在评分项或等级档次的最后加上 }", "add '}' after the last item or tier"))  # fmt: skip
    parens = [t for t in fed if t.type == "LPAR"]
    if len(parens) > sum(1 for t in fed if t.type == "RPAR") and (ends_here or tok.type == "RBRACE"):
        p = parens[-1]
        return diag("unclosed-paren", f"第 {p.line} 行第 {p.column} 列的 ( 没有对应的 )", f"the '(' at line {p.line}, column {p.column} is never closed",
                    ("在条件或公式的末尾补上 )", "add ')' at the end of the condition or formula"))  # fmt: skip
    if tok.type == "NAME":
        glued = keyword_prefix_split(tok.value)
        if glued is not None and decompose(glued[0], 0)[0][0] in expected:  # type: ignore[index]
            return diag("name-swallowed", f"“{tok.value}”被读成了一个名称：名称要和前面的关键词分开",
                        f"'{tok.value}' reads as one name: a name must be kept apart from the keywords before it",
                        (f"在“{glued[1]}”前面加一个空格：{glued[0]} {glued[1]}", f"put a space before '{glued[1]}': {glued[0]} {glued[1]}"))  # fmt: skip
        if "NAME" not in expected:
            typo = _keyword_typo_hint(tok.value, expected)
            if typo is not None:
                return Diagnostic("unknown-keyword", Text(f"不认识的词“{tok.value}”", f"unknown word '{tok.value}'"),
                                  file, tok.line or 1, tok.column or 1, typo, "error", width, lx.source_line(tok.line or 1))  # fmt: skip
    if tok.type == "SCHOOL" and lx.text.startswith("year", (tok.end_pos or 0) + 1):
        return diag("unknown-keyword", "“school year”要写成一个词", "'school year' is one word here",
                    ("写成 school_year（学年）", "write school_year (学年)"), tok)  # fmt: skip
    if prev is not None and prev.type == "NAME" and before_names and (prev.start_pos or 0) in before_names:
        # a mistyped keyword that happened to stand where a name could: `合格: 其他`
        typo = _keyword_typo_hint(prev.value, before_names[prev.start_pos or 0])
        if typo is not None:
            return diag("unknown-keyword", f"不认识的词“{prev.value}”", f"unknown word '{prev.value}'", (typo.zh, typo.en), prev)
    if prev is not None and prev.type == "NAME" and decompose(prev.value, 0) is not None and len(fed) >= 2 \
            and fed[-2].type in ("REQUIRE", "COLON", "ACTION"):
        # a keyword stood where a name belongs (`要求 至少 1 次`): the name is missing
        zh_what, en_what = ("动作名称", "the action's name") if fed[-2].type != "ACTION" else ("动作名称", "a name")
        return diag("name-missing", f"这里缺少{zh_what}：“{prev.value}”是关键词", f"{en_what} is missing here: '{prev.value}' is a keyword",
                    ("例如：要求 家访 至少 1 次 每 学期", "for example: require 家访 at least 1 per term"), prev)  # fmt: skip
    if tok.type == "NUMBER" and "NAME" in expected and lx.text[tok.end_pos or 0 : (tok.end_pos or 0) + 1].isalpha():
        return diag("name-digit", "名称不能以数字开头", "a name cannot start with a digit",
                    (f"换一个以文字开头的名称，例如：班{tok.value}…", f"start the name with a letter, e.g. 班{tok.value}…"))  # fmt: skip
    label = _error_labels().get((ps.position, tok.type))
    if tok.type == "BAD":
        label = _bad_char_label(tok.value) or label
    if label is not None:
        code, zh, en, hzh, hen = label
        if code == "quote-missing" and tok.type == "NAME":
            hzh, hen = f'用双引号括起来："{tok.value}"', f'put it in double quotes: "{tok.value}"'
        return diag(code, zh, en, (hzh, hen))
    if tok.type == "COMMA" and "COMMA" not in expected:
        return diag("stray-comma", "这里不需要逗号：语句的各部分之间用空格分开", "no comma here: the parts of a statement are separated by spaces",
                    ("删掉这个逗号（数字也不写千位分隔符：1000）", "delete the comma (numbers take no thousands separator: 1000)"))  # fmt: skip
    exp_zh, exp_en = _expected_words(expected, "zh"), _expected_words(expected, "en")
    if at_eol:
        return diag("incomplete", f"这条语句还没写完：这里还缺{exp_zh}", f"this statement is not finished: {exp_en} is missing here", None)
    hint = None
    if "$END" in expected and tok.type not in STATEMENT_START:
        hint = ("上一条语句在这里已经完整；新的语句要以关键词开头（如 要求、动作）",
                "the statement before is complete here; a new statement starts with a keyword (require, action, …)")  # fmt: skip
    return diag("unexpected", f"这里不应出现{_describe(tok, 'zh')}；此处应为{exp_zh}", f"{_describe(tok, 'en')} is not expected here; expected {exp_en}", hint)


# Words people write for a keyword (a typo or a synonym): suggest the keyword.
SYNONYMS: dict[str, str] = {
    "不少于": "至少", "最少": "至少", "至小": "至少", "不超过": "至多", "最多": "至多", "其他": "其余", "其它": "其余",
    "分种": "分钟", "日": "天", "学其": "学期", "每学其": "学期", "semester": "term", "year": "school_year",
    "atleast": "least", "atmost": "most", "begin": "start", "beginning": "start", "else": "otherwise",
    "minute": "minutes", "mins": "minutes", "weekly": "week", "monthly": "month", "during": "within",
}  # fmt: skip


def _keyword_typo_hint(word: str, expected: Container[str]) -> Text | None:
    import difflib

    spellings = [s for s, t in ALL.items() if t in expected]
    target = SYNONYMS.get(word) or SYNONYMS.get(word.lower())
    if target is not None and target in spellings:
        return Text(f"是不是要写“{target}”？", f"did you mean '{target}'?")
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in word)
    close = difflib.get_close_matches(word.lower(), spellings, n=1, cutoff=0.5 if cjk else 0.6)
    if close:
        return Text(f"是不是要写“{close[0]}”？", f"did you mean '{close[0]}'?")
    return None


def _bad_char_label(ch: str) -> tuple[str, str, str, str, str] | None:
    if ch in _BAD_CHAR_LABELS:
        return _BAD_CHAR_LABELS[ch]
    if not ch.isprintable() or ch in "\u200b\u200c\u200d\u2060":
        code = f"U+{ord(ch):04X}"
        return ("invisible-char", f"这里有一个看不见的字符 {code}", f"there is an invisible character {code} here",
                "删掉它（常见于从网页或文档复制来的文字）", "delete it (it often comes with text copied from a web page or document)")  # fmt: skip
    return None


_BAD_CHAR_LABELS = {
    "。": ("stray-punctuation", "语句末尾不需要句号", "a statement needs no full stop", "删掉句号", "delete the full stop"),
    "！": ("stray-punctuation", "这里不需要感叹号", "no exclamation mark here", "删掉它", "delete it"),
    "「": ("single-quote", "文字要用双引号括起来", "texts are written in double quotes", '把「」换成双引号 "…"', 'use double quotes "…" instead'),
    "」": ("single-quote", "文字要用双引号括起来", "texts are written in double quotes", '把「」换成双引号 "…"', 'use double quotes "…" instead'),
    "～": ("grades-range", "这里不能写范围", "a range cannot be written here", "把每个值都列出来，用逗号隔开：年级 1，2，3", "list every value with commas: grades 1, 2, 3"),
    "~": ("grades-range", "这里不能写范围", "a range cannot be written here", "把每个值都列出来，用逗号隔开：年级 1，2，3", "list every value with commas: grades 1, 2, 3"),
    "；": ("semicolon", "语句之间不需要分号", "statements need no semicolon between them", "删掉分号；每条语句以关键词开头即可", "delete the semicolon: each statement starts with a keyword"),
    ";": ("semicolon", "语句之间不需要分号", "statements need no semicolon between them", "删掉分号；每条语句以关键词开头即可", "delete the semicolon: each statement starts with a keyword"),
    "'": ("single-quote", "文字要用双引号括起来", "texts are written in double quotes", '把单引号换成双引号 "', 'use double quotes " instead'),
    "‘": ("single-quote", "文字要用双引号括起来", "texts are written in double quotes", '把单引号换成双引号 "', 'use double quotes " instead'),
}  # fmt: skip


# Common mistakes, each a label and bad inputs that show it. The parser state and the
# token at each example's error become the key (like lark's match_examples).
COMMON_MISTAKES: list[tuple[tuple[str, str, str, str, str], list[str]]] = [
    (("count-missing", "“至少/至多/恰好”后面要写一个次数", "'at least', 'at most' or 'exactly' needs a number after it",
      "写上次数，例如：至少 1 次 每 学期", "write the number, e.g. at least 1 per term"),
     ["scheme \"x\" require 家访 at least per term", "scheme \"x\" require 家访 at most per term",
      "scheme \"x\" require 家访 exactly per term", "方案 \"x\" 要求 家访 至少 每 学期",
      "scheme \"x\" require 家访 at least", "scheme \"x\" ratio students per mentor at most where"]),
    (("bound-missing", "动作后面要先写次数要求（至少/至多/介于/恰好）", "a duty needs its count right after the action: at least, at most, between or exactly",
      "例如：要求 家访 至少 1 次 每 学期", "for example: require 家访 at least 1 per term"),
     ["scheme \"x\" require 家访 per term", "scheme \"x\" require 家访 1 per term",
      "scheme \"x\" require 家访 within 7 days after event 考试", "方案 \"x\" 要求 家访 每 学期",
      "scheme \"x\" require 家访", "scheme \"x\" require 家访 where", "scheme \"x\" require 家访 as \"a\"",
      "scheme \"x\" require r: 家访 per term"]),
    (("action-missing", "“要求”后面要写动作名称", "'require' must be followed by the action's name",
      "例如：要求 家访 至少 1 次 每 学期", "for example: require 家访 at least 1 per term"),
     ["scheme \"x\" require \"家访\" at least 1",
      "scheme \"x\" require 1"]),
    (("unit-missing", "宽限和提醒以天计：数字后面写“天”", "grace and remind are counted in days: write days (天) after the number",
      "例如：宽限 3 天 / grace 3 days", "for example: grace 3 days"),
     ["scheme \"x\" grace 3", "scheme \"x\" remind 7", "scheme \"x\" grace 3 weeks", "scheme \"x\" remind 7 weeks",
      "scheme \"x\" grace 3 month", "scheme \"x\" remind 1 month",
      "scheme \"x\" remind 7 require", "scheme \"x\" grace 3 require", "scheme \"x\" grace 3 action", "scheme \"x\" remind 7 action",
      "scheme \"x\" grace 3 ratio", "scheme \"x\" grace 3 score", "scheme \"x\" grace 3 rating", "scheme \"x\" grace 3 grace"]),
    (("action-name-missing", "“动作”后面先写动作名称，再写带引号的说明", "'action' needs a name first, then its description in quotes",
      '例如：动作 家访 "学生家访"', 'for example: action 家访 "学生家访"'),
     ["scheme \"x\" action \"家访\"", "scheme \"x\" action 1", "scheme \"x\" action\nrequire", "scheme \"x\" action\naction",
      "scheme \"x\" action\nratio", "scheme \"x\" action\nscore", "scheme \"x\" action"]),
    (("action-min", "动作的最短时长写作“至少 N 分钟”（min N minutes）", "an action's shortest duration is written 'min N minutes'",
      '例如：动作 交流 "面对面交流" 至少 30 分钟', 'for example: action 交流 "talk" min 30 minutes'),
     ["scheme \"x\" action a \"a\" at least 30 minutes", "scheme \"x\" action a at least 30 minutes",
      "scheme \"x\" action a \"a\" at most 30 minutes"]),
    (("between-and", "“介于”的两个数之间要写“和”", "'between' needs 'and' between its two numbers",
      "例如：介于 5 和 8 次 / between 5 and 8", "for example: between 5 and 8"),
     ["scheme \"x\" require 家访 between 5 8", "scheme \"x\" require 家访 between 5 8 per term",
      "scheme \"x\" require 家访 between 5, 8", "scheme \"x\" require 家访 between 5 - 8",
      "scheme \"x\" require 家访 between 5 times 8"]),
    (("ratio-bound-missing", "配比要写上下限（至多/至少/介于/恰好）", "a ratio needs its bound: at most, at least, between or exactly",
      "例如：配比 学生 每 导师 至多 15", "for example: ratio students per mentor at most 15"),
     ["scheme \"x\" ratio students per mentor 15", "scheme \"x\" ratio mentors per student 1",
      "scheme \"x\" ratio students per mentor per grade 2"]),
    (("item-colon", "评分项的名称后面要加冒号", "an item's name must be followed by a colon",
      "例如：项 家访: 0.25 每 家访 上限 1", "for example: item 家访: 0.25 per 家访 max 1"),
     ["scheme \"x\" score s { item 家访 0.25 per 家访 }", "scheme \"x\" score s { item 家访 manual }"]),
    (("top-percent", "“前 N%”要带百分号", "'top N%' needs the percent sign",
      "例如：优秀: 前 15%", "for example: 优秀: top 15%"),
     ["scheme \"x\" rating r for s { 优秀: top 15 }", "scheme \"x\" rating r for s { 优秀: top 15 合格: otherwise }"]),
    (("period-unit", "“每”后面的数字要带单位：周 或 天", "a number after 'per' needs its unit: weeks or days",
      "例如：每 2 周 / per 2 weeks", "for example: per 2 weeks"),
     ["scheme \"x\" require 家访 at least 1 per 2", "scheme \"x\" require 家访 at least 1 per 2 months",
      "scheme \"x\" require 家访 at least 1 per 2 term"]),
    (("quote-missing", "这里要写带双引号的文字", "a text in double quotes is needed here",
      '用双引号把文字括起来，例如：方案 "古猗小学全员导师制"', 'put the text in double quotes, e.g. scheme "古猗小学全员导师制"'),
     ["scheme 古猗小学", "scheme \"x\" school 古猗小学", "scheme \"x\" district 嘉定区",
      "scheme \"x\" extends base", "scheme \"x\" extends ../base.scheme", "scheme \"x\" conforms to jiading", "scheme \"x\" require 家访 at least 1 as 每学期家访",
      "scheme \"x\" require 家访 at least 1 where student has 城区", "scheme \"x\" require 家访 at least 1 where mentor has 班主任",
      "scheme \"x\" require 家访 at least 1 where student.class = 一班", "scheme \"x\" ratio students per mentor at most 1 where student has 城区"]),
    (("event-keyword", "事件窗口要写“事件”（event）再写事件种类", "an event window needs the word 'event' before the event's kind",
      "例如：在 7 天 之后 事件 重大变故 / within 7 days after event 重大变故", "for example: within 7 days after event 重大变故"),
     ["scheme \"x\" require 谈心 at least 1 within 7 days after 重大变故", "scheme \"x\" require 谈心 at least 1 within 7 days around 考试",
      "scheme \"x\" require 谈心 at least 1 within 7 days before 考试"]),
    (("event-direction", "事件窗口要说明是事件之前、之后还是前后", "an event window needs before, after or around",
      "例如：在 7 天 之后 事件 重大变故 / within 7 days after event 重大变故", "for example: within 7 days after event 重大变故"),
     ["scheme \"x\" require 谈心 at least 1 within 7 days event 重大变故", "scheme \"x\" require 谈心 at least 1 within 7 days"]),
    (("grades-range", "年级是一个列表，不是范围", "grades is a list, not a range",
      "把每个年级都列出来：年级 1，2，3，4，5", "list every grade: grades 1, 2, 3, 4, 5"),
     ["scheme \"x\" grades 1-5", "scheme \"x\" grades 1 - 5", "scheme \"x\" grades 1 to 5", "方案 \"x\" 年级 1 到 5"]),
    (("ratio-colon", "配比写每位导师的学生人数，不写成 1:15", "a ratio is written as a number of students, not as 1:15",
      "例如：配比 学生 每 导师 至多 15", "for example: ratio students per mentor at most 15"),
     ["scheme \"x\" ratio students per mentor at most 1:15", "scheme \"x\" ratio students per mentor at most 1：15"]),
    (("by-date", "“截止”后面写 月-日，用短横线", "'by' takes month-day with a hyphen",
      "例如：截止 10-15", "for example: by 10-15"),
     ["scheme \"x\" require a at least 1 per school_year by 10/15", "scheme \"x\" require a at least 1 per school_year by 10.15",
      "scheme \"x\" require a at least 1 per school_year by 10月15日", "scheme \"x\" require a at least 1 per school_year by October"]),
    (("total-equals", "总分公式写作“总分 = …”", "the total is written 'total = …'",
      "例如：总分 = 合计 * 0.5", "for example: total = sum * 0.5"),
     ["scheme \"x\" score s { item a: manual total: sum }", "scheme \"x\" score s { item a: manual total sum }"]),
    (("rule-colon", "规则名后面要加冒号", "a rule's name must be followed by a colon",
      "例如：要求 月谈心: 谈心 至少 1 次 每 月", "for example: require 月谈心: 谈心 at least 1 per month"),
     ["scheme \"x\" require 月谈心 谈心 at least 1"]),
    (("conforms-to", "写作“conforms to”（遵循）", "write 'conforms to'",
      '例如：遵循 "上海三个一" / conforms to "shanghai"', 'for example: conforms to "shanghai"'),
     ["scheme \"x\" conforms \"jiading\""]),
    (("window-days", "时间窗口以天计", "windows are counted in days",
      "例如：在 前 14 天 本学期 / within first 14 days of term", "for example: within first 14 days of term"),
     ["scheme \"x\" require a at least 1 within first 2 weeks", "scheme \"x\" require a at least 1 within last 2 weeks",
      "scheme \"x\" require a at least 1 within first 1 month", "scheme \"x\" require a at least 1 within 2 weeks after event x"]),
    (("first-statement", "这里应开始一条新语句", "a new statement should start here",
      "每条语句以关键词开头（如 方案、要求、动作）；名称不能单独成行", "every statement starts with a keyword (scheme, require, action, …); a name cannot stand alone"),
     ["家访", "\"x\"", "1"]),
]  # fmt: skip


@cache
def _error_labels() -> dict[tuple[Any, str], tuple[str, str, str, str, str]]:
    table: dict[tuple[Any, str], tuple[str, str, str, str, str]] = {}
    states, conf = _grammar()
    for label, examples in COMMON_MISTAKES:
        for example in examples:
            key = _error_key(example, states, conf)
            if key is not None:
                table.setdefault(key, label)
    return table


def _error_key(text: str, states: Any, conf: ParseConf) -> tuple[Any, str] | None:  # type: ignore[type-arg]
    probe: list[tuple[Any, str]] = []
    parens = _PARENS.set(set())
    try:
        _drive(Lexer(text), ParsedFile("<example>", text), probe)
    finally:
        _PARENS.reset(parens)
    return probe[0] if probe else None
