"""A school's tables from a clerk's CSV or Excel file → its rows in the database, through the engine's own loader.

    file_problem(filename, kind) -> Text | None          what is wrong with an upload's name (its type), if anything
    save_upload(root, stream, filename, kind, school_id, user_id) -> Upload   kept under root/<token>/ for the apply
    open_upload(root, token, school_id, user_id) -> Upload | None             the uploader's own, for an hour
    check(session, school, upload) -> Plan               the dry run: every bad row, and what would be added or changed
    apply(session, school, upload, user_id, ...) -> Plan the import, all or nothing in one transaction
    discard(upload)

The file is read by engine.load (find_tables, read_place: CSV in UTF-8 or GB18030, Excel, Chinese headers, the row
numbers Excel shows) and checked by the engine's builder together with what the school has: for each uploaded table,
the database's rows the upload does not name and then the upload's rows; every other table as the database has it. So
an activity naming a student who is only in the database resolves, and a student whose class clashes with the
database's is a bad row of the upload (the database's rows come first, so a clash is the upload's).

The rules (docs/import.md): rows are matched by key (KEYS); a new key is added, a known one updated where a value
differs; a row the upload does not name is never deleted. A column the file does not have keeps the database's values
(a blank cell blanks it). Any bad row or header problem refuses the whole import. Applying a file twice changes nothing.

The modules, in the order they build on one another: rows (columns, keys, limits of a row in text form) · uploads (the
file on disk) · plan (what an upload would do; Refused, Stale) · stored (the school's rows as text) · read (the file
through the engine's loader) · prepare (the uploaded rows made ready for the builder, and the bundle's read back) ·
dry_run (check) · write (apply, in one transaction). This package re-exports only what the rest of the service uses.
"""

from .dry_run import check
from .plan import SHOWN, Plan, Refused, Stale
from .uploads import TTL_SECONDS, WORKBOOK, Upload, discard, file_problem, open_upload, save_upload
from .write import apply

__all__ = ["SHOWN", "TTL_SECONDS", "WORKBOOK", "Plan", "Refused", "Stale", "Upload", "apply", "check", "discard", "file_problem", "open_upload",
           "save_upload"]  # fmt: skip
