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
                               "accesslog": "-", "timeout": 120, "preload_app": False}.items():  # fmt: skip
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app({"DATABASE_URL": url})

    Server().run()


@click.command()
@click.option("--db", "db_", help="Database URL (postgresql://…) or SQLite file; default $DATABASE_URL or instance/mentorship.db.")
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
@click.option("--db", "db_", help="Database URL or SQLite file.")
@click.option("--revision", default="head", show_default=True)
def upgrade(db_: str | None, revision: str) -> None:
    """Bring the database up to the code's revision."""
    url = _url(db_)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.upgrade(url, revision)
    click.echo(f"database at revision {revision}")


@db_group.command("downgrade")
@click.option("--db", "db_", help="Database URL or SQLite file.")
@click.option("--revision", required=True)
def downgrade(db_: str | None, revision: str) -> None:
    """Take the database back to an earlier revision (`base`: no tables)."""
    db.downgrade(_url(db_), revision)
    click.echo(f"database at revision {revision}")


COMMANDS = [serve, demo, db_group]
