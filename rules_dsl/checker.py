"""Semantic checks over a parsed program (the file and what it extends).

Every problem found is collected; nothing stops at the first. Each check names
the span to point at and a fix a school clerk can act on.
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from . import ast
from .baselines import find_baseline, shipped_baselines
from .errors import Diagnostic, Text
from .keywords import ALL, RESERVED_ITEM_NAMES
from .lexer import swallowed_keyword_split
from .numerals import digits as numeral_digits
from .numerals import is_numeral
from .program import Program

MAX_WINDOW_DAYS = 366  # no term (or school year) is longer; a longer window cannot fit


class Checker:
    def __init__(self, program: Program):
        self.program = program
        self.lines = {f.file: f.text.splitlines() for f in program.files}
        self.found: list[Diagnostic] = []

    # -- reporting -----------------------------------------------------------------------
    def error(self, span: ast.Span, code: str, zh: str, en: str, hint: tuple[str, str] | None = None, severity: str = "error") -> None:
        lines = self.lines.get(span.file, [])
        source = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        self.found.append(
            Diagnostic(code, Text(zh, en), span.file, span.line, span.column, Text(*hint) if hint else None, severity, span.width, source)
        )

    def warn(self, span: ast.Span, code: str, zh: str, en: str, hint: tuple[str, str] | None = None) -> None:
        self.error(span, code, zh, en, hint, "warning")

    # -- numbers ---------------------------------------------------------------------------
    def whole(self, num: ast.Num, what_zh: str, what_en: str, minimum: int = 0, maximum: int = 10_000) -> int | None:
        """The number as an int, or None after reporting why it cannot be one.

        `maximum` catches a date or a typo pasted where a count belongs (`宽限 20251015 天`):
        no duty, window or grace in a school year runs to ten thousand."""
        try:
            value = Decimal(num.text)
        except InvalidOperation:  # pragma: no cover - the lexer only makes valid numbers
            return None
        if num.percent or value != value.to_integral_value():
            self.error(num.span, "not-whole", f"{what_zh}必须是整数，不能是 {num.text}", f"{what_en} must be a whole number, not {num.text}",
                       (f"写一个整数，例如 {max(int(value), minimum, 1)}", f"write a whole number, e.g. {max(int(value), minimum, 1)}"))  # fmt: skip
            return None
        if value < minimum:
            self.error(num.span, "too-small", f"{what_zh}至少为 {minimum}", f"{what_en} must be at least {minimum}",
                       (f"写一个不小于 {minimum} 的整数", f"write a whole number of {minimum} or more"))  # fmt: skip
            return None
        if value > maximum:
            self.error(num.span, "too-large", f"{what_zh} {num.text} 不合常理：最多 {maximum}", f"{what_en} {num.text} is not plausible: at most {maximum}",
                       ("检查是不是多写了数字，或把日期写在了这里", "check for a mistyped number or a date written here"))  # fmt: skip
            return None
        return int(value)

    # -- the checks ------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        root = self.program.root.tree
        if self.check_numerals():
            return self.found  # every number must have a value before anything is compared with it
        self.check_header(root)
        self.check_conforms(root)
        actions = self.check_actions()
        declared = list(actions)
        for stmt in self.inherited_and_own(ast.Ratio):
            self.check_ratio(stmt)
        self.check_rules(declared)
        scores = self.check_scores(root, declared)
        self.check_ratings(root, scores)
        return self.found

    def check_numerals(self) -> bool:
        """Chinese numerals outside 一…九十九 (零, 百, 一十, 两十): refused with the digits to write. True if any was."""
        bad = False
        for f in self.program.files:
            for num in _numbers(f.tree):
                if is_numeral(num.text):
                    bad = True
                    guess = numeral_digits(num.text)
                    write = f"写阿拉伯数字 {guess}" if guess is not None else "写阿拉伯数字"
                    self.error(num.span, "numeral", f"“{num.text}”这种数字写法无法识别：中文数字只用 一 到 九十九（如 十五、二十）和单独的 两",
                               f"'{num.text}' is not a numeral the language reads: Chinese numerals go from 一 to 九十九 (十五, 二十) and 两 alone",
                               (write, f"write the digits {guess}" if guess is not None else "write the digits"))  # fmt: skip
        return bad

    def check_conforms(self, root: ast.SchemeFile) -> None:
        for stmt in root.statements:
            if isinstance(stmt, ast.Header) and stmt.kind == "conforms" and find_baseline(stmt.value, self.program.root.file) is None:
                known = "、".join(shipped_baselines()) or "—"
                self.error(stmt.value_span, "unknown-baseline", f"找不到名为“{stmt.value}”的基线", f"no baseline named '{stmt.value}' can be found",
                           (f"写基线文件的路径（相对于本文件），或随附基线的名称：{known}",
                            f"write the baseline file's path (relative to this file) or a shipped baseline's name: {', '.join(shipped_baselines())}"))  # fmt: skip

    def inherited_and_own(self, kind: type) -> Iterator:  # type: ignore[type-arg]
        for f in self.program.files:
            for stmt in f.tree.statements:
                if isinstance(stmt, kind):
                    yield stmt

    def check_header(self, root: ast.SchemeFile) -> None:
        stmts = root.statements
        if stmts and not (isinstance(stmts[0], ast.Header) and stmts[0].kind in ("scheme", "baseline")):
            self.error(stmts[0].span, "no-header", "方案文件必须以“方案”或“基线”开头", "a scheme file must start with 'scheme' or 'baseline'",
                       ('在第一行写：方案 "学校名称全员导师制"', 'write on the first line: scheme "<your scheme title>"'))  # fmt: skip
        seen: dict[str, ast.Span] = {}
        for stmt in stmts:
            key = None
            if isinstance(stmt, ast.Header) and stmt.kind != "extends":
                key = "title" if stmt.kind in ("scheme", "baseline") else stmt.kind
            elif isinstance(stmt, ast.Grades):
                key = "grades"
                seen_grades: set[int] = set()
                for g in stmt.grades:
                    value = self.whole(g, "年级", "a grade", minimum=1)
                    if value in seen_grades:
                        self.warn(
                            g.span,
                            "duplicate-grade",
                            f"年级 {value} 写了两次",
                            f"grade {value} is listed twice",
                            ("删掉重复的一个", "remove the repeat"),
                        )
                    seen_grades.add(value)  # type: ignore[arg-type]
            elif isinstance(stmt, ast.DaysSetting):
                key = stmt.kind
                self.whole(stmt.days, "天数", "the number of days", maximum=MAX_WINDOW_DAYS)
            if key is None:
                continue
            if key in seen:
                first = seen[key]
                self.error(stmt.span, "duplicate-header", f"这一项已在第 {first.line} 行写过", f"this is already set on line {first.line}",
                           ("每个文件只写一次；删掉其中一行", "say it once per file: remove one of the lines"))  # fmt: skip
            else:
                seen[key] = stmt.span
        if not stmts:
            self.error(ast.Span(self.program.root.file, 1, 1), "empty", "方案文件是空的", "the scheme file is empty",
                       ('至少写上：方案 "标题"', 'write at least: scheme "<title>"'))  # fmt: skip

    def check_actions(self) -> dict[str, ast.Action]:
        actions: dict[str, ast.Action] = {}
        root_file = self.program.root.file
        for stmt in self.inherited_and_own(ast.Action):
            name = stmt.name.text
            if name in actions:
                first = actions[name]
                inherited = first.span.file != root_file and stmt.span.file == root_file
                self.error(stmt.name.span, "duplicate-action",
                           f"动作“{name}”已在 {first.span.file} 第 {first.span.line} 行声明" + ("（继承而来）" if inherited else ""),
                           f"action '{name}' is already declared at {first.span.file}:{first.span.line}" + (" (inherited)" if inherited else ""),
                           ("换一个名称，或删掉重复的声明", "use another name, or remove the repeated declaration"))  # fmt: skip
                continue
            actions[name] = stmt
            if name in ALL:
                self.warn(stmt.name.span, "action-is-keyword", f"动作名称“{name}”也是关键词，在某些位置会被读成关键词",
                          f"the action name '{name}' is also a keyword and reads as the keyword in some places (e.g. 'per {name}')",
                          ("换一个不是关键词的名称", "choose a name that is not a keyword"))  # fmt: skip
            if stmt.min_minutes is not None:
                self.whole(stmt.min_minutes, "最短时长（分钟）", "the minimum duration in minutes", minimum=1, maximum=24 * 60)
        for stmt in actions.values():
            if stmt.members is not None:
                self.check_group(stmt, actions)
        return actions

    def check_group(self, group: ast.Action, actions: dict[str, ast.Action]) -> None:
        seen: set[str] = set()
        for member in group.members or ():
            name = member.text
            if name in seen:
                self.warn(
                    member.span,
                    "duplicate-member",
                    f"“{name}”写了两次",
                    f"'{name}' is listed twice",
                    ("删掉重复的一个", "remove the repeat"),
                )
            seen.add(name)
            if name == group.name.text:
                self.error(member.span, "group-itself", "动作组不能包含自己", "an action group cannot be its own member",
                           ("删掉它：组本身的记录已经计入", "remove it: activities logged as the group itself count already"))  # fmt: skip
            elif name not in actions:
                self.undeclared(member, list(actions))
            elif actions[name].members is not None:
                self.error(member.span, "group-in-group", f"“{name}”本身是动作组，动作组不能再包含动作组",
                           f"'{name}' is itself an action group, and a group cannot be a member of a group",
                           (f"直接列出“{name}”的成员", f"list the members of '{name}' instead"))  # fmt: skip

    def undeclared(self, name: ast.Name, declared: list[str], what_zh: str = "动作", what_en: str = "action") -> None:
        hint: tuple[str, str] | None
        split = swallowed_keyword_split(name.text)
        heads = [a for a in declared if name.text.startswith(a) and a != name.text]
        close = difflib.get_close_matches(name.text, declared, n=1, cutoff=0.5)
        if heads or split:
            head = max(heads, key=len) if heads else split[0]  # type: ignore[index]
            rest = name.text[len(head) :]
            hint = (f"“{name.text}”被读成了一个名称；在“{head}”后面加一个空格：{head} {rest}",
                    f"'{name.text}' reads as one name: put a space after '{head}': {head} {rest}")  # fmt: skip
        elif close:
            hint = (f"是不是要写“{close[0]}”？", f"did you mean '{close[0]}'?")
        else:
            hint = (f'先声明：动作 {name.text} "说明"', f'declare it first: action {name.text} "<description>"')
        self.error(name.span, f"undeclared-{what_en}", f"{what_zh}“{name.text}”没有声明", f"{what_en} '{name.text}' is not declared", hint)

    def check_bound(self, bound: ast.Bound, for_ratio: bool) -> None:
        low = self.whole(bound.low, "次数" if not for_ratio else "配比", "a count" if not for_ratio else "a ratio bound")
        high = self.whole(bound.high, "次数", "a count") if bound.high is not None else None
        if bound.kind == "between" and low is not None and high is not None:
            if low > high:
                self.error(bound.span, "min-above-max", f"下限 {low} 大于上限 {high}", f"the lower bound {low} is above the upper bound {high}",
                           (f"写成 介于 {high} 和 {low}", f"write between {high} and {low}"))  # fmt: skip
            elif high == 0:
                self.zero_upper(bound, for_ratio, "介于 0 和 0", "between 0 and 0")
        elif bound.kind == "at_least" and low == 0:
            self.error(bound.low.span, "zero-count", "“至少 0”总是成立，没有意义", "'at least 0' always holds: it requires nothing",
                       ("写一个大于 0 的次数，或删掉这条要求", "write a count above 0, or remove the requirement"))  # fmt: skip
        elif bound.kind == "exactly" and low == 0:
            self.zero_upper(bound, for_ratio, "恰好 0", "exactly 0")
        elif bound.kind == "at_most" and low == 0 and for_ratio:
            self.zero_upper(bound, for_ratio, "至多 0", "at most 0")

    def zero_upper(self, bound: ast.Bound, for_ratio: bool, zh: str, en: str) -> None:
        if for_ratio:
            self.error(bound.span, "zero-count", f"配比“{zh}”意味着不能有任何结对，没有意义", f"a ratio of '{en}' allows no pairing at all",
                       ("写一个大于 0 的上限", "write a bound above 0"))  # fmt: skip
        elif en != "at most 0":
            self.error(bound.span, "zero-count", f"“{zh}”应写成“至多 0”", f"'{en}' is better written 'at most 0'",
                       ("改成：至多 0", "write: at most 0"))  # fmt: skip

    def check_where(self, cond: ast.Cond, allow_student: bool, allow_mentor: bool, context_zh: str, context_en: str) -> None:
        for node in walk_cond(cond):
            if isinstance(node, ast.MentorHas) and not allow_mentor:
                self.error(node.span, "where-mentor", f"{context_zh}不能按导师筛选（导师 有 …）", f"{context_en} cannot test the mentor ('mentor has …')",
                           ("“导师 有”只能用于 每 导师 或 每 结对 的要求", "'mentor has' goes with per mentor or per pair duties"))  # fmt: skip
            elif isinstance(node, ast.StudentHas | ast.GradeIn | ast.ClassIn) and not allow_student:
                self.error(node.span, "where-student", f"{context_zh}不能按学生筛选", f"{context_en} cannot test the student",
                           ("学生条件只能用于 每 学生、每 结对 的要求和配比", "student tests go with per student and per pair duties and with ratios"))  # fmt: skip
            if isinstance(node, ast.GradeIn):
                for g in node.grades:
                    self.whole(g, "年级", "a grade", minimum=1)

    def check_ratio(self, stmt: ast.Ratio) -> None:
        b = stmt.bound
        if stmt.mentors is not None and b.high is not None and Decimal(b.low.text) > Decimal(b.high.text):
            self.error(b.span, "min-above-max", f"下限 {b.low.text} 大于上限 {b.high.text}", f"the lower bound {b.low.text} is above the upper bound {b.high.text}",
                       (f"写成 1:{b.high.text}~{b.low.text}", f"write 1:{b.high.text}~{b.low.text}"))  # fmt: skip
            return
        if stmt.mentors is not None and stmt.mentors.text != "1":
            n = stmt.bound.low.text
            self.error(stmt.mentors.span, "ratio-reversed", f"“{stmt.mentors.text}:{n}”读作每 {n} 名学生配 {stmt.mentors.text} 位导师（生师比）；配比写成 1:N，即每位导师的学生数",
                       f"'{stmt.mentors.text}:{n}' reads as {stmt.mentors.text} mentors for {n} student{'' if n == '1' else 's'}; a ratio is written 1:N, students per mentor",
                       (f"每位导师至多 {stmt.mentors.text} 名学生就写 1:{stmt.mentors.text}", f"for at most {stmt.mentors.text} students per mentor write 1:{stmt.mentors.text}"))  # fmt: skip
            return
        self.check_bound(stmt.bound, for_ratio=True)
        if stmt.where is not None:
            self.check_where(stmt.where, True, False, "配比", "a ratio")
        high = stmt.bound.low if stmt.bound.kind == "at_most" else stmt.bound.high
        if stmt.direction == "mentors_per_student" and high is not None and Decimal(high.text) > 3:
            self.warn(stmt.span, "ratio-reversed", f"每名学生至多 {high.text} 位导师？多半是想写每位导师至多 {high.text} 名学生",
                      f"at most {high.text} mentors per student? Most likely at most {high.text} students per mentor was meant",
                      (f"写成：配比 学生 每 导师 至多 {high.text}（或 配比 1:{high.text}）", f"write: ratio students per mentor at most {high.text} (or ratio 1:{high.text})"))  # fmt: skip

    def check_rules(self, declared: list[str]) -> None:
        names: dict[str, ast.Span] = {}
        for stmt in self.inherited_and_own(ast.Require):
            if stmt.name is not None:
                if stmt.name.text in names:
                    first = names[stmt.name.text]
                    self.error(stmt.name.span, "duplicate-rule", f"规则名“{stmt.name.text}”已在 {first.file} 第 {first.line} 行使用",
                               f"rule name '{stmt.name.text}' is already used at {first.file}:{first.line}", ("换一个规则名", "choose another rule name"))  # fmt: skip
                else:
                    names[stmt.name.text] = stmt.name.span
            if stmt.action.text not in declared:
                self.undeclared(stmt.action, declared)
            self.check_bound(stmt.bound, for_ratio=False)
            self.check_clauses(stmt)

    def check_clauses(self, stmt: ast.Require) -> None:
        seen: dict[str, ast.Clause] = {}
        kind_of = {ast.Period: "period", ast.EventWindow: "event", ast.Moments: "event", ast.Scope: "scope", ast.Window: "window",
                   ast.Where: "where", ast.Label: "label"}  # fmt: skip
        words = {"period": ("周期", "period"), "event": ("事件窗口", "event window"), "scope": ("对象", "scope"), "window": ("时间窗口", "window"),
                 "where": ("条件", "condition"), "label": ("名称", "label")}  # fmt: skip
        for clause in stmt.clauses:
            kind = kind_of[type(clause)]
            if kind in seen:
                zh, en = words[kind]
                self.error(clause.span, "duplicate-clause", f"这条要求已经有一个{zh}", f"this duty already has a {en}",
                           ("删掉其中一个；几个时间节点之间用“或”连接", "remove one of them; join key moments with 'or'") if kind in ("event", "window") else ("删掉其中一个", "remove one of them"))  # fmt: skip
                continue
            seen[kind] = clause
        period, event, window = seen.get("period"), seen.get("event"), seen.get("window")
        scope = seen["scope"].scope if isinstance(seen.get("scope"), ast.Scope) else "student"  # type: ignore[union-attr]
        moments = key_moments(stmt)
        if isinstance(period, ast.Period):
            self.check_period(period)
        if isinstance(event, ast.EventWindow | ast.Moments) and isinstance(period, ast.Period) and period.unit != "term":
            self.error(event.span, "event-period", "事件窗口和关键时间节点只能配“每 学期”（每学期一次，在任一节点完成）",
                       "an event window or key moments go with per term only (once a term, at any of the moments)",
                       ("删掉周期，或改成“每 学期”", "remove the period, or make it per term"))  # fmt: skip
        if moments is not None:
            for alt in moments:
                if isinstance(alt, ast.Window):
                    if alt.kind == "by":
                        self.error(alt.span, "moment-by", "“截止 MM-DD”不能作关键时间节点", "'by MM-DD' cannot be a key moment",
                                   ("用“从 … 到 …”或“在 前/后 N 天”", "use 'from … to …' or 'within first/last N days of term'"))  # fmt: skip
                    else:
                        self.check_window(alt, "term")
                else:
                    self.whole(alt.days, "天数", "the number of days", maximum=MAX_WINDOW_DAYS)
            if isinstance(window, ast.Window):
                self.error(window.span, "window-with-moments", "关键时间节点之外不能再加时间窗口", "key moments cannot take another window clause",
                           ("用“或”把它并入关键时间节点", "join it to the key moments with 'or'"))  # fmt: skip
        elif isinstance(event, ast.EventWindow):
            self.whole(event.days, "天数", "the number of days", maximum=MAX_WINDOW_DAYS)
            if isinstance(window, ast.Window):
                self.check_window(window, "event")
        elif isinstance(window, ast.Window):
            self.check_window(window, period.unit if isinstance(period, ast.Period) else "term")
        if (moments is not None or isinstance(event, ast.EventWindow)) and scope not in ("student", "pair"):
            self.error((event or period).span, "event-scope", "事件窗口和关键时间节点只能用于 每 学生 或 每 结对",  # type: ignore[union-attr]
                       "event windows and key moments go with per student or per pair only",
                       ("去掉“每 导师/每 班级”，或改用周期", "drop per mentor/per class, or use a period instead"))  # fmt: skip
        where = seen.get("where")
        if isinstance(where, ast.Where):
            self.check_where(where.cond, scope in ("student", "pair"), scope in ("mentor", "pair"),
                             f"“每 {_SCOPE_ZH[scope]}”的要求", f"a per {scope} duty")  # fmt: skip

    def check_period(self, period: ast.Period) -> None:
        if period.unit in ("months", "terms"):
            assert period.n is not None
            word = "月" if period.unit == "months" else "学期"
            self.error(period.span, "period-n", f"“每 {period.n.text} {word}”不是可用的周期", f"'per {period.n.text} {period.unit}' is not a period",
                       ((f"写“每 {word}”；几个月一次可写“每 N 周”或“每 N 天”", f"write per {period.unit[:-1]}; for every few months write per N weeks or per N days")
                        if period.unit == "months" else ("写“每 学期”或“每 学年”", "write per term or per school_year")))  # fmt: skip
        elif period.n is not None:
            n = self.whole(period.n, "周期长度", "the period length", minimum=1)
            if n is not None and n * (7 if period.unit == "weeks" else 1) > MAX_WINDOW_DAYS:
                self.error(period.n.span, "window-too-long", "这个周期比一个学年还长", "this period is longer than a school year",
                           ("用“每 学期”或“每 学年”", "use per term or per school_year"))  # fmt: skip

    def check_window(self, window: ast.Window, unit: str) -> None:
        if unit == "event":
            self.error(window.span, "window-with-event", "事件窗口不能再加时间窗口", "an event window cannot take a window clause",
                       ("删掉时间窗口，或改用周期", "remove the window clause, or use a period"))  # fmt: skip
            return
        if window.kind in ("first_days", "last_days", "range") and unit != "term":
            self.error(window.span, "window-period", "“前/后 N 天”和“从…到…”只能用于 每 学期 的要求", "'first/last N days of term' and 'from … to …' go with per term only",
                       ("把周期改成“每 学期”", "change the period to per term"))  # fmt: skip
        if window.kind == "by" and unit not in ("term", "school_year"):
            self.error(window.span, "window-period", "“截止 MM-DD”只能用于 每 学期 或 每 学年 的要求", "'by MM-DD' goes with per term or per school_year only",
                       ("把周期改成“每 学期”或“每 学年”", "change the period to per term or per school_year"))  # fmt: skip
        if window.kind in ("first_days", "last_days") and window.days is not None:
            days = self.whole(window.days, "天数", "the number of days", minimum=1)
            if days is not None and days > MAX_WINDOW_DAYS:
                self.error(window.days.span, "window-too-long", f"{days} 天比任何学期都长，放不进一个学期", f"{days} days is longer than any term: the window cannot fit",
                           ("用“每 学期”而不加窗口", "use per term without a window"))  # fmt: skip
        if window.kind == "range" and window.days is not None and self.whole(window.days, "天数", "the number of days", minimum=1) is None:
            return  # 在 开学前 0 天 内: the number is what is wrong, not the order of two ends never written
        if window.kind == "range" and window.start is not None and window.end is not None:
            start, end = self.anchor(window.start), self.anchor(window.end)
            if start is not None and end is not None:
                (sp, so), (ep, eo) = start, end
                empty = (sp == ep and so > eo) or (sp == "term_end" and ep == "term_start")
                if empty:
                    self.error(window.span, "window-empty", "这个时间窗口的结束早于开始，放不进任何学期", "this window ends before it starts: it cannot fit any term",
                               ("把“从”和“到”的两端对调", "swap the two ends of from … to …"))  # fmt: skip
        if window.kind == "by" and window.month_day is not None:
            month, _, day = window.month_day.partition("-")
            m, d = int(month), int(day)
            if not (1 <= m <= 12 and 1 <= d <= (29 if m == 2 else calendar.monthrange(2001, m)[1])):
                self.error(window.span, "bad-date", f"{window.month_day} 不是一年中的日期", f"{window.month_day} is not a day of the year",
                           ("写成 月-日，例如 10-15 表示十月十五日", "write month-day, e.g. 10-15 for 15 October"))  # fmt: skip
            else:
                self.by_without_window(window, unit, m, d)

    def by_without_window(self, window: ast.Window, unit: str, m: int, d: int) -> None:
        """`by MM-DD` leaves a term without a window when the day falls outside it (SPEC §4.1): on the nominal calendar
        (autumn term 09-01 to 01-20, spring term 02-20 to 07-10), said before any school's calendar shows it."""
        day = (m, d)
        autumn, spring = day >= (9, 1) or day <= (1, 20), (2, 20) <= day <= (7, 10)
        if unit == "term" and (autumn or spring):
            has, lacks = ("秋季学期", "春季学期") if autumn else ("春季学期", "秋季学期")
            has_en, lacks_en = ("the autumn term", "the spring term") if autumn else ("the spring term", "the autumn term")
            self.warn(window.span, "by-one-term", f"“每 学期 截止 {window.month_day}”只在{has}有时间窗口：{lacks}里没有 {window.month_day}，这条要求在{lacks}不产生任务",
                      f"'per term by {window.month_day}' has a window in {has_en} only: {lacks_en} has no {window.month_day}, so the rule asks nothing then",
                      ("一学年一次就写“每 学年 截止 …”；每学期都要，就用“在 前 N 天 本学期”或“从 … 到 …”",
                       "for once a year write per school_year by …; for every term use 'within first N days of term' or 'from … to …'"))  # fmt: skip
        elif unit == "school_year" and (7, 10) < day < (9, 1):  # after the year's last day: its window would end next year
            self.warn(window.span, "by-holiday", f"{window.month_day} 在暑假里，学年结束之后：这条要求没有时间窗口",
                      f"{window.month_day} falls in the summer holidays, after the school year ends: the rule has no window",
                      ("换一个学年里的日期（9 月到次年 7 月上旬）", "choose a day inside the school year (September to early July)"))  # fmt: skip

    def anchor(self, anchor: ast.Anchor) -> tuple[str, int] | None:
        if anchor.offset is None:
            return anchor.point, 0
        days = self.whole(anchor.offset, "天数", "the number of days", maximum=MAX_WINDOW_DAYS)
        if days is None:
            return None
        return anchor.point, -days if anchor.direction == "before" else days

    def check_scores(self, root: ast.SchemeFile, declared: list[str]) -> dict[str, ast.Score]:
        scores: dict[str, ast.Score] = {}
        for stmt in root.statements:
            if not isinstance(stmt, ast.Score):
                continue
            if stmt.name.text in scores:
                self.error(stmt.name.span, "duplicate-score", f"评分“{stmt.name.text}”重复", f"score '{stmt.name.text}' is declared twice",
                           ("换一个名称", "use another name"))  # fmt: skip
                continue
            scores[stmt.name.text] = stmt
            items: dict[str, ast.Item] = {}
            totals = [p for p in stmt.parts if isinstance(p, ast.Total)]
            for part in stmt.parts:
                if not isinstance(part, ast.Item):
                    continue
                name = part.name.text
                if name.lower() in RESERVED_ITEM_NAMES:
                    self.error(part.name.span, "reserved-item", f"“{name}”是总分公式的关键词，不能作评分项名称", f"'{name}' is a word of the total formula and cannot name an item",
                               ("换一个名称", "use another name"))  # fmt: skip
                if name in items:
                    self.error(
                        part.name.span,
                        "duplicate-item",
                        f"评分项“{name}”重复",
                        f"item '{name}' appears twice",
                        ("换一个名称", "use another name"),
                    )
                items[name] = part
                if part.action is not None and part.action.text not in declared:
                    self.undeclared(part.action, declared)
                if part.points is not None:
                    self.decimal(part.points, "分值", "the points")
                if part.cap is not None:
                    cap = self.decimal(part.cap, "上限", "the cap")
                    if cap is not None and cap <= 0:
                        self.error(
                            part.cap.span,
                            "zero-cap",
                            "上限必须大于 0",
                            "the cap must be above 0",
                            ("删掉上限，或写一个正数", "remove the cap or write a positive number"),
                        )
            if not items:
                self.error(
                    stmt.name.span,
                    "empty-score",
                    "评分里没有任何评分项",
                    "the score has no items",
                    ("加上评分项，例如：项 家访: 0.25 每 家访 上限 1", "add items, e.g. item 家访: 0.25 per 家访 max 1"),
                )
            for extra in totals[1:]:
                self.error(
                    extra.span,
                    "duplicate-total",
                    "评分只能有一个总分公式",
                    "a score has only one total formula",
                    ("删掉多余的一行", "remove the extra line"),
                )
            for total in totals[:1]:
                for node in walk_expr(total.expr):
                    if isinstance(node, ast.Ref) and node.name.text not in items:
                        self.unknown_item(node.name, list(items))
                    elif isinstance(node, ast.Call) and node.word == "上限":
                        self.error(node.span, "cap-call", "总分公式里的“上限( , )”会被读成“取较大者”，与“至多”的意思相反",
                                   "in a total, '上限( , )' would read as the larger of the two: the opposite of 'at most'",
                                   ("封顶（至多）写“最小(a, b)”，保底（至少）写“最大(a, b)”", "to cap a total write 最小(a, b) (min); for a floor write 最大(a, b) (max)"))  # fmt: skip
        return scores

    def decimal(self, num: ast.Num, what_zh: str, what_en: str) -> Decimal | None:
        return Decimal(num.text) / (100 if num.percent else 1)

    def unknown_item(self, name: ast.Name, items: list[str]) -> None:
        close = difflib.get_close_matches(name.text, items, n=1, cutoff=0.5)
        hint = (
            (f"是不是要写“{close[0]}”？", f"did you mean '{close[0]}'?")
            if close
            else ("可用的评分项：" + "、".join(items), "items here: " + ", ".join(items))
        )
        self.error(name.span, "unknown-item", f"没有名为“{name.text}”的评分项", f"there is no item named '{name.text}'", hint)

    def check_ratings(self, root: ast.SchemeFile, scores: dict[str, ast.Score]) -> None:
        names: set[str] = set()
        rated: dict[str, ast.Span] = {}
        for stmt in root.statements:
            if not isinstance(stmt, ast.Rating):
                continue
            if stmt.name.text in names:
                self.error(
                    stmt.name.span,
                    "duplicate-rating",
                    f"等级“{stmt.name.text}”重复",
                    f"rating '{stmt.name.text}' is declared twice",
                    ("换一个名称", "use another name"),
                )
            names.add(stmt.name.text)
            score = scores.get(stmt.score.text)
            if score is None:
                close = difflib.get_close_matches(stmt.score.text, list(scores), n=1, cutoff=0.5)
                hint = (
                    (f"是不是要写“{close[0]}”？", f"did you mean '{close[0]}'?")
                    if close
                    else ("先用“评分”定义它", "define it first with 'score'")
                )
                self.error(
                    stmt.score.span,
                    "unknown-score",
                    f"没有名为“{stmt.score.text}”的评分",
                    f"there is no score named '{stmt.score.text}'",
                    hint,
                )
            elif stmt.score.text in rated:
                self.error(stmt.score.span, "duplicate-rating", f"评分“{stmt.score.text}”已有等级（第 {rated[stmt.score.text].line} 行）",
                           f"score '{stmt.score.text}' already has a rating (line {rated[stmt.score.text].line})", ("一个评分只定一套等级", "give each score one rating"))  # fmt: skip
            else:
                rated[stmt.score.text] = stmt.span
            items = [p.name.text for p in score.parts if isinstance(p, ast.Item)] if score else []
            if not stmt.tiers:
                self.error(
                    stmt.span,
                    "empty-rating",
                    "等级里没有任何档次",
                    "the rating has no tiers",
                    ("例如：优秀: 前 15%  合格: 其余", "e.g. 优秀: top 15%  合格: otherwise"),
                )
            tier_names: set[str] = set()
            after_otherwise = False
            for tier in stmt.tiers:
                if tier.name.text in tier_names:
                    self.error(
                        tier.name.span,
                        "duplicate-tier",
                        f"档次“{tier.name.text}”重复",
                        f"tier '{tier.name.text}' appears twice",
                        ("换一个名称", "use another name"),
                    )
                tier_names.add(tier.name.text)
                if after_otherwise:
                    self.error(tier.span, "unreachable-tier", "“其余”之后的档次永远不会用到", "a tier after 'otherwise' can never apply",
                               ("把“其余”放在最后", "put 'otherwise' last"))  # fmt: skip
                if isinstance(tier.cond, ast.Otherwise):
                    after_otherwise = True
                for node in walk_cond(tier.cond):
                    if isinstance(node, ast.Top):
                        pct = Decimal(node.percent.text)
                        if not (0 < pct <= 100):
                            self.error(node.percent.span, "top-range", f"前 {node.percent.text}% 超出 0–100 的范围", f"top {node.percent.text}% is outside 0–100",
                                       ("写一个大于 0、不超过 100 的百分比", "write a percentage above 0 and at most 100"))  # fmt: skip
                    elif isinstance(node, ast.Compare) and node.left is not None and score is not None and node.left.text not in items:
                        self.unknown_item(node.left, items)


_SCOPE_ZH = {"student": "学生", "pair": "结对", "mentor": "导师", "class": "班级"}


def key_moments(stmt: ast.Require) -> tuple[ast.Window | ast.EventWindow, ...] | None:
    """The alternatives of a key-moment rule: moments joined by `or`, or `per term` written out with one event window
    (one duty a term at the event, where an event window alone is one duty per event); None for any other rule."""
    for clause in stmt.clauses:
        if isinstance(clause, ast.Moments):
            return clause.alternatives
    event = next((c for c in stmt.clauses if isinstance(c, ast.EventWindow)), None)
    period = next((c for c in stmt.clauses if isinstance(c, ast.Period)), None)
    if event is not None and period is not None and period.unit == "term":
        return (event,)
    return None


def _numbers(node: object) -> Iterable[ast.Num]:
    """Every number in a tree."""
    if isinstance(node, ast.Num):
        yield node
    elif isinstance(node, tuple):
        for x in node:
            yield from _numbers(x)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name != "span":
                yield from _numbers(getattr(node, name))


def walk_cond(cond: ast.Cond) -> Iterable[ast.Cond]:
    yield cond
    if isinstance(cond, ast.And | ast.Or):
        for a in cond.args:
            yield from walk_cond(a)
    elif isinstance(cond, ast.Not):
        yield from walk_cond(cond.arg)


def walk_expr(expr: ast.Expr) -> Iterable[ast.Expr]:
    yield expr
    if isinstance(expr, ast.BinOp):
        yield from walk_expr(expr.left)
        yield from walk_expr(expr.right)
    elif isinstance(expr, ast.Neg):
        yield from walk_expr(expr.arg)
    elif isinstance(expr, ast.Call):
        for a in expr.args:
            yield from walk_expr(a)


def check(program: Program) -> list[Diagnostic]:
    """All semantic diagnostics (errors and warnings) for a parsed program."""
    return Checker(program).run()
