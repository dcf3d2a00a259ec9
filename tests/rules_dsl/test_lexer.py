"""How words become tokens: glued Chinese keywords, names that equal keywords, strings."""

from __future__ import annotations

import pytest

from rules_dsl.compiler import compile_text
from rules_dsl.lexer import decompose, swallowed_keyword_split


@pytest.mark.parametrize(
    ("word", "pieces"),
    [
        ("至少4次", ["AT_LEAST_ZH", "NUMBER", "TIMES"]),
        ("每学期", ["PER", "TERM"]),
        ("每2周", ["PER", "NUMBER", "WEEK"]),
        ("在前后", ["WITHIN", "AROUND"]),  # the longer keyword wins
        ("前15", ["FIRST", "NUMBER"]),
        ("上限0.2", ["MAX", "NUMBER"]),
        ("4times", ["NUMBER", "TIMES"]),
        ("截止10-15", ["BY", "MMDD"]),
    ],
)
def test_glued_words_split_into_keywords_and_numbers(word: str, pieces: list[str]) -> None:
    found = decompose(word, 0)
    assert found is not None and [p[0] for p in found] == pieces


@pytest.mark.parametrize("word", ["谈心", "谈心至少4次", "perterm", "家访散记", "学生汇报x", "月谈心"])
def test_words_that_do_not_split_entirely_are_names(word: str) -> None:
    assert decompose(word, 0) is None


def test_a_swallowed_keyword_run_is_found() -> None:
    assert swallowed_keyword_split("谈心至少4次") == ("谈心", "至少4次")
    assert swallowed_keyword_split("谈心") is None


def _rule(text: str) -> dict:
    ir = compile_text('scheme "t"\naction 谈心 "t"\naction 学生汇报 "r"\n' + text, "t.scheme")
    return ir["rules"][0]


def test_glued_and_spaced_chinese_compile_to_the_same_rule() -> None:
    """SPEC §4.1: `要求 谈心 至少4次 每学期` = `要求 谈心 至少 4 次 每 学期` = the English."""
    glued = _rule("要求 谈心 至少4次 每学期")
    spaced = _rule("要求 谈心 至少 4 次 每 学期")
    english = _rule("require 谈心 at least 4 per term")
    for r in (glued, spaced, english):
        r.pop("source")
    assert glued == spaced == english


def test_a_name_may_equal_a_keyword_where_the_keyword_cannot_stand() -> None:
    ir = compile_text('scheme "t"\naction 学期 "x"\nscore 考核 { item a: manual }\nrating 等级 for 考核 { 其余: otherwise }\n'
                      "require 学期 at least 1", "t.scheme")  # fmt: skip
    assert ir["actions"][0]["name"] == "学期" and ir["ratings"][0]["name"] == "等级"
    assert ir["ratings"][0]["tiers"][0]["name"] == "其余"


def test_a_name_that_starts_with_a_keyword_stays_whole() -> None:
    """`学生汇报` starts with the keyword 学生 but is one name, even after `per` in a score."""
    ir = compile_text('scheme "t"\naction 学生汇报\nscore s { item a: 1 per 学生汇报 }', "t.scheme")
    assert ir["scores"][0]["items"][0] == {**ir["scores"][0]["items"][0], "unit": "action", "action": "学生汇报"}


def test_full_width_punctuation_and_curly_quotes_are_accepted() -> None:
    r = _rule("要求 月谈心：谈心 至少 1 次 每 月 当 学生.年级 属于 1，5 名为 “每月谈心”")
    assert r["id"] == "月谈心" and r["label"] == "每月谈心"
    assert r["where"] == {"op": "grade_in", "grades": [1, 5]}


def test_string_escapes() -> None:
    ir = compile_text('scheme "say \\"hi\\" \\\\ bye"', "t.scheme")
    assert ir["title"] == 'say "hi" \\ bye'


def test_comments_run_to_end_of_line_and_are_ignored() -> None:
    r = _rule("require 谈心 # 谈心\n  at least 1 # once\n  per month # 每月")
    assert r["period"] == {"unit": "month", "n": 1}
