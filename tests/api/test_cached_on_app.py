"""Objects the API keeps for the life of the process: made once, made again when what they were made from changes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from fastapi import Request

from fanzha.api.deps import cached_on_app


def _request() -> Request:
    return cast(Request, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace())))


def test_an_object_is_made_once_per_version() -> None:
    request = _request()
    made: list[int] = []

    def make() -> Any:
        made.append(len(made))
        return object()

    first = cached_on_app(request, "ledger", make, version=("day-1",))
    assert cached_on_app(request, "ledger", make, version=("day-1",)) is first
    second = cached_on_app(request, "ledger", make, version=("day-1", "day-2"))
    assert second is not first
    assert cached_on_app(request, "ledger", make, version=("day-1", "day-2")) is second
    assert made == [0, 1]


def test_objects_under_different_names_are_kept_apart() -> None:
    request = _request()
    classifier = cached_on_app(request, "classifier", lambda: "classifier")
    store = cached_on_app(request, "campaign_store", lambda: "store")
    assert (classifier, store) == ("classifier", "store")
    assert request.app.state.campaign_store == "store"
