"""Benchmark of the ops engine: the SLA sweep over 100k tasks, ancestor checks (Euler intervals against walking
up the parents, the obvious peer), authorised state transitions. Run: ``.venv/bin/python -m bench.bench_ops``."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bench.common import machine, markdown_table, median_seconds, today
from fanzha.model import TaskKind
from fanzha.ops import (
    Actor,
    Role,
    SlaPolicy,
    StaffDirectory,
    TaskAction,
    UnitTree,
    create_task,
    sweep,
    transition,
)
from fanzha.sim.regions import unit_tree

T0 = datetime(2026, 9, 7, 2, tzinfo=UTC)


def main() -> None:
    units = unit_tree()
    tree = UnitTree(units)
    parents = {unit.code: unit.parent for unit in units}
    policy = SlaPolicy()
    staff = StaffDirectory([Actor.of(f"sup-{u.code}", u.code, Role.SUPERVISOR) for u in units])
    rng = random.Random(7)
    counties = [u.code for u in units if u.level == "county"]
    n = 100_000
    records = []
    for index in range(n):
        county = rng.choice(counties)
        city = parents[county]
        assert city is not None
        analyst = Actor.of("a", city, Role.ANALYST)
        at = T0 + timedelta(seconds=rng.randrange(86_400))
        record = create_task(
            tree, analyst, task_id=f"T{index}", kind=TaskKind.STOP_PAYMENT, at=at, policy=policy
        )
        records.append(
            transition(tree, record, TaskAction.DISPATCH, analyst, at, policy=policy, to_unit=county)
        )
    now = T0 + timedelta(hours=12)
    overdue = sum(record.is_overdue(now) for record in records)
    first = median_seconds(lambda: sweep(records, now, tree=tree, staff=staff, policy=policy), repeats=5)
    swept = sweep(records, now, tree=tree, staff=staff, policy=policy)
    merged = {r.id: r for r in records} | {r.id: r for r in swept.updated}
    again_records = list(merged.values())
    again = median_seconds(
        lambda: sweep(again_records, now, tree=tree, staff=staff, policy=policy), repeats=5
    )

    codes = [u.code for u in units]
    pairs = [(rng.choice(codes), rng.choice(codes)) for _ in range(200_000)]

    def walk(viewer: str, owner: str) -> bool:
        code: str | None = owner
        while code is not None:
            if code == viewer:
                return True
            code = parents[code]
        return False

    euler = median_seconds(lambda: [tree.can_see(a, b) for a, b in pairs], repeats=5)
    naive = median_seconds(lambda: [walk(a, b) for a, b in pairs], repeats=5)

    analyst = Actor.of("a", "440300", Role.ANALYST)
    fresh = [
        create_task(tree, analyst, task_id=f"X{i}", kind=TaskKind.FREEZE, at=T0, policy=policy)
        for i in range(20_000)
    ]
    moves = median_seconds(
        lambda: [
            transition(tree, r, TaskAction.DISPATCH, analyst, T0, policy=policy, to_unit="440305")
            for r in fresh
        ],
        repeats=5,
    )
    print(f"{today()} · {machine()}")
    print(
        f"{n:,} stop-payment tasks, {overdue:,} overdue at sweep time, {len(swept.escalations):,} escalations"
    )
    print(
        markdown_table(
            ["operation", "median", "per item", "rate"],
            [
                [
                    "sweep, first pass (marks + escalates)",
                    f"{first * 1e3:.0f} ms",
                    f"{first / n * 1e6:.2f} µs",
                    f"{n / first:,.0f} tasks/s",
                ],
                [
                    "sweep, second pass (nothing new)",
                    f"{again * 1e3:.0f} ms",
                    f"{again / n * 1e6:.2f} µs",
                    f"{n / again:,.0f} tasks/s",
                ],
                [
                    "can_see, Euler intervals",
                    f"{euler * 1e3:.0f} ms",
                    f"{euler / len(pairs) * 1e9:.0f} ns",
                    f"{len(pairs) / euler:,.0f}/s",
                ],
                [
                    "can_see, walking parents (reference)",
                    f"{naive * 1e3:.0f} ms",
                    f"{naive / len(pairs) * 1e9:.0f} ns",
                    f"{len(pairs) / naive:,.0f}/s",
                ],
                [
                    "transition (dispatch, authorised)",
                    f"{moves * 1e3:.0f} ms",
                    f"{moves / len(fresh) * 1e6:.1f} µs",
                    f"{len(fresh) / moves:,.0f}/s",
                ],
            ],
        )
    )
    print(f"Euler intervals vs walking parents: {naive / euler:.2f}× (tree of {len(tree)} units, depth ≤ 3)")


if __name__ == "__main__":
    main()
