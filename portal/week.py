"""The week at a glance: the last 30 days per day, as charts with tables, on the work list.

Each app contributes series through settings.CONSOLE_CHARTS, as it does rows
to the work list (portal.worklist), so `portal` charts packages and tickets
without importing the apps that own them. The days are the reader's (staff:
their provider's zone, portal.middleware); the days that are over are counted
once and kept (returns.day_counts), the day still open is counted on each view
from indexes that read its rows alone. A provider's numbers are also kept for
CONSOLE_CHARTS_CACHE_SECONDS in the cache, which spares even that (`cached`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from portal.models import LogisticsProvider, User

DAYS = 30


@dataclass(frozen=True)
class Window:
    """The days charted, oldest first, in the reader's zone; `start` is the first's midnight."""

    days: list[date]
    start: datetime
    zone: tzinfo
    provider_id: int | None  # an operator's narrowing to one provider; staff see their own

    def by_day(self, rows: Iterable[tuple[date, float | None]]) -> list[float | None]:
        """The values of `rows` (day, value) on every day of the window, None where none."""
        found = dict(rows)
        return [found.get(day) for day in self.days]


@dataclass(frozen=True)
class Series:
    key: str  # the CSV column
    label: str
    values: list[float | None]  # one per day of the window; None: nothing to measure
    unit: str = ""  # "%" or "h"; counts have none
    total: float | None = None  # the 30 days as one figure (a sum, a rate, a median)
    hint: str = ""


def window_for(provider_id: int | None = None, now: datetime | None = None) -> Window:
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    start = datetime.combine(days[0], time.min, tzinfo=zone)
    return Window(days=days, start=start, zone=zone, provider_id=provider_id)


def provider_asked(user: User, value: str | None) -> int | None:
    """`?provider=<id>`: an operator's choice of one provider; staff may name only their own.

    Another provider's id, or one that does not exist, is a 404.
    """
    if not value:
        return None
    providers = LogisticsProvider.objects.all()
    if not user.is_superuser:
        # Staff of no provider may name none.
        providers = providers.filter(pk=user.provider_id) if user.provider_id else providers.none()
    pk = int(value) if value.isdigit() else 0
    return get_object_or_404(providers.only("pk"), pk=pk).pk


def provider_ids(user: User, window: Window) -> list[int]:
    """The providers whose rows the user's charts count, as TenantQuerySet.for_user scopes
    them for the console's readers: an operator all (or the one asked for), staff their own."""
    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        if window.provider_id is not None:
            return [window.provider_id]
        return list(LogisticsProvider.objects.order_by("pk").values_list("pk", flat=True))
    if user.seller_id or not (user.is_staff and user.provider_id):
        return []
    # provider_asked lets staff name only their own provider.
    return [user.provider_id]


# How long a provider's numbers are kept past CONSOLE_CHARTS_CACHE_SECONDS, to be shown
# while one process counts them again; and how long that count may take before another
# process may start one (a count that crashed frees its turn then).
STALE_FOR = 4  # times CONSOLE_CHARTS_CACHE_SECONDS
COUNTING_SECONDS = 30


def cached(
    name: str, user: User, window: Window, compute: Callable[[], list[Series]]
) -> list[Series]:
    """`compute()`, or what it gave for the same numbers within CONSOLE_CHARTS_CACHE_SECONDS.

    The same numbers: the same series, rows seen (all for an operator, else the
    provider's), narrowing, zone, first day and language (the labels are worded).
    Once they are older, one reader counts them again while the others (of every
    process sharing the cache, CACHE_URL) are shown the last count meanwhile: a
    count at a million packages takes a worker half a second, and all of them at
    once would stall the console for everyone.
    """
    seconds = settings.CONSOLE_CHARTS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    scope = "all" if user.is_superuser else user.provider_id
    key = ":".join(
        str(part)
        for part in (
            "week",
            name,
            scope,
            window.provider_id,
            window.zone,
            window.days[0],
            get_language(),
        )
    )
    turn = f"{key}:counting"
    kept: tuple[float, list[Series]] | None = cache.get(key)
    if kept is not None:
        fresh_until, found = kept
        if timezone.now().timestamp() < fresh_until or not cache.add(turn, 1, COUNTING_SECONDS):
            return found  # fresh, or another reader is counting them again
    try:
        found = compute()
        cache.set(key, (timezone.now().timestamp() + seconds, found), seconds * (1 + STALE_FOR))
    finally:
        if kept is not None:  # this reader took the turn
            cache.delete(turn)
    return found


def series_for(user: User, window: Window) -> list[Series]:
    return [
        series for path in settings.CONSOLE_CHARTS for series in import_string(path)(user, window)
    ]
