"""Staged deadline reminders (DESIGN.md §6): which stage of REMINDER_HOURS_BEFORE is due.

The stages are hours before the claim deadline, largest first (72, 24). Each
stage owns the span of time left from its own hours down to the next smaller
stage's, so at any moment a package is in at most one stage, and a job that
was stopped for a while sends the stage it is in now, never a stale one after
it. Stage `h` is due while the seller has not decided, when its moment
(deadline − h) came after the package failed (one failing 30 hours before
its deadline skips the 72-hour stage: the failure notice has just told it)
and when no stage of `h` hours or fewer has gone out yet.
"""

import operator
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db.models import F, Q

from returns.models import FailedPackage


def stages() -> tuple[int, ...]:
    """REMINDER_HOURS_BEFORE, largest first (the settings sort it)."""
    return settings.REMINDER_HOURS_BEFORE


def current_stage(deadline: datetime, now: datetime) -> int | None:
    """The stage whose span the time left is in, or None (before the first, after the deadline)."""
    left = deadline - now
    if left < timedelta(0):
        return None
    for hours in reversed(stages()):
        if left <= timedelta(hours=hours):
            return hours
    return None


def stage_due(hours: int, now: datetime) -> Q:
    """The packages due the `hours` stage at `now`: the compare-and-set of the reminder."""
    smaller = [stage for stage in stages() if stage < hours]
    if smaller:
        in_span = Q(claim_deadline__gt=now + timedelta(hours=smaller[0]))
    else:
        in_span = Q(claim_deadline__gte=now)  # never after the deadline
    return (
        in_span
        & Q(status=FailedPackage.Status.AWAITING_SELLER)
        & Q(claim_deadline__lte=now + timedelta(hours=hours))
        & (
            Q(failed_at__isnull=True)
            | Q(failed_at__lte=F("claim_deadline") - timedelta(hours=hours))
        )
        & (Q(reminded_hours_before__isnull=True) | Q(reminded_hours_before__gt=hours))
    )


def any_stage_due(now: datetime) -> Q:
    """The packages due some stage at `now`: what the reminder job reads."""
    return reduce(operator.or_, (stage_due(hours, now) for hours in stages()))


def next_stage_at(package: FailedPackage, now: datetime) -> datetime | None:
    """When this package's next reminder will be due, if one is left before the deadline."""
    if package.claim_deadline is None:
        return None
    for hours in stages():
        moment = package.claim_deadline - timedelta(hours=hours)
        sent = package.reminded_hours_before is not None and package.reminded_hours_before <= hours
        failed_before = package.failed_at is None or package.failed_at <= moment
        if moment > now and failed_before and not sent:
            return moment
    return None
