"""Campaign summaries and the ranking of key identifiers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from link_scenario import LinkScenario

from fanzha.link import HubPolicy, campaign_name, link_reports, summarize_campaigns
from fanzha.link.summary import _brandes, bipartite_betweenness, rank_identifiers
from fanzha.model import Channel, Identifier, IdentifierKind, Money, Payment, Report, Victim

T0 = datetime(2026, 9, 1, tzinfo=UTC)
CARD = "6222020200112233445"
OTHER_CARD = "6217000010001234560"


def case(
    report_id: str, card: str, amount: int, *identifiers: Identifier, fraud_type: str = "fake_loan"
) -> Report:
    return Report(
        id=report_id,
        channel=Channel.APP,
        received_at=T0 + timedelta(hours=int(report_id[1:])),
        reporter_unit="440305",
        victim=Victim(pseudonym=f"V{report_id}", region_code="440305"),
        declared_fraud_type=fraud_type,
        payments=(Payment(from_account="1", to_account=card, amount=Money(amount_minor=amount), time=T0),),
        identifiers=identifiers,
    )


PHONE = Identifier(kind=IdentifierKind.PHONE, value="+8613800138000")


def test_summary_counts_loss_and_ranks_the_card_with_most_money_first() -> None:
    reports = [
        case("R1", CARD, 100_000, PHONE),
        case("R2", CARD, 300_000),
        case("R3", OTHER_CARD, 50_000, PHONE, fraud_type="fake_credit"),
        case("R4", "6212260000000000001", 10, Identifier(kind=IdentifierKind.PHONE, value="95588")),
    ]
    linkage = link_reports(
        reports, policy=HubPolicy(bridge=False)
    )  # two reports sharing only a phone: a bridge
    [summary] = summarize_campaigns(linkage, reports)
    assert summary.id == campaign_name("R1")
    assert summary.report_ids == ("R1", "R2", "R3")
    assert (summary.n_cases, summary.n_tips, summary.n_victims) == (3, 0, 3)
    assert summary.loss == {"CNY": 450_000}
    assert summary.loss_by_type == {"fake_loan": {"CNY": 400_000}, "fake_credit": {"CNY": 50_000}}
    assert summary.fraud_type == "fake_loan"
    assert summary.regions == {"44": 3}
    assert summary.first_report_at == T0 + timedelta(hours=1)
    top = summary.key_identifiers[0]
    assert top.key == f"bank_account:{CARD}"
    assert (top.reports, top.money_received) == (2, {"CNY": 400_000})
    assert top.masked.startswith("bank_account:622")
    assert CARD not in top.masked
    phone = next(k for k in summary.key_identifiers if k.key == "phone:+8613800138000")
    assert phone.betweenness > top.betweenness  # the phone alone joins the two card groups
    assert summary.as_campaign().key_identifiers[0].value == CARD


def test_ranking_skips_hubs_and_weak_keys() -> None:
    reports = [case("R1", CARD, 1), case("R2", CARD, 1)]
    keys = {"R1": ["phone:95588", "app:x", f"bank_account:{CARD}"], "R2": [f"bank_account:{CARD}"]}
    ranked = rank_identifiers(reports, keys, frozenset({"phone:95588"}))
    assert [k.key for k in ranked] == [f"bank_account:{CARD}"]


edge_lists = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(edge_lists)
def test_betweenness_matches_networkx(edges: list[tuple[int, int]]) -> None:
    pairs = [(f"r{r}", f"k{k}") for r, k in edges]
    graph = nx.Graph(pairs)
    expected = nx.betweenness_centrality(graph, normalized=False)
    n = graph.number_of_nodes()
    norm = (n - 1) * (n - 2) / 2 or 1
    got = bipartite_betweenness(pairs)
    for key, value in got.items():
        assert value == pytest.approx(expected[key] / norm)
    nodes = sorted({r for r, _ in pairs}) + sorted({k for _, k in pairs})
    index = {name: i for i, name in enumerate(nodes)}
    python = _brandes(len(nodes), [(index[r], index[k]) for r, k in set(pairs)])
    assert python == pytest.approx([expected[name] for name in nodes])


def test_tiny_scenario_summaries_are_consistent(tiny_scenario: LinkScenario) -> None:
    linkage = link_reports(tiny_scenario.reports)
    summaries = summarize_campaigns(linkage, tiny_scenario.reports)
    assert summaries
    assert summaries[0].n_reports >= summaries[-1].n_reports >= 2
    by_id = {r.id: r for r in tiny_scenario.reports}
    for summary in summaries:
        total = sum(by_id[r].loss.get("CNY", 0) for r in summary.report_ids)
        assert summary.loss.get("CNY", 0) == total
        assert summary.n_cases + summary.n_tips == summary.n_reports
        assert not set(summary.hubs_mentioned) - linkage.hubs.suppressed_keys
