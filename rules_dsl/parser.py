"""Scheme text → syntax tree (rules_dsl.ast), with every syntax error found.

Every statement starts with a keyword, so the file is parsed one statement at a
time with Lark's interactive LALR parser: a statement ends where the next statement
keyword cannot continue it, and after an error the parser resumes at the next
statement keyword. That gives several errors per file and a context for the lexer
(lexer.py reads each word knowing what the parser can take next). The wording of
every error is in messages.py. The grammar is loaded once per process.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Protocol

from lark import Lark, Token, UnexpectedToken
from lark import __version__ as lark_version
from lark.lexer import Lexer as LarkLexer

from . import ast
from .cache import cache_dir, digest
from .errors import Diagnostic, SchemeSyntaxError
from .keywords import STATEMENT_START
from .lexer import Comment, Lexer, LexError
from .messages import COMMON_MISTAKES, Label, keyword_typo_hint, lex_diagnostic, too_deep, too_large, unexpected
from .tree import FILE, MAX_DEPTH, PARENS, Builder, TooDeep

MAX_BYTES = 1024 * 1024


class _NoLexer(LarkLexer):
    """Placeholder: tokens come from rules_dsl.lexer, fed by the driver below."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, *_: Any) -> Iterator[Token]:  # pragma: no cover - never called
        raise NotImplementedError


class Interactive(Protocol):
    """What the driver uses of Lark's InteractiveParser (`Lark.parse_interactive`)."""

    def feed_token(self, token: Token) -> Any: ...
    def feed_eof(self, last_token: Token | None = None) -> Any: ...
    def choices(self) -> dict[str, Any]: ...
    def accepts(self) -> set[str]: ...
    def copy(self, deepcopy_values: bool = True) -> Interactive: ...


@cache
def _grammar() -> Lark:
    text = resources.files("rules_dsl").joinpath("grammar.lark").read_text(encoding="utf-8")
    # lark keeps the built tables in a cache file named by a hash of the grammar, so a new
    # process starts in ~10 ms instead of ~75 ms; in the user's own cache folder, not /tmp,
    # because the file is a pickle
    folder = cache_dir()
    cache_file = str(folder / f"lark_{digest(text, lark_version)}.pickle") if folder is not None else False
    # the transformer runs as each rule is reduced, so the parser's values are ast nodes
    return Lark(text, parser="lalr", lexer=_NoLexer, start="statement", maybe_placeholders=True, cache=cache_file, transformer=Builder())


def _start() -> Interactive:
    """A parser at the start of a statement."""
    return _grammar().parse_interactive(start="statement")


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
        result.diagnostics.append(too_large(file))
        return result
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # an Excel-style BOM: keep columns, drop the mark
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    token, parens = FILE.set(file), PARENS.set(set())
    try:
        _drive(Lexer(text), result)
    finally:
        FILE.reset(token)
        PARENS.reset(parens)
    return result


# Where a parse stopped: the parser's state and the type of the token it could not take.
# The state is known by its row of the LALR table, choices() (what it does with each next
# token; two states with the same row behave alike in everything), because Lark says not
# to rely on the value of its own state object.
Where = tuple[frozenset[tuple[str, Any]], str]


def _where(ip: Interactive, tok: Token) -> Where:
    return frozenset(ip.choices().items()), tok.type


def _drive(lx: Lexer, result: ParsedFile, probe: list[Where] | None = None) -> None:
    """Parse statement after statement; with `probe`, stop at the first error and
    record where it is instead (see _mistakes)."""
    start = _start()
    # a parser per statement; copying one at the start costs half of asking Lark for one
    while _statement(lx, result, start.copy(deepcopy_values=False), probe):
        pass
    result.comments = lx.comments


def _statement(lx: Lexer, result: ParsedFile, ip: Interactive, probe: list[Where] | None) -> bool:
    """Parse one statement into `result`; False at the end of the file (or of a probe)."""
    fed: list[Token] = []
    before_names: dict[int, Container[str]] = {}  # what else could stand where each name was read
    while True:
        choices = ip.choices()
        try:
            tok = lx.next(choices)
        except LexError as e:
            result.diagnostics.append(lex_diagnostic(lx, result.file, e))
            _resync(lx)
            return True
        if tok.type == "$END" and (not fed or "$END" in choices):
            if fed:
                _finish(ip, fed, tok, lx, result, probe)
            return False
        if tok.type in choices:
            try:
                ip.feed_token(tok)
            except UnexpectedToken:
                # LALR tables reduce on a lookahead before they find it invalid: the token
                # is judged in the state those reductions reached
                pass
            except TooDeep as e:
                result.diagnostics.append(too_deep(lx, result.file, e.span, MAX_DEPTH))
                _resync(lx, after=tok)
                return True
            else:
                fed.append(tok)
                if tok.type == "NAME":
                    before_names[tok.start_pos or 0] = choices  # a table row: never changes
                continue
        return _stop(lx, result, ip, tok, fed, before_names, probe)


def _stop(
    lx: Lexer,
    result: ParsedFile,
    ip: Interactive,
    tok: Token,
    fed: list[Token],
    before_names: dict[int, Container[str]],
    probe: list[Where] | None,
) -> bool:
    """The statement cannot take `tok`: finish it if it is complete, else report and skip."""
    starts_next = tok.type in STATEMENT_START or (tok.type != "$END" and lx.starts_line(tok.start_pos or 0))
    if fed and "$END" in ip.choices() and starts_next:
        # the statement is complete; whatever is wrong is in the next one
        lx.rewind(tok)
        return _finish(ip, fed, tok, lx, result, probe)
    if probe is not None:
        probe.append(_where(ip, tok))
        return False
    result.diagnostics.append(_unexpected(lx, result.file, ip, tok, fed, before_names))
    if fed and tok.type in STATEMENT_START and lx.starts_line(tok.start_pos or 0):
        lx.rewind(tok)  # the next statement starts right here (`grace 3` + newline + `require …`)
    else:
        _resync(lx, after=tok)
    return True


def _finish(ip: Interactive, fed: list[Token], nxt: Token, lx: Lexer, result: ParsedFile, probe: list[Where] | None) -> bool:
    """End the statement before `nxt` (the next statement, or the end of the file)."""
    try:
        # on a copy, to explain an error the reductions at the end run into
        node = ip.copy(deepcopy_values=False).feed_eof(nxt)
    except TooDeep as e:
        result.diagnostics.append(too_deep(lx, result.file, e.span, MAX_DEPTH))
        return True
    except UnexpectedToken:  # an LALR default reduction that turns out wrong: report it as missing parts
        if probe is not None:
            probe.append(_where(ip, nxt))
            return False
        result.diagnostics.append(_unexpected(lx, result.file, ip, nxt, fed))
        return True
    result.statements.append(ParsedStatement(node, fed))
    return True


def _resync(lx: Lexer, after: Token | None = None) -> None:
    """Skip to the next word that starts a statement (what follows a parse error)."""
    lx.pending.clear()
    start = _start().choices()
    prev_type = after.type if after is not None else None
    while True:
        try:
            tok = lx.next(start)
        except LexError:
            lx.pos += 1
            continue
        if tok.type == "$END":
            lx.rewind(tok)
            return
        if tok.type in STATEMENT_START and prev_type not in ("DOT", "PER"):
            lx.rewind(tok)
            return
        if (
            tok.type == "NAME"
            and after is not None
            and (tok.line or 0) > (after.line or 0)
            and lx.starts_line(tok.start_pos or 0)
            and keyword_typo_hint(tok.value, STATEMENT_START) is not None
        ):
            lx.rewind(tok)  # a mistyped statement keyword (`requre`): report it too
            return
        prev_type = tok.type


def _unexpected(
    lx: Lexer, file: str, ip: Interactive, tok: Token, fed: list[Token], before_names: dict[int, Container[str]] | None = None
) -> Diagnostic:
    # accepts() runs the reductions each candidate token triggers: LALR rows list
    # lookaheads that a reduction later rejects, and messages must not offer those
    expected = ip.accepts() or {t for t in ip.choices() if t.isupper()}
    return unexpected(lx, file, tok, fed, expected, _mistakes().get(_where(ip, tok)), before_names)


@cache
def _mistakes() -> dict[Where, Label]:
    """Each common mistake's label, by where its example inputs stop the parser.

    Not UnexpectedInput.match_examples: it takes any example that stops in the same state
    whatever the token, and its states count the depth of the parse stack, so the example
    `where student has 城区` would not label the same mistake after `per term`, a rule name
    or `(`. The first example for a (state, token type) wins; the table is built once."""
    table: dict[Where, Label] = {}
    for label, examples in COMMON_MISTAKES:
        for example in examples:
            where = _first_error(example)
            if where is not None:
                table.setdefault(where, label)
    return table


def _first_error(text: str) -> Where | None:
    probe: list[Where] = []
    parens = PARENS.set(set())
    try:
        _drive(Lexer(text), ParsedFile("<example>", text), probe)
    finally:
        PARENS.reset(parens)
    return probe[0] if probe else None
