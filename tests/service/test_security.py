"""Sessions, CSRF, headers, timeouts, disabling, rate limiting and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import Client
from district import PASSWORD
from sqlalchemy import select, update

from service import create_app
from service import models as m


def _db(app: Any) -> Any:
    return app.extensions["db_sessions"]()


def test_every_form_needs_its_csrf_token(login: Any, client: Any) -> None:
    assert client.post("/login", {"username": "admin1", "password": PASSWORD}).status_code == 400
    c = login("mentor1a")
    assert c.post("/me/log", {"action": "谈心"}).status_code == 400
    assert c.post("/logout", {}).status_code == 400
    assert c.get("/me").status_code == 200  # still signed in: the refused logout did nothing


def test_security_headers_on_every_page(login: Any, app: Any) -> None:
    c = login("admin1")
    s1 = app.config["info"]["schools"][0]
    for path in ["/login", "/account", f"/schools/{s1}/dashboard", f"/schools/{s1}/scheme", f"/schools/{s1}/import", "/nowhere"]:
        r = c.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Referrer-Policy"] == "same-origin", path
        assert r.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in c.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_the_session_cookie_is_secure_httponly_and_samesite(client: Any) -> None:
    r = client.login("mentor1a")
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("mentorship_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signing_in_makes_a_new_session_and_signing_out_ends_it_on_the_server(app: Any, client: Any) -> None:
    client.get("/login")
    before = client.c.get_cookie("mentorship_session", domain="localhost").value
    client.login("mentor1a")
    after = client.c.get_cookie("mentorship_session", domain="localhost").value
    assert before != after
    assert client.get("/me").status_code == 200
    # the cookie as it was while signed in, replayed after sign-out, opens nothing
    client.post("/logout", {}, csrf_from="/me")
    client.c.set_cookie("mentorship_session", after, domain="localhost", secure=True)
    r = client.get("/me")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_an_idle_session_and_an_old_session_end(app: Any, login: Any) -> None:
    for column, age in (("last_seen", dt.timedelta(minutes=app.config["IDLE_MINUTES"] + 1)), ("created_at", dt.timedelta(hours=app.config["ABSOLUTE_HOURS"] + 1))):
        c = login("mentor1a")
        with _db(app) as db:
            user_id = db.scalar(select(m.User.id).where(m.User.username == "mentor1a"))
            db.execute(update(m.LoginSession).where(m.LoginSession.user_id == user_id, m.LoginSession.ended_at.is_(None))
                       .values({column: m.utcnow() - age}))  # fmt: skip
            db.commit()
        r = c.get("/me")
        assert r.status_code == 302 and "/login" in r.headers["Location"], column
        with _db(app) as db:
            assert db.scalar(select(m.LoginSession).where(m.LoginSession.user_id == user_id, m.LoginSession.ended_at.is_(None))) is None


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in(app: Any, login: Any, client: Any) -> None:
    c = login("mentor1a")
    with _db(app) as db:
        db.execute(update(m.User).where(m.User.username == "mentor1a").values(disabled=True))
        db.commit()
    assert c.get("/me").status_code == 302
    assert client.login("mentor1a").status_code == 401
    assert client.login("gone").status_code == 401  # disabled from the start


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: Any) -> None:
    wrong = client.login("mentor1a", "not it")
    unknown = client.login("nobody", "not it")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True) and "用户名或密码不正确" in unknown.get_data(as_text=True)


def test_sign_in_is_rate_limited(district: Any) -> None:
    url, _ = district
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test", "LOGIN_RATE_LIMIT": "3 per minute"})
    c = Client(app)
    token = c.csrf("/login")
    statuses = [c.post("/login", {"username": "mentor1a", "password": "guess", "csrf_token": token}).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert "尝试次数太多" in c.post("/login", {"username": "mentor1a", "password": PASSWORD, "csrf_token": token}).get_data(as_text=True)
    app.extensions["db_engine"].dispose()


def test_a_next_address_off_the_site_is_ignored(client: Any) -> None:
    token = client.csrf("/login")
    r = client.c.post("/login?next=https://evil.example/", data={"username": "mentor1a", "password": PASSWORD, "csrf_token": token},
                      base_url="https://localhost", headers={"Referer": "https://localhost/login"})  # fmt: skip
    assert r.status_code == 302 and r.headers["Location"] == "/me"


def test_student_pages_and_exports_are_audited(app: Any, login: Any) -> None:
    c = login("admin1")
    s1 = app.config["info"]["schools"][0]
    with _db(app) as db:
        student = db.scalar(select(m.Student).where(m.Student.school_id == s1).order_by(m.Student.id))
    assert c.get(f"/students/{student.id}").status_code == 200
    assert c.get(f"/schools/{s1}/export.csv").status_code == 200
    with _db(app) as db:
        rows = db.execute(select(m.AuditEntry.action, m.AuditEntry.target, m.User.username).join(m.User, m.User.id == m.AuditEntry.user_id)
                          .order_by(m.AuditEntry.id)).all()  # fmt: skip
    assert ("view-student", f"student:{student.code}", "admin1") in rows
    assert ("export", f"school:{s1}:csv", "admin1") in rows


def test_a_refused_student_page_is_not_audited_as_a_view(app: Any, login: Any) -> None:
    c = login("mentor1a")
    s2 = app.config["info"]["schools"][1]
    with _db(app) as db:
        other = db.scalar(select(m.Student.id).where(m.Student.school_id == s2))
    assert c.get(f"/students/{other}").status_code == 404
    with _db(app) as db:
        assert db.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "view-student")) is None
