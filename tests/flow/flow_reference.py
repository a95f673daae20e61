"""A small, obviously-correct tracer: every account's lots simulated over the whole ledger, one time at a time.

It implements the rules stated in :mod:`fanzha.flow.trace` with plain lists and dicts and no cleverness; the fast
sweep is held equal to it by property tests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

CLEAN = -1


@dataclass(frozen=True)
class Txn:
    """One transaction of a test ledger (times in µs)."""

    txn_id: int
    time: int
    src: str
    dst: str
    amount: int
    cash_out: bool = False


@dataclass(frozen=True)
class Seed:
    """A victim payment: the transaction that carried it, the amount claimed and the source index."""

    txn_id: int
    amount: int
    source: int


@dataclass
class Traced:
    """What the reference found for one account."""

    hop: int = 10**9
    first_time: int = 2**62
    received: int = 0
    passed: int = 0
    unfollowed: int = 0
    cashed_out: int = 0
    held: dict[int, int] = field(default_factory=dict)


def _take_fifo(lots: list[list[int]], amount: int) -> list[tuple[int, int]]:
    parts = []
    while amount > 0 and lots:
        source, have = lots[0]
        take = min(have, amount)
        lots[0][1] -= take
        amount -= take
        if source != CLEAN and take > 0:
            parts.append((source, take))
        if lots[0][1] == 0:
            lots.pop(0)
    return parts


def _take_lifo(lots: list[list[int]], amount: int) -> list[tuple[int, int]]:
    parts = []
    while amount > 0 and lots:
        source, have = lots[-1]
        take = min(have, amount)
        lots[-1][1] -= take
        amount -= take
        if source != CLEAN and take > 0:
            parts.append((source, take))
        if lots[-1][1] == 0:
            lots.pop()
    return parts


def _take_proportional(lots: dict[int, int], amount: int) -> list[tuple[int, int]]:
    balance = sum(lots.values())
    if balance == 0:
        return []
    if amount >= balance:
        parts = [(source, have) for source, have in lots.items() if source != CLEAN and have > 0]
        lots.clear()
        return parts
    takes = {source: have * amount // balance for source, have in lots.items()}
    remainder = amount - sum(takes.values())
    extra = min(remainder, lots.get(CLEAN, 0) - takes.get(CLEAN, 0))
    if CLEAN in takes:
        takes[CLEAN] += extra
    remainder -= max(extra, 0)
    for source in sorted(s for s in lots if s != CLEAN):
        extra = min(remainder, lots[source] - takes[source])
        takes[source] += extra
        remainder -= extra
    for source, take in takes.items():
        lots[source] -= take
    return [(source, take) for source, take in takes.items() if source != CLEAN and take > 0]


def reference_trace(
    txns: list[Txn],
    seeds: list[Seed],
    *,
    policy: str,
    max_hops: int,
    horizon: int,
    scan_start: int,
) -> dict[str, Traced]:
    """Trace ``seeds`` through ``txns`` under ``policy`` (``fifo``, ``lifo`` or ``proportional``); accounts that
    victim money reached, by name."""
    proportional = policy == "proportional"
    take_lots = _take_lifo if policy == "lifo" else _take_fifo
    cash_out = {txn.dst for txn in txns if txn.cash_out}
    fifo_lots: dict[str, list[list[int]]] = defaultdict(list)
    share_lots: dict[str, dict[int, int]] = defaultdict(dict)
    traced: dict[str, Traced] = defaultdict(Traced)
    by_txn = {txn.txn_id: txn for txn in txns}
    window = sorted((t for t in txns if scan_start <= t.time <= horizon), key=lambda t: (t.time, t.txn_id))
    for moment, group_iter in groupby(window, key=lambda t: t.time):
        group = list(group_iter)
        arriving: dict[int, list[tuple[int, int, int]]] = defaultdict(list)

        def deliver(
            txn: Txn,
            parts: list[tuple[int, int]],
            hop: int,
            arriving: dict[int, list[tuple[int, int, int]]] = arriving,
        ) -> None:
            if txn.dst in cash_out:
                account = traced[txn.dst]
                for _, amount in parts:
                    account.received += amount
                    account.cashed_out += amount
                account.hop = min(account.hop, hop)
                account.first_time = min(account.first_time, txn.time)
            else:
                arriving[txn.txn_id] += [(source, amount, hop) for source, amount in parts]

        for txn in group:
            if proportional:
                parts = _take_proportional(share_lots[txn.src], txn.amount)
            else:
                parts = take_lots(fifo_lots[txn.src], txn.amount)
            carried = sum(amount for _, amount in parts)
            if not parts:
                continue
            sender = traced[txn.src]
            sender.passed += carried
            if sender.hop >= max_hops:
                sender.unfollowed += carried
            else:
                deliver(txn, parts, sender.hop + 1)
        for seed in seeds:
            txn = by_txn[seed.txn_id]
            if txn.time == moment:
                deliver(txn, [(seed.source, min(seed.amount, txn.amount))], 1)
        for txn in group:
            tainted: list[tuple[int, int]] = []
            total = 0
            for source, amount, hop in arriving.get(txn.txn_id, []):
                take = min(amount, txn.amount - total)
                if take > 0:
                    tainted.append((source, take))
                    total += take
                    account = traced[txn.dst]
                    account.hop = min(account.hop, hop)
                    account.first_time = min(account.first_time, txn.time)
            if total:
                traced[txn.dst].received += total
            for source, amount in [(CLEAN, txn.amount - total), *tainted]:
                if amount <= 0:
                    continue
                if proportional:
                    lots = share_lots[txn.dst]
                    lots[source] = lots.get(source, 0) + amount
                else:
                    fifo_lots[txn.dst].append([source, amount])
    for name, lots_list in fifo_lots.items():
        for source, amount in lots_list:
            if source != CLEAN and amount > 0:
                held = traced[name].held
                held[source] = held.get(source, 0) + amount
    for name, lots_map in share_lots.items():
        for source, amount in lots_map.items():
            if source != CLEAN and amount > 0:
                held = traced[name].held
                held[source] = held.get(source, 0) + amount
    return {name: account for name, account in traced.items() if account.received > 0}
