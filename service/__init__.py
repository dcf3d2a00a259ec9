"""The web service: every mentor's status page and every school's dashboard (SPEC §1, §4, §6, §7).

    create_app(test_config=None) -> Flask

Layout: models.py (tables) · db.py (engine, sessions, migrations) · access.py (the one check
every request goes through) · auth.py (sign-in, sessions) · repository.py (rows → engine →
cached report) · pages/ (mentor, students, school, scheme, import) · imports/ (files → rows,
through the engine's loader) · demo.py (the demo district) · cli.py (`mentorship serve|demo|db`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import access, auth, db, i18n, security
from .extensions import csrf, limiter
from .repository import Evaluations


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config or {})
    engine = db.make_engine(app.config["DATABASE_URL"])
    if app.config["CHECK_MIGRATED"]:
        db.check_migrated(engine, app.config["DATABASE_HINT"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = db.sessions(engine)
    app.extensions["evaluations"] = Evaluations()
    app.before_request(_open_session)  # first: the CSRF check's error page and the access check both read the database
    csrf.init_app(app)
    limiter.init_app(app)
    auth.setup(app)
    register_blueprints(app)
    access.register(app)
    app.teardown_request(_close_session)
    app.after_request(security.headers)
    app.register_error_handler(HTTPException, _error)
    app.jinja_env.globals.update(t=i18n.t, lang=i18n.current_lang, status_word=i18n.status_word)
    return app


def configure(app: Flask, test_config: dict[str, Any]) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    default_db = Path(app.instance_path) / "mentorship.db"
    url = test_config.get("DATABASE_URL") or os.environ.get("DATABASE_URL") or db.sqlite_url(default_db)
    app.config.update(
        DATABASE_URL=url,
        DATABASE_HINT=url if not url.startswith("sqlite:///") else url.removeprefix("sqlite:///"),
        CHECK_MIGRATED=True,
        SECRET_KEY=os.environ.get("SECRET_KEY") or _instance_secret(Path(app.instance_path)),
        # Secure: sent over https only (browsers also send it to http://127.0.0.1); SESSION_COOKIE_SECURE=0 only for
        # tools that cannot, such as a load generator on loopback
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="mentorship_session",
        IDLE_MINUTES=30,
        ABSOLUTE_HOURS=12,
        LOGIN_RATE_LIMIT="10 per minute",  # sign-in attempts at one account from one address
        LOGIN_RATE_LIMIT_ADDRESS=os.environ.get("LOGIN_RATE_LIMIT_ADDRESS", "200 per minute"),  # from one address in all
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # an import file
        IMPORT_FOLDER=str(Path(app.instance_path) / "uploads"),  # uploads awaiting their import, an hour at most
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session (which has its own timeouts)
        TODAY=os.environ.get("MENTORSHIP_TODAY") or None,  # a fixed "today" (YYYY-MM-DD) for training and tests; unset: the clock
    )
    app.config.update(test_config)
    if isinstance(app.config.get("TODAY"), str):
        app.config["TODAY"] = dt.date.fromisoformat(app.config["TODAY"])


def _instance_secret(folder: Path) -> str:
    """A secret made once per installation and kept in the instance folder (readable by its owner only)."""
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_blueprints(app: Flask) -> None:
    from .pages import district, mentor, scheme, school, students
    from .pages import imports as import_pages

    for bp in (auth.bp, i18n.bp, mentor.bp, students.bp, school.bp, scheme.bp, import_pages.bp, district.bp):
        app.register_blueprint(bp)


def _open_session() -> None:
    from flask import current_app

    g.db = current_app.extensions["db_sessions"]()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def _error(e: HTTPException) -> Any:
    code = e.code or 500
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "status": code, "error": e.name, "errors": [e.description] if e.description else []}), code
    return render_template("error.html", code=code, name=e.name), code
