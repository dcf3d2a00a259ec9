"""The pages a mentor and a school admin open first answer, on both databases."""

from __future__ import annotations


def test_a_mentor_signs_in_and_sees_their_duties(login) -> None:
    c = login("mentor1a")
    r = c.get("/me")
    assert r.status_code == 200
    assert "我的任务" in r.get_data(as_text=True)


def test_a_school_admin_sees_the_dashboard_of_their_school_only(login, app) -> None:
    c = login("admin1")
    s1, s2 = app.config["info"]["schools"]
    assert c.get(f"/schools/{s1}/dashboard").status_code == 200
    assert c.get(f"/schools/{s2}/dashboard").status_code == 404
