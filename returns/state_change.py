"""The steps every transition shares: the compare-and-set on the status, the audit
event written in the same transaction, and the row lock a change is made under.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.errors import DomainError
from portal.models import User
from portal.tenancy import Viewer
from returns import day_counts
from returns.models import DeliveryAttempt, EventAction, FailedPackage, PackageEvent
from returns.refusals import explain_state

Status = FailedPackage.Status
# The moments the work list's charts count by day (returns.week).
CHARTED_MOMENTS = frozenset(["failed_at", "claimed_at", "released_at", "destroyed_at"])


def acting_user(user: Viewer | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def record_event(
    package: FailedPackage,
    *,
    action: EventAction,
    from_status: str,
    actor: Viewer | None,
    channel: str,
    detail: str = "",
    facts: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> PackageEvent:
    """Append the event. `detail` is what a person typed; the services' own account goes in
    `facts`, worded when it is read (PackageEvent.description), in the reader's language."""
    return PackageEvent.objects.create(
        package=package,
        action=action,
        from_status=from_status,
        to_status=package.status,
        actor=acting_user(actor),
        channel=channel,
        detail=detail,
        facts=facts or {},
        created_at=at or timezone.now(),
    )


def compare_and_set(
    package: FailedPackage,
    *,
    expected: Status,
    condition: Q | None = None,
    refusal: Callable[[FailedPackage], str] = explain_state,
    **fields: Any,
) -> str:
    """Set `fields` if the package is still in the `expected` status and meets `condition`;
    returns that status, or re-reads the package and raises with `refusal`'s reason."""
    rows = (
        FailedPackage.objects.filter(pk=package.pk, status=expected)
        .filter(condition or Q())
        .update(**fields)
    )
    if rows != 1:
        package.refresh_from_db()
        raise DomainError(refusal(package))
    # A moment the charts count, written or cleared in a day that is over (a carrier's
    # attempt reported late, an undone decision): that day is counted again.
    # Both the new moment and the one it replaces, as loaded (a deferred one is not read).
    charted = [
        moment
        for name, value in fields.items()
        if name in CHARTED_MOMENTS
        for moment in (value, package.__dict__.get(name))
        if isinstance(moment, datetime)
    ]
    if charted:
        day_counts.reopen(package.provider_id, charted)
    for name, value in fields.items():
        setattr(package, name, value)
    return expected


def move_status(
    package: FailedPackage,
    *,
    expected: Status,
    to: Status,
    condition: Q | None = None,
    **fields: Any,
) -> str:
    """Compare-and-set the status; returns the old status or raises with the reason."""
    return compare_and_set(package, expected=expected, condition=condition, status=to, **fields)


# Written out rather than as Subquery(DeliveryAttempt.objects…): every package change
# builds this query, and the ORM's subqueries cost an intake event ~2,200 of its ~11,400
# Python calls (cProfile) and PostgreSQL a GROUP BY each to plan. The outer table is
# never aliased: locking() is the top-level query of a change, not a subquery.
_ATTEMPTS = 'FROM "{table}" WHERE "{package}" = "{packages}"."id"'.format(
    table=DeliveryAttempt._meta.db_table,
    package=DeliveryAttempt._meta.get_field("package").column,
    packages=FailedPackage._meta.db_table,
)
_ATTEMPT_COUNT = f"SELECT COUNT(*) {_ATTEMPTS}"
_LAST_ATTEMPT_AT = (
    f'SELECT MAX("{DeliveryAttempt._meta.get_field("attempted_at").column}") {_ATTEMPTS}'
)


def locking(packages: QuerySet[FailedPackage]) -> QuerySet[FailedPackage]:
    """Packages read under a row lock, with the seller and provider the notices name, and
    how many attempts each has and when the last one was (`_attempts_so_far`).

    The lock is on the package row alone: locking the joined rows too would queue
    every change for one seller or provider behind the previous one's commit. The
    attempts are read in the same query: the intake API's busiest event needs them,
    and a second round trip cost it more than the subqueries do.
    """
    return (
        packages.select_for_update(of=("self",))
        .select_related("seller", "provider")
        .annotate(
            attempt_count=RawSQL(_ATTEMPT_COUNT, (), output_field=IntegerField()),
            last_attempt_at=RawSQL(_LAST_ATTEMPT_AT, (), output_field=DateTimeField()),
        )
    )


def _locked(package: FailedPackage) -> FailedPackage:
    """The package re-read under a row lock, for changes that depend on its rows."""
    return locking(FailedPackage.objects.all()).get(pk=package.pk)


@contextmanager
def changing(package: FailedPackage, locked: bool) -> Iterator[FailedPackage]:
    """One change's transaction, and the package in it under its row lock.

    `locked=True` is for a caller that read the package with `locking()` in its own
    transaction, as the intake API does: the package is not read again and no savepoint
    is taken, so a refusal rolls back the caller's whole transaction.
    """
    if locked and not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "locked=True needs the transaction holding the lock."
        )
    with transaction.atomic(savepoint=not locked):
        yield package if locked else _locked(package)
