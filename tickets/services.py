"""Service tickets (DESIGN.md §7): every change to a ticket happens here.

Each function is one transaction. A ticket that asks for a package back moves
the package through `returns.services` inside that same transaction, so a
refused claim leaves no ticket behind, and a ticket never exists without its
claim. Emails are outbox rows written in the transaction and sent after commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import LogisticsProvider
from returns.formatting import local_date
from returns.models import Channel, FailedPackage
from returns.services import DomainError, claim_package, release_package
from tickets import emails
from tickets.attachments import CheckedUpload
from tickets.models import (
    CLAIM_CATEGORIES,
    OPEN_STATUSES,
    Attachment,
    Ticket,
    TicketMessage,
    new_reference,
)

Category = Ticket.Category
Status = Ticket.Status

# A closed or resolved ticket takes a seller's reply (and reopens) for this long.
REOPEN_WINDOW = timedelta(days=14)
# Tickets that claim or release their package when they are filed.
PACKAGE_MOVING_CATEGORIES = [*CLAIM_CATEGORIES, Category.NOT_NEEDED]


@dataclass(frozen=True)
class TicketRequest:
    """What a seller asks for; `provider` is only read when there is no package."""

    category: str
    subject: str
    body: str
    package: FailedPackage | None = None
    provider: LogisticsProvider | None = None
    delivery_address: str = ""
    contact_phone: str = ""
    preferred_date: date | None = None
    preferred_time: time | None = None


class DuplicateClaimError(DomainError):
    """The package already has an open ticket asking for it back; `ticket` is that one."""

    def __init__(self, ticket: Ticket):
        super().__init__(
            f"Package {ticket.package.tracking_number} already has an open ticket, "
            f"{ticket.reference}, asking for it back. Add what you need to that ticket instead."
        )
        self.ticket = ticket


def _unused_reference() -> str:
    # Collisions are rare (31^6 references); the unique constraint is the final guard.
    reference = new_reference()
    while Ticket.objects.filter(reference=reference).exists():
        reference = new_reference()
    return reference


def _refuse_second_claim(package: FailedPackage) -> None:
    existing = (
        Ticket.objects.open()
        .filter(package=package, category__in=CLAIM_CATEGORIES)
        .select_related("package")
        .first()
    )
    if existing is not None:
        raise DuplicateClaimError(existing)


def _attach(message: TicketMessage, files: Sequence[CheckedUpload]) -> None:
    for upload in files:
        attachment = Attachment(
            message=message,
            original_name=upload.file.name[:200],
            content_type=upload.content_type,
            size=upload.file.size,
        )
        # Written to disk before commit: a rollback leaves an orphan file, never a
        # row without its file.
        attachment.file.save(upload.file.name, upload.file, save=False)
        attachment.save()


@transaction.atomic
def open_ticket(*, author, request: TicketRequest, files: Sequence[CheckedUpload] = ()) -> Ticket:
    """File a seller's ticket.

    1. A claim ticket is refused while the package has another open claim ticket.
    2. The package moves first (claimed, or released for "no longer needed"); a
       refusal raises `DomainError` and nothing is written.
    3. The ticket, its first message and its files are written; the provider's
       operations address is told.
    """
    package = request.package
    if package is None and request.category in PACKAGE_MOVING_CATEGORIES:
        raise DomainError("Choose the package this ticket is about.")
    reference = _unused_reference()
    if request.category in CLAIM_CATEGORIES:
        _refuse_second_claim(package)
        claim_package(
            package=package, actor=author, channel=Channel.WEB, ticket_reference=reference
        )
    elif request.category == Category.NOT_NEEDED:
        release_package(package=package, actor=author, channel=Channel.WEB)

    now = timezone.now()
    ticket = Ticket.objects.create(
        reference=reference,
        seller=author.seller,
        provider=package.provider if package else request.provider,
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
    _attach(message, files)
    emails.ticket_created(ticket, message)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    # Only the ticket row is locked: PostgreSQL cannot lock the optional package's side
    # of the join, and replies need no lock on it.
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("seller", "provider", "package")
        .get(pk=ticket.pk)
    )


def reopen_until(ticket: Ticket) -> datetime | None:
    """The last moment a seller's reply reopens this ticket; None while it is open."""
    ended_at = ticket.closed_at or ticket.resolved_at
    if ticket.is_open or ended_at is None:
        return None
    return ended_at + REOPEN_WINDOW


@transaction.atomic
def reply_as_seller(
    *, ticket: Ticket, author, body: str, files: Sequence[CheckedUpload] = ()
) -> TicketMessage:
    """A seller's reply; on a closed or resolved ticket it reopens it, within 14 days."""
    ticket = _locked(ticket)
    now = timezone.now()
    until = reopen_until(ticket)
    if until is not None and now > until:
        raise DomainError(
            f"Ticket {ticket.reference} was closed on "
            f"{local_date(ticket.closed_at or ticket.resolved_at, ticket.seller.time_zone)}, "
            f"more than {REOPEN_WINDOW.days} days ago, so it can no longer be reopened. "
            "Open a new ticket instead."
        )
    message = TicketMessage.objects.create(ticket=ticket, author=author, body=body, created_at=now)
    _attach(message, files)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.OPEN, closed_at=None, resolved_at=None, last_activity_at=now
    )
    emails.seller_replied(ticket, message)
    return message


@transaction.atomic
def reply_as_staff(
    *,
    ticket: Ticket,
    author,
    body: str,
    internal: bool = False,
    files: Sequence[CheckedUpload] = (),
) -> TicketMessage:
    """Provider staff answer the seller, or leave an internal note only staff will see."""
    ticket = _locked(ticket)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, internal=internal, created_at=now
    )
    _attach(message, files)
    if internal:
        # A note changes nothing the seller can see, not even the ticket's last activity.
        return message
    changes = {"last_activity_at": now, "first_response_at": ticket.first_response_at or now}
    if ticket.status == Status.OPEN:
        changes["status"] = Status.WAITING_ON_SELLER
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
    emails.staff_replied(ticket, message)
    return message


@transaction.atomic
def close_ticket(*, ticket: Ticket) -> Ticket:
    """The seller is done; a reply within 14 days reopens the ticket."""
    now = timezone.now()
    rows = Ticket.objects.filter(pk=ticket.pk, status__in=[*OPEN_STATUSES, Status.RESOLVED]).update(
        status=Status.CLOSED, closed_at=now, last_activity_at=now
    )
    if rows != 1:
        raise DomainError(f"Ticket {ticket.reference} is already closed.")
    ticket.refresh_from_db()
    return ticket
