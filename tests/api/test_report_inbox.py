"""``GET /reports`` as the report inbox (警情): by campaign, "needs a trace", and keyset paging with ``before``."""

from __future__ import annotations

from typing import Any

import pytest
from api_world import Api

from case_reports import case, tip
from fanzha.store.cases.campaigns import CampaignStore


def _ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [line["id"] for line in answer.json()]


@pytest.fixture
def inbox(api: Api) -> Api:
    """Eight Nanshan cases (R0…R7, two pairs at the same time) and a tip; R1 and R2 in campaign CPN-R1 (R2
    first in CPN-R2, merged into it), R3 alone in CPN-R3; a stop-payment task made for R4."""
    hours = [0, 1, 1, 2, 3, 3, 4, 5]
    api.store.add_reports(
        [*[case(f"R{i}", hours=h) for i, h in enumerate(hours)], tip("T1", hours=6, reporter_unit="440305")]
    )
    with CampaignStore(api.store.engine.url.render_as_string(hide_password=False)) as campaigns:
        campaigns.save_linking({"R1": "CPN-R1", "R2": "CPN-R2", "R3": "CPN-R3"})
        campaigns.save_linking(
            {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3"},
            merges=[("CPN-R1", "CPN-R2", "R2", "phone:+8613800138000")],
        )
    task = {"kind": "stop_payment", "report_id": "R4"}
    assert api.client.post("/api/v1/tasks", json=task, headers=api.token("sz")).status_code == 201
    return api


def test_keyset_pages_cover_the_list_once_and_stay_put_when_reports_arrive(inbox: Api) -> None:
    headers = inbox.token("sz")
    whole = _ids(inbox.client.get("/api/v1/reports?limit=100", headers=headers))
    assert whole == ["T1", "R7", "R6", "R5", "R4", "R3", "R2", "R1", "R0"]  # newest first, ties by id
    pages: list[list[str]] = []
    before = None
    while True:
        query = "limit=3" + (f"&before={before}" if before else "")
        page = _ids(inbox.client.get(f"/api/v1/reports?{query}", headers=headers))
        if not page:
            break
        pages.append(page)
        before = page[-1]
        if len(pages) == 1:
            inbox.store.add_reports([case("R-NEW", hours=9)])  # arrives while the analyst reads page 1
    assert [line for page in pages for line in page] == whole
    assert [len(page) for page in pages] == [3, 3, 3]
    by_offset = _ids(inbox.client.get("/api/v1/reports?limit=3&offset=3", headers=headers))
    assert by_offset[0] == pages[0][-1]  # what offset does instead: the page slides and shows R6 again


def test_keyset_paging_needs_a_report_of_ones_own_units(inbox: Api) -> None:
    inbox.store.add_reports([case("R-SH", reporter_unit="310000")])
    headers = inbox.token("sz")
    for query in ("before=R-SH", "before=R-NOPE", "before=R3&offset=3"):
        answer = inbox.client.get(f"/api/v1/reports?{query}", headers=headers)
        assert answer.status_code == 422, query
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert _ids(inbox.client.get("/api/v1/reports?before=R-SH", headers=inbox.token("sh"))) == []


def test_by_campaign_a_merged_campaigns_id_means_the_one_it_went_into(inbox: Api) -> None:
    headers = inbox.token("sz")
    assert _ids(inbox.client.get("/api/v1/reports?campaign_id=CPN-R1", headers=headers)) == ["R2", "R1"]
    assert _ids(inbox.client.get("/api/v1/reports?campaign_id=CPN-R2", headers=headers)) == ["R2", "R1"]
    assert _ids(inbox.client.get("/api/v1/reports?campaign_id=CPN-R3", headers=headers)) == ["R3"]
    assert _ids(inbox.client.get("/api/v1/reports?campaign_id=CPN-NOPE", headers=headers)) == []
    assert _ids(inbox.client.get("/api/v1/reports?campaign_id=CPN-R1", headers=inbox.token("sh"))) == []
    lines = {line["id"]: line for line in inbox.client.get("/api/v1/reports", headers=headers).json()}
    assert {rid: line["campaign_id"] for rid, line in lines.items() if line["campaign_id"]} == {
        "R1": "CPN-R1",
        "R2": "CPN-R1",
        "R3": "CPN-R3",
    }


def test_needs_a_trace_is_payments_and_no_stop_payment_task_yet(inbox: Api) -> None:
    headers = inbox.token("sz")
    waiting = _ids(inbox.client.get("/api/v1/reports?needs_trace=true", headers=headers))
    assert waiting == ["R7", "R6", "R5", "R3", "R2", "R1", "R0"]  # not R4 (a stop-payment task), not the tip
    lines = inbox.client.get("/api/v1/reports", headers=headers).json()
    assert [line["id"] for line in lines if line["needs_trace"]] == waiting
    filtered = inbox.client.get(
        "/api/v1/reports?needs_trace=true&campaign_id=CPN-R1&limit=1", headers=headers
    )
    assert _ids(filtered) == ["R2"]
    after = inbox.client.get("/api/v1/reports?needs_trace=true&campaign_id=CPN-R1&before=R2", headers=headers)
    assert _ids(after) == ["R1"]
    inbox.client.post("/api/v1/tasks", json={"kind": "stop_payment", "report_id": "R7"}, headers=headers)
    assert "R7" not in _ids(inbox.client.get("/api/v1/reports?needs_trace=true", headers=headers))
