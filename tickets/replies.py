"""Replies in a ticket's thread: the seller's (which reopen a finished ticket) and the
provider staff's (an answer, maybe with the next status, or an internal note).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.formatting import local_date
from portal.models import User
from tickets import emails
from tickets.attachments import CheckedUpload
from tickets.models import Ticket, TicketMessage
from tickets.service_steps import attach, locked_ticket
from tickets.status_changes import check_staff_move, move_ticket

Status = Ticket.Status

# A closed or resolved ticket takes a seller's reply (and reopens) for this long.
REOPEN_WINDOW = timedelta(days=14)


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
    ticket = locked_ticket(ticket)
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
    attach(message, files)
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
    ticket = locked_ticket(ticket)
    now = timezone.now()
    new_status = Status(status) if not internal and status not in (None, ticket.status) else None
    if new_status is not None:
        # Before anything is stored: a refused move leaves no reply and no file behind.
        check_staff_move(ticket, new_status)
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, internal=internal, created_at=now
    )
    attach(message, files)
    if internal:
        # A note changes nothing the seller can see, not even the ticket's last activity.
        return message
    if new_status is not None:
        move_ticket(ticket, new_status, author, now)
    Ticket.objects.filter(pk=ticket.pk).update(
        last_activity_at=now, first_response_at=ticket.first_response_at or now
    )
    emails.staff_replied(ticket, message)
    return message
