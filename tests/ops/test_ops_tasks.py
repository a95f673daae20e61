from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ops_world import (
    ALL_ROLES,
    FUTIAN,
    GUANGDONG,
    GUANGZHOU,
    ICBC,
    MINUTE,
    NANSHAN,
    POLICY,
    SHENZHEN,
    STAFF,
    T0,
    TICK,
    TREE,
    new_task,
    person,
)

from fanzha.model import Money, TaskKind, TaskState
from fanzha.ops import (
    ACTION_SCOPE,
    TRANSITIONS,
    Actor,
    FakeClock,
    IllegalTransitionError,
    InvalidOperationError,
    Role,
    Sla,
    SlaClock,
    SlaPolicy,
    TaskAction,
    TaskRecord,
    TaskResult,
    WorkingCalendar,
    create_task,
    release_hold,
    renew_hold,
    sweep,
    transition,
    visible_tasks,
)
from fanzha.ops.units import Scope, escalation_target

ANALYST = person(SHENZHEN, Role.ANALYST)
SUPERVISOR = person(SHENZHEN, Role.SUPERVISOR)
HANDLER = person(NANSHAN, Role.INVESTIGATOR)
BANK = person(ICBC, Role.BANK_LIAISON)
CNY = "CNY"


def _money(yuan: int) -> Money:
    return Money(amount_minor=yuan * 100, currency=CNY)


def _act(
    record: TaskRecord,
    action: TaskAction,
    actor: Actor,
    at: datetime,
    *,
    to_unit: str | None = None,
    result: TaskResult | None = None,
    note: str = "",
) -> TaskRecord:
    return transition(
        TREE, record, action, actor, at, policy=POLICY, to_unit=to_unit, result=result, note=note
    )


def _done_stop_payment(at: datetime = T0, stopped: int = 5_000) -> TaskRecord:
    record = _act(new_task(TaskKind.STOP_PAYMENT), TaskAction.DISPATCH, ANALYST, at, to_unit=ICBC)
    record = _act(record, TaskAction.ACCEPT, BANK, at + MINUTE)
    record = _act(record, TaskAction.START, BANK, at + 2 * MINUTE)
    return _act(
        record, TaskAction.COMPLETE, BANK, at + 3 * MINUTE, result=TaskResult(stopped=_money(stopped))
    )


def test_the_closed_loop_records_who_and_when_for_every_step() -> None:
    record = new_task(TaskKind.FREEZE)
    assert record.state is TaskState.ANALYSE
    assert record.task.due_at == T0 + timedelta(hours=24)
    record = _act(record, TaskAction.DISPATCH, ANALYST, T0 + MINUTE, to_unit=NANSHAN)
    record = _act(record, TaskAction.ACCEPT, HANDLER, T0 + 2 * MINUTE)
    record = _act(record, TaskAction.START, HANDLER, T0 + 3 * MINUTE)
    record = _act(
        record, TaskAction.COMPLETE, HANDLER, T0 + 4 * MINUTE, result=TaskResult(frozen=_money(80_000))
    )
    record = _act(record, TaskAction.CLOSE, SUPERVISOR, T0 + 5 * MINUTE)
    assert record.state is TaskState.CLOSED
    assert record.unit == NANSHAN
    assert record.issuing_unit == SHENZHEN
    assert [(s.action, s.from_state, s.to_state, s.actor, s.actor_unit) for s in record.history] == [
        (TaskAction.CREATE, None, TaskState.ANALYSE, ANALYST.user_id, SHENZHEN),
        (TaskAction.DISPATCH, TaskState.ANALYSE, TaskState.DISPATCHED, ANALYST.user_id, SHENZHEN),
        (TaskAction.ACCEPT, TaskState.DISPATCHED, TaskState.ACCEPTED, HANDLER.user_id, NANSHAN),
        (TaskAction.START, TaskState.ACCEPTED, TaskState.IN_PROGRESS, HANDLER.user_id, NANSHAN),
        (TaskAction.COMPLETE, TaskState.IN_PROGRESS, TaskState.DONE, HANDLER.user_id, NANSHAN),
        (TaskAction.CLOSE, TaskState.DONE, TaskState.CLOSED, SUPERVISOR.user_id, SHENZHEN),
    ]
    assert [step.at for step in record.history] == [T0 + k * MINUTE for k in range(6)]
    assert record.entered(TaskState.DONE) == T0 + 4 * MINUTE
    assert record.result == TaskResult(frozen=_money(80_000))
    assert record.hold is not None
    assert record.hold.expires_at == datetime(2027, 3, 7, 2, 4, tzinfo=UTC)


def test_illegal_transitions_raise_a_clear_error_and_change_nothing() -> None:
    record = new_task()
    with pytest.raises(
        IllegalTransitionError, match=r"task 'T-1' is 'analyse': 'accept' needs it dispatched"
    ):
        _act(record, TaskAction.ACCEPT, person(SHENZHEN, *ALL_ROLES), T0)
    with pytest.raises(IllegalTransitionError, match="needs it done/rejected"):
        _act(record, TaskAction.CLOSE, SUPERVISOR, T0)
    assert record.state is TaskState.ANALYSE
    assert len(record.history) == 1
    with pytest.raises(InvalidOperationError, match="not a state transition"):
        _act(record, TaskAction.RENEW, SUPERVISOR, T0)


def test_dispatch_stays_in_the_subtree_or_goes_to_a_liaison_desk() -> None:
    record = new_task()
    with pytest.raises(InvalidOperationError, match="needs to_unit"):
        _act(record, TaskAction.DISPATCH, ANALYST, T0)
    with pytest.raises(InvalidOperationError, match="only within its own subtree"):
        _act(record, TaskAction.DISPATCH, ANALYST, T0, to_unit=GUANGZHOU)
    with pytest.raises(InvalidOperationError, match="unknown unit"):
        _act(record, TaskAction.DISPATCH, ANALYST, T0, to_unit="nowhere")
    assert _act(record, TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC).unit == ICBC
    province = person(GUANGDONG, Role.SUPERVISOR)
    assert _act(record, TaskAction.DISPATCH, province, T0, to_unit=FUTIAN).unit == FUTIAN


def test_steps_must_not_go_back_in_time() -> None:
    with pytest.raises(InvalidOperationError, match="before"):
        _act(new_task(), TaskAction.DISPATCH, ANALYST, T0 - TICK, to_unit=NANSHAN)


def test_a_rejection_needs_a_reason_and_can_be_redispatched_or_closed() -> None:
    record = _act(new_task(), TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC)
    with pytest.raises(InvalidOperationError, match="reason"):
        _act(record, TaskAction.REJECT, BANK, T0 + MINUTE)
    rejected = _act(record, TaskAction.REJECT, BANK, T0 + MINUTE, note="account not held at this bank")
    assert rejected.state is TaskState.REJECTED
    assert rejected.history[-1].note == "account not held at this bank"
    again = _act(rejected, TaskAction.REDISPATCH, ANALYST, T0 + 2 * MINUTE, to_unit="BANK-CCB")
    assert (again.state, again.unit) == (TaskState.DISPATCHED, "BANK-CCB")
    assert _act(rejected, TaskAction.CLOSE, SUPERVISOR, T0 + 2 * MINUTE).state is TaskState.CLOSED


def test_results_keep_stopped_frozen_and_returned_apart() -> None:
    record = _act(new_task(TaskKind.STOP_PAYMENT), TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC)
    record = _act(_act(record, TaskAction.ACCEPT, BANK, T0), TaskAction.START, BANK, T0)
    with pytest.raises(InvalidOperationError, match="cannot record a 'frozen' amount"):
        _act(record, TaskAction.COMPLETE, BANK, T0, result=TaskResult(frozen=_money(1)))
    nothing_left = _act(record, TaskAction.COMPLETE, BANK, T0, result=TaskResult(note="already withdrawn"))
    assert nothing_left.hold is None
    with pytest.raises(InvalidOperationError, match="only 'complete'"):
        _act(new_task(), TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC, result=TaskResult())

    returning = _act(new_task(TaskKind.RETURN_FUNDS), TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC)
    returning = _act(_act(returning, TaskAction.ACCEPT, BANK, T0), TaskAction.START, BANK, T0)
    with pytest.raises(InvalidOperationError, match="split the returned amount exactly"):
        _act(
            returning,
            TaskAction.COMPLETE,
            BANK,
            T0,
            result=TaskResult(returned=_money(3), returned_to={"V1": 100}),
        )
    done = _act(
        returning,
        TaskAction.COMPLETE,
        BANK,
        T0,
        result=TaskResult(returned=_money(3), returned_to={"V1": 200, "V2": 100}),
    )
    assert done.result is not None
    assert done.hold is None


def test_deadline_is_on_time_at_the_instant_and_overdue_just_after() -> None:
    record = _act(new_task(TaskKind.STOP_PAYMENT), TaskAction.DISPATCH, ANALYST, T0, to_unit=NANSHAN)
    due = T0 + timedelta(minutes=30)
    assert record.task.due_at == due
    at_deadline = sweep([record], due, tree=TREE, staff=STAFF, policy=POLICY)
    assert at_deadline.updated == []
    assert not record.is_overdue(due)
    just_after = sweep([record], due + TICK, tree=TREE, staff=STAFF, policy=POLICY)
    assert just_after.newly_overdue == ["T-1"]
    [escalation] = just_after.escalations
    assert (escalation.level, escalation.unit, escalation.task_unit) == (1, SHENZHEN, NANSHAN)
    assert escalation.supervisors == ("second-supervisor@440300", "supervisor@440300")
    assert escalation.at == due
    [marked] = just_after.updated
    assert (marked.overdue_since, marked.escalation_level) == (due, 1)


def test_escalation_climbs_the_tree_one_unit_per_interval_and_is_idempotent() -> None:
    record = _act(new_task(TaskKind.STOP_PAYMENT), TaskAction.DISPATCH, ANALYST, T0, to_unit=NANSHAN)
    clock = FakeClock(T0 + timedelta(minutes=30) + TICK)
    sla_clock = SlaClock(clock, TREE, STAFF, POLICY)
    units: list[str] = []
    records = [record]
    for _ in range(5):
        result = sla_clock.sweep(records)
        units += [escalation.unit for escalation in result.escalations]
        records = result.updated or records
        assert sla_clock.sweep(records).escalations == []
        clock.advance(timedelta(minutes=30))
    assert units == [SHENZHEN, GUANGDONG, "CN"]
    assert records[0].escalation_level == 3


def test_a_missed_sweep_emits_every_level_it_skipped() -> None:
    record = _act(new_task(TaskKind.STOP_PAYMENT), TaskAction.DISPATCH, ANALYST, T0, to_unit=NANSHAN)
    due = record.task.due_at
    # at exactly due + 30 min the second level is not reached yet
    result = sweep([record], due + timedelta(minutes=30), tree=TREE, staff=STAFF, policy=POLICY)
    assert [e.level for e in result.escalations] == [1]
    result = sweep([record], due + timedelta(hours=5), tree=TREE, staff=STAFF, policy=POLICY)
    assert [(e.level, e.unit, e.at) for e in result.escalations] == [
        (1, SHENZHEN, due),
        (2, GUANGDONG, due + timedelta(minutes=30)),
        (3, "CN", due + timedelta(minutes=60)),
    ]


def test_finished_tasks_are_not_overdue() -> None:
    done = _done_stop_payment()
    late = done.task.due_at + timedelta(days=1)
    assert not done.is_overdue(late)
    assert sweep([done], late, tree=TREE, staff=STAFF, policy=POLICY).escalations == []


def test_lead_analysis_is_due_after_seven_working_days() -> None:
    friday = datetime(2026, 9, 11, 2, tzinfo=UTC)  # 10:00 in Beijing
    record = new_task(TaskKind.INVESTIGATE, at=friday)
    due = datetime(2026, 9, 22, 16, tzinfo=UTC)  # Wednesday 23rd, 00:00 in Beijing
    assert record.task.due_at == due
    holiday = SlaPolicy(calendar=WorkingCalendar(holidays=frozenset({datetime(2026, 9, 14).date()})))
    assert holiday.due_at(TaskKind.INVESTIGATE, friday) == due + timedelta(days=1)
    assert sweep([record], due, tree=TREE, staff=STAFF, policy=POLICY).newly_overdue == []
    assert sweep([record], due + TICK, tree=TREE, staff=STAFF, policy=POLICY).newly_overdue == ["T-1"]


def test_deadline_can_run_from_the_report_and_slas_are_configurable() -> None:
    reported = T0 - timedelta(minutes=20)
    record = create_task(
        TREE, ANALYST, task_id="T-9", kind=TaskKind.STOP_PAYMENT, at=T0, policy=POLICY, sla_from=reported
    )
    assert record.task.due_at == reported + timedelta(minutes=30)
    faster = SlaPolicy(slas={**POLICY.slas, TaskKind.STOP_PAYMENT: Sla(duration=timedelta(minutes=15))})
    assert faster.due_at(TaskKind.STOP_PAYMENT, T0) == T0 + timedelta(minutes=15)
    with pytest.raises(ValueError, match="either"):
        Sla()
    with pytest.raises(ValueError, match="positive"):
        Sla(working_days=0)


def test_stop_payment_lapses_after_48_hours_and_renews_at_most_twice() -> None:
    record = _done_stop_payment()
    done_at = T0 + 3 * MINUTE
    assert record.hold is not None
    assert record.hold.expires_at == done_at + timedelta(hours=48)
    expiry = record.hold.expires_at
    renewed = renew_hold(TREE, record, SUPERVISOR, expiry, policy=POLICY)  # at the instant: still in force
    assert renewed.hold is not None
    assert (renewed.hold.expires_at, renewed.hold.renewals) == (expiry + timedelta(hours=48), 1)
    assert renewed.history[-1].action is TaskAction.RENEW
    twice = renew_hold(TREE, renewed, SUPERVISOR, expiry + MINUTE, policy=POLICY)
    with pytest.raises(IllegalTransitionError, match="renewed 2 times"):
        renew_hold(TREE, twice, SUPERVISOR, expiry + 2 * MINUTE, policy=POLICY)
    with pytest.raises(IllegalTransitionError, match="lapsed"):
        renew_hold(TREE, record, SUPERVISOR, expiry + TICK, policy=POLICY)
    with pytest.raises(IllegalTransitionError, match="no stop-payment or freeze"):
        renew_hold(TREE, new_task(), SUPERVISOR, T0, policy=POLICY)


def test_freezes_last_six_months_and_renew_without_limit() -> None:
    record = _act(new_task(TaskKind.FREEZE), TaskAction.DISPATCH, ANALYST, T0, to_unit=ICBC)
    record = _act(_act(record, TaskAction.ACCEPT, BANK, T0), TaskAction.START, BANK, T0)
    record = _act(record, TaskAction.COMPLETE, BANK, T0, result=TaskResult(frozen=_money(10)))
    assert record.hold is not None
    assert record.hold.expires_at == datetime(2027, 3, 7, 2, tzinfo=UTC)
    for _ in range(4):
        assert record.hold is not None
        record = renew_hold(TREE, record, SUPERVISOR, record.hold.expires_at, policy=POLICY)
    assert record.hold is not None
    assert (record.hold.renewals, record.hold.expires_at) == (4, datetime(2029, 3, 7, 2, tzinfo=UTC))


def test_sweep_warns_before_a_hold_lapses_and_reports_the_lapse_once() -> None:
    record = _done_stop_payment()
    assert record.hold is not None
    expiry = record.hold.expires_at
    assert (
        sweep([record], expiry - timedelta(hours=6) - TICK, tree=TREE, staff=STAFF, policy=POLICY).updated
        == []
    )
    warned = sweep([record], expiry - timedelta(hours=6), tree=TREE, staff=STAFF, policy=POLICY)
    [notice] = warned.expiry_notices
    assert (notice.unit, notice.lapsed, notice.renewals_left) == (SHENZHEN, False, 2)
    [record] = warned.updated
    assert sweep([record], expiry, tree=TREE, staff=STAFF, policy=POLICY).expiry_notices == []
    lapsed = sweep([record], expiry + TICK, tree=TREE, staff=STAFF, policy=POLICY)
    assert [n.lapsed for n in lapsed.expiry_notices] == [True]
    assert (
        sweep(lapsed.updated, expiry + timedelta(days=1), tree=TREE, staff=STAFF, policy=POLICY).updated == []
    )
    assert renew_hold(TREE, _done_stop_payment(), SUPERVISOR, expiry, policy=POLICY).hold is not None


def test_listing_by_state_and_overdue() -> None:
    open_task = _act(new_task(task_id="A"), TaskAction.DISPATCH, ANALYST, T0, to_unit=NANSHAN)
    finished = _done_stop_payment()
    late = T0 + timedelta(hours=1)
    records = [open_task, finished]
    assert visible_tasks(TREE, ANALYST, records, overdue_at=late) == [open_task]
    assert visible_tasks(TREE, ANALYST, records, state=TaskState.DONE) == [finished]
    assert visible_tasks(TREE, person(FUTIAN, Role.INVESTIGATOR), records) == []
    assert visible_tasks(TREE, HANDLER, records) == [open_task]


REFERENCE_EDGES = {
    (TaskState.ANALYSE, TaskState.DISPATCHED),
    (TaskState.DISPATCHED, TaskState.ACCEPTED),
    (TaskState.ACCEPTED, TaskState.IN_PROGRESS),
    (TaskState.IN_PROGRESS, TaskState.DONE),
    (TaskState.DISPATCHED, TaskState.REJECTED),
    (TaskState.ACCEPTED, TaskState.REJECTED),
    (TaskState.IN_PROGRESS, TaskState.REJECTED),
    (TaskState.REJECTED, TaskState.DISPATCHED),
    (TaskState.DONE, TaskState.CLOSED),
    (TaskState.REJECTED, TaskState.CLOSED),
}
"""The loop as the issue states it: analyse → dispatched → accepted → in progress → done / rejected → closed."""

_MOVES = sorted(TRANSITIONS)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_MOVES), max_size=25), st.sampled_from(list(TaskKind)))
def test_every_reachable_state_sequence_is_legal(actions: list[TaskAction], kind: TaskKind) -> None:
    record = new_task(kind)
    at = T0
    for action in actions:
        at += MINUTE
        owner = person(record.unit, *ALL_ROLES)
        actor = owner if ACTION_SCOPE[action] is Scope.OWNER else person(SHENZHEN, *ALL_ROLES)
        before = record
        try:
            record = _act(
                record,
                action,
                actor,
                at,
                to_unit=NANSHAN if action in (TaskAction.DISPATCH, TaskAction.REDISPATCH) else None,
                note="reason" if action is TaskAction.REJECT else "",
            )
        except IllegalTransitionError:
            assert before.state not in TRANSITIONS[action].sources
            assert record is before
        else:
            assert before.state in TRANSITIONS[action].sources
    states = [record.history[0].to_state]
    for step in record.history[1:]:
        assert step.from_state == states[-1]
        assert (step.from_state, step.to_state) in REFERENCE_EDGES
        states.append(step.to_state)
    assert states[-1] == record.state
    assert [step.at for step in record.history] == sorted(step.at for step in record.history)


def test_a_released_hold_is_neither_renewed_nor_reported_as_lapsing() -> None:
    record = _done_stop_payment()
    assert record.hold is not None
    expiry = record.hold.expires_at
    released = release_hold(TREE, record, SUPERVISOR, T0 + timedelta(hours=1), note="returned to victims")
    assert released.hold is not None
    assert released.hold.released_at == T0 + timedelta(hours=1)
    assert not released.hold.in_force(T0 + timedelta(hours=2))
    assert released.history[-1].action is TaskAction.RELEASE
    assert released.state is TaskState.DONE
    with pytest.raises(IllegalTransitionError, match="released"):
        renew_hold(TREE, released, SUPERVISOR, T0 + timedelta(hours=2), policy=POLICY)
    with pytest.raises(IllegalTransitionError, match="no stop-payment or freeze in force"):
        release_hold(TREE, released, SUPERVISOR, T0 + timedelta(hours=2))
    with pytest.raises(IllegalTransitionError, match="no stop-payment or freeze in force"):
        release_hold(TREE, record, SUPERVISOR, expiry + TICK)
    assert sweep([released], expiry + TICK, tree=TREE, staff=STAFF, policy=POLICY).expiry_notices == []


@settings(max_examples=100)
@given(
    st.lists(st.integers(min_value=0, max_value=6 * 60), min_size=1, max_size=8),
    st.sampled_from([NANSHAN, ICBC, None]),
)
def test_sweeps_at_any_times_escalate_each_level_once_up_the_chain(
    minutes: list[int], dispatch_to: str | None
) -> None:
    record = new_task(TaskKind.STOP_PAYMENT)
    if dispatch_to is not None:
        record = _act(record, TaskAction.DISPATCH, ANALYST, T0, to_unit=dispatch_to)
    due = record.task.due_at
    chain = TREE.ancestors(record.unit) or (record.unit,)
    levels: list[tuple[int, str]] = []
    last = T0
    for offset in sorted(minutes):
        last = T0 + timedelta(minutes=offset)
        result = sweep([record], last, tree=TREE, staff=STAFF, policy=POLICY)
        levels += [(escalation.level, escalation.unit) for escalation in result.escalations]
        record = result.updated[0] if result.updated else record
    overdue = last - due
    expected = 0 if overdue <= timedelta(0) else min(-(-overdue // timedelta(minutes=30)), len(chain))
    assert [level for level, _ in levels] == list(range(1, expected + 1))
    for level, escalated_to in levels:
        target = escalation_target(TREE, STAFF, record.unit, level)
        assert target is not None
        assert escalated_to == target.unit
        assert escalated_to in chain
