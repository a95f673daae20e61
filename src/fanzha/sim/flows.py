"""Mule-account layering (分层洗钱): victim money split, forwarded and pooled through 2–6 layers, then cashed out.

Everything is vectorised per layer: the tranches of victim money sitting in layer-``l`` accounts are split into
pieces, sent on after minutes to hours, and pieces that leave one account for the same account at the same
batched sweep become one transaction (fan-in), so one transfer can carry several victims' money. Every piece is
a row of the ground truth (``truth/paths.parquet``), so the truth is exact by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from fanzha.model import TransactionChannel
from fanzha.sim.campaigns import Campaigns
from fanzha.sim.ecosystem import MAX_LAYERS, Accounts, MulePools
from fanzha.sim.profiles import PROFILES
from fanzha.sim.reports import CRYPTO, THIRD_PARTY, ReportPlan

Array = npt.NDArray[Any]
CHANNELS: tuple[TransactionChannel, ...] = tuple(TransactionChannel)
_CH = {channel: index for index, channel in enumerate(CHANNELS)}
MEMOS: tuple[str, ...] = (
    "USDT", "投资款", "保证金", "解冻金", "货款", "还款", "服务费", "转账", "工资", "红包", "生活费", "房租", "代付",
)  # fmt: skip
_M = {memo: index for index, memo in enumerate(MEMOS)}
STALL = 0.04
"""Chance, per layer, that a mule sits on the money (it is still there to freeze)."""
EARLY_EXIT = 0.08
ATM_LIMIT_FEN = 5_000 * 100
ATM_MAX_FEN = 30_000 * 100
MAX_ATM_WITHDRAWALS = 4
YUAN = 100


@dataclass
class _Buffer:
    parts: list[tuple[Array, ...]] = field(default_factory=list)
    count: int = 0

    def add(self, time: Array, src: Array, dst: Array, amount: Array, channel: Array, memo: Array) -> Array:
        """Append transactions; return their counters."""
        counters = self.count + np.arange(len(time), dtype=np.int64)
        self.parts.append((time, src, dst, amount, channel, memo))
        self.count += len(time)
        return counters

    def column(self, index: int) -> Array:
        return np.concatenate([part[index] for part in self.parts]) if self.parts else np.zeros(0, np.int64)


@dataclass
class Flows:
    """The transactions driven by reports (victim payments and laundering) and the true path of victim money.

    Transaction ``i`` has counter ``i``; the first ``len(plan.pay_report)`` are the reports' payments in order.
    Path rows: payment index, hop (1 = the victim's own payment), transaction counter, victim money carried.
    """

    time: Array
    src: Array
    dst: Array
    amount: Array
    channel: Array
    memo: Array
    path_payment: Array
    path_hop: Array
    path_txn: Array
    path_amount: Array

    def __len__(self) -> int:
        return len(self.time)


@dataclass
class _Tranches:
    payment: Array
    account: Array
    amount: Array
    time: Array
    campaign: Array

    def take(self, mask: Array) -> _Tranches:
        return _Tranches(
            self.payment[mask], self.account[mask], self.amount[mask], self.time[mask], self.campaign[mask]
        )


def _delay(rng: np.random.Generator, n: int, layer: int) -> Array:
    median = 600 if layer == 1 else 1_500
    return np.maximum(60, rng.lognormal(np.log(median), 1.0, size=n)).astype(np.int64)


def launder(
    rng: np.random.Generator,
    plan: ReportPlan,
    campaigns: Campaigns,
    accounts: Accounts,
    pools: MulePools,
    window: int,
) -> Flows:
    """Generate every report payment and the layering of victim money until cash-out or the end of the window.

    Cost: O(pieces) vectorised per layer; memory O(victim payments × pieces per payment).
    """
    buffer = _Buffer()
    paths: list[tuple[Array, Array, Array, Array]] = []
    campaign = plan.campaign[plan.pay_report]
    fraud = campaign >= 0
    n_pay = len(plan.pay_report)
    rail = plan.pay_rail
    channel = np.where(
        rail == THIRD_PARTY, _CH[TransactionChannel.THIRD_PARTY], _CH[TransactionChannel.TRANSFER]
    )
    channel = np.where(fraud | (rail == THIRD_PARTY), channel, _CH[TransactionChannel.MERCHANT])
    memo = np.where(rng.random(n_pay) < 0.2, rng.integers(_M["投资款"], _M["货款"] + 1, size=n_pay), -1)
    memo = np.where(rail == CRYPTO, _M["USDT"], np.where(fraud, memo, -1))
    counters = buffer.add(plan.pay_time, plan.pay_src, plan.pay_dst, plan.pay_amount, channel, memo)
    paid = np.flatnonzero(fraud)
    paths.append((paid, np.ones(len(paid), np.int64), counters[paid], plan.pay_amount[paid]))
    tranches = _Tranches(paid, plan.pay_dst[paid], plan.pay_amount[paid], plan.pay_time[paid], campaign[paid])
    for layer in range(1, MAX_LAYERS + 1):
        if not len(tranches.payment):
            break
        tranches = tranches.take(rng.random(len(tranches.payment)) >= STALL)
        depth = campaigns.depth[tranches.campaign]
        exits = (layer >= depth) | ((layer >= 2) & (rng.random(len(depth)) < EARLY_EXIT))
        _cash_out(rng, tranches.take(exits), campaigns, pools, buffer, paths, layer, window)
        tranches = _forward(rng, tranches.take(~exits), accounts, pools, buffer, paths, layer, window)
    path = [np.concatenate([part[i] for part in paths]) for i in range(4)]
    return Flows(
        time=buffer.column(0), src=buffer.column(1), dst=buffer.column(2), amount=buffer.column(3),
        channel=buffer.column(4), memo=buffer.column(5), **_merge_paths(*path),
    )  # fmt: skip


def _split(rng: np.random.Generator, amount: Array) -> tuple[Array, Array]:
    """Split each amount (less the mule's cut) into 1–3 whole-yuan pieces; return piece owner and piece amount."""
    cut = (amount * rng.uniform(0, 0.02, size=len(amount)) // YUAN) * YUAN
    available = amount - cut
    k = np.where(available < 2_000 * YUAN, 1, rng.choice([1, 2, 3], size=len(amount), p=[0.65, 0.28, 0.07]))
    owner = np.repeat(np.arange(len(amount)), k)
    weight = rng.uniform(0.3, 1.0, size=len(owner))
    total = np.bincount(owner, weights=weight, minlength=len(amount))
    piece = (available[owner] * (weight / total[owner]) // YUAN).astype(np.int64) * YUAN
    keep = piece > 0
    return owner[keep], piece[keep]


def _forward(
    rng: np.random.Generator,
    tranches: _Tranches,
    accounts: Accounts,
    pools: MulePools,
    buffer: _Buffer,
    paths: list[tuple[Array, Array, Array, Array]],
    layer: int,
    window: int,
) -> _Tranches:
    owner, piece = _split(rng, tranches.amount)
    if not len(owner):
        return tranches.take(np.zeros(len(tranches.payment), dtype=bool))
    src = tranches.account[owner]
    dst = pools.pick(rng, tranches.campaign[owner], np.full(len(owner), layer + 1))
    ready = tranches.time[owner] + _delay(rng, len(owner), layer)
    period, phase = accounts.sweep_period[src], accounts.sweep_phase[src]
    sweep = phase + -((phase - ready) // period) * period
    order = np.lexsort((sweep, dst, src))
    src, dst, sweep, owner, piece = src[order], dst[order], sweep[order], owner[order], piece[order]
    new_group = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1]) | (sweep[1:] != sweep[:-1])]
    group = np.cumsum(new_group) - 1
    heads = np.flatnonzero(new_group)
    time = sweep[heads] + rng.integers(0, 60, size=len(heads))
    amount = np.add.reduceat(piece, heads) if len(heads) else np.zeros(0, np.int64)
    kept = time < window
    channel = np.where(
        rng.random(len(heads)) < 0.15, _CH[TransactionChannel.THIRD_PARTY], _CH[TransactionChannel.TRANSFER]
    )
    memo = np.where(
        rng.random(len(heads)) < 0.1, rng.integers(_M["货款"], _M["代付"] + 1, size=len(heads)), -1
    )
    counters = np.full(len(heads), -1, dtype=np.int64)
    counters[kept] = buffer.add(
        time[kept], src[heads][kept], dst[heads][kept], amount[kept], channel[kept], memo[kept]
    )
    moved = kept[group]
    payment = tranches.payment[owner][moved]
    paths.append((payment, np.full(len(payment), layer + 1), counters[group][moved], piece[moved]))
    return _Tranches(payment, dst[moved], piece[moved], time[group][moved], tranches.campaign[owner][moved])


def _cash_out(
    rng: np.random.Generator,
    tranches: _Tranches,
    campaigns: Campaigns,
    pools: MulePools,
    buffer: _Buffer,
    paths: list[tuple[Array, Array, Array, Array]],
    layer: int,
    window: int,
) -> None:
    """Money leaves through ATMs (in withdrawals of at most the daily card limit), OTC crypto desks or shops."""
    n = len(tranches.payment)
    c = tranches.campaign
    atm_share = np.array([profile.atm_share for profile in PROFILES])[campaigns.profile[c]]
    roll = rng.random(n)
    at_atm = (roll < atm_share) & (tranches.amount <= ATM_MAX_FEN)
    at_exchange = ~at_atm & (rng.random(n) < 0.6)
    endpoint = np.where(
        at_atm,
        pools.atms[c, rng.integers(0, 3, size=n)],
        np.where(
            at_exchange,
            pools.exchanges[c, rng.integers(0, 2, size=n)],
            pools.shops[c, rng.integers(0, 2, size=n)],
        ),
    )
    channel = np.where(
        at_atm,
        _CH[TransactionChannel.ATM_WITHDRAWAL],
        np.where(at_exchange, _CH[TransactionChannel.CRYPTO_EXCHANGE], _CH[TransactionChannel.MERCHANT]),
    )
    chunk = np.where(at_atm, rng.choice([3_000, 5_000], size=n) * YUAN, tranches.amount)
    usable = (tranches.amount // YUAN) * YUAN
    usable = np.where(at_atm, (tranches.amount // (100 * YUAN)) * 100 * YUAN, usable)
    n_chunks = np.minimum(-(-usable // chunk), MAX_ATM_WITHDRAWALS)
    owner = np.repeat(np.arange(n), n_chunks)
    index = np.arange(len(owner)) - np.repeat(np.cumsum(n_chunks) - n_chunks, n_chunks)
    amount = np.minimum(chunk[owner], usable[owner] - index * chunk[owner])
    start = tranches.time + _delay(rng, n, layer)
    time = start[owner] + index * rng.integers(60, 300, size=len(owner))
    kept = (time < window) & (amount > 0)
    owner, index, amount, time = owner[kept], index[kept], amount[kept], time[kept]
    counters = buffer.add(
        time, tranches.account[owner], endpoint[owner], amount, channel[owner], np.full(len(owner), -1)
    )
    payment = tranches.payment[owner]
    paths.append((payment, np.full(len(payment), layer + 1), counters, amount))


def _merge_paths(payment: Array, hop: Array, txn: Array, amount: Array) -> dict[str, Array]:
    """One path row per (payment, transaction): pieces of one payment pooled into one transfer are added up."""
    order = np.lexsort((txn, payment))
    payment, hop, txn, amount = payment[order], hop[order], txn[order], amount[order]
    new = (
        np.r_[True, (payment[1:] != payment[:-1]) | (txn[1:] != txn[:-1])]
        if len(order)
        else np.zeros(0, bool)
    )
    heads = np.flatnonzero(new)
    summed = np.add.reduceat(amount, heads) if len(heads) else amount
    return {
        "path_payment": payment[heads],
        "path_hop": hop[heads],
        "path_txn": txn[heads],
        "path_amount": summed,
    }
