"""The API: sign-in, reports by unit (own, child, sibling), problem+json errors, the public risk lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_world import PASSWORD, Api
from fastapi.testclient import TestClient

from case_reports import SCAM_PHONE, case, tip
from fanzha.api import create_app
from fanzha.api.security import actor_of, issue_token
from fanzha.config import Settings
from fanzha.store.cases.checkpoints import seal_for

PROBLEM = "application/problem+json"


def _report_json(report_id: str, unit: str) -> dict[str, object]:
    report = case(report_id, reporter_unit=unit, victim=None)
    return report.model_dump(mode="json")


def test_sign_in_and_me(api: Api) -> None:
    me = api.client.get("/api/v1/auth/me", headers=api.token("sz"))
    answer = me.json()
    assert {name: answer[name] for name in ("name", "unit", "roles")} == {
        "name": "sz",
        "unit": "440300",
        "roles": ["analyst", "investigator"],
    }
    assert {"report", "task", "metrics"} <= set(answer["reads"])
    bank = api.client.get("/api/v1/auth/me", headers={"X-API-Key": api.bank_key}).json()
    assert "report" not in bank["reads"]
    assert "task" in bank["reads"]


@pytest.mark.parametrize(
    ("username", "password"), [("sz", "wrong password!"), ("nobody", "correct horse battery staple")]
)
def test_wrong_credentials_are_one_answer(api: Api, username: str, password: str) -> None:
    answer = api.client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["detail"] == "wrong username or password"


def test_expired_and_forged_tokens_are_refused(api: Api) -> None:
    settings = api.client.app.state.settings  # type: ignore[attr-defined]
    old, _ = issue_token(
        actor_of("sz", "440300", ["analyst"]), settings, datetime.now(UTC) - timedelta(hours=1)
    )
    forged, _ = issue_token(
        actor_of("sz", "CN", ["supervisor"]), Settings(secret_key="x" * 40), datetime.now(UTC)
    )
    for token in (old, forged, "not-a-token"):
        answer = api.client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    assert api.client.get("/api/v1/reports").status_code == 401


def test_api_key_of_a_bank(api: Api) -> None:
    me = api.client.get("/api/v1/auth/me", headers={"X-API-Key": api.bank_key})
    assert me.json()["unit"] == "BANK-ICBC"
    assert api.client.get("/api/v1/auth/me", headers={"X-API-Key": api.bank_key + "x"}).status_code == 401
    assert api.client.get("/api/v1/reports", headers={"X-API-Key": api.bank_key}).status_code == 403


def _seed(api: Api) -> None:
    for report_id, unit, user in (("440305:R-NS", "440305", "ns"), ("310000:R-SH", "310000", "sh")):
        created = api.client.post(
            "/api/v1/reports", json=_report_json(report_id, unit), headers=api.token(user)
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"/api/v1/reports/{report_id}"


# who sees the county's report 440305:R-NS and the sibling province's R-SH
VISIBILITY = {
    "national": {"440305:R-NS", "310000:R-SH"},
    "gd": {"440305:R-NS"},
    "sz": {"440305:R-NS"},
    "ns": {"440305:R-NS"},
    "sh": {"310000:R-SH"},
}


@pytest.mark.parametrize("username", sorted(VISIBILITY))
def test_a_unit_sees_its_own_and_its_childrens_reports_never_a_siblings(api: Api, username: str) -> None:
    _seed(api)
    headers = api.token(username)
    listed = api.client.get("/api/v1/reports", headers=headers)
    assert listed.status_code == 200
    assert {line["id"] for line in listed.json()} == VISIBILITY[username]
    for report_id in ("440305:R-NS", "310000:R-SH"):
        answer = api.client.get(f"/api/v1/reports/{report_id}", headers=headers)
        assert answer.status_code == (200 if report_id in VISIBILITY[username] else 404)


def test_listing_another_units_scope_is_forbidden(api: Api) -> None:
    _seed(api)
    assert api.client.get("/api/v1/reports?unit=310000", headers=api.token("sz")).status_code == 403
    assert api.client.get("/api/v1/reports?unit=440305", headers=api.token("sz")).status_code == 200


def test_reports_only_for_units_in_ones_own_tree(api: Api) -> None:
    answer = api.client.post("/api/v1/reports", json=_report_json("R1", "310000"), headers=api.token("sz"))
    assert answer.status_code == 403
    assert (
        api.client.post(
            "/api/v1/reports", json=_report_json("R1", "440305"), headers=api.token("citizen")
        ).status_code
        == 403
    )


def test_reading_a_report_is_audited(api: Api) -> None:
    _seed(api)
    before = api.store.verify_audit_chain()
    answer = api.client.get("/api/v1/reports/440305:R-NS", headers=api.token("sz"))
    assert answer.json()["narrative"]
    assert before is None
    assert api.store.verify_audit_chain() is None


def test_the_api_checkpoints_the_audit_log_when_it_shuts_down(api: Api) -> None:
    """Issue 13, case 8: the last events of a run are anchored even between two every-N checkpoints."""
    _seed(api)
    settings = Settings(environment="test", secret_key="k" * 40)
    with TestClient(create_app(settings, store=api.store)) as client:
        answer = client.post("/api/v1/auth/token", json={"username": "sz", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert client.get("/api/v1/reports/440305:R-NS", headers=headers).status_code == 200
    events = api.store.audit_verdict().events
    assert max(c.count for c in seal_for(api.store.engine).read().checkpoints) == events


def test_listed_personal_data_is_masked(api: Api) -> None:
    report = case("440305:R-M", reporter_unit="440305").model_dump(mode="json")
    assert api.client.post("/api/v1/reports", json=report, headers=api.token("ns")).status_code == 201
    [line] = api.client.get("/api/v1/reports", headers=api.token("ns")).json()
    assert line["victim_account"] != report["victim"]["account"]  # type: ignore[index]
    assert "narrative" not in line


def test_bad_fields_are_named_in_problem_json(api: Api) -> None:
    body = _report_json("R1", "440305")
    body["payments"][0]["amount"]["amount_minor"] = -3  # type: ignore[index]
    answer = api.client.post("/api/v1/reports", json=body, headers=api.token("ns"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert [e["field"] for e in answer.json()["errors"]] == ["body.payments.0.amount.amount_minor"]


def test_batches_are_all_or_nothing_and_idempotent(api: Api) -> None:
    headers = api.token("sz")
    good = [_report_json(f"440305:B{i}", "440305") for i in range(3)]
    conflicting = [*good, {**good[0], "narrative": "another story"}]
    answer = api.client.post("/api/v1/reports/batch", json=conflicting, headers=headers)
    assert answer.status_code == 409
    assert api.client.get("/api/v1/reports", headers=headers).json() == []
    assert api.client.post("/api/v1/reports/batch", json=good, headers=headers).json()["inserted"] == 3
    again = api.client.post("/api/v1/reports/batch", json=good, headers=headers).json()
    assert (again["inserted"], again["unchanged"]) == (0, 3)


def test_units_visible_to_a_user(api: Api) -> None:
    codes = {unit["code"] for unit in api.client.get("/api/v1/units", headers=api.token("gd")).json()}
    assert codes == {"440000", "440300", "440305"}


def test_public_risk_lookup(api: Api) -> None:
    _seed(api)
    api.store.add_reports([tip("T1", reporter_unit="440305")])
    answer = api.client.get("/api/v1/identifiers/risk", params={"kind": "phone", "value": "138 0013 8000"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["value"], body["level"], body["cases"], body["tips"]) == (SCAM_PHONE, "high", 2, 1)
    assert set(body) == {
        "kind", "value", "level", "cases", "tips", "first_reported", "last_reported", "spoofable", "category",
        "reasons",
    }  # fmt: skip
    assert (
        api.client.get("/api/v1/identifiers/risk", params={"kind": "phone", "value": "95588"}).json()["level"]
        == "service"
    )
    assert (
        api.client.get(
            "/api/v1/identifiers/risk", params={"kind": "url", "value": "https://nothing.example.org/x"}
        ).json()["level"]
        == "none_reported"
    )
    assert (
        api.client.get(
            "/api/v1/identifiers/risk", params={"kind": "id_number", "value": "110101199003077777"}
        ).status_code
        == 404
    )


def test_public_lookups_are_rate_limited(api: Api) -> None:
    codes = [
        api.client.get(
            "/api/v1/identifiers/risk", params={"kind": "phone", "value": "13800138000"}
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [200] * 5
    assert codes[5] == 429


def test_openapi_describes_every_route(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/auth/token", "/api/v1/units"} <= set(
        spec["paths"]
    )
