"""Canonical layout for scheme files (`mentorship fmt`).

The formatter works on the parsed token stream, not the tree, so each keyword
keeps the language it was written in and every comment stays where it was:
one statement per line, block parts indented two spaces, single spaces between
words, glued keywords spaced out (`至少4次` → `至少 4 次`), full-width punctuation
and curly quotes made ASCII, runs of blank lines folded to one. A comment inside a
statement breaks it onto a continuation line indented four more spaces.
Formatting parses first and refuses text with syntax errors.
"""

from __future__ import annotations

import unicodedata

from lark import Token

from .errors import SchemeSyntaxError
from .keywords import CANONICAL_PUNCTUATION
from .lexer import Comment
from .parser import ParsedFile, parse_file_text

_NO_SPACE_BEFORE = {"COLON", "COMMA", "RPAR", "PERCENT", "DOT"}
_NO_SPACE_AFTER = {"LPAR", "DOT"}


def format_text(text: str, file: str = "<scheme>") -> str:
    """The canonical layout of `text`; raises SchemeSyntaxError if it does not parse."""
    parsed = parse_file_text(text, file)
    if parsed.diagnostics:
        raise SchemeSyntaxError(parsed.diagnostics)
    return _Layout(parsed).render()


def token_text(tok: Token) -> str:
    if tok.type == "STRING":
        return '"' + tok.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if tok.type in ("NUMBER", "MMDD"):
        return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in tok.value)  # ４ → 4
    return CANONICAL_PUNCTUATION.get(tok.type, tok.value)


class _Layout:
    def __init__(self, parsed: ParsedFile):
        self.text = parsed.text
        self.parsed = parsed
        self.comments: list[Comment] = sorted(parsed.comments, key=lambda c: c.pos)
        self.lines: list[str] = []
        self.current: list[str] | None = None  # words of the line being built
        self.indent = 0
        self.continuation = False  # the line being built continues a broken statement
        self.last_end = 0
        self.prev: Token | None = None
        self.before_prev: str | None = None

    # -- lines --------------------------------------------------------------------------
    def end_line(self) -> None:
        if self.current is not None:
            self.lines.append(" " * self.indent + self._join(self.current))
            self.current = None

    def _join(self, words: list[str]) -> str:
        return "".join(words).rstrip()

    def blank_before(self, pos: int) -> None:
        gap = self.text[self.last_end : pos]
        if self.lines and gap.count("\n") >= 2 and self.lines[-1] != "":
            self.lines.append("")

    def start_line(self, pos: int, indent: int) -> None:
        self.end_line()
        self.blank_before(pos)
        self.indent = indent
        self.current = []
        self.prev = None
        self.before_prev = None

    # -- comments -------------------------------------------------------------------------
    def flush_comments(self, before: int, indent: int) -> bool:
        """Emit the comments before `before`; True if the line was broken by one."""
        broke = False
        while self.comments and self.comments[0].pos < before:
            c = self.comments.pop(0)
            if c.own_line or self.current is None:
                self.end_line()
                self.blank_before(c.pos)
                self.lines.append(" " * indent + c.text)
            else:
                self.current.append("  " + c.text)
                self.end_line()
            self.last_end = c.pos + len(c.text)
            broke = True
        return broke

    # -- tokens ---------------------------------------------------------------------------
    def render(self) -> str:
        for stmt in self.parsed.statements:
            self.statement(stmt.tokens)
        self.flush_comments(len(self.text) + 1, 0)
        self.end_line()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def statement(self, tokens: list[Token]) -> None:
        depth = 0
        kind = tokens[0].type
        for i, tok in enumerate(tokens):
            pos = tok.start_pos or 0
            base = 2 if depth else 0
            part_start = i == 0 or (
                depth == 1
                and (
                    (kind == "SCORE" and tok.type in ("ITEM", "TOTAL"))
                    or (kind == "RATING" and tok.type == "NAME" and i + 1 < len(tokens) and tokens[i + 1].type == "COLON")
                )
            )
            if tok.type == "RBRACE":
                depth -= 1
                base = 0
                part_start = True
            if part_start:
                self.flush_comments(pos, base)
                self.start_line(pos, base)
                self.continuation = False
            elif self.flush_comments(pos, base + 4 if not self.continuation else self.indent):
                self.start_line(pos, base + 4)
                self.continuation = True
            assert self.current is not None
            self.current.append(self._spacing(tok) + token_text(tok))
            self.before_prev = self.prev.type if self.prev is not None else None
            self.prev = tok
            self.last_end = tok.end_pos or pos
            if tok.type == "LBRACE":
                depth += 1

    def _spacing(self, tok: Token) -> str:
        prev = self.prev
        if prev is None:
            return ""
        if tok.type in _NO_SPACE_BEFORE or prev.type in _NO_SPACE_AFTER:
            return ""
        if tok.type == "LPAR" and prev.type in ("MIN", "MAX"):
            return ""
        if tok.type == "TILDE" or prev.type == "TILDE" or (tok.type == "NUMBER" and prev.type == "COLON" and self.before_prev == "NUMBER"):
            return ""  # a ratio as plans write it: 1:15, 1:1~2
        if prev.type == "MINUS" and self.before_prev in _OPERATORS:
            return ""  # unary minus: `- 1` is written `-1`
        return " "


_OPERATORS = {None, "EQ", "PLUS", "MINUS", "STAR", "SLASH", "LPAR", "COMMA"}
