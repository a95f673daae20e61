"""fanzha.ops: the closed loop 研交办督结 as a pure engine — units and roles, tasks and their state machine, the SLA
clock, returns of frozen money, the leads ledger, warnings and metrics. No database, no web; time comes in as
arguments or through an injected :class:`Clock`. Every operation returns a new record and leaves its input as it was.

>>> from datetime import UTC, datetime, timedelta
>>> from fanzha.model import TaskKind, Unit, UnitLevel
>>> tree = UnitTree([
...     Unit(code="CN", name="国家反诈中心", level=UnitLevel.NATIONAL),
...     Unit(code="440300", name="深圳市反诈中心", level=UnitLevel.CITY, parent="CN"),
...     Unit(code="BANK-ICBC", name="工商银行反诈专班", level=UnitLevel.BANK, parent="CN"),
... ])
>>> policy, analyst = SlaPolicy(), Actor.of("li", "440300", Role.ANALYST)
>>> t0 = datetime(2026, 9, 7, 2, tzinfo=UTC)
>>> task = create_task(tree, analyst, task_id="T-1", kind=TaskKind.STOP_PAYMENT, at=t0, policy=policy)
>>> task = transition(tree, task, TaskAction.DISPATCH, analyst, t0, policy=policy, to_unit="BANK-ICBC")
>>> task.state, task.task.due_at - t0
(<TaskState.DISPATCHED: 'dispatched'>, datetime.timedelta(seconds=1800))
>>> staff = StaffDirectory([Actor.of("wang", "CN", Role.SUPERVISOR)])
>>> swept = sweep([task], t0 + timedelta(minutes=31), tree=tree, staff=staff, policy=policy)
>>> [(escalation.unit, escalation.supervisors) for escalation in swept.escalations]
[('CN', ('wang',))]
"""

from fanzha.ops.clock import Clock, FakeClock, SystemClock
from fanzha.ops.errors import IllegalTransitionError, InvalidOperationError, NotPermittedError, OpsError
from fanzha.ops.leads import (
    Lead,
    LeadSource,
    LeadState,
    LeadVerdict,
    LedgerCounts,
    close_lead,
    lead_from_tip,
    ledger,
    open_lead,
    pass_lead,
    rollup,
    start_verification,
    visible_leads,
)
from fanzha.ops.metrics import (
    CaseOutcome,
    Fact,
    Figures,
    Interception,
    Measure,
    YearOnYear,
    aggregate,
    duration_stats,
    interception_facts,
    outcome_facts,
    report_facts,
    response_time_facts,
    task_facts,
    year_on_year,
)
from fanzha.ops.returns import allocate_return, split_largest_remainder
from fanzha.ops.sla import HoldTerm, Sla, SlaPolicy
from fanzha.ops.tasks import (
    TRANSITIONS,
    Escalation,
    ExpiryNotice,
    Hold,
    SlaClock,
    SweepResult,
    TaskRecord,
    TaskResult,
    TaskStep,
    create_task,
    release_hold,
    renew_hold,
    sweep,
    transition,
    visible_tasks,
)
from fanzha.ops.units import (
    ACTION_ROLES,
    ACTION_SCOPE,
    READ_ROLES,
    Actor,
    LeadAction,
    Resource,
    Role,
    StaffDirectory,
    TaskAction,
    UnitTree,
    WarningAction,
    authorize,
    may_read,
)
from fanzha.ops.warnings import (
    AttemptOutcome,
    DeliveryMethod,
    WarningRecord,
    WarningStatus,
    grade,
    issue_warning,
    record_attempt,
)
from fanzha.ops.workdays import WorkingCalendar

__all__ = [
    "ACTION_ROLES",
    "ACTION_SCOPE",
    "READ_ROLES",
    "TRANSITIONS",
    "Actor",
    "AttemptOutcome",
    "CaseOutcome",
    "Clock",
    "DeliveryMethod",
    "Escalation",
    "ExpiryNotice",
    "Fact",
    "FakeClock",
    "Figures",
    "Hold",
    "HoldTerm",
    "IllegalTransitionError",
    "Interception",
    "InvalidOperationError",
    "Lead",
    "LeadAction",
    "LeadSource",
    "LeadState",
    "LeadVerdict",
    "LedgerCounts",
    "Measure",
    "NotPermittedError",
    "OpsError",
    "Resource",
    "Role",
    "Sla",
    "SlaClock",
    "SlaPolicy",
    "StaffDirectory",
    "SweepResult",
    "SystemClock",
    "TaskAction",
    "TaskRecord",
    "TaskResult",
    "TaskStep",
    "UnitTree",
    "WarningAction",
    "WarningRecord",
    "WarningStatus",
    "WorkingCalendar",
    "YearOnYear",
    "aggregate",
    "allocate_return",
    "authorize",
    "close_lead",
    "create_task",
    "duration_stats",
    "grade",
    "interception_facts",
    "issue_warning",
    "lead_from_tip",
    "ledger",
    "may_read",
    "open_lead",
    "outcome_facts",
    "pass_lead",
    "record_attempt",
    "release_hold",
    "renew_hold",
    "report_facts",
    "response_time_facts",
    "rollup",
    "split_largest_remainder",
    "start_verification",
    "sweep",
    "task_facts",
    "transition",
    "visible_leads",
    "visible_tasks",
    "year_on_year",
]
