"""The leads ledger (线索台账): every tip and every lead an analysis produces, until its unit clears it.

A lead is assigned to one unit, which verifies it (核查) and closes it with a verdict; a lead passed to another
unit (移交) is open again there with a fresh deadline and must be checked there one by one. A unit's ledger is
"cleared to zero" (清零) when it holds no open lead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from fanzha.model import Identifier, Report, ReportKind
from fanzha.ops.clock import require_aware
from fanzha.ops.errors import IllegalTransitionError, InvalidOperationError
from fanzha.ops.sla import Sla
from fanzha.ops.units import Actor, LeadAction, Resource, UnitTree, authorize, may_read
from fanzha.ops.workdays import WorkingCalendar

DEFAULT_LEAD_SLA = Sla(working_days=7)
"""Time a unit has to verify and close a lead (线索核查): 7 working days."""


class LeadSource(StrEnum):
    """Where a lead came from."""

    TIP = "tip"  # 群众举报
    ANALYSIS = "analysis"  # 研判产出: a campaign, a key identifier, a mule account


class LeadState(StrEnum):
    """Where a lead stands in its unit."""

    OPEN = "open"
    VERIFYING = "verifying"  # 核查中
    CLOSED = "closed"  # 核结


class LeadVerdict(StrEnum):
    """What verification found."""

    CONFIRMED = "confirmed"  # 属实
    UNFOUNDED = "unfounded"  # 不属实
    DUPLICATE = "duplicate"  # 重复线索
    NO_ACTION = "no_action"  # 无法核实 / 无需处置


@dataclass(frozen=True, slots=True)
class LeadEvent:
    """One step in a lead's life."""

    action: LeadAction
    actor: str
    actor_unit: str
    at: datetime
    to_unit: str | None = None
    note: str = ""

    def audit_detail(self) -> dict[str, str | None]:
        """The event as JSON-ready ``detail`` for the audit log."""
        return {
            "action": self.action.value,
            "actor_unit": self.actor_unit,
            "to_unit": self.to_unit,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Lead:
    """A lead in the ledger, assigned to ``unit`` with a deadline."""

    id: str
    source: LeadSource
    unit: str
    created_at: datetime
    due_at: datetime
    state: LeadState
    history: tuple[LeadEvent, ...]
    report_id: str | None = None
    campaign_id: str | None = None
    target: Identifier | None = None
    summary: str = ""
    verdict: LeadVerdict | None = None

    def is_overdue(self, now: datetime) -> bool:
        """True when the lead is not closed and ``now`` is past its deadline."""
        return self.state is not LeadState.CLOSED and now > self.due_at

    def passed_from(self) -> list[str]:
        """Units that passed the lead on, in order."""
        return [event.actor_unit for event in self.history if event.action is LeadAction.PASS]


def open_lead(
    tree: UnitTree,
    actor: Actor,
    *,
    lead_id: str,
    source: LeadSource,
    unit: str,
    at: datetime,
    calendar: WorkingCalendar,
    sla: Sla = DEFAULT_LEAD_SLA,
    report_id: str | None = None,
    campaign_id: str | None = None,
    target: Identifier | None = None,
    summary: str = "",
) -> Lead:
    """A new open lead assigned to ``unit`` (the actor's unit or one below it)."""
    authorize(tree, actor, LeadAction.OPEN, unit)
    at = require_aware(at)
    event = LeadEvent(LeadAction.OPEN, actor.user_id, actor.unit, at, unit)
    return Lead(
        id=lead_id,
        source=source,
        unit=unit,
        created_at=at,
        due_at=sla.due_at(at, calendar),
        state=LeadState.OPEN,
        history=(event,),
        report_id=report_id,
        campaign_id=campaign_id,
        target=target,
        summary=summary,
    )


def lead_from_tip(
    tree: UnitTree,
    actor: Actor,
    tip: Report,
    *,
    lead_id: str,
    at: datetime,
    calendar: WorkingCalendar,
    sla: Sla = DEFAULT_LEAD_SLA,
) -> Lead:
    """The lead a tip (举报) opens in the unit that took it, aimed at the first identifier it names."""
    if tip.kind is not ReportKind.TIP:
        raise InvalidOperationError(f"report {tip.id!r} is a {tip.kind.value}, not a tip")
    return open_lead(
        tree,
        actor,
        lead_id=lead_id,
        source=LeadSource.TIP,
        unit=tip.reporter_unit,
        at=at,
        calendar=calendar,
        sla=sla,
        report_id=tip.id,
        target=tip.identifiers[0] if tip.identifiers else None,
    )


def start_verification(tree: UnitTree, lead: Lead, actor: Actor, at: datetime, note: str = "") -> Lead:
    """The lead being verified (核查中) by its assigned unit."""
    authorize(tree, actor, LeadAction.VERIFY, lead.unit)
    _require_state(lead, LeadAction.VERIFY, LeadState.OPEN)
    event = LeadEvent(LeadAction.VERIFY, actor.user_id, actor.unit, _after_last(lead, at), None, note)
    return replace(lead, state=LeadState.VERIFYING, history=(*lead.history, event))


def close_lead(
    tree: UnitTree, lead: Lead, actor: Actor, at: datetime, verdict: LeadVerdict, note: str = ""
) -> Lead:
    """The lead closed with ``verdict`` by its assigned unit (only that unit may close it)."""
    authorize(tree, actor, LeadAction.CLOSE, lead.unit)
    _require_state(lead, LeadAction.CLOSE, LeadState.OPEN, LeadState.VERIFYING)
    event = LeadEvent(LeadAction.CLOSE, actor.user_id, actor.unit, _after_last(lead, at), None, note)
    return replace(lead, state=LeadState.CLOSED, verdict=verdict, history=(*lead.history, event))


def pass_lead(
    tree: UnitTree,
    lead: Lead,
    actor: Actor,
    at: datetime,
    to_unit: str,
    *,
    calendar: WorkingCalendar,
    sla: Sla = DEFAULT_LEAD_SLA,
    note: str = "",
) -> Lead:
    """The lead passed (移交) to ``to_unit``, open there with a deadline counted from ``at``."""
    authorize(tree, actor, LeadAction.PASS, lead.unit)
    _require_state(lead, LeadAction.PASS, LeadState.OPEN, LeadState.VERIFYING)
    if to_unit not in tree:
        raise InvalidOperationError(f"lead {lead.id!r}: unknown unit {to_unit!r}")
    if to_unit == lead.unit:
        raise InvalidOperationError(f"lead {lead.id!r} is already with {to_unit!r}")
    at = _after_last(lead, at)
    event = LeadEvent(LeadAction.PASS, actor.user_id, actor.unit, at, to_unit, note)
    return replace(
        lead,
        unit=to_unit,
        state=LeadState.OPEN,
        due_at=sla.due_at(at, calendar),
        history=(*lead.history, event),
    )


def visible_leads(
    tree: UnitTree, actor: Actor, leads: Iterable[Lead], *, now: datetime | None = None
) -> list[Lead]:
    """The leads ``actor`` may read: held within its subtree, or passed on from there (to follow them up);
    only those overdue at ``now`` when given."""
    return [
        lead
        for lead in leads
        if (now is None or lead.is_overdue(now))
        and (
            may_read(tree, actor, Resource.LEAD, lead.unit)
            or any(may_read(tree, actor, Resource.LEAD, unit) for unit in lead.passed_from())
        )
    ]


def _require_state(lead: Lead, action: LeadAction, *states: LeadState) -> None:
    if lead.state not in states:
        allowed = "/".join(states)
        raise IllegalTransitionError(f"lead {lead.id!r} is '{lead.state}': '{action}' needs it {allowed}")


def _after_last(lead: Lead, at: datetime) -> datetime:
    at = require_aware(at)
    if at < lead.history[-1].at:
        raise InvalidOperationError(f"lead {lead.id!r}: step at {at.isoformat()} is before the last one")
    return at


@dataclass(frozen=True, slots=True)
class LedgerCounts:
    """A unit's ledger: leads open (of which overdue), closed by it, and passed on to other units."""

    open: int = 0
    overdue: int = 0
    closed: int = 0
    passed_on: int = 0

    @property
    def cleared(self) -> bool:
        """True when no lead is open: the ledger is cleared to zero (清零)."""
        return self.open == 0

    def __add__(self, other: LedgerCounts) -> LedgerCounts:
        return LedgerCounts(
            self.open + other.open,
            self.overdue + other.overdue,
            self.closed + other.closed,
            self.passed_on + other.passed_on,
        )


def ledger(leads: Iterable[Lead], now: datetime) -> dict[str, LedgerCounts]:
    """Each unit's own ledger at ``now``: open and overdue leads it holds, leads it closed or passed on."""
    now = require_aware(now)
    open_: dict[str, int] = {}
    overdue: dict[str, int] = {}
    closed: dict[str, int] = {}
    passed: dict[str, int] = {}
    for lead in leads:
        if lead.state is LeadState.CLOSED:
            closed[lead.unit] = closed.get(lead.unit, 0) + 1
        else:
            open_[lead.unit] = open_.get(lead.unit, 0) + 1
            if now > lead.due_at:
                overdue[lead.unit] = overdue.get(lead.unit, 0) + 1
        for unit in lead.passed_from():
            passed[unit] = passed.get(unit, 0) + 1
    units = open_.keys() | closed.keys() | passed.keys()
    return {
        unit: LedgerCounts(open_.get(unit, 0), overdue.get(unit, 0), closed.get(unit, 0), passed.get(unit, 0))
        for unit in units
    }


def rollup(counts: Mapping[str, LedgerCounts], tree: UnitTree) -> dict[str, LedgerCounts]:
    """Ledgers including every descendant's, for each unit that has or is above one with leads.

    O(units with leads × tree depth).
    """
    totals: dict[str, LedgerCounts] = {}
    for unit, own in counts.items():
        for code in (unit, *tree.ancestors(unit)):
            totals[code] = totals.get(code, LedgerCounts()) + own
    return totals
