"""Data-driven edge cases: tests/engine/cases/<topic>/*.yaml, one parametrised test runs them all.

Each case has `note`, `scheme` (scheme text), the bundle rows (`calendar`, `mentors`,
`students`, `assignments`, `activities`, `student_events`, `ratings`), `as_of`, optional
`term`, and `expect`: the evaluated `term`, and lists of `duties` / `ratios` / `scores`
(complete and in report order; each entry compares only the fields it names), `warnings`
(codes), or `error` (substrings of the BadRowsError, for bundles that must not load) and
`rejected` (with `skip_bad_rows: true`). Every case is also run through the CSV reader and
the naive oracle, and its report is validated against the report schema.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from naive import naive_report
from school import case_school, to_bundle, write_folder

from engine import BadRowsError, evaluate, load_bundle
from engine.report.report import report_schema
from rules_dsl.compiler import compile_text

CASES = sorted((Path(__file__).parent / "cases").rglob("*.yaml"))


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _subset(got: list[dict[str, Any]], want: list[dict[str, Any]], what: str) -> None:
    assert len(got) == len(want), f"{len(got)} {what}, expected {len(want)}:\n" + "\n".join(map(str, got))
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        w = _plain(w)
        picked = {k: g[k] for k in w}
        assert picked == w, f"{what} #{i}: got {picked}, expected {w}"


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(p.parents[1])) for p in CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case.get("note"), "every case says what it pins down"
    ir = compile_text(case["scheme"], "case.scheme")
    school = case_school(case)
    expect = case["expect"]
    skip = bool(case.get("skip_bad_rows"))
    if "error" in expect:
        with pytest.raises(BadRowsError) as err:
            evaluate(ir, to_bundle(school), case["as_of"], case.get("term"))
        for text in expect["error"]:
            assert text in str(err.value), str(err.value)
        return
    report = evaluate(ir, to_bundle(school, skip_bad_rows=skip), case["as_of"], case.get("term")).to_json()
    jsonschema.validate(report, report_schema())
    from_csv = evaluate(
        ir, load_bundle(write_folder(school, tmp_path / "bundle", bom=True), skip_bad_rows=skip), case["as_of"], case.get("term")
    ).to_json()
    assert from_csv["duties"] == report["duties"] and from_csv["scores"] == report["scores"] and from_csv["ratios"] == report["ratios"]
    if "term" in expect:
        assert report["term"]["id"] == str(expect["term"])
    for key in ("duties", "ratios", "scores"):
        if key in expect:
            _subset(report[key], expect[key], key)
    if "warnings" in expect:
        assert [w["code"] for w in report["warnings"]] == expect["warnings"], report["warnings"]
    if "rejected" in expect:
        assert [f"{r['file']}:{r['line']}: {r['column']}" for r in report["rejected"]] == expect["rejected"]
    if "summary" in expect:
        assert report["summary"] == expect["summary"]
    oracle = naive_report(ir, school, case["as_of"], case.get("term"))
    if not skip:
        assert report["duties"] == oracle["duties"]
        assert report["ratios"] == oracle["ratios"]
        assert report["scores"] == oracle["scores"]


def test_the_tie_warning_counts_the_places_left_rounding_up() -> None:
    """⌈n × N / 100⌉ places: 3 mentors at 2, 1, 1 under top 50% have 2 places, the 2 takes one, the tied 1s miss
    the one left and the warning says so (a floor division said 0)."""
    from school import case_school, to_bundle

    case = {"scheme": 'scheme "t"\naction 谈心 "t"\nscore s per term { item a: manual }\nrating r for s { 优: top 50%  合格: otherwise }\n',
            "calendar": {"school_year": "2025-2026", "terms": [{"id": "T1", "start": dt.date(2025, 9, 1), "end": dt.date(2026, 1, 16)}]},
            "mentors": [{"id": "M1"}, {"id": "M2"}, {"id": "M3"}],
            "ratings": [{"mentor_id": m, "score": "s", "item": "a", "value": v, "term": "T1"} for m, v in (("M1", 2), ("M2", 1), ("M3", 1))]}
    report = evaluate(compile_text(case["scheme"], "t.scheme"), to_bundle(case_school(case)), dt.date(2025, 10, 1)).to_json()
    assert [s["rating"] for s in report["scores"]] == ["优", "合格", "合格"]
    tie = next(w for w in report["warnings"] if w["code"] == "rating-tie")
    assert "last 1 place" in tie["message"] and "M2, M3" in tie["message"]
