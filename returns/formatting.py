"""How dates and time left read for a person, always in the seller's own time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def zone_label(zone_name: str) -> str:
    """`Asia/Bangkok` → `Bangkok time`."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ") + " time"


def local_datetime(moment: datetime, zone_name: str) -> str:
    """`Tuesday 10 March 2026 at 23:59 Bangkok time (Asia/Bangkok)`."""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M} {zone_label(zone_name)} ({zone_name})"


def local_date(moment: datetime, zone_name: str) -> str:
    """`10 March at 23:59 Bangkok time`: short, for sentences."""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local.day} {local:%B at %H:%M} {zone_label(zone_name)}"


def local_short(moment: datetime, zone_name: str) -> str:
    """`10 Mar 23:59 Bangkok time`: for a narrow column."""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local.day} {local:%b %H:%M} {zone_label(zone_name)}"


def time_left(deadline: datetime, now: datetime | None = None) -> str:
    """`2 days 4 hours left`, `3 hours 20 minutes left`, `12 minutes left`, or `closed`."""
    remaining = deadline - (now or timezone.now())
    seconds = int(remaining.total_seconds())
    if seconds < 0:
        return "closed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [(days, "day"), (hours, "hour")]
    elif hours:
        parts = [(hours, "hour"), (minutes, "minute")]
    else:
        parts = [(minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n or unit == "minute"]
    return " ".join(words) + " left"
