"""Figures a centre reports: reports, losses and the money intercepted, stopped, frozen and returned (never summed
together), response times, overdue tasks and case outcomes — per unit (with its descendants), fraud type and day —
and the year-on-year "two down, two up" view (两降两升: cases and losses down, solved cases and arrests up).

Every input becomes :class:`Fact` rows (one measure, one unit, one local day, one value); figures are sums of
facts, so every figure can be traced back to the records behind it. Days are local dates (Asia/Shanghai unless
told otherwise); fraud types are level-1 codes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from fanzha.model import Money, Report, ReportKind, TaskKind, TaskState
from fanzha.ops.tasks import TaskRecord
from fanzha.ops.units import UnitTree
from fanzha.ops.workdays import DEFAULT_TIMEZONE


class Measure(StrEnum):
    """What a fact counts."""

    REPORTS = "reports"  # 接报
    CASES = "cases"  # 发案
    TIPS = "tips"  # 举报线索
    LOSS = "loss"  # 损失金额
    INTERCEPTED = "intercepted"  # 拦截金额
    STOPPED = "stopped"  # 止付金额
    FROZEN = "frozen"  # 冻结金额
    RETURNED = "returned"  # 返还金额
    SOLVED = "solved"  # 破案
    ARRESTED = "arrested"  # 抓获嫌疑人
    OVERDUE_TASKS = "overdue_tasks"


MONEY_MEASURES = frozenset(
    {Measure.LOSS, Measure.INTERCEPTED, Measure.STOPPED, Measure.FROZEN, Measure.RETURNED}
)
"""Measures in minor units of a currency; each is kept apart from the others."""

Dimension = Literal["unit", "fraud_type", "day"]
GroupKey = tuple[str | date | None, ...]


@dataclass(frozen=True, slots=True)
class Fact:
    """One countable fact: a measure's value for a unit, fraud type and local day (money with its currency)."""

    measure: Measure
    unit: str
    fraud_type: str | None
    day: date
    value: int
    currency: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Interception:
    """Money kept from reaching a scam by a warning or a blocked transfer (预警拦截)."""

    unit: str
    at: datetime
    amount: Money
    fraud_type: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """How a case ended: solved (破案) and how many suspects were arrested (抓获)."""

    case_id: str
    unit: str
    at: datetime
    solved: bool
    suspects_arrested: int = 0
    fraud_type: str | None = None


def _level1(code: str | None) -> str | None:
    return None if code is None else code.split(".", 1)[0]


def report_facts(
    reports: Iterable[Report],
    *,
    fraud_type_of: Mapping[str, str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Fact]:
    """Reports, cases, tips and losses; the fraud type is ``fraud_type_of[report.id]`` or the declared one."""
    zone = ZoneInfo(timezone)
    types = fraud_type_of or {}
    facts: list[Fact] = []
    for report in reports:
        fraud_type = _level1(types.get(report.id, report.declared_fraud_type))
        day = report.received_at.astimezone(zone).date()
        kind = Measure.CASES if report.kind is ReportKind.CASE else Measure.TIPS
        unit = report.reporter_unit
        facts.append(Fact(Measure.REPORTS, unit, fraud_type, day, 1, source=report.id))
        facts.append(Fact(kind, unit, fraud_type, day, 1, source=report.id))
        facts += [
            Fact(Measure.LOSS, unit, fraud_type, day, amount, currency, report.id)
            for currency, amount in report.loss.items()
        ]
    return facts


def task_facts(
    records: Iterable[TaskRecord],
    *,
    fraud_type_of: Mapping[str, str] | None = None,
    now: datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Fact]:
    """Money stopped, frozen and returned (credited to the issuing unit, on the day the task was done) and,
    when ``now`` is given, tasks overdue at ``now`` (counted for the unit holding them, on their due day).

    The fraud type of a task is that of its report (``fraud_type_of`` by report id, or by campaign id).
    """
    zone = ZoneInfo(timezone)
    types = fraud_type_of or {}
    facts: list[Fact] = []
    for record in records:
        task = record.task
        key = task.report_id or task.campaign_id or ""
        fraud_type = _level1(types.get(key))
        done_at = record.entered(TaskState.DONE)
        result = record.result
        if result is not None and done_at is not None:
            day = done_at.astimezone(zone).date()
            for measure, money in (
                (Measure.STOPPED, result.stopped),
                (Measure.FROZEN, result.frozen),
                (Measure.RETURNED, result.returned),
            ):
                if money is not None:
                    facts.append(
                        Fact(
                            measure,
                            record.issuing_unit,
                            fraud_type,
                            day,
                            money.amount_minor,
                            money.currency,
                            task.id,
                        )
                    )
        if now is not None and record.is_overdue(now):
            day = task.due_at.astimezone(zone).date()
            facts.append(Fact(Measure.OVERDUE_TASKS, task.unit, fraud_type, day, 1, source=task.id))
    return facts


def interception_facts(
    interceptions: Iterable[Interception], *, timezone: str = DEFAULT_TIMEZONE
) -> list[Fact]:
    """Money intercepted, on the local day it was intercepted."""
    zone = ZoneInfo(timezone)
    return [
        Fact(
            Measure.INTERCEPTED,
            item.unit,
            _level1(item.fraud_type),
            item.at.astimezone(zone).date(),
            item.amount.amount_minor,
            item.amount.currency,
            item.source,
        )
        for item in interceptions
    ]


def outcome_facts(outcomes: Iterable[CaseOutcome], *, timezone: str = DEFAULT_TIMEZONE) -> list[Fact]:
    """Solved cases and suspects arrested, on the local day of the outcome."""
    zone = ZoneInfo(timezone)
    facts: list[Fact] = []
    for outcome in outcomes:
        day = outcome.at.astimezone(zone).date()
        fraud_type = _level1(outcome.fraud_type)
        if outcome.solved:
            facts.append(Fact(Measure.SOLVED, outcome.unit, fraud_type, day, 1, source=outcome.case_id))
        if outcome.suspects_arrested:
            facts.append(
                Fact(
                    Measure.ARRESTED,
                    outcome.unit,
                    fraud_type,
                    day,
                    outcome.suspects_arrested,
                    source=outcome.case_id,
                )
            )
    return facts


@dataclass
class Figures:
    """Counts per measure and money per measure and currency; money measures are never added together."""

    counts: dict[Measure, int] = field(default_factory=dict)
    money: dict[Measure, dict[str, int]] = field(default_factory=dict)

    def add(self, fact: Fact) -> None:
        """Add one fact."""
        if fact.measure in MONEY_MEASURES:
            by_currency = self.money.setdefault(fact.measure, {})
            currency = fact.currency or "CNY"
            by_currency[currency] = by_currency.get(currency, 0) + fact.value
        else:
            self.counts[fact.measure] = self.counts.get(fact.measure, 0) + fact.value

    def count(self, measure: Measure) -> int:
        """The count of a non-money measure (0 when absent)."""
        return self.counts.get(measure, 0)

    def amount(self, measure: Measure, currency: str = "CNY") -> int:
        """Minor units of a money measure in one currency (0 when absent)."""
        return self.money.get(measure, {}).get(currency, 0)


def _key(fact: Fact, by: Sequence[Dimension], unit: str) -> GroupKey:
    values = {"unit": unit, "fraud_type": fact.fraud_type, "day": fact.day}
    return tuple(values[dimension] for dimension in by)


def aggregate(
    facts: Iterable[Fact], by: Sequence[Dimension] = (), *, tree: UnitTree | None = None
) -> dict[GroupKey, Figures]:
    """Figures grouped by the dimensions in ``by`` (keys are tuples in that order).

    With ``tree``, a unit's figures include its descendants' (each fact counts for its unit and every unit
    above it). O(facts × tree depth).
    """
    groups: dict[GroupKey, Figures] = {}
    rollup = tree is not None and "unit" in by
    for fact in facts:
        units = [fact.unit, *tree.ancestors(fact.unit)] if rollup and tree is not None else [fact.unit]
        for unit in units:
            key = _key(fact, by, unit)
            figures = groups.get(key)
            if figures is None:
                figures = groups[key] = Figures()
            figures.add(fact)
    return groups


@dataclass(frozen=True, slots=True)
class DurationFact:
    """How long one stop-payment or freeze took from the report (or the task's creation) to being done."""

    kind: TaskKind
    unit: str
    fraud_type: str | None
    day: date
    duration: timedelta
    source: str = ""


RESPONSE_KINDS = frozenset({TaskKind.STOP_PAYMENT, TaskKind.FREEZE})


def response_time_facts(
    records: Iterable[TaskRecord],
    *,
    received_at: Mapping[str, datetime] | None = None,
    fraud_type_of: Mapping[str, str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[DurationFact]:
    """Time-to-stop-payment and time-to-freeze of done tasks, from the report's arrival (``received_at`` by
    report id) when known, else from the task's creation; credited to the issuing unit on the day done."""
    zone = ZoneInfo(timezone)
    arrivals = received_at or {}
    types = fraud_type_of or {}
    facts: list[DurationFact] = []
    for record in records:
        task = record.task
        done_at = record.entered(TaskState.DONE)
        if task.kind not in RESPONSE_KINDS or done_at is None:
            continue
        start = arrivals.get(task.report_id or "", task.created_at)
        fraud_type = _level1(types.get(task.report_id or task.campaign_id or ""))
        day = done_at.astimezone(zone).date()
        facts.append(DurationFact(task.kind, record.issuing_unit, fraud_type, day, done_at - start, task.id))
    return facts


@dataclass(frozen=True, slots=True)
class DurationStats:
    """Distribution of response times (nearest-rank percentiles)."""

    count: int
    p50: timedelta
    p90: timedelta
    max: timedelta


def percentile(sorted_values: Sequence[timedelta], fraction: float) -> timedelta:
    """Nearest-rank percentile of ascending values: the smallest value with at least ``fraction`` of them at or
    below it."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def duration_stats(
    facts: Iterable[DurationFact],
    kind: TaskKind,
    by: Sequence[Dimension] = (),
    *,
    tree: UnitTree | None = None,
) -> dict[GroupKey, DurationStats]:
    """p50/p90/max of response times of one kind, grouped like :func:`aggregate`."""
    groups: dict[GroupKey, list[timedelta]] = {}
    rollup = tree is not None and "unit" in by
    for fact in facts:
        if fact.kind is not kind:
            continue
        units = [fact.unit, *tree.ancestors(fact.unit)] if rollup and tree is not None else [fact.unit]
        values = {"fraud_type": fact.fraud_type, "day": fact.day}
        for unit in units:
            key = tuple(unit if dimension == "unit" else values[dimension] for dimension in by)
            groups.setdefault(key, []).append(fact.duration)
    stats: dict[GroupKey, DurationStats] = {}
    for key, durations in groups.items():
        durations.sort()
        stats[key] = DurationStats(
            len(durations), percentile(durations, 0.5), percentile(durations, 0.9), durations[-1]
        )
    return stats


@dataclass(frozen=True, slots=True)
class Change:
    """A figure this period and in the same period a year before."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        """Current minus previous."""
        return self.current - self.previous

    @property
    def ratio(self) -> float | None:
        """Relative change (0.1 = up 10%), None when the previous figure was 0."""
        return None if self.previous == 0 else self.delta / self.previous


@dataclass(frozen=True, slots=True)
class YearOnYear:
    """The year-on-year view centres report by (同比): "two down, two up" (两降两升)."""

    start: date
    end: date
    currency: str
    cases: Change
    losses: Change
    solved: Change
    arrested: Change

    @property
    def two_down_two_up(self) -> bool:
        """Cases and losses strictly down, solved cases and arrests strictly up."""
        return (
            self.cases.delta < 0
            and self.losses.delta < 0
            and self.solved.delta > 0
            and self.arrested.delta > 0
        )


def one_year_earlier(day: date) -> date:
    """The same day a year before (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def year_on_year(
    facts: Iterable[Fact],
    start: date,
    end: date,
    *,
    unit: str | None = None,
    tree: UnitTree | None = None,
    currency: str = "CNY",
) -> YearOnYear:
    """Cases, losses (in one currency), solved cases and arrests in days [start, end) against the same days a
    year before; limited to ``unit`` and its descendants when given (``tree`` needed then)."""
    if unit is not None and tree is None:
        raise ValueError("a unit filter needs the unit tree")
    previous_start, previous_end = one_year_earlier(start), one_year_earlier(end)
    if not start < end or previous_end > start:
        raise ValueError(f"period {start}–{end} must be non-empty and at most a year long")
    current, previous = Figures(), Figures()
    for fact in facts:
        if unit is not None and tree is not None and not tree.can_see(unit, fact.unit):
            continue
        if start <= fact.day < end:
            current.add(fact)
        elif previous_start <= fact.day < previous_end:
            previous.add(fact)

    def change(measure: Measure) -> Change:
        if measure in MONEY_MEASURES:
            return Change(current.amount(measure, currency), previous.amount(measure, currency))
        return Change(current.count(measure), previous.count(measure))

    return YearOnYear(
        start,
        end,
        currency,
        change(Measure.CASES),
        change(Measure.LOSS),
        change(Measure.SOLVED),
        change(Measure.ARRESTED),
    )
