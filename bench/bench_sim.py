"""Simulator throughput: scenario generation by stage, beside DuckDB writing the same number of random rows.

Run: ``.venv/bin/python bench/bench_sim.py --scale small --repeats 3``. Prints a markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from bench.common import machine, markdown_table, today
from fanzha.sim import generate_scenario


def _time_stages(out: Path, scale: str, seed: int) -> tuple[dict[str, float], dict[str, int]]:
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter() - start
        marks.setdefault(stage, now)
        if done == total:
            marks[stage + ":end"] = now

    summary = generate_scenario(out, scale, seed, progress=progress, overwrite=True)
    marks["total"] = time.perf_counter() - start
    return marks, summary.manifest["counts"]


def _duckdb_random_rows(out: Path, rows: int) -> float:
    """The peer: DuckDB generating ``rows`` random transactions and writing them as zstd Parquet."""
    start = time.perf_counter()
    duckdb.sql(
        f"""COPY (SELECT i AS txn_id, TIMESTAMPTZ '2026-09-01' + to_microseconds((random() * 2.6e12)::BIGINT) AS time,
                   (random() * 1e6)::BIGINT::VARCHAR AS src_account, (random() * 1e6)::BIGINT::VARCHAR AS dst_account,
                   (exp(random() * 12) * 100)::BIGINT AS amount_minor, 'CNY' AS currency, 'transfer' AS channel
            FROM range({rows}) t(i)) TO '{out}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = []
    peer = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            marks, counts = _time_stages(Path(tmp) / "scenario", args.scale, 7)
            runs.append(marks)
            peer.append(_duckdb_random_rows(Path(tmp) / "peer.parquet", counts["transactions"]))
    transactions = counts["transactions"]
    txn_stage = statistics.median(m["transactions:end"] - m["transactions"] for m in runs)
    reports_stage = statistics.median(m["reports:end"] - m["reports"] for m in runs)
    total = statistics.median(m["total"] for m in runs)
    peer_time = statistics.median(peer)
    rows = [
        ["whole scenario", f"{total:.2f} s", f"{transactions / total:,.0f} txn/s", ""],
        [
            "transaction stage",
            f"{txn_stage:.2f} s",
            f"{transactions / txn_stage:,.0f} txn/s",
            f"{peer_time / txn_stage:.2f}",
        ],
        [
            "report rendering",
            f"{reports_stage:.2f} s",
            f"{counts['reports'] / reports_stage:,.0f} reports/s",
            "",
        ],
        [
            "peer: DuckDB random rows → Parquet",
            f"{peer_time:.2f} s",
            f"{transactions / peer_time:,.0f} rows/s",
            "1.00",
        ],
    ]
    print(
        f"### Simulator, scale {args.scale} ({transactions:,} transactions, {counts['reports']:,} reports)\n"
    )
    print(f"{machine()}; {today()}; median of {args.repeats} runs\n")
    print(markdown_table(["stage", "time", "rate", "speed vs peer"], rows))


if __name__ == "__main__":
    main()
