"""Working days (工作日) and calendar months in a centre's local time, for deadlines and hold terms.

A deadline of *n* working days ends at local midnight after the *n*-th working day following the day the clock
started (the day itself is not counted), as administrative deadlines are read: ``7个工作日内``. Weekends are
days off unless listed as make-up working days (调休); holidays are passed in, the calendar knows none by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from fanzha.model.practice import add_calendar_months
from fanzha.ops.clock import require_aware

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class WorkingCalendar:
    """Which local days are working days (工作日): Monday to Friday, minus ``holidays``, plus ``workdays``.

    ``workdays`` are weekend days made working days by a holiday swap (调休上班).
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    timezone: str = DEFAULT_TIMEZONE

    @cached_property
    def zone(self) -> ZoneInfo:
        """The local time zone."""
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is a working day."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def local_date(self, instant: datetime) -> date:
        """The local date of an instant."""
        return require_aware(instant).astimezone(self.zone).date()

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End (next local midnight, as UTC) of the ``days``-th working day after the local day of ``start``.

        Cost: O(days + days off in between).
        """
        if days < 1:
            raise ValueError("a working-day deadline needs at least one day")
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        return end.astimezone(UTC)

    def add_months(self, start: datetime, months: int) -> datetime:
        """The same local time ``months`` calendar months later (31 Aug + 6 months → 28/29 Feb), as UTC."""
        return add_calendar_months(require_aware(start), months, self.timezone)
