"""``POST /trace``: a victim's payments in, the freeze list out; by payments or by a stored report in one's units."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from api_world import Api

from fanzha.config import get_settings
from fanzha.model import Report, mask_value
from fanzha.sim import generate_scenario
from fanzha.store.flows import FlowStore


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny scenario, generated once for this module."""
    path = tmp_path_factory.mktemp("trace-api") / "scenario"
    generate_scenario(path, "tiny", seed=5)
    return path


def _victim(scenario: Path) -> Report:
    """The case with the most money still traceable: a payment with at least three hops in the truth."""
    paths = pq.read_table(scenario / "truth" / "paths.parquet").to_pylist()
    deep = {row["report_id"] for row in paths if row["hop"] >= 3}
    reports = [
        Report.model_validate_json(line)
        for line in (scenario / "reports.jsonl").read_text("utf-8").splitlines()
    ]
    return next(report for report in reports if report.id in deep and report.payments)


def _load_flows(api: Api, scenario: Path) -> None:
    flows = FlowStore.from_settings(get_settings())
    for part in sorted((scenario / "transactions").rglob("*.parquet")):
        flows.append(pq.read_table(part))


def test_payments_in_freeze_list_out(api: Api, scenario: Path) -> None:
    _load_flows(api, scenario)
    report = _victim(scenario)
    body = {"payments": [{"account": p.to_account, "amount_minor": p.amount.amount_minor,
                          "time": p.time.isoformat(), "victim": report.id} for p in report.payments],
            "report_time": report.received_at.isoformat(), "as_of": report.received_at.isoformat()}  # fmt: skip
    answer = api.client.post("/api/v1/trace", json=body, headers=api.token("sz"))
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    truth = pq.read_table(scenario / "truth" / "paths.parquet").to_pylist()
    on_path = {row["dst_account"] for row in truth if row["report_id"] == report.id}
    assert {target["account"] for target in listed["targets"]} <= on_path | {
        p.to_account for p in report.payments
    }
    assert listed["targets"] or listed["cash_outs"]
    for target in listed["targets"]:
        assert target["held"]["amount_minor"] > 0
        assert (
            target["stop_payment_due"] == listed["report_time"].replace("Z", "+00:00")
            or target["stop_payment_due"]
        )


def test_by_report_in_ones_units_only(api: Api, scenario: Path) -> None:
    _load_flows(api, scenario)
    report = _victim(scenario).model_copy(update={"reporter_unit": "440305", "victim": None})
    api.store.add_reports([report])
    mine = api.client.post("/api/v1/trace", json={"report_id": report.id}, headers=api.token("sz"))
    assert mine.status_code == 200, mine.text
    assert mine.json()["report_time"].startswith(report.received_at.strftime("%Y-%m-%dT%H:%M"))
    assert (
        api.client.post("/api/v1/trace", json={"report_id": report.id}, headers=api.token("sh")).status_code
        == 404
    )
    assert (
        api.client.post(
            "/api/v1/trace", json={"report_id": report.id}, headers=api.token("citizen")
        ).status_code
        == 403
    )


def test_a_request_names_one_source(api: Api) -> None:
    for body in (
        {},
        {
            "report_id": "R1",
            "payments": [{"account": "1", "amount_minor": 1, "time": "2026-09-01T00:00:00Z"}],
        },
    ):
        answer = api.client.post("/api/v1/trace", json=body, headers=api.token("sz"))
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_answer_carries_the_path_of_the_money_with_the_victims_account_masked(
    api: Api, scenario: Path
) -> None:
    _load_flows(api, scenario)
    report = _victim(scenario).model_copy(update={"reporter_unit": "440305", "victim": None})
    api.store.add_reports([report])
    body = {"report_id": report.id, "where_it_went": True}
    answer = api.client.post("/api/v1/trace", json=body, headers=api.token("sz"))
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    flow = listed["flow"]
    assert flow["edges"]
    assert (flow["truncated"], flow["edges_total"]) == (False, len(flow["edges"]))
    accounts = flow["accounts"]
    for edge in flow["edges"]:
        assert accounts[edge["source"]]["account"] == edge["from_account"]
        assert accounts[edge["target"]]["account"] == edge["to_account"]
        assert edge["amount_minor"] > 0
        assert edge["victims"] == [report.id]
    payers = {payment.from_account for payment in report.payments}
    first = [edge for edge in flow["edges"] if edge["hop"] == 1]
    assert {edge["to_account"] for edge in first} <= {payment.to_account for payment in report.payments}
    assert {edge["from_account"] for edge in first} == {mask_value("bank_account", payer) for payer in payers}
    assert {accounts[edge["source"]]["kind"] for edge in first} == {"victim"}
    assert sum(edge["amount_minor"] for edge in first) <= sum(p.amount.amount_minor for p in report.payments)
    assert not any(payer in answer.text for payer in payers)
    truth = pq.read_table(scenario / "truth" / "paths.parquet").to_pylist()
    laundered = {(row["src_account"], row["dst_account"]) for row in truth if row["report_id"] == report.id}
    assert {
        (edge["from_account"], edge["to_account"]) for edge in flow["edges"] if edge["hop"] > 1
    } & laundered
    held = {account["account"]: account["held_minor"] for account in accounts}
    for target in listed["targets"]:
        assert held[target["account"]] == target["held"]["amount_minor"]
    for cash_out in listed["cash_outs"]:
        assert next(a for a in accounts if a["account"] == cash_out["account"])["kind"] == "cash_out"

    capped = api.client.post("/api/v1/trace", json={**body, "flow_edges": 1}, headers=api.token("sz")).json()
    assert len(capped["flow"]["edges"]) == 1
    assert (capped["flow"]["truncated"], capped["flow"]["edges_total"]) == (
        flow["edges_total"] > 1,
        flow["edges_total"],
    )
    too_many = api.client.post("/api/v1/trace", json={**body, "flow_edges": 5_001}, headers=api.token("sz"))
    assert too_many.status_code == 422


def test_an_unmatched_payment_shows_the_victims_account_masked(api: Api, scenario: Path) -> None:
    _load_flows(api, scenario)
    payment = {"account": "6222020000000000999", "amount_minor": 123_456, "time": "2026-09-01T00:00:00Z",
               "victim": "RPT-X", "payer": "6217001111222233334"}  # fmt: skip
    answer = api.client.post("/api/v1/trace", json={"payments": [payment]}, headers=api.token("sz"))
    assert answer.status_code == 200, answer.text
    assert [source["payer"] for source in answer.json()["unmatched"]] == ["621************3334"]
    assert answer.json()["flow"]["edges"] == []
