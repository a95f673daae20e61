"""Reading reports from JSON lines, CSV and Excel: every bad record named by file, line or row, and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from case_reports import MULE_CARD, VICTIM_CARD, case, tip
from fanzha.intake import IngestError
from fanzha.intake.reports import major_to_minor, parse_time_text, read_reports
from fanzha.model import IdentifierKind, PaymentRail, ReportKind

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)
    )
    return path


def _errors(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(IngestError) as caught:
        read_reports(path, now=NOW)
    return [(error.location, error.field) for error in caught.value.errors]


def test_json_lines_round_trip(tmp_path: Path) -> None:
    reports = [case("R1"), tip("T1", hours=3)]
    path = _jsonl(tmp_path / "r.jsonl", [r.model_dump(mode="json") for r in reports])
    assert read_reports(path, now=NOW) == reports


def test_naive_times_are_local_times(tmp_path: Path) -> None:
    record = tip("T1").model_dump(mode="json") | {"received_at": "2026-09-03 14:05:00"}
    [report] = read_reports(_jsonl(tmp_path / "r.jsonl", [record]), now=NOW)
    assert report.received_at == datetime(2026, 9, 3, 6, 5, tzinfo=UTC)


def test_every_bad_line_is_named(tmp_path: Path) -> None:
    good = case("R1").model_dump(mode="json")
    negative = json.loads(json.dumps(good)) | {"id": "R2"}
    negative["payments"][0]["amount"]["amount_minor"] = -5
    absurd = json.loads(json.dumps(good)) | {"id": "R3"}
    absurd["payments"][0]["amount"]["amount_minor"] = 10**16
    future = tip("T9").model_dump(mode="json") | {"received_at": "2027-01-01T00:00:00Z"}
    wrong_type = tip("T8").model_dump(mode="json") | {"received_at": "yesterday-ish"}
    path = _jsonl(tmp_path / "r.jsonl", [good, negative, absurd, future, wrong_type, '{"id": "R9", "kind'])
    assert _errors(path) == [
        ("line 2", "payments.0.amount.amount_minor"),
        ("line 3", "payments.0.amount.amount_minor"),
        ("line 4", "received_at"),
        ("line 5", "received_at"),
        ("line 6", ""),
    ]


def test_duplicate_ids_with_different_content_are_refused(tmp_path: Path) -> None:
    first = tip("T1").model_dump(mode="json")
    again = first | {"narrative": "something else"}
    assert _errors(_jsonl(tmp_path / "r.jsonl", [first, first, again])) == [("line 3", "id")]
    [kept] = read_reports(_jsonl(tmp_path / "same.jsonl", [first, first]), now=NOW)
    assert kept.id == "T1"


def test_gb18030_json_lines_are_read(tmp_path: Path) -> None:
    record = tip("T1", narrative="可疑来电，自称公安局").model_dump(mode="json")
    path = tmp_path / "r.jsonl"
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("gb18030"))
    [report] = read_reports(path, now=NOW)
    assert report.narrative == "可疑来电，自称公安局"


CHINESE_HEADER = [
    "报案编号", "类别", "渠道", "报案时间", "受理单位", "受害人账号", "简要案情", "诈骗类型",
    "转账时间", "转账金额", "收款账号", "收款银行", "支付方式", "嫌疑电话", "微信",
]  # fmt: skip


def _sheet_rows() -> list[list[Any]]:
    return [
        ["2026年9月受理报案台账"],
        CHINESE_HEADER,
        [
            "R100", "报案", "反诈APP", "2026-09-03 15:00", "440305", VICTIM_CARD, "刷单被骗", "brushing_rebate",
            "2026/9/3 14:05", "3.5万", MULE_CARD, "ICBC", "银行转账", "138 0013 8000; 0755-12345678", "wx_abc123",
        ],
        [
            "R100", None, None, None, None, None, None, None,
            "2026-09-03 14:20", 1200.5, "6222020200112233446", None, "支付宝", None, None,
        ],
        ["T200", "线索", "96110", datetime(2026, 9, 4, 9, 30), "440305", None, "可疑号码", None, None, None, None, None, None, "13900139000", None],
    ]  # fmt: skip


def _check_flat(reports: list[Any]) -> None:
    by_id = {r.id: r for r in reports}
    first = by_id["R100"]
    assert first.kind == ReportKind.CASE
    assert first.received_at == datetime(2026, 9, 3, 7, 0, tzinfo=UTC)
    assert [p.amount.amount_minor for p in first.payments] == [3_500_000, 120_050]
    assert [p.rail for p in first.payments] == [PaymentRail.BANK_TRANSFER, PaymentRail.THIRD_PARTY]
    assert first.payments[0].time == datetime(2026, 9, 3, 6, 5, tzinfo=UTC)
    assert {(i.kind, i.value) for i in first.identifiers} == {
        (IdentifierKind.PHONE, "+8613800138000"),
        (IdentifierKind.PHONE, "+8675512345678"),
        (IdentifierKind.WECHAT, "wx_abc123"),
    }
    assert by_id["T200"].kind == ReportKind.TIP
    assert by_id["T200"].channel.value == "hotline"
    assert by_id["T200"].received_at == datetime(2026, 9, 4, 1, 30, tzinfo=UTC)


def test_excel_with_chinese_headers_and_payment_rows(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "报案"
    for row in _sheet_rows():
        sheet.append(row)
    path = tmp_path / "reports.xlsx"
    workbook.save(path)
    _check_flat(read_reports(path, now=NOW))


def test_csv_in_gb18030(tmp_path: Path) -> None:
    lines = [",".join("" if c is None else str(c) for c in row) for row in _sheet_rows()[1:]]
    lines[1] = lines[1].replace("138 0013 8000; 0755-12345678", '"138 0013 8000; 0755-12345678"')
    lines[3] = lines[3].replace("2026-09-04 09:30:00", "2026-09-04 09:30")
    path = tmp_path / "reports.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))
    _check_flat(read_reports(path, now=NOW))


def _write_csv(path: Path, rows: list[list[Any]]) -> Path:
    path.write_text("\n".join(",".join("" if c is None else f'"{c}"' for c in row) for row in rows), "utf-8")
    return path


def test_flat_errors_name_the_row_and_field(tmp_path: Path) -> None:
    rows = _sheet_rows()[1:]
    rows[1][9] = "about three grand"
    assert _errors(_write_csv(tmp_path / "amount.csv", rows)) == [("row 2", "amount")]
    rows = _sheet_rows()[1:]
    rows[2][3] = "2026-09-05 10:00"
    assert _errors(_write_csv(tmp_path / "conflict.csv", rows)) == [("row 3", "received_at")]
    rows = _sheet_rows()[1:]
    rows[3][3] = "2027-09-05 10:00"
    assert _errors(_write_csv(tmp_path / "future.csv", rows)) == [("row 4", "received_at")]


def test_a_file_without_a_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert _errors(path) == [("file", "")]


def test_truncated_workbook_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    path.write_bytes(path.read_bytes()[:200])
    assert _errors(path) == [("file", "")]


@pytest.mark.parametrize(
    ("written", "minor"),
    [("3.5万", 3_500_000), ("¥30,000", 3_000_000), ("叁万元", 3_000_000), (1200.5, 120_050), ("88", 8_800)],
)
def test_amounts_in_major_units(written: object, minor: int) -> None:
    assert major_to_minor(written) == minor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-03 14:05", datetime(2026, 9, 3, 14, 5)),
        ("2026/9/3 14:05:06", datetime(2026, 9, 3, 14, 5, 6)),
        ("2026年9月3日 14时05分", datetime(2026, 9, 3, 14, 5)),
        ("2026-09-03T14:05:00+08:00", datetime(2026, 9, 3, 6, 5, tzinfo=UTC)),
        ("2026-09-03T14:05:00Z", datetime(2026, 9, 3, 14, 5, tzinfo=UTC)),
        ("not a time", None),
    ],
)
def test_time_texts(text: str, expected: datetime | None) -> None:
    parsed = parse_time_text(text)
    assert parsed == expected
    if parsed is not None and expected is not None and expected.tzinfo is not None:
        assert parsed.utcoffset() is not None
        assert parsed - expected == timedelta(0)


def test_short_gb18030_that_is_also_valid_utf8_reads_as_chinese() -> None:
    from fanzha.intake.textfile import decode_bytes

    assert decode_bytes("转".encode("gb18030"), "x") == ("转", "gb18030")
    assert decode_bytes("转账".encode(), "x") == ("转账", "utf-8")


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["Z", "+08:00", "-05:30", "+00:00", ""]),
    st.sampled_from(["T", " "]),
)
def test_plain_iso_times_read_as_the_general_parser_reads_them(
    moment: datetime, offset: str, sep: str
) -> None:
    from fanzha.intake.reports import _general_time_text

    text = moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + offset
    fast = parse_time_text(text)
    assert fast == _general_time_text(text)
    assert fast is not None
    assert fast.utcoffset() == (_general_time_text(text) or fast).utcoffset()
