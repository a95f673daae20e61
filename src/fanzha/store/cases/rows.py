"""Conversions between the domain types of :mod:`fanzha.model` and rows of the case store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fanzha.model import (
    Channel,
    Identifier,
    IdentifierKind,
    Money,
    Payment,
    Report,
    ReportKind,
    Unit,
    Victim,
    mask_value,
)
from fanzha.store.cases.records import ReportSummary
from fanzha.store.cases.schema import PaymentRow, ReportRow


def unit_row(unit: Unit) -> dict[str, Any]:
    """Column values of a unit."""
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level.value,
        "parent": unit.parent,
        "region_code": unit.region_code,
    }


def report_row(report: Report, content_hash: str, ingested_at: datetime) -> dict[str, Any]:
    """Column values of a report (payments and identifiers go to their own tables)."""
    victim = report.victim
    return {
        "id": report.id,
        "kind": report.kind.value,
        "channel": report.channel.value,
        "received_at": report.received_at,
        "reporter_unit": report.reporter_unit,
        "victim_pseudonym": victim.pseudonym if victim else None,
        "victim_age_band": victim.age_band.value if victim and victim.age_band else None,
        "victim_region": victim.region_code if victim else None,
        "victim_account": victim.account if victim else None,
        "narrative": report.narrative,
        "language": report.language.value if report.language else None,
        "declared_fraud_type": report.declared_fraud_type,
        "classified_fraud_type": None,
        "classified_confidence": None,
        "content_hash": content_hash,
        "ingested_at": ingested_at,
    }


def payment_row(report_id: str, index: int, payment: Payment) -> dict[str, Any]:
    """Column values of the ``index``-th payment of a report."""
    return {
        "report_id": report_id,
        "payment_index": index,
        "from_account": payment.from_account,
        "to_account": payment.to_account,
        "amount_minor": payment.amount.amount_minor,
        "currency": payment.amount.currency,
        "time": payment.time,
        "rail": payment.rail.value,
        "to_bank": payment.to_bank,
        "to_name": payment.to_name,
    }


def payment_from_row(row: PaymentRow) -> Payment:
    """The payment a row holds."""
    return Payment(
        from_account=row.from_account,
        to_account=row.to_account,
        amount=Money(amount_minor=row.amount_minor, currency=row.currency),
        time=row.time,
        rail=row.rail,
        to_bank=row.to_bank,
        to_name=row.to_name,
    )


def report_from_row(row: ReportRow, payments: Sequence[Payment], identifiers: Sequence[Identifier]) -> Report:
    """The report a row holds, with its payments and form identifiers in their original order."""
    victim = None
    if row.victim_pseudonym is not None:
        victim = Victim(
            pseudonym=row.victim_pseudonym,
            age_band=row.victim_age_band,
            region_code=row.victim_region,
            account=row.victim_account,
        )
    return Report(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        received_at=row.received_at,
        reporter_unit=row.reporter_unit,
        victim=victim,
        narrative=row.narrative,
        language=row.language,
        declared_fraud_type=row.declared_fraud_type,
        payments=tuple(payments),
        identifiers=tuple(identifiers),
    )


def summary(
    row: ReportRow,
    loss: Mapping[str, int],
    identifiers: tuple[str, ...],
    campaign_id: str | None = None,
    stopped: bool = False,
) -> ReportSummary:
    """A list line for a report, the victim's account masked; ``stopped``: a stop-payment task exists for it."""
    account = row.victim_account
    return ReportSummary(
        id=row.id,
        kind=ReportKind(row.kind),
        channel=Channel(row.channel),
        received_at=row.received_at,
        reporter_unit=row.reporter_unit,
        fraud_type=row.classified_fraud_type or row.declared_fraud_type,
        classified=row.classified_fraud_type is not None,
        victim_age_band=row.victim_age_band,
        victim_region=row.victim_region,
        victim_account=mask_value(IdentifierKind.BANK_ACCOUNT, account) if account else None,
        loss=dict(loss),
        identifiers=identifiers,
        campaign_id=campaign_id,
        needs_trace=bool(loss) and not stopped,
    )
