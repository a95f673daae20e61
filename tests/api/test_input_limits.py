"""Client input that would break the API or the store is refused: deep or large free-form JSON, naive or
absurd dates, oversized fields and bodies; each answers 4xx problem+json naming the field and writes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_world import Api
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from case_reports import case
from fanzha.api import create_app
from fanzha.config import Settings
from fanzha.model import InputLimits, set_input_limits
from fanzha.store.cases.schema import TaskRow

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _default_limits() -> Iterator[None]:
    yield
    set_input_limits(InputLimits())


def _nested(depth: int) -> dict[str, Any]:
    detail: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        detail = {"n": detail}
    return detail


def _fields(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    return [error["field"] for error in answer.json()["errors"]]


def test_a_detail_nested_300_deep_is_refused_and_the_list_still_reads(api: Api) -> None:
    headers = api.token("sz")
    answer = api.client.post(
        "/api/v1/tasks", json={"kind": "investigate", "detail": _nested(300)}, headers=headers
    )
    assert _fields(answer) == ["body.detail"]
    assert "300 deep" in answer.json()["errors"][0]["message"]
    listed = api.client.get("/api/v1/tasks", headers=api.token("national"))
    assert listed.status_code == 200
    assert listed.json() == []


def test_a_detail_stored_before_the_limit_held_still_reads(api: Api) -> None:
    headers = api.token("sz")
    made = api.client.post("/api/v1/tasks", json={"kind": "investigate"}, headers=headers)
    assert made.is_success
    old = made.json()["id"]
    with Session(api.store.engine) as session, session.begin():
        session.execute(update(TaskRow).where(TaskRow.id == old).values(detail=_nested(300)))
    listed = api.client.get("/api/v1/tasks", headers=headers)
    assert listed.status_code == 200, listed.text
    assert "300 deep" in listed.json()[0]["detail"]["unreadable"]
    assert api.client.get(f"/api/v1/tasks/{old}", headers=headers).status_code == 200


def test_a_detail_at_the_depth_limit_is_kept_and_reads_back(api: Api) -> None:
    headers = api.token("sz")
    body = {"kind": "investigate", "detail": _nested(16)}
    made = api.client.post("/api/v1/tasks", json=body, headers=headers)
    assert made.status_code == 201
    assert api.client.get(f"/api/v1/tasks/{made.json()['id']}", headers=headers).json()["detail"] == _nested(
        16
    )
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200
    too_deep = {"kind": "investigate", "detail": {"list": [_nested(16)]}}
    assert _fields(api.client.post("/api/v1/tasks", json=too_deep, headers=headers)) == ["body.detail"]


def test_a_large_detail_is_refused(api: Api) -> None:
    body = {"kind": "investigate", "detail": {"note": "x" * (64 * 1024)}}
    answer = api.client.post("/api/v1/tasks", json=body, headers=api.token("sz"))
    assert _fields(answer) == ["body.detail"]
    assert api.client.get("/api/v1/tasks", headers=api.token("sz")).json() == []


NAIVE = "2026-09-07T02:00:00"
BAD_TIMES = [NAIVE, "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"]


def _report(**changes: Any) -> dict[str, Any]:
    body = case("R-DATE", reporter_unit="440305").model_dump(mode="json")
    body.update(changes)
    return body


def _payment_at(value: str) -> dict[str, Any]:
    body = _report()
    body["payments"][0]["time"] = value
    return body


# (method, path, who, body or query params for a bad value, the field the problem names)
DATE_ROUTES: list[tuple[str, str, str, Any, str]] = [
    ("get", "/reports", "sz", lambda v: {"since": v}, "query.since"),
    ("get", "/reports", "sz", lambda v: {"until": v}, "query.until"),
    ("get", "/metrics", "sz", lambda v: {"since": v}, "query.since"),
    ("get", "/metrics", "sz", lambda v: {"until": v}, "query.until"),
    ("post", "/tasks", "sz", lambda v: {"kind": "stop_payment", "sla_from": v}, "body.sla_from"),
    ("post", "/reports", "sz", lambda v: _report(received_at=v), "body.received_at"),
    ("post", "/reports", "sz", _payment_at, "body.payments.0.time"),
    ("post", "/trace", "sz", lambda v: {"report_id": "R1", "report_time": v}, "body.report_time"),
    ("post", "/trace", "sz", lambda v: {"report_id": "R1", "as_of": v}, "body.as_of"),
    ("post", "/trace/tasks", "sz", lambda v: {"report_id": "R1", "report_time": v}, "body.report_time"),
    (
        "post", "/trace", "sz",
        lambda v: {"payments": [{"account": "6222021234567890128", "amount_minor": 1, "time": v}]},
        "body.payments.0.time",
    ),
    ("post", "/outcomes", "sz", lambda v: {"report_id": "R1", "at": v, "kind": "arrest"}, "body.at"),
    (
        "post", "/interceptions", "sz",
        lambda v: {"id": "I1", "at": v, "amount": {"amount_minor": 1}}, "body.at",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "who", "make", "field"), DATE_ROUTES)
def test_naive_and_absurd_times_are_422_naming_the_field(
    api: Api, method: str, path: str, who: str, make: Any, field: str
) -> None:
    headers = api.token(who)
    for value in BAD_TIMES:
        if method == "get":
            answer = api.client.get(f"/api/v1{path}", params=make(value), headers=headers)
        else:
            answer = api.client.post(f"/api/v1{path}", json=make(value), headers=headers)
        assert field in _fields(answer), (value, answer.text)
    assert api.client.get("/api/v1/reports", headers=headers).json() == []


@pytest.mark.parametrize("param", ["start", "end"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_year_on_year_days_out_of_range_are_422(api: Api, param: str, day: str) -> None:
    params = {"start": "2026-01-01", "end": "2026-10-01", param: day}
    answer = api.client.get("/api/v1/metrics/year-on-year", params=params, headers=api.token("sz"))
    assert _fields(answer) == [f"query.{param}"]


def test_the_year_range_is_configurable(api: Api) -> None:
    set_input_limits(InputLimits(earliest_year=2027))
    answer = api.client.get(
        "/api/v1/reports", params={"since": "2026-09-07T00:00:00Z"}, headers=api.token("sz")
    )
    assert "between 2027 and 2100" in answer.json()["errors"][0]["message"]


@pytest.fixture
def roomy(api: Api) -> Iterator[Api]:
    """The same store and users behind an app whose body limit (32 MB) lets a 10 MB field reach validation."""
    settings = Settings(environment="test", secret_key="k" * 40, max_body_bytes=32 * 1024 * 1024)
    with TestClient(create_app(settings, store=api.store)) as client:
        yield Api(client, api.store, api.bank_key)


TEN_MB = "张" * (10 * 1024 * 1024 // 3)


def _with_long_to_name() -> dict[str, Any]:
    body = _report()
    body["payments"][0]["to_name"] = TEN_MB
    return body


def _with_long_account() -> dict[str, Any]:
    body = _report()
    body["victim"]["account"] = TEN_MB
    return body


@pytest.mark.parametrize(
    ("path", "make", "field"),
    [
        ("/reports", _with_long_to_name, "body.payments.0.to_name"),
        ("/reports", _with_long_account, "body.victim.account"),
        ("/reports", lambda: _report(narrative=TEN_MB), "body.narrative"),
        ("/tasks", lambda: {"kind": "investigate", "detail": {"note": TEN_MB}}, "body.detail"),
    ],
)
def test_a_10_mb_field_is_422_and_nothing_is_stored(roomy: Api, path: str, make: Any, field: str) -> None:
    headers = roomy.token("sz")
    assert _fields(roomy.client.post(f"/api/v1{path}", json=make(), headers=headers)) == [field]
    assert roomy.client.get("/api/v1/reports", headers=headers).json() == []
    assert roomy.client.get("/api/v1/tasks", headers=headers).json() == []


def test_a_body_over_the_limit_is_413_problem_json(api: Api) -> None:
    answer = api.client.post("/api/v1/reports", json=_with_long_to_name(), headers=api.token("sz"))
    assert answer.status_code == 413
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["status"] == 413
    assert api.client.get("/api/v1/reports", headers=api.token("sz")).json() == []


def _asgi_post(
    app: Any, headers: list[tuple[bytes, bytes]], chunks: int, chunk: bytes
) -> tuple[int, int, bytes]:
    """POST a body of ``chunks`` chunks straight to the ASGI app: the status, the chunks it read, the body."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/reports", "raw_path": b"/api/v1/reports", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], read, body


def test_a_30_mb_body_is_refused_after_the_limit_never_read_to_the_end(api: Api) -> None:
    app = api.client.app
    token = api.token("sz")["Authorization"].encode()
    chunk = b" " * (1024 * 1024)
    status, read, body = _asgi_post(app, [(b"authorization", token)], 30, chunk)
    assert status == 413
    assert read <= 6
    assert json.loads(body)["status"] == 413
    declared = [(b"authorization", token), (b"content-length", str(30 * len(chunk)).encode())]
    status, read, _ = _asgi_post(app, declared, 30, chunk)
    assert (status, read) == (413, 0)


def test_an_export_passes_a_bad_time_on_as_422_naming_it(api: Api) -> None:
    params = {"list": "reports", "since": NAIVE}
    answer = api.client.get("/api/v1/exports/xlsx", params=params, headers=api.token("sz"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert "query.since" in answer.json()["detail"]
