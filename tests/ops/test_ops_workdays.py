from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanzha.ops import FakeClock, SystemClock, WorkingCalendar

BEIJING = timezone(timedelta(hours=8))


def test_fake_clock_moves_only_forward_and_refuses_naive_times() -> None:
    clock = FakeClock(datetime(2026, 9, 7, 10, tzinfo=BEIJING))
    assert clock.now() == datetime(2026, 9, 7, 2, tzinfo=UTC)
    assert clock.advance(timedelta(minutes=30)) == datetime(2026, 9, 7, 2, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="timezone"):
        FakeClock(datetime(2026, 9, 7))
    assert SystemClock().now().tzinfo is UTC


def test_working_days_skip_weekends_and_end_at_local_midnight() -> None:
    friday_10 = datetime(2026, 9, 11, 10, tzinfo=BEIJING)
    # Mon 14 .. Fri 18 are days 1-5, Mon 21 and Tue 22 days 6-7: due when Wednesday 23 starts in Beijing.
    due = WorkingCalendar().add_working_days(friday_10, 7)
    assert due == datetime(2026, 9, 23, 0, tzinfo=BEIJING)


def test_a_day_late_in_utc_is_already_the_next_local_day() -> None:
    sunday_late_utc = datetime(2026, 9, 13, 17, tzinfo=UTC)  # Monday 01:00 in Beijing
    assert WorkingCalendar().add_working_days(sunday_late_utc, 1) == datetime(2026, 9, 16, 0, tzinfo=BEIJING)


def test_holidays_are_skipped_and_make_up_workdays_count() -> None:
    national_day = frozenset(date(2026, 10, day) for day in range(1, 8))
    calendar = WorkingCalendar(holidays=national_day, workdays=frozenset({date(2026, 10, 10)}))
    wednesday = datetime(2026, 9, 30, 9, tzinfo=BEIJING)
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange
    assert not calendar.is_working_day(date(2026, 10, 5))
    # Thu 8 (1), Fri 9 (2), Sat 10 (3, make-up day), Mon 12 (4)
    assert calendar.add_working_days(wednesday, 4) == datetime(2026, 10, 13, 0, tzinfo=BEIJING)


def test_months_clamp_to_the_end_of_shorter_months() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_months(datetime(2026, 8, 31, 12, tzinfo=BEIJING), 6) == datetime(
        2027, 2, 28, 12, tzinfo=BEIJING
    )
    assert calendar.add_months(datetime(2027, 8, 31, 12, tzinfo=BEIJING), 6) == datetime(
        2028, 2, 29, 12, tzinfo=BEIJING
    )
    assert calendar.add_months(datetime(2026, 9, 15, 12, tzinfo=BEIJING), 6) == datetime(
        2027, 3, 15, 12, tzinfo=BEIJING
    )


def _reference_working_deadline(start_day: date, days: int, calendar: WorkingCalendar) -> date:
    working = [
        start_day + timedelta(days=offset)
        for offset in range(1, 2 * days + 120)
        if calendar.is_working_day(start_day + timedelta(days=offset))
    ]
    return working[days - 1] + timedelta(days=1)


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.integers(min_value=1, max_value=40),
    st.frozensets(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 3, 1)), max_size=40),
)
def test_working_deadline_matches_a_listing_of_working_days(
    start: datetime, days: int, holidays: frozenset[date]
) -> None:
    calendar = WorkingCalendar(holidays=holidays)
    due = calendar.add_working_days(start, days)
    local_start = calendar.local_date(start)
    assert due.astimezone(calendar.zone).time() == datetime.min.time()
    assert due.astimezone(calendar.zone).date() == _reference_working_deadline(local_start, days, calendar)
