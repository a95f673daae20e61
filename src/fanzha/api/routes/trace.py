"""``/trace``: follow victims' money through the bank records and answer the freeze list (资金穿透 / 止付冻结清单)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from fanzha.api.deps import CaseWorker, SettingsDep, StoreDep, cached_on_app, visible_units
from fanzha.flow import (
    AttributionPolicy,
    FreezeList,
    Ledger,
    TaintSource,
    TraceLimits,
    freeze_list,
    sources_from_payments,
    trace,
)
from fanzha.flow.stored import open_ledger
from fanzha.model import UtcDatetime, utcnow
from fanzha.store.cases import ReportNotFoundError
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
                {"report_id": "RPT-0000100", "policy": "proportional"},
            ]
        },
    )  # fmt: skip
    report_id: str | None = Field(default=None, max_length=64)
    payments: list[VictimPayment] = Field(default_factory=list, max_length=1_000)
    report_time: UtcDatetime | None = Field(default=None, description="start of the stop-payment clock")
    as_of: UtcDatetime | None = Field(default=None, description="query time; default the end of the window")
    policy: AttributionPolicy = AttributionPolicy.FIFO
    max_hops: int = Field(default=6, ge=1, le=12)
    window_hours: float = Field(default=72.0, gt=0, le=24 * 30)

    @model_validator(mode="after")
    def _one_source(self) -> TraceRequest:
        if (self.report_id is None) == (not self.payments):
            raise ValueError("give either report_id or payments")
        return self


def _ledger(request: Request, flows: FlowStore) -> Ledger:
    """The flow store's ledger, opened once per process and reopened when new days arrive."""
    return cached_on_app(request, "ledger", lambda: open_ledger(flows), version=tuple(flows.files()))


@router.post("", response_model=FreezeList, responses={404: {"description": "no such report in your units"}})
async def trace_payments(
    body: TraceRequest, request: Request, store: StoreDep, settings: SettingsDep, actor: CaseWorker
) -> FreezeList:
    """Trace victims' payments hop by hop through the bank records and rank the accounts still holding the money.

    With ``report_id`` the report's payments are read (the read is audited); the stop-payment deadlines run from
    the report's time, else from ``report_time`` or now.
    """
    report_time: datetime = body.report_time or utcnow()
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

    def run() -> FreezeList:
        ledger = _ledger(request, flows)
        result = trace(ledger, sources, as_of=body.as_of, limits=limits)
        return freeze_list(result, ledger, report_time=report_time, bank_of=bank_code_of_account)

    return await run_in_threadpool(run)
