"""The periods a ranking covers: a calendar day, a week (Monday to Sunday), a month, or all time,
in GROUPQL_TIMEZONE (Asia/Shanghai: a day starts at midnight Beijing time)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from groupql.records import RankingPeriod


@dataclass(frozen=True)
class Span:
    """One period: the key its scores are kept under, and its start and end (exclusive) as
    moments in the time zone (none for all time)."""

    period: RankingPeriod
    key: str
    start: datetime | None
    end: datetime | None


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def span(period: RankingPeriod, day: date, zone: ZoneInfo) -> Span:
    """The period of this kind that the day falls in."""
    if period is RankingPeriod.ALL:
        return Span(period, "ALL", None, None)
    if period is RankingPeriod.DAY:
        first, after = day, day + timedelta(days=1)
    elif period is RankingPeriod.WEEK:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    key = f"{period.value[0]}{first.isoformat()}"
    return Span(period, key, _midnight(first, zone), _midnight(after, zone))


def spans_of(day: date, zone: ZoneInfo) -> list[Span]:
    """The four periods a day counts in."""
    return [span(period, day, zone) for period in RankingPeriod]


def days_of(spans: list[Span], zone: ZoneInfo) -> tuple[date, date] | None:
    """The first and last day the bounded spans cover together (None: only all time)."""
    bounded = [one for one in spans if one.start is not None and one.end is not None]
    if not bounded:
        return None
    first = min(local_day(one.start, zone) for one in bounded if one.start is not None)
    last = max(local_day(one.end, zone) for one in bounded if one.end is not None)
    return first, last - timedelta(days=1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)
