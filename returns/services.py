"""The package state machine (DESIGN.md §5): the seller's decisions, the jobs that
close the window, and provider staff's transitions; registration and delivery are
in `returns.delivery`, the steps they all share in `returns.state_change`.

Each transition is one function and one transaction: a conditional update on
the expected status (and deadline), the audit event, and the notifications —
all or nothing. Zero rows updated means another actor won the race: the
package is re-read and the caller gets a `DomainError` that says why, in words
a seller or an agent can act on (`returns.refusals`).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.tenancy import Viewer
from returns import certificates, emails, reminders
from returns.models import (
    PHOTO_TYPES,
    Channel,
    EventAction,
    FailedPackage,
    PackageBatch,
    photo_type,
)
from returns.notice_queue import Unrendered, queue_unrendered
from returns.refusals import overdue_refused, reminder_refused, undo_refused
from returns.state_change import acting_user, compare_and_set, move_status, record_event

Status = FailedPackage.Status


# --- the seller's window --------------------------------------------------------------


def claim_package(
    *,
    package: FailedPackage,
    actor: Viewer | None = None,
    channel: str,
    ticket_reference: str = "",
    note: str = "",
    rule: str = "",
    also_unrendered: Sequence[Unrendered] = (),
) -> FailedPackage:
    """The seller wants it back (a ticket, a phone call recorded by staff, or their standing
    instruction `rule`, whose notice then tells them so and offers the undo).
    `also_unrendered`: notices of the claim's ticket, written unrendered with the rule's
    own in one statement."""
    # A rule decides only inside the last failure's transaction (returns.instructions),
    # which a refusal rolls back whole: a savepoint of its own would be two statements
    # more on the intake API's busiest event, with nobody to catch the refusal.
    with transaction.atomic(savepoint=not rule):
        return _claim(package, actor, channel, ticket_reference, note, rule, also_unrendered)


def _claim(
    package: FailedPackage,
    actor: Viewer | None,
    channel: str,
    ticket_reference: str,
    note: str,
    rule: str,
    also_unrendered: Sequence[Unrendered],
) -> FailedPackage:
    now = timezone.now()
    from_status = move_status(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.CLAIMED,
        condition=Q(claim_deadline__gte=now),
        claimed_at=now,
    )
    record_event(
        package,
        action=EventAction.CLAIMED,
        from_status=from_status,
        actor=actor,
        channel=channel,
        detail=note,
        facts={
            **({"ticket": ticket_reference} if ticket_reference else {}),
            **({"rule": rule} if rule else {}),
        },
        at=now,
    )
    if rule:
        emails.instruction_applied(
            package, rule=rule, ticket_reference=ticket_reference, note=note, also=also_unrendered
        )
    else:
        emails.claim_confirmed(package, ticket_reference=ticket_reference)
        emails.claim_received(package, ticket_reference=ticket_reference, note=note)
        if also_unrendered:
            queue_unrendered(package, list(also_unrendered))
    return package


def release_package(
    *, package: FailedPackage, actor: Viewer | None = None, channel: str, rule: str = ""
) -> FailedPackage:
    """The seller no longer needs it: it goes to destruction now, not after the window
    (`rule`: their standing instruction decided, as `claim_package` has it)."""
    with transaction.atomic(savepoint=not rule):  # as claim_package
        return _release(package, actor, channel, rule)


def _release(
    package: FailedPackage, actor: Viewer | None, channel: str, rule: str
) -> FailedPackage:
    now = timezone.now()
    from_status = move_status(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.DESTRUCTION_PENDING,
        condition=Q(claim_deadline__gte=now),
        released_at=now,
        destruction_requested_at=now,
    )
    record_event(
        package,
        action=EventAction.RELEASED,
        from_status=from_status,
        actor=actor,
        channel=channel,
        facts={"rule": rule} if rule else None,
        at=now,
    )
    if rule:
        emails.instruction_applied(package, rule=rule)  # the provider's instruction too
    else:
        emails.release_confirmed(package)
        emails.destruction_instruction(package)
    return package


@transaction.atomic
def undo_standing_instruction(
    *, package: FailedPackage, actor: Viewer | None = None, channel: str
) -> str:
    """What the seller's standing instruction decided goes back to them, within the window.

    1. The package's last decision must be the rule's (its event names the rule), and
       the package still where the rule put it: claimed since then, or released and
       not yet destroyed. The compare-and-set holds both, and the deadline.
    2. Back to `awaiting_seller`, the decision's time cleared; the event names the rule.
    3. The provider is told to hold the package; the seller gets the destruction notice
       they would have had, with its one-click buttons.
    Returns the reference of the rule's send-back ticket ("" after a release), for the
    caller to close it in this same transaction.
    """
    now = timezone.now()
    decision = (
        package.events.filter(action__in=[EventAction.CLAIMED, EventAction.RELEASED])
        .order_by("-created_at", "-id")
        .first()
    )
    if decision is None or "rule" not in decision.facts:
        package.refresh_from_db()
        raise DomainError(undo_refused(package, decision, now))
    if decision.action == EventAction.CLAIMED:
        expected, cleared = Status.CLAIMED, {"claimed_at": None}
        condition = Q(claimed_at=decision.created_at)
    else:
        expected = Status.DESTRUCTION_PENDING
        cleared = {"released_at": None, "destruction_requested_at": None}
        condition = Q(released_at=decision.created_at)
    try:
        from_status = move_status(
            package,
            expected=expected,
            to=Status.AWAITING_SELLER,
            condition=condition & Q(claim_deadline__gte=now),
            **cleared,
        )
    except DomainError:
        raise DomainError(undo_refused(package, decision, now)) from None
    ticket_reference: str = decision.facts.get("ticket", "")
    record_event(
        package,
        action=EventAction.INSTRUCTION_UNDONE,
        from_status=from_status,
        actor=actor,
        channel=channel,
        facts={"rule": decision.facts["rule"], "undone": decision.action},
        at=now,
    )
    emails.instruction_undone(package, undone=decision.action)
    emails.forget_decision_notices(
        package, decision_id=decision.pk, ticket_reference=ticket_reference
    )
    emails.destruction_notice(package)
    return ticket_reference


@transaction.atomic
def finalize_expired_package(
    *, package: FailedPackage, now: datetime | None = None
) -> FailedPackage:
    """The window closed with no claim: instruct the provider, tell the seller."""
    now = now or timezone.now()
    from_status = move_status(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.DESTRUCTION_PENDING,
        condition=Q(claim_deadline__lt=now),
        destruction_requested_at=now,
    )
    record_event(
        package,
        action=EventAction.WINDOW_CLOSED,
        from_status=from_status,
        actor=None,
        channel=Channel.JOB,
        at=now,
    )
    emails.destruction_instruction(package)
    emails.destruction_finalized(package)
    return package


@transaction.atomic
def send_deadline_reminder(*, package: FailedPackage, now: datetime | None = None) -> FailedPackage:
    """The reminder of the stage the package is in (returns.reminders), each stage once,
    while the seller has not decided."""
    now = now or timezone.now()
    hours = reminders.current_stage(package.claim_deadline, now) if package.claim_deadline else None
    if hours is None:
        package.refresh_from_db()
        raise DomainError(reminder_refused(package, now))
    compare_and_set(
        package,
        expected=Status.AWAITING_SELLER,
        condition=reminders.stage_due(hours, now),
        refusal=lambda current: reminder_refused(current, now),
        reminded_at=now,
        reminded_hours_before=hours,
    )
    record_event(
        package,
        action=EventAction.REMINDER_SENT,
        from_status=package.status,
        actor=None,
        channel=Channel.JOB,
        at=now,
    )
    emails.deadline_reminder(package, hours_before=hours)
    return package


# --- provider staff -------------------------------------------------------------------


@transaction.atomic
def mark_returned(
    *,
    package: FailedPackage,
    actor: Viewer | None = None,
    channel: str,
    note: str = "",
    batch: PackageBatch | None = None,
) -> FailedPackage:
    now = timezone.now()
    from_status = move_status(package, expected=Status.CLAIMED, to=Status.RETURNED, returned_at=now)
    record_event(
        package,
        action=EventAction.RETURNED,
        from_status=from_status,
        actor=actor,
        channel=channel,
        detail=note,
        facts={"batch": batch.reference} if batch else None,
        at=now,
    )
    emails.returned(package)
    return package


@transaction.atomic
def withdraw_claim(
    *, package: FailedPackage, reason: str, actor: Viewer | None = None, channel: str
) -> FailedPackage:
    reason = reason.strip()
    if not reason:
        raise DomainError(gettext("Say why the claim is withdrawn: the seller will read it."))
    now = timezone.now()
    from_status = move_status(
        package,
        expected=Status.CLAIMED,
        to=Status.DESTRUCTION_PENDING,
        destruction_requested_at=now,
    )
    record_event(
        package,
        action=EventAction.CLAIM_WITHDRAWN,
        from_status=from_status,
        actor=actor,
        channel=channel,
        detail=reason,
        at=now,
    )
    emails.claim_withdrawn(package, reason=reason)
    emails.destruction_instruction(package)
    return package


@transaction.atomic
def confirm_destruction(
    *,
    package: FailedPackage,
    reference: str,
    method: str,
    photo: File[bytes] | None = None,
    actor: Viewer | None = None,
    channel: str,
    batch: PackageBatch | None = None,
) -> FailedPackage:
    """`batch`: the scan-station batch confirmed (returns.batches), whose photo, stored
    once for all its packages, is each package's too."""
    reference = reference.strip()
    if not reference:
        raise DomainError(
            gettext("A destruction reference is required (the number on your record).")
        )
    if method not in FailedPackage.DestructionMethod.values:
        raise DomainError(
            gettext("“%(method)s” is not a destruction method the portal knows.")
            % {"method": method}
        )
    # Checked here, where it is stored, whatever the caller checked: the stored name's
    # extension is what the download serves the photo as.
    content_type = photo_type(photo) if photo is not None else None
    if photo is not None and content_type is None:
        raise DomainError(gettext("The photo must be a JPEG or PNG picture."))
    now = timezone.now()
    # A batch's one photo stands for each of its packages.
    batch_photo: dict[str, Any] = (
        {"destruction_photo": batch.photo.name} if batch and batch.photo else {}
    )
    from_status = move_status(
        package,
        expected=Status.DESTRUCTION_PENDING,
        to=Status.DESTROYED,
        destroyed_at=now,
        destruction_reference=reference,
        destruction_method=method,
        destroyed_by=acting_user(actor),
        destruction_batch=batch,
        certificate_code=certificates.new_code(),
        **batch_photo,
    )
    if photo is not None and content_type is not None:
        # Stored under a random name; a rolled-back transaction leaves only an orphan file.
        package.destruction_photo.save(f"photo{PHOTO_TYPES[content_type]}", photo, save=False)
        FailedPackage.objects.filter(pk=package.pk).update(
            destruction_photo=package.destruction_photo.name
        )
    record_event(
        package,
        action=EventAction.DESTROYED,
        from_status=from_status,
        actor=actor,
        channel=channel,
        facts={
            "method": package.destruction_method,
            "destruction_reference": reference,
            **({"batch": batch.reference} if batch else {}),
        },
        at=now,
    )
    emails.destroyed(package)
    return package


@transaction.atomic
def flag_overdue_destruction(
    *, package: FailedPackage, now: datetime | None = None
) -> FailedPackage:
    """Not destroyed DESTRUCTION_OVERDUE_DAYS after the instruction: tell the provider, once."""
    now = now or timezone.now()
    compare_and_set(
        package,
        expected=Status.DESTRUCTION_PENDING,
        condition=Q(
            destruction_overdue_at__isnull=True,
            destruction_requested_at__lt=now - timedelta(days=settings.DESTRUCTION_OVERDUE_DAYS),
        ),
        refusal=lambda current: overdue_refused(current, now),
        destruction_overdue_at=now,
    )
    record_event(
        package,
        action=EventAction.DESTRUCTION_OVERDUE,
        from_status=package.status,
        actor=None,
        channel=Channel.JOB,
        facts={"overdue_days": settings.DESTRUCTION_OVERDUE_DAYS},
        at=now,
    )
    emails.destruction_overdue(package)
    return package
