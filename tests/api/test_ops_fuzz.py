"""Hypothesis throws odd bodies and queries at the operations endpoints: whatever comes in, no answer is a 500.

(Schemathesis is not installed; this covers the same ground for the bodies and queries of these endpoints.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from api_world import Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanzha.api.security import actor_of, issue_token
from fanzha.ops import FakeClock
from fanzha.store.cases.access import add_user

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WORDS = [
    "440305", "440300", "BANK-ICBC", "CN", "310000", "NOWHERE", "T-1", "L-1", "W-1", "freeze", "stop_payment",
    "return_funds", "investigate", "dispatch", "accept", "start", "complete", "reject", "redispatch", "close",
    "phone", "bank_account", "url", "id_number", "13800138000", "high", "medium", "low", "visit", "call", "sms",
    "dissuaded", "delivered", "failed", "not_convinced", "confirmed", "tip", "analysis", "CNY", "USD",
    "2026-09-07T02:00:00Z", "2026-09-07T02:00:00", "1970-01-01T00:00:00+14:00", "", " ", "\x00", "🙂" * 70,
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
money = st.fixed_dictionaries(
    {"amount_minor": st.integers(min_value=-5, max_value=2**66)},
    optional={"currency": st.sampled_from(["CNY", "USD", "cny", "", "XXXXXXXXX"])},
)
split = st.dictionaries(st.sampled_from(["V-1", "V-2", ""]), st.integers(min_value=-(2**66), max_value=2**66))
result = st.dictionaries(
    st.sampled_from(["stopped", "frozen", "returned", "returned_to", "traced_shares", "traced_to", "note"]),
    st.one_of(money, split, scalars),
    max_size=4,
)
identifier = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["phone", "bank_account", "url", "id_number", "x"]),
        "value": st.text(max_size=30),
    }
)
field_value = st.one_of(scalars, money, identifier, result, json_values)


def bodies(*keys: str) -> st.SearchStrategy[Any]:
    """Objects with some of the schema's keys and odd values, or any JSON at all."""
    return st.one_of(st.dictionaries(st.sampled_from(keys), field_value, max_size=len(keys)), json_values)


ENDPOINTS: list[tuple[str, st.SearchStrategy[Any]]] = [
    ("/tasks", bodies("id", "kind", "issuing_unit", "sla_from", "report_id", "target", "amount", "detail")),
    ("/tasks/{task}/transitions", bodies("action", "to_unit", "note", "result")),
    ("/tasks/{task}/dispatch", bodies("to_unit", "note")),
    ("/tasks/{task}/hold/renew", bodies("note")),
    ("/tasks/{task}/hold/release", bodies("note")),
    ("/leads", bodies("id", "source", "unit", "report_id", "campaign_id", "target", "summary")),
    ("/leads/{lead}/verify", bodies("note")),
    ("/leads/{lead}/pass", bodies("to_unit", "note")),
    ("/leads/{lead}/close", bodies("verdict", "note")),
    ("/warnings", bodies("id", "level", "score", "target", "reason", "unit")),
    ("/warnings/{warning}/attempts", bodies("method", "outcome", "note")),
]
QUERIES = ["/tasks", "/leads", "/leads/ledger", "/warnings", "/metrics", "/metrics/year-on-year"]
query_params = st.dictionaries(
    st.sampled_from(["unit", "state", "overdue", "status", "since", "until", "by", "start", "end", "limit", "currency"]),
    st.one_of(st.sampled_from([*WORDS, "2026-01-01", "2027-01-01", "day", "fraud_type", "true", "-1"]), st.text(max_size=8)),
    max_size=4,
)  # fmt: skip

AIMS: dict[str, str] = {}
"""The fixture's records by the names the fuzzers aim at."""


@pytest.fixture
def fuzz_api(api: Api, password_hash: str) -> tuple[Api, dict[str, str]]:
    """The API on a fake clock with a task, a lead and a warning to aim at, and a caller with every case role.

    Their ids (made by the server) are kept in ``AIMS`` under ``T-1``, ``L-1`` and ``W-1``."""
    api.client.app.state.clock = FakeClock(T0)  # type: ignore[attr-defined]
    settings_ = api.client.app.state.settings  # type: ignore[attr-defined]
    roles = ["analyst", "investigator", "supervisor"]
    add_user(
        api.store, "fuzzer", "fuzzer", "CN", roles, password_hash, actor="test"
    )  # tokens name an account
    actor = actor_of("fuzzer", "CN", roles)
    headers = {"Authorization": f"Bearer {issue_token(actor, settings_, datetime.now(UTC))[0]}"}
    for name, path, body in (
        ("T-1", "/tasks", {"kind": "freeze"}),
        ("L-1", "/leads", {"source": "tip", "unit": "CN"}),
        ("W-1", "/warnings", {"level": "low", "target": {"kind": "phone", "value": "1"}, "reason": "r", "unit": "CN"}),
    ):  # fmt: skip
        made = api.client.post(f"/api/v1{path}", json=body, headers=headers)
        assert made.status_code == 201, made.text
        AIMS[name] = made.json()["id"]
    return api, headers


def _no_server_error(api: Api, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> None:
    answer = api.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
    assert answer.status_code < 500, (method, path, kwargs, answer.text)
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"


@FUZZ
@given(
    endpoint=st.sampled_from(range(len(ENDPOINTS))),
    data=st.data(),
    target=st.sampled_from(["T-1", "L-1", "W-1", "nope", "%20", "x" * 300]),
)
def test_odd_bodies_never_cause_a_server_error(
    fuzz_api: tuple[Api, dict[str, str]], endpoint: int, data: st.DataObject, target: str
) -> None:
    api, headers = fuzz_api
    template, strategy = ENDPOINTS[endpoint]
    aim = AIMS.get(target, target)
    path = template.format(task=aim, lead=aim, warning=aim)
    _no_server_error(api, "POST", path, headers, json=data.draw(strategy))


@FUZZ
@given(path=st.sampled_from(QUERIES), params=query_params, bank=st.booleans())
def test_odd_queries_never_cause_a_server_error(
    fuzz_api: tuple[Api, dict[str, str]], path: str, params: dict[str, str], bank: bool
) -> None:
    api, headers = fuzz_api
    _no_server_error(api, "GET", path, {"X-API-Key": api.bank_key} if bank else headers, params=params)


def test_a_valid_body_drives_the_fuzzed_task_through(fuzz_api: tuple[Api, dict[str, str]]) -> None:
    api, headers = fuzz_api
    answer = api.client.post(
        f"/api/v1/tasks/{AIMS['T-1']}/dispatch", json={"to_unit": "440305"}, headers=headers
    )
    assert answer.status_code == 200, answer.text


def test_nul_characters_are_refused_not_stored(fuzz_api: tuple[Api, dict[str, str]]) -> None:
    api, headers = fuzz_api
    for path, body in (
        (f"/tasks/{AIMS['T-1']}/dispatch", {"to_unit": "440305", "note": "a\x00b"}),
        ("/tasks", {"kind": "freeze", "detail": {"x": "a\x00"}}),
        ("/tasks", {"kind": "freeze", "report_id": "\x00"}),
        ("/leads", {"source": "tip", "unit": "CN", "summary": "\x00"}),
        (
            "/warnings",
            {"level": "low", "target": {"kind": "url", "value": "a\x00.cn"}, "reason": "r", "unit": "CN"},
        ),
    ):
        answer = api.client.post(f"/api/v1{path}", json=body, headers=headers)
        assert answer.status_code == 422, (path, answer.text)
    assert api.client.get("/api/v1/tasks/%00", headers=headers).status_code == 404
    assert api.client.get(f"/api/v1/tasks/{AIMS['T-1']}", headers=headers).json()["state"] == "analyse"
