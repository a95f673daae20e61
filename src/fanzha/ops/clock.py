"""Where the operations room gets the time: an injected :class:`Clock`, never a direct read of the system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time, timezone-aware UTC."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant, UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until moved, for tests and simulations; it never runs backwards."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start)

    def now(self) -> datetime:
        """The instant the clock was last set to."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock does not run backwards")
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> datetime:
        """Move forward to ``instant`` and return it."""
        return self.advance(require_aware(instant) - self._now)


def require_aware(instant: datetime) -> datetime:
    """``instant`` in UTC; naive datetimes are refused because their moment is ambiguous."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"time {instant.isoformat()} carries no timezone")
    return instant.astimezone(UTC)
