"""``/tasks``: the closed loop 研交办督结 — create, dispatch, transition, renew or release holds, list, SLA sweep.

Who may do what comes from the ops engine's tables (:data:`fanzha.ops.ACTION_ROLES`, :data:`fanzha.ops.ACTION_SCOPE`);
a task the caller may not read answers 404 whatever it holds, one it may read but not act on answers 403.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import (
    ActorDep,
    ClockDep,
    Offset,
    PolicyDep,
    ScopeQuery,
    StoreDep,
    TreeDep,
    readers,
    require_readable_report,
    requires,
    scope_unit,
)
from fanzha.api.schemas import IdentifierIn, server_id
from fanzha.model import Identifier, JsonObject, Money, TaskKind, TaskState, UtcDatetime, readable_json
from fanzha.ops import (
    TRANSITIONS,
    Actor,
    Escalation,
    InvalidOperationError,
    Resource,
    Role,
    SweepResult,
    TaskAction,
    TaskRecord,
    TaskResult,
    UnitTree,
    allocate_return,
    create_task,
    may_read,
    release_hold,
    renew_hold,
    transition,
)
from fanzha.ops.stop_payments import follow_up
from fanzha.store.cases import CaseStore
from fanzha.store.cases.ops import (
    DuplicateOpsRecordError,
    OpsRecordNotFoundError,
    add_task,
    change_task,
    get_task,
    list_tasks,
    sweep_tasks,
    task_escalations,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])
TaskReader = Annotated[Actor, Depends(readers(Resource.TASK))]
Supervisor = Annotated[Actor, Depends(requires(Role.SUPERVISOR, Role.ADMIN))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such task among those you may see"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the task's state does not allow this, or it changed since it was read"}
}

MoveAction = Literal["dispatch", "accept", "start", "complete", "reject", "redispatch", "close"]


class TaskCreate(BaseModel):
    """A new task (研判 produces it); it starts in ``analyse`` at the issuing unit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "stop_payment", "report_id": "R-2026-000123", "sla_from": "2026-09-07T02:00:00Z",
                 "target": {"kind": "bank_account", "value": "6222 0212 3456 7890 128"},
                 "amount": {"amount_minor": 5000000, "currency": "CNY"}}
            ]
        }
    )  # fmt: skip
    kind: TaskKind
    issuing_unit: str | None = Field(default=None, max_length=32, description="default: the caller's unit")
    sla_from: UtcDatetime | None = Field(default=None, description="start of the deadline clock (the report)")
    report_id: str | None = Field(default=None, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=64)
    target: IdentifierIn | None = None
    amount: Money | None = None
    detail: JsonObject = Field(default_factory=dict, description="free-form notes, a small JSON object")


VictimKey = Annotated[str, Field(min_length=1, max_length=64)]


class ResultIn(BaseModel):
    """What a completed task achieved; a return may be split across victims by what was traced to each."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"returned": {"amount_minor": 1001, "currency": "CNY"},
                 "traced_shares": {"V-1": 2000, "V-2": 1000}, "note": "returned pro rata"}
            ]
        }
    )  # fmt: skip
    stopped: Money | None = None
    frozen: Money | None = None
    returned: Money | None = None
    returned_to: dict[VictimKey, int] | None = Field(
        default=None, max_length=1_000, description="minor units per victim pseudonym"
    )
    traced_shares: dict[VictimKey, int] | None = Field(
        default=None,
        max_length=1_000,
        description="each victim's money traced into the account; the return is split pro rata",
    )
    traced_to: str | None = Field(
        default=None, max_length=64, description="the one victim the money traces to, if known"
    )
    note: str = Field(default="", max_length=2000)


class TransitionIn(BaseModel):
    """One move of the state machine."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"action": "dispatch", "to_unit": "BANK-ICBC", "note": "紧急止付"}]}
    )
    action: MoveAction
    to_unit: str | None = Field(default=None, max_length=32, description="for dispatch and redispatch")
    note: str = Field(default="", max_length=2000, description="required when rejecting")
    result: ResultIn | None = Field(default=None, description="for complete")


class DispatchIn(BaseModel):
    """Where a task goes (交办)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"to_unit": "BANK-ICBC", "note": "紧急止付"}]})
    to_unit: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=2000)


class NoteIn(BaseModel):
    """A note for the record."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "victim still in contact with the scammer"}]}
    )
    note: str = Field(default="", max_length=2000)


class StepOut(BaseModel):
    """One step of a task."""

    action: str
    from_state: TaskState | None
    to_state: TaskState
    actor: str
    actor_unit: str
    at: datetime
    to_unit: str | None
    note: str


class ResultOut(BaseModel):
    """Money stopped, frozen and returned — never added together."""

    stopped: Money | None
    frozen: Money | None
    returned: Money | None
    returned_to: dict[str, int]
    note: str


class HoldOut(BaseModel):
    """A stop-payment or freeze in force on the target account."""

    effective_at: datetime
    expires_at: datetime
    renewals: int
    lapsed: bool
    released_at: datetime | None


class EscalationOut(BaseModel):
    """An escalation of an overdue task (督办)."""

    task_id: str
    level: int
    unit: str
    supervisors: list[str]
    due_at: datetime
    at: datetime


class TaskOut(BaseModel):
    """A task with who issued it, who holds it, its deadline, steps, result and hold."""

    id: str
    kind: TaskKind
    state: TaskState
    unit: str = Field(description="the unit holding it now")
    issuing_unit: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    overdue_since: datetime | None
    escalation_level: int
    report_id: str | None
    campaign_id: str | None
    target: Identifier | None
    amount: Money | None
    detail: dict[str, Any]
    result: ResultOut | None
    hold: HoldOut | None
    history: list[StepOut]
    escalations: list[EscalationOut] = Field(default_factory=list)
    moves: list[MoveAction] = Field(
        default_factory=list,
        description="moves the state machine allows from this state (the caller's role and unit may still not)",
    )


class SweepOut(BaseModel):
    """What one pass of the SLA clock changed, among the tasks the caller may see."""

    at: datetime
    updated: int
    newly_overdue: list[str]
    escalations: list[EscalationOut]
    expiring_holds: list[str]
    lapsed_holds: list[str]


def task_out(record: TaskRecord, now: datetime, escalations: list[Escalation] | None = None) -> TaskOut:
    """The API view of a task at ``now``."""
    task, result, hold = record.task, record.result, record.hold
    return TaskOut(
        id=task.id, kind=task.kind, state=task.state, unit=task.unit, issuing_unit=record.issuing_unit,
        created_at=task.created_at, due_at=task.due_at, overdue=record.is_overdue(now),
        overdue_since=record.overdue_since, escalation_level=record.escalation_level, report_id=task.report_id,
        campaign_id=task.campaign_id, target=task.target, amount=task.amount, detail=readable_json(task.detail),
        result=None if result is None else ResultOut(
            stopped=result.stopped, frozen=result.frozen, returned=result.returned,
            returned_to=dict(result.returned_to), note=result.note,
        ),
        hold=None if hold is None else HoldOut(
            effective_at=hold.effective_at, expires_at=hold.expires_at, renewals=hold.renewals,
            lapsed=hold.lapsed, released_at=hold.released_at,
        ),
        history=[StepOut(action=s.action.value, from_state=s.from_state, to_state=s.to_state, actor=s.actor,
                         actor_unit=s.actor_unit, at=s.at, to_unit=s.to_unit, note=s.note) for s in record.history],
        escalations=[_escalation_out(e) for e in escalations or []],
        moves=[action.value for action, step in TRANSITIONS.items() if task.state in step.sources],
    )  # fmt: skip


def _escalation_out(escalation: Escalation) -> EscalationOut:
    return EscalationOut(
        task_id=escalation.task_id, level=escalation.level, unit=escalation.unit,
        supervisors=list(escalation.supervisors), due_at=escalation.due_at, at=escalation.at,
    )  # fmt: skip


def readable_task(store: CaseStore, tree: UnitTree, actor: Actor, task_id: str) -> TaskRecord:
    """The task when ``actor`` may read it; 404 otherwise, so its existence does not leak."""
    record = get_task(store, task_id)
    if not may_read(tree, actor, Resource.TASK, record.unit, record.issuing_unit):
        raise OpsRecordNotFoundError("task", task_id)
    return record


def _result(body: ResultIn | None) -> TaskResult | None:
    if body is None:
        return None
    returned_to = dict(body.returned_to or {})
    if body.traced_shares is not None:
        if body.returned is None:
            raise InvalidOperationError("traced_shares split a returned amount: give 'returned'")
        if returned_to:
            raise InvalidOperationError("give either returned_to or traced_shares, not both")
        returned_to = allocate_return(body.returned, body.traced_shares, traced_to=body.traced_to)
    return TaskResult(
        stopped=body.stopped,
        frozen=body.frozen,
        returned=body.returned,
        returned_to=returned_to,
        note=body.note,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskOut, responses={409: CONFLICT[409]})
def create(
    body: TaskCreate, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep, policy: PolicyDep,
    response: Response,
) -> TaskOut:  # fmt: skip
    """Create a task in ``analyse``; its deadline follows the kind's SLA (stop-payment 30 min, freeze 24 h, …)."""
    now = clock.now()
    target = Identifier.parse(body.target.kind, body.target.value) if body.target else None
    if body.issuing_unit is not None and body.issuing_unit not in tree:
        raise InvalidOperationError(f"unknown unit {body.issuing_unit!r} (field issuing_unit)")
    require_readable_report(store, tree, actor, body.report_id)
    record = create_task(
        tree, actor, task_id=server_id("T"), kind=body.kind, at=now, policy=policy,
        issuing_unit=body.issuing_unit, sla_from=body.sla_from, report_id=body.report_id,
        campaign_id=body.campaign_id, target=target, amount=body.amount, detail=body.detail,
    )  # fmt: skip
    add_task(store, record)
    response.headers["Location"] = f"/api/v1/tasks/{record.id}"
    return task_out(record, now)


@router.get("", response_model=list[TaskOut])
def list_(
    store: StoreDep,
    actor: TaskReader,
    tree: TreeDep,
    clock: ClockDep,
    unit: ScopeQuery = None,
    state: TaskState | None = None,
    overdue: Annotated[bool, Query(description="only tasks past their deadline and still owed")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[TaskOut]:
    """Tasks held or issued within a unit's subtree (a bank desk sees only what is addressed to it)."""
    scope = scope_unit(tree, actor, unit)
    now = clock.now()
    records = list_tasks(
        store, units=tree.visible_units(scope), state=state, overdue_at=now if overdue else None,
        limit=limit, offset=offset,
    )  # fmt: skip
    return [
        task_out(record, now)
        for record in records
        if may_read(tree, actor, Resource.TASK, record.unit, record.issuing_unit)
    ]


@router.post("/sweep", response_model=SweepOut)
def sweep(store: StoreDep, actor: Supervisor, tree: TreeDep, clock: ClockDep, policy: PolicyDep) -> SweepOut:
    """Run the SLA clock now (督办): mark overdue tasks, escalate them to the supervisors above, note holds
    about to lapse. Idempotent at a given time; ``fanzha ops sweep`` does the same from the command line."""
    now = clock.now()
    result: SweepResult = sweep_tasks(store, now, policy=policy, tree=tree)
    visible = {record.id for record in result.updated if tree.can_see(actor.unit, record.unit)} | {
        record.id for record in result.updated if tree.can_see(actor.unit, record.issuing_unit)
    }
    return SweepOut(
        at=now,
        updated=len(visible),
        newly_overdue=[task_id for task_id in result.newly_overdue if task_id in visible],
        escalations=[_escalation_out(e) for e in result.escalations if e.task_id in visible],
        expiring_holds=[n.task_id for n in result.expiry_notices if n.task_id in visible and not n.lapsed],
        lapsed_holds=[n.task_id for n in result.expiry_notices if n.task_id in visible and n.lapsed],
    )


@router.get("/{task_id}", response_model=TaskOut, responses=NOT_FOUND)
def get(task_id: str, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep) -> TaskOut:
    """One task with every step and its escalations."""
    record = readable_task(store, tree, actor, task_id)
    return task_out(record, clock.now(), task_escalations(store, task_id))


def _apply(
    store: CaseStore,
    tree: UnitTree,
    actor: Actor,
    task_id: str,
    now: datetime,
    move: Callable[[TaskRecord], TaskRecord],
) -> TaskOut:
    def visible_move(record: TaskRecord) -> TaskRecord:
        if not may_read(tree, actor, Resource.TASK, record.unit, record.issuing_unit):
            raise OpsRecordNotFoundError("task", task_id)
        return move(record)

    return task_out(change_task(store, task_id, visible_move), now)


@router.post("/{task_id}/transitions", response_model=TaskOut, responses={**NOT_FOUND, **CONFLICT})
def move(
    task_id: str, body: TransitionIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep,
    policy: PolicyDep,
) -> TaskOut:  # fmt: skip
    """Move a task: accept (签收), start, complete with a result, reject with a reason (退回), redispatch, close
    (结). Illegal moves answer 409, moves your role or unit may not make 403. A stop payment of a traced report
    completed with money stopped brings its freeze task; a freeze completed with money frozen brings the return
    task, its money split between the victims pro rata."""
    now, action = clock.now(), TaskAction(body.action)
    result = _result(body.result)
    moved = _apply(
        store, tree, actor, task_id, now,
        lambda record: transition(
            tree, record, action, actor, now, policy=policy, to_unit=body.to_unit, result=result, note=body.note
        ),
    )  # fmt: skip
    if action is TaskAction.COMPLETE:
        next_task = follow_up(get_task(store, task_id), now, policy)
        if next_task is not None:
            with contextlib.suppress(DuplicateOpsRecordError):
                add_task(store, next_task)
    return moved


@router.post("/{task_id}/dispatch", response_model=TaskOut, responses={**NOT_FOUND, **CONFLICT})
def dispatch(
    task_id: str, body: DispatchIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep,
    policy: PolicyDep,
) -> TaskOut:  # fmt: skip
    """Dispatch a task (交办) to a unit within yours, or to a bank or telco desk."""
    now = clock.now()
    return _apply(
        store, tree, actor, task_id, now,
        lambda record: transition(
            tree, record, TaskAction.DISPATCH, actor, now, policy=policy, to_unit=body.to_unit, note=body.note
        ),
    )  # fmt: skip


@router.post("/{task_id}/hold/renew", response_model=TaskOut, responses={**NOT_FOUND, **CONFLICT})
def renew(
    task_id: str, body: NoteIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep,
    policy: PolicyDep,
) -> TaskOut:  # fmt: skip
    """Renew a stop-payment (续止付, twice at most) or a freeze (续冻) for one more term."""
    now = clock.now()
    return _apply(
        store, tree, actor, task_id, now,
        lambda record: renew_hold(tree, record, actor, now, policy=policy, note=body.note),
    )  # fmt: skip


@router.post("/{task_id}/hold/release", response_model=TaskOut, responses={**NOT_FOUND, **CONFLICT})
def release(
    task_id: str, body: NoteIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep
) -> TaskOut:
    """Release a stop-payment or freeze (解除止付 / 解冻)."""
    now = clock.now()
    return _apply(
        store,
        tree,
        actor,
        task_id,
        now,
        lambda record: release_hold(tree, record, actor, now, note=body.note),
    )
