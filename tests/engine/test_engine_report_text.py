"""Report.dumps() writes the duties through a fast path: it must be byte for byte json.dumps(to_json()).

The fast path exists for speed only (engine/report.py `_block_text`); these tests pin it to
the json module on every edge case and on every seed scheme over a generated school, which
between them have every scope, event windows, labels, `between` bounds and grace.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from school import case_school, to_bundle

from engine import BadRowsError, evaluate, load_bundle
from engine.report.report import Report
from rules_dsl.compiler import compile_file, compile_text
from synth.generate import generate_school

CASES = sorted((Path(__file__).parent / "cases").rglob("*.yaml"))
SCHEMES = sorted((Path(__file__).resolve().parents[2] / "schemes").rglob("*.scheme"))


def _case_report(path: Path) -> Report | None:
    """The report of a YAML edge case; None for the cases whose point is that evaluation refuses."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    ir = compile_text(case["scheme"], "case.scheme")
    try:
        return evaluate(ir, to_bundle(case_school(case), skip_bad_rows=bool(case.get("skip_bad_rows"))), case["as_of"], case.get("term"))
    except BadRowsError:
        return None


def _same_text(report) -> None:  # type: ignore[no-untyped-def]
    assert report.dumps() == json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    assert report.dumps(indent=None) == json.dumps(report.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(p.parents[1])) for p in CASES])
def test_dumps_matches_the_json_module_on_every_case(path: Path) -> None:
    report = _case_report(path)
    if report is not None:
        _same_text(report)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("school")
    generate_school(out, students=150, seed=3, activities=6000)
    return out


@pytest.mark.parametrize("path", SCHEMES, ids=[p.name for p in SCHEMES])
def test_dumps_matches_the_json_module_on_every_seed_scheme(path: Path, generated: Path) -> None:
    bundle = load_bundle(generated, skip_bad_rows=True)
    for as_of in (dt.date(2025, 10, 20), dt.date(2026, 3, 1)):
        _same_text(evaluate(compile_file(path), bundle, as_of))


def _same_duties(report) -> None:  # type: ignore[no-untyped-def]
    """The column-wise duties() against the duty-by-duty reference, and against to_json()."""
    reference = [d for block in report.blocks for d in report._block_duties(block)]
    fast = list(report.duties())
    assert fast == reference
    assert [d.to_json() for d in fast] == report.to_json()["duties"]


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(p.parents[1])) for p in CASES])
def test_duties_match_the_reference_on_every_case(path: Path) -> None:
    report = _case_report(path)
    if report is not None:
        _same_duties(report)


@pytest.mark.parametrize("path", SCHEMES, ids=[p.name for p in SCHEMES])
def test_duties_match_the_reference_on_every_seed_scheme(path: Path, generated: Path) -> None:
    bundle = load_bundle(generated, skip_bad_rows=True)
    for as_of in (dt.date(2025, 10, 20), dt.date(2026, 3, 1)):
        _same_duties(evaluate(compile_file(path), bundle, as_of))
