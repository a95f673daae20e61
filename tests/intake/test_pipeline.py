"""The ingest pipeline and its commands: a scenario folder in, both stores filled, twice changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fanzha.cli import app
from fanzha.intake import IngestError
from fanzha.intake.pipeline import ingest_path
from fanzha.sim import generate_scenario
from fanzha.store.cases import CaseStore, UnknownUnitError
from fanzha.store.flows import FlowStore


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny scenario, generated once for this module."""
    path = tmp_path_factory.mktemp("pipeline") / "scenario"
    generate_scenario(path, "tiny", seed=11)
    return path


def test_scenario_ingest_is_idempotent(scenario: Path, case_store: CaseStore, tmp_path: Path) -> None:
    flows = FlowStore(tmp_path / "flows")
    manifest = json.loads((scenario / "manifest.json").read_text("utf-8"))
    stages: set[str] = set()
    first = ingest_path(scenario, case_store, flows, progress=lambda stage, done, total: stages.add(stage))
    assert first.reports_inserted == manifest["counts"]["reports"]
    assert first.transactions_inserted == manifest["counts"]["transactions"]
    assert first.text_identifiers > manifest["counts"]["reports"]
    assert {"reading narratives", "ingesting files"} <= stages
    counts = case_store.counts()
    again = ingest_path(scenario, case_store, flows)
    assert again.reports_inserted == again.transactions_inserted == again.units_inserted == 0
    assert again.reports_unchanged == first.reports_inserted
    assert case_store.counts() == counts
    assert flows.stats().rows == manifest["counts"]["transactions"]


def test_text_identifiers_are_linked_with_spans(
    scenario: Path, case_store: CaseStore, tmp_path: Path
) -> None:
    ingest_path(scenario / "units.jsonl", case_store, FlowStore(tmp_path / "flows"))
    ingest_path(scenario / "reports.jsonl", case_store, FlowStore(tmp_path / "flows"))
    report = json.loads((scenario / "reports.jsonl").read_text("utf-8").splitlines()[0])
    payee = report["payments"][0]["to_account"] if report["payments"] else None
    if payee is not None:
        links = case_store.identifier_reports("bank_account", payee)
        assert report["id"] in {link.report_id for link in links}


def test_one_bad_report_writes_nothing(scenario: Path, case_store: CaseStore, tmp_path: Path) -> None:
    ingest_path(scenario / "units.jsonl", case_store, FlowStore(tmp_path / "flows"))
    lines = (scenario / "reports.jsonl").read_text("utf-8").splitlines()
    bad = json.loads(lines[5])
    bad["channel"] = "carrier pigeon"
    lines[5] = json.dumps(bad, ensure_ascii=False)
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(IngestError, match=r"line 6, field 'channel'"):
        ingest_path(path, case_store, FlowStore(tmp_path / "flows"))
    assert case_store.counts().reports == 0


def test_reports_naming_unknown_units_are_refused(
    scenario: Path, case_store: CaseStore, tmp_path: Path
) -> None:
    with pytest.raises(UnknownUnitError):
        ingest_path(scenario / "reports.jsonl", case_store, FlowStore(tmp_path / "flows"))
    assert case_store.counts().reports == 0


def test_commands(scenario: Path, fanzha_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    copy = tmp_path / "copy"
    shutil.copytree(scenario, copy)
    ingested = runner.invoke(app, ["ingest", str(copy)])
    assert ingested.exit_code == 0, ingested.output
    assert "reports added" in ingested.output
    summary = runner.invoke(app, ["summary"])
    assert summary.exit_code == 0, summary.output
    assert "loss CNY" in summary.output
    assert (fanzha_home / "cases.db").exists()
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "X1", "kind": ', "utf-8")
    refused = runner.invoke(app, ["ingest", str(broken)])
    assert refused.exit_code == 2
    assert "line 1" in refused.output


def test_stored_links_carry_whose_identifier_it_is(case_store: CaseStore) -> None:
    """The victim's own card named in the narrative is stored as the victim's, the payee as the other side's."""
    from datetime import UTC, datetime

    from fanzha.intake.pipeline import store_reports
    from fanzha.model import IdentifierRole, Money, Payment, Report, Unit, Victim

    case_store.add_units([Unit(code="440300", name="深圳市反诈中心", level="city")])
    paid = datetime(2026, 9, 3, 7, tzinfo=UTC)
    report = Report(
        id="R-ROLE", channel="app", received_at=datetime(2026, 9, 3, 8, tzinfo=UTC), reporter_unit="440300",
        victim=Victim(pseudonym="V1", account="6222021234567890128"),
        narrative="对方客服电话13812345678，让我用卡号6222021234567890128转到6217001234567890123",
        payments=(
            Payment(from_account="6222021234567890128", to_account="6217001234567890123",
                    amount=Money(amount_minor=100_000), time=paid),
        ),
    )  # fmt: skip
    store_reports([report], case_store)
    own = case_store.identifier_reports("bank_account", "6222021234567890128")
    payee = case_store.identifier_reports("bank_account", "6217001234567890123")
    phone = case_store.identifier_reports("phone", "13812345678")
    assert {link.role for link in own} == {IdentifierRole.VICTIM}
    assert {link.role for link in payee} == {IdentifierRole.COUNTERPARTY}
    assert {link.role for link in phone} == {IdentifierRole.COUNTERPARTY}
