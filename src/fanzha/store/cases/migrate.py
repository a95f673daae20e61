"""Alembic migrations of the case store, shipped inside the package and run without an alembic.ini."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from fanzha.store.cases.engine import create_case_engine, writer
from fanzha.store.cases.schema import Base

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations folder inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the case store at ``url`` up to ``revision`` (the newest by default); a no-op when already there."""
    engine = create_case_engine(url)
    try:
        _upgrade(engine, revision)
    finally:
        engine.dispose()


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("case store at %s upgraded to %s", engine.url.render_as_string(), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None before the first migration."""
    engine = create_case_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def schema_drift(url: str) -> list[Any]:
    """Differences between the models and the migrated database at ``url`` (``alembic check``); empty when none.

    SQLite cannot reflect expression indexes (``lower(username)``): there they are left out, on PostgreSQL compared.
    """
    engine = create_case_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            for skipped in ("autogenerate skipping metadata-specified", "Skipped unsupported reflection of"):
                warnings.filterwarnings("ignore", f"{skipped} expression-based index")
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()
