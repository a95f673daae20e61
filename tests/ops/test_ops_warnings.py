from __future__ import annotations

from datetime import timedelta

import pytest
from ops_world import MINUTE, NANSHAN, SHENZHEN, T0, TREE, person

from fanzha.model import Identifier, WarningLevel
from fanzha.ops import (
    AttemptOutcome,
    DeliveryMethod,
    IllegalTransitionError,
    InvalidOperationError,
    NotPermittedError,
    Role,
    WarningRecord,
    WarningStatus,
    grade,
    issue_warning,
    record_attempt,
)
from fanzha.ops.warnings import was_reached

ANALYST = person(SHENZHEN, Role.ANALYST)
OFFICER = person(NANSHAN, Role.INVESTIGATOR)


def _warning(level: WarningLevel) -> WarningRecord:
    return issue_warning(
        TREE,
        ANALYST,
        warning_id="W-1",
        level=level,
        target=Identifier.parse("phone", "13800138000"),
        reason="paid a known mule account twice today",
        unit=NANSHAN,
        at=T0,
    )


def test_levels_follow_the_score_thresholds() -> None:
    assert [grade(score) for score in (0.95, 0.8, 0.79, 0.5, 0.2, 0.19)] == [
        WarningLevel.HIGH,
        WarningLevel.HIGH,
        WarningLevel.MEDIUM,
        WarningLevel.MEDIUM,
        WarningLevel.LOW,
        None,
    ]


@pytest.mark.parametrize(
    ("level", "method"),
    [
        (WarningLevel.HIGH, DeliveryMethod.VISIT),
        (WarningLevel.MEDIUM, DeliveryMethod.CALL),
        (WarningLevel.LOW, DeliveryMethod.SMS),
    ],
)
def test_each_level_requires_its_method(level: WarningLevel, method: DeliveryMethod) -> None:
    record = _warning(level)
    assert record.required_method is method
    assert record.status is WarningStatus.PENDING
    assert record.next_method() is method


def test_a_high_warning_is_resolved_only_by_a_visit() -> None:
    record = _warning(WarningLevel.HIGH)
    record = record_attempt(TREE, record, ANALYST, T0 + MINUTE, DeliveryMethod.CALL, AttemptOutcome.DISSUADED)
    assert record.status is WarningStatus.IN_PROGRESS
    record = record_attempt(
        TREE, record, ANALYST, T0 + 2 * MINUTE, DeliveryMethod.VISIT, AttemptOutcome.NO_CONTACT
    )
    assert record.status is WarningStatus.IN_PROGRESS
    record = record_attempt(
        TREE,
        record,
        ANALYST,
        T0 + timedelta(hours=1),
        DeliveryMethod.VISIT,
        AttemptOutcome.DISSUADED,
        "劝阻成功",
    )
    assert record.status is WarningStatus.RESOLVED
    assert record.next_method() is None
    assert [(a.method, a.outcome) for a in record.attempts] == [
        (DeliveryMethod.CALL, AttemptOutcome.DISSUADED),
        (DeliveryMethod.VISIT, AttemptOutcome.NO_CONTACT),
        (DeliveryMethod.VISIT, AttemptOutcome.DISSUADED),
    ]
    with pytest.raises(IllegalTransitionError, match="already resolved"):
        record_attempt(
            TREE, record, ANALYST, T0 + timedelta(hours=2), DeliveryMethod.SMS, AttemptOutcome.DELIVERED
        )


def test_not_convinced_on_a_call_calls_for_a_visit() -> None:
    record = _warning(WarningLevel.MEDIUM)
    record = record_attempt(TREE, record, ANALYST, T0, DeliveryMethod.CALL, AttemptOutcome.NOT_CONVINCED)
    assert record.status is WarningStatus.IN_PROGRESS
    assert record.next_method() is DeliveryMethod.VISIT
    assert was_reached(record)
    assert record.attempts[-1].audit_detail()["outcome"] == "not_convinced"


def test_an_sms_is_resolved_when_delivered() -> None:
    record = _warning(WarningLevel.LOW)
    record = record_attempt(TREE, record, ANALYST, T0, DeliveryMethod.SMS, AttemptOutcome.FAILED)
    assert record.status is WarningStatus.IN_PROGRESS
    assert not was_reached(record)
    record = record_attempt(TREE, record, ANALYST, T0 + MINUTE, DeliveryMethod.SMS, AttemptOutcome.DELIVERED)
    assert record.status is WarningStatus.RESOLVED


def test_attempts_are_checked() -> None:
    record = _warning(WarningLevel.MEDIUM)
    with pytest.raises(InvalidOperationError, match="does not fit"):
        record_attempt(TREE, record, ANALYST, T0, DeliveryMethod.CALL, AttemptOutcome.DELIVERED)
    with pytest.raises(InvalidOperationError, match="does not fit"):
        record_attempt(TREE, record, ANALYST, T0, DeliveryMethod.SMS, AttemptOutcome.DISSUADED)
    with pytest.raises(InvalidOperationError, match="too early"):
        record_attempt(TREE, record, ANALYST, T0 - MINUTE, DeliveryMethod.CALL, AttemptOutcome.NO_CONTACT)
    with pytest.raises(NotPermittedError):
        record_attempt(
            TREE, record, person("440100", Role.ANALYST), T0, DeliveryMethod.CALL, AttemptOutcome.NO_CONTACT
        )
    with pytest.raises(NotPermittedError):
        issue_warning(
            TREE,
            OFFICER,
            warning_id="W-2",
            level=WarningLevel.LOW,
            target=Identifier.parse("phone", "13800138000"),
            reason="x",
            unit=NANSHAN,
            at=T0,
        )
