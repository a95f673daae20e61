"""roles: whose each report–identifier link is (the victim's own, the other side's, or not told)

Revision ID: 0006_roles
Revises: 0005_outcomes
Create Date: 2026-12-03

Links stored before this revision are ``unknown``, except payees of payments, which are the other side's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_roles"
down_revision: str | None = "0005_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_identifiers") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="unknown"))
        batch.create_check_constraint(
            "ck_report_identifiers_role", "role IN ('victim', 'counterparty', 'unknown')"
        )
    op.execute("UPDATE report_identifiers SET role = 'counterparty' WHERE source = 'payment'")
    op.create_index(
        "ix_report_identifiers_identifier_id_role", "report_identifiers", ["identifier_id", "role"]
    )


def downgrade() -> None:
    op.drop_index("ix_report_identifiers_identifier_id_role", table_name="report_identifiers")
    with op.batch_alter_table("report_identifiers") as batch:
        batch.drop_constraint("ck_report_identifiers_role", type_="check")
        batch.drop_column("role")
