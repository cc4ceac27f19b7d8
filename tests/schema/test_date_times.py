"""A DateTime is answered as ISO 8601 with its offset, whatever tzinfo the store's driver gave
it (pymongo's and the in-memory engine's UTC, or another zone)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from bson.tz_util import FixedOffset, utc

from groupql.schema.scalars import DATE_TIME

AT = datetime(2026, 12, 3, 8, 30, 15, 123000)


@pytest.mark.parametrize(
    ("tzinfo", "text"),
    [
        (utc, "2026-12-03T08:30:15.123000+00:00"),
        (UTC, "2026-12-03T08:30:15.123000+00:00"),
        (FixedOffset(480, "CST"), "2026-12-03T08:30:15.123000+08:00"),
        (timezone(timedelta(hours=-5)), "2026-12-03T08:30:15.123000-05:00"),
    ],
)
def test_a_date_time_is_answered_with_its_offset(tzinfo: object, text: str) -> None:
    value = AT.replace(tzinfo=tzinfo)  # type: ignore[arg-type]
    assert DATE_TIME.serialize(value) == text == value.isoformat()


def test_the_same_time_in_another_zone_keeps_its_own_offset() -> None:
    in_utc = AT.replace(tzinfo=utc)
    in_beijing = in_utc.astimezone(FixedOffset(480, "CST"))
    assert in_utc == in_beijing
    for _ in range(2):  # whichever was answered first
        assert DATE_TIME.serialize(in_utc) == "2026-12-03T08:30:15.123000+00:00"
        assert DATE_TIME.serialize(in_beijing) == "2026-12-03T16:30:15.123000+08:00"
        assert DATE_TIME.serialize(in_utc.replace(tzinfo=UTC)) == in_utc.isoformat()
