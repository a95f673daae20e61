"""The link engine: bulk union-find == incremental == NetworkX on the same graph, hubs, stable ids."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from link_scenario import LinkScenario

from fanzha.link import (
    HubPolicy,
    IncrementalLinker,
    build_graph,
    campaign_name,
    component_founders,
    link_mentions,
    link_reports,
    linking_key,
    mentions_of,
    reconcile,
    report_keys,
    shipped_hubs,
)
from fanzha.link.hubs import ADAPTIVE, ALLOW_LIST, ANALYST, BRIDGE, KEPT, SHARED_MULE, find_hubs
from fanzha.model import IdentifierKind, normalize_identifier

NO_HUBS = HubPolicy(allow_list={}, adaptive=False)
KEY_POOL = [f"phone:+86138000000{i:02d}" for i in range(12)] + ["bank_account:6222020200112233445", "app:x"]


def reference_founders(n_reports: int, report: list[int], keys: list[str]) -> list[int]:
    """NetworkX connected components of the bipartite graph over strong keys; smallest report per component."""
    graph = nx.Graph()
    graph.add_nodes_from(("r", i) for i in range(n_reports))
    graph.add_edges_from(
        (("r", r), ("k", k)) for r, k in zip(report, keys, strict=True) if not k.startswith("app:")
    )
    founder = list(range(n_reports))
    for component in nx.connected_components(graph):
        members = [i for side, i in component if side == "r"]
        for i in members:
            founder[i] = min(members)
    return founder


mention_lists = st.lists(st.lists(st.sampled_from(KEY_POOL), max_size=4), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(mention_lists)
def test_bulk_incremental_and_networkx_agree(per_report: list[list[str]]) -> None:
    report = [i for i, keys in enumerate(per_report) for _ in keys]
    keys = [k for ks in per_report for k in ks]
    n = len(per_report)
    bulk = link_mentions(n, report, keys, report_ids=[f"R{i}" for i in range(n)], policy=NO_HUBS)
    assert bulk.founder.tolist() == reference_founders(n, report, keys)
    linker = IncrementalLinker(NO_HUBS)
    for i, ks in enumerate(per_report):
        linker.add(f"R{i}", ks)
    assert linker.campaigns() == bulk.campaign_of()


@settings(max_examples=50, deadline=None)
@given(mention_lists, st.randoms(use_true_random=False))
def test_mention_order_does_not_change_campaigns(per_report: list[list[str]], rnd: object) -> None:
    report = [i for i, keys in enumerate(per_report) for _ in keys]
    keys = [k for ks in per_report for k in ks]
    order = list(range(len(keys)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    n = len(per_report)
    first = link_mentions(n, report, keys, policy=NO_HUBS)
    shuffled = link_mentions(n, [report[i] for i in order], [keys[i] for i in order], policy=NO_HUBS)
    assert first.founder.tolist() == shuffled.founder.tolist()


def test_weak_keys_relate_campaigns_without_merging() -> None:
    linkage = link_mentions(
        3, [0, 0, 1, 1, 2], ["phone:+8613800138000", "app:融信", "app:融信", "qq:12345", "qq:12345"],
        report_ids=["A", "B", "C"], policy=NO_HUBS,
    )  # fmt: skip
    assert linkage.campaign_ids() == [campaign_name("A"), campaign_name("B"), campaign_name("B")]
    assert [(r.campaign_a, r.campaign_b, r.keys) for r in linkage.related] == [
        (campaign_name("A"), campaign_name("B"), ("app:融信",))
    ]


def test_component_founders_respects_inactive_identifiers() -> None:
    report = np.array([0, 1, 1, 2], dtype=np.int32)
    identifier = np.array([0, 0, 1, 1], dtype=np.int32)
    assert component_founders(3, report, identifier, np.array([True, True])).tolist() == [0, 0, 0]
    assert component_founders(3, report, identifier, np.array([False, True])).tolist() == [0, 1, 1]


def test_graph_degree_counts_distinct_reports() -> None:
    graph = build_graph(3, [2, 0, 0, 1], ["a:1", "a:1", "a:1", "app:z"])
    assert graph.report.tolist() == [0, 0, 1, 2]
    assert dict(zip(graph.keys.to_pylist(), graph.degree.tolist(), strict=True)) == {"a:1": 2, "app:z": 1}
    assert graph.strong.tolist() == [True, False]
    with pytest.raises(ValueError, match="report indices"):
        build_graph(2, [0, 2], ["a:1", "a:1"])


def test_shipped_hubs_are_normalised_keys() -> None:
    hubs = shipped_hubs()
    assert {"phone:95588", "phone:10086", "phone:96110", "domain:taobao.com"} <= set(hubs)
    for key in hubs:
        kind, _, value = key.partition(":")
        assert normalize_identifier(kind, value).value == value, key


def test_allow_list_hub_does_not_glue_and_analyst_can_override() -> None:
    per_report = [["phone:95588", "phone:+8613800000001"], ["phone:95588"], ["phone:95588", "qq:77777"]]
    report = [i for i, ks in enumerate(per_report) for _ in ks]
    keys = [k for ks in per_report for k in ks]
    linkage = link_mentions(3, report, keys, policy=HubPolicy(adaptive=False))
    assert linkage.n_campaigns == 3
    [decision] = linkage.hubs.decisions
    assert (decision.key, decision.reason, decision.suppressed, decision.degree) == (
        "phone:95588",
        ALLOW_LIST,
        True,
        3,
    )
    kept = link_mentions(3, report, keys, policy=HubPolicy(adaptive=False, keep={"phone:95588"}))
    assert kept.n_campaigns == 1
    assert kept.hubs.decisions[0].reason == KEPT
    cut = link_mentions(
        3, report, keys, policy=HubPolicy(allow_list={}, adaptive=False, suppress={"qq:77777"})
    )
    assert cut.n_campaigns == 1
    assert [(d.key, d.reason) for d in cut.hubs.decisions] == [("qq:77777", ANALYST)]


def test_adaptive_rule_suppresses_a_spread_hub_and_keeps_a_busy_mule_card() -> None:
    """A platform named by 40 reports of 8 fraud types is a hub; a card paid by 40 victims of one type is not;
    a scammer's phone two reports of one type name stays a link."""
    types = [f"type{i % 8}" for i in range(40)] + ["brushing_rebate"] * 40
    report = list(range(80)) + list(range(80))
    keys = ["domain:newplatform.cn"] * 40 + ["bank_account:6222020200112233445"] * 40
    keys += [f"phone:+861380000{(i // 16) * 8 + i % 8:04d}" for i in range(40)]
    keys += [f"phone:+861380001{i // 2:04d}" for i in range(40)]
    linkage = link_mentions(80, report, keys, fraud_type=types, policy=HubPolicy(allow_list={}))
    decisions = {d.key: d for d in linkage.hubs.decisions}
    assert decisions["domain:newplatform.cn"].reason == ADAPTIVE
    assert decisions["domain:newplatform.cn"].type_spread == pytest.approx(8.0)
    assert "bank_account:6222020200112233445" not in decisions
    assert not any(d.suppressed for d in decisions.values() if d.key.startswith("phone:"))
    assert linkage.n_campaigns == 16 + 8 + 1


def test_find_hubs_without_fraud_types_only_flags() -> None:
    pairs = [f"qq:{10000 + i // 2}" for i in range(30)]
    graph = build_graph(30, list(range(30)) * 2, ["domain:busy.cn"] * 30 + pairs)
    hubs = find_hubs(graph, HubPolicy(allow_list={}))
    assert [(d.key, d.suppressed) for d in hubs.decisions] == [("domain:busy.cn", False)]


def test_linking_key_meets_alipay_phones_with_phones() -> None:
    assert linking_key(IdentifierKind.ALIPAY, "a@b.com") == "email:a@b.com"
    assert linking_key("phone", "+8613800138000") == "phone:+8613800138000"


def test_incremental_logs_merges_and_the_oldest_id_survives() -> None:
    linker = IncrementalLinker(NO_HUBS)
    assert linker.add("R1", ["phone:+8613800000001"]).joined is False
    assert linker.add("R2", ["qq:55555"]).campaign_id == campaign_name("R2")
    event = linker.add("R3", ["qq:55555", "phone:+8613800000001"])
    assert event.campaign_id == campaign_name("R1")
    assert event.linked_by == "qq:55555"
    assert [(m.survivor, m.absorbed, m.key) for m in event.merges] == [
        (campaign_name("R1"), campaign_name("R2"), "phone:+8613800000001")
    ]
    assert set(linker.campaigns().values()) == {campaign_name("R1")}
    with pytest.raises(ValueError, match="already linked"):
        linker.add("R1", [])


def test_incremental_seeded_from_bulk_continues_like_bulk() -> None:
    per_report = [["phone:+8613800000001"], ["qq:55555"], ["qq:55555"], ["phone:+8613800000001", "qq:55555"]]
    report = [i for i, ks in enumerate(per_report) for _ in ks]
    keys = [k for ks in per_report for k in ks]
    ids = ["R1", "R2", "R3", "R4"]
    whole = link_mentions(4, report, keys, report_ids=ids, policy=NO_HUBS)
    head = link_mentions(3, report[:3], keys[:3], report_ids=ids[:3], policy=NO_HUBS)
    linker = IncrementalLinker.from_linkage(head, NO_HUBS)
    event = linker.add("R4", per_report[3])
    assert linker.campaigns() == whole.campaign_of()
    assert [(m.survivor, m.absorbed) for m in event.merges] == [(campaign_name("R1"), campaign_name("R2"))]


def test_reconcile_keeps_old_ids_logs_merges_and_splits() -> None:
    ids = ["R1", "R2", "R3", "R4", "R5"]
    founder = np.array([0, 0, 0, 3, 3])
    previous = {
        "R1": campaign_name("R1"),
        "R2": campaign_name("R2"),
        "R3": campaign_name("R2"),
        "R4": campaign_name("R1"),
        "R5": campaign_name("R5"),
    }
    names, merges, splits = reconcile(ids, founder, previous)
    assert names == [
        campaign_name("R1"),
        campaign_name("R1"),
        campaign_name("R1"),
        campaign_name("R5"),
        campaign_name("R5"),
    ]
    assert [(m.survivor, m.absorbed) for m in merges] == [(campaign_name("R1"), campaign_name("R2"))]
    assert [(s.previous, s.campaign, s.report_ids) for s in splits] == [
        (campaign_name("R1"), campaign_name("R5"), ("R4",))
    ]
    fresh, _, _ = reconcile(["R6"], np.array([0]), {})
    assert fresh == [campaign_name("R6")]


def test_tiny_scenario_bulk_equals_incremental(tiny_scenario: LinkScenario) -> None:
    bulk = link_reports(tiny_scenario.reports)
    linker = IncrementalLinker(suppressed=bulk.hubs.suppressed_keys)
    mentions = mentions_of(tiny_scenario.reports)
    for report in mentions.reports:
        linker.add(report.id, report_keys(report))
    assert linker.campaigns() == bulk.campaign_of()
    seeded = IncrementalLinker.from_assignments(
        bulk.report_ids, [bulk.keys_of(i) for i in range(len(bulk.report_ids))], bulk.campaign_ids()
    )
    assert seeded.campaigns() == bulk.campaign_of()


def _spread_card_mentions() -> tuple[list[int], list[str], list[str]]:
    """A card 12 reports of 4 fraud types paid, each pair of reports also sharing a phone; 12 reports of other
    pairs keep the typical degree low."""
    report = list(range(12)) + list(range(24))
    keys = ["bank_account:6222020200112233445"] * 12 + [f"phone:+861390000{i // 2:04d}" for i in range(24)]
    types = [("fake_loan", "fake_credit", "brushing_rebate", "fake_investment")[i % 4] for i in range(24)]
    return report, keys, types


def test_a_card_paid_across_fraud_types_is_a_shared_mule_candidate_kept_as_a_link() -> None:
    report, keys, types = _spread_card_mentions()
    money = {"bank_account:6222020200112233445": {"CNY": 1_200_000}}
    linkage = link_mentions(24, report, keys, fraud_type=types, policy=HubPolicy(allow_list={}), money=money)
    [mule] = linkage.hubs.shared_mules
    assert (mule.key, mule.reason, mule.suppressed, mule.degree) == (
        "bank_account:6222020200112233445", SHARED_MULE, False, 12,
    )  # fmt: skip
    assert mule.type_spread == pytest.approx(4.0)
    assert mule.money == {"CNY": 1_200_000}
    assert len(set(linkage.campaign_ids()[:12])) == 1
    listed = HubPolicy(allow_list={"bank_account:6222020200112233445": "platform"})
    assert link_mentions(24, report, keys, fraud_type=types, policy=listed).hubs.shared_mules
    cut = HubPolicy(allow_list={}, suppress={"bank_account:6222020200112233445"})
    [decision] = [d for d in link_mentions(24, report, keys, fraud_type=types, policy=cut).hubs.decisions
                  if d.key.startswith("bank_account:")]  # fmt: skip
    assert (decision.reason, decision.suppressed) == (ANALYST, True)


def test_the_bridge_rule_cuts_a_local_number_that_joins_reports_sharing_nothing_else() -> None:
    """A city hospital's line named by three reports of three fraud types from one province, which share
    nothing else, is a hub; a scammer's phone named by three reports that also share his card is not."""
    report = [0, 1, 2, 3, 4, 5, 3, 4, 5]
    keys = (
        ["phone:+862087654321"] * 3 + ["phone:+8613800000001"] * 3 + ["bank_account:6222020200112233445"] * 3
    )
    types = ["fake_loan", "romance", "brushing_rebate", "fake_loan", "fake_credit", "romance"]
    regions = ["44", "44", "44", "31", "44", "51"]
    linkage = link_mentions(
        6, report, keys, fraud_type=types, region=regions, policy=HubPolicy(allow_list={})
    )
    decisions = {d.key: d for d in linkage.hubs.decisions}
    assert (decisions["phone:+862087654321"].reason, decisions["phone:+862087654321"].suppressed) == (
        BRIDGE,
        True,
    )
    assert "phone:+8613800000001" not in decisions
    assert linkage.campaign_ids() == [
        campaign_name("0"),
        campaign_name("1"),
        campaign_name("2"),
        campaign_name("3"),
        campaign_name("3"),
        campaign_name("3"),
    ]
    off = link_mentions(
        6, report, keys, fraud_type=types, region=regions, policy=HubPolicy(allow_list={}, bridge=False)
    )
    assert off.n_campaigns == 2
