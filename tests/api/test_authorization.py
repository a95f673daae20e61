"""Every endpoint × role × unit (own, child, sibling, parent, bank desk): nobody reads or changes what is not theirs.

The expected answers come from a hand-written oracle (ancestors spelled out, roles listed per action), not from
the ops engine's tables, so a wrong table entry shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from api_world import Api

from case_reports import case
from fanzha.api.security import actor_of, issue_token
from fanzha.model import Identifier, IdentifierKind, TaskKind, WarningLevel
from fanzha.ops import (
    Actor,
    FakeClock,
    LeadSource,
    Role,
    SlaPolicy,
    TaskAction,
    WorkingCalendar,
    create_task,
    issue_warning,
    open_lead,
    transition,
)
from fanzha.store.cases.access import add_user
from fanzha.store.cases.ops import add_lead, add_task, add_warning, get_task, load_tree

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
ANCESTORS = {
    "CN": set(),
    "440000": {"CN"},
    "440300": {"440000", "CN"},
    "440305": {"440300", "440000", "CN"},
    "310000": {"CN"},
    "BANK-ICBC": {"CN"},
}
CASE_WORKERS = {"analyst", "investigator", "supervisor"}
EXTRA_USERS = {"sup-sz": ("440300", ["supervisor"]), "admin-gd": ("440000", ["admin"])}
USERS = {  # as tests/api/conftest.py creates them
    "national": ("CN", ["supervisor"]),
    "gd": ("440000", ["analyst"]),
    "sz": ("440300", ["analyst", "investigator"]),
    "ns": ("440305", ["investigator"]),
    "sh": ("310000", ["analyst"]),
    "citizen": ("440305", ["public"]),
}
CALLERS = {**USERS, **EXTRA_USERS}
CALLERS["bank"] = ("BANK-ICBC", ["bank_liaison"])
UNITS = ["CN", "440000", "440300", "440305", "310000", "BANK-ICBC"]

# task id → (issuing unit, holding unit)
TASKS = {
    "T-SZ": ("440300", "440300"),
    "T-NS": ("440300", "440305"),
    "T-SH": ("310000", "310000"),
    "T-BANK-SZ": ("440300", "BANK-ICBC"),
    "T-BANK-SH": ("310000", "BANK-ICBC"),
}
LEADS = {"L-SZ": "440300", "L-NS": "440305", "L-SH": "310000"}
WARNINGS = {"W-SZ": "440300", "W-NS": "440305", "W-SH": "310000"}
REPORTS = {"R-SZ": "440300", "R-NS": "440305", "R-SH": "310000"}


def sees(viewer: str, owner: str) -> bool:
    """A unit sees its own and its descendants' work."""
    return viewer == owner or viewer in ANCESTORS[owner]


@dataclass
class Caller:
    name: str
    unit: str
    roles: set[str]
    headers: dict[str, str]

    def works_cases(self) -> bool:
        return bool(self.roles & CASE_WORKERS)

    def reads_task(self, task_id: str) -> bool:
        issuer, holder = TASKS[task_id]
        if self.works_cases():
            return sees(self.unit, holder) or sees(self.unit, issuer)
        return "bank_liaison" in self.roles and self.unit == holder

    def reads(self, owner: str) -> bool:
        """Leads, warnings and reports: case workers over their subtree."""
        return self.works_cases() and sees(self.unit, owner)

    def may(self, roles: set[str], scope_ok: bool) -> bool:
        return bool(self.roles & roles) and scope_ok


@pytest.fixture
def world(api: Api, password_hash: str) -> Api:
    """Reports, tasks, leads and warnings in an own, a child, a sibling unit and the bank desk."""
    for name, (unit, roles) in EXTRA_USERS.items():
        add_user(api.store, name, name, unit, roles, password_hash, actor="test")
    api.client.app.state.clock = FakeClock(T0)  # type: ignore[attr-defined]
    tree, policy, calendar = load_tree(api.store), SlaPolicy(), WorkingCalendar()
    api.store.add_reports([case(rid, reporter_unit=unit, victim=None) for rid, unit in REPORTS.items()])
    for task_id, (issuer, holder) in TASKS.items():
        seed = Actor.of("seed", issuer, Role.ANALYST, Role.SUPERVISOR)
        record = create_task(tree, seed, task_id=task_id, kind=TaskKind.FREEZE, at=T0, policy=policy)
        if holder != issuer:
            record = transition(tree, record, TaskAction.DISPATCH, seed, T0, policy=policy, to_unit=holder)
        add_task(api.store, record)
    target = Identifier(kind=IdentifierKind.PHONE, value="+8613900139000")
    for lead_id, unit in LEADS.items():
        seed = Actor.of("seed", unit, Role.ANALYST)
        lead = open_lead(
            tree, seed, lead_id=lead_id, source=LeadSource.TIP, unit=unit, at=T0, calendar=calendar
        )
        add_lead(api.store, lead)
    for warning_id, unit in WARNINGS.items():
        seed = Actor.of("seed", unit, Role.ANALYST)
        record = issue_warning(
            tree,
            seed,
            warning_id=warning_id,
            level=WarningLevel.LOW,
            target=target,
            reason="r",
            unit=unit,
            at=T0,
        )
        add_warning(api.store, record)
    return api


def _caller(api: Api, name: str) -> Caller:
    unit, roles = CALLERS[name]
    if name == "bank":
        headers = {"X-API-Key": api.bank_key}
    else:
        settings = api.client.app.state.settings  # type: ignore[attr-defined]
        token, _ = issue_token(actor_of(name, unit, roles), settings, datetime.now(UTC))
        headers = {"Authorization": f"Bearer {token}"}
    return Caller(name, unit, set(roles), headers)


def _get(api: Api, caller: Caller, path: str, **params: Any) -> Any:
    return api.client.get(f"/api/v1{path}", params=params, headers=caller.headers)


def _post(api: Api, caller: Caller, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(f"/api/v1{path}", json=body, headers=caller.headers)


def _ids(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()}


def test_reads_show_exactly_what_the_unit_and_role_may_see(world: Api) -> None:
    for name in sorted(CALLERS):
        _walk_reads(world, _caller(world, name))


def _walk_reads(api: Api, caller: Caller) -> None:
    name = caller.name
    for objects, path, readable in (
        (TASKS, "/tasks", caller.reads_task),
        (LEADS, "/leads", lambda oid: caller.reads(LEADS[oid])),
        (WARNINGS, "/warnings", lambda oid: caller.reads(WARNINGS[oid])),
        (REPORTS, "/reports", lambda oid: caller.reads(REPORTS[oid])),
    ):
        expected = {oid for oid in objects if readable(oid)}
        for oid in objects:
            answer = _get(api, caller, f"{path}/{oid}")
            if oid in expected:
                assert answer.status_code == 200, (name, oid, answer.text)
            else:
                assert answer.status_code in (403, 404), (name, oid, answer.status_code)
                assert answer.headers["content-type"] == "application/problem+json"
        listed = _get(api, caller, path)
        if caller.works_cases() or (path == "/tasks" and "bank_liaison" in caller.roles):
            assert _ids(listed) == expected, (name, path)
        else:
            assert listed.status_code == 403, (name, path, listed.text)
        for unit in UNITS:
            scoped = _get(api, caller, path, unit=unit)
            if scoped.status_code == 200:
                assert sees(caller.unit, unit), (name, path, unit)
                assert _ids(scoped) <= expected
            else:
                assert scoped.status_code == 403, (name, path, unit, scoped.text)
    for unit in UNITS:
        for path in ("/metrics", "/leads/ledger"):
            answer = _get(api, caller, path, unit=unit)
            allowed = sees(caller.unit, unit) and (
                caller.works_cases() or (path == "/metrics" and "admin" in caller.roles)
            )
            assert answer.status_code == (200 if allowed else 403), (name, path, unit, answer.text)
    for unit in UNITS:
        users = _get(api, caller, "/users", unit=unit)
        allowed = sees(caller.unit, unit) and bool(caller.roles & {"supervisor", "admin"})
        assert users.status_code == (200 if allowed else 403), (name, unit, users.text)
        if allowed:
            assert all(sees(unit, user["unit"]) for user in users.json())
            assert all("password" not in str(user) for user in users.json())
    units = _get(api, caller, "/units")
    if units.status_code == 200:
        assert {unit["code"] for unit in units.json()} <= {u for u in UNITS if sees(caller.unit, u)}
    else:
        assert "public" in caller.roles


def _task_writes(caller: Caller, task_id: str) -> list[tuple[str, dict[str, Any], bool]]:
    issuer, holder = TASKS[task_id]
    owner, above_issuer = caller.unit == holder, sees(caller.unit, issuer)
    return [
        (
            "transitions",
            {"action": "accept"},
            caller.may({"investigator", "supervisor", "bank_liaison"}, owner),
        ),
        ("transitions", {"action": "close"}, caller.may({"supervisor"}, above_issuer)),
        ("dispatch", {"to_unit": holder}, caller.may({"analyst", "supervisor"}, above_issuer)),
        ("hold/renew", {}, caller.may({"investigator", "supervisor"}, above_issuer)),
    ]


def test_writes_outside_ones_role_or_units_are_refused_and_change_nothing(world: Api) -> None:
    """One world for every caller in turn: earlier callers' permitted moves may leave later ones a 409, never a
    2xx they were not entitled to."""
    for name in sorted(CALLERS):
        _walk_writes(world, _caller(world, name))


def _walk_writes(api: Api, caller: Caller) -> None:
    name = caller.name
    for task_id in TASKS:
        for path, body, permitted in _task_writes(caller, task_id):
            before = get_task(api.store, task_id)
            answer = _post(api, caller, f"/tasks/{task_id}/{path}", body)
            if not caller.reads_task(task_id):
                assert answer.status_code == 404, (name, task_id, path, answer.text)
            elif permitted:
                assert answer.status_code in (200, 409, 422), (name, task_id, path, answer.text)
            else:
                assert answer.status_code == 403, (name, task_id, path, answer.text)
            if answer.status_code != 200:
                assert get_task(api.store, task_id) == before
    for objects, path, body in (
        (LEADS, "verify", {}),
        (LEADS, "close", {"verdict": "unfounded"}),
        (WARNINGS, "attempts", {"method": "sms", "outcome": "failed"}),
    ):
        for oid, unit in objects.items():
            prefix = "/leads" if objects is LEADS else "/warnings"
            answer = _post(api, caller, f"{prefix}/{oid}/{path}", body)
            scope_ok = caller.unit == unit if objects is LEADS else sees(caller.unit, unit)
            if not caller.reads(unit):
                assert answer.status_code == 404, (name, oid, path, answer.text)
            elif caller.may(CASE_WORKERS, scope_ok):
                assert answer.status_code in (200, 409), (name, oid, path, answer.text)
            else:
                assert answer.status_code == 403, (name, oid, path, answer.text)
    for report_id, unit in REPORTS.items():
        answer = _post(api, caller, f"/leads/from-tip/{report_id}", {})
        assert answer.status_code == (422 if caller.reads(unit) else 404), (name, report_id, answer.text)
    for unit in UNITS:
        creations = [
            (
                "/tasks",
                {"kind": "freeze", "issuing_unit": unit},
                caller.may(CASE_WORKERS, sees(caller.unit, unit)),
            ),
            ("/leads", {"source": "tip", "unit": unit}, caller.may(CASE_WORKERS, sees(caller.unit, unit))),
            (
                "/warnings",
                {
                    "level": "low",
                    "target": {"kind": "phone", "value": "13900139000"},
                    "reason": "r",
                    "unit": unit,
                },
                caller.may({"analyst", "supervisor"}, sees(caller.unit, unit)),
            ),
            (
                "/reports",
                case(f"{unit}:R-{name}", reporter_unit=unit, victim=None).model_dump(mode="json"),
                caller.may(CASE_WORKERS, sees(caller.unit, unit)),
            ),
        ]
        user = {"username": f"u-{name}-{unit}", "display_name": "x", "unit": unit, "roles": ["analyst"],
                "password": "a long enough password"}  # fmt: skip
        creations.append(("/users", user, caller.may({"admin"}, sees(caller.unit, unit))))
        for path, body, permitted in creations:
            answer = _post(api, caller, path, body)
            assert answer.status_code == (201 if permitted else 403), (name, path, unit, answer.text)
    sweep = _post(api, caller, "/tasks/sweep", {})
    assert sweep.status_code == (200 if caller.roles & {"supervisor", "admin"} else 403)


def test_outcomes_trace_and_campaigns_follow_units_and_roles(world: Api) -> None:
    for name in sorted(CALLERS):
        caller = _caller(world, name)
        for report_id, unit in REPORTS.items():
            body = {"report_id": report_id, "at": "2026-09-20T00:00:00Z", "solved": False}
            answer = _post(world, caller, "/outcomes", body)
            if caller.may({"investigator", "supervisor"}, sees(caller.unit, unit)):
                assert answer.status_code == 204, (name, report_id, answer.text)
            else:
                assert answer.status_code in (403, 404), (name, report_id, answer.status_code)
            traced = _post(world, caller, "/trace", {"report_id": report_id})
            if not caller.reads(unit):
                assert traced.status_code in (403, 404), (name, report_id, traced.status_code)
                assert "no transactions" not in traced.text
        listed = _get(world, caller, "/campaigns")
        assert listed.status_code == (200 if caller.works_cases() else 403), (name, listed.text)
