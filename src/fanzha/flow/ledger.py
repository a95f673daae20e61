"""The ledger (资金账本): transaction records as columnar arrays indexed CSR-style by account and time.

Every transaction is stored once, in *outgoing order* (by payer account, then time, then ``txn_id``): receiving
account, time, amount, channel and ``txn_id``. An incoming index gives, per receiving account, the positions of
its incoming transactions in time order. About 33 bytes a transaction plus 16 bytes an account (offsets), so a
ledger of 10M transactions takes about 350 MB.

On disk a ledger is a folder of ``.npy`` files opened with ``np.load(mmap_mode="r")``, so one larger than memory
still opens; pages are read as a trace touches them::

    ledger/base/{out_offsets,out_dst,out_time,out_amount,out_channel,out_txn_id,in_offsets,in_pos}.npy
    ledger/base/{account_bytes,account_offsets,cash_out}.npy, meta.json
    ledger/delta/{src,dst,time,amount,channel,txn_id}.npy, accounts.json     (appended days, raw rows)

Appending a day writes its rows to the small ``delta`` segment (indexed in memory when opened) instead of
rebuilding the base; :meth:`Ledger.compact` folds the delta into a new base, and an append is compacted at once
when the delta outgrows a quarter of the base or its rows are not later than the base's last time.

>>> ledger = Ledger.build(FlowStore.from_settings().load_arrays())  # doctest: +SKIP
>>> ledger.save("flows/ledger")  # doctest: +SKIP
>>> ledger = Ledger.open("flows/ledger")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fanzha.model import CASH_OUT_CHANNELS
from fanzha.store.flows import CHANNEL_CODES, LedgerArrays

logger = logging.getLogger(__name__)

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

CASH_OUT_CODES = np.array([CHANNEL_CODES.index(channel) for channel in CASH_OUT_CHANNELS], dtype=np.int8)
"""Channel codes (see :data:`fanzha.store.flows.CHANNEL_CODES`) where money leaves the banking system."""

_FORMAT = 1
_SEGMENT_FIELDS = ("out_offsets", "out_dst", "out_time", "out_amount", "out_channel", "out_txn_id")
_INDEX_FIELDS = ("in_offsets", "in_pos")
_ROW_FIELDS = ("src", "dst", "time", "amount", "channel", "txn_id")
_COMPACT_FRACTION = 0.25


class Transfers(NamedTuple):
    """One account's transactions in a span, by time: the other account (sender or receiver), time (µs) and
    amount (minor units)."""

    counterpart: Int64Array
    time: Int64Array
    amount: Int64Array


@dataclass(frozen=True, eq=False)
class Segment:
    """One CSR segment: transactions in outgoing order plus the incoming index.

    ``out_offsets[a]:out_offsets[a + 1]`` are account ``a``'s outgoing transactions by time;
    ``in_pos[in_offsets[a]:in_offsets[a + 1]]`` are the positions (into the out arrays, plus ``position_base``)
    of its incoming transactions by time. Offsets may cover fewer accounts than the ledger (later accounts have
    no transactions here).
    """

    out_offsets: Int64Array
    out_dst: Int32Array
    out_time: Int64Array
    out_amount: Int64Array
    out_channel: Int8Array
    out_txn_id: Int64Array
    in_offsets: Int64Array
    in_pos: Int64Array | Int32Array

    def __len__(self) -> int:
        return len(self.out_time)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(getattr(self, name).nbytes) for name in _SEGMENT_FIELDS + _INDEX_FIELDS)


@dataclass(frozen=True, eq=False)
class _Rows:
    """Raw rows of the delta segment, in (time, txn_id) order, with ledger-wide account ids."""

    src: Int32Array
    dst: Int32Array
    time: Int64Array
    amount: Int64Array
    channel: Int8Array
    txn_id: Int64Array

    def __len__(self) -> int:
        return len(self.time)


@dataclass(frozen=True, eq=False)
class AccountDictionary:
    """Account names by id: ``base`` ids are sorted by name, ids appended later follow (sorted among themselves).

    Names are UTF-8 bytes cut by offsets, so a memory-mapped dictionary is never decoded whole.
    """

    data: npt.NDArray[np.uint8]
    offsets: Int64Array
    sorted_runs: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def from_names(
        cls, names: Sequence[str] | npt.NDArray[np.object_], sorted_runs: tuple[int, ...] | None = None
    ) -> AccountDictionary:
        """A dictionary of ``names`` (ids are positions); ``sorted_runs`` are the ends of sorted runs."""
        strings = pa.array(names, type=pa.large_string())
        _, offset_buffer, data_buffer = strings.buffers()
        offsets = np.frombuffer(offset_buffer, dtype=np.int64)[: len(strings) + 1].copy()
        offsets -= offsets[0]
        data = (
            np.frombuffer(data_buffer, dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])].copy()
            if data_buffer is not None
            else np.empty(0, np.uint8)
        )
        return cls(data, offsets, sorted_runs if sorted_runs is not None else (len(strings),))

    def name(self, account: int) -> str:
        """The account name of id ``account``."""
        return bytes(self.data[self.offsets[account] : self.offsets[account + 1]]).decode("utf-8")

    def names(self) -> list[str]:
        """Every name, in id order (O(accounts))."""
        raw = bytes(self.data)
        cuts = self.offsets.tolist()
        return [raw[cuts[i] : cuts[i + 1]].decode("utf-8") for i in range(len(cuts) - 1)]

    def index(self, name: str) -> int:
        """Id of ``name``, or -1 when the ledger has no such account (binary search per sorted run)."""
        key = name.encode("utf-8")
        start = 0
        for end in self.sorted_runs:
            found = _find_name(np.asarray(self.data), np.asarray(self.offsets), key, start, end)
            if found >= 0:
                return int(found)
            start = end
        return -1


@numba.njit(cache=True)
def _find_name(data: Any, offsets: Any, key: Any, start: int, end: int) -> int:  # pragma: no cover
    """Binary search of ``key`` (UTF-8 bytes) among names ``start:end`` sorted by bytes; -1 when absent."""
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        if _compare_name(data, offsets, middle, key) < 0:
            low = middle + 1
        else:
            high = middle
    if low < end and _compare_name(data, offsets, low, key) == 0:
        return low
    return -1


@numba.njit(cache=True, inline="always")
def _compare_name(data: Any, offsets: Any, index: int, key: Any) -> int:  # pragma: no cover
    first, last = offsets[index], offsets[index + 1]
    length = last - first
    for i in range(min(length, len(key))):
        if data[first + i] != key[i]:
            return -1 if data[first + i] < key[i] else 1
    if length == len(key):
        return 0
    return -1 if length < len(key) else 1


@dataclass(frozen=True, eq=False)
class Ledger:
    """Transactions indexed by account and time for tracing (资金账本): a base segment and an appended delta.

    ``cash_out[a]`` is true for accounts that receive money through a cash-out channel (ATM, exchange,
    merchant): traced money that reaches them has left the banking system. Times are µs since the epoch (UTC),
    amounts minor units.
    """

    accounts: AccountDictionary
    cash_out: BoolArray
    base: Segment
    delta: Segment
    delta_rows: _Rows

    @property
    def n_accounts(self) -> int:
        """Accounts known to the ledger."""
        return len(self.accounts)

    def __len__(self) -> int:
        return len(self.base) + len(self.delta)

    @property
    def nbytes(self) -> int:
        """Bytes held by the transaction arrays and account offsets (the dictionary's text excluded)."""
        return self.base.nbytes + self.delta.nbytes + int(self.cash_out.nbytes)

    @property
    def last_time(self) -> int:
        """Latest transaction time (µs), or the minimum int64 when empty."""
        times = [int(seg.out_time.max()) for seg in (self.base, self.delta) if len(seg)]
        return max(times) if times else int(np.iinfo(np.int64).min)

    @cached_property
    def kernel_segments(self) -> tuple[tuple[npt.NDArray[Any], ...], tuple[npt.NDArray[Any], ...]]:
        """Base and delta as the array tuples the numba kernels take (plain ndarray views of the maps)."""
        return _kernel_tuple(self.base), _kernel_tuple(self.delta)

    def account_index(self, account: str) -> int:
        """Id of ``account``, or -1 when it has no transaction in the ledger."""
        return self.accounts.index(account)

    def account_name(self, account: int) -> str:
        """The account name of id ``account``."""
        return self.accounts.name(account)

    def incoming(self, account: int, start: int, end: int) -> Transfers:
        """The transactions into ledger account ``account`` at times in ``[start, end]`` (µs), both segments, by
        time: senders, times and amounts.

        Cost: O(log k + m log n) for an account with k incoming transactions, m of them in the span.
        """
        parts: list[Transfers] = []
        for segment, position_base in ((self.base, 0), (self.delta, len(self.base))):
            if account + 1 >= len(segment.in_offsets):
                continue
            first, last = int(segment.in_offsets[account]), int(segment.in_offsets[account + 1])
            positions = np.asarray(segment.in_pos[first:last], np.int64) - position_base
            times = segment.out_time[positions]
            low, high = int(np.searchsorted(times, start, "left")), int(np.searchsorted(times, end, "right"))
            positions = positions[low:high]
            parts.append(
                Transfers(
                    np.searchsorted(segment.out_offsets, positions, "right").astype(np.int64) - 1,
                    np.asarray(times[low:high], np.int64),
                    np.asarray(segment.out_amount[positions], np.int64),
                )
            )
        return _concat_transfers(parts)

    def outgoing(self, account: int, start: int, end: int) -> Transfers:
        """The transactions out of ledger account ``account`` at times in ``[start, end]`` (µs), both segments, by
        time: receivers, times and amounts.

        Cost: O(log k + m) for an account with k outgoing transactions, m of them in the span.
        """
        parts: list[Transfers] = []
        for segment in (self.base, self.delta):
            if account + 1 >= len(segment.out_offsets):
                continue
            first, last = int(segment.out_offsets[account]), int(segment.out_offsets[account + 1])
            times = segment.out_time[first:last]
            low, high = int(np.searchsorted(times, start, "left")), int(np.searchsorted(times, end, "right"))
            parts.append(
                Transfers(
                    np.asarray(segment.out_dst[first + low : first + high], np.int64),
                    np.asarray(times[low:high], np.int64),
                    np.asarray(segment.out_amount[first + low : first + high], np.int64),
                )
            )
        return _concat_transfers(parts)

    def column(self, name: str, positions: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
        """Values of out-order column ``name`` (``out_time``, ``out_txn_id``…) at ledger-wide positions."""
        base_len = len(self.base)
        base_values = getattr(self.base, name)
        delta_values = getattr(self.delta, name)
        result = np.empty(len(positions), dtype=base_values.dtype)
        in_base = positions < base_len
        result[in_base] = base_values[positions[in_base]]
        result[~in_base] = delta_values[positions[~in_base] - base_len]
        return result

    def senders(self, positions: npt.NDArray[np.int64]) -> Int64Array:
        """The paying account of the transaction at each ledger-wide position: O(log a) each."""
        base_len = len(self.base)
        result = np.empty(len(positions), np.int64)
        in_base = positions < base_len
        result[in_base] = np.searchsorted(self.base.out_offsets, positions[in_base], "right") - 1
        result[~in_base] = (
            np.searchsorted(self.delta.out_offsets, positions[~in_base] - base_len, "right") - 1
        )
        return result

    @classmethod
    def build(cls, arrays: LedgerArrays) -> Ledger:
        """Index ``arrays`` (sorted by time, txn_id, as :meth:`FlowStore.load_arrays` returns them).

        One counting-sort pass by payer and one by payee: O(n + accounts) time, about 33 bytes a transaction.
        """
        n_accounts = len(arrays.accounts)
        segment = _index_rows(arrays.src, arrays.dst, arrays.time, arrays.amount, arrays.channel,
                              arrays.txn_id, n_accounts, 0)  # fmt: skip
        dictionary = AccountDictionary.from_names(arrays.accounts)
        empty = _empty_rows()
        return cls(
            accounts=dictionary,
            cash_out=_cash_out_accounts(arrays.dst, arrays.channel, n_accounts),
            base=segment,
            delta=_index_rows(*_row_arrays(empty), n_accounts, len(segment)),
            delta_rows=empty,
        )

    def append(self, arrays: LedgerArrays) -> Ledger:
        """This ledger with the rows of ``arrays`` added (a new day, 新增流水), as a new ledger.

        The rows go to the delta segment, re-indexed alone (O(delta)); the base is untouched unless the delta
        outgrows a quarter of it or the rows are not strictly later than the base, when everything is compacted.
        Rows whose ``txn_id`` is already in the ledger are expected to have been dropped by the flow store.
        """
        if len(arrays) == 0:
            return self
        names = [str(name) for name in arrays.accounts]
        ids = np.array([self.accounts.index(name) for name in names], dtype=np.int64)
        new = np.flatnonzero(ids < 0)
        order = sorted(new.tolist(), key=lambda i: names[i])
        ids[order] = np.arange(self.n_accounts, self.n_accounts + len(order))
        accounts = _extend_dictionary(self.accounts, [names[i] for i in order])
        rows = _Rows(
            src=ids[arrays.src].astype(np.int32),
            dst=ids[arrays.dst].astype(np.int32),
            time=arrays.time,
            amount=arrays.amount,
            channel=arrays.channel,
            txn_id=arrays.txn_id,
        )
        merged = _sorted_rows(_concat_rows(self.delta_rows, rows))
        cash_out = np.zeros(len(accounts), dtype=bool)
        cash_out[: len(self.cash_out)] = self.cash_out
        cash_out |= _cash_out_accounts(rows.dst, rows.channel, len(accounts))
        appended = replace(
            self,
            accounts=accounts,
            cash_out=cash_out,
            delta=_index_rows(*_row_arrays(merged), len(accounts), len(self.base)),
            delta_rows=merged,
        )
        later = len(self.base) == 0 or int(rows.time.min()) > int(self.base.out_time.max())
        if not later or len(merged) > _COMPACT_FRACTION * max(len(self.base), 1):
            return appended.compact()
        return appended

    def compact(self) -> Ledger:
        """The base and the delta folded into one base segment sorted by account id (O(n))."""
        if len(self.delta_rows) == 0:
            return self
        ordered = _sorted_rows(_concat_rows(_base_rows(self.base), self.delta_rows))
        names = self.accounts.names()
        rank = np.argsort(np.array(names, dtype=object)).astype(np.int64)
        new_id = np.empty(len(names), np.int64)
        new_id[rank] = np.arange(len(names))
        sorted_names = [names[i] for i in rank]
        src = new_id[ordered.src].astype(np.int32)
        dst = new_id[ordered.dst].astype(np.int32)
        base = _index_rows(src, dst, ordered.time, ordered.amount, ordered.channel, ordered.txn_id,
                           len(names), 0)  # fmt: skip
        empty = _empty_rows()
        return Ledger(
            accounts=AccountDictionary.from_names(sorted_names),
            cash_out=_cash_out_accounts(dst, ordered.channel, len(names)),
            base=base,
            delta=_index_rows(*_row_arrays(empty), len(names), len(base)),
            delta_rows=empty,
        )

    def save(self, folder: str | Path) -> None:
        """Write the ledger as ``.npy`` files under ``folder`` (replacing what was there)."""
        folder = Path(folder)
        staging = folder.with_name(folder.name + ".writing")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "base").mkdir(parents=True)
        for name in _SEGMENT_FIELDS + _INDEX_FIELDS:
            np.save(staging / "base" / f"{name}.npy", np.ascontiguousarray(getattr(self.base, name)))
        np.save(staging / "base" / "account_bytes.npy", np.asarray(self.accounts.data))
        np.save(staging / "base" / "account_offsets.npy", np.asarray(self.accounts.offsets))
        np.save(staging / "base" / "cash_out.npy", np.asarray(self.cash_out))
        meta = {
            "format": _FORMAT,
            "transactions": len(self.base),
            "sorted_runs": list(self.accounts.sorted_runs),
        }
        (staging / "base" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        if len(self.delta_rows):
            (staging / "delta").mkdir()
            for name in _ROW_FIELDS:
                np.save(staging / "delta" / f"{name}.npy", getattr(self.delta_rows, name))
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)

    @classmethod
    def open(cls, folder: str | Path) -> Ledger:
        """The ledger saved under ``folder``, memory-mapped (pages are read on first touch)."""
        base_folder = Path(folder) / "base"
        meta = json.loads((base_folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            raise ValueError(f"{folder}: unknown ledger format {meta.get('format')!r}")

        def load(name: str) -> npt.NDArray[Any]:
            array: npt.NDArray[Any] = np.load(base_folder / f"{name}.npy", mmap_mode="r")
            return array

        base = Segment(*(load(name) for name in _SEGMENT_FIELDS + _INDEX_FIELDS))
        accounts = AccountDictionary(
            load("account_bytes"), load("account_offsets"), tuple(meta["sorted_runs"])
        )
        delta_folder = Path(folder) / "delta"
        rows = (
            _Rows(*(np.load(delta_folder / f"{name}.npy") for name in _ROW_FIELDS))
            if delta_folder.is_dir()
            else _empty_rows()
        )
        return cls(
            accounts=accounts,
            cash_out=load("cash_out"),
            base=base,
            delta=_index_rows(*_row_arrays(rows), len(accounts), len(base)),
            delta_rows=rows,
        )


def _concat_transfers(parts: list[Transfers]) -> Transfers:
    """The parts of both segments as one (the delta's rows are all later than the base's)."""
    if not parts:
        empty = np.empty(0, np.int64)
        return Transfers(empty, empty, empty)
    return Transfers(*(np.concatenate([part[i] for part in parts]) for i in range(3)))


def _kernel_tuple(segment: Segment) -> tuple[npt.NDArray[Any], ...]:
    names = ("out_offsets", "out_dst", "out_time", "out_amount", "in_offsets", "in_pos")
    return tuple(np.asarray(getattr(segment, name)) for name in names)


def _extend_dictionary(dictionary: AccountDictionary, names: list[str]) -> AccountDictionary:
    if not names:
        return dictionary
    extra = AccountDictionary.from_names(names)
    data = np.concatenate([np.asarray(dictionary.data), extra.data])
    offsets = np.concatenate([np.asarray(dictionary.offsets), extra.offsets[1:] + dictionary.offsets[-1]])
    return AccountDictionary(data, offsets, (*dictionary.sorted_runs, len(offsets) - 1))


def _empty_rows() -> _Rows:
    empty64 = np.empty(0, np.int64)
    return _Rows(
        np.empty(0, np.int32), np.empty(0, np.int32), empty64, empty64, np.empty(0, np.int8), empty64
    )


def _row_arrays(rows: _Rows) -> tuple[Int32Array, Int32Array, Int64Array, Int64Array, Int8Array, Int64Array]:
    return rows.src, rows.dst, rows.time, rows.amount, rows.channel, rows.txn_id


def _concat_rows(first: _Rows, second: _Rows) -> _Rows:
    return _Rows(*(np.concatenate([getattr(first, n), getattr(second, n)]) for n in _ROW_FIELDS))


def _sorted_rows(rows: _Rows) -> _Rows:
    """Rows in (time, txn_id) order."""
    order = np.lexsort((rows.txn_id, rows.time))
    return _Rows(*(getattr(rows, name)[order] for name in _ROW_FIELDS))


def _base_rows(segment: Segment) -> _Rows:
    """The base segment's transactions as rows (in outgoing order)."""
    offsets = np.asarray(segment.out_offsets, dtype=np.int64)
    counts = offsets[1:] - offsets[:-1]
    src = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    return _Rows(src, *(np.asarray(getattr(segment, name)) for name in _SEGMENT_FIELDS[1:]))


def _cash_out_accounts(dst: Int32Array, channel: Int8Array, n_accounts: int) -> BoolArray:
    flags = np.zeros(n_accounts, dtype=bool)
    flags[dst[np.isin(channel, CASH_OUT_CODES)]] = True
    return flags


def _index_rows(
    src: Int32Array,
    dst: Int32Array,
    time: Int64Array,
    amount: Int64Array,
    channel: Int8Array,
    txn_id: Int64Array,
    n_accounts: int,
    position_base: int,
) -> Segment:
    """CSR of rows given in (time, txn_id) order; incoming positions are offset by ``position_base``."""
    narrow = position_base + len(src) < 2**31
    out_offsets, in_offsets = _offsets(src, dst, n_accounts)
    out_dst = np.empty(len(src), np.int32)
    out_time = np.empty(len(src), np.int64)
    out_amount = np.empty(len(src), np.int64)
    out_channel = np.empty(len(src), np.int8)
    out_txn_id = np.empty(len(src), np.int64)
    in_pos: Int64Array | Int32Array = np.empty(len(src), np.int32) if narrow else np.empty(len(src), np.int64)
    _scatter(src, dst, time, amount, channel, txn_id, out_offsets, in_offsets, position_base,
             out_dst, out_time, out_amount, out_channel, out_txn_id, in_pos)  # fmt: skip
    return Segment(out_offsets, out_dst, out_time, out_amount, out_channel, out_txn_id, in_offsets, in_pos)


@numba.njit(cache=True)
def _offsets(
    src: Int32Array, dst: Int32Array, n_accounts: int
) -> tuple[Int64Array, Int64Array]:  # pragma: no cover
    """CSR offsets by payer and by payee (one counting pass)."""
    out_offsets = np.zeros(n_accounts + 1, np.int64)
    in_offsets = np.zeros(n_accounts + 1, np.int64)
    for row in range(len(src)):
        out_offsets[src[row] + 1] += 1
        in_offsets[dst[row] + 1] += 1
    for account in range(n_accounts):
        out_offsets[account + 1] += out_offsets[account]
        in_offsets[account + 1] += in_offsets[account]
    return out_offsets, in_offsets


@numba.njit(cache=True, parallel=True)
def _scatter(
    src: Any,
    dst: Any,
    time: Any,
    amount: Any,
    channel: Any,
    txn_id: Any,
    out_offsets: Any,
    in_offsets: Any,
    position_base: int,
    out_dst: Any,
    out_time: Any,
    out_amount: Any,
    out_channel: Any,
    out_txn_id: Any,
    in_pos: Any,
) -> None:  # pragma: no cover
    """Rows (in time order) written to their account's next out and in slots: a stable counting sort.

    One pass finds every row's slot; then each column is moved on its own thread (the moves are independent
    random writes, so two cores do them in about half the time).
    """
    positions = np.empty(len(src), np.int64)
    out_cursor = out_offsets[:-1].copy()
    in_cursor = in_offsets[:-1].copy()
    for row in range(len(src)):
        position = out_cursor[src[row]]
        out_cursor[src[row]] += 1
        positions[row] = position
        in_pos[in_cursor[dst[row]]] = position + position_base
        in_cursor[dst[row]] += 1
    for column in numba.prange(5):
        if column == 0:
            _move(dst, positions, out_dst)
        elif column == 1:
            _move(time, positions, out_time)
        elif column == 2:
            _move(amount, positions, out_amount)
        elif column == 3:
            _move(channel, positions, out_channel)
        else:
            _move(txn_id, positions, out_txn_id)


@numba.njit(cache=True, inline="always")
def _move(values: Any, positions: Any, out: Any) -> None:  # pragma: no cover
    for row in range(len(values)):
        out[positions[row]] = values[row]
