"""Freeze lists: ranking, banks, deadlines, victims' shares, pro-rata return and stop-payment tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flow_ledgers import ledger_arrays
from flow_reference import Txn
from hypothesis import given
from hypothesis import strategies as st

from fanzha.flow import (
    AttributionPolicy,
    FreezeRules,
    FreezeTarget,
    Ledger,
    TaintSource,
    TraceLimits,
    VictimShare,
    freeze_list,
    pro_rata_return,
    trace,
)
from fanzha.flow.freeze import KnownAccounts
from fanzha.flow.trace import from_micros
from fanzha.model import Money, TaskKind
from fanzha.model.practice import freeze_term_end
from fanzha.ops import SlaPolicy

SECOND = 1_000_000
T0 = 1_788_000_000 * SECOND
REPORT_TIME = from_micros(T0 + 3_600 * SECOND)


def _ledger(rows: list[tuple[str, str, int, int, bool]]) -> Ledger:
    """A ledger of (payer, payee, second after T0, amount, cash-out) rows."""
    return Ledger.build(
        ledger_arrays(
            [
                Txn(txn_id=i, time=T0 + t * SECOND, src=s, dst=d, amount=a, cash_out=c)
                for i, (s, d, t, a, c) in enumerate(rows)
            ]
        )
    )


def _campaign() -> tuple[Ledger, list[TaintSource]]:
    """Two victims pay mule M1; M1 forwards part to M2 (ICBC card) and M2 cashes some out at an ATM."""
    rows = [
        ("v1", "M1", 0, 600_000, False),
        ("v2", "M1", 10, 400_000, False),
        ("M1", "6222020000000000001", 20, 500_000, False),
        ("6222020000000000001", "ATM:1", 30, 100_000, True),
    ]
    ledger = _ledger(rows)
    sources = [
        TaintSource("M1", 600_000, from_micros(T0), victim="RPT-1", payer="v1"),
        TaintSource("M1", 400_000, from_micros(T0 + 10 * SECOND), victim="RPT-2", payer="v2"),
        TaintSource("M9", 10_000, from_micros(T0), victim="RPT-3"),
    ]
    return ledger, sources


def _bank(account: str) -> str | None:
    return "ICBC" if account.startswith("622202") else None


FIFO = TraceLimits(policy=AttributionPolicy.FIFO)


def test_targets_are_ranked_by_money_held_with_deadlines_and_shares() -> None:
    ledger, sources = _campaign()
    result = trace(ledger, sources, limits=FIFO)
    listed = freeze_list(result, ledger, report_time=REPORT_TIME, bank_of=_bank)
    assert [(t.rank, t.account, t.held.amount_minor, t.hop) for t in listed.targets] == [
        (1, "M1", 500_000, 1),
        (2, "6222020000000000001", 400_000, 2),
    ]
    first = listed.targets[0]
    assert first.shares == (VictimShare("RPT-2", 400_000, 0.8), VictimShare("RPT-1", 100_000, 0.2))
    assert first.stop_payment_due == REPORT_TIME + timedelta(minutes=30)
    assert first.stop_payment_expires == REPORT_TIME + timedelta(minutes=30, hours=48)
    assert first.freeze_until == freeze_term_end(REPORT_TIME + timedelta(hours=24))
    assert listed.targets[1].shares == (VictimShare("RPT-1", 400_000, 1.0),)
    assert [c.account for c in listed.cash_outs] == ["ATM:1"]
    assert listed.cash_outs[0].amount_minor == 100_000
    assert listed.unmatched == (sources[2],)
    assert listed.total_held_minor == 900_000
    assert list(listed.by_bank()) == ["unknown", "ICBC"]
    assert listed.as_of == from_micros(result.horizon)


def test_last_in_first_out_follows_what_a_mule_just_received() -> None:
    ledger, sources = _campaign()
    listed = freeze_list(trace(ledger, sources), ledger, report_time=REPORT_TIME, bank_of=_bank)
    assert [(t.account, t.shares) for t in listed.targets] == [
        ("M1", (VictimShare("RPT-1", 500_000, 1.0),)),
        ("6222020000000000001", (VictimShare("RPT-2", 400_000, 1.0),)),
    ]


def test_the_freeze_term_is_the_ops_rooms_hold_term() -> None:
    start = datetime(2026, 8, 31, 2, tzinfo=UTC)
    policy = SlaPolicy()
    assert policy.hold_terms[TaskKind.FREEZE].end(start, policy.calendar) == freeze_term_end(start)
    assert freeze_term_end(start) == datetime(2027, 2, 28, 2, tzinfo=UTC)
    assert policy.due_at(TaskKind.STOP_PAYMENT, start) == start + FreezeRules().stop_payment_within


def test_victims_accounts_small_holdings_and_bona_fide_recipients_are_left_out() -> None:
    """v1 is a known victim of another case who got money back; S is a shop paid by the mule, living on its own
    takings; M3 is a mule fed by M1; T holds less than the minimum."""
    rows = [
        ("EMP", "S", 0, 5_000_000, False),
        ("v1", "M1", 10, 900_000, False),
        ("M1", "S", 20, 200_000, False),
        ("M1", "M3", 21, 300_000, False),
        ("M1", "v9", 22, 200_000, False),
        ("M1", "T", 23, 20_000, False),
    ]
    ledger = _ledger(rows)
    sources = [TaintSource("M1", 900_000, from_micros(T0 + 10 * SECOND), victim="RPT-1", payer="v1")]
    known = KnownAccounts(victims=frozenset({"v9"}))
    listed = freeze_list(trace(ledger, sources), ledger, report_time=REPORT_TIME, known=known)
    assert [t.account for t in listed.targets] == ["M3", "M1"]
    assert listed.left_out == {"victim_account": 1, "below_minimum": 1, "bona_fide": 1}
    assert listed.targets[0].suspect_share == 1.0


def test_deadlines_already_past_are_marked_overdue() -> None:
    ledger, sources = _campaign()
    result = trace(ledger, sources)
    late = freeze_list(result, ledger, report_time=REPORT_TIME, now=REPORT_TIME + timedelta(hours=2))
    assert all(t.stop_payment_overdue and not t.freeze_overdue for t in late.targets)
    on_time = freeze_list(result, ledger, report_time=REPORT_TIME)
    assert not any(t.stop_payment_overdue or t.freeze_overdue for t in on_time.targets)


def test_rules_change_the_deadlines_and_drop_small_holdings() -> None:
    ledger, sources = _campaign()
    rules = FreezeRules(stop_payment_within=timedelta(minutes=10), min_held_minor=450_000)
    listed = freeze_list(trace(ledger, sources, limits=FIFO), ledger, report_time=REPORT_TIME, rules=rules)
    assert [t.account for t in listed.targets] == ["M1"]
    assert listed.targets[0].stop_payment_due == REPORT_TIME + timedelta(minutes=10)


@given(
    st.lists(st.integers(1, 10**9), min_size=1, max_size=6),
    st.integers(0, 2 * 10**9),
)
def test_pro_rata_return_is_exact_and_never_gives_a_victim_more_than_theirs(
    amounts: list[int], frozen: int
) -> None:
    held = sum(amounts)
    target = FreezeTarget(
        rank=1, account="M", bank="X", hop=1, held=Money(amount_minor=held), passed_minor=0,
        first_tainted=datetime(2026, 9, 1, tzinfo=UTC),
        shares=tuple(VictimShare(f"R{i}", a, a / held) for i, a in enumerate(amounts)),
        stop_payment_due=datetime(2026, 9, 1, tzinfo=UTC), stop_payment_expires=datetime(2026, 9, 3, tzinfo=UTC),
        freeze_due=datetime(2026, 9, 2, tzinfo=UTC), freeze_until=datetime(2027, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    parts = pro_rata_return(target, frozen)
    assert sum(parts.values()) == min(frozen, held)
    for index, amount in enumerate(amounts):
        assert 0 <= parts[f"R{index}"] <= amount


def test_evidence_chain_leads_from_a_victim_payment_to_the_account() -> None:
    ledger, sources = _campaign()
    result = trace(ledger, sources)
    row = result.row(ledger.account_index("6222020000000000001"))
    chain = result.path_to(row)
    hops = [
        (int(result.edges[e, 3]), ledger.account_name(int(result.account[result.edges[e, 4]]))) for e in chain
    ]
    assert hops == [(-1, "M1"), (result.row(ledger.account_index("M1")), "6222020000000000001")]
    assert ledger.column("out_txn_id", result.edges[chain, 0]).tolist() == [0, 2]
