"""Quiet hours: when no subscribe message goes out, as a time window in the group's time zone
(it may pass midnight, and days may be 23 or 25 hours long), and how settings spell it."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from groupql.config import quiet_window
from groupql.services.quiet_hours import QuietHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = QuietHours(time(22, 0), time(8, 0), SHANGHAI)
LUNCH = QuietHours(time(12, 0), time(14, 0), SHANGHAI)
# On 9 March 2025 New York's clocks jump from 02:00 EST to 03:00 EDT; on 2 November they fall
# back from 02:00 EDT to 01:00 EST.
SPRING_FORWARD = datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
FALL_BACK = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


def in_shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=SHANGHAI)


def minutes_around(moment: datetime, hours: int) -> list[datetime]:
    """Every minute from `hours` before `moment` to `hours` after it."""
    return [moment + timedelta(minutes=n) for n in range(-60 * hours, 60 * hours + 1)]


@pytest.mark.parametrize(
    ("moment", "end"),
    [
        (in_shanghai(1, 23, 30), in_shanghai(2, 8)),
        (in_shanghai(1, 22), in_shanghai(2, 8)),
        (in_shanghai(2, 0), in_shanghai(2, 8)),
        (in_shanghai(2, 3), in_shanghai(2, 8)),
        (in_shanghai(2, 7, 59), in_shanghai(2, 8)),
        (in_shanghai(2, 8), None),
        (in_shanghai(2, 12), None),
        (in_shanghai(2, 21, 59), None),
    ],
)
def test_overnight_quiet_hours_end_the_next_morning(moment: datetime, end: datetime | None) -> None:
    assert NIGHT.end_after(moment) == end


def test_a_moment_in_utc_is_read_in_the_groups_time_zone() -> None:
    half_past_eleven_in_shanghai = datetime(2025, 6, 1, 15, 30, tzinfo=UTC)

    end = NIGHT.end_after(half_past_eleven_in_shanghai)

    assert end is not None
    assert end.astimezone(UTC) == datetime(2025, 6, 2, 0, 0, tzinfo=UTC)
    assert end.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("moment", "end"),
    [
        (in_shanghai(1, 11, 59), None),
        (in_shanghai(1, 12), in_shanghai(1, 14)),
        (in_shanghai(1, 13, 30), in_shanghai(1, 14)),
        (in_shanghai(1, 14), None),
        (in_shanghai(1, 23), None),
        (in_shanghai(2, 3), None),
    ],
)
def test_daytime_quiet_hours_end_the_same_day(moment: datetime, end: datetime | None) -> None:
    assert LUNCH.end_after(moment) == end


def test_quiet_hours_ending_after_the_clocks_jump_forward_end_at_their_local_time() -> None:
    quiet = QuietHours(time(1, 0), time(3, 0), NEW_YORK)
    half_past_one_est = SPRING_FORWARD - timedelta(minutes=30)

    end = quiet.end_after(half_past_one_est)

    assert end is not None and end.tzinfo is not None
    assert end.astimezone(UTC) == SPRING_FORWARD  # 03:00 EDT, half an hour later
    assert (end.astimezone(NEW_YORK).time(), end.utcoffset()) == (time(3), timedelta(hours=-4))
    assert quiet.end_after(SPRING_FORWARD) is None


def test_overnight_quiet_hours_on_the_short_night_end_at_eight_local_time() -> None:
    quiet = QuietHours(time(22, 0), time(8, 0), NEW_YORK)
    eleven_pm_est = datetime(2025, 3, 8, 23, 0, tzinfo=NEW_YORK)

    end = quiet.end_after(eleven_pm_est)

    assert end is not None
    assert end.astimezone(UTC) == datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert end.astimezone(UTC) - eleven_pm_est.astimezone(UTC) == timedelta(hours=8)


def test_quiet_hours_on_the_long_night_end_at_their_local_time() -> None:
    quiet = QuietHours(time(1, 0), time(3, 0), NEW_YORK)
    half_past_one_edt = FALL_BACK - timedelta(minutes=30)

    end = quiet.end_after(half_past_one_edt)

    assert end is not None
    assert end.astimezone(UTC) == datetime(2025, 11, 2, 8, 0, tzinfo=UTC)  # 03:00 EST
    assert quiet.end_after(FALL_BACK + timedelta(minutes=30)) == end  # 01:30 EST, again


@pytest.mark.parametrize(
    ("start", "end", "night"),
    [
        (time(1, 0), time(3, 0), SPRING_FORWARD),
        (time(22, 0), time(8, 0), SPRING_FORWARD),
        (time(1, 0), time(3, 0), FALL_BACK),
        (time(0, 30), time(1, 30), FALL_BACK),
        (time(22, 0), time(1, 30), FALL_BACK),
    ],
)
def test_quiet_hours_end_at_the_first_minute_that_is_not_quiet(
    start: time, end: time, night: datetime
) -> None:
    quiet = QuietHours(start, end, NEW_YORK)
    for moment in minutes_around(night, hours=4):
        quiet_end = quiet.end_after(moment)
        if quiet_end is not None:
            # In UTC: arithmetic on a local time is on its wall clock, gaps and folds included.
            quiet_end = quiet_end.astimezone(UTC)
            assert quiet_end > moment
            assert quiet.end_after(quiet_end) is None
            assert quiet.end_after(quiet_end - timedelta(minutes=1)) is not None


def test_quiet_hours_that_end_in_the_skipped_hour_end_when_the_clocks_jump() -> None:
    quiet = QuietHours(time(1, 0), time(2, 30), NEW_YORK)
    quarter_to_two_est = SPRING_FORWARD - timedelta(minutes=15)

    end = quiet.end_after(quarter_to_two_est)

    assert quiet.end_after(SPRING_FORWARD) is None  # 03:00 EDT is past 02:30
    assert end is not None
    assert end.astimezone(UTC) == SPRING_FORWARD


@pytest.mark.parametrize(
    "hours", ["22:00-22:00", "25:00-08:00", "22:60-08:00", "22:00-24:00", "8-9", "22:00", ""]
)
def test_settings_refuse_quiet_hours_that_name_no_window(hours: str) -> None:
    with pytest.raises(ValueError, match="quiet hours"):
        quiet_window(hours)


@pytest.mark.parametrize(
    ("hours", "window"),
    [
        (" 22:00-08:00 ", (time(22, 0), time(8, 0))),
        ("12:00-14:00", (time(12, 0), time(14, 0))),
        ("23:30-00:15", (time(23, 30), time(0, 15))),
    ],
)
def test_settings_read_quiet_hours_as_a_start_and_an_end(
    hours: str, window: tuple[time, time]
) -> None:
    assert quiet_window(hours) == window
