"""Tasks and their closed loop 研交办督结: state machine, results, SLA deadlines, holds and the SLA clock.

A task is created in ``analyse`` by the issuing unit, dispatched to the unit that does it (a county, a bank desk),
accepted, worked, finished as ``done`` or ``rejected``, and closed by the issuing side after review. Every step is
kept with who took it, from which unit and when. Each kind has a deadline (:class:`~fanzha.ops.sla.Sla`); the SLA clock
(:func:`sweep`) marks tasks past it as overdue and escalates them one unit up the tree each further interval.
A stop-payment in force lapses after 48 h unless renewed (twice at most), a freeze after 6 months (renewable).
All of it is pure: time comes in as arguments or through an injected :class:`~fanzha.ops.clock.Clock`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from fanzha.model import Identifier, Money, Task, TaskKind, TaskState
from fanzha.ops.clock import Clock, require_aware
from fanzha.ops.errors import IllegalTransitionError, InvalidOperationError
from fanzha.ops.sla import SlaPolicy
from fanzha.ops.units import (
    Actor,
    Resource,
    StaffDirectory,
    TaskAction,
    UnitTree,
    authorize,
    escalation_target,
    may_read,
)

ACTIVE_STATES = frozenset(
    {TaskState.ANALYSE, TaskState.DISPATCHED, TaskState.ACCEPTED, TaskState.IN_PROGRESS}
)
"""States in which a task is still owed and its deadline runs."""


@dataclass(frozen=True, slots=True)
class Transition:
    """An action's legal source states and the state it leads to."""

    sources: frozenset[TaskState]
    target: TaskState


TRANSITIONS: Mapping[TaskAction, Transition] = MappingProxyType(
    {
        TaskAction.DISPATCH: Transition(frozenset({TaskState.ANALYSE}), TaskState.DISPATCHED),
        TaskAction.ACCEPT: Transition(frozenset({TaskState.DISPATCHED}), TaskState.ACCEPTED),
        TaskAction.START: Transition(frozenset({TaskState.ACCEPTED}), TaskState.IN_PROGRESS),
        TaskAction.COMPLETE: Transition(frozenset({TaskState.IN_PROGRESS}), TaskState.DONE),
        TaskAction.REJECT: Transition(
            frozenset({TaskState.DISPATCHED, TaskState.ACCEPTED, TaskState.IN_PROGRESS}), TaskState.REJECTED
        ),
        TaskAction.REDISPATCH: Transition(frozenset({TaskState.REJECTED}), TaskState.DISPATCHED),
        TaskAction.CLOSE: Transition(frozenset({TaskState.DONE, TaskState.REJECTED}), TaskState.CLOSED),
    }
)
"""The state machine as data: every legal move of a task."""


RESULT_FIELD: Mapping[TaskKind, str] = MappingProxyType(
    {TaskKind.STOP_PAYMENT: "stopped", TaskKind.FREEZE: "frozen", TaskKind.RETURN_FUNDS: "returned"}
)
"""The one amount each kind may record; the others stay empty so the figures are never mixed."""


@dataclass(frozen=True, slots=True)
class TaskStep:
    """One step in a task's life: what was done, by whom, from which unit, when."""

    action: TaskAction
    from_state: TaskState | None
    to_state: TaskState
    actor: str
    actor_unit: str
    at: datetime
    to_unit: str | None = None
    note: str = ""

    def audit_detail(self) -> dict[str, str | None]:
        """The step as JSON-ready ``detail`` for the audit log (the actor and time go in the event itself)."""
        return {
            "action": self.action.value,
            "from_state": self.from_state.value if self.from_state else None,
            "to_state": self.to_state.value,
            "actor_unit": self.actor_unit,
            "to_unit": self.to_unit,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a task achieved; stopped (止付), frozen (冻结) and returned (返还) money are kept apart."""

    stopped: Money | None = None
    frozen: Money | None = None
    returned: Money | None = None
    returned_to: Mapping[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Hold:
    """A stop-payment or freeze in force on the target account."""

    effective_at: datetime
    expires_at: datetime
    renewals: int = 0
    expiry_noticed: bool = False
    lapsed: bool = False
    released_at: datetime | None = None

    def in_force(self, now: datetime) -> bool:
        """True while neither released nor past its expiry (at the expiry instant it still holds)."""
        return self.released_at is None and now <= self.expires_at


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A task with everything the loop keeps about it: who issued it, its steps, result, hold and escalations."""

    task: Task
    issuing_unit: str
    history: tuple[TaskStep, ...]
    result: TaskResult | None = None
    hold: Hold | None = None
    overdue_since: datetime | None = None
    escalation_level: int = 0

    @property
    def id(self) -> str:
        """The task id."""
        return self.task.id

    @property
    def state(self) -> TaskState:
        """Current state."""
        return self.task.state

    @property
    def unit(self) -> str:
        """The unit that holds the task now."""
        return self.task.unit

    def is_overdue(self, now: datetime) -> bool:
        """True when the task is still owed and ``now`` is past its deadline (at the deadline it is on time)."""
        return self.task.state in ACTIVE_STATES and now > self.task.due_at

    def entered(self, state: TaskState) -> datetime | None:
        """When the task first reached ``state``, None if it never did."""
        return next((step.at for step in self.history if step.to_state == state), None)


def create_task(
    tree: UnitTree,
    actor: Actor,
    *,
    task_id: str,
    kind: TaskKind,
    at: datetime,
    policy: SlaPolicy,
    issuing_unit: str | None = None,
    sla_from: datetime | None = None,
    report_id: str | None = None,
    campaign_id: str | None = None,
    target: Identifier | None = None,
    amount: Money | None = None,
    detail: Mapping[str, Any] | None = None,
) -> TaskRecord:
    """A new task in ``analyse``, held by the issuing unit (the actor's own unless given).

    The deadline runs from ``sla_from`` when given (e.g. the time a victim's report came in, for the 30-minute
    stop-payment), else from ``at``.
    """
    unit = issuing_unit or actor.unit
    authorize(tree, actor, TaskAction.CREATE, unit, unit)
    at = require_aware(at)
    task = Task(
        id=task_id,
        kind=kind,
        unit=unit,
        created_at=at,
        due_at=policy.due_at(kind, sla_from or at),
        report_id=report_id,
        campaign_id=campaign_id,
        target=target,
        amount=amount,
        detail=dict(detail or {}),
    )
    step = TaskStep(TaskAction.CREATE, None, TaskState.ANALYSE, actor.user_id, actor.unit, at, unit)
    return TaskRecord(task=task, issuing_unit=unit, history=(step,))


def transition(
    tree: UnitTree,
    record: TaskRecord,
    action: TaskAction,
    actor: Actor,
    at: datetime,
    *,
    policy: SlaPolicy,
    to_unit: str | None = None,
    result: TaskResult | None = None,
    note: str = "",
) -> TaskRecord:
    """The task after ``actor`` takes ``action`` at ``at``; the record passed in is unchanged.

    ``dispatch``/``redispatch`` need ``to_unit`` (within the actor's subtree, or a bank or telco desk);
    ``complete`` takes the ``result``; ``reject`` needs a reason in ``note``. Raises
    :class:`~fanzha.ops.errors.NotPermittedError` for the wrong role or unit, :class:`IllegalTransitionError` when the
    current state does not allow the action, :class:`InvalidOperationError` for bad arguments.
    """
    move = TRANSITIONS.get(action)
    if move is None:
        raise InvalidOperationError(
            f"'{action}' is not a state transition (see create_task, renew_hold, release_hold)"
        )
    authorize(tree, actor, action, record.unit, record.issuing_unit)
    if record.state not in move.sources:
        allowed = "/".join(sorted(move.sources))
        raise IllegalTransitionError(f"task {record.id!r} is '{record.state}': '{action}' needs it {allowed}")
    at = _after_last_step(record, at)
    unit = record.unit
    if action in (TaskAction.DISPATCH, TaskAction.REDISPATCH):
        unit = _dispatch_target(tree, actor, record, to_unit)
    elif to_unit is not None:
        raise InvalidOperationError(f"'{action}' does not move task {record.id!r} to another unit")
    if action is TaskAction.REJECT and not note.strip():
        raise InvalidOperationError(f"rejecting task {record.id!r} needs a reason in note")
    if result is not None and action is not TaskAction.COMPLETE:
        raise InvalidOperationError(f"only 'complete' records a result, not '{action}'")
    step = TaskStep(action, record.state, move.target, actor.user_id, actor.unit, at, unit, note)
    task = record.task.model_copy(update={"state": move.target, "unit": unit})
    updated = replace(record, task=task, history=(*record.history, step))
    if action is TaskAction.COMPLETE:
        updated = _with_result(updated, result or TaskResult(), at, policy)
    return updated


def renew_hold(
    tree: UnitTree, record: TaskRecord, actor: Actor, at: datetime, *, policy: SlaPolicy, note: str = ""
) -> TaskRecord:
    """The task with its stop-payment or freeze renewed for one more term from its current expiry.

    Allowed while the hold is in force (up to and including its expiry instant) and renewals are left.
    """
    authorize(tree, actor, TaskAction.RENEW, record.unit, record.issuing_unit)
    hold = record.hold
    if hold is None:
        raise IllegalTransitionError(f"task {record.id!r} has no stop-payment or freeze in force to renew")
    at = _after_last_step(record, at)
    if hold.released_at is not None:
        raise IllegalTransitionError(f"the hold of task {record.id!r} was released")
    if hold.lapsed or at > hold.expires_at:
        raise IllegalTransitionError(
            f"the hold of task {record.id!r} lapsed at {hold.expires_at.isoformat()}"
        )
    term = policy.hold_terms[record.task.kind]
    if term.max_renewals is not None and hold.renewals >= term.max_renewals:
        raise IllegalTransitionError(
            f"the hold of task {record.id!r} was already renewed {hold.renewals} times, the most allowed"
        )
    renewed = replace(
        hold,
        expires_at=term.end(hold.expires_at, policy.calendar),
        renewals=hold.renewals + 1,
        expiry_noticed=False,
    )
    step = TaskStep(TaskAction.RENEW, record.state, record.state, actor.user_id, actor.unit, at, None, note)
    return replace(record, hold=renewed, history=(*record.history, step))


def release_hold(
    tree: UnitTree, record: TaskRecord, actor: Actor, at: datetime, *, note: str = ""
) -> TaskRecord:
    """The task with its stop-payment or freeze released (解除止付/解冻), e.g. once the money went back to victims."""
    authorize(tree, actor, TaskAction.RELEASE, record.unit, record.issuing_unit)
    hold = record.hold
    at = _after_last_step(record, at)
    if hold is None or hold.lapsed or not hold.in_force(at):
        raise IllegalTransitionError(f"task {record.id!r} has no stop-payment or freeze in force to release")
    step = TaskStep(TaskAction.RELEASE, record.state, record.state, actor.user_id, actor.unit, at, None, note)
    return replace(record, hold=replace(hold, released_at=at), history=(*record.history, step))


def _after_last_step(record: TaskRecord, at: datetime) -> datetime:
    at = require_aware(at)
    last = record.history[-1].at
    if at < last:
        raise InvalidOperationError(
            f"task {record.id!r}: step at {at.isoformat()} is before {last.isoformat()}"
        )
    return at


def _dispatch_target(tree: UnitTree, actor: Actor, record: TaskRecord, to_unit: str | None) -> str:
    if to_unit is None:
        raise InvalidOperationError(f"dispatching task {record.id!r} needs to_unit")
    if to_unit not in tree:
        raise InvalidOperationError(f"dispatching task {record.id!r}: unknown unit {to_unit!r}")
    if not (tree.can_see(actor.unit, to_unit) or tree.is_liaison(to_unit)):
        raise InvalidOperationError(
            f"unit {actor.unit!r} may dispatch task {record.id!r} only within its own subtree or to a "
            f"bank or telco desk, not to {to_unit!r}"
        )
    return to_unit


def _with_result(record: TaskRecord, result: TaskResult, at: datetime, policy: SlaPolicy) -> TaskRecord:
    kind = record.task.kind
    allowed = RESULT_FIELD.get(kind)
    for name in ("stopped", "frozen", "returned"):
        if getattr(result, name) is not None and name != allowed:
            raise InvalidOperationError(
                f"a '{kind}' task cannot record a {name!r} amount (task {record.id!r})"
            )
    if result.returned_to:
        returned = result.returned.amount_minor if result.returned else 0
        if (
            any(part < 0 for part in result.returned_to.values())
            or sum(result.returned_to.values()) != returned
        ):
            raise InvalidOperationError(
                f"task {record.id!r}: returned_to must split the returned amount exactly"
            )
    hold = None
    term = policy.hold_terms.get(kind)
    if term is not None and (result.stopped or result.frozen):
        hold = Hold(effective_at=at, expires_at=term.end(at, policy.calendar))
    return replace(record, result=result, hold=hold)


@dataclass(frozen=True, slots=True)
class Escalation:
    """An overdue task brought to the supervisors of a unit above the one holding it (督办)."""

    task_id: str
    task_unit: str
    level: int
    unit: str
    supervisors: tuple[str, ...]
    due_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class ExpiryNotice:
    """A stop-payment or freeze about to lapse (or lapsed), for the unit that issued it."""

    task_id: str
    kind: TaskKind
    unit: str
    expires_at: datetime
    lapsed: bool
    renewals_left: int | None


@dataclass(frozen=True)
class SweepResult:
    """What one pass of the SLA clock changed: the updated records and the notices to send."""

    updated: list[TaskRecord]
    newly_overdue: list[str]
    escalations: list[Escalation]
    expiry_notices: list[ExpiryNotice]


def sweep(
    records: Iterable[TaskRecord],
    now: datetime,
    *,
    tree: UnitTree,
    staff: StaffDirectory,
    policy: SlaPolicy,
) -> SweepResult:
    """One pass of the SLA clock (督办): mark overdue tasks, escalate them, note holds lapsing or lapsed.

    The first escalation of an overdue task goes to its holding unit's parent, the next one a unit further up
    after each ``policy.escalation_every`` interval; levels missed between passes are all emitted. Sweeping again
    at the same ``now`` changes nothing. Cost: O(tasks + escalations × tree depth).
    """
    now = require_aware(now)
    result = SweepResult([], [], [], [])
    for record in records:
        updated = _sweep_deadline(record, now, tree, staff, policy, result)
        updated = _sweep_hold(updated, now, policy, result)
        if updated is not record:
            result.updated.append(updated)
    return result


def _sweep_deadline(
    record: TaskRecord,
    now: datetime,
    tree: UnitTree,
    staff: StaffDirectory,
    policy: SlaPolicy,
    result: SweepResult,
) -> TaskRecord:
    task = record.task
    if task.state not in ACTIVE_STATES or now <= task.due_at:
        return record
    every = policy.escalation_every[task.kind]
    reached = -(-(now - task.due_at) // every)
    reached = min(reached, max(1, tree.depth(task.unit)))
    if reached <= record.escalation_level and record.overdue_since is not None:
        return record
    if record.overdue_since is None:
        result.newly_overdue.append(task.id)
    for level in range(record.escalation_level + 1, reached + 1):
        target = escalation_target(tree, staff, task.unit, level)
        if target is None:
            break
        at = task.due_at + (level - 1) * every
        result.escalations.append(
            Escalation(task.id, task.unit, level, target.unit, target.supervisors, task.due_at, at)
        )
    return replace(record, overdue_since=task.due_at, escalation_level=max(reached, record.escalation_level))


def _sweep_hold(record: TaskRecord, now: datetime, policy: SlaPolicy, result: SweepResult) -> TaskRecord:
    hold = record.hold
    if hold is None or hold.lapsed or hold.released_at is not None:
        return record
    kind = record.task.kind
    lapsed = now > hold.expires_at
    window = policy.expiry_notice.get(kind, timedelta(0))
    if not lapsed and (hold.expiry_noticed or now < hold.expires_at - window):
        return record
    term = policy.hold_terms[kind]
    left = None if term.max_renewals is None else term.max_renewals - hold.renewals
    notice = ExpiryNotice(record.id, kind, record.issuing_unit, hold.expires_at, lapsed, left)
    result.expiry_notices.append(notice)
    return replace(record, hold=replace(hold, expiry_noticed=True, lapsed=lapsed))


class SlaClock:
    """The SLA clock bound to a :class:`~fanzha.ops.clock.Clock`, the unit tree, the staff and the policy."""

    def __init__(self, clock: Clock, tree: UnitTree, staff: StaffDirectory, policy: SlaPolicy) -> None:
        self.clock = clock
        self.tree = tree
        self.staff = staff
        self.policy = policy

    def sweep(self, records: Iterable[TaskRecord]) -> SweepResult:
        """:func:`sweep` at the clock's current time."""
        return sweep(records, self.clock.now(), tree=self.tree, staff=self.staff, policy=self.policy)


def visible_tasks(
    tree: UnitTree,
    actor: Actor,
    records: Iterable[TaskRecord],
    *,
    unit: str | None = None,
    state: TaskState | None = None,
    overdue_at: datetime | None = None,
) -> list[TaskRecord]:
    """The tasks ``actor`` may read; optionally only those held within ``unit``'s subtree, in ``state``, or
    overdue at ``overdue_at``."""
    return [
        record
        for record in records
        if (state is None or record.state == state)
        and (overdue_at is None or record.is_overdue(overdue_at))
        and (unit is None or tree.can_see(unit, record.unit))
        and may_read(tree, actor, Resource.TASK, record.unit, record.issuing_unit)
    ]
