"""Victim reports and tips: who reported what, when, what they paid, which identifiers they named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from fanzha.model import (
    Channel,
    Identifier,
    IdentifierKind,
    Language,
    Money,
    Payment,
    PaymentRail,
    Report,
    ReportKind,
    Victim,
    fraud_taxonomy,
)
from fanzha.sim import identities
from fanzha.sim.campaigns import DAY, Campaigns, plan_campaigns
from fanzha.sim.ecosystem import VICTIM, Accounts, MulePools, holder_name
from fanzha.sim.narratives import NarrativeFacts, render_narrative
from fanzha.sim.profiles import (
    AGE_BANDS,
    BANK_HOTLINES,
    INNOCENT_GROUPS,
    LOCAL_SHARE,
    PROFILES,
    local_hub,
    simulated_codes,
)
from fanzha.sim.regions import reporting_units

Array = npt.NDArray[Any]
CASE, TIP, NONFRAUD_CASE, NONFRAUD_TIP = range(4)
TIP_SHARE = 0.12
NONFRAUD_SHARE = 0.05
RAILS = (PaymentRail.BANK_TRANSFER, PaymentRail.THIRD_PARTY, PaymentRail.CRYPTO)
BANK_TRANSFER, THIRD_PARTY, CRYPTO = range(3)
MAX_LOSS_YUAN = 5_000_000
_CASE_CHANNELS = (Channel.APP, Channel.HOTLINE, Channel.POLICE_DESK, Channel.WEB, Channel.BANK, Channel.TELCO)
_CASE_CHANNEL_P = (0.45, 0.3, 0.1, 0.07, 0.05, 0.03)
_TIP_CHANNEL_P = (0.5, 0.15, 0.0, 0.2, 0.0, 0.15)
_LANGUAGES = (Language.ZH_HANS, Language.ZH_HANT, Language.EN)
_LANGUAGE_P = (0.9, 0.05, 0.05)
_FORM_KEEPS = 0.85
"""Chance that the structured form names an identifier the victim talked about (forms are often incomplete)."""


@dataclass
class ReportPlan:
    """Every report of the scenario (arrays by report) and every victim payment (arrays by payment)."""

    kind: Array
    campaign: Array
    received: Array  # seconds after the window start
    unit: Array
    channel: Array
    language: Array
    age: Array
    victim: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    declared: list[str | None] = field(default_factory=list)
    facts: list[tuple[Identifier, ...]] = field(default_factory=list)
    named: list[tuple[Identifier, ...]] = field(default_factory=list)
    pay_report: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    pay_time: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    pay_amount: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    pay_rail: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    pay_src: Array = field(default_factory=lambda: np.zeros(0, np.int64))
    pay_dst: Array = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.kind)

    def profile_of(self, campaigns: Campaigns) -> Array:
        """Profile index of each report, -1 for reports about no fraud."""
        return np.where(self.campaign >= 0, campaigns.profile[np.maximum(self.campaign, 0)], -1)


def plan_reports(
    rng: np.random.Generator, n_reports: int, window: int, cap: int
) -> tuple[ReportPlan, Campaigns]:
    """Plan the reports and campaigns: kinds, times, units, channels, and the victims' payments (amounts, times)."""
    n_nonfraud = round(n_reports * NONFRAUD_SHARE)
    n_tips = round(n_reports * TIP_SHARE)
    n_cases = n_reports - n_nonfraud - n_tips
    campaigns = plan_campaigns(rng, n_cases, n_tips, window, cap)
    kind = np.concatenate([
        np.full(n_cases, CASE), np.full(n_tips, TIP),
        np.where(rng.random(n_nonfraud) < 0.5, NONFRAUD_CASE, NONFRAUD_TIP),
    ])  # fmt: skip
    campaign = np.concatenate([
        np.repeat(np.arange(len(campaigns)), campaigns.n_cases),
        np.repeat(np.arange(len(campaigns)), campaigns.n_tips),
        np.full(n_nonfraud, -1),
    ])  # fmt: skip
    units = reporting_units()
    unit_p = np.array([u.weight for u in units])
    tip = (kind == TIP) | (kind == NONFRAUD_TIP)
    plan = ReportPlan(
        kind=kind,
        campaign=campaign,
        received=np.zeros(n_reports, dtype=np.int64),
        unit=rng.choice(len(units), size=n_reports, p=unit_p / unit_p.sum()),
        channel=np.where(
            tip,
            rng.choice(6, size=n_reports, p=_TIP_CHANNEL_P),
            rng.choice(6, size=n_reports, p=_CASE_CHANNEL_P),
        ),
        language=rng.choice(3, size=n_reports, p=_LANGUAGE_P),
        age=np.full(n_reports, -1),
    )
    profile = plan.profile_of(campaigns)
    for p, fraud in enumerate(PROFILES):
        mine = np.flatnonzero((profile == p) & (kind == CASE))
        plan.age[mine] = rng.choice(len(AGE_BANDS), size=len(mine), p=np.array(fraud.ages) / sum(fraud.ages))
    _plan_times_and_payments(rng, plan, campaigns, window)
    return plan, campaigns


def _report_delay(rng: np.random.Generator, n: int) -> Array:
    """Seconds from the last payment to the report: a quarter within 30 minutes, most within a day, some days later."""
    roll = rng.random(n)
    quick = rng.uniform(180, 1_800, size=n)
    same_day = np.clip(rng.lognormal(np.log(4 * 3_600), 1.0, size=n), 1_800, 2 * DAY)
    late = rng.uniform(DAY, 7 * DAY, size=n)
    return np.where(roll < 0.25, quick, np.where(roll < 0.72, same_day, late)).astype(np.int64)


def _plan_times_and_payments(
    rng: np.random.Generator, plan: ReportPlan, campaigns: Campaigns, window: int
) -> None:
    n = len(plan)
    has_campaign = plan.campaign >= 0
    c = np.maximum(plan.campaign, 0)
    in_campaign = campaigns.active_start[c] + (rng.random(n) * campaigns.active_len[c]).astype(np.int64)
    anywhere = (rng.random(n) * (window - 60)).astype(np.int64)
    last = np.clip(np.where(has_campaign, in_campaign, anywhere), 0, window - 1)
    paying = (plan.kind == CASE) | (plan.kind == NONFRAUD_CASE)
    received = np.minimum(last + np.where(paying, _report_delay(rng, n), 0), window - 1)
    plan.received = received
    last = np.where(received - last < 60, np.maximum(received - 60, 0), last)

    profile = plan.profile_of(campaigns)
    payers = np.flatnonzero(paying)
    p = profile[payers]
    is_fraud = p >= 0
    pp = np.maximum(p, 0)
    extra = np.array([f.extra_payments for f in PROFILES])[pp]
    n_pay = np.where(is_fraud, 1 + np.minimum(rng.poisson(extra), 11), 1)
    median = np.array([f.loss_median_yuan for f in PROFILES])[pp]
    sigma = np.array([f.loss_sigma for f in PROFILES])[pp]
    loss_yuan = np.where(is_fraud, rng.lognormal(np.log(median), sigma), rng.lognormal(np.log(300), 1.0))
    loss_yuan = np.clip(loss_yuan, 10, MAX_LOSS_YUAN)
    span_hours = np.array([f.span_hours for f in PROFILES])[pp]
    span = np.where(n_pay > 1, rng.lognormal(np.log(span_hours * 3_600), 0.8), 0).astype(np.int64)
    first = np.maximum(0, last[payers] - span)

    pay_report = np.repeat(payers, n_pay)
    group_start = np.repeat(np.cumsum(n_pay) - n_pay, n_pay)
    index = np.arange(len(pay_report)) - group_start
    n_of = np.repeat(n_pay, n_pay)
    u = np.where(index == 0, 0.0, np.where(index == n_of - 1, 1.0, rng.random(len(pay_report))))
    u = u[np.lexsort((u, group_start))]
    first_p = np.repeat(first, n_pay)
    last_p = np.repeat(last[payers], n_pay)
    times = first_p + (u * (last_p - first_p)).astype(np.int64)

    growth = np.where(np.repeat(extra, n_pay) > 1, 1.5, 1.0)
    weight = growth**index * rng.uniform(0.7, 1.3, size=len(index))
    share = weight / np.repeat(np.add.reduceat(weight, np.cumsum(n_pay) - n_pay), n_pay)
    yuan = np.maximum(1, np.rint(np.repeat(loss_yuan, n_pay) * share))
    round_hundreds = (yuan >= 1_000) & (rng.random(len(yuan)) < 0.6)
    yuan = np.where(round_hundreds, np.maximum(100, np.rint(yuan / 100) * 100), yuan)

    third = np.array([f.third_party for f in PROFILES])[pp]
    crypto = np.array([f.crypto for f in PROFILES])[pp]
    crypto_sub = np.array(
        [campaigns.subtype[i] == "fake_investment.crypto" for i in c[payers].tolist()], dtype=bool
    )
    crypto = np.where(crypto_sub, 0.7, crypto)
    roll = rng.random(len(payers))
    rail = np.where(roll < crypto, CRYPTO, np.where(roll < crypto + third, THIRD_PARTY, BANK_TRANSFER))
    rail = np.where(is_fraud, rail, np.where(roll < 0.5, THIRD_PARTY, BANK_TRANSFER))

    plan.pay_report = pay_report
    plan.pay_time = times
    plan.pay_amount = (yuan * 100).astype(np.int64)
    plan.pay_rail = np.repeat(rail, n_pay)


def payments_per_campaign(plan: ReportPlan, n_campaigns: int) -> Array:
    """How many victim payments each campaign receives."""
    campaign = plan.campaign[plan.pay_report]
    return np.bincount(campaign[campaign >= 0], minlength=n_campaigns)


def assign_accounts(
    rng: np.random.Generator, plan: ReportPlan, campaigns: Campaigns, accounts: Accounts, pools: MulePools
) -> None:
    """Pick each victim's own account and the first-layer mule (or, for no fraud, the merchant) of each payment."""
    payers = np.flatnonzero((plan.kind == CASE) | (plan.kind == NONFRAUD_CASE))
    plan.victim = np.full(len(plan), -1, dtype=np.int64)
    plan.victim[payers] = rng.choice(accounts.persons.stop, size=len(payers), replace=False)
    plan.pay_src = plan.victim[plan.pay_report]
    campaign = plan.campaign[plan.pay_report]
    fraud = campaign >= 0
    c = np.maximum(campaign, 0)
    dst = pools.pick(rng, c, np.ones(len(c), dtype=np.int64), skew=2.0)
    first_of_report = np.r_[True, plan.pay_report[1:] != plan.pay_report[:-1]]
    keep_first = ~first_of_report & (rng.random(len(dst)) < 0.5)
    first_dst = dst[np.maximum.accumulate(np.where(first_of_report, np.arange(len(dst)), 0))]
    dst = np.where(keep_first, first_dst, dst)
    merchant = rng.integers(accounts.merchants.start, accounts.merchants.stop, size=len(dst))
    plan.pay_dst = np.where(fraud, dst, merchant)
    for report, victim in zip(payers.tolist(), plan.victim[payers].tolist(), strict=True):
        if plan.campaign[report] >= 0:
            accounts.role[victim] = VICTIM
            accounts.campaign[victim] = plan.campaign[report]


def _skewed(rng: np.random.Generator, pool: list[Identifier]) -> Identifier:
    return pool[min(int(rng.random() ** 2 * len(pool)), len(pool) - 1)]


def _innocent(rng: np.random.Generator, groups: tuple[str, ...], victim_bank: str | None) -> Identifier:
    group = groups[int(rng.integers(len(groups)))]
    if group == "bank" and victim_bank in BANK_HOTLINES:
        return Identifier(kind=IdentifierKind.PHONE, value=BANK_HOTLINES[victim_bank])
    options = INNOCENT_GROUPS[group]
    return options[int(rng.integers(len(options)))][0]


def choose_identifiers(
    rng: np.random.Generator, plan: ReportPlan, campaigns: Campaigns, accounts: Accounts, pools: MulePools
) -> None:
    """What each report talks about (``facts``) and what its structured form names (``named``)."""
    banks = identities.bank_table().banks
    first_payment = {int(r): int(i) for i, r in reversed(list(enumerate(plan.pay_report.tolist())))}
    profile = plan.profile_of(campaigns)
    bank_cache: dict[int, Identifier] = {}

    def bank_id(account: int) -> Identifier:
        if account not in bank_cache:
            bank_cache[account] = identities.bank_account(accounts.names[account])
        return bank_cache[account]

    all_innocent = tuple(INNOCENT_GROUPS)
    unit_codes = [u.code for u in reporting_units()]
    for report in range(len(plan)):
        unit = unit_codes[int(plan.unit[report])]
        kind = int(plan.kind[report])
        victim = int(plan.victim[report])
        victim_bank = banks[accounts.bank[victim]] if victim >= 0 else None
        facts: list[Identifier] = []
        if profile[report] >= 0:
            fraud = PROFILES[int(profile[report])]
            pool = campaigns.pools[int(plan.campaign[report])]
            boost = 1.3 if kind == TIP else 1.0
            for id_kind, chance in fraud.naming.items():
                if rng.random() >= chance * boost:
                    continue
                if id_kind == IdentifierKind.DOMAIN and IdentifierKind.URL in pool:
                    facts.append(identities.domain_of(_skewed(rng, pool[IdentifierKind.URL])))
                elif id_kind in pool:
                    facts.append(_skewed(rng, pool[id_kind]))
            if kind == CASE and rng.random() < 0.6:
                facts.append(bank_id(int(plan.pay_dst[first_payment[report]])))
            elif kind == TIP and (rng.random() < 0.25 or not facts):
                facts.append(
                    bank_id(int(pools.pick(rng, plan.campaign[report : report + 1], np.ones(1, np.int64))[0]))
                )
            roll = rng.random()
            if roll < fraud.innocent_rate:
                hub = _innocent(rng, fraud.innocent, victim_bank)
                local = roll < fraud.innocent_rate * LOCAL_SHARE
                facts.append(local_hub(unit, report)[0] if local else hub)
        elif kind == NONFRAUD_TIP or rng.random() < 0.5:
            hub = _innocent(rng, all_innocent, victim_bank)
            facts.append(local_hub(unit, report)[0] if report % 3 == 0 else hub)
        unique = tuple(dict.fromkeys(facts))
        plan.facts.append(unique)
        plan.named.append(tuple(i for i in unique if rng.random() < _FORM_KEEPS))
        plan.declared.append(
            _declared_type(
                rng,
                kind,
                profile[report],
                campaigns.subtype[int(plan.campaign[report])] if plan.campaign[report] >= 0 else None,
            )
        )


def _declared_type(rng: np.random.Generator, kind: int, profile: int, subtype: str | None) -> str | None:
    """The fraud type the reporter ticked: mostly right, sometimes missing, sometimes wrong."""
    codes = simulated_codes(fraud_taxonomy().codes())
    roll = rng.random()
    if profile < 0:
        if roll < 0.3:
            return str(rng.choice(["fake_shopping", "other_fraud", "fake_customer_service"]))
        return "not_fraud" if roll < 0.5 else None
    true = PROFILES[profile].code
    right, missing = (0.72, 0.16) if kind == CASE else (0.4, 0.5)
    if roll < right:
        return subtype if subtype and rng.random() < 0.3 else true
    if roll < right + missing:
        return None
    return str(rng.choice([c for c in codes if c not in (true, "not_fraud")]))


def report_order(plan: ReportPlan) -> Array:
    """Reports in the order they were received (ties broken by plan order)."""
    return np.argsort(plan.received, kind="stable")


def render_reports(
    rng: np.random.Generator,
    plan: ReportPlan,
    campaigns: Campaigns,
    accounts: Accounts,
    start: datetime,
    report_ids: list[str],
    order: Array,
) -> Iterator[Report]:
    """Build each :class:`Report` in received order, narrative included (python per report: ~0.1 ms plus the narrative)."""
    from fanzha.sim.regions import reporting_units

    units = [u.code for u in reporting_units()]
    banks = identities.bank_table().banks
    pay_start = np.searchsorted(plan.pay_report, np.arange(len(plan)), side="left")
    pay_stop = np.searchsorted(plan.pay_report, np.arange(len(plan)), side="right")
    profile = plan.profile_of(campaigns)
    for report in order.tolist():
        payments = tuple(
            _payment(plan, accounts, banks, start, i) for i in range(pay_start[report], pay_stop[report])
        )
        kind = ReportKind.TIP if plan.kind[report] in (TIP, NONFRAUD_TIP) else ReportKind.CASE
        received = start + timedelta(seconds=int(plan.received[report]))
        language = _LANGUAGES[int(plan.language[report])]
        age = AGE_BANDS[int(plan.age[report])] if plan.age[report] >= 0 else None
        c = int(plan.campaign[report])
        fraud_type = (campaigns.subtype[c] or PROFILES[int(profile[report])].code) if c >= 0 else "not_fraud"
        narrative = render_narrative(
            rng,
            NarrativeFacts(
                fraud_type=fraud_type, language=language, kind=kind, identifiers=plan.facts[report],
                payments=payments, received_at=received, victim_age_band=age,
            ),
        )  # fmt: skip
        victim_account = int(plan.victim[report])
        victim = None
        if victim_account >= 0:
            victim = Victim(
                pseudonym=f"V-{victim_account:08d}",
                age_band=age,
                region_code=units[int(plan.unit[report])],
                account=accounts.names[victim_account],
            )
        yield Report(
            id=report_ids[report],
            kind=kind,
            channel=_CASE_CHANNELS[int(plan.channel[report])],
            received_at=received,
            reporter_unit=units[int(plan.unit[report])],
            victim=victim,
            narrative=narrative.text,
            language=language,
            declared_fraud_type=plan.declared[report],
            payments=payments,
            identifiers=plan.named[report],
        )


def _payment(
    plan: ReportPlan, accounts: Accounts, banks: tuple[str, ...], start: datetime, i: int
) -> Payment:
    dst = int(plan.pay_dst[i])
    bank = int(accounts.bank[dst])
    return Payment(
        from_account=accounts.names[int(plan.pay_src[i])],
        to_account=accounts.names[dst],
        amount=Money(amount_minor=int(plan.pay_amount[i])),
        time=start + timedelta(seconds=int(plan.pay_time[i])),
        rail=RAILS[int(plan.pay_rail[i])],
        to_bank=banks[bank] if bank >= 0 else None,
        to_name=holder_name(dst),
    )
