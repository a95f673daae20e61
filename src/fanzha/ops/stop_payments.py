"""From a freeze list to the banks' work (止付冻结下发): one stop-payment request per bank, then freeze, then return.

The loop closes here: the centre that traced a report sends each bank desk one stop-payment task listing that
bank's accounts and the money each holds, due 30 minutes from the report. When the desk confirms how much it
stopped, a freeze task for the same accounts follows at that desk, due 24 hours from the report; when the desk
confirms how much it froze, a return task (返还) comes back to the centre with the frozen money already split
between the victims pro rata to their traced shares. Tracing the same report again updates the tasks still
waiting at the centre or the desk instead of making new ones. Pure: the records come in and go out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from fanzha.model import Money, Task, TaskKind, TaskState
from fanzha.ops.returns import allocate_return
from fanzha.ops.sla import SlaPolicy
from fanzha.ops.tasks import ACTIVE_STATES, TaskRecord, TaskStep, create_task, transition
from fanzha.ops.units import Actor, TaskAction, UnitTree

FOLLOW_UP_ACTOR = "system:follow-up"
"""Who creates the freeze and return tasks that a confirmed stop payment or freeze brings."""


class Share(Protocol):
    """One victim's money in an account."""

    @property
    def victim(self) -> str: ...
    @property
    def amount_minor(self) -> int: ...


class Holding(Protocol):
    """An account on a freeze list (``fanzha.flow.FreezeTarget`` fits)."""

    @property
    def account(self) -> str: ...
    @property
    def bank(self) -> str: ...
    @property
    def hop(self) -> int: ...
    @property
    def held(self) -> Money: ...
    @property
    def shares(self) -> Sequence[Share]: ...


@dataclass(frozen=True)
class BankRequest:
    """What one bank desk is asked to stop for one report: its accounts and the money each holds."""

    bank: str
    unit: str
    accounts: tuple[dict[str, Any], ...]
    amount: Money

    @property
    def shares(self) -> dict[str, int]:
        """Each victim's money over all of this bank's accounts (the key for a pro-rata return)."""
        return victim_shares(self.accounts)


def victim_shares(accounts: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Each victim's money over the account lines of a request (``{"shares": {victim: minor units}}`` each)."""
    totals: dict[str, int] = {}
    for line in accounts:
        for victim, amount in line["shares"].items():
            totals[victim] = totals.get(victim, 0) + amount
    return totals


def bank_requests(targets: Sequence[Holding], unit_of_bank: Callable[[str], str | None]) -> list[BankRequest]:
    """The freeze list's targets grouped into one request per bank whose desk ``unit_of_bank`` knows.

    Banks come in the list's order (most money first); targets at banks with no desk are not requested.
    """
    grouped: dict[str, list[Holding]] = {}
    for target in targets:
        grouped.setdefault(target.bank, []).append(target)
    requests = []
    for bank, holdings in grouped.items():
        unit = unit_of_bank(bank)
        if unit is None:
            continue
        currency = holdings[0].held.currency
        lines = tuple(
            {
                "account": h.account,
                "held_minor": h.held.amount_minor,
                "hop": h.hop,
                "shares": {s.victim: s.amount_minor for s in h.shares},
            }
            for h in holdings
        )
        total = sum(h.held.amount_minor for h in holdings)
        requests.append(BankRequest(bank, unit, lines, Money(amount_minor=total, currency=currency)))
    return requests


def stop_payment_id(report_id: str, bank: str) -> str:
    """The one stop-payment task of a report at a bank: the same id every time the report is traced."""
    return f"SP-{report_id}-{bank}"


def plan_stop_payments(
    tree: UnitTree,
    actor: Actor,
    requests: Sequence[BankRequest],
    *,
    report_id: str,
    report_time: datetime,
    at: datetime,
    policy: SlaPolicy,
    existing: Mapping[str, TaskRecord],
) -> tuple[list[TaskRecord], list[TaskRecord]]:
    """New stop-payment tasks, dispatched to each bank's desk, and the existing ones brought up to date.

    A task already done, rejected or closed is left as it is; one still owed gets the new accounts and amount.
    The deadline runs from ``report_time`` (紧急止付 within 30 minutes of the report).
    """
    created: list[TaskRecord] = []
    updated: list[TaskRecord] = []
    for request in requests:
        task_id = stop_payment_id(report_id, request.bank)
        detail = {
            "bank": request.bank,
            "accounts": list(request.accounts),
            "report_time": report_time.isoformat(),
        }
        old = existing.get(task_id)
        if old is not None:
            if old.state in ACTIVE_STATES:
                task = old.task.model_copy(update={"amount": request.amount, "detail": detail})
                updated.append(replace(old, task=task))
            continue
        record = create_task(
            tree, actor, task_id=task_id, kind=TaskKind.STOP_PAYMENT, at=at, policy=policy,
            sla_from=report_time, report_id=report_id, amount=request.amount, detail=detail,
        )  # fmt: skip
        created.append(
            transition(tree, record, TaskAction.DISPATCH, actor, at, policy=policy, to_unit=request.unit)
        )
    return created, updated


def follow_up(record: TaskRecord, at: datetime, policy: SlaPolicy) -> TaskRecord | None:
    """The task a finished stop payment or freeze brings, or ``None``.

    A stop payment done with money stopped brings a freeze of the same accounts at the same desk, due 24 hours
    from the report; a freeze done with money frozen brings a return task at the issuing unit whose detail
    splits the frozen money between the victims pro rata to their traced shares (按比例返还).
    """
    task, result = record.task, record.result
    if record.state is not TaskState.DONE or result is None or "accounts" not in task.detail:
        return None
    if task.kind is TaskKind.STOP_PAYMENT and result.stopped is not None:
        report_time = datetime.fromisoformat(str(task.detail["report_time"]))
        return _system_task(
            record, f"FZ-{task.id.removeprefix('SP-')}", TaskKind.FREEZE, at, policy, report_time,
            amount=result.stopped, unit=task.unit, detail=dict(task.detail),
        )  # fmt: skip
    if task.kind is TaskKind.FREEZE and result.frozen is not None:
        split = allocate_return(result.frozen, victim_shares(task.detail["accounts"]))
        return _system_task(
            record, f"RT-{task.id.removeprefix('FZ-')}", TaskKind.RETURN_FUNDS, at, policy, at,
            amount=result.frozen, unit=record.issuing_unit, detail={**task.detail, "returned_to": split},
        )  # fmt: skip
    return None


def _system_task(
    record: TaskRecord,
    task_id: str,
    kind: TaskKind,
    at: datetime,
    policy: SlaPolicy,
    sla_from: datetime,
    *,
    amount: Money,
    unit: str,
    detail: dict[str, Any],
) -> TaskRecord:
    """A follow-up task made by the loop itself on the issuing unit's behalf, dispatched where the work is."""
    state = TaskState.ANALYSE if unit == record.issuing_unit else TaskState.DISPATCHED
    task = Task(
        id=task_id, kind=kind, state=state, unit=unit, created_at=at, due_at=policy.due_at(kind, sla_from),
        report_id=record.task.report_id, campaign_id=record.task.campaign_id, amount=amount, detail=detail,
    )  # fmt: skip
    steps = [
        TaskStep(TaskAction.CREATE, None, TaskState.ANALYSE, FOLLOW_UP_ACTOR, record.issuing_unit, at, unit)
    ]
    if state is TaskState.DISPATCHED:
        steps.append(
            TaskStep(
                TaskAction.DISPATCH, TaskState.ANALYSE, state, FOLLOW_UP_ACTOR, record.issuing_unit, at, unit
            )
        )
    return TaskRecord(task=task, issuing_unit=record.issuing_unit, history=tuple(steps))
