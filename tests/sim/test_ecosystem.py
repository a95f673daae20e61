"""The simulated ecosystem looks like the real one: fraud-type mix, losses, timing, noise, hubs, haystack."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_scenario import Scenario

from fanzha.link import shipped_hubs
from fanzha.model import PaymentRail, ReportKind, luhn_valid
from fanzha.sim.campaigns import DAY, heavy_tailed_sizes
from fanzha.sim.identities import bank_table, card_numbers
from fanzha.sim.profiles import AREA_CODES, PROFILES
from fanzha.sim.reports import CASE, RAILS, plan_reports
from fanzha.sim.scenario import txn_ids

LOCAL_REASONS = ("hospital", "courier_outlet", "city_service", "platform_service", "small_platform")


def _case_mix(seed: int) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    plan, campaigns = plan_reports(np.random.default_rng(seed), 5_000, 30 * DAY, 300)
    profile = plan.profile_of(campaigns)
    cases = profile[plan.kind == CASE]
    paid = profile[plan.pay_report]
    loss = np.bincount(paid[paid >= 0], weights=plan.pay_amount[paid >= 0], minlength=len(PROFILES))
    count = np.bincount(cases, minlength=len(PROFILES))
    codes = [p.code for p in PROFILES]
    return (
        dict(zip(codes, count / count.sum(), strict=True)),
        dict(zip(codes, loss / loss.sum(), strict=True)),
        dict(zip(codes, loss / np.maximum(count, 1), strict=True)),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_brushing_is_a_third_of_cases_and_investment_the_largest_loss(seed: int) -> None:
    case_share, loss_share, per_case = _case_mix(seed)
    assert 0.28 < case_share["brushing_rebate"] < 0.38
    assert max(case_share, key=case_share.__getitem__) == "brushing_rebate"
    assert max(loss_share, key=loss_share.__getitem__) == "fake_investment"
    assert 0.2 < loss_share["fake_investment"] < 0.6
    assert case_share["fake_investment"] < 0.15
    big = {"fake_investment", "impersonate_authority"}
    small = {"fake_shopping", "game_trading"}
    assert min(per_case[c] for c in big) > 5 * max(per_case[c] for c in small)
    assert min(per_case[c] for c in big) > max(per_case[c] for c in per_case if c not in big)


def test_losses_are_heavy_tailed() -> None:
    plan, _ = plan_reports(np.random.default_rng(4), 5_000, 30 * DAY, 300)
    loss = np.bincount(plan.pay_report, weights=plan.pay_amount)
    loss = np.sort(loss[loss > 0])[::-1]
    assert loss[: len(loss) // 20].sum() > 0.4 * loss.sum()
    assert np.median(loss) < loss.mean() / 2


def test_all_three_payment_rails_occur() -> None:
    plan, _ = plan_reports(np.random.default_rng(5), 5_000, 30 * DAY, 300)
    share = np.bincount(plan.pay_rail, minlength=3) / len(plan.pay_rail)
    assert share[RAILS.index(PaymentRail.BANK_TRANSFER)] > 0.5
    assert 0.1 < share[RAILS.index(PaymentRail.THIRD_PARTY)] < 0.4
    assert 0.005 < share[RAILS.index(PaymentRail.CRYPTO)] < 0.1


def test_campaign_sizes_are_heavy_tailed(tiny: Scenario) -> None:
    sizes = np.sort(heavy_tailed_sizes(np.random.default_rng(6), 33_000, 2_500))
    assert np.median(sizes) <= 3
    assert (sizes >= 100).sum() >= 10
    assert sizes[-1] >= 500
    tiny_sizes = sorted(tiny.campaigns.column("n_reports").to_pylist())
    assert tiny_sizes[len(tiny_sizes) // 2] <= 3
    assert tiny_sizes[-1] >= 15


@given(total=st.integers(0, 3_000), cap=st.integers(1, 400), seed=st.integers(0, 2**32))
@settings(max_examples=50, deadline=None)
def test_heavy_tailed_sizes_partition_the_total(total: int, cap: int, seed: int) -> None:
    sizes = heavy_tailed_sizes(np.random.default_rng(seed), total, cap)
    assert sizes.sum() == total
    assert (sizes >= 1).all()
    assert (sizes <= cap).all()


@given(n=st.integers(1, 3_000), seed=st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_card_numbers_have_real_bins_valid_luhn_and_are_unique(n: int, seed: int) -> None:
    cards, bank = card_numbers(np.random.default_rng(seed), n)
    table = bank_table()
    assert len(set(cards)) == n
    for card, b in zip(cards, bank.tolist(), strict=True):
        assert luhn_valid(card)
        position = table.bins.index(card[:6])
        assert len(card) == table.card_length[position]
        assert table.bank_of_bin[position] == b


@given(start=st.integers(0, 2**40), n=st.integers(1, 5_000), seed=st.integers(0, 2**31))
@settings(max_examples=25, deadline=None)
def test_transaction_ids_are_unique_non_negative_and_scrambled(start: int, n: int, seed: int) -> None:
    ids = txn_ids(np.arange(start, start + n, dtype=np.int64), seed)
    assert len(np.unique(ids)) == n
    assert (ids >= 0).all()
    if n > 10:
        assert not (np.diff(ids) > 0).all()


def test_declared_fraud_type_is_mostly_right_sometimes_missing_sometimes_wrong(tiny: Scenario) -> None:
    truth = dict(
        zip(*(tiny.report_campaign.column(c).to_pylist() for c in ("report_id", "fraud_type")), strict=True)
    )
    outcome: Counter[str] = Counter()
    for report in tiny.reports:
        if report.kind != ReportKind.CASE or truth[report.id] == "not_fraud":
            continue
        declared = report.declared_fraud_type
        outcome[
            "missing"
            if declared is None
            else "right"
            if declared.split(".")[0] == truth[report.id]
            else "wrong"
        ] += 1
    total = sum(outcome.values())
    assert outcome["right"] > 0.6 * total
    assert outcome["missing"] > 0.05 * total
    assert outcome["wrong"] > 0.03 * total


def test_a_realistic_share_is_reported_within_30_minutes(tiny: Scenario) -> None:
    delays = [
        (r.received_at - max(p.time for p in r.payments)).total_seconds() for r in tiny.reports if r.payments
    ]
    quick = sum(d <= 1_800 for d in delays) / len(delays)
    assert 0.15 < quick < 0.45
    assert max(delays) > 2 * DAY
    assert min(delays) >= 60


def test_background_traffic_dwarfs_fraud_traffic_in_the_same_banks(tiny: Scenario) -> None:
    fraud_ids = set(tiny.paths.column("txn_id").to_pylist())
    rows = zip(
        *(tiny.transactions.column(c).to_pylist() for c in ("txn_id", "dst_bank", "channel")), strict=True
    )
    banks: dict[bool, Counter[object]] = defaultdict(Counter)
    channels: dict[bool, Counter[object]] = defaultdict(Counter)
    for txn, bank, channel in rows:
        banks[txn in fraud_ids][bank] += 1
        channels[txn in fraud_ids][channel] += 1
    n_fraud, n_background = sum(banks[True].values()), sum(banks[False].values())
    assert n_background > 4 * n_fraud
    assert set(banks[True]) - {None} <= set(banks[False])
    assert {"salary", "merchant", "transfer", "third_party", "atm_withdrawal"} <= set(channels[False])


def test_mules_also_have_innocent_looking_traffic(tiny: Scenario) -> None:
    mules = {
        a
        for a, r in zip(*(tiny.accounts.column(c).to_pylist() for c in ("account", "role")), strict=True)
        if r == "mule"
    }
    fraud_ids = set(tiny.paths.column("txn_id").to_pylist())
    innocent_mule_rows = sum(
        1
        for txn, src, dst in zip(
            *(tiny.transactions.column(c).to_pylist() for c in ("txn_id", "src_account", "dst_account")),
            strict=True,
        )
        if txn not in fraud_ids and (src in mules or dst in mules)
    )
    assert innocent_mule_rows > len(mules) // 4


def test_innocent_hubs_are_mentioned_by_many_reports_across_campaigns(tiny: Scenario) -> None:
    keys = dict(zip(*(tiny.innocent.column(c).to_pylist() for c in ("key", "reason")), strict=True))
    assert {"phone:95588", "phone:10086", "phone:12315", "domain:taobao.com", "domain:qq.com"} <= set(keys)
    assert {"bank_hotline", "telco_service", "platform"} <= set(keys.values())
    campaign_of = dict(
        zip(*(tiny.report_campaign.column(c).to_pylist() for c in ("report_id", "campaign_id")), strict=True)
    )
    campaigns_of: dict[str, set[object]] = defaultdict(set)
    reports_of: Counter[str] = Counter()
    for report in tiny.reports:
        for identifier in report.identifiers:
            if identifier.key in keys:
                campaigns_of[identifier.key].add(campaign_of[report.id])
                reports_of[identifier.key] += 1
    hubs = [key for key, n in reports_of.items() if n >= 8 and len(campaigns_of[key]) >= 5]
    assert len(hubs) >= 3
    campaign_keys = {k for ks in tiny.campaigns.column("identifier_keys").to_pylist() for k in ks}
    assert not campaign_keys & set(keys)


def test_local_innocent_hubs_no_list_knows_are_planted_with_truth(tiny: Scenario) -> None:
    """Hospitals, courier outlets and city service lines of the victim's city and small platforms' sites and
    service lines: in the truth, in no campaign's keys, in none of the shipped allow-list, and named across
    campaigns, so the adaptive hub rules are measured on hubs they were not given."""
    rows = tiny.innocent.to_pylist()
    local = {row["key"]: row for row in rows if row["reason"] in LOCAL_REASONS}
    assert {row["reason"] for row in local.values()} == set(LOCAL_REASONS)
    assert not set(local) & set(shipped_hubs())
    assert sum(row["n_reports"] for row in local.values()) >= 20
    campaign_keys = {k for ks in tiny.campaigns.column("identifier_keys").to_pylist() for k in ks}
    assert not campaign_keys & set(local)
    units = {r.id: r.reporter_unit for r in tiny.reports}
    for report in tiny.reports:
        for identifier in report.identifiers:
            row = local.get(identifier.key)
            if row is not None and row["reason"] in ("hospital", "city_service"):
                area = AREA_CODES[units[report.id][:4]]
                assert identifier.value.startswith(f"+86{area}"), (report.id, identifier.value)
