"""The package series of the week at a glance (portal.week): failed, claimed, let go,
destroyed per day, and the claim rate, from the moments the packages record.

The days that are over come from their kept counts (returns.day_counts), the others
from `package_days`: one query, a range scan of each partial (provider, moment)
index (FailedPackage.Meta) over those days alone, grouped by day in the reader's zone.
"""

from collections import Counter
from datetime import date, datetime, tzinfo
from typing import Any

from django.db.models import Case, Count, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext

from portal.models import User
from portal.week import Series, Window, cached, provider_ids
from returns.day_counts import Numbers, numbers_by_day
from returns.models import FailedPackage

Reason = FailedPackage.Reason
CLAIMABLE = Q(reason=Reason.DELIVERY_FAILED)
COUNTS = ("failed", "claimable", "claimed", "let_go", "destroyed")
# Each count of a day, and the moment it counts.
MOMENTS = {
    "failed": "failed_at",
    "claimed": "claimed_at",
    "let_go": "released_at",
    "destroyed": "destroyed_at",
}


def _per_day(
    key: str, provider_ids: list[int], start: datetime, end: datetime | None, zone: tzinfo
) -> QuerySet[Any]:
    moment = MOMENTS[key]
    packages = FailedPackage.objects.filter(
        provider_id__in=provider_ids, **{f"{moment}__gte": start}
    )
    if end is not None:
        packages = packages.filter(**{f"{moment}__lt": end})
    # A claim also counts for the claim rate of the day its package failed, if it could
    # be claimed (delivery failed; a rejected one goes straight to destruction).
    failed_day: Any = Value(None, output_field=DateField())
    if key == "claimed":
        failed_day = Case(
            When(CLAIMABLE & Q(failed_at__isnull=False), then=TruncDate("failed_at", tzinfo=zone)),
            default=None,
            output_field=DateField(),
        )
    per_day: QuerySet[Any] = (
        packages.order_by()
        .annotate(
            key=Value(key),
            of_provider=F("provider_id"),
            day=TruncDate(moment, tzinfo=zone),
            failed_day=failed_day,
        )
        .values_list("key", "of_provider", "day", "failed_day")
        .annotate(n=Count("pk"), claimable=Count("pk", filter=CLAIMABLE))
    )
    return per_day


def package_days(
    provider_ids: list[int], start: datetime, end: datetime | None, zone: tzinfo
) -> dict[tuple[int, date], Numbers]:
    """The numbers of each (provider, day) in [start, end) (returns.day_counts): the
    counts of COUNTS, and `claimed_of`, the claims of the day by the day each package failed."""
    first, *others = (_per_day(key, provider_ids, start, end, zone) for key in MOMENTS)
    found: dict[tuple[int, date], Numbers] = {}
    for key, provider, day, failed_day, n, claimable in first.union(*others, all=True):
        numbers = found.setdefault((provider, day), {})
        numbers[key] = numbers.get(key, 0) + n
        if key == "failed":
            numbers["claimable"] = claimable
        elif failed_day is not None:
            of = numbers.setdefault("claimed_of", {})
            of[failed_day.isoformat()] = of.get(failed_day.isoformat(), 0) + n
    return found


def package_series(user: User, window: Window) -> list[Series]:
    if not user.has_perm("returns.view_failedpackage"):
        return []
    return cached("packages", user, window, lambda: _package_series(user, window))


def _package_series(user: User, window: Window) -> list[Series]:
    counts = {key: Counter[date]() for key in COUNTS}
    # The claim rate of the packages that failed each day: of those the seller could
    # claim, how many were (since, on any day up to now).
    claimed_of = Counter[date]()
    for day, numbers in numbers_by_day(
        "packages", provider_ids(user, window), window.days, window.zone
    ):
        for key in COUNTS:
            counts[key][day] += numbers.get(key, 0)
        for failed_day, n in numbers.get("claimed_of", {}).items():
            claimed_of[date.fromisoformat(failed_day)] += n
    claimable = counts["claimable"]
    rates = window.by_day(
        (day, round(100 * claimed_of[day] / claimable[day], 1))
        for day in window.days
        if claimable[day]
    )
    all_claimable = sum(claimable[day] for day in window.days)
    claimed_of_them = sum(claimed_of[day] for day in window.days)
    return [
        _counts("failed", gettext("Packages failed"), counts["failed"], window),
        _counts("claimed", gettext("Claimed"), counts["claimed"], window),
        _counts("let_go", gettext("Let go by the seller"), counts["let_go"], window),
        _counts("destroyed", gettext("Destroyed"), counts["destroyed"], window),
        Series(
            "claim_rate",
            gettext("Claim rate"),
            rates,
            unit="%",
            total=round(100 * claimed_of_them / all_claimable, 1) if all_claimable else None,
            hint=gettext(
                "Of the packages that could not be delivered that day, the share claimed."
            ),
        ),
    ]


def _counts(key: str, label: str, per_day: Counter[date], window: Window) -> Series:
    # A day without a row counted none.
    values: list[float | None] = [per_day[day] for day in window.days]
    return Series(key, label, values, total=sum(per_day[day] for day in window.days))
