"""``/outcomes`` and ``/interceptions``: how cases ended and what money was kept from scams, for the metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import StoreDep, requires, visible_units
from fanzha.api.schemas import require_unit_scoped_id
from fanzha.model import Money, UtcDatetime
from fanzha.model.entities import FraudTypeCode
from fanzha.ops import Actor, Role
from fanzha.ops.metrics import CaseOutcome, Interception
from fanzha.store.cases import ReportNotFoundError
from fanzha.store.cases.outcomes import record_interception, record_outcome

router = APIRouter(tags=["outcomes"])
Investigator = Annotated[Actor, Depends(requires(Role.INVESTIGATOR, Role.SUPERVISOR))]
Interceptor = Annotated[
    Actor, Depends(requires(Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.BANK_LIAISON))
]


class OutcomeIn(BaseModel):
    """How a case ended (破案, 抓获); recording it again corrects it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"report_id": "RPT-0000100", "at": "2026-10-02T08:00:00Z", "solved": True,
                                         "suspects_arrested": 3}]},
    )  # fmt: skip
    report_id: str = Field(min_length=1, max_length=64)
    at: UtcDatetime
    solved: bool
    suspects_arrested: int = Field(default=0, ge=0, le=100_000)


class InterceptionIn(BaseModel):
    """Money kept from reaching a scam (预警拦截): a dissuaded victim or a blocked transfer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id": "BANK-ICBC:INT-20260902-0001", "at": "2026-09-02T03:10:00Z",
                                         "amount": {"amount_minor": 5_000_000, "currency": "CNY"},
                                         "fraud_type": "fake_investment", "source": "blocked transfer"}]},
    )  # fmt: skip
    id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="opens with the unit's code and a colon: ids are unique per unit",
    )  # fmt: skip
    unit: str | None = Field(
        default=None, max_length=32, description="a unit at or below yours; default yours"
    )
    at: UtcDatetime
    amount: Money
    fraud_type: FraudTypeCode | None = None
    source: str = Field(default="", max_length=500)


@router.post(
    "/outcomes", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"description": "no such case"}}
)
def record_case_outcome(body: OutcomeIn, store: StoreDep, actor: Investigator) -> Response:
    """Record how a case of your units ended; solved cases and arrests count in the metrics from then on."""
    if store.report_unit(body.report_id) not in visible_units(store, actor):
        raise ReportNotFoundError(body.report_id)
    report = store.get_report(body.report_id, actor=actor.user_id)
    if report.kind.value != "case":
        raise HTTPException(422, f"report {report.id} is a tip: only cases have outcomes (field report_id)")
    outcome = CaseOutcome(
        report.id,
        report.reporter_unit,
        body.at,
        body.solved,
        body.suspects_arrested,
        report.declared_fraud_type,
    )
    record_outcome(store, outcome, actor=actor.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/interceptions", status_code=status.HTTP_201_CREATED, response_model=dict[str, bool])
def record_money_intercepted(body: InterceptionIn, store: StoreDep, actor: Interceptor) -> dict[str, bool]:
    """Record money intercepted in one of your units; the same id again changes nothing (``recorded`` false).

    The id opens with the unit's code and a colon (``BANK-ICBC:…``): with ids unique per unit, ``recorded`` false
    can only mean the id is taken in a unit of yours, never that another unit uses it.
    """
    unit = body.unit or actor.unit
    if unit not in visible_units(store, actor):
        raise HTTPException(403, f"unit {unit} is not yours (field unit)")
    require_unit_scoped_id(body.id, unit, ("id",))
    item = Interception(unit, body.at, body.amount, body.fraud_type, body.source)
    return {"recorded": record_interception(store, body.id, item, actor=actor.user_id)}
