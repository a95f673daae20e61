"""The ingest pipeline (接警入库): read files, extract what the narratives name, classify, store.

One call per file or scenario folder; each file is one all-or-nothing batch, and ingesting it again changes
nothing. Reports go to the case store with the identifiers the text room finds in their narratives (with spans)
and its fraud type; transaction records and bank statements go to the flow store.

A report file streams: it is read, validated, sorted against the store, analysed and written a chunk at a time
(``FANZHA_INGEST_CHUNK_REPORTS``) inside the file's one transaction, so memory is that of a chunk whatever the
file's size, and reports already stored cost one indexed lookup, no text work.

>>> with CaseStore(url) as cases:  # doctest: +SKIP
...     ingest_path("scenario/", cases, FlowStore.from_settings())
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
from pydantic import ValidationError

from fanzha.config import Settings, get_settings
from fanzha.intake.bank_statement import StatementMapping, read_bank_statement
from fanzha.intake.errors import IngestError, RecordError, validation_errors
from fanzha.intake.limits import FileLimits
from fanzha.intake.narratives import NarrativeFindings as NarrativeFindings
from fanzha.intake.narratives import Progress, TextWork, _quiet
from fanzha.intake.narratives import analyse_narratives as analyse_narratives
from fanzha.intake.narratives import load_classifier as load_classifier
from fanzha.intake.reports import JSON_SUFFIXES, ReportReader, json_lines, json_records
from fanzha.intake.sheets import first_csv_row
from fanzha.intake.transactions import REQUIRED_COLUMNS, read_transactions
from fanzha.model import Report, Unit
from fanzha.store.cases import CaseStore, ReportConflictError
from fanzha.store.cases.report_batch import ReportBatch, Triage
from fanzha.store.flow_schema import TRANSACTION_SCHEMA
from fanzha.store.flows import FlowStore
from fanzha.text.classify import FraudClassifier

WORKER_FROM_CHUNKS = 4
"""A file of more chunks than this has its text work done in a worker process (starting one costs a second)."""


@dataclass
class IngestSummary:
    """What one ingest did, per store: rows inserted and rows found already stored unchanged."""

    files: list[str] = field(default_factory=list)
    units_inserted: int = 0
    reports_inserted: int = 0
    reports_unchanged: int = 0
    text_identifiers: int = 0
    classified: int = 0
    transactions_inserted: int = 0
    transactions_unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    """What was read but not used (unknown columns), one line each naming the file."""

    def rows(self) -> list[tuple[str, int]]:
        """``(what, number)`` rows for a summary table."""
        return [
            ("files", len(self.files)),
            ("units added", self.units_inserted),
            ("reports added", self.reports_inserted),
            ("reports already stored", self.reports_unchanged),
            ("identifiers found in narratives", self.text_identifiers),
            ("reports classified", self.classified),
            ("transactions added", self.transactions_inserted),
            ("transactions already stored", self.transactions_unchanged),
        ]


def ingest_path(
    path: str | Path,
    cases: CaseStore,
    flows: FlowStore,
    *,
    statement: bool = False,
    mapping: str | Path | StatementMapping | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> IngestSummary:
    """Ingest a scenario folder (``units.jsonl``, ``reports.jsonl``, ``transactions/``) or one file.

    Files are told apart by their contents: units and reports in JSON lines, reports in CSV/.xlsx, transaction
    records in Parquet or in CSV with flow columns, and with ``statement=True`` a bank statement export.
    """
    source = Path(path)
    run = _Run(cases, flows, IngestSummary(), progress, now, settings)
    if source.is_dir():
        files = scenario_files(source)
        for done, file in enumerate(files, start=1):
            run.file(file, statement=False, mapping=None)
            progress("ingesting files", done, len(files))
    elif source.exists():
        run.file(source, statement=statement, mapping=mapping)
    else:
        raise IngestError([RecordError(str(source), "file", "", "no such file or folder")])
    return run.summary


def scenario_files(folder: Path) -> list[Path]:
    """The files of a folder in the order they must be ingested: a scenario's units, reports and transactions by
    day, or the Parquet files of a folder of transactions (``day=YYYY-MM-DD/…``, as the flow store and ``fanzha
    sim`` partition them)."""
    files = [folder / name for name in ("units.jsonl", "reports.jsonl") if (folder / name).exists()]
    files += (
        sorted((folder / "transactions").rglob("*.parquet")) if (folder / "transactions").exists() else []
    )
    if not files:
        files = sorted(path for path in folder.rglob("*.parquet") if not _hidden(path.relative_to(folder)))
    if not files:
        message = "no units.jsonl, reports.jsonl, transactions/ or Parquet files (day=YYYY-MM-DD/…)"
        raise IngestError([RecordError(str(folder), "folder", "", message)])
    return files


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) for part in relative.parts)


@dataclass
class _Run:
    """One ingest: the stores, what it did so far, and how it reports progress."""

    cases: CaseStore
    flows: FlowStore
    summary: IngestSummary
    progress: Progress
    now: datetime | None
    settings: Settings | None

    def file(self, file: Path, *, statement: bool, mapping: str | Path | StatementMapping | None) -> None:
        """Ingest one file as one all-or-nothing batch."""
        self.summary.files.append(str(file))
        if file.is_file() and file.stat().st_size == 0:
            raise IngestError([RecordError(str(file), "file", "", "the file is empty")])
        kind = "statement" if statement else _kind_of(file, self.settings)
        if kind == "units":
            self.summary.units_inserted += self.cases.add_units(read_units(file, self.settings)).inserted
            return
        if kind == "reports":
            self.reports(file)
            return
        if kind == "statement":
            export = read_bank_statement(file, mapping=mapping, now=self.now, settings=self.settings)
            table = export.table
            if export.unread:
                self.summary.notes.append(
                    f"{file}: {_unread(export.unread, 'no field is known by that header')}"
                )
        else:
            table = read_transactions(file, now=self.now, settings=self.settings)
            unknown = sorted(set(_column_names(file)) - set(TRANSACTION_SCHEMA.names))
            if unknown:
                self.summary.notes.append(f"{file}: {_unread(unknown, 'not flow columns')}")
        if table.num_rows == 0:
            raise IngestError([RecordError(str(file), "file", "", "the file is empty: it holds no records")])
        result = self.flows.append(table)
        self.summary.transactions_inserted += result.inserted
        self.summary.transactions_unchanged += result.unchanged

    def reports(self, file: Path) -> None:
        """Stream a report file into the case store, chunk by chunk in one transaction (see the module).

        The text work of a chunk runs in a worker process while the next chunk is read and sorted and the one
        before is written, when the file holds several chunks and ``FANZHA_INGEST_TEXT_WORKERS`` is 1.
        """
        settings = self.settings or get_settings()
        reader = ReportReader(file, now=self.now, settings=settings)
        total = json_lines(file) if file.suffix.lower() in JSON_SUFFIXES else 0
        size = settings.ingest_chunk_reports
        worker = settings.ingest_text_workers > 0 and total > WORKER_FROM_CHUNKS * size
        conflicts: list[str] = []
        in_flight: deque[tuple[Triage, Future[NarrativeFindings], int]] = deque()
        done = 0
        with self.cases.report_batch() as batch, TextWork(settings, worker=worker) as work:
            for chunk in reader.chunks(size):
                done += len(chunk)
                if reader.errors or conflicts:
                    continue
                triage = batch.triage(report for _, report in chunk)
                if triage.repeated_conflicts:
                    where = {report.id: location for location, report in chunk}
                    reader.errors += [
                        RecordError(str(file), where[rid], "id", f"report id {rid!r} again with different "
                                    "content (first earlier in this file)")
                        for rid in triage.repeated_conflicts
                    ]  # fmt: skip
                conflicts += triage.conflicts
                if reader.errors or conflicts:
                    continue
                in_flight.append((triage, work.submit([*triage.new, *triage.unanalysed]), done))
                while len(in_flight) > 1 or (in_flight and in_flight[0][1].done()):
                    self._write(batch, *in_flight.popleft(), total)
            reader.raise_if_any()
            if conflicts:
                raise ReportConflictError(sorted(conflicts))
            while in_flight:
                self._write(batch, *in_flight.popleft(), total)
        self.summary.notes += [f"{file}: {note}" for note in reader.notes]

    def _write(
        self, batch: ReportBatch, triage: Triage, findings: Future[NarrativeFindings], done: int, total: int
    ) -> None:
        _write_analysed(batch, triage, findings.result(), self.summary)
        self.progress("reading narratives", done, max(total, done))


def _kind_of(file: Path, settings: Settings | None = None) -> str:
    suffix = file.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return "transactions"
    if suffix in JSON_SUFFIXES:
        return "units" if _first_record_is_unit(file, FileLimits.from_settings(settings)) else "reports"
    if suffix in {".csv", ".tsv", ".txt"}:
        header = first_csv_row(file, FileLimits.from_settings(settings))
        names = {str(cell).strip() for cell in header}
        return "transactions" if set(REQUIRED_COLUMNS) <= names else "reports"
    return "reports"


def _column_names(file: Path) -> list[str]:
    """The columns a transactions file names (its Parquet schema, or its CSV header as the reader folds it)."""
    if file.suffix.lower() in {".parquet", ".pq"}:
        return list(pq.read_schema(file).names)
    return [str(cell).strip().lower() for cell in first_csv_row(file)]


def _unread(columns: Sequence[str], why: str) -> str:
    shown = ", ".join(repr(name[:40]) for name in columns[:10])
    more = f" and {len(columns) - 10:,} more" if len(columns) > 10 else ""
    return f"{len(columns):,} column(s) not read, {why}: {shown}{more}"


def _first_record_is_unit(file: Path, limits: FileLimits) -> bool:
    for _, record in json_records(file, limits):
        return "_error" not in record and "level" in record and "narrative" not in record
    return False


def read_units(file: Path, settings: Settings | None = None) -> list[Unit]:
    """Units (部省市县 tree and liaison desks) from JSON lines, all or nothing; lines read as reports' are."""
    units: list[Unit] = []
    errors: list[RecordError] = []
    for location, record in json_records(file, FileLimits.from_settings(settings)):
        if "_error" in record:
            errors.append(RecordError(str(file), location, "", record["_error"]))
            continue
        try:
            units.append(Unit.model_validate(record))
        except ValidationError as error:
            errors += validation_errors(str(file), location, error)
    if errors:
        raise IngestError(errors)
    return units


def store_reports(
    reports: Sequence[Report],
    cases: CaseStore,
    summary: IngestSummary | None = None,
    *,
    classifier: FraudClassifier | None = None,
    progress: Progress = _quiet,
    settings: Settings | None = None,
) -> IngestSummary:
    """Extract, classify and store one batch of reports held in memory, all or nothing, in one transaction.

    Reports already stored with the same content get no text work; one stored with other content raises
    :class:`ReportConflictError` and nothing is written.
    """
    summary = summary if summary is not None else IngestSummary()
    with cases.report_batch() as batch:
        triage = batch.triage(reports)
        if triage.conflicts:
            raise ReportConflictError(sorted(triage.conflicts))
        _analyse_and_write(batch, triage, summary, classifier, settings, progress)
    progress("storing reports", len(reports), len(reports))
    return summary


def _analyse_and_write(
    batch: ReportBatch,
    triage: Triage,
    summary: IngestSummary,
    classifier: FraudClassifier | None,
    settings: Settings | None,
    progress: Progress = _quiet,
) -> None:
    """The text work on the reports of ``triage`` that need it, and their write into ``batch``."""
    todo = [*triage.new, *triage.unanalysed]
    findings = analyse_narratives(todo, classifier=classifier, progress=progress, settings=settings)
    _write_analysed(batch, triage, findings, summary)


def _write_analysed(
    batch: ReportBatch, triage: Triage, findings: NarrativeFindings, summary: IngestSummary
) -> None:
    batch.write(
        triage.new,
        triage.unanalysed,
        identifiers_from_text=findings.identifiers,
        fraud_types=findings.fraud_types,
    )
    summary.reports_inserted += len(triage.new)
    summary.reports_unchanged += len(triage.unchanged) + len(triage.unanalysed)
    summary.classified += len(findings.fraud_types)
    summary.text_identifiers += sum(len(found) for found in findings.identifiers.values())
