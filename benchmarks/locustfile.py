"""Load for bench_service.py: mentors opening /me, school admins opening the dashboard (locust, headless).

Each simulated user signs in once with an account bench_service.py made (`bench-m<N>` mentors, `bench-admin`),
then reads its page every 1–3 s, as a teacher clicking about would. Locust keeps the session cookie.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password")
MENTORS = int(os.environ.get("BENCH_MENTORS", "50"))
_numbers = itertools.count()


def _sign_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/login", name="/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = user.client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                         headers={"Referer": user.host + "/login"}, name="/login POST", allow_redirects=False)  # fmt: skip
    if r.status_code != 302:
        raise RuntimeError(f"sign-in of {username} failed: {r.status_code}")


class Mentor(HttpUser):
    weight = 9
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _sign_in(self, f"bench-m{next(_numbers) % MENTORS}")

    @task
    def me(self) -> None:
        self.client.get("/me", name="/me")


class SchoolAdmin(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _sign_in(self, "bench-admin")

    @task
    def dashboard(self) -> None:
        self.client.get(f"/schools/{os.environ.get('BENCH_SCHOOL', '1')}/dashboard", name="/schools/<id>/dashboard")
