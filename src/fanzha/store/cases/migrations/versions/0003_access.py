"""access: users (argon2 password hashes, unit, roles) and API keys of bank and telco systems

Revision ID: 0003_access
Revises: 0002_campaigns
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_access"
down_revision: str | None = "0002_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("roles", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_users_unit_units"),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
    )
    op.create_index("ix_users_unit", "users", ["unit"])
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("roles", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_api_keys_unit_units"),
        sa.PrimaryKeyConstraint("key_id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_unit", "api_keys", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_api_keys_unit", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index("ix_users_unit", table_name="users")
    op.drop_table("users")
