"""Building small test ledgers from plain transaction lists, and reading trace results back by account name."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from flow_reference import Seed, Traced, Txn

from fanzha.flow.ledger import Ledger
from fanzha.flow.trace import TraceResult
from fanzha.model import TransactionChannel
from fanzha.store.flows import CHANNEL_CODES, LedgerArrays

ATM = CHANNEL_CODES.index(TransactionChannel.ATM_WITHDRAWAL)
TRANSFER = CHANNEL_CODES.index(TransactionChannel.TRANSFER)


def ledger_arrays(txns: Sequence[Txn]) -> LedgerArrays:
    """``txns`` as :class:`LedgerArrays` (sorted by time, txn_id; accounts sorted by name)."""
    ordered = sorted(txns, key=lambda t: (t.time, t.txn_id))
    names = sorted({t.src for t in ordered} | {t.dst for t in ordered})
    code = {name: i for i, name in enumerate(names)}
    return LedgerArrays(
        accounts=np.array(names, dtype=object),
        src=np.array([code[t.src] for t in ordered], dtype=np.int32),
        dst=np.array([code[t.dst] for t in ordered], dtype=np.int32),
        time=np.array([t.time for t in ordered], dtype=np.int64),
        amount=np.array([t.amount for t in ordered], dtype=np.int64),
        channel=np.array([ATM if t.cash_out else TRANSFER for t in ordered], dtype=np.int8),
        txn_id=np.array([t.txn_id for t in ordered], dtype=np.int64),
    )


def seed_positions(ledger: Ledger, seeds: Sequence[Seed]) -> np.ndarray:
    """Ledger positions of the seeds' transactions."""
    ids = np.concatenate([np.asarray(ledger.base.out_txn_id), np.asarray(ledger.delta.out_txn_id)])
    return np.array([int(np.flatnonzero(ids == seed.txn_id)[0]) for seed in seeds], dtype=np.int64)


def by_name(ledger: Ledger, result: TraceResult) -> dict[str, Traced]:
    """The result in the reference's shape."""
    found: dict[str, Traced] = {}
    for row in range(len(result)):
        held: dict[int, int] = {}
        for holder, source, amount in result.holdings.tolist():
            if holder == row:
                held[source] = held.get(source, 0) + amount
        found[ledger.account_name(int(result.account[row]))] = Traced(
            hop=int(result.hop[row]),
            first_time=int(result.first_time[row]),
            received=int(result.received[row]),
            passed=int(result.passed[row]),
            unfollowed=int(result.unfollowed[row]),
            cashed_out=int(result.cashed_out[row]),
            held=held,
        )
    return found
