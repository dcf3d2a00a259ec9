"""Schemes side by side (SPEC §5): per action each scheme's requirements, with a per-term figure on the nominal
calendar (a term of 20 weeks, a school year of two terms), then the ratios (guidelines marked) and the scores.

Rows are plain data; the table, the CSV and the JSON are three ways of printing them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.model.scheme import compile_scheme
from engine.report.render import bound_text, moment_alternatives, rule_text

from .prove import IR, STATUS_ZH

TERM_DAYS = 140  # the nominal term: 20 weeks
PER_TERM = {"term": 1.0, "school_year": 0.5, "month": TERM_DAYS / 30.4375, "half_month": 2 * TERM_DAYS / 30.4375, "week": 20.0}


@dataclass(frozen=True)
class Row:
    kind: str  # action | ratio | score
    key: str  # the action, the ratio's shape, the score's name
    cells: tuple[tuple[str, ...], ...]  # per scheme, its requirements in words (empty: none)
    per_term: tuple[float | None, ...]  # per scheme, the least it asks per student and nominal term (None: no such figure)


def windows_per_term(rule: IR) -> float | None:
    """How many windows the rule has in a nominal term; None for event windows (as many as there are events)."""
    if rule.get("moments"):
        return 1.0
    if rule.get("event"):
        return None
    p = rule["period"]
    if p["unit"] == "weeks":
        return 20 / p["n"]
    if p["unit"] == "days":
        return TERM_DAYS / p["n"]
    return PER_TERM[p["unit"]]


def rows(schemes: Sequence[IR], lang: str = "zh") -> list[Row]:
    """The side-by-side rows: actions in first-seen order, then ratios, then scores."""
    compiled = [compile_scheme(s) for s in schemes]
    actions = list(dict.fromkeys(r["action"] for s in schemes for r in s["rules"]))
    out = []
    for action in actions:
        cells, figures = [], []
        for s, c in zip(schemes, compiled, strict=True):
            mine = [(r, m) for r, m in zip(s["rules"], c.rules, strict=True) if r["action"] == action]
            cells.append(tuple(_rule_words(r, m, lang) for r, m in mine))
            # a figure per student: per mentor and per class counts are of another kind and would not compare
            per = [r["min"] * w for r, _ in mine if r["scope"] in ("student", "pair") and (w := windows_per_term(r)) is not None]
            figures.append(round(max(per), 1) if per else None)
        out.append(Row("action", action, tuple(cells), tuple(figures)))
    shapes = list(dict.fromkeys(_ratio_key(r, lang) for s in schemes for r in s["ratios"]))
    for shape in shapes:
        cells = [tuple(_ratio_words(r, lang) for r in s["ratios"] if _ratio_key(r, lang) == shape) for s in schemes]
        out.append(Row("ratio", shape, tuple(cells), tuple(None for _ in schemes)))
    names = list(dict.fromkeys(sc["name"] for s in schemes for sc in s["scores"]))
    for name in names:
        cells = [tuple(_score_words(sc, lang) for sc in s["scores"] if sc["name"] == name) for s in schemes]
        out.append(Row("score", name, tuple(cells), tuple(None for _ in schemes)))
    return out


def _rule_words(r: IR, model: Any, lang: str) -> str:
    """A rule in a cell: its bound, period and window, its key moments and its condition said out."""
    zh = lang == "zh"
    text = f"{bound_text(model, lang)} {rule_text(model, lang).removeprefix(model.action + ' ')}"
    if r.get("moments"):
        text += f"（{moment_alternatives(model, lang)}）" if zh else f" ({moment_alternatives(model, lang)})"
    if r.get("where") is not None:
        text += f"（仅限{condition_words(r['where'], lang)}）" if zh else f" (only where {condition_words(r['where'], lang)})"
    return f"[{r['id']}] {text}"


def condition_words(c: IR, lang: str) -> str:
    """A `where` condition in words: '有标签“城区”且 5 年级' / 'tagged 城区 and grade 5'."""
    zh = lang == "zh"
    op = c["op"]
    if op in ("and", "or"):
        parts = [_grouped(a, lang) for a in c["args"]]
        return ({"and": "且", "or": "或"}[op] if zh else f" {op} ").join(parts)
    if op == "not":
        return f"非{_grouped(c['arg'], lang)}" if zh else f"not {_grouped(c['arg'], lang)}"
    if op == "student_has":
        return f"有标签“{c['tag']}”" if zh else f"tagged {c['tag']}"
    if op == "mentor_has":
        return f"导师有“{c['tag']}”" if zh else f"mentor has {c['tag']}"
    if op == "grade_in":
        return f"{'、'.join(map(str, c['grades']))} 年级" if zh else f"grade {', '.join(map(str, c['grades']))}"
    return f"班级 {'、'.join(c['classes'])}" if zh else f"class {', '.join(c['classes'])}"


def _grouped(c: IR, lang: str) -> str:
    words = condition_words(c, lang)
    return f"（{words}）" if lang == "zh" and c["op"] in ("and", "or") else (f"({words})" if c["op"] in ("and", "or") else words)


def _ratio_key(r: IR, lang: str) -> str:
    zh = lang == "zh"
    what = (
        ("每位导师的学生数" if zh else "students per mentor")
        if r["direction"] == "students_per_mentor"
        else ("每名学生的导师数" if zh else "mentors per student")
    )
    group = {"grade": "（每年级）" if zh else " per grade", "class": "（每班级）" if zh else " per class"}.get(r.get("group") or "", "")
    if r.get("where") is None:
        return what + group
    return what + group + (f"（仅限{condition_words(r['where'], lang)}）" if zh else f" (only where {condition_words(r['where'], lang)})")


def _ratio_words(r: IR, lang: str) -> str:
    zh = lang == "zh"
    lo, hi = r["min"], r["max"]
    bound = (f"{lo}–{hi}" if lo else (f"≤ {hi}")) if hi is not None else f"≥ {lo}"
    return f"[{r['id']}] {bound}" + (("（原则上）" if zh else " (guideline)") if r.get("advisory") else "")


def _score_words(sc: IR, lang: str) -> str:
    zh = lang == "zh"
    items = "、".join(i["name"] for i in sc["items"]) if zh else ", ".join(i["name"] for i in sc["items"])
    return f"每{'学期' if sc['period'] == 'term' else '学年'}：{items}" if zh else f"per {sc['period']}: {items}"


def to_table(titles: Sequence[str], table: Sequence[Row], lang: str = "zh") -> str:
    """A plain-text table: one block per row, one line per scheme."""
    zh = lang == "zh"
    kind_word = {"action": "动作" if zh else "action", "ratio": "配比" if zh else "ratio", "score": "评分" if zh else "score"}
    lines = []
    for row in table:
        lines.append(f"{kind_word[row.kind]} {row.key}")
        for title, cell, figure in zip(titles, row.cells, row.per_term, strict=True):
            said = "；".join(cell) if zh else "; ".join(cell)
            per = f"  ≈ {figure:g} {'次/生/学期' if zh else 'per student per term'}" if figure is not None else ""
            lines.append(f"  {title}: {said or ('—（未规定）' if zh else '— (none)')}{per}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


KIND_ZH = {"action": "动作", "ratio": "配比", "score": "评分", "verdict": "基线对照"}


def to_csv(titles: Sequence[str], table: Sequence[Row], lang: str = "zh", verdicts: Sequence[tuple[str, Any]] = ()) -> str:
    """One row per (row, scheme), then one per (scheme, baseline rule) verdict — the status in the requirements column, the
    reason beside it; Excel opens it when written with a BOM (the command line does)."""
    zh = lang == "zh"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["类别", "项目", "方案", "要求", "每生每学期约"] if zh else ["kind", "item", "scheme", "requirements", "per_student_per_term"]
    )
    for row in table:
        for title, cell, figure in zip(titles, row.cells, row.per_term, strict=True):
            w.writerow([KIND_ZH[row.kind] if zh else row.kind, row.key, title, "；".join(cell) if zh else "; ".join(cell),
                        "" if figure is None else f"{figure:g}"])  # fmt: skip
    for title, v in verdicts:
        head = f"{v.baseline_rule} · {v.title_zh if zh else v.title_en}"
        status = STATUS_ZH[v.status] if zh else v.status
        w.writerow(
            [KIND_ZH["verdict"] if zh else "verdict", head, title, f"{status}：{v.reason_zh}" if zh else f"{status}: {v.reason_en}", ""]
        )
    return buf.getvalue()


def to_json(files: Sequence[str], schemes: Sequence[IR], table: Sequence[Row]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "key": r.key,
             "schemes": [{"file": f, "title": s["title"], "requirements": list(c), "per_term": p}
                         for f, s, c, p in zip(files, schemes, r.cells, r.per_term, strict=True)]} for r in table]  # fmt: skip
