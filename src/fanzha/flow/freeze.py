"""Freeze lists (止付冻结清单): the accounts still holding victim money, ranked, grouped by bank, with deadlines.

The "30247" practice: a stop payment (紧急止付) within 30 minutes of the report, lasting 48 hours; a freeze (冻结)
within 24 hours, for a fixed period (six months for deposits, renewable). Every target carries each victim's share
of what it holds, which is also the key for returning frozen money pro rata (按比例返还).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fanzha.flow.ledger import Ledger
from fanzha.flow.trace import TaintSource, TraceResult, from_micros
from fanzha.model import Identifier, IdentifierKind, Money, Task, TaskKind

UNKNOWN_BANK = "unknown"


@dataclass(frozen=True)
class FreezeRules:
    """Deadlines of the stop-payment and freeze practice (configurable per centre)."""

    stop_payment_within: timedelta = timedelta(minutes=30)
    stop_payment_validity: timedelta = timedelta(hours=48)
    freeze_within: timedelta = timedelta(hours=24)
    freeze_period: timedelta = timedelta(days=180)
    min_held_minor: int = 1


@dataclass(frozen=True)
class VictimShare:
    """One victim's money in an account: amount and fraction of the victim money held there."""

    victim: str
    amount_minor: int
    fraction: float


@dataclass(frozen=True)
class FreezeTarget:
    """An account to stop and freeze (止付冻结对象).

    ``stop_payment_expires`` is when a stop payment placed at the deadline lapses; ``freeze_until`` when a freeze
    placed at its deadline ends.
    """

    rank: int
    account: str
    bank: str
    hop: int
    held: Money
    passed_minor: int
    first_tainted: datetime
    shares: tuple[VictimShare, ...]
    stop_payment_due: datetime
    stop_payment_expires: datetime
    freeze_due: datetime
    freeze_until: datetime


@dataclass(frozen=True)
class CashOut:
    """A cash-out point victim money reached (资金出口): ATM, exchange or merchant."""

    account: str
    hop: int
    amount_minor: int
    first_time: datetime


@dataclass(frozen=True)
class FreezeList:
    """Accounts ranked by victim money still held (most first), then by hop (nearest first)."""

    report_time: datetime
    targets: tuple[FreezeTarget, ...]
    cash_outs: tuple[CashOut, ...]
    unmatched: tuple[TaintSource, ...]
    currency: str = "CNY"

    @property
    def total_held_minor(self) -> int:
        """Victim money in all targets: what stop payments and freezes can save."""
        return sum(target.held.amount_minor for target in self.targets)

    def by_bank(self) -> dict[str, list[FreezeTarget]]:
        """Targets grouped by bank (one stop-payment request per bank), banks with the most money first."""
        groups: dict[str, list[FreezeTarget]] = defaultdict(list)
        for target in self.targets:
            groups[target.bank].append(target)
        return dict(sorted(groups.items(), key=lambda item: -sum(t.held.amount_minor for t in item[1])))

    def stop_payment_tasks(
        self,
        key: str,
        unit_of_bank: Callable[[str], str] = lambda bank: f"BANK-{bank}",
        *,
        report_id: str | None = None,
        campaign_id: str | None = None,
    ) -> list[Task]:
        """One stop-payment task (紧急止付) per target for the ops room, due at the stop-payment deadline.

        ``key`` makes the task IDs (``SP-<key>-0001``…); ``unit_of_bank`` names the bank's liaison desk.
        """
        return [
            Task(
                id=f"SP-{key}-{target.rank:04d}",
                kind=TaskKind.STOP_PAYMENT,
                unit=unit_of_bank(target.bank),
                created_at=self.report_time,
                due_at=target.stop_payment_due,
                report_id=report_id,
                campaign_id=campaign_id,
                target=Identifier(kind=IdentifierKind.BANK_ACCOUNT, value=target.account),
                amount=target.held,
                detail={
                    "hop": target.hop,
                    "shares": {share.victim: share.amount_minor for share in target.shares},
                    "stop_payment_expires": target.stop_payment_expires.isoformat(),
                    "freeze_due": target.freeze_due.isoformat(),
                    "freeze_until": target.freeze_until.isoformat(),
                },
            )
            for target in self.targets
        ]


def freeze_list(
    result: TraceResult,
    ledger: Ledger,
    *,
    report_time: datetime,
    rules: FreezeRules = FreezeRules(),
    bank_of: Callable[[str], str | None] | None = None,
    currency: str = "CNY",
) -> FreezeList:
    """The freeze list of a trace (one victim or a whole campaign traced together).

    ``bank_of`` names an account's bank (e.g. from its card BIN); accounts it cannot place go under
    ``"unknown"``. Victim shares add up the sources of one victim (:attr:`TaintSource.victim`). Cost
    O(a log a + h) for a traced accounts and h holdings.
    """
    victims_of_row: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, source, amount in result.holdings.tolist():
        victims_of_row[row][result.sources[source].victim] += amount
    rows = [row for row in range(len(result)) if int(result.held[row]) >= rules.min_held_minor]
    rows.sort(key=lambda row: (-int(result.held[row]), int(result.hop[row]), int(result.account[row])))
    stop_due = report_time + rules.stop_payment_within
    freeze_due = report_time + rules.freeze_within
    targets = []
    for rank, row in enumerate(rows, start=1):
        name = ledger.account_name(int(result.account[row]))
        held = int(result.held[row])
        shares = sorted(victims_of_row[row].items(), key=lambda item: (-item[1], item[0]))
        targets.append(
            FreezeTarget(
                rank=rank,
                account=name,
                bank=(bank_of(name) if bank_of else None) or UNKNOWN_BANK,
                hop=int(result.hop[row]),
                held=Money(amount_minor=held, currency=currency),
                passed_minor=int(result.passed[row]),
                first_tainted=from_micros(int(result.first_time[row])),
                shares=tuple(VictimShare(victim, amount, amount / held) for victim, amount in shares),
                stop_payment_due=stop_due,
                stop_payment_expires=stop_due + rules.stop_payment_validity,
                freeze_due=freeze_due,
                freeze_until=freeze_due + rules.freeze_period,
            )
        )
    cash_outs = [
        CashOut(
            account=ledger.account_name(int(result.account[row])),
            hop=int(result.hop[row]),
            amount_minor=int(result.cashed_out[row]),
            first_time=from_micros(int(result.first_time[row])),
        )
        for row in range(len(result))
        if int(result.cashed_out[row]) > 0
    ]
    cash_outs.sort(key=lambda cash_out: -cash_out.amount_minor)
    return FreezeList(
        report_time=report_time,
        targets=tuple(targets),
        cash_outs=tuple(cash_outs),
        unmatched=tuple(result.sources[index] for index in result.unmatched),
        currency=currency,
    )


def pro_rata_return(target: FreezeTarget, frozen_minor: int) -> dict[str, int]:
    """Split money actually frozen in ``target`` between its victims by their shares (按比例返还).

    Largest-remainder rounding: the parts add up exactly to ``min(frozen_minor, held)``; no victim gets more
    than their own money held there.
    """
    available = min(frozen_minor, target.held.amount_minor)
    held = target.held.amount_minor
    exact = [(share.victim, share.amount_minor * available) for share in target.shares]
    parts = {victim: numerator // held for victim, numerator in exact}
    leftover = available - sum(parts.values())
    by_remainder = sorted(exact, key=lambda item: (-(item[1] % held), item[0]))
    for victim, _ in by_remainder[:leftover]:
        parts[victim] += 1
    return parts
