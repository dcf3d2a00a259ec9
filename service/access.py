"""Who may see what: the one place every request is checked (before any view runs).

Each view declares its policy with `@allow(...)`; `enforce()` runs before every request and looks
the endpoint's policy up. An endpoint without one is refused (and the access-matrix test fails),
so a new page cannot be reachable by accident.

Roles: mentor (their own students and activities), head_teacher (their class, and their own
students), school_admin (their school), district (their district's schools, in aggregate only:
no page here names a student, so district staff reach none of them). An object outside a user's
reach is answered 404, the same as one that does not exist; a page outside a role's reach, 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from . import models as m

STAFF = ("mentor", "head_teacher", "school_admin")
TEACHERS = ("mentor", "head_teacher")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    roles: tuple[str, ...]  # empty: anyone, signed in or not
    school: bool = False  # the view's `school_id` must be the user's own school
    student: bool = False  # the view's `student_id` must be a student the user may see
    audit: str | None = None  # an audit row for every request (view-student, export)


PUBLIC = Policy(())


def allow(*roles: str, school: bool = False, student: bool = False, audit: str | None = None) -> Callable[[F], F]:
    """Declare a view's policy; the endpoint is filled in when the blueprint registers the view (see `register`)."""

    def mark(view: F) -> F:
        view._policy = Policy(tuple(roles), school, student, audit)  # type: ignore[attr-defined]
        return view

    return mark


def register(app: Any) -> None:
    """Collect every view's declared policy by endpoint (kept on the app), and check each request against it."""
    policies = {endpoint: view._policy for endpoint, view in app.view_functions.items() if hasattr(view, "_policy")}
    policies["static"] = PUBLIC
    app.extensions["access_policies"] = policies
    app.before_request(enforce)


def policies() -> dict[str, Policy]:
    return current_app.extensions["access_policies"]  # type: ignore[no-any-return]


def session() -> Session:
    return g.db  # type: ignore[no-any-return]


def enforce() -> Any:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such route: Flask answers 404
    policy = policies().get(endpoint)
    if policy is None:
        current_app.logger.error("no access policy for endpoint %s: refused", endpoint)
        abort(403)
    if not policy.roles:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    user: m.User = current_user.user
    if user.role not in policy.roles:
        abort(403)
    args = request.view_args or {}
    if policy.school and args.get("school_id") != user.school_id:
        abort(404)
    if policy.student:
        student = session().get(m.Student, args.get("student_id"))
        if student is None or not may_see_student(session(), user, student):
            abort(404)
        g.student = student
    if policy.audit:
        audit(policy.audit, target=_target(args))
    return None


def _target(args: dict[str, Any]) -> str:
    student = g.get("student")
    if student is not None:
        return f"student:{student.code}"
    return request.path


def may_see_student(db: Session, user: m.User, student: m.Student) -> bool:
    """A school admin sees their school's students; a head teacher, their class's and their own; a mentor, their own."""
    if user.role not in STAFF or student.school_id != user.school_id:
        return False
    if user.role == "school_admin":
        return True
    if user.role == "head_teacher" and user.class_name and student.class_name == user.class_name:
        return True
    return user.mentor_id is not None and bool(db.scalar(select(exists().where(
        m.Assignment.mentor_id == user.mentor_id, m.Assignment.student_id == student.id))))  # fmt: skip


def audit(action: str, target: str = "", school_id: int | None = None) -> None:
    """One audit row, committed with the request's other writes (or alone, for a read)."""
    user = current_user.user if current_user.is_authenticated else None
    db = session()
    db.add(m.AuditEntry(user_id=user.id if user else None, school_id=school_id if school_id is not None else (user.school_id if user else None),
                        action=action, target=target[:200], remote_addr=(request.remote_addr or "")[:64]))  # fmt: skip
    db.commit()
