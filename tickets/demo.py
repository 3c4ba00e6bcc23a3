"""Demo tickets for `manage.py seed_demo`: conversations about the demo seller's packages.

It takes whatever packages the returns demo created, chosen by state, and
skips a conversation when no package fits. Each conversation is recognised by
its subject, so running the command again adds nothing. One question was
asked 30 hours ago and never answered, so a running worker escalates it.
"""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import Seller, User
from returns.models import FailedPackage, Notification
from tickets.models import Ticket, TicketMessage
from tickets.services import (
    TicketRequest,
    close_ticket,
    open_ticket,
    reply_as_seller,
    reply_as_staff,
)

DEMO_SELLER = "SIAM-GADGETS"
Status = FailedPackage.Status
Category = Ticket.Category


def _staff_of(package: FailedPackage) -> User | None:
    return User.objects.filter(provider=package.provider, is_staff=True, is_active=True).first()


def _question(seller_user: User, packages: QuerySet[Any]) -> str | None:
    # The latest deadline: the demo's urgent packages stay untouched for the worker.
    package = (
        packages.filter(status=Status.AWAITING_SELLER, claim_deadline__gte=timezone.now())
        .order_by("-claim_deadline")
        .first()
    )
    if package is None:
        return None
    ticket = open_ticket(
        author=seller_user,
        request=TicketRequest(
            category=Category.QUESTION,
            subject="Is the box still sealed?",
            body="Before I decide: is the original box still sealed, or was it opened?",
            package=package,
        ),
    )
    staff = _staff_of(package)
    if staff:
        reply_as_staff(
            ticket=ticket,
            author=staff,
            body="The outer carton is sealed with our tape; the product box inside is intact.",
            # The seller wanted this before deciding: the next move is theirs.
            status=Ticket.Status.WAITING_ON_SELLER,
        )
        reply_as_staff(
            ticket=ticket, author=staff, body="Checked on shelf, photo taken.", internal=True
        )
    return ticket.reference


def _send_back(seller_user: User, packages: QuerySet[Any]) -> str | None:
    package = packages.filter(status=Status.CLAIMED, tickets__isnull=True).first()
    if package is None:
        return None
    # The demo claimed this package already, so the ticket is written as it would have
    # been then; the conversation that follows goes through the services.
    ticket = Ticket.objects.create(
        seller=package.seller,  # the demo seller's own package
        provider=package.provider,
        package=package,
        category=Category.SEND_BACK,
        subject="Please send it to our new warehouse",
        delivery_address="Siam Gadgets warehouse, 55 Rama IV Road, Khlong Toei, Bangkok 10110",
        contact_phone="+66 81 555 0199",
        created_by=seller_user,
    )
    TicketMessage.objects.create(
        ticket=ticket,
        author=seller_user,
        body="We moved last month; please deliver to the address above, weekday mornings.",
    )
    staff = _staff_of(package)
    if staff:
        reply_as_staff(ticket=ticket, author=staff, body="Courier booked for Tuesday morning.")
        reply_as_seller(ticket=ticket, author=seller_user, body="Perfect, thank you!")
    return ticket.reference


def _dispute(seller_user: User, packages: QuerySet[Any]) -> str | None:
    package = packages.filter(
        status=Status.DESTRUCTION_PENDING, reason=FailedPackage.Reason.SELLER_REJECTED
    ).first()
    if package is None:
        return None
    ticket = open_ticket(
        author=seller_user,
        request=TicketRequest(
            category=Category.DISPUTE,
            subject="We did not reject this package",
            body="Nobody at our shop refused this delivery. Please hold it and check with "
            "the courier before destroying it.",
            package=package,
        ),
    )
    return ticket.reference


def _closed(seller_user: User, packages: QuerySet[Any]) -> str | None:
    package = packages.first()
    if package is None:
        return None
    ticket = open_ticket(
        author=seller_user,
        request=TicketRequest(
            category=Category.QUESTION,
            subject="Do you deliver on Saturdays?",
            body="Could returns be delivered to us on Saturdays?",
            provider=package.provider,
        ),
    )
    staff = _staff_of(package)
    if staff:
        reply_as_staff(ticket=ticket, author=staff, body="Yes, Saturdays until 14:00.")
    close_ticket(ticket=ticket)
    return ticket.reference


def _unanswered(seller_user: User, packages: QuerySet[Any]) -> str | None:
    now = timezone.now()
    asked_at = now - timedelta(hours=30)
    # A package that failed before the question and is not the worker's to close soon.
    package = (
        packages.filter(
            status=Status.AWAITING_SELLER,
            failed_at__lt=asked_at,
            claim_deadline__gt=now + timedelta(days=1),
        )
        .order_by("claim_deadline")
        .first()
    )
    if package is None:
        return None
    ticket = open_ticket(
        author=seller_user,
        request=TicketRequest(
            category=Category.QUESTION,
            subject="Can you hold it until Monday?",
            body="I am away until Monday. Please keep this package until then; I will decide "
            "as soon as I am back.",
            package=package,
        ),
    )
    # Asked yesterday: the ticket, its message and the provider's notice move back together.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=asked_at, last_activity_at=asked_at)
    ticket.messages.update(created_at=asked_at)
    Notification.objects.filter(ticket_reference=ticket.reference).update(
        created_at=asked_at,
        next_attempt_at=asked_at,
        status=Notification.Status.SENT,
        sent_at=asked_at + timedelta(minutes=1),
        attempts=1,
    )
    return ticket.reference


CONVERSATIONS = {
    "Is the box still sealed?": _question,
    "Please send it to our new warehouse": _send_back,
    "We did not reject this package": _dispute,
    "Do you deliver on Saturdays?": _closed,
    "Can you hold it until Monday?": _unanswered,
}


def seed_tickets() -> list[str]:
    """Create the demo conversations that are missing; returns one line per ticket created."""
    seller = Seller.objects.filter(shop_code=DEMO_SELLER).first()
    seller_user = User.objects.filter(seller=seller, is_active=True).first() if seller else None
    if seller_user is None:
        return []
    packages = FailedPackage.objects.filter(seller=seller).select_related("provider", "seller")
    created = []
    for subject, build in CONVERSATIONS.items():
        if Ticket.objects.filter(seller=seller, subject=subject).exists():
            continue
        reference = build(seller_user, packages)
        if reference:
            created.append(f"  {reference}  {subject}")
    return created
