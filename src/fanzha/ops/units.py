"""Units (部省市县 and liaison desks), the people in them, their roles and what each role may do.

The unit tree answers "may this unit see that unit's work?" in O(1) from Euler-tour intervals: a unit's
descendants are exactly the units entered after it and before it is left in one depth-first walk. A unit sees its
own and its descendants' work, never a sibling's or a parent's. Permissions are data (:data:`ACTION_ROLES`,
:data:`ACTION_SCOPE`, :data:`READ_ROLES`) so a centre can review them as a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from fanzha.model import Unit, UnitLevel
from fanzha.ops.errors import InvalidOperationError, NotPermittedError

LIAISON_LEVELS = frozenset({UnitLevel.BANK, UnitLevel.TELCO})
"""Levels of the bank and telco liaison desks (反诈专班), which receive requests from any police unit."""


class UnitTree:
    """The unit tree with O(1) ancestor checks.

    Built in O(units × depth) time and memory from units in any order (each unit keeps its chain of ancestors
    for escalations); refuses duplicate codes, unknown parents and cycles.
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            if unit.code in self._units:
                raise InvalidOperationError(f"unit {unit.code!r} appears twice")
            self._units[unit.code] = unit
        self._children: dict[str, list[str]] = {code: [] for code in self._units}
        roots: list[str] = []
        for unit in self._units.values():
            if unit.parent is None:
                roots.append(unit.code)
            elif unit.parent not in self._units:
                raise InvalidOperationError(f"unit {unit.code!r} has unknown parent {unit.parent!r}")
            else:
                self._children[unit.parent].append(unit.code)
        self._order: list[str] = []
        self._enter: dict[str, int] = {}
        self._exit: dict[str, int] = {}
        self._ancestors: dict[str, tuple[str, ...]] = {}
        for root in roots:
            self._walk(root)
        if len(self._order) != len(self._units):
            stuck = sorted(set(self._units) - set(self._enter))
            raise InvalidOperationError(f"units {stuck[:5]} form a cycle and reach no root")

    def _walk(self, root: str) -> None:
        stack = [root]
        while stack:
            code = stack.pop()
            if code in self._enter:
                self._exit[code] = len(self._order)
                continue
            self._enter[code] = len(self._order)
            parent = self._units[code].parent
            self._ancestors[code] = () if parent is None else (parent, *self._ancestors[parent])
            self._order.append(code)
            stack.append(code)
            stack.extend(reversed(self._children[code]))

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __len__(self) -> int:
        return len(self._units)

    def unit(self, code: str) -> Unit:
        """The unit with this code."""
        self._require(code)
        return self._units[code]

    def parent(self, code: str) -> str | None:
        """Code of the parent unit, None for a root."""
        return self.unit(code).parent

    def children(self, code: str) -> Sequence[str]:
        """Codes of the direct children."""
        self._require(code)
        return tuple(self._children[code])

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Codes of the ancestors, nearest first (parent, grandparent, …), the unit itself excluded."""
        try:
            return self._ancestors[code]
        except KeyError:
            self._require(code)
            raise

    def depth(self, code: str) -> int:
        """0 for a root, 1 for its children, …"""
        return len(self.ancestors(code))

    def is_ancestor_or_self(self, ancestor: str, code: str) -> bool:
        """True when ``ancestor`` is ``code`` or above it in the tree; O(1)."""
        try:
            return self._enter[ancestor] <= self._enter[code] < self._exit[ancestor]
        except KeyError:
            self._require(ancestor)
            self._require(code)
            raise

    def can_see(self, viewer_unit: str, owner_unit: str) -> bool:
        """True when work owned by ``owner_unit`` is visible to ``viewer_unit``: its own or a descendant's; O(1)."""
        try:
            return self._enter[viewer_unit] <= self._enter[owner_unit] < self._exit[viewer_unit]
        except KeyError:
            self._require(viewer_unit)
            self._require(owner_unit)
            raise

    def visible_units(self, viewer_unit: str) -> Sequence[str]:
        """Codes of the unit and all its descendants, in depth-first order."""
        self._require(viewer_unit)
        return tuple(self._order[self._enter[viewer_unit] : self._exit[viewer_unit]])

    def is_liaison(self, code: str) -> bool:
        """True for a bank or telco liaison desk."""
        return self.unit(code).level in LIAISON_LEVELS

    def _require(self, code: str) -> None:
        if code not in self._units:
            raise InvalidOperationError(f"unknown unit {code!r}")


class Role(StrEnum):
    """What a user does in the centre."""

    ANALYST = "analyst"  # 研判
    INVESTIGATOR = "investigator"  # 办案
    SUPERVISOR = "supervisor"  # 督办
    ADMIN = "admin"  # platform administration: units, users; no case work
    BANK_LIAISON = "bank_liaison"  # liaison desk of a bank or telco
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Actor:
    """A user acting in a unit with one or more roles."""

    user_id: str
    unit: str
    roles: frozenset[Role]

    @classmethod
    def of(cls, user_id: str, unit: str, *roles: Role) -> Actor:
        """An actor with the given roles."""
        return cls(user_id, unit, frozenset(roles))


class StaffDirectory:
    """Who the supervisors of each unit are, for escalations."""

    def __init__(self, staff: Iterable[Actor]) -> None:
        supervisors: dict[str, list[str]] = {}
        for actor in staff:
            if Role.SUPERVISOR in actor.roles:
                supervisors.setdefault(actor.unit, []).append(actor.user_id)
        self._supervisors = {unit: tuple(sorted(ids)) for unit, ids in supervisors.items()}

    def supervisors(self, unit: str) -> tuple[str, ...]:
        """User ids of the unit's supervisors, sorted."""
        return self._supervisors.get(unit, ())


@dataclass(frozen=True, slots=True)
class EscalationTarget:
    """Where an escalation goes: a unit and its supervisors (none when no unit up the chain has any)."""

    unit: str
    supervisors: tuple[str, ...]


def escalation_target(
    tree: UnitTree, staff: StaffDirectory, unit: str, level: int
) -> EscalationTarget | None:
    """Target of the ``level``-th escalation (1 = parent unit) of work owned by ``unit``.

    A unit without supervisors is passed over for the next one up; a root escalates once, to itself; beyond the
    root there is nothing (None).
    """
    chain = tree.ancestors(unit) or (unit,)
    if level < 1 or level > len(chain):
        return None
    for code in chain[level - 1 :]:
        supervisors = staff.supervisors(code)
        if supervisors:
            return EscalationTarget(code, supervisors)
    return EscalationTarget(chain[level - 1], ())


class TaskAction(StrEnum):
    """What can be done to a task (研交办督结)."""

    CREATE = "create"
    DISPATCH = "dispatch"  # 交
    ACCEPT = "accept"  # 签收
    START = "start"  # 办
    COMPLETE = "complete"
    REJECT = "reject"  # 退回
    REDISPATCH = "redispatch"
    CLOSE = "close"  # 结
    RENEW = "renew"  # 续止付 / 续冻
    RELEASE = "release"  # 解除止付 / 解冻


class LeadAction(StrEnum):
    """What can be done to a lead in the ledger (线索台账); values differ from every other action's."""

    OPEN = "lead_open"
    VERIFY = "lead_verify"  # 核查
    CLOSE = "lead_close"  # 核结
    PASS = "lead_pass"  # 移交


class WarningAction(StrEnum):
    """What can be done to a warning (预警劝阻)."""

    ISSUE = "warning_issue"
    ATTEMPT = "warning_attempt"


Action = TaskAction | LeadAction | WarningAction


class Scope(StrEnum):
    """Which unit an actor must be in for an action.

    ``owner``: the unit that holds the object (the addressee of a task, the assigned unit of a lead).
    ``issuer``: the unit that issued it or one above it (the side that dispatches, supervises and closes).
    """

    OWNER = "owner"
    ISSUER = "issuer"


_CASE_WORKERS = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})
_HANDLERS = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.BANK_LIAISON})
_DISPATCHERS = frozenset({Role.ANALYST, Role.SUPERVISOR})

ACTION_ROLES: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        TaskAction.CREATE: _CASE_WORKERS,
        TaskAction.DISPATCH: _DISPATCHERS,
        TaskAction.ACCEPT: _HANDLERS,
        TaskAction.START: _HANDLERS,
        TaskAction.COMPLETE: _HANDLERS,
        TaskAction.REJECT: _HANDLERS,
        TaskAction.REDISPATCH: _DISPATCHERS,
        TaskAction.CLOSE: frozenset({Role.SUPERVISOR}),
        TaskAction.RENEW: frozenset({Role.INVESTIGATOR, Role.SUPERVISOR}),
        TaskAction.RELEASE: frozenset({Role.INVESTIGATOR, Role.SUPERVISOR}),
        LeadAction.OPEN: _CASE_WORKERS,
        LeadAction.VERIFY: _CASE_WORKERS,
        LeadAction.CLOSE: _CASE_WORKERS,
        LeadAction.PASS: _DISPATCHERS,
        WarningAction.ISSUE: _DISPATCHERS,
        WarningAction.ATTEMPT: _CASE_WORKERS,
    }
)
"""Which roles may take each action."""

ACTION_SCOPE: Mapping[Action, Scope] = MappingProxyType(
    {
        TaskAction.CREATE: Scope.ISSUER,
        TaskAction.DISPATCH: Scope.ISSUER,
        TaskAction.ACCEPT: Scope.OWNER,
        TaskAction.START: Scope.OWNER,
        TaskAction.COMPLETE: Scope.OWNER,
        TaskAction.REJECT: Scope.OWNER,
        TaskAction.REDISPATCH: Scope.ISSUER,
        TaskAction.CLOSE: Scope.ISSUER,
        TaskAction.RENEW: Scope.ISSUER,
        TaskAction.RELEASE: Scope.ISSUER,
        LeadAction.OPEN: Scope.ISSUER,
        LeadAction.VERIFY: Scope.OWNER,
        LeadAction.CLOSE: Scope.OWNER,
        LeadAction.PASS: Scope.OWNER,
        WarningAction.ISSUE: Scope.ISSUER,
        WarningAction.ATTEMPT: Scope.ISSUER,
    }
)
"""Where the actor must be for each action (see :class:`Scope`)."""


class Resource(StrEnum):
    """What can be read."""

    REPORT = "report"
    PERSONAL_DATA = "personal_data"  # victim details; every read is audited
    CAMPAIGN = "campaign"
    TASK = "task"
    LEAD = "lead"
    WARNING = "warning"
    METRICS = "metrics"
    UNIT = "unit"
    USER = "user"
    AUDIT = "audit"
    IDENTIFIER_RISK = "identifier_risk"  # public risk lookup: a level and counts, never personal data


_STAFF = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMIN, Role.BANK_LIAISON})

READ_ROLES: Mapping[Resource, frozenset[Role]] = MappingProxyType(
    {
        Resource.REPORT: _CASE_WORKERS,
        Resource.PERSONAL_DATA: _CASE_WORKERS,
        Resource.CAMPAIGN: _CASE_WORKERS,
        Resource.TASK: _CASE_WORKERS | {Role.BANK_LIAISON},
        Resource.LEAD: _CASE_WORKERS,
        Resource.WARNING: _CASE_WORKERS,
        Resource.METRICS: _CASE_WORKERS | {Role.ADMIN},
        Resource.UNIT: _STAFF,
        Resource.USER: frozenset({Role.SUPERVISOR, Role.ADMIN}),
        Resource.AUDIT: frozenset({Role.SUPERVISOR, Role.ADMIN}),
        Resource.IDENTIFIER_RISK: _STAFF | {Role.PUBLIC},
    }
)
"""Which roles may read each resource; all but the public risk lookup are limited to the reader's subtree."""

UNSCOPED_RESOURCES = frozenset({Resource.IDENTIFIER_RISK})
"""Resources that carry no unit and are readable wherever the reader sits."""


def in_scope(
    tree: UnitTree, actor_unit: str, scope: Scope, owner_unit: str, issuing_unit: str | None = None
) -> bool:
    """True when a unit is where ``scope`` requires for an object owned by ``owner_unit``."""
    if scope is Scope.OWNER:
        return actor_unit == owner_unit
    return tree.can_see(actor_unit, issuing_unit or owner_unit)


def authorize(
    tree: UnitTree, actor: Actor, action: Action, owner_unit: str, issuing_unit: str | None = None
) -> None:
    """Raise :class:`NotPermittedError` unless ``actor`` may take ``action`` on an object of these units."""
    allowed = ACTION_ROLES[action]
    if not actor.roles & allowed:
        roles = ", ".join(sorted(actor.roles)) or "no role"
        raise NotPermittedError(
            f"user {actor.user_id!r} ({roles}) may not '{action}'; needs one of {', '.join(sorted(allowed))}"
        )
    scope = ACTION_SCOPE[action]
    if not in_scope(tree, actor.unit, scope, owner_unit, issuing_unit):
        where = owner_unit if scope is Scope.OWNER else f"{issuing_unit or owner_unit} or above"
        raise NotPermittedError(
            f"user {actor.user_id!r} of unit {actor.unit!r} may not '{action}' here: only {where} may"
        )


def may_read(
    tree: UnitTree,
    actor: Actor,
    resource: Resource,
    owner_unit: str | None = None,
    issuing_unit: str | None = None,
) -> bool:
    """True when ``actor`` may read a ``resource`` owned by ``owner_unit`` (and issued by ``issuing_unit``).

    Staff see what their unit or a descendant owns or issued; a liaison desk sees only what is addressed to it.
    """
    roles = actor.roles & READ_ROLES[resource]
    if not roles:
        return False
    if resource in UNSCOPED_RESOURCES:
        return True
    if owner_unit is None:
        return False
    if roles - {Role.BANK_LIAISON}:
        return tree.can_see(actor.unit, owner_unit) or (
            issuing_unit is not None and tree.can_see(actor.unit, issuing_unit)
        )
    return actor.unit == owner_unit
