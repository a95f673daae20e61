"""Read the rows of a spreadsheet the way clerks send them: .xlsx workbooks (every sheet) or CSV in any encoding."""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fanzha.intake.errors import IngestError, RecordError
from fanzha.intake.textfile import decode_bytes

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


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of an .xlsx workbook, or the one table of a CSV file (encoding and delimiter detected)."""
    source = str(path)
    try:
        head = path.read_bytes()[:8]
    except OSError as error:
        raise IngestError([RecordError(source, "file", "", f"cannot read the file: {error}")]) from error
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            [RecordError(source, "file", "", "old binary .xls workbook: save it as .xlsx or CSV")]
        )
    if head.startswith(b"PK") or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_workbook(path)
    return [Sheet(None, _read_csv_rows(path))]


def _read_workbook(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = str(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = []
            for worksheet in workbook.worksheets:
                worksheet.reset_dimensions()
                sheets.append(
                    Sheet(worksheet.title, [tuple(row) for row in worksheet.iter_rows(values_only=True)])
                )
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


def _read_csv_rows(path: Path) -> list[tuple[Any, ...]]:
    text, encoding = decode_bytes(path.read_bytes(), str(path))
    logger.debug("%s: read as %s", path, encoding)
    sample = text[:20_000]
    counts = {delimiter: sample.count(delimiter) for delimiter in ("\t", ";", "|")}
    counts[","] = len(re.findall(r",(?!\d{3}(?:\D|$))", sample))  # not the comma of 1,234.56
    delimiter = max(counts, key=lambda name: counts[name])
    return [
        tuple(_unwrap(cell) for cell in row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _unwrap(cell: str) -> str:
    """Strip what exports add to keep Excel from mangling numbers: ``="6222…"``, a leading tab or quote."""
    cell = cell.strip().strip("\t")
    if cell.startswith('="') and cell.endswith('"'):
        cell = cell[2:-1]
    return cell.lstrip("'`")
