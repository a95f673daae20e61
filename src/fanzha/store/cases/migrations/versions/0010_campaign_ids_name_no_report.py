"""campaign ids name no report: ``CPN-<founder report id>`` becomes ``CPN-<16 hex digits of a hash of it>``

Every table holding a campaign id follows (campaigns, their members and merge log, tasks, leads); the audit log
keeps the ids it was written with. A campaign whose id is not made from its founder is left as it is.

Revision ID: 0010_campaign_ids_name_no_report
Revises: 0009_usernames_without_case
Create Date: 2026-12-04
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_campaign_ids_name_no_report"
down_revision: str | None = "0009_usernames_without_case"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "CPN-"
REFERENCES = [
    ("campaigns", "merged_into"),
    ("campaign_reports", "campaign_id"),
    ("campaign_reports", "home_campaign_id"),
    ("campaign_merges", "survivor_id"),
    ("campaign_merges", "absorbed_id"),
    ("tasks", "campaign_id"),
    ("leads", "campaign_id"),
]
COLUMNS = "founder_report_id, name, status, n_reports, created_at, updated_at, merged_into"


def _hashed(founder: str) -> str:
    # as fanzha.link.campaign_name made it when this revision was written
    return PREFIX + hashlib.sha256(f"fanzha campaign:{founder}".encode()).hexdigest()[:16]


def _suffix(campaign_id: str, stem: str) -> str | None:
    """``""`` for the stem itself, ``"-2"`` for a split's second name, None for another id."""
    if campaign_id == stem:
        return ""
    rest = campaign_id.removeprefix(stem)
    return rest if rest != campaign_id and rest[:1] == "-" and rest[1:].isdigit() else None


def _rename(old_stem: Callable[[str], str], new_stem: Callable[[str], str]) -> None:
    bind = op.get_bind()
    mapping: list[dict[str, str]] = []
    for campaign_id, founder in bind.execute(sa.text("SELECT id, founder_report_id FROM campaigns")):
        old, new = old_stem(founder), new_stem(founder)
        suffix = _suffix(campaign_id, old)
        if suffix is not None:
            mapping.append({"old": campaign_id, "new": new + suffix})
    if not mapping:
        return
    op.create_table(
        "campaign_id_map", sa.Column("old", sa.String(80), primary_key=True), sa.Column("new", sa.String(80))
    )
    bind.execute(sa.text("INSERT INTO campaign_id_map (old, new) VALUES (:old, :new)"), mapping)
    bind.execute(
        sa.text(
            f"INSERT INTO campaigns (id, {COLUMNS}) SELECT m.new, {COLUMNS} "
            "FROM campaigns JOIN campaign_id_map m ON m.old = campaigns.id"
        )
    )
    for table, column in REFERENCES:
        bind.execute(
            sa.text(
                f"UPDATE {table} SET {column} = (SELECT new FROM campaign_id_map WHERE old = {table}.{column}) "
                f"WHERE {column} IN (SELECT old FROM campaign_id_map)"
            )
        )
    bind.execute(sa.text("DELETE FROM campaigns WHERE id IN (SELECT old FROM campaign_id_map)"))
    op.drop_table("campaign_id_map")


def upgrade() -> None:
    _rename(lambda founder: PREFIX + founder, _hashed)


def downgrade() -> None:
    _rename(_hashed, lambda founder: PREFIX + founder)
