"""Reading transaction records in the flow columns (Parquet, CSV in UTF-8 or GB18030)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanzha.config import Settings
from fanzha.intake.errors import IngestError
from fanzha.intake.transactions import MAX_LISTED, ingest_transactions, read_transactions
from fanzha.model import MAX_AMOUNT_MINOR, TransactionChannel
from fanzha.store.flow_schema import TRANSACTION_SCHEMA
from fanzha.store.flows import FlowStore

NOW = datetime(2026, 10, 1, tzinfo=UTC)
HEADER = "txn_id,time,src_account,dst_account,amount_minor,currency,channel,src_bank,dst_bank,memo\n"


def write_csv(path: Path, body: str, encoding: str = "utf-8", header: str = HEADER) -> Path:
    path.write_bytes((header + body).encode(encoding))
    return path


def test_csv_rows_are_converted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        "7,2026-09-01 12:00:00,6222 0212-3456 7890 128,ATM:A1,10000,cny,ATM_WITHDRAWAL,ICBC,,取现\n"
        ",2026-09-01T04:00:00Z,A,B,500,,,,,\n"
        "9,2026/09/02 08:00+08:00,Ｂ１２３,C,1,USDT,crypto_exchange,,,\n",
    )

    rows = read_transactions(path, now=NOW).to_pylist()

    assert rows[0] == {
        "txn_id": 7,
        "time": datetime(2026, 9, 1, 4, 0, tzinfo=UTC),
        "src_account": "6222021234567890128",
        "dst_account": "ATM:A1",
        "amount_minor": 10000,
        "currency": "CNY",
        "channel": "atm_withdrawal",
        "src_bank": "ICBC",
        "dst_bank": None,
        "memo": "取现",
    }
    assert rows[1]["channel"] == "transfer"
    assert rows[1]["currency"] == "CNY"
    assert 0 <= rows[1]["txn_id"] < 2**63
    assert rows[2]["time"] == datetime(2026, 9, 2, 0, 0, tzinfo=UTC)
    assert rows[2]["src_account"] == "B123"


def test_gb18030_csv_is_detected(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "gb.csv", "1,2026-09-01 12:00:00,A,B,100,CNY,transfer,,,网银转账 货款\n", "gb18030"
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert read_transactions(path, now=NOW).column("memo").to_pylist() == ["网银转账 货款"]


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "f.tsv"
    path.write_text(
        "time\tsrc_account\tdst_account\tamount_minor\n2026-09-01 00:00\tA\tB\t5\n", encoding="utf-8"
    )
    assert read_transactions(path, now=NOW).column("amount_minor").to_pylist() == [5]


def test_naive_times_follow_the_configured_timezone(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", "1,2026-09-01 12:00:00,A,B,100,,,,,\n")
    utc = read_transactions(path, now=NOW, settings=Settings(timezone="UTC"))
    berlin = read_transactions(path, now=NOW, settings=Settings(timezone="Europe/Berlin"))
    assert utc.column("time")[0].as_py() == datetime(2026, 9, 1, 12, tzinfo=UTC)
    assert berlin.column("time")[0].as_py() == datetime(2026, 9, 1, 10, tzinfo=UTC)


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        "1,2026-09-01 12:00:00,A,B,100,,,,,\n"
        "2,2026-13-01 12:00,A,,abc,XX!,teleport,,,\n"
        "3,2099-01-01 00:00,A,B,-5,,,,,\n"
        f"4,2026-09-02 08:00,A,B,{MAX_AMOUNT_MINOR + 1},,,,,\n"
        "5,yesterday,A,B,0,,,,,\n"
        "-6,2026-09-02 08:00,A,B,1,,,,,\n",
    )
    store = FlowStore(tmp_path / "flows")

    with pytest.raises(IngestError) as error:
        ingest_transactions(path, store, now=NOW)

    found = [(record.location, record.field, record.message) for record in error.value.errors]
    assert found == [
        ("data row 2", "time", "not a valid time: '2026-13-01 12:00'"),
        ("data row 2", "dst_account", "account is missing"),
        ("data row 2", "amount_minor", "amount is not a whole number of minor units: 'abc'"),
        ("data row 2", "currency", "not a currency code: 'XX!'"),
        ("data row 2", "channel", "unknown channel: 'teleport'"),
        ("data row 3", "time", "time is in the future: 2098-12-31T16:00:00+00:00"),
        ("data row 3", "amount_minor", "amount must be positive: -5"),
        (
            "data row 4",
            "amount_minor",
            f"amount is absurd (more than {MAX_AMOUNT_MINOR}): {MAX_AMOUNT_MINOR + 1}",
        ),
        ("data row 5", "time", "not a date and time: 'yesterday'"),
        ("data row 5", "amount_minor", "amount must be positive: 0"),
        ("data row 6", "txn_id", "txn_id is outside [0, 2^63): -6"),
    ]
    assert all(record.source == str(path) for record in error.value.errors)
    assert store.stats().rows == 0


def test_clock_skew_allowance(tmp_path: Path) -> None:
    soon = (NOW + timedelta(minutes=4)).isoformat()
    late = (NOW + timedelta(minutes=6)).isoformat()
    assert read_transactions(write_csv(tmp_path / "a.csv", f"1,{soon},A,B,1,,,,,\n"), now=NOW).num_rows == 1
    with pytest.raises(IngestError, match="in the future"):
        read_transactions(write_csv(tmp_path / "b.csv", f"1,{late},A,B,1,,,,,\n"), now=NOW)


def test_listing_is_capped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "many.csv", "".join(f"{i},2026-09-01,A,B,abc,,,,,\n" for i in range(MAX_LISTED + 50))
    )
    with pytest.raises(IngestError) as error:
        read_transactions(path, now=NOW)
    assert len(error.value.errors) == MAX_LISTED + 1
    assert error.value.errors[-1].message == "50 more bad value(s) not listed"
    assert "… and" in str(error.value)


def test_ragged_rows_and_missing_columns(tmp_path: Path) -> None:
    ragged = write_csv(tmp_path / "r.csv", "1,2026-09-01,A,B,1,,,,,\n2,2026-09-01,A,B\n")
    with pytest.raises(IngestError, match="data row 2 has 4 fields, the header 10"):
        read_transactions(ragged, now=NOW)
    missing = write_csv(tmp_path / "m.csv", "2026-09-01,A,B\n", header="time,src_account,dst_account\n")
    with pytest.raises(IngestError) as error:
        read_transactions(missing, now=NOW)
    assert [(record.location, record.field) for record in error.value.errors] == [("file", "amount_minor")]


def test_unknown_file_type_and_broken_parquet(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="unknown file type"):
        read_transactions(tmp_path / "x.json", now=NOW)
    broken = tmp_path / "x.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(IngestError, match="not a readable Parquet file"):
        read_transactions(broken, now=NOW)


def schema_table(rows: int = 3) -> pa.Table:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    return pa.Table.from_pylist(
        [
            {
                "txn_id": index + 1,
                "time": start + timedelta(hours=index),
                "src_account": f"62220212345678{index:05d}",
                "dst_account": "MCH:42",
                "amount_minor": 100 * (index + 1),
                "currency": "CNY",
                "channel": "merchant",
                "src_bank": "ICBC",
                "dst_bank": None,
                "memo": None,
            }
            for index in range(rows)
        ],
        schema=TRANSACTION_SCHEMA,
    )


def test_parquet_in_the_schema_reads_back_unchanged(tmp_path: Path) -> None:
    table = schema_table()
    pq.write_table(table, tmp_path / "t.parquet")
    assert read_transactions(tmp_path / "t.parquet", now=NOW).equals(table)


def test_castable_parquet(tmp_path: Path) -> None:
    table = schema_table()
    loose = pa.table(
        {
            "time": table.column("time").cast(pa.timestamp("ns")),  # naive: Asia/Shanghai
            "src_account": table.column("src_account"),
            "dst_account": table.column("dst_account"),
            "amount_minor": table.column("amount_minor").cast(pa.int32()),
            "txn_id": pa.array(["1", "2", "3"]),
        }
    )
    pq.write_table(loose, tmp_path / "loose.parquet")

    read = read_transactions(tmp_path / "loose.parquet", now=NOW)

    assert read.schema == TRANSACTION_SCHEMA
    assert read.column("time")[0].as_py() == datetime(2026, 8, 31, 16, tzinfo=UTC)
    assert read.column("txn_id").to_pylist() == [1, 2, 3]
    assert read.column("channel").to_pylist() == ["transfer"] * 3


def test_reingest_without_txn_id_adds_nothing_and_keeps_twins(tmp_path: Path) -> None:
    body = ",2026-09-01 12:00:00,A,B,100,,,,,\n" * 2 + ",2026-09-01 12:00:00,A,B,101,,,,,\n"
    store = FlowStore(tmp_path / "flows")
    first = ingest_transactions(write_csv(tmp_path / "a.csv", body), store, now=NOW)
    again = ingest_transactions(write_csv(tmp_path / "b.csv", body), store, now=NOW)
    assert (first.inserted, again.inserted, again.unchanged) == (3, 0, 3)


def test_simulator_transactions_ingest(tmp_path: Path) -> None:
    from fanzha.sim import generate_scenario

    summary = generate_scenario(tmp_path / "scenario", "tiny", seed=3)
    store = FlowStore(tmp_path / "flows")
    parts = sorted((tmp_path / "scenario" / "transactions").glob("day=*/*.parquet"))
    inserted = sum(ingest_transactions(part, store, now=NOW).inserted for part in parts)
    assert inserted == summary.manifest["counts"]["transactions"] == store.stats().rows


records = st.fixed_dictionaries(
    {
        "minutes": st.integers(min_value=0, max_value=60 * 24 * 29),
        "src": st.from_regex(r"[0-9]{9,19}|MCH:[a-z]{1,5}", fullmatch=True),
        "dst": st.from_regex(r"[0-9]{9,19}", fullmatch=True),
        "amount": st.integers(min_value=1, max_value=MAX_AMOUNT_MINOR),
        "channel": st.sampled_from([channel.value for channel in TransactionChannel]),
        "memo": st.text(alphabet="转账货款工资 abc", max_size=12),
    }
)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(records, min_size=1, max_size=20), encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_csv_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]], encoding: str
) -> None:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    lines = "".join(
        f"{index},{(start + timedelta(minutes=row['minutes'])).isoformat()},{row['src']},{row['dst']},"
        f'{row["amount"]},CNY,{row["channel"]},,,"{row["memo"]}"\n'
        for index, row in enumerate(rows)
    )
    path = write_csv(tmp_path_factory.mktemp("rt") / "f.csv", lines, encoding)

    read = read_transactions(path, now=NOW).to_pylist()

    assert [
        (r["txn_id"], r["src_account"], r["dst_account"], r["amount_minor"], r["channel"]) for r in read
    ] == [(index, row["src"], row["dst"], row["amount"], row["channel"]) for index, row in enumerate(rows)]
    assert [r["time"] for r in read] == [start + timedelta(minutes=row["minutes"]) for row in rows]
    assert [r["memo"] for r in read] == [str(row["memo"]).strip() or None for row in rows]
