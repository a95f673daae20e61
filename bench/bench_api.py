"""Public risk lookup over HTTP: requests per second and latency under load, uncached and cached, beside a bare
Starlette endpoint.

A small scenario's reports are ingested into an embedded (SQLite) case store; ``uvicorn`` serves the fanzha API
with two workers on loopback, and ``wrk`` (Debian's package; ``apt-get install wrk``) loads it twice:

- **uncached**: every distinct identifier the reports name (phones, cards, wallets, URLs, domains, apps, …), in a
  fixed shuffled order, with the answer cache off (``FANZHA_PUBLIC_CACHE_SECONDS=0``), so every request normalises,
  queries the store and assesses the identifier;
- **cached**: 500 phones again and again with the production cache (30 s), so nearly every request is a cache hit.

The rate limit stays on as in production: every request is charged to its client's bucket. wrk speaks from one
address, so the bench raises the per-client allowance (``FANZHA_PUBLIC_LOOKUPS_PER_MINUTE=10^9``) instead of
faking many client addresses; a 429 or any other non-2xx answer fails the run. The peer is a Starlette endpoint
answering constant JSON with the same server settings. The load generator shares the machine's two cores with the
server, as it would on one host.

Run: ``.venv/bin/python -m bench.bench_api --repeats 3``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import asgi_get, machine, markdown_table, today
from fanzha.api import create_app
from fanzha.config import Settings
from fanzha.intake.pipeline import ingest_path
from fanzha.sim import generate_scenario
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.flows import FlowStore

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""
LOOKUP = "/api/v1/identifiers/risk?kind={}&value={}"
PUBLIC_KINDS = ("phone", "bank_account", "url", "domain", "ip", "email", "wechat", "qq", "alipay", "app",
                "crypto_wallet")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"], env=env, cwd=Path(__file__).parents[1],
    )  # fmt: skip
    for _ in range(200):
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v1/identifiers/risk?kind=phone&value=95588", timeout=1
            )
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{app} did not start")


def _wrk(port: int, script: Path, seconds: int, connections: int) -> tuple[float, float, float]:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if failed:
        raise RuntimeError(f"{failed.group(1)} lookups were refused or failed (rate limit?):\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rate, _latency(output, "50%"), _latency(output, "99%")


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _phones(scenario: Path) -> list[tuple[str, str]]:
    """500 phones named in the reports (the cached run asks for them again and again)."""
    found = {
        i["value"] for report in _reports(scenario) for i in report["identifiers"] if i["kind"] == "phone"
    }
    return [("phone", phone) for phone in [*sorted(found)[:500], "13900000000", "95588"]]


def _distinct_identifiers(scenario: Path, limit: int = 20_000) -> list[tuple[str, str]]:
    """Every distinct identifier the reports name (form entries and payees), as written, in a fixed shuffle."""
    found: set[tuple[str, str]] = set()
    for report in _reports(scenario):
        found.update((i["kind"], i["value"]) for i in report["identifiers"] if i["kind"] in PUBLIC_KINDS)
        for payment in report.get("payments") or ():
            kind = "crypto_wallet" if payment.get("rail") == "crypto" else "bank_account"
            found.add((kind, payment["to_account"]))
    ordered = sorted(found)
    random.Random(7).shuffle(ordered)
    return ordered[:limit]


def _reports(scenario: Path) -> list[dict[str, Any]]:
    lines = (scenario / "reports.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _script(path: Path, lookups: list[tuple[str, str]]) -> Path:
    quoted = (LOOKUP.format(kind, urllib.parse.quote(value, safe="")) for kind, value in lookups)
    path.write_text(LUA % ", ".join(f'"{p}"' for p in quoted))
    return path


def _cpu_per_lookup(home: Path, lookups: list[tuple[str, str]], cache_seconds: float, passes: int) -> float:
    """CPU µs per lookup through the ASGI app in this process: the server's own cost, without HTTP parsing or
    the load generator, and much less moved by other jobs on the machine than a rate is."""
    settings = Settings(home=home, secret_key="b" * 40, public_lookups_per_minute=10**9,
                        public_cache_seconds=cache_seconds)  # fmt: skip
    app = create_app(settings)
    queries = [urllib.parse.urlencode({"kind": kind, "value": value}).encode() for kind, value in lookups]

    async def run() -> float:
        async with app.router.lifespan_context(app):
            for query in queries[:100]:
                await _get(app, query)
            start = time.process_time()
            for _ in range(passes):
                for query in queries:
                    await _get(app, query)
            return (time.process_time() - start) / (passes * len(queries)) * 1e6

    return asyncio.run(run())


async def _get(app: Any, query: bytes) -> None:
    await asgi_get(app, "/api/v1/identifiers/risk", query)


SERVERS = (
    ("uncached", "fanzha risk lookup, uncached (SQLite)", "fanzha.api.main:app"),
    ("cached", "fanzha risk lookup, cached", "fanzha.api.main:app"),
    ("peer", "peer: Starlette constant JSON", "bench.floor_app:app"),
)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="8,32", help="wrk connections, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    connections = [int(c) for c in str(args.connections).split(",")]
    results: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home, scenario = Path(tmp) / "home", Path(tmp) / "scenario"
        generate_scenario(scenario, "small", 7)
        home.mkdir()
        url = f"sqlite:///{home / 'cases.db'}"
        upgrade(url)
        with CaseStore(url) as store:
            ingest_path(scenario / "units.jsonl", store, FlowStore(home / "flows"))
            ingest_path(scenario / "reports.jsonl", store, FlowStore(home / "flows"))
        distinct = _distinct_identifiers(scenario)
        scripts = {
            "uncached": _script(Path(tmp) / "distinct.lua", distinct),
            "cached": _script(Path(tmp) / "phones.lua", _phones(scenario)),
        }
        scripts["peer"] = scripts["cached"]
        env = {**os.environ, "FANZHA_HOME": str(home), "FANZHA_SECRET_KEY": "b" * 40,
               "FANZHA_PUBLIC_LOOKUPS_PER_MINUTE": str(10**9)}  # fmt: skip
        phones = _phones(scenario)
        cpu = {
            "uncached": _cpu_per_lookup(home, distinct, 0, passes=1),
            "cached": _cpu_per_lookup(home, phones, 30, passes=5),
        }
        for name, _, app in SERVERS:
            cache = {"FANZHA_PUBLIC_CACHE_SECONDS": "0"} if name == "uncached" else {}
            port = _free_port()
            server = _serve(app, port, {**env, **cache}, args.workers)
            try:
                _wrk(port, scripts[name], 2, connections[0])
                for count in connections:
                    results[name, count] = [
                        _wrk(port, scripts[name], args.seconds, count) for _ in range(args.repeats)
                    ]
            finally:
                server.terminate()
                server.wait(timeout=20)
    median = {
        key: [statistics.median(run[i] for run in runs) for i in range(3)] for key, runs in results.items()
    }
    rows = []
    for count in connections:
        for name, label, _ in SERVERS:
            rate, p50, p99 = median[name, count]
            peer_rate = median["peer", count][0]
            rows.append([label, count, f"{rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}", f"{rate / peer_rate:.2f}"])
    print(
        f"### Public risk lookup over HTTP ({args.workers} uvicorn workers, uvloop + httptools, wrk, {args.seconds} s a run)\n"
    )
    print(
        f"{machine()}; {today()}; median of {args.repeats} runs; uncached: {len(distinct):,} distinct identifiers, "
        "cache off; cached: 502 phones, 30 s cache; rate limit on (10^9 a minute for wrk's one address)\n"
    )
    print(markdown_table(["server", "connections", "requests/s", "p50 ms", "p99 ms", "rate vs peer"], rows))
    print("\nCPU per lookup through the ASGI app in one process (no HTTP parsing, no load generator):\n")
    print(
        markdown_table(
            ["lookup", "CPU µs per lookup", "lookups/s on 2 cores at that cost"],
            [[name, f"{micros:.0f}", f"{2e6 / micros:,.0f}"] for name, micros in cpu.items()],
        )
    )


if __name__ == "__main__":
    main()
