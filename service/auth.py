"""Signing in and out: argon2 password hashes, Flask-Login over server-side sessions, a rate-limited login form.

The session cookie holds only a random token naming a LoginSession row. Signing out, disabling an
account, an idle spell longer than IDLE_MINUTES or a session older than ABSOLUTE_HOURS ends the row,
and with it the session, whatever the cookie still says. Each sign-in makes a new token (and a new
Flask session), so a token planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from . import models as m
from .access import allow
from .extensions import limiter
from .i18n import t

bp = Blueprint("auth", __name__)
hasher = PasswordHasher()
# a hash to verify against when the user does not exist, so both cases take as long
_DUMMY_HASH = hasher.hash("not a password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class SignedIn:
    """What Flask-Login holds for a request: the user and the session row."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: m.User, login: m.LoginSession):
        self.user, self.login = user, login

    def get_id(self) -> str:
        return self.login.token


def setup(app: Any) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the token row does the work; "strong" would also log out on a changed IP/UA
    manager.init_app(app)
    manager.user_loader(load_signed_in)
    manager.unauthorized_handler(lambda: redirect(url_for("auth.login")))


def load_signed_in(token: str) -> SignedIn | None:
    db = g.db
    row = db.execute(select(m.LoginSession, m.User).join(m.User, m.User.id == m.LoginSession.user_id)
                     .where(m.LoginSession.token == token)).first()  # fmt: skip
    if row is None:
        return None
    login, user = row
    now = m.utcnow()
    idle = dt.timedelta(minutes=current_app.config["IDLE_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["ABSOLUTE_HOURS"])
    if login.ended_at is not None or user.disabled or now - login.last_seen > idle or now - login.created_at > absolute:
        if login.ended_at is None:
            login.ended_at = now
            db.commit()
        return None
    if now - login.last_seen > dt.timedelta(minutes=1):  # at most one write a minute per session
        login.last_seen = now
        db.commit()
    return SignedIn(user, login)


def end_sessions(db: Any, user_id: int) -> None:
    """End every session of a user (account disabled, password changed)."""
    db.execute(update(m.LoginSession).where(m.LoginSession.user_id == user_id, m.LoginSession.ended_at.is_(None)).values(ended_at=m.utcnow()))


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=100)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host), so the login form cannot send anyone elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") else None


def home_for(user: m.User) -> str:
    if user.role == "school_admin" and user.school_id is not None:
        return url_for("school.dashboard", school_id=user.school_id)
    if user.role == "district":
        return url_for("district.page")
    return url_for("mentor.me")


@bp.route("/")
@allow()
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.user))
    return redirect(url_for("auth.login"))


def _account_key() -> str:
    return f"{request.remote_addr}|{(request.form.get('username') or '').strip().lower()}"


# guesses at one account are limited tightly; one address as a whole more loosely, since a school's staff often share
# one address to the outside (the campus network)
@bp.route("/login", methods=["GET", "POST"])
@allow()
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_account_key)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = g.db
        user = db.scalar(select(m.User).where(m.User.username == form.username.data.strip()))
        ok = check_password(user.password_hash if user else _DUMMY_HASH, form.password.data or "") and user is not None
        if ok and user is not None and not user.disabled:
            if current_user.is_authenticated:
                current_user.login.ended_at = m.utcnow()
            session.clear()  # a new session on sign-in
            login = m.LoginSession(token=secrets.token_urlsafe(32), user_id=user.id)
            db.add(login)
            db.commit()
            login_user(SignedIn(user, login))
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        error = t("用户名或密码不正确，或账号已停用。", "Wrong username or password, or the account is disabled.")
    return render_template("login.html", form=form, error=error), 200 if error is None else 401


@bp.route("/logout", methods=["POST"])
@allow("mentor", "head_teacher", "school_admin", "district")
def logout() -> Any:
    current_user.login.ended_at = m.utcnow()
    g.db.commit()
    logout_user()
    session.clear()
    flash(t("已退出登录。", "You are signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/account")
@allow("mentor", "head_teacher", "school_admin", "district")
def account() -> Any:
    return render_template("account.html", user=current_user.user)
