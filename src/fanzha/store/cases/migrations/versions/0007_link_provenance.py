"""link provenance: the keys that put each report in its campaign, and the money paid to shared-mule candidates

Revision ID: 0007_link_provenance
Revises: 0006_roles
Create Date: 2026-12-03

Memberships stored before this revision have no keys until the next ``fanzha link`` records them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_link_provenance"
down_revision: str | None = "0006_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
KEY = 600


def upgrade() -> None:
    op.create_table(
        "campaign_link_keys",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("linked_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_campaign_link_keys_report_id_reports", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_id", "key", name="pk_campaign_link_keys"),
    )
    op.create_index("ix_campaign_link_keys_key", "campaign_link_keys", ["key"])
    with op.batch_alter_table("link_hubs") as batch:
        batch.add_column(sa.Column("money", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_hubs") as batch:
        batch.drop_column("money")
    op.drop_index("ix_campaign_link_keys_key", table_name="campaign_link_keys")
    op.drop_table("campaign_link_keys")
