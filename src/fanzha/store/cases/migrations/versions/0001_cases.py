"""cases: units, reports, payments, identifiers with provenance, hash-chained audit log

Revision ID: 0001_cases
Revises:
Create Date: 2026-10-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_cases"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)

_SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_events_append_only_{verb} BEFORE {verb} ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
"""
_POSTGRES_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
]


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent", sa.String(32), nullable=True),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.ForeignKeyConstraint(["parent"], ["units.code"], name="fk_units_parent_units"),
        sa.PrimaryKeyConstraint("code", name="pk_units"),
    )
    op.create_index("ix_units_parent", "units", ["parent"])

    op.create_table(
        "reports",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("reporter_unit", sa.String(32), nullable=False),
        sa.Column("victim_pseudonym", sa.String(64), nullable=True),
        sa.Column("victim_age_band", sa.String(8), nullable=True),
        sa.Column("victim_region", sa.String(6), nullable=True),
        sa.Column("victim_account", sa.String(64), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("declared_fraud_type", sa.String(64), nullable=True),
        sa.Column("classified_fraud_type", sa.String(64), nullable=True),
        sa.Column("classified_confidence", sa.Float(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("ingested_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("kind IN ('case', 'tip')", name="ck_reports_kind"),
        sa.ForeignKeyConstraint(["reporter_unit"], ["units.code"], name="fk_reports_reporter_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_received_at", "reports", ["received_at"])
    op.create_index("ix_reports_reporter_unit_received_at", "reports", ["reporter_unit", "received_at"])

    op.create_table(
        "payments",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("payment_index", sa.Integer(), nullable=False),
        sa.Column("from_account", sa.String(64), nullable=False),
        sa.Column("to_account", sa.String(128), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("rail", sa.String(16), nullable=False),
        sa.Column("to_bank", sa.Text(), nullable=True),
        sa.Column("to_name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_payments_report_id_reports", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_id", "payment_index", name="pk_payments"),
    )

    op.create_table(
        "identifiers",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("first_seen", UTC_TIME, nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identifiers"),
        sa.UniqueConstraint("kind", "value", name="uq_identifiers_kind_value"),
    )

    op.create_table(
        "report_identifiers",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("identifier_id", BIG_ID, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.CheckConstraint("source IN ('form', 'text', 'payment')", name="ck_report_identifiers_source"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_report_identifiers_report_id_reports", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["identifier_id"], ["identifiers.id"], name="fk_report_identifiers_identifier_id_identifiers"
        ),
        sa.PrimaryKeyConstraint(
            "report_id", "identifier_id", "source", "ordinal", name="pk_report_identifiers"
        ),
    )
    op.create_index("ix_report_identifiers_identifier_id", "report_identifiers", ["identifier_id"])

    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_object_type_object_id", "audit_events", ["object_type", "object_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(_SQLITE_APPEND_ONLY.format(verb=verb))
    else:
        for statement in _POSTGRES_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    for table in ("audit_events", "report_identifiers", "identifiers", "payments", "reports", "units"):
        op.drop_table(table)
