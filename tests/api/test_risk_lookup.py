"""The public risk lookup over HTTP on a real case store: roles counted, days, level-only accounts, platforms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from case_reports import UNITS, case
from fanzha.api import create_app
from fanzha.config import Settings
from fanzha.model import Identifier, IdentifierKind, IdentifierRole, Money, Payment
from fanzha.store.cases import CaseStore, TextMention

K = IdentifierKind
VICTIM_PHONE = "+8613912345678"
SCAMMER_PHONE = "+8613700001111"
VALID_MULE_CARD = "6217000010001234569"  # passes Luhn

Lookup = Callable[..., dict[str, Any]]


@pytest.fixture
def store(case_store: CaseStore) -> CaseStore:
    """The case store with the unit tree."""
    case_store.add_units(UNITS)
    return case_store


@pytest.fixture
def lookup(store: CaseStore) -> Iterator[Lookup]:
    """``lookup(kind, value, **settings)``: the JSON answer of an app made with those settings."""
    clients: dict[tuple[tuple[str, Any], ...], TestClient] = {}

    def ask(kind: str, value: str, **settings: Any) -> dict[str, Any]:
        key = tuple(sorted(settings.items()))
        if key not in clients:
            made = Settings(
                environment="test", secret_key="k" * 40, public_lookups_per_minute=1_000, **settings
            )
            clients[key] = TestClient(create_app(made, store=store)).__enter__()
        answer = clients[key].get("/api/v1/identifiers/risk", params={"kind": kind, "value": value})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    yield ask
    for client in clients.values():
        client.__exit__(None, None, None)


def _named(report_id: str, *identifiers: Identifier, hours: float = 0, **changes: Any) -> Any:
    return case(
        report_id,
        hours,
        **{"identifiers": identifiers, "payments": (), "narrative": "电话里被骗了", **changes},
    )


def test_a_victims_own_phone_named_in_two_reports_is_not_high(store: CaseStore, lookup: Lookup) -> None:
    own = Identifier.parse(K.PHONE, VICTIM_PHONE, role=IdentifierRole.VICTIM)
    store.add_reports([_named("R1", own), _named("R2", own, hours=5)])
    answer = lookup("phone", VICTIM_PHONE)
    assert (answer["level"], answer["cases"], answer["first_reported"]) == ("none_reported", 0, None)


def test_a_victims_own_phone_on_the_form_outweighs_the_same_phone_of_unknown_role_in_the_text(
    store: CaseStore, lookup: Lookup
) -> None:
    own = Identifier.parse(K.PHONE, VICTIM_PHONE, role=IdentifierRole.VICTIM)
    reports = [_named(f"R{i}", own, hours=i, narrative=f"手机{VICTIM_PHONE}收到短信") for i in range(3)]
    in_text = TextMention(K.PHONE, VICTIM_PHONE, 2, 2 + len(VICTIM_PHONE))
    store.add_reports(reports, identifiers_from_text={r.id: [in_text] for r in reports})
    assert lookup("phone", VICTIM_PHONE)["level"] == "none_reported"
    with pytest.raises(ValueError, match="victim"):
        store.identifier_activity(K.PHONE, VICTIM_PHONE, [IdentifierRole.VICTIM])


def test_the_other_sides_phone_counts_and_unknown_roles_count_as_configured(
    store: CaseStore, lookup: Lookup
) -> None:
    unknown = Identifier.parse(K.PHONE, SCAMMER_PHONE)
    store.add_reports([_named("R1", unknown), _named("R2", unknown, hours=1)])
    assert lookup("phone", SCAMMER_PHONE)["level"] == "high"
    assert lookup("phone", SCAMMER_PHONE, risk_unknown_roles=False)["level"] == "none_reported"
    other_side = Identifier.parse(K.PHONE, SCAMMER_PHONE, role=IdentifierRole.COUNTERPARTY)
    store.add_reports([_named("R3", other_side, hours=2)])
    answer = lookup("phone", SCAMMER_PHONE, risk_unknown_roles=False, public_cache_seconds=0)
    assert (answer["level"], answer["cases"]) == ("medium", 1)


def test_dates_are_days_in_the_centres_time_zone(store: CaseStore, lookup: Lookup) -> None:
    phone = Identifier.parse(K.PHONE, SCAMMER_PHONE, role=IdentifierRole.COUNTERPARTY)
    store.add_reports([_named("R1", phone, hours=20.5), _named("R2", phone, hours=30)])
    answer = lookup("phone", SCAMMER_PHONE)
    assert (answer["first_reported"], answer["last_reported"]) == ("2026-09-02", "2026-09-02")
    assert lookup("phone", SCAMMER_PHONE, timezone="UTC")["first_reported"] == "2026-09-01"


def test_an_account_answer_carries_only_the_level(store: CaseStore, lookup: Lookup) -> None:
    pay = Payment(from_account="6222000000000001", to_account=VALID_MULE_CARD, amount=Money(amount_minor=90_000),
                  time=case("X").received_at)  # fmt: skip
    store.add_reports([case(f"R{i}", i, payments=(pay,)) for i in range(3)])
    answer = lookup("bank_account", VALID_MULE_CARD)
    assert answer["level"] == "high"
    assert {field for field, value in answer.items() if value is not None} == {
        "kind", "value", "level", "spoofable", "reasons",
    }  # fmt: skip
    assert not any(ch.isdigit() for reason in answer["reasons"] for ch in reason["zh"] + reason["en"])


@pytest.mark.parametrize(
    ("kind", "value"), [("domain", "taobao.com"), ("domain", "alipay.com"), ("app", "腾讯会议")]
)
def test_platforms_named_by_many_victims_are_platforms_not_high(
    store: CaseStore, lookup: Lookup, kind: str, value: str
) -> None:
    named = Identifier.parse(kind, value, role=IdentifierRole.COUNTERPARTY)
    store.add_reports([_named(f"R{i}", named, hours=i) for i in range(4)])
    answer = lookup(kind, value)
    assert (answer["level"], answer["category"], answer["cases"]) == ("platform", "platform", 4)
    assert answer["reasons"][0]["code"] == "known_platform"


def test_service_numbers_warn_of_spoofing_and_other_short_numbers_are_unverified(lookup: Lookup) -> None:
    bank = lookup("phone", "95588")
    assert (bank["level"], bank["spoofable"], bank["category"]) == ("service", True, "bank_hotline")
    assert [r["code"] for r in bank["reasons"]] == ["listed_service", "callers_can_spoof"]
    assert "伪造" in bank["reasons"][1]["zh"]
    assert "spoof" in bank["reasons"][1]["en"]
    short = lookup("phone", "12399")
    assert (short["level"], short["spoofable"]) == ("unverified", True)
    assert lookup("phone", "138 0013 8001")["spoofable"] is False


def test_with_the_cache_off_every_lookup_reads_the_store(store: CaseStore, lookup: Lookup) -> None:
    phone = Identifier.parse(K.PHONE, SCAMMER_PHONE, role=IdentifierRole.COUNTERPARTY)
    assert lookup("phone", SCAMMER_PHONE, public_cache_seconds=0)["cases"] == 0
    assert lookup("phone", SCAMMER_PHONE)["cases"] == 0
    store.add_reports([_named("R1", phone)])
    assert lookup("phone", SCAMMER_PHONE, public_cache_seconds=0)["cases"] == 1
    assert lookup("phone", SCAMMER_PHONE)["cases"] == 0, "a cached answer may be a little stale"


def test_the_public_contract_is_documented(store: CaseStore) -> None:
    settings = Settings(environment="test", secret_key="k" * 40)
    with TestClient(create_app(settings, store=store)) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["RiskAnswer"]["properties"]) == {
        "kind", "value", "level", "cases", "tips", "first_reported", "last_reported", "spoofable", "category",
        "reasons",
    }  # fmt: skip
    assert set(schemas["RiskLevel"]["enum"]) == {
        "high", "medium", "none_reported", "platform", "service", "unverified", "invalid",
    }  # fmt: skip
    first = schemas["RiskAnswer"]["properties"]["first_reported"]["anyOf"][0]
    assert first == {"type": "string", "format": "date"}
