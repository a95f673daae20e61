"""The limits on client data: times in a sane range and aware, free-form JSON shallow and small."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from fanzha.config import get_settings
from fanzha.model import (
    BoundedDate,
    InputLimits,
    JsonObject,
    Payment,
    UtcDatetime,
    Victim,
    input_limits,
    json_depth,
    set_input_limits,
)


class Holder(BaseModel):
    at: UtcDatetime | None = None
    day: BoundedDate | None = None
    detail: JsonObject = {}


@pytest.fixture(autouse=True)
def _default_limits() -> Iterator[None]:
    yield
    set_input_limits(InputLimits())


def _nested(depth: int) -> Any:
    value: Any = 1
    for index in range(depth):
        value = {"n": value} if index % 2 else [value]
    return value


@given(st.integers(0, 2_000))
def test_depth_counts_containers_at_any_depth(depth: int) -> None:
    assert json_depth(_nested(depth)) == depth


def test_depth_of_mixed_values() -> None:
    assert json_depth({}) == 1
    assert json_depth({"a": 1, "b": [1, {"c": []}]}) == 4


def test_times_are_aware_and_in_range() -> None:
    assert Holder(at="2026-09-07T10:00:00+08:00").at == datetime(2026, 9, 7, 2, tzinfo=UTC)
    for value in ["2026-09-07T10:00:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00"]:
        with pytest.raises(ValidationError, match="at"):
            Holder(at=value)
    with pytest.raises(ValidationError):
        Holder(at=datetime(2100, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))) + timedelta(days=1))
    assert Holder(day=date(2100, 12, 31)).day == date(2100, 12, 31)
    with pytest.raises(ValidationError, match="between 2000 and 2100"):
        Holder(day=date(9999, 12, 31))


def test_json_limits_follow_the_limits_in_force() -> None:
    Holder(detail={"a": _nested(15)})
    with pytest.raises(ValidationError, match="17 deep, at most 16"):
        Holder(detail={"a": _nested(16)})
    with pytest.raises(ValidationError, match="bytes as JSON"):
        Holder(detail={"a": "x" * input_limits().json_bytes})
    set_input_limits(InputLimits(json_depth=2, json_bytes=100))
    with pytest.raises(ValidationError, match="3 deep, at most 2"):
        Holder(detail={"a": [[1]]})
    Holder(detail={"a": "x" * 90})


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="years"):
        InputLimits(earliest_year=2100, latest_year=2000)
    with pytest.raises(ValueError, match="positive"):
        InputLimits(json_depth=0)


def test_text_fields_of_a_report_are_bounded() -> None:
    with pytest.raises(ValidationError, match="account"):
        Victim(pseudonym="V", account="1" * 65)
    with pytest.raises(ValidationError, match="to_name"):
        Payment(
            from_account="1", to_account="2", amount={"amount_minor": 1}, time="2026-09-07T00:00:00Z",
            to_name="张" * 257,
        )  # fmt: skip


def test_the_settings_from_the_environment_put_their_limits_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANZHA_LATEST_YEAR", "2050")
    monkeypatch.setenv("FANZHA_MAX_JSON_DEPTH", "3")
    get_settings.cache_clear()
    try:
        get_settings()
        assert input_limits() == InputLimits(latest_year=2050, json_depth=3)
        with pytest.raises(ValidationError, match="between 2000 and 2050"):
            Holder(at="2051-01-01T00:00:00Z")
    finally:
        get_settings.cache_clear()
