"""usernames unique without regard to case: ``SZ.ANALYST`` cannot be created beside ``sz.analyst``

Revision ID: 0009_usernames_without_case
Revises: 0008_report_inbox
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_usernames_without_case"
down_revision: str | None = "0008_report_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    clashes = op.get_bind().execute(
        sa.text("SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1")
    )
    names = sorted(str(name) for (name,) in clashes)
    if names:
        raise RuntimeError(
            f"usernames that differ only in case: {', '.join(names)}; rename or delete one of each, then upgrade"
        )
    op.create_index("ux_users_username_lower", "users", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index("ux_users_username_lower", table_name="users")
