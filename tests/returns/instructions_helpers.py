"""A standing instruction set and applied through the services, and its undo link followed."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from returns import action_links, delivery, instructions, outbox
from returns.models import Channel, FailedPackage, InstructionRule, Notification

Rule = InstructionRule
Status = FailedPackage.Status
Kind = Notification.Kind
_numbers = itertools.count(1)


def set_rule(seller, rule: str, min_value: str | None = None, currency: str = "") -> None:
    instructions.set_instruction(
        seller_id=seller.pk,
        rule=rule,
        min_value=Decimal(min_value) if min_value else None,
        currency=currency,
        by=None,
    )


def fail(seller, provider, *, value: str | None = None, currency: str = "") -> FailedPackage:
    """A package registered and failed three times through the services, as the API does."""
    n = next(_numbers)
    package = delivery.register_package(
        provider=provider,
        seller=seller,
        details=delivery.PackageDetails(
            tracking_number=f"SI{n:08d}",
            order_id=f"ORD-{n}",
            declared_value=Decimal(value) if value else None,
            currency=currency,
        ),
        channel=Channel.API,
    )
    for attempt in range(settings.MAX_DELIVERY_ATTEMPTS):
        delivery.record_failed_attempt(
            package=package,
            attempted_at=timezone.now() - timedelta(hours=3 - attempt),
            failure_reason="Nobody at the address",
            channel=Channel.API,
        )
    package.refresh_from_db()
    return package


def kinds(package) -> set[str]:
    return set(Notification.objects.filter(package=package).values_list("kind", flat=True))


def sent(notice: Notification) -> Notification:
    """The notice as the outbox renders it, sending it: the rule's are written unrendered."""
    outbox.deliver_notifications()
    notice.refresh_from_db()
    return notice


def undo_token(package) -> str:
    notice = sent(Notification.objects.get(package=package, kind=Kind.INSTRUCTION_APPLIED))
    [key] = action_links.MARK.findall(notice.body_text)
    return action_links.token_for(key)


def undo(package, token: str | None = None):
    data = {"t": token or undo_token(package), "action": "undo", "package": package.public_id}
    return Client().post(reverse("tickets:act"), data)
