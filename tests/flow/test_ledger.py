"""The ledger: CSR indexes agree with the rows, memory-mapped files reopen equal, appended days trace the same."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
from flow_ledgers import by_name, ledger_arrays
from flow_reference import Txn

from fanzha.flow import TaintSource, locate_sources, trace
from fanzha.flow.ledger import Ledger
from fanzha.flow.trace import from_micros
from fanzha.store.flows import LedgerArrays

SECOND = 1_000_000


def _txns() -> list[Txn]:
    rows = [("b", "a", 3, 50), ("a", "c", 5, 20), ("a", "b", 5, 10), ("c", "ATM:9", 9, 5), ("b", "c", 1, 7)]
    return [
        Txn(txn_id=10 + i, time=t * SECOND, src=s, dst=d, amount=a, cash_out=d.startswith("ATM"))
        for i, (s, d, t, a) in enumerate(rows)
    ]


def _outgoing(ledger: Ledger, name: str) -> list[tuple[str, int, int]]:
    account = ledger.account_index(name)
    found = []
    for segment in (ledger.base, ledger.delta):
        if account < len(segment.out_offsets) - 1:
            for position in range(int(segment.out_offsets[account]), int(segment.out_offsets[account + 1])):
                found.append(
                    (
                        ledger.account_name(int(segment.out_dst[position])),
                        int(segment.out_time[position]) // SECOND,
                        int(segment.out_amount[position]),
                    )
                )
    return found


def _incoming(ledger: Ledger, name: str) -> list[tuple[int, int]]:
    account = ledger.account_index(name)
    found = []
    for segment in (ledger.base, ledger.delta):
        if account < len(segment.in_offsets) - 1:
            positions = segment.in_pos[
                int(segment.in_offsets[account]) : int(segment.in_offsets[account + 1])
            ]
            found += [(int(t) // SECOND, int(a)) for t, a in zip(
                ledger.column("out_time", np.asarray(positions, np.int64)),
                ledger.column("out_amount", np.asarray(positions, np.int64)), strict=True)]  # fmt: skip
    return found


def test_out_and_in_indexes_list_each_account_by_time() -> None:
    ledger = Ledger.build(ledger_arrays(_txns()))
    assert len(ledger) == 5
    assert _outgoing(ledger, "b") == [("c", 1, 7), ("a", 3, 50)]
    assert _incoming(ledger, "c") == [(1, 7), (5, 20)]
    assert _incoming(ledger, "ATM:9") == [(9, 5)]
    assert ledger.cash_out.tolist() == [name == "ATM:9" for name in ledger.accounts.names()]


def test_same_time_transfers_keep_txn_id_order() -> None:
    ledger = Ledger.build(ledger_arrays(_txns()))
    assert _outgoing(ledger, "a") == [("c", 5, 20), ("b", 5, 10)]


def test_account_dictionary_finds_names_and_refuses_unknown_ones() -> None:
    ledger = Ledger.build(ledger_arrays(_txns()))
    for index, name in enumerate(ledger.accounts.names()):
        assert ledger.account_index(name) == index
        assert ledger.account_name(index) == name
    assert ledger.account_index("zz") == -1
    assert ledger.account_index("") == -1


def test_saved_ledger_reopens_memory_mapped_and_equal(tmp_path: Path) -> None:
    ledger = Ledger.build(ledger_arrays(_txns()))
    ledger.save(tmp_path / "ledger")
    reopened = Ledger.open(tmp_path / "ledger")
    assert isinstance(reopened.base.out_time, np.memmap)
    for name in ("out_offsets", "out_dst", "out_time", "out_amount", "in_offsets", "in_pos"):
        assert np.array_equal(getattr(reopened.base, name), getattr(ledger.base, name))
    assert reopened.accounts.names() == ledger.accounts.names()


def test_append_keeps_the_base_and_adds_new_accounts(tmp_path: Path) -> None:
    txns = _txns()
    later = [Txn(txn_id=99, time=20 * SECOND, src="c", dst="new", amount=3)]
    base = Ledger.build(ledger_arrays(txns))
    appended = base.append(ledger_arrays(later))
    assert appended.base is base.base
    assert len(appended) == 6
    assert _outgoing(appended, "c") == [("ATM:9", 9, 5), ("new", 20, 3)]
    assert appended.account_index("new") == base.n_accounts
    appended.save(tmp_path / "ledger")
    reopened = Ledger.open(tmp_path / "ledger")
    assert len(reopened) == 6
    assert _outgoing(reopened, "c") == _outgoing(appended, "c")
    compacted = reopened.compact()
    assert len(compacted.delta) == 0
    assert _outgoing(compacted, "c") == _outgoing(appended, "c")
    assert compacted.accounts.names() == sorted(compacted.accounts.names())


def test_rows_older_than_the_base_are_compacted_at_once() -> None:
    base = Ledger.build(ledger_arrays(_txns()))
    late = base.append(ledger_arrays([Txn(txn_id=98, time=2 * SECOND, src="a", dst="b", amount=1)]))
    assert len(late.delta) == 0
    assert len(late) == 6
    assert _outgoing(late, "a")[0] == ("b", 2, 1)


def test_memory_per_transaction_is_within_budget() -> None:
    rng = np.random.default_rng(3)
    n, accounts = 200_000, 20_000
    txns_time = np.sort(rng.integers(0, 10**12, n))
    arrays = LedgerArrays(
        accounts=np.array([f"{i:08d}" for i in range(accounts)], dtype=object),
        src=rng.integers(0, accounts, n).astype(np.int32),
        dst=rng.integers(0, accounts, n).astype(np.int32),
        time=txns_time.astype(np.int64),
        amount=rng.integers(1, 10**6, n).astype(np.int64),
        channel=np.zeros(n, np.int8),
        txn_id=np.arange(n, dtype=np.int64),
    )
    ledger = Ledger.build(arrays)
    assert ledger.nbytes / n <= 40


def test_a_memory_mapped_ledger_traces_like_the_one_in_memory(tmp_path: Path) -> None:
    txns = _txns()
    ledger = Ledger.build(ledger_arrays(txns))
    ledger.save(tmp_path / "ledger")
    reopened = Ledger.open(tmp_path / "ledger")
    sources = [TaintSource("a", 50, from_micros(3 * SECOND), victim="R1", payer="b")]
    for candidate in (ledger, reopened):
        result = trace(candidate, sources)
        assert by_name(candidate, result) == by_name(ledger, trace(ledger, sources))
    assert by_name(reopened, trace(reopened, sources))["b"].received == 10


def test_a_payment_time_rounded_by_the_analyst_still_finds_its_transaction() -> None:
    ledger = Ledger.build(ledger_arrays(_txns()))
    rounded = TaintSource("a", 50, from_micros(3 * SECOND) + timedelta(seconds=40), payer="b")
    wrong_amount = TaintSource("a", 51, from_micros(3 * SECOND))
    too_far = TaintSource("a", 50, from_micros(3 * SECOND) + timedelta(minutes=30))
    positions, unmatched = locate_sources(ledger, [rounded, wrong_amount, too_far])
    assert ledger.column("out_txn_id", positions[:1]).tolist() == [10]
    assert unmatched == (1, 2)
