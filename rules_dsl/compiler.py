"""A checked program → the IR: a plain JSON document, the engine's only input.

The IR shape is rules_dsl/schema/ir.schema.json; every compile validates against
it. Ids follow SPEC §2.3/§2.4: ratios `ratio-<n>` in file order (base files
first); rules by name, else `<action>-<n>` counting all rules on that action.
Numbers of points and caps are decimal strings so no float ever touches a score.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

from . import ast
from .cache import cached_module, digest
from .checker import check, key_moments
from .errors import Diagnostic, SchemeCheckError, SchemeSyntaxError
from .program import Program, load_program, load_program_text

IR_VERSION = 1


@cache
def ir_schema() -> dict[str, Any]:
    text = resources.files("rules_dsl").joinpath("schema/ir.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _fast_validator() -> Callable[[Any], Any]:
    # fastjsonschema turns the schema into Python: ~0.3 ms a scheme, where jsonschema takes
    # ~7 ms. Generating that code takes ~0.1 s, so it is kept in the user's cache folder.
    schema = ir_schema()
    key = digest(json.dumps(schema, sort_keys=True), fastjsonschema.VERSION)
    module = cached_module("ir_validator", key, lambda: fastjsonschema.compile_to_code(schema))
    if module is not None:
        return module.validate_https___mentorship_example_ir_schema_json  # type: ignore[no-any-return]
    return fastjsonschema.compile(schema)  # type: ignore[no-any-return]


def validate_ir(ir: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if `ir` does not follow ir.schema.json."""
    try:
        _fast_validator()(ir)
    except fastjsonschema.JsonSchemaException:
        import jsonschema  # only to explain the failure in detail: it costs 0.1 s to import

        jsonschema.Draft7Validator(ir_schema()).validate(ir)
        raise


def compile_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Compile a scheme file (and what it extends) to IR; raise SchemeError on any error."""
    return compile_program(load_program(path))


def compile_text(text: str, file: str = "<scheme>") -> dict[str, Any]:
    return compile_program(load_program_text(text, file))


def diagnose(program: Program) -> list[Diagnostic]:
    """Every syntax and semantic diagnostic, warnings included, in file order."""
    found = program.all_diagnostics()
    if not any(d.severity == "error" for d in found):
        found.extend(check(program))
    return sorted(found, key=lambda d: (d.file != program.root.file, d.file, d.line, d.column))


def compile_program(program: Program) -> dict[str, Any]:
    syntax = program.all_diagnostics()
    if syntax:
        raise SchemeSyntaxError(syntax)
    found = [d for d in check(program) if d.severity == "error"]
    if found:
        raise SchemeCheckError(found)
    ir = _Compiler(program).ir()
    validate_ir(ir)
    return ir


def _dec(num: ast.Num) -> str:
    value = Decimal(num.text) / (100 if num.percent else 1)
    return format(value.normalize(), "f")


def _int(num: ast.Num) -> int:
    return int(Decimal(num.text))


def _source(span: ast.Span) -> dict[str, Any]:
    return {"file": span.file, "line": span.line}


class _Compiler:
    def __init__(self, program: Program):
        self.program = program

    def statements(self, kind: type, inherited: bool = True) -> list[Any]:
        files = self.program.files if inherited else [self.program.root]
        return [s for f in files for s in f.tree.statements if isinstance(s, kind)]

    def ir(self) -> dict[str, Any]:
        root = self.program.root.tree.statements
        headers = {s.kind: s for s in root if isinstance(s, ast.Header)}
        title = headers.get("scheme") or headers.get("baseline")
        settings = {s.kind: _int(s.days) for s in root if isinstance(s, ast.DaysSetting)}
        grades = next((s for s in root if isinstance(s, ast.Grades)), None)
        return {
            "ir_version": IR_VERSION,
            "kind": title.kind if title else "scheme",
            "title": title.value if title else "",
            "school": headers["school"].value if "school" in headers else None,
            "district": headers["district"].value if "district" in headers else None,
            "file": self.program.root.file,
            "files": [f.file for f in self.program.files],
            "grades": sorted({_int(g) for g in grades.grades}) if grades else None,
            "conforms_to": headers["conforms"].value if "conforms" in headers else None,
            "grace_days": settings.get("grace", 0),
            "remind_days": settings.get("remind", 7),
            "actions": [self.action(a) for a in self.statements(ast.Action)],
            "ratios": [self.ratio(i, r) for i, r in enumerate(self.statements(ast.Ratio), start=1)],
            "rules": self.rules(),
            "scores": [self.score(s) for s in self.statements(ast.Score, inherited=False)],
            "ratings": [self.rating(r) for r in self.statements(ast.Rating, inherited=False)],
        }

    def action(self, a: ast.Action) -> dict[str, Any]:
        return {
            "name": a.name.text,
            "title": a.title,
            "min_minutes": _int(a.min_minutes) if a.min_minutes is not None else None,
            "members": list(dict.fromkeys(m.text for m in a.members)) if a.members is not None else None,  # a repeat is warned of
            "source": _source(a.span),
        }

    def bound(self, b: ast.Bound) -> tuple[int, int | None]:
        low = _int(b.low)
        if b.kind == "at_least":
            return low, None
        if b.kind == "at_most":
            return 0, low
        if b.kind == "exactly":
            return low, low
        assert b.high is not None
        return low, _int(b.high)

    def ratio(self, n: int, r: ast.Ratio) -> dict[str, Any]:
        low, high = self.bound(r.bound)
        return {
            "id": f"ratio-{n}",
            "direction": r.direction,
            "group": r.group,
            "min": low,
            "max": high,
            "where": cond(r.where) if r.where is not None else None,
            "advisory": r.guideline,
            "source": _source(r.span),
        }

    def rules(self) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        out = []
        for r in self.statements(ast.Require):
            counts[r.action.text] = counts.get(r.action.text, 0) + 1
            rule_id = r.name.text if r.name is not None else f"{r.action.text}-{counts[r.action.text]}"
            out.append(self.rule(rule_id, r))
        return out

    def rule(self, rule_id: str, r: ast.Require) -> dict[str, Any]:
        low, high = self.bound(r.bound)
        period: dict[str, Any] | None = {"unit": "term", "n": 1}
        event = window = where = label = None
        scope = "student"
        alternatives = key_moments(r)
        moments = None if alternatives is None else [self.moment(a) for a in alternatives]
        for c in r.clauses:
            if isinstance(c, ast.Period):
                period = {"unit": c.unit, "n": _int(c.n) if c.n is not None else 1}
            elif isinstance(c, ast.EventWindow) and moments is None:
                period = None
                event = self.event(c)
            elif isinstance(c, ast.Scope):
                scope = c.scope
            elif isinstance(c, ast.Window):
                window = self.window(c)
            elif isinstance(c, ast.Where):
                where = cond(c.cond)
            elif isinstance(c, ast.Label):
                label = c.text
        return {
            "id": rule_id,
            "name": r.name.text if r.name is not None else None,
            "label": label,
            "action": r.action.text,
            "min": low,
            "max": high,
            "period": period,
            "event": event,
            "scope": scope,
            "window": window,
            "where": where,
            "moments": moments,
            "source": _source(r.span),
        }

    def event(self, e: ast.EventWindow) -> dict[str, Any]:
        return {"kind": e.kind.text, "direction": e.direction, "days": _int(e.days)}

    def moment(self, m: ast.Window | ast.EventWindow) -> dict[str, Any]:
        return {"event": self.event(m)} if isinstance(m, ast.EventWindow) else {"window": self.window(m)}

    def window(self, w: ast.Window) -> dict[str, Any]:
        if w.kind in ("first_days", "last_days"):
            assert w.days is not None
            return {"kind": w.kind, "days": _int(w.days)}
        if w.kind == "by":
            assert w.month_day is not None
            month, _, day = w.month_day.partition("-")
            return {"kind": "by", "month": int(month), "day": int(day)}
        assert w.start is not None and w.end is not None
        return {"kind": "range", "start": anchor(w.start), "end": anchor(w.end)}

    def score(self, s: ast.Score) -> dict[str, Any]:
        items = []
        total: dict[str, Any] = {"op": "sum"}
        for p in s.parts:
            if isinstance(p, ast.Total):
                total = expr(p.expr)
                continue
            items.append(
                {
                    "name": p.name.text,
                    "unit": {"per_action": "action", "per_student": "student", "per_student_with": "student_with", "manual": "manual"}[
                        p.kind
                    ],
                    "action": p.action.text if p.action is not None else None,
                    "points": _dec(p.points) if p.points is not None else None,
                    "max": _dec(p.cap) if p.cap is not None else None,
                    "source": _source(p.span),
                }
            )
        return {
            "name": s.name.text,
            "title": s.title,
            "period": s.period or "term",
            "items": items,
            "total": total,
            "source": _source(s.span),
        }

    def rating(self, r: ast.Rating) -> dict[str, Any]:
        return {
            "name": r.name.text,
            "score": r.score.text,
            "tiers": [{"name": t.name.text, "when": cond(t.cond), "source": _source(t.span)} for t in r.tiers],
            "source": _source(r.span),
        }


def anchor(a: ast.Anchor) -> dict[str, Any]:
    offset = 0 if a.offset is None else _int(a.offset) * (-1 if a.direction == "before" else 1)
    return {"anchor": a.point, "offset_days": offset}


def cond(c: ast.Cond) -> dict[str, Any]:
    if isinstance(c, ast.And | ast.Or):
        return {"op": "and" if isinstance(c, ast.And) else "or", "args": [cond(a) for a in c.args]}
    if isinstance(c, ast.Not):
        return {"op": "not", "arg": cond(c.arg)}
    if isinstance(c, ast.StudentHas):
        return {"op": "student_has", "tag": c.tag}
    if isinstance(c, ast.MentorHas):
        return {"op": "mentor_has", "tag": c.tag}
    if isinstance(c, ast.GradeIn):
        return {"op": "grade_in", "grades": sorted({_int(g) for g in c.grades})}
    if isinstance(c, ast.ClassIn):
        return {"op": "class_in", "classes": list(dict.fromkeys(c.classes))}
    if isinstance(c, ast.Top):
        return {"op": "top", "percent": _dec(c.percent)}
    if isinstance(c, ast.Compare):
        return {"op": "compare", "item": c.left.text if c.left else None, "cmp": c.op, "value": _dec(c.value)}
    assert isinstance(c, ast.Otherwise)
    return {"op": "otherwise"}


def expr(e: ast.Expr) -> dict[str, Any]:
    if isinstance(e, ast.Num):
        return {"op": "num", "value": _dec(e)}
    if isinstance(e, ast.Ref):
        return {"op": "item", "name": e.name.text}
    if isinstance(e, ast.SumRef):
        return {"op": "sum"}
    if isinstance(e, ast.BinOp):
        return {"op": e.op, "args": [expr(e.left), expr(e.right)]}
    if isinstance(e, ast.Neg):
        return {"op": "neg", "args": [expr(e.arg)]}
    assert isinstance(e, ast.Call)
    return {"op": e.fn, "args": [expr(a) for a in e.args]}


def strip_sources(ir: Any) -> Any:
    """The IR without source positions and file names: what `fmt` must preserve."""
    if isinstance(ir, dict):
        return {k: strip_sources(v) for k, v in ir.items() if k not in ("source", "file", "files")}
    if isinstance(ir, list):
        return [strip_sources(v) for v in ir]
    return ir
