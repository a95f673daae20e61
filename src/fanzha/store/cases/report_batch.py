"""One all-or-nothing batch of reports written chunk by chunk inside one transaction (接警入库, streaming).

A file of a million reports is ingested as one batch: its chunks are sorted against what is stored
(:meth:`ReportBatch.triage`, before any text work), written with their identifiers and fraud types
(:meth:`ReportBatch.write`), and the batch ends with one audit event and one commit, or a rollback that leaves
nothing of it. Memory is that of one chunk: what the batch itself keeps is a few counters and a running digest.

>>> with store.report_batch() as batch:  # doctest: +SKIP
...     for chunk in chunks:
...         triage = batch.triage(chunk)
...         batch.write(triage.new, identifiers_from_text=found, fraud_types=types)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fanzha.model import IdentifierKind, IdentifierRole, Report
from fanzha.store.cases import rows
from fanzha.store.cases.audit import append_event
from fanzha.store.cases.records import (
    AddResult,
    CaseStoreError,
    Mention,
    ReportConflictError,
    UnknownUnitError,
)
from fanzha.store.cases.schema import Base, IdentifierRow, ReportIdentifierRow, ReportRow, UnitRow

REPORTS = Base.metadata.tables["reports"]
PAYMENTS = Base.metadata.tables["payments"]
IDENTIFIERS = Base.metadata.tables["identifiers"]
LINKS = Base.metadata.tables["report_identifiers"]
CHUNK = 2_000
"""Ids per ``IN (…)`` list: well under SQLite's and PostgreSQL's limits on bound parameters."""

FraudType = tuple[str, str, float]
"""``(report id, fraud type code, confidence)`` as the text room classifies a narrative."""


@dataclass
class Triage:
    """A chunk of reports sorted against the store, before any text work is spent on them.

    ``new``: not stored, to analyse and insert. ``unanalysed``: stored with the same content but never classified
    (stored by a caller that did no text work), to analyse and link. ``unchanged``: stored before this batch
    with the same content. ``repeated``: written earlier in this batch with the same content (kept once, not
    counted again). ``conflicts``: stored before this batch with other content; ``repeated_conflicts``: written
    earlier in this batch with other content.
    """

    new: list[Report] = field(default_factory=list)
    unanalysed: list[Report] = field(default_factory=list)
    unchanged: list[Report] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    repeated_conflicts: list[str] = field(default_factory=list)


class ReportBatch:
    """The write side of one batch; made by :meth:`fanzha.store.cases.CaseStore.report_batch`, never directly."""

    def __init__(self, session: Session, ingested_at: datetime) -> None:
        self._session = session
        self.ingested_at = ingested_at
        self._pending: dict[str, str] = {}
        """Digests of the new reports triaged and not yet written (the chunks in flight), by id."""
        self._batch_digest = hashlib.sha256()
        self._first = True
        self.inserted = 0
        self.unchanged = 0
        self.links = 0

    def triage(self, reports: Iterable[Report]) -> Triage:
        """Sort a chunk (ids unique within it) against the stored reports: one indexed query per 2,000 ids.

        Chunks may be triaged ahead of their writes (the text work of one runs while the next is read): an id
        triaged as new and not written yet counts as repeated, or as a repeated conflict, in a later chunk.
        Raises :class:`CaseStoreError` for text holding a NUL character (PostgreSQL cannot store it).
        """
        chunk = unique_reports(reports)
        stored = {
            rid: (digest, ingested_at, classified, narrative_empty)
            for ids in chunks(list(chunk))
            for rid, digest, ingested_at, classified, narrative_empty in self._session.execute(
                select(
                    ReportRow.id,
                    ReportRow.content_hash,
                    ReportRow.ingested_at,
                    ReportRow.classified_fraud_type.is_not(None),
                    ReportRow.narrative == "",
                ).where(ReportRow.id.in_(ids))
            )
        }
        triage = Triage()
        for rid, (report, digest) in chunk.items():
            if rid in self._pending:
                (triage.repeated if self._pending[rid] == digest else triage.repeated_conflicts).append(rid)
                continue
            if rid not in stored:
                triage.new.append(report)
                self._pending[rid] = digest
                continue
            stored_digest, ingested_at, classified, narrative_empty = stored[rid]
            earlier_in_batch = ingested_at == self.ingested_at
            if stored_digest != digest:
                (triage.repeated_conflicts if earlier_in_batch else triage.conflicts).append(rid)
            elif earlier_in_batch:
                triage.repeated.append(rid)
            elif classified or narrative_empty:
                triage.unchanged.append(report)
            else:
                triage.unanalysed.append(report)
        for report in [*triage.new, *triage.unchanged, *triage.unanalysed]:
            self._add_digest(report.id, chunk[report.id][1])
        self.unchanged += len(triage.unchanged) + len(triage.unanalysed)
        return triage

    def write(
        self,
        new: Sequence[Report],
        stored: Sequence[Report] = (),
        *,
        identifiers_from_text: Mapping[str, Sequence[Mention]] | None = None,
        fraud_types: Iterable[FraudType] = (),
    ) -> AddResult:
        """Insert ``new`` reports (from a :meth:`triage`, in any order of chunks) with their payments, form, payment and text
        identifiers and fraud types; link text identifiers and record fraud types of ``stored`` ones.

        Raises :class:`UnknownUnitError` for a reporter unit that is not stored. Cost: O(reports + mentions) rows
        in a handful of batched statements.
        """
        mentions = identifiers_from_text or {}
        known = {r.id for r in new} | {r.id for r in stored}
        strangers = sorted(set(mentions) - known)
        if strangers:
            raise CaseStoreError(
                f"identifiers_from_text names reports not in the batch: {', '.join(strangers[:20])}"
            )
        missing = missing_units(self._session, {r.id: r.reporter_unit for r in new})
        if missing:
            raise UnknownUnitError(missing)
        types = {rid: (fraud_type, confidence) for rid, fraud_type, confidence in fraud_types}
        if new:
            report_rows = [rows.report_row(r, self._pending.pop(r.id), self.ingested_at) for r in new]
            for row in report_rows:
                if row["id"] in types:
                    row["classified_fraud_type"], row["classified_confidence"] = types[row["id"]]
            self._session.execute(insert(REPORTS), report_rows)
            payments = [rows.payment_row(r.id, i, p) for r in new for i, p in enumerate(r.payments)]
            if payments:
                self._session.execute(insert(PAYMENTS), payments)
        again = [r for r in stored if r.id in mentions]
        links = [link for r in new for link in report_links(r, mentions.get(r.id, ()))]
        links += [link for r in again for link in text_links(r, mentions[r.id])]
        linked = link_identifiers(self._session, links, [r.id for r in again])
        stored_ids = {r.id for r in stored}
        set_fraud_types(self._session, [(rid, *types[rid]) for rid in types if rid in stored_ids])
        self.inserted += len(new)
        self.links += linked
        return AddResult(inserted=len(new), unchanged=len(stored))

    def finish(self, actor: str) -> None:
        """Append the batch's audit event (when it wrote anything); the caller commits."""
        if self.inserted or self.links:
            detail = {"inserted": self.inserted, "unchanged": self.unchanged, "links": self.links}
            append_event(
                self._session, actor, "reports.ingest", "report_batch", self._batch_digest.hexdigest(), detail
            )

    def _add_digest(self, report_id: str, digest: str) -> None:
        entry = f"{report_id}:{digest}"
        self._batch_digest.update((entry if self._first else "\n" + entry).encode("utf-8"))
        self._first = False


def set_fraud_types(session: Session, results: Iterable[FraudType]) -> int:
    """Record fraud types and confidences of stored reports in ``session``; returns rows updated."""
    params = [{"rid": rid, "fraud_type": ft, "confidence": conf} for rid, ft, conf in results]
    if not params:
        return 0
    statement = (
        update(REPORTS)
        .where(REPORTS.c.id == bindparam("rid"))
        .values(classified_fraud_type=bindparam("fraud_type"), classified_confidence=bindparam("confidence"))
    )
    return int(session.connection().execute(statement, params).rowcount)


class _Link(NamedTuple):
    report_id: str
    kind: str
    value: str
    valid: bool
    source: str
    ordinal: int
    span_start: int | None
    span_end: int | None
    raw: str | None
    seen: datetime
    role: str


@dataclass
class _Seen:
    reports: set[str]
    first: datetime
    last: datetime
    valid: bool


def missing_units(
    session: Session, wanted: Mapping[str, str | None], in_batch: set[str] | None = None
) -> dict[str, str]:
    """``record → unit code`` for each unit code named that is neither stored nor in the batch."""
    codes = {code for code in wanted.values() if code} - (in_batch or set())
    known = {
        code
        for chunk in chunks(sorted(codes))
        for code in session.scalars(select(UnitRow.code).where(UnitRow.code.in_(chunk)))
    }
    return {record: code for record, code in wanted.items() if code in codes and code not in known}


def unique_reports(reports: Iterable[Report]) -> dict[str, tuple[Report, str]]:
    """Reports by id with their content hash (as :meth:`Report.content_hash`, from one JSON dump)."""
    batch: dict[str, tuple[Report, str]] = {}
    conflicts: list[str] = []
    unstorable: list[str] = []
    for report in reports:
        canonical = report.model_dump_json()
        if "\\u0000" in canonical:
            unstorable += [f"report {report.id}, field {path}" for path in nul_fields(report.model_dump())]
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        if batch.setdefault(report.id, (report, digest))[1] != digest:
            conflicts.append(report.id)
    if unstorable:
        raise CaseStoreError(
            f"text with a NUL character cannot be stored, nothing was written: {'; '.join(unstorable[:20])}"
        )
    if conflicts:
        raise ReportConflictError(sorted(set(conflicts)))
    return batch


def nul_fields(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of the strings in ``value`` holding a NUL (PostgreSQL text cannot)."""
    if isinstance(value, str) and "\x00" in value:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from nul_fields(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from nul_fields(item, f"{path}.{index}")


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def report_links(report: Report, mentions: Sequence[Mention]) -> Iterator[_Link]:
    seen = report.received_at
    for ordinal, ident in enumerate(report.identifiers):
        yield _Link(
            report.id,
            ident.kind.value,
            ident.value,
            ident.valid,
            "form",
            ordinal,
            None,
            None,
            ident.raw,
            seen,
            ident.role.value,
        )
    for index, payment in enumerate(report.payments):
        payee = payment.payee()
        if payee is not None:
            raw = None if payee.value == payment.to_account else payment.to_account
            yield _Link(
                report.id, payee.kind.value, payee.value, payee.valid, "payment", index, None, None, raw, seen,
                IdentifierRole.COUNTERPARTY.value,
            )  # fmt: skip
    yield from text_links(report, mentions)


def text_links(report: Report, mentions: Sequence[Mention]) -> Iterator[_Link]:
    for mention in mentions:
        if "\x00" in mention.value or "\x00" in (mention.raw or ""):
            raise CaseStoreError(f"report {report.id}: text mention at {mention.start} holds a NUL character")
        kind = IdentifierKind(mention.kind).value
        raw = None if mention.raw == mention.value else mention.raw
        yield _Link(
            report.id,
            kind,
            mention.value,
            mention.valid,
            "text",
            mention.start,
            mention.start,
            mention.end,
            raw,
            report.received_at,
            IdentifierRole(mention.role).value,
        )


def link_identifiers(session: Session, links: list[_Link], stored_report_ids: Sequence[str]) -> int:
    """Upsert the identifiers of ``links`` and insert the links not stored yet; returns links inserted."""
    existing = _existing_links(session, stored_report_ids)
    fresh: dict[tuple[str, str, str, str, int], _Link] = {}
    for link in links:
        fresh.setdefault((link.report_id, link.kind, link.value, link.source, link.ordinal), link)
    for key in existing:
        fresh.pop(key, None)
    if not fresh:
        return 0
    linked_before = {(rid, kind, value) for rid, kind, value, _, _ in existing}
    ids = _upsert_identifiers(session, _tally(fresh.values(), linked_before))
    rows = [
        (link.report_id, ids[link.kind, link.value], link.source, link.ordinal, link.span_start, link.span_end,
         link.raw, link.valid, link.role)
        for link in fresh.values()
    ]  # fmt: skip
    _insert_plain(session, LINKS, _LINK_COLUMNS, rows)
    return len(fresh)


_LINK_COLUMNS = (
    "report_id",
    "identifier_id",
    "source",
    "ordinal",
    "span_start",
    "span_end",
    "raw",
    "valid",
    "role",
)


def _insert_plain(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``INSERT`` of plain values (text, numbers, booleans: no type needing SQLAlchemy's conversion) straight
    through the driver's ``executemany``: the links are most of an ingest's rows, and building SQLAlchemy's
    parameters for each cost about as much as SQLite's insert of it."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join([mark] * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", list(rows))


def _existing_links(session: Session, report_ids: Sequence[str]) -> set[tuple[str, str, str, str, int]]:
    query = select(
        ReportIdentifierRow.report_id,
        IdentifierRow.kind,
        IdentifierRow.value,
        ReportIdentifierRow.source,
        ReportIdentifierRow.ordinal,
    ).join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
    return {
        tuple(row)  # type: ignore[misc]
        for chunk in chunks(report_ids)
        for row in session.execute(query.where(ReportIdentifierRow.report_id.in_(chunk)))
    }


def _tally(links: Iterable[_Link], linked_before: set[tuple[str, str, str]]) -> dict[tuple[str, str], _Seen]:
    """Per identifier: the reports newly linked to it, the earliest and latest of their times, any valid."""
    tally: dict[tuple[str, str], _Seen] = {}
    for link in links:
        seen = tally.get((link.kind, link.value))
        if seen is None:
            seen = tally[link.kind, link.value] = _Seen(set(), link.seen, link.seen, link.valid)
        if (link.report_id, link.kind, link.value) not in linked_before:
            seen.reports.add(link.report_id)
        seen.first, seen.last = min(seen.first, link.seen), max(seen.last, link.seen)
        seen.valid = seen.valid or link.valid
    return tally


def _upsert_identifiers(
    session: Session, tally: Mapping[tuple[str, str], _Seen]
) -> dict[tuple[str, str], int]:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    least, greatest = (func.least, func.greatest) if dialect == "postgresql" else (func.min, func.max)
    statement = module.insert(IDENTIFIERS)
    table = IDENTIFIERS.c
    statement = statement.on_conflict_do_update(
        index_elements=[table.kind, table.value],
        set_={
            "valid": or_(table.valid, statement.excluded.valid),
            "first_seen": least(table.first_seen, statement.excluded.first_seen),
            "last_seen": greatest(table.last_seen, statement.excluded.last_seen),
            "report_count": table.report_count + statement.excluded.report_count,
        },
    ).returning(table.id, table.kind, table.value)
    params = [
        {
            "kind": kind,
            "value": value,
            "valid": seen.valid,
            "first_seen": seen.first,
            "last_seen": seen.last,
            "report_count": len(seen.reports),
        }
        for (kind, value), seen in tally.items()
    ]
    result = session.execute(statement, params)
    return {(kind, value): ident for ident, kind, value in result}
