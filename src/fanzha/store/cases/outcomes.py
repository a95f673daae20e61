"""Case outcomes (破案, 抓获) and interceptions (预警拦截) in the case store, for the metrics the centres report by."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from fanzha.model import Money
from fanzha.ops.metrics import CaseOutcome, Interception
from fanzha.store.cases.audit import append_event
from fanzha.store.cases.records import CaseStoreError
from fanzha.store.cases.schema import CaseOutcomeRow, InterceptionRow
from fanzha.store.cases.store import CaseStore


def record_outcome(store: CaseStore, outcome: CaseOutcome, *, actor: str) -> None:
    """Record (or correct) how the case ``outcome.case_id`` ended; audited under ``actor``."""
    values = {
        "report_id": outcome.case_id, "unit": outcome.unit, "at": outcome.at, "solved": outcome.solved,
        "suspects_arrested": outcome.suspects_arrested, "fraud_type": outcome.fraud_type, "recorded_by": actor,
    }  # fmt: skip
    changed = {key: value for key, value in values.items() if key != "report_id"}
    dialect = store.engine.dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(CaseOutcomeRow)
    statement = insert.values(values).on_conflict_do_update(index_elements=["report_id"], set_=changed)
    with Session(store.writer_engine) as session, session.begin():
        try:
            session.execute(statement)
        except IntegrityError as error:
            raise CaseStoreError(
                f"case {outcome.case_id} or unit {outcome.unit} is not in the case store"
            ) from error
        detail = {"solved": outcome.solved, "suspects_arrested": outcome.suspects_arrested}
        append_event(session, actor, "outcome.record", "report", outcome.case_id, detail)


def record_interception(store: CaseStore, interception_id: str, item: Interception, *, actor: str) -> bool:
    """Record an interception once (a repeated id changes nothing: returns False); audited under ``actor``."""
    with Session(store.writer_engine) as session, session.begin():
        if session.get(InterceptionRow, interception_id) is not None:
            return False
        session.add(
            InterceptionRow(
                id=interception_id, unit=item.unit, at=item.at, amount_minor=item.amount.amount_minor,
                currency=item.amount.currency, fraud_type=item.fraud_type, source=item.source, recorded_by=actor,
            )
        )  # fmt: skip
        try:
            session.flush()
        except IntegrityError as error:
            raise CaseStoreError(f"unit {item.unit} is not in the case store") from error
        detail = {"amount_minor": item.amount.amount_minor, "currency": item.amount.currency}
        append_event(session, actor, "interception.record", "interception", interception_id, detail)
    return True


def _within(
    at: InstrumentedAttribute[datetime],
    unit: InstrumentedAttribute[str],
    units: Collection[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if units is not None:
        conditions.append(unit.in_(sorted(units)))
    if since is not None:
        conditions.append(at >= since)
    if until is not None:
        conditions.append(at < until)
    return conditions


def outcomes_between(
    store: CaseStore, *, units: Collection[str] | None, since: datetime | None, until: datetime | None
) -> list[CaseOutcome]:
    """Case outcomes of ``units`` (all when None) dated in ``[since, until)``."""
    query = select(CaseOutcomeRow).where(
        *_within(CaseOutcomeRow.at, CaseOutcomeRow.unit, units, since, until)
    )
    with Session(store.engine) as session:
        return [
            CaseOutcome(row.report_id, row.unit, row.at, row.solved, row.suspects_arrested, row.fraud_type)
            for row in session.scalars(query)
        ]


def interceptions_between(
    store: CaseStore, *, units: Collection[str] | None, since: datetime | None, until: datetime | None
) -> list[Interception]:
    """Interceptions of ``units`` (all when None) dated in ``[since, until)``."""
    query = select(InterceptionRow).where(
        *_within(InterceptionRow.at, InterceptionRow.unit, units, since, until)
    )
    with Session(store.engine) as session:
        return [
            Interception(row.unit, row.at, Money(amount_minor=row.amount_minor, currency=row.currency),
                         row.fraud_type, row.id)
            for row in session.scalars(query)
        ]  # fmt: skip
