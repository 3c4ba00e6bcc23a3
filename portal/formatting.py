"""How values read for a person: dates and time left, always in the seller's own time zone
and in the active language (month, weekday and city names come from CLDR through Babel),
and the labels of stored choices."""

from datetime import datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, get_timezone_location, match_skeleton
from django.core.signals import setting_changed
from django.db.models import Field, Model
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext, pgettext, to_locale


@cache
def _labels(model: type[Model], field_name: str) -> dict[object, str | Promise]:
    field = model._meta.get_field(field_name)
    if not isinstance(field, Field):  # a relation's reverse side has no choices
        raise TypeError(f"{model.__name__}.{field_name} is not a field with choices")
    return dict(field.flatchoices)


def choice_label(instance: Model, field_name: str) -> str:
    """What `instance.get_<field_name>_display()` gives, translating one label.

    `get_FOO_display` hashes every choice's lazy label on each call, which translates them
    all: on a list, every label of the field on every row.
    """
    value = getattr(instance, field_name)
    return str(_labels(type(instance), field_name).get(value, value))


# English keeps the house wording ("Tuesday 10 March 2026"); every other language
# takes CLDR's own patterns, which read the way that market writes dates.


@lru_cache(maxsize=32)
def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(to_locale(language or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


# CLDR skeletons for the other languages: each locale turns them into its own pattern.
_SKELETONS = {"day_month": "MMMMd", "short": "MMMd", "time": "Hm"}


@lru_cache(maxsize=64)
def _pattern(kind: str, locale: Locale) -> DateTimePattern:
    """The parsed pattern of `kind` in `locale`, found once: matching a skeleton and
    parsing a pattern cost ten times the formatting itself, on every row of a list."""
    if kind == "full":
        full: DateTimePattern = locale.date_formats["full"]
        return full
    skeletons = locale.datetime_skeletons
    found: DateTimePattern = skeletons[
        match_skeleton(_SKELETONS[kind], skeletons) or _SKELETONS[kind]
    ]
    return found


# English through the C library's names (the process never sets LC_TIME): a tenth of
# Babel's cost, and the house wording every English page has always shown.
_ENGLISH_STRFTIME = {"full": "%A %-d %B %Y", "day_month": "%-d %B", "short": "%-d %b"}


def _date(local: datetime, kind: str, locale: Locale) -> str:
    if locale.language == "en":
        return local.strftime(_ENGLISH_STRFTIME[kind])
    return _pattern(kind, locale).apply(local, locale)


def _time(local: datetime, locale: Locale) -> str:
    if locale.language == "en":
        return f"{local:%H:%M}"
    return _pattern("time", locale).apply(local, locale)


@lru_cache(maxsize=256)
def _city(zone_name: str, locale: Locale) -> str:
    return get_timezone_location(ZoneInfo(zone_name), locale=locale, return_city=True)


def zone_label(zone_name: str) -> str:
    """`Asia/Bangkok` → `Bangkok time` (`เวลากรุงเทพ` in Thai)."""
    return _zone_label(zone_name, get_language())


@lru_cache(maxsize=256)
def _zone_label(zone_name: str, language: str | None) -> str:
    # Translators: the time zone a date is given in, named by its city, e.g. "Bangkok time".
    return gettext("%(city)s time") % {"city": _city(zone_name, _locale(language))}


def local_datetime(moment: datetime, zone_name: str) -> str:
    """`Tuesday 10 March 2026 at 23:59 Bangkok time (Asia/Bangkok)`."""
    return _local_datetime(moment, zone_name, get_language())


@lru_cache(maxsize=4096)
def _local_datetime(moment: datetime, zone_name: str, language: str | None) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _locale(language)
    # Translators: a full deadline. date: "Tuesday 10 March 2026"; time: "23:59";
    # zone: "Bangkok time"; zone_id: the technical zone name, e.g. "Asia/Bangkok".
    return gettext("%(date)s at %(time)s %(zone)s (%(zone_id)s)") % {
        "date": _date(local, "full", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
        "zone_id": zone_name,
    }


def local_date(moment: datetime | None, zone_name: str) -> str:
    """`10 March at 23:59 Bangkok time`: short, for sentences.

    A state's timestamp (claimed_at, destroyed_at …) read for its sentence may be typed
    optional; a missing one reads as nothing rather than failing the page.
    """
    if moment is None:
        return ""
    return _local_date(moment, zone_name, get_language())


@lru_cache(maxsize=4096)
def _local_date(moment: datetime, zone_name: str, language: str | None) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _locale(language)
    # Translators: a moment inside a sentence. date: "10 March"; time: "23:59";
    # zone: "Bangkok time".
    return gettext("%(date)s at %(time)s %(zone)s") % {
        "date": _date(local, "day_month", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
    }


def local_short(moment: datetime, zone_name: str) -> str:
    """`10 Mar 23:59 Bangkok time`: for a narrow column."""
    return _local_short(moment, zone_name, get_language())


@lru_cache(maxsize=4096)
def _local_short(moment: datetime, zone_name: str, language: str | None) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    locale = _locale(language)
    # Translators: a moment in a narrow table column. date: "10 Mar"; time: "23:59";
    # zone: "Bangkok time".
    return gettext("%(date)s %(time)s %(zone)s") % {
        "date": _date(local, "short", locale),
        "time": _time(local, locale),
        "zone": zone_label(zone_name),
    }


def forget_wording(**_signal: object) -> None:
    """Empty the caches of worded dates and durations: the catalogs they came from changed
    (settings that choose catalogs, as Django's own translation caches do; a test's catalog)."""
    for cached in (_local_datetime, _local_date, _local_short, _duration_left, _zone_label):
        cached.cache_clear()


@receiver(setting_changed)
def _catalogs_changed(*, setting: str, **_signal: object) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        forget_wording()


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
    return _duration_left(days, hours, minutes, get_language())


# Lists show the same few durations on every row (a minute's resolution): worded once.
@lru_cache(maxsize=4096)
def _duration_left(days: int, hours: int, minutes: int, language: str | None) -> str:
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
