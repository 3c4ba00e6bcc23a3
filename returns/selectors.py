"""Reads: the seller's pages (through `for_user`, each in a fixed number of queries), and
the console's filters and work list (so a count and its list agree)."""

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from portal.models import User
from portal.tenancy import Viewer
from returns.models import FailedPackage, Notification, PackageStatus

Status = FailedPackage.Status

SORTS = {
    # Each served by its index (FailedPackage.Meta): open windows, soonest deadline first.
    "action": ("action_rank", F("open_deadline").asc(nulls_last=True), "-registered_at", "-id"),
    "deadline": (F("open_deadline").asc(nulls_last=True), "-registered_at", "-id"),
    "newest": ("-registered_at", "-id"),
}


def packages_for(user: Viewer) -> QuerySet[FailedPackage]:
    return FailedPackage.objects.for_user(user).select_related("provider", "seller")


LIST_COLUMNS = (
    "public_id",
    "tracking_number",
    "order_id",
    "description",
    "status",
    "claim_deadline",
    "provider__name",
)


def package_list(
    user: Viewer, *, status: str = "", search: str = "", sort: str = "action"
) -> QuerySet[Any]:
    packages = packages_for(user)
    if status:
        packages = packages.filter(status=status)
    if search:
        packages = packages.filter(
            Q(tracking_number__icontains=search) | Q(order_id__icontains=search)
        )
    # The columns a row shows (returns_tags.package_rows), no more: every column of a package,
    # its seller and provider, 25 times, cost the list more than its query.
    return (
        packages.select_related(None)
        .select_related("provider")
        .only(*LIST_COLUMNS)
        .order_by(*SORTS[sort])
    )


# Seconds a seller's package total is kept. The unfiltered list shows it on every page and it
# grows with the seller (16.5 ms of a 22 ms page at 110,000 packages); only arriving packages
# change it (a status change moves a package, not the total), so it may lag them this long.
PACKAGE_TOTAL_SECONDS = 60


def package_total(user: User) -> int:
    """All the seller's packages, counted once a minute per seller and worker."""
    total: int | None = cache.get_or_set(
        f"returns:package-total:{user.seller_id}",
        lambda: FailedPackage.objects.for_user(user).count(),
        PACKAGE_TOTAL_SECONDS,
    )
    return total or 0


# What the seller must act on first, then the package's road from there.
DASHBOARD_ORDER = [
    Status.AWAITING_SELLER,
    Status.CLAIMED,
    Status.DESTRUCTION_PENDING,
    Status.DESTROYED,
    Status.RETURNED,
    Status.IN_DELIVERY,
]


def status_counts(user: Viewer) -> list[tuple[PackageStatus, StrOrPromise, int]]:
    """(status, label, number of packages) for every status, zeros included, in one query."""
    rows = FailedPackage.objects.for_user(user).order_by().values("status").annotate(n=Count("id"))
    found = {row["status"]: row["n"] for row in rows}
    return [(status, status.label, found.get(status, 0)) for status in DASHBOARD_ORDER]


def needing_action(user: Viewer) -> QuerySet[FailedPackage]:
    """Packages the seller can still claim or release, the soonest deadline first."""
    return (
        packages_for(user)
        .filter(status=Status.AWAITING_SELLER, claim_deadline__gte=timezone.now())
        .order_by("claim_deadline", "id")
    )


def window_is_open(package: FailedPackage) -> bool:
    deadline = package.claim_deadline
    if package.status != Status.AWAITING_SELLER or deadline is None:
        return False
    return deadline >= timezone.now()


# A badge counts unread notices no further: past it the nav reads "99+" and the dashboard
# "More than 99 unread", so a shop with years of notices unread is not counted on every page.
UNREAD_CAP = 99


def unread_for_badge(request: HttpRequest) -> int:
    """The unread count, exact up to UNREAD_CAP, else one more; once a request, so the
    dashboard's badge and the nav's share it."""
    if hasattr(request, "_unread_notices"):  # the page counted them all: no second count
        return min(unread_count(request), UNREAD_CAP + 1)
    if not hasattr(request, "_unread_for_badge"):
        unread = Notification.objects.for_user(request.user).filter(read_at__isnull=True)
        # A cache for this request, as unread_count keeps its own.
        request._unread_for_badge = unread[: UNREAD_CAP + 1].count()  # type: ignore[attr-defined]
    count: int = request._unread_for_badge  # type: ignore[attr-defined]
    return count


def unread_count(request: HttpRequest) -> int:
    """The seller's unread notices, counted once a request: the nav and the page share it."""
    if not hasattr(request, "_unread_notices"):
        request._unread_notices = (  # type: ignore[attr-defined]  # a cache for this request
            Notification.objects.for_user(request.user).filter(read_at__isnull=True).count()
        )
    count: int = request._unread_notices  # type: ignore[attr-defined]
    return count


def notifications_for(user: Viewer) -> QuerySet[Notification]:
    """The seller's notices, unread first, newest first."""
    return (
        Notification.objects.for_user(user)
        .select_related("package")
        .order_by(
            Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)), "-created_at", "-id"
        )
    )


# --- the provider console -------------------------------------------------------------

# "What needs doing": a window closing within this is worth a look today.
CLOSING_SOON = timedelta(hours=48)


def windows_closed(packages: QuerySet[FailedPackage], *, now: datetime) -> QuerySet[Any]:
    """Past the deadline, still waiting: the finalize job moves them within minutes."""
    return packages.filter(status=Status.AWAITING_SELLER, claim_deadline__lt=now)


def windows_closing(
    packages: QuerySet[FailedPackage], *, now: datetime, within: timedelta
) -> QuerySet[Any]:
    # `work_due` is the claim deadline of a package waiting for its seller: the same rows,
    # but a provider's are then counted from the index package_provider_status_work alone
    # (measured at 1,000,000 packages: 55 ms through the deadline index and the table, 6 ms).
    return packages.filter(
        status=Status.AWAITING_SELLER,
        work_due__gte=now,
        work_due__lt=now + within,
    )


def overdue_destructions(packages: QuerySet[FailedPackage]) -> QuerySet[Any]:
    """Flagged by the overdue-destruction job and still not destroyed."""
    return packages.filter(status=Status.DESTRUCTION_PENDING, destruction_overdue_at__isnull=False)
