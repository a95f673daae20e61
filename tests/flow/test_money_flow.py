"""The money flow of a trace: its transfers as edges (from, to, victim money, time, hop), capped, victims masked."""

from __future__ import annotations

from collections import defaultdict

from flow_ledgers import ledger_arrays
from flow_reference import Txn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanzha.flow import (
    AttributionPolicy,
    FlowAccountKind,
    Ledger,
    TaintSource,
    TraceLimits,
    freeze_list,
    money_flow,
    trace,
)
from fanzha.flow.freeze import KnownAccounts
from fanzha.flow.trace import TraceResult, from_micros

SECOND = 1_000_000
T0 = 1_788_000_000 * SECOND
VICTIM_1 = "6217001111222233334"
VICTIM_2 = "6217005555666677778"
MULE_1 = "6222021000000000001"
MULE_2 = "6222022000000000002"
FIFO = TraceLimits(policy=AttributionPolicy.FIFO)


def _txns(rows: list[tuple[str, str, int, int, bool]], first_id: int = 0) -> list[Txn]:
    """Transactions of (payer, payee, second after T0, amount, cash-out) rows."""
    return [
        Txn(txn_id=first_id + i, time=T0 + t * SECOND, src=s, dst=d, amount=a, cash_out=c)
        for i, (s, d, t, a, c) in enumerate(rows)
    ]


def _ledger(rows: list[tuple[str, str, int, int, bool]]) -> Ledger:
    """A ledger of (payer, payee, second after T0, amount, cash-out) rows."""
    return Ledger.build(ledger_arrays(_txns(rows)))


def _campaign() -> tuple[Ledger, list[TaintSource]]:
    """Two victims pay mule 1; it forwards 5,000 to mule 2, which cashes 1,000 out at an ATM."""
    ledger = _ledger(
        [
            (VICTIM_1, MULE_1, 0, 600_000, False),
            (VICTIM_2, MULE_1, 10, 400_000, False),
            (MULE_1, MULE_2, 20, 500_000, False),
            (MULE_2, "ATM:1", 30, 100_000, True),
        ]
    )
    sources = [
        TaintSource(MULE_1, 600_000, from_micros(T0), victim="RPT-1", payer=VICTIM_1),
        TaintSource(MULE_1, 400_000, from_micros(T0 + 10 * SECOND), victim="RPT-2"),
    ]
    return ledger, sources


def test_edges_are_the_transfers_with_the_victim_money_they_carried() -> None:
    ledger, sources = _campaign()
    flow = money_flow(trace(ledger, sources, limits=FIFO), ledger)
    assert [(e.from_account, e.to_account, e.amount_minor, e.time, e.hop, e.victims) for e in flow.edges] == [
        ("621************3334", MULE_1, 600_000, from_micros(T0), 1, ("RPT-1",)),
        ("621************7778", MULE_1, 400_000, from_micros(T0 + 10 * SECOND), 1, ("RPT-2",)),
        (MULE_1, MULE_2, 500_000, from_micros(T0 + 20 * SECOND), 2, ("RPT-1",)),
        (MULE_2, "ATM:1", 100_000, from_micros(T0 + 30 * SECOND), 3, ("RPT-1",)),
    ]
    for edge in flow.edges:
        assert flow.accounts[edge.source].account == edge.from_account
        assert flow.accounts[edge.target].account == edge.to_account
    shown = {account.account: account for account in flow.accounts}
    assert shown[MULE_1].held_minor == 500_000
    assert shown[MULE_2].held_minor == 400_000
    assert (shown["ATM:1"].kind, shown["ATM:1"].cashed_out_minor) == (FlowAccountKind.CASH_OUT, 100_000)
    victims = [account for account in flow.accounts if account.kind == FlowAccountKind.VICTIM]
    assert [(v.account, v.hop, v.received_minor) for v in victims] == [
        ("621************3334", 0, 0),
        ("621************7778", 0, 0),
    ]
    assert (flow.edges_total, flow.truncated, flow.cyclic) == (4, False, False)


def test_a_ledger_with_an_appended_day_gives_the_same_flow() -> None:
    rows = [
        (VICTIM_1, MULE_1, 0, 600_000, False),
        (VICTIM_2, MULE_1, 10, 400_000, False),
        (MULE_1, MULE_2, 20, 500_000, False),
        *[(f"62220300000000000{i:02d}", f"62220400000000000{i:02d}", i, 1_000, False) for i in range(6)],
    ]
    last = (MULE_2, "ATM:1", 30, 100_000, True)
    whole = _ledger([*rows, last])
    appended = Ledger.build(ledger_arrays(_txns(rows))).append(
        ledger_arrays(_txns([last], first_id=len(rows)))
    )
    assert len(appended.delta) == 1
    _, sources = _campaign()

    def shown(ledger: Ledger) -> list[tuple[str, str, int, int]]:
        flow = money_flow(trace(ledger, sources, limits=FIFO), ledger)
        return [(e.from_account, e.to_account, e.amount_minor, e.hop) for e in flow.edges]

    assert shown(appended) == shown(whole)
    assert shown(appended)[-1] == (MULE_2, "ATM:1", 100_000, 3)


def test_a_cap_keeps_the_edges_that_carried_most_and_says_it_cut() -> None:
    ledger, sources = _campaign()
    flow = money_flow(trace(ledger, sources, limits=FIFO), ledger, max_edges=2)
    assert [(e.to_account, e.amount_minor) for e in flow.edges] == [(MULE_1, 600_000), (MULE_2, 500_000)]
    assert (flow.edges_total, flow.truncated) == (4, True)
    assert {a.account for a in flow.accounts} == {"621************3334", MULE_1, MULE_2}
    assert money_flow(trace(ledger, sources), ledger, max_edges=0).edges == ()


def test_money_back_to_a_known_victim_is_masked_and_a_round_trip_is_a_cycle() -> None:
    ledger = _ledger(
        [
            (VICTIM_1, MULE_1, 0, 600_000, False),
            (MULE_1, MULE_2, 10, 300_000, False),
            (MULE_2, MULE_1, 20, 100_000, False),
            (MULE_1, VICTIM_2, 30, 50_000, False),
        ]
    )
    sources = [TaintSource(MULE_1, 600_000, from_micros(T0), victim="RPT-1", payer=VICTIM_1)]
    result = trace(ledger, sources, limits=FIFO)
    flow = money_flow(result, ledger, victims={VICTIM_2})
    assert flow.cyclic
    assert [(e.from_account, e.to_account, e.hop) for e in flow.edges] == [
        ("621************3334", MULE_1, 1),
        (MULE_1, MULE_2, 2),
        (MULE_1, "621************7778", 2),
        (MULE_2, MULE_1, 3),
    ]
    back = next(account for account in flow.accounts if account.account == "621************7778")
    assert (back.kind, back.received_minor) == (FlowAccountKind.VICTIM, 50_000)
    assert not money_flow(result, ledger, max_edges=2).cyclic


def test_the_freeze_list_carries_the_flow_when_asked_and_masks_unmatched_payers() -> None:
    ledger, sources = _campaign()
    lost = TaintSource("M9", 10_000, from_micros(T0), victim="RPT-3", payer=VICTIM_2)
    result = trace(ledger, [*sources, lost], limits=FIFO)
    report_time = from_micros(T0 + 3_600 * SECOND)
    assert freeze_list(result, ledger, report_time=report_time).flow is None
    listed = freeze_list(
        result, ledger, report_time=report_time, flow_edges=10, known=KnownAccounts(frozenset({MULE_2}))
    )
    assert listed.flow is not None
    assert [e.to_account for e in listed.flow.edges] == [MULE_1, MULE_1, "622************0002", "ATM:1"]
    assert [source.payer for source in listed.unmatched] == ["621************7778"]


Case = tuple[list[tuple[str, str, int, int, bool]], int, int]


@st.composite
def _ledgers(draw: st.DrawFn) -> Case:
    """Victims who each pay once into a few accounts trading often (cycles, fan-in and fan-out, cash-outs), the
    number of victims (their payments come first) and a hop limit."""
    names = [f"62220200000000000{i:02d}" for i in range(draw(st.integers(2, 6)))]
    paid = draw(
        st.lists(
            st.tuples(st.sampled_from(names), st.integers(0, 6), st.integers(1, 1000)), min_size=1, max_size=3
        )
    )
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(names), st.sampled_from([*names, "ATM:1"]), st.integers(0, 12),
                      st.integers(1, 1000)),
            max_size=30,
        )
    )  # fmt: skip
    payments = [
        (f"62170000000000000{i:02d}", dst, second, amount, False)
        for i, (dst, second, amount) in enumerate(paid)
    ]
    trades = [(src, dst, second, amount, dst == "ATM:1") for src, dst, second, amount in rows if src != dst]
    return [*payments, *trades], len(payments), draw(st.integers(1, 6))


def _traced(case: Case) -> tuple[Ledger, TraceResult]:
    txns, n_victims, hops = case
    ledger = _ledger(txns)
    sources = [
        TaintSource(dst, amount, from_micros(T0 + second * SECOND), victim=f"R{i}", payer=src)
        for i, (src, dst, second, amount, _) in enumerate(txns[:n_victims])
    ]
    return ledger, trace(ledger, sources, limits=TraceLimits(max_hops=hops))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ledgers(), st.integers(0, 40))
def test_edges_add_up_to_what_each_account_received_and_passed(case: Case, cap: int) -> None:
    ledger, result = _traced(case)
    flow = money_flow(result, ledger, max_edges=10_000)
    assert not flow.truncated
    assert len(flow.edges) == flow.edges_total
    into: dict[int, int] = defaultdict(int)
    out: dict[int, int] = defaultdict(int)
    for edge in flow.edges:
        assert edge.amount_minor > 0
        into[edge.target] += edge.amount_minor
        out[edge.source] += edge.amount_minor
    for node, account in enumerate(flow.accounts):
        assert into[node] == account.received_minor
        if account.kind != FlowAccountKind.VICTIM:
            kept = account.held_minor + account.cashed_out_minor + account.unfollowed_minor
            assert out[node] == account.received_minor - kept
    capped = money_flow(result, ledger, max_edges=cap)
    assert len(capped.edges) == min(cap, flow.edges_total)
    assert capped.truncated == (cap < flow.edges_total)
    smallest_kept = min((e.amount_minor for e in capped.edges), default=None)
    if capped.truncated and smallest_kept is not None:
        cut = sorted((e.amount_minor for e in flow.edges), reverse=True)[cap:]
        assert max(cut) <= smallest_kept
    for earlier, later in zip(flow.edges, flow.edges[1:], strict=False):
        assert (earlier.hop, earlier.time) <= (later.hop, later.time)
