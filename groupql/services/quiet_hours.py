"""Quiet hours: times of day, in a time zone, when no subscribe message goes out."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """Times of day, in a time zone, when no subscribe message goes out (may pass midnight)."""

    start: time
    end: time
    tz: ZoneInfo

    def end_after(self, moment: datetime) -> datetime | None:
        """When the quiet hours `moment` falls in end; None if it falls in none."""
        local = moment.astimezone(self.tz)
        clock = local.time()
        overnight = self.end <= self.start
        inside = (
            (clock >= self.start or clock < self.end)
            if overnight
            else (self.start <= clock < self.end)
        )
        if not inside:
            return None
        day = local.date() if clock < self.end else local.date() + timedelta(days=1)
        return self._first_after(datetime.combine(day, self.end), moment)

    def _first_after(self, wall: datetime, moment: datetime) -> datetime:
        """The first moment after `moment` when the zone's clocks show `wall`: of the two when
        the clocks go back, the one still to come; in an hour they skip (daylight saving
        starts), the moment they jump past it."""
        for fold in (0, 1):
            candidate = wall.replace(tzinfo=self.tz, fold=fold)
            exists = candidate.astimezone(UTC).astimezone(self.tz).replace(tzinfo=None) == wall
            if exists and candidate > moment:
                return candidate
        probe = wall.replace(tzinfo=self.tz, fold=1).astimezone(UTC)  # before the jump
        while probe.astimezone(self.tz).replace(tzinfo=None) < wall:
            probe += timedelta(minutes=1)
        return probe.astimezone(self.tz)
