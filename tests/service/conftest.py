"""App and client fixtures over a fresh, migrated database: SQLite always, and a real PostgreSQL server where
Debian's postgresql can be run (started here on loopback as the `postgres` user; skipped loudly otherwise).

    school_db(url)       a migrated database holding two small schools of one district and their accounts
    app, client          the app over it; `login(client, username)` signs in (CSRF on, as in production)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from district import PASSWORD, TODAY, populate
from sqlalchemy import create_engine, text

from service import create_app
from service.db import sqlite_url

# --------------------------------------------------------------------------- PostgreSQL

PG_BIN = Path("/usr/lib/postgresql")


def _pg_bin() -> Path | None:
    found = sorted(PG_BIN.glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server of our own on loopback (initdb refuses root: run as `postgres`); its URL."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("!!! PostgreSQL is not installed (Debian's postgresql): the PostgreSQL half of the service tests did NOT run !!!")
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("!!! running as root without runuser: cannot start PostgreSQL; its tests did NOT run !!!")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = Path(tempfile.mkdtemp(prefix="mentorship-pg-"))
    data.chmod(0o777)
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    pgdata = data / "data"
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"],
                   check=True, capture_output=True)  # fmt: skip
    log = data / "log"
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(log), "-w", "-o",
                    f"-h 127.0.0.1 -p {port} -k {data} -F", "start"], check=True, capture_output=True)  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def fresh_postgres(server: str) -> str:
    """A new, empty database on the server; its URL."""
    name = f"t{int(time.time() * 1000) % 10**9}_{os.getpid()}_{_free_port()}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return re.sub(r"/postgres$", f"/{name}", server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL: SQLite in a temp folder, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "test.db")
    return fresh_postgres(request.getfixturevalue("postgres_server"))


@pytest.fixture
def sqlite_url_(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "test.db")


_TEMPLATE: dict[str, Any] = {}


@pytest.fixture
def district(db_url: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """A populated database (SQLite: copied from one made per session, so each test starts from the same state)."""
    if db_url.startswith("sqlite"):
        if "sqlite" not in _TEMPLATE:
            base = Path(tempfile.mkdtemp(prefix="mentorship-template-")) / "template.db"
            _TEMPLATE["sqlite"] = (base, populate(sqlite_url(base)))
        base, info = _TEMPLATE["sqlite"]
        target = Path(db_url.removeprefix("sqlite:///"))
        shutil.copy(base, target)
        return db_url, info
    return db_url, populate(db_url)


@pytest.fixture
def app(district: tuple[str, dict[str, Any]], tmp_path: Path) -> Any:
    url, info = district
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test", "LOGIN_RATE_LIMIT": "1000 per minute", "TODAY": TODAY,
                      "IMPORT_FOLDER": str(tmp_path / "uploads")})  # fmt: skip
    app.config["info"] = info
    yield app
    app.extensions["db_engine"].dispose()


class Client:
    """A test client over https (the session cookie is Secure), with the CSRF token of the last page at hand."""

    def __init__(self, app: Any):
        self.app = app
        self.c = app.test_client()

    def get(self, path: str, **kw: Any) -> Any:
        return self.c.get(path, base_url="https://localhost", **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf_from: str | None = None, **kw: Any) -> Any:
        data = dict(data or {})
        if csrf_from is not None:
            data["csrf_token"] = self.csrf(csrf_from)
        kw.setdefault("headers", {"Referer": "https://localhost/"})  # Flask-WTF checks the referrer of a form posted over https
        return self.c.post(path, data=data, base_url="https://localhost", **kw)

    def csrf(self, page: str) -> str:
        html = self.get(page).get_data(as_text=True)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
        assert found, f"no CSRF token on {page}"
        return found.group(1) or found.group(2)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.post("/login", {"username": username, "password": password}, csrf_from="/login")


@pytest.fixture
def client(app: Any) -> Client:
    return Client(app)


@pytest.fixture
def login(app: Any) -> Any:
    def signed_in(username: str) -> Client:
        c = Client(app)
        r = c.login(username)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return c

    return signed_in
