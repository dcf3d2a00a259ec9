"""The demo district: three schools with schemes from `schemes/`, data generated around today, demo accounts.

One school is sized like a real one (3,000 students, 100k activities); the calendar is the school
year holding today and nothing is logged after today, so a mentor sees overdue, due-soon and done
duties on any day of term. Passwords are made once per database and kept beside it (mode 600),
so a second `make demo` reuses the database and prints the same accounts.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import evaluate, load_bundle
from rules_dsl.compiler import compile_file
from synth.generate import generate_school

from . import models as m
from .auth import hash_password
from .loading import store_bundle
from .status import mentees, mentor_duties

SCHEMES = Path(__file__).resolve().parents[1] / "schemes" / "schools"


@dataclass(frozen=True)
class DemoSchool:
    scheme: str
    name: str
    students: int
    activities: int | None  # None: what the scheme asks for


# the first is sized like a real school; its scheme has monthly and fortnightly duties, so some are due soon on any day of term
DEMO = (
    DemoSchool("plan5.scheme", "第五示范学校（演示）", 3_000, 100_000),
    DemoSchool("gezhi.scheme", "上海市格致中学（演示）", 600, None),
    DemoSchool("gu_yi.scheme", "嘉定区古猗小学（演示）", 400, None),
)


def school_year_holding(day: dt.date) -> str:
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"


def accounts_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".accounts.json")


def build_demo(session: Session, db_path: Path, today: dt.date, progress: Callable[[str], None] = print,
               sizes: tuple[DemoSchool, ...] = DEMO) -> list[tuple[str, str, str]]:  # fmt: skip
    """Load the demo district into an empty, migrated database; the accounts as (user, password, role)."""
    started = time.perf_counter()
    district = m.District(name="演示区（Demo District）", baseline="shanghai_sanshiyi")
    session.add(district)
    session.flush()
    accounts: list[tuple[str, str, str]] = []
    for n, spec in enumerate(sizes, start=1):
        ir = compile_file(SCHEMES / spec.scheme)
        school = m.School(district_id=district.id, name=ir.get("school") or spec.name)  # as the scheme names it
        session.add(school)
        session.flush()
        with tempfile.TemporaryDirectory() as tmp:
            generate_school(Path(tmp), students=spec.students, seed=n, activities=spec.activities, school_year=school_year_holding(today),
                            until=today, scheme=ir)  # fmt: skip
            bundle = load_bundle(tmp, skip_bad_rows=True)
        store_bundle(session, school, bundle, progress=_prefixed(progress, school.name))
        session.add(m.SchemeVersion(school_id=school.id, number=1, file_name=spec.scheme, source=(SCHEMES / spec.scheme).read_text(encoding="utf-8"),
                                    ir=ir, effective=bundle.calendar.year_start - dt.timedelta(days=30), note="演示方案"))  # fmt: skip
        accounts += _school_accounts(session, school, n, _showcase_mentors(ir, bundle, today))
        progress(f"school {n}: {school.name}: {len(bundle.students)} students, {len(bundle.activities)} activities ({time.perf_counter() - started:.1f} s)")
    progress(f"district: {district.name} (baseline {district.baseline}; change it with `mentorship school baseline --district NAME`)")
    password = secrets.token_urlsafe(9)
    session.add(m.User(username="district", display_name="区教育局（演示）", password_hash=hash_password(password), role="district",
                       district_id=district.id))  # fmt: skip
    accounts.append(("district", password, "district"))
    session.commit()
    accounts_file(db_path).write_text(json.dumps(accounts, ensure_ascii=False))
    accounts_file(db_path).chmod(0o600)
    return accounts


def _prefixed(progress: Callable[[str], None], name: str) -> Callable[[str], None]:
    return lambda line: progress(f"  {name}: {line}")


def _showcase_mentors(ir: dict, bundle: Any, today: dt.date) -> list[str]:  # type: ignore[type-arg]
    """Mentors' ids, those whose page today shows the most of overdue, due soon, open and done first (then the busiest):
    the demo accounts are theirs, so a first look at /me shows every kind of duty."""
    report = evaluate(ir, bundle, today)
    ranked = []
    for mentor in bundle.mentors:
        students = mentees(report, mentor.id, today)
        if not len(students):
            continue
        groups = {d.group for d in mentor_duties(report, mentor.id, students)}
        ranked.append((-len(groups & {"overdue", "due_soon", "open", "done"}), -len(students), mentor.id))
    return [code for *_, code in sorted(ranked)]


def _school_accounts(session: Session, school: m.School, n: int, showcase: list[str]) -> list[tuple[str, str, str]]:
    """A school admin, two mentors whose pages show every kind of duty, and a head teacher (a mentor who leads a class)."""
    out = []
    rows = {r.code: r for r in session.execute(select(m.Mentor.id, m.Mentor.code, m.Mentor.name, m.Mentor.class_name)
                                               .where(m.Mentor.school_id == school.id)).all()}  # fmt: skip
    busiest = [rows[code] for code in showcase if code in rows]
    mentors = [r for r in busiest if not r.class_name][:2] or busiest[:2]
    head = next((r for r in busiest if r.class_name and r not in mentors), None)
    specs = [(f"admin{n}", "school_admin", None, "", "学校管理员")]
    specs += [(f"mentor{n}{'ab'[i]}", "mentor", r.id, "", r.name) for i, r in enumerate(mentors)]
    if head is not None:
        specs.append((f"head{n}", "head_teacher", head.id, head.class_name, head.name))
    for username, role, mentor_id, class_name, display in specs:
        password = secrets.token_urlsafe(9)
        session.add(m.User(username=username, display_name=display, password_hash=hash_password(password), role=role, school_id=school.id,
                           mentor_id=mentor_id, class_name=class_name))  # fmt: skip
        out.append((username, password, role))
    return out


def saved_accounts(db_path: Path) -> list[tuple[str, str, str]] | None:
    path = accounts_file(db_path)
    if not path.exists():
        return None
    return [tuple(a) for a in json.loads(path.read_text())]  # type: ignore[misc]
