from __future__ import annotations

from datetime import date, timedelta

import pytest
from ops_world import T0

from fanzha.model import TaskKind
from fanzha.ops import HoldTerm, InvalidOperationError, Sla, SlaPolicy
from fanzha.ops.sla import DEFAULT_HOLD_TERMS, DEFAULT_SLAS


def test_defaults_follow_the_centres_rules() -> None:
    policy = SlaPolicy()
    assert policy.slas[TaskKind.STOP_PAYMENT] == Sla(duration=timedelta(minutes=30))
    assert policy.slas[TaskKind.FREEZE] == Sla(duration=timedelta(hours=24))
    assert policy.slas[TaskKind.INVESTIGATE] == Sla(working_days=7)
    assert policy.hold_terms[TaskKind.STOP_PAYMENT] == HoldTerm(duration=timedelta(hours=48), max_renewals=2)
    assert policy.hold_terms[TaskKind.FREEZE] == HoldTerm(months=6)
    assert set(policy.slas) == set(TaskKind) == set(policy.escalation_every)


def test_a_policy_from_configuration_keeps_defaults_for_what_it_omits() -> None:
    policy = SlaPolicy.from_config(
        {
            "sla": {"stop_payment": "15m", "investigate": "5wd"},
            "escalate_every": {"stop_payment": "10m"},
            "hold": {"stop_payment": {"term": "72h", "max_renewals": 1}, "freeze": {"term": "3mo"}},
            "expiry_notice": {"freeze": "10d"},
            "holidays": ["2026-10-01", "2026-10-02"],
            "workdays": ["2026-10-10"],
            "timezone": "Asia/Shanghai",
        }
    )
    assert policy.due_at(TaskKind.STOP_PAYMENT, T0) == T0 + timedelta(minutes=15)
    assert policy.slas[TaskKind.INVESTIGATE] == Sla(working_days=5)
    assert policy.slas[TaskKind.FREEZE] == DEFAULT_SLAS[TaskKind.FREEZE]
    assert policy.escalation_every[TaskKind.STOP_PAYMENT] == timedelta(minutes=10)
    assert policy.hold_terms[TaskKind.STOP_PAYMENT] == HoldTerm(duration=timedelta(hours=72), max_renewals=1)
    assert policy.hold_terms[TaskKind.FREEZE] == HoldTerm(months=3)
    assert policy.expiry_notice[TaskKind.FREEZE] == timedelta(days=10)
    assert date(2026, 10, 1) in policy.calendar.holidays
    assert policy.calendar.is_working_day(date(2026, 10, 10))
    assert SlaPolicy.from_config({}).hold_terms == DEFAULT_HOLD_TERMS


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"slas": {}}, "unknown SLA settings"),
        ({"sla": {"parking": "1h"}}, r"sla.parking: unknown task kind"),
        ({"sla": {"freeze": "soon"}}, "not a positive duration"),
        ({"sla": {"freeze": "0h"}}, "not a positive duration"),
        ({"escalate_every": {"freeze": "2wd"}}, "minutes, hours or days"),
        ({"hold": {"freeze": "6mo"}}, "needs a table with 'term'"),
        ({"hold": {"freeze": {"term": "6mo", "max_renewals": -1}}}, "non-negative"),
        ({"holidays": "2026-10-01"}, "list of ISO dates"),
        ({"holidays": ["2026-13-01"]}, "holidays"),
        ({"sla": ["freeze"]}, "must map task kinds"),
    ],
)
def test_bad_configuration_names_the_setting(config: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidOperationError, match=message):
        SlaPolicy.from_config(config)
