"""Graded warnings to potential victims (预警劝阻): high → a visit, medium → a call, low → an SMS.

Every attempt is logged with who, when, how and what came of it. A warning is resolved once an attempt by its
level's method (or a stronger one) reaches the person — dissuaded (劝阻成功) or found already a victim — or, for an
SMS, once the message is delivered. A person reached but not convinced calls for the next stronger method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from fanzha.model import Identifier, WarningLevel
from fanzha.model import Warning as VictimWarning
from fanzha.ops.clock import require_aware
from fanzha.ops.errors import IllegalTransitionError, InvalidOperationError
from fanzha.ops.units import Actor, UnitTree, WarningAction, authorize


class DeliveryMethod(StrEnum):
    """How a warning reaches a person, weakest first."""

    SMS = "sms"  # 短信
    CALL = "call"  # 电话劝阻
    VISIT = "visit"  # 上门劝阻


_STRENGTH = {DeliveryMethod.SMS: 0, DeliveryMethod.CALL: 1, DeliveryMethod.VISIT: 2}

METHOD_BY_LEVEL: Mapping[WarningLevel, DeliveryMethod] = MappingProxyType(
    {
        WarningLevel.HIGH: DeliveryMethod.VISIT,
        WarningLevel.MEDIUM: DeliveryMethod.CALL,
        WarningLevel.LOW: DeliveryMethod.SMS,
    }
)
"""The method each level requires."""

DEFAULT_LEVEL_THRESHOLDS: Sequence[tuple[float, WarningLevel]] = (
    (0.8, WarningLevel.HIGH),
    (0.5, WarningLevel.MEDIUM),
    (0.2, WarningLevel.LOW),
)
"""Risk score at or above which each level applies, highest first; below the last, no warning."""


class AttemptOutcome(StrEnum):
    """What an attempt achieved."""

    DISSUADED = "dissuaded"  # 劝阻成功
    ALREADY_VICTIM = "already_victim"  # 已被骗: becomes a case
    NOT_CONVINCED = "not_convinced"  # 不听劝阻
    NO_CONTACT = "no_contact"  # 未联系上
    DELIVERED = "delivered"  # SMS delivered
    FAILED = "failed"  # SMS not delivered


_SMS_OUTCOMES = frozenset({AttemptOutcome.DELIVERED, AttemptOutcome.FAILED})
_REACHED = frozenset({AttemptOutcome.DISSUADED, AttemptOutcome.ALREADY_VICTIM, AttemptOutcome.NOT_CONVINCED})
_RESOLVING = frozenset({AttemptOutcome.DISSUADED, AttemptOutcome.ALREADY_VICTIM, AttemptOutcome.DELIVERED})


class WarningStatus(StrEnum):
    """Where a warning stands."""

    PENDING = "pending"  # no attempt yet
    IN_PROGRESS = "in_progress"  # attempted, not resolved
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class WarningAttempt:
    """One attempt to warn a person."""

    at: datetime
    actor: str
    actor_unit: str
    method: DeliveryMethod
    outcome: AttemptOutcome
    note: str = ""

    def audit_detail(self) -> dict[str, str]:
        """The attempt as JSON-ready ``detail`` for the audit log."""
        return {
            "actor_unit": self.actor_unit,
            "method": self.method.value,
            "outcome": self.outcome.value,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class WarningRecord:
    """A warning with the method its level requires and every attempt so far."""

    warning: VictimWarning
    issued_by: str
    attempts: tuple[WarningAttempt, ...] = ()

    @property
    def required_method(self) -> DeliveryMethod:
        """The method the warning's level requires."""
        return METHOD_BY_LEVEL[self.warning.level]

    @property
    def status(self) -> WarningStatus:
        """Pending, in progress or resolved."""
        if not self.attempts:
            return WarningStatus.PENDING
        floor = _STRENGTH[self.required_method]
        resolved = any(
            attempt.outcome in _RESOLVING and _STRENGTH[attempt.method] >= floor for attempt in self.attempts
        )
        return WarningStatus.RESOLVED if resolved else WarningStatus.IN_PROGRESS

    def next_method(self) -> DeliveryMethod | None:
        """The method to try next: one stronger after a person was reached but not convinced; None if resolved."""
        if self.status is WarningStatus.RESOLVED:
            return None
        method = self.required_method
        for attempt in self.attempts:
            if (
                attempt.outcome is AttemptOutcome.NOT_CONVINCED
                and _STRENGTH[attempt.method] >= _STRENGTH[method]
            ):
                method = _stronger(attempt.method)
        return method


def _stronger(method: DeliveryMethod) -> DeliveryMethod:
    rank = min(_STRENGTH[method] + 1, len(_STRENGTH) - 1)
    return next(candidate for candidate, strength in _STRENGTH.items() if strength == rank)


def grade(
    score: float, thresholds: Sequence[tuple[float, WarningLevel]] = DEFAULT_LEVEL_THRESHOLDS
) -> WarningLevel | None:
    """The warning level for a risk score in [0, 1], None when below every threshold."""
    return next((level for floor, level in thresholds if score >= floor), None)


def issue_warning(
    tree: UnitTree,
    actor: Actor,
    *,
    warning_id: str,
    level: WarningLevel,
    target: Identifier,
    reason: str,
    unit: str,
    at: datetime,
) -> WarningRecord:
    """A new warning for ``unit`` (the actor's unit or one below it) to deliver."""
    authorize(tree, actor, WarningAction.ISSUE, unit)
    warning = VictimWarning(
        id=warning_id, level=level, target=target, reason=reason, unit=unit, created_at=require_aware(at)
    )
    return WarningRecord(warning=warning, issued_by=actor.user_id)


def record_attempt(
    tree: UnitTree,
    record: WarningRecord,
    actor: Actor,
    at: datetime,
    method: DeliveryMethod,
    outcome: AttemptOutcome,
    note: str = "",
) -> WarningRecord:
    """The warning with one more attempt logged; a resolved warning takes no more attempts."""
    authorize(tree, actor, WarningAction.ATTEMPT, record.warning.unit)
    if record.status is WarningStatus.RESOLVED:
        raise IllegalTransitionError(f"warning {record.warning.id!r} is already resolved")
    if (outcome in _SMS_OUTCOMES) != (method is DeliveryMethod.SMS):
        raise InvalidOperationError(f"outcome '{outcome}' does not fit a '{method}' attempt")
    at = require_aware(at)
    last = record.attempts[-1].at if record.attempts else record.warning.created_at
    if at < last:
        raise InvalidOperationError(
            f"warning {record.warning.id!r}: attempt at {at.isoformat()} is too early"
        )
    attempt = WarningAttempt(at, actor.user_id, actor.unit, method, outcome, note)
    return WarningRecord(record.warning, record.issued_by, (*record.attempts, attempt))


def was_reached(record: WarningRecord) -> bool:
    """True when some call or visit reached the person."""
    return any(attempt.outcome in _REACHED for attempt in record.attempts)
