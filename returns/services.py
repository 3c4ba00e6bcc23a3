"""The package state machine (DESIGN.md §5): every status change happens here.

Each transition is one function and one transaction: a conditional update on
the expected status (and deadline), the audit event, and the notifications —
all or nothing. Zero rows updated means another actor won the race: the
package is re-read and the caller gets a `DomainError` that says why, in words
a seller or an agent can act on.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.errors import DomainError
from portal.formatting import local_date
from portal.models import LogisticsProvider, Seller, User
from portal.tenancy import Viewer
from returns import certificates, emails, instructions, reminders, timestamps
from returns.models import (
    EDITABLE_DETAILS,
    PHOTO_TYPES,
    Channel,
    DeliveryAttempt,
    EventAction,
    FailedPackage,
    PackageBatch,
    PackageEvent,
    photo_type,
)

Status = FailedPackage.Status


def claim_deadline_for(noticed_at: datetime, zone_name: str) -> datetime:
    """End of the CLAIM_WINDOW_DAYS-th calendar day after the notice, in the seller's zone.

    Built from the local calendar date, so a daylight-saving change inside the
    window moves the UTC instant, never the local end of day.
    """
    zone = ZoneInfo(zone_name)
    last_day = noticed_at.astimezone(zone).date() + timedelta(days=settings.CLAIM_WINDOW_DAYS)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


# --- explaining a refusal -------------------------------------------------------------


def _phone(package: FailedPackage) -> dict[str, str]:
    provider = package.provider
    return {"provider": provider.name, "phone": provider.support_phone}


def explain_state(package: FailedPackage, now: datetime | None = None) -> str:
    """Why this package cannot take the change just asked for, and what to do instead."""
    now = now or timezone.now()
    zone = package.seller.time_zone
    status = package.status
    tracking = package.tracking_number
    if status == Status.IN_DELIVERY:
        return gettext(
            "Package %(tracking)s is still being delivered back to you, "
            "so there is nothing to claim or release yet."
        ) % {"tracking": tracking}
    if status == Status.AWAITING_SELLER:
        if package.claim_deadline is not None and package.claim_deadline < now:
            return gettext(
                "The %(days)s-day window for package %(tracking)s closed on %(closed)s, "
                "so it is being scheduled for destruction; "
                "call %(provider)s on %(phone)s if you still need it."
            ) % {
                "days": settings.CLAIM_WINDOW_DAYS,
                "tracking": tracking,
                "closed": local_date(package.claim_deadline, zone),
                **_phone(package),
            }
        return gettext("Package %(tracking)s is waiting for your decision.") % {
            "tracking": tracking
        }
    if status == Status.CLAIMED:
        return gettext(
            "Package %(tracking)s is already on its way back to you (claimed on %(claimed)s)."
        ) % {"tracking": tracking, "claimed": local_date(package.claimed_at, zone)}
    if status == Status.RETURNED:
        return gettext("Package %(tracking)s was returned to you on %(returned)s.") % {
            "tracking": tracking,
            "returned": local_date(package.returned_at, zone),
        }
    if status == Status.DESTROYED:
        return gettext(
            "Package %(tracking)s was destroyed on %(destroyed)s (reference %(reference)s); "
            "its certificate is on the package page."
        ) % {
            "tracking": tracking,
            "destroyed": local_date(package.destroyed_at, zone),
            "reference": package.destruction_reference,
        }
    # destruction_pending: say which road led here, each as one whole sentence.
    when = package.destruction_requested_at
    if package.reason == FailedPackage.Reason.SELLER_REJECTED:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because it was rejected at delivery; call %(provider)s on %(phone)s."
        )
    elif package.released_at:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because you told us you no longer need it; call %(provider)s on %(phone)s."
        )
    elif package.claimed_at:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because its return was cancelled; call %(provider)s on %(phone)s."
        )
    else:
        when = package.claim_deadline
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because no ticket was filed; call %(provider)s on %(phone)s."
        )
    return sentence % {"tracking": tracking, "scheduled": local_date(when, zone), **_phone(package)}


# --- shared steps ---------------------------------------------------------------------


def _actor(user: Viewer | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _record(
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
        actor=_actor(actor),
        channel=channel,
        detail=detail,
        facts=facts or {},
        created_at=at or timezone.now(),
    )


def _move(
    package: FailedPackage,
    *,
    expected: Status,
    to: Status,
    condition: Q | None = None,
    **fields: Any,
) -> str:
    """Compare-and-set the status; returns the old status or raises with the reason."""
    rows = (
        FailedPackage.objects.filter(pk=package.pk, status=expected)
        .filter(condition or Q())
        .update(status=to, **fields)
    )
    if rows != 1:
        package.refresh_from_db()
        raise DomainError(explain_state(package))
    package.status = to
    for name, value in fields.items():
        setattr(package, name, value)
    return expected


def locking(packages: QuerySet[FailedPackage]) -> QuerySet[FailedPackage]:
    """Packages read under a row lock, with the seller and provider the notices name, and
    how many attempts each has and when the last one was (`_attempts_so_far`).

    The lock is on the package row alone: locking the joined rows too would queue
    every change for one seller or provider behind the previous one's commit. The
    attempts are read in the same query: the intake API's busiest event needs them,
    and a second round trip cost it more than the subqueries do.
    """
    attempts = DeliveryAttempt.objects.filter(package=OuterRef("pk")).order_by().values("package")
    return (
        packages.select_for_update(of=("self",))
        .select_related("seller", "provider")
        .annotate(
            attempt_count=Coalesce(Subquery(attempts.annotate(n=Count("pk")).values("n")), 0),
            last_attempt_at=Subquery(attempts.annotate(at=Max("attempted_at")).values("at")),
        )
    )


def _locked(package: FailedPackage) -> FailedPackage:
    """The package re-read under a row lock, for changes that depend on its rows."""
    return locking(FailedPackage.objects.all()).get(pk=package.pk)


@contextmanager
def _changing(package: FailedPackage, locked: bool) -> Iterator[FailedPackage]:
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


# --- registration and delivery (carrier systems and staff) ----------------------------


@dataclass(frozen=True)
class PackageDetails:
    tracking_number: str
    order_id: str
    return_id: str = ""
    description: str = ""
    weight_grams: int | None = None
    declared_value: Decimal | None = None
    currency: str = ""
    warehouse_location: str = ""


@transaction.atomic
def edit_package_details(
    *, package: FailedPackage, changes: dict[str, Any], actor: Viewer | None, channel: Channel
) -> FailedPackage:
    """Staff correct what a package holds and where it lies (EDITABLE_DETAILS), with an
    event naming each field and its value before and after. Only the fields named are
    written: the status a service changes meanwhile is never written back."""
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return package
    before = FailedPackage.objects.filter(pk=package.pk).values(*changes).get()
    FailedPackage.objects.filter(pk=package.pk).update(**changes)
    for name, value in changes.items():
        setattr(package, name, value)
    _record(
        package,
        action=EventAction.DETAILS_EDITED,
        from_status=package.status,
        actor=actor,
        channel=channel,
        facts={
            "changed": list(changes),
            # As text: a declared value is a Decimal, which JSON has no type for.
            "before": {name: _as_text(before[name]) for name in changes},
            "after": {name: _as_text(value) for name, value in changes.items()},
        },
    )
    return package


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def register_package(
    *,
    provider: LogisticsProvider,
    seller: Seller,
    details: PackageDetails,
    actor: Viewer | None = None,
    channel: str,
    registered_at: datetime | None = None,
) -> FailedPackage:
    if registered_at is not None:
        _check_time(registered_at)
    if FailedPackage.objects.filter(
        provider=provider, tracking_number=details.tracking_number
    ).exists():
        raise DomainError(
            gettext("Tracking number %(tracking)s is already registered at %(provider)s.")
            % {"tracking": details.tracking_number, "provider": provider.name}
        )
    try:
        with transaction.atomic():
            package = FailedPackage.objects.create(
                provider=provider,
                seller=seller,
                registered_at=registered_at or timezone.now(),
                **vars(details),
            )
    except IntegrityError:  # registered by someone else a moment ago
        raise DomainError(
            gettext("Tracking number %(tracking)s is already registered at %(provider)s.")
            % {"tracking": details.tracking_number, "provider": provider.name}
        ) from None
    _record(package, action=EventAction.REGISTERED, from_status="", actor=actor, channel=channel)
    return package


class ImplausibleTime(DomainError):
    """A reported time `timestamps.time_problem` refuses; the API names its field."""


def _check_time(moment: datetime, *, not_before: datetime | None = None) -> None:
    problem = timestamps.time_problem(moment, not_before=not_before)
    if problem:
        raise ImplausibleTime(problem)


def _attempts_so_far(package: FailedPackage) -> tuple[int, datetime | None]:
    """How many attempts the package has, and when the last one was, as `locking()` read
    them with the package: under its lock, so no attempt was added since."""
    # Annotations of `locking()`'s query, which the model's type does not know.
    read: dict[str, Any] = vars(package)
    return read["attempt_count"], read["last_attempt_at"]


def record_failed_attempt(
    *,
    package: FailedPackage,
    attempted_at: datetime,
    failure_reason: str,
    courier_note: str = "",
    actor: Viewer | None = None,
    channel: str,
    locked: bool = False,
    number: int | None = None,
) -> DeliveryAttempt:
    """Attempts 1 and 2 are recorded; the last one fails the package and starts the window.

    `number` is the attempt the person recording it means (the console's form counts
    them when it is shown): if the package holds another count by now, the form was sent
    twice or a colleague was quicker, and nothing is recorded.
    """
    with _changing(package, locked) as package:
        if package.status != Status.IN_DELIVERY:
            raise DomainError(
                gettext(
                    "Package %(tracking)s is no longer in delivery (%(status)s), "
                    "so no attempt can be recorded."
                )
                % {
                    "tracking": package.tracking_number,
                    "status": package.get_status_display().lower(),
                }
            )
        count, last = _attempts_so_far(package)
        if number is not None and number != count + 1:
            raise DomainError(
                ngettext(
                    "%(tracking)s has %(count)s attempt recorded, not the %(seen)s shown when "
                    "this form was opened: this form was already sent, or a colleague recorded "
                    "the attempt, and nothing was recorded twice",
                    "%(tracking)s has %(count)s attempts recorded, not the %(seen)s shown when "
                    "this form was opened: this form was already sent, or a colleague recorded "
                    "the attempt, and nothing was recorded twice",
                    count,
                )
                % {"tracking": package.tracking_number, "count": count, "seen": max(number - 1, 0)}
            )
        _check_time(attempted_at, not_before=last)
        number = count + 1
        attempt = DeliveryAttempt.objects.create(
            package=package,
            number=number,
            attempted_at=attempted_at,
            outcome=DeliveryAttempt.Outcome.FAILED,
            failure_reason=failure_reason,
            courier_note=courier_note,
        )
        facts = {"attempt": number, "reason": failure_reason}
        if number < settings.MAX_DELIVERY_ATTEMPTS:
            _record(
                package,
                action=EventAction.ATTEMPT_FAILED,
                from_status=package.status,
                actor=actor,
                channel=channel,
                facts=facts,
            )
            return attempt

        now = timezone.now()
        from_status = _move(
            package,
            expected=Status.IN_DELIVERY,
            to=Status.AWAITING_SELLER,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=attempted_at,
            claim_deadline=claim_deadline_for(now, package.seller.time_zone),
        )
        _record(
            package,
            action=EventAction.DELIVERY_FAILED,
            from_status=from_status,
            actor=actor,
            channel=channel,
            facts=facts,
            at=now,
        )
        # The seller's standing instruction, if any, decides here, in this transaction;
        # otherwise (and when it cannot) the seller is sent the destruction notice.
        instructions.apply_on_last_failure(package, channel=channel)
        return attempt


def record_delivered(
    *,
    package: FailedPackage,
    delivered_at: datetime,
    actor: Viewer | None = None,
    channel: str,
    locked: bool = False,
) -> FailedPackage:
    with _changing(package, locked) as package:
        count, last = _attempts_so_far(package)
        _check_time(delivered_at, not_before=last)
        from_status = _move(
            package, expected=Status.IN_DELIVERY, to=Status.RETURNED, returned_at=delivered_at
        )
        DeliveryAttempt.objects.create(
            package=package,
            number=count + 1,
            attempted_at=delivered_at,
            outcome=DeliveryAttempt.Outcome.DELIVERED,
        )
        _record(
            package,
            action=EventAction.DELIVERED,
            from_status=from_status,
            actor=actor,
            channel=channel,
        )
        return package


def record_seller_rejection(
    *,
    package: FailedPackage,
    rejected_at: datetime,
    note: str = "",
    actor: Viewer | None = None,
    channel: str,
    locked: bool = False,
) -> FailedPackage:
    with _changing(package, locked) as package:
        count, last = _attempts_so_far(package)
        _check_time(rejected_at, not_before=last)
        from_status = _move(
            package,
            expected=Status.IN_DELIVERY,
            to=Status.DESTRUCTION_PENDING,
            reason=FailedPackage.Reason.SELLER_REJECTED,
            failed_at=rejected_at,
            destruction_requested_at=timezone.now(),
        )
        DeliveryAttempt.objects.create(
            package=package,
            number=count + 1,
            attempted_at=rejected_at,
            outcome=DeliveryAttempt.Outcome.REJECTED,
            courier_note=note,
        )
        _record(
            package,
            action=EventAction.REJECTED,
            from_status=from_status,
            actor=actor,
            channel=channel,
            detail=note,
        )
        emails.destruction_instruction(package)
        emails.rejection_notice(package)
        return package


# --- the seller's window --------------------------------------------------------------


@transaction.atomic
def claim_package(
    *,
    package: FailedPackage,
    actor: Viewer | None = None,
    channel: str,
    ticket_reference: str = "",
    note: str = "",
    rule: str = "",
) -> FailedPackage:
    """The seller wants it back (a ticket, a phone call recorded by staff, or their standing
    instruction `rule`, whose notice then tells them so and offers the undo)."""
    now = timezone.now()
    from_status = _move(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.CLAIMED,
        condition=Q(claim_deadline__gte=now),
        claimed_at=now,
    )
    _record(
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
        emails.instruction_applied(package, rule=rule, ticket_reference=ticket_reference)
    else:
        emails.claim_confirmed(package, ticket_reference=ticket_reference)
    emails.claim_received(package, ticket_reference=ticket_reference, note=note)
    return package


@transaction.atomic
def release_package(
    *, package: FailedPackage, actor: Viewer | None = None, channel: str, rule: str = ""
) -> FailedPackage:
    """The seller no longer needs it: it goes to destruction now, not after the window
    (`rule`: their standing instruction decided, as `claim_package` has it)."""
    now = timezone.now()
    from_status = _move(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.DESTRUCTION_PENDING,
        condition=Q(claim_deadline__gte=now),
        released_at=now,
        destruction_requested_at=now,
    )
    _record(
        package,
        action=EventAction.RELEASED,
        from_status=from_status,
        actor=actor,
        channel=channel,
        facts={"rule": rule} if rule else None,
        at=now,
    )
    if rule:
        emails.instruction_applied(package, rule=rule)
    else:
        emails.release_confirmed(package)
    emails.destruction_instruction(package)
    return package


def _undo_refused(package: FailedPackage, decision: PackageEvent | None, now: datetime) -> str:
    if decision is None or "rule" not in decision.facts:
        return gettext(
            "Package %(tracking)s was not decided by your standing instruction, "
            "so there is nothing to undo."
        ) % {"tracking": package.tracking_number}
    deadline = package.claim_deadline
    if deadline is not None and deadline < now and package.status != Status.DESTROYED:
        return gettext(
            "The standing instruction's decision for package %(tracking)s could be undone "
            "until %(deadline)s; call %(provider)s on %(phone)s."
        ) % {
            "tracking": package.tracking_number,
            "deadline": local_date(deadline, package.seller.time_zone),
            **_phone(package),
        }
    return explain_state(package, now)


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
        raise DomainError(_undo_refused(package, decision, now))
    if decision.action == EventAction.CLAIMED:
        expected, cleared = Status.CLAIMED, {"claimed_at": None}
        condition = Q(claimed_at=decision.created_at)
    else:
        expected = Status.DESTRUCTION_PENDING
        cleared = {"released_at": None, "destruction_requested_at": None}
        condition = Q(released_at=decision.created_at)
    try:
        from_status = _move(
            package,
            expected=expected,
            to=Status.AWAITING_SELLER,
            condition=condition & Q(claim_deadline__gte=now),
            **cleared,
        )
    except DomainError:
        raise DomainError(_undo_refused(package, decision, now)) from None
    ticket_reference: str = decision.facts.get("ticket", "")
    _record(
        package,
        action=EventAction.INSTRUCTION_UNDONE,
        from_status=from_status,
        actor=actor,
        channel=channel,
        facts={"rule": decision.facts["rule"], "undone": decision.action},
        at=now,
    )
    emails.instruction_undone(package, undone=decision.action)
    emails.destruction_notice(package)
    return ticket_reference


@transaction.atomic
def finalize_expired_package(
    *, package: FailedPackage, now: datetime | None = None
) -> FailedPackage:
    """The window closed with no claim: instruct the provider, tell the seller."""
    now = now or timezone.now()
    from_status = _move(
        package,
        expected=Status.AWAITING_SELLER,
        to=Status.DESTRUCTION_PENDING,
        condition=Q(claim_deadline__lt=now),
        destruction_requested_at=now,
    )
    _record(
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


def _reminder_refused(package: FailedPackage, now: datetime) -> str:
    deadline = package.claim_deadline
    if package.status != Status.AWAITING_SELLER or deadline is None or deadline < now:
        return explain_state(package, now)
    zone = package.seller.time_zone
    stage = reminders.current_stage(deadline, now)
    last = package.reminded_hours_before
    if stage is not None and last is not None and last <= stage:
        return gettext("The reminder for package %(tracking)s was already sent on %(sent)s.") % {
            "tracking": package.tracking_number,
            "sent": local_date(package.reminded_at, zone),
        }
    due = reminders.next_stage_at(package, now)
    if due is None:
        return gettext("Package %(tracking)s has no reminder left to send before its deadline.") % {
            "tracking": package.tracking_number
        }
    return gettext("Package %(tracking)s is not due a reminder before %(due)s.") % {
        "tracking": package.tracking_number,
        "due": local_date(due, zone),
    }


@transaction.atomic
def send_deadline_reminder(*, package: FailedPackage, now: datetime | None = None) -> FailedPackage:
    """The reminder of the stage the package is in (returns.reminders), each stage once,
    while the seller has not decided."""
    now = now or timezone.now()
    hours = reminders.current_stage(package.claim_deadline, now) if package.claim_deadline else None
    rows = 0
    if hours is not None:
        rows = FailedPackage.objects.filter(reminders.stage_due(hours, now), pk=package.pk).update(
            reminded_at=now, reminded_hours_before=hours
        )
    if rows != 1 or hours is None:
        package.refresh_from_db()
        raise DomainError(_reminder_refused(package, now))
    package.reminded_at, package.reminded_hours_before = now, hours
    _record(
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
    from_status = _move(package, expected=Status.CLAIMED, to=Status.RETURNED, returned_at=now)
    _record(
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
    from_status = _move(
        package,
        expected=Status.CLAIMED,
        to=Status.DESTRUCTION_PENDING,
        destruction_requested_at=now,
    )
    _record(
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
    from_status = _move(
        package,
        expected=Status.DESTRUCTION_PENDING,
        to=Status.DESTROYED,
        destroyed_at=now,
        destruction_reference=reference,
        destruction_method=method,
        destroyed_by=_actor(actor),
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
    _record(
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


def _overdue_refused(package: FailedPackage, now: datetime) -> str:
    if package.status != Status.DESTRUCTION_PENDING:
        return explain_state(package, now)
    zone = package.seller.time_zone
    if package.destruction_overdue_at:
        return gettext(
            "Package %(tracking)s was already flagged as overdue for destruction on %(flagged)s."
        ) % {
            "tracking": package.tracking_number,
            "flagged": local_date(package.destruction_overdue_at, zone),
        }
    return gettext(
        "Package %(tracking)s has been waiting for destruction only since %(requested)s."
    ) % {
        "tracking": package.tracking_number,
        "requested": local_date(package.destruction_requested_at, zone),
    }


@transaction.atomic
def flag_overdue_destruction(
    *, package: FailedPackage, now: datetime | None = None
) -> FailedPackage:
    """Not destroyed DESTRUCTION_OVERDUE_DAYS after the instruction: tell the provider, once."""
    now = now or timezone.now()
    rows = FailedPackage.objects.filter(
        pk=package.pk,
        status=Status.DESTRUCTION_PENDING,
        destruction_overdue_at__isnull=True,
        destruction_requested_at__lt=now - timedelta(days=settings.DESTRUCTION_OVERDUE_DAYS),
    ).update(destruction_overdue_at=now)
    if rows != 1:
        package.refresh_from_db()
        raise DomainError(_overdue_refused(package, now))
    package.destruction_overdue_at = now
    _record(
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
