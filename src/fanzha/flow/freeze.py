"""Freeze lists (止付冻结清单): the accounts still holding victim money, ranked, grouped by bank, with deadlines.

The "30247" practice (:mod:`fanzha.model.practice`): a stop payment (紧急止付) within 30 minutes of the report,
lasting 48 hours; a freeze (冻结) within 24 hours, for six calendar months (renewable). Every target carries each
victim's share of what it holds, which is also the key for returning frozen money pro rata (按比例返还).

What a bank desk is asked to stop is what an account *holds* at the trace's horizon (normally the report time:
where the money is when the desk acts). Left out, each counted by reason in :attr:`FreezeList.left_out`:

- ``victim_account``: the victims' own accounts, and every account of a known victim (money that flowed back to a
  victim, or a victim of another case);
- ``below_minimum``: accounts holding less than the centre's minimum (default ¥500): not worth a bank's call;
- ``bona_fide``: accounts past the first hop little of whose inflow since the look-back came from suspect senders:
  a shop, a landlord, a friend a mule paid (善意第三人), not the pass-through of a mule.

Suspect senders are the accounts the trace reached, known victims, accounts victims reported paying, and
*pass-through* accounts: those that sent on most of what they received within a day of receiving it (快进快出,
the banks' own sign of a mule card). One victim's trace reaches only one branch of a gang's layers; a deeper mule
is also fed by the gang's other mules, which carry other victims' money and are on no trace of this case, so
without the last kind its inflow looks mostly clean. A bona fide recipient's other senders are people and
employers who keep their money, and stay clean. Cash-out points (ATM, exchange, merchant) are never pass-through
senders: money from them is cash paid in, not another account's money moving on.

The pass-through share of an account over a span is the largest part of what it received there that can be
matched to what it sent on within ``pass_through_within`` after each arrival (each outgoing transfer takes the
earliest-received money still inside the window, which gives the largest matching); only transactions up to the
trace's horizon are read, so the rule never looks past the report time.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np

from fanzha.flow.ledger import Int64Array, Ledger
from fanzha.flow.paths import MoneyFlow, money_flow
from fanzha.flow.trace import TaintSource, TraceResult, from_micros
from fanzha.model import IdentifierKind, Money, mask_value
from fanzha.model.practice import (
    FREEZE_WITHIN,
    PRACTICE_TIMEZONE,
    STOP_PAYMENT_TERM,
    STOP_PAYMENT_WITHIN,
    freeze_term_end,
)

UNKNOWN_BANK = "unknown"


DEFAULT_MIN_HELD_MINOR = 50_000
"""¥500: below it a freeze target is not worth a bank desk's call."""
DEFAULT_MIN_SUSPECT_SHARE = 0.1
"""Past the first hop, an account less than a tenth of whose inflow since the look-back came from suspect senders
is taken to be a bona fide recipient (善意第三人), not a mule (chosen on the small scenario, ``fanzha eval
trace``, before pass-through senders counted as suspect, and kept since: 0.1 keeps recall of freezable money at
0.97 with under 1 % of targets innocents)."""
DEFAULT_PASS_THROUGH_WITHIN = timedelta(days=1)
"""Money an account sends on within a day of receiving it has passed through (当日进当日出), not stayed."""
DEFAULT_MIN_PASS_THROUGH_SHARE = 0.5
"""A sender that sent on at least half of what it received within the day is a pass-through account."""


@dataclass(frozen=True)
class FreezeRules:
    """The stop-payment and freeze practice and what a freeze list leaves out (configurable per centre)."""

    stop_payment_within: timedelta = STOP_PAYMENT_WITHIN
    stop_payment_validity: timedelta = STOP_PAYMENT_TERM
    freeze_within: timedelta = FREEZE_WITHIN
    timezone: str = PRACTICE_TIMEZONE
    min_held_minor: int = DEFAULT_MIN_HELD_MINOR
    min_suspect_share: float = DEFAULT_MIN_SUSPECT_SHARE
    inflow_lookback: timedelta = timedelta(days=30)
    """How far back an account's inflow is weighed for the bona fide rule."""
    pass_through_within: timedelta = DEFAULT_PASS_THROUGH_WITHIN
    min_pass_through_share: float = DEFAULT_MIN_PASS_THROUGH_SHARE
    """A sender passing on at least this share of what it received, within ``pass_through_within``, is suspect.

    Lawful pass-through accounts (a payroll agent, a platform's settlement account) count too, so money they pay
    a bona fide recipient weighs as suspect; a share above 1 turns the pass-through senders off."""


@dataclass(frozen=True)
class KnownAccounts:
    """What the case store knows of accounts: the victims' own (never listed) and the accounts victims reported
    paying; both mark a mule's inflow as suspect."""

    victims: frozenset[str] = frozenset()
    payees: frozenset[str] = frozenset()

    def is_suspect(self, account: str) -> bool:
        """Whether money from ``account`` is a victim's or went through an account a victim paid."""
        return account in self.victims or account in self.payees


class LeftOut(StrEnum):
    """Why an account holding victim money is not on the freeze list."""

    VICTIM_ACCOUNT = "victim_account"
    BELOW_MINIMUM = "below_minimum"
    BONA_FIDE = "bona_fide"


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
    suspect_share: float = 1.0
    """Share of what the account received since the look-back that came from suspect senders (traced accounts,
    known victims, accounts victims reported paying, pass-through accounts; 1.0 at hop 1)."""
    stop_payment_overdue: bool = False
    """The 30-minute deadline had passed when the list was made: stop at once, the time is not a target."""
    freeze_overdue: bool = False


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
    """The victim payments not found in the bank records; the victim's own account (``payer``) masked."""
    currency: str = "CNY"
    as_of: datetime | None = None
    """The horizon: what targets hold is what they held at this time."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Accounts holding victim money that the list leaves out, per :class:`LeftOut` reason."""
    flow: MoneyFlow | None = None
    """The transfers the money took (:func:`fanzha.flow.paths.money_flow`), when asked for."""

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


def freeze_list(
    result: TraceResult,
    ledger: Ledger,
    *,
    report_time: datetime,
    now: datetime | None = None,
    rules: FreezeRules = FreezeRules(),
    bank_of: Callable[[str], str | None] | None = None,
    currency: str = "CNY",
    known: KnownAccounts | None = None,
    flow_edges: int | None = None,
) -> FreezeList:
    """The freeze list of a trace (one victim or a whole campaign traced together).

    ``bank_of`` names an account's bank (e.g. from its card BIN); accounts it cannot place go under
    ``"unknown"``. Victim shares add up the sources of one victim (:attr:`TaintSource.victim`).
    ``known`` holds the case store's known victims' accounts (left out, with the sources' own payers) and the
    suspect senders for weighing an account's inflow (see the module docstring); ``now`` (default
    ``report_time``) marks deadlines already past as overdue. Cost O(a log a + h) for a traced accounts and h
    holdings, plus, per account past the first hop holding the minimum, one read of its inflow since the look-back
    and one read of the inflow and outflow of each of its senders that is neither traced nor known (O(m) for the
    m transactions read). ``flow_edges`` adds :attr:`FreezeList.flow` with at most that many edges, the victims'
    accounts masked there as in :attr:`FreezeList.unmatched` (cost O(e log e) for the trace's e edges).
    """
    victims_of_row: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, source, amount in result.holdings.tolist():
        victims_of_row[row][result.sources[source].victim] += amount
    payers = frozenset(s.payer for s in result.sources if s.payer)
    known = known or KnownAccounts()
    known = KnownAccounts(known.victims | payers, known.payees)
    traced = np.sort(result.account)
    left_out: dict[str, int] = defaultdict(int)
    listed: list[tuple[int, float]] = []
    for row in range(len(result)):
        if int(result.held[row]) <= 0:
            continue
        reason, share = _left_out(result, ledger, row, known, traced, rules)
        if reason is None:
            listed.append((row, share))
        else:
            left_out[reason.value] += 1
    listed.sort(
        key=lambda item: (-int(result.held[item[0]]), int(result.hop[item[0]]), int(result.account[item[0]]))
    )
    stop_due = report_time + rules.stop_payment_within
    freeze_due = report_time + rules.freeze_within
    acting = now or report_time
    targets = []
    for rank, (row, share) in enumerate(listed, start=1):
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
                freeze_until=freeze_term_end(freeze_due, rules.timezone),
                suspect_share=share,
                stop_payment_overdue=acting > stop_due,
                freeze_overdue=acting > freeze_due,
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
        unmatched=tuple(_masked_payer(result.sources[index]) for index in result.unmatched),
        currency=currency,
        as_of=from_micros(result.horizon) if result.horizon else None,
        left_out=dict(left_out),
        flow=None
        if flow_edges is None
        else money_flow(result, ledger, victims=known.victims, max_edges=flow_edges),
    )


def _masked_payer(source: TaintSource) -> TaintSource:
    """The source with the victim's own account masked."""
    if source.payer is None:
        return source
    return replace(source, payer=mask_value(IdentifierKind.BANK_ACCOUNT, source.payer))


def _left_out(
    result: TraceResult,
    ledger: Ledger,
    row: int,
    known: KnownAccounts,
    traced: Int64Array,
    rules: FreezeRules,
) -> tuple[LeftOut | None, float]:
    """Why the account of ``row`` stays off the list (or ``None``), and its suspect share of inflow.

    The suspect share is the part of what the account received since the look-back that came from suspect
    senders (module docstring): accounts this trace reached (``traced``, sorted ledger ids), known victims,
    accounts victims reported paying, and pass-through accounts. A mule lives on such money, a bona fide recipient
    on its own salary, sales and friends.
    """
    account = int(result.account[row])
    if ledger.account_name(account) in known.victims:
        return LeftOut.VICTIM_ACCOUNT, 0.0
    if int(result.held[row]) < rules.min_held_minor:
        return LeftOut.BELOW_MINIMUM, 0.0
    if int(result.hop[row]) <= 1:
        return None, 1.0
    start = int(result.first_time[row]) - _micros(rules.inflow_lookback)
    senders, _, amounts = ledger.incoming(account, start, result.horizon)
    total = int(amounts.sum())
    if total <= 0:
        return None, 1.0
    slots = np.minimum(np.searchsorted(traced, senders), len(traced) - 1)
    suspect = traced[slots] == senders
    others = [
        sender
        for sender in np.unique(senders[~suspect]).tolist()
        if known.is_suspect(ledger.account_name(sender))
        or (
            not ledger.cash_out[sender]
            and pass_through_share(ledger, sender, start, result.horizon, rules.pass_through_within)
            >= rules.min_pass_through_share
        )
    ]
    suspect |= np.isin(senders, others)
    share = int(amounts[suspect].sum()) / total
    if share < rules.min_suspect_share:
        return LeftOut.BONA_FIDE, share
    return None, share


def pass_through_share(ledger: Ledger, account: int, start: int, end: int, within: timedelta) -> float:
    """Share of what ledger account ``account`` received in ``[start, end]`` (µs) that it sent on within
    ``within`` of receiving it (0.0 when it received nothing).

    Each outgoing transfer takes the earliest-received money still inside the window (earliest deadline first,
    which matches the most money); money arriving at ``t`` leaves only after ``t``, as in the tracer. Only
    transactions up to ``end`` are read. Cost O(m + k) for m incoming and k outgoing transactions in the span.
    """
    inflow = ledger.incoming(account, start, end)
    received = int(inflow.amount.sum())
    if received <= 0:
        return 0.0
    outflow = ledger.outgoing(account, start, end)
    window = _micros(within)
    arrivals = list(zip(inflow.time.tolist(), inflow.amount.tolist(), strict=True))
    waiting: deque[list[int]] = deque()
    next_arrival, forwarded = 0, 0
    for time, amount in zip(outflow.time.tolist(), outflow.amount.tolist(), strict=True):
        while next_arrival < len(arrivals) and arrivals[next_arrival][0] < time:
            waiting.append(list(arrivals[next_arrival]))
            next_arrival += 1
        while waiting and waiting[0][0] < time - window:
            waiting.popleft()
        while amount > 0 and waiting:
            taken = min(amount, waiting[0][1])
            waiting[0][1] -= taken
            amount -= taken
            forwarded += taken
            if waiting[0][1] == 0:
                waiting.popleft()
    return forwarded / received


def _micros(span: timedelta) -> int:
    return int(span / timedelta(microseconds=1))


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
