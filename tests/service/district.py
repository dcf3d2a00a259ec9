"""A small district for the service's tests: two schools of 格致中学's scheme with generated data, and accounts.

    populate(url)   migrate an empty database and fill it; returns the usernames, school ids and mentor ids
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from service import models as m
from service.auth import hash_password
from service.db import make_engine, sessions, upgrade
from service.loading import store_bundle

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
TODAY = dt.date(2025, 11, 20)  # within the first term of the small schools below

CAL_TERM = (dt.date(2025, 9, 1), dt.date(2026, 1, 16))


def small_bundle(seed: int, students: int = 90) -> Any:
    from engine import load_bundle
    from rules_dsl.compiler import compile_file
    from synth.generate import generate_school

    ir = compile_file(ROOT / "schemes" / "schools" / "gezhi.scheme")
    with tempfile.TemporaryDirectory() as tmp:
        generate_school(Path(tmp), students=students, seed=seed, school_year="2025-2026", until=TODAY, scheme=ir)
        return ir, load_bundle(tmp, skip_bad_rows=True)


def populate(url: str) -> dict[str, Any]:
    """Two schools of one district (格致中学's scheme, generated data), and per school: an admin, two mentors, a head
    teacher; plus a district account. Returns names for tests: usernames, school ids, a student of each mentor."""
    upgrade(url)
    engine = make_engine(url)
    info: dict[str, Any] = {"schools": [], "users": {}}
    with sessions(engine)() as db:
        district = m.District(name="测试区", baseline="shanghai_sanshiyi")
        db.add(district)
        db.flush()
        for n in (1, 2):
            ir, bundle = small_bundle(n)
            school = m.School(district_id=district.id, name=f"测试学校{n}")
            db.add(school)
            db.flush()
            store_bundle(db, school, bundle)
            db.add(m.SchemeVersion(school_id=school.id, number=1, file_name="gezhi.scheme", source=(ROOT / "schemes/schools/gezhi.scheme").read_text(encoding="utf-8"),
                                   ir=ir, effective=dt.date(2025, 8, 1)))  # fmt: skip
            db.flush()
            mentors = [mm for mm in db.query(m.Mentor).filter_by(school_id=school.id).order_by(m.Mentor.id)]
            assigned = {a.mentor_id for a in db.query(m.Assignment).filter_by(school_id=school.id)}
            active: dict[int, int] = {}
            for a in db.query(m.Assignment).filter_by(school_id=school.id):
                if (a.start is None or a.start <= TODAY) and (a.end is None or a.end >= TODAY):
                    active[a.mentor_id] = active.get(a.mentor_id, 0) + 1
            # the two mentors with the most students today (head teachers last), so their pages have duties to show
            with_students = sorted((mm for mm in mentors if mm.id in assigned), key=lambda mm: (bool(mm.class_name), -active.get(mm.id, 0), mm.id))[:2]
            # the head teacher: one whose class holds students who are not their own mentees (their class page must show them)
            pairs = {(a.mentor_id, a.student_id) for a in db.query(m.Assignment).filter_by(school_id=school.id)}
            students = db.query(m.Student).filter_by(school_id=school.id).all()
            head = max((mm for mm in mentors if mm.class_name and mm not in with_students),
                       key=lambda mm: sum(1 for st in students if st.class_name == mm.class_name
                                          and not any((x.id, st.id) in pairs for x in (mm, *with_students))))
            users = [(f"admin{n}", "school_admin", None, ""), (f"mentor{n}a", "mentor", with_students[0].id, ""),
                     (f"mentor{n}b", "mentor", with_students[1].id, ""), (f"head{n}", "head_teacher", head.id, head.class_name)]  # fmt: skip
            for username, role, mentor_id, class_name in users:
                db.add(m.User(username=username, password_hash=hash_password(PASSWORD), role=role, school_id=school.id, mentor_id=mentor_id,
                              class_name=class_name))  # fmt: skip
                info["users"][username] = {"role": role, "school_id": school.id, "mentor_id": mentor_id}
            info["schools"].append(school.id)
        db.add(m.User(username="district", password_hash=hash_password(PASSWORD), role="district", district_id=district.id))
        db.add(m.User(username="gone", password_hash=hash_password(PASSWORD), role="mentor", school_id=info["schools"][0],
                      mentor_id=info["users"]["mentor1a"]["mentor_id"], disabled=True))  # fmt: skip
        info["users"]["district"] = {"role": "district", "school_id": None, "mentor_id": None}
        db.commit()
    engine.dispose()
    return info


