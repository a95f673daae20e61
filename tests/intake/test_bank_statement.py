"""Bank statement exports (银行流水) as banks send them: fixtures are built here, in tmp_path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from fanzha.config import Settings
from fanzha.intake.bank_statement import (
    BankStatement,
    StatementMapping,
    fold_header,
    ingest_bank_statement,
    load_mapping,
    read_bank_statement,
)
from fanzha.intake.errors import IngestError
from fanzha.store.flow_schema import TRANSACTION_SCHEMA
from fanzha.store.flows import FlowStore

NOW = datetime(2026, 10, 1, tzinfo=UTC)
OWN = "6222021234567890128"
ICBC_HEADER = [
    "交易日期", "交易时间", "借贷标志", "交易金额", "余额", "对方账号", "对方户名", "对方行名", "摘要",
    "交易流水号", "币种", "交易渠道",
]  # fmt: skip


def icbc_rows() -> list[list[Any]]:
    """Data rows of an ICBC-like export: date and clock in two columns, 借贷标志, signed-free amounts."""
    return [
        [date(2026, 9, 1), "09:15:30", "贷", 5000.0, 15000.0, "6217 0000 0000 0000 017", "李四",
         "中国建设银行深圳南山支行", "跨行转入", "F0901000001", "人民币", "网银"],
        [date(2026, 9, 1), "10:02:11", "借", "1,234.56", "13,765.44", "2088123412341234",
         "支付宝(中国)网络技术有限公司", "", "支付宝快捷支付", "F0901000002", "人民币", "第三方"],
        [date(2026, 9, 2), "14:30:00", "借", "2,000.00", "11,765.44", None, None, None, "ATM取款",
         "F0902000003", "人民币", "ATM"],
        [date(2026, 9, 3), "20:11:05", "借", "88.00", "11,677.44", None, "沃尔玛深圳店", None, "消费",
         "F0903000004", "人民币", "POS"],
        [date(2026, 9, 5), "02:00:00", "贷", "8,000.00", "19,677.44", "4000012345678", "某某科技有限公司",
         "招商银行深圳分行", "代发工资", "F0905000005", "人民币", "批量"],
        ["合计", None, None, "19,322.56", None, None, None, None, None, None, None, None],
    ]  # fmt: skip


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "交易明细") -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def icbc_workbook(path: Path, data: list[list[Any]] | None = None) -> Path:
    title: list[list[Any]] = [
        ["中国工商银行个人客户账户交易明细"],
        ["账号：6222 0212 3456 7890 128", None, "户名：张三"],
        ["起止日期：2026-09-01 至 2026-09-30"],
    ]
    return write_xlsx(path, [*title, ICBC_HEADER, *(icbc_rows() if data is None else data)])


CMB_TEXT = """招商银行交易流水
户 名：王五,,账号：6214 8301 2345 6789,,币 种：人民币
起止日期：2026-09-01 -- 2026-09-30

记账日期,交易时间,收入,支出,余额,交易摘要,对手信息
2026/09/01,08:00:00,"¥3,000.00",,"13,000.00",转账汇入,李四 6217000000000000017
2026/09/01,12:00:00,,"-500.00","12,500.00",财付通-微信转账,财付通支付科技有限公司 243300133
2026/09/02,09:30:00,,"1,000.00","11,500.00",跨行转出,赵六 6228480000000000018
2026/09/02,09:30:00,,"1,000.00","10,500.00",跨行转出,赵六 6228480000000000018
"""


def cmb_csv(path: Path, text: str = CMB_TEXT) -> Path:
    path.write_bytes(text.encode("gb18030"))
    return path


def shanghai(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


def rows_of(statement: BankStatement) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = statement.table.to_pylist()
    return rows


def messages(error: pytest.ExceptionInfo[IngestError]) -> list[str]:
    return [str(record) for record in error.value.errors]


def test_icbc_layout_with_debit_credit_mark(tmp_path: Path) -> None:
    statement = read_bank_statement(icbc_workbook(tmp_path / "icbc.xlsx"), now=NOW)

    assert statement.account == OWN
    assert statement.holder == "张三"
    assert statement.bank == "ICBC"
    assert statement.sheets == ("交易明细",)
    assert statement.skipped == 1  # the 合计 footer
    assert statement.table.schema == TRANSACTION_SCHEMA
    rows = rows_of(statement)
    assert [
        (row["src_account"], row["dst_account"], row["amount_minor"], row["channel"]) for row in rows
    ] == [
        ("6217000000000000017", OWN, 500000, "transfer"),
        (OWN, "2088123412341234", 123456, "third_party"),
        (OWN, f"ATM:{OWN}", 200000, "atm_withdrawal"),
        (OWN, "MCH:沃尔玛深圳店", 8800, "merchant"),
        ("4000012345678", OWN, 800000, "salary"),
    ]
    assert rows[0]["time"] == shanghai(2026, 9, 1, 9, 15, 30)
    assert rows[0]["src_bank"] == "CCB"
    assert rows[0]["dst_bank"] == "ICBC"
    assert rows[4]["src_bank"] == "CMB"
    assert rows[1]["memo"] == "支付宝快捷支付"
    assert statement.columns["借贷标志"] == "direction"


def test_cmb_layout_in_gb18030_with_title_block(tmp_path: Path) -> None:
    path = cmb_csv(tmp_path / "cmb.csv")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    statement = read_bank_statement(path, now=NOW)

    assert statement.account == "6214830123456789"
    assert statement.holder == "王五"
    assert statement.bank == "CMB"
    rows = rows_of(statement)
    assert [(row["src_account"], row["dst_account"], row["amount_minor"]) for row in rows] == [
        ("6217000000000000017", "6214830123456789", 300000),
        ("6214830123456789", "243300133", 50000),
        ("6214830123456789", "6228480000000000018", 100000),
        ("6214830123456789", "6228480000000000018", 100000),
    ]
    assert rows[1]["channel"] == "third_party"
    assert rows[1]["memo"] == "财付通-微信转账"
    assert rows[0]["time"] == shanghai(2026, 9, 1, 8, 0, 0)
    assert rows[2]["txn_id"] != rows[3]["txn_id"]  # twins told apart by their balance


def test_same_statement_twice_adds_nothing(tmp_path: Path) -> None:
    store = FlowStore(tmp_path / "flows")
    icbc = icbc_workbook(tmp_path / "icbc.xlsx")
    cmb = cmb_csv(tmp_path / "cmb.csv")

    first = [ingest_bank_statement(path, store, now=NOW) for path in (icbc, cmb)]
    again = [ingest_bank_statement(path, store, now=NOW) for path in (icbc, cmb)]

    assert [result.inserted for result in first] == [5, 4]
    assert [(result.inserted, result.unchanged) for result in again] == [(0, 5), (0, 4)]
    assert store.stats().rows == 9


def test_twin_rows_without_serial_both_survive_and_stay_stable(tmp_path: Path) -> None:
    twins = CMB_TEXT.replace('"10,500.00"', '"11,500.00"')  # same content, same balance
    first = read_bank_statement(cmb_csv(tmp_path / "a.csv", twins), now=NOW)
    second = read_bank_statement(cmb_csv(tmp_path / "b.csv", twins), now=NOW)

    ids = first.table.column("txn_id").to_pylist()
    assert len(set(ids)) == 4
    assert ids == second.table.column("txn_id").to_pylist()


def test_signed_amount_without_direction_and_english_headers(tmp_path: Path) -> None:
    path = tmp_path / "hsbc.csv"
    path.write_text(
        "Account Number: 6222021234567890128\n"
        "Transaction Date,Description,Amount,Balance,Counterparty Account,Reference,Currency\n"
        "2026-09-03 10:00:00+08:00,Transfer to savings,-250.50,100.00,6217000000000000017,R1,USD\n"
        '2026-09-04T01:00:00Z,Salary payroll,"1,000.00",1100.00,4000012345678,R2,USD\n',
        encoding="utf-8",
    )

    rows = rows_of(read_bank_statement(path, now=NOW))

    assert [
        (row["src_account"], row["dst_account"], row["amount_minor"], row["currency"]) for row in rows
    ] == [
        (OWN, "6217000000000000017", 25050, "USD"),
        ("4000012345678", OWN, 100000, "USD"),
    ]
    assert rows[0]["time"] == datetime(2026, 9, 3, 2, 0, tzinfo=UTC)
    assert rows[1]["channel"] == "salary"


def test_layout_that_needs_a_mapping_file(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "odd.xlsx",
        [
            ["Statement export v2"],
            ["generated by core banking"],
            ["Txn Dt", "Tm", "Amt", "DrCr", "Other A/C", "Ref #"],
            ["03/09/2026", "1405", "1200.00", "WD", "6217000000000000017", "X-1"],
            ["04/09/2026", "0930", "50", "DP", "6228480000000000018", "X-2"],
        ],
        sheet="Sheet1",
    )
    with pytest.raises(IngestError, match="no header row found"):
        read_bank_statement(path, account=OWN, now=NOW)
    mapping = tmp_path / "odd.toml"
    mapping.write_text(
        'header_row = 3\ndate_format = "%d/%m/%Y"\ntime_format = "%H%M"\ntimezone = "Asia/Hong_Kong"\n'
        'currency = "HKD"\ndebit_words = ["WD"]\ncredit_words = ["DP"]\naccount = "6222021234567890128"\n'
        '[columns]\n"Txn Dt" = "date"\n"Tm" = "clock"\n"Amt" = "amount"\n"DrCr" = "direction"\n'
        '"Other A/C" = "counterparty_account"\n"Ref #" = "serial"\n',
        encoding="utf-8",
    )

    rows = rows_of(read_bank_statement(path, mapping=mapping, now=NOW))

    assert [
        (row["src_account"], row["dst_account"], row["amount_minor"], row["currency"]) for row in rows
    ] == [
        (OWN, "6217000000000000017", 120000, "HKD"),
        ("6228480000000000018", OWN, 5000, "HKD"),
    ]
    assert rows[0]["time"] == datetime(2026, 9, 3, 6, 5, tzinfo=UTC)


def test_json_mapping_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "m.json"
    good.write_text(json.dumps({"columns": {"日期X": "date"}, "negative_is": "credit"}), encoding="utf-8")
    assert load_mapping(good) == StatementMapping(columns={"日期X": "date"}, negative_is="credit")

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"columns": {"日期X": "when"}, "colour": "red"}), encoding="utf-8")
    with pytest.raises(IngestError) as error:
        load_mapping(bad)
    fields = {record.field for record in error.value.errors}
    assert fields == {"columns.日期X", "colour"}


def test_truncated_workbook_is_a_clear_error(tmp_path: Path) -> None:
    whole = icbc_workbook(tmp_path / "whole.xlsx").read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(IngestError) as error:
        read_bank_statement(broken, now=NOW)

    assert "truncated or damaged" in str(error.value)
    assert error.value.errors[0].source == str(broken)


def test_old_binary_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(IngestError, match=r"save it as \.xlsx"):
        read_bank_statement(path, now=NOW)


def test_bad_rows_name_sheet_row_and_header(tmp_path: Path) -> None:
    data = icbc_rows()[:3]
    data[0][3] = "abc"  # row 5
    data[1][0] = "2026-02-30"  # row 6
    data[2][2] = "?"  # row 7
    path = icbc_workbook(tmp_path / "bad.xlsx", data)

    with pytest.raises(IngestError) as error:
        read_bank_statement(path, now=NOW)

    assert messages(error) == [
        f"{path}: sheet 交易明细 row 5, field '交易金额': not an amount: 'abc'",
        f"{path}: sheet 交易明细 row 6, field '交易时间/交易日期': not a valid date and time: '2026-02-30'",
        f"{path}: sheet 交易明细 row 7, field '借贷标志': unknown debit/credit mark '?'",
    ]


def test_negative_zero_absurd_and_future(tmp_path: Path) -> None:
    data = icbc_rows()[:4]
    data[0][3] = "-500.00"  # negative, marked 贷
    data[1][3] = "0.00"
    data[2][3] = "9,999,999,999,999.99"
    data[3][0] = date(2027, 1, 1)
    path = icbc_workbook(tmp_path / "bad.xlsx", data)

    with pytest.raises(IngestError) as error:
        read_bank_statement(path, now=NOW)

    found = [(record.location, record.field, record.message.split(":")[0]) for record in error.value.errors]
    assert found == [
        ("sheet 交易明细 row 5", "交易金额/借贷标志", "a negative amount is marked as credit"),
        ("sheet 交易明细 row 6", "交易金额", "amount must be positive"),
        ("sheet 交易明细 row 7", "交易金额", "amount is absurd (more than 100000000000000)"),
        ("sheet 交易明细 row 8", "交易时间/交易日期", "time is in the future"),
    ]


def test_a_time_just_past_now_is_clock_skew(tmp_path: Path) -> None:
    data = icbc_rows()[:1]
    data[0][0], data[0][1] = date(2026, 10, 1), "08:03:00"  # 00:03 UTC, three minutes after NOW
    statement = read_bank_statement(icbc_workbook(tmp_path / "s.xlsx", data), now=NOW)
    assert statement.table.num_rows == 1


def test_repeated_serial(tmp_path: Path) -> None:
    same = icbc_rows()[:2]
    same.append(list(same[1]))
    statement = read_bank_statement(icbc_workbook(tmp_path / "same.xlsx", same), now=NOW)
    assert statement.table.num_rows == 2
    assert statement.repeats == 1

    different = icbc_rows()[:2]
    different.append(list(different[1]))
    different[2][3] = "9.99"
    with pytest.raises(IngestError) as error:
        read_bank_statement(icbc_workbook(tmp_path / "diff.xlsx", different), now=NOW)
    assert messages(error) == [
        f"{tmp_path / 'diff.xlsx'}: sheet 交易明细 row 7, field '交易流水号': "
        "serial repeats sheet 交易明细 row 6 with different content"
    ]


def test_serials_reused_by_a_bank_with_serial_unique_off(tmp_path: Path) -> None:
    data = icbc_rows()[:2]
    data.append(list(data[1]))
    data[2][3], data[2][8] = "2.00", "手续费"
    mapping = StatementMapping(serial_unique=False)
    statement = read_bank_statement(icbc_workbook(tmp_path / "fee.xlsx", data), mapping=mapping, now=NOW)
    assert statement.table.num_rows == 3


def test_account_parameter_and_title_must_agree(tmp_path: Path) -> None:
    path = icbc_workbook(tmp_path / "icbc.xlsx")
    with pytest.raises(IngestError, match="is of account 6222021234567890128"):
        read_bank_statement(path, account="6217000000000000017", now=NOW)
    assert read_bank_statement(path, account="6222 0212 3456 7890 128", now=NOW).account == OWN


def test_statement_without_any_account_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "anon.xlsx", [ICBC_HEADER, *icbc_rows()[:2]])
    with pytest.raises(IngestError, match="names no account"):
        read_bank_statement(path, now=NOW)
    assert read_bank_statement(path, account=OWN, now=NOW).table.num_rows == 2


def test_account_number_stored_as_a_number_is_refused(tmp_path: Path) -> None:
    data = icbc_rows()[:1]
    data[0][5] = 6.217000000000000e18
    with pytest.raises(IngestError, match="lost digits"):
        read_bank_statement(icbc_workbook(tmp_path / "num.xlsx", data), now=NOW)


def test_page_headers_blank_rows_and_second_sheet(tmp_path: Path) -> None:
    rows = icbc_rows()
    workbook = Workbook()
    first = workbook.active
    first.title = "第1页"
    for row in [["账号：6222021234567890128"], ICBC_HEADER, rows[0], [], ICBC_HEADER, rows[1]]:
        first.append(row)
    second = workbook.create_sheet("第2页")
    for row in [ICBC_HEADER, rows[2]]:
        second.append(row)
    notes = workbook.create_sheet("说明")
    notes.append(["本流水仅供参考"])
    path = tmp_path / "pages.xlsx"
    workbook.save(path)

    statement = read_bank_statement(path, now=NOW)

    assert statement.sheets == ("第1页", "第2页")
    assert statement.table.num_rows == 3
    assert statement.skipped == 2
    assert set(statement.table.column("src_account").to_pylist()) >= {OWN}


def test_datetime_cells_and_combined_time_column(tmp_path: Path) -> None:
    header = ["交易时间", "收入", "支出", "对方账号", "交易流水号"]
    path = write_xlsx(
        tmp_path / "dt.xlsx",
        [
            ["卡号", "6222021234567890128"],
            header,
            [datetime(2026, 9, 1, 12, 0), 100, None, "6217000000000000017", 1],
            ["2026年9月2日 13时05分", None, 0.1 + 0.2, "6217000000000000017", 2],
            ["2026-09-03-08.30.15.123456", "20", "", "6217000000000000017", 3],
            ["20260904 101010", "5", None, "6217000000000000017", 4],
        ],
    )

    rows = rows_of(read_bank_statement(path, now=NOW))

    assert [row["time"] for row in rows] == [
        shanghai(2026, 9, 1, 12, 0, 0),
        shanghai(2026, 9, 2, 13, 5, 0),
        shanghai(2026, 9, 3, 8, 30, 15) + timedelta(microseconds=123456),
        shanghai(2026, 9, 4, 10, 10, 10),
    ]
    assert [row["amount_minor"] for row in rows] == [10000, 30, 2000, 500]
    assert [row["dst_account"] == OWN for row in rows] == [True, False, True, True]


def test_timezone_comes_from_settings(tmp_path: Path) -> None:
    path = icbc_workbook(tmp_path / "icbc.xlsx", icbc_rows()[:1])
    rows = rows_of(read_bank_statement(path, now=NOW, settings=Settings(timezone="UTC")))
    assert rows[0]["time"] == datetime(2026, 9, 1, 9, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("交易金额(元)", "amount"),
        (" 借方发生额 ", "debit"),
        ("贷方发生额（元）", "credit"),
        ("交易金额(支出)", "debit"),
        ("对方 户名", "counterparty_name"),
        ("Dr/Cr", "direction"),
        ("Reference No.", "serial"),
    ],
)
def test_header_aliases(tmp_path: Path, header: str, field: str) -> None:
    from fanzha.intake.bank_statement import _vocabulary

    assert _vocabulary(StatementMapping()).aliases[fold_header(header)] == field


@settings(max_examples=60, deadline=None)
@given(
    yuan=st.integers(min_value=1, max_value=10**11),
    fen=st.integers(min_value=0, max_value=99),
    style=st.sampled_from(["plain", "grouped", "yen", "fullwidth", "minus_debit"]),
)
def test_amount_spellings_become_fen(
    tmp_path_factory: pytest.TempPathFactory, yuan: int, fen: int, style: str
) -> None:
    grouped = f"{yuan:,}.{fen:02d}"
    text = {
        "plain": f"{yuan}.{fen:02d}",
        "grouped": grouped,
        "yen": f"¥{grouped}",
        "fullwidth": f"￥{grouped}",
        "minus_debit": f"-{grouped}",
    }[style]
    mark = "借" if style == "minus_debit" else "贷"
    data = icbc_rows()[:1]
    data[0][2], data[0][3] = mark, text
    path = icbc_workbook(tmp_path_factory.mktemp("amount") / "a.xlsx", data)

    rows = rows_of(read_bank_statement(path, now=NOW))

    assert rows[0]["amount_minor"] == yuan * 100 + fen
    assert (rows[0]["src_account"] == OWN) == (mark == "借")
