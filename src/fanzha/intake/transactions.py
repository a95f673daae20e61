"""Read transaction records (资金流水) in the flow columns from Parquet or CSV into a validated Arrow table.

The columns are those of :data:`fanzha.store.flow_schema.TRANSACTION_SCHEMA`; ``time``, ``src_account``,
``dst_account`` and ``amount_minor`` are required, the rest optional (``currency`` defaults to CNY, ``channel`` to
transfer, ``txn_id`` to a hash of the record's content). Validation is vectorised with ``pyarrow.compute``; Python
only loops over rows to pinpoint a value Arrow refused, and to hash records that carry no ``txn_id``.

A batch with any bad row raises :class:`IngestError` naming every bad row (``data row N``: the N-th row below the
header) and field, and nothing is written.

>>> table = read_transactions("flows-2026-09.csv")  # doctest: +SKIP
>>> ingest_transactions("flows-2026-09.csv", FlowStore.from_settings())  # doctest: +SKIP
AppendResult(inserted=1200, unchanged=0, conflicting=0)
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from fanzha.config import Settings, get_settings
from fanzha.intake.errors import IngestError, RecordError
from fanzha.intake.limits import FileLimits, too_large
from fanzha.intake.sheets import read_sheets
from fanzha.intake.textfile import decode_bytes
from fanzha.model import MAX_AMOUNT_MINOR, TransactionChannel, utcnow
from fanzha.store.flow_schema import TRANSACTION_SCHEMA

if TYPE_CHECKING:
    from fanzha.store.flows import AppendResult, FlowStore

logger = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=5)
"""How far past ``now`` a record's time may lie (clocks of bank systems drift) before it counts as future."""

REQUIRED_COLUMNS = ("time", "src_account", "dst_account", "amount_minor")
MAX_LISTED = 1000
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_CAST_CHUNK = 4096
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)"
_CHANNELS = pa.array([channel.value for channel in TransactionChannel])


def data_row(index: int) -> str:
    """Location of the 0-based row ``index`` of a table read from a file with a header: ``data row N``."""
    return f"data row {index + 1}"


class RowErrors:
    """Bad values of one batch, each naming the file, row and field; raised together as one IngestError.

    ``locate`` turns a 0-based row index into the location a clerk can find (``data row 7``, ``sheet 流水 row 9``);
    ``fields`` renames flow columns to the headers of the source file. One cell is reported once: a value
    already flagged for a row and field is not flagged again by a later check (unparseable, then missing).
    """

    def __init__(
        self,
        source: str,
        locate: Callable[[int], str] = data_row,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source
        self.locate = locate
        self.fields = dict(fields or {})
        self.found: list[tuple[int, str, str | None, str]] = []
        self.cells: set[tuple[int, str]] = set()
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, row: int, field: str, message: str, header: str | None = None) -> None:
        """Record one bad value of flow column ``field``; ``header`` names the source column when known."""
        if row >= 0 and (row, field) in self.cells:
            return
        self.total += 1
        if len(self.found) < MAX_LISTED:
            self.cells.add((row, field))
            self.found.append((row, field, header, message))

    def flag(self, field: str, mask: Any, message: str, values: Any = None) -> None:
        """Record every row where ``mask`` is true (nulls count as false); ``values`` are quoted in the message."""
        bad = [row for row in np.flatnonzero(_bools(mask)).tolist() if (row, field) not in self.cells]
        room = max(MAX_LISTED - len(self.found), 0)
        shown = bad[:room]
        quoted = (
            pa.array(values).take(pa.array(shown, pa.int64())).to_pylist() if values is not None else None
        )
        for position, row in enumerate(shown):
            detail = f"{message}: {_quote(quoted[position])}" if quoted is not None else message
            self.cells.add((row, field))
            self.found.append((row, field, None, detail))
        self.total += len(bad)

    def file_error(self, field: str, message: str) -> None:
        """A problem with the file as a whole (a missing column), listed before the row errors."""
        self.add(-1, field, message)

    def raise_if_any(self) -> None:
        """Raise :class:`IngestError` listing what was found, by row, if anything was."""
        if not self.total:
            return
        errors = [
            RecordError(
                self.source,
                "file" if row < 0 else self.locate(row),
                header or self.fields.get(field, field),
                message,
            )
            for row, field, header, message in sorted(self.found, key=lambda item: item[0])
        ]
        if self.total > len(self.found):
            unlisted = self.total - len(self.found)
            errors.append(RecordError(self.source, "file", "", f"{unlisted} more bad value(s) not listed"))
        raise IngestError(errors)


def _quote(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


def read_transactions(
    path: str | Path,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> pa.Table:
    """Read a Parquet or CSV file of transaction records (资金流水) into a table in ``TRANSACTION_SCHEMA``.

    CSV may be UTF-8 or GB18030 (detected), comma- or tab-separated, with a header of flow column names. Naive
    times are local times in ``Settings.timezone`` (Asia/Shanghai by default). Raises :class:`IngestError`.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        try:
            table = pq.read_table(file)
        except (pa.ArrowException, OSError) as error:
            raise IngestError(
                [RecordError(str(file), "file", "", f"not a readable Parquet file: {error}")]
            ) from error
    elif suffix in {".csv", ".tsv", ".txt"}:
        table = _read_csv(file, FileLimits.from_settings(settings))
    else:
        raise IngestError(
            [RecordError(str(file), "file", "", f"unknown file type {suffix!r} (Parquet or CSV)")]
        )
    return validate_transactions(table, str(file), now=now, settings=settings)


def ingest_transactions(
    path: str | Path,
    store: FlowStore,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> AppendResult:
    """Read ``path`` with :func:`read_transactions` and append it to ``store`` (流水入库), all or nothing."""
    return store.append(read_transactions(path, now=now, settings=settings))


def validate_transactions(
    table: pa.Table,
    source: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    errors: RowErrors | None = None,
) -> pa.Table:
    """Check and convert a table of flow columns (strings or typed) into ``TRANSACTION_SCHEMA``.

    Checks: required columns present; times parse, are not naive-ambiguous (naive ones are taken in
    ``Settings.timezone``) and not beyond ``now`` + :data:`CLOCK_SKEW`; accounts present (digit-like accounts
    kept as digits only); amounts whole, positive and at most ``MAX_AMOUNT_MINOR``; known channel and currency
    code; memo at most 256 characters; txn_id in [0, 2^63) where given, else the hash of the record's content.
    Pass ``errors`` to report problems with the caller's locations and headers, and to add the caller's own
    findings to the same refusal. Cost: O(rows), vectorised; O(rows) Python for records without a txn_id.
    """
    errors = errors if errors is not None else RowErrors(source)
    missing = [name for name in REQUIRED_COLUMNS if name not in table.column_names]
    for name in missing:
        errors.file_error(name, "column is missing")
    if missing:
        errors.raise_if_any()
    for name in table.column_names:
        if name not in TRANSACTION_SCHEMA.names:
            logger.warning("%s: column %r is not a flow column and is ignored", source, name)
    zone = (settings or get_settings()).timezone
    latest = (now or utcnow()).astimezone(UTC) + CLOCK_SKEW
    rows = table.num_rows
    columns: dict[str, pa.Array] = {
        "time": _times(_column(table, "time"), errors, zone, latest),
        "src_account": _accounts(_column(table, "src_account"), "src_account", errors),
        "dst_account": _accounts(_column(table, "dst_account"), "dst_account", errors),
        "amount_minor": _amounts(_column(table, "amount_minor"), errors),
        "currency": _currencies(_optional(table, "currency", rows), errors),
        "channel": _channels(_optional(table, "channel", rows), errors),
        "src_bank": _strings(_optional(table, "src_bank", rows)),
        "dst_bank": _strings(_optional(table, "dst_bank", rows)),
        "memo": _memos(_optional(table, "memo", rows), errors),
    }
    given_ids = _given_txn_ids(_optional(table, "txn_id", rows), errors)
    errors.raise_if_any()
    columns["txn_id"] = _fill_txn_ids(given_ids, columns)
    return pa.Table.from_arrays(
        [columns[name] for name in TRANSACTION_SCHEMA.names], schema=TRANSACTION_SCHEMA
    )


def stable_txn_id(*parts: str) -> int:
    """A 63-bit id from ``parts`` (BLAKE2b), the same on every machine and run: re-ingesting a record finds it."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & (2**63 - 1)


def content_txn_ids(columns: Mapping[str, pa.Array]) -> list[int]:
    """Ids for records without a serial: the hash of time, accounts, amount, currency, channel and memo, plus
    the count of identical records before it in the batch, so twins both survive and a second ingest adds none."""
    seen: dict[tuple[Any, ...], int] = {}
    ids: list[int] = []
    keys = ("time", "src_account", "dst_account", "amount_minor", "currency", "channel", "memo")
    values = [pc.cast(columns[key], pa.int64()) if key == "time" else columns[key] for key in keys]
    for record in zip(*(column.to_pylist() for column in values), strict=True):
        occurrence = seen.get(record, 0)
        seen[record] = occurrence + 1
        ids.append(stable_txn_id(*("" if part is None else str(part) for part in record), str(occurrence)))
    return ids


def _bools(mask: Any) -> npt.NDArray[np.bool_]:
    if isinstance(mask, np.ndarray):
        return mask.astype(bool)
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    result: npt.NDArray[np.bool_] = pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
    return result


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _optional(table: pa.Table, name: str, rows: int) -> pa.Array:
    return _column(table, name) if name in table.column_names else pa.nulls(rows, pa.string())


def _strings(values: pa.Array) -> pa.Array:
    """Trimmed strings, empty ones as null."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    trimmed = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _cast_or_locate(
    values: pa.Array, target: pa.DataType, field: str, errors: RowErrors, what: str
) -> pa.Array:
    """Cast vectorised; when Arrow refuses, find the refused values chunk by chunk and null them."""
    try:
        return pc.cast(values, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    pieces: list[pa.Array] = []
    for offset in range(0, len(values), _CAST_CHUNK):
        chunk = values.slice(offset, _CAST_CHUNK)
        try:
            pieces.append(pc.cast(chunk, target))
            continue
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        for index in range(len(chunk)):
            try:
                pieces.append(pc.cast(chunk.slice(index, 1), target))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                errors.add(offset + index, field, f"{what}: {chunk[index].as_py()!r}")
                pieces.append(pa.nulls(1, target))
    return pa.concat_arrays(pieces) if pieces else pa.nulls(0, target)


def _whole_numbers(values: pa.Array, field: str, errors: RowErrors, what: str, required: bool) -> pa.Array:
    """Integers as decimal128(38, 0) (room to test any range); non-numbers flagged and nulled."""
    target = pa.decimal128(38, 0)
    if pa.types.is_integer(values.type) or pa.types.is_decimal(values.type):
        numbers = pc.cast(values, target)
    elif pa.types.is_floating(values.type):
        fractional = pc.not_equal(values, pc.floor(values))
        errors.flag(field, fractional, what, values)
        numbers = pc.cast(pc.floor(values), target)
        numbers = pc.if_else(pc.fill_null(fractional, False), pa.scalar(None, target), numbers)
    else:
        strings = _strings(values)
        malformed = pc.invert(pc.match_substring_regex(strings, r"^[+-]?\d{1,38}$"))
        errors.flag(field, malformed, what, strings)
        cleaned = pc.if_else(pc.fill_null(malformed, False), pa.scalar(None, pa.string()), strings)
        numbers = _cast_or_locate(cleaned, target, field, errors, what)
        values = strings
    if required:
        errors.flag(field, pc.is_null(values), "value is missing")
    return numbers


def _amounts(values: pa.Array, errors: RowErrors) -> pa.Array:
    what = "amount is not a whole number of minor units"
    numbers = _whole_numbers(values, "amount_minor", errors, what, required=True)
    errors.flag("amount_minor", pc.less_equal(numbers, 0), "amount must be positive", numbers)
    too_large = pc.greater(numbers, pa.scalar(MAX_AMOUNT_MINOR, numbers.type))
    errors.flag("amount_minor", too_large, f"amount is absurd (more than {MAX_AMOUNT_MINOR})", numbers)
    usable = pc.if_else(pc.fill_null(too_large, False), pa.scalar(None, numbers.type), numbers)
    return pc.cast(pc.fill_null(usable, 1), pa.int64())


def _given_txn_ids(values: pa.Array, errors: RowErrors) -> pa.Array:
    numbers = _whole_numbers(values, "txn_id", errors, "txn_id is not a whole number", required=False)
    outside = pc.or_(pc.less(numbers, 0), pc.greater_equal(numbers, pa.scalar(2**63, numbers.type)))
    errors.flag("txn_id", outside, "txn_id is outside [0, 2^63)", numbers)
    usable = pc.if_else(pc.fill_null(outside, False), pa.scalar(None, numbers.type), numbers)
    return pc.cast(usable, pa.int64())


def _fill_txn_ids(given: pa.Array, columns: Mapping[str, pa.Array]) -> pa.Array:
    if given.null_count == 0:
        return given
    missing = pc.is_null(given)
    subset = {name: column.filter(missing) for name, column in columns.items()}
    hashed = iter(content_txn_ids(subset))
    filled = [value if value is not None else next(hashed) for value in given.to_pylist()]
    return pa.array(filled, pa.int64())


def _times(values: pa.Array, errors: RowErrors, zone: str, latest: datetime) -> pa.Array:
    target = TRANSACTION_SCHEMA.field("time").type
    if pa.types.is_timestamp(values.type):
        local = values if values.type.tz else _localise(pc.cast(values, pa.timestamp("us"), safe=False), zone)
        times = pc.cast(local, target, safe=False)
    elif pa.types.is_date(values.type):
        times = pc.cast(_localise(pc.cast(pc.cast(values, pa.date32()), pa.timestamp("us")), zone), target)
    else:
        values = _strings(values)
        times = _parse_times(values, errors, zone)
    errors.flag("time", pc.is_null(values), "time is missing")
    errors.flag("time", pc.greater(times, pa.scalar(latest, target)), "time is in the future", times)
    errors.flag("time", pc.less(times, pa.scalar(_EARLIEST, target)), "time is before 1970", times)
    return pc.fill_null(times, pa.scalar(_EARLIEST, target))


def _parse_times(strings: pa.Array, errors: RowErrors, zone: str) -> pa.Array:
    """ISO 8601 (``-`` or ``/`` between date parts, ``T`` or a space before the time, optional offset)."""
    target = TRANSACTION_SCHEMA.field("time").type
    normalised = pc.replace_substring(strings, "/", "-")
    aware = pc.match_substring_regex(normalised, f"^{_ISO_DATE}{_OFFSET}$")
    naive = pc.match_substring_regex(normalised, f"^{_ISO_DATE}$")
    errors.flag("time", pc.and_(pc.invert(aware), pc.invert(naive)), "not a date and time", strings)
    null = pa.scalar(None, pa.string())
    with_offset = _cast_or_locate(
        pc.if_else(pc.fill_null(aware, False), normalised, null), target, "time", errors, "not a valid time"
    )
    local = _cast_or_locate(
        pc.if_else(pc.fill_null(naive, False), normalised, null),
        pa.timestamp("us"),
        "time",
        errors,
        "not a valid time",
    )
    return pc.if_else(pc.fill_null(aware, False), with_offset, pc.cast(_localise(local, zone), target))


def _localise(naive: pa.Array, zone: str) -> pa.Array:
    """Naive local times in ``zone`` as UTC instants (a DST gap or overlap takes the earlier reading)."""
    return pc.assume_timezone(naive, timezone=zone, ambiguous="earliest", nonexistent="earliest")


def _accounts(values: pa.Array, field: str, errors: RowErrors) -> pa.Array:
    strings = _strings(values)
    strings = pc.if_else(
        pc.is_null(strings), strings, pc.utf8_normalize(pc.fill_null(strings, ""), form="NFKC")
    )
    digit_like = pc.match_substring_regex(strings, r"^[\d][\d\s-]*$")
    accounts = pc.if_else(
        pc.fill_null(digit_like, False), pc.replace_substring_regex(strings, r"[\s-]", ""), strings
    )
    errors.flag(field, pc.is_null(accounts), "account is missing")
    errors.flag(
        field, pc.greater(pc.utf8_length(accounts), 64), "account is longer than 64 characters", accounts
    )
    return pc.fill_null(accounts, "")


def _currencies(values: pa.Array, errors: RowErrors) -> pa.Array:
    codes = pc.utf8_upper(pc.fill_null(_strings(values), "CNY"))
    valid = pc.match_substring_regex(codes, r"^(?:[A-Z]{3}|[A-Z0-9]{3,6})$")
    errors.flag("currency", pc.invert(valid), "not a currency code", codes)
    return codes


def _channels(values: pa.Array, errors: RowErrors) -> pa.Array:
    channels = pc.utf8_lower(pc.fill_null(_strings(values), TransactionChannel.TRANSFER.value))
    unknown = pc.invert(pc.is_in(channels, value_set=_CHANNELS))
    errors.flag("channel", unknown, "unknown channel", channels)
    return channels


def _memos(values: pa.Array, errors: RowErrors) -> pa.Array:
    memos = _strings(values)
    errors.flag("memo", pc.greater(pc.utf8_length(memos), 256), "memo is longer than 256 characters")
    return memos


def _read_csv(file: Path, limits: FileLimits) -> pa.Table:
    """A CSV of flow columns as string columns; ragged rows are errors naming their data row.

    The file is read whole (Arrow's reader, vectorised), so its size is capped; a field or a line Arrow cannot
    take is located by reading the file again as the sheets are read, under the same caps.
    """
    source = str(file)
    size = file.stat().st_size
    if size > limits.flow_csv_bytes:
        what = f"a CSV of transactions of {size:,} bytes (split it, or send Parquet)"
        raise too_large(source, "file", what, limits.flow_csv_bytes, "INGEST_MAX_FLOW_CSV_BYTES")
    text, encoding = decode_bytes(file.read_bytes(), source)
    logger.debug("%s: read as %s", source, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    header = [name.strip().lower() for name in next(csv.reader([first_line], delimiter=delimiter), [])]
    if not any(header):
        raise IngestError([RecordError(source, "file", "", "the file is empty or has no header row")])
    ragged: list[Any] = []

    def keep_aside(row: Any) -> str:
        ragged.append(row)
        return "skip"

    def parse(threads: bool) -> pa.Table:
        ragged.clear()
        return pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, use_threads=threads),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=keep_aside),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True, null_values=[""]
            ),
        )

    data = text.encode("utf-8")
    try:
        table = parse(threads=True)
        if ragged:
            table = parse(threads=False)  # only a single-threaded read numbers the ragged rows
    except pa.ArrowInvalid as error:
        read_sheets(file, limits)  # raises the located error when a cap is what Arrow stumbled on
        raise IngestError([RecordError(source, "file", "", f"not readable as CSV: {error}")]) from error
    errors = RowErrors(source)
    for row in ragged:
        where = f"data row {row.number - 1}" if row.number is not None else "a row"
        errors.file_error("", f"{where} has {row.actual_columns} fields, the header {row.expected_columns}")
    errors.raise_if_any()
    return table
