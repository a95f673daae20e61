"""``fanzha ops sweep`` (the SLA clock, 督办) and ``fanzha audit verify`` (审计链校验)."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fanzha.cli.app import app, console, err_console
from fanzha.config import get_settings
from fanzha.ops import InvalidOperationError, SlaPolicy
from fanzha.store.cases import CaseStore, upgrade

ops_app = typer.Typer(no_args_is_help=True, help="The operations room: tasks, deadlines, escalations.")
audit_app = typer.Typer(no_args_is_help=True, help="The keyed, hash-chained audit log and its checkpoints.")
app.add_typer(ops_app, name="ops")
app.add_typer(audit_app, name="audit")


def _policy(path: Path | None) -> SlaPolicy:
    if path is None:
        return SlaPolicy()
    text = path.read_text(encoding="utf-8")
    try:
        config = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        return SlaPolicy.from_config(config)
    except (InvalidOperationError, ValueError) as error:
        err_console.print(f"[red]bad SLA settings in {path}:[/red] {error}")
        raise typer.Exit(code=2) from error


@ops_app.command("sweep")
def sweep(
    at: Annotated[
        datetime | None, typer.Option(help="sweep as of this instant (ISO 8601 with offset); default now")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option(help="SLA settings (TOML or JSON, see SlaPolicy.from_config)", exists=True)
    ] = None,
) -> None:
    """Run the SLA clock once: mark overdue tasks, escalate them to the supervisors above, note holds lapsing.

    Safe to run as often as you like (e.g. every minute from cron): a second run at the same time changes nothing.
    """
    from fanzha.model import utcnow
    from fanzha.store.cases.ops import sweep_tasks

    if at is not None and at.tzinfo is None:
        err_console.print("[red]--at needs a timezone offset, e.g. 2026-09-07T10:00:00+08:00[/red]")
        raise typer.Exit(code=2)
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CaseStore(settings.case_store_url) as store:
        result = sweep_tasks(store, at or utcnow(), policy=_policy(policy))
    table = Table("task", "level", "escalated to", "supervisors", title="Escalations (督办)")
    for escalation in result.escalations:
        table.add_row(
            escalation.task_id,
            str(escalation.level),
            escalation.unit,
            ", ".join(escalation.supervisors) or "—",
        )
    if result.escalations:
        console.print(table)
    lapsed = sum(notice.lapsed for notice in result.expiry_notices)
    console.print(
        f"{len(result.newly_overdue)} newly overdue, {len(result.escalations)} escalations, "
        f"{len(result.expiry_notices) - lapsed} holds about to lapse, {lapsed} lapsed"
    )


@audit_app.command("verify")
def verify() -> None:
    """Check the audit log against its key and its signed checkpoints; exit 1 and say what was done if anything
    (an edit, a deletion, a reordering, a cut tail, an emptied log, a recomputed chain) and from which event."""
    settings = get_settings()
    with CaseStore(settings.case_store_url) as store:
        verdict = store.audit_verdict()
    if not verdict.intact:
        err_console.print(f"[red]audit log {verdict.problem}[/red]: {verdict.message}")
        raise typer.Exit(code=1)
    console.print(verdict.message)
