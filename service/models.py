"""The service's tables (SQLAlchemy 2 typed models).

District ─< School ─< SchemeVersion, Term, CalendarEvent, Mentor, Student, Assignment,
Activity (─< ActivityStudent >─ Student), StudentEvent, Rating; User (a role within a school or a
district, optionally a Mentor); LoginSession (what ends a session on the server); AuditEntry.

Each school's own ids (工号, 学号, activity numbers) are `code`, unique within the school; the
integer `id` is the database's. `School.data_version` is bumped by every change to the school's
data, `School.roster_version` by every change that is not just new activities: the evaluation
cache is keyed by them, so every worker process sees the same versions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# constraint names Alembic can address on every backend
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("mentor", "head_teacher", "school_admin", "district")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class District(Base):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # the baseline the district publishes (a shipped baseline's name, e.g. "shanghai_sanshiyi"): every school is proved against it
    baseline: Mapped[str | None] = mapped_column(String(200), nullable=True, default=None)
    schools: Mapped[list[School]] = relationship(back_populates="district", order_by="School.id")


class School(Base):
    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    school_year: Mapped[str] = mapped_column(String(40), default="")
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    roster_version: Mapped[int] = mapped_column(Integer, default=0)
    district: Mapped[District | None] = relationship(back_populates="schools")


class SchemeVersion(Base):
    """One published version of a school's scheme: the text as written and its compiled IR."""

    __tablename__ = "scheme_version"
    __table_args__ = (UniqueConstraint("school_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the school
    file_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    ir: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    effective: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Term(Base):
    __tablename__ = "term"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)


class CalendarEvent(Base):
    __tablename__ = "calendar_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    grades: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)  # None: every grade


class Mentor(Base):
    __tablename__ = "mentor"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(400), default="")  # `;`-joined, as in SPEC §3
    tags: Mapped[str] = mapped_column(String(400), default="")
    class_name: Mapped[str] = mapped_column(String(100), default="")


class Student(Base):
    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(100))
    tags: Mapped[str] = mapped_column(String(400), default="")


class Assignment(Base):
    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("mentor_id", "student_id", "start"), Index("ix_assignment_school_student", "school_id", "student_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("school_id", "code"), Index("ix_activity_school_version", "school_id", "data_version"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    code: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date] = mapped_column(Date)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id"), index=True)
    class_name: Mapped[str] = mapped_column(String(100), default="")
    duration_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    data_version: Mapped[int] = mapped_column(Integer, default=0)  # the school's data version that added it
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    students: Mapped[list[ActivityStudent]] = relationship(cascade="all, delete-orphan", order_by="ActivityStudent.position")


class ActivityStudent(Base):
    """The activity–student link table: one row per student an activity names."""

    __tablename__ = "activity_student"
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class StudentEvent(Base):
    __tablename__ = "student_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date] = mapped_column(Date)


class Rating(Base):
    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id"), index=True)
    score: Mapped[str] = mapped_column(String(100))
    item: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    term: Mapped[str] = mapped_column(String(40))


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # one of ROLES
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), nullable=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("mentor.id"), nullable=True)  # the mentor this teacher is
    class_name: Mapped[str] = mapped_column(String(100), default="")  # a head teacher's class
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    """A signed-in browser. The cookie carries only `token`; ending the row ends the session, whatever the cookie says."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """Who read a student's page or exported a school's data, and when."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))  # view-student, export, import, publish-scheme, log-activity
    target: Mapped[str] = mapped_column(String(200), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
