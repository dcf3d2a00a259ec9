"""The engine: a compiled scheme + a school data bundle + a date → a report (SPEC §3–§6).

    load_bundle(folder, skip_bad_rows=False) -> Bundle          CSV, Excel, GB18030, Chinese headers
    bundle_from_rows(calendar, mentors, students, …) -> Bundle  typed rows
    bundle_from_columns(calendar, tables, keys, …) -> Bundle    a database's tables as Arrow columns
    bundle_with_activities(bundle, activities, …) -> Bundle     more activities appended, the rest not rebuilt
    evaluate(scheme_ir, bundle, as_of, term_id=None) -> Report
    Report.to_json() -> dict (SPEC §6)

The pipeline: model/ (plain values) ← load/ (sources → builder) → evaluation/ → report/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .errors import BadRow, BadRowsError, BundleError, BundleFileError, SchemeIRError, UnknownTermError
from .evaluation.evaluate import evaluate_all
from .load import bundle_from_columns, bundle_from_rows, bundle_with_activities, load_bundle
from .model.bundle import Bundle
from .model.scheme import Scheme
from .report.report import Report


def evaluate(scheme_ir: Mapping[str, Any] | Scheme, bundle: Bundle, as_of: dt.date, term_id: str | None = None) -> Report:
    """Every duty, ratio and score of the scheme on the bundle's data as of `as_of` (engine/evaluation/evaluate.py)."""
    return Report(*evaluate_all(scheme_ir, bundle, as_of, term_id))


__all__ = ["BadRow", "BadRowsError", "Bundle", "BundleError", "BundleFileError", "Report", "SchemeIRError", "UnknownTermError",
           "bundle_from_columns", "bundle_from_rows", "bundle_with_activities", "evaluate", "load_bundle"]  # fmt: skip
