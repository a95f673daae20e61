"""The Parquet flow store: append-only, idempotent, all or nothing; scans pruned by day; arrays for engines."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanzha.intake.errors import IngestError
from fanzha.model import TransactionChannel
from fanzha.store.flow_schema import TRANSACTION_SCHEMA
from fanzha.store.flows import CHANNEL_CODES, AppendResult, FlowStore

START = datetime(2026, 9, 1, tzinfo=UTC)


def record(
    txn_id: int, hours: float, src: str = "A", dst: str = "B", amount: int = 100, **extra: Any
) -> dict[str, Any]:
    return {
        "txn_id": txn_id,
        "time": START + timedelta(hours=hours),
        "src_account": src,
        "dst_account": dst,
        "amount_minor": amount,
        "currency": "CNY",
        "channel": extra.get("channel", "transfer"),
        "src_bank": extra.get("src_bank"),
        "dst_bank": None,
        "memo": extra.get("memo"),
    }


def table(*records: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(records), schema=TRANSACTION_SCHEMA)


def three_days() -> pa.Table:
    return table(
        record(1, 1, "A", "B"),
        record(2, 25, "B", "C", channel="merchant"),
        record(3, 49, "C", "D", memo="货款"),
        record(4, 49.5, "X", "Y"),
    )


def stored(store: FlowStore) -> list[dict[str, Any]]:
    return sorted(store.scan().to_pylist(), key=lambda row: row["txn_id"])


def test_append_is_idempotent(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    assert store.append(three_days()) == AppendResult(inserted=4, unchanged=0)
    before = stored(store)

    assert store.append(three_days()) == AppendResult(inserted=0, unchanged=4)
    assert store.append(table(record(2, 25, "B", "C", channel="merchant"), record(5, 2))) == AppendResult(
        1, 1
    )

    assert stored(store) == sorted([*before, record(5, 2)], key=lambda row: row["txn_id"])
    assert sorted(path.parent.name for path in (tmp_path / "flows").glob("day=*/*.parquet")) == [
        "day=2026-09-01", "day=2026-09-01", "day=2026-09-02", "day=2026-09-03",
    ]  # fmt: skip


def test_repeats_within_a_batch(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    assert store.append(table(record(1, 1), record(1, 1), record(2, 2))) == AppendResult(2, 1)

    with pytest.raises(IngestError) as error:
        store.append(table(record(9, 1), record(9, 1, amount=101), record(10, 3)))
    assert [(record.location, record.field) for record in error.value.errors] == [("txn_id 9", "txn_id")]
    assert [row["txn_id"] for row in stored(store)] == [1, 2]


def test_stored_record_offered_with_other_content_is_kept_and_counted(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    store.append(table(record(1, 1, amount=100)))
    assert store.append(table(record(1, 1, amount=999))) == AppendResult(0, 1, conflicting=1)
    assert stored(store)[0]["amount_minor"] == 100


def test_failure_while_writing_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FlowStore(tmp_path / "flows")
    store.append(table(record(1, 1)))
    before = stored(store)
    real_write = pq.write_table
    calls = []

    def write_then_fail(*args: Any, **kwargs: Any) -> None:
        calls.append(args[1])
        if len(calls) == 2:
            raise OSError("disk full")
        real_write(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        store.append(three_days())

    assert len(calls) == 2
    assert stored(store) == before
    assert not any((tmp_path / "flows" / ".staging").iterdir())


def test_failure_while_publishing_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FlowStore(tmp_path / "flows")
    store.append(table(record(1, 1)))
    before = stored(store)
    real_replace = os.replace
    moved: list[str] = []

    def replace_then_fail(source: Any, target: Any) -> None:
        moved.append(str(target))
        if len(moved) == 2:  # the batch touches two new days: the first file is already in place
            raise OSError("device went away")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(OSError, match="went away"):
        store.append(three_days())
    monkeypatch.setattr(os, "replace", real_replace)

    assert len(moved) == 2
    assert stored(store) == before
    assert store.append(three_days()).inserted == 3


def test_crash_recovery_rolls_committed_batches_forward_and_drops_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "flows"
    committed = root / ".staging" / "b1" / "day=2026-09-05"
    committed.mkdir(parents=True)
    pq.write_table(table(record(50, 24 * 4 + 1)), committed / "part-b1.parquet")
    (root / ".staging" / "b1" / "COMMIT").write_text(json.dumps(["day=2026-09-05/part-b1.parquet"]))
    unfinished = root / ".staging" / "b2" / "day=2026-09-06"
    unfinished.mkdir(parents=True)
    pq.write_table(table(record(60, 24 * 5 + 1)), unfinished / "part-b2.parquet")
    store = FlowStore(root)
    assert store.stats().rows == 0  # staged files are never read

    store.append(table(record(1, 1)))

    assert [row["txn_id"] for row in stored(store)] == [1, 50]
    assert not any((root / ".staging").iterdir())


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda t: t.drop_columns(["memo"]), "memo", "column is missing"),
        (
            lambda t: t.append_column("extra", pa.array([1] * t.num_rows)),
            "extra",
            "column is not in the flow schema",
        ),
        (
            lambda t: t.set_column(1, "time", t.column("time").cast(pa.timestamp("us"))),
            "time",
            "needs timezone-aware",
        ),
        (
            lambda t: t.set_column(6, "channel", pa.array(["teleport"] * t.num_rows)),
            "channel",
            "unknown channel",
        ),
        (
            lambda t: t.set_column(4, "amount_minor", pa.array([0] * t.num_rows, pa.int64())),
            "amount_minor",
            "positive",
        ),
        (
            lambda t: t.set_column(2, "src_account", pa.array([None] * t.num_rows, pa.string())),
            "src_account",
            "missing",
        ),
        (
            lambda t: t.set_column(4, "amount_minor", pa.array(["x"] * t.num_rows)),
            "amount_minor",
            "cannot read",
        ),
    ],
)
def test_schema_is_checked(tmp_path: Path, change: Any, field: str, message: str) -> None:
    store = FlowStore(tmp_path / "flows")
    with pytest.raises(IngestError) as error:
        store.append(change(three_days()))
    assert error.value.errors[0].field == field
    assert message in error.value.errors[0].message
    assert store.stats().rows == 0


def test_castable_types_are_accepted(tmp_path: Path) -> None:
    original = three_days()
    loose = original.set_column(
        1, "time", original.column("time").cast(pa.timestamp("ns", tz="Asia/Shanghai"))
    )
    loose = loose.set_column(4, "amount_minor", original.column("amount_minor").cast(pa.int32()))
    store = FlowStore(tmp_path / "flows")
    store.append(loose)
    assert store.scan().equals(original)


def test_scan_filters_and_prunes_days(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    store.append(three_days())

    day2 = store.scan(START + timedelta(days=1), START + timedelta(days=2))
    assert day2.column("txn_id").to_pylist() == [2]
    assert store.scan(START + timedelta(hours=1), START + timedelta(hours=49)).column(
        "txn_id"
    ).to_pylist() == [1, 2]
    assert store.scan(accounts=["C"]).column("txn_id").to_pylist() == [2, 3]
    assert store.scan(start=START + timedelta(days=2), accounts={"Y", "nobody"}).column(
        "txn_id"
    ).to_pylist() == [4]
    assert store.scan().schema == TRANSACTION_SCHEMA

    for part in (tmp_path / "flows" / "day=2026-09-03").glob("*.parquet"):
        part.write_bytes(b"not parquet at all")
    assert store.scan(START, START + timedelta(days=2)).num_rows == 2  # the broken day is never opened
    with pytest.raises(Exception, match=r"(?i)parquet|magic"):
        store.scan(START, START + timedelta(days=3))


def test_scan_refuses_naive_bounds(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FlowStore(tmp_path).scan(start=datetime(2026, 9, 1))


def test_sql_view_and_stats(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    store.append(three_days())

    result = store.sql("SELECT channel, count(*) AS n FROM transactions GROUP BY channel ORDER BY channel")
    assert result.to_pylist() == [{"channel": "merchant", "n": 1}, {"channel": "transfer", "n": 3}]
    assert store.sql(
        "SELECT count(*) AS n FROM transactions WHERE day = ?::DATE", ["2026-09-03"]
    ).to_pylist() == [{"n": 2}]
    stats = store.stats()
    assert (stats.rows, stats.days, stats.accounts, stats.files) == (4, 3, 6, 3)
    assert stats.first_time == START + timedelta(hours=1)
    assert stats.last_time == START + timedelta(hours=49.5)
    assert stats.bytes > 0


def test_empty_store(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "nothing-here")
    assert store.scan().num_rows == 0
    assert store.sql("SELECT count(*) AS n FROM transactions").to_pylist() == [{"n": 0}]
    assert len(store.load_arrays()) == 0
    assert store.stats().rows == 0


def test_from_settings_uses_fanzha_home(fanzha_home: Path) -> None:
    assert FlowStore.from_settings().path == fanzha_home / "flows"


def test_simulator_folder_is_a_flow_store(tmp_path: Path) -> None:
    from fanzha.sim import generate_scenario

    summary = generate_scenario(tmp_path / "scenario", "tiny", seed=5)
    store = FlowStore(tmp_path / "scenario" / "transactions")
    ledger = store.load_arrays()
    assert len(ledger) == summary.manifest["counts"]["transactions"] == store.stats().rows
    assert np.all(np.diff(ledger.time) >= 0)


def reference(rows: list[dict[str, Any]], start: datetime | None, end: datetime | None) -> dict[str, Any]:
    """The ledger built the plain way: filter, sort with Python, dictionary from a sorted set."""
    kept = [
        row for row in rows if (start is None or row["time"] >= start) and (end is None or row["time"] < end)
    ]
    kept.sort(key=lambda row: (row["time"], row["txn_id"]))
    accounts = sorted({row["src_account"] for row in kept} | {row["dst_account"] for row in kept})
    index = {account: position for position, account in enumerate(accounts)}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    codes = {channel.value: code for code, channel in enumerate(CHANNEL_CODES)}
    return {
        "accounts": accounts,
        "src": [index[row["src_account"]] for row in kept],
        "dst": [index[row["dst_account"]] for row in kept],
        "time": [(row["time"] - epoch) // timedelta(microseconds=1) for row in kept],
        "amount": [row["amount_minor"] for row in kept],
        "channel": [codes[row["channel"]] for row in kept],
        "txn_id": [row["txn_id"] for row in kept],
    }


ledger_rows = st.lists(
    st.fixed_dictionaries(
        {
            "quarter_hours": st.integers(min_value=0, max_value=4 * 24 * 4),  # four days, ties likely
            "src": st.sampled_from(["6222000000000001", "6217000000000002", "ATM:7", "MCH:甲", "b", "a"]),
            "dst": st.sampled_from(["6222000000000001", "6228480000000003", "EXCH:1", "a", "z"]),
            "amount": st.integers(min_value=1, max_value=10**12),
            "channel": st.sampled_from(list(TransactionChannel)),
        }
    ),
    min_size=0,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=ledger_rows,
    batches=st.integers(min_value=1, max_value=3),
    window=st.tuples(st.none() | st.integers(0, 96 * 4), st.none() | st.integers(0, 96 * 4)),
)
def test_load_arrays_matches_a_plain_reference(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, Any]],
    batches: int,
    window: tuple[int | None, int | None],
) -> None:
    records = [
        record(
            txn_id=(index * 7919) % 1000,
            hours=row["quarter_hours"] / 4,
            src=row["src"],
            dst=row["dst"],
            amount=row["amount"],
            channel=row["channel"].value,
        )
        for index, row in enumerate(rows)
    ]
    store = FlowStore(tmp_path_factory.mktemp("ledger") / "flows")
    for batch in range(batches):  # several files per day, so runs must be merged
        part = records[batch::batches]
        if part:
            store.append(table(*part))
    start, end = (None if bound is None else START + timedelta(minutes=15 * bound) for bound in window)

    ledger = store.load_arrays(start, end)
    expected = reference(records, start, end)

    assert ledger.accounts.tolist() == expected["accounts"]
    for name in ("src", "dst", "time", "amount", "channel", "txn_id"):
        assert getattr(ledger, name).tolist() == expected[name], name
    assert [ledger.src.dtype, ledger.time.dtype, ledger.channel.dtype] == [
        np.dtype(np.int32),
        np.dtype(np.int64),
        np.dtype(np.int8),
    ]
    if expected["accounts"]:
        assert ledger.account_index(expected["accounts"][-1]) == len(expected["accounts"]) - 1
    assert ledger.account_index("not-an-account") == -1
