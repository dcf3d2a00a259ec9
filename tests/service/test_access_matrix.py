"""Every route × every role × own/other school → the exact status (votingworks/arlo's test_auth, Zulip's URL coverage).

The table below must name every endpoint of `app.url_map`: a new route without an entry fails
`test_every_route_is_in_the_matrix`, so no page becomes reachable without someone deciding who may reach it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from service import models as m

ROLES = ("anonymous", "mentor", "head_teacher", "school_admin", "district")
USER = {"mentor": "mentor1a", "head_teacher": "head1", "school_admin": "admin1", "district": "district"}


def objects(app: Any) -> dict[str, Any]:
    """Ids the paths need: the two schools, a student of mentor1a, one of head1's class, one of neither, one of school 2."""
    info = app.config["info"]
    s1, s2 = info["schools"]
    with app.extensions["db_sessions"]() as db:
        mentor = info["users"]["mentor1a"]["mentor_id"]
        head = db.scalar(select(m.User).where(m.User.username == "head1"))
        own = db.scalar(select(m.Assignment.student_id).where(m.Assignment.mentor_id == mentor).order_by(m.Assignment.student_id))
        mentees = set(db.scalars(select(m.Assignment.student_id).where(m.Assignment.mentor_id.in_([mentor, head.mentor_id]))))
        in_class = db.scalar(select(m.Student.id).where(m.Student.school_id == s1, m.Student.class_name == head.class_name,
                                                        m.Student.id.not_in(mentees)).order_by(m.Student.id))  # fmt: skip
        neither = db.scalar(select(m.Student.id).where(m.Student.school_id == s1, m.Student.class_name != head.class_name,
                                                       m.Student.id.not_in(mentees)).order_by(m.Student.id))  # fmt: skip
        other = db.scalar(select(m.Student.id).where(m.Student.school_id == s2).order_by(m.Student.id))
    return {"s1": s1, "s2": s2, "own": own, "in_class": in_class, "neither": neither, "other": other}


Case = tuple[str, str, dict[str, Any] | None, dict[str, int]]  # method, path, form data (POST), expected status per role


def _all(status: int, **overrides: int) -> dict[str, int]:
    out = {role: status for role in ROLES}
    out.update(overrides)
    return out


BOGUS = "A" * 32  # an upload token nobody holds
SIGNED = {"anonymous": 302}  # any page behind sign-in sends the anonymous to /login


def cases(o: dict[str, Any]) -> dict[str, list[Case]]:
    s1, s2 = o["s1"], o["s2"]
    teachers = dict(SIGNED, mentor=200, head_teacher=200, school_admin=403, district=403)
    admin_only_own = dict(SIGNED, mentor=403, head_teacher=403, school_admin=200, district=403)
    admin_only_other = dict(SIGNED, mentor=403, head_teacher=403, school_admin=404, district=403)
    return {
        "static": [("GET", "/static/css/app.css", None, _all(200))],
        "auth.index": [("GET", "/", None, _all(302))],
        "auth.login": [("GET", "/login", None, _all(200))],
        "auth.logout": [("POST", "/logout", {}, dict(SIGNED, mentor=302, head_teacher=302, school_admin=302, district=302))],
        "auth.account": [("GET", "/account", None, dict(SIGNED, mentor=200, head_teacher=200, school_admin=200, district=200))],
        "i18n.switch": [("POST", "/lang/en", {}, _all(302))],
        "mentor.me": [("GET", "/me", None, teachers)],
        "district.page": [("GET", "/district", None, dict(SIGNED, mentor=403, head_teacher=403, school_admin=403, district=200))],
        "district.api": [("GET", "/api/district", None, dict(anonymous=401, mentor=403, head_teacher=403, school_admin=403, district=200))],
        "mentor.log": [("POST", "/me/log", {}, dict(teachers, mentor=400, head_teacher=400))],  # signed-in teachers: an empty form
        "students.show": [
            ("GET", f"/students/{o['own']}", None, dict(SIGNED, mentor=200, head_teacher=404, school_admin=200, district=403)),
            ("GET", f"/students/{o['in_class']}", None, dict(SIGNED, mentor=404, head_teacher=200, school_admin=200, district=403)),
            ("GET", f"/students/{o['neither']}", None, dict(SIGNED, mentor=404, head_teacher=404, school_admin=200, district=403)),
            ("GET", f"/students/{o['other']}", None, dict(SIGNED, mentor=404, head_teacher=404, school_admin=404, district=403)),
            ("GET", "/students/999999", None, dict(SIGNED, mentor=404, head_teacher=404, school_admin=404, district=403)),
        ],
        "school.dashboard": [("GET", f"/schools/{s1}/dashboard", None, admin_only_own), ("GET", f"/schools/{s2}/dashboard", None, admin_only_other)],
        "school.export": [("GET", f"/schools/{s1}/export.csv", None, admin_only_own), ("GET", f"/schools/{s1}/export.xlsx", None, admin_only_own),
                          ("GET", f"/schools/{s2}/export.csv", None, admin_only_other)],  # fmt: skip
        "scheme.show": [("GET", f"/schools/{s1}/scheme", None, dict(SIGNED, mentor=200, head_teacher=200, school_admin=200, district=403)),
                        ("GET", f"/schools/{s2}/scheme", None, dict(SIGNED, mentor=404, head_teacher=404, school_admin=404, district=403))],
        "scheme.upload": [("POST", f"/schools/{s1}/scheme", {}, dict(admin_only_own, school_admin=400)),
                          ("POST", f"/schools/{s2}/scheme", {}, admin_only_other)],
        "scheme.diff": [("GET", f"/schools/{s1}/scheme/diff?a=1&b=1", None, dict(SIGNED, mentor=200, head_teacher=200, school_admin=200, district=403)),
                        ("GET", f"/schools/{s2}/scheme/diff?a=1&b=1", None, dict(SIGNED, mentor=404, head_teacher=404, school_admin=404, district=403))],
        "imports.page": [("GET", f"/schools/{s1}/import", None, admin_only_own), ("GET", f"/schools/{s2}/import", None, admin_only_other)],
        "imports.upload": [("POST", f"/schools/{s1}/import", {}, dict(admin_only_own, school_admin=400)),  # an empty form
                           ("POST", f"/schools/{s2}/import", {}, admin_only_other)],
        # a well-formed token nobody holds: 404 for the school's admin, as for any upload not theirs
        "imports.check": [("GET", f"/schools/{s1}/import/{BOGUS}", None, dict(admin_only_own, school_admin=404)),
                          ("GET", f"/schools/{s2}/import/{BOGUS}", None, admin_only_other)],
        "imports.apply": [("POST", f"/schools/{s1}/import/{BOGUS}/apply", {}, dict(admin_only_own, school_admin=404)),
                          ("POST", f"/schools/{s2}/import/{BOGUS}/apply", {}, admin_only_other)],
        "imports.discard": [("POST", f"/schools/{s1}/import/{BOGUS}/discard", {}, dict(admin_only_own, school_admin=404)),
                            ("POST", f"/schools/{s2}/import/{BOGUS}/discard", {}, admin_only_other)],
    }  # fmt: skip


def test_every_route_is_in_the_matrix(app: Any) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = set(cases(objects(app)))
    assert endpoints - covered == set(), "routes without an access-matrix entry"
    assert covered - endpoints == set(), "matrix entries for routes that no longer exist"


def test_every_route_has_an_access_policy(app: Any) -> None:
    """access.enforce refuses an endpoint without a declared policy; none may be missing."""
    policies = app.extensions["access_policies"]
    assert {rule.endpoint for rule in app.url_map.iter_rules()} <= set(policies)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_expected_status_everywhere(app: Any, login: Any, client: Any, role: str) -> None:
    o = objects(app)
    wrong = []
    for endpoint, rows in cases(o).items():
        for method, path, data, expected in rows:
            c = client if role == "anonymous" else login(USER[role])  # a fresh session per request: logout must not end the others
            r = c.get(path) if method == "GET" else c.post(path, data, csrf_from="/login")
            got = r.status_code
            if got != expected[role]:
                wrong.append(f"{role} {method} {path} ({endpoint}): {got}, expected {expected[role]}")
            # every answer, refusals included, carries the security headers; no page is kept by the browser
            csp = r.headers.get("Content-Security-Policy", "")
            if "script-src 'self'" not in csp or "frame-ancestors 'none'" not in csp or r.headers.get("X-Content-Type-Options") != "nosniff":
                wrong.append(f"{role} {method} {path}: security headers missing")
            if endpoint != "static" and r.headers.get("Cache-Control") != "no-store":
                wrong.append(f"{role} {method} {path}: may be cached")
    assert wrong == []
