"""Money tracing: one victim and a 100-victim campaign through 6 hops, beside DuckDB and NetworkX on the same data.

Data: the simulator's ``small`` and ``medium`` scenarios (seed 7), tiled with disjoint account names to reach the
larger sizes (each copy is a separate population over the same days, so more accounts, same per-account traffic).
Victims are the scenario's case reports; a query traces all the payments of one report (``fanzha.flow.trace``,
FIFO, 6 hops, 72 h). The peers compute only time-respecting reachability over the same window and hop limit (which
accounts money could have reached), less than the trace's attribution of amounts:

- DuckDB: a recursive CTE over an in-memory table of the ledger (integer account ids);
- NetworkX: a label-correcting search over ``MultiDiGraph.out_edges``, run on the smallest size only (a graph of
  10M edges needs well over 10 GB).

Run: ``.venv/bin/python -m bench.bench_trace --sizes 1,5,10,20 --queries 400``. Prints markdown tables for
bench/RESULTS.md. Scenarios are cached under ``--data`` (default ``/tmp/fanzha-bench``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import machine, markdown_table, median_seconds, today
from fanzha.flow import Ledger, TaintSource, TraceLimits, locate_sources, sources_from_payments, trace
from fanzha.flow.ledger import CASH_OUT_CODES
from fanzha.flow.trace import to_micros
from fanzha.model import Report
from fanzha.sim import generate_scenario
from fanzha.store.flows import FlowStore, LedgerArrays

LIMITS = TraceLimits()
PEER_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Victims:
    """Case reports with the money to trace, and 100-report groups from the largest campaigns."""

    reports: list[Report]
    campaigns: list[list[Report]]


def scenario(data: Path, scale: str) -> Path:
    """The cached scenario folder of ``scale`` (generated on first use)."""
    folder = data / f"{scale}-7"
    if not (folder / "manifest.json").exists():
        print(f"generating the {scale} scenario in {folder} …", flush=True)
        generate_scenario(folder, scale, seed=7, overwrite=True)
    return folder


def victims(folder: Path, group_size: int = 100) -> Victims:
    """Fraud case reports of the scenario and groups of ``group_size`` taken campaign by campaign, largest first."""
    campaign_of = {
        row["report_id"]: row["campaign_id"]
        for row in pq.read_table(folder / "truth" / "report_campaign.parquet").to_pylist()
    }
    reports = []
    by_campaign: dict[str, list[Report]] = defaultdict(list)
    with open(folder / "reports.jsonl", encoding="utf-8") as lines:
        for line in lines:
            if '"payments":[]' in line:
                continue
            report = Report.model_validate_json(line)
            campaign = campaign_of.get(report.id)
            if campaign is not None:
                reports.append(report)
                by_campaign[campaign].append(report)
    ordered = [r for members in sorted(by_campaign.values(), key=len, reverse=True) for r in members]
    groups = [ordered[i : i + group_size] for i in range(0, len(ordered) - group_size + 1, group_size)]
    return Victims(reports, groups)


def tiled(arrays: LedgerArrays, copies: int) -> LedgerArrays:
    """``copies`` disjoint copies of the ledger (account ``a`` of copy ``k`` is named ``k:a``).

    Rows are concatenated copy by copy; each account's rows stay in time order, which is all the index needs.
    """
    names = [str(name) for name in arrays.accounts]
    accounts = np.array([f"{k}:{name}" for k in range(copies) for name in names], dtype=object)
    step = len(names)
    return LedgerArrays(
        accounts=accounts,
        src=np.concatenate([arrays.src + k * step for k in range(copies)]).astype(np.int32),
        dst=np.concatenate([arrays.dst + k * step for k in range(copies)]).astype(np.int32),
        time=np.tile(arrays.time, copies),
        amount=np.tile(arrays.amount, copies),
        channel=np.tile(arrays.channel, copies),
        txn_id=np.tile(arrays.txn_id, copies),
    )


def renamed(sources: Sequence[TaintSource], prefix: str) -> list[TaintSource]:
    """Sources pointing into copy ``prefix`` of a tiled ledger."""
    return [
        TaintSource(
            prefix + s.account, s.amount_minor, s.time, s.victim, prefix + s.payer if s.payer else None
        )
        for s in sources
    ]


def percentile_ms(samples: Sequence[float], q: float) -> float:
    """The ``q`` percentile of seconds, in ms."""
    return float(np.percentile(np.asarray(samples) * 1e3, q))


def timed(run: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def duckdb_peer(arrays: LedgerArrays) -> Callable[[list[tuple[int, int]], int], float]:
    """A DuckDB connection holding the ledger, and a timed recursive reachability query over it."""
    connection = duckdb.connect(":memory:")
    table = pa.table(
        {
            "src": arrays.src,
            "dst": arrays.dst,
            "time": arrays.time,
            "amount": arrays.amount,
            "channel": arrays.channel,
        }
    )
    connection.register("ledger_arrow", table)
    connection.execute("CREATE TABLE tx AS SELECT * FROM ledger_arrow")
    codes = ", ".join(str(int(code)) for code in CASH_OUT_CODES)
    connection.execute(
        f"CREATE TABLE endpoint AS SELECT DISTINCT dst AS account FROM tx WHERE channel IN ({codes})"
    )
    connection.unregister("ledger_arrow")

    def query(seeds: list[tuple[int, int]], horizon: int) -> float:
        values = ", ".join(f"({account}, {arrived}, 1)" for account, arrived in seeds)
        sql = f"""
            WITH RECURSIVE reach(account, arrived, hop) AS (
                SELECT * FROM (VALUES {values}) AS seed(account, arrived, hop)
                UNION
                SELECT tx.dst, tx.time, reach.hop + 1
                FROM reach JOIN tx ON tx.src = reach.account AND tx.time > reach.arrived AND tx.time <= {horizon}
                WHERE reach.hop < {LIMITS.max_hops}
                  AND reach.account NOT IN (SELECT account FROM endpoint)
            )
            SELECT account, min(hop) AS hop, min(arrived) AS first_time FROM reach GROUP BY account"""
        timer = threading.Timer(PEER_TIMEOUT_S, connection.interrupt)
        timer.start()
        start = time.perf_counter()
        try:
            connection.execute(sql).fetchall()
        except duckdb.InterruptException:
            return float("inf")
        finally:
            timer.cancel()
        return time.perf_counter() - start

    return query


def networkx_peer(arrays: LedgerArrays) -> tuple[float, Callable[[list[tuple[int, int]], int], float]]:
    """Build time of a NetworkX MultiDiGraph of the ledger, and a timed reachability search over it."""
    import networkx as nx

    start = time.perf_counter()
    graph = nx.MultiDiGraph()
    graph.add_edges_from(
        (int(s), int(d), {"time": int(t)})
        for s, d, t in zip(arrays.src.tolist(), arrays.dst.tolist(), arrays.time.tolist(), strict=True)
    )
    endpoints = set(arrays.dst[np.isin(arrays.channel, CASH_OUT_CODES)].tolist())
    build = time.perf_counter() - start

    def query(seeds: list[tuple[int, int]], horizon: int) -> float:
        start = time.perf_counter()
        earliest: dict[int, tuple[int, int]] = {}
        frontier = []
        for account, arrived in seeds:
            earliest[account] = min(earliest.get(account, (arrived, 1)), (arrived, 1))
            frontier.append((account, arrived, 1))
        while frontier:
            account, arrived, hop = frontier.pop()
            if hop >= LIMITS.max_hops or account in endpoints:
                continue
            for _, receiver, data in graph.out_edges(account, data=True):
                moment = data["time"]
                if arrived < moment <= horizon and (
                    receiver not in earliest or moment < earliest[receiver][0]
                ):
                    earliest[receiver] = (moment, hop + 1)
                    frontier.append((receiver, moment, hop + 1))
        return time.perf_counter() - start

    return build, query


def measure_size(
    label: str,
    arrays: LedgerArrays,
    bench_victims: Victims,
    prefix: str,
    args: argparse.Namespace,
    first: bool,
) -> dict[str, Any]:
    """Every figure for one ledger size."""
    rows = len(arrays)
    ledger = Ledger.build(arrays)
    build_s = median_seconds(lambda: Ledger.build(arrays), repeats=args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        ledger.save(Path(tmp) / "ledger")
        open_s = median_seconds(lambda: Ledger.open(Path(tmp) / "ledger"), repeats=args.repeats)
        mapped = Ledger.open(Path(tmp) / "ledger")
        rng = np.random.default_rng(11)
        picked = rng.choice(
            len(bench_victims.reports), size=min(args.queries, len(bench_victims.reports)), replace=False
        )
        queries = [
            renamed(
                sources_from_payments(bench_victims.reports[i].payments, bench_victims.reports[i].id), prefix
            )
            for i in picked
        ]
        located = [locate_sources(mapped, sources)[0] for sources in queries]
        for sources, positions in zip(queries[:20], located[:20], strict=True):
            trace(mapped, sources, limits=LIMITS, positions=positions)
        one: list[float] = []
        best: list[float] = []
        end_to_end: list[float] = []
        touched: list[int] = []
        for sources, positions in zip(queries, located, strict=True):
            samples = [
                timed(lambda s=sources, p=positions: trace(mapped, s, limits=LIMITS, positions=p))
                for _ in range(args.repeats)
            ]
            one += samples
            best.append(min(samples))
            end_to_end += [
                timed(lambda s=sources: trace(mapped, s, limits=LIMITS)) for _ in range(args.repeats)
            ]
        for sources, positions in zip(queries, located, strict=True):
            touched.append(len(trace(mapped, sources, limits=LIMITS, positions=positions)))
        campaign_sources = [
            renamed([s for r in group for s in sources_from_payments(r.payments, r.id)], prefix)
            for group in bench_victims.campaigns[: args.campaigns]
        ]
        campaign_positions = [locate_sources(mapped, sources)[0] for sources in campaign_sources]
        campaign = [
            median_seconds(
                lambda s=sources, p=positions: trace(mapped, s, limits=LIMITS, positions=p), args.repeats
            )
            for sources, positions in zip(campaign_sources, campaign_positions, strict=True)
        ]
        campaign_touched = [
            len(trace(mapped, s, limits=LIMITS, positions=p))
            for s, p in zip(campaign_sources, campaign_positions, strict=True)
        ]
    peer_queries = []
    for sources, positions in zip(queries[: args.peer_queries], located[: args.peer_queries], strict=True):
        matched = positions[positions >= 0]
        seeds = [
            (
                int(ledger.column("out_dst", np.array([p]))[0]),
                int(ledger.column("out_time", np.array([p]))[0]),
            )
            for p in matched
        ]
        horizon = max(to_micros(s.time) for s in sources) + int(LIMITS.window / timedelta(microseconds=1))
        peer_queries.append((seeds, horizon))
    del ledger
    duck = duckdb_peer(arrays)
    duck_times = [duck(seeds, horizon) for seeds, horizon in peer_queries]
    result: dict[str, Any] = {
        "label": label,
        "rows": rows,
        "build_s": build_s,
        "bytes_per_txn": Ledger.build(arrays).nbytes / rows,
        "open_ms": open_s * 1e3,
        "one_p50": percentile_ms(one, 50),
        "one_p99": percentile_ms(one, 99),
        "best_p50": percentile_ms(best, 50),
        "best_p99": percentile_ms(best, 99),
        "e2e_p50": percentile_ms(end_to_end, 50),
        "e2e_p99": percentile_ms(end_to_end, 99),
        "touched_p50": float(np.median(touched)),
        "campaign_ms": statistics.median(campaign) * 1e3 if campaign else float("nan"),
        "campaign_max_ms": max(campaign) * 1e3 if campaign else float("nan"),
        "campaign_touched": float(np.median(campaign_touched)) if campaign_touched else float("nan"),
        "duck_p50": percentile_ms(duck_times, 50),
        "duck_p99": percentile_ms(duck_times, 99),
        "duck_ours_p50": percentile_ms(best[: len(duck_times)], 50),
    }
    if first and rows <= args.networkx_max_rows:
        build, nx_query = networkx_peer(arrays)
        nx_times = [nx_query(seeds, horizon) for seeds, horizon in peer_queries]
        result |= {
            "nx_build_s": build,
            "nx_p50": percentile_ms(nx_times, 50),
            "nx_p99": percentile_ms(nx_times, 99),
        }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/tmp/fanzha-bench"))
    parser.add_argument(
        "--sizes", default="1,5,10,20", help="ledger sizes in millions (1 = small×2, 5 = medium, …)"
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--peer-queries", type=int, default=15)
    parser.add_argument("--campaigns", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--networkx-max-rows", type=int, default=2_000_000, help="skip NetworkX above this size"
    )
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    results = []
    cached_victims: dict[Path, Victims] = {}
    for index, size in enumerate(int(s) for s in args.sizes.split(",")):
        scale, copies = ("small", 2) if size < 5 else ("medium", max(1, round(size / 5.36)))
        folder = scenario(args.data, scale)
        start = time.perf_counter()
        base = FlowStore(folder / "transactions").load_arrays()
        load_s = time.perf_counter() - start
        arrays = tiled(base, copies)
        label = f"{scale}×{copies}" if copies > 1 else scale
        print(
            f"{label}: {len(arrays):,} rows (flow store load_arrays of one copy {load_s:.1f} s)", flush=True
        )
        if folder not in cached_victims:
            cached_victims[folder] = victims(folder)
        bench_victims = cached_victims[folder]
        results.append(measure_size(label, arrays, bench_victims, "0:", args, first=index == 0))
        del arrays, base
    print(f"\n### Money tracing ({today()}, {machine()})\n")
    rows = []
    for r in results:
        rows.append(
            [
                f"{r['label']} ({r['rows'] / 1e6:.1f}M)",
                f"{r['build_s']:.2f} s ({r['rows'] / r['build_s'] / 1e6:.1f}M rows/s)",
                f"{r['bytes_per_txn']:.1f}",
                f"{r['open_ms']:.1f}",
                f"{r['one_p50']:.3f} / {r['one_p99']:.2f} ({r['best_p50']:.3f} / {r['best_p99']:.2f})",
                f"{r['e2e_p50']:.3f} / {r['e2e_p99']:.2f}",
                f"{r['touched_p50']:.0f}",
                f"{r['campaign_ms']:.1f} (max {r['campaign_max_ms']:.1f}; {r['campaign_touched']:.0f} accts)",
                f"{r['duck_p50']:.1f} / {r['duck_p99']:.1f}",
                f"{r['duck_p50'] / r['duck_ours_p50']:.0f}×",
            ]
        )
    headers = [
        "ledger", "index build", "bytes/txn", "open (mmap) ms", "1 victim p50 / p99 ms (best of repeats)", "incl. locating p50 / p99",
        "accounts touched p50", "100 victims ms", "DuckDB CTE p50 / p99 ms", "DuckDB ÷ fanzha (p50)",
    ]  # fmt: skip
    print(markdown_table(headers, rows))
    first = results[0]
    if "nx_p50" in first:
        print(
            f"\nNetworkX on {first['label']} ({first['rows'] / 1e6:.1f}M rows): graph build {first['nx_build_s']:.1f} s, "
            f"reachability p50 {first['nx_p50']:.2f} ms / p99 {first['nx_p99']:.2f} ms, "
            f"{first['nx_p50'] / first['duck_ours_p50']:.0f}× the fanzha trace p50."
        )


if __name__ == "__main__":
    main()
