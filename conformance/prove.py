"""Does a school's scheme meet its district's baseline? One verdict per baseline rule and ratio (SPEC §5).

`met` only with a proof that holds for every activity log and every calendar: one school rule
whose every duty implies the baseline rule's (same scope, its condition covering the
baseline's students, its actions among the baseline's with at least their minimums, its
windows inside the baseline's on every term length, and enough of them). Anything this module
cannot show is `cannot prove`, with the reason; `not met` needs a counterexample, which
conformance/witness.py builds and the engine checks. Works on compiled schemes (IR dicts).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.model.scheme import window_clause
from engine.report.render import clause_text

IR = Mapping[str, Any]

MET, NOT_MET, CANNOT = "met", "not met", "cannot prove"
STATUS_ZH = {MET: "满足", NOT_MET: "不满足", CANNOT: "无法证明"}


@dataclass(frozen=True)
class Verdict:
    baseline_rule: str
    status: str  # met | not met | cannot prove
    by: tuple[str, ...] = ()  # the school rules (or ratios) that meet it
    reason_en: str = ""
    reason_zh: str = ""
    counterexample: Mapping[str, Any] | None = field(default=None, compare=False)
    title_en: str = ""  # what the baseline rule or ratio asks, in words: its label, or the ratio said out
    title_zh: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"baseline_rule": self.baseline_rule, "title": self.title_en, "title_zh": self.title_zh, "status": self.status,
                "by": list(self.by), "reason": self.reason_en, "reason_zh": self.reason_zh, "counterexample": self.counterexample}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """Why one school rule does (ok) or does not (reason) imply a baseline rule; `stage`, how far the proof got (a
    rule on the right scope and actions that fails on its count is nearer than one on another scope)."""

    ok: bool
    en: str = ""
    zh: str = ""
    stage: int = 0


def _no(en: str, zh: str, stage: int = 0) -> Step:
    return Step(False, en, zh, stage)


YES = Step(True)


# --- actions ---------------------------------------------------------------------------------


def counted(scheme: IR, action: str) -> dict[str, int]:
    """The actions whose activities count for `action` (itself and a group's members), each with its minimum (0: none)."""
    declared = {a["name"]: a for a in scheme["actions"]}
    names = [action, *(declared.get(action, {}).get("members") or [])]
    return {n: int(declared.get(n, {}).get("min_minutes") or 0) for n in names}


def actions_step(school: IR, s_rule: IR, base: IR, b_rule: IR) -> Step:
    """Every activity the school rule counts, the baseline rule counts too."""
    mine, theirs = counted(school, s_rule["action"]), counted(base, b_rule["action"])
    extra = [a for a in mine if a not in theirs]
    if extra:
        said = [a for a in extra if a != s_rule["action"] or len(mine) == 1] or extra  # a group is said by its members
        return _no(f"it also counts {', '.join(said)} as done, which the baseline rule does not",
                   f"该条把“{'、'.join(said)}”也算作完成，基线不算")  # fmt: skip
    shorter = [a for a, m in mine.items() if m < theirs[a]]
    if shorter:
        a = shorter[0]
        return _no(
            f"it counts {a} from {mine[a]} minutes, the baseline from {theirs[a]}",
            f"它计入的“{a}”最短 {mine[a]} 分钟，基线要求 {theirs[a]} 分钟",
        )
    return YES


# --- conditions ------------------------------------------------------------------------------

MAX_ATOMS = 14  # truth tables beyond 2**14 rows are not tried: no scheme writes conditions that wide


def atoms(*conds: IR | None) -> dict[str, set[Any]]:
    """The tags, mentor tags, grades and classes the conditions name, by kind ("tag", "mentor", "grade", "class")."""
    out: dict[str, set[Any]] = {}
    for c in conds:
        _collect(c, out)
    return out


def _collect(c: IR | None, out: dict[str, set[Any]]) -> None:
    if c is None:
        return
    op = c["op"]
    if op in ("and", "or"):
        for a in c["args"]:
            _collect(a, out)
    elif op == "not":
        _collect(c["arg"], out)
    elif op == "student_has":
        out.setdefault("tag", set()).add(c["tag"])
    elif op == "mentor_has":
        out.setdefault("mentor", set()).add(c["tag"])
    elif op == "grade_in":
        out.setdefault("grade", set()).update(c["grades"])
    elif op == "class_in":
        out.setdefault("class", set()).update(c["classes"])


def holds(c: IR | None, who: Mapping[str, Any]) -> bool:
    if c is None:
        return True
    op = c["op"]
    if op == "and":
        return all(holds(a, who) for a in c["args"])
    if op == "or":
        return any(holds(a, who) for a in c["args"])
    if op == "not":
        return not holds(c["arg"], who)
    if op == "student_has":
        return c["tag"] in who["tags"]
    if op == "mentor_has":
        return c["tag"] in who["mentor"]
    if op == "grade_in":
        return who["grade"] in c["grades"]
    if op == "class_in":
        return who["class"] in c["classes"]
    raise ValueError(op)


def subjects(*conds: IR | None) -> Iterable[dict[str, Any]] | None:
    """Every kind of subject the conditions can tell apart: each set of tags, each grade and class they name (and
    one they do not), each set of mentor tags. None when there are too many to try."""
    named = atoms(*conds)
    tags, mentor = sorted(named.get("tag", ())), sorted(named.get("mentor", ()))
    grades = sorted(named.get("grade", ())) + [0]  # 0: a grade no condition names
    classes = sorted(named.get("class", ())) + [None]
    if len(tags) + len(mentor) > MAX_ATOMS:
        return None
    return (
        {"tags": {t for t, on in zip(tags, bits, strict=True) if on}, "mentor": {t for t, on in zip(mentor, mbits, strict=True) if on},
         "grade": g, "class": k}
        for bits in itertools.product((False, True), repeat=len(tags))
        for mbits in itertools.product((False, True), repeat=len(mentor))
        for g in grades
        for k in classes
    )  # fmt: skip


def grades_cond(scheme: IR) -> IR | None:
    return {"op": "grade_in", "grades": scheme["grades"]} if scheme.get("grades") else None


def and_(*conds: IR | None) -> IR | None:
    present = [c for c in conds if c is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"op": "and", "args": present}


def covers(wide: IR | None, narrow: IR | None) -> dict[str, Any] | None | bool:
    """True when every subject `narrow` holds for, `wide` holds for; else one subject it does not (a dict), or
    False when the truth table is too wide to try."""
    kinds = subjects(wide, narrow)
    if kinds is None:
        return False
    for who in kinds:
        if holds(narrow, who) and not holds(wide, who):
            return who
    return True


def describe(who: Mapping[str, Any], lang: str, named: Iterable[str] = (), grades: Iterable[int] = ()) -> str:
    """A subject of `subjects` in words: 'a student tagged 城区, not tagged 单亲, of grade 5'. Of the tags it lacks, only
    those in `named` (the ones the conditions at hand test) are said: the others decide nothing. Grade 0, a grade no
    condition names, is said as 'of a grade other than' the `grades` named, or not at all."""
    zh = lang == "zh"
    tags = sorted(who["tags"])
    lacking = sorted(set(named) - set(tags))
    parts = []
    if tags:
        parts.append(("属于“" + "”“".join(tags) + "”") if zh else "tagged " + ", ".join(tags))
    if lacking:
        parts.append(("不属于“" + "”“".join(lacking) + "”") if zh else "not tagged " + ", ".join(lacking))
    if who["grade"]:
        parts.append(f"{who['grade']} 年级" if zh else f"of grade {who['grade']}")
    elif grades:
        listed = sorted(grades)
        parts.append(f"不在 {'、'.join(map(str, listed))} 年级" if zh else f"of a grade other than {', '.join(map(str, listed))}")
    if who["class"]:
        parts.append(f"在 {who['class']}" if zh else f"in {who['class']}")
    if who["mentor"]:
        parts.append(("导师有“" + "”“".join(sorted(who["mentor"])) + "”") if zh else "whose mentor has " + ", ".join(sorted(who["mentor"])))
    if not parts:
        return "一名学生" if zh else "a student"
    if zh:
        said = "、".join(parts)
        return "一名" + (" " if said[0].isdigit() else "") + said + "的学生"
    return "a student " + ", ".join(parts)


def condition_step(school: IR, s_rule: IR, base: IR, b_rule: IR) -> Step:
    """The school rule applies to every subject the baseline rule applies to (grades and `where` together)."""
    mine, theirs = and_(grades_cond(school), s_rule.get("where")), and_(grades_cond(base), b_rule.get("where"))
    found = covers(mine, theirs)
    if found is True and s_rule["scope"] in ("mentor", "class"):
        # per mentor or class, an activity naming only students outside the scheme's grades is not counted: the
        # school's grades must lie within the baseline's, or the school could count what the baseline ignores
        found = covers(grades_cond(base), grades_cond(school))
        if isinstance(found, dict):
            return _no(f"it counts activities with students of grade {found['grade']}, which the baseline does not",
                       f"它计入了 {found['grade']} 年级学生的活动，基线不计")  # fmt: skip
    if found is True:
        return YES
    if found is False:
        return _no("its condition is too wide to compare", "条件太复杂，无法比较")
    assert isinstance(found, dict)
    outside = outside_grades(school, found)
    if outside:
        return _no(*outside)
    named = atoms(mine, theirs)
    tags, grades = named.get("tag", set()), named.get("grade", set())
    return _no(f"it does not apply to {describe(found, 'en', tags, grades)}, whom the baseline rule covers",
               f"该条不适用于{describe(found, 'zh', tags, grades)}，而基线的要求适用")  # fmt: skip


def outside_grades(school: IR, who: Mapping[str, Any]) -> tuple[str, str] | None:
    """When the subject left out is of a grade the school's scheme does not cover: the reason in those words."""
    grades = school.get("grades")
    if not grades or who["grade"] in grades:
        return None
    en, zh = ", ".join(map(str, grades)), "、".join(map(str, grades))
    return (f"the school's scheme covers grades {en} only: students of other grades are not bound by it, and the baseline covers them",
            f"该校方案只适用于 {zh} 年级，其他年级的学生不受约束；基线适用于他们")  # fmt: skip


# --- windows ---------------------------------------------------------------------------------
# A window's ends as (anchor, offset): S term start, E term end, Y0/Y1 the school year's first and last day.
# On a term of L days E = S + L - 1 (L >= 1, any length): a containment that must hold for every L.

Point = tuple[str, int]


def _le(p: Point, q: Point) -> bool:
    """p <= q on every calendar."""
    (a, x), (b, y) = p, q
    if a == b:
        return x <= y
    if (a, b) == ("S", "E"):  # S + x <= S + L - 1 + y for every L >= 1
        return x <= y
    if (a, b) in (("Y0", "S"), ("Y0", "E")):  # the year starts on or before every term's start
        return x <= y
    if (a, b) in (("S", "Y1"), ("E", "Y1")):
        return x <= y
    return False


def min_length(win: tuple[Point, Point]) -> int | None:
    """The shortest term on which the window has a day, for it and every longer term; None when no such length is sure.
    A window with no day is no duty at all (the engine drops it): a school rule whose window can be empty where the
    baseline's is not asks nothing there, however many times it says."""
    (a, x), (b, y) = win
    if a == b:
        return 1 if x <= y else None
    if (a, b) == ("S", "E"):  # S + x <= S + L - 1 + y
        return max(1, x - y + 1)
    return None


def _short_term(ms: int) -> Step:
    return _no(f"it does whenever a term is at least {ms} days long (every real calendar), but on a shorter term its window has no "
               "day and it asks nothing there, while the baseline still does; a proof must hold on every calendar",
               f"只要学期不短于 {ms} 天就满足（实际校历都是如此）；但学期更短时它的窗口一天也没有、不作要求，基线却仍有要求；"
               "证明须对任何校历成立，故不判为满足")  # fmt: skip


def term_window(rule: IR) -> tuple[Point, Point] | None:
    """A per term or per school_year rule's window symbolically; None for `by MM-DD` (a calendar date)."""
    unit = rule["period"]["unit"] if rule.get("period") else None
    w = rule.get("window")
    if unit == "school_year":
        return (("Y0", 0), ("Y1", 0)) if w is None else None
    if w is None:
        return ("S", 0), ("E", 0)
    return clause_window(w)


def clause_window(w: IR) -> tuple[Point, Point] | None:
    kind = w["kind"]
    if kind == "first_days":
        return ("S", 0), ("S", w["days"] - 1)
    if kind == "last_days":
        return ("E", -(w["days"] - 1)), ("E", 0)
    if kind == "range":

        def point(a: IR) -> Point:
            return ("S" if a["anchor"] == "term_start" else "E", a["offset_days"])

        return point(w["start"]), point(w["end"])
    return None


def inside(a: tuple[Point, Point], b: tuple[Point, Point]) -> bool:
    return _le(b[0], a[0]) and _le(a[1], b[1])


def event_inside(s: IR, b: IR) -> bool:
    """An event window of the school inside the baseline's, for the same event."""
    if s["kind"] != b["kind"]:
        return False
    lo_s = s["days"] if s["direction"] in ("before", "around") else 0
    hi_s = s["days"] if s["direction"] in ("after", "around") else 0
    lo_b = b["days"] if b["direction"] in ("before", "around") else 0
    hi_b = b["days"] if b["direction"] in ("after", "around") else 0
    return lo_s <= lo_b and hi_s <= hi_b


PERIODIC = ("month", "half_month", "week", "weeks", "days")


def windows_step(s_rule: IR, b_rule: IR) -> tuple[Step, int]:
    """Whether each of the baseline rule's windows holds at least one whole window of the school rule on every
    calendar (and, for `at most`, exactly one, the same): (step, the fewest school windows a baseline window holds)."""
    s_moments, b_moments = s_rule.get("moments"), b_rule.get("moments")
    if s_moments or b_moments:
        return _moments_step(s_rule, b_rule)
    s_event, b_event = s_rule.get("event"), b_rule.get("event")
    if s_event or b_event:
        if not (s_event and b_event):
            return _no("one counts around events, the other in periods", "一条按事件计，一条按周期计"), 0
        if not event_inside(s_event, b_event):
            return _no(f"its window around {s_event['kind']} is not inside the baseline's ({b_event['kind']})",
                       f"它在事件“{s_event['kind']}”前后的窗口不在基线窗口（{b_event['kind']}）之内"), 0  # fmt: skip
        if s_rule["scope"] == "pair" and s_event != b_event:  # a pair is the one active on its window's last day
            return _no("per pair, windows ending on different days can be about different pairs",
                       "按结对计时，结束日不同的窗口可能对应不同的结对"), 0  # fmt: skip
        return YES, 1
    sp, bp = s_rule["period"], b_rule["period"]
    if sp == bp and s_rule.get("window") == b_rule.get("window"):
        return YES, 1  # the same windows on every calendar
    if bp["unit"] in ("term", "school_year"):
        b_win = term_window(b_rule)
        if b_win is None:
            return _no("the baseline's window ends on a calendar date (by MM-DD), which only the same rule is sure to meet",
                       "基线窗口截止到某月某日，只有同样的写法才能保证"), 0  # fmt: skip
        if sp["unit"] in PERIODIC and s_rule.get("window") is None:
            if b_win == (("Y0", 0), ("Y1", 0)) or (_le(b_win[0], ("S", 0)) and _le(("E", 0), b_win[1])):
                # periodic windows are clipped to the term; a term holds at least one, however short
                return (
                    (_no("per pair, a period's last day differs from the baseline's", "按结对计时，周期的结束日与基线的不同"), 0)
                    if s_rule["scope"] == "pair"
                    else (YES, 1)
                )
            return _no(f"its windows ({period_words(sp, 'en')}) do not always fall inside the baseline's window",
                       f"它的周期窗口（{period_words(sp, 'zh')}）不一定落在基线窗口之内"), 0  # fmt: skip
        if sp["unit"] == "term":
            s_win = term_window(s_rule)
            if bp["unit"] == "school_year" and s_rule.get("window") is None and b_rule.get("window") is None:
                return (
                    (YES, 1)
                    if s_rule["scope"] != "pair"
                    else (_no("per pair, a term's last day differs from the year's", "按结对计时，学期与学年的结束日不同"), 0)
                )
            if bp["unit"] == "school_year" and b_rule.get("window") is None and s_win is not None and s_rule["scope"] != "pair":
                return _term_window_in_year(s_win)
            if s_win is not None and inside(s_win, b_win) and bp["unit"] == "term":
                ms, mb = min_length(s_win), min_length(b_win)
                if ms is None or (mb is not None and ms > mb):
                    return (_short_term(ms) if ms is not None else _window_outside(s_rule, b_rule, s_win, b_win)), 0
                if s_rule["scope"] == "pair" and s_win[1] != b_win[1]:
                    return _no(
                        "per pair, windows ending on different days can be about different pairs",
                        "按结对计时，结束日不同的窗口可能对应不同的结对",
                    ), 0
                return YES, 1
            return _window_outside(s_rule, b_rule, s_win, b_win), 0
    return _no(f"its periods ({period_words(sp, 'en')}) do not nest in the baseline's ({period_words(bp, 'en')}) on every calendar "
               "(a month is not a whole number of weeks)",
               f"它的周期（{period_words(sp, 'zh')}）在某些校历上不能嵌在基线的周期（{period_words(bp, 'zh')}）里（一个月不是整数个周）"), 0  # fmt: skip


def period_words(p: IR, lang: str) -> str:
    """A period as written: 'per 2 weeks' / '每 2 周'."""
    unit, n = p["unit"], p.get("n")
    if lang == "zh":
        return {"weeks": f"每 {n} 周", "days": f"每 {n} 天"}.get(unit) or {"term": "每学期", "school_year": "每学年", "month": "每月",
                                                                        "half_month": "每半月", "week": "每周"}[unit]  # fmt: skip
    return {"weeks": f"per {n} weeks", "days": f"per {n} days"}.get(unit) or {
        "school_year": "per school year",
        "half_month": "per half month",
    }.get(unit, f"per {unit}")


def _window_outside(s_rule: IR, b_rule: IR, s_win: tuple[Point, Point] | None, b_win: tuple[Point, Point]) -> Step:
    """Why a per-term window is not inside the baseline's, both said as written: plainly outside on a usual term, or
    inside on a usual term (20 weeks) but not on every term length."""
    mine, theirs = window_words(s_rule, "en"), window_words(b_rule, "en")
    mine_zh, theirs_zh = window_words(s_rule, "zh"), window_words(b_rule, "zh")
    usual = s_win is not None and all(_at(p, 140) for p in ((b_win[0], s_win[0]), (s_win[1], b_win[1])))
    if usual:
        return _no(f"its window ({mine}) lies inside the baseline's ({theirs}) on a usual term, but not on every term length",
                   f"本校的窗口（{mine_zh}）在通常长度的学期里落在基线的窗口（{theirs_zh}）之内，但不是任何长度的学期都如此")  # fmt: skip
    return _no(f"its window ({mine}) is not inside the baseline's ({theirs}): what is done in it outside the baseline's counts for "
               "the school, not for the baseline",
               f"本校的窗口（{mine_zh}）不在基线的窗口（{theirs_zh}）之内：在基线窗口之外做的，本校算、基线不算")  # fmt: skip


def _at(pair: tuple[Point, Point], length: int) -> bool:
    """p <= q on a term of `length` days (S = 0, E = length - 1)."""
    (a, x), (b, y) = pair
    day = {"S": 0, "E": length - 1, "Y0": 0, "Y1": length - 1}
    return day[a] + x <= day[b] + y


def window_words(rule: IR, lang: str) -> str:
    """A per-term rule's window as the language writes it (the report's words): '期末前 21 天内', '整个学期'."""
    w = rule.get("window")
    if w is None:
        return "整个学期" if lang == "zh" else "the whole term"
    clause = window_clause(w)
    assert clause is not None
    return clause_text(clause, lang == "zh")


def _term_window_in_year(s_win: tuple[Point, Point]) -> tuple[Step, int]:
    """A window clause of a per-term rule against a whole school year: every term's window inside the year, or why not.
    The year runs from the first term's start to the last term's end, so only the first term's start and the last
    term's end can fall outside it, and only a window reaching past its term (or a year shorter than the window) does.
    The reason says the usual calendar first: these gaps are real but narrow."""
    (a, x), (b, y) = s_win
    if a == "S" and x < 0:
        k = -x
        return _no(f"on a usual two-term calendar it does (the {k} days before the second term lie inside the year), but in a year "
                   f"of one term, or when the second term starts less than {k} days after the first, its window falls before the "
                   "year begins, so the baseline does not follow from it",
                   f"在常见的两学期校历上可以满足（第二学期开学前 {k} 天在学年之内）；但若全学年只有一个学期，或第二学期开学距第一学期"
                   f"开学不足 {k} 天，它的窗口就在学年开始之前，推不出基线"), 0  # fmt: skip
    if b == "E" and y > 0:
        return _no(f"on a usual two-term calendar it does (the {y} days after the first term lie inside the year), but in a year "
                   f"of one term, or when the last term ends less than {y} days after the one before, its window runs past the "
                   "year's end, so the baseline does not follow from it",
                   f"在常见的两学期校历上可以满足（第一学期期末后 {y} 天在学年之内）；但若全学年只有一个学期，或最后一学期期末距前一学期"
                   f"期末不足 {y} 天，它的窗口就在学年结束之后，推不出基线"), 0  # fmt: skip
    if (a, b) == ("E", "S"):
        return _no("its window runs from near term end back to near term start, which is no window on a usual term",
                   "它的窗口从期末附近到开学附近，在通常的学期里不成窗口"), 0  # fmt: skip
    if (a, b) == ("S", "E") and x - y + 1 > 1:  # from term start (or after) to term end (or before): no day on a short term
        return _short_term(x - y + 1), 0
    # what is left: a window anchored inside its term, which leaves the year only when the year is shorter than it
    n = max(1 - x if a == "E" else 0, y + 1 if b == "S" else 0)
    if n <= 1:
        return YES, 1
    return _no(f"it does whenever the school year is at least {n} days long (every real calendar), but a proof must hold on every "
               "calendar, so it is not called met",
               f"只要学年不短于 {n} 天就满足（实际校历都是如此）；但证明须对任何校历成立，故不判为满足"), 0  # fmt: skip


def _window_alt_covers(a: IR, b: IR) -> bool:
    """A school's window alternative has a day on every term the baseline's window alternative has one."""
    if a.get("window") is None:
        return False
    aw, bw = clause_window(a["window"]), clause_window(b["window"])
    if aw is None or bw is None:
        return False
    ma, mb = min_length(aw), min_length(bw)
    return ma is not None and (mb is None or ma <= mb)


def _moments_step(s_rule: IR, b_rule: IR) -> tuple[Step, int]:
    """Key moments: the school's duty exists whenever the baseline's does, and its days lie inside the baseline's."""
    s_alts = s_rule.get("moments") or []
    b_alts = b_rule.get("moments")
    if b_alts is None:
        return _no("it counts at key moments only, the baseline in its whole window", "它只在关键时间节点计，基线在整个窗口内计"), 0
    if not s_alts:
        return _no(
            "the baseline counts at key moments; this rule's windows are not among them", "基线在关键时间节点计，这条要求的窗口不在其中"
        ), 0

    def alt_inside(a: IR, b: IR) -> bool:
        if "event" in a and a.get("event") is not None:
            return b.get("event") is not None and event_inside(a["event"], b["event"])
        aw, bw = clause_window(a["window"]), (clause_window(b["window"]) if b.get("window") is not None else None)
        return aw is not None and bw is not None and inside(aw, bw)

    for a in s_alts:
        if not any(alt_inside(a, b) for b in b_alts):
            return _no("one of its moments is not inside any of the baseline's", "它的某个时间节点不在基线的任何节点之内"), 0
    for b in b_alts:  # whenever the baseline has a duty, so does the school
        if b.get("event") is not None and not any(a.get("event") is not None and a["event"]["kind"] == b["event"]["kind"] for a in s_alts):
            kind = b["event"]["kind"]
            return _no(
                f"a student whose only moment is {kind} has a baseline duty and no school duty",
                f"只有“{kind}”这一节点的学生，基线有任务，学校没有",
            ), 0
        if b.get("window") is not None and not any(_window_alt_covers(a, b) for a in s_alts):
            return _no(
                "the baseline's term moment gives every student a duty; the school's moments may give none",
                "基线的学期节点让每名学生都有任务，学校的节点可能没有",
            ), 0
    if s_rule["scope"] == "pair" and s_alts != b_alts:
        return _no(
            "per pair, unions ending on different days can be about different pairs", "按结对计时，结束日不同的节点可能对应不同的结对"
        ), 0
    return YES, 1


# --- rules -----------------------------------------------------------------------------------


def implies(school: IR, s_rule: IR, base: IR, b_rule: IR) -> Step:
    """Whether every activity log meeting the school rule meets the baseline rule, on every calendar; when not, every gap
    found (a school fixing its rule wants them all at once), `stage` being how far the proof got before the first."""
    gaps: list[Step] = []
    # what is counted first (a call is not a visit), then for whom, then when, then how many
    step = actions_step(school, s_rule, base, b_rule)
    if not step.ok:
        gaps.append(replace(step, stage=0))
    if s_rule["scope"] != b_rule["scope"]:
        gaps.append(replace(scope_step(s_rule, b_rule["scope"]), stage=1))
    step = condition_step(school, s_rule, base, b_rule)
    if not step.ok:
        gaps.append(replace(step, stage=2))
    # the timing as if the scopes agreed: a scope gap is said once, above, not again as a pair's last day
    step, k = windows_step({**s_rule, "scope": b_rule["scope"]}, b_rule)
    if not step.ok:
        gaps.append(replace(step, stage=3))
    elif s_rule["min"] * k < b_rule["min"]:
        gaps.append(_no(f"it asks {s_rule['min']} where the baseline asks {b_rule['min']}",
                        f"该条要求 {s_rule['min']} 次，基线要求 {b_rule['min']} 次", 4))  # fmt: skip
    if b_rule["max"] is not None:
        same = (
            s_rule.get("period") == b_rule.get("period")
            and s_rule.get("window") == b_rule.get("window")
            and s_rule.get("event") == b_rule.get("event")
            and s_rule.get("moments") == b_rule.get("moments")
        )
        if s_rule["max"] is None or s_rule["max"] > b_rule["max"] or not same:
            gaps.append(_no(f"it does not hold the count to at most {b_rule['max']} in the baseline's window",
                            f"该条没有把基线窗口内的次数限制在至多 {b_rule['max']} 次", 5))  # fmt: skip
    if not gaps:
        return YES
    return Step(False, "; and ".join(g.en for g in gaps), "；另外，".join(g.zh for g in gaps), gaps[0].stage)


_SCOPE = {"student": "学生", "pair": "结对", "mentor": "导师", "class": "班级"}

# Why a rule counted per one subject implies nothing per another, in the words a district reader needs: who can be left
# without the baseline's duty. SPEC §5 lists `per student` for a `per pair` baseline as enough; it is not (a student's
# activities with one mentor do not reach the pair of another, nor another teacher's activities a pair), so it is here.
_LAST_DAY = {"term": ("the term's last day", "学期最后一天"), "school_year": ("the school year's last day", "学年最后一天"),
             "month": ("a month's last day", "每月最后一天"), "half_month": ("a half month's last day", "每半月最后一天"),
             "week": ("a week's last day", "每周最后一天")}  # fmt: skip


def scope_step(s_rule: IR, theirs: str) -> Step:
    mine = s_rule["scope"]
    unit = s_rule["period"]["unit"] if s_rule.get("period") and not s_rule.get("event") else None
    day_en, day_zh = _LAST_DAY.get(unit or "", ("the last day of its window", "窗口最后一天"))
    whom_en, whom_zh = ("every student", "每名学生") if theirs == "student" else ("every mentor–student pair", "每个“导师—学生”结对")
    if mine == "pair":
        return _no(f"it is kept per mentor–student pair: a student with no mentor on {day_en} is not bound by it (only a student "
                   f"without a mentor on exactly that day slips through); the baseline asks it of {whom_en}",
                   f"该条按“导师—学生”结对考核：{day_zh}没有导师的学生不受此条约束（只有那一天恰好没有导师的学生会漏掉）；"
                   f"基线要求{whom_zh}都做到")  # fmt: skip
    if mine == "student":
        return _no(f"it is kept per student: activities with any teacher count, so one mentor–student pair can have none; the "
                   f"baseline asks it of {whom_en}",
                   f"该条按学生考核：学生与任何老师的活动都算，某个“导师—学生”结对可能一次也没有；基线要求{whom_zh}都做到")  # fmt: skip
    if mine in ("mentor", "class"):
        who_en, who_zh = ("a mentor's", "导师") if mine == "mentor" else ("a class's", "班级")
        return _no(f"it is kept per {mine}: only {who_en} total counts, so one student can have none; the baseline asks it of "
                   f"{whom_en}",
                   f"该条按{who_zh}考核：只看{who_zh}的总次数，某名学生可能一次也没有；基线要求{whom_zh}都做到")  # fmt: skip
    return _no(f"it is per {mine}, the baseline per {theirs}: the two count different things",
               f"该条按{_SCOPE[mine]}考核，基线按{_SCOPE[theirs]}考核，统计的对象不同")  # fmt: skip


def rule_verdict(school: IR, base: IR, b_rule: IR) -> Verdict:
    """`met` (naming the school rules that imply it) or `cannot prove` with every near rule's reason, nearest first; a
    counterexample (conformance/witness.py) turns the latter into `not met`."""
    by, reasons = [], []
    for s_rule in school["rules"]:
        step = implies(school, s_rule, base, b_rule)
        if step.ok:
            by.append(s_rule)
        elif _about_same_actions(school, s_rule, base, b_rule):
            reasons.append((s_rule, step))
    title_en, title_zh = rule_title(b_rule, "en"), rule_title(b_rule, "zh")
    if by:
        en, zh = _ensured([rule_ref(r, "en") for r in by], [rule_ref(r, "zh") for r in by])
        return Verdict(b_rule["id"], MET, tuple(r["id"] for r in by), en, zh, None, title_en, title_zh)
    if not reasons:
        en, zh = _no_rule(school, base, b_rule)
        return Verdict(b_rule["id"], CANNOT, (), en, zh, None, title_en, title_zh)
    # every school rule on these actions and why each falls short, the nearest first, rules with the same reason together:
    # the reader sees the whole gap once
    reasons.sort(key=lambda rs: -rs[1].stage)
    same: dict[tuple[str, str], list[IR]] = {}
    for r, st in reasons:
        same.setdefault((st.en, st.zh), []).append(r)
    en = "; ".join(f"{', '.join(rule_ref(r, 'en') for r in rs)}: {why}" for (why, _), rs in same.items())
    zh = "；".join(f"{'、'.join(rule_ref(r, 'zh') for r in rs)}：{why}" for (_, why), rs in same.items())
    return Verdict(b_rule["id"], CANNOT, (), en, zh, None, title_en, title_zh)


def _no_rule(school: IR, base: IR, b_rule: IR) -> tuple[str, str]:
    """Why no school rule is about the baseline rule's actions. Actions are matched by name, so when the school declares
    none of them, say so: one of its own actions may be the same work under another name."""
    action = b_rule["action"]
    declared = {a["name"] for a in school["actions"]} & set(counted(base, action))
    if declared:
        return f"no rule of the school asks for {action}", f"学校没有关于“{action}”的要求"
    return (
        f"the school declares no action {action}: actions are matched by name, so one of its own that is the same work "
        f"counts only when it is named {action} (or the baseline groups it under {action})",
        f"学校没有名为“{action}”的动作：动作按名称对应，学校自己的动作若就是这项工作，需命名为“{action}”（或由基线把它列入“{action}”动作组）才计入",
    )


def _ensured(en: list[str], zh: list[str]) -> tuple[str, str]:
    if len(en) == 1:
        return f"{en[0]} ensures it", f"{zh[0]} 即可保证"
    return f"each of {', '.join(en)} ensures it", f"{'、'.join(zh)} 各自都能保证"


def rule_ref(rule: IR, lang: str) -> str:
    """A school rule named for a reader: whose it is, its id and its label (auto ids such as 谈心-1 recur in the baseline)."""
    label = rule.get("label")
    if lang == "zh":
        return f"本校 {rule['id']}" + (f"“{label}”" if label and label != rule["id"] else "")
    return f"the school's {rule['id']}" + (f" “{label}”" if label and label != rule["id"] else "")


def rule_title(rule: IR, lang: str) -> str:
    return rule.get("label") or rule["id"]


def ratio_words(r: IR, lang: str) -> str:
    """A ratio as a reader says it: 'guideline: at most 15 students per mentor' / '原则上每位导师所带学生不超过 15 名'."""
    zh = lang == "zh"
    lo, hi = r["min"], r["max"]
    if zh:
        group = {"grade": "在每个年级", "class": "在每个班级"}.get(r.get("group") or "", "")
        if r["direction"] == "students_per_mentor":
            bound = f" {lo} 至 {hi} 名" if lo and hi is not None else (f"不超过 {hi} 名" if hi is not None else f"不少于 {lo} 名")
            text = f"每位导师{group}所带学生{bound}"
        else:
            text = f"每名学生有 {lo} 至 {hi} 位导师" if lo and hi is not None else (f"每名学生至多有 {hi} 位导师" if hi is not None else
                                                                              f"每名学生至少有 {lo} 位导师")  # fmt: skip
        return ("原则上" if r.get("advisory") else "") + text + ("（限条件内的学生）" if r.get("where") else "")
    bound = f"between {lo} and {hi}" if lo and hi is not None else (f"at most {hi}" if hi is not None else f"at least {lo}")
    group = {"grade": " in each grade", "class": " in each class"}.get(r.get("group") or "", "")
    mentors = "mentor" if hi == 1 or (hi is None and lo == 1) else "mentors"
    text = f"{bound} students per mentor{group}" if r["direction"] == "students_per_mentor" else f"{bound} {mentors} per student"
    return ("guideline: " if r.get("advisory") else "") + text + (" (of the students its condition names)" if r.get("where") else "")


def ratio_ref(r: IR, lang: str) -> str:
    """A school ratio named for a reader: whose, its id, what it says."""
    return f"本校 {r['id']}（{ratio_words(r, 'zh')}）" if lang == "zh" else f"the school's {r['id']} ({ratio_words(r, 'en')})"


def _about_same_actions(school: IR, s_rule: IR, base: IR, b_rule: IR) -> bool:
    return bool(set(counted(school, s_rule["action"])) & set(counted(base, b_rule["action"])))


# --- ratios ----------------------------------------------------------------------------------


def ratio_implies(school: IR, s: IR, base: IR, b: IR) -> Step:
    """The school ratio's bound holds wherever the baseline's is checked. Each scheme counts only its own students (its
    `grades` and the ratio's `where`): a mentor's count over fewer students keeps an `at most`, over more an `at least`;
    a student's count of mentors is the same in both, so the school must check every student the baseline does."""
    if s["direction"] != b["direction"]:
        return _no("it counts another thing", "它统计的是另一种配比")
    if s["direction"] == "students_per_mentor" and s.get("group") != b.get("group"):
        if s.get("group") is not None and b.get("group") is None:
            what_en, what_zh = {"grade": ("grade", "年级"), "class": ("class", "班级")}[s["group"]]
            return _no(f"it bounds a mentor's students in each {what_en} only, not in all: a mentor can have them in several",
                       f"该条只限每位导师在每个{what_zh}所带的人数，不限总数：一位导师可以跨几个{what_zh}带学生")  # fmt: skip
        return _no("it counts per another grouping", "它按另一种分组统计")
    mine, theirs = and_(grades_cond(school), s.get("where")), and_(grades_cond(base), b.get("where"))
    wider = covers(mine, theirs)  # the school counts every student the baseline counts
    narrower = covers(theirs, mine)  # the baseline counts every student the school counts
    per_student = s["direction"] == "mentors_per_student"
    need_wider = per_student or b["max"] is not None or (b["min"] > 0 and s.get("group") is not None)
    need_narrower = not per_student and b["min"] > 0
    for needed, found in ((need_wider, wider), (need_narrower, narrower)):
        if needed and found is not True:
            if isinstance(found, dict):
                outside = outside_grades(school, found) if found is wider else None
                if outside:
                    return _no(*outside)
                named = atoms(mine, theirs)
                tags, grades = named.get("tag", set()), named.get("grade", set())
                return _no(f"it does not count {describe(found, 'en', tags, grades)}, whom the baseline's counts" if found is wider else
                           f"it counts {describe(found, 'en', tags, grades)}, whom the baseline's does not",
                           f"该条不统计{describe(found, 'zh', tags, grades)}，而基线统计" if found is wider else
                           f"该条统计了{describe(found, 'zh', tags, grades)}，而基线不统计")  # fmt: skip
            return _no("it counts other students", "它统计的学生范围不同")
    if s.get("advisory") and not b.get("advisory"):
        return _no("it is a guideline (原则上); the baseline's is a rule", "它是“原则上”的配比，基线是硬性要求")
    if s["min"] < b["min"]:
        return _no(f"it allows {s['min']}, below the baseline's {b['min']}", f"它允许 {s['min']}，低于基线的 {b['min']}")
    if b["max"] is not None and (s["max"] is None or s["max"] > b["max"]):
        return _no(f"it allows {'any number' if s['max'] is None else s['max']}, above the baseline's {b['max']}",
                   f"它允许{'任意数量' if s['max'] is None else ' ' + str(s['max'])}，高于基线的 {b['max']}")  # fmt: skip
    return YES


def ratio_verdict(school: IR, base: IR, b: IR) -> Verdict:
    by, reasons = [], []
    for s in school["ratios"]:
        step = ratio_implies(school, s, base, b)
        (by.append(s) if step.ok else reasons.append((s, step)))
    title_en, title_zh = ratio_words(b, "en"), ratio_words(b, "zh")
    if by:
        en, zh = _ensured([ratio_ref(s, "en") for s in by], [ratio_ref(s, "zh") for s in by])
        return Verdict(b["id"], MET, tuple(s["id"] for s in by), en, zh, None, title_en, title_zh)
    same = [(s, st) for s, st in reasons if st.en != "it counts another thing"]
    if not same:
        return Verdict(b["id"], CANNOT, (), "the school sets no such ratio", "该校方案没有规定这一项配比", None, title_en, title_zh)
    return Verdict(b["id"], CANNOT, (), "; ".join(f"{ratio_ref(s, 'en')}: {st.en}" for s, st in same),
                   "；".join(f"{ratio_ref(s, 'zh')}：{st.zh}" for s, st in same), None, title_en, title_zh)  # fmt: skip


def conformance(school: IR, base: IR) -> list[Verdict]:
    """One verdict per baseline ratio and rule, in the baseline's order (ratios first, as ids number them)."""
    return [ratio_verdict(school, base, b) for b in base["ratios"]] + [rule_verdict(school, base, b) for b in base["rules"]]


def looser_rules(own: list[IR], base: IR, base_rules: list[IR]) -> list[tuple[IR, IR]]:
    """(own rule, baseline rule) where a scheme that extends or conforms to a baseline writes a looser rule on the
    same action and the same timing: fewer times, or a wider `at most` — likely a slip, since the baseline still holds."""
    out = []
    for r in own:
        for b in base_rules:
            same = (r["action"] == b["action"] and r["scope"] == b["scope"] and r.get("period") == b.get("period")
                    and r.get("window") == b.get("window") and r.get("event") == b.get("event") and r.get("moments") == b.get("moments"))  # fmt: skip
            wider = b["max"] is not None and (r["max"] is None or r["max"] > b["max"])
            if same and r.get("where") == b.get("where") and (r["min"] < b["min"] or wider):
                out.append((r, b))
    return out
