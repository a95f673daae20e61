"""campaigns: campaigns, report membership, merge log, analyst overrides and hub decisions of linking

Revision ID: 0002_campaigns
Revises: 0001_cases
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_campaigns"
down_revision: str | None = "0001_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)
KEY = 600


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("founder_report_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("n_reports", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("merged_into", sa.String(80), nullable=True),
        sa.CheckConstraint("status IN ('open', 'active_operation', 'closed')", name="ck_campaigns_status"),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
    )
    op.create_index("ix_campaigns_merged_into", "campaigns", ["merged_into"])

    op.create_table(
        "campaign_reports",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(80), nullable=False),
        sa.Column("home_campaign_id", sa.String(80), nullable=False),
        sa.Column("linked_by", sa.String(KEY), nullable=True),
        sa.Column("linked_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_campaign_reports_report_id_reports", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_campaign_reports_campaign_id_campaigns"
        ),
        sa.PrimaryKeyConstraint("report_id", name="pk_campaign_reports"),
    )
    op.create_index("ix_campaign_reports_campaign_id", "campaign_reports", ["campaign_id"])

    op.create_table(
        "campaign_merges",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("survivor_id", sa.String(80), nullable=False),
        sa.Column("absorbed_id", sa.String(80), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=True),
        sa.Column("key", sa.String(KEY), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("merged_at", UTC_TIME, nullable=False),
        sa.Column("undone_at", UTC_TIME, nullable=True),
        sa.CheckConstraint("kind IN ('merge', 'split')", name="ck_campaign_merges_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_merges"),
    )
    op.create_index("ix_campaign_merges_survivor_id", "campaign_merges", ["survivor_id"])
    op.create_index("ix_campaign_merges_absorbed_id", "campaign_merges", ["absorbed_id"])

    op.create_table(
        "link_overrides",
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("action IN ('keep', 'suppress')", name="ck_link_overrides_action"),
        sa.PrimaryKeyConstraint("key", name="pk_link_overrides"),
    )

    op.create_table(
        "link_hubs",
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("degree", sa.Integer(), nullable=False),
        sa.Column("type_spread", sa.Float(), nullable=False),
        sa.Column("region_spread", sa.Float(), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_link_hubs"),
    )


def downgrade() -> None:
    for table in ("link_hubs", "link_overrides", "campaign_merges", "campaign_reports", "campaigns"):
        op.drop_table(table)
