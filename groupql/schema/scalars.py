"""Scalars: a DateTime that always carries its time zone."""

from datetime import UTC, datetime

import strawberry
from bson.tz_util import utc as STORED_UTC
from strawberry.types.scalar import ScalarDefinition

from groupql.errors import BadUserInput


def _parse_date_time(value: object) -> datetime:
    # A time without a zone is ambiguous between a phone in UTC+8 and a server in UTC: refuse it
    # rather than guess by eight hours.
    if not isinstance(value, str):
        raise BadUserInput("A DateTime is an ISO 8601 string.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadUserInput(f"'{value}' is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None:
        raise BadUserInput(f"'{value}' needs a time zone, e.g. 2030-01-01T08:00:00+08:00 or ...Z.")
    return parsed.astimezone(UTC)


def _serialize_date_time(value: datetime) -> str:
    # A page shows the same times again and again (the store's copies share them): the text
    # of each one in UTC, as the store gives them all, is made once. Only in UTC: equal times
    # in other zones are written otherwise. (datetime's hash is kept in it once computed.)
    if value.tzinfo is not STORED_UTC and value.tzinfo is not UTC:
        return value.isoformat()
    text = _UTC_TEXTS.get(value)
    if text is None:
        if len(_UTC_TEXTS) >= _MAX_TEXTS:
            _UTC_TEXTS.clear()
        text = _UTC_TEXTS[value] = value.isoformat()
    return text


_UTC_TEXTS: dict[datetime, str] = {}
_MAX_TEXTS = 100_000  # about 20 MB


DATE_TIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date and time with its time zone (Z or an offset).",
    serialize=_serialize_date_time,
    parse_value=_parse_date_time,
)
