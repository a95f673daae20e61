"""``/warnings``: graded warnings to potential victims (预警劝阻) — issue, log each attempt, list, read.

The warned person's identifier is personal data: masked in lists, shown in full only by ``GET /warnings/{id}``,
whose every read is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import ActorDep, ClockDep, Offset, ScopeQuery, StoreDep, TreeDep, readers, scope_unit
from fanzha.api.schemas import IdentifierIn, server_id
from fanzha.model import Identifier, WarningLevel, mask_value
from fanzha.ops import (
    Actor,
    AttemptOutcome,
    DeliveryMethod,
    InvalidOperationError,
    Resource,
    UnitTree,
    WarningRecord,
    WarningStatus,
    grade,
    issue_warning,
    may_read,
    record_attempt,
)
from fanzha.store.cases import CaseStore
from fanzha.store.cases.ops import (
    OpsRecordNotFoundError,
    add_warning,
    get_warning,
    list_warnings,
    record_read,
    update_warning,
)

router = APIRouter(prefix="/warnings", tags=["warnings"])
WarningReader = Annotated[Actor, Depends(readers(Resource.WARNING))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such warning among those you may see"}}


class WarningCreate(BaseModel):
    """A warning for a unit at or below yours to deliver; give the level, or the risk score to grade."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"score": 0.86, "target": {"kind": "phone", "value": "139 0013 9000"}, "unit": "440305",
                 "reason": "paid a mule account of campaign C-17 twice today"}
            ]
        }
    )  # fmt: skip
    level: WarningLevel | None = Field(default=None, description="high → visit, medium → call, low → SMS")
    score: float | None = Field(
        default=None, ge=0, le=1, description="risk score, graded when level is absent"
    )
    target: IdentifierIn
    reason: str = Field(min_length=1, max_length=2000)
    unit: str = Field(min_length=1, max_length=32)


class AttemptIn(BaseModel):
    """One attempt to warn the person and what came of it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"method": "call", "outcome": "dissuaded", "note": "stopped a transfer"}]
        }
    )
    method: DeliveryMethod
    outcome: AttemptOutcome
    note: str = Field(default="", max_length=2000)


class AttemptOut(BaseModel):
    """A logged attempt."""

    at: datetime
    actor: str
    actor_unit: str
    method: DeliveryMethod
    outcome: AttemptOutcome
    note: str


class WarningOut(BaseModel):
    """A warning with its status and every attempt; ``target`` is masked in lists."""

    id: str
    level: WarningLevel
    target: Identifier
    reason: str
    unit: str
    created_at: datetime
    issued_by: str
    status: WarningStatus
    required_method: DeliveryMethod
    next_method: DeliveryMethod | None
    attempts: list[AttemptOut]


def warning_out(record: WarningRecord, *, masked: bool) -> WarningOut:
    """The API view of a warning."""
    warning, target = record.warning, record.warning.target
    if masked:
        target = Identifier(kind=target.kind, value=mask_value(target.kind, target.value), valid=target.valid)
    return WarningOut(
        id=warning.id, level=warning.level, target=target, reason=warning.reason, unit=warning.unit,
        created_at=warning.created_at, issued_by=record.issued_by, status=record.status,
        required_method=record.required_method, next_method=record.next_method(),
        attempts=[AttemptOut(at=a.at, actor=a.actor, actor_unit=a.actor_unit, method=a.method, outcome=a.outcome,
                             note=a.note) for a in record.attempts],
    )  # fmt: skip


def _readable(store: CaseStore, tree: UnitTree, actor: Actor, warning_id: str) -> WarningRecord:
    record = get_warning(store, warning_id)
    if not may_read(tree, actor, Resource.WARNING, record.warning.unit):
        raise OpsRecordNotFoundError("warning", warning_id)
    return record


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WarningOut)
def issue(
    body: WarningCreate, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep, response: Response
) -> WarningOut:
    """Issue a graded warning (预警) for a unit at or below yours."""
    level = body.level or (grade(body.score) if body.score is not None else None)
    if level is None:
        raise InvalidOperationError("give a level, or a score at or above the lowest grade (field level)")
    record = issue_warning(
        tree, actor, warning_id=server_id("W"), level=level,
        target=Identifier.parse(body.target.kind, body.target.value), reason=body.reason, unit=body.unit,
        at=clock.now(),
    )  # fmt: skip
    add_warning(store, record)
    response.headers["Location"] = f"/api/v1/warnings/{record.warning.id}"
    return warning_out(record, masked=True)


@router.get("", response_model=list[WarningOut])
def list_(
    store: StoreDep,
    actor: WarningReader,
    tree: TreeDep,
    unit: ScopeQuery = None,
    status: WarningStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[WarningOut]:
    """Warnings for a unit's subtree to deliver, newest first, the person's identifier masked."""
    scope = scope_unit(tree, actor, unit)
    records = list_warnings(store, units=tree.visible_units(scope), limit=limit, offset=offset)
    return [
        warning_out(record, masked=True)
        for record in records
        if (status is None or record.status is status)
        and may_read(tree, actor, Resource.WARNING, record.warning.unit)
    ]


@router.get("/{warning_id}", response_model=WarningOut, responses=NOT_FOUND)
def get(warning_id: str, store: StoreDep, actor: ActorDep, tree: TreeDep) -> WarningOut:
    """One warning in full, the person's identifier included; the read is written to the audit log."""
    record = _readable(store, tree, actor, warning_id)
    record_read(store, actor.user_id, "warning", warning_id)
    return warning_out(record, masked=False)


@router.post(
    "/{warning_id}/attempts",
    response_model=WarningOut,
    responses={**NOT_FOUND, 409: {"description": "already resolved, or changed since it was read"}},
)
def attempt(
    warning_id: str, body: AttemptIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep
) -> WarningOut:
    """Log one attempt to warn the person (visit, call or SMS) and its outcome."""
    record = _readable(store, tree, actor, warning_id)
    updated = record_attempt(tree, record, actor, clock.now(), body.method, body.outcome, body.note)
    update_warning(store, updated, read_attempts=len(record.attempts))
    return warning_out(updated, masked=True)
