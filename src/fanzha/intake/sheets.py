"""Read the rows of a spreadsheet the way clerks send them: .xlsx workbooks (every sheet) or CSV in any encoding.

Both are read under the caps of :class:`~fanzha.intake.limits.FileLimits`: a workbook's inflated size is checked
in its zip directory before anything is inflated (a zip bomb is refused unread), and rows, columns, non-empty cells
and the size of each cell as the rows stream in, so the rows kept in memory are bounded whatever the file holds.
"""

from __future__ import annotations

import csv
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fanzha.intake.errors import IngestError, RecordError
from fanzha.intake.limits import FileLimits, too_large
from fanzha.intake.textfile import sniff_encoding

logger = logging.getLogger(__name__)

_OPEN_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    EOFError,
    OSError,
    ValueError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
)


@dataclass
class Sheet:
    """One sheet of a workbook (``name`` None for CSV) and its rows of cell values."""

    name: str | None
    rows: list[tuple[Any, ...]]


def read_sheets(path: Path, limits: FileLimits | None = None) -> list[Sheet]:
    """Every sheet of an .xlsx workbook, or the one table of a CSV file (encoding and delimiter detected)."""
    limits = limits or FileLimits.from_settings()
    if is_workbook(path):
        return _read_workbook(path, limits)
    return [Sheet(None, list(csv_rows(path, limits)))]


def is_workbook(path: Path) -> bool:
    """Whether ``path`` is an .xlsx workbook (else it is read as CSV); an empty file or an old binary .xls
    workbook is refused."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise IngestError([RecordError(source, "file", "", f"cannot read the file: {error}")]) from error
    if not head:
        raise IngestError([RecordError(source, "file", "", "the file is empty")])
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            [RecordError(source, "file", "", "old binary .xls workbook: save it as .xlsx or CSV")]
        )
    return head.startswith(b"PK") or path.suffix.lower() in {".xlsx", ".xlsm"}


def first_csv_row(path: Path, limits: FileLimits | None = None) -> tuple[Any, ...]:
    """The first non-blank row of a CSV file (its header), read under the same caps without reading the rest."""
    return next((row for row in csv_rows(path, limits or FileLimits.from_settings()) if any(row)), ())


@dataclass
class _Tally:
    """Rows and non-empty cells read so far from one file, against the caps."""

    source: str
    limits: FileLimits
    rows: int = 0
    cells: int = 0
    header: tuple[Any, ...] = field(default_factory=tuple)

    def row(self, values: tuple[Any, ...], where: str) -> tuple[Any, ...]:
        """Check one row (``where``: ``row 7``, ``sheet 流水 row 7``) and count it; returns it unchanged."""
        limits = self.limits
        self.rows += 1
        if self.rows > limits.rows:
            raise too_large(self.source, where, "too many rows", limits.rows, "INGEST_MAX_ROWS")
        width = len(values)
        while width and values[width - 1] in (None, ""):
            width -= 1
        if width > limits.columns:
            what = f"a row of {width:,} columns"
            raise too_large(self.source, where, what, limits.columns, "INGEST_MAX_COLUMNS")
        for index in range(width):
            value = values[index]
            if value is None or value == "":
                continue
            self.cells += 1
            if isinstance(value, str) and len(value) > limits.field_bytes:
                raise self.field_too_large(where, index, len(value))
        if self.cells > limits.cells:
            raise too_large(self.source, where, "too many non-empty cells", limits.cells, "INGEST_MAX_CELLS")
        if not self.header and width:
            self.header = values
        return values

    def field_too_large(self, where: str, index: int, size: int, *, at_least: bool = False) -> IngestError:
        """The refusal of the cell in column ``index`` (0-based) of the row at ``where``."""
        name = self.header[index] if index < len(self.header) and self.header[index] else None
        column = f"column {index + 1}" + (f" ({str(name)[:40]})" if name is not None else "")
        what = f"a field of {'at least ' if at_least else ''}{size:,} characters"
        return too_large(
            self.source, f"{where}, {column}", what, self.limits.field_bytes, "INGEST_MAX_FIELD_BYTES"
        )


def _read_workbook(path: Path, limits: FileLimits) -> list[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = str(path)
    _check_inflated_size(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = []
            tally = _Tally(source, limits)
            for worksheet in workbook.worksheets:
                worksheet.reset_dimensions()
                tally.header = ()
                rows = [
                    tally.row(tuple(row), f"sheet {worksheet.title} row {number}")
                    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1)
                ]
                sheets.append(Sheet(worksheet.title, rows))
            return sheets
        finally:
            workbook.close()
    except (*_OPEN_ERRORS, InvalidFileException) as error:
        raise IngestError(
            [
                RecordError(
                    source, "file", "", f"not a readable .xlsx workbook (truncated or damaged?): {error!r}"
                )
            ]
        ) from error


def _check_inflated_size(path: Path, limits: FileLimits) -> None:
    """Refuse a workbook whose parts inflate past the cap, from the sizes its zip directory declares (reading a
    part stops at its declared size, so the declaration bounds what can be inflated)."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        message = f"not a readable .xlsx workbook (truncated or damaged?): {error!r}"
        raise IngestError([RecordError(str(path), "file", "", message)]) from error
    if inflated > limits.xlsx_bytes:
        what = f"a workbook that inflates to {inflated:,} bytes"
        raise too_large(str(path), "file", what, limits.xlsx_bytes, "INGEST_MAX_XLSX_BYTES")


def csv_rows(path: Path, limits: FileLimits) -> Iterator[tuple[Any, ...]]:
    """The rows of a CSV file, streamed under the caps: the encoding and the delimiter are told from the head of
    the file, so only the rows the caller keeps stay in memory."""
    source = str(path)
    encoding, sample = sniff_encoding(path)
    counts = {delimiter: sample.count(delimiter) for delimiter in ("\t", ";", "|")}
    counts[","] = len(re.findall(r",(?!\d{3}(?:\D|$))", sample))  # not the comma of 1,234.56
    delimiter = max(counts, key=lambda name: counts[name])
    logger.debug("%s: read as %s, delimiter %r", path, encoding, delimiter)
    tally = _Tally(source, limits)
    lines = _Lines(limits.record_bytes)
    previous = csv.field_size_limit(limits.field_bytes)
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            reader = csv.reader(lines.read(handle), delimiter=delimiter)
            while True:
                where = f"row {tally.rows + 1}"
                try:
                    row = next(reader, None)
                except csv.Error as error:
                    raise _located(tally, lines, where, delimiter, str(error)) from error
                except _LineTooLongError as error:
                    raise _located(tally, lines, where, delimiter, "") from error
                if row is None:
                    return
                yield tally.row(tuple(_unwrap(cell) for cell in row), where)
    except UnicodeDecodeError as error:
        message = f"not {encoding} text after line {lines.number}: {error.reason}"
        raise IngestError([RecordError(source, f"line {lines.number + 1}", "", message)]) from error
    finally:
        csv.field_size_limit(previous)


class _LineTooLongError(ValueError):
    pass


@dataclass
class _Lines:
    """Physical lines of a text file, each read with a bounded ``readline``; the last one kept for errors."""

    limit: int
    number: int = 0
    last: str = ""

    def read(self, handle: IO[str]) -> Iterator[str]:
        while True:
            line = handle.readline(self.limit + 1)
            if not line:
                return
            self.number += 1
            self.last = line
            if len(line) > self.limit:
                raise _LineTooLongError
            yield line


def _located(tally: _Tally, lines: _Lines, where: str, delimiter: str, reason: str) -> IngestError:
    """The refusal of a record the CSV reader could not take: the column of its oversized field when one is
    found in the last line read, else a row too long, else the reader's own reason."""
    csv.field_size_limit(max(len(lines.last) + 1, tally.limits.field_bytes))
    try:
        cells = next(csv.reader([lines.last], delimiter=delimiter), [])
    except csv.Error:
        cells = []
    finally:
        csv.field_size_limit(tally.limits.field_bytes)
    if len(cells) > tally.limits.columns:
        what = f"a row of more than {tally.limits.columns:,} columns"
        return too_large(tally.source, where, what, tally.limits.columns, "INGEST_MAX_COLUMNS")
    for index, cell in enumerate(cells):
        if len(cell) > tally.limits.field_bytes or (index == len(cells) - 1 and not reason):
            cut = len(lines.last) > tally.limits.record_bytes
            return tally.field_too_large(where, index, len(cell), at_least=cut)
    if not reason:
        what = f"line {lines.number} is longer than {tally.limits.record_bytes:,} characters"
        return too_large(tally.source, where, what, tally.limits.record_bytes, "INGEST_MAX_RECORD_BYTES")
    return IngestError([RecordError(tally.source, where, "", f"not readable as CSV: {reason}")])


def _unwrap(cell: str) -> str:
    """Strip what exports add to keep Excel from mangling numbers: ``="6222…"``, a leading tab or quote."""
    cell = cell.strip().strip("\t")
    if cell.startswith('="') and cell.endswith('"'):
        cell = cell[2:-1]
    return cell.lstrip("'`")
