"""The package series of the week at a glance (portal.week): failed, claimed, let go,
destroyed per day, and the claim rate, from the moments the packages record.

One query per series, each a range scan of a partial (provider, moment) index
(FailedPackage.Meta), grouped by day in the reader's zone.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext

from portal.models import User
from portal.week import Series, Window, cached
from returns.models import FailedPackage

Reason = FailedPackage.Reason
CLAIMABLE = Q(reason=Reason.DELIVERY_FAILED)


def _packages(user: User, window: Window) -> QuerySet[FailedPackage]:
    packages = FailedPackage.objects.for_user(user)
    if window.provider_id is not None:
        packages = packages.filter(provider_id=window.provider_id)
    return packages.order_by()


def _per_day(
    packages: QuerySet[FailedPackage], moment: str, window: Window, **counts: Aggregate
) -> list[Mapping[str, Any]]:
    return list(
        packages.filter(**{f"{moment}__gte": window.start})
        .annotate(day=TruncDate(moment, tzinfo=window.zone))
        .values("day")
        .annotate(**counts)
    )


def _counts(key: str, label: str, values: list[float | None]) -> Series:
    # A day without a row counted none.
    return Series(
        key, label, [value or 0 for value in values], total=sum(value or 0 for value in values)
    )


def _counted(user: User, window: Window, moment: str) -> list[float | None]:
    rows = _per_day(_packages(user, window), moment, window, n=Count("*"))
    return window.by_day((row["day"], row["n"]) for row in rows)


def package_series(user: User, window: Window) -> list[Series]:
    if not user.has_perm("returns.view_failedpackage"):
        return []
    return cached("packages", user, window, lambda: _package_series(user, window))


def _package_series(user: User, window: Window) -> list[Series]:
    # The claim rate of the packages that failed each day: of those the seller could
    # claim (delivery failed; a rejected one goes straight to destruction), how many were.
    failures = _per_day(
        _packages(user, window),
        "failed_at",
        window,
        n=Count("*"),
        claimable=Count("failed_at", filter=CLAIMABLE),
        claimed=Count("failed_at", filter=CLAIMABLE & Q(claimed_at__isnull=False)),
    )
    failed = window.by_day((row["day"], row["n"]) for row in failures)
    rates = window.by_day(
        (row["day"], round(100 * row["claimed"] / row["claimable"], 1))
        for row in failures
        if row["claimable"]
    )
    claimable = sum(row["claimable"] for row in failures)
    claimed_of_them = sum(row["claimed"] for row in failures)
    return [
        _counts("failed", gettext("Packages failed"), failed),
        _counts("claimed", gettext("Claimed"), _counted(user, window, "claimed_at")),
        _counts("let_go", gettext("Let go by the seller"), _counted(user, window, "released_at")),
        _counts("destroyed", gettext("Destroyed"), _counted(user, window, "destroyed_at")),
        Series(
            "claim_rate",
            gettext("Claim rate"),
            rates,
            unit="%",
            total=round(100 * claimed_of_them / claimable, 1) if claimable else None,
            hint=gettext(
                "Of the packages that could not be delivered that day, the share claimed."
            ),
        ),
    ]
