"""Read victim reports and tips (接警/举报) from the files centres receive: JSON lines, CSV and Excel.

JSON lines hold one :class:`fanzha.model.Report` per line, as ``fanzha sim`` writes them. CSV and ``.xlsx`` hold one
row per report, or one row per payment with the report's fields repeated (or left blank) on its further rows;
headers in English or Chinese are recognised (``data/report_headers.json``). Times without an offset are local
times in ``FANZHA_TIMEZONE``. A file with any bad record raises :class:`IngestError` naming every bad line or row and
field, and nothing is returned.

>>> reports = read_reports("reports-2026-09-03.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from itertools import chain, islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from fanzha.config import Settings, get_settings
from fanzha.intake.errors import IngestError, RecordError, validation_errors
from fanzha.intake.limits import FileLimits
from fanzha.intake.sheets import csv_rows, is_workbook, read_sheets
from fanzha.intake.textfile import sniff_encoding
from fanzha.model import Identifier, IdentifierKind, IdentifierRole, Report, utcnow
from fanzha.text.amounts import parse_numeral

CLOCK_SKEW = timedelta(minutes=5)
"""How far past ``now`` a report's time may lie (clocks drift) before it counts as in the future."""

MAX_ERRORS = 1000
HEADER_SEARCH_ROWS = 10
JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
FLAT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm"})

_REPORT_FIELDS = (
    "id", "kind", "channel", "received_at", "reporter_unit", "victim_pseudonym", "victim_age_band",
    "victim_region_code", "victim_account", "narrative", "language", "declared_fraud_type",
)  # fmt: skip
_PAYMENT_FIELDS = (
    "payment_time",
    "amount",
    "amount_minor",
    "currency",
    "to_account",
    "to_bank",
    "to_name",
    "rail",
)
_SPLIT = re.compile(r"[;,，；、\n]+")
_MONEY_NOISE = re.compile(r"[\s,¥￥$]|元|人民币|rmb|cny", re.IGNORECASE)
_DATE_SEPARATORS = re.compile(r"[/.年月]")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_PLAIN_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})?\Z", re.ASCII)


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    text = resources.files("fanzha.intake").joinpath("data/report_headers.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def fold(text: str) -> str:
    """A header or code as compared: NFKC, lower case, no spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=1)
def _header_index() -> dict[str, str]:
    """Folded header → field name; identifier columns map to ``identifier:<kind>``."""
    vocabulary = _vocabulary()
    index = {fold(alias): name for name, aliases in vocabulary["fields"].items() for alias in aliases}
    for kind, aliases in vocabulary["identifier_columns"].items():
        index |= {fold(alias): f"identifier:{kind}" for alias in aliases}
    return index


@lru_cache(maxsize=1)
def _value_index() -> dict[str, dict[str, str]]:
    """For kind, channel and rail: folded spelling → code."""
    return {
        field: {fold(alias): code for code, aliases in codes.items() for alias in aliases}
        for field, codes in _vocabulary()["values"].items()
    }


def read_reports(
    path: str | Path,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[Report]:
    """Read every report of ``path`` (JSON lines, CSV or .xlsx), all or nothing, into memory.

    Checks, besides the model's own (ids, codes, amounts positive and at most one trillion, payments before the
    report): times not beyond ``now`` + :data:`CLOCK_SKEW`; one id, one content (the same report twice is kept
    once); a file that holds no report is refused. Raises :class:`IngestError`. A file too large for memory is
    read in chunks with :class:`ReportReader` instead.
    """
    reader = ReportReader(path, now=now, settings=settings)
    reports = [report for chunk in reader.chunks(None) for _, report in chunk]
    reader.raise_if_any()
    return reports


class ReportReader:
    """Reads one report file as a stream of validated chunks, collecting every bad record on the way.

    JSON lines are parsed line by line; CSV and .xlsx rows are read under the caps of
    :class:`~fanzha.intake.limits.FileLimits` and grouped into reports by id. Within a chunk a repeated id is kept
    once (or is an error when its content differs); across chunks that is the store's to tell
    (:meth:`fanzha.store.cases.report_batch.ReportBatch.triage`). Once a record is bad the remaining chunks are
    still read and checked, so that one refusal lists every bad record (up to :data:`MAX_ERRORS`), but a caller
    should write nothing more: :attr:`errors` is non-empty. :meth:`raise_if_any` ends the reading.

    >>> reader = ReportReader("reports.jsonl")  # doctest: +SKIP
    >>> for chunk in reader.chunks(1_000):  # doctest: +SKIP
    ...     if not reader.errors:
    ...         store(chunk)
    >>> reader.raise_if_any()  # doctest: +SKIP
    """

    def __init__(
        self,
        path: str | Path,
        *,
        now: datetime | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.file = Path(path)
        self.source = str(self.file)
        self.suffix = self.file.suffix.lower()
        resolved = settings or get_settings()
        self.limits = FileLimits.from_settings(resolved)
        self.zone = ZoneInfo(resolved.timezone)
        self.latest = (now or utcnow()).astimezone(UTC) + CLOCK_SKEW
        self.errors: list[RecordError] = []
        self.notes: list[str] = []
        """What was read but not used, for the person ingesting (columns no field is known by)."""
        self.records = 0
        if self.suffix not in JSON_SUFFIXES | FLAT_SUFFIXES:
            raise IngestError(
                [RecordError(self.source, "file", "", f"unknown report file type {self.suffix!r}")]
            )

    def chunks(self, size: int | None) -> Iterator[list[tuple[str, Report]]]:
        """Validated reports with their locations (``line 12``, ``row 7``), ``size`` at a time (None: all at once)."""
        if self.suffix in JSON_SUFFIXES:
            records = json_records(self.file, self.limits)
        else:
            records = _flat_records(self.file, self.limits, self.notes)
        chunk: dict[str, tuple[Report, str]] = {}
        for location, record in records:
            self.records += 1
            report = self._validated(location, record)
            if report is not None:
                first = chunk.setdefault(report.id, (report, location))
                if first[0] != report:
                    message = f"report id {report.id!r} again with different content (first at {first[1]})"
                    self.errors.append(RecordError(self.source, location, "id", message))
            if len(self.errors) >= MAX_ERRORS:
                break
            if size is not None and len(chunk) >= size:
                yield [(where, report) for report, where in chunk.values()]
                chunk = {}
        if chunk:
            yield [(where, report) for report, where in chunk.values()]

    def _validated(self, location: str, record: dict[str, Any]) -> Report | None:
        if "_error" in record:
            self.errors.append(RecordError(self.source, location, record.get("_field", ""), record["_error"]))
            return None
        try:
            report = Report.model_validate(_localised(record, self.zone))
        except ValidationError as error:
            self.errors += validation_errors(self.source, location, error)
            return None
        found = _time_errors(self.source, location, report, self.latest)
        self.errors += found
        return None if found else report

    def raise_if_any(self) -> None:
        """Raise :class:`IngestError` naming every bad record found, or saying the file held none."""
        if self.errors:
            raise IngestError(self.errors)
        if not self.records:
            raise IngestError(
                [RecordError(self.source, "file", "", "the file is empty: it holds no reports")]
            )


def _time_errors(source: str, location: str, report: Report, latest: datetime) -> list[RecordError]:
    found = []
    if report.received_at > latest:
        found.append(
            RecordError(source, location, "received_at", f"{report.received_at.isoformat()} is in the future")
        )
    return found


def _localised(record: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """Naive times of a report record taken as local times in ``zone``."""
    record = dict(record)
    record["received_at"] = _aware(record.get("received_at"), zone)
    payments = record.get("payments")
    if isinstance(payments, list):
        record["payments"] = [
            {**payment, "time": _aware(payment.get("time"), zone)} if isinstance(payment, dict) else payment
            for payment in payments
        ]
    return record


def _aware(value: Any, zone: ZoneInfo) -> Any:
    """A datetime (or a text of one) with ``zone`` attached when it carries no offset; other values unchanged."""
    if isinstance(value, str):
        parsed = parse_time_text(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    return value


def parse_time_text(text: str) -> datetime | None:
    """``2026-09-03 14:05``, ``2026/9/3 14:05:06``, ``2026年9月3日 14:05``, ISO 8601 with or without offset.

    Seconds are whole (a fraction is dropped). The plain ISO form, as JSON lines carry it, is read directly.
    """
    if _PLAIN_ISO.match(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return _general_time_text(text)


def _general_time_text(text: str) -> datetime | None:
    cleaned = (
        unicodedata.normalize("NFKC", text).strip().replace("日", " ").replace("时", ":").replace("分", "")
    )
    offset = _OFFSET.search(cleaned)
    head = cleaned[: offset.start()] if offset else cleaned
    parts = head.replace("T", " ").split()
    if not parts:
        return None
    day = _DATE_SEPARATORS.sub("-", parts[0]).strip("-")
    try:
        year, month, mday = (int(piece) for piece in day.split("-"))
        clock = [int(float(piece)) for piece in parts[1].split(":")] if len(parts) > 1 else []
        hour, minute, second = [*clock, 0, 0, 0][:3]
        moment = datetime(year, month, mday, hour, minute, second)
    except (ValueError, TypeError, IndexError):
        return None
    if offset:
        suffix = offset.group(1)
        return datetime.fromisoformat(moment.isoformat() + ("+00:00" if suffix == "Z" else suffix))
    return moment


# --- JSON lines -----------------------------------------------------------------------------------------


def json_records(file: Path, limits: FileLimits) -> Iterator[tuple[str, dict[str, Any]]]:
    """The records of a JSON-lines file, line by line: memory is one line, at most ``limits.record_bytes``.

    Yields ``(location, record)``; a line that is not a JSON object, or too long, yields ``{"_error": …}``.
    """
    encoding, _ = sniff_encoding(file)
    number = 0
    try:
        with file.open("r", encoding=encoding, newline=None) as handle:
            while line := handle.readline(limits.record_bytes + 1):
                number += 1
                location = f"line {number}"
                if len(line) > limits.record_bytes and not line.endswith("\n"):
                    while (rest := handle.readline(limits.record_bytes)) and not rest.endswith("\n"):
                        pass
                    what = f"a record longer than {limits.record_bytes:,} characters"
                    yield location, {"_error": f"{what} (FANZHA_INGEST_MAX_RECORD_BYTES)"}
                    continue
                if not line.strip():
                    continue
                yield location, _json_record(line)
    except UnicodeDecodeError as error:
        message = f"not {encoding} text after line {number}: {error.reason}"
        yield f"line {number + 1}", {"_error": message}
    except OSError as error:
        raise IngestError([RecordError(str(file), "file", "", f"cannot read the file: {error}")]) from error


def json_lines(file: Path) -> int:
    """How many lines ``file`` holds (a progress bar's total), counted in blocks without decoding them."""
    lines = 0
    with file.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return lines


def _json_record(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return {"_error": f"not valid JSON (truncated?): {error.msg} at column {error.colno}"}
    except RecursionError:
        return {"_error": "not valid JSON: nested too deep"}
    if not isinstance(record, dict):
        return {"_error": "a report must be a JSON object"}
    return record


# --- CSV and Excel ----------------------------------------------------------------------------------------


def _flat_records(file: Path, limits: FileLimits, notes: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Report records of every sheet with a header; a CSV's rows stream (only their report cells are kept)."""
    if is_workbook(file):
        sheets = [(sheet.name, iter(sheet.rows)) for sheet in read_sheets(file, limits)]
    else:
        sheets = [(None, csv_rows(file, limits))]
    found = False
    for name, rows in sheets:
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        header = _find_header(head)
        if header is None:
            continue
        found = True
        unknown = unknown_headers(head[header[0]], header[1])
        if unknown:
            notes.append(_unread_columns(name, unknown))
        yield from _sheet_records(name, chain(head[header[0] + 1 :], rows), header)
    if not found:
        message = (
            "no header row naming at least the report id, channel, received_at and reporter_unit columns"
        )
        yield "file", {"_error": message}


def unknown_headers(row: Sequence[Any], used: Mapping[int, str]) -> list[str]:
    """The headers of ``row`` that name no field (their columns are not read), in column order."""
    return [str(cell).strip() for i, cell in enumerate(row) if i not in used and _filled(cell)]


def _unread_columns(sheet: str | None, headers: Sequence[str]) -> str:
    where = f"sheet {sheet}: " if sheet else ""
    shown = ", ".join(repr(header[:40]) for header in headers[:10])
    more = f" and {len(headers) - 10:,} more" if len(headers) > 10 else ""
    return f"{where}{len(headers):,} column(s) not read, no field is known by that header: {shown}{more}"


def _find_header(head: Sequence[Sequence[Any]]) -> tuple[int, dict[int, str]] | None:
    index = _header_index()
    for row_index, row in enumerate(head[:HEADER_SEARCH_ROWS]):
        columns = {
            i: index[fold(str(cell))] for i, cell in enumerate(row) if cell and fold(str(cell)) in index
        }
        if {"id", "channel", "received_at", "reporter_unit"} <= set(columns.values()):
            return row_index, columns
    return None


def _sheet_records(
    name: str | None, rows: Iterator[Sequence[Any]], header: tuple[int, dict[int, str]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Reports from the rows below the header; the rows of one report are grouped by id wherever they are."""
    header_row, columns = header
    where = f"sheet {name} row" if name else "row"
    grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for offset, row in enumerate(rows, start=header_row + 2):
        cells = {name: row[i] for i, name in columns.items() if i < len(row) and _filled(row[i])}
        if not cells:
            continue
        location = f"{where} {offset}"
        if "id" not in cells:
            yield location, {"_error": "no report id", "_field": "id"}
            continue
        grouped.setdefault(str(cells["id"]).strip(), []).append((location, cells))
    for report_id in list(grouped):  # each report's rows freed as it is handed on
        yield _report_record(grouped.pop(report_id))


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _report_record(rows: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """One report from its rows: report fields from the first row (later rows agree or leave them blank)."""
    location, first = rows[0]
    for later_location, cells in rows[1:]:
        for name in _REPORT_FIELDS:
            if name in cells and name in first and str(cells[name]).strip() != str(first[name]).strip():
                return later_location, {
                    "_error": f"differs from the report's first row ({location}) for the same id",
                    "_field": name,
                }
    try:
        record = _report_fields(first)
        record["payments"] = [payment for _, cells in rows if (payment := _payment(cells, first)) is not None]
        record["identifiers"] = _identifiers(rows)
    except _CellError as error:
        return location, {"_error": error.message, "_field": error.field}
    return location, record


class _CellError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _code(field: str, value: Any) -> str:
    folded = fold(str(value))
    code = _value_index()[field].get(folded)
    return code if code is not None else str(value).strip()


def _text(cells: Mapping[str, Any], name: str) -> str | None:
    value = cells.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _report_fields(cells: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": _text(cells, "id"),
        "channel": _code("channel", cells["channel"]) if "channel" in cells else None,
        "received_at": cells.get("received_at"),
        "reporter_unit": _text(cells, "reporter_unit"),
        "narrative": _text(cells, "narrative") or "",
    }
    if "kind" in cells:
        record["kind"] = _code("kind", cells["kind"])
    for name in ("language", "declared_fraud_type"):
        if name in cells:
            record[name] = _text(cells, name)
    victim = {
        "pseudonym": _text(cells, "victim_pseudonym"),
        "age_band": _text(cells, "victim_age_band"),
        "region_code": _text(cells, "victim_region_code"),
        "account": _digits_or_text(cells.get("victim_account")),
    }
    if any(value is not None for value in victim.values()):
        victim["pseudonym"] = victim["pseudonym"] or f"V-{record['id']}"
        record["victim"] = {key: value for key, value in victim.items() if value is not None}
    return record


def _digits_or_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    digits = re.sub(r"[\s\-]", "", text)
    return digits if digits.isdigit() else text


def _payment(cells: Mapping[str, Any], first: Mapping[str, Any]) -> dict[str, Any] | None:
    if not any(name in cells for name in _PAYMENT_FIELDS):
        return None
    payer = _digits_or_text(cells.get("victim_account", first.get("victim_account")))
    if payer is None:
        raise _CellError("victim_account", "a payment needs the victim's paying account")
    currency = _text(cells, "currency") or "CNY"
    payment: dict[str, Any] = {
        "from_account": payer,
        "to_account": _digits_or_text(cells.get("to_account")),
        "amount": {"amount_minor": _amount_minor(cells), "currency": currency.upper()},
        "time": cells.get("payment_time"),
        "to_bank": _text(cells, "to_bank"),
        "to_name": _text(cells, "to_name"),
    }
    if "rail" in cells:
        payment["rail"] = _code("rail", cells["rail"])
    return payment


def _amount_minor(cells: Mapping[str, Any]) -> Any:
    if "amount_minor" in cells:
        return cells["amount_minor"]
    if "amount" not in cells:
        raise _CellError("amount", "a payment needs its amount")
    return major_to_minor(cells["amount"])


def major_to_minor(value: Any) -> int:
    """An amount in major units (a number, ``30,000``, ``¥3.5万``, ``叁万元``) as whole minor units."""
    if isinstance(value, bool):
        raise _CellError("amount", f"not an amount: {value!r}")
    if isinstance(value, int | float | Decimal):
        major: Decimal | None = Decimal(str(value))
    else:
        text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
        try:
            major = Decimal(text)
        except InvalidOperation:
            major = parse_numeral(text) if text else None
    if major is None:
        raise _CellError("amount", f"not an amount: {value!r}")
    minor = major * 100
    if minor != minor.to_integral_value():
        raise _CellError("amount", f"{value!r} has more than two decimals")
    return int(minor)


def _identifiers(rows: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    seen: dict[str, Identifier] = {}
    for _, cells in rows:
        for name in cells:
            if not name.startswith("identifier:"):
                continue
            kind = IdentifierKind(name.split(":", 1)[1])
            for raw in _SPLIT.split(_text(cells, name) or ""):
                if raw.strip():
                    identifier = Identifier.parse(kind, raw.strip(), IdentifierRole.COUNTERPARTY)
                    seen.setdefault(identifier.key, identifier)
    return [identifier.model_dump() for identifier in seen.values()]
