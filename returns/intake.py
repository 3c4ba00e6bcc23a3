"""Applying intake API events: once per (provider, event_id), all or nothing.

An event's values are checked here, where the answer can name the field at
fault (`IntakeRejected`, answered 422); the state machine in `services` then
applies it, and may still refuse (`DomainError`, answered 409).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import LogisticsProvider, Seller
from returns import delivery, state_change
from returns.models import Channel, FailedPackage, IntakeEvent
from returns.schemas import (
    AnyEvent,
    DeliveredToSeller,
    DeliveryAttemptFailed,
    EventAnswer,
    ReturnRegistered,
    SellerRejected,
)


class IntakeRejected(Exception):
    """An event whose values cannot be applied; nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class IntakeAnswer:
    status_code: int
    body: dict[str, Any]


def packages_of(provider: LogisticsProvider) -> QuerySet[FailedPackage]:
    """Every package lookup of the API goes through here: a provider sees only its own."""
    return FailedPackage.objects.filter(provider=provider)


def apply_event(*, provider: LogisticsProvider, event: AnyEvent) -> IntakeAnswer:
    """Apply one event, or answer what its first delivery was answered.

    1. One transaction applies the event through the services and stores its answer
       under the event id.
    2. A refusal rolls everything back, so the provider can correct the event and send
       it again under the same id.
    3. An event id this provider already used — a retry, or a twin sent at the same
       moment — gets the stored answer, and nothing changes. Its own transaction waits
       for the first one (on the package's row lock, or on the event id's unique
       constraint), is refused or fails the constraint, and rolls back.

    A replay is rare, so it is found on the way out rather than looked up before every
    event, and the answer is written once, not claimed first and filled in after.
    """
    try:
        with transaction.atomic():
            try:
                answer = APPLY[event.type](provider, event)
            except delivery.ImplausibleTime as refusal:
                raise IntakeRejected(TIME_FIELD[event.type], refusal.message) from None
            IntakeEvent.objects.create(
                provider=provider,
                event_id=event.event_id,
                kind=event.type,
                status_code=answer.status_code,
                response=answer.body,
            )
    except (IntegrityError, IntakeRejected, DomainError):
        stored = IntakeEvent.objects.filter(provider=provider, event_id=event.event_id).first()
        if stored is None:  # a refusal, or another constraint than the event id's
            raise
        return _replay(stored, event)
    return answer


def _replay(stored: IntakeEvent, event: AnyEvent) -> IntakeAnswer:
    if stored.kind != event.type:
        raise IntakeRejected(
            "event_id",
            # Translators: kind is the event type as the API names it, e.g. "return_registered".
            gettext("Event id %(event_id)s was already used for a %(kind)s event.")
            % {"event_id": event.event_id, "kind": stored.kind},
        )
    return IntakeAnswer(stored.status_code, stored.response)


# --- one function per event type ------------------------------------------------------


def _register(provider: LogisticsProvider, event: ReturnRegistered) -> IntakeAnswer:
    if event.declared_value is not None and not event.currency:
        raise IntakeRejected("currency", gettext("A declared value needs its currency, e.g. THB."))
    seller = Seller.objects.filter(shop_code=event.shop_code).first()
    if seller is None:
        raise IntakeRejected(
            "shop_code",
            gettext("No seller has the shop code %(shop_code)s.") % {"shop_code": event.shop_code},
        )
    package = delivery.register_package(
        provider=provider,
        seller=seller,
        details=delivery.PackageDetails(
            tracking_number=event.tracking_number,
            order_id=event.order_id,
            return_id=event.return_id,
            description=event.description,
            weight_grams=event.weight_grams,
            declared_value=event.declared_value,
            currency=event.currency,
            warehouse_location=event.warehouse_location,
        ),
        channel=Channel.API,
        registered_at=event.occurred_at,
    )
    # Just written, in this transaction, with no attempts: nothing to read back.
    return _answer(event, package, status_code=201, attempts=0)


def _attempt_failed(provider: LogisticsProvider, event: DeliveryAttemptFailed) -> IntakeAnswer:
    package = _in_delivery(provider, event.tracking_number, "attempt")
    attempt = delivery.record_failed_attempt(
        package=package,
        attempted_at=event.attempted_at,
        failure_reason=event.failure_reason,
        courier_note=event.courier_note,
        channel=Channel.API,
        locked=True,
    )
    # The busiest event: answer from the service's own up-to-date copy, read no more.
    return _answer(event, attempt.package, attempts=attempt.number)


def _delivered(provider: LogisticsProvider, event: DeliveredToSeller) -> IntakeAnswer:
    package = _in_delivery(provider, event.tracking_number, "delivery")
    delivery.record_delivered(
        package=package, delivered_at=event.delivered_at, channel=Channel.API, locked=True
    )
    return _answer(event, package)


def _rejected(provider: LogisticsProvider, event: SellerRejected) -> IntakeAnswer:
    package = _in_delivery(provider, event.tracking_number, "rejection")
    delivery.record_seller_rejection(
        package=package,
        rejected_at=event.rejected_at,
        note=event.note,
        channel=Channel.API,
        locked=True,
    )
    return _answer(event, package)


APPLY: dict[str, Callable[[LogisticsProvider, Any], IntakeAnswer]] = {
    "return_registered": _register,
    "delivery_attempt_failed": _attempt_failed,
    "delivered_to_seller": _delivered,
    "seller_rejected": _rejected,
}
# The time each event reports, checked by the services (`delivery.ImplausibleTime`):
# in the future, older than a year, or before the package's previous attempt.
TIME_FIELD = {
    "return_registered": "occurred_at",
    "delivery_attempt_failed": "attempted_at",
    "delivered_to_seller": "delivered_at",
    "seller_rejected": "rejected_at",
}


# --- shared checks --------------------------------------------------------------------


def _in_delivery(provider: LogisticsProvider, tracking_number: str, what: str) -> FailedPackage:
    # Locked, so the status checked here is the one the service finds; the service takes
    # this copy (`locked=True`) rather than reading and locking the package again. get(),
    # as the number is unique per provider: first() would sort by the model's order.
    try:
        package = state_change.locking(packages_of(provider)).get(tracking_number=tracking_number)
    except FailedPackage.DoesNotExist:
        raise IntakeRejected(
            "tracking_number",
            gettext("No package with tracking number %(tracking)s is registered at %(provider)s.")
            % {"tracking": tracking_number, "provider": provider.name},
        ) from None
    if package.status != FailedPackage.Status.IN_DELIVERY:
        # One whole sentence per event, so a translator never gets a bare noun phrase.
        sentences = {
            # Translators: status is the API's status code for the package, e.g. "claimed".
            "attempt": gettext(
                "Package %(tracking)s is no longer in delivery (it is %(status)s), "
                "so a failed attempt cannot be recorded."
            ),
            "delivery": gettext(
                "Package %(tracking)s is no longer in delivery (it is %(status)s), "
                "so a delivery cannot be recorded."
            ),
            "rejection": gettext(
                "Package %(tracking)s is no longer in delivery (it is %(status)s), "
                "so a rejection cannot be recorded."
            ),
        }
        raise IntakeRejected(
            "tracking_number",
            sentences[what] % {"tracking": tracking_number, "status": package.status},
        )
    return package


def _answer(
    event: AnyEvent, package: FailedPackage, status_code: int = 200, attempts: int | None = None
) -> IntakeAnswer:
    if attempts is None:
        package.refresh_from_db()
        attempts = package.attempts.count()
    body = EventAnswer(
        event_id=event.event_id,
        type=event.type,
        tracking_number=package.tracking_number,
        public_id=package.public_id,
        status=FailedPackage.Status(package.status),
        reason=package.reason,
        claim_deadline=package.claim_deadline,
        attempts=attempts,
    )
    return IntakeAnswer(status_code, body.model_dump(mode="json"))
