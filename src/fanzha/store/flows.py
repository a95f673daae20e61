"""The flow store (资金流水库): bank transaction records as an append-only Parquet dataset, read with DuckDB.

Layout on disk, one folder per UTC day (hive style, zstd-compressed Parquet)::

    flows/day=2026-09-01/part-<batch>.parquet
    flows/.staging/<batch>/...      a batch being written (never read)
    flows/.lock                     serialises writers

An append writes every file of a batch into ``.staging/<batch>``, marks the batch committed and only then renames
the files into their day folders; a failure before the mark leaves nothing visible, a crash after it is rolled
forward by the next writer. Rows whose ``txn_id`` is already stored are skipped, so ingesting the same records
twice changes nothing.

>>> store = FlowStore("/tmp/flows")  # doctest: +SKIP
>>> store.append(table)  # doctest: +SKIP
AppendResult(inserted=1200, unchanged=0, conflicting=0)
>>> store.scan(start=datetime(2026, 9, 1, tzinfo=UTC), accounts=["6222021234567890123"])  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time as clock
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from fanzha.config import Settings, get_settings
from fanzha.intake.errors import IngestError, RecordError
from fanzha.model import MAX_AMOUNT_MINOR, TransactionChannel
from fanzha.store.flow_schema import PARTITION_COLUMN, TRANSACTION_SCHEMA

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; one writer per store is then the caller's duty
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

CHANNEL_CODES: tuple[TransactionChannel, ...] = tuple(TransactionChannel)
"""Code table of :attr:`LedgerArrays.channel`: code ``i`` is ``CHANNEL_CODES[i]``."""

US_PER_DAY = 86_400_000_000
_SOURCE = "flow store append"
_STAGING = ".staging"
_COMMIT = "COMMIT"
_MAX_LISTED = 200
_PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 3, "use_dictionary": True}
_ARRAY_COLUMNS = ["txn_id", "time", "src_account", "dst_account", "amount_minor", "channel"]
_DICTIONARY_COLUMNS = ["src_account", "dst_account", "channel"]

Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class AppendResult:
    """What an append did: rows written, rows already stored (or repeated in the batch) and left as they were.

    ``conflicting`` counts rows skipped because their ``txn_id`` was stored with different content (the stored
    record wins; a warning is logged).
    """

    inserted: int
    unchanged: int
    conflicting: int = 0


@dataclass(frozen=True)
class FlowStats:
    """Size of the flow store: rows, UTC days, distinct accounts, first and last time, files and bytes on disk."""

    rows: int
    days: int
    accounts: int
    first_time: datetime | None
    last_time: datetime | None
    files: int
    bytes: int


@dataclass(frozen=True, eq=False)
class LedgerArrays:
    """Transactions as numpy arrays for the engines, sorted by (time, txn_id).

    ``accounts`` is the sorted account dictionary (object array of str); ``src``/``dst`` index into it.
    ``time`` is µs since the epoch (UTC), ``amount`` minor units, ``channel`` codes into ``channels``.
    """

    accounts: npt.NDArray[np.object_]
    src: Int32Array
    dst: Int32Array
    time: Int64Array
    amount: Int64Array
    channel: npt.NDArray[np.int8]
    txn_id: Int64Array
    channels: tuple[TransactionChannel, ...] = CHANNEL_CODES

    def __len__(self) -> int:
        return len(self.time)

    def account_index(self, account: str) -> int:
        """Index of ``account`` in :attr:`accounts`, or -1 when it has no transaction here (O(log accounts))."""
        position = int(np.searchsorted(self.accounts, account))
        found = position < len(self.accounts) and self.accounts[position] == account
        return position if found else -1


class FlowStore:
    """Append-only Parquet dataset of transaction records (资金流水), partitioned by UTC day."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> FlowStore:
        """The store at ``Settings.flow_store_path`` (``$FANZHA_HOME/flows``)."""
        return cls((settings or get_settings()).flow_store_path)

    def append(self, table: pa.Table) -> AppendResult:
        """Add transaction records (追加流水), all or nothing; records already stored are skipped.

        ``table`` must hold exactly the columns of ``TRANSACTION_SCHEMA`` (any order, castable types,
        timezone-aware times). Rows repeating a ``txn_id`` within the batch collapse when identical; if they
        differ, :class:`IngestError` names the ``txn_id`` and nothing is written. Cost: reads the ``txn_id``
        column of the days the batch touches, then writes one file per day.
        """
        batch = _collapse_repeats(conform(table))
        self.path.mkdir(parents=True, exist_ok=True)
        with self._writer_lock():
            self._recover()
            fresh, conflicting = self._unstored(batch)
            if fresh.num_rows:
                self._publish(fresh)
        result = AppendResult(fresh.num_rows, table.num_rows - fresh.num_rows, conflicting)
        logger.info("flow store %s: %s", self.path, result)
        return result

    def files(self, start: datetime | None = None, end: datetime | None = None) -> list[Path]:
        """The Parquet files of the days that may hold times in ``[start, end)``, in day order."""
        first, last = _day_bounds(start, end)
        return [
            file
            for folder in self._day_folders()
            if first <= folder.name.removeprefix(f"{PARTITION_COLUMN}=") <= last
            for file in sorted(folder.glob("*.parquet"))
        ]

    def scan(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        accounts: Iterable[str] | None = None,
    ) -> pa.Table:
        """Records with ``start <= time < end`` touching any of ``accounts`` (as payer or payee), by time.

        DuckDB reads only the day folders in range (partition pruning on ``day``).
        """
        conditions, params = _time_conditions(start, end)
        with self._connection() as connection:
            if accounts is not None:
                wanted = pa.table({"account": pa.array(sorted(set(accounts)), pa.string())})
                connection.register("wanted", wanted)
                conditions.append(
                    "(src_account IN (SELECT account FROM wanted) OR dst_account IN (SELECT account FROM wanted))"
                )
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            columns = ", ".join(TRANSACTION_SCHEMA.names)
            query = f"SELECT {columns} FROM transactions {where} ORDER BY time, txn_id"
            result = connection.sql(query, params=params or None).to_arrow_table()
        return _as_schema(result)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run DuckDB SQL over the store, seen as the view ``transactions`` (schema columns plus ``day``).

        >>> store.sql("SELECT channel, sum(amount_minor) FROM transactions GROUP BY ALL")  # doctest: +SKIP
        """
        with self._connection() as connection:
            result: pa.Table = connection.sql(query, params=params or None).to_arrow_table()
        return result

    def load_arrays(self, start: datetime | None = None, end: datetime | None = None) -> LedgerArrays:
        """Load ``start <= time < end`` as :class:`LedgerArrays` for the engines (账户字典 + 整数数组).

        Account strings are read dictionary-encoded straight from Parquet and never materialised per row:
        each batch keeps its int32 codes and its dictionary; the dictionaries are unified and sorted once.
        Cost: O(n log n) for the final sort by time, O(n + d log d) for n rows and d dictionary entries;
        memory about 40 bytes per row plus the dictionaries.
        """
        chunks = _LedgerChunks()
        files = self.files(start, end)
        if files:
            dataset = ds.dataset(
                [str(file) for file in files],
                format=ds.ParquetFileFormat(
                    read_options=ds.ParquetReadOptions(dictionary_columns=_DICTIONARY_COLUMNS)
                ),
            )
            for batch in dataset.to_batches(
                columns=_ARRAY_COLUMNS, filter=_time_filter(start, end), batch_size=1 << 20
            ):
                chunks.add(batch)
        return chunks.ledger()

    def stats(self) -> FlowStats:
        """Rows, days, distinct accounts, time range, files and bytes of the store (库容统计)."""
        files = self.files()
        if not files:
            return FlowStats(0, 0, 0, None, None, 0, 0)
        rows = sum(pq.ParquetFile(file).metadata.num_rows for file in files)
        summary = self.sql(
            "SELECT (SELECT count(*) FROM (SELECT src_account FROM transactions "
            "UNION SELECT dst_account FROM transactions)) AS accounts, "
            "min(time) AS first_time, max(time) AS last_time FROM transactions"
        ).to_pylist()[0]
        return FlowStats(
            rows=rows,
            days=len(self._day_folders()),
            accounts=int(summary["accounts"]),
            first_time=_utc(summary["first_time"]),
            last_time=_utc(summary["last_time"]),
            files=len(files),
            bytes=sum(file.stat().st_size for file in files),
        )

    def _day_folders(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(
            folder for folder in self.path.glob(f"{PARTITION_COLUMN}=*") if any(folder.glob("*.parquet"))
        )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute("SET TimeZone = 'UTC'")
            if self.files():
                pattern = str(self.path / f"{PARTITION_COLUMN}=*" / "*.parquet").replace("'", "''")
                columns = ", ".join(TRANSACTION_SCHEMA.names)
                connection.execute(
                    f"CREATE VIEW transactions AS SELECT {columns}, {PARTITION_COLUMN} "
                    f"FROM read_parquet('{pattern}', hive_partitioning = true)"
                )
            else:
                empty = TRANSACTION_SCHEMA.empty_table().append_column(
                    PARTITION_COLUMN, pa.array([], pa.date32())
                )
                connection.register("empty_transactions", empty)
                connection.execute("CREATE VIEW transactions AS SELECT * FROM empty_transactions")
            yield connection
        finally:
            connection.close()

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        with open(self.path / ".lock", "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _recover(self) -> None:
        """Finish batches that were committed before a crash; drop the ones that were not."""
        staging = self.path / _STAGING
        if not staging.is_dir():
            return
        for batch in sorted(staging.iterdir()):
            marker = batch / _COMMIT
            if marker.exists():
                names = json.loads(marker.read_text(encoding="utf-8"))
                for name in names:
                    if (batch / name).exists():
                        (self.path / name).parent.mkdir(parents=True, exist_ok=True)
                        os.replace(batch / name, self.path / name)
                logger.warning("flow store %s: rolled committed batch %s forward", self.path, batch.name)
            else:
                logger.warning("flow store %s: dropped unfinished batch %s", self.path, batch.name)
            shutil.rmtree(batch)

    def _unstored(self, batch: pa.Table) -> tuple[pa.Table, int]:
        """The rows of ``batch`` whose txn_id is not stored yet, and how many stored ones differ in content."""
        days = np.unique(_day_index(batch))
        files = [str(file) for day in days for file in sorted(self._day_folder(int(day)).glob("*.parquet"))]
        if not files:
            return batch, 0
        ids = batch.column("txn_id")
        dataset = ds.dataset(files, format="parquet")
        stored_ids = dataset.to_table(columns=["txn_id"], filter=ds.field("txn_id").isin(ids)).column(
            "txn_id"
        )
        if len(stored_ids) == 0:
            return batch, 0
        seen = pc.is_in(ids, value_set=stored_ids)
        stored = dataset.to_table(filter=ds.field("txn_id").isin(stored_ids)).select(TRANSACTION_SCHEMA.names)
        conflicting = _count_differing(batch.filter(seen), stored)
        if conflicting:
            logger.warning(
                "flow store %s: %d record(s) offered again with different content; the stored ones are kept",
                self.path,
                conflicting,
            )
        return batch.filter(pc.invert(seen)), conflicting

    def _day_folder(self, day: int) -> Path:
        return self.path / f"{PARTITION_COLUMN}={_day_text(day)}"

    def _publish(self, batch: pa.Table) -> None:
        """Write ``batch`` into staging, mark it committed, then rename its files into their day folders."""
        batch_id = f"{clock.time_ns():x}-{uuid.uuid4().hex[:8]}"
        staging = self.path / _STAGING / batch_id
        names: list[str] = []
        published: list[Path] = []
        try:
            for day, rows in _split_by_day(batch):
                name = f"{PARTITION_COLUMN}={_day_text(day)}/part-{batch_id}.parquet"
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(rows, staging / name, **_PARQUET_OPTIONS)
                _fsync(staging / name)
                names.append(name)
            (staging / _COMMIT).write_text(json.dumps(names), encoding="utf-8")
            _fsync(staging / _COMMIT)
            for name in names:
                (self.path / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, self.path / name)
                published.append(self.path / name)
        except BaseException:
            for path in published:
                path.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)


class _LedgerChunks:
    """Per-batch int32 codes and dictionaries, unified into one sorted account dictionary at the end."""

    def __init__(self) -> None:
        self.dictionaries: list[pa.Array] = []
        self.offset = 0
        self.src: list[Int64Array] = []
        self.dst: list[Int64Array] = []
        self.time: list[Int64Array] = []
        self.amount: list[Int64Array] = []
        self.channel: list[npt.NDArray[np.int8]] = []
        self.txn_id: list[Int64Array] = []

    def add(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self.src.append(self._codes(batch.column("src_account")))
        self.dst.append(self._codes(batch.column("dst_account")))
        self.time.append(batch.column("time").cast(pa.int64()).to_numpy())
        self.amount.append(batch.column("amount_minor").to_numpy())
        self.txn_id.append(batch.column("txn_id").to_numpy())
        self.channel.append(_channel_codes(batch.column("channel")))

    def _codes(self, column: pa.Array) -> Int64Array:
        """Indices into the concatenation of all dictionaries seen so far."""
        encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
        self.dictionaries.append(encoded.dictionary)
        codes: Int64Array = encoded.indices.to_numpy().astype(np.int64) + self.offset
        self.offset += len(encoded.dictionary)
        return codes

    def ledger(self) -> LedgerArrays:
        if not self.time:
            empty64 = np.empty(0, np.int64)
            return LedgerArrays(
                np.empty(0, object), np.empty(0, np.int32), np.empty(0, np.int32), empty64, empty64,
                np.empty(0, np.int8), empty64,
            )  # fmt: skip
        combined = pa.chunked_array(self.dictionaries, pa.string()).combine_chunks()
        encoded = pc.dictionary_encode(combined)
        unique = encoded.dictionary
        order = pc.sort_indices(unique).to_numpy()
        rank = np.empty(len(unique), np.int32)
        rank[order] = np.arange(len(unique), dtype=np.int32)
        code_of_entry = rank[encoded.indices.to_numpy()]
        time = np.concatenate(self.time)
        txn_id = np.concatenate(self.txn_id)
        by_time = _time_order(time, txn_id)
        src = code_of_entry[np.concatenate(self.src)[by_time]]
        dst = code_of_entry[np.concatenate(self.dst)[by_time]]
        # Row-group dictionaries also hold accounts of rows the time filter dropped: keep only those in use.
        used = np.zeros(len(unique), dtype=bool)
        used[src] = True
        used[dst] = True
        renumber = (np.cumsum(used) - 1).astype(np.int32)
        accounts = unique.take(pa.array(order[used])).to_numpy(zero_copy_only=False)
        return LedgerArrays(
            accounts=accounts,
            src=renumber[src],
            dst=renumber[dst],
            time=time[by_time],
            amount=np.concatenate(self.amount)[by_time],
            channel=np.concatenate(self.channel)[by_time],
            txn_id=txn_id[by_time],
        )


def _time_order(time: Int64Array, txn_id: Int64Array) -> Int64Array:
    """Order by (time, txn_id). Rows arrive as runs already sorted (one per file), which a stable argsort
    merges in near-linear time; only rows sharing a time are then re-sorted by txn_id."""
    order: Int64Array = np.argsort(time, kind="stable")
    ordered = time[order]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tied):
        members = np.unique(np.concatenate([tied, tied + 1]))
        group = order[members]
        order[members] = group[np.lexsort((txn_id[group], time[group]))]
    return order


def _channel_codes(column: pa.Array) -> npt.NDArray[np.int8]:
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    table = pc.index_in(encoded.dictionary, value_set=pa.array([c.value for c in CHANNEL_CODES]))
    if table.null_count:
        unknown = encoded.dictionary.filter(pc.is_null(table)).to_pylist()
        raise ValueError(f"flow store holds unknown channel(s) {unknown}")
    lookup = table.to_numpy().astype(np.int8)
    codes: npt.NDArray[np.int8] = lookup[encoded.indices.to_numpy()]
    return codes


def conform(table: pa.Table, source: str = _SOURCE) -> pa.Table:
    """``table`` cast to ``TRANSACTION_SCHEMA`` after checking the store's invariants (vectorised).

    Raises :class:`IngestError` naming rows with missing required values, an unknown channel, a non-positive or
    absurd amount, a negative txn_id or an empty account; or naming the columns that are missing or extra.
    """
    missing = [name for name in TRANSACTION_SCHEMA.names if name not in table.column_names]
    extra = [name for name in table.column_names if name not in TRANSACTION_SCHEMA.names]
    problems = [RecordError(source, "table", name, "column is missing") for name in missing]
    problems += [RecordError(source, "table", name, "column is not in the flow schema") for name in extra]
    if problems:
        raise IngestError(problems)
    columns = [_cast_column(table.column(field.name), field, source) for field in TRANSACTION_SCHEMA]
    cast = pa.Table.from_arrays(
        [column.combine_chunks() if column.num_chunks != 1 else column.chunk(0) for column in columns],
        schema=TRANSACTION_SCHEMA,
    )
    errors = _invariant_errors(cast, source)
    if errors:
        raise IngestError(errors)
    return cast


def _cast_column(column: pa.ChunkedArray, field: pa.Field, source: str) -> pa.ChunkedArray:
    if column.type == field.type:
        return column
    if pa.types.is_timestamp(field.type):
        if not pa.types.is_timestamp(column.type) or column.type.tz is None:
            raise IngestError(
                [
                    RecordError(
                        source, "table", field.name, f"needs timezone-aware timestamps, got {column.type}"
                    )
                ]
            )
        return pc.cast(column, field.type, safe=False)
    try:
        return pc.cast(column, field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise IngestError(
            [RecordError(source, "table", field.name, f"cannot read {column.type} as {field.type}: {error}")]
        ) from error


def _invariant_errors(table: pa.Table, source: str) -> list[RecordError]:
    checks: list[tuple[str, pa.Array, str]] = []
    for field in TRANSACTION_SCHEMA:
        if not field.nullable:
            checks.append((field.name, pc.is_null(table.column(field.name)), "value is missing"))
    amount = table.column("amount_minor")
    checks.append(("amount_minor", pc.less_equal(amount, 0), "amount must be positive"))
    checks.append(("amount_minor", pc.greater(amount, MAX_AMOUNT_MINOR), "amount is absurdly large"))
    checks.append(("txn_id", pc.less(table.column("txn_id"), 0), "txn_id must not be negative"))
    valid_channels = pa.array([c.value for c in CHANNEL_CODES])
    checks.append(
        ("channel", pc.invert(pc.is_in(table.column("channel"), value_set=valid_channels)), "unknown channel")
    )
    for name in ("src_account", "dst_account"):
        checks.append((name, pc.equal(pc.utf8_length(table.column(name)), 0), "account is empty"))
    errors: list[RecordError] = []
    for name, mask, message in checks:
        rows = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        errors += [RecordError(source, f"row {row + 1}", name, message) for row in rows[:_MAX_LISTED]]
    return errors


def _collapse_repeats(batch: pa.Table) -> pa.Table:
    """Drop rows repeating a txn_id with identical content; refuse the batch if a repeat differs."""
    ids = batch.column("txn_id").to_numpy()
    if len(np.unique(ids)) == len(ids):
        return batch
    order = np.argsort(ids, kind="stable")
    ordered = batch.take(pa.array(order))
    sorted_ids = ids[order]
    repeat = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1]) + 1
    later = ordered.take(pa.array(repeat))
    earlier = ordered.take(pa.array(repeat - 1))
    differs = _rows_differ(earlier, later)
    if differs.any():
        bad = np.unique(sorted_ids[repeat[differs]])
        raise IngestError(
            [
                RecordError(
                    _SOURCE, f"txn_id {txn_id}", "txn_id", "repeated in the batch with different content"
                )
                for txn_id in bad[:_MAX_LISTED]
            ]
        )
    keep = np.ones(len(ids), dtype=bool)
    keep[repeat] = False
    return ordered.filter(pa.array(keep))


def _rows_differ(left: pa.Table, right: pa.Table) -> npt.NDArray[np.bool_]:
    """Row-wise: does any column differ (two nulls count as equal)? Both tables have the same length."""
    differs = np.zeros(left.num_rows, dtype=bool)
    for name in TRANSACTION_SCHEMA.names:
        a, b = left.column(name), right.column(name)
        same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
        differs |= ~same.to_numpy(zero_copy_only=False)
    return differs


def _count_differing(offered: pa.Table, stored: pa.Table) -> int:
    offered = offered.sort_by("txn_id")
    stored = stored.sort_by("txn_id")
    stored_ids = stored.column("txn_id").to_numpy()
    offered_ids = offered.column("txn_id").to_numpy()
    stored = stored.take(pa.array(np.searchsorted(stored_ids, offered_ids)))
    return int(_rows_differ(offered, stored).sum())


def _day_index(table: pa.Table) -> Int64Array:
    micros: Int64Array = table.column("time").cast(pa.int64()).to_numpy()
    return micros // US_PER_DAY


def _day_text(day: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


def _split_by_day(batch: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """The batch sorted by (time, txn_id), cut into one slice per UTC day."""
    ordered = batch.sort_by([("time", "ascending"), ("txn_id", "ascending")])
    days = _day_index(ordered)
    cuts = np.flatnonzero(np.diff(days)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(days)]])
    for first, last in zip(starts, ends, strict=True):
        yield int(days[first]), ordered.slice(int(first), int(last - first))


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _day_bounds(start: datetime | None, end: datetime | None) -> tuple[str, str]:
    first = _require_aware(start, "start").date().isoformat() if start else "0000-00-00"
    last = _last_day(_require_aware(end, "end")) if end else "9999-99-99"
    return first, last


def _last_day(end: datetime) -> str:
    """The last UTC day that can hold a time before ``end`` (exclusive)."""
    return (end - timedelta(microseconds=1)).date().isoformat()


def _time_conditions(start: datetime | None, end: datetime | None) -> tuple[list[str], list[Any]]:
    """WHERE terms for ``start <= time < end``; the day bounds are literals so DuckDB prunes folders at bind time."""
    conditions: list[str] = []
    params: list[Any] = []
    if start is not None:
        start = _require_aware(start, "start")
        conditions += [f"{PARTITION_COLUMN} >= DATE '{start.date().isoformat()}'", "time >= ?"]
        params.append(start)
    if end is not None:
        end = _require_aware(end, "end")
        conditions += [f"{PARTITION_COLUMN} <= DATE '{_last_day(end)}'", "time < ?"]
        params.append(end)
    return conditions, params


def _time_filter(start: datetime | None, end: datetime | None) -> ds.Expression | None:
    time_type = TRANSACTION_SCHEMA.field("time").type
    conditions = []
    if start is not None:
        conditions.append(ds.field("time") >= pa.scalar(_require_aware(start, "start"), time_type))
    if end is not None:
        conditions.append(ds.field("time") < pa.scalar(_require_aware(end, "end"), time_type))
    if not conditions:
        return None
    expression: ds.Expression = conditions[0]
    for condition in conditions[1:]:
        expression = expression & condition
    return expression


def _as_schema(table: pa.Table) -> pa.Table:
    return pa.Table.from_arrays(
        [pc.cast(table.column(field.name), field.type) for field in TRANSACTION_SCHEMA],
        schema=TRANSACTION_SCHEMA,
    )


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
