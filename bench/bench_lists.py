"""Report list API (issue 12): ``GET /api/v1/reports`` pages through the ASGI app in process, beside the same page
as one hand-written SQL query on the same database.

An embedded (SQLite) case store is filled with ``--reports`` reports written straight into its tables with
SQLAlchemy Core (the same tables and column types ``CaseStore.add_reports`` writes; no text room, no audit chain):
no narrative, a declared fraud type (half of them classified too), one phone named on the form, one payment for
seven reports in ten, and every other report in a campaign of 100. ``--scope`` of them were taken by the ten
counties under one city, whose analyst signs in; the rest by units elsewhere, interleaved in time. Pages timed:

- **first page**: the 50 newest reports in the analyst's scope;
- **deep keyset page**: ``before=`` a report 90 % of the way down the scope's list;
- **fraud type**: a level-1 code (about 1 report in 15; matches its subtypes) and a level-2 code;
- **campaign**: one campaign's reports;
- **needs_trace**: reports with payments and no stop-payment task (there are no tasks here).

The peer is the floor: one hand-written SQL query on a bare ``sqlite3`` connection to the same file answering
the same page with its losses, form identifiers and campaign (the scope as a literal list of unit codes, no
recursive unit walk), fetched as tuples. Both are asserted to return the same report ids.

Run: ``.venv/bin/python -m bench.bench_lists --reports 200000`` (``--reports 1000000`` for 1M).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import random
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import asgi_get, machine, markdown_table, today
from fanzha.api import create_app
from fanzha.api.security import hash_password, issue_token
from fanzha.config import Settings
from fanzha.model import Unit, UnitLevel
from fanzha.model.taxonomy import fraud_taxonomy
from fanzha.ops import Actor, Role
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.cases.access import add_user
from fanzha.store.cases.schema import Base

T0 = datetime(2025, 12, 1, tzinfo=UTC)
CITY = "440300"
COUNTIES = [f"4403{i:02d}" for i in range(1, 11)]
ELSEWHERE = [f"4401{i:02d}" for i in range(1, 11)] + [f"3101{i:02d}" for i in range(1, 11)]
CAMPAIGN_SIZE = 100
BATCH = 20_000
PAGE = 50
TABLES = Base.metadata.tables


def _units() -> list[Unit]:
    units = [
        Unit(code="CN", name="国家反诈中心", level=UnitLevel.NATIONAL),
        Unit(code="440000", name="广东省", level=UnitLevel.PROVINCE, parent="CN", region_code="440000"),
        Unit(code="310000", name="上海市", level=UnitLevel.PROVINCE, parent="CN", region_code="310000"),
        Unit(code=CITY, name="深圳市", level=UnitLevel.CITY, parent="440000", region_code=CITY),
        Unit(code="440100", name="广州市", level=UnitLevel.CITY, parent="440000", region_code="440100"),
    ]
    parents = {**dict.fromkeys(COUNTIES, CITY), **dict.fromkeys(ELSEWHERE[:10], "440100")}
    parents.update(dict.fromkeys(ELSEWHERE[10:], "310000"))
    units += [
        Unit(code=code, name=f"县 {code}", level=UnitLevel.COUNTY, parent=parent, region_code=code)
        for code, parent in parents.items()
    ]
    return units


def _fraud_types() -> list[str]:
    """Level-2 codes where a type has them, else the level-1 code; not_fraud left out."""
    codes = []
    for fraud_type in fraud_taxonomy().types:
        if fraud_type.code != "not_fraud":
            codes += [s.code for s in fraud_type.subtypes] or [fraud_type.code]
    return codes


def _rows(n: int, scope: int, seed: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Batches of table rows for ``n`` reports, ``scope`` of them in the city's counties, oldest first."""
    rng = random.Random(seed)
    in_scope = set(rng.sample(range(n), scope))
    types = _fraud_types()
    campaigns = max(1, n // 2 // CAMPAIGN_SIZE)
    now = T0 + timedelta(days=400)
    for start in range(0, n, BATCH):
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in ("reports", "payments", "identifiers",
                                                                       "report_identifiers", "campaign_reports")}  # fmt: skip
        for i in range(start, min(n, start + BATCH)):
            rid = f"RPT-{i:08d}"
            unit = rng.choice(COUNTIES if i in in_scope else ELSEWHERE)
            received = T0 + timedelta(seconds=i * 31_536_000 // n, microseconds=rng.randrange(1000))
            fraud_type = types[rng.randrange(len(types))]
            batch["reports"].append({
                "id": rid, "kind": "case", "channel": "app", "received_at": received, "reporter_unit": unit,
                "victim_pseudonym": f"V-{i}", "victim_age_band": "60+", "victim_region": unit,
                "victim_account": f"6222{i:015d}", "narrative": "", "language": "zh-Hans",
                "declared_fraud_type": fraud_type, "classified_fraud_type": fraud_type if i % 2 else None,
                "classified_confidence": 0.9 if i % 2 else None,
                "content_hash": hashlib.sha256(rid.encode()).hexdigest(), "ingested_at": now,
            })  # fmt: skip
            if i % 10 < 7:
                batch["payments"].append({
                    "report_id": rid, "payment_index": 0, "from_account": f"6222{i:015d}",
                    "to_account": f"6217{i % 50_000:015d}", "amount_minor": 100 * rng.randrange(500, 200_000),
                    "currency": "CNY", "time": received, "rail": "bank_transfer", "to_bank": None, "to_name": None,
                })  # fmt: skip
            batch["identifiers"].append({"id": i + 1, "kind": "phone", "value": f"+86138{i:08d}", "valid": True,
                                         "first_seen": received, "last_seen": received, "report_count": 1})  # fmt: skip
            batch["report_identifiers"].append({
                "report_id": rid, "identifier_id": i + 1, "source": "form", "ordinal": 0, "span_start": None,
                "span_end": None, "raw": None, "valid": True, "role": "counterparty",
            })  # fmt: skip
            if i % 2 == 0:
                campaign = f"CMP-{i // 2 % campaigns:06d}"
                batch["campaign_reports"].append({"report_id": rid, "campaign_id": campaign,
                                                  "home_campaign_id": campaign, "linked_by": None,
                                                  "linked_at": now})  # fmt: skip
        yield batch


def _fill(store: CaseStore, n: int, scope: int, seed: int) -> None:
    campaigns = max(1, n // 2 // CAMPAIGN_SIZE)
    with store.engine.begin() as connection:
        connection.execute(insert(TABLES["campaigns"]), [
            {"id": f"CMP-{c:06d}", "founder_report_id": f"RPT-{2 * c:08d}", "name": f"campaign {c}",
             "status": "open", "n_reports": CAMPAIGN_SIZE, "created_at": T0, "updated_at": T0, "merged_into": None}
            for c in range(campaigns)
        ])  # fmt: skip
    for batch in _rows(n, scope, seed):
        with store.engine.begin() as connection:
            for table, rows in batch.items():
                if rows:
                    connection.execute(insert(TABLES[table]), rows)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


FLOOR = """
SELECT r.id, r.kind, r.channel, r.received_at, r.reporter_unit,
       coalesce(r.classified_fraud_type, r.declared_fraud_type), r.victim_age_band, r.victim_region,
       r.victim_account,
       (SELECT group_concat(p.currency || ':' || p.total) FROM
            (SELECT currency, sum(amount_minor) AS total FROM payments WHERE report_id = r.id GROUP BY currency) p),
       (SELECT group_concat(i.kind || ':' || i.value) FROM report_identifiers l
            JOIN identifiers i ON i.id = l.identifier_id WHERE l.report_id = r.id AND l.source = 'form'),
       (SELECT c.campaign_id FROM campaign_reports c WHERE c.report_id = r.id)
FROM reports r
WHERE r.reporter_unit IN ({units}) {where}
ORDER BY r.received_at DESC, r.id DESC
LIMIT {limit}
"""


def _floor_sql(page: dict[str, str]) -> tuple[str, list[Any]]:
    where, params = [], list(COUNTIES)
    if "fraud_type" in page:
        where.append("(coalesce(r.classified_fraud_type, r.declared_fraud_type) = ? OR "
                     "coalesce(r.classified_fraud_type, r.declared_fraud_type) LIKE ? ESCAPE '/')")  # fmt: skip
        params += [page["fraud_type"], page["fraud_type"].replace("_", "/_") + ".%"]
    if "campaign_id" in page:
        where.append("r.id IN (SELECT report_id FROM campaign_reports WHERE campaign_id = ?)")
        params.append(page["campaign_id"])
    if "needs_trace" in page:
        where.append("EXISTS (SELECT 1 FROM payments p WHERE p.report_id = r.id) AND NOT EXISTS "
                     "(SELECT 1 FROM tasks t WHERE t.report_id = r.id AND t.kind = 'stop_payment')")  # fmt: skip
    if "before" in page:
        where.append("(r.received_at, r.id) < ((SELECT received_at FROM reports WHERE id = ?), ?)")
        params += [page["before"], page["before"]]
    sql = FLOOR.format(
        units=", ".join("?" * len(COUNTIES)), where="".join(f" AND {w}" for w in where), limit=PAGE
    )
    return sql, params


async def _get(app: Any, query: bytes, token: bytes) -> list[dict[str, Any]]:
    body = await asgi_get(app, "/api/v1/reports", query, [(b"authorization", b"Bearer " + token)])
    page: list[dict[str, Any]] = json.loads(body)
    return page


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1e3, p99 * 1e3


def _fetch(floor: sqlite3.Connection, sql: str, params: list[Any]) -> list[Any]:
    return floor.execute(sql, params).fetchall()


def _timed(run: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument(
        "--scope", type=int, default=None, help="reports in the analyst's scope (default: all)"
    )
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="write a cProfile of 10 more requests a page here (the event loop only: the sync route runs in the thread pool)",
    )
    args = parser.parse_args()
    n, scope_n = args.reports, args.scope if args.scope is not None else args.reports
    if not 0 < scope_n <= n:
        raise SystemExit("--scope must be between 1 and --reports")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        url = f"sqlite:///{home / 'cases.db'}"
        upgrade(url)
        with CaseStore(url) as store:
            store.add_units(_units())
            add_user(store, "analyst", "analyst", CITY, ["analyst"], hash_password("x" * 16), actor="bench")
            started = time.perf_counter()
            _fill(store, n, scope_n, args.seed)
            fill_seconds = time.perf_counter() - started
            size_mib = (home / "cases.db").stat().st_size / 2**20
            floor = sqlite3.connect(home / "cases.db")
            pages = _pages(floor, scope_n, n)
            settings = Settings(home=home, secret_key="b" * 40, environment="test")
            app = create_app(settings, store=store)
            actor = Actor("analyst", CITY, frozenset({Role.ANALYST}))
            token = issue_token(actor, settings, datetime.now(UTC))[0].encode()
            results = asyncio.run(_measure(app, token, floor, pages, args.repeats, args.profile))
            floor.close()
    rows = []
    for label, page in pages:
        api, peer, count = results[label]
        (a50, a99), (p50, p99) = _percentiles(api), _percentiles(peer)
        query = urllib.parse.urlencode(page) or "(none)"
        rows.append([label, f"`{query}`", count, f"{a50:.1f}", f"{a99:.1f}", f"{p50:.1f}", f"{p99:.1f}",
                     f"{a50 / p50:.0f}×"])  # fmt: skip
    print(f"### Report list API, {n:,} reports, {scope_n:,} in the analyst's scope (SQLite)\n")
    print(
        f"{machine()}; {today()}; {args.repeats} requests a page after one warm-up; store filled in "
        f"{fill_seconds:.0f} s ({size_mib:,.0f} MiB); peer: one hand-written SQL query, bare sqlite3\n"
    )
    print(markdown_table(["page", "query", "rows", "API p50 ms", "API p99 ms", "SQL p50 ms", "SQL p99 ms",
                          "API / SQL"], rows))  # fmt: skip


def _pages(floor: sqlite3.Connection, scope_n: int, n: int) -> list[tuple[str, dict[str, str]]]:
    """The pages to time: first, deep keyset, fraud types, a campaign, needs_trace."""
    depth = int(scope_n * 0.9)
    marks = ", ".join("?" * len(COUNTIES))
    deep = floor.execute(
        f"SELECT id FROM reports WHERE reporter_unit IN ({marks}) ORDER BY received_at DESC, id DESC "
        "LIMIT 1 OFFSET ?", [*COUNTIES, depth],
    ).fetchone()[0]  # fmt: skip
    campaign = floor.execute(
        f"SELECT c.campaign_id FROM campaign_reports c JOIN reports r ON r.id = c.report_id "
        f"WHERE r.reporter_unit IN ({marks}) GROUP BY c.campaign_id ORDER BY count(*) DESC, c.campaign_id LIMIT 1",
        COUNTIES,
    ).fetchone()[0]  # fmt: skip
    return [
        ("first page", {}),
        (f"deep keyset page (row {depth:,})", {"before": deep}),
        ("fraud type, level 1", {"fraud_type": "fake_investment"}),
        ("fraud type, level 2", {"fraud_type": "fake_investment.pig_butchering"}),
        ("campaign", {"campaign_id": campaign}),
        ("needs_trace", {"needs_trace": "true"}),
    ]


async def _measure(
    app: Any, token: bytes, floor: sqlite3.Connection, pages: list[tuple[str, dict[str, str]]], repeats: int,
    profile: Path | None,
) -> dict[str, tuple[list[float], list[float], int]]:  # fmt: skip
    results = {}
    async with app.router.lifespan_context(app):
        for label, page in pages:
            query = urllib.parse.urlencode(page).encode()
            sql, params = _floor_sql(page)
            answer = await _get(app, query, token)
            expected = floor.execute(sql, params).fetchall()
            if [r["id"] for r in answer] != [r[0] for r in expected]:
                raise RuntimeError(f"{label}: the API and the SQL peer disagree")
            api = []
            for _ in range(repeats):
                start = time.perf_counter()
                await _get(app, query, token)
                api.append(time.perf_counter() - start)
            peer = _timed(partial(_fetch, floor, sql, params), repeats)
            results[label] = (api, peer, len(answer))
        if profile is not None:
            with cProfile.Profile() as profiler:
                for _, page in pages:
                    for _ in range(10):
                        await _get(app, urllib.parse.urlencode(page).encode(), token)
            profiler.dump_stats(profile)
    return results


if __name__ == "__main__":
    main()
