"""The engine and the naive oracle (tests/engine/naive.py) agree on every duty, ratio and score."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import naive_report
from school import normalise, to_bundle, write_folder
from strategies import ratings_rows, schemes, schools

from engine import evaluate, load_bundle
from engine.report.report import report_schema

VALIDATOR = jsonschema.Draft202012Validator(report_schema())


def compare(ir: dict[str, Any], school: dict[str, Any], as_of: dt.date, term_id: str | None, via_csv: Path | None = None) -> None:
    school = normalise(school)
    bundle = load_bundle(write_folder(school, via_csv)) if via_csv is not None else to_bundle(school)
    report = evaluate(ir, bundle, as_of, term_id).to_json()
    VALIDATOR.validate(report)
    expected = naive_report(ir, school, as_of, term_id)
    assert report["term"]["id"] == expected["term"]
    got, want = report["duties"], expected["duties"]
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, f"duty {i} differs:\nengine {g}\nnaive  {w}"
    assert len(got) == len(want)
    assert report["ratios"] == expected["ratios"]
    assert report["scores"] == expected["scores"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dt.date, str | None, bool]:
    school = draw(schools())
    ir = draw(schemes())
    school["ratings"] = draw(ratings_rows(school, ir))
    cal = school["calendar"]
    first, last = cal["terms"][0]["start"], cal["terms"][-1]["end"]
    as_of = first + dt.timedelta(days=draw(st.integers(-30, (last - first).days + 30)))
    term_id = draw(st.none() | st.sampled_from([t["id"] for t in cal["terms"]])) if draw(st.integers(0, 4)) == 0 else None
    return ir, school, as_of, term_id, draw(st.integers(0, 9)) == 0


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_engine_agrees_with_naive_oracle(case: tuple[dict[str, Any], dict[str, Any], dt.date, str | None, bool]) -> None:
    """Random small schools, schemes and dates: every duty, ratio and score is the same as the brute-force reading of SPEC §4
    (one case in ten goes through CSV files and the loader instead of Bundle.from_rows)."""
    ir, school, as_of, term_id, via_csv = case
    if via_csv:
        with tempfile.TemporaryDirectory() as tmp:
            compare(ir, school, as_of, term_id, Path(tmp) / "bundle")
    else:
        compare(ir, school, as_of, term_id)
