"""The identifier-risk rule (风险查询) on activity records: each level, spoofing, days, level-only kinds, platforms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanzha.link.hubs import shipped_hubs
from fanzha.model import IdentifierKind, IdentifierRole, normalize_identifier
from fanzha.risk import (
    LEVEL_ONLY_KINDS,
    KnownService,
    KnownServices,
    RiskLevel,
    assess_identifier,
    counted_roles,
    shipped_services,
)
from fanzha.store.cases import IdentifierActivity

K = IdentifierKind
FIRST = datetime(2026, 9, 1, 20, 30, 15, tzinfo=UTC)  # 2026-09-02 04:30 in Beijing
LAST = datetime(2026, 9, 29, 12, 0, 1, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def activity(kind: IdentifierKind, raw: str, cases: int = 0, tips: int = 0) -> IdentifierActivity:
    """The record the store would hand back for ``raw`` named in ``cases`` cases and ``tips`` tips."""
    value, valid = normalize_identifier(kind, raw)
    named = cases + tips > 0
    return IdentifierActivity(
        kind, value, valid, cases, tips, FIRST if named else None, LAST if named else None
    )


@pytest.mark.parametrize(
    ("kind", "raw", "cases", "tips", "level"),
    [
        (K.PHONE, "138 0013 8000", 2, 0, RiskLevel.HIGH),
        (K.PHONE, "138 0013 8000", 1, 1, RiskLevel.HIGH),
        (K.PHONE, "138 0013 8000", 1, 0, RiskLevel.MEDIUM),
        (K.PHONE, "138 0013 8000", 0, 3, RiskLevel.MEDIUM),
        (K.PHONE, "138 0013 8000", 0, 0, RiskLevel.NONE_REPORTED),
        (K.PHONE, "95588", 40, 9, RiskLevel.SERVICE),
        (K.PHONE, "12399", 5, 0, RiskLevel.UNVERIFIED),
        (K.PHONE, "95123", 0, 0, RiskLevel.UNVERIFIED),
        (K.PHONE, "+86 95588", 0, 0, RiskLevel.UNVERIFIED),
        (K.PHONE, "abc", 0, 0, RiskLevel.INVALID),
        (K.DOMAIN, "www.taobao.com", 12, 3, RiskLevel.PLATFORM),
        (K.DOMAIN, "alipay.com", 12, 3, RiskLevel.PLATFORM),
        (K.APP, "腾讯会议", 30, 0, RiskLevel.PLATFORM),
        (K.URL, "https://www.taobao.com/", 5, 0, RiskLevel.PLATFORM),
        (K.URL, "https://item.taobao.com/item.htm?id=1", 2, 0, RiskLevel.HIGH),
        (K.URL, "https://refund-help.example.com/claim", 1, 0, RiskLevel.MEDIUM),
        (K.BANK_ACCOUNT, "6217 0000 1000 1234 569", 3, 0, RiskLevel.HIGH),
        (K.BANK_ACCOUNT, "12", 3, 0, RiskLevel.INVALID),
    ],
)
def test_each_level(kind: IdentifierKind, raw: str, cases: int, tips: int, level: RiskLevel) -> None:
    risk = assess_identifier(activity(kind, raw, cases, tips))
    assert risk.level == level
    assert risk.reasons, "every level says why"
    assert all(reason.zh and reason.en for reason in risk.reasons)


def test_a_listed_service_number_says_callers_can_spoof_it() -> None:
    risk = assess_identifier(activity(K.PHONE, "95588", 3))
    assert (risk.level, risk.spoofable, risk.category) == (RiskLevel.SERVICE, True, "bank_hotline")
    codes = [reason.code for reason in risk.reasons]
    assert codes == ["listed_service", "callers_can_spoof"]
    listed, spoof = risk.reasons
    assert "中国工商银行" in listed.zh
    assert "ICBC" in listed.en
    assert "伪造" in spoof.zh
    assert "spoof" in spoof.en


def test_an_unlisted_short_number_is_unverified_and_spoofable_but_a_mobile_is_not() -> None:
    short = assess_identifier(activity(K.PHONE, "95123", 2))
    assert (short.level, short.spoofable) == (RiskLevel.UNVERIFIED, True)
    assert [reason.code for reason in short.reasons] == ["unverified", "callers_can_spoof"]
    mobile = assess_identifier(activity(K.PHONE, "+86 138 0013 8000", 2))
    assert (mobile.spoofable, mobile.category) == (False, None)


@pytest.mark.parametrize("raw", ["+86 95588", "+95588", "0086 10086", "00 110"])
def test_a_listed_number_behind_a_plus_is_a_disguised_call(raw: str) -> None:
    risk = assess_identifier(activity(K.PHONE, raw))
    assert (risk.level, risk.spoofable) == (RiskLevel.UNVERIFIED, True)
    assert [reason.code for reason in risk.reasons] == ["disguised_service", "callers_can_spoof"]
    assert "改号" in risk.reasons[0].zh
    assert "disguised" in risk.reasons[0].en


def test_dates_are_days_in_the_centres_time_zone() -> None:
    risk = assess_identifier(activity(K.PHONE, "13800138000", 2), timezone=SHANGHAI)
    assert (risk.first_reported, risk.last_reported) == (date(2026, 9, 2), date(2026, 9, 29))
    assert type(risk.first_reported) is date, "a day, not an instant"
    assert assess_identifier(activity(K.PHONE, "13800138000", 2)).first_reported == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (K.BANK_ACCOUNT, "6217000010001234569"),
        (K.CRYPTO_WALLET, "0x52908400098527886e0f7030069857d2e4169ee7"),
        (K.ALIPAY, "mule@example.com"),
    ],
)
def test_accounts_and_wallets_answer_the_level_only(kind: IdentifierKind, raw: str) -> None:
    assert kind in LEVEL_ONLY_KINDS
    risk = assess_identifier(activity(kind, raw, cases=2, tips=1))
    assert risk.level == RiskLevel.HIGH
    assert (risk.cases, risk.tips, risk.first_reported, risk.last_reported) == (None, None, None, None)
    assert not any(any(c.isdigit() for c in reason.zh + reason.en) for reason in risk.reasons)


def test_a_page_on_a_platforms_site_is_judged_by_its_own_reports() -> None:
    risk = assess_identifier(activity(K.URL, "https://item.taobao.com/item.htm?id=1", 2))
    assert [reason.code for reason in risk.reasons] == ["hosted_on_platform", "reported_repeatedly"]
    assert "淘宝" in risk.reasons[0].zh
    assert risk.category is None


PLATFORM_KEYS = sorted(key for key in shipped_services().by_key if not key.startswith("phone:"))
SERVICE_KEYS = sorted(key for key in shipped_services().by_key if key.startswith("phone:"))


@given(key=st.sampled_from(PLATFORM_KEYS), cases=st.integers(0, 10_000), tips=st.integers(0, 10_000))
def test_platforms_are_never_high(key: str, cases: int, tips: int) -> None:
    kind, _, value = key.partition(":")
    risk = assess_identifier(IdentifierActivity(K(kind), value, True, cases, tips, FIRST, LAST))
    assert risk.level == RiskLevel.PLATFORM
    assert risk.category is not None


@given(key=st.sampled_from(SERVICE_KEYS), cases=st.integers(0, 10_000), tips=st.integers(0, 10_000))
def test_service_numbers_are_never_high_and_always_spoofable(key: str, cases: int, tips: int) -> None:
    risk = assess_identifier(
        IdentifierActivity(K.PHONE, key.partition(":")[2], True, cases, tips, FIRST, LAST)
    )
    assert (risk.level, risk.spoofable) == (RiskLevel.SERVICE, True)


def test_every_shipped_hub_is_known_with_names() -> None:
    known = shipped_services().by_key
    assert set(shipped_hubs()) <= set(known)
    assert all(service.zh and service.en for service in known.values())
    for key in known:
        kind, _, value = key.partition(":")
        assert normalize_identifier(kind, value).value == value, f"{key} is not stored normalised"


def test_a_centre_may_bring_its_own_directory() -> None:
    hospital = KnownService("hospital", "市人民医院", "the city hospital")
    local = KnownServices({"phone:+8675588881234": hospital, **shipped_services().by_key})
    risk = assess_identifier(activity(K.PHONE, "0755-8888 1234", 4), local)
    assert (risk.level, risk.category, risk.spoofable) == (RiskLevel.SERVICE, "hospital", True)
    assert assess_identifier(activity(K.PHONE, "0755-8888 1234", 4)).level == RiskLevel.HIGH


def test_counted_roles_never_include_the_victims_own() -> None:
    assert counted_roles() == {IdentifierRole.COUNTERPARTY, IdentifierRole.UNKNOWN}
    assert counted_roles(count_unknown=False) == {IdentifierRole.COUNTERPARTY}
    assert IdentifierRole.VICTIM not in counted_roles() | counted_roles(False)
