"""When the bot may send follow-ups: plain functions over times, no Telegram, no database."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["after_quiet_hours", "clock_time"]


def clock_time(text: str) -> time:
    """``"21:00"`` as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def after_quiet_hours(moment: datetime, tz: ZoneInfo, start: time, end: time) -> datetime:
    """``moment`` if it is outside the quiet hours (``start`` to ``end``, local time, possibly
    across midnight), else the end of those quiet hours. Returned in ``moment``'s zone."""
    local = moment.astimezone(tz)
    now = local.time()
    across_midnight = start > end
    quiet = (now >= start or now < end) if across_midnight else (start <= now < end)
    if not quiet:
        return moment
    day = local.date() if now < end else local.date() + timedelta(days=1)
    # Built from the wall-clock time, so a quiet night that crosses a clock change still
    # ends at its local time.
    ends = datetime.combine(day, end, tzinfo=tz)
    return ends.astimezone(moment.tzinfo)
