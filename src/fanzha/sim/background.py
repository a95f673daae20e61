"""Legitimate traffic (正常交易): salaries, shop purchases, transfers between people, ATM use — the haystack.

Generated one UTC day at a time, vectorised, so memory is bounded by one day's rows. Mules and victims take
part too: mules keep some innocent-looking traffic, victims have ordinary lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from fanzha.model import TransactionChannel
from fanzha.sim.ecosystem import Accounts
from fanzha.sim.flows import CHANNELS, MEMOS

Array = npt.NDArray[Any]
_CH = {channel: index for index, channel in enumerate(CHANNELS)}
_M = {memo: index for index, memo in enumerate(MEMOS)}
_UTC_OFFSET_HOURS = 8
# Share of a day's transactions by local (Beijing) hour, 00:00 to 23:00.
_LOCAL_HOUR_WEIGHT = np.array(
    [1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 2.0, 3.5, 4.5, 5.0, 5.5, 6.0, 5.0, 4.8, 4.8, 4.8, 5.0, 5.5, 6.0, 6.5,
     6.0, 4.5, 2.5]
)  # fmt: skip
_KINDS = ("p2p", "purchase", "atm", "deposit", "shop", "exchange", "large")
_KIND_P = np.array([0.40, 0.45, 0.08, 0.03, 0.015, 0.003, 0.012])
_MULE_ACTIVITY = 0.3
_P2P_MEMOS = np.array([_M["转账"], _M["红包"], _M["还款"], _M["生活费"], _M["房租"]])


@dataclass(frozen=True)
class DayRows:
    """One day's background transactions (times in seconds after the window start, accounts by index)."""

    time: Array
    src: Array
    dst: Array
    amount: Array
    channel: Array
    memo: Array


@dataclass(frozen=True)
class BackgroundModel:
    """Who transacts with whom: activity weights, a social ring of contacts, merchants' popularity, payrolls."""

    participants: Array
    cdf: Array
    merchant_cdf: Array
    employees: Array
    employer: Array
    payday: Array  # local day of month each employee is paid
    salary: Array
    hour_cdf: Array

    @classmethod
    def build(cls, rng: np.random.Generator, accounts: Accounts) -> BackgroundModel:
        """Activity is heavy-tailed (log-normal); contacts are neighbours on a shuffled ring; 60% of people earn a salary."""
        persons = np.arange(accounts.persons.start, accounts.persons.stop)
        mules = np.arange(accounts.mules.start, accounts.mules.stop)
        participants = np.concatenate([persons, mules])
        weight = rng.lognormal(0, 1.0, size=len(participants))
        weight[len(persons) :] *= _MULE_ACTIVITY
        shuffle = rng.permutation(len(participants))
        merchant_weight = 1.0 / np.arange(1, accounts.merchants.stop - accounts.merchants.start + 1) ** 0.9
        employees = persons[rng.random(len(persons)) < 0.6]
        employers = np.arange(accounts.employers.start, accounts.employers.stop)
        employer = rng.choice(employers, size=len(employees))
        payday_of_employer = rng.integers(1, 29, size=len(employers))
        utc_weight = np.roll(_LOCAL_HOUR_WEIGHT, -_UTC_OFFSET_HOURS)
        return cls(
            participants=participants[shuffle],
            cdf=np.cumsum(weight[shuffle]),
            merchant_cdf=np.cumsum(rng.permutation(merchant_weight)),
            employees=employees,
            employer=employer,
            payday=payday_of_employer[employer - accounts.employers.start],
            salary=np.rint(np.clip(rng.lognormal(np.log(7_000), 0.5, size=len(employees)), 2_000, 200_000))
            * 100,
            hour_cdf=np.cumsum(utc_weight) / utc_weight.sum(),
        )

    def _people(self, rng: np.random.Generator, n: int) -> Array:
        position: Array = np.searchsorted(self.cdf, rng.random(n) * self.cdf[-1], side="right")
        return np.minimum(position, len(self.cdf) - 1)

    def day(
        self, rng: np.random.Generator, accounts: Accounts, day_start: datetime, offset: int, n: int
    ) -> DayRows:
        """About ``n`` transactions of the UTC day starting ``offset`` seconds into the window (plus that day's payroll)."""
        kinds = rng.choice(len(_KINDS), size=n, p=_KIND_P / _KIND_P.sum())
        position = self._people(rng, n)
        person = self.participants[position]
        ring_step = rng.integers(1, 25, size=n) * rng.choice([-1, 1], size=n)
        contact = self.participants[(position + ring_step) % len(self.participants)]
        stranger = self.participants[self._people(rng, n)]
        other = np.where(rng.random(n) < 0.8, contact, stranger)
        merchant = accounts.merchants.start + np.minimum(
            np.searchsorted(self.merchant_cdf, rng.random(n) * self.merchant_cdf[-1]),
            len(self.merchant_cdf) - 1,
        )
        atm = rng.integers(accounts.atms.start, accounts.atms.stop, size=n)
        shop = rng.integers(accounts.shops.start, accounts.shops.stop, size=n)
        exchange = rng.integers(accounts.exchanges.start, accounts.exchanges.stop, size=n)

        src = np.select([kinds == 3], [atm], person)
        dst = np.select(
            [kinds == 1, kinds == 2, kinds == 3, kinds == 4, kinds == 5],
            [merchant, atm, person, shop, exchange],
            other,
        )
        amount = self._amounts(rng, kinds)
        channel = np.select(
            [kinds == 1, kinds == 2, kinds == 3, kinds == 4, kinds == 5],
            [
                np.where(
                    rng.random(n) < 0.5, _CH[TransactionChannel.MERCHANT], _CH[TransactionChannel.THIRD_PARTY]
                ),
                _CH[TransactionChannel.ATM_WITHDRAWAL],
                _CH[TransactionChannel.CASH_DEPOSIT],
                _CH[TransactionChannel.MERCHANT],
                _CH[TransactionChannel.CRYPTO_EXCHANGE],
            ],
            np.where(
                rng.random(n) < 0.6, _CH[TransactionChannel.TRANSFER], _CH[TransactionChannel.THIRD_PARTY]
            ),
        )
        p2p = (kinds == 0) | (kinds == 6)
        memo = np.where(p2p & (rng.random(n) < 0.15), rng.choice(_P2P_MEMOS, size=n), -1)
        same = src == dst
        rows = DayRows(self._times(rng, n, offset), src, np.where(same, merchant, dst), amount, channel, memo)
        return _concat(rows, self._payroll(rng, day_start, offset))

    def _times(self, rng: np.random.Generator, n: int, offset: int) -> Array:
        hour = np.minimum(np.searchsorted(self.hour_cdf, rng.random(n)), 23)
        times: Array = offset + hour * 3_600 + rng.integers(0, 3_600, size=n)
        return times

    @staticmethod
    def _amounts(rng: np.random.Generator, kinds: Array) -> Array:
        n = len(kinds)
        p2p = rng.lognormal(np.log(300), 1.3, size=n)
        p2p = np.where(
            rng.random(n) < 0.5, np.rint(p2p), np.where(rng.random(n) < 0.6, np.rint(p2p / 100) * 100, p2p)
        )
        large = 20_000 * (1 + rng.pareto(1.2, size=n))
        cash = rng.integers(1, 31, size=n) * 100.0
        yuan = np.select(
            [kinds == 1, kinds == 2, kinds == 3, kinds == 4, kinds == 5, kinds == 6],
            [
                rng.lognormal(np.log(45), 1.1, size=n),
                cash,
                cash,
                rng.lognormal(np.log(3_000), 0.8, size=n),
                rng.lognormal(np.log(5_000), 1.0, size=n),
                np.rint(large / 100) * 100,
            ],
            p2p,
        )
        fen: Array = np.clip(np.rint(yuan * 100), 1, 5_000_000 * 100).astype(np.int64)
        return fen

    def _payroll(self, rng: np.random.Generator, day_start: datetime, offset: int) -> DayRows:
        local_day = (day_start + timedelta(hours=_UTC_OFFSET_HOURS)).day
        paid = np.flatnonzero(self.payday == local_day)
        n = len(paid)
        # payroll runs in the local morning (01:00–04:00 UTC)
        time = offset + 3_600 + rng.integers(0, 3 * 3_600, size=n)
        return DayRows(
            time=time,
            src=self.employer[paid],
            dst=self.employees[paid],
            amount=self.salary[paid].astype(np.int64),
            channel=np.full(n, _CH[TransactionChannel.SALARY]),
            memo=np.full(n, _M["工资"]),
        )

    def expected_payroll_per_day(self) -> float:
        """Salaries paid on an average day (each employee once a month)."""
        return len(self.employees) / 30.4


def _concat(a: DayRows, b: DayRows) -> DayRows:
    return DayRows(
        *(
            np.concatenate([getattr(a, name), getattr(b, name)])
            for name in ("time", "src", "dst", "amount", "channel", "memo")
        )
    )
