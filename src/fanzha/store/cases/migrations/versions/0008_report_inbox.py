"""report inbox: tasks indexed by report and kind, so "needs a trace" (no stop-payment task yet) is one probe a report

Revision ID: 0008_report_inbox
Revises: 0007_link_provenance
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_report_inbox"
down_revision: str | None = "0007_link_provenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tasks_report_id_kind", "tasks", ["report_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_tasks_report_id_kind", table_name="tasks")
