"""``/outcomes`` and ``/interceptions``: recorded by the units that own them, counted apart in ``/metrics``."""

from __future__ import annotations

from api_world import Api

from case_reports import case, tip


def _counts(api: Api, user: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    answer = api.client.get("/api/v1/metrics", headers=api.token(user))
    assert answer.status_code == 200, answer.text
    [group] = answer.json()["groups"] or [{"counts": {}, "money": {}}]
    return group["counts"], group["money"]


def test_outcomes_and_interceptions_count_apart(api: Api) -> None:
    api.store.add_reports(
        [case("R-NS", reporter_unit="440305", victim=None), tip("T-NS", reporter_unit="440305")]
    )
    outcome = {"report_id": "R-NS", "at": "2026-09-20T02:00:00Z", "solved": True, "suspects_arrested": 3}
    assert api.client.post("/api/v1/outcomes", json=outcome, headers=api.token("sz")).status_code == 204
    assert api.client.post("/api/v1/outcomes", json=outcome, headers=api.token("sh")).status_code == 403
    as_tip = {**outcome, "report_id": "T-NS"}
    assert api.client.post("/api/v1/outcomes", json=as_tip, headers=api.token("sz")).status_code == 422
    kept = {
        "id": "BANK-ICBC:INT-1",
        "at": "2026-09-02T03:10:00Z",
        "amount": {"amount_minor": 5_000_000},
        "source": "blocked",
    }
    first = api.client.post("/api/v1/interceptions", json=kept, headers={"X-API-Key": api.bank_key})
    assert first.json() == {"recorded": True}
    again = api.client.post("/api/v1/interceptions", json=kept, headers={"X-API-Key": api.bank_key})
    assert again.json() == {"recorded": False}
    elsewhere = {**kept, "id": "310000:INT-2", "unit": "310000"}
    assert (
        api.client.post("/api/v1/interceptions", json=elsewhere, headers=api.token("sz")).status_code == 403
    )
    counts, money = _counts(api, "sz")
    assert (counts.get("solved"), counts.get("arrested")) == (1, 3)
    assert "intercepted" not in money
    national_counts, national_money = _counts(api, "national")
    assert national_money["intercepted"] == {"CNY": 5_000_000}
    assert national_money["loss"]["CNY"] == 1_250_000
    assert national_counts["solved"] == 1
    sibling_counts, _ = _counts(api, "sh")
    assert "solved" not in sibling_counts
