"""The fast tracer equals the reference on random ledgers, and keeps the invariants of money."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flow_ledgers import by_name, ledger_arrays, seed_positions
from flow_reference import Seed, Txn, reference_trace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanzha.flow import _kernel as kernel
from fanzha.flow.ledger import Ledger
from fanzha.flow.trace import AttributionPolicy, TraceResult

SECOND = 1_000_000
START = 1_788_000_000 * SECOND


@dataclass(frozen=True)
class Case:
    """A random ledger, seeds and limits."""

    txns: list[Txn]
    seeds: list[Seed]
    policy: AttributionPolicy
    max_hops: int
    horizon: int
    scan_start: int


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Few accounts and few distinct times, so cycles, fan-in/fan-out and same-time transfers are common."""
    n_accounts = draw(st.integers(2, 7))
    names = [f"A{i}" for i in range(n_accounts)] + ["ATM:1"]
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_accounts - 1), st.integers(0, 2**16), st.integers(0, 12),
                      st.integers(1, 1000), st.integers(0, 9)),
            min_size=1,
            max_size=40,
        )
    )  # fmt: skip
    ids = draw(st.permutations(range(len(rows))))
    txns = [
        Txn(
            txn_id=txn_id,
            time=START + second * SECOND,
            src=names[src],
            dst=names[n_accounts if atm == 0 else (src + 1 + hop % (n_accounts - 1)) % n_accounts],
            amount=amount,
            cash_out=atm == 0,
        )
        for txn_id, (src, hop, second, amount, atm) in zip(ids, rows, strict=True)
    ]
    seed_txns = draw(st.lists(st.sampled_from(txns), min_size=1, max_size=3, unique_by=lambda t: t.txn_id))
    seeds = [Seed(t.txn_id, draw(st.integers(1, 1200)), i) for i, t in enumerate(seed_txns)]
    first_seed = min(t.time for t in seed_txns)
    return Case(
        txns=txns,
        seeds=seeds,
        policy=draw(st.sampled_from(list(AttributionPolicy))),
        max_hops=draw(st.integers(1, 6)),
        horizon=START + draw(st.integers(0, 14)) * SECOND,
        scan_start=first_seed - draw(st.integers(0, 14)) * SECOND,
    )


def _fast(ledger: Ledger, case: Case) -> TraceResult:
    from fanzha.flow.trace import _KERNEL_POLICY, _result

    positions = seed_positions(ledger, case.seeds)
    state, edges, holdings = kernel.trace_kernel(
        *ledger.kernel_segments,
        len(ledger.base),
        np.asarray(ledger.cash_out),
        positions,
        np.array([s.amount for s in case.seeds], dtype=np.int64),
        np.arange(len(case.seeds), dtype=np.int64),
        _KERNEL_POLICY[case.policy],
        case.max_hops,
        case.horizon,
        case.scan_start,
    )
    return _result([], positions, (), case.horizon, case.policy, state, edges, holdings)


def _expected(case: Case) -> dict[str, object]:
    return dict(
        reference_trace(
            case.txns,
            case.seeds,
            policy=case.policy.value,
            max_hops=case.max_hops,
            horizon=case.horizon,
            scan_start=case.scan_start,
        )
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(SETTINGS, max_examples=300)
@given(cases())
def test_fast_tracer_equals_reference(case: Case) -> None:
    ledger = Ledger.build(ledger_arrays(case.txns))
    assert by_name(ledger, _fast(ledger, case)) == _expected(case)


@SETTINGS
@given(cases(), st.integers(1, 39))
def test_a_ledger_with_an_appended_delta_traces_the_same(case: Case, cut: int) -> None:
    ordered = sorted(case.txns, key=lambda t: (t.time, t.txn_id))
    cut = min(cut, len(ordered))
    whole = Ledger.build(ledger_arrays(ordered))
    rest = ordered[cut:]
    appended = Ledger.build(ledger_arrays(ordered[:cut]))
    for part in (rest[::2], rest[1::2]):
        if part:
            appended = appended.append(ledger_arrays(part))
    assert by_name(appended, _fast(appended, case)) == by_name(whole, _fast(whole, case))


@SETTINGS
@given(cases())
def test_money_is_conserved_and_moves_only_forward(case: Case) -> None:
    ledger = Ledger.build(ledger_arrays(case.txns))
    result = _fast(ledger, case)
    paid = sum(min(s.amount, next(t.amount for t in case.txns if t.txn_id == s.txn_id)) for s in case.seeds)
    total = result.total_held + result.total_cashed_out + int(result.unfollowed.sum())
    assert total <= paid
    assert np.all(result.passed <= result.received)
    assert np.all(result.received == result.passed + result.held + result.cashed_out)
    per_source = np.bincount(result.holdings[:, 1], weights=result.holdings[:, 2], minlength=len(case.seeds))
    for source, held in enumerate(per_source.tolist()):
        assert held <= case.seeds[source].amount
    edge_times = ledger.column("out_time", result.edges[:, 0])
    for (from_row, _), moment in zip(result.edges[:, [3, 4]].tolist(), edge_times.tolist(), strict=True):
        if from_row >= 0:
            assert moment > result.first_time[from_row]
