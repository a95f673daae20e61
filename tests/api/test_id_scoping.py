"""Ids never tell one unit what another holds (issue 13, case 6).

Tasks, leads and warnings get ids the server makes; report and interception ids a client chooses open with
their unit's code. Either way, a POST naming an id another unit uses answers exactly as one naming a fresh id.
"""

from __future__ import annotations

from typing import Any

from api_world import Api

from case_reports import case

TASK = {"kind": "investigate"}
LEAD = {"source": "analysis", "unit": "310000", "summary": "a number"}
WARNING = {"level": "low", "target": {"kind": "phone", "value": "139 0013 9000"}, "reason": "paid a mule"}


def _answer(response: Any) -> tuple[int, list[str]]:
    body = response.json()
    return response.status_code, [error["field"] for error in body.get("errors", [])]


def test_tasks_leads_and_warnings_get_server_made_ids_and_refuse_a_chosen_one(api: Api) -> None:
    sz, sh = api.token("sz"), api.token("sh")
    for path, body in (
        ("tasks", TASK),
        ("leads", {**LEAD, "unit": "440305"}),
        ("warnings", {**WARNING, "unit": "440305"}),
    ):
        made = api.client.post(f"/api/v1/{path}", json=body, headers=sz)
        assert made.status_code == 201, made.text
        taken = made.json()["id"]
        assert api.client.get(f"/api/v1/{path}/{taken}", headers=sh).status_code == 404
        theirs = {**body, "unit": "310000"} if "unit" in body else body
        elsewhere = api.client.post(f"/api/v1/{path}", json={**theirs, "id": taken}, headers=sh)
        fresh = api.client.post(f"/api/v1/{path}", json={**theirs, "id": f"{path}-never-used"}, headers=sh)
        assert _answer(elsewhere) == _answer(fresh) == (422, ["body.id"])
        again = api.client.post(f"/api/v1/{path}", json=theirs, headers=sh)
        assert again.status_code == 201, again.text
        assert again.json()["id"] != taken


def test_a_report_id_taken_elsewhere_answers_as_a_fresh_one(api: Api) -> None:
    ns = case("440305:R1", reporter_unit="440305", victim=None).model_dump(mode="json")
    assert api.client.post("/api/v1/reports", json=ns, headers=api.token("ns")).status_code == 201
    sh = api.token("sh")
    for chosen in ("440305:R1", "440305:R-FRESH"):
        body = {**ns, "id": chosen, "reporter_unit": "310000", "narrative": "another story"}
        assert _answer(api.client.post("/api/v1/reports", json=body, headers=sh)) == (422, ["body.id"])
    mine = {**ns, "id": "310000:R1", "reporter_unit": "310000"}
    created = api.client.post("/api/v1/reports", json=mine, headers=sh)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/reports/310000:R1"
    assert api.client.get("/api/v1/reports/310000:R1", headers=sh).status_code == 200
    batch = api.client.post("/api/v1/reports/batch", json=[mine, {**mine, "id": "R2"}], headers=sh)
    assert _answer(batch) == (422, ["body.1.id"])


def test_an_interception_id_taken_elsewhere_answers_as_a_fresh_one(api: Api) -> None:
    kept = {"at": "2026-09-02T03:10:00Z", "amount": {"amount_minor": 5_000_000}, "source": "blocked"}
    bank = {"X-API-Key": api.bank_key}
    first = api.client.post("/api/v1/interceptions", json={**kept, "id": "BANK-ICBC:1"}, headers=bank)
    assert first.json() == {"recorded": True}
    sh = api.token("sh")
    elsewhere, fresh = (
        _answer(api.client.post("/api/v1/interceptions", json={**kept, "id": chosen}, headers=sh))
        for chosen in ("BANK-ICBC:1", "BANK-ICBC:2")
    )
    assert elsewhere == fresh == (422, ["body.id"])
    mine = api.client.post("/api/v1/interceptions", json={**kept, "id": "310000:1"}, headers=sh)
    assert mine.json() == {"recorded": True}


def test_a_task_or_lead_naming_another_units_report_is_refused_as_a_missing_one(api: Api) -> None:
    """Issue 13, case 7: a task could be made on a sibling unit's report (201) and so confirm it exists."""
    api.store.add_reports([case("R-SH", reporter_unit="310000"), case("R-NS", reporter_unit="440305")])
    sz = api.token("sz")
    for path, body in (("tasks", {"kind": "stop_payment"}), ("leads", {"source": "tip", "unit": "440305"})):
        sibling, missing = (
            api.client.post(f"/api/v1/{path}", json={**body, "report_id": report}, headers=sz)
            for report in ("R-SH", "R-NOWHERE")
        )
        assert _answer(sibling) == _answer(missing) == (422, ["body.report_id"])
        assert sibling.json()["detail"].replace("R-SH", "R-NOWHERE") == missing.json()["detail"]
        mine = api.client.post(f"/api/v1/{path}", json={**body, "report_id": "R-NS"}, headers=sz)
        assert mine.status_code == 201, mine.text
    assert [
        task["report_id"] for task in api.client.get("/api/v1/tasks", headers=api.token("national")).json()
    ] == ["R-NS"]
