"""Case-store migrations: up to head on both backends, no drift from the models, down and up again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from fanzha.link import campaign_name
from fanzha.store.cases import CaseStore, current_revision, head_revision, schema_drift, upgrade
from fanzha.store.cases.engine import create_case_engine
from fanzha.store.cases.migrate import alembic_config
from fanzha.store.cases.schema import Base


def test_upgrade_brings_an_empty_database_to_head_and_is_idempotent(case_store_url: str) -> None:
    assert current_revision(case_store_url) is None
    upgrade(case_store_url)
    upgrade(case_store_url)
    assert current_revision(case_store_url) == head_revision()
    engine = create_case_engine(case_store_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_do_not_drift(case_store_url: str) -> None:
    upgrade(case_store_url)
    assert schema_drift(case_store_url) == []


def test_drift_check_sees_a_missing_index(case_store_url: str) -> None:
    upgrade(case_store_url)
    engine = create_case_engine(case_store_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_reports_received_at"))
    finally:
        engine.dispose()
    drift = schema_drift(case_store_url)
    assert [item[0] for item in drift] == ["add_index"]


def test_downgrade_to_base_and_up_again(case_store_url: str) -> None:
    upgrade(case_store_url)
    engine = create_case_engine(case_store_url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(case_store_url)
    assert schema_drift(case_store_url) == []


def test_sqlite_connections_run_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    case_store_url = f"sqlite:///{tmp_path / 'nested' / 'cases.db'}"
    upgrade(case_store_url)
    with CaseStore(case_store_url) as store, store.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30_000, "synchronous": 1}


def test_naive_times_are_refused_at_the_column(case_store: CaseStore) -> None:
    with case_store.engine.begin() as connection, pytest.raises(Exception, match="naive"):
        connection.execute(
            Base.metadata.tables["identifiers"].insert(),
            {
                "kind": "phone",
                "value": "+8613800138000",
                "valid": True,
                "first_seen": datetime(2026, 9, 1),
                "last_seen": datetime(2026, 9, 1),
                "report_count": 1,
            },
        )


def test_usernames_that_differ_only_in_case_stop_the_upgrade_that_makes_them_unique(
    case_store_url: str,
) -> None:
    upgrade(case_store_url, "0008_report_inbox")
    engine = create_case_engine(case_store_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO units (code, name, level) VALUES ('CN', 'CN', 'national')"))
            for username in ("sz.analyst", "SZ.Analyst"):
                connection.execute(
                    text(
                        "INSERT INTO users (username, display_name, unit, roles, password_hash, active, created_at)"
                        " VALUES (:name, 'someone', 'CN', 'analyst', 'x', true, :at)"
                    ),
                    {"name": username, "at": datetime(2026, 9, 1, tzinfo=UTC)},
                )
    finally:
        engine.dispose()
    with pytest.raises(RuntimeError, match=r"differ only in case: sz\.analyst"):
        upgrade(case_store_url)
    assert current_revision(case_store_url) == "0008_report_inbox"


def test_campaign_ids_made_from_a_report_are_renamed_everywhere(case_store_url: str) -> None:
    """Issue 13, case 7: ``CPN-<report id>`` told a unit seeing the campaign another unit's founding report."""
    upgrade(case_store_url, "0009_usernames_without_case")
    at = datetime(2026, 9, 1, tzinfo=UTC)
    engine = create_case_engine(case_store_url)
    rows = [
        "INSERT INTO units (code, name, level) VALUES ('CN', 'CN', 'national')",
        "INSERT INTO reports (id, kind, channel, received_at, reporter_unit, narrative, content_hash, ingested_at)"
        " VALUES ('R1', 'case', 'app', :at, 'CN', 'x', 'h', :at), ('R2', 'case', 'app', :at, 'CN', 'y', 'h', :at)",
        "INSERT INTO campaigns (id, founder_report_id, name, status, n_reports, created_at, updated_at, merged_into)"
        " VALUES ('CPN-R1', 'R1', '', 'open', 2, :at, :at, NULL), ('CPN-R1-2', 'R1', '', 'open', 0, :at, :at,"
        " 'CPN-R1'), ('OTHER', 'R2', '', 'open', 0, :at, :at, NULL)",
        "INSERT INTO campaign_reports (report_id, campaign_id, home_campaign_id, linked_at)"
        " VALUES ('R1', 'CPN-R1', 'CPN-R1', :at), ('R2', 'CPN-R1', 'CPN-R1-2', :at)",
        "INSERT INTO campaign_merges (kind, survivor_id, absorbed_id, actor, merged_at)"
        " VALUES ('merge', 'CPN-R1', 'CPN-R1-2', 'test', :at)",
        "INSERT INTO leads (id, source, unit, created_at, due_at, state, campaign_id, summary)"
        " VALUES ('L-1', 'analysis', 'CN', :at, :at, 'open', 'CPN-R1', '')",
    ]
    try:
        with engine.begin() as connection:
            for row in rows:
                connection.execute(text(row), {"at": at})
        upgrade(case_store_url)
        new = campaign_name("R1")
        with engine.connect() as connection:
            campaigns = connection.execute(text("SELECT id, merged_into FROM campaigns ORDER BY id")).all()
            members = connection.execute(
                text("SELECT campaign_id, home_campaign_id FROM campaign_reports")
            ).all()
            merges = connection.execute(text("SELECT survivor_id, absorbed_id FROM campaign_merges")).all()
            lead = connection.execute(text("SELECT campaign_id FROM leads")).scalar_one()
        assert sorted(map(tuple, campaigns)) == sorted([(new, None), (f"{new}-2", new), ("OTHER", None)])
        assert sorted(map(tuple, members)) == [(new, new), (new, f"{new}-2")]
        assert [tuple(m) for m in merges] == [(new, f"{new}-2")]
        assert lead == new
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009_usernames_without_case")
        with engine.connect() as connection:
            ids = connection.execute(text("SELECT id FROM campaigns ORDER BY id")).scalars().all()
        assert sorted(ids) == ["CPN-R1", "CPN-R1-2", "OTHER"]
    finally:
        engine.dispose()
