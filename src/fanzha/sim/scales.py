"""Scales of a simulated scenario: how many reports, accounts and transactions, over which fixed window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Scale:
    """The size of a scenario; the window is fixed (never relative to now) so a seed always gives the same files.

    ``end`` is exclusive: a window from 2026-09-01 to 2026-10-01 covers the thirty days of September.
    """

    name: str
    start: datetime
    end: datetime
    reports: int
    persons: int
    merchants: int
    background_per_day: int
    atms: int = 200
    exchanges: int = 12
    cash_out_merchants: int = 60
    max_campaign_reports: int = 40
    rows_per_part: int = 2_000_000

    @property
    def days(self) -> int:
        """Number of UTC days in the window."""
        return (self.end - self.start).days


def _day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


TINY = Scale(
    name="tiny",
    start=_day(2026, 9, 1),
    end=_day(2026, 9, 8),
    reports=300,
    persons=3_000,
    merchants=150,
    background_per_day=2_500,
    atms=40,
    exchanges=4,
    cash_out_merchants=12,
    max_campaign_reports=40,
)
SMALL = Scale(
    name="small",
    start=_day(2026, 9, 1),
    end=_day(2026, 10, 1),
    reports=5_000,
    persons=40_000,
    merchants=2_000,
    background_per_day=15_000,
    atms=600,
    exchanges=10,
    cash_out_merchants=80,
    max_campaign_reports=300,
)
MEDIUM = Scale(
    name="medium",
    start=_day(2026, 7, 1),
    end=_day(2026, 10, 1),
    reports=100_000,
    persons=400_000,
    merchants=20_000,
    background_per_day=46_000,
    atms=5_000,
    exchanges=30,
    cash_out_merchants=600,
    max_campaign_reports=2_500,
)
LARGE = Scale(
    name="large",
    start=_day(2026, 4, 1),
    end=_day(2026, 10, 1),
    reports=1_000_000,
    persons=3_000_000,
    merchants=100_000,
    background_per_day=200_000,
    atms=20_000,
    exchanges=60,
    cash_out_merchants=3_000,
    max_campaign_reports=10_000,
)

SCALES: dict[str, Scale] = {scale.name: scale for scale in (TINY, SMALL, MEDIUM, LARGE)}
"""The named scales: ``tiny`` (unit tests), ``small`` (seconds), ``medium`` and ``large`` (benchmarks)."""


def get_scale(scale: str | Scale) -> Scale:
    """The :class:`Scale` named ``scale`` (or ``scale`` itself)."""
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}") from None
