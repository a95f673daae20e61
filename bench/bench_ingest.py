"""Ingest throughput: a scenario's reports and transactions into the stores, beside DuckDB loading the same files.

Reports go through the whole pipeline (JSON-lines parsing, model validation, identifier extraction from the
narrative, the batched write with identifier upserts and the audit event) into SQLite, and into PostgreSQL when
``FANZHA_BENCH_POSTGRES_URL`` names a server database to use. The peer loads the same JSON lines into a DuckDB
table with ``read_json`` (no validation, no extraction: a floor for parsing and writing). Transactions are
validated and appended to the Parquet flow store; the peer is DuckDB copying the same Parquet files.

Run: ``.venv/bin/python -m bench.bench_ingest --scale small --repeats 3``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from bench.common import machine, markdown_table, today
from fanzha.intake.pipeline import read_units, scenario_files, store_reports
from fanzha.intake.reports import read_reports
from fanzha.intake.transactions import read_transactions
from fanzha.sim import generate_scenario
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.flows import FlowStore


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _reports_into(url: str, scenario: Path) -> tuple[float, float]:
    """Seconds to read+validate the reports, and to extract+store them, into a fresh case store at ``url``."""
    upgrade(url)
    with CaseStore(url) as store:
        store.add_units(read_units(scenario / "units.jsonl"))
        start = time.perf_counter()
        reports = read_reports(scenario / "reports.jsonl")
        read = time.perf_counter() - start
        store_reports(reports, store)
        return read, time.perf_counter() - start - read


def _postgres_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _transactions_into(folder: Path, scenario: Path) -> float:
    store = FlowStore(folder)
    files = [file for file in scenario_files(scenario) if file.suffix == ".parquet"]
    return _timed(lambda: [store.append(read_transactions(file)) for file in files])


def _duckdb_reports(scenario: Path) -> float:
    return _timed(
        lambda: duckdb.connect().execute(
            f"CREATE TABLE reports AS SELECT * FROM read_json('{scenario / 'reports.jsonl'}', format='newline_delimited')"
        )
    )


def _duckdb_transactions(scenario: Path, out: Path) -> float:
    glob = scenario / "transactions" / "*" / "*.parquet"
    return _timed(
        lambda: duckdb.sql(
            f"COPY (SELECT * FROM read_parquet('{glob}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
        )
    )


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    postgres = os.environ.get("FANZHA_BENCH_POSTGRES_URL")
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario"
        counts = generate_scenario(scenario, args.scale, 7).manifest["counts"]
        for run in range(args.repeats):
            read, store = _reports_into(f"sqlite:///{tmp}/cases-{run}.db", scenario)
            samples.setdefault("read", []).append(read)
            samples.setdefault("sqlite", []).append(store)
            if postgres:
                samples.setdefault("postgres", []).append(
                    _reports_into(_postgres_database(postgres, f"fanzha_bench_{run}"), scenario)[1]
                )
            samples.setdefault("duckdb_reports", []).append(_duckdb_reports(scenario))
            samples.setdefault("flows", []).append(_transactions_into(Path(tmp) / f"flows-{run}", scenario))
            samples.setdefault("duckdb_flows", []).append(
                _duckdb_transactions(scenario, Path(tmp) / f"peer-{run}.parquet")
            )
    median = {name: statistics.median(values) for name, values in samples.items()}
    reports, transactions = counts["reports"], counts["transactions"]
    whole_sqlite = median["read"] + median["sqlite"]
    rows = [
        ["reports: read + validate", f"{median['read']:.2f} s", f"{reports / median['read']:,.0f}/s", ""],
        ["reports: extract + store (SQLite)", f"{median['sqlite']:.2f} s", f"{reports / median['sqlite']:,.0f}/s", ""],
        ["reports: whole pipeline (SQLite)", f"{whole_sqlite:.2f} s", f"{reports / whole_sqlite:,.0f}/s",
         f"{whole_sqlite / median['duckdb_reports']:.1f}× the peer's time"],
    ]  # fmt: skip
    if "postgres" in median:
        whole = median["read"] + median["postgres"]
        rows.append(["reports: whole pipeline (PostgreSQL)", f"{whole:.2f} s", f"{reports / whole:,.0f}/s",
                     f"{whole / median['duckdb_reports']:.1f}× the peer's time"])  # fmt: skip
    rows += [
        ["peer: DuckDB read_json → table", f"{median['duckdb_reports']:.2f} s", f"{reports / median['duckdb_reports']:,.0f}/s", "1.0"],
        ["transactions: validate + append (Parquet)", f"{median['flows']:.2f} s", f"{transactions / median['flows']:,.0f}/s",
         f"{median['flows'] / median['duckdb_flows']:.1f}× the peer's time"],
        ["peer: DuckDB Parquet → Parquet", f"{median['duckdb_flows']:.2f} s", f"{transactions / median['duckdb_flows']:,.0f}/s", "1.0"],
    ]  # fmt: skip
    print(f"### Ingest, scale {args.scale} ({reports:,} reports, {transactions:,} transactions)\n")
    print(f"{machine()}; {today()}; median of {args.repeats} runs\n")
    print(markdown_table(["what", "time", "rate", "vs peer"], rows))


if __name__ == "__main__":
    main()
