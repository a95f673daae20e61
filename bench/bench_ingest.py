"""Ingest throughput and peak memory: a scenario's reports and transactions into the stores, beside DuckDB
loading the same files.

Every measured run is its own child process, so that its peak resident memory is its own: reports go through the
whole streaming pipeline (JSON-lines parsing, model validation, the sort against the store, identifier extraction
and classification, the chunked write with identifier upserts and the audit event, one transaction) into SQLite,
and into PostgreSQL when ``FANZHA_BENCH_POSTGRES_URL`` names a server database to use; then the same file again
(every report already stored: one lookup per chunk, no text work). Transactions are the scenario's
``transactions/`` folder (``day=YYYY-MM-DD/…``) named directly, validated and appended to the Parquet flow
store. The peers, in child processes too: DuckDB loading the same JSON lines into a table with ``read_json`` (no
validation, no extraction: a floor for parsing and writing) and copying the same Parquet files.

CPU time is the child's and its text worker's (``getrusage``), so that a run on a machine shared with other jobs
can be read too: the rate "a core each would give" is the items over the busier process's CPU time. Peak memory
is the child's ``VmHWM`` (Linux), else ``resource.getrusage`` ``ru_maxrss`` (which on Linux also
keeps the size of the parent it was forked from); the text worker process's peak is its ``ru_maxrss`` as its
parent sees it, shared pages of the parent it was forked from included.

Run: ``.venv/bin/python -m bench.bench_ingest --scale medium`` (``--scenario DIR`` reuses a generated one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import machine, markdown_table, today

_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path

def peak_kib():
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

what, source, url, flows = sys.argv[1:5]
start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
out = {}
if what == "fanzha":
    from fanzha.intake.pipeline import ingest_path
    from fanzha.store.cases import CaseStore
    from fanzha.store.flows import FlowStore
    with CaseStore(url) as cases:
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        summary = ingest_path(source, cases, FlowStore(flows))
    out = {"reports": summary.reports_inserted + summary.reports_unchanged,
           "transactions": summary.transactions_inserted + summary.transactions_unchanged}
elif what == "duckdb_json":
    import duckdb
    duckdb.connect().execute(
        f"CREATE TABLE reports AS SELECT * FROM read_json('{source}', format='newline_delimited')")
elif what == "duckdb_parquet":
    import duckdb
    duckdb.sql(f"COPY (SELECT * FROM read_parquet('{source}/*/*.parquet')) TO '{flows}' (FORMAT parquet, "
               "COMPRESSION zstd)")
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out |= {"seconds": time.perf_counter() - start, "peak_kib": peak_kib(), "worker_kib": children.ru_maxrss,
        "cpu": own.ru_utime + own.ru_stime - before.ru_utime - before.ru_stime, "worker_cpu": children.ru_utime + children.ru_stime}
print(json.dumps(out))
"""


def _child(what: str, source: Path, url: str = "", flows: Path | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, what, str(source), url, str(flows or "")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{what} {source} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _prepared(url: str, scenario: Path, flows: Path) -> str:
    """A fresh case store at ``url`` holding the scenario's units."""
    from fanzha.store.cases import upgrade

    upgrade(url)
    _child("fanzha", scenario / "units.jsonl", url, flows)
    return url


def _copies(source: Path, target: Path, times: int) -> Path:
    """``source``'s reports ``times`` over, each copy under fresh ids (``-c1``, ``-c2``…)."""
    with target.open("w", encoding="utf-8") as out:
        for copy in range(1, times + 1):
            with source.open(encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    out.write(
                        json.dumps({**record, "id": f"{record['id']}-c{copy}"}, ensure_ascii=False) + "\n"
                    )
    return target


def _postgres_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scenario", type=Path, help="a scenario folder generated before (skips generating)")
    parser.add_argument("--copies", type=int, default=0, help="also ingest a file of the reports this many times "
                        "over under fresh ids (memory against the file's size)")  # fmt: skip
    args = parser.parse_args()
    postgres = os.environ.get("FANZHA_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        scenario = args.scenario
        if scenario is None:
            scenario = tmp / "scenario"
            subprocess.run(
                [sys.executable, "-m", "fanzha.cli.main", "sim", "--scale", args.scale, "--seed", str(args.seed),
                 "--out", str(scenario)], check=True, capture_output=True,
            )  # fmt: skip
        manifest = json.loads((scenario / "manifest.json").read_text("utf-8"))
        counts, scale = manifest["counts"], manifest.get("scale", args.scale)
        reports_file = scenario / "reports.jsonl"
        url = _prepared(f"sqlite:///{tmp}/cases.db", scenario, tmp / "flows")
        runs = {"sqlite": _child("fanzha", reports_file, url, tmp / "flows")}
        runs["again"] = _child("fanzha", reports_file, url, tmp / "flows")
        if args.copies:
            copies = _copies(reports_file, tmp / "copies.jsonl", args.copies)
            runs["copies"] = _child("fanzha", copies, url, tmp / "flows")
        if postgres:
            pg = _prepared(_postgres_database(postgres, "fanzha_bench_ingest"), scenario, tmp / "flows-pg")
            runs["postgres"] = _child("fanzha", reports_file, pg, tmp / "flows-pg")
        runs["duckdb_json"] = _child("duckdb_json", reports_file)
        runs["flows"] = _child("fanzha", scenario / "transactions", url, tmp / "flows")
        runs["duckdb_parquet"] = _child(
            "duckdb_parquet", scenario / "transactions", flows=tmp / "peer.parquet"
        )
    reports, transactions = counts["reports"], counts["transactions"]
    peer_json, peer_parquet = runs["duckdb_json"]["seconds"], runs["duckdb_parquet"]["seconds"]

    def row(
        what: str, run: dict[str, Any], items: int, peer: float | None, worker: bool = False
    ) -> list[str]:
        seconds = run["seconds"]
        versus = f"{seconds / peer:.1f}× the peer's time" if peer else "1.0"
        helper = f" (text worker {_mib(run['worker_kib'])})" if worker and run["worker_kib"] else ""
        cpu = f"{run['cpu']:.1f} s" + (f" + {run['worker_cpu']:.1f} s" if run["worker_cpu"] > 0.05 else "")
        bound = items / max(run["cpu"], run["worker_cpu"])
        return [what, f"{seconds:.1f} s", f"{items / seconds:,.0f}/s", cpu, f"{bound:,.0f}/s",
                _mib(run["peak_kib"]) + helper, versus]  # fmt: skip

    rows = [row("reports: whole pipeline into SQLite", runs["sqlite"], reports, peer_json, worker=True),
            row("reports: the same file again (all stored)", runs["again"], reports, peer_json, worker=True)]  # fmt: skip
    if "copies" in runs:
        rows.append(row(f"reports: {args.copies}× the file under fresh ids, into the same store", runs["copies"],
                        reports * args.copies, peer_json * args.copies, worker=True))  # fmt: skip
    if "postgres" in runs:
        rows.append(
            row("reports: whole pipeline into PostgreSQL", runs["postgres"], reports, peer_json, True)
        )
    rows += [row("peer: DuckDB read_json → table", runs["duckdb_json"], reports, None),
             row("transactions: day=… folder validated + appended (Parquet)", runs["flows"], transactions,
                 peer_parquet),
             row("peer: DuckDB Parquet → Parquet", runs["duckdb_parquet"], transactions, None)]  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"### Ingest, scale {scale} ({reports:,} reports, {transactions:,} transactions)\n")
    print(f"{machine()}; {today()}; one run each, each its own process; load average {load:.1f} at the end\n")
    print(markdown_table(["what", "time", "rate", "CPU (process + text worker)", "rate a core each would give",
                          "peak memory", "vs peer"], rows))  # fmt: skip
    print(
        "\nCPU from the start of the ingest (imports excluded); a core each would give the items over the busier "
        "process's CPU time."
    )


if __name__ == "__main__":
    main()
