"""CaseStore: the repository over the case database (reports, units, identifiers, audit).

Writes are batched (one executemany per table, identifiers upserted with ON CONFLICT) and each batch is one
transaction; every read of a victim's personal data appends an event to the hash-chained audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Select, bindparam, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from fanzha.model import (
    Identifier,
    IdentifierKind,
    IdentifierRole,
    Report,
    ReportKind,
    TaskKind,
    Unit,
    mask_value,
    normalize_identifier,
    utcnow,
)
from fanzha.store.cases import rows
from fanzha.store.cases.audit import AuditVerdict, append_event, verify_chain
from fanzha.store.cases.checkpoints import seal_for
from fanzha.store.cases.engine import create_case_engine, writer
from fanzha.store.cases.records import (
    AddResult,
    CaseCounts,
    CaseStoreError,
    IdentifierActivity,
    IdentifierLink,
    Mention,
    ReportConflictError,
    ReportNotFoundError,
    ReportSummary,
    UnknownUnitError,
)
from fanzha.store.cases.report_batch import ReportBatch, chunks, missing_units, set_fraud_types
from fanzha.store.cases.schema import (
    Base,
    CampaignReportRow,
    CampaignRow,
    IdentifierRow,
    PaymentRow,
    ReportIdentifierRow,
    ReportRow,
    TaskRow,
    UnitRow,
)

logger = logging.getLogger(__name__)

REPORTS = Base.metadata.tables["reports"]
PAYMENTS = Base.metadata.tables["payments"]
IDENTIFIERS = Base.metadata.tables["identifiers"]
LINKS = Base.metadata.tables["report_identifiers"]
UNITS = Base.metadata.tables["units"]
CHUNK = 2_000


class CaseStore:
    """The case store at a SQLAlchemy URL; run :func:`fanzha.store.cases.upgrade` on the URL first.

    >>> store = CaseStore("sqlite:///cases.db")  # doctest: +SKIP
    >>> store.add_reports(reports).inserted  # doctest: +SKIP
    """

    def __init__(self, url: str) -> None:
        self.engine = create_case_engine(url)
        self._writer = writer(self.engine)

    @property
    def writer_engine(self) -> Engine:
        """The engine that serialises writers (SQLite: BEGIN IMMEDIATE), for repositories beside this one."""
        return self._writer

    def close(self) -> None:
        """Checkpoint the audit log (:meth:`checkpoint_audit`) and close every pooled connection."""
        try:
            self.checkpoint_audit()
        finally:
            self.engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- units ---------------------------------------------------------------------------------------

    def units(self) -> list[Unit]:
        """Every unit, parents before children within each level of the tree."""
        with Session(self.engine) as session:
            found = session.scalars(select(UnitRow).order_by(UnitRow.code)).all()
            return [Unit.model_validate(_unit_dict(row)) for row in found]

    def visible_units(self, code: str) -> set[str]:
        """``code`` and every unit below it (部省市县: a unit sees its own and its children's work)."""
        with Session(self.engine) as session:
            return set(session.scalars(_subtree([code])))

    def add_units(self, units: Iterable[Unit]) -> AddResult:
        """Add or update units (部省市县 tree); parents may come in the same batch in any order.

        A unit stored with the same fields is counted unchanged; one whose name, level, parent or region changed
        is updated. A parent code that is neither stored nor in the batch raises :class:`UnknownUnitError`.
        """
        batch = _unique_units(units)
        with Session(self._writer) as session, session.begin():
            stored = {
                row.code: row
                for chunk in chunks(list(batch))
                for row in session.scalars(select(UnitRow).where(UnitRow.code.in_(chunk)))
            }
            missing = missing_units(session, {code: u.parent for code, u in batch.items()}, set(batch))
            if missing:
                raise UnknownUnitError(missing)
            new = [batch[code] for code in _parents_first(batch) if code not in stored]
            changed = [
                u
                for code, u in batch.items()
                if code in stored and rows.unit_row(u) != _unit_dict(stored[code])
            ]
            if new:
                session.execute(insert(UNITS), [rows.unit_row(u) for u in new])
            for unit in changed:
                session.execute(update(UNITS).where(UNITS.c.code == unit.code).values(rows.unit_row(unit)))
        return AddResult(
            inserted=len(new), unchanged=len(batch) - len(new) - len(changed), updated=len(changed)
        )

    # --- reports: writing ----------------------------------------------------------------------------

    def add_reports(
        self,
        reports: Iterable[Report],
        *,
        identifiers_from_text: Mapping[str, Sequence[Mention]] | None = None,
        actor: str = "intake",
    ) -> AddResult:
        """Store a batch of reports (接警入库), all or nothing; re-ingesting the same reports changes nothing.

        A report already stored with the same content hash is counted unchanged; one stored with different
        content raises :class:`ReportConflictError` naming it, and nothing of the batch is written. Identifiers
        named on the form (source ``form``), payees of payments (``payment``: bank accounts, or wallets for
        crypto payments) and ``identifiers_from_text[report_id]`` (``text``, with spans; linked also to reports
        already stored, once) are upserted with their counts and first/last seen, and linked with provenance.
        Values must already be normalised (``Identifier.parse``, ``fanzha.text.extract``). A batch too large for
        memory goes through :meth:`report_batch` chunk by chunk instead.

        Cost: O(reports + mentions) rows in a handful of batched statements.
        """
        mentions = identifiers_from_text or {}
        with self.report_batch(actor) as batch:
            triage = batch.triage(reports)
            if triage.conflicts:
                raise ReportConflictError(sorted(triage.conflicts))
            stored = [*triage.unanalysed, *(r for r in triage.unchanged if r.id in mentions)]
            result = batch.write(triage.new, stored, identifiers_from_text=mentions)
        logger.info(
            "reports: %d inserted, %d unchanged, %d links", result.inserted, batch.unchanged, batch.links
        )
        return AddResult(inserted=result.inserted, unchanged=batch.unchanged)

    @contextmanager
    def report_batch(self, actor: str = "intake") -> Iterator[ReportBatch]:
        """One all-or-nothing batch of reports written chunk by chunk in one transaction (see
        :class:`~fanzha.store.cases.report_batch.ReportBatch`): committed with its audit event when the block
        ends, rolled back when it raises. On SQLite it holds the write lock for the length of the block.
        """
        with Session(self._writer) as session, session.begin():
            batch = ReportBatch(session, utcnow())
            yield batch
            batch.finish(actor)

    def set_classifications(self, results: Iterable[tuple[str, str, float]]) -> int:
        """Record the text room's fraud type and confidence per report id (诈骗类型研判); returns rows updated."""
        with Session(self._writer) as session, session.begin():
            return set_fraud_types(session, results)

    # --- reports: reading ----------------------------------------------------------------------------

    def get_report(self, report_id: str, actor: str, *, audit: bool = True) -> Report:
        """The full report, personal data included; the read is written to the audit log under ``actor``.

        ``audit=False`` is for callers that mask the personal data before anyone sees it (the console's first
        view of a report); whoever then asks for it in full reads it again, audited.
        """
        with Session(self._writer) as session, session.begin():
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReportNotFoundError(report_id)
            payments = session.scalars(
                select(PaymentRow).where(PaymentRow.report_id == report_id).order_by(PaymentRow.payment_index)
            ).all()
            form = session.execute(
                select(
                    IdentifierRow.kind,
                    IdentifierRow.value,
                    ReportIdentifierRow.valid,
                    ReportIdentifierRow.raw,
                )
                .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
                .where(ReportIdentifierRow.report_id == report_id, ReportIdentifierRow.source == "form")
                .order_by(ReportIdentifierRow.ordinal)
            ).all()
            report = rows.report_from_row(
                row,
                [rows.payment_from_row(p) for p in payments],
                [
                    Identifier(kind=IdentifierKind(kind), value=value, valid=valid, raw=raw)
                    for kind, value, valid, raw in form
                ],
            )
            if report.content_hash() != row.content_hash:
                logger.warning("report %s read back with a different content hash", report_id)
            if audit:
                append_event(session, actor, "report.read", "report", report_id, {})
        return report

    def list_reports(
        self,
        *,
        units: Iterable[str] | None = None,
        subunits: bool = True,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: ReportKind | None = None,
        fraud_type: str | None = None,
        campaign_id: str | None = None,
        needs_trace: bool = False,
        before: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ReportSummary]:
        """Report summaries, newest first, with personal data masked (not audited: nothing personal is shown).

        ``units`` keeps reports taken by those unit codes (and their subunits unless ``subunits`` is False);
        ``since``/``until`` bound ``received_at`` as ``since <= t < until``; ``fraud_type`` matches the
        classified type, or the declared one while unclassified, and a level-1 code matches its subtypes;
        ``campaign_id`` keeps the reports of that campaign (a merged campaign's id means the one it went into);
        ``needs_trace`` keeps reports that record payments and have no stop-payment task yet (待止付).
        ``before`` pages by key: the reports after report ``before`` in this order (none when it is unknown),
        which costs the same on every page, where ``offset`` reads and drops the rows before it.
        """
        query = select(ReportRow).order_by(ReportRow.received_at.desc(), ReportRow.id.desc())
        query = _filtered(
            query, units=units, subunits=subunits, since=since, until=until, kind=kind, fraud_type=fraud_type,
            campaign_id=campaign_id, needs_trace=needs_trace, before=before,
        ).limit(limit).offset(offset)  # fmt: skip
        with Session(self.engine) as session:
            page = session.scalars(query).all()
            ids = [row.id for row in page]
            losses = _losses(session, ids)
            named = _form_identifiers(session, ids)
            campaigns = _campaigns(session, ids)
            stopped = _stopped(session, ids)
        return [
            rows.summary(
                row, losses.get(row.id, {}), named.get(row.id, ()), campaigns.get(row.id), row.id in stopped
            )
            for row in page
        ]

    def report_unit(self, report_id: str) -> str:
        """The unit that took a report (no personal data read, nothing audited); raises ReportNotFoundError."""
        with Session(self.engine) as session:
            unit = session.scalar(select(ReportRow.reporter_unit).where(ReportRow.id == report_id))
        if unit is None:
            raise ReportNotFoundError(report_id)
        return unit

    _mentions = (
        select(LINKS.c.report_id)
        .join(IDENTIFIERS, IDENTIFIERS.c.id == LINKS.c.identifier_id)
        .where(IDENTIFIERS.c.kind == bindparam("kind"), IDENTIFIERS.c.value == bindparam("value"))
    )
    _activity = select(
        func.count().filter(REPORTS.c.kind == ReportKind.CASE.value),
        func.count().filter(REPORTS.c.kind == ReportKind.TIP.value),
        func.min(REPORTS.c.received_at),
        func.max(REPORTS.c.received_at),
    ).where(
        REPORTS.c.id.in_(
            _mentions.where(LINKS.c.role.in_([bindparam(f"counted_{i}") for i in range(len(IdentifierRole))]))
        ),
        REPORTS.c.id.not_in(_mentions.where(LINKS.c.role == IdentifierRole.VICTIM.value)),
    )

    @cached_property
    def _activity_sql(
        self,
    ) -> tuple[str, tuple[str, ...] | None, Mapping[str, Any], Callable[[Any], Any] | None]:
        """The activity query compiled once for this database: SQL, parameter order if positional, the values
        of its constant parameters, and the reader of its times."""
        dialect = self.engine.dialect
        compiled = self._activity.compile(dialect=dialect)
        blanks = {"kind": "", "value": "", **{f"counted_{i}": "" for i in range(len(IdentifierRole))}}
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        read_time = REPORTS.c.received_at.type.dialect_impl(dialect).result_processor(dialect, None)
        return compiled.string, order, compiled.construct_params(blanks), read_time

    def identifier_activity(
        self,
        kind: IdentifierKind | str,
        value: str,
        roles: Iterable[IdentifierRole] = (IdentifierRole.COUNTERPARTY, IdentifierRole.UNKNOWN),
    ) -> IdentifierActivity:
        """How often an identifier was reported, in cases and in tips, and when (涉案要素活跃度); no personal data.

        ``value`` is normalised first; a report counts when it names the identifier in one of ``roles`` and
        nowhere as the victim's own (a victim's card on the form outweighs the same card of unknown role in the
        text); ``roles`` may not hold ``victim``. Cost: one query on a pooled
        DBAPI connection, compiled once, no ORM: the (kind, value) index, the (identifier, role) index over its
        links, then each distinct report once by key (about 20 µs on SQLite for an identifier in a few reports).
        """
        normalized = normalize_identifier(kind, value)
        wanted = frozenset(IdentifierRole(role) for role in roles)
        if IdentifierRole.VICTIM in wanted:
            raise ValueError("a victim's own identifiers never count as reports of it")
        sql, order, constants, read_time = self._activity_sql
        named = sorted(role.value for role in wanted) or [""]
        params = {**constants, "kind": IdentifierKind(kind).value, "value": normalized.value}
        params.update((f"counted_{i}", named[min(i, len(named) - 1)]) for i in range(len(IdentifierRole)))
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params if order is None else tuple(params[name] for name in order))
            cases, tips, first, last = cursor.fetchone() or (0, 0, None, None)
            cursor.close()
        finally:
            connection.close()
        if read_time is not None:
            first, last = read_time(first), read_time(last)
        return IdentifierActivity(
            kind=IdentifierKind(kind), value=normalized.value, valid=normalized.valid, cases=int(cases),
            tips=int(tips), first_reported=first, last_reported=last, roles=wanted,
        )  # fmt: skip

    def payment_accounts(self) -> tuple[set[str], set[str]]:
        """Accounts of known victims (their stated accounts and the payers of their payments) and the accounts
        they paid into: what a freeze list leaves out and what marks a mule's inflow. No personal data is
        returned beyond account numbers, which the flow store holds anyway; nothing is audited.

        Cost: one pass over the payments and the reports' victim accounts.
        """
        with Session(self.engine) as session:
            payers = set(session.scalars(select(PAYMENTS.c.from_account).distinct()))
            stated = session.scalars(
                select(ReportRow.victim_account).where(ReportRow.victim_account.is_not(None)).distinct()
            )
            payees = set(session.scalars(select(PAYMENTS.c.to_account).distinct()))
        return payers | {account for account in stated if account}, payees

    def payment_count(self) -> int:
        """How many victim payments are stored (a cheap version stamp for caches of :meth:`payment_accounts`)."""
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(PAYMENTS)) or 0)

    def identifier_reports(self, kind: IdentifierKind | str, value: str) -> list[IdentifierLink]:
        """Every mention linking a report to this identifier (涉案要素关联), oldest report first; ``value`` is
        normalised first, so a phone or card may be given as written."""
        normalized = normalize_identifier(kind, value).value
        query = (
            select(ReportIdentifierRow, ReportRow.received_at)
            .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
            .join(ReportRow, ReportRow.id == ReportIdentifierRow.report_id)
            .where(IdentifierRow.kind == IdentifierKind(kind).value, IdentifierRow.value == normalized)
            .order_by(
                ReportRow.received_at, ReportRow.id, ReportIdentifierRow.source, ReportIdentifierRow.ordinal
            )
        )
        with Session(self.engine) as session:
            return [
                IdentifierLink(
                    report_id=link.report_id,
                    received_at=received_at,
                    source=link.source,
                    ordinal=link.ordinal,
                    span_start=link.span_start,
                    span_end=link.span_end,
                    raw=link.raw,
                    role=IdentifierRole(link.role),
                )
                for link, received_at in session.execute(query)
            ]

    def counts(self) -> CaseCounts:
        """Totals for the summary table: reports by kind, loss per currency, identifiers per kind, units."""
        with Session(self.engine) as session:
            by_kind = dict(
                session.execute(select(ReportRow.kind, func.count()).group_by(ReportRow.kind)).all()
            )
            loss = session.execute(
                select(PaymentRow.currency, func.sum(PaymentRow.amount_minor)).group_by(PaymentRow.currency)
            )
            identifiers = session.execute(
                select(IdentifierRow.kind, func.count()).group_by(IdentifierRow.kind)
            ).all()
            units = session.scalar(select(func.count()).select_from(UnitRow)) or 0
            return CaseCounts(
                reports=sum(by_kind.values()),
                cases=by_kind.get(ReportKind.CASE.value, 0),
                tips=by_kind.get(ReportKind.TIP.value, 0),
                loss={currency: int(total) for currency, total in loss},
                identifiers=dict(identifiers),
                units=units,
            )

    # --- audit ---------------------------------------------------------------------------------------

    def verify_audit_chain(self) -> int | None:
        """The seq of the first audit event found wrong (审计链校验; 0 for a log emptied), or None when whole.

        :meth:`audit_verdict` says what was wrong. Cost: one pass over the log, O(events) time, constant memory.
        """
        verdict = self.audit_verdict()
        if verdict.intact:
            return None
        return verdict.seq if verdict.seq is not None else verdict.events

    def audit_verdict(self) -> AuditVerdict:
        """Check the audit log against its key and its signed checkpoints: whole, or what was done to it."""
        with Session(self.engine) as session:
            return verify_chain(session, seal_for(self.engine))

    def checkpoint_audit(self) -> None:
        """Write the checkpoint of this process's last audit commit if none covers it yet (at shutdown)."""
        seal_for(self.engine).flush()


def _unique_units(units: Iterable[Unit]) -> dict[str, Unit]:
    batch: dict[str, Unit] = {}
    for unit in units:
        if batch.setdefault(unit.code, unit) != unit:
            raise CaseStoreError(f"unit {unit.code} appears twice in the batch with different fields")
    return batch


def _unit_dict(row: UnitRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "parent": row.parent,
        "region_code": row.region_code,
    }


def _parents_first(batch: Mapping[str, Unit]) -> list[str]:
    """Codes ordered so each parent in the batch comes before its children; a cycle is an error."""
    ordered: list[str] = []
    placed: set[str] = set()
    for start in batch:
        chain: list[str] = []
        code: str | None = start
        while code is not None and code in batch and code not in placed:
            if code in chain:
                raise CaseStoreError(f"units form a cycle through {code}")
            chain.append(code)
            code = batch[code].parent
        placed.update(chain)
        ordered.extend(reversed(chain))
    return ordered


def _filtered(
    query: Select[ReportRow],
    *,
    units: Iterable[str] | None,
    subunits: bool,
    since: datetime | None,
    until: datetime | None,
    kind: ReportKind | None,
    fraud_type: str | None,
    campaign_id: str | None = None,
    needs_trace: bool = False,
    before: str | None = None,
) -> Select[ReportRow]:
    if units is not None:
        query = query.where(ReportRow.reporter_unit.in_(_unit_codes(list(units), subunits)))
    if since is not None:
        query = query.where(ReportRow.received_at >= since)
    if until is not None:
        query = query.where(ReportRow.received_at < until)
    if kind is not None:
        query = query.where(ReportRow.kind == ReportKind(kind).value)
    if fraud_type is not None:
        effective = func.coalesce(ReportRow.classified_fraud_type, ReportRow.declared_fraud_type)
        query = query.where(
            or_(effective == fraud_type, effective.startswith(fraud_type + ".", autoescape=True))
        )
    if campaign_id is not None:
        merged = select(CampaignRow.merged_into).where(CampaignRow.id == campaign_id).scalar_subquery()
        members = select(CampaignReportRow.report_id).where(
            CampaignReportRow.campaign_id == func.coalesce(merged, campaign_id)
        )
        query = query.where(ReportRow.id.in_(members))
    if needs_trace:
        paid = select(PaymentRow.report_id).where(PaymentRow.report_id == ReportRow.id).exists()
        query = query.where(paid, ~_stop_payment_task().where(TaskRow.report_id == ReportRow.id).exists())
    if before is not None:
        anchor = select(ReportRow.received_at).where(ReportRow.id == before).scalar_subquery()
        query = query.where(tuple_(ReportRow.received_at, ReportRow.id) < tuple_(anchor, before))
    return query


def _stop_payment_task() -> Select[str | None]:
    return select(TaskRow.report_id).where(TaskRow.kind == TaskKind.STOP_PAYMENT.value)


def _campaigns(session: Session, report_ids: Sequence[str]) -> dict[str, str]:
    if not report_ids:
        return {}
    query = select(CampaignReportRow.report_id, CampaignReportRow.campaign_id).where(
        CampaignReportRow.report_id.in_(report_ids)
    )
    return dict(session.execute(query).all())


def _stopped(session: Session, report_ids: Sequence[str]) -> set[str]:
    """The reports among ``report_ids`` a stop-payment task was made for."""
    if not report_ids:
        return set()
    return set(session.scalars(_stop_payment_task().where(TaskRow.report_id.in_(report_ids)).distinct()))


def _unit_codes(codes: list[str], subunits: bool) -> Select[str] | list[str]:
    """The codes themselves, or a recursive query over the unit tree (a unit sees its children's work)."""
    return _subtree(codes) if subunits else codes


def _subtree(codes: list[str]) -> Select[str]:
    """The codes and every unit below them, as a recursive query over the unit tree."""
    tree = select(UnitRow.code).where(UnitRow.code.in_(codes)).cte("unit_tree", recursive=True)
    tree = tree.union(select(UnitRow.code).join(tree, UnitRow.parent == tree.c.code))
    return select(tree.c.code)


def _losses(session: Session, report_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    losses: dict[str, dict[str, int]] = {}
    if not report_ids:
        return losses
    query = (
        select(PaymentRow.report_id, PaymentRow.currency, func.sum(PaymentRow.amount_minor))
        .where(PaymentRow.report_id.in_(report_ids))
        .group_by(PaymentRow.report_id, PaymentRow.currency)
    )
    for rid, currency, total in session.execute(query):
        losses.setdefault(rid, {})[currency] = int(total)
    return losses


def _form_identifiers(session: Session, report_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    named: dict[str, list[str]] = {}
    if not report_ids:
        return {}
    query: Select[str, str, str] = (
        select(ReportIdentifierRow.report_id, IdentifierRow.kind, IdentifierRow.value)
        .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
        .where(ReportIdentifierRow.report_id.in_(report_ids), ReportIdentifierRow.source == "form")
        .order_by(ReportIdentifierRow.report_id, ReportIdentifierRow.ordinal)
    )
    for rid, kind, value in session.execute(query):
        named.setdefault(rid, []).append(f"{kind}:{mask_value(kind, value)}")
    return {rid: tuple(keys) for rid, keys in named.items()}
