"""Shared fixtures: a private FANZHA_HOME per test, and case-store backends.

Every test taking ``case_store_url`` (or ``case_store``) runs on SQLite and on PostgreSQL. PostgreSQL needs
FANZHA_TEST_POSTGRES_URL (``source scripts/postgres.sh && postgres_start`` sets it); each test gets its own
database, created through an autocommit connection and dropped afterwards, so pytest-xdist workers never share one.
Without the variable the PostgreSQL cases skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from fanzha.config import get_settings
from fanzha.store.cases import CaseStore, upgrade

# The machine is shared and CI runs two workers on two cores: a slow example is not a failure.
hypothesis_settings.register_profile("fanzha", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("fanzha")

POSTGRES_URL_ENV = "FANZHA_TEST_POSTGRES_URL"

UrlFactory = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def case_store_backend(request: pytest.FixtureRequest) -> str:
    """The backend name; PostgreSQL cases skip (or fail under CI) when no server is configured."""
    backend: str = request.param
    if backend == "postgresql" and not os.environ.get(POSTGRES_URL_ENV):
        message = f"{POSTGRES_URL_ENV} is not set (source scripts/postgres.sh && postgres_start)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL case-store tests: {message}")
        pytest.skip(message)
    return backend


@pytest.fixture
def case_store_urls(case_store_backend: str, tmp_path: Path) -> Iterator[UrlFactory]:
    """A maker of fresh, empty case-store URLs on the backend; every database it made is dropped afterwards."""
    made: list[str] = []

    def fresh() -> str:
        if case_store_backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'cases-{len(made)}.db'}"
        else:
            url = _create_postgres_database(os.environ[POSTGRES_URL_ENV])
        made.append(url)
        return url

    yield fresh
    if case_store_backend == "postgresql":
        for url in made:
            _drop_postgres_database(os.environ[POSTGRES_URL_ENV], url)


@pytest.fixture
def case_store_url(case_store_urls: UrlFactory) -> str:
    """A fresh, empty case-store URL (not migrated)."""
    return case_store_urls()


@pytest.fixture
def case_store(case_store_url: str) -> Iterator[CaseStore]:
    """A case store migrated to head."""
    upgrade(case_store_url)
    with CaseStore(case_store_url) as store:
        yield store


def _admin(admin_url: str) -> Callable[[str], None]:
    def run(sql: str) -> None:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(sql)
        finally:
            engine.dispose()

    return run


def _create_postgres_database(admin_url: str) -> str:
    name = f"fanzha_test_{uuid.uuid4().hex[:16]}"
    _admin(admin_url)(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    _admin(admin_url)(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def fanzha_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point FANZHA_HOME at a fresh folder and drop cached settings around each test."""
    home = tmp_path / "fanzha-home"
    monkeypatch.setenv("FANZHA_HOME", str(home))
    monkeypatch.delenv("FANZHA_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
