"""the first tables

Revision ID: 0001
Revises:
Create Date: 2026-12-02 03:04:05.771098
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district")),
    )
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("school_year", sa.String(length=40), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("roster_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_school_district_id_district")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
    )
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_district_id"), ["district_id"], unique=False)

    op.create_table(
        "calendar_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_calendar_event_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_event")),
    )
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_event_school_id"), ["school_id"], unique=False)

    op.create_table(
        "mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.String(length=400), nullable=False),
        sa.Column("tags", sa.String(length=400), nullable=False),
        sa.Column("class_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_mentor_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_mentor_school_id")),
    )
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_school_id"), ["school_id"], unique=False)

    op.create_table(
        "student",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=100), nullable=False),
        sa.Column("tags", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_student_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_student_school_id")),
    )
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_student_school_id"), ["school_id"], unique=False)

    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_term_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_term_school_id")),
    )
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_school_id"), ["school_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], name=op.f("fk_assignment_mentor_id_mentor")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_assignment_school_id_school")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], name=op.f("fk_assignment_student_id_student")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("mentor_id", "student_id", "start", name=op.f("uq_assignment_mentor_id")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_school_id"), ["school_id"], unique=False)
        batch_op.create_index("ix_assignment_school_student", ["school_id", "student_id"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.String(length=100), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], name=op.f("fk_rating_mentor_id_mentor")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_rating_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_school_id"), ["school_id"], unique=False)

    op.create_table(
        "student_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_student_event_school_id_school")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], name=op.f("fk_student_event_student_id_student")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_event")),
    )
    with op.batch_alter_table("student_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_student_event_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_event_student_id"), ["student_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("class_name", sa.String(length=100), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_user_account_district_id_district")),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], name=op.f("fk_user_account_mentor_id_mentor")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_user_account_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=100), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_activity_created_by_user_account")),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], name=op.f("fk_activity_mentor_id_mentor")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_activity_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_activity_school_id")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index("ix_activity_school_version", ["school_id", "data_version"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_audit_entry_school_id_school")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_audit_entry_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_login_session_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token", name=op.f("uq_login_session_token")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "scheme_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("ir", sa.JSON(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_scheme_version_author_id_user_account")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_scheme_version_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme_version")),
        sa.UniqueConstraint("school_id", "number", name=op.f("uq_scheme_version_school_id")),
    )
    with op.batch_alter_table("scheme_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheme_version_school_id"), ["school_id"], unique=False)

    op.create_table(
        "activity_student",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_activity_student_activity_id_activity"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], name=op.f("fk_activity_student_student_id_student")),
        sa.PrimaryKeyConstraint("activity_id", "student_id", name=op.f("pk_activity_student")),
    )
    with op.batch_alter_table("activity_student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_student_student_id"), ["student_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("activity_student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_student_student_id"))

    op.drop_table("activity_student")
    with op.batch_alter_table("scheme_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheme_version_school_id"))

    op.drop_table("scheme_version")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))

    op.drop_table("login_session")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_school_version")
        batch_op.drop_index(batch_op.f("ix_activity_mentor_id"))

    op.drop_table("activity")
    op.drop_table("user_account")
    with op.batch_alter_table("student_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_event_student_id"))
        batch_op.drop_index(batch_op.f("ix_student_event_school_id"))

    op.drop_table("student_event")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_school_id"))
        batch_op.drop_index(batch_op.f("ix_rating_mentor_id"))

    op.drop_table("rating")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_school_student")
        batch_op.drop_index(batch_op.f("ix_assignment_school_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_mentor_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_term_school_id"))

    op.drop_table("term")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_school_id"))

    op.drop_table("student")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_school_id"))

    op.drop_table("mentor")
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_event_school_id"))

    op.drop_table("calendar_event")
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_district_id"))

    op.drop_table("school")
    op.drop_table("district")
