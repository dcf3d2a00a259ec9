"""`mentorship serve`, `mentorship demo` and `mentorship db upgrade|downgrade`: the service's commands.

Both servers run under gunicorn (never Flask's development server), bound to 127.0.0.1 unless told.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from . import db

DEFAULT_INSTANCE = Path("instance")


# every command but `demo` names its database the same way
db_option = click.option("--db", "db_", help="Database URL (postgresql+psycopg://…) or SQLite file; default $DATABASE_URL or instance/mentorship.db.")


def _url(value: str | None) -> str:
    """A URL as given, a path as an SQLite file, or DATABASE_URL, or instance/mentorship.db."""
    if value and "://" in value:
        return value
    if value:
        return db.sqlite_url(value)
    return os.environ.get("DATABASE_URL") or db.sqlite_url(DEFAULT_INSTANCE / "mentorship.db")


def gunicorn_run(url: str, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from . import create_app

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
                               "accesslog": "-", "timeout": 120, "preload_app": False,
                               # longer than a browser waits between a teacher's clicks: a connection closed as a request
                               # arrives on it is an error the user sees
                               "keepalive": 75}.items():  # fmt: skip
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app({"DATABASE_URL": url})

    Server().run()


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(db_: str | None, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web service under gunicorn. 在 gunicorn 下运行网页服务。"""
    url = _url(db_)
    _check(url)
    gunicorn_run(url, host, port, workers, threads)


def _check(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.check_migrated(engine, url.removeprefix("sqlite:///"))
    except db.NotMigrated as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    finally:
        engine.dispose()


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_INSTANCE / "demo.db", show_default=True,
              help="SQLite file of the demo district (made and loaded when missing, reused when present).")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo and print the accounts, then stop.")
def demo(db_path: Path, host: str, port: int, workers: int, no_serve: bool) -> None:
    """Load the demo district (three schools) and serve it. 载入演示区（三所学校）并启动服务。"""
    from sqlalchemy import select

    from . import models as m
    from .demo import build_demo, saved_accounts

    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = db.sqlite_url(db_path)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.sessions(engine)() as session:
        loaded = session.scalar(select(m.School.id).limit(1)) is not None
        accounts = saved_accounts(db_path) if loaded else None
        if accounts is None:
            if loaded:
                click.echo(f"{db_path} holds data but not the demo's accounts: give another --db", err=True)
                sys.exit(1)
            click.echo(f">> loading the demo district into {db_path} …")
            accounts = build_demo(session, db_path, dt.datetime.now(ZoneInfo("Asia/Shanghai")).date(), progress=lambda line: click.echo(line))
        else:
            click.echo(f">> reusing the demo district in {db_path}")
    engine.dispose()
    for user, password, role in accounts:
        click.echo(f"demo login: {user} {password} {role}")
    if not no_serve:
        click.echo(f">> serving on http://{host}:{port}/ (Ctrl+C to stop)")
        gunicorn_run(url, host, port, workers, 4)


@click.group("db")
def db_group() -> None:
    """The database's migrations. 数据库迁移。"""


@db_group.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True)
def upgrade(db_: str | None, revision: str) -> None:
    """Bring the database up to the code's revision."""
    url = _url(db_)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.upgrade(url, revision)
    click.echo(f"database at revision {revision}")


@db_group.command("downgrade")
@db_option
@click.option("--revision", required=True)
def downgrade(db_: str | None, revision: str) -> None:
    """Take the database back to an earlier revision (`base`: no tables)."""
    db.downgrade(_url(db_), revision)
    click.echo(f"database at revision {revision}")


def _session(db_: str | None) -> Any:
    url = _url(db_)
    _check(url)
    return db.sessions(db.make_engine(url))()


@click.group("school")
def school_group() -> None:
    """Districts and schools. 区和学校。"""


@school_group.command("add")
@db_option
@click.option("--name", required=True, help="The school's name, as pages show it.")
@click.option("--district", "district_name", help="The district's name (made when new).")
@click.option("--calendar", "calendar_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The school's calendar.yaml (SPEC §3): its terms and events.")  # fmt: skip
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--district-baseline", "baseline", help="The baseline the district publishes (a shipped baseline's name, e.g. shanghai_sanshiyi).")
def school_add(db_: str | None, name: str, district_name: str | None, calendar_path: Path, timezone: str, baseline: str | None) -> None:
    """Add a school with its calendar; its roster and log come through the import page."""
    from sqlalchemy import select

    from engine.load.calendar import parse_calendar

    from . import models as m

    calendar = parse_calendar(calendar_path.read_text(encoding="utf-8"), calendar_path.name)
    with _session(db_) as session:
        district = None
        if district_name:
            district = session.scalar(select(m.District).where(m.District.name == district_name)) or m.District(name=district_name)
            if baseline:
                district.baseline = _shipped_baseline(baseline)
            session.add(district)
            session.flush()
        school = m.School(name=name, district_id=district.id if district else None, timezone=timezone, school_year=calendar.school_year)
        session.add(school)
        session.flush()
        session.add_all([m.Term(school_id=school.id, code=t.id, name=t.name, start=t.start, end=t.end) for t in calendar.terms])
        session.add_all([m.CalendarEvent(school_id=school.id, kind=e.kind, name=e.name, date=e.date, grades=list(e.grades) if e.grades else None)
                         for e in calendar.events])  # fmt: skip
        session.commit()
        click.echo(f"school {school.id}: {name} ({len(calendar.terms)} terms, {len(calendar.events)} events)")


def _shipped_baseline(name: str) -> str:
    """The name, if a shipped baseline has it; else a usage error listing those that do."""
    from rules_dsl.baselines import find_baseline, shipped_baselines

    if find_baseline(name, "") is None:
        raise click.UsageError(f"no shipped baseline named {name!r}: {', '.join(shipped_baselines())}")
    return name


@school_group.command("baseline")
@db_option
@click.option("--district", "district_name", required=True, help="The district's name.")
@click.argument("baseline", required=False)
def school_baseline(db_: str | None, district_name: str, baseline: str | None) -> None:
    """Set the baseline a district publishes (a shipped baseline's name), or clear it when none is given: the district page
    proves every school's scheme against it. 设定区基线；不给名称则清除。"""
    from sqlalchemy import select

    from . import models as m

    if baseline:
        _shipped_baseline(baseline)
    with _session(db_) as session:
        district = session.scalar(select(m.District).where(m.District.name == district_name))
        if district is None:
            names = ", ".join(session.scalars(select(m.District.name).order_by(m.District.name))) or "none yet"
            raise click.UsageError(f"no district named {district_name!r} (districts: {names})")
        before, district.baseline = district.baseline, baseline or None
        session.commit()
    click.echo(f"district {district_name}: baseline {before or '(none)'} → {baseline or '(none)'}")


@click.group("user")
def user_group() -> None:
    """Accounts: add, disable, enable, set a password. 账号管理。"""


@user_group.command("add")
@db_option
@click.argument("username")
@click.option("--role", type=click.Choice(["mentor", "head_teacher", "school_admin", "district"]), required=True)
@click.option("--school", "school_id", type=int, help="The school's number (mentor, head teacher, school admin).")
@click.option("--district", "district_id", type=int, help="The district's number (district staff).")
@click.option("--mentor", "mentor_code", help="The teacher's id (工号) in the school's roster (mentor, head teacher).")
@click.option("--class", "class_name", default="", help="A head teacher's class.")
@click.option("--name", "display_name", default="")
@click.password_option(help="Asked for when not given.")
def user_add(db_: str | None, username: str, role: str, school_id: int | None, district_id: int | None, mentor_code: str | None,
             class_name: str, display_name: str, password: str) -> None:  # fmt: skip
    """Add an account."""
    from sqlalchemy import select

    from . import models as m
    from .auth import hash_password

    if role == "district" and district_id is None or role != "district" and school_id is None:
        raise click.UsageError("district staff need --district; every other role needs --school")
    with _session(db_) as session:
        mentor_id = None
        if mentor_code:
            mentor_id = session.scalar(select(m.Mentor.id).where(m.Mentor.school_id == school_id, m.Mentor.code == mentor_code))
            if mentor_id is None:
                raise click.UsageError(f"no mentor {mentor_code} in school {school_id}: import the roster first")
        session.add(m.User(username=username, display_name=display_name, password_hash=hash_password(password), role=role,
                           school_id=school_id if role != "district" else None, district_id=district_id, mentor_id=mentor_id,
                           class_name=class_name))  # fmt: skip
        session.commit()
        click.echo(f"user {username} ({role}) added")


def _set_user(db_: str | None, username: str, **values: Any) -> None:
    from sqlalchemy import select

    from . import models as m
    from .auth import end_sessions

    with _session(db_) as session:
        user = session.scalar(select(m.User).where(m.User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username}")
        for key, value in values.items():
            setattr(user, key, value)
        end_sessions(session, user.id)  # disabled, enabled or a new password: every signed-in browser signs in again
        session.commit()


@user_group.command("disable")
@db_option
@click.argument("username")
def user_disable(db_: str | None, username: str) -> None:
    """Disable an account: its sessions end at once, on every worker."""
    _set_user(db_, username, disabled=True)
    click.echo(f"user {username} disabled; their sessions are ended")


@user_group.command("enable")
@db_option
@click.argument("username")
def user_enable(db_: str | None, username: str) -> None:
    _set_user(db_, username, disabled=False)
    click.echo(f"user {username} enabled")


@user_group.command("password")
@db_option
@click.argument("username")
@click.password_option()
def user_password(db_: str | None, username: str, password: str) -> None:
    """Set a new password (and end the account's sessions)."""
    from .auth import hash_password

    _set_user(db_, username, password_hash=hash_password(password))
    click.echo(f"password of {username} set")


COMMANDS = [serve, demo, db_group, school_group, user_group]
