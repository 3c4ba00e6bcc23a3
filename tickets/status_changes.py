"""A ticket's status: closed by its seller, moved by provider staff, escalated by the job
when nobody answered in time.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.formatting import local_date
from portal.models import User
from portal.tenancy import Viewer
from returns.models import FailedPackage
from tickets import emails
from tickets.models import INQUIRY_CATEGORIES, OPEN_STATUSES, Ticket, TicketMessage
from tickets.service_steps import locked_ticket, refuse_second_claim, staff_note

Status = Ticket.Status

# Where provider staff may move a ticket from each status.
STAFF_MOVES = {
    Status.OPEN: {Status.WAITING_ON_SELLER, Status.RESOLVED, Status.CLOSED},
    Status.WAITING_ON_SELLER: {Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}


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


@transaction.atomic
def change_ticket_status(*, ticket: Ticket, status: Status, actor: User) -> Ticket:
    """Staff move a ticket along (waiting, resolved, closed, reopened); the thread records it."""
    ticket = locked_ticket(ticket)
    move_ticket(ticket, Status(status), actor, timezone.now())
    ticket.refresh_from_db()
    return ticket


def move_ticket(ticket: Ticket, new: Status, actor: User, now: datetime) -> None:
    """Move a locked ticket to a status staff may give it, with a note of who did it."""
    check_staff_move(ticket, new)
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
    staff_note(ticket, actor, body, now)


def check_staff_move(ticket: Ticket, new: Status) -> None:
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
        refuse_second_claim(ticket.package)


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
