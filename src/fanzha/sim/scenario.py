"""Write a scenario folder: units, reports, day-partitioned transactions and the ground truth beside them.

The layout is the contract between :mod:`fanzha.sim` and :mod:`fanzha.intake` (see ``docs/simulator.md``).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from fanzha.sim import identities
from fanzha.sim.background import BackgroundModel, DayRows
from fanzha.sim.campaigns import DAY, Campaigns
from fanzha.sim.ecosystem import MULE, ROLES, Accounts, build_world
from fanzha.sim.flows import CHANNELS, MEMOS, Flows, launder
from fanzha.sim.profiles import PROFILES, planted_innocent_identifiers
from fanzha.sim.regions import unit_tree
from fanzha.sim.reports import (
    NONFRAUD_TIP,
    TIP,
    ReportPlan,
    assign_accounts,
    choose_identifiers,
    payments_per_campaign,
    plan_reports,
    render_reports,
    report_order,
)
from fanzha.sim.scales import Scale, get_scale
from fanzha.store.flow_schema import TRANSACTION_SCHEMA

Array = npt.NDArray[Any]
ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stages: plan, world, flows, reports, transactions, truth."""

logger = logging.getLogger(__name__)
FORMAT = 1
_ENTRIES = ("manifest.json", "units.jsonl", "reports.jsonl", "transactions", "truth")
_PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 1}
_MASK63 = np.uint64(2**63 - 1)


@dataclass(frozen=True)
class ScenarioSummary:
    """Where a scenario was written and its manifest."""

    path: Path
    manifest: dict[str, Any]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def _prepare(out_dir: Path, overwrite: bool) -> None:
    present = [name for name in _ENTRIES if (out_dir / name).exists()]
    if present and not overwrite:
        raise FileExistsError(
            f"{out_dir} already holds a scenario ({', '.join(present)}); pass overwrite=True"
        )
    for name in present:
        path = out_dir / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def txn_ids(counters: Array, seed: int) -> Array:
    """Transaction IDs: a seeded bijection of the 63-bit counters, so IDs are unique and reveal nothing."""
    x = counters.astype(np.uint64) ^ np.uint64((seed * 0x9E3779B97F4A7C15) & (2**63 - 1))
    x = (x * np.uint64(0xBF58476D1CE4E5B9)) & _MASK63
    x ^= x >> np.uint64(31)
    x = (x * np.uint64(0x94D049BB133111EB)) & _MASK63
    x ^= x >> np.uint64(29)
    return x.astype(np.int64)


def generate_scenario(
    out_dir: str | Path,
    scale: str | Scale = "small",
    seed: int = 7,
    *,
    progress: ProgressCallback | None = None,
    overwrite: bool = False,
) -> ScenarioSummary:
    """Generate a seeded scam ecosystem with ground truth into ``out_dir`` (模拟诈骗生态).

    The same ``seed`` and ``scale`` always give byte-identical files. Transactions are generated one day at a
    time (vectorised numpy, written to Parquet in a background thread), so memory is bounded by one day of
    background rows plus the report-driven flows; reports are rendered one by one and streamed to JSON lines.

    >>> summary = generate_scenario("/tmp/scenario", "tiny", seed=1, overwrite=True)  # doctest: +SKIP
    >>> summary.manifest["counts"]["reports"]  # doctest: +SKIP
    300
    """
    chosen = get_scale(scale)
    report = progress or _quiet
    out = Path(out_dir)
    _prepare(out, overwrite)
    window = chosen.days * DAY
    *seeds, days_seed = np.random.SeedSequence(seed).spawn(7)
    plan_rng, world_rng, identifier_rng, flow_rng, narrative_rng, background_rng = (
        np.random.Generator(np.random.PCG64(s)) for s in seeds
    )

    report("plan", 0, 1)
    plan, campaigns = plan_reports(plan_rng, chosen.reports, window, chosen.max_campaign_reports)
    report("plan", 1, 1)
    report("world", 0, 1)
    accounts, pools = build_world(world_rng, chosen, campaigns, payments_per_campaign(plan, len(campaigns)))
    assign_accounts(world_rng, plan, campaigns, accounts, pools)
    choose_identifiers(identifier_rng, plan, campaigns, accounts, pools)
    report("world", 1, 1)
    report("flows", 0, 1)
    flows = launder(flow_rng, plan, campaigns, accounts, pools, window)
    report("flows", 1, 1)

    order = report_order(plan)
    report_ids = [""] * len(plan)
    for rank, index in enumerate(order.tolist()):
        report_ids[index] = f"RPT-{rank + 1:07d}"
    _write_units(out / "units.jsonl")
    _write_reports(
        out / "reports.jsonl", narrative_rng, plan, campaigns, accounts, chosen, report_ids, order, report
    )
    model = BackgroundModel.build(background_rng, accounts)
    n_transactions = _write_transactions(
        out / "transactions", days_seed, chosen, seed, accounts, flows, model, report
    )

    report("truth", 0, 1)
    truth = out / "truth"
    truth.mkdir()
    fraud_transactions = _write_truth(truth, plan, campaigns, accounts, flows, chosen, seed, report_ids)
    report("truth", 1, 1)
    manifest = {
        "format": FORMAT,
        "seed": seed,
        "scale": chosen.name,
        "start": chosen.start.isoformat().replace("+00:00", "Z"),
        "end": chosen.end.isoformat().replace("+00:00", "Z"),
        "counts": {
            "reports": len(plan),
            "tips": int(np.isin(plan.kind, (TIP, NONFRAUD_TIP)).sum()),
            "campaigns": len(campaigns),
            "transactions": n_transactions,
            "fraud_transactions": fraud_transactions,
            "accounts": len(accounts),
            "mules": int((accounts.role == MULE).sum()),
        },
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    logger.info("scenario %s (seed %d) written to %s: %s", chosen.name, seed, out, manifest["counts"])
    return ScenarioSummary(out, manifest)


def _write_units(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for unit in unit_tree():
            handle.write(unit.model_dump_json() + "\n")


def _write_reports(
    path: Path,
    rng: np.random.Generator,
    plan: ReportPlan,
    campaigns: Campaigns,
    accounts: Accounts,
    scale: Scale,
    report_ids: list[str],
    order: Array,
    progress: ProgressCallback,
) -> None:
    total = len(plan)
    progress("reports", 0, total)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for done, item in enumerate(
            render_reports(rng, plan, campaigns, accounts, scale.start, report_ids, order), 1
        ):
            handle.write(item.model_dump_json() + "\n")
            if done % 1_000 == 0 or done == total:
                progress("reports", done, total)


class _Columns:
    """Arrow dictionaries for turning index arrays into string columns without a Python loop."""

    def __init__(self, accounts: Accounts) -> None:
        self.names = pa.array(accounts.names, pa.string())
        self.bank_of = accounts.bank
        self.banks = pa.array(identities.bank_table().banks, pa.string())
        self.channels = pa.array([channel.value for channel in CHANNELS], pa.string())
        self.memos = pa.array(MEMOS, pa.string())
        self.cny = pa.array(["CNY"], pa.string())

    def account(self, index: Array) -> pa.Array:
        return self.names.take(pa.array(index))

    def bank(self, index: Array) -> pa.Array:
        bank = self.bank_of[index]
        return self.banks.take(pa.array(bank, mask=bank < 0))

    def table(self, ids: Array, time_us: Array, rows: DayRows) -> pa.Table:
        return pa.Table.from_arrays(
            [
                pa.array(ids, pa.int64()),
                pa.array(time_us, pa.timestamp("us", tz="UTC")),
                self.account(rows.src),
                self.account(rows.dst),
                pa.array(rows.amount, pa.int64()),
                self.cny.take(pa.array(np.zeros(len(ids), dtype=np.int32))),
                self.channels.take(pa.array(rows.channel)),
                self.bank(rows.src),
                self.bank(rows.dst),
                self.memos.take(pa.array(rows.memo, mask=rows.memo < 0)),
            ],
            schema=TRANSACTION_SCHEMA,
        )


def _start_us(scale: Scale) -> int:
    return int(scale.start.timestamp()) * 1_000_000


def _write_transactions(
    folder: Path,
    days_seed: np.random.SeedSequence,
    scale: Scale,
    seed: int,
    accounts: Accounts,
    flows: Flows,
    model: BackgroundModel,
    progress: ProgressCallback,
) -> int:
    """Write one partition per UTC day; the report-driven flows of that day are merged with its background."""
    columns = _Columns(accounts)
    by_time = np.argsort(flows.time, kind="stable")
    bounds = np.searchsorted(flows.time[by_time], np.arange(scale.days + 1) * DAY)
    next_counter = len(flows)
    written = 0
    day_seeds = days_seed.spawn(scale.days)
    per_day = max(0.0, scale.background_per_day - model.expected_payroll_per_day())
    pending: list[Future[None]] = []
    progress("transactions", 0, scale.days)
    with ThreadPoolExecutor(max_workers=1) as writer:
        for day in range(scale.days):
            day_rng = np.random.Generator(np.random.PCG64(day_seeds[day]))
            day_start = scale.start + timedelta(days=day)
            weekend = day_start.weekday() >= 5
            n = int(day_rng.poisson(per_day * (1.1 if weekend else 1.0)))
            background = model.day(day_rng, accounts, day_start, day * DAY, n)
            fraud = by_time[bounds[day] : bounds[day + 1]]
            counters = np.concatenate([fraud, next_counter + np.arange(len(background.time))])
            next_counter += len(background.time)
            rows = DayRows(
                *(
                    np.concatenate([getattr(flows, name)[fraud], getattr(background, name)])
                    for name in ("time", "src", "dst", "amount", "channel", "memo")
                )
            )
            order = np.argsort(rows.time, kind="stable")
            rows = DayRows(
                *(getattr(rows, name)[order] for name in ("time", "src", "dst", "amount", "channel", "memo"))
            )
            table = columns.table(
                txn_ids(counters[order], seed), _start_us(scale) + rows.time * 1_000_000, rows
            )
            partition = folder / f"day={day_start:%Y-%m-%d}"
            partition.mkdir(parents=True)
            for part, offset in enumerate(range(0, max(len(order), 1), scale.rows_per_part)):
                chunk = table.slice(offset, scale.rows_per_part)
                pending.append(
                    writer.submit(
                        pq.write_table, chunk, partition / f"part-{part:05d}.parquet", **_PARQUET_OPTIONS
                    )
                )
            written += len(order)
            while len(pending) > 2:
                pending.pop(0).result()
            progress("transactions", day + 1, scale.days)
        for future in pending:
            future.result()
    return written


def _write_truth(
    folder: Path,
    plan: ReportPlan,
    campaigns: Campaigns,
    accounts: Accounts,
    flows: Flows,
    scale: Scale,
    seed: int,
    report_ids: list[str],
) -> int:
    """Write the ground truth; return the number of transactions that carry victim money."""
    order = report_order(plan)
    profile = plan.profile_of(campaigns)
    report_rows = {
        "report_id": [report_ids[i] for i in order.tolist()],
        "campaign_id": [campaigns.ids[c] if c >= 0 else None for c in plan.campaign[order].tolist()],
        "fraud_type": [PROFILES[p].code if p >= 0 else "not_fraud" for p in profile[order].tolist()],
    }
    pq.write_table(pa.table(report_rows), folder / "report_campaign.parquet", **_PARQUET_OPTIONS)

    keys: list[set[str]] = [set() for _ in range(len(campaigns))]
    for c, facts in zip(plan.campaign.tolist(), plan.facts, strict=True):
        if c >= 0:
            keys[c].update(identifier.key for identifier in facts)
    innocent = {identifier.key: reason for identifier, reason in planted_innocent_identifiers()}
    campaign_rows = {
        "campaign_id": campaigns.ids,
        "fraud_type": [PROFILES[p].code for p in campaigns.profile.tolist()],
        "subtype": campaigns.subtype,
        "n_reports": pa.array(campaigns.n_cases + campaigns.n_tips, pa.int32()),
        "identifier_keys": pa.array([sorted(k - innocent.keys()) for k in keys], pa.list_(pa.string())),
        "gang_id": [f"GANG-{g + 1:05d}" if g >= 0 else None for g in campaigns.gang.tolist()],
    }
    pq.write_table(pa.table(campaign_rows), folder / "campaigns.parquet", **_PARQUET_OPTIONS)
    _write_accounts(folder / "accounts.parquet", accounts, campaigns)
    _write_innocent(folder / "innocent_identifiers.parquet", plan, innocent)
    return _write_paths(folder / "paths.parquet", plan, flows, scale, seed, report_ids, accounts)


def _write_accounts(path: Path, accounts: Accounts, campaigns: Campaigns) -> None:
    campaign_ids = pa.array(
        [campaigns.ids[c] if c >= 0 else None for c in accounts.campaign.tolist()], pa.string()
    )
    all_campaigns: list[list[str] | None] = [None] * len(accounts)
    for account, owners in accounts.mule_campaigns.items():
        if accounts.role[account] == MULE:
            all_campaigns[account] = [campaigns.ids[c] for c in sorted(owners)]
    table = pa.table(
        {
            "account": pa.array(accounts.names, pa.string()),
            "role": pa.array(ROLES, pa.string()).take(pa.array(accounts.role)),
            "campaign_id": campaign_ids,
            "layer": pa.array(accounts.layer, pa.int16()),
            "campaign_ids": pa.array(all_campaigns, pa.list_(pa.string())),
        }
    )
    pq.write_table(table, path, **_PARQUET_OPTIONS)


def _write_innocent(path: Path, plan: ReportPlan, innocent: dict[str, str]) -> None:
    mentions = dict.fromkeys(innocent, 0)
    for facts in plan.facts:
        for identifier in facts:
            if identifier.key in mentions:
                mentions[identifier.key] += 1
    table = pa.table(
        {
            "key": list(innocent),
            "reason": list(innocent.values()),
            "n_reports": pa.array(list(mentions.values()), pa.int32()),
        }
    )
    pq.write_table(table, path, **_PARQUET_OPTIONS)


def _write_paths(
    path: Path,
    plan: ReportPlan,
    flows: Flows,
    scale: Scale,
    seed: int,
    report_ids: list[str],
    accounts: Accounts,
) -> int:
    payment = flows.path_payment
    report = plan.pay_report[payment]
    first_of_report = np.searchsorted(plan.pay_report, report, side="left")
    txn = flows.path_txn
    rank = np.array([int(report_ids[r][4:]) for r in report.tolist()], dtype=np.int64)
    order = np.lexsort((flows.time[txn], flows.path_hop, payment - first_of_report, rank))
    report, txn = report[order], txn[order]
    ids = np.array(report_ids, dtype=object)
    table = pa.table(
        {
            "report_id": pa.array(ids[report].tolist() if len(report) else [], pa.string()),
            "payment_index": pa.array((payment - first_of_report)[order], pa.int32()),
            "hop": pa.array(flows.path_hop[order], pa.int16()),
            "txn_id": pa.array(txn_ids(txn, seed), pa.int64()),
            "src_account": pa.array(accounts.names, pa.string()).take(pa.array(flows.src[txn])),
            "dst_account": pa.array(accounts.names, pa.string()).take(pa.array(flows.dst[txn])),
            "amount_minor": pa.array(flows.path_amount[order], pa.int64()),
            "time": pa.array(_start_us(scale) + flows.time[txn] * 1_000_000, pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, path, **_PARQUET_OPTIONS)
    return len(np.unique(txn))
