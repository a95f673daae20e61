"""The domain types of fanzha, one class per kind of thing an anti-scam centre handles.

Money is integer minor units (fen, cents) with an ISO 4217 currency; every time is timezone-aware UTC;
identifier values are normalised on construction (see :mod:`fanzha.model.identifiers`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from fanzha.model.identifiers import IdentifierKind, IdentifierRole, normalize_identifier
from fanzha.model.limits import UtcDatetime
from fanzha.model.taxonomy import fraud_taxonomy

MAX_AMOUNT_MINOR = 10**14
"""Largest amount accepted in one record: one trillion in major units; beyond it a record is taken as corrupt."""


def _fraud_type_code(value: str) -> str:
    if value not in fraud_taxonomy().all_codes():
        raise ValueError(f"unknown fraud type {value!r}")
    return value


FraudTypeCode = Annotated[str, AfterValidator(_fraud_type_code)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$|^[A-Z0-9]{3,6}$", examples=["CNY", "USDT"])]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Money(_Frozen):
    """An amount in minor units (fen for CNY) with its currency."""

    amount_minor: int = Field(gt=0, le=MAX_AMOUNT_MINOR)
    currency: Currency = "CNY"


class ReportKind(StrEnum):
    """A case (立案/报案: a victim lost money) or a tip (举报线索: a suspicious number, URL or account, no loss)."""

    CASE = "case"
    TIP = "tip"


class Channel(StrEnum):
    """Where a report came in."""

    APP = "app"  # 国家反诈中心 app
    WEB = "web"
    HOTLINE = "hotline"  # 96110 / 110
    BANK = "bank"
    TELCO = "telco"
    POLICE_DESK = "police_desk"


class Language(StrEnum):
    """Script of a narrative."""

    ZH_HANS = "zh-Hans"
    ZH_HANT = "zh-Hant"
    EN = "en"


class PaymentRail(StrEnum):
    """How money moved."""

    BANK_TRANSFER = "bank_transfer"
    THIRD_PARTY = "third_party"  # Alipay, WeChat Pay, ...
    CRYPTO = "crypto"
    CASH = "cash"


class AgeBand(StrEnum):
    """Age band of a victim; exact birth dates are not kept."""

    UNDER_18 = "<18"
    A18_25 = "18-25"
    A26_35 = "26-35"
    A36_45 = "36-45"
    A46_59 = "46-59"
    A60_PLUS = "60+"


class Identifier(_Frozen):
    """A normalised identifier named in a report (涉案要素): phone, account, URL, wallet, social ID, app."""

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=512)
    valid: bool = True
    raw: str | None = Field(
        default=None, max_length=1024, description="as written in the source, when it differs"
    )
    role: IdentifierRole = Field(
        default=IdentifierRole.UNKNOWN, description="the victim's own, the other side's, or not told"
    )

    @classmethod
    def parse(
        cls, kind: IdentifierKind | str, raw: str, role: IdentifierRole = IdentifierRole.UNKNOWN
    ) -> Identifier:
        """Normalise ``raw`` and record whether it validated."""
        normalized = normalize_identifier(kind, raw)
        return cls(
            kind=IdentifierKind(kind),
            value=normalized.value,
            valid=normalized.valid,
            raw=None if raw == normalized.value else raw,
            role=role,
        )

    @property
    def key(self) -> str:
        """``kind:value``, the identity of an identifier across reports."""
        return f"{self.kind.value}:{self.value}"


class Victim(_Frozen):
    """A victim, pseudonymous: the centre's own reference, an age band and a region, no name."""

    pseudonym: str = Field(min_length=1, max_length=64)
    age_band: AgeBand | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", description="GB/T 2260 region code")
    account: str | None = Field(
        default=None, max_length=64, description="the victim's own paying account, digits"
    )


class Payment(_Frozen):
    """A payment a victim made to the scam: an edge from payer to beneficiary."""

    from_account: str = Field(min_length=1, max_length=64)
    to_account: str = Field(min_length=1, max_length=128)
    amount: Money
    time: UtcDatetime
    rail: PaymentRail = PaymentRail.BANK_TRANSFER
    to_bank: str | None = Field(default=None, max_length=128)
    to_name: str | None = Field(
        default=None, max_length=256, description="beneficiary account holder name as the bank shows it"
    )

    def payee(self) -> Identifier | None:
        """The account paid into as a normalised identifier, the other side's: a wallet for a crypto payment,
        else a bank account; ``None`` when nothing of it normalises."""
        kind = (
            IdentifierKind.CRYPTO_WALLET if self.rail == PaymentRail.CRYPTO else IdentifierKind.BANK_ACCOUNT
        )
        normalized = normalize_identifier(kind, self.to_account)
        if not normalized.value:
            return None
        return Identifier(
            kind=kind, value=normalized.value, valid=normalized.valid, role=IdentifierRole.COUNTERPARTY
        )


class Report(_Frozen):
    """A victim's report of a scam or a tip (接警/举报)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    kind: ReportKind = ReportKind.CASE
    channel: Channel
    received_at: UtcDatetime
    reporter_unit: str = Field(
        min_length=1, max_length=32, description="code of the unit that took the report"
    )
    victim: Victim | None = None
    narrative: str = Field(default="", max_length=20_000)
    language: Language | None = None
    declared_fraud_type: FraudTypeCode | None = None
    payments: tuple[Payment, ...] = ()
    identifiers: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == ReportKind.TIP and self.payments:
            raise ValueError("a tip records no loss: payments must be empty")
        for index, payment in enumerate(self.payments):
            if payment.time > self.received_at:
                raise ValueError(f"payments[{index}].time is after the report was received")
        return self

    @property
    def loss(self) -> dict[str, int]:
        """Total lost per currency, in minor units."""
        totals: dict[str, int] = {}
        for payment in self.payments:
            totals[payment.amount.currency] = (
                totals.get(payment.amount.currency, 0) + payment.amount.amount_minor
            )
        return totals

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: the same report ingested twice has the same hash."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


class TransactionChannel(StrEnum):
    """What kind of movement a bank transaction record is."""

    TRANSFER = "transfer"
    THIRD_PARTY = "third_party"
    ATM_WITHDRAWAL = "atm_withdrawal"
    CRYPTO_EXCHANGE = "crypto_exchange"
    MERCHANT = "merchant"
    SALARY = "salary"
    CASH_DEPOSIT = "cash_deposit"


CASH_OUT_CHANNELS = frozenset(
    {TransactionChannel.ATM_WITHDRAWAL, TransactionChannel.CRYPTO_EXCHANGE, TransactionChannel.MERCHANT}
)
"""Channels where traced money leaves the banking system (资金出口)."""


class Transaction(_Frozen):
    """One bank transaction record: money moving from one account to another (资金流水)."""

    txn_id: int = Field(ge=0, lt=2**63)
    time: UtcDatetime
    src_account: str = Field(min_length=1, max_length=64)
    dst_account: str = Field(min_length=1, max_length=64)
    amount_minor: int = Field(gt=0, le=MAX_AMOUNT_MINOR)
    currency: Currency = "CNY"
    channel: TransactionChannel = TransactionChannel.TRANSFER
    src_bank: str | None = None
    dst_bank: str | None = None
    memo: str | None = Field(default=None, max_length=256)


class CampaignStatus(StrEnum):
    """Where a campaign (串并案/集群战役) stands."""

    OPEN = "open"
    ACTIVE_OPERATION = "active_operation"
    CLOSED = "closed"


class Campaign(_Frozen):
    """Reports linked by shared identifiers into one scam operation."""

    id: str
    name: str = ""
    fraud_type: FraudTypeCode | None = None
    status: CampaignStatus = CampaignStatus.OPEN
    report_ids: tuple[str, ...] = ()
    key_identifiers: tuple[Identifier, ...] = ()
    created_at: UtcDatetime


class UnitLevel(StrEnum):
    """Level of a unit in the tree 部省市县, plus the liaison desks of banks and telcos."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    BANK = "bank"
    TELCO = "telco"


class Unit(_Frozen):
    """An anti-fraud centre or liaison desk; units form a tree through ``parent``."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str
    level: UnitLevel
    parent: str | None = None
    region_code: str | None = None


class TaskKind(StrEnum):
    """What a task asks a unit to do."""

    STOP_PAYMENT = "stop_payment"  # 紧急止付
    FREEZE = "freeze"  # 冻结
    BLOCK_NUMBER = "block_number"  # 关停号码
    TAKEDOWN_URL = "takedown_url"  # 封堵网址
    WARN_VICTIM = "warn_victim"  # 预警劝阻
    INVESTIGATE = "investigate"  # 线索核查
    RETURN_FUNDS = "return_funds"  # 返还资金


class TaskState(StrEnum):
    """The closed loop 研交办督结: analyse → dispatch → handle → supervise → close."""

    ANALYSE = "analyse"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"
    CLOSED = "closed"


class Task(_Frozen):
    """Work owned by a unit, with a deadline."""

    id: str
    kind: TaskKind
    state: TaskState = TaskState.ANALYSE
    unit: str
    created_at: UtcDatetime
    due_at: UtcDatetime
    report_id: str | None = None
    campaign_id: str | None = None
    target: Identifier | None = None
    amount: Money | None = None
    detail: dict[str, Any] = Field(
        default_factory=dict
    )  # bounded where it comes in (JsonObject): reads never fail


class WarningLevel(StrEnum):
    """Grade of a warning to a potential victim and how it is delivered (high → visit, medium → call, low → SMS)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Warning(_Frozen):
    """A warning to a potential victim (预警劝阻)."""

    id: str
    level: WarningLevel
    target: Identifier
    reason: str
    unit: str
    created_at: UtcDatetime


class AuditEvent(_Frozen):
    """One entry of the append-only, hash-chained audit log."""

    seq: int = Field(ge=0)
    time: UtcDatetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
