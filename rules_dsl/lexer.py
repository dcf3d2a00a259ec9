"""Scheme text → tokens, one at a time, asked for by the parser.

Two things make this lexer context-dependent, which is why the parser drives it:

* Chinese writers glue keywords and numbers (`至少4次每学期`). A word that splits
  entirely into keywords and numbers is read as those pieces; otherwise it is a name.
* A name may equal a keyword where the grammar cannot take that keyword
  (`rating 等级 for 考核`): when the parser cannot take the keyword here but can take
  a name, the word is a name.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass

from lark import Token

from .keywords import ALL, PUNCTUATION, STATEMENT_START
from .numerals import CHARS as NUMERAL_CHARS

_WORD = re.compile(r"\w+")
_BLANKS = re.compile(r"\s*")
_BLANKS_WORD = re.compile(r"\s*(\w*)")
_PLAIN_STRING = re.compile(r'"([^"\\\r\n]*)"')
_NAME = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MMDD = re.compile(r"\d{1,2}-\d{1,2}(?![\w.])")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_ASCII_WORD_DIGIT = _ASCII_WORD | frozenset("0123456789")

# keyword spellings by first character, longest first, so `前后` wins over `前`
_BY_FIRST: dict[str, list[tuple[str, str]]] = {}
for _spelling, _type in sorted(ALL.items(), key=lambda kv: -len(kv[0])):
    _BY_FIRST.setdefault(_spelling[0], []).append((_spelling, _type))

_PUNCT_BY_FIRST: dict[str, list[tuple[str, str]]] = {}
for _spelling, _type in sorted(PUNCTUATION.items(), key=lambda kv: -len(kv[0])):
    _PUNCT_BY_FIRST.setdefault(_spelling[0], []).append((_spelling, _type))

MAX_NESTING = 64


@dataclass(frozen=True)
class Comment:
    pos: int
    line: int
    column: int
    text: str
    own_line: bool  # nothing but blanks before it on its line


class LexError(Exception):
    """Raised for text no token can start with; carries what to tell the user."""

    def __init__(self, code: str, pos: int, width: int, zh: str, en: str, hint_zh: str, hint_en: str):
        super().__init__(en)
        self.code, self.pos, self.width = code, pos, width
        self.zh, self.en, self.hint_zh, self.hint_en = zh, en, hint_zh, hint_en


def decompose(text: str, start: int) -> list[tuple[str, str, int]] | None:
    """Split the word at `start` entirely into keywords and numbers, or None.

    Returns (type, text, position) pieces. English keywords only count as whole
    ASCII words (`perterm` is a name, `4times` is 4 and `times`).
    """
    word = _WORD.match(text, start)
    end = word.end() if word else start
    if end < len(text) and text[end] in ".-":
        return _decompose(text, start)  # a decimal or a date may run on past the word
    found = _decompose_word(word.group() if word else "")
    return None if found is None else [(t, v, p + start) for t, v, p in found]


_WORD_SPLITS: dict[str, tuple[tuple[str, str, int], ...] | None] = {}


def _decompose_word(word: str) -> tuple[tuple[str, str, int], ...] | None:
    """decompose() of a whole word, memoised: schemes repeat the same few words."""
    try:
        return _WORD_SPLITS[word]
    except KeyError:
        found = _decompose(_folded(word), 0)
        split = None if found is None else tuple(found)
        if len(_WORD_SPLITS) < 100_000:  # random input must not grow it without bound
            _WORD_SPLITS[word] = split
        return split


def _folded(word: str) -> str:
    """Full-width Latin letters and digits as their ASCII twins (`ｒｅｑｕｉｒｅ` → `require`), one character for one,
    so positions stay; any other word as it is."""
    if word.isascii() or not any("\uff10" <= ch <= "\uff5a" for ch in word):
        return word
    folded = "".join(unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" else ch for ch in word)
    return folded if len(folded) == len(word) else word


def _decompose(text: str, start: int) -> list[tuple[str, str, int]] | None:
    pieces: list[tuple[str, str, int]] = []
    if not _split(text, start, pieces):
        return None
    return pieces


def _split(text: str, i: int, pieces: list[tuple[str, str, int]]) -> bool:
    n = len(text)
    if i >= n or not (text[i].isalnum() or text[i] == "_"):
        return bool(pieces)
    ch = text[i]
    if ch in NUMERAL_CHARS:  # a Chinese numeral (一次, 每两周, 十五): the checker reads its value
        j = i
        while j < n and text[j] in NUMERAL_CHARS:
            j += 1
        pieces.append(("NUMBER", text[i:j], i))
        if _split(text, j, pieces):
            return True
        pieces.pop()
        return False
    if ch.isdigit():
        if pieces and pieces[-1][0] == "BY":
            m = _MMDD.match(text, i)
            if m:
                pieces.append(("MMDD", m.group(), i))
                if _split(text, m.end(), pieces):
                    return True
                pieces.pop()
        m = _NUMBER.match(text, i)
        if m is None:  # a non-ASCII digit such as '²'
            return False
        pieces.append(("NUMBER", m.group(), i))
        if _split(text, m.end(), pieces):
            return True
        pieces.pop()
        return False
    for spelling, type_ in _BY_FIRST.get(ch, ()):
        if not text.startswith(spelling, i):
            continue
        end = i + len(spelling)
        if ch in _ASCII_WORD:
            if i > 0 and text[i - 1] in _ASCII_WORD:
                continue
            if end < n and text[end] in _ASCII_WORD_DIGIT:
                continue
        pieces.append((type_, spelling, i))
        if _split(text, end, pieces):
            return True
        pieces.pop()
    return False


def swallowed_keyword_split(name: str) -> tuple[str, str] | None:
    """`谈心至少4次` → ('谈心', '至少4次'): where a name ran into the keywords after it."""
    for k in range(1, len(name)):
        # the shortest name before a run of nothing but keywords: 谈心|至少4次, not 谈心至少4|次
        rest = decompose(name, k)
        if rest and rest[0][0] not in ("NUMBER", "MMDD") and _NAME.fullmatch(name[:k]):
            return name[:k], name[k:]
    return None


def keyword_prefix_split(name: str) -> tuple[str, str] | None:
    """`在7天之后事件重大变故` → ('在7天之后事件', '重大变故'): keywords glued onto a name."""
    for k in range(len(name) - 1, 0, -1):
        head = decompose(name[:k], 0)
        if head and _NAME.fullmatch(name[k:]) and decompose(name, k) is None:
            return name[:k], name[k:]
    return None


class Lexer:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.pos = 0
        self._line, self._line_end = 1, -1  # the line of the last token and where it ends
        self.pending: list[Token] = []
        self.comments: list[Comment] = []
        self._comment_positions: set[int] = set()
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.depth = 0

    # -- positions -------------------------------------------------------------------
    def line_col(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, pos)
        return line, pos - self.line_starts[line - 1] + 1

    def source_line(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def _token(self, type_: str, value: str, pos: int, end: int) -> Token:
        line = self._line
        if not (self.line_starts[line - 1] <= pos < self._line_end):
            line = self._line = bisect.bisect_right(self.line_starts, pos)
            self._line_end = self.line_starts[line] if line < len(self.line_starts) else self.n + 1
        # lark's Token constructor validates its arguments on every call; these are
        # ours and known good, so set the fields directly (a third of the lexer's time)
        tok = str.__new__(Token, value)
        tok.type, tok.value, tok.start_pos, tok.end_pos = type_, value, pos, end
        tok.line, tok.column, tok.end_line, tok.end_column = line, pos - self.line_starts[line - 1] + 1, None, None
        return tok

    def rewind(self, tok: Token) -> None:
        """Lex again from `tok` (in a new parser context)."""
        self.pending.clear()
        self.pos = tok.start_pos or 0

    def starts_line(self, pos: int) -> bool:
        start = self.text.rfind("\n", 0, pos) + 1
        return self.text[start:pos].strip() == ""

    # -- the lexer proper -------------------------------------------------------------
    def next(self, acceptable: Container[str]) -> Token:
        if self.pending:
            return self.pending.pop(0)
        text, n = self.text, self.n
        m = _BLANKS_WORD.match(text, self.pos)
        word = m.group(1)  # type: ignore[union-attr]
        if word and "MMDD" not in acceptable:
            # the hot path: a keyword, name or number after blanks
            i = m.start(1)  # type: ignore[union-attr]
            end = m.end()  # type: ignore[union-attr]
            if end >= n or text[end] not in ".-":
                found = _WORD_SPLITS[word] if word in _WORD_SPLITS else _decompose_word(word)
                if found is None and not word[0].isdigit():
                    type_ = "NAME"
                elif found is not None and len(found) == 1:
                    type_ = found[0][0]
                    if not (
                        type_ in acceptable
                        or "NAME" not in acceptable
                        or word[0].isdigit()
                        or (type_ in STATEMENT_START and self.starts_line(i))
                    ):
                        type_ = "NAME"
                else:
                    return self._word(i, acceptable)
                self.pos = end
                return self._token(type_, word, i, end)
        i = m.end(0) if not word else m.start(1)  # type: ignore[union-attr]
        if i < n and text[i] == "#":
            i = self._skip_blanks(i)
        if i >= n:
            self.pos = n
            return self._token("$END", "", n, n)
        ch = text[i]
        if ch in ('"', "“"):
            return self._string(i)
        if ch.isalnum() or ch == "_":
            return self._word(i, acceptable)
        for spelling, type_ in _PUNCT_BY_FIRST.get(ch, ()):
            if text.startswith(spelling, i):
                self.pos = i + len(spelling)
                if type_ == "LPAR":
                    self.depth += 1
                    if self.depth > MAX_NESTING:
                        raise LexError(
                            "too-deep", i, 1,
                            f"括号嵌套超过 {MAX_NESTING} 层，无法处理",
                            f"parentheses are nested more than {MAX_NESTING} deep",
                            "把条件拆开写，减少括号层数",
                            "write the condition with fewer nested parentheses",
                        )  # fmt: skip
                elif type_ == "RPAR":
                    self.depth = max(self.depth - 1, 0)
                return self._token(type_, spelling, i, self.pos)
        self.pos = i + 1
        return self._token("BAD", ch, i, i + 1)

    def _skip_blanks(self, i: int) -> int:
        text, n = self.text, len(self.text)
        while i < n:
            i = _BLANKS.match(text, i).end()  # type: ignore[union-attr]
            if i < n and text[i] == "#":
                end = text.find("\n", i)
                end = n if end < 0 else end
                if i not in self._comment_positions:
                    self._comment_positions.add(i)
                    line, col = self.line_col(i)
                    own = text[self.line_starts[line - 1] : i].strip() == ""
                    self.comments.append(Comment(i, line, col, text[i:end].rstrip("\r"), own))
                i = end
            else:
                break
        return i

    def _string(self, i: int) -> Token:
        text = self.text
        m = _PLAIN_STRING.match(text, i)
        if m:  # the common case: straight quotes, no escapes
            self.pos = m.end()
            return self._token("STRING", m.group(1), i, m.end())
        close = '"' if text[i] == '"' else "”"
        j = i + 1
        depth = 0
        chars: list[str] = []
        while j < len(text) and text[j] not in "\r\n":
            ch = text[j]
            if ch == "\\" and close == '"' and j + 1 < len(text) and text[j + 1] in '"\\':
                chars.append(text[j + 1])
                j += 2
                continue
            if ch == "“" and close == "”":
                depth += 1  # Chinese writers nest “…” inside “…”
            elif ch == close:
                if depth == 0:
                    self.pos = j + 1
                    return self._token("STRING", "".join(chars), i, j + 1)
                depth -= 1
            chars.append(ch)
            j += 1
        other = "”" if close == '"' else '"'
        if other in text[i + 1 : j]:
            raise LexError(
                "mismatched-quotes", i, 1,
                f"文字以 {text[i]} 开始，却以 {other} 结束",
                f"this text opens with {text[i]} but closes with {other}",
                "引号要成对：\"…\" 或 “…”",
                'use a matching pair: "…" or “…”',
            )  # fmt: skip
        raise LexError(
            "unterminated-string", i, 1,
            "这段文字没有结束的引号：字符串必须在同一行内用 \" 结束",
            'this text has no closing quote: a string must end with " on the same line',
            f"在这一行的文字末尾补上 {close}",
            f"add the closing {close} at the end of the text on this line",
        )  # fmt: skip

    def _word(self, i: int, acceptable: Container[str]) -> Token:
        text = self.text
        if "MMDD" in acceptable:
            m = _MMDD.match(text, i)
            if m:
                self.pos = m.end()
                return self._token("MMDD", m.group(), i, m.end())
        word = _WORD.match(text, i).group()  # type: ignore[union-attr]
        end = i + len(word)
        if end < len(text) and text[end] in ".-":
            pieces = decompose(text, i)  # a decimal or a date may run on past the word
        else:
            found = _decompose_word(word)
            if found is not None and len(found) == 1:  # one keyword or number: the common case
                type_ = found[0][0]
                if (
                    type_ in acceptable
                    or "NAME" not in acceptable
                    or word[0].isdigit()
                    or (type_ in STATEMENT_START and self.starts_line(i))
                ):
                    self.pos = end
                    return self._token(type_, word, i, end)
            pieces = None if found is None else [(t, v, p + i) for t, v, p in found]
        is_name = not word[0].isdigit()
        if pieces is not None and (
            pieces[0][0] in acceptable
            or not is_name
            or "NAME" not in acceptable
            # a statement keyword opening a line opens a statement, even where a name
            # could stand: `action` + newline + `require …` is a missing name, not an
            # action called "require"
            or (pieces[0][0] in STATEMENT_START and self.starts_line(i))
        ):
            toks = []
            for k, (type_, value, pos) in enumerate(pieces):
                piece_end = pieces[k + 1][2] if k + 1 < len(pieces) else pos + len(value)
                toks.append(self._token(type_, value, pos, piece_end))
            self.pos = toks[-1].end_pos or i
            self.pending = toks[1:]
            return toks[0]
        if is_name:
            self.pos = end
            return self._token("NAME", word, i, end)
        # a number glued to a name (`2谈心`): the number alone, the name after it
        m = _NUMBER.match(text, i) or _WORD.match(text, i)
        assert m is not None
        self.pos = m.end()
        return self._token("NUMBER" if m.group().isdigit() or "." in m.group() else "BAD", m.group(), i, m.end())
