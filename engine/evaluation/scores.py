"""Scores and ratings per mentor (SPEC §2.5, §4.1), in exact decimal arithmetic.

Every mentor of the roster is scored. Counts come from the same (action, day)-sorted
activity table as the duties, one bincount per item.
"""

from __future__ import annotations

import bisect
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..errors import BadRow
from ..model.scheme import And, BinOp, Compare, Cond, Expr, Item, ItemRef, Neg, Not, Num, Or, Otherwise, RatingSpec, Score, SumAll, Top
from ..model.warnings import ReportWarning
from .duties import Context

# One fixed context, whatever the caller's thread has set: scores must not depend on it.
DECIMAL = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation, decimal.Overflow])


@dataclass(frozen=True)
class ScoreResult:
    score: str
    mentor: str
    items: Mapping[str, Decimal]
    total: Decimal
    rating: str | None


def period_key(score: Score, ctx: Context) -> str:
    return ctx.term.id if score.period == "term" else ctx.bundle.calendar.school_year


def _period(score: Score, ctx: Context) -> tuple[int, int]:
    if score.period == "term":
        return ctx.term.start.toordinal(), ctx.term.end.toordinal()
    cal = ctx.bundle.calendar
    return cal.year_start.toordinal(), cal.year_end.toordinal()


def _activity_counts(item: Item, ctx: Context, ps: int, pe: int) -> np.ndarray:
    """Distinct activities of the item's action (a group's members too) per mentor in the period (on or before as-of)."""
    b, acts = ctx.bundle, ctx.bundle.activities
    assert item.action is not None
    n_m = len(b.mentors)
    per_mentor = np.zeros(n_m, np.int64)
    pairs_done: list[np.ndarray] = []
    for name, minutes in ctx.scheme.counted(item.action):  # an activity has one action: the members' rows never overlap
        lo, hi = acts.span(name, ps, min(pe, ctx.as_of))
        if hi <= lo:
            continue
        ok = np.ones(hi - lo, bool)
        if minutes is not None:
            ok &= acts.duration[lo:hi] >= minutes
        rows_e, stu_e = acts.entries(lo, hi)
        if item.unit == "action":
            named = np.diff(acts.stu_ptr[lo : hi + 1])
            in_named = np.bincount(rows_e - lo, weights=ctx.in_scope[stu_e], minlength=hi - lo) if len(rows_e) else np.zeros(hi - lo)
            ok &= (named == 0) | (in_named > 0)  # an activity naming only out-of-scope students is ignored
            per_mentor += np.bincount(acts.mentor[lo:hi][ok], minlength=n_m).astype(np.int64)
            continue
        keep = ok[rows_e - lo] & ctx.in_scope[stu_e] if len(rows_e) else np.zeros(0, bool)
        pairs_done.append(acts.mentor[rows_e[keep]].astype(np.int64) * max(len(b.students), 1) + stu_e[keep])
    if item.unit == "action":
        return per_mentor
    # student_with: the mentor's students active on as-of with at least one such activity by this mentor
    done = np.unique(np.concatenate(pairs_done)) if pairs_done else np.zeros(0, np.int64)
    ms, ss = ctx.roster.active(ctx.as_of)
    hit = np.isin(ms * max(len(b.students), 1) + ss, done)
    return np.bincount(ms[hit], minlength=n_m).astype(np.int64)


def evaluate_score(score: Score, ctx: Context, warnings: list[ReportWarning]) -> list[ScoreResult]:
    b = ctx.bundle
    ps, pe = _period(score, ctx)
    key = period_key(score, ctx)
    n_m = len(b.mentors)
    ms, _ = ctx.roster.active(ctx.as_of)
    students = np.bincount(ms, minlength=n_m) if n_m else np.zeros(0, np.int64)
    manual = {(r.mentor_id, r.item): r.value for r in b.ratings if r.score == score.name and r.term == key}
    columns: dict[str, np.ndarray] = {}
    for item in score.items:
        if item.unit in ("action", "student_with"):
            columns[item.name] = _activity_counts(item, ctx, ps, pe)
        elif item.unit == "student":
            columns[item.name] = students
    results: list[tuple[str, dict[str, Decimal], Decimal]] = []
    zero_div: list[str] = []
    for i, m in enumerate(b.mentors):
        values: dict[str, Decimal] = {}
        for item in score.items:
            if item.unit == "manual":
                v = manual.get((m.id, item.name), Decimal(0))
            else:
                v = DECIMAL.multiply(item.points if item.points is not None else Decimal(1), Decimal(int(columns[item.name][i])))
            if item.max is not None and v > item.max:
                v = item.max
            values[item.name] = v
        flag: list[bool] = []
        total = _eval(score.total, values, flag)
        if flag:
            zero_div.append(m.id)
        results.append((m.id, values, total))
    if zero_div:
        listed = ", ".join(zero_div[:10]) + (" …" if len(zero_div) > 10 else "")
        warnings.append(ReportWarning("division-by-zero", f"score {score.name}: the total divides by zero for {len(zero_div)} mentor(s) ({listed}); taken as 0",
                                 f"评分 {score.name}：总分公式出现除以零（{len(zero_div)} 位导师：{listed}），按 0 计", None, ()))  # fmt: skip
    tiers = ctx.scheme.rating_for(score.name)
    out: list[ScoreResult] = []
    if tiers is None:
        return [ScoreResult(score.name, mid, values, total, None) for mid, values, total in results]
    # ratings compare what the report shows: values rounded half-up to 4 places
    shown = [(mid, {k: rounded(v) for k, v in values.items()}, rounded(total)) for mid, values, total in results]
    ranked = sorted(t for _, _, t in shown)
    n = len(shown)
    for (mid, values, total), (_, shown_values, shown_total) in zip(results, shown, strict=True):
        others_at_least = n - bisect.bisect_left(ranked, shown_total) - 1
        rating = next((tier.name for tier in tiers.tiers if _tier_holds(tier.when, shown_values, shown_total, others_at_least, n)), None)
        out.append(ScoreResult(score.name, mid, values, total, rating))
    warnings.extend(_tie_warnings(tiers, shown, ranked))
    return out


FOUR_PLACES = Decimal("0.0001")


def rounded(value: Decimal) -> Decimal:
    """Half-up to 4 places: what the report shows, and what ratings compare."""
    return value.quantize(FOUR_PLACES, rounding=decimal.ROUND_HALF_UP, context=DECIMAL)


def _tops(c: Cond) -> list[Top]:
    if isinstance(c, Top):
        return [c]
    if isinstance(c, (And, Or)):
        return [t for a in c.args for t in _tops(a)]
    if isinstance(c, Not):
        return _tops(c.arg)
    return []


def _tie_warnings(rating: RatingSpec, shown: list[tuple[str, dict[str, Decimal], Decimal]], ranked: list[Decimal]) -> list[ReportWarning]:
    """Mentors tied at the boundary of a `top N%` tier, who together would overflow its places: none of them is
    given it (SPEC §2.5); the school decides by hand. Named, with the places left. `ranked`: the shown totals, ascending."""
    n = len(shown)
    out = []
    for tier in rating.tiers:
        for top in _tops(tier.when):
            places = (n * top.percent / 100).to_integral_value(rounding=decimal.ROUND_CEILING)  # ⌈n × N / 100⌉
            for value in sorted(set(ranked), reverse=True):
                above = n - bisect.bisect_right(ranked, value)  # mentors with a greater total
                tied = [mid for mid, _, t in shown if t == value]
                if len(tied) < 2 or not (100 * above < n * top.percent <= 100 * (above + len(tied) - 1)):
                    continue
                left = int(places) - above
                names = ", ".join(tied[:20]) + (" …" if len(tied) > 20 else "")
                out.append(ReportWarning("rating-tie",
                    f"rating {rating.name}: {len(tied)} mentors tie at {value.normalize():f} for the last {left} place(s) of '{tier.name}' (top {top.percent.normalize():f}%), so none of them is given it; decide by hand ({names})",
                    f"等级 {rating.name}：{len(tied)} 位导师总分同为 {value.normalize():f}，争“{tier.name}”（前 {top.percent.normalize():f}%）剩下的 {left} 个名额，因而都未评上；请学校人工决定（{'、'.join(tied[:20])}{' 等' if len(tied) > 20 else ''}）",
                    None, ()))  # fmt: skip
    return out


def _eval(e: Expr, values: Mapping[str, Decimal], zero_div: list[bool]) -> Decimal:
    if isinstance(e, Num):
        return e.value
    if isinstance(e, ItemRef):
        return values.get(e.name, Decimal(0))
    if isinstance(e, SumAll):
        total = Decimal(0)
        for v in values.values():
            total = DECIMAL.add(total, v)
        return total
    if isinstance(e, Neg):
        return DECIMAL.minus(_eval(e.arg, values, zero_div))
    assert isinstance(e, BinOp)
    a, b = _eval(e.left, values, zero_div), _eval(e.right, values, zero_div)
    if e.op == "+":
        return DECIMAL.add(a, b)
    if e.op == "-":
        return DECIMAL.subtract(a, b)
    if e.op == "*":
        return DECIMAL.multiply(a, b)
    if e.op == "/":
        if b == 0:
            zero_div.append(True)
            return Decimal(0)
        return DECIMAL.divide(a, b)
    return min(a, b) if e.op == "min" else max(a, b)


def _tier_holds(c: Cond, values: Mapping[str, Decimal], total: Decimal, others_at_least: int, n: int) -> bool:
    """`top N%` holds when fewer than n × N / 100 of the other mentors have a total at least this one's: ties never
    overflow the tier's places."""
    if isinstance(c, Otherwise):
        return True
    if isinstance(c, Top):
        return 100 * others_at_least < n * c.percent
    if isinstance(c, Compare):
        left = total if c.item is None else values.get(c.item, Decimal(0))
        return {">=": left >= c.value, ">": left > c.value, "<=": left <= c.value, "<": left < c.value, "=": left == c.value}[c.cmp]
    if isinstance(c, And):
        return all(_tier_holds(a, values, total, others_at_least, n) for a in c.args)
    if isinstance(c, Or):
        return any(_tier_holds(a, values, total, others_at_least, n) for a in c.args)
    if isinstance(c, Not):
        return not _tier_holds(c.arg, values, total, others_at_least, n)
    raise TypeError(f"{type(c).__name__} is not a rating condition")


def check_ratings(ctx: Context) -> tuple[list[ReportWarning], list[BadRow]]:
    """ratings.csv against the scheme: unknown scores/items are warnings, misuse is a bad row."""
    b, scheme = ctx.bundle, ctx.scheme
    scores = {s.name: s for s in scheme.scores}
    warnings: list[ReportWarning] = []
    bad: list[BadRow] = []
    unknown: dict[tuple[str, str], list[int]] = {}
    file = b.files.ratings
    for i, r in enumerate(b.ratings):
        line = r.line if r.line is not None else i + 2
        score = scores.get(r.score)
        item = next((it for it in score.items if it.name == r.item), None) if score else None
        if score is None or item is None:
            unknown.setdefault((r.score, "" if score is None else r.item), []).append(line)
            continue
        if item.unit != "manual":
            bad.append(BadRow(file, line, "item", "not-manual", f"item '{r.item}' of score '{r.score}' is counted from activities, not entered by hand",
                              f"评分“{r.score}”的项“{r.item}”由活动记录计算，不能手工录入"))  # fmt: skip
        elif score.period == "term" and r.term == b.calendar.school_year and r.term not in {t.id for t in b.calendar.terms}:
            bad.append(BadRow(file, line, "term", "wrong-period", f"score '{r.score}' is per term: write a term id, not the school year",
                              f"评分“{r.score}”按学期计：请写学期编号，而不是学年"))  # fmt: skip
        elif score.period == "school_year" and r.term != b.calendar.school_year:
            bad.append(BadRow(file, line, "term", "wrong-period", f"score '{r.score}' is per school_year: write the school year {b.calendar.school_year}",
                              f"评分“{r.score}”按学年计：请写学年 {b.calendar.school_year}"))  # fmt: skip
    for (score_name, item_name), lines in unknown.items():
        shown = ", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
        if not item_name:
            warnings.append(ReportWarning("unknown-score", f"{file}: {len(lines)} row(s) name score '{score_name}', which the scheme does not have (lines {shown}); not used",
                                     f"{file}：{len(lines)} 行写的评分“{score_name}”在方案中不存在（第 {shown} 行），未使用", file, tuple(lines)))  # fmt: skip
        else:
            warnings.append(ReportWarning("unknown-item", f"{file}: {len(lines)} row(s) name item '{item_name}', which score '{score_name}' does not have (lines {shown}); not used",
                                     f"{file}：{len(lines)} 行写的评分项“{item_name}”不属于评分“{score_name}”（第 {shown} 行），未使用", file, tuple(lines)))  # fmt: skip
    return warnings, bad
