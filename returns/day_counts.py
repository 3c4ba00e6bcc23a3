"""The work list's days that are over, counted once (portal.week's charts).

A day that is over does not change: each source's numbers for it are kept in a
DayCount row per provider and zone, written by the first reader that misses it or
by the `count_closed_days` job, whichever comes first; only the days still open
are counted from the packages and tickets on each view, from indexes that read
those days' rows alone. So the charts cost the same at any number of packages.

A source (settings.CONSOLE_CHART_DAYS) is a function `(provider_ids, start, end,
zone)` → the numbers of each (provider, day) with something in [start, end)
(`end` None: up to now), each a JSON-ready dict; a day with nothing is left out.

Two rules keep the rows right:
1. A day is counted once it has been over for SETTLE: a change a service dates
   "now" commits well within that, so no change can land in a day already kept.
2. A service that writes a moment into a day that is over (a carrier's attempt
   reported late, an undone decision) calls `reopen` in its transaction, which
   deletes the provider's rows around that moment: the next reader counts them
   again. On PostgreSQL it holds a shared advisory lock that a count waits for,
   so a count never reads the data before that change and writes its row after.
"""

import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.batches import JobSummary
from portal.models import LogisticsProvider
from returns.day_count_models import DayCount

# Longer than any transaction runs (the jobs' timeout is minutes).
SETTLE = timedelta(hours=1)
DAYS = 30  # as portal.week's window, which imports nothing from the apps

Numbers = dict[str, Any]
Source = Callable[[list[int], datetime, datetime | None, tzinfo], dict[tuple[int, date], Numbers]]


def _lock_key(provider_id: int) -> int:
    # One advisory lock per provider, apart from any other lock the portal takes
    # (portal.jobs' is one fixed number): "days" in its high half.
    return (zlib.crc32(b"days") << 31) ^ provider_id


def _zone_name(zone: tzinfo) -> str:
    return str(zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def first_open_day(zone: tzinfo, now: datetime | None = None) -> date:
    """The first day still counted live: days before it are over and settled (rule 1)."""
    return timezone.localtime((now or timezone.now()) - SETTLE, zone).date()


def source(name: str) -> Source:
    function: Source = import_string(settings.CONSOLE_CHART_DAYS[name])
    return function


def _fill(
    name: str, provider_id: int, zone: tzinfo, missing: list[date]
) -> tuple[dict[date, Numbers], int]:
    """The numbers of the provider's `missing` days (all over), each counted and kept
    unless another reader or the job kept it meanwhile (then its row's); and how many
    this call kept."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Turns with the other counts of the provider, after any change reopening it.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(provider_id)])
        numbers: dict[date, Numbers] = dict(
            DayCount.objects.filter(
                source=name, provider_id=provider_id, zone=_zone_name(zone), day__in=missing
            ).values_list("day", "numbers")
        )
        wanted = [day for day in missing if day not in numbers]
        if not wanted:
            return numbers, 0
        counted = source(name)(
            [provider_id],
            _midnight(wanted[0], zone),
            _midnight(wanted[-1] + timedelta(days=1), zone),
            zone,
        )
        rows = [
            DayCount(
                source=name, provider_id=provider_id, zone=_zone_name(zone), day=day,
                numbers=counted.get((provider_id, day), {}),
            )
            for day in wanted
        ]  # fmt: skip
        DayCount.objects.bulk_create(rows)
    return numbers | {row.day: row.numbers for row in rows}, len(rows)


def numbers_by_day(
    name: str, provider_ids: list[int], days: list[date], zone: tzinfo, now: datetime | None = None
) -> list[tuple[date, Numbers]]:
    """The numbers of `name` on each of `days` for the providers, a (day, numbers) pair for
    each provider's day with something: the days that are over from their rows (counted
    now if missing), the others counted live."""
    if not provider_ids:
        return []
    live_from = max(first_open_day(zone, now), days[0])
    closed = [day for day in days if day < live_from]
    found: list[tuple[date, Numbers]] = []
    if closed:
        kept: dict[int, set[date]] = {pk: set() for pk in provider_ids}
        for provider_id, day, numbers in DayCount.objects.filter(
            source=name,
            provider_id__in=provider_ids,
            zone=_zone_name(zone),
            day__gte=closed[0],
            day__lte=closed[-1],
        ).values_list("provider_id", "day", "numbers"):
            kept[provider_id].add(day)
            found.append((day, numbers))
        for provider_id, days_kept in kept.items():
            missing = [day for day in closed if day not in days_kept]
            if missing:
                found.extend(_fill(name, provider_id, zone, missing)[0].items())
    live = source(name)(provider_ids, _midnight(live_from, zone), None, zone)
    found.extend((day, numbers) for (_, day), numbers in live.items() if day in days)
    return found


def reopen(
    provider_id: int, moments: Iterable[datetime | None], now: datetime | None = None
) -> None:
    """A service wrote (or cleared) these moments of the provider's: the kept days they may
    fall in, in any zone, are counted again by the next reader. A moment of the last half
    SETTLE costs nothing: its day is kept (rule 1) no sooner than half an hour from now,
    after this transaction has committed. An older one, even of a day not kept yet, takes
    the shared lock, so a count that would keep its day waits for this commit."""
    settled = (now or timezone.now()) - SETTLE / 2
    old = sorted(moment for moment in moments if moment is not None and moment < settled)
    if not old:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_lock_key(provider_id)])
    # A day of any zone holding the moment is within a day of its UTC date.
    DayCount.objects.filter(
        provider_id=provider_id,
        day__gte=old[0].astimezone(UTC).date() - timedelta(days=1),
        day__lte=old[-1].astimezone(UTC).date() + timedelta(days=1),
    ).delete()


def count_closed_days(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """The job: keep every provider's days of the last 30 that are over, in the provider's
    zone and the operators' (TIME_ZONE), so that no reader counts them. Safe to run twice
    and at once: a kept day is not counted again, and each is written once."""
    summary = JobSummary(job="count_closed_days", dry_run=dry_run)
    providers: Mapping[int, str] = dict(LogisticsProvider.objects.values_list("pk", "time_zone"))
    for provider_id, provider_zone in providers.items():
        for zone in {timezone.get_default_timezone(), ZoneInfo(provider_zone)}:
            today = timezone.localtime(now or timezone.now(), zone).date()
            days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
            closed = [day for day in days if day < first_open_day(zone, now)]
            for name in settings.CONSOLE_CHART_DAYS:
                kept = set(
                    DayCount.objects.filter(
                        source=name, provider_id=provider_id, zone=_zone_name(zone),
                        day__in=closed,
                    ).values_list("day", flat=True)
                )  # fmt: skip
                missing = [day for day in closed if day not in kept]
                if not missing:
                    summary.skipped += 1
                    continue
                summary.details.append(
                    f"{name} of provider {provider_id} in {zone}: {len(missing)} days to count"
                )
                if not dry_run:
                    summary.done += _fill(name, provider_id, zone, missing)[1]
    return summary
