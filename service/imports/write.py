"""The import (apply): the upload checked again under a lock on the school, then every added and changed row written
(write: the roster first, then the rows that refer to it, in batched inserts and updates by id), the school's versions
moved and an audit row added, all in one transaction: committed, or rolled back whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from .. import models as m
from .dry_run import check
from .plan import Plan, Refused, Stale, TablePlan
from .rows import Row
from .uploads import Upload, discard


def apply(session: Session, school: m.School, upload: Upload, user_id: int, remote_addr: str = "", digest: str | None = None) -> Plan:
    """Import the upload in one transaction: checked again under a lock on the school, every row written, the school's
    versions moved, an audit row; committed, or rolled back whole. Refused (nothing written) when the upload has a bad
    row or header problem; Stale when `digest` (the dry run the clerk saw) no longer matches. The upload is discarded
    once committed."""
    try:
        # the school's row, locked until commit: another import or a logged activity waits (PostgreSQL row lock; SQLite's
        # single writer), so the check below sees the rows the writes apply to
        session.execute(update(m.School).where(m.School.id == school.id).values(data_version=m.School.data_version))
        plan = check(session, school, upload)
        if not plan.ok:
            raise Refused(plan)
        if digest is not None and digest != plan.digest:
            raise Stale(plan)
        if plan.added or plan.changed:
            roster = any(t.kind != "activities" or t.changed for t in plan.tables if t.added or t.changed)
            version, _ = session.execute(update(m.School).where(m.School.id == school.id)
                                         .values(data_version=m.School.data_version + 1, roster_version=m.School.roster_version + (1 if roster else 0))
                                         .returning(m.School.data_version, m.School.roster_version)).one()  # fmt: skip
            write(session, school.id, plan, user_id, version)
        summary = plan.summary()
        session.add(m.AuditEntry(user_id=user_id, school_id=school.id, action="import", target=f"{upload.name}: {summary.en}"[:200],
                                 remote_addr=remote_addr[:64]))  # fmt: skip
        session.commit()
    except BaseException:
        session.rollback()
        raise
    discard(upload)
    return plan


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for lo in range(0, len(values), size):
        yield values[lo : lo + size]


def _upsert(session: Session, model: Any, added: list[dict[str, Any]], changed: list[dict[str, Any]]) -> None:
    """Insert the new rows and update the changed ones by their id (both in batches)."""
    for part in _chunks(added, 5000):
        session.execute(insert(model), list(part))
    for part in _chunks(changed, 5000):
        session.execute(update(model), list(part))


def write(session: Session, school_id: int, plan: Plan, user_id: int, version: int) -> None:
    """Every added and changed row of the plan, table by table (the roster first: the others refer to it)."""
    by = {t.kind: t for t in plan.tables}
    sid = school_id
    if "mentors" in by:
        _write_mentors(session, sid, by["mentors"])
    if "students" in by:
        _write_students(session, sid, by["students"])
    mentor_pk = dict(session.execute(select(m.Mentor.code, m.Mentor.id).where(m.Mentor.school_id == sid)).all())
    student_pk = dict(session.execute(select(m.Student.code, m.Student.id).where(m.Student.school_id == sid)).all())
    if "assignments" in by:
        t = by["assignments"]
        _upsert(session, m.Assignment,
                [{"school_id": sid, "mentor_id": mentor_pk[r["mentor_id"]], "student_id": student_pk[r["student_id"]], "start": _date(r["start"]),
                  "end": _date(r["end"])} for r in t.added],
                [{"id": pk, "end": _date(r["end"])} for pk, r, _ in t.changed])  # fmt: skip
    if "student_events" in by:  # every column is the key: rows are only ever added
        t = by["student_events"]
        _upsert(session, m.StudentEvent, [{"school_id": sid, "student_id": student_pk[r["student_id"]], "kind": r["kind"], "date": _date(r["date"])}
                                          for r in t.added], [])  # fmt: skip
    if "ratings" in by:
        t = by["ratings"]
        _upsert(session, m.Rating, [{"school_id": sid, "mentor_id": mentor_pk[r["mentor_id"]], "score": r["score"], "item": r["item"],
                                     "value": Decimal(r["value"]), "term": r["term"]} for r in t.added],
                [{"id": pk, "value": Decimal(r["value"])} for pk, r, _ in t.changed])  # fmt: skip
    if "activities" in by:
        _write_activities(session, sid, by["activities"], mentor_pk, student_pk, user_id, version)


def _write_mentors(session: Session, sid: int, t: TablePlan) -> None:
    def values(r: Row) -> dict[str, Any]:
        return {"name": r["name"], "roles": r["roles"], "tags": r["tags"], "class_name": r["class"]}

    _upsert(session, m.Mentor, [{"school_id": sid, "code": r["id"], **values(r)} for r in t.added], [{"id": pk, **values(r)} for pk, r, _ in t.changed])


def _write_students(session: Session, sid: int, t: TablePlan) -> None:
    def values(r: Row) -> dict[str, Any]:
        return {"name": r["name"], "grade": int(r["grade"]), "class_name": r["class"], "tags": r["tags"]}

    _upsert(session, m.Student, [{"school_id": sid, "code": r["id"], **values(r)} for r in t.added], [{"id": pk, **values(r)} for pk, r, _ in t.changed])


def _write_activities(session: Session, sid: int, t: TablePlan, mentor_pk: dict[str, int], student_pk: dict[str, int], user_id: int,
                      version: int) -> None:  # fmt: skip
    """The activities, at the school's new data version, and their students: a changed activity's links replaced whole."""

    def values(r: Row) -> dict[str, Any]:
        return {"action": r["action"], "date": _date(r["date"]), "mentor_id": mentor_pk[r["mentor_id"]], "class_name": r["class"],
                "duration_min": int(r["duration_min"]) if r["duration_min"] else None, "note": r["note"], "data_version": version}  # fmt: skip

    _upsert(session, m.Activity, [{"school_id": sid, "code": r["id"], "created_by": user_id, **values(r)} for r in t.added],
            [{"id": pk, **values(r)} for pk, r, _ in t.changed])  # fmt: skip
    relinked = [(pk, r) for pk, r, old in t.changed if r["student_ids"] != old["student_ids"]]
    for part in _chunks([pk for pk, _ in relinked]):
        session.execute(delete(m.ActivityStudent).where(m.ActivityStudent.activity_id.in_(part)))
    new_pk: dict[str, int] = {}
    for part in _chunks([r["id"] for r in t.added]):
        new_pk.update(session.execute(select(m.Activity.code, m.Activity.id).where(m.Activity.school_id == sid, m.Activity.code.in_(part))).all())
    links = [{"activity_id": pk, "student_id": student_pk[s], "position": i}
             for pk, r in [*((new_pk[r["id"]], r) for r in t.added), *relinked] for i, s in enumerate(x for x in r["student_ids"].split(";") if x)]  # fmt: skip
    for part in _chunks(links, 5000):
        session.execute(insert(m.ActivityStudent), list(part))
