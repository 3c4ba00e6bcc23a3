"""Service tickets (DESIGN.md §7): every change to a ticket happens through here.

Each function is one transaction. A ticket that asks for a package back moves
the package through `returns.services` inside that same transaction, so a
refused claim leaves no ticket behind, and a ticket never exists without its
claim. Emails are outbox rows written in the transaction and sent after commit.
What provider staff change (assignee, status, package) is also written into
the thread as an internal note, so the console shows who did what and when.

Filing a ticket is written here; the changes after it live beside this module
(`tickets.replies`, `tickets.status_changes`, `tickets.assignment`) and are
imported from it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import LogisticsProvider, User
from returns.models import Channel, FailedPackage, InstructionRule
from returns.services import claim_package, release_package
from tickets import emails
from tickets.assignment import assign_ticket, link_package
from tickets.attachments import CheckedUpload
from tickets.models import CLAIM_CATEGORIES, OPEN_STATUSES, Ticket, TicketMessage, new_reference
from tickets.replies import REOPEN_WINDOW, reopen_until, reply_as_seller, reply_as_staff
from tickets.service_steps import (
    PACKAGE_MOVING_CATEGORIES,
    DuplicateClaimError,
    attach,
)
from tickets.status_changes import (
    STAFF_MOVES,
    change_ticket_status,
    close_package_inquiries,
    close_ticket,
    close_undone_rule_ticket,
    escalate_ticket,
)

__all__ = [
    "PACKAGE_MOVING_CATEGORIES",
    "REOPEN_WINDOW",
    "STAFF_MOVES",
    "DuplicateClaimError",
    "assign_ticket",
    "change_ticket_status",
    "close_package_inquiries",
    "close_ticket",
    "close_undone_rule_ticket",
    "escalate_ticket",
    "link_package",
    "reopen_until",
    "reply_as_seller",
    "reply_as_staff",
]

Category = Ticket.Category


@dataclass(frozen=True)
class TicketRequest:
    """What a seller asks for; `provider` is only read when there is no package."""

    category: Category
    subject: str
    body: str
    package: FailedPackage | None = None
    provider: LogisticsProvider | None = None
    delivery_address: str = ""
    contact_phone: str = ""
    preferred_date: date | None = None
    preferred_time: time | None = None


def _unused_reference() -> str:
    # Collisions are rare (31^6 references); the unique constraint is the final guard.
    reference = new_reference()
    while Ticket.objects.filter(reference=reference).exists():
        reference = new_reference()
    return reference


def _claim_reference(package: FailedPackage) -> str:
    """A free reference for a new claim ticket on `package`, which has no open claim ticket
    (`DuplicateClaimError` otherwise): one query asks both, as the intake API's standing
    instructions file one with every package they send back."""
    reference = new_reference()
    open_claim = Q(package=package, category__in=CLAIM_CATEGORIES, status__in=OPEN_STATUSES)
    clashes = list(Ticket.objects.filter(open_claim | Q(reference=reference)))
    for ticket in clashes:
        if (
            ticket.package_id == package.pk
            and ticket.category in CLAIM_CATEGORIES
            and ticket.status in OPEN_STATUSES
        ):
            ticket.package = package  # the refusal names it; not joined for the common case
            raise DuplicateClaimError(ticket)
    return _unused_reference() if clashes else reference


@transaction.atomic
def open_ticket(
    *, author: User, request: TicketRequest, files: Sequence[CheckedUpload] = ()
) -> Ticket:
    """File a seller's ticket.

    1. A claim ticket is refused while the package has another open claim ticket.
    2. The package moves first (claimed, or released for "no longer needed"); a
       refusal raises `DomainError` and nothing is written.
    3. The ticket, its first message and its files are written; the provider's
       operations address is told.
    """
    package = request.package
    if package is None and request.category in PACKAGE_MOVING_CATEGORIES:
        raise DomainError(gettext("Choose the package this ticket is about."))
    if package is not None and request.category in CLAIM_CATEGORIES:
        reference = _claim_reference(package)
        claim_package(
            package=package, actor=author, channel=Channel.WEB, ticket_reference=reference
        )
    else:
        reference = _unused_reference()
    if package is not None and request.category == Category.NOT_NEEDED:
        release_package(package=package, actor=author, channel=Channel.WEB)

    seller = author.seller
    provider = package.provider if package else request.provider
    if seller is None or provider is None:
        # The pages let only a seller's user file a ticket, and the form asks for a provider.
        raise ValueError("A ticket needs the author's seller and a provider.")
    now = timezone.now()
    ticket = Ticket.objects.create(
        reference=reference,
        seller=seller,
        provider=provider,
        package=package,
        category=request.category,
        subject=request.subject,
        delivery_address=request.delivery_address,
        contact_phone=request.contact_phone,
        preferred_date=request.preferred_date,
        preferred_time=request.preferred_time,
        created_by=author,
        created_at=now,
        last_activity_at=now,
    )
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=request.body, created_at=now
    )
    attach(message, files)
    emails.ticket_created(ticket, message)
    return ticket


@dataclass(frozen=True)
class SendBackAddress:
    """Where the seller confirmed the package should go (their default address, edited)."""

    contact_name: str
    phone: str
    address: str


def open_send_back_ticket(
    package: FailedPackage,
    address: SendBackAddress,
    *,
    rule: str = "",
    channel: str = Channel.EMAIL,
) -> Ticket:
    """A send-back ticket filed for the seller without a sign-in (a one-click link, their
    standing instruction), in the same transaction as the claim; its first message says
    why, and the provider's operations address is told."""
    reference = _claim_reference(package)
    claim_package(
        package=package,
        actor=None,
        channel=channel,
        ticket_reference=reference,
        rule=rule,
        also_unrendered=[emails.ticket_created_unrendered(reference)],
    )
    now = timezone.now()
    ticket = Ticket.objects.create(
        reference=reference,
        seller=package.seller,
        provider=package.provider,
        package=package,
        category=Ticket.Category.SEND_BACK,
        subject=gettext("Send package %(tracking)s back to me")
        % {"tracking": package.tracking_number},
        delivery_address=f"{address.contact_name}\n{address.address}",
        contact_phone=address.phone,
        created_at=now,
        last_activity_at=now,
    )
    if rule:
        body = gettext(
            "Opened by the seller's standing instruction “%(rule)s”: please send it back to "
            "the address on this ticket."
        ) % {"rule": InstructionRule(rule).label}
    else:
        body = gettext(
            "Asked for from the one-click button in the email: please send it back to the "
            "address on this ticket."
        )
    TicketMessage.objects.create(
        ticket=ticket,
        body=body,
        written_for_seller=True,
        created_at=now,
    )
    return ticket
