from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ops_world import FUTIAN, GUANGDONG, HANGZHOU, NANSHAN, SHENZHEN, TICK, TREE, person

from fanzha.model import Channel, Identifier, Report, ReportKind
from fanzha.ops import (
    IllegalTransitionError,
    InvalidOperationError,
    Lead,
    LeadSource,
    LeadState,
    LeadVerdict,
    LedgerCounts,
    NotPermittedError,
    Role,
    WorkingCalendar,
    close_lead,
    lead_from_tip,
    ledger,
    open_lead,
    pass_lead,
    rollup,
    start_verification,
)

MONDAY = datetime(2026, 9, 7, 2, tzinfo=UTC)
CALENDAR = WorkingCalendar()
ANALYST = person(SHENZHEN, Role.ANALYST)
NANSHAN_OFFICER = person(NANSHAN, Role.INVESTIGATOR)


def _lead(lead_id: str = "L-1", unit: str = NANSHAN) -> Lead:
    return open_lead(
        TREE,
        ANALYST,
        lead_id=lead_id,
        source=LeadSource.TIP,
        unit=unit,
        at=MONDAY,
        calendar=CALENDAR,
        report_id="RPT-0000001",
        target=Identifier.parse("phone", "+86 138 0013 8000"),
    )


def test_a_lead_is_verified_and_closed_by_its_unit() -> None:
    lead = _lead()
    assert lead.due_at == datetime(2026, 9, 16, 16, tzinfo=UTC)  # after Tue 15 Sep 2026 in Beijing
    verifying = start_verification(TREE, lead, NANSHAN_OFFICER, MONDAY + timedelta(days=1))
    closed = close_lead(
        TREE, verifying, NANSHAN_OFFICER, MONDAY + timedelta(days=2), LeadVerdict.CONFIRMED, "属实"
    )
    assert (closed.state, closed.verdict) == (LeadState.CLOSED, LeadVerdict.CONFIRMED)
    assert [event.actor for event in closed.history] == [ANALYST.user_id, *[NANSHAN_OFFICER.user_id] * 2]
    with pytest.raises(IllegalTransitionError, match="'lead_close' needs it open/verifying"):
        close_lead(TREE, closed, NANSHAN_OFFICER, MONDAY + timedelta(days=3), LeadVerdict.UNFOUNDED)


def test_only_the_assigned_unit_clears_a_lead() -> None:
    lead = _lead()
    with pytest.raises(NotPermittedError, match="only 440305"):
        close_lead(TREE, lead, person(SHENZHEN, Role.SUPERVISOR), MONDAY, LeadVerdict.UNFOUNDED)
    with pytest.raises(NotPermittedError):
        close_lead(TREE, lead, person(FUTIAN, Role.INVESTIGATOR), MONDAY, LeadVerdict.UNFOUNDED)
    with pytest.raises(NotPermittedError):
        open_lead(
            TREE,
            ANALYST,
            lead_id="L-2",
            source=LeadSource.ANALYSIS,
            unit=GUANGDONG,
            at=MONDAY,
            calendar=CALENDAR,
        )


def test_a_passed_lead_is_open_again_in_the_receiving_unit() -> None:
    lead = _lead()
    later = MONDAY + timedelta(days=3)
    passed = pass_lead(
        TREE, lead, person(NANSHAN, Role.SUPERVISOR), later, HANGZHOU, calendar=CALENDAR, note="移交"
    )
    assert (passed.unit, passed.state) == (HANGZHOU, LeadState.OPEN)
    assert passed.due_at == CALENDAR.add_working_days(later, 7)
    assert passed.passed_from() == [NANSHAN]
    with pytest.raises(NotPermittedError):
        close_lead(TREE, passed, NANSHAN_OFFICER, later, LeadVerdict.UNFOUNDED)
    hangzhou = person(HANGZHOU, Role.INVESTIGATOR)
    assert close_lead(TREE, passed, hangzhou, later, LeadVerdict.DUPLICATE).state is LeadState.CLOSED
    with pytest.raises(InvalidOperationError, match="already with"):
        pass_lead(TREE, passed, person(HANGZHOU, Role.ANALYST), later, HANGZHOU, calendar=CALENDAR)
    with pytest.raises(InvalidOperationError, match="before"):
        close_lead(TREE, passed, hangzhou, MONDAY, LeadVerdict.DUPLICATE)


def test_each_unit_sees_its_open_overdue_and_closed_leads() -> None:
    first = _lead("L-1")
    second = _lead("L-2")
    third = _lead("L-3", unit=FUTIAN)
    closed = close_lead(TREE, _lead("L-4"), NANSHAN_OFFICER, MONDAY, LeadVerdict.UNFOUNDED)
    passed = pass_lead(TREE, _lead("L-5"), person(NANSHAN, Role.ANALYST), MONDAY, HANGZHOU, calendar=CALENDAR)
    leads = [first, second, third, closed, passed]
    due = first.due_at
    on_time = ledger(leads, due)
    assert on_time[NANSHAN] == LedgerCounts(open=2, overdue=0, closed=1, passed_on=1)
    late = ledger(leads, due + TICK)
    assert late[NANSHAN] == LedgerCounts(open=2, overdue=2, closed=1, passed_on=1)
    assert late[FUTIAN] == LedgerCounts(open=1, overdue=1)
    assert late[HANGZHOU] == LedgerCounts(open=1, overdue=1)
    assert not late[NANSHAN].cleared
    totals = rollup(late, TREE)
    assert totals[SHENZHEN] == LedgerCounts(open=3, overdue=3, closed=1, passed_on=1)
    assert totals["CN"] == LedgerCounts(open=4, overdue=4, closed=1, passed_on=1)
    assert GUANGDONG in totals


def test_a_ledger_with_every_lead_closed_is_cleared_to_zero() -> None:
    leads = [
        close_lead(TREE, _lead(f"L-{index}"), NANSHAN_OFFICER, MONDAY, LeadVerdict.NO_ACTION)
        for index in range(3)
    ]
    counts = ledger(leads, MONDAY + timedelta(days=30))
    assert counts[NANSHAN].cleared
    assert counts[NANSHAN].closed == 3


def test_a_tip_opens_a_lead_in_the_unit_that_took_it() -> None:
    tip = Report(
        id="RPT-9",
        kind=ReportKind.TIP,
        channel=Channel.APP,
        received_at=MONDAY,
        reporter_unit=NANSHAN,
        identifiers=(Identifier.parse("url", "https://abc-invest.top/x"),),
    )
    lead = lead_from_tip(TREE, ANALYST, tip, lead_id="L-9", at=MONDAY, calendar=CALENDAR)
    assert (lead.unit, lead.report_id, lead.source) == (NANSHAN, "RPT-9", LeadSource.TIP)
    assert lead.target == tip.identifiers[0]
    case = tip.model_copy(update={"kind": ReportKind.CASE})
    with pytest.raises(InvalidOperationError, match="not a tip"):
        lead_from_tip(TREE, ANALYST, case, lead_id="L-10", at=MONDAY, calendar=CALENDAR)
