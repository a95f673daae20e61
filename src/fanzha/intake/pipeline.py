"""The ingest pipeline (接警入库): read files, extract what the narratives name, classify, store.

One call per file or scenario folder; each file is one all-or-nothing batch, and ingesting it again changes
nothing. Reports go to the case store with the identifiers the text room finds in their narratives (with spans)
and its fraud type; transaction records and bank statements go to the flow store.

>>> with CaseStore(url) as cases:  # doctest: +SKIP
...     ingest_path("scenario/", cases, FlowStore.from_settings())
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from fanzha.config import Settings, get_settings
from fanzha.intake.bank_statement import StatementMapping, read_bank_statement
from fanzha.intake.errors import IngestError, RecordError, validation_errors
from fanzha.intake.reports import JSON_SUFFIXES, read_reports
from fanzha.intake.sheets import read_sheets
from fanzha.intake.transactions import REQUIRED_COLUMNS, read_transactions
from fanzha.model import Report, Unit
from fanzha.store.cases import CaseStore
from fanzha.store.flows import FlowStore
from fanzha.text import Extraction, FoundIdentifier, extract
from fanzha.text.classify import Classification, FraudClassifier, default_classifier
from fanzha.text.roles import roles_in_genuine_text, settle_roles

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances; the library never prints."""

PROGRESS_EVERY = 500


def _quiet(stage: str, done: int, total: int) -> None:
    return None


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
    """The files of a scenario folder in the order they must be ingested: units, reports, transactions by day."""
    files = [folder / name for name in ("units.jsonl", "reports.jsonl") if (folder / name).exists()]
    files += (
        sorted((folder / "transactions").rglob("*.parquet")) if (folder / "transactions").exists() else []
    )
    if not files:
        raise IngestError(
            [RecordError(str(folder), "folder", "", "no units.jsonl, reports.jsonl or transactions/")]
        )
    return files


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
        kind = "statement" if statement else _kind_of(file)
        if kind == "units":
            self.summary.units_inserted += self.cases.add_units(read_units(file)).inserted
            return
        if kind == "reports":
            reports = read_reports(file, now=self.now, settings=self.settings)
            store_reports(reports, self.cases, self.summary, progress=self.progress, settings=self.settings)
            return
        if kind == "statement":
            table = read_bank_statement(file, mapping=mapping, now=self.now, settings=self.settings).table
        else:
            table = read_transactions(file, now=self.now, settings=self.settings)
        result = self.flows.append(table)
        self.summary.transactions_inserted += result.inserted
        self.summary.transactions_unchanged += result.unchanged


def _kind_of(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return "transactions"
    if suffix in JSON_SUFFIXES:
        return "units" if _first_record_is_unit(file) else "reports"
    if suffix in {".csv", ".tsv", ".txt"}:
        header = next((row for row in read_sheets(file)[0].rows if any(row)), ())
        names = {str(cell).strip() for cell in header}
        return "transactions" if set(REQUIRED_COLUMNS) <= names else "reports"
    return "reports"


def _first_record_is_unit(file: Path) -> bool:
    with file.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    record = json.loads(line)
                except ValueError:
                    return False
                return isinstance(record, dict) and "level" in record and "narrative" not in record
    return False


def read_units(file: Path) -> list[Unit]:
    """Units (部省市县 tree and liaison desks) from JSON lines, all or nothing."""
    units: list[Unit] = []
    errors: list[RecordError] = []
    for number, line in enumerate(file.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            units.append(Unit.model_validate_json(line))
        except ValidationError as error:
            errors += validation_errors(str(file), f"line {number}", error)
    if errors:
        raise IngestError(errors)
    return units


@dataclass
class NarrativeFindings:
    """What the text room found in a batch of narratives: identifiers with spans, and fraud types."""

    identifiers: dict[str, list[FoundIdentifier]] = field(default_factory=dict)
    fraud_types: list[tuple[str, str, float]] = field(default_factory=list)


def load_classifier(settings: Settings | None = None) -> FraudClassifier:
    """The classifier trained by ``fanzha train`` when there is one, else the one trained on the shipped data."""
    path = (settings or get_settings()).classifier_path
    if path.exists():
        return FraudClassifier.from_bytes(path.read_bytes())
    return default_classifier()


def analyse_narratives(
    reports: Sequence[Report],
    *,
    classifier: FraudClassifier | None = None,
    progress: Progress = _quiet,
    settings: Settings | None = None,
) -> NarrativeFindings:
    """Extract identifiers (涉案要素提取) and classify the fraud type (诈骗类型研判) of each narrative.

    Each text is normalised once, for both; a fraud type is the level-2 code where the classifier is confident
    of one, else the level-1 code. Each identifier carries its role, read from the words and settled by the
    report's form (the victim's paying account is the victim's, a payee the other side's).
    """
    zone = (settings or get_settings()).timezone
    model = classifier or load_classifier(settings)
    findings = NarrativeFindings()
    told = [report for report in reports if report.narrative]
    for start in range(0, len(told), PROGRESS_EVERY):
        batch = told[start : start + PROGRESS_EVERY]
        extractions = [extract(r.narrative, reference_time=r.received_at, timezone=zone) for r in batch]
        classified = model.classify_normalized([e.normalized for e in extractions], evidence=False)
        findings.identifiers |= {
            r.id: settle_roles(_text_roles(e, c), r)
            for r, e, c in zip(batch, extractions, classified, strict=True)
            if e.identifiers
        }
        findings.fraud_types += [
            (r.id, c.subtype or c.fraud_type, c.probability) for r, c in zip(batch, classified, strict=True)
        ]
        progress("reading narratives", start + len(batch), len(told))
    return findings


def _text_roles(extraction: Extraction, classified: Classification) -> list[FoundIdentifier]:
    """Roles as the words read them, and none of the other side's in a narrative that reads as no fraud."""
    if classified.no_fraud:
        return roles_in_genuine_text(extraction.identifiers)
    return extraction.identifiers


def store_reports(
    reports: Sequence[Report],
    cases: CaseStore,
    summary: IngestSummary | None = None,
    *,
    classifier: FraudClassifier | None = None,
    progress: Progress = _quiet,
    settings: Settings | None = None,
) -> IngestSummary:
    """Extract, classify and store one batch of reports, all or nothing."""
    summary = summary if summary is not None else IngestSummary()
    findings = analyse_narratives(reports, classifier=classifier, progress=progress, settings=settings)
    result = cases.add_reports(reports, identifiers_from_text=findings.identifiers)
    summary.classified += cases.set_classifications(findings.fraud_types)
    summary.reports_inserted += result.inserted
    summary.reports_unchanged += result.unchanged
    summary.text_identifiers += sum(len(found) for found in findings.identifiers.values())
    progress("storing reports", len(reports), len(reports))
    return summary
