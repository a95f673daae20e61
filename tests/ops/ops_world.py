"""A small world for the operations tests: the simulator's unit tree, staff with supervisors, a fixed start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fanzha.model import TaskKind
from fanzha.ops import Actor, Role, SlaPolicy, StaffDirectory, TaskRecord, UnitTree, create_task
from fanzha.sim.regions import unit_tree

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
"""Monday 7 September 2026, 10:00 in Beijing."""

TREE = UnitTree(unit_tree())
POLICY = SlaPolicy()

SHENZHEN, NANSHAN, FUTIAN, GUANGZHOU, GUANGDONG = "440300", "440305", "440304", "440100", "440000"
HANGZHOU, ZHEJIANG, ICBC = "330100", "330000", "BANK-ICBC"

ALL_ROLES = frozenset(Role)


def person(unit: str, *roles: Role) -> Actor:
    """A user of ``unit`` named after its unit and roles."""
    return Actor.of(f"{'+'.join(sorted(roles))}@{unit}", unit, *roles)


STAFF = StaffDirectory(
    [
        person("CN", Role.SUPERVISOR),
        person(GUANGDONG, Role.SUPERVISOR),
        person(SHENZHEN, Role.SUPERVISOR),
        Actor.of("second-supervisor@440300", SHENZHEN, Role.SUPERVISOR, Role.ANALYST),
        person(NANSHAN, Role.INVESTIGATOR),
    ]
)


def new_task(
    kind: TaskKind = TaskKind.STOP_PAYMENT, unit: str = SHENZHEN, task_id: str = "T-1", at: datetime = T0
) -> TaskRecord:
    """A task created in ``analyse`` by an analyst of ``unit``."""
    return create_task(TREE, person(unit, Role.ANALYST), task_id=task_id, kind=kind, at=at, policy=POLICY)


MINUTE = timedelta(minutes=1)
TICK = timedelta(microseconds=1)
