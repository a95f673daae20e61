"""What the console needs of the API: token renewal, a report's reading (spans, masking, the audited read), the
moves a task allows, and the console's pages (SPA fallback, CSP, /docs from local files) beside the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from api_world import Api
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from case_reports import MULE_CARD, SCAM_PHONE, VICTIM_CARD, case, row_counts
from fanzha.api.console import CONTENT_SECURITY_POLICY, install_console
from fanzha.model import mask_value
from fanzha.model.identifiers import IdentifierKind

PAYEE_CARD = "6222021234567890128"  # Luhn-valid: the text room finds it
NARRATIVE = f"我的卡{VICTIM_CARD}被对方骗走1.2万元，对方电话{SCAM_PHONE}，让我转到{PAYEE_CARD}。"


def _report(api: Api) -> None:
    model = case("440305:R-READ", narrative=NARRATIVE)
    payments = tuple(payment.model_copy(update={"to_account": PAYEE_CARD}) for payment in model.payments[:1])
    report = model.model_copy(update={"payments": payments}).model_dump(mode="json")
    assert api.client.post("/api/v1/reports", json=report, headers=api.token("ns")).status_code == 201


def test_a_token_is_renewed_for_an_active_user_only(api: Api) -> None:
    fresh = api.client.post("/api/v1/auth/renew", headers=api.token("sz"))
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["unit"] == "440300"
    renewed = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert api.client.get("/api/v1/auth/me", headers=renewed).json()["name"] == "sz"
    assert api.client.post("/api/v1/auth/renew", headers={"X-API-Key": api.bank_key}).status_code == 401
    assert api.client.post("/api/v1/auth/renew").status_code == 401


def test_reading_marks_spans_and_masks_the_victims_own_until_asked(api: Api) -> None:
    _report(api)
    audited = row_counts(api.store)["audit_events"]
    masked = api.client.get("/api/v1/reports/440305:R-READ/reading", headers=api.token("sz"))
    assert masked.status_code == 200, masked.text
    reading = masked.json()
    assert row_counts(api.store)["audit_events"] == audited, "a masked reading is not an audited read"
    assert VICTIM_CARD not in reading["narrative"]
    assert mask_value(IdentifierKind.BANK_ACCOUNT, VICTIM_CARD) in reading["narrative"]
    by_value = {span["value"]: span for span in reading["spans"]}
    for span in reading["spans"]:
        written = reading["narrative"][span["start"] : span["end"]]
        assert written == (span["value"] if span["personal"] else written)
    phone = next(span for span in reading["spans"] if span["kind"] == "phone")
    assert reading["narrative"][phone["start"] : phone["end"]] == SCAM_PHONE
    assert by_value[PAYEE_CARD]["role"] == "counterparty"
    assert any(span["kind"] == "amount" and span["value"] == "1200000 CNY" for span in reading["spans"])
    assert reading["victim_account"] != VICTIM_CARD
    assert reading["fraud_type"]["evidence"]

    full = api.client.get(
        "/api/v1/reports/440305:R-READ/reading?personal=true", headers=api.token("sz")
    ).json()
    assert row_counts(api.store)["audit_events"] == audited + 1
    assert full["narrative"] == NARRATIVE
    victim = next(span for span in full["spans"] if span["value"] == VICTIM_CARD)
    assert victim["role"] == "victim"
    assert victim["personal"]
    assert NARRATIVE[victim["start"] : victim["end"]] == VICTIM_CARD
    assert full["victim_account"] == VICTIM_CARD


def test_reading_another_units_report_is_not_found(api: Api) -> None:
    _report(api)
    assert api.client.get("/api/v1/reports/440305:R-READ/reading", headers=api.token("sh")).status_code == 404
    assert (
        api.client.get("/api/v1/reports/440305:R-READ/reading", headers=api.token("citizen")).status_code
        == 403
    )


def test_a_task_lists_the_moves_its_state_allows(api: Api) -> None:
    body = {"kind": "stop_payment", "target": {"kind": "bank_account", "value": MULE_CARD}}
    task = api.client.post("/api/v1/tasks", json=body, headers=api.token("sz")).json()
    assert task["moves"] == ["dispatch"]
    moved = api.client.post(
        f"/api/v1/tasks/{task['id']}/dispatch", json={"to_unit": "BANK-ICBC"}, headers=api.token("sz")
    ).json()
    assert sorted(moved["moves"]) == ["accept", "reject"]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A stand-in console build: an index page, an asset, a top-level file and Swagger UI's script."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "swagger").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>", encoding="utf-8")
    (tmp_path / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "swagger" / "swagger-ui-bundle.js").write_text("", encoding="utf-8")
    return tmp_path


def test_console_pages_fall_back_to_the_app_and_leave_the_api_alone(built: Path) -> None:
    from fastapi import FastAPI

    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/api/v1/things")
    def things() -> list[str]:
        return []

    install_console(app, "/api/v1", static_dir=built)
    client = TestClient(app)
    for path in ("/", "/reports/RPT-1", "/tasks?overdue=1"):
        page = client.get(path)
        assert page.status_code == 200
        assert "console" in page.text
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert client.get("/assets/app.js").text == "console.log(1)"
    assert client.get("/favicon.svg").text == "<svg/>"
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.post("/api/v1/things").status_code == 405
    assert client.get("/../../etc/passwd").text.startswith("<!doctype html><title>console")
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/swagger/swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.text.replace("http-equiv", "")


def test_the_api_keeps_its_answers_and_gets_the_headers(api: Api) -> None:
    answer = api.client.get("/api/v1/trace", headers=api.token("sz"))
    assert answer.status_code == 405
    assert api.client.get("/api/v1/no-such-route").status_code == 404
    assert api.client.get("/health").headers["content-security-policy"].startswith("default-src 'self'")
    assert "/docs" not in set(api.client.get("/openapi.json").json()["paths"])


def test_any_list_exports_as_excel_with_the_lists_own_visibility(api: Api) -> None:
    _report(api)
    answer = api.client.get("/api/v1/exports/xlsx?list=reports&kind=case", headers=api.token("sz"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert "id" in header
    assert [row[header.index("id")] for row in rows] == ["440305:R-READ"]
    assert VICTIM_CARD not in str(rows), "the export is masked as the list is"
    elsewhere = api.client.get("/api/v1/exports/xlsx?list=reports", headers=api.token("sh"))
    other_sheet = load_workbook(io.BytesIO(elsewhere.content)).active
    assert "440305:R-READ" not in str(list(other_sheet.iter_rows(values_only=True)))  # type: ignore[union-attr]
    assert (
        api.client.get("/api/v1/exports/xlsx?list=reports", headers=api.token("citizen")).status_code == 403
    )
    assert (
        api.client.get("/api/v1/exports/xlsx?list=reports&unit=310000", headers=api.token("sz")).status_code
        == 403
    )
    assert api.client.get("/api/v1/exports/xlsx?list=audit", headers=api.token("sz")).status_code == 422


def test_an_export_holds_text_as_text() -> None:
    """Control characters a careless client sent are dropped (they would crash the workbook), and text that opens
    like a formula is a string cell, so opening the export in Excel runs nothing."""
    from fanzha.api.routes.exports import workbook

    sheet = load_workbook(
        io.BytesIO(
            workbook(
                "tasks", [{"detail": '=HYPERLINK("http://x.example","click")', "note": "a\x01b", "n": 3}]
            )
        )
    ).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ('=HYPERLINK("http://x.example","click")', "ab", 3)
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_reading_says_when_a_text_tells_of_a_scam(api: Api) -> None:
    """A warning or case bulletin brought in as a report (a tip that forwards one) reads as no fraud, and says why."""
    warning = (
        "【警方提醒】近期有骗子冒充快递客服来电，称“您的包裹丢失，可三倍理赔，请下载会议软件共享屏幕”。"
        "快递理赔不会要求共享屏幕或转账，接到此类电话请立即挂断并拨打96110。"
    )
    report = case("440305:R-WARN", narrative=warning).model_dump(mode="json")
    assert api.client.post("/api/v1/reports", json=report, headers=api.token("ns")).status_code == 201
    reading = api.client.get("/api/v1/reports/440305:R-WARN/reading", headers=api.token("sz")).json()
    assert reading["fraud_type"]["fraud_type"] == "not_fraud"
    assert reading["fraud_type"]["tells_of_scam"] is True
    _report(api)
    scam = api.client.get("/api/v1/reports/440305:R-READ/reading", headers=api.token("sz")).json()
    assert scam["fraud_type"]["tells_of_scam"] is False
