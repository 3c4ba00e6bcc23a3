"""Service tickets (DESIGN.md §7): every change to a ticket happens here.

Each function is one transaction. A ticket that asks for a package back moves
the package through `returns.services` inside that same transaction, so a
refused claim leaves no ticket behind, and a ticket never exists without its
claim. Emails are outbox rows written in the transaction and sent after commit.
What provider staff change (assignee, status, package) is also written into
the thread as an internal note, so the console shows who did what and when.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.formatting import local_date
from portal.models import LogisticsProvider, User
from portal.tenancy import Viewer
from returns.models import Channel, FailedPackage, InstructionRule
from returns.services import claim_package, release_package
from tickets import emails
from tickets.attachments import CheckedUpload
from tickets.models import (
    CLAIM_CATEGORIES,
    INQUIRY_CATEGORIES,
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
# Where provider staff may move a ticket from each status.
STAFF_MOVES = {
    Status.OPEN: {Status.WAITING_ON_SELLER, Status.RESOLVED, Status.CLOSED},
    Status.WAITING_ON_SELLER: {Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}


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


class DuplicateClaimError(DomainError):
    """The package already has an open ticket asking for it back; `ticket` is that one."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(
            gettext(
                "Package %(tracking)s already has an open ticket, %(reference)s, asking for it "
                "back. Add what you need to that ticket instead."
            )
            % {"tracking": _tracking(ticket.package), "reference": ticket.reference}
        )
        self.ticket = ticket


def _tracking(package: FailedPackage | None) -> str:
    # A claim ticket and an unlinked ticket's old package always have one.
    return package.tracking_number if package is not None else ""


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
    clashes = list(
        Ticket.objects.filter(open_claim | Q(reference=reference)).select_related("package")
    )
    for ticket in clashes:
        if (
            ticket.package_id == package.pk
            and ticket.category in CLAIM_CATEGORIES
            and ticket.status in OPEN_STATUSES
        ):
            raise DuplicateClaimError(ticket)
    return _unused_reference() if clashes else reference


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
            original_name=upload.name[:200],
            content_type=upload.content_type,
            size=upload.file.size or 0,
        )
        # Written to disk before commit: a rollback leaves an orphan file, never a
        # row without its file.
        attachment.file.save(upload.name, upload.file, save=False)
        attachment.save()


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
    _attach(message, files)
    emails.ticket_created(ticket, message)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    # Only the ticket row is locked: PostgreSQL cannot lock the optional package's side
    # of the join, and replies need no lock on it.
    locked: Ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("seller", "provider", "package")
        .get(pk=ticket.pk)
    )
    return locked


def reopen_until(ticket: Ticket) -> datetime | None:
    """The last moment a seller's reply reopens this ticket; None while it is open."""
    ended_at = ticket.closed_at or ticket.resolved_at
    if ticket.is_open or ended_at is None:
        return None
    return ended_at + REOPEN_WINDOW


@transaction.atomic
def reply_as_seller(
    *, ticket: Ticket, author: User, body: str, files: Sequence[CheckedUpload] = ()
) -> TicketMessage:
    """A seller's reply; on a closed or resolved ticket it reopens it, within 14 days."""
    ticket = _locked(ticket)
    now = timezone.now()
    until = reopen_until(ticket)
    if until is not None and now > until:
        raise DomainError(
            gettext(
                "Ticket %(reference)s was closed on %(closed)s, more than %(days)s days ago, "
                "so it can no longer be reopened. Open a new ticket instead."
            )
            % {
                "reference": ticket.reference,
                "closed": local_date(until - REOPEN_WINDOW, ticket.seller.time_zone),
                "days": REOPEN_WINDOW.days,
            }
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
    author: User,
    body: str,
    internal: bool = False,
    files: Sequence[CheckedUpload] = (),
    status: Status | None = None,
) -> TicketMessage:
    """Provider staff answer the seller, or leave an internal note only staff will see.

    A public reply leaves the ticket's status as it is unless the agent names the next
    one (`status`): "we ship Thursday" asks the seller nothing, so it must not read
    "Waiting for your answer". A move is checked and noted as `change_ticket_status`
    does; a refused move sends nothing.
    """
    ticket = _locked(ticket)
    now = timezone.now()
    new_status = Status(status) if not internal and status not in (None, ticket.status) else None
    if new_status is not None:
        # Before anything is stored: a refused move leaves no reply and no file behind.
        _check_move(ticket, new_status)
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, internal=internal, created_at=now
    )
    _attach(message, files)
    if internal:
        # A note changes nothing the seller can see, not even the ticket's last activity.
        return message
    if new_status is not None:
        _move(ticket, new_status, author, now)
    Ticket.objects.filter(pk=ticket.pk).update(
        last_activity_at=now, first_response_at=ticket.first_response_at or now
    )
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
        raise DomainError(
            gettext("Ticket %(reference)s is already closed.") % {"reference": ticket.reference}
        )
    ticket.refresh_from_db()
    return ticket


def close_undone_rule_ticket(*, reference: str, now: datetime) -> None:
    """The seller undid their standing instruction: its send-back ticket closes (as
    `close_ticket` would, resolved ones too) and says why; one already closed is left."""
    rows = Ticket.objects.filter(
        reference=reference, status__in=[*OPEN_STATUSES, Status.RESOLVED]
    ).update(status=Status.CLOSED, closed_at=now, last_activity_at=now)
    if rows != 1:
        return
    TicketMessage.objects.create(
        ticket=Ticket.objects.get(reference=reference),
        body=gettext(
            "Closed: the seller undid their standing instruction, so the package waits "
            "for their decision again. Please do not send it yet."
        ),
        written_for_seller=True,
        created_at=now,
    )


@transaction.atomic
def close_package_inquiries(*, package: FailedPackage, user: Viewer) -> list[Ticket]:
    """The seller let the package go: close their open questions and disputes about it in one
    step (the package page offers it). Only `user`'s seller's tickets; none open closes none."""
    now = timezone.now()
    closing = list(
        Ticket.objects.for_user(user)
        .select_for_update()
        .filter(package=package, category__in=INQUIRY_CATEGORIES, status__in=OPEN_STATUSES)
        .order_by("created_at", "id")
    )
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in closing]).update(
        status=Status.CLOSED, closed_at=now, last_activity_at=now
    )
    return closing


# --- provider staff -------------------------------------------------------------------


def _note(ticket: Ticket, actor: User, body: str, now: datetime) -> TicketMessage:
    return TicketMessage.objects.create(
        ticket=ticket, author=actor, body=body, internal=True, created_at=now
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    """Give the ticket to one of its provider's staff (or to nobody)."""
    ticket = _locked(ticket)
    if assignee is not None and not (
        assignee.is_active and assignee.is_staff and assignee.provider_id == ticket.provider_id
    ):
        raise DomainError(
            gettext(
                "%(name)s does not work for %(provider)s, so cannot be given ticket %(reference)s."
            )
            % {
                "name": _name(assignee),
                "provider": ticket.provider.name,
                "reference": ticket.reference,
            }
        )
    if ticket.assignee_id == (assignee.pk if assignee else None):
        if assignee:
            refusal = gettext("Ticket %(reference)s is already assigned to %(name)s.")
        else:
            refusal = gettext("Ticket %(reference)s is already unassigned.")
        raise DomainError(
            refusal % {"reference": ticket.reference, "name": _name(assignee) if assignee else ""}
        )
    previous = ticket.assignee
    Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee)
    if assignee is not None:
        body = gettext("Assigned to %(name)s.") % {"name": _name(assignee)}
    else:
        body = gettext("Unassigned (was %(name)s).") % {"name": _name(previous) if previous else ""}
    _note(ticket, actor, body, timezone.now())
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def change_ticket_status(*, ticket: Ticket, status: Status, actor: User) -> Ticket:
    """Staff move a ticket along (waiting, resolved, closed, reopened); the thread records it."""
    ticket = _locked(ticket)
    _move(ticket, Status(status), actor, timezone.now())
    ticket.refresh_from_db()
    return ticket


def _move(ticket: Ticket, new: Status, actor: User, now: datetime) -> None:
    """Move a locked ticket to a status staff may give it, with a note of who did it."""
    _check_move(ticket, new)
    old = Status(ticket.status)
    changes: dict[str, object] = {"status": new, "last_activity_at": now}
    if new == Status.RESOLVED:
        changes["resolved_at"] = now
    elif new == Status.CLOSED:
        changes["closed_at"] = now
    else:
        changes.update(resolved_at=None, closed_at=None)
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
    body = gettext("Status changed from %(old)s to %(new)s.") % {"old": old.label, "new": new.label}
    _note(ticket, actor, body, now)


def _check_move(ticket: Ticket, new: Status) -> None:
    old = Status(ticket.status)
    if new == old:
        raise DomainError(
            # Translators: status is a ticket status in lower case, e.g. "resolved".
            gettext("Ticket %(reference)s is already %(status)s.")
            % {"reference": ticket.reference, "status": old.label.lower()}
        )
    if new not in STAFF_MOVES[old]:
        raise DomainError(
            gettext(
                "Ticket %(reference)s is %(status)s: reopen it before marking it %(new_status)s."
            )
            % {
                "reference": ticket.reference,
                "status": old.label.lower(),
                "new_status": new.label.lower(),
            }
        )
    if new in OPEN_STATUSES and ticket.is_claim and not ticket.is_open and ticket.package:
        _refuse_second_claim(ticket.package)


@transaction.atomic
def link_package(*, ticket: Ticket, package: FailedPackage | None, actor: User) -> Ticket:
    """Say which package a question or dispute is about; claims keep the package they moved."""
    ticket = _locked(ticket)
    if ticket.category in PACKAGE_MOVING_CATEGORIES:
        raise DomainError(
            gettext(
                "Ticket %(reference)s (%(category)s) moved its package when it was filed, "
                "so it stays with that package."
            )
            % {
                "reference": ticket.reference,
                "category": Category(ticket.category).label.lower(),
            }
        )
    if package is not None and (
        package.provider_id != ticket.provider_id or package.seller_id != ticket.seller_id
    ):
        raise DomainError(
            gettext("Package %(tracking)s is not one of %(seller)s's packages at %(provider)s.")
            % {
                "tracking": package.tracking_number,
                "seller": ticket.seller.name,
                "provider": ticket.provider.name,
            }
        )
    if ticket.package_id == (package.pk if package else None):
        raise DomainError(
            gettext("Ticket %(reference)s is already linked to that package.")
            % {"reference": ticket.reference}
        )
    previous = ticket.package
    Ticket.objects.filter(pk=ticket.pk).update(package=package)
    if package is not None:
        body = gettext("Linked to package %(tracking)s.") % {"tracking": package.tracking_number}
    else:
        body = gettext("No longer linked to package %(tracking)s.") % {
            "tracking": _tracking(previous)
        }
    _note(ticket, actor, body, timezone.now())
    ticket.refresh_from_db()
    return ticket


def _not_overdue(ticket: Ticket, now: datetime) -> str:
    """Why the ticket cannot be escalated, as one whole sentence."""
    zone = ticket.seller.time_zone
    reference = ticket.reference
    if ticket.escalated_at is not None:
        return gettext("Ticket %(reference)s is already escalated on %(when)s.") % {
            "reference": reference,
            "when": local_date(ticket.escalated_at, zone),
        }
    if ticket.first_response_at is not None:
        return gettext("Ticket %(reference)s is answered on %(when)s.") % {
            "reference": reference,
            "when": local_date(ticket.first_response_at, zone),
        }
    if ticket.status != Status.OPEN:
        return gettext("Ticket %(reference)s is %(status)s, not waiting for an answer.") % {
            "reference": reference,
            "status": Status(ticket.status).label.lower(),
        }
    due = ticket.created_at + timedelta(hours=settings.TICKET_FIRST_RESPONSE_HOURS)
    return gettext("Ticket %(reference)s is not overdue until %(when)s.") % {
        "reference": reference,
        "when": local_date(due, zone),
    }


@transaction.atomic
def escalate_ticket(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """Unanswered TICKET_FIRST_RESPONSE_HOURS after it was opened: flag it, tell the provider once.

    The compare-and-set on `escalated_at` makes a second run, or a second
    worker, refuse instead of writing a second notice.
    """
    now = now or timezone.now()
    rows = (
        Ticket.objects.filter(pk=ticket.pk, escalated_at__isnull=True)
        .overdue(now)
        .update(escalated_at=now)
    )
    if rows != 1:
        ticket.refresh_from_db()
        raise DomainError(_not_overdue(ticket, now))
    ticket.escalated_at = now
    waited = now - ticket.created_at
    emails.ticket_overdue(ticket, waiting_hours=int(waited.total_seconds() // 3600))
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
        package=package, actor=None, channel=channel, ticket_reference=reference, rule=rule
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
    message = TicketMessage.objects.create(
        ticket=ticket,
        body=body,
        written_for_seller=True,
        created_at=now,
    )
    emails.ticket_created(ticket, message, attachments=[])  # none: no one uploaded any
    return ticket
