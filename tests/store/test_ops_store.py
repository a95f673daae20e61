"""The operations room in the case store: faithful round trips, audited steps, stale writes refused, SLA sweeps."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from case_reports import UNITS
from fanzha.model import Identifier, Money, TaskKind, TaskState, Unit, UnitLevel, WarningLevel
from fanzha.ops import (
    Actor,
    AttemptOutcome,
    DeliveryMethod,
    LeadSource,
    LeadState,
    LeadVerdict,
    NotPermittedError,
    OpsError,
    Role,
    SlaPolicy,
    TaskAction,
    TaskRecord,
    TaskResult,
    UnitTree,
    WorkingCalendar,
    close_lead,
    create_task,
    issue_warning,
    open_lead,
    pass_lead,
    record_attempt,
    release_hold,
    renew_hold,
    start_verification,
    transition,
)
from fanzha.store.cases import CaseStore, UnknownUnitError
from fanzha.store.cases.access import add_user
from fanzha.store.cases.ops import (
    DuplicateOpsRecordError,
    OpsRecordNotFoundError,
    StaleRecordError,
    add_lead,
    add_task,
    add_warning,
    change_task,
    get_lead,
    get_task,
    get_warning,
    list_leads,
    list_tasks,
    list_warnings,
    report_facts_between,
    sweep_tasks,
    task_escalations,
    update_lead,
    update_task,
    update_warning,
)
from fanzha.store.cases.schema import AuditEventRow

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ALL_UNITS = [*UNITS, Unit(code="BANK-ICBC", name="工商银行反诈专席", level=UnitLevel.BANK, parent="CN")]
TREE = UnitTree(ALL_UNITS)
POLICY = SlaPolicy()
ANALYST = Actor.of("li", "440300", Role.ANALYST, Role.SUPERVISOR)
BANK = Actor.of("icbc", "BANK-ICBC", Role.BANK_LIAISON)
COUNTY = Actor.of("zhao", "440305", Role.INVESTIGATOR, Role.ANALYST)


@pytest.fixture
def store(case_store: CaseStore) -> CaseStore:
    case_store.add_units(ALL_UNITS)
    return case_store


def _audit(store: CaseStore) -> list[tuple[str, str, str]]:
    with Session(store.engine) as session:
        rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq))
        return [(row.actor, row.action, row.object_id) for row in rows]


def _freeze_done(task_id: str = "T-1") -> list[TaskRecord]:
    """The versions of a freeze task from creation to done with 1,000 yuan frozen."""
    target = Identifier.parse("bank_account", "6222 0212 3456 7890 128")
    created = create_task(
        TREE, ANALYST, task_id=task_id, kind=TaskKind.FREEZE, at=T0, policy=POLICY, target=target,
        amount=Money(amount_minor=100_000), report_id="R-1", detail={"bank": "ICBC"},
    )  # fmt: skip
    versions = [created]
    moves = [
        (TaskAction.DISPATCH, ANALYST, {"to_unit": "BANK-ICBC"}),
        (TaskAction.ACCEPT, BANK, {}),
        (TaskAction.START, BANK, {}),
        (TaskAction.COMPLETE, BANK, {"result": TaskResult(frozen=Money(amount_minor=100_000), note="ok")}),
    ]
    for minutes, (action, actor, extra) in enumerate(moves, start=1):
        versions.append(
            transition(TREE, versions[-1], action, actor, T0 + minutes * MINUTE, policy=POLICY, **extra)
        )
    return versions


def test_a_task_round_trips_through_every_step_with_each_step_audited(store: CaseStore) -> None:
    versions = _freeze_done()
    add_task(store, versions[0])
    for before, after in itertools.pairwise(versions):
        update_task(store, after, read_steps=len(before.history))
    assert get_task(store, "T-1") == versions[-1]
    renewed = renew_hold(TREE, versions[-1], ANALYST, T0 + 10 * MINUTE, policy=POLICY, note="续冻")
    update_task(store, renewed, read_steps=len(versions[-1].history))
    released = release_hold(TREE, renewed, ANALYST, T0 + 11 * MINUTE, note="返还后解冻")
    update_task(store, released, read_steps=len(renewed.history))
    assert get_task(store, "T-1") == released
    actions = [action for _, action, object_id in _audit(store) if object_id == "T-1"]
    assert actions == [
        "task.create", "task.dispatch", "task.accept", "task.start", "task.complete", "task.renew",
        "task.release",
    ]  # fmt: skip
    assert store.verify_audit_chain() is None


def test_a_return_split_across_victims_round_trips(store: CaseStore) -> None:
    created = create_task(TREE, ANALYST, task_id="T-R", kind=TaskKind.RETURN_FUNDS, at=T0, policy=POLICY)
    record = transition(TREE, created, TaskAction.DISPATCH, ANALYST, T0, policy=POLICY, to_unit="440305")
    record = transition(TREE, record, TaskAction.ACCEPT, COUNTY, T0, policy=POLICY)
    record = transition(TREE, record, TaskAction.START, COUNTY, T0, policy=POLICY)
    result = TaskResult(returned=Money(amount_minor=1001), returned_to={"V-1": 667, "V-2": 334})
    record = transition(TREE, record, TaskAction.COMPLETE, COUNTY, T0, policy=POLICY, result=result)
    add_task(store, record)
    assert get_task(store, "T-R") == record


def test_a_stale_update_is_refused_and_writes_nothing(store: CaseStore) -> None:
    versions = _freeze_done()
    add_task(store, versions[0])
    update_task(store, versions[1], read_steps=1)
    audit_before = _audit(store)
    with pytest.raises(StaleRecordError):
        update_task(store, versions[1], read_steps=1)
    assert get_task(store, "T-1") == versions[1]
    assert _audit(store) == audit_before


def test_duplicates_unknown_units_and_missing_records_are_refused(store: CaseStore) -> None:
    versions = _freeze_done()
    add_task(store, versions[0])
    with pytest.raises(DuplicateOpsRecordError):
        add_task(store, versions[0])
    stray = create_task(
        UnitTree([*ALL_UNITS, Unit(code="X", name="x", level=UnitLevel.CITY, parent="CN")]),
        Actor.of("x", "X", Role.ANALYST), task_id="T-X", kind=TaskKind.FREEZE, at=T0, policy=POLICY,
    )  # fmt: skip
    with pytest.raises(UnknownUnitError):
        add_task(store, stray)
    with pytest.raises(OpsRecordNotFoundError):
        get_task(store, "nope")
    with pytest.raises(OpsRecordNotFoundError):
        update_task(store, stray, read_steps=1)
    assert [record.id for record in list_tasks(store)] == ["T-1"]


def test_tasks_list_by_units_state_and_overdue(store: CaseStore) -> None:
    versions = _freeze_done("T-A")
    add_task(store, versions[1])
    other = create_task(
        TREE, Actor.of("sh", "310000", Role.ANALYST), task_id="T-B", kind=TaskKind.INVESTIGATE, at=T0,
        policy=POLICY,
    )  # fmt: skip
    add_task(store, other)
    assert [r.id for r in list_tasks(store, units=["440300"])] == ["T-A"]
    assert [r.id for r in list_tasks(store, units=["BANK-ICBC"])] == ["T-A"]
    assert [r.id for r in list_tasks(store, units=["310000"])] == ["T-B"]
    assert [r.id for r in list_tasks(store, state=TaskState.ANALYSE)] == ["T-B"]
    late = T0 + timedelta(hours=25)
    assert [r.id for r in list_tasks(store, overdue_at=late)] == ["T-A"]


def test_the_sla_sweep_marks_overdue_escalates_once_and_is_audited(store: CaseStore) -> None:
    add_user(store, "boss-gd", "boss", "440000", ["supervisor"], "x", actor="test")
    versions = _freeze_done()
    record = transition(TREE, versions[0], TaskAction.DISPATCH, ANALYST, T0, policy=POLICY, to_unit="440305")
    add_task(store, record)
    assert sweep_tasks(store, T0 + timedelta(hours=23), policy=POLICY).updated == []
    swept = sweep_tasks(store, T0 + timedelta(hours=25), policy=POLICY)
    assert swept.newly_overdue == ["T-1"]
    escalations = [(e.unit, e.supervisors) for e in task_escalations(store, "T-1")]
    assert escalations == [("440000", ("boss-gd",))]  # 440300 has no supervisor: passed over
    stored = get_task(store, "T-1")
    assert stored.overdue_since == record.task.due_at
    assert stored.escalation_level == 1
    again = sweep_tasks(store, T0 + timedelta(hours=25), policy=POLICY)
    assert again.updated == []
    assert again.escalations == []
    actions = [action for actor, action, _ in _audit(store) if actor == "sla-clock"]
    assert actions == ["task.overdue", "task.escalate"]


def test_the_sweep_notes_a_stop_payment_about_to_lapse(store: CaseStore) -> None:
    created = create_task(TREE, ANALYST, task_id="T-S", kind=TaskKind.STOP_PAYMENT, at=T0, policy=POLICY)
    record = transition(TREE, created, TaskAction.DISPATCH, ANALYST, T0, policy=POLICY, to_unit="BANK-ICBC")
    for action in (TaskAction.ACCEPT, TaskAction.START):
        record = transition(TREE, record, action, BANK, T0, policy=POLICY)
    result = TaskResult(stopped=Money(amount_minor=5_000))
    record = transition(TREE, record, TaskAction.COMPLETE, BANK, T0, policy=POLICY, result=result)
    add_task(store, record)
    swept = sweep_tasks(store, T0 + timedelta(hours=43), policy=POLICY)
    assert [notice.lapsed for notice in swept.expiry_notices] == [False]
    swept = sweep_tasks(store, T0 + timedelta(hours=49), policy=POLICY)
    assert [notice.lapsed for notice in swept.expiry_notices] == [True]
    hold = get_task(store, "T-S").hold
    assert hold is not None
    assert hold.lapsed


def test_a_lead_round_trips_through_pass_and_close(store: CaseStore) -> None:
    calendar = WorkingCalendar()
    lead = open_lead(
        TREE, ANALYST, lead_id="L-1", source=LeadSource.ANALYSIS, unit="440305", at=T0, calendar=calendar,
        target=Identifier.parse("phone", "13800138000"), summary="campaign C-1 key number",
    )  # fmt: skip
    add_lead(store, lead)
    verifying = start_verification(TREE, lead, COUNTY, T0 + MINUTE)
    update_lead(store, verifying, read_events=1)
    passed = pass_lead(TREE, verifying, COUNTY, T0 + 2 * MINUTE, "310000", calendar=calendar)
    update_lead(store, passed, read_events=2)
    shanghai = Actor.of("sh", "310000", Role.ANALYST)
    closed = close_lead(TREE, passed, shanghai, T0 + 3 * MINUTE, LeadVerdict.CONFIRMED, "属实")
    update_lead(store, closed, read_events=3)
    assert get_lead(store, "L-1") == closed
    with pytest.raises(StaleRecordError):
        update_lead(store, closed, read_events=3)
    assert [lead.id for lead in list_leads(store, units=["440305"])] == ["L-1"]
    assert list_leads(store, units=["440300"], state=LeadState.OPEN) == []
    assert list_leads(store, units=["BANK-ICBC"]) == []


def test_a_warning_round_trips_with_its_attempts(store: CaseStore) -> None:
    record = issue_warning(
        TREE, ANALYST, warning_id="W-1", level=WarningLevel.MEDIUM, target=Identifier.parse("phone", "13900139000"),
        reason="paid a known mule", unit="440305", at=T0,
    )  # fmt: skip
    add_warning(store, record)
    tried = record_attempt(TREE, record, ANALYST, T0 + MINUTE, DeliveryMethod.CALL, AttemptOutcome.NO_CONTACT)
    tried = record_attempt(
        TREE, tried, ANALYST, T0 + 2 * MINUTE, DeliveryMethod.CALL, AttemptOutcome.DISSUADED
    )
    update_warning(store, tried, read_attempts=0)
    assert get_warning(store, "W-1") == tried
    assert list_warnings(store, units=["310000"]) == []
    assert [w.warning.id for w in list_warnings(store, units=["440305"])] == ["W-1"]
    actions = [action for _, action, object_id in _audit(store) if object_id == "W-1"]
    assert actions == ["warning.issue", "warning.attempt", "warning.attempt"]


def test_report_facts_come_from_the_store_without_personal_data(store: CaseStore) -> None:
    from case_reports import case, tip

    store.add_reports([case("R-1"), tip("T-1")])
    found = report_facts_between(store, units=None, since=None, until=None)
    measures = sorted(fact.measure.value for fact in found.facts)
    assert measures.count("reports") == 2
    assert "loss" in measures
    assert "tips" in measures
    assert set(found.received_at) == {"R-1", "T-1"}


MOVES = [
    (TaskAction.DISPATCH, ANALYST, {"to_unit": "440305"}),
    (TaskAction.DISPATCH, ANALYST, {"to_unit": "BANK-ICBC"}),
    (TaskAction.ACCEPT, COUNTY, {}),
    (TaskAction.ACCEPT, BANK, {}),
    (TaskAction.START, COUNTY, {}),
    (TaskAction.START, BANK, {}),
    (TaskAction.COMPLETE, COUNTY, {"result": TaskResult(frozen=Money(amount_minor=7), note="n")}),
    (TaskAction.COMPLETE, BANK, {"result": TaskResult(frozen=Money(amount_minor=9, currency="USD"))}),
    (TaskAction.REJECT, COUNTY, {"note": "not ours"}),
    (TaskAction.REJECT, BANK, {"note": "account closed"}),
    (TaskAction.REDISPATCH, ANALYST, {"to_unit": "440305"}),
    (TaskAction.CLOSE, ANALYST, {}),
    (TaskAction.RENEW, ANALYST, {}),
    (TaskAction.RELEASE, ANALYST, {}),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(st.tuples(st.integers(0, len(MOVES) - 1), st.integers(0, 3 * 24 * 60)), max_size=10),
    kind=st.sampled_from([TaskKind.FREEZE, TaskKind.INVESTIGATE]),
)
def test_any_path_through_the_loop_round_trips(
    store: CaseStore, moves: list[tuple[int, int]], kind: TaskKind
) -> None:
    task_id = f"T-{uuid.uuid4().hex}"
    record = create_task(
        TREE, ANALYST, task_id=task_id, kind=kind, at=T0, policy=POLICY, detail={"k": [1, "二"]}
    )
    add_task(store, record)
    at = T0
    for index, minutes in moves:
        action, actor, extra = MOVES[index]
        at += timedelta(minutes=minutes)
        try:
            if action is TaskAction.RENEW:
                moved = renew_hold(TREE, record, actor, at, policy=POLICY)
            elif action is TaskAction.RELEASE:
                moved = release_hold(TREE, record, actor, at)
            else:
                moved = transition(TREE, record, action, actor, at, policy=POLICY, **extra)
        except OpsError:
            continue
        update_task(store, moved, read_steps=len(record.history))
        record = moved
        if index % 3 == 0:
            sweep_tasks(store, at, policy=POLICY, tree=TREE)
            record = get_task(store, task_id)
    assert get_task(store, task_id) == record
    assert store.verify_audit_chain() is None


def test_a_change_reads_and_writes_in_one_transaction_so_a_sweep_is_never_lost(store: CaseStore) -> None:
    add_user(store, "boss-gd", "boss", "440000", ["supervisor"], "x", actor="test")
    created = create_task(TREE, ANALYST, task_id="T-C", kind=TaskKind.FREEZE, at=T0, policy=POLICY)
    add_task(
        store, transition(TREE, created, TaskAction.DISPATCH, ANALYST, T0, policy=POLICY, to_unit="440305")
    )
    late = T0 + timedelta(hours=25)
    sweep_tasks(store, late, policy=POLICY)
    accepted = change_task(
        store, "T-C", lambda r: transition(TREE, r, TaskAction.ACCEPT, COUNTY, late, policy=POLICY)
    )
    assert accepted.escalation_level == 1
    assert get_task(store, "T-C") == accepted
    assert sweep_tasks(store, late, policy=POLICY).escalations == []

    def refused(record: TaskRecord) -> TaskRecord:
        return transition(TREE, record, TaskAction.CLOSE, COUNTY, late, policy=POLICY)

    with pytest.raises(NotPermittedError):
        change_task(store, "T-C", refused)
    assert get_task(store, "T-C") == accepted
    with pytest.raises(OpsRecordNotFoundError):
        change_task(store, "nope", refused)
