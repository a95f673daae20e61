"""The operations room over the API: the task loop, holds, the SLA clock on a fake clock, leads, warnings,
metrics, and errors as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_world import Api
from sqlalchemy import select
from sqlalchemy.orm import Session

from case_reports import SCAM_PHONE, case, tip
from fanzha.api.security import actor_of, issue_token
from fanzha.ops import FakeClock
from fanzha.store.cases.access import add_user, find_user_or_fail
from fanzha.store.cases.schema import AuditEventRow

PROBLEM = "application/problem+json"
T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(api: Api) -> FakeClock:
    """A fake clock the app reads its time from."""
    fake = FakeClock(T0)
    api.client.app.state.clock = fake  # type: ignore[attr-defined]
    return fake


class Caller:
    """Requests as one user or the bank's key."""

    def __init__(self, api: Api, who: str) -> None:
        self.api = api
        if who == "bank":
            self.headers = {"X-API-Key": api.bank_key}
        else:
            account = find_user_or_fail(api.store, who)
            settings = api.client.app.state.settings  # type: ignore[attr-defined]
            actor = actor_of(account.name, account.unit, account.roles)
            self.headers = {"Authorization": f"Bearer {issue_token(actor, settings, datetime.now(UTC))[0]}"}

    def post(self, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
        answer = self.api.client.post(f"/api/v1{path}", json=body or {}, headers=self.headers)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        answer = self.api.client.get(f"/api/v1{path}", params=params, headers=self.headers)
        assert answer.status_code == expect, answer.text
        return answer.json()


def _stop_payment_done(api: Api, clock: FakeClock) -> tuple[Caller, Caller, str]:
    """A stop payment made by Shenzhen and done by the bank; its id last."""
    sz, bank = Caller(api, "sz"), Caller(api, "bank")
    body = {
        "kind": "stop_payment", "sla_from": T0.isoformat(),
        "target": {"kind": "bank_account", "value": "6222 0212 3456 7890 128"},
        "amount": {"amount_minor": 5_000_000, "currency": "CNY"},
    }  # fmt: skip
    created = sz.post("/tasks", body, expect=201)
    task_id = created["id"]
    assert created["state"] == "analyse"
    assert created["due_at"] == "2026-09-07T02:30:00Z"
    clock.advance(timedelta(minutes=2))
    sz.post(f"/tasks/{task_id}/dispatch", {"to_unit": "BANK-ICBC", "note": "紧急止付"})
    for action in ("accept", "start"):
        clock.advance(timedelta(minutes=3))
        bank.post(f"/tasks/{task_id}/transitions", {"action": action})
    result = {"stopped": {"amount_minor": 4_800_000, "currency": "CNY"}, "note": "partly withdrawn already"}
    done = bank.post(f"/tasks/{task_id}/transitions", {"action": "complete", "result": result})
    assert done["state"] == "done"
    assert done["result"]["stopped"] == {"amount_minor": 4_800_000, "currency": "CNY"}
    assert done["result"]["frozen"] is None
    assert done["hold"]["expires_at"] == "2026-09-09T02:08:00Z"
    return sz, bank, task_id


def test_a_stop_payment_goes_round_the_loop_and_every_step_is_kept(api: Api, clock: FakeClock) -> None:
    sz, _, sp = _stop_payment_done(api, clock)
    national = Caller(api, "national")
    closed = national.post(f"/tasks/{sp}/transitions", {"action": "close"})
    assert [step["action"] for step in closed["history"]] == [
        "create", "dispatch", "accept", "start", "complete", "close",
    ]  # fmt: skip
    assert closed["history"][2]["actor"].startswith("key:")
    assert sz.get(f"/tasks/{sp}")["state"] == "closed"
    assert api.store.verify_audit_chain() is None


def test_a_stop_payment_hold_renews_twice_then_refuses(api: Api, clock: FakeClock) -> None:
    _, _, sp = _stop_payment_done(api, clock)
    national = Caller(api, "national")
    for renewals in (1, 2):
        assert national.post(f"/tasks/{sp}/hold/renew", {"note": "续止付"})["hold"]["renewals"] == renewals
    answer = api.client.post(f"/api/v1/tasks/{sp}/hold/renew", json={}, headers=national.headers)
    assert answer.status_code == 409
    assert answer.headers["content-type"] == PROBLEM
    assert "renewed 2 times" in answer.json()["detail"]
    released = national.post(f"/tasks/{sp}/hold/release", {"note": "money returned"})
    assert released["hold"]["released_at"] is not None


def test_errors_are_problem_json_with_the_right_status(api: Api, clock: FakeClock) -> None:
    sz = Caller(api, "sz")
    t_f = sz.post("/tasks", {"kind": "freeze"}, expect=201)["id"]
    cases = [
        (f"/tasks/{t_f}/transitions", {"action": "accept"}, 409),  # still in analyse
        (f"/tasks/{t_f}/transitions", {"action": "close"}, 403),  # needs a supervisor
        (f"/tasks/{t_f}/dispatch", {"to_unit": "310000"}, 422),  # a sibling is no target
        (f"/tasks/{t_f}/dispatch", {"to_unit": "NOWHERE"}, 422),
        (f"/tasks/{t_f}/transitions", {"action": "fly"}, 422),
        ("/tasks", {"id": t_f, "kind": "freeze"}, 422),  # ids are the server's to make
        ("/tasks/NOPE/dispatch", {"to_unit": "440305"}, 404),
    ]
    for path, body, status in cases:
        answer = api.client.post(f"/api/v1{path}", json=body, headers=sz.headers)
        assert answer.status_code == status, (path, body, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["status"] == status
    national = Caller(api, "national")
    illegal = api.client.post(
        f"/api/v1/tasks/{t_f}/transitions", json={"action": "close"}, headers=national.headers
    )
    assert illegal.status_code == 409
    assert "'close' needs it" in illegal.json()["detail"]
    bad = api.client.post(
        "/api/v1/tasks", json={"kind": "freeze", "amount": {"amount_minor": -1}}, headers=sz.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.amount.amount_minor"


def test_a_rejection_needs_a_reason(api: Api, clock: FakeClock) -> None:
    sz, ns = Caller(api, "sz"), Caller(api, "ns")
    t_i = sz.post("/tasks", {"kind": "investigate"}, expect=201)["id"]
    sz.post(f"/tasks/{t_i}/dispatch", {"to_unit": "440305"})
    ns.post(f"/tasks/{t_i}/transitions", {"action": "reject"}, expect=422)
    assert (
        ns.post(f"/tasks/{t_i}/transitions", {"action": "reject", "note": "not ours"})["state"] == "rejected"
    )
    assert (
        sz.post(f"/tasks/{t_i}/transitions", {"action": "redispatch", "to_unit": "440305"})["unit"]
        == "440305"
    )


def test_the_sla_clock_marks_overdue_and_escalates_once_on_a_fake_clock(api: Api, clock: FakeClock) -> None:
    sz, ns, national = Caller(api, "sz"), Caller(api, "ns"), Caller(api, "national")
    t_f = sz.post("/tasks", {"kind": "freeze"}, expect=201)["id"]
    sz.post(f"/tasks/{t_f}/dispatch", {"to_unit": "440305"})
    clock.advance(timedelta(hours=23))
    assert national.post("/tasks/sweep")["newly_overdue"] == []
    assert ns.get("/tasks", overdue=True) == []
    clock.advance(timedelta(hours=2))
    swept = national.post("/tasks/sweep")
    assert swept["newly_overdue"] == [t_f]
    assert [(e["unit"], e["supervisors"]) for e in swept["escalations"]] == [("CN", ["national"])]
    again = national.post("/tasks/sweep")
    assert again["escalations"] == []
    assert again["newly_overdue"] == []
    [overdue] = ns.get("/tasks", overdue=True)
    assert overdue["id"] == t_f
    assert overdue["overdue"] is True
    assert overdue["escalation_level"] == 1
    assert [e["level"] for e in sz.get(f"/tasks/{t_f}")["escalations"]] == [1]
    Caller(api, "sh").post("/tasks/sweep", expect=403)


def test_a_return_is_split_pro_rata_when_it_cannot_be_traced_to_one_victim(
    api: Api, clock: FakeClock
) -> None:
    sz, ns = Caller(api, "sz"), Caller(api, "ns")
    t_r = sz.post("/tasks", {"kind": "return_funds"}, expect=201)["id"]
    sz.post(f"/tasks/{t_r}/dispatch", {"to_unit": "440305"})
    ns.post(f"/tasks/{t_r}/transitions", {"action": "accept"})
    ns.post(f"/tasks/{t_r}/transitions", {"action": "start"})
    result = {"returned": {"amount_minor": 1001}, "traced_shares": {"V-1": 2000, "V-2": 1000}}
    done = ns.post(f"/tasks/{t_r}/transitions", {"action": "complete", "result": result})
    assert done["result"]["returned_to"] == {"V-1": 667, "V-2": 334}
    too_much = {"returned": {"amount_minor": 5000}, "traced_shares": {"V-1": 1}}
    t_r2 = sz.post("/tasks", {"kind": "return_funds"}, expect=201)["id"]
    sz.post(f"/tasks/{t_r2}/dispatch", {"to_unit": "440305"})
    ns.post(f"/tasks/{t_r2}/transitions", {"action": "accept"})
    ns.post(f"/tasks/{t_r2}/transitions", {"action": "start"})
    ns.post(f"/tasks/{t_r2}/transitions", {"action": "complete", "result": too_much}, expect=422)


def test_a_lead_is_checked_where_it_is_passed_and_the_ledger_clears(
    api: Api, clock: FakeClock, password_hash: str
) -> None:
    add_user(api.store, "ns-analyst", "ns-analyst", "440305", ["analyst"], password_hash, actor="test")
    sz, ns, sh = Caller(api, "sz"), Caller(api, "ns"), Caller(api, "sh")
    body = {
        "source": "analysis",
        "unit": "440305",
        "target": {"kind": "phone", "value": "13800138000"},
    }
    created = sz.post("/leads", body, expect=201)
    l_1 = created["id"]
    assert created["target"]["value"] == "+8613800138000"
    assert sz.get("/leads/ledger")["total"]["open"] == 1
    ns.post(f"/leads/{l_1}/verify")
    passing = {"to_unit": "310000", "note": "number registered in Shanghai"}
    ns.post(f"/leads/{l_1}/pass", passing, expect=403)  # an investigator verifies; an analyst passes on
    Caller(api, "ns-analyst").post(f"/leads/{l_1}/pass", passing)
    assert sh.get("/leads/ledger")["own"]["open"] == 1
    sh.post(f"/leads/{l_1}/close", {"verdict": "confirmed"})
    ledger = sz.get("/leads/ledger")
    assert ledger["cleared"] is True
    assert ledger["units"]["440305"]["passed_on"] == 1
    assert sh.get("/leads/ledger")["own"]["closed"] == 1
    assert sz.get(f"/leads/{l_1}")["state"] == "closed"  # followed up where it was passed on
    ns.post(f"/leads/{l_1}/close", {"verdict": "duplicate"}, expect=403)
    clock.advance(timedelta(days=30))
    l_2 = sz.post("/leads", {"source": "tip", "unit": "440305"}, expect=201)["id"]
    clock.advance(timedelta(days=30))
    assert [lead["id"] for lead in sz.get("/leads", overdue=True)] == [l_2]


def test_a_warning_is_graded_attempted_masked_in_lists_and_audited_when_read(
    api: Api, clock: FakeClock
) -> None:
    sz, ns = Caller(api, "sz"), Caller(api, "ns")
    body = {"score": 0.9, "target": {"kind": "phone", "value": "13900139000"}, "reason": "paid a mule",
            "unit": "440305"}  # fmt: skip
    issued = sz.post("/warnings", body, expect=201)
    w_1 = issued["id"]
    assert (issued["level"], issued["required_method"]) == ("high", "visit")
    assert issued["target"]["value"] != "+8613900139000"
    tried = ns.post(f"/warnings/{w_1}/attempts", {"method": "call", "outcome": "not_convinced"})
    assert tried["next_method"] == "visit"
    resolved = ns.post(f"/warnings/{w_1}/attempts", {"method": "visit", "outcome": "dissuaded"})
    assert resolved["status"] == "resolved"
    ns.post(f"/warnings/{w_1}/attempts", {"method": "sms", "outcome": "delivered"}, expect=409)
    assert ns.get("/warnings", status="resolved")[0]["target"]["value"] != "+8613900139000"
    assert ns.get(f"/warnings/{w_1}")["target"]["value"] == "+8613900139000"
    with Session(api.store.engine) as session:
        reads = session.scalars(
            select(AuditEventRow.actor).where(AuditEventRow.action == "warning.read")
        ).all()
    assert reads == ["ns"]
    sz.post("/warnings", {**body, "score": 0.01}, expect=422)


def test_metrics_keep_money_apart_and_roll_up_the_tree(api: Api, clock: FakeClock) -> None:
    api.store.add_reports([case("R-1", reporter_unit="440305"), case("R-2", reporter_unit="310000")])
    _stop_payment_done(api, clock)
    sz = Caller(api, "sz")
    figures = sz.get("/metrics", by=["unit"])
    groups = {group["unit"]: group for group in figures["groups"]}
    assert set(groups) == {"440300", "440305"}
    assert groups["440300"]["counts"]["reports"] == 1
    assert groups["440300"]["money"]["stopped"] == {"CNY": 4_800_000}
    assert "frozen" not in groups["440300"]["money"]
    assert groups["440305"]["money"]["loss"]
    [times] = figures["response_times"]
    assert (times["kind"], times["unit"], times["count"]) == ("stop_payment", "440300", 1)
    assert times["p50_seconds"] == 8 * 60
    national = Caller(api, "national").get("/metrics")
    assert national["groups"][0]["counts"]["reports"] == 2
    yoy = sz.get("/metrics/year-on-year", start="2026-01-01", end="2026-12-31")
    assert yoy["cases"] == {"current": 1, "previous": 0, "delta": 1, "ratio": None}
    assert yoy["two_down_two_up"] is False
    sz.get("/metrics", unit="310000", expect=403)
    Caller(api, "citizen").get("/metrics", expect=403)


def test_an_administrator_adds_a_user_who_can_then_sign_in(api: Api, password_hash: str) -> None:
    add_user(api.store, "admin-gd", "admin", "440000", ["admin"], password_hash, actor="test")
    admin = Caller(api, "admin-gd")
    body = {"username": "li.na", "display_name": "李娜", "unit": "440305", "roles": ["investigator"],
            "password": "a long passphrase of words"}  # fmt: skip
    created = admin.post("/users", body, expect=201)
    assert created["roles"] == ["investigator"]
    assert "password" not in created
    admin.post("/users", body, expect=409)
    admin.post("/users", {**body, "username": "x", "password": "short"}, expect=422)
    admin.post("/users", {**body, "username": "y", "unit": "310000"}, expect=403)
    signed_in = api.client.post(
        "/api/v1/auth/token", json={"username": "li.na", "password": body["password"]}
    )
    assert signed_in.status_code == 200
    assert {user["username"] for user in admin.get("/users", unit="440305")} == {"li.na", "ns", "citizen"}


def test_the_openapi_documents_every_ops_body_with_an_example(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    prefixes = ("/api/v1/tasks", "/api/v1/leads", "/api/v1/warnings", "/api/v1/users", "/api/v1/metrics")
    documented = 0
    for path, operations in spec["paths"].items():
        if not path.startswith(prefixes):
            continue
        for operation in operations.values():
            assert operation.get("description"), path
            body = operation.get("requestBody")
            if body is not None:
                name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert schemas[name].get("examples"), (path, name)
                documented += 1
    assert documented >= 12


def test_a_tip_opens_one_lead_at_the_unit_that_took_it(api: Api, clock: FakeClock) -> None:
    api.store.add_reports([tip("TIP-1", reporter_unit="440305"), case("R-1", reporter_unit="440305")])
    ns, sz, sh = Caller(api, "ns"), Caller(api, "sz"), Caller(api, "sh")
    lead = sz.post("/leads/from-tip/TIP-1", expect=201)
    assert (lead["id"], lead["unit"], lead["source"]) == ("L-TIP-1", "440305", "tip")
    assert lead["target"]["value"] == SCAM_PHONE
    sz.post("/leads/from-tip/TIP-1", expect=409)
    sz.post("/leads/from-tip/R-1", expect=422)  # a case is not a tip
    sh.post("/leads/from-tip/TIP-1", expect=404)
    assert ns.get("/leads")[0]["id"] == "L-TIP-1"
