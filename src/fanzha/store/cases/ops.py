"""The operations room in the case store: tasks, leads and warnings, kept exactly as the ops engine returns them.

Each write is one transaction (all or nothing) that also appends one audit event per state change
(``task.dispatch``, ``lead.pass``, ``warning.attempt``, ``task.escalate`` …) with ``append_event``. Updates name how
many steps the caller read (``read_steps``); when another writer got there first the update is refused with
:class:`StaleRecordError`, so no step is ever lost. The engine decides what is legal; this module only persists.

>>> record = create_task(tree, actor, task_id="T-1", kind=TaskKind.FREEZE, at=now, policy=policy)  # doctest: +SKIP
>>> add_task(store, record)  # doctest: +SKIP
>>> moved = transition(tree, record, TaskAction.DISPATCH, actor, now, policy=policy, to_unit="440305")  # doctest: +SKIP
>>> update_task(store, moved, read_steps=len(record.history))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fanzha.model import Identifier, IdentifierKind, Money, Task, TaskKind, TaskState, WarningLevel
from fanzha.model import Warning as VictimWarning
from fanzha.ops import (
    Actor,
    AttemptOutcome,
    DeliveryMethod,
    Escalation,
    Fact,
    Hold,
    Lead,
    LeadAction,
    LeadSource,
    LeadState,
    LeadVerdict,
    Measure,
    Role,
    SlaPolicy,
    StaffDirectory,
    SweepResult,
    TaskAction,
    TaskRecord,
    TaskResult,
    TaskStep,
    UnitTree,
    WarningRecord,
    sweep,
)
from fanzha.ops.leads import LeadEvent
from fanzha.ops.tasks import ACTIVE_STATES
from fanzha.ops.warnings import WarningAttempt
from fanzha.ops.workdays import DEFAULT_TIMEZONE
from fanzha.store.cases.audit import append_event, append_events
from fanzha.store.cases.records import CaseStoreError, UnknownUnitError
from fanzha.store.cases.report_batch import nul_fields as _nul_fields
from fanzha.store.cases.schema import (
    LeadEventRow,
    LeadRow,
    PaymentRow,
    ReportRow,
    TaskEscalationRow,
    TaskReturnRow,
    TaskRow,
    TaskStepRow,
    UnitRow,
    UserRow,
    WarningAttemptRow,
    WarningRow,
)
from fanzha.store.cases.store import CaseStore

SWEEP_ACTOR = "sla-clock"
"""The audit actor of the SLA clock's own changes (overdue marks, escalations, hold expiries)."""


class OpsRecordNotFoundError(CaseStoreError):
    """No task, lead or warning with this id."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"no {kind} {record_id!r}")
        self.kind = kind
        self.record_id = record_id


class DuplicateOpsRecordError(CaseStoreError):
    """A task, lead or warning id that is already taken."""


class UnstorableTextError(CaseStoreError):
    """Text the database cannot keep (a NUL character); nothing was written."""


class StaleRecordError(CaseStoreError):
    """The record changed since the caller read it; read it again and retry."""


# --- units and staff ---------------------------------------------------------------------------------


def load_tree(store: CaseStore) -> UnitTree:
    """The unit tree as stored (部省市县 and liaison desks)."""
    return UnitTree(store.units())


def staff_directory(store: CaseStore) -> StaffDirectory:
    """Active users as actors, for the supervisors escalations go to."""
    with Session(store.engine) as session:
        found = session.execute(select(UserRow.username, UserRow.unit, UserRow.roles).where(UserRow.active))
        staff = [
            Actor(name, unit, frozenset(Role(role) for role in roles.split(",") if role in _ROLE_NAMES))
            for name, unit, roles in found
        ]
    return StaffDirectory(staff)


_ROLE_NAMES = frozenset(role.value for role in Role)


# --- tasks ---------------------------------------------------------------------------------------------


def add_task(store: CaseStore, record: TaskRecord) -> None:
    """Store a new task with its steps; each step is audited. Raises DuplicateOpsRecordError for a taken id."""
    _refuse_nul("task", record.id, _task_texts(record))
    with Session(store.writer_engine) as session, session.begin():
        _require_units(session, {record.id: record.unit, f"{record.id}.issuing_unit": record.issuing_unit})
        session.add(TaskRow(**_task_columns(record)))
        try:
            session.flush()
        except IntegrityError as error:
            raise DuplicateOpsRecordError(f"task {record.id!r} already exists") from error
        _write_steps(session, record, 0)
        _write_returns(session, record)


def update_task(store: CaseStore, record: TaskRecord, *, read_steps: int) -> None:
    """Store a task after one or more engine steps taken on the version with ``read_steps`` steps.

    Raises StaleRecordError when the stored task has moved on since (another writer took a step). The check sees
    steps only: a sweep between the read and this write is overwritten, so interactive callers use
    :func:`change_task`, which reads and writes in one transaction.
    """
    _refuse_nul("task", record.id, _task_texts(record))
    with Session(store.writer_engine) as session, session.begin():
        row = _locked_task(session, record.id)
        stored = _count(session, TaskStepRow.seq, TaskStepRow.task_id == record.id)
        if stored != read_steps or len(record.history) < stored:
            raise StaleRecordError(f"task {record.id!r} changed since it was read; read it again")
        _persist(session, row, record, stored)


def change_task(store: CaseStore, task_id: str, change: Callable[[TaskRecord], TaskRecord]) -> TaskRecord:
    """Read a task, apply ``change`` (an engine step) and store the result, all in one write transaction, so no
    other writer — a user or the SLA clock — can slip in between; returns the stored result.

    Whatever ``change`` raises (not permitted, illegal transition) leaves the task as it was.
    """
    with Session(store.writer_engine) as session, session.begin():
        row = _locked_task(session, task_id)
        record = _records(session, [row])[0]
        updated = change(record)
        if updated.id != record.id or updated.history[: len(record.history)] != record.history:
            raise StaleRecordError(f"task {task_id!r}: a change must only add steps to the task it was given")
        _refuse_nul("task", task_id, _task_texts(updated))
        _persist(session, row, updated, len(record.history))
    return updated


def _locked_task(session: Session, task_id: str) -> TaskRow:
    row = None
    if "\x00" not in task_id:
        row = session.scalars(select(TaskRow).where(TaskRow.id == task_id).with_for_update()).first()
    if row is None:
        raise OpsRecordNotFoundError("task", task_id)
    return row


def _persist(session: Session, row: TaskRow, record: TaskRecord, stored: int) -> None:
    if row.unit != record.unit:
        _require_units(session, {record.id: record.unit})
    for name, value in _task_columns(record).items():
        setattr(row, name, value)
    _write_steps(session, record, stored)
    session.execute(delete(TaskReturnRow).where(TaskReturnRow.task_id == record.id))
    _write_returns(session, record)


def get_task(store: CaseStore, task_id: str) -> TaskRecord:
    """The task with every step, its result and hold; raises OpsRecordNotFoundError."""
    return _one(store, "task", task_id, TaskRow, _load_tasks)


_Loaded = TypeVar("_Loaded")


def _one(
    store: CaseStore,
    kind: str,
    record_id: str,
    row: Any,
    load: Callable[[CaseStore, Select[Any]], list[_Loaded]],
) -> _Loaded:
    """The record of ``row``'s table with this id, read by ``load``; raises OpsRecordNotFoundError (an id with a
    NUL in it names nothing: PostgreSQL would refuse to compare it)."""
    found = [] if "\x00" in record_id else load(store, select(row).where(row.id == record_id))
    if not found:
        raise OpsRecordNotFoundError(kind, record_id)
    return found[0]


def list_tasks(
    store: CaseStore,
    *,
    units: Collection[str] | None = None,
    state: TaskState | None = None,
    overdue_at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[TaskRecord]:
    """Tasks held or issued by ``units`` (all when None), optionally in ``state`` or overdue at ``overdue_at``;
    by deadline, then id."""
    query = select(TaskRow).order_by(TaskRow.due_at, TaskRow.id)
    if units is not None:
        query = query.where(or_(TaskRow.unit.in_(units), TaskRow.issuing_unit.in_(units)))
    if state is not None:
        query = query.where(TaskRow.state == TaskState(state).value)
    if overdue_at is not None:
        active = [active_state.value for active_state in ACTIVE_STATES]
        query = query.where(TaskRow.state.in_(active), TaskRow.due_at < overdue_at)
    return _load_tasks(store, query.limit(limit).offset(offset))


def task_escalations(store: CaseStore, task_id: str) -> list[Escalation]:
    """The escalations recorded for a task, lowest level first."""
    query = select(TaskEscalationRow).where(TaskEscalationRow.task_id == task_id)
    with Session(store.engine) as session:
        return [
            Escalation(
                row.task_id,
                row.task_unit,
                row.level,
                row.unit,
                tuple(filter(None, row.supervisors.split(","))),
                row.due_at,
                row.at,
            )
            for row in session.scalars(query.order_by(TaskEscalationRow.level))
        ]


def sweep_tasks(
    store: CaseStore, now: datetime, *, policy: SlaPolicy, tree: UnitTree | None = None
) -> SweepResult:
    """One pass of the SLA clock (督办) over every stored task, in one transaction.

    Marks overdue tasks, records escalations to the supervisors above and notes holds lapsing; every change is
    audited under ``sla-clock``. Sweeping again at the same ``now`` changes nothing.
    """
    tree = tree or load_tree(store)
    staff = staff_directory(store)
    active = [state.value for state in ACTIVE_STATES]
    with Session(store.writer_engine) as session, session.begin():
        query = select(TaskRow).where(
            or_(
                TaskRow.state.in_(active),
                (TaskRow.hold_effective_at.is_not(None))
                & TaskRow.hold_released_at.is_(None)
                & ~TaskRow.hold_lapsed,
            )
        )
        rows = session.scalars(query.order_by(TaskRow.id).with_for_update()).all()
        records = _records(session, rows)
        result = sweep(records, now, tree=tree, staff=staff, policy=policy)
        by_id = {row.id: row for row in rows}
        for updated in result.updated:
            row = by_id[updated.id]
            for name, value in _task_columns(updated).items():
                setattr(row, name, value)
        _write_escalations(session, result.escalations, now)
        append_events(session, _sweep_events(result, now))
    return result


def _write_escalations(session: Session, escalations: Sequence[Escalation], now: datetime) -> None:
    if escalations:
        session.execute(
            insert(TaskEscalationRow),
            [
                {
                    "task_id": escalation.task_id,
                    "level": escalation.level,
                    "task_unit": escalation.task_unit,
                    "unit": escalation.unit,
                    "supervisors": ",".join(escalation.supervisors),
                    "due_at": escalation.due_at,
                    "at": escalation.at,
                    "recorded_at": now,
                }
                for escalation in escalations
            ],
        )


def _sweep_events(result: SweepResult, now: datetime) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    events: list[tuple[str, str, str, str, dict[str, Any]]] = [
        (SWEEP_ACTOR, "task.overdue", "task", task_id, {"at": now.isoformat()})
        for task_id in result.newly_overdue
    ]
    events += [
        (SWEEP_ACTOR, "task.escalate", "task", escalation.task_id, {
            "level": escalation.level, "unit": escalation.unit, "supervisors": list(escalation.supervisors),
            "at": escalation.at.isoformat(),
        })
        for escalation in result.escalations
    ]  # fmt: skip
    events += [
        (SWEEP_ACTOR, "task.hold_lapsed" if notice.lapsed else "task.hold_expiring", "task", notice.task_id, {
            "unit": notice.unit, "expires_at": notice.expires_at.isoformat(), "renewals_left": notice.renewals_left,
        })
        for notice in result.expiry_notices
    ]  # fmt: skip
    return events


def _task_columns(record: TaskRecord) -> dict[str, Any]:
    task, result, hold = record.task, record.result, record.hold
    columns: dict[str, Any] = {
        "id": task.id,
        "kind": task.kind.value,
        "state": task.state.value,
        "unit": task.unit,
        "issuing_unit": record.issuing_unit,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "report_id": task.report_id,
        "campaign_id": task.campaign_id,
        **_target_columns(task.target),
        **_money_columns("amount", task.amount),
        "detail": task.detail,
        "has_result": result is not None,
        **_money_columns("stopped", result.stopped if result else None),
        **_money_columns("frozen", result.frozen if result else None),
        **_money_columns("returned", result.returned if result else None),
        "result_note": result.note if result else None,
        "hold_effective_at": hold.effective_at if hold else None,
        "hold_expires_at": hold.expires_at if hold else None,
        "hold_renewals": hold.renewals if hold else None,
        "hold_expiry_noticed": hold.expiry_noticed if hold else None,
        "hold_lapsed": hold.lapsed if hold else None,
        "hold_released_at": hold.released_at if hold else None,
        "overdue_since": record.overdue_since,
        "escalation_level": record.escalation_level,
    }
    return columns


def _money_columns(prefix: str, money: Money | None) -> dict[str, Any]:
    if prefix == "amount":
        return {"amount_minor": money.amount_minor if money else None, "amount_currency": _currency(money)}
    return {f"{prefix}_minor": money.amount_minor if money else None, f"{prefix}_currency": _currency(money)}


def _currency(money: Money | None) -> str | None:
    return money.currency if money else None


def _target_columns(target: Identifier | None) -> dict[str, Any]:
    return {
        "target_kind": target.kind.value if target else None,
        "target_value": target.value if target else None,
        "target_valid": target.valid if target else None,
        "target_raw": target.raw if target else None,
    }


def _target(kind: str | None, value: str | None, valid: bool | None, raw: str | None) -> Identifier | None:
    if kind is None or value is None:
        return None
    return Identifier(kind=IdentifierKind(kind), value=value, valid=bool(valid), raw=raw)


def _money(minor: int | None, currency: str | None) -> Money | None:
    return None if minor is None or currency is None else Money(amount_minor=minor, currency=currency)


def _write_steps(session: Session, record: TaskRecord, stored: int) -> None:
    for seq, step in enumerate(record.history[stored:], start=stored):
        session.add(
            TaskStepRow(
                task_id=record.id,
                seq=seq,
                action=step.action.value,
                from_state=step.from_state.value if step.from_state else None,
                to_state=step.to_state.value,
                actor=step.actor,
                actor_unit=step.actor_unit,
                at=step.at,
                to_unit=step.to_unit,
                note=step.note,
            )
        )
        detail: dict[str, Any] = {**step.audit_detail(), "at": step.at.isoformat()}
        if step.action is TaskAction.COMPLETE and record.result is not None:
            detail["result"] = _result_detail(record.result)
        append_event(session, step.actor, f"task.{step.action.value}", "task", record.id, detail)


def _result_detail(result: TaskResult) -> dict[str, Any]:
    amounts = {"stopped": result.stopped, "frozen": result.frozen, "returned": result.returned}
    return {
        **{name: money.model_dump() for name, money in amounts.items() if money is not None},
        "returned_to": dict(result.returned_to),
    }


def _write_returns(session: Session, record: TaskRecord) -> None:
    if record.result is None or not record.result.returned_to:
        return
    session.execute(
        insert(TaskReturnRow),
        [
            {"task_id": record.id, "victim": victim, "amount_minor": amount}
            for victim, amount in record.result.returned_to.items()
        ],
    )


def _load_tasks(store: CaseStore, query: Select[TaskRow]) -> list[TaskRecord]:
    with Session(store.engine) as session:
        return _records(session, session.scalars(query).all())


def _records(session: Session, rows: Sequence[TaskRow]) -> list[TaskRecord]:
    ids = [row.id for row in rows]
    steps: dict[str, list[TaskStep]] = {}
    returns: dict[str, dict[str, int]] = {}
    for chunk in _chunks(ids):
        query = select(TaskStepRow).where(TaskStepRow.task_id.in_(chunk))
        for step in session.scalars(query.order_by(TaskStepRow.task_id, TaskStepRow.seq)):
            steps.setdefault(step.task_id, []).append(_step(step))
        query_returns = select(TaskReturnRow).where(TaskReturnRow.task_id.in_(chunk))
        for part in session.scalars(query_returns.order_by(TaskReturnRow.task_id, TaskReturnRow.victim)):
            returns.setdefault(part.task_id, {})[part.victim] = part.amount_minor
    return [_record(row, steps.get(row.id, []), returns.get(row.id, {})) for row in rows]


def _step(row: TaskStepRow) -> TaskStep:
    return TaskStep(
        TaskAction(row.action),
        TaskState(row.from_state) if row.from_state else None,
        TaskState(row.to_state),
        row.actor,
        row.actor_unit,
        row.at,
        row.to_unit,
        row.note,
    )


def _record(row: TaskRow, steps: list[TaskStep], returned_to: dict[str, int]) -> TaskRecord:
    task = Task(
        id=row.id,
        kind=TaskKind(row.kind),
        state=TaskState(row.state),
        unit=row.unit,
        created_at=row.created_at,
        due_at=row.due_at,
        report_id=row.report_id,
        campaign_id=row.campaign_id,
        target=_target(row.target_kind, row.target_value, row.target_valid, row.target_raw),
        amount=_money(row.amount_minor, row.amount_currency),
        detail=row.detail,
    )
    result = None
    if row.has_result:
        result = TaskResult(
            stopped=_money(row.stopped_minor, row.stopped_currency),
            frozen=_money(row.frozen_minor, row.frozen_currency),
            returned=_money(row.returned_minor, row.returned_currency),
            returned_to=returned_to,
            note=row.result_note or "",
        )
    hold = None
    if row.hold_effective_at is not None and row.hold_expires_at is not None:
        hold = Hold(
            effective_at=row.hold_effective_at,
            expires_at=row.hold_expires_at,
            renewals=row.hold_renewals or 0,
            expiry_noticed=bool(row.hold_expiry_noticed),
            lapsed=bool(row.hold_lapsed),
            released_at=row.hold_released_at,
        )
    return TaskRecord(
        task=task,
        issuing_unit=row.issuing_unit,
        history=tuple(steps),
        result=result,
        hold=hold,
        overdue_since=row.overdue_since,
        escalation_level=row.escalation_level,
    )


# --- leads ---------------------------------------------------------------------------------------------


def add_lead(store: CaseStore, lead: Lead) -> None:
    """Store a new lead in the ledger (线索台账) with its events, each audited."""
    _refuse_nul("lead", lead.id, _lead_texts(lead))
    with Session(store.writer_engine) as session, session.begin():
        _require_units(session, {lead.id: lead.unit})
        session.add(LeadRow(**_lead_columns(lead)))
        try:
            session.flush()
        except IntegrityError as error:
            raise DuplicateOpsRecordError(f"lead {lead.id!r} already exists") from error
        _write_lead_events(session, lead, 0)


def update_lead(store: CaseStore, lead: Lead, *, read_events: int) -> None:
    """Store a lead after engine steps taken on the version with ``read_events`` events (see update_task)."""
    _refuse_nul("lead", lead.id, _lead_texts(lead))
    with Session(store.writer_engine) as session, session.begin():
        row = session.scalars(select(LeadRow).where(LeadRow.id == lead.id).with_for_update()).first()
        if row is None:
            raise OpsRecordNotFoundError("lead", lead.id)
        stored = _count(session, LeadEventRow.seq, LeadEventRow.lead_id == lead.id)
        if stored != read_events or len(lead.history) < stored:
            raise StaleRecordError(f"lead {lead.id!r} changed since it was read; read it again")
        _require_units(session, {lead.id: lead.unit})
        for name, value in _lead_columns(lead).items():
            setattr(row, name, value)
        _write_lead_events(session, lead, stored)


def get_lead(store: CaseStore, lead_id: str) -> Lead:
    """The lead with its events; raises OpsRecordNotFoundError."""
    return _one(store, "lead", lead_id, LeadRow, _load_leads)


def list_leads(
    store: CaseStore,
    *,
    units: Collection[str] | None = None,
    state: LeadState | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[Lead]:
    """Leads held by ``units`` or passed on from them (all when None), by deadline, then id."""
    query = select(LeadRow).order_by(LeadRow.due_at, LeadRow.id)
    if units is not None:
        passed = select(LeadEventRow.lead_id).where(
            LeadEventRow.action == LeadAction.PASS.value, LeadEventRow.actor_unit.in_(units)
        )
        query = query.where(or_(LeadRow.unit.in_(units), LeadRow.id.in_(passed)))
    if state is not None:
        query = query.where(LeadRow.state == LeadState(state).value)
    return _load_leads(store, query.limit(limit).offset(offset))


def _lead_columns(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "source": lead.source.value,
        "unit": lead.unit,
        "created_at": lead.created_at,
        "due_at": lead.due_at,
        "state": lead.state.value,
        "report_id": lead.report_id,
        "campaign_id": lead.campaign_id,
        **_target_columns(lead.target),
        "summary": lead.summary,
        "verdict": lead.verdict.value if lead.verdict else None,
    }


def _write_lead_events(session: Session, lead: Lead, stored: int) -> None:
    for seq, event in enumerate(lead.history[stored:], start=stored):
        session.add(
            LeadEventRow(
                lead_id=lead.id,
                seq=seq,
                action=event.action.value,
                actor=event.actor,
                actor_unit=event.actor_unit,
                at=event.at,
                to_unit=event.to_unit,
                note=event.note,
            )
        )
        detail: dict[str, Any] = {**event.audit_detail(), "at": event.at.isoformat()}
        if event.action is LeadAction.CLOSE and lead.verdict is not None:
            detail["verdict"] = lead.verdict.value
        action = event.action.value.removeprefix("lead_")
        append_event(session, event.actor, f"lead.{action}", "lead", lead.id, detail)


def _load_leads(store: CaseStore, query: Select[LeadRow]) -> list[Lead]:
    with Session(store.engine) as session:
        rows = session.scalars(query).all()
        events: dict[str, list[LeadEvent]] = {}
        for chunk in _chunks([row.id for row in rows]):
            found = select(LeadEventRow).where(LeadEventRow.lead_id.in_(chunk))
            for event in session.scalars(found.order_by(LeadEventRow.lead_id, LeadEventRow.seq)):
                events.setdefault(event.lead_id, []).append(
                    LeadEvent(
                        LeadAction(event.action),
                        event.actor,
                        event.actor_unit,
                        event.at,
                        event.to_unit,
                        event.note,
                    )
                )
    return [
        Lead(
            id=row.id,
            source=LeadSource(row.source),
            unit=row.unit,
            created_at=row.created_at,
            due_at=row.due_at,
            state=LeadState(row.state),
            history=tuple(events.get(row.id, [])),
            report_id=row.report_id,
            campaign_id=row.campaign_id,
            target=_target(row.target_kind, row.target_value, row.target_valid, row.target_raw),
            summary=row.summary,
            verdict=LeadVerdict(row.verdict) if row.verdict else None,
        )
        for row in rows
    ]


# --- warnings ------------------------------------------------------------------------------------------


def add_warning(store: CaseStore, record: WarningRecord) -> None:
    """Store a new warning (预警) and its attempts, each audited."""
    warning = record.warning
    _refuse_nul("warning", warning.id, _warning_texts(record))
    with Session(store.writer_engine) as session, session.begin():
        _require_units(session, {warning.id: warning.unit})
        target = _target_columns(warning.target)
        session.add(
            WarningRow(
                id=warning.id,
                level=warning.level.value,
                reason=warning.reason,
                unit=warning.unit,
                created_at=warning.created_at,
                issued_by=record.issued_by,
                **target,
            )
        )
        try:
            session.flush()
        except IntegrityError as error:
            raise DuplicateOpsRecordError(f"warning {warning.id!r} already exists") from error
        append_event(
            session,
            record.issued_by,
            "warning.issue",
            "warning",
            warning.id,
            {"level": warning.level.value, "unit": warning.unit, "at": warning.created_at.isoformat()},
        )
        _write_attempts(session, record, 0)


def update_warning(store: CaseStore, record: WarningRecord, *, read_attempts: int) -> None:
    """Store the attempts logged since the version with ``read_attempts`` attempts (see update_task)."""
    _refuse_nul("warning", record.warning.id, _warning_texts(record))
    with Session(store.writer_engine) as session, session.begin():
        query = select(WarningRow.id).where(WarningRow.id == record.warning.id).with_for_update()
        if session.scalar(query) is None:
            raise OpsRecordNotFoundError("warning", record.warning.id)
        stored = _count(session, WarningAttemptRow.seq, WarningAttemptRow.warning_id == record.warning.id)
        if stored != read_attempts or len(record.attempts) < stored:
            raise StaleRecordError(f"warning {record.warning.id!r} changed since it was read; read it again")
        _write_attempts(session, record, stored)


def get_warning(store: CaseStore, warning_id: str) -> WarningRecord:
    """The warning with its attempts; raises OpsRecordNotFoundError."""
    return _one(store, "warning", warning_id, WarningRow, _load_warnings)


def list_warnings(
    store: CaseStore, *, units: Collection[str] | None = None, limit: int = 100, offset: int = 0
) -> list[WarningRecord]:
    """Warnings for ``units`` to deliver (all when None), newest first."""
    query = select(WarningRow).order_by(WarningRow.created_at.desc(), WarningRow.id)
    if units is not None:
        query = query.where(WarningRow.unit.in_(units))
    return _load_warnings(store, query.limit(limit).offset(offset))


def _write_attempts(session: Session, record: WarningRecord, stored: int) -> None:
    for seq, attempt in enumerate(record.attempts[stored:], start=stored):
        session.add(
            WarningAttemptRow(
                warning_id=record.warning.id,
                seq=seq,
                at=attempt.at,
                actor=attempt.actor,
                actor_unit=attempt.actor_unit,
                method=attempt.method.value,
                outcome=attempt.outcome.value,
                note=attempt.note,
            )
        )
        detail: dict[str, Any] = {**attempt.audit_detail(), "at": attempt.at.isoformat()}
        append_event(session, attempt.actor, "warning.attempt", "warning", record.warning.id, detail)


def _load_warnings(store: CaseStore, query: Select[WarningRow]) -> list[WarningRecord]:
    with Session(store.engine) as session:
        rows = session.scalars(query).all()
        attempts: dict[str, list[WarningAttempt]] = {}
        for chunk in _chunks([row.id for row in rows]):
            found = select(WarningAttemptRow).where(WarningAttemptRow.warning_id.in_(chunk))
            order = (WarningAttemptRow.warning_id, WarningAttemptRow.seq)
            for attempt in session.scalars(found.order_by(*order)):
                attempts.setdefault(attempt.warning_id, []).append(
                    WarningAttempt(
                        attempt.at,
                        attempt.actor,
                        attempt.actor_unit,
                        DeliveryMethod(attempt.method),
                        AttemptOutcome(attempt.outcome),
                        attempt.note,
                    )
                )
    records = []
    for row in rows:
        target = _target(row.target_kind, row.target_value, row.target_valid, row.target_raw)
        assert target is not None
        warning = VictimWarning(
            id=row.id,
            level=WarningLevel(row.level),
            target=target,
            reason=row.reason,
            unit=row.unit,
            created_at=row.created_at,
        )
        records.append(WarningRecord(warning, row.issued_by, tuple(attempts.get(row.id, []))))
    return records


# --- metrics -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFacts:
    """Report facts of a period, with each report's arrival time and fraud type (for tasks that name it)."""

    facts: list[Fact]
    received_at: dict[str, datetime]
    fraud_type_of: dict[str, str]


def report_facts_between(
    store: CaseStore,
    *,
    units: Collection[str] | None,
    since: datetime | None,
    until: datetime | None,
    timezone: str = DEFAULT_TIMEZONE,
) -> ReportFacts:
    """Reports, cases, tips and losses (as :func:`fanzha.ops.report_facts` makes them) straight from the store,
    without reading any personal data. Cost: one scan of the period's reports and one of their payments."""
    zone = ZoneInfo(timezone)
    fraud_type = func.coalesce(ReportRow.classified_fraud_type, ReportRow.declared_fraud_type)
    query = select(ReportRow.id, ReportRow.kind, ReportRow.received_at, ReportRow.reporter_unit, fraud_type)
    losses = (
        select(PaymentRow.report_id, PaymentRow.currency, func.sum(PaymentRow.amount_minor))
        .join(ReportRow, ReportRow.id == PaymentRow.report_id)
        .group_by(PaymentRow.report_id, PaymentRow.currency)
    )
    for bound in _report_bounds(units, since, until):
        query, losses = query.where(bound), losses.where(bound)
    facts: list[Fact] = []
    received: dict[str, datetime] = {}
    types: dict[str, str] = {}
    with Session(store.engine) as session:
        meta: dict[str, tuple[str, str | None, Any]] = {}
        for report_id, kind, received_at, unit, code in session.execute(query):
            level1 = code.split(".", 1)[0] if code else None
            day = received_at.astimezone(zone).date()
            measure = Measure.CASES if kind == "case" else Measure.TIPS
            facts.append(Fact(Measure.REPORTS, unit, level1, day, 1, source=report_id))
            facts.append(Fact(measure, unit, level1, day, 1, source=report_id))
            meta[report_id] = (unit, level1, day)
            received[report_id] = received_at
            if code:
                types[report_id] = code
        for report_id, currency, total in session.execute(losses):
            unit, level1, day = meta[report_id]
            facts.append(Fact(Measure.LOSS, unit, level1, day, int(total), currency, report_id))
    return ReportFacts(facts, received, types)


def _report_bounds(
    units: Collection[str] | None, since: datetime | None, until: datetime | None
) -> Iterator[Any]:
    if units is not None:
        yield ReportRow.reporter_unit.in_(units)
    if since is not None:
        yield ReportRow.received_at >= since
    if until is not None:
        yield ReportRow.received_at < until


# --- helpers -------------------------------------------------------------------------------------------


def _require_units(session: Session, wanted: dict[str, str]) -> None:
    codes = set(wanted.values())
    known = set(session.scalars(select(UnitRow.code).where(UnitRow.code.in_(codes))))
    missing = {name: unit for name, unit in wanted.items() if unit not in known}
    if missing:
        raise UnknownUnitError(missing)


def _count(session: Session, column: Any, condition: Any) -> int:
    return int(session.scalar(select(func.count(column)).where(condition)) or 0)


def _chunks(items: Sequence[str], size: int = 2_000) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def record_read(store: CaseStore, actor: str, object_type: str, object_id: str) -> None:
    """Audit a read of personal data held in the operations room (a warned person's phone, …)."""
    with Session(store.writer_engine) as session, session.begin():
        append_event(session, actor, f"{object_type}.read", object_type, object_id, {})


def _refuse_nul(kind: str, record_id: str, texts: dict[str, Any]) -> None:
    bad = list(_nul_fields(texts))
    if bad:
        raise UnstorableTextError(
            f"{kind} {record_id!r}: text with a NUL character cannot be stored, nothing was written: "
            f"{', '.join(bad[:10])}"
        )


def _task_texts(record: TaskRecord) -> dict[str, Any]:
    return {
        **_task_columns(record),
        "history": [{**step.audit_detail(), "actor": step.actor} for step in record.history],
        "returned_to": list(record.result.returned_to) if record.result else [],
    }


def _lead_texts(lead: Lead) -> dict[str, Any]:
    return {
        **_lead_columns(lead),
        "history": [{**event.audit_detail(), "actor": event.actor} for event in lead.history],
    }


def _warning_texts(record: WarningRecord) -> dict[str, Any]:
    return {
        "warning": record.warning.model_dump(),
        "issued_by": record.issued_by,
        "attempts": [{**attempt.audit_detail(), "actor": attempt.actor} for attempt in record.attempts],
    }
