"""The loop closed over the API: report → trace → stop-payment tasks per bank → the desk stops → freeze → return →
metrics, each amount kept apart; tracing again updates the tasks instead of adding new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from api_world import Api

from fanzha.api.security import api_key_hash, new_api_key
from fanzha.config import get_settings
from fanzha.model import Report, Unit, UnitLevel
from fanzha.sim import generate_scenario
from fanzha.store.cases.access import add_api_key
from fanzha.store.flows import FlowStore


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny scenario, generated once for this module."""
    path = tmp_path_factory.mktemp("trace-loop") / "scenario"
    generate_scenario(path, "tiny", seed=5)
    return path


def _traced_report(api: Api, scenario: Path) -> Report:
    """A case whose money is still in accounts at report time, stored in Nanshan (under Shenzhen)."""
    flows = FlowStore.from_settings(get_settings())
    for part in sorted((scenario / "transactions").rglob("*.parquet")):
        flows.append(pq.read_table(part))
    banks = [
        Unit(code=c, name=c, level=UnitLevel.BANK, parent="CN") for c in ("BANK-CCB", "BANK-ABC", "BANK-BOC")
    ]
    api.store.add_units(banks)
    reports = [
        Report.model_validate_json(line)
        for line in (scenario / "reports.jsonl").read_text("utf-8").splitlines()
    ]
    sz = api.token("sz")
    for report in sorted((r for r in reports if r.payments), key=lambda r: -sum(r.loss.values())):
        stored = report.model_copy(update={"reporter_unit": "440305", "victim": None})
        api.store.add_reports([stored])
        listed = api.client.post("/api/v1/trace", json={"report_id": report.id}, headers=sz).json()
        if any(t["bank"] in {"ICBC", "CCB", "ABC", "BOC"} for t in listed["targets"]):
            return stored
    raise AssertionError("no case of the scenario holds money at a bank with a desk")


def _as_bank(api: Api, unit: str) -> dict[str, str]:
    key, key_id = new_api_key()
    add_api_key(api.store, key_id, api_key_hash(key), unit, unit, ["bank_liaison"], actor="test")
    return {"X-API-Key": key}


def _move(api: Api, headers: dict[str, str], task_id: str, action: str, **body: Any) -> dict[str, Any]:
    answer = api.client.post(
        f"/api/v1/tasks/{task_id}/transitions", json={"action": action, **body}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_report_to_return_through_the_api(api: Api, scenario: Path) -> None:
    report = _traced_report(api, scenario)
    sz = api.token("sz")
    first = api.client.post("/api/v1/trace/tasks", json={"report_id": report.id}, headers=sz)
    assert first.status_code == 200, first.text
    made = first.json()
    assert made["created"] == len(made["tasks"]) >= 1
    assert made["updated"] == 0
    for task in made["tasks"]:
        assert task["kind"] == "stop_payment"
        assert task["state"] == "dispatched"
        assert task["unit"] == f"BANK-{task['detail']['bank']}"
        assert task["id"] == f"SP-{report.id}-{task['detail']['bank']}"
        held = sum(line["held_minor"] for line in task["detail"]["accounts"])
        assert task["amount"]["amount_minor"] == held >= 50_000
    again = api.client.post("/api/v1/trace/tasks", json={"report_id": report.id}, headers=sz).json()
    assert again["created"] == 0
    assert again["updated"] == made["created"]
    listed = api.client.get("/api/v1/tasks", params={"kind": "stop_payment"}, headers=sz).json()
    assert sorted(t["id"] for t in listed if t["report_id"] == report.id) == sorted(
        t["id"] for t in made["tasks"]
    )

    task = made["tasks"][0]
    bank = _as_bank(api, task["unit"])
    assert {t["id"] for t in api.client.get("/api/v1/tasks", headers=bank).json()} == {task["id"]}
    _move(api, bank, task["id"], "accept")
    _move(api, bank, task["id"], "start")
    stopped = {"amount_minor": task["amount"]["amount_minor"], "currency": "CNY"}
    _move(api, bank, task["id"], "complete", result={"stopped": stopped})
    freeze_id = "FZ-" + task["id"].removeprefix("SP-")
    freeze = api.client.get(f"/api/v1/tasks/{freeze_id}", headers=bank).json()
    assert freeze["kind"] == "freeze"
    assert freeze["state"] == "dispatched"
    assert freeze["unit"] == task["unit"]
    _move(api, bank, freeze_id, "accept")
    _move(api, bank, freeze_id, "start")
    frozen = {"amount_minor": stopped["amount_minor"] - 1, "currency": "CNY"}
    _move(api, bank, freeze_id, "complete", result={"frozen": frozen})

    return_id = "RT-" + task["id"].removeprefix("SP-")
    back = api.client.get(f"/api/v1/tasks/{return_id}", headers=sz).json()
    assert back["kind"] == "return_funds"
    assert back["unit"] == "440300"
    split = back["detail"]["returned_to"]
    assert sum(split.values()) == frozen["amount_minor"]
    assert set(split) == {report.id}
    assert api.client.post(
        f"/api/v1/tasks/{return_id}/dispatch", json={"to_unit": "440305"}, headers=sz
    ).is_success
    ns = api.token("ns")
    _move(api, ns, return_id, "accept")
    _move(api, ns, return_id, "start")
    _move(api, ns, return_id, "complete", result={"returned": frozen, "returned_to": split})

    money = api.client.get("/api/v1/metrics", headers=sz).json()["groups"][0]["money"]
    assert money["stopped"] == {"CNY": stopped["amount_minor"]}
    assert money["frozen"] == {"CNY": frozen["amount_minor"]}
    assert money["returned"] == {"CNY": frozen["amount_minor"]}


def test_tasks_need_a_report_and_one_of_your_units(api: Api, scenario: Path) -> None:
    report = _traced_report(api, scenario)
    body = {
        "payments": [{"account": "6222021234567890128", "amount_minor": 100, "time": "2026-09-03T06:05:00Z"}]
    }
    assert api.client.post("/api/v1/trace/tasks", json=body, headers=api.token("sz")).status_code == 422
    assert (
        api.client.post(
            "/api/v1/trace/tasks", json={"report_id": report.id}, headers=api.token("sh")
        ).status_code
        == 404
    )
