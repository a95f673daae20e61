"""Limits on what a client may send: time range, nesting and size of free-form JSON.

The limits are the domain's (a report from 1970 or 9999 is corrupt, a task's notes are not a document store);
their values come from :class:`fanzha.config.Settings` through :func:`set_input_limits`, applied by whoever
starts the process (the API at start-up); the defaults here are those of the settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator


@dataclass(frozen=True)
class InputLimits:
    """How far client data may go; every limit is inclusive."""

    earliest_year: int = 2000
    latest_year: int = 2100
    json_depth: int = 16
    json_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        if not 1 < self.earliest_year <= self.latest_year < 9999:
            raise ValueError("years must satisfy 1 < earliest_year <= latest_year < 9999")
        if self.json_depth < 1 or self.json_bytes < 2:
            raise ValueError("json_depth and json_bytes must be positive")


_limits = InputLimits()


def input_limits() -> InputLimits:
    """The limits in force in this process."""
    return _limits


def set_input_limits(limits: InputLimits) -> None:
    """Put ``limits`` in force in this process (the API does this from its settings)."""
    global _limits
    _limits = limits


def check_year(value: date) -> None:
    """Refuse a day or time outside the sane range (years ``earliest_year`` to ``latest_year``)."""
    limits = _limits
    if not limits.earliest_year <= value.year <= limits.latest_year:
        raise ValueError(f"year must be between {limits.earliest_year} and {limits.latest_year}")


def to_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive time or one outside the sane range is refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("time must carry a timezone (naive times are ambiguous)")
    check_year(value)
    return value.astimezone(UTC)


def _bounded_date(value: date) -> date:
    check_year(value)
    return value


def json_depth(value: Any) -> int:
    """How deep ``value`` nests: 0 for a scalar, 1 for a flat object or array. Iterative: any depth is safe."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    limits = _limits
    depth = json_depth(value)
    if depth > limits.json_depth:
        raise ValueError(f"nests {depth} deep, at most {limits.json_depth} allowed")
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > limits.json_bytes:
        raise ValueError(f"is {size} bytes as JSON, at most {limits.json_bytes} allowed")
    return value


SERIALIZABLE_DEPTH = 200
"""Deepest JSON the API can still write out (pydantic stops near 255)."""


def readable_json(value: dict[str, Any]) -> dict[str, Any]:
    """``value``, or a note in its place when it nests too deep to write out (stored before the limits held):
    a list that holds one such record still reads."""
    depth = json_depth(value)
    if depth <= SERIALIZABLE_DEPTH:
        return value
    return {"unreadable": f"stored value nests {depth} deep, more than {SERIALIZABLE_DEPTH} can be shown"}


UtcDatetime = Annotated[datetime, AfterValidator(to_utc)]
"""A timezone-aware datetime in the sane range, stored in UTC."""

BoundedDate = Annotated[date, AfterValidator(_bounded_date)]
"""A day in the sane range."""

JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
"""A free-form JSON object no deeper than ``json_depth`` and no larger than ``json_bytes`` (compact UTF-8)."""
