"""The dry run (check): the upload read, then checked by the engine's builder together with what the school has (for
each uploaded table, the database's rows the upload does not name and then the upload's rows; every other table as the
database has it), and its Plan made: every bad row of the upload, the database's rows it would make bad, what importing
it would add and change, and warnings (among them activities naming an action the scheme in force does not declare).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import Bundle
from engine.errors import BadRow
from engine.load.builder import build
from engine.load.columns import TABLES
from engine.load.table import RawTable
from engine.model.bundle import FileNames
from engine.model.scheme import compile_scheme
from engine.model.warnings import ReportWarning

from .. import models as m
from ..repository import calendar_of, current_scheme, today_at
from .plan import Plan, TablePlan
from .prepare import _bundle_rows, _prepare, _Upload
from .read import read_upload
from .rows import DB_NAMES, _limits, key_of, key_text
from .stored import Stored, _raw, _stored_raw, read_stored
from .uploads import Upload


def check(session: Session, school: m.School, upload: Upload) -> Plan:
    """The dry run: read the upload, check it with the school's rows, and say what importing it would add and change."""
    plan = Plan(upload)
    raw_tables, plan.fatal, notes = read_upload(upload)
    plan.warnings.extend(notes)
    if plan.fatal or any(t.fatal for t in raw_tables.values()):
        plan.fatal.extend(b for t in raw_tables.values() for b in t.fatal)
        plan.bad.extend(b for t in raw_tables.values() for b in t.bad)
        plan.warnings.extend(w for t in raw_tables.values() for w in t.warnings)
        return plan
    stored = read_stored(session, school.id)
    calendar = calendar_of(session, school)
    baseline = build(calendar, {k: _stored_raw(s) for k, s in stored.items()}, skip_bad_rows=True,
                     files=FileNames(**DB_NAMES, calendar="calendar"))  # fmt: skip
    prepared: dict[str, _Upload] = {}
    tables: dict[str, RawTable] = {}
    for kind in TABLES:
        s = stored[kind]
        if kind not in raw_tables:
            tables[kind] = _stored_raw(s)
            continue
        raw = raw_tables[kind]
        up = prepared[kind] = _prepare(kind, raw, s, s.index())
        # the database's rows the upload does not name first, then the upload's
        kept = [r for r in s.rows if key_of(kind, r) not in up.first]
        tables[kind] = _raw(kind, raw.source, kept + up.rows, [key_text(kind, r) for r in kept] + [""] * len(up.rows),
                            [0] * len(kept) + up.lines, bad=raw.bad + up.bad, warnings=raw.warnings, headers=raw.headers)  # fmt: skip
    files = FileNames(**{k: t.source for k, t in tables.items()}, calendar="calendar")
    bundle = build(calendar, tables, skip_bad_rows=True, files=files)
    sources = {raw_tables[k].source: k for k in prepared}
    before = {(b.file, b.column, b.code) for b in baseline.rejected}
    for b in bundle.rejected:
        b = _named(b, sources)
        if b.line:
            plan.bad.append(b)
        elif (b.file, b.column, b.code) in before:
            plan.database.append(b)
        else:
            plan.database_new.append(b)
    for kind, up in prepared.items():
        plan.tables.append(_table_plan(kind, up, bundle, stored[kind], plan.bad))
    rank = {source: TABLES.index(kind) for source, kind in sources.items()}
    plan.bad.sort(key=lambda b: (rank.get(b.file, len(TABLES)), b.file, b.line))
    if plan.bad:
        # a bad uploaded row stands in for the database's row of its key all the same, so the database's rows that
        # refer to it look bad too: that is the upload's problem, already listed, and nothing is imported while it lasts
        plan.database_new = []
    upload_sources = set(sources) | {upload.name}
    plan.warnings.extend(w for w in bundle.warnings if w.file in upload_sources and (w.code != "far-from-the-year" or w.lines))
    plan.warnings.extend(_unknown_actions(session, school, plan))
    return plan


def _named(b: BadRow, sources: dict[str, str]) -> BadRow:
    """A bad row of a database row in an uploaded table is named as the database's (`students (database)[S1]`), not the file's."""
    file, reason, reason_zh = b.file, b.reason, b.reason_zh
    for source, kind in sources.items():
        if not b.line and file.startswith(source + "["):
            file = DB_NAMES[kind] + file[len(source) :]
        reason, reason_zh = reason.replace(source + "[", DB_NAMES[kind] + "["), reason_zh.replace(source + "[", DB_NAMES[kind] + "[")
    if (file, reason, reason_zh) == (b.file, b.reason, b.reason_zh):
        return b
    return BadRow(file, b.line, b.column, b.code, reason, reason_zh)


def _table_plan(kind: str, up: _Upload, bundle: Bundle, stored: Stored, bad: list[BadRow]) -> TablePlan:
    plan = TablePlan(kind, up.raw.source, dict(up.raw.headers))
    at = stored.index()
    by_line = {line: row for line, row in zip(up.lines, up.rows, strict=True)}
    kept = 0
    for row, line in _bundle_rows(kind, bundle):
        key = key_of(kind, row)
        if kind == "activities":
            row["note"] = by_line[line]["note"]
        elif key not in up.first:
            continue  # the database's own
        line = line or up.first[key]
        problem = _limits(kind, row, plan.headers)
        if problem is not None:
            bad.append(BadRow(up.raw.source, line, *problem))
            continue
        kept += 1
        j = at.get(key)
        if j is None:
            plan.added.append(row)
        elif plan.differing(row, stored.rows[j]):
            plan.changed.append((stored.pks[j], row, stored.rows[j]))
        else:
            plan.unchanged += 1
    plan.bad = len(up.rows) + len(up.raw.bad) + len(up.bad) - kept
    return plan


def _unknown_actions(session: Session, school: m.School, plan: Plan) -> list[ReportWarning]:
    """Uploaded activities naming an action the scheme in force does not declare: they will be kept but counted for nothing."""
    acts = next((t for t in plan.tables if t.kind == "activities"), None)
    if acts is None:
        return []
    version = current_scheme(session, school.id, today_at(school))
    if version is None:
        return []
    known = {a.name for a in compile_scheme(version.ir).actions}
    unknown: dict[str, int] = {}
    for row in [*acts.added, *(new for _, new, _ in acts.changed)]:
        if row["action"] not in known:
            unknown[row["action"]] = unknown.get(row["action"], 0) + 1
    if not unknown:
        return []
    listed_en = ", ".join(f"'{a}' ({n})" for a, n in sorted(unknown.items()))
    listed_zh = "、".join(f"“{a}”（{n} 条）" for a, n in sorted(unknown.items()))
    return [ReportWarning("unknown-action", f"{acts.source}: the scheme in force declares no action {listed_en}: such activities are kept but count for no duty",
                          f"{acts.source}：现行方案中没有动作 {listed_zh}：这些活动会保存，但不计入任何任务", acts.source, ())]  # fmt: skip
