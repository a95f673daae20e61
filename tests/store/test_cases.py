"""The case store on SQLite and PostgreSQL: round trips, idempotent all-or-nothing batches, provenance,
masking, the audit chain, and ingest twice == ingest once for any generated batch."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from case_reports import MULE_CARD, SCAM_PHONE, T0, UNITS, VICTIM_CARD, case, row_counts, tip
from fanzha.model import (
    Channel,
    Identifier,
    IdentifierKind,
    Money,
    Payment,
    PaymentRail,
    Report,
    ReportKind,
    Unit,
    UnitLevel,
    Victim,
    utcnow,
)
from fanzha.store.cases import (
    AddResult,
    CaseStore,
    CaseStoreError,
    ReportConflictError,
    ReportNotFoundError,
    TextMention,
    UnknownUnitError,
    upgrade,
)
from fanzha.store.cases.schema import AuditEventRow, IdentifierRow, ReportRow

WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"


@pytest.fixture
def store(case_store: CaseStore) -> CaseStore:
    case_store.add_units(UNITS)
    return case_store


def identifier_row(store: CaseStore, kind: str, value: str) -> IdentifierRow:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(IdentifierRow).where(IdentifierRow.kind == kind, IdentifierRow.value == value)
        ).one()
    return IdentifierRow(**row._mapping)


def audit_events(store: CaseStore) -> list[AuditEventRow]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).all()
    return [AuditEventRow(**row._mapping) for row in rows]


# --- round trip -------------------------------------------------------------------------------------


def test_report_round_trips_with_payments_identifiers_and_utc_times(store: CaseStore) -> None:
    reports = [case("R1"), tip("T1", hours=3), case("R2", hours=5, victim=None, language=None, payments=())]
    assert store.add_reports(reports) == AddResult(inserted=3, unchanged=0)
    for report in reports:
        back = store.get_report(report.id, actor="analyst-1")
        assert back == report
        assert back.content_hash() == report.content_hash()
        assert back.received_at.tzinfo == UTC
        assert all(payment.time.tzinfo == UTC for payment in back.payments)
    assert store.get_report("R1", "analyst-1").identifiers[0].raw == "138-0013-8000"
    with store.engine.connect() as connection:
        stored = dict(connection.execute(select(ReportRow.id, ReportRow.content_hash)).all())
    assert stored == {report.id: report.content_hash() for report in reports}


def test_unknown_report_raises_not_found(store: CaseStore) -> None:
    with pytest.raises(ReportNotFoundError, match="NOPE"):
        store.get_report("NOPE", "analyst-1")


# --- idempotent, all-or-nothing batches ---------------------------------------------------------------


def test_reingesting_the_same_reports_changes_nothing(store: CaseStore) -> None:
    reports = [case("R1"), case("R2", hours=1), tip("T1", hours=2)]
    store.add_reports(reports)
    before = row_counts(store)
    phone = identifier_row(store, "phone", SCAM_PHONE)
    assert store.add_reports(reversed(reports)) == AddResult(inserted=0, unchanged=3)
    assert store.add_reports([reports[0], reports[0]]) == AddResult(inserted=0, unchanged=1)
    assert row_counts(store) == before
    assert identifier_row(store, "phone", SCAM_PHONE).report_count == phone.report_count == 3


def test_conflicting_duplicate_id_is_refused_and_nothing_is_written(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    before = row_counts(store)
    changed = case("R1", narrative="a different account of events")
    with pytest.raises(ReportConflictError, match="R1") as refused:
        store.add_reports([case("R2", hours=1), tip("T9"), changed])
    assert refused.value.report_ids == ["R1"]
    assert row_counts(store) == before
    assert store.get_report("R1", "analyst-1") == case("R1")


def test_conflicting_duplicate_within_one_batch_is_refused(store: CaseStore) -> None:
    before = row_counts(store)
    with pytest.raises(ReportConflictError, match="R7"):
        store.add_reports([case("R7"), case("R8"), case("R7", hours=1)])
    assert row_counts(store) == before


def test_text_with_nul_is_refused_on_every_backend(store: CaseStore) -> None:
    with pytest.raises(CaseStoreError, match=r"report R2, field narrative"):
        store.add_reports([case("R1"), case("R2", narrative="bad\x00byte")])
    with pytest.raises(CaseStoreError, match="R3: text mention at 0"):
        store.add_reports(
            [case("R3")],
            identifiers_from_text={"R3": [TextMention(IdentifierKind.QQ, "12345", 0, 5, raw="\x00")]},
        )
    assert row_counts(store)["reports"] == 0
    assert store.add_reports([case("R4", narrative="a literal \\u0000 is fine")]).inserted == 1


def test_unknown_reporter_unit_is_named_and_nothing_is_written(store: CaseStore) -> None:
    before = row_counts(store)
    with pytest.raises(UnknownUnitError, match="R2 → 999999"):
        store.add_reports([case("R1"), case("R2", reporter_unit="999999")])
    assert row_counts(store) == before


# --- identifiers and provenance -----------------------------------------------------------------------


def test_identifier_provenance_from_form_payment_and_text(store: CaseStore) -> None:
    report = case("R1")
    narrative = report.narrative
    phone_at = narrative.index(SCAM_PHONE)
    card_at = narrative.index(MULE_CARD)
    mentions = [
        TextMention(IdentifierKind.PHONE, SCAM_PHONE, phone_at, phone_at + len(SCAM_PHONE)),
        TextMention(IdentifierKind.BANK_ACCOUNT, MULE_CARD, card_at, card_at + len(MULE_CARD), valid=False),
    ]
    store.add_reports([report, tip("T1", hours=2)], identifiers_from_text={"R1": mentions})

    phone_links = store.identifier_reports(IdentifierKind.PHONE, "138 0013 8000")
    assert [(link.report_id, link.source, link.span_start, link.span_end) for link in phone_links] == [
        ("R1", "form", None, None),
        ("R1", "text", phone_at, phone_at + len(SCAM_PHONE)),
        ("T1", "form", None, None),
    ]
    assert phone_links[0].raw == "138-0013-8000"
    card_links = store.identifier_reports("bank_account", MULE_CARD)
    assert [(link.source, link.ordinal) for link in card_links] == [("payment", 0), ("text", card_at)]
    assert [link.source for link in store.identifier_reports("crypto_wallet", WALLET)] == ["payment"]

    phone = identifier_row(store, "phone", SCAM_PHONE)
    assert (phone.report_count, phone.first_seen, phone.last_seen) == (2, T0, T0 + timedelta(hours=2))
    card = identifier_row(store, "bank_account", MULE_CARD)
    assert (card.report_count, card.valid) == (1, False)


def test_text_mentions_for_a_stored_report_are_linked_once(store: CaseStore) -> None:
    report = tip("T1")
    store.add_reports([report])
    mention = TextMention(IdentifierKind.QQ, "12345678", 2, 10, raw="QQ12345678")
    assert store.add_reports([report], identifiers_from_text={"T1": [mention]}) == AddResult(0, 1)
    after_first = row_counts(store)
    store.add_reports([report], identifiers_from_text={"T1": [mention]})
    assert row_counts(store) == after_first
    links = store.identifier_reports("qq", "12345678")
    assert [(link.report_id, link.source, link.span_start, link.raw) for link in links] == [
        ("T1", "text", 2, "QQ12345678")
    ]
    assert identifier_row(store, "qq", "12345678").report_count == 1


def test_text_mentions_must_belong_to_the_batch(store: CaseStore) -> None:
    with pytest.raises(CaseStoreError, match="GHOST"):
        store.add_reports([tip("T1")], identifiers_from_text={"GHOST": []})
    assert row_counts(store)["reports"] == 0


# --- reading: lists, masking, counts ------------------------------------------------------------------


def test_list_masks_personal_data(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    (summary,) = store.list_reports()
    assert summary.victim_account == "621************4567"
    assert VICTIM_CARD not in repr(summary)
    assert SCAM_PHONE not in repr(summary)
    assert "phone:+86138****8000" in summary.identifiers
    assert not hasattr(summary, "narrative")
    assert summary.loss == {"CNY": 1_250_000, "USDT": 50_000}
    assert [event.action for event in audit_events(store)] == ["reports.ingest"]


def test_list_filters_and_pages(store: CaseStore) -> None:
    store.add_units([Unit(code="440306", name="宝安区", level=UnitLevel.COUNTY, parent="440300")])
    store.add_reports(
        [
            case("R1", hours=1),
            case("R2", hours=2, reporter_unit="440306", declared_fraud_type="fake_investment.pig_butchering"),
            case("R3", hours=3, reporter_unit="440300", declared_fraud_type=None),
            tip("T1", hours=4),
        ]
    )

    def ids(**filters: Any) -> list[str]:
        return [summary.id for summary in store.list_reports(**filters)]

    assert ids() == ["T1", "R3", "R2", "R1"]
    assert ids(units=["440300"]) == ["R3", "R2", "R1"]
    assert ids(units=["440300"], subunits=False) == ["R3"]
    assert ids(units=["440000", "310000"]) == ["T1", "R3", "R2", "R1"]
    assert ids(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4)) == ["R3", "R2"]
    assert ids(kind=ReportKind.TIP) == ["T1"]
    assert ids(fraud_type="fake_investment") == ["R2"]
    assert ids(fraud_type="fake_customer_service.refund") == ["R1"]
    assert ids(limit=2) == ["T1", "R3"]
    assert ids(limit=2, offset=2) == ["R2", "R1"]

    assert (
        store.set_classifications([("R3", "fake_investment.crypto", 0.91), ("R1", "fake_investment", 0.6)])
        == 2
    )
    assert ids(fraud_type="fake_investment") == ["R3", "R2", "R1"]
    assert [s.classified for s in store.list_reports(units=["440300"])] == [True, False, True]


def test_counts_summarise_reports_loss_identifiers_and_units(store: CaseStore) -> None:
    store.add_reports([case("R1"), case("R2", hours=1), tip("T1")])
    counts = store.counts()
    assert (counts.reports, counts.cases, counts.tips, counts.units) == (3, 2, 1, len(UNITS))
    assert counts.loss == {"CNY": 2_500_000, "USDT": 100_000}
    assert counts.identifiers == {"phone": 1, "url": 1, "bank_account": 1, "crypto_wallet": 1}
    assert ("loss CNY (minor units)", 2_500_000) in counts.rows()


def test_add_units_is_idempotent_orders_parents_and_updates_renames(case_store: CaseStore) -> None:
    assert case_store.add_units(reversed(UNITS)) == AddResult(inserted=len(UNITS), unchanged=0)
    assert case_store.add_units(UNITS) == AddResult(inserted=0, unchanged=len(UNITS))
    renamed = UNITS[3].model_copy(update={"name": "深圳市公安局南山分局反诈中心"})
    assert case_store.add_units([renamed]) == AddResult(inserted=0, unchanged=0, updated=1)
    orphan = Unit(code="999999", name="?", level=UnitLevel.CITY, parent="990000")
    with pytest.raises(UnknownUnitError, match="999999 → 990000"):
        case_store.add_units([orphan])
    cycle = [
        Unit(code="A1", name="a", level=UnitLevel.CITY, parent="B1"),
        Unit(code="B1", name="b", level=UnitLevel.CITY, parent="A1"),
    ]
    with pytest.raises(CaseStoreError, match="cycle"):
        case_store.add_units(cycle)
    assert row_counts(case_store)["units"] == len(UNITS)


# --- audit --------------------------------------------------------------------------------------------


def test_get_report_writes_an_audit_event(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    store.get_report("R1", actor="analyst-7")
    event = audit_events(store)[-1]
    assert (event.actor, event.action, event.object_type, event.object_id) == (
        "analyst-7",
        "report.read",
        "report",
        "R1",
    )
    assert event.time.tzinfo == UTC
    assert abs(event.time - utcnow()) < timedelta(minutes=1)
    assert store.verify_audit_chain() is None


def test_audit_log_refuses_updates(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 0"))


def test_audit_chain_verification_finds_a_tampered_row(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    for actor in ("a", "b", "c"):
        store.get_report("R1", actor)
    assert store.verify_audit_chain() is None
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_append_only_UPDATE"))
        else:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    assert store.verify_audit_chain() == 2


def test_concurrent_readers_keep_one_unbroken_chain(store: CaseStore) -> None:
    store.add_reports([case("R1")])
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: store.get_report("R1", f"analyst-{n}"), range(40)))
    events = audit_events(store)
    assert [event.seq for event in events] == list(range(41))
    assert store.verify_audit_chain() is None


# --- property: ingest twice in any split == ingest once ------------------------------------------------

PHONES = [f"+86139{n:08d}" for n in range(4)]
CARDS = ["6217000010001234567", "6222020200112233445", "123456789012"]


@st.composite
def generated_report(draw: st.DrawFn, report_id: str) -> Report:
    received = T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    kind = draw(st.sampled_from(ReportKind))
    payments: tuple[Payment, ...] = ()
    if kind == ReportKind.CASE:
        payments = tuple(
            Payment(
                from_account=VICTIM_CARD,
                to_account=draw(st.sampled_from([*CARDS, WALLET])),
                amount=Money(
                    amount_minor=draw(st.integers(1, 10**9)), currency=draw(st.sampled_from(["CNY", "USD"]))
                ),
                time=received - timedelta(minutes=draw(st.integers(0, 600))),
                rail=PaymentRail.BANK_TRANSFER,
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        payments = tuple(
            p.model_copy(update={"rail": PaymentRail.CRYPTO}) if p.to_account == WALLET else p
            for p in payments
        )
    phones = draw(st.lists(st.sampled_from(PHONES), max_size=3))
    victim = draw(st.none() | st.builds(Victim, pseudonym=st.just(f"V-{report_id}")))
    return Report(
        id=report_id,
        kind=kind,
        channel=draw(st.sampled_from(Channel)),
        received_at=received,
        reporter_unit=draw(st.sampled_from([unit.code for unit in UNITS])),
        victim=victim,
        narrative=draw(st.text(st.characters(exclude_characters="\x00"), max_size=40)),
        payments=payments,
        identifiers=tuple(Identifier(kind=IdentifierKind.PHONE, value=phone) for phone in phones),
    )


def text_mentions(report: Report) -> list[TextMention]:
    """Mentions that depend on the report only, so both ingests pass the same ones."""
    return [
        TextMention(IdentifierKind.PHONE, PHONES[n % len(PHONES)], start=n * 3, end=n * 3 + 11)
        for n in range(len(report.narrative) % 3)
    ]


@st.composite
def splits(draw: st.DrawFn, reports: list[Report]) -> list[list[Report]]:
    shuffled = draw(st.permutations(reports))
    cuts = sorted(draw(st.lists(st.integers(0, len(shuffled)), max_size=3)))
    bounds = [0, *cuts, len(shuffled)]
    return [shuffled[a:b] for a, b in itertools.pairwise(bounds)]


def ingest(store: CaseStore, batch: list[Report]) -> AddResult:
    return store.add_reports(batch, identifiers_from_text={r.id: text_mentions(r) for r in batch})


def identifier_table(store: CaseStore) -> set[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return set(
            connection.execute(
                select(
                    IdentifierRow.kind,
                    IdentifierRow.value,
                    IdentifierRow.valid,
                    IdentifierRow.report_count,
                    IdentifierRow.first_seen,
                    IdentifierRow.last_seen,
                )
            )
        )


@pytest.fixture
def once_and_twice(case_store_urls: Callable[[], str]) -> Iterator[tuple[CaseStore, CaseStore]]:
    stores = []
    for _ in range(2):
        url = case_store_urls()
        upgrade(url)
        store = CaseStore(url)
        store.add_units(UNITS)
        stores.append(store)
    yield stores[0], stores[1]
    for store in stores:
        store.close()


EXAMPLE = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_batch_ingested_twice_in_any_split_equals_once(
    once_and_twice: tuple[CaseStore, CaseStore], data: st.DataObject
) -> None:
    once, twice = once_and_twice
    prefix = f"E{next(EXAMPLE)}-"
    size = data.draw(st.integers(1, 8))
    reports = [data.draw(generated_report(f"{prefix}{n}")) for n in range(size)]

    assert ingest(once, reports) == AddResult(inserted=size, unchanged=0)
    first = [ingest(twice, batch) for batch in data.draw(splits(reports))]
    second = [ingest(twice, batch) for batch in data.draw(splits(reports))]

    assert sum(result.inserted for result in first) == size
    assert sum(result.inserted for result in second) == 0
    assert sum(result.unchanged for result in second) == size
    counts_once, counts_twice = row_counts(once), row_counts(twice)
    counts_once.pop("audit_events"), counts_twice.pop("audit_events")
    assert counts_twice == counts_once
    assert identifier_table(twice) == identifier_table(once)
    for report in reports:
        assert twice.get_report(report.id, "property-test") == report
