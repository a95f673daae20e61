"""outcomes: case outcomes (solved, suspects arrested) and interceptions of money

Revision ID: 0005_outcomes
Revises: 0004_ops
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outcomes"
down_revision: str | None = "0004_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_outcomes",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("suspects_arrested", sa.Integer(), nullable=False),
        sa.Column("fraud_type", sa.String(64), nullable=True),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_case_outcomes_report_id_reports", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_case_outcomes_unit_units"),
        sa.PrimaryKeyConstraint("report_id", name="pk_case_outcomes"),
    )
    op.create_index("ix_case_outcomes_unit", "case_outcomes", ["unit"])
    op.create_table(
        "interceptions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("fraud_type", sa.String(64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_interceptions_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_interceptions"),
    )
    op.create_index("ix_interceptions_unit", "interceptions", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_interceptions_unit", table_name="interceptions")
    op.drop_table("interceptions")
    op.drop_index("ix_case_outcomes_unit", table_name="case_outcomes")
    op.drop_table("case_outcomes")
