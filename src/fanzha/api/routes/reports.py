"""``/reports``: take reports in (接警), list them masked, read one in full (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from fanzha.api.deps import CaseWorker, ClassifierDep, Offset, ScopeQuery, StoreDep, visible_units
from fanzha.api.reading import ReportReading, read_report
from fanzha.api.routes.campaigns import Campaigns
from fanzha.api.schemas import IngestResult, require_unit_scoped_id
from fanzha.intake.pipeline import store_reports
from fanzha.model import Report, ReportKind, UtcDatetime
from fanzha.ops import Actor
from fanzha.store.cases import ReportNotFoundError, ReportSummary

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_BATCH = 5_000


def _check_units(reports: list[Report], allowed: set[str]) -> None:
    foreign = sorted({r.reporter_unit for r in reports} - allowed)
    if foreign:
        raise HTTPException(403, f"reports for units outside yours: {', '.join(foreign[:10])}")


def _check_ids(reports: list[Report], *, batch: bool) -> None:
    """Report ids taken in through the API open with the reporter unit's code and a colon (unique per unit).

    Ids are otherwise one namespace across every unit, and a report sent with an id another unit already uses
    would be refused where a fresh one is taken: the answer would tell the sender the report exists.
    """
    for index, report in enumerate(reports):
        require_unit_scoped_id(report.id, report.reporter_unit, (index, "id") if batch else ("id",))


def _ingest(
    reports: list[Report], store: StoreDep, actor: Actor, classifier: ClassifierDep, *, batch: bool = False
) -> IngestResult:
    _check_units(reports, visible_units(store, actor))
    _check_ids(reports, batch=batch)
    summary = store_reports(reports, store, classifier=classifier)
    return IngestResult(
        inserted=summary.reports_inserted, unchanged=summary.reports_unchanged,
        identifiers_in_text=summary.text_identifiers,
    )  # fmt: skip


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IngestResult)
def create_report(
    report: Report, store: StoreDep, actor: CaseWorker, classifier: ClassifierDep, response: Response
) -> IngestResult:
    """Take one report in: identifiers are extracted from the narrative and the fraud type classified.

    Its id opens with its reporter unit's code and a colon (``440305:J2026-000123``), so ids are unique per
    unit. Sending the same report again changes nothing; the same id with other content is a 409.
    """
    response.headers["Location"] = f"/api/v1/reports/{report.id}"
    return _ingest([report], store, actor, classifier)


@router.post("/batch", status_code=status.HTTP_201_CREATED, response_model=IngestResult)
def create_reports(
    reports: list[Report], store: StoreDep, actor: CaseWorker, classifier: ClassifierDep
) -> IngestResult:
    """Take up to 5,000 reports in, all or nothing."""
    if len(reports) > MAX_BATCH:
        raise HTTPException(413, f"at most {MAX_BATCH} reports a batch")
    return _ingest(reports, store, actor, classifier, batch=True)


@router.get("", response_model=list[ReportSummary])
def list_reports(
    store: StoreDep,
    actor: CaseWorker,
    unit: ScopeQuery = None,
    since: Annotated[UtcDatetime | None, Query(description="received at or after")] = None,
    until: Annotated[UtcDatetime | None, Query(description="received before")] = None,
    kind: ReportKind | None = None,
    fraud_type: Annotated[str | None, Query(description="level-1 or level-2 code")] = None,
    campaign_id: Annotated[
        str | None, Query(max_length=64, description="only the reports of this campaign (串并案)")
    ] = None,
    needs_trace: Annotated[
        bool, Query(description="only reports with payments and no stop-payment task yet (待止付)")
    ] = False,
    before: Annotated[
        str | None,
        Query(max_length=64, description="keyset paging: the reports after this one (the last id of a page)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[ReportSummary]:
    """Reports of your unit and the units below it, newest first, personal data masked.

    Page by key: pass the last report of a page as ``before`` for the next page (as fast on page 1,000 as on
    page 1, and no report is shown twice or skipped when new ones arrive); ``offset`` still works, not with it.
    """
    scope = unit or actor.unit
    units = visible_units(store, actor)
    if scope not in units:
        raise HTTPException(403, f"unit {scope} is not yours to see")
    if before is not None:
        if offset:
            raise HTTPException(422, "page either by before or by offset (fields before, offset)")
        try:
            seen = store.report_unit(before) in units
        except ReportNotFoundError:
            seen = False
        if not seen:
            raise HTTPException(422, f"no report {before} in your units to page from (field before)")
    return store.list_reports(
        units=[scope], since=since, until=until, kind=kind, fraud_type=fraud_type, campaign_id=campaign_id,
        needs_trace=needs_trace, before=before, limit=limit, offset=offset,
    )  # fmt: skip


@router.get(
    "/{report_id}", response_model=Report, responses={404: {"description": "no such report in your units"}}
)
def get_report(report_id: str, store: StoreDep, actor: CaseWorker) -> Report:
    """One report in full, personal data included; the read is written to the audit log."""
    if store.report_unit(report_id) not in visible_units(store, actor):
        raise ReportNotFoundError(report_id)
    return store.get_report(report_id, actor=actor.user_id)


@router.get(
    "/{report_id}/reading",
    response_model=ReportReading,
    responses={404: {"description": "no such report in your units"}},
)
def get_report_reading(
    report_id: str,
    store: StoreDep,
    actor: CaseWorker,
    classifier: ClassifierDep,
    campaigns: Campaigns,
    personal: Annotated[
        bool, Query(description="show personal data (the victim's own identifiers); the read is audited")
    ] = False,
) -> ReportReading:
    """One report for reading: its narrative with every extracted identifier, amount and time as spans (offsets
    into the narrative returned), whose each identifier is, and the fraud type with its evidence terms.

    Personal data is masked (and the read not audited) unless ``personal=true``, which is the audited read.
    """
    if store.report_unit(report_id) not in visible_units(store, actor):
        raise ReportNotFoundError(report_id)
    report = store.get_report(report_id, actor=actor.user_id, audit=personal)
    return read_report(report, classifier, personal=personal, campaign_id=campaigns.campaign_of(report_id))
