"""The bona fide rule: a deep mule fed by mules outside the trace is listed, a shop living on its customers is not;
the pass-through share it rests on is the largest matching of money in to money out within the window."""

from __future__ import annotations

from datetime import timedelta

import networkx as nx
from flow_ledgers import ledger_arrays
from flow_reference import Txn
from hypothesis import given
from hypothesis import strategies as st

from fanzha.flow import FreezeRules, Ledger, TaintSource, freeze_list, trace
from fanzha.flow.freeze import KnownAccounts, LeftOut, pass_through_share
from fanzha.flow.trace import from_micros

SECOND = 1_000_000
HOUR = 3_600 * SECOND
DAY = 24 * HOUR
T0 = 1_788_000_000 * SECOND
Row = tuple[str, str, int, int, bool]
"""(payer, payee, second after T0, amount, cash-out)."""
NO_PASS_THROUGH = FreezeRules(min_pass_through_share=2.0)
"""The rule as it was before pass-through senders counted as suspect."""


def _ledger(rows: list[Row]) -> Ledger:
    return Ledger.build(
        ledger_arrays(
            [
                Txn(txn_id=i, time=T0 + t * SECOND, src=s, dst=d, amount=a, cash_out=c)
                for i, (s, d, t, a, c) in enumerate(rows)
            ]
        )
    )


def _listed(rows: list[Row], rules: FreezeRules = FreezeRules()) -> tuple[dict[str, float], dict[str, int]]:
    """Accounts listed (with their suspect shares) and left out (per reason) for victim v1's ¥9,000 into M1 at
    second 100, reported an hour later."""
    ledger = _ledger(rows)
    sources = [TaintSource("M1", 900_000, from_micros(T0 + 100 * SECOND), victim="RPT-1", payer="v1")]
    report_time = from_micros(T0 + 3_700 * SECOND)
    listed = freeze_list(
        trace(ledger, sources, as_of=report_time), ledger, report_time=report_time,
        rules=rules, known=KnownAccounts(payees=frozenset({"M1"})),
    )  # fmt: skip
    return {t.account: t.suspect_share for t in listed.targets}, listed.left_out


def _deep_mule() -> list[Row]:
    """U, a mule of the same gang on no trace of this case, passes another victim's ¥90,000 on to D within
    minutes; then M1 forwards ¥8,000 of v1's money to D: only 8 % of D's inflow is traced money."""
    return [
        ("v2", "U", 0, 9_000_000, False),
        ("U", "D", 60, 9_000_000, False),
        ("D", "ATM:1", 80, 9_000_000, True),
        ("v1", "M1", 100, 900_000, False),
        ("M1", "D", 200, 800_000, False),
    ]


def test_a_deep_mule_fed_by_a_mule_outside_the_trace_is_listed() -> None:
    listed, left_out = _listed(_deep_mule())
    assert set(listed) == {"M1", "D"}
    assert listed["D"] == 1.0
    assert left_out == {}


def test_without_pass_through_senders_the_deep_mule_looked_bona_fide() -> None:
    listed, left_out = _listed(_deep_mule(), NO_PASS_THROUGH)
    assert set(listed) == {"M1"}
    assert left_out == {LeftOut.BONA_FIDE.value: 1}


def _shop() -> list[Row]:
    """S, a small shop's card, takes ¥1,000 from each of 20 customers over the day before; the customers live on
    their salaries (or older money) and keep most of it. M1 spends ¥1,000 of v1's money there: under 5 % of S's
    inflow. S sends nothing on."""
    rows: list[Row] = []
    for i in range(20):
        if i % 2 == 0:
            rows.append(("EMP", f"c{i:02}", -2 * 86_400, 1_000_000, False))
        rows.append((f"c{i:02}", "S", -3_600 * (i + 1), 100_000, False))
    rows += [("v1", "M1", 100, 900_000, False), ("M1", "S", 200, 100_000, False)]
    return rows


def test_a_shop_living_on_many_ordinary_customers_is_left_out_as_bona_fide() -> None:
    listed, left_out = _listed(_shop())
    assert set(listed) == {"M1"}
    assert left_out == {LeftOut.BONA_FIDE.value: 1}


def test_cash_paid_in_at_an_atm_is_not_a_pass_through_senders_money() -> None:
    """An ATM pays out deposits as fast as it takes withdrawals; money from it is cash, not a mule's."""
    rows = [
        ("X", "ATM:1", 0, 9_000_000, True),
        ("ATM:1", "S", 60, 9_000_000, False),
        ("v1", "M1", 100, 900_000, False),
        ("M1", "S", 200, 500_000, False),
    ]
    listed, left_out = _listed(rows)
    assert set(listed) == {"M1"}
    assert left_out == {LeftOut.BONA_FIDE.value: 1}


def _share(rows: list[Row], end: int, within: timedelta = timedelta(days=1)) -> float:
    ledger = _ledger(rows)
    return pass_through_share(ledger, ledger.account_index("A"), T0, T0 + end * SECOND, within)


def test_pass_through_share_counts_money_sent_on_within_the_window_after_it_arrived() -> None:
    rows = [
        ("X", "A", 0, 1_000, False),
        ("A", "Y", 0, 600, False),  # at the same time as the arrival: older money
        ("A", "Y", 10, 300, False),
        ("X", "A", 20, 1_000, False),
        ("A", "Y", 20 + 86_400 + 1, 1_000, False),  # a day and a second later: both arrivals have stayed
    ]
    assert _share(rows, 10 * 86_400) == 300 / 2_000
    assert _share(rows, 10 * 86_400, timedelta(days=2)) == 1_300 / 2_000
    assert _share(rows, 15) == 300 / 1_000, "nothing after the end is read"
    assert _share([("A", "Y", 5, 100, False)], 10) == 0.0


def test_pass_through_reads_the_delta_segment_too() -> None:
    ledger = _ledger([("X", "A", 0, 1_000, False)] + [("P", "Q", 10 + i, 1, False) for i in range(4)])
    later = ledger_arrays([Txn(txn_id=9, time=T0 + HOUR, src="A", dst="Y", amount=800)])
    appended = ledger.append(later)
    assert len(appended.delta) == 1
    account = appended.account_index("A")
    assert pass_through_share(appended, account, T0, T0 + DAY, timedelta(days=1)) == 0.8
    assert appended.outgoing(account, T0, T0 + DAY).amount.tolist() == [800]
    assert appended.incoming(account, T0, T0 + DAY).amount.tolist() == [1_000]


def _max_matching(txns: list[Txn], within: int) -> int:
    """Plain max flow: each arrival can feed each later transfer out of A at most ``within`` after it."""
    graph = nx.DiGraph()
    arrivals = [t for t in txns if t.dst == "A"]
    departures = [t for t in txns if t.src == "A"]
    for arrival in arrivals:
        graph.add_edge("in", ("a", arrival.txn_id), capacity=arrival.amount)
        for departure in departures:
            if 0 < departure.time - arrival.time <= within:
                graph.add_edge(("a", arrival.txn_id), ("d", departure.txn_id), capacity=arrival.amount)
    for departure in departures:
        graph.add_edge(("d", departure.txn_id), "out", capacity=departure.amount)
    if "in" not in graph or "out" not in graph:
        return 0
    value: int = nx.maximum_flow_value(graph, "in", "out")
    return value


@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 12), st.integers(1, 1_000)),
        min_size=1,
        max_size=14,
    ),
    st.integers(1, 6),
)
def test_pass_through_share_is_the_largest_matching_within_the_window(
    moves: list[tuple[bool, int, int]], within: int
) -> None:
    txns = [
        Txn(txn_id=i, time=T0 + t * SECOND, src="X" if inward else "A", dst="A" if inward else "Y", amount=a)
        for i, (inward, t, a) in enumerate(moves)
    ]
    ledger = Ledger.build(ledger_arrays(txns))
    received = sum(t.amount for t in txns if t.dst == "A")
    share = pass_through_share(
        ledger, ledger.account_index("A"), T0, T0 + 12 * SECOND, timedelta(seconds=within)
    )
    expected = _max_matching(txns, within * SECOND) / received if received else 0.0
    assert share == expected
