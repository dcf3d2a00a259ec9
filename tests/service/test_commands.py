"""`mentorship school add`, `user add|disable|enable|password`, and the error answers (one page style; JSON under /api/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from mentorship.cli import cli
from service import create_app
from service import models as m
from service.db import make_engine as db_engine
from service.db import sessions, sqlite_url, upgrade

CALENDAR = """school_year: "2025-2026"
terms:
  - {id: T1, name: 第一学期, start: 2025-09-01, end: 2026-01-16}
events:
  - {kind: 考试, name: 期中, date: 2025-11-10, grades: [1]}
"""


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


def test_a_new_school_and_its_accounts_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    upgrade(sqlite_url(db))
    (tmp_path / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    r = run("school", "add", "--db", str(db), "--name", "新学校", "--district", "新区", "--calendar", str(tmp_path / "calendar.yaml"))
    assert r.exit_code == 0 and "1 terms, 1 events" in r.output, r.output
    r = run("user", "add", "--db", str(db), "admin", "--role", "school_admin", "--school", "1", "--password", "pw-123456")
    assert r.exit_code == 0, r.output
    assert run("user", "add", "--db", str(db), "x", "--role", "mentor", "--password", "p").exit_code == 2  # no --school
    r = run("user", "add", "--db", str(db), "m", "--role", "mentor", "--school", "1", "--mentor", "T404", "--password", "p")
    assert r.exit_code == 2 and "import the roster first" in r.output
    app = create_app({"DATABASE_URL": sqlite_url(db), "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    c = app.test_client()
    ok = c.post("/login", data={"username": "admin", "password": "pw-123456"}, base_url="https://localhost")
    assert ok.status_code == 302 and ok.headers["Location"] == "/schools/1/dashboard"
    assert c.get("/schools/1/dashboard", base_url="https://localhost").status_code == 200  # no scheme yet: the page says so
    assert run("user", "disable", "--db", str(db), "admin").exit_code == 0
    assert c.get("/schools/1/dashboard", base_url="https://localhost").status_code == 302  # the session ended with the account
    assert run("user", "enable", "--db", str(db), "admin").exit_code == 0
    assert run("user", "password", "--db", str(db), "admin", "--password", "new-pw-7890").exit_code == 0
    bad = c.post("/login", data={"username": "admin", "password": "pw-123456"}, base_url="https://localhost")
    assert bad.status_code == 401
    with app.extensions["db_sessions"]() as s:
        assert s.scalar(select(m.School.school_year)) == "2025-2026"
    app.extensions["db_engine"].dispose()


def test_a_districts_baseline_is_set_changed_and_cleared(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    upgrade(sqlite_url(db))
    (tmp_path / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    assert run("school", "add", "--db", str(db), "--name", "一校", "--district", "新区", "--calendar", str(tmp_path / "calendar.yaml")).exit_code == 0

    def baseline() -> str | None:
        engine = db_engine(sqlite_url(db))
        with sessions(engine)() as s:
            found = s.scalar(select(m.District.baseline))
        engine.dispose()
        return found

    assert baseline() is None
    r = run("school", "baseline", "--db", str(db), "--district", "新区", "wuhu")
    assert r.exit_code == 0 and "(none) → wuhu" in r.output and baseline() == "wuhu"
    r = run("school", "baseline", "--db", str(db), "--district", "新区", "shanghai_sanshiyi")
    assert r.exit_code == 0 and baseline() == "shanghai_sanshiyi"
    bad = run("school", "baseline", "--db", str(db), "--district", "新区", "jiading")
    assert bad.exit_code == 2 and "no shipped baseline named 'jiading'" in bad.output and baseline() == "shanghai_sanshiyi"
    nowhere = run("school", "baseline", "--db", str(db), "--district", "旧区", "wuhu")
    assert nowhere.exit_code == 2 and "no district named '旧区' (districts: 新区)" in nowhere.output
    assert run("school", "baseline", "--db", str(db), "--district", "新区").exit_code == 0 and baseline() is None


def test_errors_are_a_page_and_json_under_api(client: Any) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "找不到这个页面" in page.get_data(as_text=True)
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json == {"ok": False, "status": 404, "error": "Not Found", "errors": [api.json["errors"][0]]}
