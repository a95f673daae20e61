"""Benchmark of the operations room in the case store: task steps persisted per second (each step its own
transaction, with its audit event and the stale-write check) and one SLA sweep over every task, on SQLite and,
when ``FANZHA_TEST_POSTGRES_URL`` is set, PostgreSQL.

Peer: the same rows written with bare SQLAlchemy Core (one UPDATE of the task and one INSERT of the step per
transaction, no audit chain, no checks) — the floor any persistence of these steps costs.
Run: ``.venv/bin/python -m bench.bench_ops_store``.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.common import machine, markdown_table, median_seconds, today
from fanzha.model import TaskKind
from fanzha.ops import Actor, Role, SlaPolicy, TaskAction, TaskRecord, UnitTree, create_task, transition
from fanzha.sim.regions import unit_tree
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.cases.ops import add_task, sweep_tasks, update_task
from fanzha.store.cases.schema import Base

T0 = datetime(2026, 9, 7, 2, tzinfo=UTC)
TASKS = 400
REPEATS = 3
TASK_TABLE, STEP_TABLE = Base.metadata.tables["tasks"], Base.metadata.tables["task_steps"]


def _versions(tree: UnitTree, county: str, city: str, prefix: str) -> list[list[TaskRecord]]:
    policy = SlaPolicy()
    analyst = Actor.of("analyst", city, Role.ANALYST)
    handler = Actor.of("handler", county, Role.INVESTIGATOR)
    runs = []
    for index in range(TASKS):
        record = create_task(
            tree, analyst, task_id=f"{prefix}-{index}", kind=TaskKind.FREEZE, at=T0, policy=policy
        )
        versions = [record]
        for action, actor, extra in (
            (TaskAction.DISPATCH, analyst, {"to_unit": county}),
            (TaskAction.ACCEPT, handler, {}),
            (TaskAction.START, handler, {}),
        ):
            versions.append(transition(tree, versions[-1], action, actor, T0, policy=policy, **extra))
        runs.append(versions)
    return runs


def _fanzha(store: CaseStore, runs: list[list[TaskRecord]]) -> None:
    for versions in runs:
        add_task(store, versions[0])
        for before, after in itertools.pairwise(versions):
            update_task(store, after, read_steps=len(before.history))


def _peer(store: CaseStore, runs: list[list[TaskRecord]]) -> None:
    from fanzha.store.cases.ops import _task_columns

    for versions in runs:
        for position, record in enumerate(versions):
            step = record.history[-1]
            row = {"task_id": record.id, "seq": position, "action": step.action.value, "from_state": None,
                   "to_state": step.to_state.value, "actor": step.actor, "actor_unit": step.actor_unit,
                   "at": step.at, "to_unit": step.to_unit, "note": step.note}  # fmt: skip
            with Session(store.writer_engine) as session, session.begin():
                if position == 0:
                    session.execute(insert(TASK_TABLE), [_task_columns(record)])
                else:
                    values = {"state": record.state.value, "unit": record.unit}
                    session.execute(update(TASK_TABLE).where(TASK_TABLE.c.id == record.id).values(values))
                session.execute(insert(STEP_TABLE), [row])


def _backends() -> list[tuple[str, Callable[[], str]]]:
    folder = Path(tempfile.mkdtemp(prefix="fanzha-bench-ops-"))
    backends: list[tuple[str, Callable[[], str]]] = [
        ("SQLite", lambda: f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}")
    ]
    admin = os.environ.get("FANZHA_TEST_POSTGRES_URL")
    if admin:

        def postgres() -> str:
            name = f"fanzha_bench_{uuid.uuid4().hex[:12]}"
            engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            engine.dispose()
            return make_url(admin).set(database=name).render_as_string(hide_password=False)

        backends.append(("PostgreSQL", postgres))
    return backends


def main() -> None:
    units = unit_tree()
    tree = UnitTree(units)
    county = next(u for u in units if u.level == "county")
    assert county.parent is not None
    rows = []
    for backend, fresh_url in _backends():
        results: dict[str, float] = {}
        sweeps: list[float] = []
        for name, write in (("fanzha", _fanzha), ("peer", _peer)):
            stores: list[CaseStore] = []

            def setup() -> None:
                url = fresh_url()  # noqa: B023
                upgrade(url)
                store = CaseStore(url)
                store.add_units(units)
                stores.append(store)  # noqa: B023

            runs = _versions(tree, county.code, county.parent, name)
            results[name] = median_seconds(lambda: write(stores[-1], runs), REPEATS, setup)  # noqa: B023
            if name == "fanzha":
                late = T0 + timedelta(days=3)
                sweeps = [
                    median_seconds(lambda: sweep_tasks(stores[-1], late, policy=SlaPolicy()), 1)  # noqa: B023
                ]
            for store in stores:
                store.close()
        steps = TASKS * 4
        fanzha_rate, peer_rate = steps / results["fanzha"], steps / results["peer"]
        rows.append([f"task steps, {backend}", f"{fanzha_rate:,.0f}/s", f"{peer_rate:,.0f}/s",
                     f"{fanzha_rate / peer_rate:.2f}"])  # fmt: skip
        rows.append(
            [f"SLA sweep of {TASKS} overdue tasks, {backend}", f"{sweeps[0] * 1000:,.0f} ms", "—", "—"]
        )
    print(
        f"fanzha ops store benchmark, {today()}, {machine()}; median of {REPEATS} runs of {TASKS} tasks × 4 steps"
    )
    print(markdown_table(["measure", "fanzha", "peer: bare SQL, no audit", "ratio"], rows))


if __name__ == "__main__":
    main()
