from __future__ import annotations

import doctest

from ops_world import FUTIAN, HANGZHOU, ICBC, MINUTE, NANSHAN, POLICY, SHENZHEN, T0, TREE, new_task, person

import fanzha.ops
from fanzha.model import TaskState
from fanzha.ops import (
    LeadSource,
    Role,
    TaskAction,
    WorkingCalendar,
    open_lead,
    pass_lead,
    transition,
    visible_leads,
    visible_tasks,
)


def test_the_package_example_runs() -> None:
    failures, tried = doctest.testmod(fanzha.ops, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0
    assert failures == 0


def test_steps_give_json_ready_audit_details() -> None:
    analyst = person(SHENZHEN, Role.ANALYST)
    record = transition(
        TREE, new_task(), TaskAction.DISPATCH, analyst, T0 + MINUTE, policy=POLICY, to_unit=ICBC
    )
    assert record.history[-1].audit_detail() == {
        "action": "dispatch",
        "from_state": "analyse",
        "to_state": "dispatched",
        "actor_unit": SHENZHEN,
        "to_unit": ICBC,
        "note": "",
    }
    assert record.history[0].audit_detail()["from_state"] is None


def test_tasks_list_by_unit_subtree() -> None:
    analyst = person(SHENZHEN, Role.ANALYST)
    nanshan = transition(
        TREE, new_task(task_id="A"), TaskAction.DISPATCH, analyst, T0, policy=POLICY, to_unit=NANSHAN
    )
    futian = transition(
        TREE, new_task(task_id="B"), TaskAction.DISPATCH, analyst, T0, policy=POLICY, to_unit=FUTIAN
    )
    records = [nanshan, futian]
    assert visible_tasks(TREE, analyst, records, unit=NANSHAN) == [nanshan]
    assert visible_tasks(TREE, analyst, records, unit=SHENZHEN) == records
    assert visible_tasks(TREE, analyst, records, unit=SHENZHEN, state=TaskState.ACCEPTED) == []


def test_a_unit_follows_up_the_leads_it_passed_on() -> None:
    calendar = WorkingCalendar()
    lead = open_lead(
        TREE,
        person(NANSHAN, Role.ANALYST),
        lead_id="L",
        source=LeadSource.TIP,
        unit=NANSHAN,
        at=T0,
        calendar=calendar,
    )
    passed = pass_lead(TREE, lead, person(NANSHAN, Role.ANALYST), T0, HANGZHOU, calendar=calendar)
    assert visible_leads(TREE, person(NANSHAN, Role.INVESTIGATOR), [passed]) == [passed]
    assert visible_leads(TREE, person(HANGZHOU, Role.INVESTIGATOR), [passed]) == [passed]
    assert visible_leads(TREE, person(FUTIAN, Role.INVESTIGATOR), [passed]) == []
    assert visible_leads(TREE, person(NANSHAN, Role.BANK_LIAISON), [passed]) == []
    assert visible_leads(TREE, person(HANGZHOU, Role.ANALYST), [passed], now=T0) == []
    assert visible_leads(TREE, person(HANGZHOU, Role.ANALYST), [passed], now=passed.due_at + MINUTE) == [
        passed
    ]
