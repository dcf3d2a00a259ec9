"""The engine: a compiled scheme + a school data bundle + a date → a report (SPEC §3–§6).

load_bundle(folder, skip_bad_rows=False) -> Bundle
Bundle.from_rows(calendar, mentors, students, assignments, activities, ...) -> Bundle
evaluate(scheme_ir, bundle, as_of, term_id=None) -> Report
Report.to_json() -> dict (SPEC §6)
"""

from .bundle import Bundle, load_bundle
from .errors import BadRow, BadRowsError, BundleError, BundleFileError, SchemeIRError, UnknownTermError
from .evaluate import evaluate
from .report import Report

__all__ = ["BadRow", "BadRowsError", "Bundle", "BundleError", "BundleFileError", "Report", "SchemeIRError", "UnknownTermError",
           "evaluate", "load_bundle"]  # fmt: skip
