"""Every duty, ratio and score of a scheme on a bundle (SPEC §4): the pieces engine.evaluate makes a Report of.

Pure: it reads no clock, file or global; the as-of date and the term are arguments.
A compiled `Scheme` may be passed instead of the IR dict to compile once, evaluate many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from ..errors import BadRow, BadRowsError
from ..model.bundle import Bundle
from ..model.calendar import Term
from ..model.scheme import Range, Scheme, compile_scheme
from ..model.warnings import ReportWarning
from .duties import Context, DutyBlock, evaluate_rule
from .ratios import RatioResult, evaluate_ratio
from .scores import ScoreResult, check_ratings, evaluate_score
from .subjects import Masks, Roster
from .windows import period_windows, select_term


class Evaluation(NamedTuple):
    scheme: Scheme
    bundle: Bundle
    roster: Roster
    as_of: dt.date
    term: Term
    blocks: list[DutyBlock]
    ratios: list[RatioResult]
    scores: list[ScoreResult]
    rejected: tuple[BadRow, ...]
    warnings: tuple[ReportWarning, ...]


def evaluate_all(scheme_ir: Mapping[str, Any] | Scheme, bundle: Bundle, as_of: dt.date, term_id: str | None = None) -> Evaluation:
    """Every duty, ratio and score of the scheme on the bundle's data as of `as_of`.

    Raises UnknownTermError for a term id the calendar lacks, SchemeIRError for a
    malformed IR, and BadRowsError for ratings.csv rows the scheme makes bad
    (unless the bundle was loaded with skip_bad_rows: then they are in `rejected`).
    """
    scheme = scheme_ir if isinstance(scheme_ir, Scheme) else compile_scheme(scheme_ir)
    term = select_term(bundle.calendar, as_of, term_id)
    if scheme.grades is None:
        in_scope = np.ones(len(bundle.students), dtype=bool)
    else:
        in_scope = np.isin(bundle.student_grade, np.array(sorted(scheme.grades), dtype=np.int32))
    roster = Roster(bundle, in_scope)
    ctx = Context(scheme, bundle, as_of.toordinal(), term, in_scope, roster, Masks(bundle))

    warnings: list[ReportWarning] = list(bundle.warnings)
    rating_warnings, bad = check_ratings(ctx)
    if bad and not bundle.skip_bad_rows:
        raise BadRowsError(bad)
    warnings.extend(_nobody_in_scope(scheme, bundle, in_scope))
    warnings.extend(_no_students_named(scheme, bundle))
    warnings.extend(_undeclared(scheme, bundle))
    warnings.extend(_missing_durations(scheme, bundle, ctx.as_of))
    warnings.extend(_empty_windows(scheme, ctx))
    warnings.extend(rating_warnings)

    blocks = [evaluate_rule(rule, ctx) for rule in scheme.rules]
    ratios = [r for ratio in scheme.ratios for r in evaluate_ratio(ratio, ctx)]
    scores = [s for score in scheme.scores for s in evaluate_score(score, ctx, warnings)]
    return Evaluation(scheme, bundle, roster, as_of, term, blocks, ratios, scores, (*bundle.rejected, *bad), tuple(warnings))


MAX_LINES = 1000  # a warning lists at most this many line numbers; its message gives the full count


def _listing(ids: list[str], total: int) -> str:
    return ", ".join(ids) + (f" and {total - len(ids)} more" if total > len(ids) else "")


def _nobody_in_scope(scheme: Scheme, bundle: Bundle, in_scope: np.ndarray) -> list[ReportWarning]:
    if scheme.grades is None or in_scope.any() or not len(bundle.students):
        return []
    grades = ", ".join(str(g) for g in sorted(scheme.grades))
    found = ", ".join(str(g) for g in sorted(set(bundle.student_grade.tolist())))
    return [ReportWarning("nobody-in-grades", f"{bundle.files.students}: no student is in the scheme's grades ({grades}); the students' grades are {found} (初一 is 7, 高一 is 10)",
                          f"{bundle.files.students}：没有学生属于方案的年级（{grades}）；学生的年级是 {found}（初一为 7，高一为 10）", bundle.files.students, ())]  # fmt: skip


def _no_students_named(scheme: Scheme, bundle: Bundle) -> list[ReportWarning]:
    """Rules per student or pair, and a log in which no activity names a student: every such duty
    would stand at 0, which is far likelier a missing or misnamed column than a school's truth."""
    acts = bundle.activities
    if not len(acts) or len(acts.stu) or not any(r.scope in ("student", "pair") for r in scheme.rules):
        return []
    f = bundle.files.activities
    return [ReportWarning("no-students-named", f"{f}: no activity names a student, yet the scheme's rules count per student: check the column "
                          "student_ids (学生编号列表) — it must hold the students' ids (学号), not their names",
                          f"{f}：没有任何活动写了学生，而方案的规则是按学生计的：请检查“学生编号列表”（student_ids）这一列——"
                          "应填学生的编号（学号），不是姓名", f, ())]  # fmt: skip


def _undeclared(scheme: Scheme, bundle: Bundle) -> list[ReportWarning]:
    acts = bundle.activities
    declared = {a.name for a in scheme.actions}
    out = []
    for code, name in enumerate(acts.action_names):
        if name in declared:
            continue
        lo, hi = int(acts.action_ptr[code]), int(acts.action_ptr[code + 1])
        if hi == lo:
            continue
        shown = [acts.id_of(r) for r in range(lo, min(hi, lo + 10))]
        lines = tuple(np.sort(acts.line[lo:hi])[:MAX_LINES].tolist())
        out.append(ReportWarning("undeclared-action",
            f"{bundle.files.activities}: {hi - lo} activit{'y names' if hi - lo == 1 else 'ies name'} action '{name}', which the scheme does not declare; not counted ({_listing(shown, hi - lo)})",
            f"{bundle.files.activities}：{hi - lo} 条活动的动作“{name}”在方案中没有声明，不计入（{'、'.join(shown)}{' 等' if hi - lo > len(shown) else ''}）",
            bundle.files.activities, lines))  # fmt: skip
    return out


def _missing_durations(scheme: Scheme, bundle: Bundle, as_of: int) -> list[ReportWarning]:
    """Activities on or before as-of that cannot meet a `min N minutes` action for want of a duration."""
    acts = bundle.activities
    out = []
    for action in scheme.actions:
        if action.min_minutes is None:
            continue
        lo, hi = acts.span(action.name, -(2**31), as_of)
        rows = lo + np.flatnonzero(np.isnan(acts.duration[lo:hi]))
        if not len(rows):
            continue
        shown = [acts.id_of(int(r)) for r in rows[:10]]
        out.append(ReportWarning("missing-duration",
            f"{bundle.files.activities}: {len(rows)} '{action.name}' activit{'y has' if len(rows) == 1 else 'ies have'} no duration_min, so they do not meet 'min {action.min_minutes} minutes' ({_listing(shown, len(rows))})",
            f"{bundle.files.activities}：{len(rows)} 条“{action.name}”活动没有填写时长（duration_min），达不到“至少 {action.min_minutes} 分钟”，不计入（{'、'.join(shown)}{' 等' if len(rows) > len(shown) else ''}）",
            bundle.files.activities, tuple(np.sort(acts.line[rows])[:MAX_LINES].tolist())))  # fmt: skip
    return out


def _empty_windows(scheme: Scheme, ctx: Context) -> list[ReportWarning]:
    out = []
    for rule in scheme.rules:
        if (
            rule.period is not None
            and isinstance(rule.window, Range)
            and not period_windows(rule.period, rule.window, ctx.term, ctx.bundle.calendar)
        ):
            out.append(ReportWarning("empty-window", f"rule {rule.id}: its window ends before it starts in term {ctx.term.id} (the term is too short); no duties",
                                     f"规则 {rule.id}：在学期 {ctx.term.id} 中时间窗口的结束早于开始（学期太短），没有相应的任务", rule.source.file, (rule.source.line,)))  # fmt: skip
    return out
