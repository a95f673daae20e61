"""ops: tasks with steps, results, returns, holds and escalations; leads and their events; warnings and attempts

Revision ID: 0004_ops
Revises: 0003_access
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ops"
down_revision: str | None = "0003_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=True),
        sa.Column("target_value", sa.String(length=512), nullable=True),
        sa.Column("target_valid", sa.Boolean(), nullable=True),
        sa.Column("target_raw", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_leads_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
    )
    op.create_index("ix_leads_unit_state", "leads", ["unit", "state"])

    op.create_table(
        "tasks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("issuing_unit", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=True),
        sa.Column("target_value", sa.String(length=512), nullable=True),
        sa.Column("target_valid", sa.Boolean(), nullable=True),
        sa.Column("target_raw", sa.Text(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("amount_currency", sa.String(length=8), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("has_result", sa.Boolean(), nullable=False),
        sa.Column("stopped_minor", sa.BigInteger(), nullable=True),
        sa.Column("stopped_currency", sa.String(length=8), nullable=True),
        sa.Column("frozen_minor", sa.BigInteger(), nullable=True),
        sa.Column("frozen_currency", sa.String(length=8), nullable=True),
        sa.Column("returned_minor", sa.BigInteger(), nullable=True),
        sa.Column("returned_currency", sa.String(length=8), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.Column("hold_effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_renewals", sa.Integer(), nullable=True),
        sa.Column("hold_expiry_noticed", sa.Boolean(), nullable=True),
        sa.Column("hold_lapsed", sa.Boolean(), nullable=True),
        sa.Column("hold_released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issuing_unit"], ["units.code"], name="fk_tasks_issuing_unit_units"),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_tasks_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_due_at", "tasks", ["due_at"])
    op.create_index("ix_tasks_issuing_unit", "tasks", ["issuing_unit"])
    op.create_index("ix_tasks_unit_state", "tasks", ["unit", "state"])

    op.create_table(
        "warnings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_value", sa.String(length=512), nullable=False),
        sa.Column("target_valid", sa.Boolean(), nullable=False),
        sa.Column("target_raw", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_warnings_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_warnings"),
    )
    op.create_index("ix_warnings_unit_created_at", "warnings", ["unit", "created_at"])

    op.create_table(
        "lead_events",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("actor_unit", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_unit", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_lead_events_lead_id_leads"),
        sa.PrimaryKeyConstraint("lead_id", "seq", name="pk_lead_events"),
    )
    op.create_table(
        "task_escalations",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("task_unit", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("supervisors", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name="fk_task_escalations_task_id_tasks"),
        sa.PrimaryKeyConstraint("task_id", "level", name="pk_task_escalations"),
    )
    op.create_index("ix_task_escalations_unit", "task_escalations", ["unit"])

    op.create_table(
        "task_returns",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("victim", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name="fk_task_returns_task_id_tasks"),
        sa.PrimaryKeyConstraint("task_id", "victim", name="pk_task_returns"),
    )
    op.create_table(
        "task_steps",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("actor_unit", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_unit", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name="fk_task_steps_task_id_tasks"),
        sa.PrimaryKeyConstraint("task_id", "seq", name="pk_task_steps"),
    )
    op.create_table(
        "warning_attempts",
        sa.Column("warning_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("actor_unit", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warnings.id"], name="fk_warning_attempts_warning_id_warnings"
        ),
        sa.PrimaryKeyConstraint("warning_id", "seq", name="pk_warning_attempts"),
    )


def downgrade() -> None:
    op.drop_table("warning_attempts")
    op.drop_table("task_steps")
    op.drop_table("task_returns")
    op.drop_index("ix_task_escalations_unit", table_name="task_escalations")

    op.drop_table("task_escalations")
    op.drop_table("lead_events")
    op.drop_index("ix_warnings_unit_created_at", table_name="warnings")

    op.drop_table("warnings")
    op.drop_index("ix_tasks_unit_state", table_name="tasks")
    op.drop_index("ix_tasks_issuing_unit", table_name="tasks")
    op.drop_index("ix_tasks_due_at", table_name="tasks")

    op.drop_table("tasks")
    op.drop_index("ix_leads_unit_state", table_name="leads")

    op.drop_table("leads")
