"""Identifier risk (风险查询): the level and reasons that the public lookup, the console and the interception
scorer give for a phone, URL, account or app.

The rules, in order:

1. A value that does not validate is ``invalid`` (but for a disguised service number, below).
2. A listed service number (bank and insurer hotlines, carriers, 110/96110/12321…, platforms' service lines) is
   ``service``, with the warning that callers can show it falsely (改号): a call that displays 95588 need not be
   the bank. Any other phone not in international form (a short number anyone may rent or spoof) is
   ``unverified``, and so is a listed number behind a '+' or a country code (+95588, +86 95588), which the
   answer calls a disguised call from abroad: the real service never calls so.
3. A listed platform or innocent hub (a domain, an app, or the home page of the platform's site) is ``platform``:
   a known service that scammers abuse or imitate, never ``high`` however often reports name it. A page on a
   platform's site is judged by its own reports, with a reason saying whose site it is on.
4. Otherwise the reports decide: ``high`` when named in two or more cases or in a case and a tip, ``medium`` in
   one case or any tip, ``none_reported`` otherwise (which is not "safe", and the answer says so). The store
   counts only the other side's mentions (counterparty, and unknown where configured; never the victim's own):
   see :func:`counted_roles`.

What is disclosed: counts, and dates at day precision in the centre's time zone; for bank accounts, wallets and
Alipay accounts only the level (cases, tips and dates are None), so a scammer cannot check whether a mule card is
burnt. Cost: a few dictionary lookups per identifier; the activity record is one indexed query in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from fanzha.model import IdentifierKind, IdentifierRole
from fanzha.risk.known import KnownService, KnownServices, shipped_services
from fanzha.store.cases.records import IdentifierActivity

LEVEL_ONLY_KINDS = frozenset(
    {IdentifierKind.BANK_ACCOUNT, IdentifierKind.CRYPTO_WALLET, IdentifierKind.ALIPAY}
)
"""Kinds money moves through: the public answer about them carries the level only."""


class RiskLevel(StrEnum):
    """What anyone is told about an identifier (风险等级)."""

    HIGH = "high"
    MEDIUM = "medium"
    NONE_REPORTED = "none_reported"
    PLATFORM = "platform"
    SERVICE = "service"
    UNVERIFIED = "unverified"
    INVALID = "invalid"


class RiskReason(BaseModel):
    """One reason for a level, in Chinese and English; ``code`` is stable for programs."""

    model_config = ConfigDict(frozen=True)
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class IdentifierRisk:
    """The level of an identifier and why, with what may be disclosed of its reports.

    ``cases``, ``tips`` and the dates are None for kinds answered by level only (:data:`LEVEL_ONLY_KINDS`);
    ``spoofable`` says that a caller showing this number may be someone else; ``service`` names the listed
    service or platform it is.
    """

    kind: IdentifierKind
    value: str
    level: RiskLevel
    reasons: tuple[RiskReason, ...]
    spoofable: bool
    service: KnownService | None
    cases: int | None
    tips: int | None
    first_reported: date | None
    last_reported: date | None

    @property
    def category(self) -> str | None:
        """The listed service's category (bank_hotline, telco_service, platform, …), if it is one."""
        return self.service.category if self.service else None


def counted_roles(count_unknown: bool = True) -> frozenset[IdentifierRole]:
    """Roles whose mentions count as reports of an identifier: the other side's, and unknown ones if configured."""
    if count_unknown:
        return frozenset({IdentifierRole.COUNTERPARTY, IdentifierRole.UNKNOWN})
    return frozenset({IdentifierRole.COUNTERPARTY})


def assess_identifier(
    activity: IdentifierActivity, known: KnownServices | None = None, timezone: tzinfo = UTC
) -> IdentifierRisk:
    """The level of ``activity``'s identifier and its reasons (rules in the module docstring).

    ``known`` is the directory of services (the shipped one by default); dates are days in ``timezone``.

    >>> from fanzha.store.cases import IdentifierActivity
    >>> quiet = IdentifierActivity(IdentifierKind.PHONE, "95588", True, 0, 0, None, None)
    >>> assess_identifier(quiet).level, assess_identifier(quiet).spoofable
    (<RiskLevel.SERVICE: 'service'>, True)
    """
    known = shipped_services() if known is None else known
    level, reasons, service = _judge(activity, known)
    spoofable = activity.kind == IdentifierKind.PHONE and level in (RiskLevel.SERVICE, RiskLevel.UNVERIFIED)
    if spoofable:
        reasons = (*reasons, SPOOFABLE)
    if activity.kind in LEVEL_ONLY_KINDS:
        cases = tips = first = last = None
    else:
        cases, tips = activity.cases, activity.tips
        first, last = _day(activity.first_reported, timezone), _day(activity.last_reported, timezone)
    return IdentifierRisk(
        kind=activity.kind, value=activity.value, level=level, reasons=reasons, spoofable=spoofable,
        service=service, cases=cases, tips=tips, first_reported=first, last_reported=last,
    )  # fmt: skip


def _judge(
    activity: IdentifierActivity, known: KnownServices
) -> tuple[RiskLevel, tuple[RiskReason, ...], KnownService | None]:
    disguised = _disguised_service(activity, known)
    if disguised is not None:
        return (
            RiskLevel.UNVERIFIED,
            (_named("disguised_service", DISGUISED_ZH, DISGUISED_EN, disguised),),
            None,
        )
    if not activity.valid:
        return RiskLevel.INVALID, (INVALID,), None
    service = known.get(activity.kind, activity.value)
    hosted: tuple[RiskReason, ...] = ()
    if activity.kind == IdentifierKind.PHONE:
        if service is not None:
            return RiskLevel.SERVICE, (_named("listed_service", SERVICE_ZH, SERVICE_EN, service),), service
        if not activity.value.startswith("+"):
            return RiskLevel.UNVERIFIED, (UNVERIFIED,), None
    elif activity.kind == IdentifierKind.URL and service is None:
        parts = urlsplit(activity.value)
        site = known.platform_of_host(parts.hostname or "")
        if site is not None and (parts.path.strip("/") or parts.query):
            hosted = (_named("hosted_on_platform", HOSTED_ZH, HOSTED_EN, site),)
        else:
            service = site
    if service is not None and activity.kind != IdentifierKind.PHONE:
        return RiskLevel.PLATFORM, (_named("known_platform", PLATFORM_ZH, PLATFORM_EN, service),), service
    level = _by_reports(activity.cases, activity.tips)
    return level, (*hosted, REPORTED[level]), None


def _disguised_service(activity: IdentifierActivity, known: KnownServices) -> KnownService | None:
    """The listed service behind a '+' or a country code (+95588, +86 95588, 0086 10086), if any."""
    if activity.kind != IdentifierKind.PHONE or not activity.value.startswith("+"):
        return None
    digits = activity.value[1:]
    inland = digits[2:] if digits.startswith("86") else None
    service = known.get(IdentifierKind.PHONE, digits)
    if service is None and inland:
        service = known.get(IdentifierKind.PHONE, inland)
    return service


def _by_reports(cases: int, tips: int) -> RiskLevel:
    if cases >= 2 or (cases and tips):
        return RiskLevel.HIGH
    if cases or tips:
        return RiskLevel.MEDIUM
    return RiskLevel.NONE_REPORTED


def _day(moment: datetime | None, timezone: tzinfo) -> date | None:
    return moment.astimezone(timezone).date() if moment is not None else None


def _named(code: str, zh: str, en: str, service: KnownService) -> RiskReason:
    return RiskReason(code=code, zh=zh.format(service.zh), en=en.format(service.en))


SERVICE_ZH = "{}的官方服务号码"
SERVICE_EN = "the official number of {}"
PLATFORM_ZH = (
    "{}是知名平台，本身不是诈骗，但骗子常冒用或借用它：只在官方应用或网站里操作，不按陌生人的指引转账"
)
PLATFORM_EN = (
    "{} is a well-known service, not a scam itself, but scammers abuse or imitate it: use it only through its "
    "official app or site, and never move money because a stranger tells you to"
)
HOSTED_ZH = "网址在{}的网站上：平台可信不代表这个页面可信"
HOSTED_EN = "the address is on the site of {}: a trusted platform does not make this page trustworthy"
DISGUISED_ZH = "带“+”号或国际区号的{}号码：官方客服不会这样来电，这是改号伪装的境外来电，请挂断"
DISGUISED_EN = (
    "the number of {} behind a '+' or a country code: the real service never calls like this; it is a "
    "disguised call from abroad, hang up"
)
INVALID = RiskReason(
    code="invalid",
    zh="格式无效，无法查询",
    en="not a valid identifier of this kind, so nothing can be said about it",
)
UNVERIFIED = RiskReason(
    code="unverified",
    zh="不是完整的国际格式号码，也不在官方服务号码名单中，无法核实",
    en="not a full international number and not a listed service number, so it cannot be verified",
)
SPOOFABLE = RiskReason(
    code="callers_can_spoof",
    zh="来电显示可以伪造（改号）：显示此号码的来电不一定来自它，请挂断后自行拨打官方号码核实",
    en="caller ID can be spoofed: a call showing this number need not come from it; hang up and call the "
    "official number yourself",
)
REPORTED = {
    RiskLevel.HIGH: RiskReason(
        code="reported_repeatedly",
        zh="多名受害人报案中作为对方出现",
        en="named as the other side in several victims' reports",
    ),
    RiskLevel.MEDIUM: RiskReason(
        code="reported", zh="在报案或举报中作为对方出现", en="named as the other side in a report or tip"
    ),
    RiskLevel.NONE_REPORTED: RiskReason(
        code="not_reported",
        zh="暂无举报，但没有举报不代表安全",
        en="not reported so far, which does not mean safe",
    ),
}
