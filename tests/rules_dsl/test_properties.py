"""Property tests: generated schemes survive formatting; no input crashes the compiler.

The generator writes valid schemes the way people do: English or Chinese keyword
spellings mixed at random, free whitespace and line breaks, Chinese keywords and
numbers glued together, full-width punctuation, comments.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules_dsl.compiler import compile_text, strip_sources
from rules_dsl.errors import SchemeError
from rules_dsl.formatter import format_text
from rules_dsl.keywords import ALL

ACTIONS = ["家访", "谈心", "书面反馈", "home_visit", "talk2", "学生汇报", "成长寄语"]
TAGS = ["城区", "单亲", "特殊需求", "留守"]

# Each keyword as (english, chinese); None where a spelling does not exist.
KW = {
    "scheme": ("scheme", "方案"), "school": ("school", "学校"), "district": ("district", "区"),
    "grades": ("grades", "年级"), "grace": ("grace", "宽限"), "remind": ("remind", "提醒"),
    "days": ("days", "天"), "action": ("action", "动作"), "min": ("min", "至少"), "minutes": ("minutes", "分钟"),
    "ratio": ("ratio", "配比"), "students": ("students", "学生"), "mentors": ("mentors", "导师"),
    "per": ("per", "每"), "mentor": ("mentor", "导师"), "student": ("student", "学生"), "grade": ("grade", "年级"),
    "class": ("class", "班级"), "require": ("require", "要求"), "at least": ("at least", "至少"),
    "at most": ("at most", "至多"), "between": ("between", "介于"), "and": ("and", "和"), "or": ("or", "或"),
    "not": ("not", "非"), "exactly": ("exactly", "恰好"), "times": ("times", "次"), "term": ("term", "学期"),
    "school_year": ("school_year", "学年"), "month": ("month", "月"), "week": ("week", "周"), "weeks": ("weeks", "周"),
    "pair": ("pair", "结对"), "within": ("within", "在"), "first": ("first", "前"), "last": ("last", "后"),
    "of term": ("of term", "本学期"), "from": ("from", "从"), "to": ("to", "到"), "before": ("before", "之前"),
    "after": ("after", "之后"), "around": ("around", "前后"), "event": ("event", "事件"), "by": ("by", "截止"),
    "where": ("where", "当"), "has": ("has", "有"), "in": ("in", "属于"), "as": ("as", "名为"),
    "term start": ("term start", "开学"), "term end": ("term end", "期末"), "score": ("score", "评分"),
    "item": ("item", "项"), "max": ("max", "上限"), "manual": ("manual", "手工"), "total": ("total", "总分"),
    "sum": ("sum", "合计"), "rating": ("rating", "等级"), "for": ("for", "对应"), "top": ("top", "前"),
    "otherwise": ("otherwise", "其余"), "with": ("with", "有"),
}  # fmt: skip


class Writer:
    """Builds one scheme's words; `render` joins them with drawn whitespace."""

    def __init__(self, draw: st.DrawFn):
        self.draw = draw
        self.words: list[tuple[str, str]] = []  # (kind, text): kind in kw_zh, kw_en, num, name, str, punct

    def kw(self, key: str) -> None:
        self.words.append(("kw", key + ("|zh" if self.draw(st.booleans()) else "|en")))

    def num(self, n: object) -> None:
        self.words.append(("num", str(n)))

    def name(self, n: str) -> None:
        self.words.append(("name", n))

    def text(self, s: str) -> None:
        self.words.append(("str", '"' + s + '"'))

    def punct(self, p: str) -> None:
        full = {":": "：", ",": "，", "(": "（", ")": "）"}
        if p in full and self.draw(st.booleans()):
            p = full[p]
        self.words.append(("punct", p))

    def statement_break(self) -> None:
        self.words.append(("break", ""))

    def render(self, lang: str | None = None) -> str:
        """The words joined by drawn whitespace; `lang` forces every keyword's spelling."""
        out: list[str] = []
        prev = None
        for kind, text in self.words:
            if kind == "break":
                out.append(self.draw(st.sampled_from(["\n", "\n\n", "  # 注释 comment\n", " ", "\n   "])))
                prev = None
                continue
            if kind == "kw":
                key, chosen = text.split("|")
                en, zh = KW[key]
                kind, text = ("kw_zh", zh) if (lang or chosen) == "zh" else ("kw_en", en)
            if prev is not None:
                gluable = prev in ("kw_zh", "num") and kind in ("kw_zh", "num") and not (prev == kind == "num")
                choices = [" ", "  ", "\n  ", "\t"] + ([""] * 3 if gluable else [])
                if kind == "punct" or prev == "punct":
                    choices.append("")
                out.append(self.draw(st.sampled_from(choices)))
            out.append(text)
            prev = kind
        return "".join(out) + "\n"


def _where(w: Writer, draw: st.DrawFn, student: bool, mentor: bool, depth: int = 0) -> None:
    options = []
    if student:
        options += ["has", "grade", "class"]
    if mentor:
        options += ["mentor"]
    if depth < 2:
        options += ["and", "or", "not", "paren"]
    pick = draw(st.sampled_from(options))
    if pick == "has":
        w.kw("student"), w.kw("has"), w.text(draw(st.sampled_from(TAGS)))
    elif pick == "mentor":
        w.kw("mentor"), w.kw("has"), w.text("班主任")
    elif pick == "grade":
        w.kw("student"), w.punct("."), w.kw("grade")
        grades = draw(st.lists(st.integers(1, 9), min_size=1, max_size=3))
        if len(grades) == 1 and draw(st.booleans()):
            w.punct("="), w.num(grades[0])
        else:
            w.kw("in")
            for i, g in enumerate(grades):
                if i:
                    w.punct(",")
                w.num(g)
    elif pick == "class":
        w.kw("student"), w.punct("."), w.kw("class"), w.punct("="), w.text("一(1)班")
    elif pick in ("and", "or"):
        _where(w, draw, student, mentor, depth + 1)
        w.kw(pick)
        _where(w, draw, student, mentor, depth + 1)
    elif pick == "not":
        w.kw("not")
        _where(w, draw, student, mentor, depth + 1)
    else:
        w.punct("(")
        _where(w, draw, student, mentor, depth + 1)
        w.punct(")")


def _bound(w: Writer, draw: st.DrawFn) -> None:
    kind = draw(st.sampled_from(["at least", "at most", "between", "exactly"]))
    low = draw(st.integers(1, 6))
    w.kw(kind)
    w.num(low)
    if kind == "between":
        if draw(st.booleans()):
            w.kw("times")
        w.kw("and")
        w.num(low + draw(st.integers(0, 4)))
    if draw(st.booleans()):
        w.kw("times")


def _require(w: Writer, draw: st.DrawFn, actions: list[str], n: int) -> None:
    w.kw("require")
    if draw(st.booleans()):
        w.name(f"规则{n}")
        w.punct(":")
    w.name(draw(st.sampled_from(actions)))
    _bound(w, draw)
    timing = draw(st.sampled_from(["none", "term", "school_year", "month", "week", "weeks", "days", "event"]))
    scope = draw(st.sampled_from(["default", "student", "pair"] if timing == "event" else ["default", "student", "pair", "mentor", "class"]))
    if timing == "event":
        w.kw("within"), w.num(draw(st.integers(0, 30))), w.kw("days")
        w.kw(draw(st.sampled_from(["after", "before", "around"]))), w.kw("event"), w.name(draw(st.sampled_from(["考试", "重大变故"])))
    elif timing == "weeks":
        w.kw("per"), w.num(draw(st.integers(1, 4))), w.kw("weeks")
    elif timing == "days":
        w.kw("per"), w.num(draw(st.integers(1, 30))), w.kw("days")
    elif timing != "none":
        w.kw("per"), w.kw(timing)
    if scope != "default":
        w.kw("per"), w.kw(scope)
    if timing in ("none", "term"):
        window = draw(st.sampled_from(["none", "first", "last", "range", "by"]))
    elif timing == "school_year":
        window = draw(st.sampled_from(["none", "by"]))
    else:
        window = "none"
    if window in ("first", "last"):
        w.kw("within"), w.kw(window), w.num(draw(st.integers(1, 60))), w.kw("days")
        if draw(st.booleans()):
            w.kw("of term")
    elif window == "range":
        w.kw("from"), w.num(draw(st.integers(1, 30))), w.kw("days"), w.kw("before"), w.kw("term start")
        w.kw("to")
        if draw(st.booleans()):
            w.kw("term end")
        else:
            w.num(draw(st.integers(0, 30))), w.kw("days"), w.kw("after"), w.kw("term start")
    elif window == "by":
        w.kw("by")
        w.words.append(("mmdd", f"{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"))
    if draw(st.booleans()):
        w.kw("where")
        student = scope in ("default", "student", "pair")
        mentor = scope in ("mentor", "pair")
        if student or mentor:
            _where(w, draw, student, mentor)
        else:
            w.words.pop()  # per class takes no condition
    if draw(st.booleans()):
        w.kw("as"), w.text(f"第{n}条")


@st.composite
def schemes(draw: st.DrawFn) -> str:
    return written_schemes(draw).render()


def written_schemes(draw: st.DrawFn) -> Writer:
    w = Writer(draw)
    w.kw("scheme"), w.text("生成的方案")
    if draw(st.booleans()):
        w.statement_break(), w.kw("school"), w.text("某某学校")
    if draw(st.booleans()):
        w.statement_break(), w.kw("grades")
        for i, g in enumerate(draw(st.lists(st.integers(1, 9), min_size=1, max_size=3))):
            if i:
                w.punct(",")
            w.num(g)
    if draw(st.booleans()):
        w.statement_break(), w.kw("grace"), w.num(draw(st.integers(0, 9))), w.kw("days")
    actions = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=4, unique=True))
    for a in actions:
        w.statement_break(), w.kw("action"), w.name(a)
        if draw(st.booleans()):
            w.text(a + "说明")
        if draw(st.booleans()):
            w.kw("min"), w.num(draw(st.integers(1, 90))), w.kw("minutes")
    for _ in range(draw(st.integers(0, 2))):
        w.statement_break(), w.kw("ratio")
        if draw(st.booleans()):
            w.kw("students"), w.kw("per"), w.kw("mentor")
            if draw(st.booleans()):
                w.kw("per"), w.kw(draw(st.sampled_from(["grade", "class"])))
        else:
            w.kw("mentors"), w.kw("per"), w.kw("student")
        _bound(w, draw)
        if draw(st.booleans()):
            w.kw("where"), _where(w, draw, True, False)
    for n in range(draw(st.integers(1, 5))):
        w.statement_break()
        _require(w, draw, actions, n)
    if draw(st.booleans()):
        w.statement_break(), w.kw("score"), w.name("考核")
        if draw(st.booleans()):
            w.kw("per"), w.kw(draw(st.sampled_from(["term", "school_year"])))
        w.punct("{")
        w.statement_break(), w.kw("item"), w.name("甲"), w.punct(":"), w.num("0.25"), w.kw("per"), w.name(actions[0])
        if draw(st.booleans()):
            w.kw("max"), w.num(1)
        w.statement_break(), w.kw("item"), w.name("乙"), w.punct(":"), w.kw("manual")
        w.statement_break(), w.kw("item"), w.name("丙"), w.punct(":"), w.num("0.05"), w.kw("per"), w.kw("student")
        if draw(st.booleans()):
            w.kw("with"), w.name(actions[-1])
        if draw(st.booleans()):
            w.statement_break(), w.kw("total"), w.punct("=")
            w.kw("sum"), w.punct("*"), w.num("0.5"), w.punct("+"), w.name("乙"), w.punct("-"), w.punct("(")
            w.name("甲"), w.punct("/"), w.num(2), w.punct(")")
        w.statement_break(), w.punct("}")
        if draw(st.booleans()):
            w.statement_break(), w.kw("rating"), w.name("档次"), w.kw("for"), w.name("考核"), w.punct("{")
            w.statement_break(), w.name("优秀"), w.punct(":"), w.kw("top"), w.num(15), w.punct("%")
            w.statement_break(), w.name("合格"), w.punct(":"), w.kw("total"), w.punct(">="), w.num("1.5")
            w.statement_break(), w.name("待改善"), w.punct(":"), w.kw("otherwise")
            w.statement_break(), w.punct("}")
    return w


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemes())
def test_formatting_keeps_the_compiled_scheme(text: str) -> None:
    """compile(fmt(s)) == compile(s) (positions aside), and fmt is idempotent."""
    ir = compile_text(text, "gen.scheme")
    formatted = format_text(text, "gen.scheme")
    assert strip_sources(compile_text(formatted, "gen.scheme")) == strip_sources(ir)
    assert format_text(formatted, "gen.scheme") == formatted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_english_and_chinese_spellings_compile_alike(data: st.DataObject) -> None:
    """The same scheme in all-English, all-Chinese and mixed keywords compiles to one IR."""
    w = written_schemes(data.draw)
    irs = [strip_sources(compile_text(w.render(lang), "gen.scheme")) for lang in (None, "en", "zh")]
    assert irs[0] == irs[1] == irs[2]
    assert irs[0]["rules"], "every generated scheme has rules"


PIECES = sorted(ALL) + ["家访", "谈心", '"x"', "“城区”", "1", "0.5", "10-15", "15%", ":", "：", ",", "(", ")", "{", "}", "=", ">=",
                        "-", "*", "/", ".", "#", "\n", " ", "\t", '"', "\\", "；", "@", "\u3000", "\ufeff", "²", "１"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join))
def test_keyword_soup_never_crashes(text: str) -> None:
    """Random sequences of real tokens only ever raise the project's own error."""
    try:
        compile_text(text, "soup.scheme")
    except SchemeError as e:
        assert e.diagnostics and all(d.line >= 1 and d.column >= 1 for d in e.diagnostics)
        e.render("zh"), e.render("en")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.text(alphabet=string.printable, max_size=200))
def test_random_text_never_crashes(text: str) -> None:
    """Arbitrary text only ever raises SchemeError, and formatting only SchemeError too."""
    for op in (compile_text, format_text):
        try:
            op(text, "random.scheme")
        except SchemeError:
            pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemes(), st.data())
def test_damaged_schemes_fail_cleanly(text: str, data: st.DataObject) -> None:
    """Deleting or duplicating a span of a valid scheme gives diagnostics, never a crash."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 12)))
    for broken in (text[:i] + text[j:], text[:j] + text[i:]):
        try:
            compile_text(broken, "broken.scheme")
        except SchemeError as e:
            assert e.diagnostics


# -- Chinese numerals and word order (SPEC §2.4) -------------------------------------------
_DIGIT_ZH = "一二三四五六七八九"


def chinese_numeral(n: int, two: str = "二") -> str:
    """1..99 as a clerk writes it: 十五, 二十, 二十五; `two` is 二 or 两 for a lone 2."""
    if n == 2:
        return two
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGIT_ZH[tens - 1] + "十")
    return head + (_DIGIT_ZH[ones - 1] if ones else "")


_TWIN_HEAD = 'scheme "t"\naction 谈心 "谈心"\n'
_TWINS = {
    # (Chinese with {n} and {m}, English twin); each compiles to the same rule
    "bound": ("要求 谈心 至少{n}次 每学期", "require 谈心 at least {n} per term"),
    "between": ("要求 谈心 介于 {n} 和 {m} 次", "require 谈心 between {n} and {m} per term"),
    "weeks": ("要求 谈心 至少 1 次 每{n}周", "require 谈心 at least 1 per {n} weeks"),
    "days": ("要求 谈心 至少 1 次 每{n}天", "require 谈心 at least 1 per {n} days"),
    "anchors": ("要求 谈心 至少 1 次 每学期 从 开学前{n}天 到 期末后{m}天",
                "require 谈心 at least 1 per term from {n} days before term start to {m} days after term end"),
    "start_after": ("要求 谈心 至少 1 次 每学期 从 开学后{n}天 到 期末前{m}天",
                    "require 谈心 at least 1 per term from {n} days after term start to {m} days before term end"),
    "first": ("要求 谈心 至少 1 次 每学期 在 开学后 {n} 天 内", "require 谈心 at least 1 per term within first {n} days of term"),
    "last": ("要求 谈心 至少 1 次 每学期 在期末前{n}天内", "require 谈心 at least 1 per term within last {n} days of term"),
    "before_start": ("要求 谈心 至少 1 次 每学期 在 开学前 {n} 天 内",
                     "require 谈心 at least 1 per term from {n} days before term start to 1 days before term start"),
    "after_end": ("要求 谈心 至少 1 次 每学期 在 期末后 {n} 天",
                  "require 谈心 at least 1 per term from 1 days after term end to {n} days after term end"),
    "around_start": ("要求 谈心 至少 1 次 每学期 在 开学前后 {n} 天 内",
                     "require 谈心 at least 1 per term from {n} days before term start to {n} days after term start"),
    "event": ("要求 谈心 至少 1 次 在{n}天之后 事件 重大变故", "require 谈心 at least 1 within {n} days after event 重大变故"),
    "moments": ("要求 谈心 至少 1 次 每学期 在 {n} 天 前后 事件 考试 或 在 期末前 {m} 天",
                "require 谈心 at least 1 per term within {n} days around event 考试 or within last {m} days of term"),
    "ratio": ("配比 1：{n}～{m}", "ratio students per mentor between {n} and {m}"),
    "guideline": ("配比 原则上 1：{n}", "ratio guideline students per mentor at most {n}"),
    "top": ('score s {{ item a: manual }}\nrating r for s {{ 优秀: 前 {n}%  合格: 其余 }}',
            'score s {{ item a: manual }}\nrating r for s {{ 优秀: top {n}%  合格: otherwise }}'),
}


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(_TWINS)), n=st.integers(1, 99), extra=st.integers(0, 30), numerals=st.booleans(), two=st.sampled_from("二两"))
def test_chinese_numerals_and_word_order_compile_to_their_english_twins(kind: str, n: int, extra: int, numerals: bool, two: str) -> None:
    """Each Chinese form, with digits or Chinese numerals, compiles to exactly the IR of its English twin."""
    if kind in ("weeks", "days"):
        n = max(n, 2)  # 每一周 is per week, not per 1 weeks (tested below)
    if kind == "weeks":
        n = min(n, 52)  # a longer period than a school year is an error
    m = n + extra
    if kind not in ("between", "ratio", "anchors", "start_after", "moments"):
        m = n
    if m > 99:
        m = 99
    zh, en = _TWINS[kind]
    spell = (lambda k: chinese_numeral(k, two)) if numerals else str
    chinese = compile_text(_TWIN_HEAD + zh.format(n=spell(n), m=spell(m)), "t.scheme")
    english = compile_text(_TWIN_HEAD + en.format(n=n, m=m), "t.scheme")
    assert strip_sources(chinese) == strip_sources(english)


def test_per_one_calendar_unit_in_chinese_is_the_calendar_unit() -> None:
    """`每一周`, `每一月`, `每一学期` are per week, per month, per term — not blocks of one from term start."""
    for zh, en in (("每一周", "per week"), ("每一月", "per month"), ("每一学期", "per term"), ("每两周", "per 2 weeks")):
        chinese = compile_text(_TWIN_HEAD + f"要求 谈心 至少一次 {zh}", "t.scheme")
        english = compile_text(_TWIN_HEAD + f"require 谈心 at least 1 {en}", "t.scheme")
        assert strip_sources(chinese) == strip_sources(english), zh


def test_a_word_starting_with_a_numeral_is_a_name_where_a_name_goes() -> None:
    ir = compile_text('scheme "t"\n动作 两周反馈 "x"\n动作 三好 "y"\n要求 两周反馈 至少两次 每学期\n', "t.scheme")
    assert [a["name"] for a in ir["actions"]] == ["两周反馈", "三好"]
    assert ir["rules"][0]["action"] == "两周反馈" and ir["rules"][0]["min"] == 2


def test_full_width_latin_keywords_read_as_ascii() -> None:
    chinese = compile_text('ｓｃｈｅｍｅ "t"\nａｃｔｉｏｎ 谈心 "谈心"\nｒｅｑｕｉｒｅ 谈心 ａｔ ｌｅａｓｔ １ ｐｅｒ ｔｅｒｍ\n', "t.scheme")
    english = compile_text(_TWIN_HEAD + "require 谈心 at least 1 per term", "t.scheme")
    assert strip_sources(chinese) == strip_sources(english)
