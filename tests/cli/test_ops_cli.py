"""``fanzha ops sweep`` and ``fanzha audit verify`` on the case store of FANZHA_DATABASE_URL (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from case_reports import UNITS
from fanzha.cli import app
from fanzha.config import get_settings
from fanzha.model import TaskKind
from fanzha.ops import Actor, Role, SlaPolicy, TaskAction, UnitTree, create_task, transition
from fanzha.store.cases import CaseStore
from fanzha.store.cases.access import add_user
from fanzha.store.cases.ops import add_task, get_task

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(case_store: CaseStore, monkeypatch: pytest.MonkeyPatch) -> CaseStore:
    """The case store the commands use, with units, a national supervisor and a freeze sent to a county."""
    monkeypatch.setenv("FANZHA_DATABASE_URL", case_store.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    case_store.add_units(UNITS)
    add_user(case_store, "wang", "wang", "CN", ["supervisor"], "x", actor="test")
    tree, policy = UnitTree(UNITS), SlaPolicy()
    analyst = Actor.of("li", "440300", Role.ANALYST)
    record = create_task(tree, analyst, task_id="T-1", kind=TaskKind.FREEZE, at=T0, policy=policy)
    add_task(
        case_store,
        transition(tree, record, TaskAction.DISPATCH, analyst, T0, policy=policy, to_unit="440305"),
    )
    return case_store


def test_the_sweep_escalates_an_overdue_task_once(store: CaseStore) -> None:
    runner = CliRunner()
    early = runner.invoke(app, ["ops", "sweep", "--at", "2026-09-07T12:00:00+08:00"])
    assert early.exit_code == 0, early.output
    assert "0 newly overdue, 0 escalations" in early.output
    late = runner.invoke(app, ["ops", "sweep", "--at", "2026-09-08T12:00:00+08:00"])
    assert "1 newly overdue, 1 escalations" in late.output
    assert "wang" in late.output
    assert get_task(store, "T-1").escalation_level == 1
    again = runner.invoke(app, ["ops", "sweep", "--at", "2026-09-08T12:00:00+08:00"])
    assert "0 newly overdue, 0 escalations" in again.output
    naive = runner.invoke(app, ["ops", "sweep", "--at", "2026-09-08T12:00:00"])
    assert naive.exit_code == 2


def test_the_sweep_reads_sla_settings(store: CaseStore, tmp_path: Path) -> None:
    runner = CliRunner()
    settings = tmp_path / "sla.toml"
    settings.write_text('[escalate_every]\nfreeze = "1h"\n', encoding="utf-8")
    three_hours_late = "2026-09-08T13:00:00+08:00"
    swept = runner.invoke(app, ["ops", "sweep", "--at", three_hours_late, "--policy", str(settings)])
    assert "1 newly overdue, 3 escalations" in swept.output, swept.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"sla": {"freeze": "soon"}}', encoding="utf-8")
    refused = runner.invoke(app, ["ops", "sweep", "--policy", str(bad)])
    assert refused.exit_code == 2
    assert "freeze" in refused.output


def test_audit_verify_detects_a_tampered_row(store: CaseStore) -> None:
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_append_only_UPDATE"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        connection.execute(
            text(
                "UPDATE audit_events SET actor = 'someone-else' WHERE seq = (SELECT MAX(seq) FROM audit_events)"
            )
        )
        last = connection.execute(text("SELECT MAX(seq) FROM audit_events")).scalar_one()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit log edited: audit event {last} was changed" in broken.output


def test_audit_verify_sees_the_last_rows_deleted(store: CaseStore) -> None:
    """Issue 13, case 8: a cut tail verified "intact" while nothing outside the database named its length."""
    store.close()  # as a server shutting down: the checkpoint names every event
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_append_only_DELETE"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        last = connection.execute(text("SELECT MAX(seq) FROM audit_events")).scalar_one()
        connection.execute(text(f"DELETE FROM audit_events WHERE seq = {last}"))
    broken = CliRunner().invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit log truncated: audit events from {last} on were cut off" in broken.output
