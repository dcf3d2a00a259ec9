"""Browser tests against a real server: gunicorn serving `service:create_app()` over a populated SQLite database,
driven by Debian's Chromium through Playwright's sync API.

    server          a gunicorn started once per session (stopped at the end, even on failure): `.url`, the base URL;
                    `.info`, what district.populate returned; `.actions[school_id]`, duty label → the action meeting it
    browser         one Chromium for the session
    open_page(...)  a new browser context (its own cookies) and a page in it; console errors, page errors and CSP
                    violations of every page are collected on `page.problems`
    sign_in(page, username)   the login form, filled and submitted as a user does

Every page records its CSP violations in `window.__cspViolations` (a `securitypolicyviolation` listener added by an
init script, which the page's CSP does not govern).

The app is given DATABASE_URL and MENTORSHIP_TODAY (district.TODAY) through its environment, as an operator does.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "service"))  # district.py lives beside the service tests

from district import PASSWORD, TODAY, populate  # noqa: E402

from service.db import sqlite_url  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]  # fmt: skip
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 60.0  # seconds for gunicorn to answer
TIMEOUT_MS = 15_000  # Playwright's wait for any one thing

# Every page's CSP violations, recorded by the page itself (an init script is not subject to the page's CSP).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its worker: SIGTERM to its own process group (it was started in a new session), then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class Server:
    url: str
    info: dict[str, Any]
    actions: dict[int, dict[str, str]]


def _actions(url: str) -> dict[int, dict[str, str]]:
    """Per school, each duty's label (as /me shows it) → the action that meets it, from the scheme version in force."""
    from sqlalchemy import select

    from service import models as m
    from service.db import make_engine, sessions

    engine = make_engine(url)
    out: dict[int, dict[str, str]] = {}
    with sessions(engine)() as db:
        for version in db.scalars(select(m.SchemeVersion).order_by(m.SchemeVersion.school_id, m.SchemeVersion.number)):
            out[version.school_id] = {r["label"] or r["action"]: r["action"] for r in version.ir["rules"]}
    engine.dispose()
    return out


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """gunicorn on 127.0.0.1:<free port> over a fresh district database (its folder, with gunicorn's log, is kept
    when a test failed)."""
    folder = Path(tempfile.mkdtemp(prefix="mentorship-browser-"))
    url = sqlite_url(folder / "district.db")
    info = populate(url)
    actions = _actions(url)
    port = _free_port()
    log = folder / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url, "MENTORSHIP_TODAY": TODAY.isoformat(), "SECRET_KEY": secrets.token_hex(32)}
    env.pop("RATELIMIT_STORAGE_URI", None)  # each run counts sign-ins afresh, in the worker's memory
    command = [str(GUNICORN), "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "4", "--no-control-socket",
               "--access-logfile", "-", "service:create_app()"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode} before answering:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer on {base} within {START_TIMEOUT:.0f}s:\n{_tail(log)}")
            time.sleep(0.2)
        yield Server(base, info, actions)
    finally:
        _stop(proc)
        if proc.poll() is None:  # pragma: no cover - SIGKILL cannot be refused
            raise RuntimeError(f"gunicorn (pid {proc.pid}) is still running")
        if request.session.testsfailed:
            print(f"\nbrowser tests: the database and gunicorn's log are kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"!!! {CHROMIUM} is missing (Debian's chromium): the browser tests did NOT run !!!")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(server: Server, browser: Any) -> Iterator[Callable[..., Any]]:
    """open_page(**context_options) -> a page in a new context (fresh cookies) on the server; closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "zh-CN")
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_RECORDER)
        contexts.append(context)
        page = context.new_page()
        page.problems = problems = []  # console errors, uncaught exceptions, CSP violations, failed requests

        def on_console(msg: Any) -> None:
            where = (msg.location or {}).get("url") or page.url
            # the app has no favicon, and Chromium asks for /favicon.ico now and then: that 404 is reported, not tested
            if msg.type == "error" and not where.endswith("/favicon.ico"):
                problems.append(f"console error on {page.url} ({where}): {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda e: problems.append(f"page error on {page.url}: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
        return page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """sign_in(page, username): open /login, type the name and password, press 登录; the browser has left /login."""

    def submit(page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert "/login" not in page.url, f"{username} could not sign in: {page.locator('main').inner_text()[:300]}"

    return submit
