"""The district page: the district's schools side by side, aggregates only (SPEC §5; issue 10)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service import models as m
from service.pages.district import SMALLEST, shown


def _private_words(app: Any) -> set[str]:
    """Every student name, student tag and activity note of the test district: none may reach a district user. A tag
    that a school's scheme or the baseline names in a condition (`where student has "特殊需求"`) is left out: it is then
    the scheme's public category, which a verdict may have to name ("a student not tagged 城区"), not a child's data."""
    from conformance.prove import atoms
    from rules_dsl.baselines import find_baseline
    from rules_dsl.compiler import compile_file

    with app.extensions["db_sessions"]() as db:
        names = set(db.scalars(select(m.Student.name)))
        tags = {t for row in db.scalars(select(m.Student.tags)) for t in (row or "").split(";")}
        notes = {n for n in db.scalars(select(m.Activity.note)) if n}
        schemes = [v.ir for v in db.scalars(select(m.SchemeVersion))] + [compile_file(find_baseline("shanghai_sanshiyi", ""))]
    public = atoms(*(r.get("where") for s in schemes for r in s["rules"] + s["ratios"])).get("tag", set())
    return {w for w in names | (tags - public) | notes if w and len(w) >= 2}


def test_the_district_sees_its_schools_side_by_side_and_no_child(login, app) -> None:
    c = login("district")
    assert c.get("/").headers["Location"].endswith("/district")  # where a district user lands
    page = c.get("/district").get_data(as_text=True)
    api = c.get("/api/district").get_json()
    assert [s["name"] for s in api["schools"]] == ["测试学校1", "测试学校2"]
    assert all(s["scheme"]["title"] and s["duties"] for s in api["schools"])
    assert "测试学校1" in page and "测试学校2" in page and "完成率" in page
    # the schemes side by side, the district's baseline first: one row per action, the baseline's 三个一 among them
    sbs = api["schemes"]
    assert [c["school"] for c in sbs["columns"]] == ["区基线", "测试学校1", "测试学校2"]
    visit = next(r for r in sbs["rows"] if r["kind"] == "action" and r["key"] == "家访")
    assert len(visit["cells"]) == 3 and visit["cells"][0] and visit["per_term"][0] == 1.0
    assert "各校方案对照" in page
    private = _private_words(app)
    assert private  # the test would prove nothing on a district without names
    for text in (page, c.get("/api/district").get_data(as_text=True), c.get("/account").get_data(as_text=True)):
        leaked = sorted(w for w in private if w in text)
        assert not leaked, f"a district user can read {leaked[:5]}"


def test_no_count_under_five_nor_what_reveals_it() -> None:
    """A rate reveals the count done and, with the duties begun, the count not done: all three must be at least 5."""
    assert shown(10, 20) == {"begun": 20, "percent": 50.0, "suppressed": False}
    assert shown(4, 20)["percent"] is None  # 4 done
    assert shown(17, 20)["percent"] is None  # 3 not done
    assert shown(3, 4) == {"begun": None, "percent": None, "suppressed": True}  # 4 begun
    for done in range(0, 30):
        for begun in range(done, 30):
            cell = shown(done, begun)
            if cell["percent"] is not None:
                assert min(done, begun - done, begun) >= SMALLEST
            if cell["begun"] is not None:
                assert cell["begun"] >= SMALLEST


def test_every_number_in_the_json_is_a_rate_or_a_count_of_at_least_five(login) -> None:
    api = login("district").get("/api/district").get_json()
    for s in api["schools"]:
        for d in s["duties"]:
            assert d["begun"] is None or d["begun"] >= SMALLEST
            assert d["percent"] is None or not d["suppressed"]


def test_every_school_is_proved_against_the_districts_baseline(login) -> None:
    """The district publishes a baseline (the 三个一 one here): each school's scheme gets a verdict per baseline ratio and
    rule, with its reason; a counterexample describes a kind of student, never a real one."""
    api = login("district").get("/api/district").get_json()
    for s in api["schools"]:
        c = s["conformance"]
        assert c["found"] and c["baseline"].startswith("上海市中小学全员导师制")
        assert [(v["baseline_rule"], v["status"]) for v in c["verdicts"]] == [
            ("ratio-1", "met"), ("ratio-2", "not met"), ("每学期家访", "met"), ("每学期谈心", "met"), ("期末寄语", "met")]
        assert "a mentor of 16 students" in c["verdicts"][1]["reason"]


def test_schools_stand_side_by_side_per_action(login) -> None:
    """Schools with different rules still share actions: completion per action, one cell per school, suppressed alike."""
    c = login("district")
    api = c.get("/api/district").get_json()
    assert api["by_action"] and all(len(row["schools"]) == 2 for row in api["by_action"])
    for row in api["by_action"]:
        for cell in row["schools"]:
            assert cell["percent"] is None or cell["begun"] >= SMALLEST
    page = c.get("/district").get_data(as_text=True)
    assert "按动作对照各校完成率" in page and api["by_action"][0]["action"] in page
