"""``/metrics``: the figures a centre reports, for a unit and everything below it.

Reports, cases, tips and losses; money stopped, frozen and returned, each kept apart and per currency; overdue
tasks; time-to-stop-payment and time-to-freeze (p50/p90/max) — grouped by unit, fraud type and day as asked — and
the year-on-year view (同比, "two down, two up"); solved cases, arrests and interceptions come from /outcomes and /interceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import ClockDep, ScopeQuery, StoreDep, TreeDep, readers, scope_unit
from fanzha.model import BoundedDate, TaskKind, UtcDatetime
from fanzha.ops import Actor, Figures, Resource, UnitTree, aggregate, duration_stats, task_facts, year_on_year
from fanzha.ops.metrics import (
    DurationStats,
    GroupKey,
    interception_facts,
    one_year_earlier,
    outcome_facts,
    response_time_facts,
)
from fanzha.ops.workdays import DEFAULT_TIMEZONE
from fanzha.store.cases.ops import list_tasks, report_facts_between
from fanzha.store.cases.outcomes import interceptions_between, outcomes_between

router = APIRouter(prefix="/metrics", tags=["metrics"])
MetricsReader = Annotated[Actor, Depends(readers(Resource.METRICS))]
Dimension = Literal["unit", "fraud_type", "day"]
MAX_TASKS = 1_000_000
_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


class GroupOut(BaseModel):
    """Figures of one group: counts per measure, money per measure and currency (minor units)."""

    unit: str | None = None
    fraud_type: str | None = None
    day: date | None = None
    counts: dict[str, int]
    money: dict[str, dict[str, int]]


class DurationOut(BaseModel):
    """Response times of one kind in one group, in seconds (nearest-rank percentiles)."""

    kind: TaskKind
    unit: str | None = None
    fraud_type: str | None = None
    day: date | None = None
    count: int
    p50_seconds: float
    p90_seconds: float
    max_seconds: float


class MetricsOut(BaseModel):
    """The figures of a unit's subtree over a period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"unit": "440300", "since": "2026-09-01T00:00:00Z", "until": "2026-10-01T00:00:00Z",
                 "by": ["unit"],
                 "groups": [{"unit": "440300", "counts": {"reports": 120, "cases": 90, "tips": 30,
                                                          "overdue_tasks": 2},
                             "money": {"loss": {"CNY": 98000000}, "stopped": {"CNY": 1200000},
                                       "frozen": {"CNY": 5600000}, "returned": {"CNY": 300000}}}],
                 "response_times": [{"kind": "stop_payment", "unit": "440300", "count": 14, "p50_seconds": 840,
                                     "p90_seconds": 1620, "max_seconds": 2400}]}
            ]
        }
    )  # fmt: skip
    unit: str
    since: datetime | None
    until: datetime | None
    by: list[Dimension]
    groups: list[GroupOut]
    response_times: list[DurationOut]


class ChangeOut(BaseModel):
    """A figure this period and a year before."""

    current: int
    previous: int
    delta: int
    ratio: float | None = Field(description="relative change, null when the previous figure was 0")


class YearOnYearOut(BaseModel):
    """Cases and losses (should go down), solved cases and arrests (should go up): 两降两升."""

    unit: str
    start: date
    end: date
    currency: str
    cases: ChangeOut
    losses: ChangeOut
    solved: ChangeOut
    arrested: ChangeOut
    two_down_two_up: bool


def _keyed(key: GroupKey, by: list[Dimension]) -> dict[str, object]:
    return dict(zip(by, key, strict=True))


def _group(key: GroupKey, by: list[Dimension], figures: Figures) -> GroupOut:
    return GroupOut.model_validate(
        {
            **_keyed(key, by),
            "counts": {measure.value: value for measure, value in figures.counts.items()},
            "money": {measure.value: dict(amounts) for measure, amounts in figures.money.items()},
        }
    )


def _duration(kind: TaskKind, key: GroupKey, by: list[Dimension], stats: DurationStats) -> DurationOut:
    return DurationOut.model_validate(
        {
            **_keyed(key, by),
            "kind": kind,
            "count": stats.count,
            "p50_seconds": stats.p50.total_seconds(),
            "p90_seconds": stats.p90.total_seconds(),
            "max_seconds": stats.max.total_seconds(),
        }
    )


def _sort_key(key: GroupKey) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in key)


@router.get("", response_model=MetricsOut)
def figures(
    store: StoreDep,
    actor: MetricsReader,
    tree: TreeDep,
    clock: ClockDep,
    unit: ScopeQuery = None,
    since: Annotated[
        UtcDatetime | None, Query(description="from this instant (reports received, tasks done)")
    ] = None,
    until: Annotated[UtcDatetime | None, Query(description="before this instant")] = None,
    by: Annotated[list[Dimension] | None, Query(description="group by unit, fraud_type and/or day")] = None,
) -> MetricsOut:
    """Figures of a unit and everything below it; a unit's figures include its descendants'."""
    scope = scope_unit(tree, actor, unit)
    dimensions: list[Dimension] = list(dict.fromkeys(by or []))
    units = tree.visible_units(scope)
    reports = report_facts_between(store, units=units, since=since, until=until)
    records = [
        record
        for record in list_tasks(store, units=units, limit=MAX_TASKS)
        if tree.can_see(scope, record.issuing_unit) or tree.can_see(scope, record.unit)
    ]
    facts = [
        *reports.facts,
        *task_facts(records, fraud_type_of=reports.fraud_type_of, now=clock.now()),
        *outcome_facts(outcomes_between(store, units=units, since=since, until=until)),
        *interception_facts(interceptions_between(store, units=units, since=since, until=until)),
    ]
    durations = response_time_facts(
        records, received_at=reports.received_at, fraud_type_of=reports.fraud_type_of
    )
    facts = [fact for fact in facts if tree.can_see(scope, fact.unit) and _in_period(fact.day, since, until)]
    durations = [f for f in durations if tree.can_see(scope, f.unit) and _in_period(f.day, since, until)]
    keep = _within(scope, dimensions, tree)
    groups = aggregate(facts, dimensions, tree=tree)
    times = [
        _duration(kind, key, dimensions, stats)
        for kind in (TaskKind.STOP_PAYMENT, TaskKind.FREEZE)
        for key, stats in sorted(
            duration_stats(durations, kind, dimensions, tree=tree).items(),
            key=lambda item: _sort_key(item[0]),
        )
        if keep(key)
    ]
    return MetricsOut(
        unit=scope, since=since, until=until, by=dimensions,
        groups=[_group(key, dimensions, figures) for key, figures in sorted(groups.items(),
                key=lambda item: _sort_key(item[0])) if keep(key)],
        response_times=times,
    )  # fmt: skip


def _in_period(day: date, since: datetime | None, until: datetime | None) -> bool:
    # Facts carry local days; a period bound keeps the days it touches.
    first = since.astimezone(_ZONE).date() if since else None
    last = until.astimezone(_ZONE).date() if until else None
    return (first is None or day >= first) and (last is None or day <= last)


def _within(scope: str, by: list[Dimension], tree: UnitTree) -> Callable[[GroupKey], bool]:
    if "unit" not in by:
        return lambda key: True
    position = by.index("unit")
    return lambda key: tree.can_see(scope, str(key[position]))


@router.get("/year-on-year", response_model=YearOnYearOut)
def compared_with_last_year(
    store: StoreDep,
    actor: MetricsReader,
    tree: TreeDep,
    start: Annotated[
        BoundedDate, Query(description="first day (local), e.g. 2026-01-01", examples=["2026-01-01"])
    ],
    end: Annotated[BoundedDate, Query(description="day after the last (local)", examples=["2026-10-01"])],
    unit: ScopeQuery = None,
    currency: Annotated[str, Query(pattern=r"^[A-Z]{3,5}$")] = "CNY",
) -> YearOnYearOut:
    """This period against the same days a year before, for a unit and everything below it (两降两升)."""
    scope = scope_unit(tree, actor, unit)
    if not start < end or (end - start) > timedelta(days=366):
        raise HTTPException(422, "the period must be non-empty and at most a year long (fields start, end)")
    previous_start = one_year_earlier(start)
    since = datetime.combine(previous_start - timedelta(days=1), time(), tzinfo=_ZONE)
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=_ZONE)
    units = tree.visible_units(scope)
    reports = report_facts_between(store, units=units, since=since, until=until)
    outcomes = outcome_facts(outcomes_between(store, units=units, since=since, until=until))
    try:
        view = year_on_year([*reports.facts, *outcomes], start, end, unit=scope, tree=tree, currency=currency)
    except ValueError as error:
        raise HTTPException(422, f"{error} (fields start, end)") from error

    def change(name: str) -> ChangeOut:
        figure = getattr(view, name)
        return ChangeOut(
            current=figure.current, previous=figure.previous, delta=figure.delta, ratio=figure.ratio
        )

    return YearOnYearOut(
        unit=scope, start=start, end=end, currency=currency, cases=change("cases"), losses=change("losses"),
        solved=change("solved"), arrested=change("arrested"), two_down_two_up=view.two_down_two_up,
    )  # fmt: skip
