"""The ground truth is exactly consistent with the transactions it describes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow as pa
from sim_scenario import Scenario

from fanzha.model import ReportKind


def _rows(table: pa.Table, *columns: str) -> list[tuple[Any, ...]]:
    return list(zip(*(table.column(c).to_pylist() for c in columns), strict=True))


def test_every_path_edge_is_a_real_transaction_carrying_at_most_its_amount(tiny: Scenario) -> None:
    txns = {
        txn: (src, dst, amount, time)
        for txn, src, dst, amount, time in _rows(
            tiny.transactions, "txn_id", "src_account", "dst_account", "amount_minor", "time"
        )
    }
    carried: dict[int, int] = defaultdict(int)
    for txn, src, dst, amount, time in _rows(
        tiny.paths, "txn_id", "src_account", "dst_account", "amount_minor", "time"
    ):
        assert isinstance(txn, int)
        assert isinstance(amount, int)
        real_src, real_dst, real_amount, real_time = txns[txn]
        assert (src, dst, time) == (real_src, real_dst, real_time)
        assert 0 < amount <= real_amount
        carried[txn] += amount
    assert all(total <= txns[txn][2] for txn, total in carried.items())


def test_first_hop_is_each_victim_payment(tiny: Scenario) -> None:
    first = {
        (report, index): (src, dst, amount, time)
        for report, index, hop, src, dst, amount, time in _rows(
            tiny.paths,
            "report_id",
            "payment_index",
            "hop",
            "src_account",
            "dst_account",
            "amount_minor",
            "time",
        )
        if hop == 1
    }
    fraud = {r for r, c in _rows(tiny.report_campaign, "report_id", "campaign_id") if c is not None}
    expected = {
        (report.id, i): (p.from_account, p.to_account, p.amount.amount_minor, p.time)
        for report in tiny.reports
        if report.id in fraud
        for i, p in enumerate(report.payments)
    }
    assert first == expected


def test_paths_never_go_back_in_time_and_follow_the_money(tiny: Scenario) -> None:
    arrivals: dict[tuple[Any, ...], list[tuple[int, Any]]] = defaultdict(list)
    rows = _rows(tiny.paths, "report_id", "payment_index", "hop", "src_account", "dst_account", "time")
    for report, index, hop, _, dst, time in rows:
        arrivals[(report, index, dst)].append((hop, time))
    deeper = [row for row in rows if row[2] > 1]
    assert deeper
    for report, index, hop, src, _, time in deeper:
        before = [t for h, t in arrivals[(report, index, src)] if h == hop - 1]
        assert before
        assert min(before) < time


def test_victim_money_out_of_an_account_never_exceeds_what_came_in(tiny: Scenario) -> None:
    money_in: dict[tuple[object, object, object], int] = defaultdict(int)
    money_out: dict[tuple[object, object, object], int] = defaultdict(int)
    for report, index, src, dst, amount in _rows(
        tiny.paths, "report_id", "payment_index", "src_account", "dst_account", "amount_minor"
    ):
        money_in[(report, index, dst)] += amount
        money_out[(report, index, src)] += amount
    victims = {r.victim.account for r in tiny.reports if r.victim is not None}
    for (report, index, account), out in money_out.items():
        if account not in victims:
            assert out <= money_in[(report, index, account)]
    by_account_in: dict[object, int] = defaultdict(int)
    by_account_out: dict[object, int] = defaultdict(int)
    for (_, _, account), amount in money_in.items():
        by_account_in[account] += amount
    for (_, _, account), amount in money_out.items():
        by_account_out[account] += amount
    assert all(out <= by_account_in[a] for a, out in by_account_out.items() if a not in victims)
    still_in_mules = sum(
        by_account_in[a] - by_account_out.get(a, 0) for a in by_account_in if str(a).isdigit()
    )
    assert still_in_mules > 0


def test_mules_are_layered_and_first_layer_receives_victim_money(tiny: Scenario) -> None:
    role = {
        a: (r, layer, c)
        for a, r, layer, c in _rows(tiny.accounts, "account", "role", "layer", "campaign_ids")
    }
    hops_into: dict[object, set[int]] = defaultdict(set)
    for dst, hop in _rows(tiny.paths, "dst_account", "hop"):
        hops_into[dst].add(hop)
    for account, hops in hops_into.items():
        kind, layer, _ = role[account]
        if kind == "mule":
            assert hops == {layer}
        else:
            assert kind == "cash_out"
    assert all(
        role[p.to_account][1] == 1
        for r in tiny.reports
        for p in r.payments
        if role[p.to_account][0] == "mule"
    )
    layers = {layer for kind, layer, _ in role.values() if kind == "mule"}
    assert {1, 2, 3} <= layers
    assert max(layers) <= 6
    assert all(layer == 0 for kind, layer, _ in role.values() if kind != "mule")
    assert any(len(c) > 1 for kind, _, c in role.values() if kind == "mule" and c)


def test_money_reaches_cash_out_points_through_two_to_six_layers(tiny: Scenario) -> None:
    exits = [hop for dst, hop in _rows(tiny.paths, "dst_account", "hop") if not str(dst).isdigit()]
    assert exits
    assert min(exits) >= 3
    assert max(exits) <= 7


def test_report_campaign_covers_every_report_and_no_fraud_has_no_campaign(tiny: Scenario) -> None:
    truth = {r: (c, t) for r, c, t in _rows(tiny.report_campaign, "report_id", "campaign_id", "fraud_type")}
    assert set(truth) == {r.id for r in tiny.reports}
    assert all((c is None) == (t == "not_fraud") for c, t in truth.values())
    n_reports = dict(_rows(tiny.campaigns, "campaign_id", "n_reports"))
    counted: dict[object, int] = defaultdict(int)
    for c, _ in truth.values():
        if c is not None:
            counted[c] += 1
    assert counted == n_reports


def test_campaign_identifiers_are_the_ones_its_reports_name(tiny: Scenario) -> None:
    keys = {c: set(k) for c, k in _rows(tiny.campaigns, "campaign_id", "identifier_keys")}
    campaign_of = dict(_rows(tiny.report_campaign, "report_id", "campaign_id"))
    for report in tiny.reports:
        campaign = campaign_of[report.id]
        if campaign is None:
            continue
        innocent = set(tiny.innocent.column("key").to_pylist())
        assert {i.key for i in report.identifiers} - innocent <= keys[campaign]


def test_some_identifiers_are_shared_by_campaigns_of_one_gang(tiny: Scenario) -> None:
    owners: dict[str, set[object]] = defaultdict(set)
    gang = dict(_rows(tiny.campaigns, "campaign_id", "gang_id"))
    for campaign, keys in _rows(tiny.campaigns, "campaign_id", "identifier_keys"):
        for key in keys:
            owners[key].add(campaign)
    shared = [c for c in owners.values() if len(c) > 1]
    assert shared
    assert all(len({gang[c] for c in cs}) == 1 and gang[next(iter(cs))] is not None for cs in shared)


def test_tips_name_campaign_identifiers(tiny: Scenario) -> None:
    campaign_of = dict(_rows(tiny.report_campaign, "report_id", "campaign_id"))
    tips = [r for r in tiny.reports if r.kind == ReportKind.TIP and campaign_of[r.id] is not None]
    assert len(tips) > 20
    assert all(r.victim is None and not r.payments for r in tips)


def test_money_is_still_moving_through_mules_when_many_victims_report(tiny: Scenario) -> None:
    received = {r.id: r.received_at for r in tiny.reports if r.payments}
    later = {report for report, time in _rows(tiny.paths, "report_id", "time") if time > received[report]}
    fraud_cases = {report for (report,) in _rows(tiny.paths, "report_id")}
    assert 0.2 * len(fraud_cases) < len(later) < len(fraud_cases)
