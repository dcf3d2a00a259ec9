"""service/status.py over an engine report: a mentor's student list counts that mentor's pair duties, not a co-mentor's."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from district import ROOT

from engine import evaluate, load_bundle
from rules_dsl.compiler import compile_file
from service.status import STATUSES, mentors_today, student_overview
from synth.generate import generate_school

DAY = dt.date(2025, 12, 10)


def test_a_mentors_student_list_counts_their_own_pairs_only() -> None:
    ir = compile_file(ROOT / "schemes" / "schools" / "plan5.scheme")  # per-pair duties, monthly and fortnightly
    with tempfile.TemporaryDirectory() as tmp:
        generate_school(Path(tmp), students=150, seed=4, school_year="2025-2026", until=DAY, scheme=ir)
        bundle = load_bundle(tmp, skip_bad_rows=True)
    report = evaluate(ir, bundle, DAY)
    shared = [s for s, ms in mentors_today(report).items() if len(ms) > 1] or list(mentors_today(report))
    student = shared[0]
    for mi in mentors_today(report)[student]:
        expected: Counter[str] = Counter()
        for block in report.blocks:
            rows = block.student == student
            if block.scope == "pair":
                rows &= block.mentor == mi
            for code in block.status[rows].tolist():
                status = STATUSES[code]
                expected["overdue" if status == "overdue" else "done" if status in ("satisfied", "exceeded") else
                         "later" if status == "upcoming" else "owed"] += 1  # fmt: skip
        line = student_overview(report, np.array([student]), bundle.mentors[mi].id)[0]
        assert (line.overdue, line.owed, line.done) == (expected["overdue"], expected["owed"], expected["done"])
        assert sorted(line.mentors) == sorted(bundle.mentors[j].name for j in mentors_today(report)[student])
