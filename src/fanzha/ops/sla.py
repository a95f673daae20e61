"""Deadlines (SLA) per task kind, hold terms of stop-payments and freezes, and the working calendar, as data.

Defaults follow the centres' rules — stop-payment in 30 minutes, freeze in 24 hours, lead analysis in 7 working
days; a stop-payment holds 48 hours and may be renewed twice, a freeze 6 months and may be renewed — and all of it
can be replaced from plain configuration with :meth:`SlaPolicy.from_config`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from fanzha.model import TaskKind
from fanzha.model.practice import (
    FREEZE_TERM_MONTHS,
    FREEZE_WITHIN,
    STOP_PAYMENT_RENEWALS,
    STOP_PAYMENT_TERM,
    STOP_PAYMENT_WITHIN,
)
from fanzha.ops.clock import require_aware
from fanzha.ops.errors import InvalidOperationError
from fanzha.ops.workdays import DEFAULT_TIMEZONE, WorkingCalendar


@dataclass(frozen=True, slots=True)
class Sla:
    """A deadline: a fixed duration, or a number of working days (see :class:`WorkingCalendar`)."""

    duration: timedelta | None = None
    working_days: int | None = None

    def __post_init__(self) -> None:
        if (self.duration is None) == (self.working_days is None):
            raise ValueError("an SLA is either a duration or a number of working days")
        if (self.duration is not None and self.duration <= timedelta(0)) or (
            self.working_days is not None and self.working_days < 1
        ):
            raise ValueError("an SLA must be positive")

    def due_at(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        """The deadline for a clock started at ``start``."""
        if self.duration is not None:
            return require_aware(start) + self.duration
        assert self.working_days is not None
        return calendar.add_working_days(start, self.working_days)


@dataclass(frozen=True, slots=True)
class HoldTerm:
    """How long a stop-payment (止付) or freeze (冻结) stays in force, and how often it may be renewed."""

    duration: timedelta | None = None
    months: int | None = None
    max_renewals: int | None = None

    def __post_init__(self) -> None:
        if (self.duration is None) == (self.months is None):
            raise ValueError("a hold term is either a duration or a number of months")

    def end(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        """When a term started at ``start`` runs out."""
        if self.duration is not None:
            return require_aware(start) + self.duration
        assert self.months is not None
        return calendar.add_months(start, self.months)


DEFAULT_SLAS: Mapping[TaskKind, Sla] = MappingProxyType(
    {
        TaskKind.STOP_PAYMENT: Sla(duration=STOP_PAYMENT_WITHIN),
        TaskKind.FREEZE: Sla(duration=FREEZE_WITHIN),
        TaskKind.BLOCK_NUMBER: Sla(duration=timedelta(hours=24)),
        TaskKind.TAKEDOWN_URL: Sla(duration=timedelta(hours=24)),
        TaskKind.WARN_VICTIM: Sla(duration=timedelta(hours=2)),
        TaskKind.INVESTIGATE: Sla(working_days=7),
        TaskKind.RETURN_FUNDS: Sla(working_days=30),
    }
)
"""Deadlines per kind: stop-payment 30 min, freeze 24 h, lead analysis (investigate) 7 working days."""

DEFAULT_ESCALATION_EVERY: Mapping[TaskKind, timedelta] = MappingProxyType(
    {
        TaskKind.STOP_PAYMENT: timedelta(minutes=30),
        TaskKind.FREEZE: timedelta(hours=24),
        TaskKind.BLOCK_NUMBER: timedelta(hours=24),
        TaskKind.TAKEDOWN_URL: timedelta(hours=24),
        TaskKind.WARN_VICTIM: timedelta(hours=2),
        TaskKind.INVESTIGATE: timedelta(days=7),
        TaskKind.RETURN_FUNDS: timedelta(days=30),
    }
)
"""After the first escalation (at the deadline, to the parent unit), one more unit up per interval."""

DEFAULT_HOLD_TERMS: Mapping[TaskKind, HoldTerm] = MappingProxyType(
    {
        TaskKind.STOP_PAYMENT: HoldTerm(duration=STOP_PAYMENT_TERM, max_renewals=STOP_PAYMENT_RENEWALS),
        TaskKind.FREEZE: HoldTerm(months=FREEZE_TERM_MONTHS),
    }
)
"""Terms of the holds that a done stop-payment or freeze puts on an account (:mod:`fanzha.model.practice`)."""

DEFAULT_EXPIRY_NOTICE: Mapping[TaskKind, timedelta] = MappingProxyType(
    {TaskKind.STOP_PAYMENT: timedelta(hours=6), TaskKind.FREEZE: timedelta(days=15)}
)
"""How long before a hold lapses the issuing unit is told, so it can renew in time."""


@dataclass(frozen=True)
class SlaPolicy:
    """Deadlines, escalation intervals, hold terms and the working calendar, all configurable as data."""

    slas: Mapping[TaskKind, Sla] = field(default_factory=lambda: DEFAULT_SLAS)
    escalation_every: Mapping[TaskKind, timedelta] = field(default_factory=lambda: DEFAULT_ESCALATION_EVERY)
    hold_terms: Mapping[TaskKind, HoldTerm] = field(default_factory=lambda: DEFAULT_HOLD_TERMS)
    expiry_notice: Mapping[TaskKind, timedelta] = field(default_factory=lambda: DEFAULT_EXPIRY_NOTICE)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def due_at(self, kind: TaskKind, start: datetime) -> datetime:
        """Deadline of a task of ``kind`` whose clock starts at ``start``."""
        return self.slas[kind].due_at(start, self.calendar)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SlaPolicy:
        """A policy from plain data (a parsed TOML or JSON file); what it leaves out keeps the defaults.

        Durations are strings: ``"30m"``, ``"24h"``, ``"2d"``, ``"7wd"`` (working days, deadlines only),
        ``"6mo"`` (months, hold terms only). Example::

            {"sla": {"stop_payment": "15m", "investigate": "5wd"},
             "escalate_every": {"stop_payment": "15m"},
             "hold": {"stop_payment": {"term": "48h", "max_renewals": 2}, "freeze": {"term": "6mo"}},
             "expiry_notice": {"freeze": "10d"},
             "holidays": ["2026-10-01"], "workdays": ["2026-10-10"], "timezone": "Asia/Shanghai"}
        """
        unknown = set(config) - _CONFIG_KEYS
        if unknown:
            raise InvalidOperationError(
                f"unknown SLA settings {sorted(unknown)}; known: {sorted(_CONFIG_KEYS)}"
            )
        slas = dict(DEFAULT_SLAS)
        for kind, text in _by_kind(config, "sla").items():
            slas[kind] = _parse_sla(text, f"sla.{kind}")
        every = dict(DEFAULT_ESCALATION_EVERY)
        for kind, text in _by_kind(config, "escalate_every").items():
            every[kind] = _parse_duration(text, f"escalate_every.{kind}")
        holds = dict(DEFAULT_HOLD_TERMS)
        for kind, term in _by_kind(config, "hold").items():
            holds[kind] = _parse_hold(term, f"hold.{kind}")
        notice = dict(DEFAULT_EXPIRY_NOTICE)
        for kind, text in _by_kind(config, "expiry_notice").items():
            notice[kind] = _parse_duration(text, f"expiry_notice.{kind}")
        calendar = WorkingCalendar(
            holidays=_dates(config.get("holidays", ()), "holidays"),
            workdays=_dates(config.get("workdays", ()), "workdays"),
            timezone=str(config.get("timezone", DEFAULT_TIMEZONE)),
        )
        return cls(
            MappingProxyType(slas),
            MappingProxyType(every),
            MappingProxyType(holds),
            MappingProxyType(notice),
            calendar,
        )


_CONFIG_KEYS = frozenset(
    {"sla", "escalate_every", "hold", "expiry_notice", "holidays", "workdays", "timezone"}
)
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|wd|mo)\s*$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def _by_kind(config: Mapping[str, Any], key: str) -> dict[TaskKind, Any]:
    section = config.get(key, {})
    if not isinstance(section, Mapping):
        raise InvalidOperationError(f"SLA setting {key!r} must map task kinds to values")
    kinds: dict[TaskKind, Any] = {}
    for name, value in section.items():
        try:
            kinds[TaskKind(name)] = value
        except ValueError:
            known = ", ".join(kind.value for kind in TaskKind)
            raise InvalidOperationError(f"{key}.{name}: unknown task kind (known: {known})") from None
    return kinds


def _split(text: object, where: str) -> tuple[int, str]:
    match = _DURATION.match(str(text))
    if match is None or int(match.group(1)) < 1:
        raise InvalidOperationError(f"{where}: {text!r} is not a positive duration like 30m, 24h, 7wd, 6mo")
    return int(match.group(1)), match.group(2)


def _parse_duration(text: object, where: str) -> timedelta:
    count, unit = _split(text, where)
    if unit not in _UNITS:
        raise InvalidOperationError(f"{where}: {text!r} must be in minutes, hours or days")
    return count * _UNITS[unit]


def _parse_sla(text: object, where: str) -> Sla:
    count, unit = _split(text, where)
    if unit == "wd":
        return Sla(working_days=count)
    return Sla(duration=_parse_duration(text, where))


def _parse_hold(term: object, where: str) -> HoldTerm:
    if not isinstance(term, Mapping) or "term" not in term:
        raise InvalidOperationError(f"{where}: needs a table with 'term' (and optionally 'max_renewals')")
    count, unit = _split(term["term"], f"{where}.term")
    renewals = term.get("max_renewals")
    if renewals is not None and (not isinstance(renewals, int) or renewals < 0):
        raise InvalidOperationError(f"{where}.max_renewals: must be a non-negative integer or absent")
    if unit == "mo":
        return HoldTerm(months=count, max_renewals=renewals)
    return HoldTerm(duration=_parse_duration(term["term"], f"{where}.term"), max_renewals=renewals)


def _dates(values: object, where: str) -> frozenset[date]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidOperationError(f"{where}: must be a list of ISO dates")
    try:
        return frozenset(
            value if isinstance(value, date) else date.fromisoformat(str(value)) for value in values
        )
    except ValueError as error:
        raise InvalidOperationError(f"{where}: {error}") from None
