"""Alembic: up and down on an empty database, the models and the migrations agree, and the app refuses an unmigrated database."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from service import create_app
from service.db import NotMigrated, downgrade, make_engine, upgrade
from service.models import Base


def test_migrations_go_up_and_down_on_an_empty_database(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []  # the models need no new migration
    downgrade(db_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(db_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_app_refuses_an_unmigrated_database_and_says_the_command(db_url: str) -> None:
    with pytest.raises(NotMigrated) as e:
        create_app({"DATABASE_URL": db_url})
    assert "mentorship db upgrade --db" in str(e.value) and "has no tables yet" in str(e.value)


def test_serve_refuses_an_unmigrated_database(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from mentorship.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "new.db")])
    assert result.exit_code == 1 and "mentorship db upgrade" in result.output
