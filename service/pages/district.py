"""The district page: the district's schools side by side — each scheme, its conformance to the baseline it claims
(`conforms to`), and completion per duty — in aggregate only, as HTML and as JSON.

District staff never see a child: no name, note or tag reaches these pages (the counterexamples of the prover are
hypothetical students, described by their kind). Counts under 5 are not shown, and since a rate reveals both counts
and the complement of a count reveals the count, a cell is shown only when the duties begun, those done and those
not done are all at least 5; no totals are shown, so no hidden cell can be subtracted back.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select

from conformance.compare import rows
from conformance.prove import STATUS_ZH, conformance
from conformance.witness import with_counterexamples
from rules_dsl.baselines import find_baseline
from rules_dsl.compiler import compile_file

from .. import models as m
from ..access import allow
from ..i18n import current_lang, t
from ..status import completion
from .common import evaluation

bp = Blueprint("district", __name__)

SMALLEST = 5  # no count under this is shown, nor any figure it could be worked back from


def shown(done: int, begun: int) -> dict[str, Any]:
    """A completion cell: begun and the rate, or nothing where a count under SMALLEST could be read from it."""
    if begun < SMALLEST or done < SMALLEST or begun - done < SMALLEST:
        return {"begun": begun if begun >= SMALLEST else None, "percent": None, "suppressed": True}
    return {"begun": begun, "percent": round(100.0 * done / begun, 1), "suppressed": False}


def _baseline(name: str | None) -> dict[str, Any] | None:
    """A shipped baseline by name, compiled; None when there is no such baseline."""
    path = find_baseline(name, "") if name else None
    return compile_file(path) if path is not None else None


def _verdicts(ev: Any, scheme_ir: dict[str, Any], district: m.District | None, district_base: dict[str, Any] | None) -> dict[str, Any] | None:
    """The scheme proved against the district's baseline, else against the one its `conforms to` names (memoised with
    the evaluation)."""
    published = district.baseline if district is not None else None
    claim = published or scheme_ir.get("conforms_to")
    if not claim:
        return None
    key = ("conformance", claim)
    if key not in ev.memo:
        base = district_base if claim == published else _baseline(claim)
        if base is None:
            ev.memo[key] = {"baseline": claim, "found": False, "verdicts": []}
        else:
            found = with_counterexamples(scheme_ir, base, conformance(scheme_ir, base))
            ev.memo[key] = {"baseline": base["title"], "found": True,
                            # the counterexample's data stays out: its words are in the reason
                            "verdicts": [{k: x for k, x in v.to_json().items() if k != "counterexample"} for v in found]}  # fmt: skip
    return ev.memo[key]  # type: ignore[no-any-return]


def district_view() -> dict[str, Any]:
    """Every school of the signed-in district user's district, aggregated."""
    district = g.db.get(m.District, current_user.user.district_id)
    district_base = _baseline(district.baseline) if district is not None else None  # compiled once, for the verdicts and the table
    schools = g.db.scalars(select(m.School).where(m.School.district_id == district.id).order_by(m.School.id)).all() if district else []
    out = []
    schemes: list[tuple[str, dict[str, Any]]] = []
    actions: dict[str, dict[int, dict[str, Any]]] = {}
    for sch in schools:
        ev = evaluation(sch)
        if ev is None:
            out.append({"id": sch.id, "name": sch.name, "scheme": None, "conformance": None, "duties": []})
            continue
        c = completion(ev.report)
        ir = ev.version.ir
        schemes.append((sch.name, ir))
        for action, (done, begun) in c.by_action.items():
            actions.setdefault(action, {})[sch.id] = shown(done, begun)
        out.append({
            "id": sch.id, "name": sch.name, "scheme": {"title": ir["title"], "conforms_to": ir.get("conforms_to")},
            "conformance": _verdicts(ev, ir, district, district_base),
            "duties": [{"duty": label, **shown(done, begun)} for label, done, _late, begun in c.by_rule],
        })  # fmt: skip
    side_by_side = [{"action": a, "schools": [{"id": s["id"], **cells.get(s["id"], {"begun": None, "percent": None, "suppressed": False})}
                                              for s in out]} for a, cells in actions.items()]  # fmt: skip
    return {"district": district.name if district else None, "schools": out, "by_action": side_by_side, "smallest": SMALLEST,
            "schemes": _schemes_side_by_side(district_base, schemes)}  # fmt: skip


def _schemes_side_by_side(district_base: dict[str, Any] | None, schemes: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The schemes' requirements per action, ratio and score (conformance/compare.py), the district's baseline first:
    scheme text only, no data."""
    columns = ([(t("区基线", "district baseline"), district_base)] if district_base is not None else []) + schemes
    if not columns:
        return {"columns": [], "rows": []}
    table = rows([ir for _, ir in columns], current_lang())
    return {"columns": [{"school": who, "title": ir["title"], "baseline": ir.get("kind") == "baseline"} for who, ir in columns],
            "rows": [{"kind": r.kind, "key": r.key, "cells": [list(c) for c in r.cells], "per_term": list(r.per_term)} for r in table]}  # fmt: skip


@bp.route("/district")
@allow("district")
def page() -> Any:
    view = district_view()
    charts = {s["id"]: json.dumps({"kind": "bar", "horizontal": True, "percent": True, "categories": [d["duty"] for d in s["duties"]],
                                   "series": [{"name": t("完成率 %", "done %"), "data": [d["percent"] for d in s["duties"]]}]},
                                  ensure_ascii=False) for s in view["schools"]}  # fmt: skip
    names = [s["name"] for s in view["schools"]]
    across = json.dumps({"kind": "bar", "percent": True, "categories": [row["action"] for row in view["by_action"]],
                         "series": [{"name": name, "data": [row["schools"][i]["percent"] for row in view["by_action"]]}
                                    for i, name in enumerate(names)]}, ensure_ascii=False)  # fmt: skip
    return render_template("district.html", view=view, charts=charts, across=across, status_zh=STATUS_ZH)


@bp.route("/api/district")
@allow("district")
def api() -> Any:
    return jsonify(district_view())
