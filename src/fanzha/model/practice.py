"""The stop-payment and freeze practice ("30247") that the flow room's freeze lists and the ops room's tasks share.

A stop payment (紧急止付) is asked within 30 minutes of the report and holds 48 hours (renewable twice); a freeze
(快速冻结) follows within 24 hours and holds six calendar months (renewable). One definition, read by both rooms.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

STOP_PAYMENT_WITHIN = timedelta(minutes=30)
STOP_PAYMENT_TERM = timedelta(hours=48)
STOP_PAYMENT_RENEWALS = 2
FREEZE_WITHIN = timedelta(hours=24)
FREEZE_TERM_MONTHS = 6
PRACTICE_TIMEZONE = "Asia/Shanghai"
"""Calendar months are counted in the centre's local time (31 Aug + 6 months → 28/29 Feb)."""


def add_calendar_months(start: datetime, months: int, timezone: str = PRACTICE_TIMEZONE) -> datetime:
    """The same local time ``months`` calendar months after aware ``start``, as UTC (the day clipped to the
    month's last)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("time must be timezone-aware")
    local = start.astimezone(ZoneInfo(timezone))
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def freeze_term_end(start: datetime, timezone: str = PRACTICE_TIMEZONE) -> datetime:
    """When a freeze placed at ``start`` lapses unless renewed."""
    return add_calendar_months(start, FREEZE_TERM_MONTHS, timezone)
