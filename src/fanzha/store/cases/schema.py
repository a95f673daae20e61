"""Tables of the case store (SQLAlchemy 2 typed declarative models).

Later rooms (campaigns, tasks, warnings, users) add their own models on :class:`Base` and their own
Alembic revision; the constraint naming convention keeps names identical on SQLite and PostgreSQL so
migrations can refer to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fanzha.store.cases.engine import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

LINK_SOURCES = ("form", "text", "payment")


class Base(DeclarativeBase):
    """Declarative base of every case-store table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class UnitRow(Base):
    """A unit (部/省/市/县 centre or bank/telco liaison desk); the tree runs through ``parent``."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(String(32), ForeignKey("units.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12))


class ReportRow(Base):
    """A victim report or tip (接警/举报); victim fields are personal data, read only through audited calls."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("kind IN ('case', 'tip')", name="kind"),
        Index(None, "received_at"),
        Index(None, "reporter_unit", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    reporter_unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"))
    victim_pseudonym: Mapped[str | None] = mapped_column(String(64))
    victim_age_band: Mapped[str | None] = mapped_column(String(8))
    victim_region: Mapped[str | None] = mapped_column(String(6))
    victim_account: Mapped[str | None] = mapped_column(String(64))
    narrative: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    declared_fraud_type: Mapped[str | None] = mapped_column(String(64))
    classified_fraud_type: Mapped[str | None] = mapped_column(String(64))
    classified_confidence: Mapped[float | None] = mapped_column(Float)
    content_hash: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime]


class PaymentRow(Base):
    """A victim's payment into the scam, the ``payment_index``-th of its report."""

    __tablename__ = "payments"

    report_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    payment_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_account: Mapped[str] = mapped_column(String(64))
    to_account: Mapped[str] = mapped_column(String(128))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    time: Mapped[datetime]
    rail: Mapped[str] = mapped_column(String(16))
    to_bank: Mapped[str | None] = mapped_column(Text)
    to_name: Mapped[str | None] = mapped_column(Text)


class IdentifierRow(Base):
    """A normalised identifier (涉案要素), one row per kind and value, with how often and when it was reported."""

    __tablename__ = "identifiers"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(512))
    valid: Mapped[bool] = mapped_column(Boolean)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    report_count: Mapped[int] = mapped_column(Integer)


IDENTIFIER_ROLES = ("victim", "counterparty", "unknown")


class ReportIdentifierRow(Base):
    """Provenance of a report–identifier link: the form entry, the payment or the span of text that made it.

    ``ordinal`` is the entry's index in the form list, the payment index, or the span start in the narrative.
    """

    __tablename__ = "report_identifiers"
    __table_args__ = (
        CheckConstraint("source IN ('form', 'text', 'payment')", name="source"),
        CheckConstraint(f"role IN {IDENTIFIER_ROLES!r}", name="role"),
        Index(None, "identifier_id", "role"),
    )

    report_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    identifier_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("identifiers.id"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(8), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str | None] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean)
    role: Mapped[str] = mapped_column(String(16), server_default="unknown")
    """Whose the identifier is by this mention: ``victim``, ``counterparty`` or ``unknown`` (IdentifierRole)."""


class AuditEventRow(Base):
    """The append-only, hash-chained audit log; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "object_type", "object_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


CAMPAIGN_STATUSES = ("open", "active_operation", "closed")
LINK_KEY_LENGTH = 600
"""Room for ``kind:value`` (kind up to 16 characters, value up to 512)."""


class CampaignRow(Base):
    """A campaign (串并案/集群战役), named after its founding (oldest) report; ``merged_into`` once absorbed."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'active_operation', 'closed')", name="status"),
        Index(None, "merged_into"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    founder_report_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24))
    n_reports: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    merged_into: Mapped[str | None] = mapped_column(String(80))


class CampaignReportRow(Base):
    """Which campaign a report is in now, the campaign it first joined, and the key that linked it."""

    __tablename__ = "campaign_reports"
    __table_args__ = (Index(None, "campaign_id"),)

    report_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[str] = mapped_column(String(80), ForeignKey("campaigns.id"))
    home_campaign_id: Mapped[str] = mapped_column(String(80))
    linked_by: Mapped[str | None] = mapped_column(String(LINK_KEY_LENGTH))
    linked_at: Mapped[datetime]


class CampaignMergeRow(Base):
    """The merge log: ``absorbed`` joined ``survivor`` (or, kind ``split``, reports left ``absorbed``)."""

    __tablename__ = "campaign_merges"
    __table_args__ = (
        CheckConstraint("kind IN ('merge', 'split')", name="kind"),
        Index(None, "survivor_id"),
        Index(None, "absorbed_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    survivor_id: Mapped[str] = mapped_column(String(80))
    absorbed_id: Mapped[str] = mapped_column(String(80))
    report_id: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(LINK_KEY_LENGTH))
    actor: Mapped[str] = mapped_column(String(128))
    merged_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]


class LinkOverrideRow(Base):
    """An analyst's decision on one linking key: ``keep`` (always links) or ``suppress`` (never links)."""

    __tablename__ = "link_overrides"
    __table_args__ = (CheckConstraint("action IN ('keep', 'suppress')", name="action"),)

    key: Mapped[str] = mapped_column(String(LINK_KEY_LENGTH), primary_key=True)
    action: Mapped[str] = mapped_column(String(8))
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class LinkHubRow(Base):
    """A hub decision of the last bulk linking (allow-list, adaptive rule, analyst), shown to analysts."""

    __tablename__ = "link_hubs"

    key: Mapped[str] = mapped_column(String(LINK_KEY_LENGTH), primary_key=True)
    reason: Mapped[str] = mapped_column(String(24))
    category: Mapped[str | None] = mapped_column(String(32))
    suppressed: Mapped[bool] = mapped_column(Boolean)
    degree: Mapped[int] = mapped_column(Integer)
    type_spread: Mapped[float] = mapped_column(Float)
    region_spread: Mapped[float] = mapped_column(Float)
    decided_at: Mapped[datetime]
    money: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Paid to it by its reports, currency → minor units (accounts and wallets: shared-mule evidence)."""


class UserRow(Base):
    """A person who signs in to the console or the API: one unit, one or more roles, an argon2 password hash.

    Usernames are unique without regard to case (``ux_users_username_lower``), and found so at sign-in.
    """

    __tablename__ = "users"
    __table_args__ = (Index("ux_users_username_lower", func.lower(text("username")), unique=True),)

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"), index=True)
    roles: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    """A key for a bank's or telco's system (机构接口密钥); only the SHA-256 of the key is kept."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"), index=True)
    roles: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


class TaskRow(Base):
    """A task of the closed loop 研交办督结: who holds it, who issued it, its result, hold and escalation level.

    Stopped (止付), frozen (冻结) and returned (返还) amounts have their own columns and are never added together.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        Index(None, "unit", "state"),
        Index(None, "issuing_unit"),
        Index(None, "due_at"),
        Index(None, "report_id", "kind"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"))
    issuing_unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    report_id: Mapped[str | None] = mapped_column(String(64))
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_value: Mapped[str | None] = mapped_column(String(512))
    target_valid: Mapped[bool | None] = mapped_column(Boolean)
    target_raw: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_currency: Mapped[str | None] = mapped_column(String(8))
    detail: Mapped[dict[str, Any]]
    has_result: Mapped[bool] = mapped_column(Boolean)
    stopped_minor: Mapped[int | None] = mapped_column(BigInteger)
    stopped_currency: Mapped[str | None] = mapped_column(String(8))
    frozen_minor: Mapped[int | None] = mapped_column(BigInteger)
    frozen_currency: Mapped[str | None] = mapped_column(String(8))
    returned_minor: Mapped[int | None] = mapped_column(BigInteger)
    returned_currency: Mapped[str | None] = mapped_column(String(8))
    result_note: Mapped[str | None] = mapped_column(Text)
    hold_effective_at: Mapped[datetime | None]
    hold_expires_at: Mapped[datetime | None]
    hold_renewals: Mapped[int | None] = mapped_column(Integer)
    hold_expiry_noticed: Mapped[bool | None] = mapped_column(Boolean)
    hold_lapsed: Mapped[bool | None] = mapped_column(Boolean)
    hold_released_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer)


class TaskStepRow(Base):
    """One step of a task (who, from which unit, when, what, from which state to which), in order."""

    __tablename__ = "task_steps"

    task_id: Mapped[str] = mapped_column(String(64), ForeignKey("tasks.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    actor_unit: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    to_unit: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)


class TaskReturnRow(Base):
    """A victim's part of a return of frozen money (返还), by the victim's pseudonym."""

    __tablename__ = "task_returns"

    task_id: Mapped[str] = mapped_column(String(64), ForeignKey("tasks.id"), primary_key=True)
    victim: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class TaskEscalationRow(Base):
    """An overdue task brought to the supervisors of a unit above the one holding it (督办)."""

    __tablename__ = "task_escalations"

    task_id: Mapped[str] = mapped_column(String(64), ForeignKey("tasks.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_unit: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(32), index=True)
    supervisors: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class LeadRow(Base):
    """A lead in the ledger (线索台账), assigned to one unit until closed there."""

    __tablename__ = "leads"
    __table_args__ = (Index(None, "unit", "state"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    report_id: Mapped[str | None] = mapped_column(String(64))
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_value: Mapped[str | None] = mapped_column(String(512))
    target_valid: Mapped[bool | None] = mapped_column(Boolean)
    target_raw: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(16))


class LeadEventRow(Base):
    """One step of a lead: opened, verified, passed on (移交), closed (核结)."""

    __tablename__ = "lead_events"

    lead_id: Mapped[str] = mapped_column(String(64), ForeignKey("leads.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    actor_unit: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    to_unit: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)


class WarningRow(Base):
    """A graded warning to a potential victim (预警劝阻) for a unit to deliver."""

    __tablename__ = "warnings"
    __table_args__ = (Index(None, "unit", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_value: Mapped[str] = mapped_column(String(512))
    target_valid: Mapped[bool] = mapped_column(Boolean)
    target_raw: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"))
    created_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(128))


class WarningAttemptRow(Base):
    """One attempt to warn a person: when, by whom, how, and what came of it."""

    __tablename__ = "warning_attempts"

    warning_id: Mapped[str] = mapped_column(String(64), ForeignKey("warnings.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    actor_unit: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)


class CaseOutcomeRow(Base):
    """How a case ended (破案, 抓获): one row per case report, replaced when the outcome is corrected."""

    __tablename__ = "case_outcomes"

    report_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"), index=True)
    at: Mapped[datetime]
    solved: Mapped[bool] = mapped_column(Boolean)
    suspects_arrested: Mapped[int] = mapped_column(Integer)
    fraud_type: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(128))


class InterceptionRow(Base):
    """Money kept from reaching a scam by a warning or a blocked transfer (预警拦截), kept apart from frozen money."""

    __tablename__ = "interceptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), ForeignKey("units.code"), index=True)
    at: Mapped[datetime]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    fraud_type: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128))


class CampaignLinkKeyRow(Base):
    """Why a report is in its campaign (串并依据): each linking key it shares with another report of it."""

    __tablename__ = "campaign_link_keys"

    report_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(LINK_KEY_LENGTH), primary_key=True, index=True)
    linked_at: Mapped[datetime]
