"""Malformed schemes as a new user writes them: each gets the right place and a useful message."""

from __future__ import annotations

import pytest

from rules_dsl.compiler import compile_text
from rules_dsl.errors import SchemeError, SchemeSyntaxError
from rules_dsl.parser import COMMON_MISTAKES

HEAD = 'scheme "t"\naction 家访 "home visit"\naction 谈心 "talk"\n'

# (scheme text after HEAD, error code, line, column, words the English message or hint must contain)
MISTAKES = [
    ("requre 家访 at least 1 per term", "unknown-keyword", 4, 1, "did you mean 'require'"),
    ("require 家访 at leest 1 per term", "unknown-keyword", 4, 15, "did you mean 'least'"),
    ("require 家访 at least 1 per trem", "unknown-keyword", 4, 27, "did you mean 'term'"),
    ("require 家访 at least 1 par term", "unknown-keyword", 4, 23, "did you mean 'per'"),
    ("require 家访 at least 1 per term\n家访 at least 1", "first-statement", 5, 1, "starts with a keyword"),
    ("require 家访 at least 1 per term @", "unexpected", 4, 32, "a new statement starts with a keyword"),
    ("action\nrequire 家访 at least 1 per term", "action-name-missing", 4, 7, "name first"),
    ("要求 至少 1 次 每 学期", "name-missing", 4, 4, "action's name is missing"),
    ("require 家方 at least 1 per term", "undeclared-action", 4, 9, "did you mean '家访'"),
    ("require 家访 at least per term", "count-missing", 4, 21, "needs a number"),
    ("require 家访 between 5 8 per term", "between-and", 4, 22, "'and'"),
    ("require 家访 per term at least 1", "bound-missing", 4, 12, "count right after the action"),
    ("require at least 1 家访 per term", "name-missing", 4, 9, "action's name is missing"),
    ('require "家访" at least 1 per term', "action-missing", 4, 9, "action's name"),
    ('require 家访 at least 1 per term as "unterminated', "unterminated-string", 4, 35, "closing quote"),
    ("grace 3", "unit-missing", 4, 8, "days"),
    ("grace 3\nrequire 家访 at least 1 per term", "unit-missing", 4, 8, "days"),
    ('action "书面反馈"', "action-name-missing", 4, 8, "name first"),
    ("ratio students per mentor 15", "ratio-bound-missing", 4, 27, "bound"),
    ("require 谈心 at least 1 within 7 days after 重大变故", "event-keyword", 4, 43, "'event'"),
    ('require 家访 at least 1 where student has 城区', "quote-missing", 4, 41, "double quotes"),
    ("scheme 古猗小学", "quote-missing", 4, 8, "double quotes"),
    ("require 家访 at least 1 per 2", "period-unit", 4, 28, "weeks or days"),
    ('score s { item a 0.25 per 家访 }', "item-colon", 4, 18, "colon"),
    ('score s { item a: manual }\nrating r for s { 优秀: top 15 }', "top-percent", 5, 28, "percent sign"),
    ("要求 谈心至少4次 每学期", "name-swallowed", 4, 4, "put a space after '谈心'"),
    ("要求 家访每学期 至少 1 次", "undeclared-action", 4, 4, "put a space after '家访'"),
    ("require 家访 at least 1 per term；", "semicolon", 4, 31, "semicolon"),
    ("require 家访 at least 1.5 per term", "not-whole", 4, 21, "whole number"),
    ("require 家访 at least 0 per term", "zero-count", 4, 21, "always holds"),
    ("require 家访 between 8 and 5", "min-above-max", 4, 12, "between 5 and 8"),
    ("require 家访 at least 1 per school_year by 13-01", "bad-date", 4, 39, "not a day of the year"),
    ("require 家访 at least 1 per month by 10-15", "window-period", 4, 33, "per term or per school_year"),
    ("require 家访 at least 1 per 0 weeks", "too-small", 4, 27, "at least 1"),
    ("require 家访 at least 1 per term where mentor has \"班主任\"", "where-mentor", 4, 38, "per mentor or per pair"),
    ("score s { item a: manual\n total = a + b }", "unknown-item", 5, 14, "no item named 'b'"),
    ("rating r for 考核 { a: otherwise }", "unknown-score", 4, 14, "no score named '考核'"),
    ("score s { item a: manual }\nrating r for s { a: top 0% b: otherwise }", "top-range", 5, 25, "outside 0–100"),
    ("家访 at least 1 per term", "first-statement", 4, 1, "starts with a keyword"),
]


@pytest.mark.parametrize(("text", "code", "line", "column", "words"), MISTAKES, ids=[m[1] + ":" + m[0][:24] for m in MISTAKES])
def test_common_mistake_gets_the_right_place_and_message(text: str, code: str, line: int, column: int, words: str) -> None:
    """Each mistake is reported at its line and column, with the right code and a message that helps."""
    with pytest.raises(SchemeError) as info:
        compile_text(HEAD + text, "t.scheme")
    diag = info.value.diagnostics[0]
    rendered = diag.render("en")
    assert (diag.code, diag.line, diag.column) == (code, line, column), rendered
    assert words in rendered, rendered
    zh = diag.render("zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in diag.message.zh), zh  # a Chinese message exists
    assert "__ANON" not in rendered and "NAME" not in rendered and "STRING" not in rendered


@pytest.mark.parametrize(("label", "example"), [(label, ex) for label, examples in COMMON_MISTAKES for ex in examples])
def test_every_labelled_example_gets_its_label(label: tuple[str, ...], example: str) -> None:
    """The table of common mistakes: each example input produces that mistake's message."""
    with pytest.raises(SchemeSyntaxError) as info:
        compile_text(example, "t.scheme")
    assert info.value.diagnostics[0].code == label[0], info.value.render("en")


def test_several_errors_are_reported_together() -> None:
    """The parser recovers at the next statement and reports every syntax error in one run."""
    text = HEAD + "require 家访 at least per term\nrequire 谈心 at most\naction\nrequire 家访 at least 1 per term\ngrace x days\n"
    with pytest.raises(SchemeSyntaxError) as info:
        compile_text(text, "t.scheme")
    assert [d.line for d in info.value.diagnostics] == [4, 5, 6, 8]


def test_errors_never_show_lark_terminal_names() -> None:
    """Expected-token lists use words a clerk knows, in both languages."""
    bad = ["scheme", 'scheme "x" ratio', 'scheme "x" require 家访 at', 'scheme "x" score s {', 'scheme "x" rating r for s { a:']
    for text in bad:
        with pytest.raises(SchemeError) as info:
            compile_text(text, "t.scheme")
        for lang in ("zh", "en"):
            out = info.value.render(lang)
            for terminal in ("__ANON", "NAME", "NUMBER", "STRING", "$END", "MMDD", "LPAR", "AT_LEAST_ZH"):
                assert terminal not in out, out


def test_oversized_input_is_refused_with_a_clear_error() -> None:
    """Input over 1 MiB is refused before parsing."""
    with pytest.raises(SchemeError) as info:
        compile_text('scheme "x"\n' + "# padding\n" * 120_000, "big.scheme")
    assert info.value.diagnostics[0].code == "too-large"


def test_absurd_nesting_is_refused_with_a_clear_error() -> None:
    """Thousands of nested parentheses give an error, not a RecursionError."""
    text = HEAD + 'require 家访 at least 1 where ' + "(" * 5000 + 'student has "x"' + ")" * 5000
    with pytest.raises(SchemeError) as info:
        compile_text(text, "t.scheme")
    assert info.value.diagnostics[0].code == "too-deep"


def test_deep_but_reasonable_nesting_compiles() -> None:
    text = HEAD + 'require 家访 at least 1 where ' + "(" * 40 + 'student has "x"' + ")" * 40
    assert compile_text(text, "t.scheme")["rules"][0]["where"] == {"op": "student_has", "tag": "x"}


CRASHERS = [
    'scheme "x"\nratio students per mentor at most 15 per term',
    '配比 学生 每 导师 至多 15 每 学期',
    'scheme "x"\nscore s { item a: manual }\nrating r for s { good: a >= 1  total: otherwise }',
    'scheme "x"\naction talk\nrequire talk at least 1 and 2',
    'scheme "x"\ngrades 1, 5 where',
    'scheme "x"\naction talk\nrequire talk at least 1 where student.grade = 1)',
    'scheme "x"\nscore s { item a: manual }\nrating r for s { t: top 5%) }',
    'scheme "x"\nscore s { item i: manual total = 1 foo }',
    'scheme "x"\naction talk\nscore s { item i: 1 per talk\ntotal = sum * 0.5\nrating r for s { a: otherwise }',
]


@pytest.mark.parametrize("text", CRASHERS)
def test_inputs_that_once_crashed_the_parser_give_diagnostics(text: str) -> None:
    """LALR reductions on a lookahead that then fails are reported, not raised as Lark errors."""
    with pytest.raises(SchemeError) as info:
        compile_text(text, "t.scheme")
    assert info.value.diagnostics[0].line >= 1


# Found by trying the tool as a new user would (the review's inputs, trimmed).
NEW_USER = [
    ("grace 20251015 days", "too-large", 4, 7, "not plausible"),
    ("require 家访 at least 1 per term from 20251015 days before term start to term end", "too-large", 4, 37, "not plausible"),
    ("require 家访 at least 1 within 9999999 days after event 考试", "too-large", 4, 30, "not plausible"),
    ("score s {\n  item a: 1 per 家访\n  itme b: manual\n}", "unknown-keyword", 6, 3, "did you mean 'item'"),
    ("要球 谈心 至少 1 次", "unknown-keyword", 4, 1, "did you mean '要求'"),
    ("要求 谈心 不少于 4 次", "bound-word", 4, 7, "write: 至少 4"),
    # plans' own phrasing: the help, applied, compiles to what the writer meant
    ("要求 谈心 不少于4次 每学期", "bound-word", 4, 7, "write: 至少 4 次"),
    ("配比 学生 每 导师 不超过 15", "bound-word", 4, 12, "write: 至多 15"),
    ("要求 谈心 一次 每学期", "bound-missing", 4, 7, "at least 一"),
    ("要求 谈心 介于 4~8 次 每学期", "between-and", 4, 11, "between 4 and 8"),
    ("require 谈心 between 4-8 per term", "between-and", 4, 21, "between 4 and 8"),
    ("配比 学生 每 导师 至多 15 人", "ratio-unit", 4, 18, "remove '人'"),
    ("要求 谈心 至少 1 次 每学其", "unknown-keyword", 4, 14, "did you mean '每 学期'"),
    ("要求 谈心 至少 1 次 每 2 星期", "unknown-keyword", 4, 18, "did you mean '周'"),  # 星期 and 礼拜 are 周
    ("要求 谈心 至少 1 次 每礼拜", "unknown-keyword", 4, 14, "did you mean '每 周'"),
    ("score s { item a: manual\n total = 上限(合计 * 0.5, 2.5) }", "cap-call", 5, 10, "write 最小(a, b)"),
    ("配比 15:1", "ratio-reversed", 4, 4, "write 1:15"),
    ("配比 1:20~15", "min-above-max", 4, 4, "write 1:15~20"),
    ("要求 谈心 至少一次 当 学生.年级 = 初一", "grade-word", 4, 22, "write 7"),
    ('动作 g "g" = 谈心 至少 10 分钟', "group-minimum", 4, 15, "members' own declarations"),
    ("要求 谈心 至少一次 每学期 在 开学前 0 天 内", "too-small", 4, 22, "1 or more"),
    ("要求 谈心 至少 零 次", "numeral", 4, 10, "digits 0"),
    ("要求 谈心 至少 一十 次", "numeral", 4, 10, "digits 10"),
    ("要求 谈心 至少 两十 次", "numeral", 4, 10, "digits 20"),
    ("要求 谈心 至少一次 每两月", "period-n", 4, 12, "per N weeks"),
    ('遵循 "nowhere"', "unknown-baseline", 4, 4, "shanghai_sanshiyi"),
    ('动作 沟通 "x" = 谈心、电话', "undeclared-action", 4, 16, "declare it first"),
    ('动作 g1 "x" = 谈心\n动作 g2 "y" = g1', "group-in-group", 5, 13, "list the members"),
    ("要求 谈心 至少一次 在 7 天 之后 事件 变故 或 截止 10-15", "moment-by", 4, 29, "from … to …"),
    ("要求 谈心 至少一次 每月 在 7 天 之后 事件 变故", "event-period", 4, 15, "per term"),
    ("score s { item a: manual }\nrating r for s {\n  合格: 其他\n}", "unknown-keyword", 6, 7, "did you mean '其余'"),
    ("require 家访 at least 1 per school year", "unknown-keyword", 4, 27, "school_year"),
    ("ratio students per mentor at most 1:15", "ratio-colon", 4, 36, "not as 1:15"),
    ("grades 1-5", "grades-range", 4, 9, "not a range"),
    ('require 家访 at least 1 where ((student has "x" or student has "y")', "unclosed-paren", 4, 66, "never closed"),
    ("require 家访 at least 1 per\u200b term", "invisible-char", 4, 26, "U+200B"),
    ('action 2班谈心 "t"', "name-digit", 4, 8, "cannot start with a digit"),
    ("要求 谈心 至少 4 次，每 学期", "stray-comma", 4, 13, "separated by spaces"),
    ("require 家访 at least 1 per school_year by 10/15", "by-date", 4, 42, "hyphen"),
    ("require 家访 at least 1 within first 2 weeks", "window-days", 4, 38, "counted in days"),
    ('require 家访 at least 1 where student has "x" and\nrequire 谈心 at least 1', "incomplete", 4, 48, "not finished"),
]


@pytest.mark.parametrize(("text", "code", "line", "column", "words"), NEW_USER, ids=[m[1] + ":" + m[0][:24] for m in NEW_USER])
def test_new_user_mistakes(text: str, code: str, line: int, column: int, words: str) -> None:
    """Mistakes a first-time user made: each at its place with a message that helps."""
    test_common_mistake_gets_the_right_place_and_message(text, code, line, column, words)


WARNINGS = [
    ('动作 g "g" = 谈心、谈心', "duplicate-member", "remove the repeat"),
    ("配比 导师 每 学生 至多 15", "ratio-reversed", "ratio students per mentor at most 15"),
    ("要求 谈心 至少一次 每学期 截止 03-01", "by-one-term", "per school_year by"),
    ("要求 谈心 至少一次 每学年 截止 08-01", "by-holiday", "inside the school year"),
]


@pytest.mark.parametrize(("text", "code", "words"), WARNINGS, ids=[w[1] for w in WARNINGS])
def test_check_warns_where_a_rule_likely_says_something_else(text: str, code: str, words: str) -> None:
    """Rules that compile but most likely mean something else get a warning with the fix."""
    from rules_dsl.checker import check
    from rules_dsl.program import load_program_text

    found = [d for d in check(load_program_text(HEAD + text, "t.scheme")) if d.code == code]
    assert found and found[0].severity == "warning"
    assert found[0].hint is not None and words in found[0].hint.en


def test_long_chains_are_refused_not_crashed() -> None:
    """`not not … not` and `a + a + … + a` past 100 deep get an error, never a RecursionError."""
    for text in (HEAD + "require 家访 at least 1 where " + "not " * 2000 + 'student has "x"',
                 HEAD + "score s { item a: manual\n total = " + " + ".join(["a"] * 2000) + " }",
                 HEAD + "score s { item a: manual\n total = " + "-" * 2000 + "a }"):  # fmt: skip
        with pytest.raises(SchemeError) as info:
            compile_text(text, "t.scheme")
        assert info.value.diagnostics[0].code == "too-deep"


def test_a_long_but_reasonable_total_compiles_and_serialises() -> None:
    import json

    ir = compile_text(HEAD + "score s { item a: manual\n total = " + " + ".join(["a"] * 90) + " }", "t.scheme")
    assert json.dumps(ir)


def test_old_mac_line_endings_are_lines() -> None:
    with pytest.raises(SchemeError) as info:
        compile_text('scheme "t"\raction 家访\rrequire 家方 at least 1', "t.scheme")
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].column) == (3, 9)


# (what a clerk wrote, the same line with the help applied as it reads, the English the clerk meant)
HELP_APPLIED = [
    ("要求 谈心 不少于4次 每学期", "write: ", "不少于4次", "require 谈心 at least 4 per term"),
    ("要求 谈心 一次 每学期", "at least ", "一", "require 谈心 at least 1 per term"),
    ("要求 谈心 介于 4~8 次 每学期", "write: ", "介于 4~8", "require 谈心 between 4 and 8 per term"),
    ("配比 学生 每 导师 不超过 15", "write: ", "不超过 15", "ratio students per mentor at most 15"),
]


@pytest.mark.parametrize(("text", "lead", "replaced", "meant"), HELP_APPLIED, ids=[h[0] for h in HELP_APPLIED])
def test_the_help_applied_compiles_to_what_the_writer_meant(text: str, lead: str, replaced: str, meant: str) -> None:
    """The help names the words to write; put in place of what was written, they compile to the rule the clerk meant."""
    from rules_dsl.compiler import strip_sources

    with pytest.raises(SchemeError) as info:
        compile_text(HEAD + text, "t.scheme")
    hint = info.value.diagnostics[0].hint
    assert hint is not None and lead in hint.en
    advice = hint.en.split(lead, 1)[1].strip()
    if lead == "at least ":  # "for a minimum write: at least 一": the words go before the count
        advice = "至少 " + advice
    fixed = compile_text(HEAD + text.replace(replaced, advice), "t.scheme")
    assert strip_sources(fixed)["rules"] + strip_sources(fixed)["ratios"] == (
        strip_sources(compile_text(HEAD + meant, "t.scheme"))["rules"] + strip_sources(compile_text(HEAD + meant, "t.scheme"))["ratios"])


def test_the_did_you_mean_for_a_mistyped_period_compiles() -> None:
    with pytest.raises(SchemeError) as info:
        compile_text(HEAD + "要求 谈心 至少 1 次 每学其", "t.scheme")
    hint = info.value.diagnostics[0].hint
    assert hint is not None
    suggestion = hint.zh.split("“")[1].split("”")[0]
    assert compile_text(HEAD + f"要求 谈心 至少 1 次 {suggestion}", "t.scheme")["rules"][0]["period"] == {"unit": "term", "n": 1}
