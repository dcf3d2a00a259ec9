"""The service under gunicorn with a loopback load generator (locust), on the demo district's 3,000-student school.

Prints: the demo's load time (a fresh database), then under 50 concurrent users (90% mentors reading /me,
10% school admins reading the dashboard, each every 1–3 s) the p50/p95/p99 of each page and the errors,
then the time from a mentor logging an activity to seeing it on /me (POST then GET, measured end to end).
No figure is asserted; docs/benchmarks.md records them.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench_service.py [--users 50] [--seconds 60] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(db_path: Path) -> float:
    """A fresh demo district (timed as `mentorship demo` does it), plus bench accounts for the big school's mentors."""
    from sqlalchemy import func, select

    from service import models as m
    from service.auth import hash_password
    from service.db import make_engine, sessions, sqlite_url, upgrade
    from service.demo import build_demo

    url = sqlite_url(db_path)
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    with sessions(engine)() as db:
        build_demo(db, db_path, dt.datetime.now(ZoneInfo("Asia/Shanghai")).date(), progress=lambda _: None)
        seconds = time.perf_counter() - started
        school = db.scalar(select(m.School).order_by(m.School.id))
        busiest = db.execute(select(m.Mentor.id).join(m.Assignment, m.Assignment.mentor_id == m.Mentor.id).where(m.Mentor.school_id == school.id)
                             .group_by(m.Mentor.id).order_by(func.count().desc()).limit(50)).scalars().all()  # fmt: skip
        hashed = hash_password(PASSWORD)
        for i, mentor_id in enumerate(busiest):
            db.add(m.User(username=f"bench-m{i}", password_hash=hashed, role="mentor", school_id=school.id, mentor_id=mentor_id))
        db.add(m.User(username="bench-admin", password_hash=hashed, role="school_admin", school_id=school.id))
        db.commit()
    engine.dispose()
    return seconds


def serve(db_path: Path, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}", SESSION_COOKIE_SECURE="0",
               LOGIN_RATE_LIMIT_ADDRESS="10000 per minute")  # every simulated teacher signs in from 127.0.0.1  # urllib and locust keep Secure cookies to https
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads), "-k", "gthread",
                             "--keep-alive", "75", "--log-level", "warning", "service:create_app()"], env=env, cwd=ROOT)  # fmt: skip
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def warm(port: int) -> None:
    """One request per worker to each page, so the figures are of a running service (a cold first page reads the school)."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    for username, path in [("bench-m0", "/me"), ("bench-admin", "/schools/1/dashboard")] * 4:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        page = opener.open(base + "/login").read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        opener.open(urllib.request.Request(base + "/login", data=data, headers={"Referer": base + "/login"}))
        opener.open(base + path).read()


def load(port: int, users: int, seconds: int, out: Path) -> dict[str, dict[str, float]]:
    env = dict(os.environ, BENCH_PASSWORD=PASSWORD, BENCH_MENTORS="50")
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless", "-u", str(users), "-r", str(max(users // 5, 1)),
                    "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "load"), "--reset-stats", "--only-summary", "--loglevel", "WARNING"],
                   env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    rows = {}
    with open(out / "load_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows[r["Name"]] = {"requests": float(r["Request Count"]), "failures": float(r["Failure Count"]), "p50": float(r["50%"]),
                               "p95": float(r["95%"]), "p99": float(r["99%"]), "rps": float(r["Requests/s"])}  # fmt: skip
    failures = out / "load_failures.csv"
    if failures.exists():
        with open(failures, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                print(f"  failure: {r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}")
    return rows


def log_to_visible(port: int, rounds: int = 10) -> list[float]:
    """A mentor logs a talk for one of their students and lands back on /me, as a browser does it (one kept-alive
    connection, the redirect followed): ms from sending the form to having the page that shows it."""
    import requests  # locust's own dependency

    base = f"http://127.0.0.1:{port}"
    browser = requests.Session()
    page = browser.get(base + "/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    browser.post(base + "/login", data={"username": "bench-m1", "password": PASSWORD, "csrf_token": token}, headers={"Referer": base + "/login"})
    times = []
    for _ in range(rounds):
        me = browser.get(base + "/me").text
        student = re.search(r'name="students"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="students"', me)
        action = re.search(r'<select[^>]*name="action"[^>]*>\s*<option[^>]*value="([^"]+)"', me)
        day = re.search(r'name="date"[^>]*value="([^"]+)"', me)
        assert student and action and day, "the log form is not on /me"
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', me).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": token, "action": action.group(1), "students": student.group(1) or student.group(2), "date": day.group(1),
                "duration_min": "20"}  # fmt: skip
        t = time.perf_counter()
        after = browser.post(base + "/me/log", data=form, headers={"Referer": base + "/me"}).text  # the redirect to /me is followed
        times.append((time.perf_counter() - t) * 1000)
        assert "已记录" in after, "the /me after logging does not say the activity was logged"
    return times


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    return f"{cpu}, {os.cpu_count()} CPUs; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    if shutil.which("locust", path=str(BIN)) is None:
        sys.exit("locust is missing: .venv/bin/pip install -e '.[bench]'")
    print(machine())
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}; gunicorn gthread, {args.workers} workers × {args.threads} threads; SQLite (WAL)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_path = work / "demo.db"
        seconds = build(db_path)
        print(f"demo district loaded into a fresh database: {seconds:.1f} s")
        port = free_port()
        proc = serve(db_path, port, args.workers, args.threads)
        try:
            warm(port)
            rows = load(port, args.users, args.seconds, work)
            print(f"{args.users} concurrent users for {args.seconds} s (each reads a page every 1–3 s; counted once all have signed in):")
            for name in ("/me", "/schools/<id>/dashboard", "Aggregated"):
                r = rows.get(name)
                if r:
                    print(f"  {name:26} {int(r['requests']):6d} requests, {int(r['failures'])} errors, {r['rps']:.1f}/s; "
                          f"p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms")  # fmt: skip
            times = log_to_visible(port)
            print(f"log an activity → see it on /me (the POST and the /me it redirects to; {len(times)} rounds): median {statistics.median(times):.0f} ms, "
                  f"max {max(times):.0f} ms")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
