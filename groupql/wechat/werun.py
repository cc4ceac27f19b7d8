"""WeChat steps (微信运动): the daily steps wx.getWeRunData gives, once decrypted and checked."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from groupql.errors import InvalidEncryptedData
from groupql.wechat.share_info import check_watermark

# WeChat gives the last 31 days; more than this is not WeChat's payload.
_MAX_DAYS = 62
# More steps than this in a day are not a phone's count.
_MAX_STEPS = 1_000_000
# Seconds that are a date (about the year 2500), which any time zone can hold.
_LAST_TIMESTAMP = 2**34


@dataclass(frozen=True)
class StepsUpload:
    """Steps by calendar day (in the time zone of the timestamps' midnights), and when WeChat
    made the payload (its watermark, seconds)."""

    days: dict[date, int]
    made_at: int


def read_steps(
    payload: Mapping[str, Any], *, appid: str, now_s: float, max_age_s: int, zone: ZoneInfo
) -> StepsUpload:
    """The steps of a decrypted wx.getWeRunData payload, refused if made for another app, stale
    or malformed."""
    watermark = payload.get("watermark")
    if watermark is None:
        raise InvalidEncryptedData("The steps have no watermark; read them again.")
    made_at = check_watermark(
        watermark, appid=appid, now_s=now_s, max_age_s=max_age_s, what="steps"
    )
    entries = payload.get("stepInfoList")
    if not isinstance(entries, list) or len(entries) > _MAX_DAYS:
        raise InvalidEncryptedData("The steps payload has no valid stepInfoList.")
    days: dict[date, int] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise InvalidEncryptedData("A day of the steps payload is malformed.")
        timestamp = _bounded(entry.get("timestamp"), _LAST_TIMESTAMP)
        steps = _bounded(entry.get("step"), _MAX_STEPS)
        if timestamp is None or steps is None:
            raise InvalidEncryptedData("A day of the steps payload is malformed.")
        days[datetime.fromtimestamp(timestamp, zone).date()] = steps
    return StepsUpload(days=days, made_at=made_at)


def _bounded(value: object, most: int) -> int | None:
    """A JSON whole number from 0 to `most`; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most:
        return value
    return None
