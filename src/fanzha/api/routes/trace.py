"""``/trace``: follow victims' money through the bank records and answer the freeze list (资金穿透 / 止付冻结清单)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from fanzha.api.deps import (
    CaseWorker,
    ClockDep,
    PolicyDep,
    SettingsDep,
    StoreDep,
    TreeDep,
    cached_on_app,
    visible_units,
)
from fanzha.api.routes.tasks import TaskOut, task_out
from fanzha.config import Settings
from fanzha.flow import (
    AttributionPolicy,
    FreezeList,
    FreezeRules,
    Ledger,
    TaintSource,
    TraceLimits,
    freeze_list,
    sources_from_payments,
    trace,
)
from fanzha.flow.freeze import KnownAccounts
from fanzha.flow.paths import DEFAULT_MAX_EDGES
from fanzha.flow.stored import open_ledger
from fanzha.model import UtcDatetime, utcnow
from fanzha.ops import Actor, SlaPolicy, UnitTree
from fanzha.ops.stop_payments import bank_requests, plan_stop_payments, stop_payment_id
from fanzha.ops.tasks import TaskRecord
from fanzha.store.cases import CaseStore, ReportNotFoundError
from fanzha.store.cases.ops import OpsRecordNotFoundError, add_task, get_task, update_task
from fanzha.store.flows import FlowStore
from fanzha.text import bank_code_of_account

router = APIRouter(prefix="/trace", tags=["trace"])


class VictimPayment(BaseModel):
    """One payment a victim made: into ``account``, ``amount_minor`` at ``time``."""

    model_config = ConfigDict(extra="forbid")
    account: str = Field(min_length=1, max_length=64, examples=["6222021234567890128"])
    amount_minor: int = Field(gt=0, le=10**14, examples=[3_500_000])
    time: UtcDatetime = Field(examples=["2026-09-03T06:05:00Z"])
    victim: str = Field(
        default="", max_length=64, description="whose money: a report id or a name for the analyst"
    )
    payer: str | None = Field(default=None, max_length=64, description="the victim's own account, if known")


class TraceRequest(BaseModel):
    """Either a stored report's payments (``report_id``) or payments given here; limits and policy optional."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"payments": [{"account": "6222021234567890128", "amount_minor": 3_500_000,
                               "time": "2026-09-03T06:05:00Z", "victim": "RPT-0000100"}]},
                {"report_id": "RPT-0000100"},
            ]
        },
    )  # fmt: skip
    report_id: str | None = Field(default=None, max_length=64)
    payments: list[VictimPayment] = Field(default_factory=list, max_length=1_000)
    report_time: UtcDatetime | None = Field(default=None, description="start of the stop-payment clock")
    as_of: UtcDatetime | None = Field(
        default=None,
        description="where the money is at this time; default the report's time (a report) or now (payments)",
    )
    where_it_went: bool = Field(
        default=False, description="follow the money to the end of the window instead of stopping at as_of"
    )
    policy: AttributionPolicy = AttributionPolicy.LIFO
    max_hops: int = Field(default=6, ge=1, le=12)
    window_hours: float = Field(default=72.0, gt=0, le=24 * 30)
    flow_edges: int = Field(
        default=DEFAULT_MAX_EDGES,
        ge=0,
        le=5_000,
        description="at most this many transfers in the answer's flow (those that carried the most victim money)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> TraceRequest:
        if (self.report_id is None) == (not self.payments):
            raise ValueError("give either report_id or payments")
        return self


class TraceTasks(BaseModel):
    """The stop-payment tasks a freeze list became: one per bank desk, new or brought up to date."""

    tasks: list[TaskOut]
    created: int
    updated: int


def _ledger(request: Request, flows: FlowStore) -> Ledger:
    """The flow store's ledger, opened once per process and reopened when new days arrive."""
    return cached_on_app(request, "ledger", lambda: open_ledger(flows), version=tuple(flows.files()))


def _known(request: Request, store: CaseStore) -> KnownAccounts:
    """Known victims' and reported payees' accounts, read again when a payment has been stored since."""

    def read() -> KnownAccounts:
        victims, payees = store.payment_accounts()
        return KnownAccounts(frozenset(victims), frozenset(payees))

    return cached_on_app(request, "known_accounts", read, version=store.payment_count())


async def _freeze_list(
    body: TraceRequest, request: Request, store: CaseStore, settings: Settings, actor: Actor
) -> FreezeList:
    """Trace the request's payments and make the freeze list, as of the report time unless asked otherwise."""
    now = utcnow()
    report_time: datetime = body.report_time or now
    if body.report_id is not None:
        if store.report_unit(body.report_id) not in visible_units(store, actor):
            raise ReportNotFoundError(body.report_id)
        report = store.get_report(body.report_id, actor=actor.user_id)
        if not report.payments:
            raise HTTPException(422, f"report {report.id} records no payment: nothing to trace")
        sources = sources_from_payments(report.payments, report.id)
        report_time = report.received_at
    else:
        sources = [TaintSource(p.account, p.amount_minor, p.time, p.victim, p.payer) for p in body.payments]
    flows = FlowStore.from_settings(settings)
    if not flows.files():
        raise HTTPException(404, "the flow store holds no transactions")
    limits = TraceLimits(
        max_hops=body.max_hops, window=timedelta(hours=body.window_hours), policy=body.policy
    )
    as_of = None if body.where_it_went else body.as_of or (report_time if body.report_id else now)
    rules = FreezeRules(min_held_minor=round(settings.freeze_min_held_yuan * 100))

    def run() -> FreezeList:
        ledger = _ledger(request, flows)
        result = trace(ledger, sources, as_of=as_of, limits=limits)
        return freeze_list(
            result, ledger, report_time=report_time, now=now, rules=rules, bank_of=bank_code_of_account,
            known=_known(request, store), flow_edges=body.flow_edges,
        )  # fmt: skip

    return await run_in_threadpool(run)


@router.post("", response_model=FreezeList, responses={404: {"description": "no such report in your units"}})
async def trace_payments(
    body: TraceRequest, request: Request, store: StoreDep, settings: SettingsDep, actor: CaseWorker
) -> FreezeList:
    """Trace victims' payments hop by hop through the bank records and rank the accounts still holding the money;
    ``flow`` holds the transfers the money took (from, to, victim money carried, time, hop), at most
    ``flow_edges`` of them, the victims' own accounts masked.

    With ``report_id`` the report's payments are read (the read is audited); the stop-payment deadlines run from
    the report's time, else from ``report_time`` or now. Targets hold what they held at ``as_of`` (the report's
    time by default); victims' own accounts, holdings under the centre's minimum and bona fide recipients are
    left out and counted in ``left_out``; deadlines already past are marked overdue.
    """
    return await _freeze_list(body, request, store, settings, actor)


@router.post(
    "/tasks",
    response_model=TraceTasks,
    responses={404: {"description": "no such report in your units"}, 422: {"description": "no report_id"}},
)
async def trace_to_tasks(
    body: TraceRequest, request: Request, store: StoreDep, settings: SettingsDep, actor: CaseWorker,
    tree: TreeDep, clock: ClockDep, policy: PolicyDep,
) -> TraceTasks:  # fmt: skip
    """Trace a report and send each bank desk one stop-payment task (紧急止付) listing its accounts and amounts,
    due 30 minutes from the report. Tracing the report again updates the tasks still owed instead of adding
    new ones. When a desk completes its task with the money stopped, a freeze task follows at that desk."""
    if body.report_id is None:
        raise HTTPException(422, "stop-payment tasks belong to a report: give report_id (field report_id)")
    listed = await _freeze_list(body, request, store, settings, actor)
    now = clock.now()
    created, updated = issue_stop_payments(store, tree, actor, listed, body.report_id, now, policy)
    return TraceTasks(
        tasks=[task_out(record, now) for record in (*created, *updated)],
        created=len(created),
        updated=len(updated),
    )


def issue_stop_payments(
    store: CaseStore,
    tree: UnitTree,
    actor: Actor,
    listed: FreezeList,
    report_id: str,
    at: datetime,
    policy: SlaPolicy,
) -> tuple[list[TaskRecord], list[TaskRecord]]:
    """Store the stop-payment tasks of a report's freeze list, one per bank desk (``BANK-<code>``) the tree
    knows: new ones dispatched, those still owed updated. Returns (created, updated)."""
    requests = bank_requests(listed.targets, lambda bank: f"BANK-{bank}" if f"BANK-{bank}" in tree else None)
    existing = {}
    for item in requests:
        task_id = stop_payment_id(report_id, item.bank)
        with contextlib.suppress(OpsRecordNotFoundError):
            existing[task_id] = get_task(store, task_id)
    created, updated = plan_stop_payments(
        tree, actor, requests, report_id=report_id, report_time=listed.report_time, at=at, policy=policy,
        existing=existing,
    )  # fmt: skip
    for record in created:
        add_task(store, record)
    for record in updated:
        update_task(store, record, read_steps=len(record.history))
    return created, updated
