"""The scenario folder follows the contract: manifest, units, reports, transactions, truth."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sim_scenario import Scenario, load

from fanzha.model import CASH_OUT_CHANNELS, Report, ReportKind, Unit, UnitLevel, luhn_valid
from fanzha.sim import SCALES, generate_scenario
from fanzha.store.flow_schema import TRANSACTION_SCHEMA

_PREFIX_CHANNEL = {"ATM:": "atm_withdrawal", "EXCH:": "crypto_exchange", "MCH:": "merchant"}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path, tiny: Scenario) -> None:
    generate_scenario(tmp_path / "again", "tiny", seed=7)
    generate_scenario(tmp_path / "other", "tiny", seed=8)
    first, again, other = _files(tiny.path), _files(tmp_path / "again"), _files(tmp_path / "other")
    assert first == again
    assert first["reports.jsonl"] != other["reports.jsonl"]
    assert first["truth/paths.parquet"] != other["truth/paths.parquet"]
    day = "transactions/day=2026-09-03/part-00000.parquet"
    assert first[day] != other[day]


def test_manifest_counts_match_the_files(tiny: Scenario) -> None:
    manifest = tiny.manifest
    assert manifest["format"] == 1
    assert manifest["seed"] == 7
    assert manifest["scale"] == "tiny"
    assert manifest["start"] == "2026-09-01T00:00:00Z"
    assert manifest["end"] == "2026-09-08T00:00:00Z"
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    assert counts["reports"] == len(tiny.reports) == SCALES["tiny"].reports
    assert counts["tips"] == sum(r.kind == ReportKind.TIP for r in tiny.reports)
    assert counts["campaigns"] == tiny.campaigns.num_rows
    assert counts["transactions"] == tiny.transactions.num_rows
    assert counts["fraud_transactions"] == len(set(tiny.paths.column("txn_id").to_pylist()))
    assert counts["accounts"] == tiny.accounts.num_rows
    assert counts["mules"] == tiny.accounts.column("role").to_pylist().count("mule")
    assert 12_000 < counts["transactions"] < 35_000


def test_units_form_a_tree_and_reports_come_from_cities_or_counties(tiny: Scenario) -> None:
    lines = (tiny.path / "units.jsonl").read_text("utf-8").splitlines()
    units = {u.code: u for u in (Unit.model_validate_json(line) for line in lines)}
    assert units["CN"].parent is None
    assert units["440305"].parent == "440300"
    assert units["440300"].parent == "440000"
    assert units["BANK-ICBC"].level == UnitLevel.BANK
    assert units["TELCO-CMCC"].parent == "CN"
    assert all(u.parent in units for u in units.values() if u.code != "CN")
    for report in tiny.reports:
        assert units[report.reporter_unit].level in (UnitLevel.CITY, UnitLevel.COUNTY)
        if report.victim is not None:
            assert report.victim.region_code == report.reporter_unit


def test_reports_are_sorted_unique_and_inside_the_window(tiny: Scenario) -> None:
    start, end = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 8, tzinfo=UTC)
    times = [r.received_at for r in tiny.reports]
    assert times == sorted(times)
    assert len({r.id for r in tiny.reports}) == len(tiny.reports)
    assert all(start <= t < end for t in times)
    assert all(r.narrative for r in tiny.reports)
    tips = [r for r in tiny.reports if r.kind == ReportKind.TIP]
    assert tips
    assert all(not r.payments for r in tips)
    assert sum(bool(r.identifiers) for r in tips) > 0.7 * len(tips)


def test_transactions_match_the_schema_and_partitions(tiny: Scenario) -> None:
    parts = sorted((tiny.path / "transactions").rglob("*.parquet"))
    assert len(parts) == SCALES["tiny"].days
    for part in parts:
        table = pq.read_table(part)
        assert table.schema.equals(TRANSACTION_SCHEMA)
        day = part.parent.name.removeprefix("day=")
        assert {t.strftime("%Y-%m-%d") for t in table.column("time").to_pylist()} == {day}
    ids = tiny.transactions.column("txn_id").to_pylist()
    assert len(set(ids)) == len(ids)


def test_accounts_are_cards_or_named_cash_out_points(tiny: Scenario) -> None:
    txns = tiny.transactions
    for column in ("src_account", "dst_account"):
        for account in set(txns.column(column).to_pylist()):
            prefix = next((p for p in _PREFIX_CHANNEL if account.startswith(p)), None)
            assert prefix is not None or (
                account.isdigit() and 16 <= len(account) <= 19 and luhn_valid(account)
            )
    for dst, channel in zip(
        txns.column("dst_account").to_pylist(), txns.column("channel").to_pylist(), strict=True
    ):
        prefix = next((p for p in _PREFIX_CHANNEL if dst.startswith(p)), None)
        if prefix is not None:
            assert channel == _PREFIX_CHANNEL[prefix]


def test_every_report_payment_is_a_transaction(tiny: Scenario) -> None:
    rows = {
        (src, dst, amount, time)
        for src, dst, amount, time in zip(
            *(
                tiny.transactions.column(c).to_pylist()
                for c in ("src_account", "dst_account", "amount_minor", "time")
            ),
            strict=True,
        )
    }
    payments = [p for r in tiny.reports for p in r.payments]
    assert len(payments) > 200
    for p in payments:
        assert (p.from_account, p.to_account, p.amount.amount_minor, p.time) in rows
        assert p.to_bank is not None
        assert p.to_name


def test_victims_report_from_their_own_account(tiny: Scenario) -> None:
    for report in tiny.reports:
        for payment in report.payments:
            assert report.victim is not None
            assert payment.from_account == report.victim.account
            assert payment.time <= report.received_at


def test_existing_scenario_is_not_overwritten_silently(tmp_path: Path) -> None:
    generate_scenario(tmp_path, "tiny", seed=1)
    with pytest.raises(FileExistsError):
        generate_scenario(tmp_path, "tiny", seed=2)
    generate_scenario(tmp_path, "tiny", seed=2, overwrite=True)
    assert json.loads((tmp_path / "manifest.json").read_text())["seed"] == 2


def test_progress_is_reported_and_nothing_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_scenario(
        tmp_path, "tiny", seed=3, progress=lambda stage, done, total: calls.append((stage, done, total))
    )
    stages = [stage for stage, _, _ in calls]
    assert list(dict.fromkeys(stages)) == ["plan", "world", "flows", "reports", "transactions", "truth"]
    assert ("reports", 300, 300) in calls
    assert ("transactions", 7, 7) in calls
    assert all(0 <= done <= total for _, done, total in calls)
    assert capsys.readouterr() == ("", "")


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate_scenario(tmp_path, "huge")


def test_cash_out_channels_only_leave_to_cash_out_points_in_fraud_paths(tiny: Scenario) -> None:
    last_hops = [
        (dst, hop)
        for dst, hop in zip(
            tiny.paths.column("dst_account").to_pylist(), tiny.paths.column("hop").to_pylist(), strict=True
        )
        if not dst.isdigit()
    ]
    assert last_hops
    assert all(hop >= 3 for _, hop in last_hops)
    assert {c.value for c in CASH_OUT_CHANNELS} == set(_PREFIX_CHANNEL.values())


@pytest.mark.slow
def test_small_scale_in_seconds(tmp_path: Path) -> None:
    import time

    began = time.perf_counter()
    summary = generate_scenario(tmp_path, "small", seed=11)
    elapsed = time.perf_counter() - began
    counts = summary.manifest["counts"]
    assert counts["reports"] == 5_000
    assert 400_000 < counts["transactions"] < 650_000
    assert elapsed < 30
    scenario = load(tmp_path)
    assert scenario.transactions.num_rows == counts["transactions"]
    assert max(scenario.campaigns.column("n_reports").to_pylist()) >= 100
    assert Report.model_validate_json((tmp_path / "reports.jsonl").read_text().splitlines()[0])
