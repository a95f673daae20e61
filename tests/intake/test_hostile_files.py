"""Hostile and broken files (issue 13, case 9): refused with an error naming file, row and column, in bounded
memory; columns nobody reads are reported; an empty file is an error."""

from __future__ import annotations

import contextlib
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_measure import run_fanzha
from openpyxl import Workbook
from typer.testing import CliRunner, Result

from case_reports import tip
from fanzha.cli import app
from fanzha.config import Settings
from fanzha.intake import IngestError
from fanzha.intake.limits import FileLimits
from fanzha.intake.pipeline import ingest_path
from fanzha.intake.reports import read_reports
from fanzha.intake.sheets import read_sheets
from fanzha.model import Unit
from fanzha.store.cases import CaseStore
from fanzha.store.flows import FlowStore

HEADER = "id,channel,received_at,reporter_unit,narrative"
ROW = "R1,app,2026-09-01 10:00,440300,"


def _bomb(path: Path, inflated: int) -> Path:
    """A valid .xlsx whose one sheet inflates to ``inflated`` bytes of rows from about 1/150 of that on disk."""
    plain = path.with_name("plain.xlsx")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "channel"])
    workbook.save(plain)
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info))
                continue
            with out.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
                row = (
                    b'<row><c t="inlineStr"><is><t>A</t></is></c><c t="inlineStr"><is><t>B</t></is></c></row>'
                )
                block = row * (2**20 // len(row))
                for _ in range(inflated // len(block) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def test_a_zip_bomb_is_refused_unread_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 64 * 2**20)
    assert bomb.stat().st_size < 2 * 2**20
    done = run_fanzha(
        ["ingest", str(bomb)], tmp_path / "home", timeout=60, FANZHA_INGEST_MAX_XLSX_BYTES=str(2**25)
    )
    assert done.code == 2, done.stderr
    assert "bomb.xlsx: file: a workbook that inflates to" in done.stderr
    assert "FANZHA_INGEST_MAX_XLSX_BYTES" in done.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("id,channel\n", "utf-8")
    baseline = run_fanzha(["ingest", str(empty)], tmp_path / "home", timeout=60)
    assert done.peak_mib < 1024, done.peak_mib
    assert done.peak_mib - baseline.peak_mib < 64, (done.peak_mib, baseline.peak_mib)


def test_workbook_rows_and_columns_are_capped(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "警情"
    for row in range(30):
        sheet.append([f"v{row}-{column}" for column in range(12)])
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    assert len(read_sheets(path, FileLimits(rows=30, columns=12))[0].rows) == 30
    with pytest.raises(IngestError, match=r"sheet 警情 row 11: too many rows.*FANZHA_INGEST_MAX_ROWS"):
        read_sheets(path, FileLimits(rows=10))
    with pytest.raises(
        IngestError, match=r"sheet 警情 row 1: a row of 12 columns.*FANZHA_INGEST_MAX_COLUMNS"
    ):
        read_sheets(path, FileLimits(columns=11))
    with pytest.raises(IngestError, match=r"row 9: too many non-empty cells"):
        read_sheets(path, FileLimits(cells=100))


def _ingest(path: Path) -> Result:
    return CliRunner().invoke(app, ["ingest", str(path)], env={"COLUMNS": "250"})


def test_a_csv_field_past_the_limit_names_file_row_and_column(fanzha_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "big-field.csv"
    path.write_text(f'{HEADER}\n{ROW}short\n{ROW}"{"长" * 3_000_000}"\n', "utf-8")
    done = _ingest(path)
    assert done.exit_code == 2, done.output
    assert isinstance(done.exception, SystemExit)
    assert "big-field.csv: row 3, column 5 (narrative): a field of 3,000,000 characters" in done.output
    assert "FANZHA_INGEST_MAX_FIELD_BYTES" in done.output


def test_a_field_larger_than_a_line_is_located_too(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(f'{HEADER}\n{ROW}"{"x" * 5000}"\n', "utf-8")
    with pytest.raises(IngestError, match=r"huge.csv: row 2, column 5 \(narrative\): a field of at least"):
        read_sheets(path, FileLimits(record_bytes=2048, field_bytes=1024))
    with pytest.raises(
        IngestError, match=r"huge.csv: row 2, column 5 \(narrative\): a field of 5,000 characters"
    ):
        read_sheets(path, FileLimits(record_bytes=8192, field_bytes=1024))


def test_a_million_columns_are_refused_and_the_cap_is_a_setting(fanzha_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999 + "1\n", "utf-8")
    done = _ingest(path)
    assert done.exit_code == 2, done.output
    assert "million.csv: row 1: a row of more than 1,000 columns" in done.output
    narrow = tmp_path / "thirty.csv"
    narrow.write_text(",".join(f"c{i}" for i in range(30)) + "\n", "utf-8")
    assert len(read_sheets(narrow, FileLimits(columns=30))[0].rows[0]) == 30
    with pytest.raises(IngestError, match="FANZHA_INGEST_MAX_COLUMNS"):
        read_sheets(narrow, FileLimits(columns=29))


def test_a_json_line_past_the_limit_is_named_and_the_rest_still_read(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    good = json.dumps(tip("T1").model_dump(mode="json"))
    path.write_text(f'{good}\n{{"id": "{"x" * 10_000}"}}\n{{"id": 3\n', "utf-8")
    with pytest.raises(IngestError) as caught:
        read_reports(path, settings=_settings(ingest_max_record_bytes=4096))
    assert [(error.location, error.message[:22]) for error in caught.value.errors] == [
        ("line 2", "a record longer than 4"),
        ("line 3", "not valid JSON (trunca"),
    ]


def _settings(**values: int) -> Settings:
    return Settings.model_validate(values)


def _units(cases: CaseStore) -> None:
    cases.add_units([Unit(code="440300", name="深圳市反诈中心", level="city")])


def test_unknown_columns_are_reported_not_dropped_silently(case_store: CaseStore, tmp_path: Path) -> None:
    _units(case_store)
    reports = tmp_path / "reports.csv"
    reports.write_text(f"{HEADER},favourite colour\n{ROW}我被骗了,blue\n", "utf-8")
    summary = ingest_path(reports, case_store, FlowStore(tmp_path / "flows"))
    assert summary.reports_inserted == 1
    assert summary.notes == [
        f"{reports}: 1 column(s) not read, no field is known by that header: 'favourite colour'"
    ]
    flows = tmp_path / "flows.csv"
    flows.write_text(
        "time,src_account,dst_account,amount_minor,teller\n2026-09-01 10:00,A1,B2,100,Li\n", "utf-8"
    )
    summary = ingest_path(flows, case_store, FlowStore(tmp_path / "flows"))
    assert summary.transactions_inserted == 1
    assert summary.notes == [f"{flows}: 1 column(s) not read, not flow columns: 'teller'"]


def test_the_command_prints_the_columns_it_did_not_read(fanzha_home: Path, tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    units.write_text(json.dumps({"code": "440300", "name": "深圳市反诈中心", "level": "city"}), "utf-8")
    assert _ingest(units).exit_code == 0
    reports = tmp_path / "reports.csv"
    reports.write_text(f"{HEADER},favourite colour\n{ROW}我被骗了,blue\n", "utf-8")
    done = _ingest(reports)
    assert done.exit_code == 0, done.output
    assert "note:" in done.output
    assert "'favourite colour'" in done.output


@pytest.mark.parametrize(("name", "content"), [("empty.jsonl", ""), ("blank.jsonl", "\n\n  \n"),
                                               ("empty.csv", ""), ("header.csv", HEADER + "\n"),
                                               ("flows.csv", "time,src_account,dst_account,amount_minor\n")])  # fmt: skip
def test_an_empty_file_says_so_and_fails(fanzha_home: Path, tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    done = _ingest(path)
    assert done.exit_code == 2, done.output
    assert "empty" in done.output


def test_a_transactions_csv_with_a_huge_field_is_located(case_store: CaseStore, tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    memo = "备注" * 1_500_000
    path.write_text(
        f"time,src_account,dst_account,amount_minor,memo\n2026-09-01 10:00,A1,B2,100,{memo}\n", "utf-8"
    )
    with pytest.raises(IngestError, match=r"flows.csv: row 2, column 5 \(memo\): a field of"):
        ingest_path(path, case_store, FlowStore(tmp_path / "flows"))


def test_a_transactions_csv_past_its_size_cap_is_refused(tmp_path: Path) -> None:
    from fanzha.intake.transactions import read_transactions

    path = tmp_path / "flows.csv"
    path.write_text(
        "time,src_account,dst_account,amount_minor\n" + "2026-09-01 10:00,A1,B2,100\n" * 100, "utf-8"
    )
    with pytest.raises(IngestError, match=r"flows.csv: file: a CSV of transactions of 2,7\d\d bytes"):
        read_transactions(path, settings=_settings(ingest_max_flow_csv_bytes=1024))


def test_a_units_file_reads_lines_under_the_cap(case_store: CaseStore, tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    unit = {"code": "440300", "name": "深圳市反诈中心", "level": "city"}
    path.write_text(json.dumps(unit) + "\n" + json.dumps(unit | {"name": "x" * 5_000_000}) + "\n", "utf-8")
    with pytest.raises(IngestError, match=r"units.jsonl: line 2: a record longer than 4,194,304 characters"):
        ingest_path(path, case_store, FlowStore(tmp_path / "flows"))
    assert case_store.units() == []


_PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"id,channel,received_at,reporter_unit\n",
    b'{"id": ',
]


@settings(
    max_examples=80,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    prefix=st.sampled_from(_PREFIXES),
    body=st.binary(max_size=2048) | st.text(max_size=512).map(lambda text: text.encode("utf-8")),
    suffix=st.sampled_from([".csv", ".jsonl", ".xlsx", ".tsv", ".parquet"]),
)
def test_any_bytes_are_ingested_or_refused_with_an_ingest_error(
    tmp_path: Path, prefix: bytes, body: bytes, suffix: str
) -> None:
    from fanzha.store.cases import CaseStoreError, upgrade

    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(prefix + body)
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade(url)
    with CaseStore(url) as cases, contextlib.suppress(IngestError, CaseStoreError):
        ingest_path(path, cases, FlowStore(tmp_path / "flows"))


def test_a_statement_column_nobody_reads_is_reported(case_store: CaseStore, tmp_path: Path) -> None:
    from test_bank_statement import ICBC_HEADER, NOW, icbc_rows, write_xlsx

    from fanzha.intake.bank_statement import read_bank_statement

    rows = [[*row, "柜员07"] for row in icbc_rows()]
    path = write_xlsx(
        tmp_path / "icbc.xlsx", [["账号：6222 0212 3456 7890 128"], [*ICBC_HEADER, "经办柜员"], *rows]
    )
    assert read_bank_statement(path, now=NOW).unread == ("经办柜员",)
    summary = ingest_path(path, case_store, FlowStore(tmp_path / "flows"), statement=True, now=NOW)
    assert summary.notes == [f"{path}: 1 column(s) not read, no field is known by that header: '经办柜员'"]
