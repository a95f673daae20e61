"""On simulator data, with its background traffic: the freeze lists hold the victims' money still in mule accounts."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fanzha.flow import AttributionPolicy, Ledger, TraceLimits, locate_sources, sources_from_payments, trace
from fanzha.model import Report
from fanzha.store.flows import FlowStore

CASH_OUT_PREFIXES = ("ATM:", "EXCH:", "MCH:")


@pytest.fixture(scope="module")
def scenario(tiny_scenario: Path) -> tuple[Ledger, dict[str, Report], datetime]:
    """The tiny scenario's ledger, its reports by ID and its end."""
    ledger = Ledger.build(FlowStore(tiny_scenario / "transactions").load_arrays())
    lines = (tiny_scenario / "reports.jsonl").read_text("utf-8").splitlines()
    reports = {report.id: report for report in map(Report.model_validate_json, lines)}
    manifest = json.loads((tiny_scenario / "manifest.json").read_text("utf-8"))
    return ledger, reports, datetime.fromisoformat(manifest["end"].replace("Z", "+00:00"))


def _truth_held(folder: Path) -> dict[tuple[str, str], int]:
    """Victim money still in each account at the end, per (report, account), from the true paths."""
    held: dict[tuple[str, str], int] = defaultdict(int)
    for row in pq.read_table(folder / "truth" / "paths.parquet").to_pylist():
        held[(row["report_id"], row["dst_account"])] += row["amount_minor"]
        held[(row["report_id"], row["src_account"])] -= row["amount_minor"]
    return {
        key: amount for key, amount in held.items() if amount > 0 and not key[1].startswith(CASH_OUT_PREFIXES)
    }


def test_every_victim_payment_is_found_in_the_ledger(
    scenario: tuple[Ledger, dict[str, Report], datetime],
) -> None:
    ledger, reports, _ = scenario
    sources = [s for r in reports.values() for s in sources_from_payments(r.payments, r.id)]
    positions, unmatched = locate_sources(ledger, sources)
    assert unmatched == ()
    assert (ledger.column("out_amount", positions) == [s.amount_minor for s in sources]).all()


@pytest.mark.parametrize("policy", list(AttributionPolicy))
def test_campaign_freeze_lists_cover_the_money_still_in_mule_accounts(
    scenario: tuple[Ledger, dict[str, Report], datetime], tiny_scenario: Path, policy: AttributionPolicy
) -> None:
    ledger, reports, end = scenario
    truth = _truth_held(tiny_scenario)
    campaign_of = {
        row["report_id"]: row["campaign_id"]
        for row in pq.read_table(tiny_scenario / "truth" / "report_campaign.parquet").to_pylist()
    }
    members: dict[str, list[str]] = defaultdict(list)
    for report_id in sorted({report_id for report_id, _ in truth}):
        members[campaign_of[report_id]].append(report_id)
    listed: set[tuple[str, str]] = set()
    for campaign, report_ids in members.items():
        sources = [s for rid in report_ids for s in sources_from_payments(reports[rid].payments, rid)]
        result = trace(ledger, sources, as_of=end, limits=TraceLimits(policy=policy))
        assert result.total_held + result.total_cashed_out + int(result.unfollowed.sum()) <= sum(
            s.amount_minor for s in sources
        )
        listed |= {
            (campaign, ledger.account_name(int(account)))
            for account, held in zip(result.account.tolist(), result.held.tolist(), strict=True)
            if held > 0
        }
    covered = sum(amount for (rid, account), amount in truth.items() if (campaign_of[rid], account) in listed)
    assert covered / sum(truth.values()) >= 0.95


def test_one_victim_is_traced_to_the_accounts_on_its_true_path(
    scenario: tuple[Ledger, dict[str, Report], datetime], tiny_scenario: Path
) -> None:
    ledger, reports, end = scenario
    truth = _truth_held(tiny_scenario)
    reached = 0
    for report_id in sorted({report_id for report_id, _ in truth}):
        report = reports[report_id]
        result = trace(ledger, sources_from_payments(report.payments, report.id), as_of=end)
        names = {ledger.account_name(int(a)) for a in result.account.tolist()}
        reached += sum(
            amount for (rid, account), amount in truth.items() if rid == report_id and account in names
        )
    assert reached / sum(truth.values()) >= 0.95


def test_the_window_and_hop_limits_bound_the_trace(
    scenario: tuple[Ledger, dict[str, Report], datetime],
) -> None:
    ledger, reports, end = scenario
    report = max((r for r in reports.values() if r.payments), key=lambda r: len(r.payments))
    sources = sources_from_payments(report.payments, report.id)
    short = trace(ledger, sources, as_of=end, limits=TraceLimits(max_hops=2, window=timedelta(hours=1)))
    assert short.hop.max() <= 2
    edge_times = ledger.column("out_time", short.edges[:, 0])
    assert edge_times.max() <= short.horizon
    assert short.horizon <= max(int(s.time.timestamp() * 1_000_000) for s in sources) + 3_600_000_000
