"""``/leads``: the leads ledger (线索台账) — open, verify, pass on (移交), close (核结), and each unit's ledger.

A unit sees the leads it holds or that units below it hold, and the ones it passed on (to follow them up); a lead
it may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

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
    scope_unit,
)
from fanzha.api.schemas import IdentifierIn, server_id
from fanzha.model import Identifier
from fanzha.ops import (
    Actor,
    Lead,
    LeadSource,
    LeadState,
    LeadVerdict,
    LedgerCounts,
    Resource,
    UnitTree,
    close_lead,
    lead_from_tip,
    ledger,
    may_read,
    open_lead,
    pass_lead,
    rollup,
    start_verification,
    visible_leads,
)
from fanzha.store.cases import CaseStore, ReportNotFoundError
from fanzha.store.cases.ops import OpsRecordNotFoundError, add_lead, get_lead, list_leads, update_lead

router = APIRouter(prefix="/leads", tags=["leads"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such lead among those you may see"}}
LeadReader = Annotated[Actor, Depends(readers(Resource.LEAD))]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the lead's state does not allow this, or it changed since it was read"}
}


class LeadCreate(BaseModel):
    """A lead for a unit at or below yours to verify (7 working days by default)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"source": "analysis", "unit": "440305", "campaign_id": "C-17",
                 "target": {"kind": "phone", "value": "+86 138 0013 8000"}, "summary": "key number of C-17"}
            ]
        }
    )  # fmt: skip
    source: LeadSource
    unit: str = Field(min_length=1, max_length=32)
    report_id: str | None = Field(default=None, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=64)
    target: IdentifierIn | None = None
    summary: str = Field(default="", max_length=4000)


class PassIn(BaseModel):
    """Where a lead goes (移交)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to_unit": "310000", "note": "number in Shanghai"}]}
    )
    to_unit: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=2000)


class CloseIn(BaseModel):
    """What verification found (核查结论)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"verdict": "confirmed", "note": "属实, 已立案"}]}
    )
    verdict: LeadVerdict
    note: str = Field(default="", max_length=2000)


class LeadNote(BaseModel):
    """A note for the record."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "called the number's registered owner"}]}
    )
    note: str = Field(default="", max_length=2000)


class LeadEventOut(BaseModel):
    """One step of a lead."""

    action: str
    actor: str
    actor_unit: str
    at: datetime
    to_unit: str | None
    note: str


class LeadOut(BaseModel):
    """A lead in the ledger."""

    id: str
    source: LeadSource
    unit: str
    state: LeadState
    created_at: datetime
    due_at: datetime
    overdue: bool
    verdict: LeadVerdict | None
    report_id: str | None
    campaign_id: str | None
    target: Identifier | None
    summary: str
    history: list[LeadEventOut]


class LedgerOut(BaseModel):
    """A unit's ledger: its own leads, and with every unit below it; cleared when nothing is open (清零)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"unit": "440300", "own": {"open": 2, "overdue": 1, "closed": 7, "passed_on": 1},
                 "total": {"open": 5, "overdue": 1, "closed": 20, "passed_on": 2}, "cleared": False,
                 "units": {"440305": {"open": 3, "overdue": 0, "closed": 13, "passed_on": 1}}}
            ]
        }
    )  # fmt: skip
    unit: str
    own: dict[str, int]
    total: dict[str, int]
    cleared: bool
    units: dict[str, dict[str, int]] = Field(description="each unit's own ledger, within the subtree")


def _counts(counts: LedgerCounts) -> dict[str, int]:
    return {
        "open": counts.open,
        "overdue": counts.overdue,
        "closed": counts.closed,
        "passed_on": counts.passed_on,
    }


def lead_out(lead: Lead, now: datetime) -> LeadOut:
    """The API view of a lead at ``now``."""
    return LeadOut(
        id=lead.id, source=lead.source, unit=lead.unit, state=lead.state, created_at=lead.created_at,
        due_at=lead.due_at, overdue=lead.is_overdue(now), verdict=lead.verdict, report_id=lead.report_id,
        campaign_id=lead.campaign_id, target=lead.target, summary=lead.summary,
        history=[LeadEventOut(action=e.action.value.removeprefix("lead_"), actor=e.actor, actor_unit=e.actor_unit,
                              at=e.at, to_unit=e.to_unit, note=e.note) for e in lead.history],
    )  # fmt: skip


def _readable(store: CaseStore, tree: UnitTree, actor: Actor, lead_id: str) -> Lead:
    lead = get_lead(store, lead_id)
    if not visible_leads(tree, actor, [lead]):
        raise OpsRecordNotFoundError("lead", lead_id)
    return lead


def _apply(
    store: CaseStore, tree: UnitTree, actor: Actor, lead_id: str, now: datetime, move: Callable[[Lead], Lead]
) -> LeadOut:
    lead = _readable(store, tree, actor, lead_id)
    updated = move(lead)
    update_lead(store, updated, read_events=len(lead.history))
    return lead_out(updated, now)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LeadOut, responses={409: CONFLICT[409]})
def create(
    body: LeadCreate, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep, policy: PolicyDep,
    response: Response,
) -> LeadOut:  # fmt: skip
    """Open a lead (线索) for a unit at or below yours."""
    now = clock.now()
    target = Identifier.parse(body.target.kind, body.target.value) if body.target else None
    require_readable_report(store, tree, actor, body.report_id)
    lead = open_lead(
        tree, actor, lead_id=server_id("L"), source=body.source, unit=body.unit, at=now,
        calendar=policy.calendar, report_id=body.report_id, campaign_id=body.campaign_id, target=target,
        summary=body.summary,
    )  # fmt: skip
    add_lead(store, lead)
    response.headers["Location"] = f"/api/v1/leads/{lead.id}"
    return lead_out(lead, now)


@router.post(
    "/from-tip/{report_id}",
    status_code=status.HTTP_201_CREATED,
    response_model=LeadOut,
    responses={404: {"description": "no such report among those you may see"}, 409: CONFLICT[409]},
)
def from_tip(
    report_id: str, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep, policy: PolicyDep,
    response: Response,
) -> LeadOut:  # fmt: skip
    """Open the lead a tip (举报) calls for, at the unit that took it, aimed at the first identifier it names; its
    id is ``L-<report id>`` so a tip opens one lead however often this is called."""
    if not may_read(tree, actor, Resource.REPORT, store.report_unit(report_id)):
        raise ReportNotFoundError(report_id)
    tip = store.get_report(report_id, actor=actor.user_id)
    now = clock.now()
    lead = lead_from_tip(tree, actor, tip, lead_id=f"L-{report_id}"[:64], at=now, calendar=policy.calendar)
    add_lead(store, lead)
    response.headers["Location"] = f"/api/v1/leads/{lead.id}"
    return lead_out(lead, now)


@router.get("", response_model=list[LeadOut])
def list_(
    store: StoreDep,
    actor: LeadReader,
    tree: TreeDep,
    clock: ClockDep,
    unit: ScopeQuery = None,
    state: LeadState | None = None,
    overdue: Annotated[bool, Query(description="only leads past their deadline and still open")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[LeadOut]:
    """Leads held within a unit's subtree, or passed on from it."""
    scope = scope_unit(tree, actor, unit)
    now = clock.now()
    leads = list_leads(store, units=tree.visible_units(scope), state=state, limit=limit, offset=offset)
    return [lead_out(lead, now) for lead in visible_leads(tree, actor, leads, now=now if overdue else None)]


@router.get("/ledger", response_model=LedgerOut)
def unit_ledger(
    store: StoreDep,
    actor: LeadReader,
    tree: TreeDep,
    clock: ClockDep,
    unit: ScopeQuery = None,
) -> LedgerOut:
    """A unit's ledger of open, overdue, closed and passed-on leads, its own and with its subtree's."""
    scope = scope_unit(tree, actor, unit)
    now = clock.now()
    counts = {
        code: own
        for code, own in ledger(
            list_leads(store, units=tree.visible_units(scope), limit=1_000_000), now
        ).items()
        if tree.can_see(scope, code)
    }
    totals = rollup(counts, tree)
    total = totals.get(scope, LedgerCounts())
    return LedgerOut(
        unit=scope, own=_counts(counts.get(scope, LedgerCounts())), total=_counts(total), cleared=total.cleared,
        units={code: _counts(own) for code, own in sorted(counts.items())},
    )  # fmt: skip


@router.get("/{lead_id}", response_model=LeadOut, responses=NOT_FOUND)
def get(lead_id: str, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep) -> LeadOut:
    """One lead with its history."""
    return lead_out(_readable(store, tree, actor, lead_id), clock.now())


@router.post("/{lead_id}/verify", response_model=LeadOut, responses={**NOT_FOUND, **CONFLICT})
def verify(
    lead_id: str, body: LeadNote, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep
) -> LeadOut:
    """Start verifying a lead (核查); only its assigned unit may."""
    now = clock.now()
    return _apply(
        store, tree, actor, lead_id, now, lambda lead: start_verification(tree, lead, actor, now, body.note)
    )


@router.post("/{lead_id}/pass", response_model=LeadOut, responses={**NOT_FOUND, **CONFLICT})
def pass_on(
    lead_id: str, body: PassIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep,
    policy: PolicyDep,
) -> LeadOut:  # fmt: skip
    """Pass a lead to another unit (移交), where it is open again with a fresh deadline."""
    now = clock.now()
    return _apply(
        store, tree, actor, lead_id, now,
        lambda lead: pass_lead(tree, lead, actor, now, body.to_unit, calendar=policy.calendar, note=body.note),
    )  # fmt: skip


@router.post("/{lead_id}/close", response_model=LeadOut, responses={**NOT_FOUND, **CONFLICT})
def close(
    lead_id: str, body: CloseIn, store: StoreDep, actor: ActorDep, tree: TreeDep, clock: ClockDep
) -> LeadOut:
    """Close a lead with a verdict (核结); only its assigned unit may."""
    now = clock.now()
    return _apply(
        store,
        tree,
        actor,
        lead_id,
        now,
        lambda lead: close_lead(tree, lead, actor, now, body.verdict, body.note),
    )
