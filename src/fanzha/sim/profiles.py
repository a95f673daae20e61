"""How each of the ten high-incidence fraud types (十大高发类型) behaves: share of cases, losses, payments, laundering."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from fanzha.model import AgeBand, Identifier, IdentifierKind
from fanzha.sim.regions import reporting_units

K = IdentifierKind


@dataclass(frozen=True)
class FraudProfile:
    """The behaviour of one fraud type in the simulation.

    ``naming`` is the chance that a report names an identifier of each kind; ``pool_rate`` how many distinct
    identifiers of that kind a campaign uses per report (scammers rotate phones faster than sites);
    ``innocent`` the innocent hubs such reports mention ("bank" is the hotline of the victim's own bank).
    """

    code: str
    case_share: float
    loss_median_yuan: float
    loss_sigma: float
    extra_payments: float
    span_hours: float
    third_party: float
    crypto: float
    depth: tuple[int, int]
    atm_share: float
    naming: dict[IdentifierKind, float]
    innocent: tuple[str, ...] = ()
    innocent_rate: float = 0.3
    ages: tuple[float, float, float, float, float, float] = (0.02, 0.25, 0.3, 0.2, 0.15, 0.08)
    pool_rate: dict[IdentifierKind, float] = field(
        default_factory=lambda: {
            K.PHONE: 0.2,
            K.WECHAT: 0.12,
            K.QQ: 0.12,
            K.URL: 0.05,
            K.APP: 0.03,
            K.CRYPTO_WALLET: 0.06,
        }
    )


UNSCRIPTED_CODES = frozenset(
    {"sextortion", "phishing", "prize_lottery", "impersonate_authority.purchase_order"}
)
"""Fraud types of the taxonomy the simulator has no script for yet: it never plants them, so they leave its draws
(and every scenario made before they joined the taxonomy) as they were."""


def simulated_codes(codes: Sequence[str]) -> list[str]:
    """``codes`` without those the simulator cannot tell (:data:`UNSCRIPTED_CODES`), in their order."""
    return [code for code in codes if code not in UNSCRIPTED_CODES]


PROFILES: tuple[FraudProfile, ...] = (
    FraudProfile("brushing_rebate", 0.33, 8_000, 1.1, 1.8, 3, 0.3, 0.03, (2, 4), 0.55,
                 {K.PHONE: 0.3, K.WECHAT: 0.45, K.QQ: 0.4, K.URL: 0.45, K.DOMAIN: 0.15, K.APP: 0.35, K.CRYPTO_WALLET: 0.03},
                 ("platform_taobao", "platform_jd", "platform_pinduoduo", "platform_qq"), 0.35,
                 (0.04, 0.35, 0.33, 0.17, 0.08, 0.03)),
    FraudProfile("fake_investment", 0.09, 50_000, 1.5, 2.8, 24 * 8, 0.15, 0.15, (3, 6), 0.2,
                 {K.PHONE: 0.3, K.WECHAT: 0.55, K.URL: 0.55, K.DOMAIN: 0.2, K.APP: 0.55, K.CRYPTO_WALLET: 0.2},
                 ("bank", "platform_alipay"), 0.2, (0.0, 0.1, 0.25, 0.3, 0.25, 0.1)),
    FraudProfile("fake_shopping", 0.09, 800, 1.0, 0.3, 1, 0.6, 0.0, (2, 3), 0.7,
                 {K.PHONE: 0.35, K.WECHAT: 0.45, K.QQ: 0.3, K.URL: 0.3, K.DOMAIN: 0.1},
                 ("platform_taobao", "platform_pinduoduo", "platform_jd", "consumer_hotline"), 0.45,
                 (0.1, 0.4, 0.3, 0.12, 0.06, 0.02)),
    FraudProfile("fake_customer_service", 0.10, 10_000, 1.0, 0.6, 2, 0.3, 0.0, (2, 4), 0.55,
                 {K.PHONE: 0.9, K.QQ: 0.15, K.URL: 0.2, K.APP: 0.1},
                 ("platform_taobao", "platform_jd", "platform_pinduoduo", "platform_alipay", "bank", "meeting_app"), 0.6),
    FraudProfile("fake_loan", 0.10, 5_000, 0.9, 0.8, 6, 0.25, 0.0, (2, 4), 0.6,
                 {K.PHONE: 0.5, K.QQ: 0.2, K.URL: 0.55, K.DOMAIN: 0.15, K.APP: 0.55},
                 ("bank", "platform_alipay"), 0.25),
    FraudProfile("fake_credit", 0.07, 12_000, 1.0, 0.5, 3, 0.2, 0.0, (2, 4), 0.5,
                 {K.PHONE: 0.85, K.URL: 0.25, K.APP: 0.25},
                 ("bank", "meeting_app", "platform_alipay"), 0.45, (0.02, 0.45, 0.35, 0.12, 0.05, 0.01)),
    FraudProfile("impersonate_acquaintance", 0.07, 20_000, 1.0, 0.3, 1, 0.2, 0.0, (2, 4), 0.4,
                 {K.PHONE: 0.4, K.WECHAT: 0.55, K.QQ: 0.45},
                 ("bank", "platform_qq"), 0.25, (0.01, 0.1, 0.25, 0.3, 0.24, 0.1)),
    FraudProfile("impersonate_authority", 0.05, 60_000, 1.3, 1.0, 10, 0.1, 0.02, (3, 6), 0.25,
                 {K.PHONE: 0.95, K.URL: 0.3, K.APP: 0.2, K.QQ: 0.05},
                 ("bank", "telco", "meeting_app"), 0.4, (0.01, 0.08, 0.15, 0.22, 0.3, 0.24)),
    FraudProfile("romance", 0.04, 30_000, 1.3, 1.8, 24 * 10, 0.2, 0.1, (3, 5), 0.3,
                 {K.PHONE: 0.2, K.WECHAT: 0.65, K.URL: 0.45, K.DOMAIN: 0.15, K.APP: 0.35, K.CRYPTO_WALLET: 0.08},
                 ("platform_qq",), 0.15, (0.0, 0.2, 0.35, 0.28, 0.14, 0.03)),
    FraudProfile("game_trading", 0.06, 600, 1.0, 0.3, 1, 0.6, 0.0, (2, 3), 0.75,
                 {K.QQ: 0.7, K.URL: 0.4, K.WECHAT: 0.3, K.PHONE: 0.15},
                 ("platform_qq", "consumer_hotline"), 0.3, (0.35, 0.45, 0.14, 0.04, 0.02, 0.0)),
)  # fmt: skip
"""The ten types with case shares after MPS statistics: 刷单返利 about a third of cases, 虚假投资理财 few cases
with the largest (heavy-tailed) losses, 冒充公检法 large per-case losses, shopping and game trading small ones."""

AGE_BANDS: tuple[AgeBand, ...] = tuple(AgeBand)

BANK_HOTLINES: dict[str, str] = {
    "ICBC": "95588", "CCB": "95533", "ABC": "95599", "BOC": "95566", "BOCOM": "95559",
    "CMB": "95555", "PSBC": "95580", "CIB": "95561", "PAB": "95511",
}  # fmt: skip
TELCO_SERVICES = ("10086", "10010", "10000")

# group → identifiers and the reason they are innocent
INNOCENT_GROUPS: dict[str, tuple[tuple[Identifier, str], ...]] = {
    "bank": tuple((Identifier(kind=K.PHONE, value=n), "bank_hotline") for n in BANK_HOTLINES.values()),
    "telco": tuple((Identifier(kind=K.PHONE, value=n), "telco_service") for n in TELCO_SERVICES),
    "consumer_hotline": ((Identifier(kind=K.PHONE, value="12315"), "government_hotline"),),
    "platform_taobao": ((Identifier(kind=K.DOMAIN, value="taobao.com"), "platform"),),
    "platform_jd": ((Identifier(kind=K.DOMAIN, value="jd.com"), "platform"),),
    "platform_pinduoduo": ((Identifier(kind=K.DOMAIN, value="pinduoduo.com"), "platform"),),
    "platform_alipay": ((Identifier(kind=K.DOMAIN, value="alipay.com"), "platform"),),
    "platform_qq": ((Identifier(kind=K.DOMAIN, value="qq.com"), "platform"),),
    "meeting_app": ((Identifier(kind=K.APP, value="腾讯会议"), "platform"),),
}


LOCAL_SHARE = 0.35
"""Share of innocent mentions that name a local hub (a hospital, a courier outlet, a city's or a small platform's
service line) rather than a well-known one: what victims call to check, complain or collect."""

AREA_CODES: dict[str, str] = {
    "1101": "10", "1201": "22", "1301": "311", "1401": "351", "1501": "471", "2101": "24", "2201": "431",
    "2301": "451", "3101": "21", "3201": "25", "3205": "512", "3301": "571", "3302": "574", "3401": "551",
    "3501": "591", "3502": "592", "3601": "791", "3701": "531", "3702": "532", "4101": "371", "4201": "27",
    "4301": "731", "4401": "20", "4403": "755", "4406": "757", "4419": "769", "4501": "771", "4601": "898",
    "5001": "23", "5101": "28", "5201": "851", "5301": "871", "5401": "891", "6101": "29", "6201": "931",
    "6301": "971", "6401": "951", "6501": "991",
}  # fmt: skip
"""Telephone area code of each simulated city (first four digits of its GB/T 2260 code)."""

SMALL_PLATFORMS: tuple[tuple[Identifier, str], ...] = (
    (Identifier(kind=K.URL, value="https://m.zhuanzhuan.com"), "small_platform"),
    (Identifier(kind=K.URL, value="https://www.dewu.com"), "small_platform"),
    (Identifier(kind=K.URL, value="https://m.58.com"), "small_platform"),
    (Identifier(kind=K.PHONE, value="+864006186161"), "platform_service"),
    (Identifier(kind=K.PHONE, value="+864008177799"), "platform_service"),
    (Identifier(kind=K.PHONE, value="+864000519519"), "platform_service"),
)
"""Second-tier platforms' sites and service lines: innocent, and not in the shipped allow-list."""

LOCAL_KINDS = ("hospital", "courier_outlet", "city_service", "small_platform")


def _landline(area: str, place: str, what: str) -> Identifier:
    digits = 20_000_000 + zlib.crc32(f"{place}:{what}".encode()) % 70_000_000
    return Identifier(kind=K.PHONE, value=f"+86{area}{digits}")


def local_hub(unit_code: str, which: int) -> tuple[Identifier, str]:
    """The local innocent hub a report from ``unit_code`` names, by ``which`` (no random draw): the city's
    hospital or service line, the county's courier outlet (快递驿站), or a small platform."""
    kind = LOCAL_KINDS[which % len(LOCAL_KINDS)]
    area = AREA_CODES.get(unit_code[:4], "10")
    if kind == "hospital":
        return _landline(area, unit_code[:4], kind), kind
    if kind == "courier_outlet":
        return _landline(area, unit_code, kind), kind
    if kind == "city_service":
        return _landline(area, unit_code[:4], kind), kind
    return SMALL_PLATFORMS[(which // len(LOCAL_KINDS)) % len(SMALL_PLATFORMS)]


def local_hubs(unit_codes: tuple[str, ...]) -> list[tuple[Identifier, str]]:
    """Every local hub of the reporting units, in a fixed order."""
    found = {
        local_hub(code, which)
        for code in unit_codes
        for which in range(len(LOCAL_KINDS) * len(SMALL_PLATFORMS))
    }
    return sorted(found, key=lambda entry: (entry[1], entry[0].key))


def innocent_identifiers() -> list[tuple[Identifier, str]]:
    """The well-known innocent hubs (bank hotlines, telco and government lines, big platforms) with their reason,
    in a fixed order (what the text room's simulated training reports name)."""
    return [entry for group in INNOCENT_GROUPS.values() for entry in group]


def planted_innocent_identifiers() -> list[tuple[Identifier, str]]:
    """Every innocent hub a scenario plants, with its reason: the well-known ones, then the local ones."""
    return innocent_identifiers() + local_hubs(tuple(u.code for u in reporting_units()))
