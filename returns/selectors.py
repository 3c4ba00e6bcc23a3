"""Reads shared by the console's filters and its work list, so a count and its list agree."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from returns.models import FailedPackage

Status = FailedPackage.Status

# "What needs doing": a window closing within this is worth a look today.
CLOSING_SOON = timedelta(hours=48)


def windows_closed(packages: QuerySet[FailedPackage], *, now: datetime) -> QuerySet:
    """Past the deadline, still waiting: the finalize job moves them within minutes."""
    return packages.filter(status=Status.AWAITING_SELLER, claim_deadline__lt=now)


def windows_closing(
    packages: QuerySet[FailedPackage], *, now: datetime, within: timedelta
) -> QuerySet:
    return packages.filter(
        status=Status.AWAITING_SELLER,
        claim_deadline__gte=now,
        claim_deadline__lt=now + within,
    )


def overdue_destructions(packages: QuerySet[FailedPackage]) -> QuerySet:
    """Flagged by the overdue-destruction job and still not destroyed."""
    return packages.filter(status=Status.DESTRUCTION_PENDING, destruction_overdue_at__isnull=False)
