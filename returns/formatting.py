"""How dates and time left read for a person, always in the seller's own time zone and
in the active language (month, weekday and city names come from CLDR through Babel)."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_timezone_location
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext, pgettext, to_locale

# English keeps the house wording ("Tuesday 10 March 2026"); every other language
# takes CLDR's own patterns, which read the way that market writes dates.
_ENGLISH_PATTERNS = {"full": "EEEE d MMMM y", "day_month": "d MMMM", "short": "d MMM"}


@lru_cache(maxsize=32)
def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(to_locale(language or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _active_locale() -> Locale:
    return _locale(get_language())


def _date(local: datetime, kind: str, locale: Locale) -> str:
    if locale.language == "en":
        return format_date(local, _ENGLISH_PATTERNS[kind], locale=locale)
    if kind == "full":
        return format_date(local, "full", locale=locale)
    return format_skeleton("MMMMd" if kind == "day_month" else "MMMd", local, locale=locale)


def _time(local: datetime, locale: Locale) -> str:
    if locale.language == "en":
        return f"{local:%H:%M}"
    return format_skeleton("Hm", local, locale=locale)


@lru_cache(maxsize=256)
def _city(zone_name: str, locale: Locale) -> str:
    return get_timezone_location(ZoneInfo(zone_name), locale=locale, return_city=True)


def zone_label(zone_name: str) -> str:
    """`Asia/Bangkok` → `Bangkok time` (`เวลากรุงเทพ` in Thai)."""
    # Translators: the time zone a date is given in, named by its city, e.g. "Bangkok time".
    return gettext("%(city)s time") % {"city": _city(zone_name, _active_locale())}


def local_datetime(moment: datetime, zone_name: str) -> str:
    """`Tuesday 10 March 2026 at 23:59 Bangkok time (Asia/Bangkok)`."""
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _active_locale()
    # Translators: a full deadline. date: "Tuesday 10 March 2026"; time: "23:59";
    # zone: "Bangkok time"; zone_id: the technical zone name, e.g. "Asia/Bangkok".
    return gettext("%(date)s at %(time)s %(zone)s (%(zone_id)s)") % {
        "date": _date(local, "full", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
        "zone_id": zone_name,
    }


def local_date(moment: datetime, zone_name: str) -> str:
    """`10 March at 23:59 Bangkok time`: short, for sentences."""
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _active_locale()
    # Translators: a moment inside a sentence. date: "10 March"; time: "23:59";
    # zone: "Bangkok time".
    return gettext("%(date)s at %(time)s %(zone)s") % {
        "date": _date(local, "day_month", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
    }


def local_short(moment: datetime, zone_name: str) -> str:
    """`10 Mar 23:59 Bangkok time`: for a narrow column."""
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _active_locale()
    # Translators: a moment in a narrow table column. date: "10 Mar"; time: "23:59";
    # zone: "Bangkok time".
    return gettext("%(date)s %(time)s %(zone)s") % {
        "date": _date(local, "short", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
    }


def _days(n: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", n) % {"days": n}


def _hours(n: int) -> str:
    return ngettext("%(hours)s hour", "%(hours)s hours", n) % {"hours": n}


def _minutes(n: int) -> str:
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", n) % {"minutes": n}


def time_left(deadline: datetime, now: datetime | None = None) -> str:
    """`2 days 4 hours left`, `3 hours 20 minutes left`, `12 minutes left`, or `closed`."""
    remaining = deadline - (now or timezone.now())
    seconds = int(remaining.total_seconds())
    if seconds < 0:
        # Translators: a claim window whose deadline has passed, shown where the time left would be.
        return pgettext("claim window", "closed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        larger, smaller = _days(days), _hours(hours) if hours else None
    elif hours:
        larger, smaller = _hours(hours), _minutes(minutes) if minutes else None
    else:
        larger, smaller = _minutes(minutes), None
    if smaller:
        # Translators: two units of a duration, larger first:
        # "2 days" + "4 hours" → "2 days 4 hours".
        duration = gettext("%(larger)s %(smaller)s") % {"larger": larger, "smaller": smaller}
    else:
        duration = larger
    # Translators: the time a seller has left to act, e.g. "2 days 4 hours left", "12 minutes left".
    return gettext("%(duration)s left") % {"duration": duration}


def hours_ahead(hours: int) -> str:
    """A reminder stage as people say it: `72` → `3 days`, `24` → `24 hours`, `36` → `36 hours`."""
    if hours > 24 and hours % 24 == 0:
        return _days(hours // 24)
    return _hours(hours)
