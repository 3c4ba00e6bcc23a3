"""Scheduled jobs of the returns app (DESIGN.md §11), listed in settings.PORTAL_JOBS.

Each one picks the packages that still need the work and calls one service
per package through `portal.batches.run_in_batches`; the service's
compare-and-set makes a second run, or a second worker, a no-op.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from portal.batches import JobSummary, run_in_batches
from portal.errors import DomainError
from portal.formatting import local_date
from returns import bulk, notice_queue, outbox, reminders, services
from returns.models import FailedPackage, Notification

Status = FailedPackage.Status


# Set-based batches. Large ones: a package table's UPDATE costs much less per row
# in thousands than in hundreds (measured: 100,000 packages in 22 s in batches of
# 5,000, 30 s in batches of 1,000), and the rows a batch locks are past their
# deadline, which no seller can claim any more, so a long lock keeps no one waiting.
FINALIZE_BATCH_SIZE = 5000


def _packages() -> QuerySet[FailedPackage]:
    return FailedPackage.objects.select_related("seller", "provider")


def finalize_expired_windows(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """Claim windows past their deadline: destruction pending, provider instructed, seller told."""
    now = now or timezone.now()
    expired = _packages().filter(status=Status.AWAITING_SELLER, claim_deadline__lt=now)
    summary = run_in_batches(
        "finalize_expired_windows",
        expired,
        lambda package: services.finalize_expired_package(package=package, now=now),
        handle_batch=lambda pks: bulk.finalize_expired_packages(package_ids=pks, now=now),
        describe=lambda package: (
            f"{package.tracking_number} ({package.seller.name}): window closed "
            f"{local_date(package.claim_deadline, package.seller.time_zone)} "
            f"→ to be destroyed by {package.provider.name}"
        ),
        dry_run=dry_run,
        skip_on=(DomainError,),
        batch_size=FINALIZE_BATCH_SIZE,
    )
    if summary.done:
        notice_queue.send_soon()  # the notices of every batch, in one delivery run
    return summary


def send_deadline_reminders(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """A reminder at each stage of REMINDER_HOURS_BEFORE, while the seller is silent."""
    now = now or timezone.now()
    # Open windows ending within the first stage: the index's range, then the stages' test.
    due = _packages().filter(
        reminders.any_stage_due(now),
        status=Status.AWAITING_SELLER,
        claim_deadline__gte=now,
        claim_deadline__lte=now + timedelta(hours=max(reminders.stages())),
    )
    return run_in_batches(
        "send_deadline_reminders",
        due,
        lambda package: services.send_deadline_reminder(package=package, now=now),
        describe=lambda package: (
            f"{package.tracking_number} ({package.seller.name}): remind "
            f"{package.seller.contact_email} of the deadline "
            f"{local_date(package.claim_deadline, package.seller.time_zone)}"
        ),
        dry_run=dry_run,
        skip_on=(DomainError,),
    )


def flag_overdue_destructions(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """Destructions still pending after DESTRUCTION_OVERDUE_DAYS: flagged, provider told once."""
    now = now or timezone.now()
    overdue = _packages().filter(
        status=Status.DESTRUCTION_PENDING,
        destruction_overdue_at__isnull=True,
        destruction_requested_at__lt=now - timedelta(days=settings.DESTRUCTION_OVERDUE_DAYS),
    )
    return run_in_batches(
        "flag_overdue_destructions",
        overdue,
        lambda package: services.flag_overdue_destruction(package=package, now=now),
        describe=lambda package: (
            f"{package.tracking_number} ({package.seller.name}): pending destruction since "
            f"{local_date(package.destruction_requested_at, package.seller.time_zone)}; "
            f"remind {package.provider.ops_email}"
        ),
        dry_run=dry_run,
        skip_on=(DomainError,),
    )


def deliver_notifications(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """Send the due part of the outbox (see returns/outbox). A row that failed, a send whose
    outcome is unknown, and every row an unreachable server kept back fail the run."""
    now = now or timezone.now()
    summary = JobSummary(job="deliver_notifications", dry_run=dry_run)
    if dry_run:
        due = Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lte=now
        ).order_by("pk")
        summary.details = [
            f"{n.get_kind_display()} to {n.to_email}: {n.title}" for n in due.iterator()
        ]
        return summary
    delivery = outbox.deliver_notifications(now=now)
    summary.done = delivery.sent
    summary.failed = delivery.retrying + delivery.uncertain + delivery.failed
    if delivery.unreachable:
        summary.failed += delivery.released
    summary.details = delivery.errors
    return summary
