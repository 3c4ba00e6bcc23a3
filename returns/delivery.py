"""Registration and delivery (carrier systems and staff, DESIGN.md §5): a package is
registered, its delivery attempts recorded, and the last failed one opens the seller's
window; a delivery or a rejection at the door ends it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.errors import DomainError
from portal.models import LogisticsProvider, Seller
from portal.tenancy import Viewer
from returns import emails, instructions, timestamps
from returns.models import EDITABLE_DETAILS, Channel, DeliveryAttempt, EventAction, FailedPackage
from returns.state_change import changing, move_status, record_event

Status = FailedPackage.Status


def claim_deadline_for(noticed_at: datetime, zone_name: str) -> datetime:
    """End of the CLAIM_WINDOW_DAYS-th calendar day after the notice, in the seller's zone.

    Built from the local calendar date, so a daylight-saving change inside the
    window moves the UTC instant, never the local end of day.
    """
    zone = ZoneInfo(zone_name)
    last_day = noticed_at.astimezone(zone).date() + timedelta(days=settings.CLAIM_WINDOW_DAYS)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


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
    # Locked as it is read: two agents editing at once each record what they replaced.
    before = FailedPackage.objects.select_for_update().filter(pk=package.pk).values(*changes).get()
    FailedPackage.objects.filter(pk=package.pk).update(**changes)
    for name, value in changes.items():
        setattr(package, name, value)
    record_event(
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
    record_event(
        package, action=EventAction.REGISTERED, from_status="", actor=actor, channel=channel
    )
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
    with changing(package, locked) as package:
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
            record_event(
                package,
                action=EventAction.ATTEMPT_FAILED,
                from_status=package.status,
                actor=actor,
                channel=channel,
                facts=facts,
            )
            return attempt

        now = timezone.now()
        from_status = move_status(
            package,
            expected=Status.IN_DELIVERY,
            to=Status.AWAITING_SELLER,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=attempted_at,
            claim_deadline=claim_deadline_for(now, package.seller.time_zone),
        )
        record_event(
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
    with changing(package, locked) as package:
        count, last = _attempts_so_far(package)
        _check_time(delivered_at, not_before=last)
        from_status = move_status(
            package, expected=Status.IN_DELIVERY, to=Status.RETURNED, returned_at=delivered_at
        )
        DeliveryAttempt.objects.create(
            package=package,
            number=count + 1,
            attempted_at=delivered_at,
            outcome=DeliveryAttempt.Outcome.DELIVERED,
        )
        record_event(
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
    with changing(package, locked) as package:
        count, last = _attempts_so_far(package)
        _check_time(rejected_at, not_before=last)
        from_status = move_status(
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
        record_event(
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
