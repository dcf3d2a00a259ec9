"""The wording of syntax errors: what the parser tells a school clerk, in Chinese and English.

The parser (parser.py) finds where the text stops making sense and what could have
stood there; this module turns that into a Diagnostic: the words for expected tokens
(never Lark's terminal names), the typo and synonym suggestions, the stray characters,
and the table of common mistakes with bad inputs that show each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container

from lark import Token

from . import ast
from .errors import Diagnostic, Text
from .keywords import ALL, CHINESE, ENGLISH, STATEMENT_START
from .lexer import Lexer, LexError, decompose, keyword_prefix_split, swallowed_keyword_split

# (code, message zh, message en, help zh, help en)
Label = tuple[str, str, str, str, str]


def too_large(file: str) -> Diagnostic:
    return Diagnostic(
        "too-large",
        Text("方案文件超过 1 MiB，拒绝处理", "the scheme file is larger than 1 MiB and is refused"),
        file, 1, 1,
        Text("一个学校的方案通常只有几十行；请检查是否选错了文件", "a school's scheme is a few dozen lines: check the file"),
    )  # fmt: skip


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
_PRIORITY = "NUMBER NAME STRING AT AT_LEAST_ZH BETWEEN EXACTLY PER DAYS TERM STUDENT MONTH WEEK SCHOOL_YEAR MENTOR PAIR CLASS".split()


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


def too_deep(lx: Lexer, file: str, span: ast.Span, limit: int) -> Diagnostic:
    return Diagnostic(
        "too-deep",
        Text(f"条件或公式嵌套超过 {limit} 层，无法处理", f"the condition or formula is nested more than {limit} deep"),
        file, span.line, span.column,
        Text("把它拆开写得简单些", "write it more simply"),
        "error", span.width, lx.source_line(span.line),
    )  # fmt: skip


def lex_diagnostic(lx: Lexer, file: str, e: LexError) -> Diagnostic:
    line, col = lx.line_col(e.pos)
    return Diagnostic(e.code, Text(e.zh, e.en), file, line, col, Text(e.hint_zh, e.hint_en), "error", e.width, lx.source_line(line))


# Builds a Diagnostic: (code, message zh, message en, help (zh, en) or None, token to point at
# or None for the place of the error)
Diag = Callable[[str, str, str, tuple[str, str] | None, Token | None], Diagnostic]


def unexpected(
    lx: Lexer,
    file: str,
    tok: Token,
    fed: list[Token],
    expected: set[str],
    label: Label | None,
    before_names: dict[int, Container[str]] | None = None,
) -> Diagnostic:
    """Why `tok` cannot stand here, after `fed` (the statement so far).

    `expected` are the tokens that could, `label` the common mistake this error matches (if
    any), `before_names` what else each name read in the statement could have been. The
    likeliest explanation is tried first: a name run into keywords, an unclosed bracket,
    a mistyped word, a known mistake, and last what was expected."""
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

    return (
        _swallowed(lx, fed, diag)
        or _phrase(lx, tok, fed, expected, diag)
        or _unclosed(tok, fed, diag)
        or _mistyped(lx, tok, fed, expected, before_names, diag)
        or _labelled(tok, label, diag)
        or _expected_here(tok, expected, at_eol, diag)
    )


def _swallowed(lx: Lexer, fed: list[Token], diag: Diag) -> Diagnostic | None:
    """A name that ran into the keywords after it: `谈心至少4次`."""
    prev = fed[-1] if fed else None
    if prev is None or prev.type != "NAME":
        return None
    split = swallowed_keyword_split(prev.value)
    if split is None:
        return None
    declared = [a for a in _declared_actions(lx.text) if prev.value.startswith(a) and a != prev.value]
    head = max(declared, key=len) if declared else split[0]
    rest = prev.value[len(head) :]
    return diag("name-swallowed", f"“{prev.value}”被读成了一个名称：名称只在空格或标点处结束",
                f"'{prev.value}' reads as one name: a name ends only at a space or punctuation",
                (f"在“{head}”后面加一个空格：{head} {rest}", f"put a space after '{head}': {head} {rest}"), prev)  # fmt: skip


# How plans say a bound, and the keyword the language writes for it
BOUND_WORDS = {"不少于": "至少", "不低于": "至少", "最少": "至少", "起码": "至少", "至小": "至少",
               "不超过": "至多", "不多于": "至多", "不高于": "至多", "最多": "至多"}  # fmt: skip
_NUMBER_AFTER = re.compile(r"\s*([0-9０-９]+|[一二三四五六七八九十两]+)")
PEOPLE = ("人", "名", "位", "个", "名学生", "个学生", "位导师")
GRADE_WORDS = {f"{stage}{n}": base + i for stage, base in (("初", 6), ("高", 9)) for i, n in enumerate("一二三", start=1)}


def _phrase(lx: Lexer, tok: Token, fed: list[Token], expected: set[str], diag: Diag) -> Diagnostic | None:
    """Plans' own phrasing where the language has a word of its own: the help is the phrase rewritten, so that,
    applied, it compiles to what the writer meant (`不少于4次` → `至少 4 次`, `介于 4~8` → `介于 4 和 8`)."""
    bound_here = bool({"AT_LEAST_ZH", "AT", "BETWEEN", "EXACTLY"} & expected)
    if tok.type == "NAME" and bound_here:
        word = next((w for w in BOUND_WORDS if tok.value.startswith(w)), None)
        if word is not None:
            rest = tok.value[len(word) :]
            pieces = decompose(rest, 0) if rest else None
            spaced = " ".join(p[1] for p in pieces) if pieces else rest
            after = _NUMBER_AFTER.match(lx.text, tok.end_pos or 0) if not rest else None
            spaced = after.group(1) if after else spaced
            fixed = f"{BOUND_WORDS[word]} {spaced}".strip()
            en = "at least" if BOUND_WORDS[word] == "至少" else "at most"
            return diag("bound-word", f"“{word}”在方案里写作“{BOUND_WORDS[word]}”", f"'{word}' is written '{BOUND_WORDS[word]}' ({en}) in a scheme",
                        (f"写成：{fixed}", f"write: {fixed}"), tok)  # fmt: skip
    if tok.type == "NUMBER" and bound_here and fed and fed[-1].type == "NAME" and decompose(fed[-1].value, 0) is None:
        times = "次" if lx.text.startswith("次", tok.end_pos or 0) else ""
        return diag("bound-missing", "次数前要写“至少”“至多”“恰好”或“介于”", "a count needs 'at least', 'at most', 'exactly' or 'between' before it",
                    (f"“{tok.value}{times}”是最少次数就写：至少 {tok.value}{times}", f"for a minimum write: at least {tok.value}"), tok)  # fmt: skip
    if tok.type in ("TILDE", "MINUS") and len(fed) >= 2 and fed[-1].type == "NUMBER" and fed[-2].type == "BETWEEN":
        m = _NUMBER_AFTER.match(lx.text, tok.end_pos or 0)
        high = m.group(1) if m else "N"
        low = fed[-1].value
        return diag("between-and", "“介于”的两个数之间用“和”连接", "'between' takes its two numbers joined by 'and'",
                    (f"写成：介于 {low} 和 {high}", f"write: between {low} and {high}"), tok)  # fmt: skip
    if tok.type == "NAME" and tok.value in GRADE_WORDS and "NUMBER" in expected:
        return diag("grade-word", f"年级写成数字：{tok.value}是 {GRADE_WORDS[tok.value]} 年级", f"grades are numbers: {tok.value} is grade {GRADE_WORDS[tok.value]}",
                    (f"写 {GRADE_WORDS[tok.value]}", f"write {GRADE_WORDS[tok.value]}"), tok)  # fmt: skip
    if tok.type in ("MIN", "AT_LEAST_ZH") and fed and fed[0].type == "ACTION" and any(t.type == "EQ" for t in fed):
        return diag("group-minimum", "动作组本身不设最短时长：成员各自的最短时长照样适用", "an action group takes no minimum: each member's own minimum applies",
                    ("把“至少 N 分钟”写在成员动作的声明里", "put 'min N minutes' on the members' own declarations"), tok)  # fmt: skip
    if tok.type == "NAME" and tok.value in PEOPLE and fed and fed[0].type == "RATIO" and fed[-1].type == "NUMBER":
        return diag("ratio-unit", f"配比的数字本身就是人数，后面不写“{tok.value}”", f"a ratio's numbers are counts of people: no '{tok.value}' after them",
                    (f"删掉“{tok.value}”：…至多 {fed[-1].value}", f"remove '{tok.value}': … at most {fed[-1].value}"), tok)  # fmt: skip
    return None


def _unclosed(tok: Token, fed: list[Token], diag: Diag) -> Diagnostic | None:
    """The statement ends with a { or ( still open."""
    ends_here = tok.type in STATEMENT_START or tok.type == "$END"
    opened = [t for t in fed if t.type == "LBRACE"]
    if opened and not any(t.type == "RBRACE" for t in fed) and ends_here:
        brace = opened[0]
        return diag("unclosed-block", f"第 {brace.line} 行的 {{ 没有对应的 }}", f"the '{{' on line {brace.line} is never closed",
                    ("在评分项或等级档次的最后加上 }", "add '}' after the last item or tier"), None)  # fmt: skip
    parens = [t for t in fed if t.type == "LPAR"]
    if len(parens) > sum(1 for t in fed if t.type == "RPAR") and (ends_here or tok.type == "RBRACE"):
        p = parens[-1]
        return diag("unclosed-paren", f"第 {p.line} 行第 {p.column} 列的 ( 没有对应的 )", f"the '(' at line {p.line}, column {p.column} is never closed",
                    ("在条件或公式的末尾补上 )", "add ')' at the end of the condition or formula"), None)  # fmt: skip
    return None


def _mistyped(
    lx: Lexer, tok: Token, fed: list[Token], expected: set[str], before_names: dict[int, Container[str]] | None, diag: Diag
) -> Diagnostic | None:
    """A word written wrong: glued to keywords, a misspelt keyword, a keyword where a name goes."""
    if tok.type == "NAME":
        glued = keyword_prefix_split(tok.value)
        if glued is not None and decompose(glued[0], 0)[0][0] in expected:  # type: ignore[index]
            typo = keyword_typo_hint(glued[1], set(ALL.values()))
            if typo is not None and "“" in typo.zh:  # `每学其`: a keyword mistyped after a keyword, not a name
                target = typo.zh.split("“")[1].split("”")[0]
                return diag("unknown-keyword", f"不认识的词“{tok.value}”", f"unknown word '{tok.value}'",
                            (f"是不是要写“{glued[0]} {target}”？", f"did you mean '{glued[0]} {target}'?"), tok)  # fmt: skip
            return diag("name-swallowed", f"“{tok.value}”被读成了一个名称：名称要和前面的关键词分开",
                        f"'{tok.value}' reads as one name: a name must be kept apart from the keywords before it",
                        (f"在“{glued[1]}”前面加一个空格：{glued[0]} {glued[1]}", f"put a space before '{glued[1]}': {glued[0]} {glued[1]}"), None)  # fmt: skip
        if "NAME" not in expected:
            typo = keyword_typo_hint(tok.value, expected)
            if typo is not None:
                return diag("unknown-keyword", f"不认识的词“{tok.value}”", f"unknown word '{tok.value}'", (typo.zh, typo.en), tok)
    if tok.type == "SCHOOL" and lx.text.startswith("year", (tok.end_pos or 0) + 1):
        return diag("unknown-keyword", "“school year”要写成一个词", "'school year' is one word here",
                    ("写成 school_year（学年）", "write school_year (学年)"), tok)  # fmt: skip
    prev = fed[-1] if fed else None
    if prev is not None and prev.type == "NAME" and before_names and (prev.start_pos or 0) in before_names:
        # a mistyped keyword that happened to stand where a name could: `合格: 其他`
        typo = keyword_typo_hint(prev.value, before_names[prev.start_pos or 0])
        if typo is not None:
            return diag("unknown-keyword", f"不认识的词“{prev.value}”", f"unknown word '{prev.value}'", (typo.zh, typo.en), prev)
    if (
        prev is not None
        and prev.type == "NAME"
        and decompose(prev.value, 0) is not None
        and len(fed) >= 2
        and fed[-2].type in ("REQUIRE", "COLON", "ACTION")
    ):
        # a keyword stood where a name belongs (`要求 至少 1 次`): the name is missing
        zh_what, en_what = ("动作名称", "the action's name") if fed[-2].type != "ACTION" else ("动作名称", "a name")
        return diag("name-missing", f"这里缺少{zh_what}：“{prev.value}”是关键词", f"{en_what} is missing here: '{prev.value}' is a keyword",
                    ("例如：要求 家访 至少 1 次 每 学期", "for example: require 家访 at least 1 per term"), prev)  # fmt: skip
    if tok.type == "NUMBER" and "NAME" in expected and lx.text[tok.end_pos or 0 : (tok.end_pos or 0) + 1].isalpha():
        return diag("name-digit", "名称不能以数字开头", "a name cannot start with a digit",
                    (f"换一个以文字开头的名称，例如：班{tok.value}…", f"start the name with a letter, e.g. 班{tok.value}…"), None)  # fmt: skip
    return None


def _labelled(tok: Token, label: Label | None, diag: Diag) -> Diagnostic | None:
    """A stray character, or one of the common mistakes (COMMON_MISTAKES)."""
    if tok.type == "BAD":
        label = _bad_char_label(tok.value) or label
    if label is None:
        return None
    code, zh, en, hzh, hen = label
    if code == "quote-missing" and tok.type == "NAME":
        hzh, hen = f'用双引号括起来："{tok.value}"', f'put it in double quotes: "{tok.value}"'
    return diag(code, zh, en, (hzh, hen), None)


def _expected_here(tok: Token, expected: set[str], at_eol: bool, diag: Diag) -> Diagnostic:
    """Say what could stand here instead."""
    if tok.type == "COMMA" and "COMMA" not in expected:
        return diag("stray-comma", "这里不需要逗号：语句的各部分之间用空格分开", "no comma here: the parts of a statement are separated by spaces",
                    ("删掉这个逗号（数字也不写千位分隔符：1000）", "delete the comma (numbers take no thousands separator: 1000)"), None)  # fmt: skip
    exp_zh, exp_en = _expected_words(expected, "zh"), _expected_words(expected, "en")
    if at_eol:
        return diag(
            "incomplete", f"这条语句还没写完：这里还缺{exp_zh}", f"this statement is not finished: {exp_en} is missing here", None, None
        )
    hint = None
    if "$END" in expected and tok.type not in STATEMENT_START:
        hint = ("上一条语句在这里已经完整；新的语句要以关键词开头（如 要求、动作）",
                "the statement before is complete here; a new statement starts with a keyword (require, action, …)")  # fmt: skip
    zh, en = f"这里不应出现{_describe(tok, 'zh')}；此处应为{exp_zh}", f"{_describe(tok, 'en')} is not expected here; expected {exp_en}"
    return diag("unexpected", zh, en, hint, None)


# Words people write for a keyword (a typo or a synonym): suggest the keyword.
SYNONYMS: dict[str, str] = {
    "不少于": "至少", "最少": "至少", "至小": "至少", "不超过": "至多", "最多": "至多", "其他": "其余", "其它": "其余",
    "分种": "分钟", "日": "天", "学其": "学期", "每学其": "学期", "星期": "周", "每星期": "周", "礼拜": "周", "每礼拜": "周",
    "semester": "term", "year": "school_year",
    "atleast": "least", "atmost": "most", "begin": "start", "beginning": "start", "else": "otherwise",
    "minute": "minutes", "mins": "minutes", "weekly": "week", "monthly": "month", "during": "within",
}  # fmt: skip


def keyword_typo_hint(word: str, expected: Container[str]) -> Text | None:
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
     ["scheme \"x\" require 家访 at least 1 per 2"]),
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
