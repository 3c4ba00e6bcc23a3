"""Packages and tickets in a given state, built through the services so every row is real."""

import itertools
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from returns.delivery import PackageDetails, record_failed_attempt, register_package
from returns.models import Channel, FailedPackage
from returns.services import confirm_destruction, release_package
from tickets.models import Ticket
from tickets.services import TicketRequest, open_ticket

_numbers = itertools.count(1)


def awaiting_package(seller, provider, *, description: str = "Wireless earbuds") -> FailedPackage:
    """Three failed attempts: the window is open and the destruction notice is in the outbox."""
    n = next(_numbers)
    package = register_package(
        provider=provider,
        seller=seller,
        details=PackageDetails(
            tracking_number=f"TH{n:010d}",
            order_id=f"ORD-{n:05d}",
            description=description,
            warehouse_location="B-07",
        ),
        channel=Channel.API,
    )
    for attempt in range(settings.MAX_DELIVERY_ATTEMPTS):
        record_failed_attempt(
            package=package,
            attempted_at=timezone.now() - timedelta(hours=settings.MAX_DELIVERY_ATTEMPTS - attempt),
            failure_reason="Nobody at the address",
            channel=Channel.API,
        )
    package.refresh_from_db()
    return package


def destroyed_package(seller, provider, *, staff, photo: File | None = None) -> FailedPackage:
    package = awaiting_package(seller, provider)
    release_package(package=package, channel=Channel.WEB)
    confirm_destruction(
        package=package,
        reference="DX-2041",
        method=FailedPackage.DestructionMethod.SHREDDED,
        photo=photo,
        actor=staff,
        channel=Channel.ADMIN,
    )
    package.refresh_from_db()
    return package


def question_ticket(package: FailedPackage, author, *, body: str = "Where is it now?") -> Ticket:
    return open_ticket(
        author=author,
        request=TicketRequest(
            category=Ticket.Category.QUESTION,
            subject=f"Question about {package.tracking_number}",
            body=body,
            package=package,
        ),
    )


def file_ticket(client, package, category: str = "send_back", **fields):
    """Post the new-ticket form as a seller would, with a delivery address and phone."""
    data = {
        "category": category,
        "package": package.public_id if package else "",
        "delivery_address": "12 Sukhumvit Soi 11, Bangkok 10110",
        "contact_phone": "+66 81 555 0199",
        **fields,
    }
    return client.post(reverse("tickets:new"), data)
