"""Small hand-built units and reports for the case-store tests, and row counting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select

from fanzha.model import (
    AgeBand,
    Channel,
    Identifier,
    IdentifierKind,
    Language,
    Money,
    Payment,
    PaymentRail,
    Report,
    ReportKind,
    Unit,
    UnitLevel,
    Victim,
)
from fanzha.store.cases import CaseStore
from fanzha.store.cases.schema import Base

T0 = datetime(2026, 9, 1, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))
SCAM_PHONE = "+8613800138000"
MULE_CARD = "6222020200112233445"  # not Luhn-valid on purpose: stored as written, valid=False
VICTIM_CARD = "6217000010001234567"

UNITS = [
    Unit(code="CN", name="国家反诈中心", level=UnitLevel.NATIONAL),
    Unit(code="440000", name="广东省反诈中心", level=UnitLevel.PROVINCE, parent="CN", region_code="440000"),
    Unit(code="440300", name="深圳市反诈中心", level=UnitLevel.CITY, parent="440000", region_code="440300"),
    Unit(code="440305", name="南山区反诈中心", level=UnitLevel.COUNTY, parent="440300", region_code="440305"),
    Unit(code="310000", name="上海市反诈中心", level=UnitLevel.PROVINCE, parent="CN", region_code="310000"),
]


def case(report_id: str, hours: float = 0, **changes: Any) -> Report:
    """A case with a victim, two payments (one by crypto) and two form identifiers, received ``hours`` after T0."""
    received = T0 + timedelta(hours=hours)
    fields: dict[str, Any] = {
        "id": report_id,
        "kind": ReportKind.CASE,
        "channel": Channel.APP,
        "received_at": received.astimezone(BEIJING),
        "reporter_unit": "440305",
        "victim": Victim(
            pseudonym=f"V-{report_id}", age_band=AgeBand.A60_PLUS, region_code="440305", account=VICTIM_CARD
        ),
        "narrative": f"对方自称客服，电话{SCAM_PHONE}，让我转账到{MULE_CARD}。",
        "language": Language.ZH_HANS,
        "declared_fraud_type": "fake_customer_service.refund",
        "payments": (
            Payment(
                from_account=VICTIM_CARD,
                to_account=MULE_CARD,
                amount=Money(amount_minor=1_250_000),
                time=received - timedelta(hours=2),
                to_bank="ICBC",
                to_name="张某",
            ),
            Payment(
                from_account=VICTIM_CARD,
                to_account="0x52908400098527886E0F7030069857D2E4169EE7",
                amount=Money(amount_minor=50_000, currency="USDT"),
                time=received - timedelta(hours=1),
                rail=PaymentRail.CRYPTO,
            ),
        ),
        "identifiers": (
            Identifier.parse(IdentifierKind.PHONE, "138-0013-8000"),
            Identifier.parse(IdentifierKind.URL, "https://refund-help.example.com/claim"),
        ),
    }
    fields.update(changes)
    return Report(**fields)


def tip(report_id: str, hours: float = 0, **changes: Any) -> Report:
    """A tip from a telco: no victim, no payments, one phone."""
    fields: dict[str, Any] = {
        "id": report_id,
        "kind": ReportKind.TIP,
        "channel": Channel.TELCO,
        "received_at": T0 + timedelta(hours=hours),
        "reporter_unit": "310000",
        "narrative": "可疑来电",
        "identifiers": (Identifier(kind=IdentifierKind.PHONE, value=SCAM_PHONE),),
    }
    fields.update(changes)
    return Report(**fields)


def row_counts(store: CaseStore) -> dict[str, int]:
    """Rows per table of the case store."""
    with store.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }
